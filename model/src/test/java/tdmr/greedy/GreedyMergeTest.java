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
    LayoutVerifier.requireValid(map, limits, Policy.DEFAULT, b.layout());
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
}
