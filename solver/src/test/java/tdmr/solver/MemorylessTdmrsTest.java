package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Every TDMR of a layout may hold no TDX memory, where all of it can be PAMT ({@link
 * Instance#memorylessGranules} offers as many such TDMRs as the limit allows). Until 2026-12-05 it
 * offered one less, so at a limit of 1 TDMR both engines claimed an optimum with remote PAMT, naming
 * no restriction, where a layout without any exists (found by fuzzing against {@link
 * ExhaustiveSearch}).
 */
class MemorylessTdmrsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  @Test
  void theOneTdmrHoldsNoMemoryWhenAllMemoryIsPamt() {
    // Node 1: 2052 pages at 0x40805000 (granule 1); node 0: 3 pages at 2 GiB (granule 2). One TDMR,
    // one area, holes memlist, PAMT node-local, coverage all. A 1 GiB TDMR's levels are at least
    // 1024, 2 and 1 pages.
    // - A TDMR holding node 1's granule leaves node 0's block outside every TDMR, so all PAMT; the
    //   4K level cannot fit 3 pages, so its 2M or 1G level lies there, on node 0, describing node 1's
    //   memory: remote PAMT. Likewise a TDMR holding node 0's granule: node 1's block is all PAMT
    //   of it, on node 1. A TDMR [1G, 3G) holds both nodes' memory in different granules, and its
    //   levels (at least 2053 pages, more than node 0's 3) lie partly on node 1, describing granule 2
    //   remotely.
    // - A TDMR without memory describes none: all 2055 pages of memory are PAMT, the 4K level padded
    //   to node 1's 2052 and the 2M and 1G levels filling node 0's 3 exactly; the TDMR is all gap,
    //   one area. So the optimum: nothing uncovered, no remote PAMT, 2055 pages, 1 TDMR, 1 area.
    MemoryMap map = MemoryMap.ofBlocks("all-pamt", List.of(
        new MemoryBlock(G + 0x805000, G + 0x805000 + 2052 * 4 * K, 1), new MemoryBlock(2 * G, 2 * G + 12 * K, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    LayoutScore expected = new LayoutScore(0, 0, 2055 * 4 * K, 1, 1);
    assertTrue(expected.sameRank(new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score(), MODULE));
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, r.layout().orElseThrow()), e.name());
      LayoutScore got = LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow());
      assertTrue(expected.sameRank(got, MODULE), e.name() + ": " + got);
      assertEquals(List.of(), r.restrictions(), e.name() + ": " + r.messages());
    }
  }
}
