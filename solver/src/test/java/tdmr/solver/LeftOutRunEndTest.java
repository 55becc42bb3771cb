package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A whole GiB at an end of a run of whole GiB left out of every TDMR and filled exactly by one
 * TDMR's levels, padded, in a <em>tight</em> segment (one with an atom of a few pages, where the
 * CP-SAT model tracks the pages of each chain): the phenomenon of the 256 GiB nodes of the
 * module-family sweep (realistic-4s2n-256GiB-3i, seed 7: each node's first granule left out, filled
 * by the 255 GiB TDMR's 261 631 pages of levels padded to 262 144), scaled down to a map {@link
 * ExhaustiveSearch} enumerates. Until 2026-12-05 neither engine's model padded such a chain (CP-SAT
 * padded only a chain filling its atom, Z3 only the low stack of a full atom), so both answered a
 * worse layout as optimal, naming the chain restriction. Sizes in 4 KiB pages: a TDMR of {@code n}
 * GiB needs {@code 1024·n} pages of 4K level, {@code 2·n} of 2M level and 1 of 1G level.
 *
 * <p>Both maps: holes {@code cmr}, PAMT {@code node-local}, coverage {@code all}, one TDMR with one
 * reserved area, a 4 KiB gap (convertible, so never reserved) between the node-0 block A of nearly
 * 1 GiB and the node-1 block B of 2 GiB and 2 pages, and a 4 KiB non-convertible hole at the
 * window's edge beside A, which the TDMR covering A must reserve: that is its one area. The optimum
 * (derived in each test) is 1 GiB of PAMT, no remote PAMT, 1 TDMR, 1 area.
 */
class LeftOutRunEndTest {
  private static final long K = 1024;
  private static final long P = 4 * K;
  private static final long G = 1024 * 1024 * K;
  private static final Policy POLICY = new Policy(Policy.Holes.CMR, Policy.PamtPlacementPolicy.NODE_LOCAL,
      Policy.Coverage.ALL, Policy.Family.MODULE);
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
  private static final LayoutScore OPTIMUM = new LayoutScore(0, 0, G, 1, 1);

  /**
   * A = [1G + 4K, 2G - 12K) on node 0, B = [2G - 8K, 4G) on node 1 (a 2-page head in granule 1, then
   * the run [2G, 4G)); CMR [1G + 4K, 4G). TDMR [1G, 3G) reserves the hole [1G, 1G + 4K) (its one
   * area) and covers A, the gap, B's head and [2G, 3G); [3G, 4G) is outside it, so all PAMT: its
   * levels (2048 + 4 + 1 pages, the 4K level padded by 260 091) fill it exactly, on node 1, which has
   * memory in both of the TDMR's memory granules. 1 GiB of PAMT is the least: every other TDMR of
   * one area either reaches 4G and must put its PAMT in its one area, against the hole at 1G + 4K,
   * so on A (node 0), remote for the granules [2G, 4G) without node-0 memory; or leaves out more
   * than [3G, 4G) (2 GiB or more of memory to fill), or leaves out A, which only PAMT on node 0
   * could fill, remote again.
   */
  @Test
  void aGranuleLeftOutAtARunsHighEndIsFilledByPaddedLevels() {
    MemoryMap map = MemoryMap.of("left-out-high", List.of(new MemoryBlock(G + P, 2 * G - 3 * P, 0),
        new MemoryBlock(2 * G - 2 * P, 4 * G, 1)), List.of(new AddressRange(G + P, 4 * G)));
    long top = 4 * G;
    Pamt levels = new Pamt(new PamtRange(3 * G, G - 5 * P), new PamtRange(top - 5 * P, 4 * P),
        new PamtRange(top - P, P));
    Layout hand = new Layout(List.of(new Tdmr(G, 2 * G, levels, List.of(new ReservedArea(0, P)))));
    agree(map, hand);
  }

