package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/** greedy-merge (Intel's 2021 construction) on maps whose TDMRs were worked out by hand from its rules. */
class GreedyMergeTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final GreedyMerge MERGE = new GreedyMerge(Policy.Holes.MEMLIST);

  private static GreedyResult.Built built(MemoryMap map, TdxLimits limits) {
    GreedyResult r = MERGE.construct(map, limits);
    var b = assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
    LayoutVerifier.requireValid(map, limits, Policy.KERNEL, b.layout());
    return b;
  }

  private static List<AddressRange> ranges(GreedyResult.Built b) {
    return b.layout().tdmrs().stream().map(Tdmr::range).toList();
  }

  /** One node, one range of 8 GiB, 64 TDMRs offered: the range is cut into 8 TDMRs of 1 GiB (8 x 4108 KiB). */
  @Test
  void everyTdmrTheModuleOffersIsSpreadOverTheRanges() {
    var b = built(MemoryMap.ofBlocks("one", List.of(new MemoryBlock(MiB, 8 * GiB, 0))), TdxLimits.DEFAULT);
    assertEquals(8, b.layout().size());
    assertEquals(new AddressRange(7 * GiB, 8 * GiB), b.layout().tdmrs().get(7).range());
    assertEquals(8 * 4108 * KiB, b.pamtBytes());
  }

  /**
   * Two TDMRs for three ranges of one node, none touching: the highest pair, [2G, 3G) and [10G,
   * 11G), is merged over the 7 GiB between them (with the original's warning); 2 TDMRs are then
   * spread as one per range (1 GiB x 2 / 10 GiB rounds to 0, so 1; then 9 x 1 / 9 = 1). PAMT: 4108
   * KiB + 9 x 4104 + 4 KiB.
   */
  @Test
  void tooManyRangesAreMergedFromTheTopOverTheGapsBetweenThem() {
    MemoryMap map = MemoryMap.ofBlocks("three", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(10 * GiB, 11 * GiB, 0)));
    var b = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(2 * GiB, 11 * GiB)), ranges(b));
    assertEquals((4108 + 9 * 4104 + 4) * KiB, b.pamtBytes());
    assertEquals("Merge TDMR ranges with hole: [0x80000000, 0xc0000000], [0x280000000, 0x2c0000000] -> "
        + "[0x80000000, 0x2c0000000].  PAMT may be wasted for the hole.", b.messages().get(0));
  }

  /**
   * Node 1 starts in the granule [1G, 2G) that node 0's range already covers, so its range starts a
   * GiB higher: [0, 2G) on node 0, [2G, 3G) on node 1; 64 TDMRs spread as 2 + 1.
   */
  @Test
  void aNodeWhoseFirstGranuleIsTakenStartsOneGibHigher() {
    MemoryMap map = MemoryMap.ofBlocks("two-nodes", List.of(
        new MemoryBlock(MiB, GiB + 512 * MiB, 0), new MemoryBlock(GiB + 512 * MiB, 3 * GiB, 1)));
    var b = built(map, TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB), new AddressRange(2 * GiB, 3 * GiB)),
        ranges(b));
  }

  /**
   * canonical/tdx#135: one range [0, 2G) spread as two TDMRs of 1 GiB; both pick the block [1M,
   * 0x5d169000) (its part is the largest in each), so one pool of 8216 KiB holds both chunks, at
   * 1 MiB as mainline's allocator places it: [0, 1G) has the hole [0, 1M) and the pool (2 areas),
   * [1G, 2G) its 16 holes.
   */
  @Test
  void canonicalTdx135SucceedsBecauseTheRangeIsSpreadOverTwoTdmrs() throws InputException {
    var b = built(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)), ranges(b));
    assertEquals(List.of(2, 16), b.layout().tdmrs().stream().map(Tdmr::reservedCount).toList());
    assertEquals(MiB, b.layout().tdmrs().get(0).pamt().fourK().base());
    assertEquals(MiB + 4108 * KiB, b.layout().tdmrs().get(1).pamt().fourK().base());
  }

  /**
   * A granule of 17 holes fails as mainline does, in the kernel's words: 16 blocks of 1 MiB at
   * [1M + 2k M, 2M + 2k M) and one block [33M, 1G) that holds the pool; the holes are [0, 1M) and
   * the 16 gaps of 1 MiB after the small blocks, and the pool in the last block takes an 18th area.
   */
  @Test
  void reservedAreasExhaustedIsTheKernelsFailure() {
    List<MemoryBlock> blocks = new java.util.ArrayList<>();
    for (int k = 0; k < 16; k++) {
      blocks.add(new MemoryBlock(MiB + k * 2 * MiB, 2 * MiB + k * 2 * MiB, 0));
    }
    blocks.add(new MemoryBlock(33 * MiB, GiB, 0));
    var f = assertInstanceOf(GreedyResult.Failed.class, MERGE.construct(MemoryMap.ofBlocks("holes", blocks), TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, f.cause());
    assertTrue(f.messages().contains("initialization failed: TDMR [0x0, 0x40000000): reserved areas exhausted."));
  }

  private static GreedyResult.Failed failed(MemoryMap map, TdxLimits limits) {
    GreedyResult r = MERGE.construct(map, limits);
    return assertInstanceOf(GreedyResult.Failed.class, r, () -> String.join("\n", r.messages()));
  }

  /**
   * Three TDMRs for ranges of 10, 1 and 1 GiB: 10 x 3 / 12 rounds down to 2 TDMRs for the first
   * ([0, 5G), [5G, 10G)); then 1 x 1 / 2 rounds to 0, raised to 1, for [11G, 12G); no TDMR is left
   * for [13G, 14G), which still gets its one: 4 TDMRs, more than the module's 3. The failure keeps
   * the 3 that fit and names the fourth.
   */
  @Test
  void distributingMoreTdmrsThanAllowedFailsWithTdmrsExhausted() {
    MemoryMap map = MemoryMap.ofBlocks("uneven", List.of(
        new MemoryBlock(MiB, 10 * GiB, 0), new MemoryBlock(11 * GiB, 12 * GiB, 0), new MemoryBlock(13 * GiB, 14 * GiB, 0)));
    var f = failed(map, TdxLimits.DEFAULT.withMaxTdmrs(3));
    assertEquals(GreedyResult.Cause.TDMRS_EXHAUSTED, f.cause());
    assertEquals(java.util.Optional.of(new AddressRange(13 * GiB, 14 * GiB)), f.offendingRange());
    assertEquals(List.of(new AddressRange(0, 5 * GiB), new AddressRange(5 * GiB, 10 * GiB), new AddressRange(11 * GiB, 12 * GiB)),
        f.tdmrs().stream().map(GreedyTdmr::range).toList());
    assertEquals(List.of("initialization failed: TDMRs exhausted.", "module initialization failed (-28)"), f.messages());
  }

  /**
   * Two TDMRs over one range of 7 GiB: 3 GiB each and the remainder to the first, [0, 4G) and
   * [4G, 7G). Both pick the one block, so one pool of 16420 + 12316 KiB holds both chunks, at 4G
   * (node 0's NORMAL zone, memory from 4 GiB, comes first in the zonelist): TDMR 0 reserves [0, 1M),
   * TDMR 1 the pool (the hole above 7G starts at its end).
   */
  @Test
  void aRangeThatDoesNotDivideGivesTheFirstTdmrsAGibMore() {
    var b = built(MemoryMap.ofBlocks("seven", List.of(new MemoryBlock(MiB, 7 * GiB, 0))), TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 4 * GiB), new AddressRange(4 * GiB, 7 * GiB)), ranges(b));
    assertEquals(List.of(4 * GiB, 4 * GiB + 16420 * KiB), b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertEquals(List.of(1, 1), b.layout().tdmrs().stream().map(Tdmr::reservedCount).toList());
  }

  /**
   * A block of node 0 that starts in the granule where the last range ends ([1G+4K, 2G) after
   * [1M, 1G)) shares no granule with it, so it opens a range of its own: ranges of 1, 1 and 7 GiB
   * ([3G, 10G)) for three TDMRs, one each (1 x 3 / 9 and 1 x 2 / 8 round to 0, raised to 1; then
   * 7 x 1 / 7 = 1).
   */
  @Test
  void aBlockThatOnlyTouchesTheLastRangeOpensANewOne() {
    var b = built(MemoryMap.ofBlocks("touching", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB + 4 * KiB, 2 * GiB, 0), new MemoryBlock(3 * GiB, 10 * GiB, 0))),
        TdxLimits.DEFAULT.withMaxTdmrs(3));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB), new AddressRange(3 * GiB, 10 * GiB)), ranges(b));
  }

  /**
   * Node 1's block [1G+512M, 2G) lies in the granule node 0's range [0, 2G) already covers, and ends
   * there: it opens no range. The ranges are [0, 2G) and [3G, 4G), spread over 64 TDMRs as 2 + 1.
   */
  @Test
  void anotherNodesBlockInsideACoveredGranuleOpensNoRange() {
    var b = built(MemoryMap.ofBlocks("inside", List.of(
        new MemoryBlock(MiB, GiB + 512 * MiB, 0), new MemoryBlock(GiB + 512 * MiB, 2 * GiB, 1), new MemoryBlock(3 * GiB, 4 * GiB, 0))),
        TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB), new AddressRange(3 * GiB, 4 * GiB)), ranges(b));
  }

  /**
   * Ranges [0, 1G) and [2G, 3G) on node 0, [3G, 4G) and [6G, 7G) on node 1. Three TDMRs: node 0
   * first; it has no touching pair, so its pair across [1G, 2G) is merged: [0, 3G), [3G, 4G), [6G,
   * 7G), one TDMR each. Two TDMRs: node 0 cannot merge more (its next neighbour is node 1's); node
   * 1's pair across [4G, 6G) is merged: [0, 3G), [3G, 7G). One TDMR: then across nodes, the touching
   * pair at 3G, without a warning: [0, 7G).
   */
  @Test
  void rangesAreMergedNodeByNodeThenAcrossNodes() {
    MemoryMap map = MemoryMap.ofBlocks("nodes", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0),
        new MemoryBlock(3 * GiB, 4 * GiB, 1), new MemoryBlock(6 * GiB, 7 * GiB, 1)));
    String firstMerge = "Merge TDMR ranges with hole: [0x0, 0x40000000], [0x80000000, 0xc0000000] -> [0x0, 0xc0000000]."
        + "  PAMT may be wasted for the hole.";
    String secondMerge = "Merge TDMR ranges with hole: [0xc0000000, 0x100000000], [0x180000000, 0x1c0000000] -> "
        + "[0xc0000000, 0x1c0000000].  PAMT may be wasted for the hole.";
    var three = built(map, TdxLimits.DEFAULT.withMaxTdmrs(3));
    assertEquals(List.of(new AddressRange(0, 3 * GiB), new AddressRange(3 * GiB, 4 * GiB), new AddressRange(6 * GiB, 7 * GiB)),
        ranges(three));
    assertEquals(List.of(firstMerge), three.constructionMessages());
    var two = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 3 * GiB), new AddressRange(3 * GiB, 7 * GiB)), ranges(two));
    assertEquals(List.of(firstMerge, secondMerge), two.constructionMessages());
    var one = built(map, TdxLimits.DEFAULT.withMaxTdmrs(1));
    assertEquals(List.of(new AddressRange(0, 7 * GiB)), ranges(one));
    assertEquals(List.of(firstMerge, secondMerge), one.constructionMessages());
  }

  /**
   * Node 0 has a touching pair and a pair across a gap: [0, 1G) and [1G, 2G) (blocks [1M, 1G) and
   * [1G+4K, 2G) share no granule), and [4G, 5G). Two TDMRs: the touching pair goes first even though
   * it is the lower one: [0, 2G), [4G, 5G), without a warning.
   */
  @Test
  void aTouchingPairIsMergedBeforeAPairAcrossAGap() {
    var b = built(MemoryMap.ofBlocks("touching-first", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB + 4 * KiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 0))),
        TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 2 * GiB), new AddressRange(4 * GiB, 5 * GiB)), ranges(b));
    assertEquals(List.of(), b.constructionMessages());
  }

  /**
   * TDMR [1G, 2G) holds node 1's [1G, 1G+256M) and node 2's [1G+512M, 1G+768M), equally large: it
   * picks the first, so its pool goes on node 1, at 1G. TDMR [0, 1G) picks node 0's block [1M, 1G):
   * its pool is at 1M. Each TDMR reserves its holes and its own pool: [0, 1M) and the pool; the
   * pool, [1G+256M, 1G+512M) and [1G+768M, 2G).
   */
  @Test
  void eachTdmrsPoolIsOnTheNodeOfTheFirstOfItsLargestBlocks() {
    var b = built(MemoryMap.ofBlocks("tie", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, GiB + 256 * MiB, 1), new MemoryBlock(GiB + 512 * MiB, GiB + 768 * MiB, 2))),
        TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)), ranges(b));
    assertEquals(List.of(MiB, GiB), b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertEquals(List.of(2, 3), b.layout().tdmrs().stream().map(Tdmr::reservedCount).toList());
  }

  /**
   * TDMR [0, 1G) with the holes [0, 1M) and [512M, 512M+4K) and its pool at 1M: the areas are
   * listed by address, the pool between the two holes.
   */
  @Test
  void reservedAreasAreListedByAddress() {
    var b = built(MemoryMap.ofBlocks("order", List.of(new MemoryBlock(MiB, 512 * MiB, 0), new MemoryBlock(512 * MiB + 4 * KiB, GiB, 0))),
        TdxLimits.DEFAULT);
    assertEquals(List.of(new tdmr.tdx.ReservedArea(0, MiB), new tdmr.tdx.ReservedArea(MiB, 4108 * KiB),
        new tdmr.tdx.ReservedArea(512 * MiB, 4 * KiB)), b.layout().tdmrs().get(0).reserved());
  }

  /** Node 0's blocks hold 2 MiB each, less than the 4108 KiB pool of [0, 1G): no memory for it (ENOMEM). */
  @Test
  void aPoolWithoutRoomFailsThePamtAllocation() {
    var f = failed(MemoryMap.ofBlocks("small", List.of(new MemoryBlock(MiB, 3 * MiB, 0), new MemoryBlock(4 * MiB, 6 * MiB, 0))),
        TdxLimits.DEFAULT);
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(java.util.OptionalInt.of(0), f.failingTdmr());
    assertEquals(List.of(new AddressRange(0, GiB)), f.tdmrs().stream().map(GreedyTdmr::range).toList());
    assertEquals(List.of("module initialization failed (-12)"), f.messages());
  }

  /**
   * The 17-hole granule of {@link #reservedAreasExhaustedIsTheKernelsFailure} and a block [4G, 5G):
   * the first of the two TDMRs fails (its 17 holes; both pools are at 4G, in node 0's NORMAL zone);
   * the result still lists both, the second with its PAMT and no areas counted yet.
   */
  @Test
  void aReservedAreaFailureListsTheTdmrsAfterTheFailingOne() {
    List<MemoryBlock> blocks = new java.util.ArrayList<>();
    for (int k = 0; k < 16; k++) {
      blocks.add(new MemoryBlock(MiB + k * 2 * MiB, 2 * MiB + k * 2 * MiB, 0));
    }
    blocks.add(new MemoryBlock(33 * MiB, GiB, 0));
    blocks.add(new MemoryBlock(4 * GiB, 5 * GiB, 0));
    var f = failed(MemoryMap.ofBlocks("holes", blocks), TdxLimits.DEFAULT);
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, f.cause());
    assertEquals(java.util.OptionalInt.of(0), f.failingTdmr());
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(4 * GiB, 5 * GiB)),
        f.tdmrs().stream().map(GreedyTdmr::range).toList());
    assertEquals(17, f.tdmrs().get(0).reservedUses().size());
    assertTrue(f.tdmrs().get(1).pamt().isPresent());
    assertEquals(List.of(), f.tdmrs().get(1).reservedUses());
  }

  @Test
  void anEmptyMemoryListAndMemoryOutsideTheCmrsAreRejected() {
    assertEquals(GreedyResult.Cause.EMPTY_MEMORY_LIST, failed(MemoryMap.ofBlocks("empty", List.of()), TdxLimits.DEFAULT).cause());
    MemoryMap outside = MemoryMap.of("outside", List.of(new MemoryBlock(MiB, 2 * GiB, 0)), List.of(new AddressRange(MiB, GiB)));
    var f = assertInstanceOf(GreedyResult.Failed.class, new GreedyMerge(Policy.Holes.CMR).construct(outside, TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.MEMORY_OUTSIDE_CMRS, f.cause());
    assertEquals(java.util.Optional.of(new AddressRange(MiB, 2 * GiB)), f.offendingRange());
  }

  /**
   * With CMR holes only the gaps between CMRs are reserved: blocks [1M, 512M) and [512M+4K, 1G) in
   * one CMR [1M, 1G) leave the TDMR [0, 1G) with the hole [0, 1M) and the pool: 2 areas.
   */
  @Test
  void cmrHolesReserveOnlyTheGapsBetweenCmrs() {
    MemoryMap map = MemoryMap.of("one-cmr",
        List.of(new MemoryBlock(MiB, 512 * MiB, 0), new MemoryBlock(512 * MiB + 4 * KiB, GiB, 0)), List.of(new AddressRange(MiB, GiB)));
    GreedyResult r = new GreedyMerge(Policy.Holes.CMR).construct(map, TdxLimits.DEFAULT);
    var b = assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
    assertEquals(2, b.layout().tdmrs().get(0).reservedCount());
  }

  @Test
  void itsNameIsTheOneOnTheCommandLineAndItsExplanationCountsOnlyMainlinesLines() {
    assertEquals("greedy-merge", MERGE.name());
    MemoryMap map = MemoryMap.ofBlocks("one", List.of(new MemoryBlock(MiB, GiB, 0)));
    GreedyResult r = MERGE.construct(map, TdxLimits.DEFAULT);
    assertEquals(List.of("A mainline kernel prints each of these lines too.", "Headroom: 1 of 64 TDMRs used.",
        "Headroom: 2 of 16 reserved areas used in the tightest TDMR, TDMR [0x0, 0x40000000)."), MERGE.explain(map, TdxLimits.DEFAULT, r));
  }

  /**
   * Node 0's ranges [0, 1G), [2G, 3G), [4G, 5G) and node 1's [6G, 7G), two TDMRs: node 0 goes
   * first and merges as long as it can, its highest pair first ([2G, 3G) with [4G, 5G), then [0,
   * 1G) with that): [0, 5G) and [6G, 7G).
   */
  @Test
  void aNodesRangesAreMergedUntilNoPairOfItIsLeft() {
    var b = built(MemoryMap.ofBlocks("three-on-node-0", List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 0),
        new MemoryBlock(6 * GiB, 7 * GiB, 1))), TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 5 * GiB), new AddressRange(6 * GiB, 7 * GiB)), ranges(b));
    assertEquals(List.of(
        "Merge TDMR ranges with hole: [0x80000000, 0xc0000000], [0x100000000, 0x140000000] -> [0x80000000, 0x140000000]."
            + "  PAMT may be wasted for the hole.",
        "Merge TDMR ranges with hole: [0x0, 0x40000000], [0x80000000, 0x140000000] -> [0x0, 0x140000000]."
            + "  PAMT may be wasted for the hole."), b.constructionMessages());
  }

  /**
   * Two ranges of 2 GiB, four TDMRs: the first gets 2 x 4 / 4 = 2, the second 2 x 2 / 2 = 2 of
   * what is left: four TDMRs of 1 GiB.
   */
  @Test
  void eachRangeGetsItsShareOfWhatIsLeft() {
    var b = built(MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(3 * GiB, 5 * GiB, 0))),
        TdxLimits.DEFAULT.withMaxTdmrs(4));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB), new AddressRange(3 * GiB, 4 * GiB),
        new AddressRange(4 * GiB, 5 * GiB)), ranges(b));
  }

  /**
   * Node 1's [1G+512M, 3G) starts in node 0's last granule: its range is [2G, 3G), node 1's, which
   * node 1's [4G, 5G) then joins. Two TDMRs: node 0 has one range; node 1's pair is merged across
   * [3G, 4G): [0, 2G) and [2G, 5G).
   */
  @Test
  void aRangeOpenedOneGibHigherBelongsToTheNodeOfItsBlock() {
    var b = built(MemoryMap.ofBlocks("node-1-higher", List.of(
        new MemoryBlock(MiB, GiB + 512 * MiB, 0), new MemoryBlock(GiB + 512 * MiB, 3 * GiB, 1), new MemoryBlock(4 * GiB, 5 * GiB, 1))),
        TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 2 * GiB), new AddressRange(2 * GiB, 5 * GiB)), ranges(b));
  }
}
