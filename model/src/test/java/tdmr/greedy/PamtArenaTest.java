package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;

/**
 * The free memory a PAMT chunk can be carved from: each node's memory-list blocks split at 4 GiB
 * into zones, searchable by size, minus the chunks placed so far.
 */
class PamtArenaTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  /**
   * Five pieces of sizes 4, 16, 8, 32 and 4 KiB: [0, 4K), [8K, 24K), [32K, 40K), [48K, 80K),
   * [96K, 100K). Five leaves make a tree of eight, three of them padding.
   */
  private static final PamtArena.Pieces FIVE = new PamtArena.Pieces(List.of(
      new AddressRange(0, 4 * KiB), new AddressRange(8 * KiB, 24 * KiB), new AddressRange(32 * KiB, 40 * KiB),
      new AddressRange(48 * KiB, 80 * KiB), new AddressRange(96 * KiB, 100 * KiB)));

  @Test
  void nextAtLeastFindsTheFirstPieceFromAnIndexThatIsLargeEnough() {
    assertEquals(1, FIVE.nextAtLeast(0, 16 * KiB), "piece 1 is exactly 16 KiB");
    assertEquals(1, FIVE.nextAtLeast(1, 16 * KiB), "the search starts at the index itself");
    assertEquals(3, FIVE.nextAtLeast(2, 16 * KiB), "piece 2 (8 KiB) is too small");
    assertEquals(3, FIVE.nextAtLeast(0, 32 * KiB));
    assertEquals(2, FIVE.nextAtLeast(2, 8 * KiB));
    assertEquals(4, FIVE.nextAtLeast(4, 4 * KiB), "the last piece, whose right neighbours are padding");
    assertEquals(0, FIVE.nextAtLeast(0, 4 * KiB));
  }

  @Test
  void nextAtLeastIsMinusOneWhenNoPieceFromTheIndexIsLargeEnough() {
    assertEquals(-1, FIVE.nextAtLeast(0, 32 * KiB + 4 * KiB), "no piece holds 36 KiB");
    assertEquals(-1, FIVE.nextAtLeast(4, 8 * KiB), "only the 4 KiB piece is left from index 4");
    assertEquals(-1, FIVE.nextAtLeast(5, 4 * KiB), "past the last piece");
    assertEquals(-1, FIVE.nextAtLeast(-1, 4 * KiB));
    assertEquals(-1, PamtArena.Pieces.EMPTY.nextAtLeast(0, 4 * KiB));
  }

  @Test
  void nextAtLeastForZeroBytesIsTheIndexItselfWhileAPieceIsLeft() {
    // Every piece holds zero bytes, so the answer is the first piece at or after the index; past the
    // last piece there is none, though the tree's padding leaves (sizes 0) lie there.
    assertEquals(2, FIVE.nextAtLeast(2, 0));
    assertEquals(4, FIVE.nextAtLeast(4, 0));
    assertEquals(-1, FIVE.nextAtLeast(5, 0));
    assertEquals(-1, FIVE.nextAtLeast(7, 0));
  }

  @Test
  void nextAtLeastInOnePieceAndInAPowerOfTwo() {
    PamtArena.Pieces one = new PamtArena.Pieces(List.of(new AddressRange(GiB, 2 * GiB)));
    assertEquals(0, one.nextAtLeast(0, GiB));
    assertEquals(-1, one.nextAtLeast(0, GiB + 4 * KiB));
    PamtArena.Pieces four = new PamtArena.Pieces(List.of(new AddressRange(0, 8 * KiB),
        new AddressRange(16 * KiB, 20 * KiB), new AddressRange(24 * KiB, 28 * KiB), new AddressRange(32 * KiB, 40 * KiB)));
    assertEquals(3, four.nextAtLeast(1, 8 * KiB), "the right half holds it, not the left leaf before index 1");
    assertEquals(0, four.nextAtLeast(0, 8 * KiB));
  }

  @Test
  void firstEndingAfterSkipsPiecesEndingAtOrBeforeTheAddress() {
    assertEquals(0, FIVE.firstEndingAfter(0));
    assertEquals(1, FIVE.firstEndingAfter(4 * KiB), "piece 0 ends at 4K, not after it");
    assertEquals(1, FIVE.firstEndingAfter(6 * KiB), "an address in a gap gives the next piece");
    assertEquals(4, FIVE.firstEndingAfter(99 * KiB));
    assertEquals(-1, FIVE.firstEndingAfter(100 * KiB), "every piece ends at or before 100K");
  }

  @Test
  void piecesKnowTheirBounds() {
    assertEquals(5, FIVE.size());
    assertFalse(FIVE.isEmpty());
    assertTrue(PamtArena.Pieces.EMPTY.isEmpty());
    assertEquals(0, FIVE.first());
    assertEquals(100 * KiB, FIVE.end(4));
    assertEquals(48 * KiB, FIVE.start(3));
    assertEquals(80 * KiB, FIVE.end(3));
  }

  @Test
  void eachNodesBlocksAreSplitAtFourGibIntoZones() {
    // Node 1 [3G, 6G) and node 0 [8G, 9G) (node ids need not follow addresses).
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(3 * GiB, 6 * GiB, 1), new MemoryBlock(8 * GiB, 9 * GiB, 0)));
    assertEquals(List.of(0, 1), arena.nodes());
    PamtArena.Pieces low = arena.pieces(1, Zone.DMA32);
    assertEquals(1, low.size());
    assertEquals(3 * GiB, low.first());
    assertEquals(4 * GiB, low.end(0));
    PamtArena.Pieces normal = arena.pieces(1, Zone.NORMAL);
    assertEquals(4 * GiB, normal.first());
    assertEquals(6 * GiB, normal.end(normal.size() - 1));
    assertTrue(arena.pieces(0, Zone.DMA32).isEmpty(), "node 0 has nothing below 4 GiB");
    assertEquals(8 * GiB, arena.pieces(0, Zone.NORMAL).first());
    assertTrue(arena.pieces(2, Zone.NORMAL).isEmpty(), "node 2 has no memory at all");
  }

  /** Blocks [0, 1M) and [2M, 2G) on node 0, [2G, 3G) on node 1: two blocks touch at 2 GiB. */
  private static PamtArena arena() {
    return new PamtArena(List.of(new MemoryBlock(0, MiB, 0), new MemoryBlock(2 * MiB, 2 * GiB, 0),
        new MemoryBlock(2 * GiB, 3 * GiB, 1)));
  }

  @Test
  void aRangeIsFreeOnlyInsideOneBlock() {
    PamtArena a = arena();
    assertTrue(a.isFree(0, 4 * KiB), "at the very start of memory");
    assertTrue(a.isFree(2 * MiB, 4 * KiB), "at a block's start");
    assertTrue(a.isFree(2 * GiB - 4 * KiB, 4 * KiB), "ending exactly at the block's end");
    assertTrue(a.isFree(MiB - 4 * KiB, 4 * KiB));
    assertFalse(a.isFree(MiB - 4 * KiB, 8 * KiB), "running into the gap [1M, 2M)");
    assertFalse(a.isFree(MiB, 4 * KiB), "in the gap");
    assertFalse(a.isFree(2 * GiB - 4 * KiB, 8 * KiB), "across two touching blocks (of two nodes)");
    assertFalse(a.isFree(3 * GiB, 4 * KiB), "above all memory");
  }

  @Test
  void aRangeThatIsNoRangeIsNeverFree() {
    PamtArena a = arena();
    assertFalse(a.isFree(2 * MiB, 0), "empty");
    assertFalse(a.isFree(-4 * KiB, 8 * KiB), "negative base");
    assertFalse(a.isFree(2 * MiB, Long.MAX_VALUE), "the end overflows");
  }

  @Test
  void aRangeEndingAtTheTopOfTheAddressSpaceIsFree() {
    long top = Long.MAX_VALUE;
    PamtArena a = new PamtArena(List.of(new MemoryBlock(top - GiB, top, 0)));
    assertTrue(a.isFree(top - 4 * KiB, 4 * KiB));
  }

  @Test
  void placedChunksAreNotFreeButTheirNeighboursAre() {
    PamtArena a = arena();
    a.occupy(GiB, 8 * KiB);
    assertFalse(a.isFree(GiB, 4 * KiB));
    assertFalse(a.isFree(GiB + 4 * KiB, 4 * KiB), "the chunk's last page");
    assertFalse(a.isFree(GiB - 4 * KiB, 8 * KiB), "overlapping its first page");
    assertTrue(a.isFree(GiB - 4 * KiB, 4 * KiB), "ending where the chunk starts");
    assertTrue(a.isFree(GiB + 8 * KiB, 4 * KiB), "starting where the chunk ends");
    assertEquals(new AddressRange(GiB, GiB + 8 * KiB), a.occupiedOverlap(GiB + 4 * KiB, MiB));
    assertNull(a.occupiedOverlap(GiB + 8 * KiB, MiB));
    assertNull(a.occupiedOverlap(GiB - MiB, MiB));
  }

  @Test
  void touchingChunksCoalesceIntoOneRun() {
    // Placed upwards: the second starts where the first ends.
    PamtArena up = arena();
    up.occupy(GiB, 4 * KiB);
    up.occupy(GiB + 4 * KiB, 4 * KiB);
    assertEquals(new AddressRange(GiB, GiB + 8 * KiB), up.occupiedOverlap(GiB + 4 * KiB, 4 * KiB));
    // Placed downwards: the second ends where the first starts.
    PamtArena down = arena();
    down.occupy(GiB + 4 * KiB, 4 * KiB);
    down.occupy(GiB, 4 * KiB);
    assertEquals(new AddressRange(GiB, GiB + 8 * KiB), down.occupiedOverlap(GiB + 4 * KiB, 4 * KiB));
    // A chunk filling the gap between two runs joins all three.
    PamtArena gap = arena();
    gap.occupy(GiB, 4 * KiB);
    gap.occupy(GiB + 8 * KiB, 4 * KiB);
    assertEquals(new AddressRange(GiB + 8 * KiB, GiB + 12 * KiB), gap.occupiedOverlap(GiB + 8 * KiB, 4 * KiB));
    gap.occupy(GiB + 4 * KiB, 4 * KiB);
    assertEquals(new AddressRange(GiB, GiB + 12 * KiB), gap.occupiedOverlap(GiB, 12 * KiB));
    // Chunks a page apart stay apart.
    PamtArena apart = arena();
    apart.occupy(GiB, 4 * KiB);
    apart.occupy(GiB + 8 * KiB, 4 * KiB);
    assertEquals(new AddressRange(GiB, GiB + 4 * KiB), apart.occupiedOverlap(GiB, 4 * KiB));
    assertTrue(apart.isFree(GiB + 4 * KiB, 4 * KiB));
  }

  @Test
  void aSearchResumesWhereTheLastOneWithTheSameKeyStopped() {
    PamtArena a = arena();
    PamtArena.SearchKey key = new PamtArena.SearchKey("kernel", 0, Zone.DMA32, 8 * KiB);
    assertEquals(2 * MiB, a.resumeAt(key, 2 * MiB), "the first search starts at the fallback");
    a.stoppedAt(key, GiB);
    assertEquals(GiB, a.resumeAt(key, 2 * MiB));
    assertEquals(2 * MiB, a.resumeAt(new PamtArena.SearchKey("kernel", 0, Zone.DMA32, 4 * KiB), 2 * MiB),
        "another size searches afresh");
  }
}