  /**
   * The mirror image: B = [1G, 3G + 8K) on node 1 (the run [1G, 3G), then a 2-page tail in granule
   * 3), A = [3G + 12K, 4G - 4K) on node 0; CMR [1G, 4G - 4K). TDMR [2G, 4G) reserves the hole [4G -
   * 4K, 4G) and leaves [1G, 2G) out, filled exactly by its levels on node 1 (padded as above). A
   * TDMR reaching 1G has no hole at its base, so its PAMT would lie against the hole at 4G - 4K, on
   * A: remote; the rest as above.
   */
  @Test
  void aGranuleLeftOutAtARunsLowEndIsFilledByPaddedLevels() {
    MemoryMap map = MemoryMap.of("left-out-low", List.of(new MemoryBlock(G, 3 * G + 2 * P, 1),
        new MemoryBlock(3 * G + 3 * P, 4 * G - P, 0)), List.of(new AddressRange(G, 4 * G - P)));
    Pamt levels = new Pamt(new PamtRange(G, G - 5 * P), new PamtRange(2 * G - 5 * P, 4 * P),
        new PamtRange(2 * G - P, P));
    Layout hand = new Layout(List.of(new Tdmr(2 * G, 2 * G, levels, List.of(new ReservedArea(2 * G - P, P)))));
    agree(map, hand);
  }

  /**
   * The first map with B running on 2 pages past 4G, into the granule [4G, 5G), whose rest is a
   * hole outside the CMR [1G + 4K, 4G + 8K). TDMR [1G, 3G) as there; [3G, 4G + 8K) is outside it,
   * so all PAMT: its levels (2053 pages, the 4K level padded by 260 093) fill it exactly, one run
   * over the run's end into B's tail, on node 1: 262 146 pages. A TDMR reaching [4G, 5G) must
   * reserve that hole besides the one at 1G: two areas. One ending at 4G leaves B's tail out, which
   * only PAMT fills exactly (a 1G level padded to 2 pages), and the rest of its PAMT lies in its one
   * area, against the hole at 1G + 4K, on A: remote, as above. Until 2026-12-05 Z3 padded a run
   * from the split only up to the run's end, and answered a worse layout as optimal.
   */
  @Test
  void aGranuleLeftOutAtARunsHighEndIsFilledOnIntoTheBlocksTail() {
    MemoryMap map = MemoryMap.of("left-out-high-tail", List.of(new MemoryBlock(G + P, 2 * G - 3 * P, 0),
        new MemoryBlock(2 * G - 2 * P, 4 * G + 2 * P, 1)), List.of(new AddressRange(G + P, 4 * G + 2 * P)));
    long top = 4 * G + 2 * P;
    Pamt levels = new Pamt(new PamtRange(3 * G, G - 3 * P), new PamtRange(top - 5 * P, 4 * P),
        new PamtRange(top - P, P));
    Layout hand = new Layout(List.of(new Tdmr(G, 2 * G, levels, List.of(new ReservedArea(0, P)))));
    agree(map, hand, new LayoutScore(0, 0, G + 2 * P, 1, 1));
  }

  /** The hand layout is valid and scores the optimum; the referee and both engines find it. */
  private static void agree(MemoryMap map, Layout hand) {
    agree(map, hand, OPTIMUM);
  }

  /** The hand layout is valid and scores {@code optimum}; the referee and both engines find it. */
  private static void agree(MemoryMap map, Layout hand, LayoutScore optimum) {
    assertEquals(List.of(), LayoutVerifier.failures(map, LIMITS, POLICY, hand));
    assertEquals(optimum, LayoutScore.of(map, LIMITS, POLICY, hand));
    assertEquals(optimum, new ExhaustiveSearch(map, LIMITS, POLICY).best().orElseThrow().score());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, LIMITS, POLICY, new SolveOptions(60, 1, 0));
      String what = e.name() + ": " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(List.of(), LayoutVerifier.failures(map, LIMITS, POLICY, r.layout().orElseThrow()), what);
      assertTrue(optimum.sameRank(LayoutScore.of(map, LIMITS, POLICY, r.layout().orElseThrow()), POLICY), what);
    }
  }
}
