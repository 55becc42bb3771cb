package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * PAMT levels over the edge where blocks of two NUMA nodes touch, under PAMT {@code node-local}:
 * such a level lies on both nodes and describes remotely every granule of its TDMR whose memory
 * lacks one of them ({@link tdmr.check.RemotePamt}). Until 2026-12-05 Z3's model left them out
 * under {@code node-local} and named the restriction; the lead's restriction audit (150 tiny maps,
 * seed 11) found 4 such claims beaten by {@link ExhaustiveSearch}. Both engines and the referee are
 * checked against an optimum derived by hand.
 *
 * <p>Both maps: A = [1G + 4K, 1G + 8K) on node 0 (1 page), B = [1G + 8K, 1G + 32K) on node 1 (6
 * pages), C from 1G + 32K on node 0, one CMR from 1G + 4K; holes {@code cmr}, coverage {@code
 * all}. The hole [1G, 1G + 4K) is outside the CMR, so the TDMR covering A (over the granule
 * [1G, 2G)) reserves it: at least one area. With one area, that area is the hole and everything
 * above it up to the TDMR's PAMT's end, all PAMT (memory in an area is not usable), so A and B are
 * PAMT. A TDMR of {@code n} GiB needs {@code 1024·n} pages of 4K level, {@code 2·n} of 2M level and
 * 1 of 1G level; per GiB a level describes 4 MiB, 8 KiB and 16 bytes.
 */
class StraddlingLevelsTest {
  private static final long K = 1024;
  private static final long P = 4 * K;
  private static final long G = 1024 * 1024 * K;

  /**
   * C = [1G + 32K, 2G); three TDMRs and two areas allowed. TDMR [1G, 2G): 1G level on A, 2M level
   * on B's first 2 pages, 4K level (1024 pages) from B's third page on over the B-C edge, so on
   * nodes 0 and 1; the TDMR's one granule holds memory of both, so no PAMT is remote. One area: the
   * hole and the 1027 pages of PAMT above it. Each tier is at its least: all memory covered, no
   * remote PAMT, 1027 pages (the least of any TDMR), one TDMR, one area (the hole's). Without the
   * straddling level, A and B (7 pages, all PAMT under one area) would need the 2M level padded by 2
   * pages, or a second area for PAMT in C.
   */
  @Test
  void aLevelOverTheEdgeIsLocalToAGranuleOfBothNodes() {
    MemoryMap map = map();
    Policy policy = policy();
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(2);
    long a = G + P;
    Pamt levels = new Pamt(new PamtRange(a + 3 * P, 1024 * P), new PamtRange(a + P, 2 * P), new PamtRange(a, P));
    Layout hand = new Layout(List.of(new Tdmr(G, G, levels, List.of(new ReservedArea(0, 1028 * P)))));
    agree(map, limits, policy, hand, new LayoutScore(0, 0, 1027 * P, 1, 1));
  }

  /**
   * C = [1G + 32K, 2G + 4K), then three node-0 islands D1 = [2G + 8K, 2G + 12K), D2 = [2G + 16K, 2G
   * + 20K), D3 = [2G + 24K, 3G), each after a 1-page gap inside the CMR (convertible: never
   * reserved, and no PAMT lies over it); one TDMR with one area. No TDMR may leave [2G, 3G) out:
   * its four islands would each have to be filled exactly by PAMT, and one TDMR has three levels.
   * A TDMR leaving [1G, 2G) out fills it with its levels, 262 143 pages. So the TDMR is [1G, 3G)
   * (reaching further costs an area for the space beyond 3G, or more PAMT: [0, 3G) needs 3 079
   * pages): 2048 + 4 + 1 pages of levels, all in its one area, so A and B are PAMT. Each level
   * overlapping B lies on node 1 and so describes [2G, 3G) (node-0 memory only) remotely: at least
   * 16 bytes, exactly 16 when only the 1G level overlaps B. Then A is the 1G level's too (the other
   * levels, of 4 and 2048 pages, do not fit its one page without reaching B), so the 1G level covers
   * A and B whole: padded to 7 pages, over the A-B edge, on nodes 0 and 1, remote for [2G, 3G) only
   * (16 bytes). The 2M and 4K levels follow in C, on node 0, local to both granules. The optimum:
   * nothing uncovered, 16 bytes remote, 2048 + 4 + 7 = 2059 pages, one TDMR, one area. Without the
   * straddling level A holds the 1G level alone and B a 2M level padded to 6 pages: 8 KiB remote.
   */
  @Test
  void aPaddedLevelOverTheEdgeIsRemoteOnlyForGranulesLackingANode() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G + P, G + 2 * P, 0), new MemoryBlock(G + 2 * P, G + 8 * P, 1),
        new MemoryBlock(G + 8 * P, 2 * G + P, 0), new MemoryBlock(2 * G + 2 * P, 2 * G + 3 * P, 0),
        new MemoryBlock(2 * G + 4 * P, 2 * G + 5 * P, 0), new MemoryBlock(2 * G + 6 * P, 3 * G, 0));
    MemoryMap map = MemoryMap.of("straddling-remote", blocks, List.of(new AddressRange(G + P, 3 * G)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    long a = G + P;
    Pamt levels = new Pamt(new PamtRange(a + 11 * P, 2048 * P), new PamtRange(a + 7 * P, 4 * P),
        new PamtRange(a, 7 * P));
    Layout hand = new Layout(List.of(new Tdmr(G, 2 * G, levels, List.of(new ReservedArea(0, 2060 * P)))));
    agree(map, limits, policy(), hand, new LayoutScore(0, 16, 2059 * P, 1, 1));
  }

  /** A, B and C = [1G + 32K, 2G) under one CMR from A's start. */
  private static MemoryMap map() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G + P, G + 2 * P, 0), new MemoryBlock(G + 2 * P, G + 8 * P, 1),
        new MemoryBlock(G + 8 * P, 2 * G, 0));
    return MemoryMap.of("straddling", blocks, List.of(new AddressRange(G + P, 2 * G)));
  }

  private static Policy policy() {
    return new Policy(Policy.Holes.CMR, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
        Policy.Family.MODULE);
  }

  /** The hand layout is valid and scores {@code optimum}; the referee and both engines prove it, naming nothing. */
  private static void agree(MemoryMap map, TdxLimits limits, Policy policy, Layout hand, LayoutScore optimum) {
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, policy, hand));
    assertEquals(optimum, LayoutScore.of(map, limits, policy, hand));
    assertEquals(optimum, new ExhaustiveSearch(map, limits, policy).best().orElseThrow().score());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, policy, new SolveOptions(60, 1, 0));
      String what = e.name() + ": " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, policy, r.layout().orElseThrow()), what);
      assertEquals(optimum, LayoutScore.of(map, limits, policy, r.layout().orElseThrow()), what);
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.STRADDLING), what);
    }
  }
}
