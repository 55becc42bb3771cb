package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link OnlyTdmrOptimum} on maps whose optimum at one TDMR is derived by hand, the small ones
 * confirmed by {@link ExhaustiveSearch}. In pages of 4 KiB, a TDMR of N GiB needs 1024·N pages of
 * 4K level, 2·N of 2M level and ceil(N / 256) of 1G level (16-byte entries).
 */
class OnlyTdmrOptimumTest {
  private static final long K = 1024;
  private static final long M = K * K;
  private static final long G = K * M;
  private static final long PAGE = 4 * K;
  private static final TdxLimits ONE = TdxLimits.DEFAULT.withMaxTdmrs(1);

  /**
   * One block [1G + gap, 2G + 2M) on node 0, CMR the block. TDMR [1G, 2G) leaves out [2G, 2G + 2M),
   * 512 pages, fewer than its levels (1 024 + 2 + 1 = 1 027 pages), so its PAMT is 1 027 pages;
   * every other place has more (a TDMR reaching 3G has 2 053 pages of levels; one from 2G leaves
   * out a GiB). The 512 pages must be PAMT; no set of the levels is 512 pages (1 024, 2, 1 and
   * their sums) and there is no padding, so the 4K level reaches below 2G, its part there (515
   * pages or more) in an area that cannot reach the block's start, 1 GiB below: one area beyond
   * those holding the gap at 1G when there is one.
   */
  private static MemoryMap tail(long gap) {
    return MemoryMap.ofBlocks("tail", List.of(new MemoryBlock(G + gap, 2 * G + 2 * M, 0)));
  }

  @Test
  void aLevelReachingIntoTheTdmrCostsAnArea() {
    OnlyTdmrOptimum noGap = new OnlyTdmrOptimum(Instance.of(tail(0), ONE, Policy.DEFAULT));
    assertEquals(1, noGap.reachingIn(new AddressRange(G, 2 * G), 1027));
    LayoutScore oneArea = new LayoutScore(0, 0, 1027 * PAGE, 1, 1);
    assertTrue(noGap.meetsBounds(oneArea));
    assertFalse(noGap.meetsBounds(new LayoutScore(0, 0, 1027 * PAGE, 1, 2)));
    assertFalse(noGap.meetsBounds(new LayoutScore(0, 0, 1028 * PAGE, 1, 1)));
    assertEquals(oneArea, new ExhaustiveSearch(tail(0), ONE, Policy.DEFAULT).best().orElseThrow().score());

    // A 1 MiB gap at 1G (reserved under holes memlist): its area, and the level's, 2 in all.
    OnlyTdmrOptimum gap = new OnlyTdmrOptimum(Instance.of(tail(M), ONE, Policy.DEFAULT));
    LayoutScore twoAreas = new LayoutScore(0, 0, 1027 * PAGE, 1, 2);
    assertTrue(gap.meetsBounds(twoAreas));
    assertEquals(twoAreas, new ExhaustiveSearch(tail(M), ONE, Policy.DEFAULT).best().orElseThrow().score());
  }

  /**
   * The block [1G, 2G + 12K): the 3 pages left out are the 2M and 1G levels (2 + 1) exactly, so no
   * level has to reach into the TDMR, and the bound knows no area (the 4K level still needs one
   * inside, which the bound does not see: the optimum, 1 area, is not proven here).
   */
  @Test
  void levelsThatFillTheMemoryLeftOutNeedNotReachIn() {
    MemoryMap map = MemoryMap.ofBlocks("fill", List.of(new MemoryBlock(G, 2 * G + 3 * PAGE, 0)));
    OnlyTdmrOptimum bounds = new OnlyTdmrOptimum(Instance.of(map, ONE, Policy.DEFAULT));
    assertEquals(0, bounds.reachingIn(new AddressRange(G, 2 * G), 1027));
    assertFalse(bounds.meetsBounds(new LayoutScore(0, 0, 1027 * PAGE, 1, 1)));
  }

  /**
   * canonical/tdx#285 at one TDMR: blocks (and CMRs) [1M, 0x77800000), [4G, 0x206e000000) and
   * [130G, 0x4070000000), one node. TDMR [0, 257G) leaves out [257G, 257.75G), 196 608 pages, fewer
   * than its levels (263 168 + 514 + 2 = 263 684 pages), the least PAMT of any place (258 GiB of
   * TDMR has more levels, 256 leaves out 1.75 GiB or more). Its gaps [0, 1M), [0x77800000, 4G) and
   * [0x206e000000, 130G) are 3 runs; the islands between them (1.87 GiB and 125.7 GiB) are no sum of
   * the levels, which have no padding, so none is filled. No set of the levels is 196 608 pages, so
   * the 4K level reaches below 257G by 67 076 pages or more, and its area cannot reach the gap at
   * 130G: 3 + 1 = 4 areas at least, the optimum both engines find.
   */
  @Test
  void tdx285AtOneTdmrMeetsTheBoundsOfTheFamily() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.CMR_TWICE_285);
    OnlyTdmrOptimum bounds = new OnlyTdmrOptimum(Instance.of(map, ONE, Policy.DEFAULT));
    assertEquals(1, bounds.reachingIn(new AddressRange(0, 257 * G), 263_684));
    assertTrue(bounds.meetsBounds(new LayoutScore(0, 0, 263_684 * PAGE, 1, 4)));
    assertFalse(bounds.meetsBounds(new LayoutScore(0, 0, 263_684 * PAGE, 1, 5)));
  }
}
