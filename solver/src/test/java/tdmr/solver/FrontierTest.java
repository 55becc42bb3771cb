package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class FrontierTest {
  private static final long KiB = 1L << 10;

  /**
   * canonical/tdx#135 (realmaps/tdx-fail-emr-foxcreekpass-...-135.txt), derived by hand. TDX
   * memory lies below 2 GiB: 16 e820 usable ranges above 1 MiB, the first [0x100000, 0x5d169000)
   * reaching across 1 GiB, the other 15 inside [1G, 2G). Under holes memlist a TDMR reserves every stretch it covers outside the blocks:
   *
   * <ul>
   *   <li>[0, 1G) holds one hole, [0, 0x100000);
   *   <li>[1G, 2G) holds 16: the 15 gaps between consecutive blocks after the first, and
   *       [0x6f800000, 2G) after the last block;
   *   <li>so [0, 2G) holds 17.
   * </ul>
   *
   * A PAMT chunk stacked against a hole joins that hole's area. Chunks could merge two holes only
   * by filling a block between them exactly, but the blocks inside [1G, 2G) are 4, 4, 8, 64, 244,
   * 424, 536, 1680, 3276, 3784, 3916, 5580, 8272, 17700 and 172264 KiB, none of them 4108, 8212
   * or 8216 KiB (one or two chunks). One TDMR [0, 2G) therefore
   * needs exactly 17 areas and pays 4104·2 + 4 = 8212 KiB; with two TDMRs [0, 1G) and [1G, 2G) the
   * second needs 16 (the first needs 1) and the PAMT is 2·4108 = 8216 KiB. With 16 areas allowed
   * only the split fits; with 17 the single TDMR is cheaper. More TDMRs cannot help: there are
   * only two granules with memory.
   */
  @Test
  void tdx135FrontierIsSeventeenWithOneTdmrAndSixteenWithMore() throws Exception {
    Frontier f = new Frontier(List.of(new Z3Engine()), SolveOptions.DEFAULT);
    List<FrontierPoint> points = f.compute(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, Policy.DEFAULT, 64);

    assertEquals(64, points.size());
    FrontierPoint one = points.get(0);
    assertEquals(Status.OPTIMAL, one.status());
    assertEquals(OptionalInt.of(17), one.minReserved());
    assertEquals(OptionalLong.of(8212 * KiB), one.pamtBytes());
    for (FrontierPoint p : points.subList(1, 64)) {
      assertEquals(Status.OPTIMAL, p.status(), "n=" + p.maxTdmrs());
      assertEquals(OptionalInt.of(16), p.minReserved(), "n=" + p.maxTdmrs());
      assertEquals(OptionalLong.of(8216 * KiB), p.pamtBytes(), "n=" + p.maxTdmrs());
      assertEquals("z3", p.provedBy());
    }
  }

  /**
   * An engine with a known answer: with at most n TDMRs a layout needs max(0, 3 - n) reserved
   * areas, uses min(n, 3) TDMRs and 1000 - min(n, 3) PAMT bytes.
   */
  private static final class KnownEngine implements Engine {
    private final String name;
    int solves;

    KnownEngine(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      solves++;
      int n = limits.maxTdmrs();
      if (limits.maxReservedPerTdmr() < Math.max(0, 3 - n)) {
        return new EngineResult(name, Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);
      }
      int used = Math.min(n, 3);
      List<Tdmr> tdmrs = new ArrayList<>();
      for (int i = 0; i < used; i++) {
        tdmrs.add(new Tdmr(i * (1L << 30), 1L << 30, Pamt.kernelChunk(0, 1L << 30, limits), List.of()));
      }
      return new EngineResult(name, Status.OPTIMAL, Optional.of(new Layout(tdmrs)), OptionalLong.of(1000 - used),
          OptionalLong.of(1000 - used), List.of(), 0, 0, 0, 0);
    }
  }

  /** An engine that always runs out of time. */
  private static final class TimedOutEngine implements Engine {
    @Override
    public String name() {
      return "slow";
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      return new EngineResult("slow", Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
          List.of(), 0, 0, 0, 0);
    }
  }

  private static final MemoryMap ANY_MAP =
      MemoryMap.ofBlocks("any", List.of(new MemoryBlock(1L << 30, 2L << 30, 0)));

  @Test
  void eachPointIsTheLeastReservedLimitWithALayoutAndPointsFromTheLastTdmrCountOnAreCopied() {
    KnownEngine engine = new KnownEngine("known");
    List<FrontierPoint> points =
        new Frontier(List.of(engine), SolveOptions.DEFAULT).compute(ANY_MAP, TdxLimits.DEFAULT, Policy.DEFAULT, 64);

    assertEquals(64, points.size());
    for (int n = 1; n <= 64; n++) {
      FrontierPoint p = points.get(n - 1);
      assertEquals(n, p.maxTdmrs());
      assertEquals(OptionalInt.of(Math.max(0, 3 - n)), p.minReserved(), "n=" + n);
      assertEquals(OptionalLong.of(1000 - Math.min(n, 3)), p.pamtBytes(), "n=" + n);
      assertEquals("known", p.provedBy());
    }
    // The point at 64 uses 3 TDMRs, so only n = 1 and 2 are searched besides it.
    assertTrue(points.subList(2, 63).stream().allMatch(p -> p.solves() == 0));
    assertTrue(points.get(0).solves() > 0 && points.get(1).solves() > 0);
  }

  @Test
  void aTimedOutEngineHandsThePointToTheNextAndThePointSaysWhoProvedIt() {
    List<FrontierPoint> points =
        new Frontier(List.of(new TimedOutEngine(), new KnownEngine("backup")), SolveOptions.DEFAULT)
            .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.DEFAULT, 3);
    assertEquals(OptionalInt.of(2), points.get(0).minReserved());
    assertEquals("backup", points.get(0).provedBy());
  }

  @Test
  void withOnlyATimedOutEngineEveryPointIsUnknown() {
    List<FrontierPoint> points =
        new Frontier(List.of(new TimedOutEngine()), SolveOptions.DEFAULT).compute(ANY_MAP, TdxLimits.DEFAULT, Policy.DEFAULT, 3);
    assertTrue(points.stream().allMatch(p -> p.status() == Status.UNKNOWN && p.minReserved().isEmpty()));
  }
}
