package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Tdx135MapFixture;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class CpSatEngineTest {
  private static final long KiB = ByteSize.KiB;
  private static final long GiB = ByteSize.GiB;
  private final CpSatEngine engine = new CpSatEngine();

  private EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy) {
    return engine.solve(map, limits, policy, new SolveOptions(30, 1, 0));
  }

  @Test
  void tdx135IsSolvedOptimallyWithTwoOneGibTdmrs() {
    // Derivation: TDMR [0,1G) has one hole [0,1M) and takes both chunks stacked next to it;
    // TDMR [1G,2G) has 15 gaps between its 16 block pieces plus the tail [0x6f800000, 2G) = 16
    // areas, the limit. One TDMR [0,2G) would need 1 + 16 = 17. PAMT = 2 x 4108 KiB.
    EngineResult r = solve(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)),
        layout.tdmrs().stream().map(Tdmr::range).toList());
    assertEquals(2 * 4108 * KiB, r.pamtBytes().getAsLong());
    assertEquals(2 * 4108 * KiB, r.pamtBoundBytes().getAsLong());
    assertEquals(1, layout.tdmrs().get(0).reservedCount());
    assertEquals(16, layout.tdmrs().get(1).reservedCount());
  }

  @Test
  void tdmrOverTwoHundredFiftySixGibPaysASecondOneGibLevelPage() {
    // Block [1M, 300G) on node 0. A TDMR of N GiB has a chunk of 4104 * N KiB plus ceil(N * 16 /
    // 4096) pages of 1G level (2 pages above 256 GiB). Covering all 300 granules costs at least
    // one TDMR [0,300G): 4104 * 300 + 8 = 1231208 KiB (two, [0,1G) and [1G,300G), pay 4 KiB more).
    // Leaving granule 0 out of every TDMR makes its 1023 MiB PAMT: [1G,300G)'s chunk, 4104 * 299 + 8
    // = 1227104 KiB (more than 1023 MiB), starts at 1M, fills [1M,1G) and reaches on into granule 1,
    // where its TDMR reserves it: 1 area. Leaving granule 299 out instead costs the same PAMT but
    // two areas ([0,1M) and the chunk); leaving out more granules leaves more memory than a chunk
    // fills (e.g. [1G,299G)'s 1222992 KiB against 2 GiB - 1 MiB). So [1G,300G) is the optimum.
    MemoryMap map = MemoryMap.ofBlocks("big", List.of(new MemoryBlock(ByteSize.MiB, 300 * GiB, 0)));
    EngineResult r = solve(map, TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(new AddressRange(GiB, 300 * GiB)), layout.tdmrs().stream().map(Tdmr::range).toList());
    assertEquals(1227104 * KiB, r.pamtBytes().getAsLong());
    assertEquals(1227104 * KiB, r.pamtBoundBytes().getAsLong());
    assertEquals(1, layout.reservedAreaCount());
  }

  @Test
  void tdx135WithFifteenAreasIsProvenInfeasible() {
    // Every TDMR covering [1G,2G) holds its 15 gaps and the tail. Chunks could merge two of them
    // only by filling the island between them exactly; with two cells the chunks are 4108 KiB
    // each or one of 8212 KiB, so the fillable sizes are 4108, 8212 and 8216 KiB, and the islands
    // there are 1680, 17700, 64, 5580, 3916, 424, 536, 8, 244, 8272, 3784, 3276, 4 and 172264 KiB.
    EngineResult r = solve(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxReservedPerTdmr(15), Policy.KERNEL);
    assertEquals(Status.INFEASIBLE, r.status(), r.messages().toString());
    assertTrue(r.messages().get(0).contains("one contiguous 4K/2M/1G chunk"), r.messages().get(0));
  }

  @Test
  void tdx135WithSeventeenAreasUsesOneTwoGibTdmr() {
    // [0,2G): hole [0,1M) with the chunk stacked on it, 15 gaps, the tail: 17 areas;
    // PAMT 2*4104 + 4 = 8212 KiB < 8216 KiB.
    EngineResult r = solve(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxReservedPerTdmr(17), Policy.KERNEL);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(1, layout.size());
    assertEquals(new AddressRange(0, 2 * GiB), layout.tdmrs().get(0).range());
    assertEquals(8212 * KiB, r.pamtBytes().getAsLong());
    assertEquals(17, layout.tdmrs().get(0).reservedCount());
  }

  @Test
  void coverageMaxGivesUpOneTinyIslandOfTdx135() {
    // With 15 areas, leaving out one 4 KiB island between two gaps merges them: TDMR [1G,2G) then
    // has 15 areas. The smallest islands are [0x64158000, 0x64159000) and [0x6f7ff000, 0x6f800000),
    // 4 KiB each; no smaller loss is possible (atoms are page multiples).
    EngineResult r = solve(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxReservedPerTdmr(15),
        Policy.KERNEL.withCoverage(Policy.Coverage.MAX));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(4 * KiB, r.uncoveredBytes());
    assertEquals(2 * 4108 * KiB, r.pamtBytes().getAsLong());
  }

  @Test
  void sameInputAndOptionsGiveTheSameLayout() {
    // tdx#135 with 17 areas has several optimal chunk positions; runs must agree on one.
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(17);
    for (int threads : new int[] {1, 2}) {
      SolveOptions options = new SolveOptions(30, threads, 7);
      EngineResult first = engine.solve(Tdx135MapFixture.map(), limits, Policy.KERNEL, options);
      EngineResult second = engine.solve(Tdx135MapFixture.map(), limits, Policy.KERNEL, options);
      assertEquals(first.layout(), second.layout(), "threads=" + threads);
    }
  }

  @Test
  void memoryOutsideCmrsIsInfeasibleWithItsReason() {
    // [2G,3G) of the block is outside the only CMR: rule E1 forbids covering it.
    MemoryMap map = MemoryMap.of("outside", List.of(new MemoryBlock(1L << 20, 3 * GiB, 0)),
        List.of(new AddressRange(1L << 20, 2 * GiB)));
    EngineResult r = solve(map, TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(Status.INFEASIBLE, r.status());
    assertTrue(r.messages().get(0).contains("[0x80000000, 0xc0000000)"), r.messages().toString());
    // With coverage max that GiB is left out and the rest is planned.
    EngineResult max = solve(map, TdxLimits.DEFAULT, Policy.KERNEL.withCoverage(Policy.Coverage.MAX));
    assertEquals(Status.OPTIMAL, max.status(), max.messages().toString());
    assertEquals(GiB, max.uncoveredBytes());
  }
}
