package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FilledStart} where the TDMRs of one per run of granules lend too few levels to fill the
 * islands a fragmented granule needs, and 1 GiB TDMRs peeled off its neighbour lend more. Hand-derived,
 * the least PAMT confirmed by the exhaustive search.
 */
class FilledStartTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy ANY = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  /**
   * {@code [1G, 4G)}, one CMR: 16 MiB of memory, then five 4 KiB holes around four islands of 2
   * pages, then memory to 4 GiB. Under 1 area per TDMR a TDMR over {@code [1G, 2G)} holds 5 runs and
   * must fill all 4 islands, each with levels of 2 pages in all (1 to 2 levels, a level lies in one
   * island).
   */
  private static MemoryMap fourIslandsOfTwoPages() {
    List<MemoryBlock> blocks = new ArrayList<>();
    long a = G + 16 * M;
    blocks.add(new MemoryBlock(G, a, 0));
    for (int i = 0; i < 4; i++) {
      a += 4 * K;
      blocks.add(new MemoryBlock(a, a + 8 * K, 0));
      a += 8 * K;
    }
    blocks.add(new MemoryBlock(a + 4 * K, 4 * G, 0));
    return MemoryMap.of("four islands", blocks, List.of(new AddressRange(G, 4 * G)));
  }

  /**
   * One TDMR over the run {@code [1G, 4G)} has levels of 3072, 6 and 1 pages: only the 1G level fits
   * an island. Cut at the fragmented granule, {@code [1G, 2G)} and {@code [2G, 4G)} have 1024, 2, 1
   * and 2048, 4, 1: the 2M level of 2 pages fills one island, the two 1G levels another, and the
   * rest fit none (3 fills at most, padding a 1G level). With {@code [2G, 3G)} peeled off, three 1 GiB
   * TDMRs have three 2M levels of 2 pages and three 1G levels of 1: {2}, {2}, {2} and {1, 1} fill
   * all four exactly, at the least levels of three 1 GiB TDMRs, 3 · 1027 = 3081 pages, the least
   * PAMT of any layout within 3 TDMRs (2 TDMRs fill at most 3 islands, as above).
   */
  @Test
  void peelingAGibLendsTheLevelsTheIslandsNeed() {
    MemoryMap map = fourIslandsOfTwoPages();
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(1);
    Layout layout = new FilledStart(Instance.of(map, limits, ANY)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, ANY, layout));
    assertEquals(3081 * 4096L, layout.pamtBytes());
    assertEquals(3, layout.size());
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, ANY).best().orElseThrow();
    assertEquals(3081 * 4096L, best.score().pamtBytes());
    assertEquals(3, best.score().tdmrs());
  }

  /**
   * The TDMRs tier at that PAMT ({@link FilledIslandsPamtBound#raiseTdmrs}), 4 TDMRs allowed: every
   * set of at most 2 TDMRs at 3081 pages has at most 1 page of padding (the least levels of two
   * TDMRs over the 3 GiB are 3080 pages; a granule left out would cost its memory, a TDMR without
   * memory 1027 pages more), and their levels below 1024 pages are 2, 1, 4, 1 (or 4, 1, 2, 1, or
   * 6, 1 for one TDMR): {2} and {1, 1} fill two islands exactly, a third would need the 1-page
   * level padded by 1 with no 1-page level left, so at most 2 of the 4 islands: ruled out. From 1
   * the bound rises to 3, which the layout above has.
   */
  @Test
  void theTdmrBoundAtThatPamtIsThree() {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(4).withMaxReservedPerTdmr(1);
    Instance instance = Instance.of(fourIslandsOfTwoPages(), limits, ANY);
    assertEquals(3, new FilledIslandsPamtBound(instance, false).raiseTdmrs(3081, 1));
    assertEquals(3, new FilledIslandsPamtBound(instance, false).raiseTdmrs(3081, 3));
  }
  /**
   * One block {@code [1G, 516G)} (515 GiB, one CMR). One TDMR over it needs 515 · 1024 + 1030 + 3 =
   * 528 393 pages; with the top granule left out (the 514 GiB TDMR's 4K level of 526 336 pages
   * placed against the memory's end fills it and reaches back into the TDMR) 527 367. With the top
   * two left out, the 513 GiB TDMR's 4K level of 525 312 pages still covers their 524 288 pages
   * from the memory's end down to 16 MiB below 514 GiB, inside the TDMR, which reserves it: 525 312
   * + 1 026 + 3 = 526 341 pages (the 1G level: 513 · 16 bytes, 3 pages). Three granules would need
   * 786 432 pages, more than the 512 GiB TDMR's 524 288. Left out at the bottom, the levels left (2M
   * and 1G) stack against the chain's end inside {@code [3G, 516G)}: one reserved area (at the top,
   * the chain's part and the levels stacked at the start of memory are two).
   */
  @Test
  void granulesAtARunsEndAreFilledByItsOwnFourKLevel() {
    MemoryMap map = MemoryMap.of("515 GiB", List.of(new MemoryBlock(G, 516 * G, 0)), List.of(new AddressRange(G, 516 * G)));
    TdxLimits limits = TdxLimits.DEFAULT;
    Layout layout = new FilledStart(Instance.of(map, limits, ANY)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, ANY, layout));
    assertEquals(526_341 * 4096L, layout.pamtBytes());
    assertEquals(List.of(new AddressRange(3 * G, 516 * G)), layout.tdmrs().stream().map(t -> t.range()).toList());
    assertEquals(1, layout.reservedAreaCount());
  }
  /**
   * {@code [1G, 37G)}, one CMR: 16 MiB of memory, then six 4 KiB holes around islands of 10, 12, 14,
   * 16 and 18 pages, then memory to 37 GiB. Under 1 area per TDMR, {@code [1G, 2G)} holds 6 runs and
   * must fill all 5 islands. The run {@code [2G, 37G)} of 35 GiB cut into pieces of 5, 6, 7, 8 and 9
   * GiB has 2M levels of 10, 12, 14, 16 and 18 pages, one per island, exactly: 1 027 pages for
   * {@code [1G, 2G)} and 1 024 + 2 per GiB and 1 per piece, 1 027 + 35 · 1 026 + 5 = 36 942. Fewer
   * pieces leave an island of 10 pages or more to levels of 1 and 2 pages (six 1G levels at most
   * and the 2 of {@code [1G, 2G)}: 8 pages), or to a padded level (9 pages or more for 1 piece less).
   */
  @Test
  void theRunCutIntoPiecesWhose2mLevelsFillTheIslands() {
    List<MemoryBlock> blocks = new ArrayList<>();
    long a = G + 16 * M;
    blocks.add(new MemoryBlock(G, a, 0));
    for (int pages = 10; pages <= 18; pages += 2) {
      a += 4 * K;
      blocks.add(new MemoryBlock(a, a + pages * 4 * K, 0));
      a += pages * 4 * K;
    }
    blocks.add(new MemoryBlock(a + 4 * K, 37 * G, 0));
    MemoryMap map = MemoryMap.of("five islands", blocks, List.of(new AddressRange(G, 37 * G)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1);
    Layout layout = new FilledStart(Instance.of(map, limits, ANY)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, ANY, layout));
    assertEquals(36_942 * 4096L, layout.pamtBytes());
    assertEquals(List.of(1L, 5L, 6L, 7L, 8L, 9L), layout.tdmrs().stream().map(t -> t.range().size() / G).sorted().toList());
  }
}
