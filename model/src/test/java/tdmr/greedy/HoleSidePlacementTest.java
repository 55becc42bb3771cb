package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * greedy-fit's {@code tdmrs_set_up_pamt_all} ({@link HoleSidePlacement}) on given TDMRs, with the
 * chunk bases and the areas paid worked out by hand from docs/greedy-fit.md step 2: pieces (a block
 * clipped to a TDMR) are open on a side a hole of the same TDMR touches; chunks go largest first to
 * the lowest open piece of their node with room, stacked against the open side (the low one when
 * both are); a chunk without an open piece pays an area in the roomiest piece of its node in a TDMR
 * with an area to spare, on the side touching another node's piece of the same TDMR (which opens
 * too), else on the low side. Chunks: 4108 KiB for 1 GiB, 8212 KiB for 2 GiB, 12316 KiB for 3 GiB.
 */
class HoleSidePlacementTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static HoleSidePlacement.Outcome place(
      List<MemoryBlock> blocks, List<AddressRange> tdmrs, int maxReserved, Policy.PamtPlacementPolicy pamt) {
    List<MemoryBlock> memlist = LinuxGreedy.memoryList(blocks);
    HoleIndex holes = new HoleIndex(memlist.stream().map(MemoryBlock::range).toList());
    return new HoleSidePlacement(memlist, holes, tdmrs, pamt, TdxLimits.DEFAULT.withMaxReservedPerTdmr(maxReserved)).place();
  }

  private static HoleSidePlacement.Outcome place(List<MemoryBlock> blocks, List<AddressRange> tdmrs, int maxReserved) {
    return place(blocks, tdmrs, maxReserved, Policy.PamtPlacementPolicy.NODE_LOCAL);
  }

  private static AddressRange r(long start, long end) {
    return new AddressRange(start, end);
  }

  /**
   * One block [1M, 3G), TDMRs [0, 1G) and [1G, 3G). The only open piece is [1M, 1G) (the hole
   * [0, 1M) touches it; [1G, 3G) touches no hole). The larger chunk goes first: 8212 KiB at 1M,
   * then 4108 KiB right after it; neither pays an area.
   */
  @Test
  void theLargestChunkGoesFirstToTheLowestOpenPiece() {
    var out = place(List.of(new MemoryBlock(MiB, 3 * GiB, 0)), List.of(r(0, GiB), r(GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {MiB + 8212 * KiB, MiB}, out.bases());
    assertArrayEquals(new int[] {0, 0}, out.paidAreas());
    assertEquals(-1, out.unplaced());
  }

  /**
   * The block [1G, 2G) fills its TDMR: the holes [0, 1G) and [2G, top) touch it only outside the
   * TDMR, so it is closed and the chunk pays one area, at its low end.
   */
  @Test
  void aPieceTouchingHolesOnlyAtItsTdmrsEdgesIsClosed() {
    var out = place(List.of(new MemoryBlock(GiB, 2 * GiB, 0)), List.of(r(GiB, 2 * GiB)), 16);
    assertArrayEquals(new long[] {GiB}, out.bases());
    assertArrayEquals(new int[] {1}, out.paidAreas());
  }

  /**
   * TDMR [1G, 2G) over node 0's [1G, 1G+4108K) and node 1's [1G+4108K, 2G): node 0's piece is
   * closed and holds the chunk exactly; it pays an area on its high side, against node 1's piece.
   */
  @Test
  void aClosedPieceThatHoldsTheChunkExactlyTakesIt() {
    var out = place(List.of(new MemoryBlock(GiB, GiB + 4108 * KiB, 0), new MemoryBlock(GiB + 4108 * KiB, 2 * GiB, 1)),
        List.of(r(GiB, 2 * GiB)), 16);
    assertArrayEquals(new long[] {GiB}, out.bases());
    assertArrayEquals(new int[] {1}, out.paidAreas());
  }

  /**
   * TDMR [1G, 2G) over node 0's [1G, 1G+4104K): no piece of node 0 holds the 4108 KiB chunk, open or
   * closed: the chunk is not placed.
   */
  @Test
  void aChunkLargerThanEveryPieceOfItsNodeIsNotPlaced() {
    var out = place(List.of(new MemoryBlock(GiB, GiB + 4104 * KiB, 0), new MemoryBlock(GiB + 4104 * KiB, 2 * GiB, 1)),
        List.of(r(GiB, 2 * GiB)), 16);
    assertEquals(0, out.unplaced());
    assertArrayEquals(new long[] {-1}, out.bases());
  }

  /**
   * Two reserved areas. TDMR 0 = [1G, 3G) over node 0's [1G, 2G) and node 1's [2G, 3G), both closed;
   * TDMR 1 = [3G, 4G) over node 1's [3G+4K, 4G), open below (the hole [3G, 3G+4K)). TDMR 0's 8212
   * KiB chunk pays an area at the top of node 0's piece, which opens node 1's piece at 2G; TDMR 1's
   * chunk (node 1) then goes to the lowest open piece of node 1, at 2G: one area in TDMR 0 holds
   * both chunks, TDMR 1 pays none.
   */
  @Test
  void aPaidAreaOpensTheTouchingPieceOfAnotherNode() {
    var out = place(List.of(
            new MemoryBlock(GiB, 2 * GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 1), new MemoryBlock(3 * GiB + 4 * KiB, 4 * GiB, 1)),
        List.of(r(GiB, 3 * GiB), r(3 * GiB, 4 * GiB)), 2);
    assertArrayEquals(new long[] {2 * GiB - 8212 * KiB, 2 * GiB}, out.bases());
    assertArrayEquals(new int[] {1, 0}, out.paidAreas());
  }

  /**
   * One reserved area. TDMR 0 = [1G, 4G) over node 0's [1G, 2G), node 1's [2G, 3G) and node 2's
   * [3G, 4G), all closed; TDMR 1 = [4G, 5G) over the rest of node 2's block [3G, 5G), closed. TDMR 0's
   * 12316 KiB chunk pays TDMR 0's only area at the top of node 0's piece. TDMR 1's chunk (node 2)
   * finds no open piece; node 2's piece in TDMR 0 has no area left, so it pays TDMR 1's area, at 4G.
   */
  @Test
  void aTdmrWithoutAnAreaToSpareOffersNoClosedPiece() {
    var out = place(List.of(
            new MemoryBlock(GiB, 2 * GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 1), new MemoryBlock(3 * GiB, 5 * GiB, 2)),
        List.of(r(GiB, 4 * GiB), r(4 * GiB, 5 * GiB)), 1);
    assertArrayEquals(new long[] {2 * GiB - 12316 * KiB, 4 * GiB}, out.bases());
    assertArrayEquals(new int[] {1, 1}, out.paidAreas());
  }

  /**
   * TDMR [1G, 3G) over node 1's [1G, 2G) and node 0's [2G, 3G), chunk on node 1 (the node at 1G):
   * node 1's piece has a piece above it and none below, so the chunk pays its area at the top,
   * 2G - 8212K, against node 0's piece.
   */
  @Test
  void aPaidChunkGoesAgainstTheNeighbouringPieceAbove() {
    var out = place(List.of(new MemoryBlock(GiB, 2 * GiB, 1), new MemoryBlock(2 * GiB, 3 * GiB, 0)),
        List.of(r(GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {2 * GiB - 8212 * KiB}, out.bases());
    assertArrayEquals(new int[] {1}, out.paidAreas());
  }

  /**
   * TDMR 0 = [1G, 3G) over node 0's [1G, 1G+8M), node 1's [1G+8M, 2G) and node 0's [2G, 3G), all
   * closed; TDMR 1 = [3G, 4G) over node 1's [3G, 4G), closed. TDMR 0's 8212 KiB chunk (node 0)
   * pays an area in node 0's roomiest piece, [2G, 3G), which has a piece below it and none above:
   * at its bottom, 2G, which opens node 1's piece below at its top. TDMR 1's chunk (node 1) goes
   * there for free, stacked down from 2G: 2G - 4108K.
   */
  @Test
  void aPaidChunkGoesAgainstTheNeighbouringPieceBelowAndOpensIt() {
    var out = place(List.of(
            new MemoryBlock(GiB, GiB + 8 * MiB, 0), new MemoryBlock(GiB + 8 * MiB, 2 * GiB, 1),
            new MemoryBlock(2 * GiB, 3 * GiB, 0), new MemoryBlock(3 * GiB, 4 * GiB, 1)),
        List.of(r(GiB, 3 * GiB), r(3 * GiB, 4 * GiB)), 16);
    assertArrayEquals(new long[] {2 * GiB, 2 * GiB - 4108 * KiB}, out.bases());
    assertArrayEquals(new int[] {1, 0}, out.paidAreas());
  }

  /**
   * A piece open only on its high side (the hole [1G+6M, 1G+8M) above it) holds chunks stacked
   * down from its top: TDMR 0 = [1G, 2G)'s 4108 KiB chunk goes at 1G+6M-4108K. TDMR 1 = [2G, 3G)
   * (node 0's block [2G, 3G), closed) cannot put its chunk there too (2036 KiB left), so it pays an
   * area at 2G.
   */
  @Test
  void chunksStackDownFromAHighOpenSideUntilThePieceIsFull() {
    var out = place(List.of(
            new MemoryBlock(GiB, GiB + 6 * MiB, 0), new MemoryBlock(GiB + 8 * MiB, 2 * GiB, 1), new MemoryBlock(2 * GiB, 3 * GiB, 0)),
        List.of(r(GiB, 2 * GiB), r(2 * GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {GiB + 6 * MiB - 4108 * KiB, 2 * GiB}, out.bases());
    assertArrayEquals(new int[] {0, 1}, out.paidAreas());
  }

  /**
   * Under PAMT placement any, a chunk whose node has no room goes to the other nodes in ascending
   * id. TDMR 0 = [0, 1G) over node 0's [1M, 1G) (open: hole [0, 1M)); TDMR 1 = [1G, 2G) over node
   * 1's [1G, 1G+2M) and node 2's [1G+2M, 2G), both closed. TDMR 1's chunk (node 1, which holds
   * 2 MiB) goes to node 0's open piece, after TDMR 0's; node-local, it is not placed.
   */
  @Test
  void underPamtPlacementAnyAChunkFallsBackToTheLowestOtherNode() {
    List<MemoryBlock> blocks = List.of(
        new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, GiB + 2 * MiB, 1), new MemoryBlock(GiB + 2 * MiB, 2 * GiB, 2));
    List<AddressRange> tdmrs = List.of(r(0, GiB), r(GiB, 2 * GiB));
    var any = place(blocks, tdmrs, 16, Policy.PamtPlacementPolicy.ANY);
    assertArrayEquals(new long[] {MiB, MiB + 4108 * KiB}, any.bases());
    assertArrayEquals(new int[] {0, 0}, any.paidAreas());
    assertEquals(-1, any.unplaced());
    assertEquals(1, place(blocks, tdmrs, 16).unplaced());
  }

  /**
   * Two TDMRs, each of node 0's closed piece and a node 1 piece above it: [1G, 1G+6M) in [1G, 2G)
   * and [2G, 2G+5M) in [2G, 3G). The first chunk pays in the roomier, [1G, 1G+6M), at its top;
   * 2036 KiB are left there, and that piece is open now, so the second chunk pays in [2G, 2G+5M),
   * at its top.
   */
  @Test
  void aPieceOpenedByAPaidAreaIsNoLongerOfferedAsClosed() {
    var out = place(List.of(
            new MemoryBlock(GiB, GiB + 6 * MiB, 0), new MemoryBlock(GiB + 6 * MiB, 2 * GiB, 1),
            new MemoryBlock(2 * GiB, 2 * GiB + 5 * MiB, 0), new MemoryBlock(2 * GiB + 5 * MiB, 3 * GiB, 1)),
        List.of(r(GiB, 2 * GiB), r(2 * GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {GiB + 6 * MiB - 4108 * KiB, 2 * GiB + 5 * MiB - 4108 * KiB}, out.bases());
    assertArrayEquals(new int[] {1, 1}, out.paidAreas());
  }

  /**
   * Blocks that end or start exactly at a TDMR's edge belong to the TDMR on their side only: node
   * 0's [1G, 2G) fills TDMR [1G, 2G), touching node 1's [2G, 3G), which fills TDMR [2G, 3G). Each
   * piece has no neighbour in its own TDMR, so each chunk pays its area at the low end: 1G and 2G.
   */
  @Test
  void aBlockAtATdmrsEdgeIsNoNeighbourInsideIt() {
    var out = place(List.of(new MemoryBlock(GiB, 2 * GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 1)),
        List.of(r(GiB, 2 * GiB), r(2 * GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {GiB, 2 * GiB}, out.bases());
    assertArrayEquals(new int[] {1, 1}, out.paidAreas());
  }

  /**
   * Node 2's [1M, 1G) ends where TDMR [1G, 3G) starts; in that TDMR node 1's [1G, 2G) has node 0's
   * [2G, 3G) above and nothing below, so its 8212 KiB chunk pays at its top, 2G - 8212K. TDMR
   * [0, 1G)'s chunk goes against the hole [0, 1M), at 1M.
   */
  @Test
  void aBlockEndingAtATdmrsStartIsNoNeighbourInsideIt() {
    var out = place(List.of(
            new MemoryBlock(MiB, GiB, 2), new MemoryBlock(GiB, 2 * GiB, 1), new MemoryBlock(2 * GiB, 3 * GiB, 0)),
        List.of(r(0, GiB), r(GiB, 3 * GiB)), 16);
    assertArrayEquals(new long[] {MiB, 2 * GiB - 8212 * KiB}, out.bases());
    assertArrayEquals(new int[] {0, 1}, out.paidAreas());
  }
}
