package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class StartingLayoutTest {
  private static final long KiB = ByteSize.KiB;
  private static final long MiB = ByteSize.MiB;
  private static final long GiB = ByteSize.GiB;

  /**
   * [1G, 2G): memory, a 64 MiB hole, an island of 1027 pages (exactly the chunk of a 1 GiB TDMR:
   * 1024 + 2 + 1 pages), a 64 MiB hole, memory. With one reserved area per TDMR the two holes
   * must share it, so the chunk has to fill the island.
   */
  private static final long ISLAND = GiB + 128 * MiB;
  private static final MemoryMap MAP = MemoryMap.ofBlocks("island", List.of(
      new MemoryBlock(GiB, GiB + 64 * MiB, 0),
      new MemoryBlock(ISLAND, ISLAND + 1027 * 4 * KiB, 0),
      new MemoryBlock(ISLAND + 1027 * 4 * KiB + 64 * MiB, 2 * GiB, 0)));
  private static final TdxLimits ONE_AREA = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1);

  @Test
  void whenHolesMustShareAnAreaTheChunkFillsTheIslandBetweenThem() {
    Problem p = Problem.of(MAP, ONE_AREA, Policy.KERNEL);
    PlacementSlots slots = new PlacementSlots(p, Optional.of(new PamtLowerBound(p)));
    Layout layout = p.buildLayout(new StartingLayout(p, slots).find().orElseThrow());
    assertEquals(1, layout.size());
    assertEquals(1, layout.reservedAreaCount());
    assertEquals(new AddressRange(ISLAND, ISLAND + 1027 * 4 * KiB),
        new AddressRange(layout.tdmrs().get(0).pamt().fourK().base(), layout.tdmrs().get(0).pamt().oneG().end()));
  }

  @Test
  void cpSatProvesThatLayoutOptimal() {
    EngineResult r = new CpSatEngine().solve(MAP, ONE_AREA, Policy.KERNEL, new SolveOptions(20, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(1027 * 4 * KiB, r.pamtBytes().getAsLong());
    assertEquals(1, r.layout().orElseThrow().reservedAreaCount());
  }
}
