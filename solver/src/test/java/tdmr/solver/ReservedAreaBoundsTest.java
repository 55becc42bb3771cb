package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The reserved-area limit's bounds on maps whose values are derived by hand. A 1 GiB TDMR's levels
 * are 1024 pages (4K), 2 pages (2M) and 1 page (1G) of 4 KiB.
 */
class ReservedAreaBoundsTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  private static ReservedAreaBounds bounds(MemoryMap map, Policy policy) {
    return new ReservedAreaBounds(Instance.of(map, TdxLimits.DEFAULT, policy));
  }

  /**
   * canonical/tdx#135: [1G, 2G) holds 16 holes under memlist (the 15 gaps between its 16 blocks and
   * [0x6f800000, 2G)), so 16 runs, and 15 islands of 4, 4, 8, 64, 244, 424, 536, 1680, 3276, 3784,
   * 3916, 5580, 8272, 17700 and 172264 KiB; four of them (5580 KiB and up) hold a 4 MiB 4K level,
   * all but the two of 4 KiB an 8 KiB 2M level, all a 4 KiB 1G level. With n TDMRs there are n
   * pieces of each level: n islands of 4 MiB or more for the 4K levels (at most 4), and the 2M and
   * 1G levels for the others, 2n of them; so 3, 6, 9, 12, 14 and 15 islands filled for n = 1..6, and
   * 16 minus that many areas (13, 10, 7, 4, 2, 1). [1G, 2G) cannot be left out of every TDMR: its
   * memory lies in 16 stretches, more than 3n pieces until n = 6, and from there the hole [0, 1M)
   * and the gaps of every other granule keep one area in every TDMR. With 1 TDMR the two granules
   * summed say one more: [0, 1G) holds 1 run (the first MiB) and 1 stretch of memory, which reaches
   * on to [1G, 2G)'s first hole at 0x5d169000, so an area joining the two granules needs that memory
   * filled by a level, and leaving [0, 1G) out takes a level for its one run (joinable 0): S = 0 + 15,
   * 3 levels, t = 1, 15 - 3 + max(1, 2 - 0) = 14.
   */
  @Test
  void tdx135AreasFromTheIslandsTheLevelsCanFill() throws Exception {
    ReservedAreaBounds b = bounds(RealMaps.read(RealMaps.EMR_135), MODULE);
    int[] expected = {14, 10, 7, 4, 2};
    for (int n = 1; n <= 64; n++) {
      assertEquals(n <= 5 ? expected[n - 1] : 1, b.leastMaxReserved(n), "n=" + n);
    }
  }

  /**
   * Why 2 TDMRs and 9 areas are ruled out on #135 (as above): the granule [1G, 2G) with its 16 runs
   * and 15 islands (two of 4 KiB fit only the 1G level, nine more the 2M level too, four every
   * level), of which the six levels of two TDMRs fill at most 6, and 16 stretches of memory that six
   * levels cannot fill: 10 areas. 10 areas are not ruled out. From 6 TDMRs on the granule can be left
   * out, and what rules out 0 areas is that every TDMR holds a hole.
   */
  @Test
  void tdx135ShortfallSaysWhy() throws Exception {
    ReservedAreaBounds b = bounds(RealMaps.read(RealMaps.EMR_135), MODULE);
    AreaShortfall.Granule why = (AreaShortfall.Granule) b.shortfall(2, 9).orElseThrow();
    assertEquals(new AddressRange(1L << 30, 2L << 30), why.granule());
    assertEquals(16, why.runs());
    assertEquals(15, why.islands());
    assertEquals(List.of(2, 9, 4), why.islandsFitting());
    assertEquals(List.of(4096L, 8192L, 4096L * 1024), why.levelLeastBytes());
    assertEquals(6, why.fillable());
    assertEquals(16, why.memoryStretches());
    assertEquals(10, why.leastMaxReserved());
    assertEquals(Optional.empty(), b.shortfall(2, 10));
    assertEquals(new AreaShortfall.EveryTdmrReserves(64), b.shortfall(64, 0).orElseThrow());
    assertEquals(Optional.empty(), b.shortfall(64, 1));
  }

  /**
   * Both exact engines answer the shortfall above before any search (as {@code prove} does): #135
   * with 2 TDMRs and 9 areas is {@code INFEASIBLE} for the whole module family, no model
   * restriction named, and the answer carries the reasoning (10 areas needed, hand-derived above).
   */
  @Test
  void bothEnginesAnswerTheShortfallWithoutASearch() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(9);
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.INFEASIBLE, r.status(), e.name() + ": " + r.messages());
      assertEquals(List.of(), r.restrictions(), e.name());
      AreaShortfall why = r.infeasibility().flatMap(Infeasibility::areaShortfall).orElseThrow();
      assertEquals(10, why.leastMaxReserved(), e.name());
      assertEquals(2, why.maxTdmrs(), e.name());
    }
  }

  /**
   * The price at each point of the #135 frontier from 2 TDMRs on: the cheapest islands that the
   * pieces can fill together, 16 - R of them. Two TDMRs, 10 areas: the 4K levels take 5580 and
   * 8272 KiB, the others 4, 4, 8 and 64 KiB (13 932 KiB). Three, 7: also 17700, 244 and 424 KiB.
   * Four, 4: also 172264, 536 and 1680 KiB. Five, 2: 14 islands, all but the 3916 KiB one (the
   * fifth 4K level fits no fifth island of 4 MiB, so ten 2M and 1G levels fill the ten smallest of
   * the eleven below). Six, 1: all 15, 217 756 KiB.
   */
  @Test
  void tdx135PriceOfEachPoint() throws Exception {
    ReservedAreaBounds b = bounds(RealMaps.read(RealMaps.EMR_135), MODULE);
    assertEquals(13_932 / 4, b.leastPamtPages(2, 10));
    assertEquals(32_300 / 4, b.leastPamtPages(3, 7));
    assertEquals(206_780 / 4, b.leastPamtPages(4, 4));
    assertEquals(213_840 / 4, b.leastPamtPages(5, 2));
    assertEquals(217_756 / 4, b.leastPamtPages(6, 1));
    assertEquals(217_756 / 4, b.leastPamtPages(64, 1));
    // Enough areas for every hole: nothing to fill.
    assertEquals(0, b.leastPamtPages(2, 16));
  }

  @Test
  void nothingIsKnownInTheKernelFamilyOrUnderCoverageMax() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    assertEquals(0, bounds(map, Policy.KERNEL).leastMaxReserved(1));
    assertEquals(0, bounds(map, Policy.KERNEL).leastPamtPages(6, 1));
    Policy max = MODULE.withCoverage(Policy.Coverage.MAX);
    assertEquals(0, bounds(map, max).leastMaxReserved(1));
    assertEquals(0, bounds(map, max).leastPamtPages(6, 1));
  }

  /**
   * [1G, 2G): blocks [1G, 1G+100M), [1G+100M+4K, 1G+300M) and [1G+300M+8K, 2G), all in one CMR.
   * Under memlist the two gaps are two runs with the 200 MiB - 4 KiB island between them; a 4K
   * level fits it, so one TDMR can fill it: 1 area at least, and 2 without filling. Under holes cmr
   * both gaps are convertible and need no area: no runs, nothing to bound (and a TDMR over
   * [1G, 2G) may have none).
   */
  @Test
  void convertibleGapsNeedNoAreaUnderHolesCmr() {
    MemoryMap map = MemoryMap.of("cmr", List.of(
            new MemoryBlock(G, G + 100 * M, 0),
            new MemoryBlock(G + 100 * M + 4 * K, G + 300 * M, 0),
            new MemoryBlock(G + 300 * M + 8 * K, 2 * G, 0)),
        List.of(new AddressRange(G, 2 * G)));
    ReservedAreaBounds memlist = bounds(map, MODULE);
    assertEquals(1, memlist.leastMaxReserved(1));
    assertEquals((200 * M - 4 * K) / (4 * K), memlist.leastPamtPages(1, 1));
    ReservedAreaBounds cmr = bounds(map, MODULE.withHoles(Policy.Holes.CMR));
    assertEquals(0, cmr.leastMaxReserved(1));
    assertEquals(0, cmr.leastPamtPages(1, 0));
  }
}
