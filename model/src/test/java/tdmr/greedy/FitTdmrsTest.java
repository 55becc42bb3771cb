package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * greedy-fit's {@code fill_out_tdmrs} ({@link FitTdmrs}) on small maps whose TDMRs, splits and
 * joins were worked out by hand from docs/greedy-fit.md ("Runs", "Reach", "Cuts", "Joins", "The
 * bounded repair"). Holes are the gaps of the memory list. A TDMR of N GiB (N at most 256) needs a
 * chunk of {@code 4104 N + 4} KiB, so a node whose largest block holds 6 MiB (6144 KiB) can hold
 * the chunk of a 1 GiB TDMR (4108 KiB) but not of a 2 GiB one (8212 KiB), and one of 2 MiB holds
 * none.
 */
class FitTdmrsTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static FitTdmrs fit(List<MemoryBlock> blocks, int budget, int targetTdmrs, Policy.PamtPlacementPolicy pamt) {
    List<MemoryBlock> memlist = LinuxGreedy.memoryList(blocks);
    HoleIndex holes = new HoleIndex(memlist.stream().map(MemoryBlock::range).toList());
    return new FitTdmrs(memlist, holes, budget, targetTdmrs, pamt, TdxLimits.DEFAULT);
  }

  private static FitTdmrs.Outcome fillOut(List<MemoryBlock> blocks, int budget, int targetTdmrs) {
    return fit(blocks, budget, targetTdmrs, Policy.PamtPlacementPolicy.NODE_LOCAL).fillOut();
  }

  private static AddressRange r(long start, long end) {
    return new AddressRange(start, end);
  }

  /**
   * One reserved area. Holes: [0, 1M), [3G, 3G+4K), [6G, top). From 0 the second hole starts in
   * granule 3G, so the first TDMR may reach 3G. Of the granules within that reach, 1G and 2G both
   * see only the hole at 3G before the end of the run (6G), so both reach 6G; the first of them, 1G,
   * starts the second TDMR, which keeps the first one small: [0, 1G) and [1G, 6G).
   */
  @Test
  void theNextTdmrStartsAtTheFirstGranuleThatReachesFurthest() {
    var out = fillOut(List.of(new MemoryBlock(MiB, 3 * GiB, 0), new MemoryBlock(3 * GiB + 4 * KiB, 6 * GiB, 0)), 1, 64);
    assertEquals(List.of(r(0, GiB), r(GiB, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Split(r(0, 6 * GiB), GiB, FitTdmrs.SplitReason.HOLES, 2)), out.splits());
    assertEquals(List.of(), out.joins());
    assertNull(out.overloadedGranule());
    assertEquals(-1, out.pamtTooLarge());
  }

  /**
   * Node 1's only block, [1M, 7M), holds the chunk of a 1 GiB TDMR but not of 2 GiB: a TDMR
   * starting at 0 (node 1, the first block ending after 0) reaches 1G. Granule 1G is on node 0,
   * whose block [7M, 6G) holds any chunk here, so it reaches the run's end: [0, 1G), [1G, 6G), a
   * split for PAMT size. The run's only hole is [0, 1M).
   */
  @Test
  void aTdmrWhoseNodeCannotHoldALargerChunkEndsWhereTheNextNodeTakesOver() {
    var out = fillOut(List.of(new MemoryBlock(MiB, 7 * MiB, 1), new MemoryBlock(7 * MiB, 6 * GiB, 0)), 16, 64);
    assertEquals(List.of(r(0, GiB), r(GiB, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Split(r(0, 6 * GiB), GiB, FitTdmrs.SplitReason.PAMT_SIZE, 1)), out.splits());
  }

  /**
   * Two areas, one block [1M, 2G): its holes are [0, 1M) and [2G, top), which starts at the run's
   * end, so nothing limits the TDMR: [0, 2G). (Counting two holes from [0, 1M) runs past the last
   * hole.)
   */
  @Test
  void aBudgetReachingPastTheLastHoleLeavesTheRunWhole() {
    var out = fillOut(List.of(new MemoryBlock(MiB, 2 * GiB, 0)), 2, 64);
    assertEquals(List.of(r(0, 2 * GiB)), out.tdmrs());
    assertEquals(List.of(), out.splits());
  }

  /**
   * Node 1's [1M, 11M) holds the chunk of 2 GiB (8212 KiB), not of 3: from 0 a TDMR reaches 2G.
   * Within that reach, granule 1G lies on node 0 ([11M, 2G), the last granule of that block), from
   * which the run's end, 4G, is in reach; granule 2G lies on node 2, whose only block [2G, 2G+6M)
   * holds a chunk of 1 GiB: from there only 3G. The next TDMR starts at 1G: [0, 1G), [1G, 4G).
   */
  @Test
  void theLastGranuleOfABlockCanReachFurtherThanTheGranulesAfterIt() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, 11 * MiB, 1), new MemoryBlock(11 * MiB, 2 * GiB, 0),
        new MemoryBlock(2 * GiB, 2 * GiB + 6 * MiB, 2), new MemoryBlock(2 * GiB + 6 * MiB, 4 * GiB, 0)), 16, 64);
    assertEquals(List.of(r(0, GiB), r(GiB, 4 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Split(r(0, 4 * GiB), GiB, FitTdmrs.SplitReason.PAMT_SIZE, 1)), out.splits());
  }

  /**
   * Under PAMT placement any, the chunk may go to the largest block of any node: node 1's 6 MiB no
   * longer limits the TDMR at 0, and the run [0, 6G) is one TDMR.
   */
  @Test
  void underPamtPlacementAnyTheLargestBlockOfAnyNodeCounts() {
    var out = fit(List.of(new MemoryBlock(MiB, 7 * MiB, 1), new MemoryBlock(7 * MiB, 6 * GiB, 0)), 16, 64,
        Policy.PamtPlacementPolicy.ANY).fillOut();
    assertEquals(List.of(r(0, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(), out.splits());
  }

  /**
   * The most GiB a TDMR may span for its chunk to fit the node's largest block: 6 MiB holds 1 GiB's
   * chunk (4108 KiB), 8212 KiB holds exactly 2 GiB's, one page less only 1 GiB's; a node without
   * blocks holds none.
   */
  @Test
  void theLargestTdmrOfANodeIsTheLargestWhoseChunkFitsItsLargestBlock() {
    FitTdmrs f = fit(List.of(
        new MemoryBlock(MiB, 7 * MiB, 1),
        new MemoryBlock(GiB, GiB + 8212 * KiB, 2),
        new MemoryBlock(2 * GiB, 2 * GiB + 8208 * KiB, 3)), 16, 64, Policy.PamtPlacementPolicy.NODE_LOCAL);
    assertEquals(1, f.maxGiB(1));
    assertEquals(2, f.maxGiB(2));
    assertEquals(1, f.maxGiB(3));
    assertEquals(0, f.maxGiB(9));
  }

  /**
   * Two reserved areas. Runs [0, 1G) and [4G, 7G); holes [0, 1M), [1G, 4G), [6G+1M, 6G+2M),
   * [6G+3M, 6G+4M), [6G+5M, 6G+6M), [7G, top). Granule 6G alone holds three holes: no TDMR can
   * contain it, and the run before cannot reach over it, so the outcome names that granule, after
   * the TDMR of the first run (the failing run's TDMRs are not closed yet).
   */
  @Test
  void aGranuleWithMoreHolesThanTheBudgetIsNamed() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(4 * GiB, 6 * GiB + MiB, 0),
        new MemoryBlock(6 * GiB + 2 * MiB, 6 * GiB + 3 * MiB, 0),
        new MemoryBlock(6 * GiB + 4 * MiB, 6 * GiB + 5 * MiB, 0),
        new MemoryBlock(6 * GiB + 6 * MiB, 7 * GiB, 0)), 2, 64);
    assertEquals(r(6 * GiB, 7 * GiB), out.overloadedGranule());
    assertEquals(-1, out.pamtTooLarge());
    assertEquals(List.of(r(0, GiB)), out.tdmrs());
    assertEquals(List.of(), out.joins());
  }

  /** Node 1's only block holds 2 MiB, less than any chunk: no TDMR can start at 0. */
  @Test
  void aGranuleWhoseNodeHoldsNoChunkIsNamed() {
    var out = fillOut(List.of(new MemoryBlock(MiB, 3 * MiB, 1)), 16, 64);
    assertEquals(0, out.pamtTooLarge());
    assertNull(out.overloadedGranule());
    assertEquals(List.of(), out.tdmrs());
  }

  /**
   * Node 1's only block, [4G, 4G+2M), holds no chunk, so no TDMR may start in granule 4G: the block
   * joins the run before it, [0, 1G), across [1G, 4G), and the run [0, 5G) is one TDMR (node 0's
   * block [1M, 1G) holds the 20524 KiB chunk of 5 GiB). That is part of forming runs, not a join
   * for too many TDMRs.
   */
  @Test
  void aBlockNoTdmrCanStartAtJoinsTheRunBeforeIt() {
    var out = fillOut(List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(4 * GiB, 4 * GiB + 2 * MiB, 1)), 16, 64);
    assertEquals(List.of(r(0, 5 * GiB)), out.tdmrs());
    assertEquals(List.of(), out.joins());
    assertEquals(List.of(), out.splits());
  }

  /**
   * Runs [0, 1G) (node 0), [2G, 3G) (node 1, a 6 MiB block: TDMRs of 1 GiB) and [4G, 6G): node 2's
   * 6 MiB block at 4G, then node 3's blocks [4G+6M, 4G+8M) and [5G, 5G+2M), which hold no chunk.
   * The last run cannot be cut: from 4G a TDMR reaches 5G, and granule 5G (node 3) can start none.
   * Reaching back one run does not help (from 2G node 1 reaches 3G, then 4G reaches 5G again); two
   * runs back, node 0's block holds the chunk of [0, 6G) (24628 KiB), whose 5 holes fit 16 areas:
   * one TDMR, across [1G, 2G) and [3G, 4G).
   */
  @Test
  void aRunThatCannotBeCutIsCoveredFromARunBeforeIt() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(2 * GiB, 2 * GiB + 6 * MiB, 1),
        new MemoryBlock(4 * GiB, 4 * GiB + 6 * MiB, 2),
        new MemoryBlock(4 * GiB + 6 * MiB, 4 * GiB + 8 * MiB, 3),
        new MemoryBlock(5 * GiB, 5 * GiB + 2 * MiB, 3)), 16, 64);
    assertEquals(List.of(r(0, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(GiB, 2 * GiB)), new FitTdmrs.Join(r(3 * GiB, 4 * GiB))), out.joins());
    assertNull(out.overloadedGranule());
    assertEquals(-1, out.pamtTooLarge());
  }

  /**
   * As above but with the first run's node too small to reach over (node 0 holds 6 MiB): reaching
   * back does not help, and the granule 5G is named, after the TDMRs of the runs before (the
   * failing run's first TDMR is not closed yet).
   */
  @Test
  void aRunThatNoRunBeforeCanCoverFailsAfterTheTdmrsBeforeIt() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, 7 * MiB, 0),
        new MemoryBlock(2 * GiB, 2 * GiB + 6 * MiB, 1),
        new MemoryBlock(4 * GiB, 4 * GiB + 6 * MiB, 2),
        new MemoryBlock(4 * GiB + 6 * MiB, 4 * GiB + 8 * MiB, 3),
        new MemoryBlock(5 * GiB, 5 * GiB + 2 * MiB, 3)), 16, 64);
    assertEquals(5 * GiB, out.pamtTooLarge());
    assertEquals(List.of(r(0, GiB), r(2 * GiB, 3 * GiB)), out.tdmrs());
    assertEquals(List.of(), out.joins());
  }

  /**
   * Three runs with 1 GiB between each, two TDMRs allowed: both joins cost 1 GiB, and the lower one
   * goes first: [0, 3G) across [1G, 2G), and [4G, 5G).
   */
  @Test
  void ofTwoEquallyCheapJoinsTheLowerIsTakenFirst() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 0)), 16, 2);
    assertEquals(List.of(r(0, 3 * GiB), r(4 * GiB, 5 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(GiB, 2 * GiB))), out.joins());
  }

  /**
   * The cheapest gap goes first: gaps of 2 GiB ([1G, 3G)) and 1 GiB ([4G, 5G)), two TDMRs allowed:
   * [0, 1G) and [3G, 6G). With three allowed nothing is joined.
   */
  @Test
  void theCheaperGapIsJoinedEvenWhenItIsHigher() {
    List<MemoryBlock> blocks = List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(3 * GiB, 4 * GiB, 0), new MemoryBlock(5 * GiB, 6 * GiB, 0));
    var two = fillOut(blocks, 16, 2);
    assertEquals(List.of(r(0, GiB), r(3 * GiB, 6 * GiB)), two.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(4 * GiB, 5 * GiB))), two.joins());
    // One TDMR: after [3G, 6G), the new pair with [0, 1G) across [1G, 3G) joins too.
    var one = fillOut(blocks, 16, 1);
    assertEquals(List.of(r(0, 6 * GiB)), one.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(4 * GiB, 5 * GiB)), new FitTdmrs.Join(r(GiB, 3 * GiB))), one.joins());
    var three = fillOut(blocks, 16, 3);
    assertEquals(List.of(r(0, GiB), r(3 * GiB, 4 * GiB), r(5 * GiB, 6 * GiB)), three.tdmrs());
    assertEquals(List.of(), three.joins());
  }

  /**
   * Three reserved areas, two TDMRs allowed, three runs: R0 = [0, 1G) (hole [0, 1M)), R1 = [2G, 4G)
   * (a 4 KiB hole at 2G+512M and one at 3G+512M), R2 = [5G, 6G) (a hole at 5G+512M), with the gaps
   * [1G, 2G) and [4G, 5G). Joining R0 and R1 gives [0, 4G) with 4 holes: still 2 TDMRs ([0, 1G),
   * [2G, 4G)), no saving; R1 and R2 give [2G, 6G) with 4 holes: 2 TDMRs ([2G, 3G), [3G, 6G)), no
   * saving. Offered one run wider, all three give [0, 6G) with 6 holes: [0, 3G) (holes [0, 1M),
   * [1G, 2G), 2G+512M) and [3G, 6G) (3G+512M, [4G, 5G), 5G+512M): 2 TDMRs instead of 3.
   */
  @Test
  void aJoinThatSavesNothingIsOfferedAgainOneRunWider() {
    var out = fillOut(threeRunsThatOnlyJoinTogether(), 3, 2);
    assertEquals(List.of(r(0, 3 * GiB), r(3 * GiB, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(GiB, 2 * GiB)), new FitTdmrs.Join(r(4 * GiB, 5 * GiB))), out.joins());
    assertEquals(List.of(new FitTdmrs.Split(r(0, 6 * GiB), 3 * GiB, FitTdmrs.SplitReason.HOLES, 6)), out.splits());
  }

  static List<MemoryBlock> threeRunsThatOnlyJoinTogether() {
    return List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(2 * GiB, 2 * GiB + 512 * MiB, 0),
        new MemoryBlock(2 * GiB + 512 * MiB + 4 * KiB, 3 * GiB + 512 * MiB, 0),
        new MemoryBlock(3 * GiB + 512 * MiB + 4 * KiB, 4 * GiB, 0),
        new MemoryBlock(5 * GiB, 5 * GiB + 512 * MiB, 0),
        new MemoryBlock(5 * GiB + 512 * MiB + 4 * KiB, 6 * GiB, 0));
  }

  private static List<AddressRange> splitForRoom(List<MemoryBlock> blocks, AddressRange t) {
    return fit(blocks, 1, 64, Policy.PamtPlacementPolicy.NODE_LOCAL).splitForRoom(t);
  }

  /**
   * The repair's cut (docs/greedy-fit.md, "The bounded repair"): below the TDMR's first hole, at
   * the 1 GiB boundary at or below its start. [4G, 10G) over [4G, 5G+512M) and [8G, 10G): the hole
   * [5G+512M, 8G) starts in granule 5G: [4G, 5G) and [5G, 10G).
   */
  @Test
  void theRepairCutsBelowTheFirstHole() {
    assertEquals(List.of(r(4 * GiB, 5 * GiB), r(5 * GiB, 10 * GiB)),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 5 * GiB + 512 * MiB, 0), new MemoryBlock(8 * GiB, 10 * GiB, 0)),
            r(4 * GiB, 10 * GiB)));
  }

  /**
   * Cut below a hole that starts on a granule boundary, [5G, 7G): the parts end and start where
   * memory does, [4G, 5G) and [7G, 8G).
   */
  @Test
  void theRepairsPartsEndAndStartWithMemory() {
    assertEquals(List.of(r(4 * GiB, 5 * GiB), r(7 * GiB, 8 * GiB)),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 5 * GiB, 0), new MemoryBlock(7 * GiB, 8 * GiB, 0)), r(4 * GiB, 8 * GiB)));
  }

  /**
   * A first hole that starts in the TDMR's first granule, [4G+512M, 7G): the cut goes above it, at
   * 7G, and the lower part ends where its memory does: [4G, 5G) and [7G, 8G).
   */
  @Test
  void theRepairCutsAboveAHoleInTheFirstGranule() {
    assertEquals(List.of(r(4 * GiB, 5 * GiB), r(7 * GiB, 8 * GiB)),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 512 * MiB, 0), new MemoryBlock(7 * GiB, 8 * GiB, 0)),
            r(4 * GiB, 8 * GiB)));
    // The hole [4G+512M, 6G+512M) ends inside granule 6G: the cut is at the next boundary, 7G.
    assertEquals(List.of(r(4 * GiB, 7 * GiB), r(7 * GiB, 8 * GiB)),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 512 * MiB, 0), new MemoryBlock(6 * GiB + 512 * MiB, 8 * GiB, 0)),
            r(4 * GiB, 8 * GiB)));
  }

  /**
   * A hole that starts where the TDMR starts, [4G, 4G+1M), is not the one to cut at: the next,
   * [6G+512M, 6G+512M+4K), is: [4G, 6G) and [6G, 8G).
   */
  @Test
  void theRepairSkipsAHoleStartingAtTheTdmrsStart() {
    assertEquals(List.of(r(4 * GiB, 6 * GiB), r(6 * GiB, 8 * GiB)),
        splitForRoom(List.of(new MemoryBlock(MiB, 4 * GiB, 0), new MemoryBlock(4 * GiB + MiB, 6 * GiB + 512 * MiB, 0),
            new MemoryBlock(6 * GiB + 512 * MiB + 4 * KiB, 8 * GiB, 0)), r(4 * GiB, 8 * GiB)));
  }

  /** Without a hole after its first granule, the TDMR is cut after that granule: [4G, 5G) and [5G, 8G). */
  @Test
  void theRepairCutsAfterTheFirstGranuleWhenNoHoleFollows() {
    assertEquals(List.of(r(4 * GiB, 5 * GiB), r(5 * GiB, 8 * GiB)),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 8 * GiB, 0)), r(4 * GiB, 8 * GiB)));
  }

  /**
   * No cut for a TDMR of one granule, nor when the first hole starts in the first granule and runs
   * to the TDMR's end.
   */
  @Test
  void theRepairCannotCutATdmrOfOneGranuleOrOneWholeHole() {
    assertEquals(List.of(), splitForRoom(List.of(new MemoryBlock(4 * GiB, 5 * GiB, 0)), r(4 * GiB, 5 * GiB)));
    assertEquals(List.of(),
        splitForRoom(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 512 * MiB, 0), new MemoryBlock(8 * GiB, 9 * GiB, 0)),
            r(4 * GiB, 8 * GiB)));
  }

  /**
   * Four runs with gaps of 2, 3 and 1 GiB, one TDMR allowed: [7G, 10G) is joined first (1 GiB),
   * then [0, 4G) (2 GiB), then the two joined runs across [4G, 7G): [0, 10G) with 4 holes.
   */
  @Test
  void joinedRunsAreJoinedAgainWithTheirNeighbours() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(3 * GiB, 4 * GiB, 0),
        new MemoryBlock(7 * GiB, 8 * GiB, 0), new MemoryBlock(9 * GiB, 10 * GiB, 0)), 16, 1);
    assertEquals(List.of(r(0, 10 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(8 * GiB, 9 * GiB)), new FitTdmrs.Join(r(GiB, 3 * GiB)),
        new FitTdmrs.Join(r(4 * GiB, 7 * GiB))), out.joins());
  }

  /**
   * One area, two TDMRs, runs [0, 1G) (hole [0, 1M)), [2G, 3G) and [5G, 6G). The cheaper join,
   * across [1G, 2G), gives [0, 3G) with 2 holes: still 2 TDMRs, so it is not kept; the join across
   * [3G, 5G) gives [2G, 6G) with 1 hole: kept. Only that join is reported.
   */
  @Test
  void aJoinThatSavesNoTdmrIsNotKept() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(5 * GiB, 6 * GiB, 0)), 1, 2);
    assertEquals(List.of(r(0, GiB), r(2 * GiB, 6 * GiB)), out.tdmrs());
    assertEquals(List.of(new FitTdmrs.Join(r(3 * GiB, 5 * GiB))), out.joins());
  }

  /**
   * Gaps of 16 GiB and 1 GiB, two TDMRs: the 1 GiB gap is joined, however large the other is:
   * [0, 1G) and [17G, 20G).
   */
  @Test
  void aLargeGapIsTheLastToBeJoined() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(17 * GiB, 18 * GiB, 0), new MemoryBlock(19 * GiB, 20 * GiB, 0)), 16, 2);
    assertEquals(List.of(r(0, GiB), r(17 * GiB, 20 * GiB)), out.tdmrs());
  }

  /**
   * Run [0, 3G) is cut for PAMT size into [0, 1G) (node 1: 6 MiB), [1G, 2G) (node 2: 6 MiB) and
   * [2G, 3G) (node 0); run [4G, 5G) is node 0's too. Three TDMRs allowed: joined across [3G, 4G),
   * the TDMRs from the left run's last but one on are cut again: [1G, 2G) and [2G, 5G) (node 0's
   * 1 GiB blocks hold the chunk of 3 GiB). The split of [0, 1G) stays as it was; the second is now
   * the split of [1G, 5G) at 2G.
   */
  @Test
  void aJoinCutsTheLeftRunAgainFromItsLastButOneTdmr() {
    var out = fillOut(List.of(
        new MemoryBlock(MiB, 7 * MiB, 1), new MemoryBlock(7 * MiB, GiB, 5),
        new MemoryBlock(GiB, GiB + 6 * MiB, 2), new MemoryBlock(GiB + 6 * MiB, 2 * GiB, 6),
        new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 0)), 16, 3);
    assertEquals(List.of(r(0, GiB), r(GiB, 2 * GiB), r(2 * GiB, 5 * GiB)), out.tdmrs());
    assertEquals(List.of(
        new FitTdmrs.Split(r(0, 3 * GiB), GiB, FitTdmrs.SplitReason.PAMT_SIZE, 1),
        new FitTdmrs.Split(r(GiB, 5 * GiB), 2 * GiB, FitTdmrs.SplitReason.PAMT_SIZE, 1)), out.splits());
    assertEquals(List.of(new FitTdmrs.Join(r(3 * GiB, 4 * GiB))), out.joins());
  }
}
