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
    holdsWithoutRestriction(map, limits, new LayoutScore(0, 0, 2055 * 4 * K, 1, 1));
  }

  @Test
  void aTdmrWithoutMemoryLiesBelowTheMemory() {
    // HKID limit 2 GiB, so granules 0 and 1 only; memory in granule 1: islands of 1 page at 1G+4K
    // and 1G+12K, and a block of 3072 pages (12 MiB) ending at 2 GiB. One area per TDMR, holes
    // memlist. Granule 1 holds three holes ([1G, +4K), [+8K, +12K), [+16K, 2G-12M)); one area
    // needs both islands filled, by pieces of 1 page: only 1G levels (a 2M level has 2 pages). A
    // TDMR [0, 2G) has one 1G level (and two areas); so two TDMRs, [1G, 2G) and one without memory
    // on granule 0, below the memory: each 1 GiB, levels 1024 + 2 + 1 pages, all 2054 pages in the
    // islands and the block (2052 pages stacked against the hole below it, within [1G, 2G)'s one
    // area); granule 0 is all hole, one area. Nothing uncovered, one node.
    MemoryMap map = MemoryMap.ofBlocks("below", List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(2 * G - 12 * 1024 * K, 2 * G, 0)));
    TdxLimits limits = new TdxLimits(2, 1, 16, 16, 16, false, 31);
    holdsWithoutRestriction(map, limits, new LayoutScore(0, 0, 2054 * 4 * K, 2, 2));
  }

  @Test
  void aTdmrWithoutMemoryLiesBetweenTheMemory() {
    // HKID limit 4 GiB; memory in granule 0 (islands of 1 page at 1M+4K, +12K and +20K, a block of 1536
    // pages, 6 MiB, ending at 1 GiB) and granule 3 (blocks of 6 MiB at 3 GiB and ending at 4 GiB);
    // granules 1 and 2 hold none. No TDMR exceeds 1 GiB: a 2 GiB TDMR's 4K level (2048 pages)
    // fits no block. One area per TDMR, holes memlist: granule 0's holes merge into one area only
    // with all three islands filled by 1-page pieces, 1G levels of three TDMRs: [0, 1G), [3G, 4G)
    // and one without memory, which can only lie on granule 1 or 2, between the memory. Each has a
    // hole, one area each; levels 3 x 1027 pages, the three 4K levels in the three blocks.
    long m = 1024 * K;
    MemoryMap map = MemoryMap.ofBlocks("inside", List.of(new MemoryBlock(m + 4 * K, m + 8 * K, 0),
        new MemoryBlock(m + 12 * K, m + 16 * K, 0), new MemoryBlock(m + 20 * K, m + 24 * K, 0),
        new MemoryBlock(G - 6 * 1024 * K, G, 0), new MemoryBlock(3 * G, 3 * G + 6 * 1024 * K, 0),
        new MemoryBlock(4 * G - 6 * 1024 * K, 4 * G, 0)));
    TdxLimits limits = new TdxLimits(3, 1, 16, 16, 16, false, 32);
    holdsWithoutRestriction(map, limits, new LayoutScore(0, 0, 3 * 1027 * 4 * K, 3, 3));
  }

  /** The referee finds {@code expected}; both engines prove it without naming a restriction. */
  private static void holdsWithoutRestriction(MemoryMap map, TdxLimits limits, LayoutScore expected) {
    LayoutScore referee = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score();
    assertTrue(expected.sameRank(referee, MODULE), "referee: " + referee);
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
