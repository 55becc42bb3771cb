package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The module family's lower bounds on maps whose values are derived by hand. In pages of 4 KiB, a
 * TDMR of N GiB needs 1024·N pages of 4K level, 2·N of 2M level and ceil(N / 256) of 1G level
 * (16-byte entries); with Dynamic PAMT the 4K level is a bitmap of 8 pages per GiB.
 */
class ModuleFamilyBoundsTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  private static ModuleFamilyBounds bounds(MemoryMap map, TdxLimits limits, boolean remoteFree) {
    return new ModuleFamilyBounds(Instance.of(map, limits, MODULE), remoteFree);
  }

  @Test
  void oneRunOfTwoGibNeedsOneTdmrOfTwoGib() {
    // 2048 + 4 + 1 pages: one TDMR [1G, 3G).
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(G, 3 * G, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(OptionalLong.of(2053), b.leastPamtPages());
    assertEquals(OptionalLong.of(1), b.leastTdmrs());
    assertEquals(List.of(List.of(0)), b.tdmrs());
  }

  @Test
  void dynamicPamtCostsEightPagesOfBitmapPerGib() {
    // 2 · 8 + 2 · 2 + 1 pages.
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(G, 3 * G, 0)));
    assertEquals(OptionalLong.of(21), bounds(map, TdxLimits.DEFAULT.withDynamicPamt(true), true).leastPamtPages());
  }

  @Test
  void nodesThatShareNoGranuleSplitTheRunOnlyWhenNoPamtMayBeRemote() {
    // [1G, 2G) on node 0 and [2G, 3G) on node 1: one TDMR of 2 GiB (2053 pages) describes one of
    // them remotely; without remote PAMT each node needs its own TDMR, 2 · 1027 pages.
    MemoryMap map = MemoryMap.ofBlocks("nodes", List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(2 * G, 3 * G, 1)));
    ModuleFamilyBounds free = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(OptionalLong.of(2054), free.leastPamtPages());
    assertEquals(OptionalLong.of(2), free.leastTdmrs());
    assertEquals(2, free.tdmrs().size());
    ModuleFamilyBounds any = bounds(map, TdxLimits.DEFAULT, false);
    assertEquals(OptionalLong.of(2053), any.leastPamtPages());
    assertEquals(OptionalLong.of(1), any.leastTdmrs());
  }

  @Test
  void aTdmrWithoutMemoryAddsItsLevelsToTheNodesBound() {
    // [1G, 2G) on node 0 and [2G, 3G) on node 1, no remote PAMT: 1027 pages per node. A TDMR without
    // memory has at least a 1 GiB TDMR's levels (1027 pages) on some node, and leaving a granule
    // out would need its 262 144 pages of PAMT: 2 · 1027 + 1027.
    MemoryMap map = MemoryMap.ofBlocks("nodes", List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(2 * G, 3 * G, 1)));
    ModuleFamilyBounds free = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(OptionalLong.of(3081), free.leastPamtPagesWithMemoryless(1027));
    assertEquals(OptionalLong.of(2054), free.leastPamtPagesWithMemoryless(0));
    // Not taken per node when PAMT may be remote.
    assertEquals(OptionalLong.empty(), bounds(map, TdxLimits.DEFAULT, false).leastPamtPagesWithMemoryless(1027));
  }

  @Test
  void aTdmrWithoutMemoryMayFillAGranuleLeftOut() {
    // Node 0: [1G, 2G) and a 1027-page block at 3G. Covering both: 2 · 1027 pages. Leaving the
    // small block out, filled by the 1 GiB TDMR's 1027 pages of levels: 1027. With a TDMR without
    // memory of 1027 pages on node 0 too, leaving the block out costs 1027 + 1027 (its levels may
    // fill the block, but the covering TDMR's are still needed) and covering it 2 · 1027 + 1027,
    // so node 0 needs 2054; node 1 ([5G, 6G)) needs 1027, and 1027 more if the TDMR without memory
    // puts its levels there instead: 3081 either way.
    MemoryMap map = MemoryMap.ofBlocks("fill", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 1027 * 4 * K, 0), new MemoryBlock(5 * G, 6 * G, 1)));
    ModuleFamilyBounds free = bounds(map, TdxLimits.DEFAULT, true);
    // Node 1 adds 1027 in every case.
    assertEquals(OptionalLong.of(1027 + 1027), free.leastPamtPages());
    assertEquals(OptionalLong.of(2054 + 1027), free.leastPamtPagesWithMemoryless(1027));
  }

  @Test
  void aGranuleWithoutMemoryBetweenRunsCostsMoreThanASecondTdmr() {
    // [1G, 2G) and [3G, 4G): two TDMRs of 1 GiB (2 · 1027) beat one of 3 GiB (3 · 1026 + 1).
    MemoryMap map = MemoryMap.ofBlocks("gap", List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(3 * G, 4 * G, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, false);
    assertEquals(OptionalLong.of(2054), b.leastPamtPages());
    assertEquals(OptionalLong.of(2), b.leastTdmrs());
  }

  @Test
  void theGranuleWorthLeavingOutGivesTheStartsTdmrs() {
    // As below: the 4 KiB island at 3 GiB (cell 2; cell 1 is the empty [2G, 3G)) is worth leaving
    // out, and the TDMRs that leave it out are the one over [1G, 2G).
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 4 * K, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, false);
    assertEquals(List.of(List.of(0), List.of(2)), b.tdmrs());
    assertEquals(List.of(2), b.granulesWorthLeavingOut());
    assertEquals(List.of(List.of(0)), b.tdmrsLeavingOut(java.util.Set.of(2)));
    assertEquals(List.of(java.util.Set.of(2)), b.leftOutCandidates(4));
  }

  @Test
  void tdx391MayLeaveOutOneGranuleOfFewerPagesThanItsPamt() throws Exception {
    // Five CMRs: [1M, 0x77800000) and four of 61.9 to 63.9 GiB above 4 GiB; B = 2 · 1026 + 1 +
    // 254 · 1026 + 1 = 262 658 pages, and leaving one granule out saves 1026: 261 632 (1022 MiB).
    // The granules with less memory than that: [1G, 2G) with 888 MiB (cell 1), then the tops of
    // the CMRs above 4 GiB with 928 MiB (cell 4) and 960 MiB (cells 6, 8, 10). Leaving out cell 1
    // cuts the low run to [0, 1G): 1027 + 254 · 1026 + 1 = 261 632 pages of levels; leaving out cell
    // 10 shortens the high run: 2053 + 253 · 1026 + 1, as many; cells 4, 6 and 8 cut the high run
    // in two, one page of 1G level more; two granules hold more memory than any PAMT they save.
    ModuleFamilyBounds b = bounds(RealMaps.read(RealMaps.CMR_ONLY_391), TdxLimits.DEFAULT, true);
    assertEquals(262_658, b.leastCoveringPages());
    assertEquals(OptionalLong.of(261_632), b.leastPamtPages());
    assertEquals(List.of(1, 4, 6, 8, 10), b.granulesWorthLeavingOut());
    assertEquals(List.of(List.of(0), List.of(3, 4, 5, 6, 7, 8, 9, 10)), b.tdmrsLeavingOut(java.util.Set.of(1)));
    assertEquals(261_632, b.levelPages(b.tdmrsLeavingOut(java.util.Set.of(10))));
    assertEquals(List.of(java.util.Set.of(1), java.util.Set.of(10), java.util.Set.of(4), java.util.Set.of(6)),
        b.leftOutCandidates(6));
  }

  @Test
  void aGranuleThatPamtCanFillMayStayOutsideEveryTdmr() {
    // The 4 KiB island at 3 GiB can be left out of every TDMR when the 1G level of [1G, 2G) fills
    // it: 1027 pages, not the 2 · 1027 of covering both granules; no TDMR count follows.
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 4 * K, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, false);
    assertEquals(2054, b.leastCoveringPages());
    assertEquals(OptionalLong.of(1027), b.leastPamtPages());
    assertEquals(OptionalLong.empty(), b.leastTdmrs());
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(1027 * 4096, referee.score().pamtBytes());
  }

  @Test
  void anIslandThatNoUnpaddedLevelsFillCostsItsPadding() {
    // [1G, 2G) and an island of m pages at 3G. Leaving the island out, the TDMR [1G, 2G) has levels
    // of 1024, 2 and 1 pages, which fill exactly the islands of 1, 2, 3 or 1024 to 1027 pages; any
    // other island below 1027 pages is filled by the 2M and 1G levels padded (the 4K level is too
    // large): 1024 + m pages, 1028 for 4 pages, 1029 for 5, 2047 for 1023 (covering the island with
    // a TDMR of its own costs 2 · 1027 = 2054). Before the islands were looked at, the bound was
    // 1027 for every island up to 1027 pages; before the padding was counted, 1028.
    for (long m : new long[] {1, 3, 4, 5, 1023, 1024, 1027}) {
      MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 2 * G, 0),
          new MemoryBlock(3 * G, 3 * G + m * 4 * K, 0)));
      long expected = m <= 3 || m >= 1024 ? 1027 : 1024 + m;
      for (boolean remoteFree : new boolean[] {false, true}) {
        assertEquals(OptionalLong.of(expected), bounds(map, TdxLimits.DEFAULT, remoteFree).leastPamtPages(),
            m + " pages");
      }
      var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
      assertEquals(expected * 4096, referee.score().pamtBytes(), m + " pages");
    }
  }

  @Test
  void anIslandSealedInsideAGranuleOfARunNeedsItsPadding() {
    // Memory [1G - 600 pages, 1G - 100 pages) (500 pages between holes, inside granule 0) and [1G,
    // 2G): one run of 2 GiB, 2 · 1026 + 1 = 2053 pages when covered. Leaving granule 0 out, the TDMR
    // [1G, 2G) has levels of 1024, 2 and 1 pages; the 500 pages must be PAMT, filled by levels lying
    // inside them: the 4K level does not fit, so the 2M and 1G levels padded by 497 pages: 1024 +
    // 500 = 1524 pages. The bound said 1027 before (it took every granule of a run as touching its
    // neighbour's memory).
    MemoryMap map = MemoryMap.ofBlocks("sealed", List.of(new MemoryBlock(G - 600 * 4 * K, G - 100 * 4 * K, 0),
        new MemoryBlock(G, 2 * G, 0)));
    for (boolean remoteFree : new boolean[] {false, true}) {
      assertEquals(OptionalLong.of(1524), bounds(map, TdxLimits.DEFAULT, remoteFree).leastPamtPages());
    }
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(1524 * 4096, referee.score().pamtBytes());
  }

  @Test
  void everySmallStretchSealedInsideALeftOutGranuleIsPamtBesideTheFourKLevel() {
    // Memory [1G - 1200 pages, 1G - 700 pages) and [1G - 600 pages, 1G - 200 pages) (500 and 400
    // pages between holes, inside granule 0) and [1G, 2G): covered by one TDMR [0, 2G), 2 · 1026 + 1
    // = 2053 pages. Leaving granule 0 out, the TDMR [1G, 2G) has levels of 1024, 2 and 1 pages; the
    // 900 pages of the two stretches are all PAMT, and the 4K level fits in neither: at least 1024 +
    // 900 = 1924 pages, which the 2M level padded to 500 and the 1G level padded to 400 reach. (The
    // padding of one stretch alone gave 1024 + 500 = 1524 before.)
    long page = 4 * K;
    MemoryMap map = MemoryMap.ofBlocks("two sealed", List.of(new MemoryBlock(G - 1200 * page, G - 700 * page, 0),
        new MemoryBlock(G - 600 * page, G - 200 * page, 0), new MemoryBlock(G, 2 * G, 0)));
    for (boolean remoteFree : new boolean[] {false, true}) {
      ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, remoteFree);
      assertEquals(OptionalLong.of(1924), b.leastPamtPages());
      // A layout at 1924 pages leaves granule 0 out, so nothing is said of the TDMRs at the covering bound.
      assertEquals(OptionalLong.empty(), b.leastTdmrs());
    }
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(1924 * 4096, referee.score().pamtBytes());
  }

  @Test
  void smallStretchesWorthMoreThanTheirGranuleLeaveTheCoveringBoundTheLeast() {
    // As above with 1100 pages in stretches below 1024 pages (three of 500, 400 and 200): leaving
    // granule 0 out needs at least 1024 + 1100 = 2124 pages, more than covering it, 2053; so every
    // layout at 2053 pages covers both granules, with one TDMR (one run).
    long page = 4 * K;
    MemoryMap map = MemoryMap.ofBlocks("three sealed", List.of(new MemoryBlock(G - 1500 * page, G - 1300 * page, 0),
        new MemoryBlock(G - 1200 * page, G - 700 * page, 0), new MemoryBlock(G - 600 * page, G - 200 * page, 0),
        new MemoryBlock(G, 2 * G, 0)));
    for (boolean remoteFree : new boolean[] {false, true}) {
      ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, remoteFree);
      assertEquals(OptionalLong.of(2053), b.leastPamtPages());
      assertEquals(OptionalLong.of(1), b.leastTdmrs());
    }
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(2053 * 4096, referee.score().pamtBytes());
  }

  @Test
  void nearTheCoveringBoundTheTdmrSetsAreOnePerRunOrOneRunCutInTwo() {
    // Runs [1G, 3G) and [4G, 5G): B = (2 · 1026 + 1) + (1026 + 1) = 3080 pages, L = 1026, one rounded
    // level (1G, one page per TDMR of at most 256 GiB). Leaving a granule out costs its 262 144 pages.
    MemoryMap map = MemoryMap.ofBlocks("two runs", List.of(new MemoryBlock(G, 3 * G, 0), new MemoryBlock(4 * G, 5 * G, 0)));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    List<List<long[]>> perRun = List.of(List.of(new long[] {1, 3}, new long[] {4, 5}));
    // At B no page is left for a third TDMR's 1G level: one TDMR per run, however many are allowed.
    assertEquals(text(perRun), text(setsWithoutRoom(instance, 3080, 64).orElseThrow()));
    // One page more: padding with one TDMR per run, or [1G, 3G) cut at 2G (the 1G-level page of the
    // third TDMR) when a third is allowed; with one TDMR there is no layout.
    assertEquals(text(perRun), text(setsWithoutRoom(instance, 3081, 2).orElseThrow()));
    assertEquals(text(List.of(perRun.get(0), List.of(new long[] {1, 2}, new long[] {2, 3}, new long[] {4, 5}))),
        text(setsWithoutRoom(instance, 3081, 3).orElseThrow()));
    assertEquals(List.of(), setsWithoutRoom(instance, 3081, 1).orElseThrow());
    // Below B no layout. From B + 1026 on, P / L counts levels of 4 GiB for 3 GiB of memory
    // granules (a TDMR may cover the granule without memory at 3G): not the regime, unknown.
    assertEquals(List.of(), setsWithoutRoom(instance, 3079, 2).orElseThrow());
    assertEquals(java.util.Optional.empty(), setsWithoutRoom(instance, 3080 + 1026, 2));
  }

  /** The sets {@link TdmrSetsWithoutRoom} visits, when it visits all of them. */
  private static java.util.Optional<List<List<long[]>>> setsWithoutRoom(Instance instance, long pages, long tdmrs) {
    List<List<long[]>> sets = new java.util.ArrayList<>();
    boolean all = TdmrSetsWithoutRoom.visit(instance, pages, tdmrs, set -> sets.add(set.tdmrs()));
    return all ? java.util.Optional.of(sets) : java.util.Optional.empty();
  }

  /**
   * Node 0 of a generated two-socket host of 192 GiB per node (seed 7 of the sweep): memory [1M,
   * 0x6902a000) and 15 islands of 10 to 8 017 pages between holes up to 0x6e86e000, then [4G, 194G).
   * Runs [0, 2G) and [4G, 194G): B = 192 · 1026 + 2 = 196 994 pages. Granule 0 holds 261 888 pages,
   * more than B; leaving granule 1 out makes its islands below 1 024 pages (188, 810, 527, 120, 492,
   * 249, 364, 10, 17, 25: 2 802 pages) PAMT besides the 4K levels of 191 GiB: 195 584 + 2 802 = 198
   * 386 > B. So at B the TDMRs are [0, 2G) and [4G, 194G) unpadded, levels of 2 048, 4, 1, 194 560,
   * 380 and 1 pages. [0, 2G) holds 17 runs of holes ([0, 1M) and 16 in granule 1) against 16 areas,
   * so one island must be filled exactly, and none is a sum of those levels (the islands of fewer
   * than 2 048 pages would need sums of 4, 1, 380 and 1): no layout at B. At B + 1 two TDMRs are
   * those with a page of padding, whose sums below 2 048 reach at most 7 or 380 to 387 (no island
   * has those sizes): every layout at B + 1 has 3 TDMRs or more, and FilledStart builds one with 3.
   * With 3 TDMRs, [4G, 186G) and [186G, 194G) have 2M levels of 364 and 16 pages: with the 1G levels
   * (1 page each) they fill the islands of 364 and 17 pages, so [0, 2G) has 17 - 2 = 15 areas and
   * the others none; 15 is also the least AreaCountBound gives over the 191 sets of at most 3 TDMRs
   * there (TdmrSetsWithoutRoom: one per run padded by a page, [0, 2G) cut at 1G, or [4G, 194G) cut
   * at one of its 189 inner GiB boundaries), and FilledStart builds it (LeastAreaSets).
   */
  @Test
  void aRealisticNodeZeroIsAPageAboveTheCoveringBoundWithThreeTdmrs() throws Exception {
    MemoryMap map = tdmr.parse.MapReader.read(java.nio.file.Path.of("src/test/resources/family/realistic-192gib-node0-map.json"));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, Policy.DEFAULT);
    ModuleFamilyBounds b = new ModuleFamilyBounds(instance, true);
    assertEquals(OptionalLong.of(196_994), b.leastPamtPages());
    assertEquals(OptionalLong.of(2), b.leastTdmrs());
    FilledIslandsPamtBound filled = new FilledIslandsPamtBound(instance, true);
    assertEquals(196_995, filled.raise(196_994));
    assertEquals(3, filled.raiseTdmrs(196_995, 1));
    tdmr.tdx.Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), tdmr.check.LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.DEFAULT, built));
    assertEquals(196_995 * 4096L, built.pamtBytes());
    assertEquals(3, built.size());
    assertEquals(15, built.reservedAreaCount());
    assertEquals(15, new AreaCountBound(instance).leastAreas(196_995, 3));
    int[] sets = {0};
    assertTrue(TdmrSetsWithoutRoom.visit(instance, 196_995, 3, set -> ++sets[0] > 0));
    assertEquals(191, sets[0]);
  }

  /** The sets as text, sorted (the order of a listing or a visit is not part of its contract). */
  private static List<String> text(List<List<long[]>> sets) {
    return sets.stream().map(set -> set.stream().map(java.util.Arrays::toString).toList().toString()).sorted().toList();
  }

  /**
   * Memory stretches of a few to a thousand pages inside granule 0 (between holes, or reaching its
   * end and so touching granule 1's memory), beside a whole granule 1 and sometimes an island at
   * 3G, on one or two nodes: the bound is never above the referee's least PAMT.
   */
  @Property(tries = 20, seed = "20261204")
  void sealedStretchesNeverAboveTheExhaustiveSearch(@ForAll("stretchMaps") MemoryMap map) {
    for (Policy.PamtPlacementPolicy pamt : Policy.PamtPlacementPolicy.values()) {
      Policy p = new Policy(Policy.Holes.MEMLIST, pamt, Policy.Coverage.ALL, Policy.Family.MODULE);
      TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2);
      var referee = new ExhaustiveSearch(map, limits, p).best();
      if (referee.isEmpty()) {
        continue;
      }
      boolean remoteFree = pamt == Policy.PamtPlacementPolicy.NODE_LOCAL && referee.get().score().remotePamtBytes() == 0;
      OptionalLong least = new ModuleFamilyBounds(Instance.of(map, limits, p), remoteFree).leastPamtPages();
      Statistics.label("bound at the referee").collect(least.isPresent()
          && least.getAsLong() * 4096 == referee.get().score().pamtBytes());
      assertTrue(least.isEmpty() || least.getAsLong() * 4096 <= referee.get().score().pamtBytes(),
          map.blocks() + " " + p + ": " + least + " pages, referee " + referee.get().score());
    }
  }

  @Provide
  Arbitrary<MemoryMap> stretchMaps() {
    Arbitrary<Long> size = Arbitraries.of(1L, 2L, 3L, 5L, 500L, 1023L, 1024L, 1025L, 1100L);
    Arbitrary<Long> gap = Arbitraries.of(0L, 1L, 7L);
    Arbitrary<Boolean> toEnd = Arbitraries.of(false, true);
    Arbitrary<Long> island = Arbitraries.of(0L, 1L, 4L);
    Arbitrary<Integer> node = Arbitraries.integers().between(0, 1);
    return Combinators.combine(size, size, gap, toEnd, island, node).as((a, b, g, end, isl, n) -> {
      // Granule 0: [top - a - g - b, top - a - g) and [top - a, top), top = 1G when it reaches the
      // end (touching granule 1), else 1G - 100 pages.
      long top = end ? G : G - 100 * 4 * K;
      List<MemoryBlock> blocks = new ArrayList<>();
      long second = top - a * 4 * K;
      long first = second - (g + b) * 4 * K;
      blocks.add(new MemoryBlock(first, first + b * 4 * K, 0));
      blocks.add(new MemoryBlock(second, top, 0));
      blocks.add(new MemoryBlock(G, 2 * G, 0));
      if (isl > 0) {
        blocks.add(new MemoryBlock(3 * G, 3 * G + isl * 4 * K, n));
      }
      return MemoryMap.ofBlocks("stretches", blocks);
    });
  }

  @Test
  void aGranuleLeftOutBetweenTwoTdmrsNeedsTheirLevelsOnBothSidesOfItsHole() {
    // Granules 1 and 3 whole, granule 2 holds x pages from its start and y pages up to its end, a
    // hole between. Covering all: 3 · 1026 + 1 = 3079 pages. Leaving granule 2 out, the TDMRs [1G,
    // 2G) and [3G, 4G) have levels of 1024, 2 and 1 pages each, 2054 in all, and the x pages (open
    // below) and the y pages (open above) must each be covered by levels meeting them. With x = 1500
    // both 4K levels must go below (one with the finer levels has at most 1030), which leaves 6
    // pages for y = 500: no layout has 2054 pages, so the bound is 2055 (before, 2054). The referee's
    // optimum pads instead: one 4K level and all four finer levels (1030 pages) padded by 470 below,
    // the other 4K level above: 2054 + 470 pages.
    MemoryMap map = MemoryMap.ofBlocks("two chains", List.of(new MemoryBlock(G, 2 * G + 1500 * 4 * K, 0),
        new MemoryBlock(3 * G - 500 * 4 * K, 4 * G, 0)));
    for (boolean remoteFree : new boolean[] {false, true}) {
      assertEquals(OptionalLong.of(2055), bounds(map, TdxLimits.DEFAULT, remoteFree).leastPamtPages());
    }
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals((2054 + 470) * 4096, referee.score().pamtBytes());
  }

  /**
   * A middle granule with memory from its start and up to its end around a hole (and sometimes an
   * island sealed between two holes), between whole granules: the bound is never above the
   * referee's least PAMT, and is raised where no unpadded levels cover both sides.
   */
  @Property(tries = 25, seed = "20261205")
  void twoChainsNeverAboveTheExhaustiveSearch(@ForAll("middleGranuleMaps") MemoryMap map) {
    for (Policy.PamtPlacementPolicy pamt : Policy.PamtPlacementPolicy.values()) {
      Policy p = new Policy(Policy.Holes.MEMLIST, pamt, Policy.Coverage.ALL, Policy.Family.MODULE);
      for (int tdmrs = 2; tdmrs <= 3; tdmrs++) {
        TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(tdmrs);
        var referee = new ExhaustiveSearch(map, limits, p).best();
        if (referee.isEmpty()) {
          continue;
        }
        boolean remoteFree = pamt == Policy.PamtPlacementPolicy.NODE_LOCAL && referee.get().score().remotePamtBytes() == 0;
        OptionalLong least = new ModuleFamilyBounds(Instance.of(map, limits, p), remoteFree).leastPamtPages();
        Statistics.label("bound at the referee").collect(least.isPresent()
            && least.getAsLong() * 4096 == referee.get().score().pamtBytes());
        assertTrue(least.isEmpty() || least.getAsLong() * 4096 <= referee.get().score().pamtBytes(),
            map.blocks() + " " + p + " at " + tdmrs + " TDMRs: " + least + " pages, referee " + referee.get().score());
      }
    }
  }

  @Provide
  Arbitrary<MemoryMap> middleGranuleMaps() {
    Arbitrary<Long> side = Arbitraries.of(1L, 3L, 500L, 1024L, 1026L, 1027L, 1030L, 1500L, 2048L);
    Arbitrary<Long> island = Arbitraries.of(0L, 1L, 2L, 1024L);
    Arbitrary<Integer> node = Arbitraries.integers().between(0, 1);
    Arbitrary<Boolean> twoBelow = Arbitraries.of(false, true);
    return Combinators.combine(side, side, island, node, twoBelow).as((x, y, isl, n, two) -> {
      long base = two ? 2 * G : G;
      long g = base + G;
      List<MemoryBlock> blocks = new ArrayList<>();
      blocks.add(new MemoryBlock(G, g + x * 4 * K, 0));
      if (isl > 0) {
        long at = g + (x + 10) * 4 * K;
        blocks.add(new MemoryBlock(at, at + isl * 4 * K, 0));
      }
      blocks.add(new MemoryBlock(g + G - y * 4 * K, g + 2 * G, n));
      return MemoryMap.ofBlocks("middle granule", blocks);
    });
  }

  @Test
  void theMemmapHostsNodeOneCannotFillAGranuleLeftOutFromTwoTdmrs() throws Exception {
    // The sweep's memmap-14 (seed 7): node 1 is the run [258G, 514G), 256 GiB, its memory up to
    // 0x8070000000, with 11 holes; one TDMR over it has 1024 · 256 + 2 · 256 + 1 = 262 657 pages.
    // Leaving out one granule saves at most 1026 whole pages and, in the middle, no 1G-level page
    // (each part needs its own): 261 632 pages, with TDMRs of a and 255 - a GiB; then the memory of
    // the granule left out is all PAMT. Granule 513 (0.75 GiB) has 126 564 pages between the hole at
    // 0x8051159000 and the end of memory, sealed: 123 · 1024 + 510 + 1 pages at most, 101 short.
    // Granule 340 (a = 82): 115 571 pages below its hole (open below) and 142 287 above: the 4K
    // levels of 83 968 and 177 152 pages with the finer ones (512) cover one side only; granule 367
    // (a = 109): 218 021 and 34 581 pages, the 4K levels 111 616 and 149 504; granule 383 (a = 125):
    // 219 480 and 38 956, 128 000 and 133 120: one side needs both 4K levels. Every other granule
    // holds more than 261 632 pages of memory (its holes are below 512 pages). So at least 261 633,
    // what three TDMRs give (granule 367 left out, TDMRs [258G, 367G), [368G, 472G) and [472G, 514G):
    // 4K levels of 109 + 104 = 213 GiB, 218 112 pages, below the hole, 42 GiB, 43 008 pages, above).
    // Node 0: its low run [0, 2G) and [4G, 258G), 2 · 1026 + 1 + 254 · 1026 + 1 = 262 658 pages;
    // leaving out granule 1 (0x36755 pages from 1G, open below, and one page sealed at 0x777ff000)
    // the 4K level of the 254 GiB TDMR covers the first and a 1G level the page: 261 632.
    MemoryMap map;
    try (var in = ModuleFamilyBoundsTest.class.getResourceAsStream("/memmap/memmap-14-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-14", in.readAllBytes());
    }
    ModuleFamilyBounds b = new ModuleFamilyBounds(Instance.of(map, TdxLimits.DEFAULT, MODULE), true);
    assertEquals(java.util.Map.of(0, 261_632L, 1, 261_633L), b.leastPamtPagesPerNode());
    assertEquals(OptionalLong.of(261_632 + 261_633), b.leastPamtPages());
  }

  @Test
  void anIslandFilledOnlyByTdmrsThatNeedMoreOneGibLevelPagesCostsAPage() {
    // 1G entries of 2048 bytes: the 1G level is one page per started 2 GiB. [1G, 5G) needs 4 · 1026
    // + 2 = 4 106 pages; an island of 1 024 pages (4 MiB) at 6G costs 1 027 if covered. Left out, it
    // must be filled exactly: by the 4K level of a 1 GiB TDMR (the finer levels have at most 2 · 4 + 2
    // pages), so the 4 GiB split into TDMRs of 1 and 3 GiB, whose 1G levels have 1 + 2 pages, one
    // more than the 2 of the bound 4 106: at least 4 107, which [1G, 2G) + [2G, 5G) meets.
    TdxLimits limits = new TdxLimits(2, 16, 16, 16, 2048, false, 52);
    MemoryMap map = MemoryMap.ofBlocks("split", List.of(new MemoryBlock(G, 5 * G, 0),
        new MemoryBlock(6 * G, 6 * G + 4 * M, 0)));
    for (boolean remoteFree : new boolean[] {false, true}) {
      ModuleFamilyBounds b = bounds(map, limits, remoteFree);
      assertEquals(5133, b.leastCoveringPages());
      assertEquals(OptionalLong.of(4107), b.leastPamtPages());
    }
    var referee = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow();
    assertEquals(4107 * 4096, referee.score().pamtBytes());
    // One TDMR cannot have 4 107 pages: [1G, 5G) leaves the island to its levels of 4 096, 8 and 2
    // pages padded by at most 1 (4 106 + 1); any shorter TDMR leaves a whole granule out (262 144
    // pages of memory, more than all the PAMT). So at least 2 TDMRs, as the referee's optimum has.
    assertEquals(OptionalLong.of(2), bounds(map, limits, false).leastTdmrsAtLeastPamt());
    assertEquals(2, referee.score().tdmrs());
  }

  @Test
  void oneTdmrMayHoldTheLeastPamtWhenItsLevelsFillTheIslandLeftOut() {
    // [1G, 2G) and a 16 KiB island at 3G: at 1 028 pages the TDMR [1G, 2G) leaves the island to its
    // 2M level and its 1G level padded to 2 pages, so no second TDMR is needed (the referee has one).
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 16 * K, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, false);
    assertEquals(OptionalLong.empty(), b.leastTdmrsAtLeastPamt());
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(1028 * 4096, referee.score().pamtBytes());
    assertEquals(1, referee.score().tdmrs());
  }

  @Test
  void theReadmeTerabyteHostCannotFillItsLowRunWithoutPadding() throws Exception {
    // Runs of 2 GiB at 0 (489 216 pages of memory) and 1 022 GiB from 4 GiB: B = 2 053 + 1 022 ·
    // 1 026 + 4 = 1 050 629. Leaving out the low run and two more granules would save 4 · 1 026 + 1
    // pages (its 1G level too), but its memory is 477 · 1 024 + 768 pages: 4K levels of TDMRs of 476
    // or 477 GiB among the other 1 020 GiB, which then need 2 + 3 pages of 1G level, not 4. Leaving
    // out four single granules saves 4 · 1 026: 1 046 525 (ModuleFamilyBounds's class comment).
    ModuleFamilyBounds b = bounds(RealMaps.read(RealMaps.README_1TIB), TdxLimits.DEFAULT, true);
    assertEquals(1_050_629, b.leastCoveringPages());
    assertEquals(OptionalLong.of(1_046_525), b.leastPamtPages());
    // One TDMR is too few: one over both runs leaves out at most 1 046 525 pages (under 4 GiB) of the
    // 1 023.6 GiB of memory and covers [2G, 4G) too, so it has at least 1 022 GiB and 1 022 · 1 026 +
    // 4 = 1 048 576 pages of levels; one inside the high run leaves the low run's 489 216 pages to its
    // 2M and 1G levels (at most 2 044 pages: its 4K level is at least 1 018 GiB's, larger than the
    // low run). Starts: [0, 2G) and the high run without its top 4 GiB, 2 053 + 1 018 · 1 026 + 4 =
    // 1 046 525 pages of levels, its 4K level (1 042 432 pages) filling the 1 032 192 pages left out
    // at the top; the low end instead leaves 1 048 576 pages out, more than all the PAMT.
    assertEquals(OptionalLong.of(2), b.leastTdmrsAtLeastPamt());
    List<List<long[]>> starts = b.runEndCandidates(2);
    assertEquals(1, starts.size());
    assertEquals(List.of(List.of(0L, 2L), List.of(4L, 1022L)),
        starts.get(0).stream().map(t -> List.of(t[0], t[1])).toList());
  }

  @Test
  void tdx331HasALayoutAtItsBound() throws Exception {
    // CMRs [1M, 0x77800000), [4G, 448G - 32M), [512G, 960G), [1T, 1T + 2G): B = 2 053 + 444 · 1 026 +
    // 2 + 448 · 1 026 + 2 + 2 053 = 919 302. Leaving out the top run (2 GiB) and [1G, 2G) saves 3 ·
    // 1 026 + 1: 916 223, and that is reached (the search had stopped at 916 224): TDMRs [0, 1G),
    // [4G, 260G), [260G, 448G), [512G, 768G), [768G, 960G); the 4K levels of the two 256 GiB TDMRs
    // (1 GiB each) fill the top run exactly, the 4K levels of 192 and 188 GiB (768 and 752 MiB) fill
    // [1G, 0x77800000) and reach down into [0, 1G), reserved there with the other levels below them.
    MemoryMap map = RealMaps.read(RealMaps.SEAMCALL_331);
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(919_302, b.leastCoveringPages());
    assertEquals(OptionalLong.of(916_223), b.leastPamtPages());
    long top = 0x77800000L;
    long e192 = top - 192 * 4 * M;
    long c188 = e192 - 188 * 4 * M;
    long[][] tdmrs = {{0, 1}, {4, 260}, {260, 448}, {512, 768}, {768, 960}};
    long[] fourKBase = {-1, 1024 * G, c188, 1025 * G, e192};
    long below = c188;
    List<tdmr.tdx.Tdmr> out = new ArrayList<>();
    for (int i = 0; i < tdmrs.length; i++) {
      long giB = tdmrs[i][1] - tdmrs[i][0];
      long fourKBytes = giB * 4 * M;
      long fourKAt = fourKBase[i];
      if (fourKAt < 0) {
        below -= fourKBytes;
        fourKAt = below;
      }
      below -= giB * 8 * K;
      long twoMAt = below;
      below -= (giB + 255) / 256 * 4 * K;
      long oneGAt = below;
      out.add(new tdmr.tdx.Tdmr(tdmrs[i][0] * G, giB * G, new tdmr.tdx.Pamt(new tdmr.tdx.PamtRange(fourKAt, fourKBytes),
          new tdmr.tdx.PamtRange(twoMAt, giB * 8 * K), new tdmr.tdx.PamtRange(oneGAt, (giB + 255) / 256 * 4 * K)),
          List.of()));
    }
    // Reserved: in [0, 1G) the hole below 1M and everything from the lowest level up; the hole at
    // the top of [260G, 448G).
    out.set(0, withReserved(out.get(0), List.of(new tdmr.tdx.ReservedArea(0, M), new tdmr.tdx.ReservedArea(below, G - below))));
    out.set(2, withReserved(out.get(2), List.of(new tdmr.tdx.ReservedArea(188 * G - 32 * M, 32 * M))));
    tdmr.tdx.Layout layout = new tdmr.tdx.Layout(out);
    assertEquals(List.of(), tdmr.check.LayoutVerifier.failures(map, TdxLimits.DEFAULT, MODULE, layout));
    assertEquals(916_223L * 4096, layout.pamtBytes());
  }

  private static tdmr.tdx.Tdmr withReserved(tdmr.tdx.Tdmr t, List<tdmr.tdx.ReservedArea> areas) {
    return new tdmr.tdx.Tdmr(t.base(), t.size(), t.pamt(), areas);
  }

  @Test
  void withoutRemotePamtNoGranuleOfALargeTwoNodeHostIsWorthLeavingOut() {
    // 150 GiB on each of two nodes: a TDMR per node needs 150 · 1024 + 150 · 2 + 1 = 153 901 pages,
    // 307 802 in all. Any node's single TDMR meets that. Without the remote tier a 300 GiB layout
    // might leave a full granule (262 144 pages) out of every TDMR, filled by 1 026 pages less PAMT.
    // Without remote PAMT the filling PAMT must lie on the granule's node, whose TDMRs need only
    // 153 901 pages: leaving a granule out costs more than it saves.
    MemoryMap map = MemoryMap.ofBlocks("two nodes", List.of(new MemoryBlock(G, 151 * G, 0),
        new MemoryBlock(151 * G, 301 * G, 1)));
    ModuleFamilyBounds free = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(307_802, free.leastCoveringPages());
    assertEquals(OptionalLong.of(307_802), free.leastPamtPages());
    assertEquals(OptionalLong.of(2), free.leastTdmrs());
    ModuleFamilyBounds any = bounds(map, TdxLimits.DEFAULT, false);
    // One run of 300 GiB: 300 · 1026 + 2 pages. A granule left out saves its 1026 whole pages but
    // no page of 1G level (two parts need a page each, a part of 299 GiB two): max(307 802 - 1 026,
    // 262 144).
    assertEquals(OptionalLong.of(307_802 - 1026), any.leastPamtPages());
    assertEquals(OptionalLong.empty(), any.leastTdmrs());
  }

  @Test
  void leavingGranulesOutSavesTheirWholePagesButNoOneGibLevelPageOfALongRun() {
    // One node, 1000 GiB from 1G: one TDMR needs 1000 · 1026 + ceil(1000 · 16 / 4096) = 1 026 004
    // pages. Leaving l full granules out saves l · 1026 whole pages; the 1G level of the 1000 - l
    // granules left is still 4 pages (l < 24), so nothing more; the l granules need l · 262 144 pages
    // of PAMT to fill them. Best: l = 3, max(1 026 004 - 3078, 786 432) = 1 022 926 (l = 4 needs
    // 1 048 576). The coarse 1027 pages per granule would give 3 pages less.
    MemoryMap map = MemoryMap.ofBlocks("long", List.of(new MemoryBlock(G, 1001 * G, 0)));
    ModuleFamilyBounds b = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(1_026_004, b.leastCoveringPages());
    assertEquals(OptionalLong.of(1_022_926), b.leastPamtPages());
    assertEquals(OptionalLong.empty(), b.leastTdmrs());
  }

  @Test
  void perNodeALeftOutGranuleIsFilledFromItsOwnNode() {
    // Node 0: [1G, 2G), 1027 pages; node 1: a 4 KiB island at 3G. Left out, the island needs one
    // page of PAMT on node 1, which node 0's TDMR cannot give without remote PAMT: at least 1027 +
    // 1 pages (the optimum, a second TDMR or one without memory, is 2 · 1027: ExhaustiveSearch).
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 4 * K, 1)));
    ModuleFamilyBounds free = bounds(map, TdxLimits.DEFAULT, true);
    assertEquals(OptionalLong.of(1028), free.leastPamtPages());
    var referee = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best().orElseThrow();
    assertEquals(0, referee.score().remotePamtBytes());
    assertEquals(2 * 1027 * 4096, referee.score().pamtBytes());
  }

  @Test
  void perNodeNeverAboveTheExhaustiveSearchWithOneNodePerGranule() {
    // Granules [1G, 2G) and [2G, 3G) on nodes a and b, a 4 KiB or 8 KiB island at 3G on node c: every
    // granule on one node, so without remote PAMT the per-node bound applies.
    for (int a = 0; a <= 1; a++) {
      for (int c = 0; c <= 1; c++) {
        for (long island : new long[] {4 * K, 8 * K}) {
          MemoryMap map = MemoryMap.ofBlocks("nodes", List.of(new MemoryBlock(G + 4 * K, 2 * G, a),
              new MemoryBlock(2 * G, 3 * G, 1), new MemoryBlock(3 * G, 3 * G + island, c)));
          for (int tdmrs = 2; tdmrs <= 3; tdmrs++) {
            TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(tdmrs).withMaxReservedPerTdmr(1);
            var referee = new ExhaustiveSearch(map, limits, MODULE).best();
            if (referee.isEmpty() || referee.get().score().remotePamtBytes() != 0) {
              continue;
            }
            long least = new ModuleFamilyBounds(Instance.of(map, limits, MODULE), true).leastPamtPages().orElseThrow();
            assertTrue(least * 4096 <= referee.get().score().pamtBytes(),
                map.blocks() + " at " + tdmrs + " TDMRs: " + least + " pages, referee " + referee.get().score());
          }
        }
      }
    }
  }

  @Test
  void tdx135NeedsOneTdmrOfTwoGib() throws Exception {
    // All memory lies in [1M, 0x6f800000): the granules [0, 1G) and [1G, 2G), both on node 0:
    // 8 MiB + 16 KiB + 4 KiB = 8 409 088 bytes, the module family's optimum (ModuleFamilyClaimsTest).
    ModuleFamilyBounds b = bounds(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, true);
    assertEquals(OptionalLong.of(8_409_088 / 4096), b.leastPamtPages());
    assertEquals(OptionalLong.of(1), b.leastTdmrs());
  }

  @Test
  void neverAboveTheExhaustiveSearchOnIslandMaps() {
    long base = 256 * M;
    List<MemoryBlock> blocks = new ArrayList<>(List.of(new MemoryBlock(M, base, 0)));
    for (int i = 0; i < 4; i++) {
      long s = base + 4 * K + 8 * K * i;
      blocks.add(new MemoryBlock(s, s + 4 * K, i % 2));
    }
    blocks.add(new MemoryBlock(base + 40 * K, G, 1));
    blocks.add(new MemoryBlock(G + 64 * K, 2 * G, 1));
    MemoryMap map = MemoryMap.ofBlocks("islands", blocks);
    for (int areas = 1; areas <= 4; areas++) {
      TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(areas);
      for (Policy.PamtPlacementPolicy pamt : Policy.PamtPlacementPolicy.values()) {
        Policy p = new Policy(Policy.Holes.MEMLIST, pamt, Policy.Coverage.ALL, Policy.Family.MODULE);
        var referee = new ExhaustiveSearch(map, limits, p).best();
        if (referee.isEmpty()) {
          continue;
        }
        boolean remoteFree = pamt == Policy.PamtPlacementPolicy.NODE_LOCAL && referee.get().score().remotePamtBytes() == 0;
        long least = new ModuleFamilyBounds(Instance.of(map, limits, p), remoteFree).leastPamtPages().orElseThrow();
        assertTrue(least * 4096 <= referee.get().score().pamtBytes(), p + " at " + areas + ": " + least + " pages");
      }
    }
  }

  /** The PLAIN cell holding {@code address}. */
  private static Instance.Cell cellAt(Instance instance, long address) {
    return instance.cells().stream().filter(c -> c.range().contains(address)).findFirst().orElseThrow();
  }

  /** Whether one of {@code tdmrs} lies wholly inside {@code run} without reaching its ends. */
  private static boolean oneInside(List<AddressRange> tdmrs, AddressRange run) {
    return tdmrs.stream().anyMatch(t -> t.start() > run.start() && t.end() < run.end());
  }

  @Test
  void aTdmrInsideARunPutsThreeTdmrsOverIt() {
    // One block [1G, 5G): one TDMR, 4 · 1026 + 1 = 4105 pages. A TDMR wholly inside [1G, 5G) without
    // reaching its ends ([2G, 3G), [2G, 4G) or [3G, 4G)) leaves a granule on each side that another
    // TDMR must cover (leaving one out would need its 262 144 pages of PAMT): three TDMRs over
    // 4 GiB, 4 · 1026 + 3 = 4107 pages.
    MemoryMap map = MemoryMap.ofBlocks("four", List.of(new MemoryBlock(G, 5 * G, 0)));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = new ModuleFamilyBounds(instance, true);
    assertEquals(OptionalLong.of(4105), b.leastPamtPages());
    assertEquals(OptionalLong.of(4107), b.leastPamtPagesWithInnerTdmr(cellAt(instance, G)));
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    var referee = new ExhaustiveSearch(map, three, MODULE).onlyTdmrs(t -> oneInside(t, new AddressRange(G, 5 * G))).best();
    assertEquals(4107 * 4096, referee.orElseThrow().score().pamtBytes());
  }

  /**
   * Islands of one page at 1G + 4K, 1G + 12K and 1G + 20K, a block from 2G to 3078 pages past 5G,
   * no reserved area. No TDMR may hold a gap or PAMT (either needs an area), so the islands and the
   * block's tail past 5G lie outside every TDMR, filled exactly by levels: each island by a one-page
   * level, which only the 1G level of a TDMR of at most 256 GiB is, so three TDMRs over [2G, 5G),
   * the only three being [2G, 3G), [3G, 4G) and [4G, 5G), whose other levels (3 · 1024 + 3 · 2 =
   * 3078 pages) fill the tail. The one layout has a TDMR inside the run [2G, 5G): 3 · 1027 = 3081
   * pages, and the bound says so too (B = 5 · 1026 + 1 for the run of 5 GiB from 1G; leaving out the
   * islands' granule and the tail's, 3 + 3078 pages, is the least; three TDMRs over the run add 2
   * pages to B, which leaving out two granules more than makes up for).
   */
  @Test
  void theOnlyLayoutMayHaveATdmrInsideARun() {
    MemoryMap map = MemoryMap.ofBlocks("inner", List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(G + 20 * K, G + 24 * K, 0),
        new MemoryBlock(2 * G, 5 * G + 3078 * 4 * K, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(0);
    Instance instance = Instance.of(map, limits, MODULE);
    ModuleFamilyBounds b = new ModuleFamilyBounds(instance, false);
    assertEquals(OptionalLong.of(3081), b.leastPamtPages());
    assertEquals(OptionalLong.of(3081), b.leastPamtPagesWithInnerTdmr(cellAt(instance, 2 * G)));
    var referee = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow();
    assertEquals(3081 * 4096, referee.score().pamtBytes());
    assertEquals(List.of(new AddressRange(2 * G, 3 * G), new AddressRange(3 * G, 4 * G), new AddressRange(4 * G, 5 * G)),
        referee.layout().tdmrs().stream().map(t -> t.range()).toList());
  }

  @Test
  void innerTdmrBoundNeverAboveTheExhaustiveSearch() {
    // Islands of 1 or 2 pages above 1G on nodes a and b, then a run [2G, 5G) of node c ending 0, 1 or
    // 2051 pages past 5G: the best layout with a TDMR inside [2G, 5G) has at least the bound.
    AddressRange run = new AddressRange(2 * G, 5 * G);
    int checked = 0;
    for (long tail : new long[] {0, 1, 2051}) {
      for (int island = 1; island <= 2; island++) {
        for (int nodes = 0; nodes < 4; nodes++) {
          MemoryMap map = MemoryMap.ofBlocks("inner", List.of(new MemoryBlock(G + 4 * K, G + (4 + 4 * island) * K, nodes & 1),
              new MemoryBlock(G + 64 * K, G + 68 * K, nodes >> 1), new MemoryBlock(2 * G, 5 * G + tail * 4 * K, 0)));
          for (int areas = 0; areas <= 2; areas++) {
            TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(areas);
            for (Policy.PamtPlacementPolicy pamt : Policy.PamtPlacementPolicy.values()) {
              Policy p = new Policy(Policy.Holes.MEMLIST, pamt, Policy.Coverage.ALL, Policy.Family.MODULE);
              var referee = new ExhaustiveSearch(map, limits, p).onlyTdmrs(t -> oneInside(t, run)).best();
              if (referee.isEmpty()) {
                continue;
              }
              boolean remoteFree = pamt == Policy.PamtPlacementPolicy.NODE_LOCAL && referee.get().score().remotePamtBytes() == 0;
              Instance instance = Instance.of(map, limits, p);
              long least = new ModuleFamilyBounds(instance, remoteFree).leastPamtPagesWithInnerTdmr(cellAt(instance, 2 * G))
                  .orElseThrow();
              assertTrue(least * 4096 <= referee.get().score().pamtBytes(),
                  map.blocks() + " " + p + " at " + areas + ": " + least + " pages, referee " + referee.get().score());
              checked++;
            }
          }
        }
      }
    }
    assertTrue(checked > 20, "too few maps have a layout with a TDMR inside the run: " + checked);
  }
}
