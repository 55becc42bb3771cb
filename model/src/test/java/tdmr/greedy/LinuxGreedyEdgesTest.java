package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.check.Rule;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Pamt;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.TdxLimits;

/**
 * The kernel's construction where one comparison decides: blocks without a whole page, a block
 * ending exactly at a TDMR's base, a PAMT chunk starting exactly at a TDMR's end, the order of PAMT
 * pieces, the node-0 fallback, and misaligned CMRs. Expected values follow the kernel's code
 * (research/kernel-greedy.md) by hand; a 1 GiB TDMR's chunk is 1027 pages, a 2 GiB TDMR's 2053.
 */
class LinuxGreedyEdgesTest {
  private static final long PAGE = 4096;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final long CHUNK_1G = 1027 * PAGE;
  private static final long CHUNK_2G = 2053 * PAGE;

  private static GreedyResult.Built built(GreedyResult r) {
    return assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
  }

  private static GreedyResult.Failed failed(GreedyResult r) {
    return assertInstanceOf(GreedyResult.Failed.class, r, () -> String.join("\n", r.messages()));
  }

  private static LinuxGreedy given(Long... bases) {
    return new LinuxGreedy(Policy.Holes.MEMLIST, new GivenPamtPlacement(List.of(bases)));
  }

  @Test
  void memoryListDropsBlocksWithoutAWholePageAboveOneMib() {
    // [0x9f000, 1M) is all below 1 MiB; [0x100800, 0x101800) holds no whole page (PFN_UP and
    // PFN_DOWN meet at 0x101000); [2M, 3M) stays.
    assertEquals(List.of(new MemoryBlock(2 * MiB, 3 * MiB, 0)), LinuxGreedy.memoryList(List.of(
        new MemoryBlock(0x9f000, MiB, 0), new MemoryBlock(0x100800, 0x101800, 0), new MemoryBlock(2 * MiB, 3 * MiB, 0))));
  }

