package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;

/**
 * The model of {@code alloc_contig_pages}: in each zone, candidates {@code ALIGN(zone_start_pfn,
 * nr_pages) + k * nr_pages} upwards, the first wholly inside one block of the zone and clear of
 * placed chunks. {@code ALIGN(x, a)} is the kernel's {@code (x + a - 1) & ~(a - 1)}, worked by hand
 * below for sizes that are not powers of two.
 */
class KernelPamtPlacementTest {
  private static final long PAGE = 4096;
  private static final long GiB = 1L << 30;

  private static final KernelPamtPlacement KERNEL = new KernelPamtPlacement();

  /** Asks for {@code pages} pages on {@code node} and records the answer as the greedy does. */
  private static OptionalLong place(PamtArena arena, int node, long pages) {
    OptionalLong base = KERNEL.place(new PamtRequest(0, new AddressRange(0, GiB), node, pages * PAGE), arena);
    base.ifPresent(b -> arena.occupy(b, pages * PAGE));
    return base;
  }

  @Test
  void kernelAlignIsTheKernelsMacroNotARoundingUp() {
    // Powers of two: a true rounding up.
    assertEquals(8, KernelPamtPlacement.kernelAlign(5, 4));
    assertEquals(8, KernelPamtPlacement.kernelAlign(8, 4));
    // ALIGN(2, 3) = (2 + 2) & ~2 = 4, not 3; ALIGN(1, 3) = 3 & ~2 = 1.
    assertEquals(4, KernelPamtPlacement.kernelAlign(2, 3));
    assertEquals(1, KernelPamtPlacement.kernelAlign(1, 3));
    // Vector 1's chunks: ALIGN(2^20, 2053) = (2^20 + 0x804) & ~0x804 = 2^20.
    assertEquals(1L << 20, KernelPamtPlacement.kernelAlign(1L << 20, 2053));
  }

  @Test
  void theSearchStartsAtTheAlignedZoneStart() {
    // Node 0's ZONE_NORMAL starts at pfn 0x100002 (4G + 8K). Three pages: ALIGN(0x100002, 3) =
    // 0x100004 & ~2 = 0x100004, so the first candidate is 4G + 16K, though 4G + 8K is free.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB + 2 * PAGE, 5 * GiB, 0)));
    assertEquals(OptionalLong.of(4 * GiB + 4 * PAGE), place(arena, 0, 3));
    // The next three-page chunk steps by three pages: 0x100007.
    assertEquals(OptionalLong.of(4 * GiB + 7 * PAGE), place(arena, 0, 3));
  }