  @Test
  void aBlockEndingExactlyAtATdmrsBaseDoesNotGiveItsNode() {
    // [1M, 1G) node 0 and [1G, 2G) node 1: TDMRs [0, 1G) and [1G, 2G). tdmr_get_nid for [1G, 2G) skips
    // the block ending at 1G (end_pfn > base is false) and takes node 1, whose lower zone starts at
    // pfn 0x40000: ALIGN(0x40000, 1027) = 0x40402 & ~0x402 = 0x40000, so the chunk sits at 1 GiB.
    var r = built(LinuxGreedy.mainline().construct(MemoryMap.ofBlocks("two nodes",
        List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, 2 * GiB, 1))), TdxLimits.DEFAULT));
    assertEquals(1, r.tdmrs().get(1).node());
    assertEquals(GiB, r.layout().tdmrs().get(1).pamt().fourK().base());
  }

  @Test
  void fillOutTdmrsStopsAfterTheFirstTdmrThatDoesNotFit() {
    // Six islands [2kG, (2k+1)G), four TDMRs allowed: the four that fit and the fifth, no sixth.
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 1; k <= 6; k++) {
      blocks.add(new MemoryBlock(2 * k * GiB, (2 * k + 1) * GiB, 0));
    }
    List<AddressRange> tdmrs = LinuxGreedy.fillOutTdmrs(blocks, 4);
    assertEquals(5, tdmrs.size());
    assertEquals(new AddressRange(10 * GiB, 11 * GiB), tdmrs.get(4));
  }

  @Test
  void aTdmrWithNoBlockEndingAfterItsBaseFallsBackToNodeZero() {
    // Memory [1M, 2G) on node 1 only; TDMRs [0, 2G) and [4G, 5G) given by hand. No block ends after
    // 4G: the kernel warns and asks node 0, which has no memory, so node 1's lower zone serves. Chunk
    // 0 (2053 pages) sits at ALIGN(256, 2053) = 256 (1 MiB); chunk 1 (1027 pages) starts at
    // ALIGN(256, 1027) = 256 and steps by 1027 past pfn 256 + 2053: pfn 256 + 2054 = 2310 (0x906000).
    List<MemoryBlock> memlist = List.of(new MemoryBlock(MiB, 2 * GiB, 1));
    LinuxGreedy.PamtSetUp setUp = LinuxGreedy.mainline().setUpPamtAll(memlist,
        List.of(new AddressRange(0, 2 * GiB), new AddressRange(4 * GiB, 5 * GiB)), TdxLimits.DEFAULT);
    assertEquals(OptionalInt.empty(), setUp.failedTdmr());
    assertEquals(List.of("TDMR [0x100000000, 0x140000000): unable to find local NUMA node for PAMT allocation,"
        + " fallback to use node 0."), setUp.warnings());
    GreedyTdmr t0 = setUp.tdmrs().get(0);
    GreedyTdmr t1 = setUp.tdmrs().get(1);
    assertEquals(1, t0.node());
    assertFalse(t0.nodeFallback());
    assertEquals(MiB, t0.pamt().orElseThrow().fourK().base());
    assertEquals(0, t1.node());
    assertTrue(t1.nodeFallback());
    assertEquals(2310 * PAGE, t1.pamt().orElseThrow().fourK().base());
  }

  @Test
  void aPamtFailureKeepsTheChunksPlacedBeforeIt() {
    // Node 0: [1M, 1M + 1100 pages) and [1G, 1G + 1024 pages); TDMRs [0, 1G) and [1G, 2G). Chunk 0
    // (1027 pages) at 1 MiB; chunk 1 would start at pfn 256 + 1027 = 1283, where 73 pages are left,
    // and the 1024-page block is too small: -ENOMEM at TDMR 1, with TDMR 0's chunk kept.
    MemoryMap map = MemoryMap.ofBlocks("tight", List.of(new MemoryBlock(MiB, MiB + 1100 * PAGE, 0),
        new MemoryBlock(GiB, GiB + 1024 * PAGE, 0)));
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(OptionalInt.of(1), f.failingTdmr());
    assertEquals(MiB, f.tdmrs().get(0).pamt().orElseThrow().fourK().base());
    assertEquals(0, f.tdmrs().get(1).node());
    assertTrue(f.tdmrs().get(1).pamt().isEmpty());
  }

  @Test
  void pamtPiecesAreAddedInTdmrOrderNotAddressOrder() {
    // TDMRs [0, 2G) and [4G, 6G); chunk 0 given at 5G, chunk 1 at 4G: both in TDMR 1, which adds
    // them as the kernel walks tdmr_list (chunk 0, then chunk 1), and sorts them by offset only in
    // TDMR_INFO.
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 6 * GiB, 0)));
    var r = built(given(5 * GiB, 4 * GiB).construct(map, TdxLimits.DEFAULT));
    assertEquals(List.of(ReservedAreaUse.pamt(AddressRange.ofSize(5 * GiB, CHUNK_2G), 0),
        ReservedAreaUse.pamt(AddressRange.ofSize(4 * GiB, CHUNK_2G), 1)), r.tdmrs().get(1).reservedUses());
    assertEquals(List.of(new ReservedArea(0, CHUNK_2G), new ReservedArea(GiB, CHUNK_2G)),
        r.layout().tdmrs().get(1).reserved());
  }

  @Test
  void aChunkStartingExactlyAtATdmrsEndIsNotReservedInIt() {
    // [1M, 1G) on node 0 and [1G, 2G) on node 1 (two nodes, so memblock keeps them apart): TDMRs
    // [0, 1G) and [1G, 2G). Chunk 0 given at 1G, chunk 1 right after it: TDMR 0 reserves only its
    // hole [0, 1M), TDMR 1 both chunks.
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, 2 * GiB, 1)));
    var r = built(given(GiB, GiB + CHUNK_1G).construct(map, TdxLimits.DEFAULT));
    assertEquals(List.of(ReservedAreaUse.hole(new AddressRange(0, MiB))), r.tdmrs().get(0).reservedUses());
    assertEquals(2, r.tdmrs().get(1).reservedUses().size());
  }

  @Test
  void cmrsThatAreNotPageAlignedGiveAMisalignedReservedAreaAndEinval() {
    // CMR holes: CMRs [1M, 512M + 2K) and [513M - 2K, 1G) around blocks [1M, 512M) and [513M, 1G).
    // TDMR [0, 1G) adds the hole [0, 1M), then [512M + 2K, 513M - 2K): not 4 KiB aligned, the
    // kernel's WARN and -EINVAL.
    MemoryMap map = MemoryMap.of("misaligned", List.of(new MemoryBlock(MiB, 512 * MiB, 0), new MemoryBlock(513 * MiB, GiB, 0)),
        List.of(new AddressRange(MiB, 512 * MiB + 2048), new AddressRange(513 * MiB - 2048, GiB)));
    GreedyResult.Failed f = failed(LinuxGreedy.cmrHoles().construct(map, TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.RESERVED_AREA_MISALIGNED, f.cause());
    assertEquals(-22, f.errno().value());
    assertEquals(Rule.C5_RESERVED_4K_ALIGNED, f.rule());
    assertEquals(OptionalInt.of(0), f.failingTdmr());
    assertEquals(Optional.of(new AddressRange(512 * MiB + 2048, 513 * MiB - 2048)), f.offendingRange());
    assertEquals(List.of("TDMR [0x0, 0x40000000): reserved area [0x20000800, 0x200ff800) is not 4K aligned",
        "module initialization failed (-22)"), f.messages());
  }

  @Test
  void reservedAreasNeedEveryPamtPlacedAndTdmrInfoNeedsItsOwn() {
    GreedyTdmr noPamt = new GreedyTdmr(0, new AddressRange(0, GiB), 0, false, Optional.empty(), List.of());
    assertThrows(IllegalArgumentException.class,
        () -> LinuxGreedy.populateReservedAreasAll(List.of(noPamt), List.of(new AddressRange(MiB, GiB))));
    assertThrows(IllegalStateException.class, noPamt::toTdmr);
  }

  @Test
  void aTdmrPastEveryHoleSourceRangeIsOneHole() {
    // tdmr_populate_rsvd_holes for TDMR [2G, 3G) over the one range [1M, 1G): the range ends before
    // the base and is skipped, the loop ends with prev_end still at the base, and the tail
    // [prev_end, tdmr_end) = [2G, 3G) becomes the one hole. The TDMR's PAMT chunk at 512 MiB lies
    // outside it and adds no piece.
    GreedyTdmr past = new GreedyTdmr(0, new AddressRange(2 * GiB, 3 * GiB), 0, false,
        Optional.of(Pamt.kernelChunk(512 * MiB, GiB, TdxLimits.DEFAULT)), List.of());
    List<GreedyTdmr> populated = LinuxGreedy.populateReservedAreasAll(List.of(past), List.of(new AddressRange(MiB, GiB)));
    assertEquals(List.of(ReservedAreaUse.hole(new AddressRange(2 * GiB, 3 * GiB))), populated.get(0).reservedUses());
  }

  @Test
  void aPamtRequestIsAPositiveNumberOfPages() {
    AddressRange t = new AddressRange(0, GiB);
    assertEquals(PAGE, new PamtRequest(0, t, 0, PAGE).bytes());
    assertThrows(IllegalArgumentException.class, () -> new PamtRequest(0, t, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new PamtRequest(0, t, 0, PAGE + 2048));
  }
}