  @Test
  void candidatesStayOnTheGridPastPiecesTooSmallAndPlacedChunks() {
    // Two pages (grid 4G + 2k pages, ALIGN(0x100000, 2) = 0x100000). Blocks of node 0: [4G, 4G + 1p)
    // and [4G + 2p, 4G + 3p) are too small; [4G + 5p, 4G + 1G) is the first that can hold two
    // pages, and its first grid position is 4G + 6p.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 4 * GiB + PAGE, 0),
        new MemoryBlock(4 * GiB + 2 * PAGE, 4 * GiB + 3 * PAGE, 0), new MemoryBlock(4 * GiB + 5 * PAGE, 5 * GiB, 0)));
    assertEquals(OptionalLong.of(4 * GiB + 6 * PAGE), place(arena, 0, 2));
    // A three-page chunk placed by hand at [4G + 8p, 4G + 11p) joins the first into one run
    // [6p, 11p): the next two-page search jumps from 6p to the first grid position at or after 11p.
    arena.occupy(4 * GiB + 8 * PAGE, 3 * PAGE);
    assertEquals(OptionalLong.of(4 * GiB + 12 * PAGE), place(arena, 0, 2));
  }

  @Test
  void aChunkEndingExactlyAtTheZonesEndFits() {
    // Node 0 has exactly four pages at 4G: two two-page chunks fill it, a third finds no room.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 4 * PAGE, 0)));
    assertEquals(OptionalLong.of(4 * GiB), place(arena, 0, 2));
    assertEquals(OptionalLong.of(4 * GiB + 2 * PAGE), place(arena, 0, 2));
    assertEquals(OptionalLong.empty(), place(arena, 0, 2));
  }

  @Test
  void aCandidateAtAPiecesVeryStartIsTaken() {
    // Pieces [4G, 4G + 1p) and [4G + 4p, 4G + 8p): with four pages the grid is 4G + 4k pages and
    // 4G + 4p is both a grid position and the start of the piece that holds the chunk.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 4 * GiB + PAGE, 0),
        new MemoryBlock(4 * GiB + 4 * PAGE, 4 * GiB + 8 * PAGE, 0)));
    assertEquals(OptionalLong.of(4 * GiB + 4 * PAGE), place(arena, 0, 4));
  }

  @Test
  void zonesAreTriedNormalThenLowerOnThePreferredNodeThenOtherNodesByAscendingId() {
    // Node 2: [1G, 1G + 2p) below 4 GiB and [4G, 4G + 2p) above; node 0: [2G, 2G + 2p); node 1:
    // [5G, 5G + 2p). Two-page chunks for node 2 take its ZONE_NORMAL, then its lower zone, then node
    // 0, then node 1; then nothing is left.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(GiB, GiB + 2 * PAGE, 2),
        new MemoryBlock(2 * GiB, 2 * GiB + 2 * PAGE, 0), new MemoryBlock(4 * GiB, 4 * GiB + 2 * PAGE, 2),
        new MemoryBlock(5 * GiB, 5 * GiB + 2 * PAGE, 1)));
    assertEquals(OptionalLong.of(4 * GiB), place(arena, 2, 2));
    assertEquals(OptionalLong.of(GiB), place(arena, 2, 2));
    assertEquals(OptionalLong.of(2 * GiB), place(arena, 2, 2));
    assertEquals(OptionalLong.of(5 * GiB), place(arena, 2, 2));
    assertEquals(OptionalLong.empty(), place(arena, 2, 2));
  }

  @Test
  void aNodeWithoutMemoryGoesStraightToTheOthers() {
    // tdmr_get_nid fell back to node 0, which has no memory here: node 1 is searched.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 5 * GiB, 1)));
    assertEquals(OptionalLong.of(4 * GiB), place(arena, 0, 2));
  }

  @Test
  void aSearchOfAnotherSizeStartsAfresh() {
    // Four pages fill [4G, 4G + 4p) of [4G, 4G + 8p); a one-page search then starts at the zone's
    // start again and finds 4G + 4p, the first free page.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 8 * PAGE, 0)));
    assertEquals(OptionalLong.of(4 * GiB), place(arena, 0, 4));
    assertEquals(OptionalLong.of(4 * GiB + 4 * PAGE), place(arena, 0, 1));
    assertEquals(OptionalLong.of(4 * GiB + 5 * PAGE), place(arena, 0, 1));
  }

  @Test
  void eachSearchRecordsWhereItStoppedForTheNextOfTheSameSize() {
    // The arena's resume contract (PamtArena.SearchKey): a search leaves its answer, or a sentinel
    // past every address when it found none, so the next search of that size on that node and zone
    // starts there instead of at the zone's start. Node 0 has [4G, 4G + 4p): the first two-page
    // chunk is at 4G, the second at 4G + 2p, a third finds no room.
    PamtArena arena = new PamtArena(List.of(new MemoryBlock(4 * GiB, 4 * GiB + 4 * PAGE, 0)));
    PamtArena.SearchKey twoPages = new PamtArena.SearchKey("kernel", 0, Zone.NORMAL, 2 * PAGE);
    place(arena, 0, 2);
    assertEquals(4 * GiB, arena.resumeAt(twoPages, -1));
    place(arena, 0, 2);
    assertEquals(4 * GiB + 2 * PAGE, arena.resumeAt(twoPages, -1));
    place(arena, 0, 2);
    assertEquals(Long.MAX_VALUE, arena.resumeAt(twoPages, -1));
    // Node 0 has no memory below 4 GiB, so no search of its DMA32 zone ran.
    assertEquals(-1, arena.resumeAt(new PamtArena.SearchKey("kernel", 0, Zone.DMA32, 2 * PAGE), -1));
  }
}
