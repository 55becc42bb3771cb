package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Remote PAMT bytes from the definition in {@link RemotePamt}'s class comment: for each TDMR, level
 * and 1 GiB granule holding TDX memory, the level's module minimum for 1 GiB counts when some node of
 * the level has no memory in the granule.
 *
 * <p>Per GiB with 16-byte entries (rule D2, unrounded): 4K level 2^30 / 2^12 * 16 = 4 MiB = 4 194 304
 * bytes, 2M level 2^30 / 2^21 * 16 = 8 KiB = 8 192 bytes, 1G level 16 bytes; 4 202 512 bytes for all
 * three. With Dynamic PAMT the 4K level is a bitmap of 2^18 bits = 32 KiB (rule D3).
 */
class RemotePamtTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final long FOUR_K_PER_GIB = 4 * MiB;
  private static final long TWO_M_PER_GIB = 8 * 1024;
  private static final long ONE_G_PER_GIB = 16;
  private static final long ALL_LEVELS_PER_GIB = FOUR_K_PER_GIB + TWO_M_PER_GIB + ONE_G_PER_GIB;

  private static RemotePamt remote(MemoryBlock... blocks) {
    return new RemotePamt(MemoryMap.ofBlocks("test", List.of(blocks)), TdxLimits.DEFAULT);
  }

  /** A TDMR whose three levels sit back to back at {@code pamtBase} (reserved areas do not matter here). */
  private static Tdmr tdmr(long base, long size, long pamtBase) {
    return new Tdmr(base, size, Pamt.kernelChunk(pamtBase, size, TdxLimits.DEFAULT), List.of());
  }

  /** A TDMR whose three levels are the same range (overlap does not matter here either). */
  private static Tdmr tdmrWithLevelsAt(long base, long size, long pamtBase, long pamtSize) {
    PamtRange r = new PamtRange(pamtBase, pamtSize);
    return new Tdmr(base, size, new Pamt(r, r, r), List.of());
  }

  @Test
  void pamtsOnTheNodeOfTheirTdmrsMemoryCostNothing() {
    // The two-TDMR machine: TDMR 0 on node 0 with its PAMT at 0x7F000000 (node 0), TDMR 1 on node 1
    // with its PAMT at 4 GiB + 0x7F000000 (node 1).
    RemotePamt remote = new RemotePamt(TwoTdmrMachine.MAP, TdxLimits.DEFAULT);
    assertEquals(0, remote.bytes(TwoTdmrMachine.LAYOUT));
  }

  @Test
  void aPamtOnAnotherNodeCostsEachLevelsMinimumPerGranuleWithMemory() {
    // TDMR 1 [4G, 6G) (node 1 memory in both granules) gets its PAMT on node 0 at 0x7E000000.
    RemotePamt remote = new RemotePamt(TwoTdmrMachine.MAP, TdxLimits.DEFAULT);
    Tdmr moved = TwoTdmrMachine.withPamt(TwoTdmrMachine.TDMR1, TwoTdmrMachine.chunk(0x7E000000L));
    assertEquals(2 * FOUR_K_PER_GIB, remote.levelBytes(moved, PageSize.SIZE_4K));
    assertEquals(2 * TWO_M_PER_GIB, remote.levelBytes(moved, PageSize.SIZE_2M));
    assertEquals(2 * ONE_G_PER_GIB, remote.levelBytes(moved, PageSize.SIZE_1G));
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(moved));
    // The layout adds TDMR 0's nothing to TDMR 1's 2 * 4 202 512 bytes.
    assertEquals(8_405_024L, remote.bytes(TwoTdmrMachine.with(1, moved)));
  }

  @Test
  void everyRemoteTdmrOfALayoutCounts() {
    // Both PAMTs swapped to the other node: each TDMR has two granules with memory, all remote.
    RemotePamt remote = new RemotePamt(TwoTdmrMachine.MAP, TdxLimits.DEFAULT);
    Layout swapped = new Layout(List.of(
        TwoTdmrMachine.withPamt(TwoTdmrMachine.TDMR0, TwoTdmrMachine.chunk(4 * GiB + TwoTdmrMachine.PAMT_OFFSET)),
        TwoTdmrMachine.withPamt(TwoTdmrMachine.TDMR1, TwoTdmrMachine.chunk(TwoTdmrMachine.PAMT_OFFSET))));
    assertEquals(4 * ALL_LEVELS_PER_GIB, remote.bytes(swapped));
  }

  @Test
  void aGranuleWithMemoryOfBothNodesIsLocalToALevelOnEither() {
    // Node 0 [1M, 1.5G), node 1 [1.5G, 2G); TDMR [0, 2G). Granule 0 holds node 0 only, granule 1
    // both nodes. A PAMT on node 0 (at 512 MiB) is local to both granules; one on node 1 (at
    // 1.75G) is remote to granule 0 only.
    RemotePamt remote = remote(new MemoryBlock(MiB, 1536 * MiB, 0), new MemoryBlock(1536 * MiB, 2 * GiB, 1));
    assertEquals(0, remote.bytes(tdmr(0, 2 * GiB, 512 * MiB)));
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, 2 * GiB, 1792 * MiB)));
  }

  @Test
  void aGranuleIsJudgedByItsOwnMemoryNotByTheGranulesBeforeIt() {
    // Node 1 [1M, 1G), node 0 [1G, 2G); TDMR [0, 2G) with its PAMT on node 1 (at 512 MiB): granule 0
    // is local, granule 1 (node 0 only) remote, however local granule 0 was.
    RemotePamt remote = remote(new MemoryBlock(MiB, GiB, 1), new MemoryBlock(GiB, 2 * GiB, 0));
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, 2 * GiB, 512 * MiB)));
  }

  @Test
  void aGranuleWithoutTdxMemoryIsNeverRemote() {
    // Node 0 [1M, 1G) and [2G, 3G), node 1 [4G, 5G). TDMR [0, 3G) with its PAMT on node 1 (at 4G):
    // granules 0 and 2 hold node 0 memory and are remote; granule 1 holds no memory and costs nothing.
    RemotePamt remote = remote(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0),
        new MemoryBlock(4 * GiB, 5 * GiB, 1));
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, 3 * GiB, 4 * GiB)));
  }

  @Test
  void severalBlocksInOneGranuleCountItOnce() {
    // Node 0 [1M, 256M), [512M, 768M) and [1G + 4K, 2G), all in TDMR [0, 2G); the PAMT on node 1 (at
    // 4G). Granule 0 holds two blocks and granule 1 one: two remote granules, not three.
    RemotePamt remote = remote(new MemoryBlock(MiB, 256 * MiB, 0), new MemoryBlock(512 * MiB, 768 * MiB, 0),
        new MemoryBlock(GiB + 4096, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1));
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, 2 * GiB, 4 * GiB)));
  }

  @Test
  void onlyTheTdmrsOwnGranulesCount() {
    // One node 0 block [1M, 4G) spans TDMRs [0, 1G) and [1G, 4G); a PAMT on node 1 (at 4G) for the
    // 1 GiB TDMR [1G, 2G) is remote to its one granule only, not to the block's other three.
    RemotePamt remote = remote(new MemoryBlock(MiB, 4 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1));
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmr(GiB, GiB, 4 * GiB)));
    // The TDMR [0, 1G): its one granule (memory from 1M) only.
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, GiB, 4 * GiB)));
  }

  @Test
  void aLevelStraddlingTwoNodesIsLocalOnlyToGranulesHoldingBoth() {
    // Node 0 [1M, 1G + 512M), node 1 [1G + 512M, 3G); TDMR [0, 3G). Each level is the range
    // [1.5G - 4M, 1.5G + 4M), on both nodes. Granule 0 (node 0) and granule 2 (node 1) are remote,
    // granule 1 (both nodes) is local.
    RemotePamt remote = remote(new MemoryBlock(MiB, 1536 * MiB, 0), new MemoryBlock(1536 * MiB, 3 * GiB, 1));
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, 3 * GiB, 1536 * MiB - 4 * MiB, 8 * MiB)));
  }

  @Test
  void aLevelStartingWhereAnotherNodesMemoryEndsBelongsToTheNextNodeOnly() {
    // Node 0 [1M, 1G), node 1 [1G, 2G); TDMR [0, 2G); each level is [1G, 1G + 4M): node 1 only, so
    // granule 0 (node 0) is remote and granule 1 (node 1) local.
    RemotePamt remote = remote(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, 2 * GiB, 1));
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, 2 * GiB, GiB, 4 * MiB)));
  }

  @Test
  void aLevelEndingWhereAnotherNodesMemoryBeginsBelongsToTheFirstNodeOnly() {
    // The same machine; each level is [1G - 4M, 1G): node 0 only, so granule 1 is remote.
    RemotePamt remote = remote(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, 2 * GiB, 1));
    assertEquals(ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, 2 * GiB, GiB - 4 * MiB, 4 * MiB)));
  }

  @Test
  void aLevelOutsideTdxMemoryIsRemoteToEveryGranuleWithMemory() {
    // Node 0 [1M, 2G); TDMR [0, 2G) with its levels at 3G, where there is no TDX memory: both
    // granules are remote, though every byte of memory is on one node.
    RemotePamt remote = remote(new MemoryBlock(MiB, 2 * GiB, 0));
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmr(0, 2 * GiB, 3 * GiB)));
    // An empty level overlaps no memory either.
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, 2 * GiB, 512 * MiB, 0)));
  }

  @Test
  void dynamicPamtCountsTheBitmapsMinimum() {
    // Rule D3: the 4K level is one bit per page, 32 KiB per GiB; 2M and 1G levels unchanged.
    TdxLimits dpamt = new TdxLimits(64, 16, 16, 16, 16, true, 48);
    RemotePamt remote = new RemotePamt(MemoryMap.ofBlocks("test",
        List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1))), dpamt);
    Tdmr t = tdmr(0, GiB, 4 * GiB);
    assertEquals(32 * 1024, remote.levelBytes(t, PageSize.SIZE_4K));
    assertEquals(32 * 1024 + TWO_M_PER_GIB + ONE_G_PER_GIB, remote.bytes(t));
  }

  @Test
  void aTdmrThatIsNoRangeDescribesNothing() {
    // Raw fields from a binary file: a negative base, an end past 2^63, a size of 0.
    RemotePamt remote = remote(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1));
    assertEquals(0, remote.bytes(tdmr(-GiB, 2 * GiB, 4 * GiB)));
    assertEquals(0, remote.bytes(tdmr(GiB, Long.MAX_VALUE, 4 * GiB)));
    assertEquals(0, remote.bytes(tdmr(GiB, 0, 4 * GiB)));
  }

  @Test
  void aLevelAtAddressZeroIsOnTheNodesOfTheMemoryItOverlaps() {
    // Node 0 [1M, 1G); TDMR [0, 1G) with each level at [0, 2M): the level overlaps node 0's
    // [1M, 2M), so its one granule (node 0) is local. Address 0 is a range's start like any other.
    RemotePamt remote = remote(new MemoryBlock(MiB, GiB, 0));
    assertEquals(0, remote.bytes(tdmrWithLevelsAt(0, GiB, 0, 2 * MiB)));
  }

  @Test
  void rangesEndingAtTheLastAddressBelow2To63AreRanges() {
    // base + size = 2^63 - 1 still fits 63 bits. Node 0 [1M, 2G), node 1 [4G, 5G).
    RemotePamt remote = remote(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1));
    // TDMR [0, 2^63 - 1) with its levels on node 1 at 4G: node 0's two granules are remote, node 1's
    // granule [4G, 5G) is local.
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, Long.MAX_VALUE, 4 * GiB, 4 * MiB)));
    // TDMR [0, 2G) with each level [1M, 2^63 - 1): the levels overlap memory of both nodes, and the
    // TDMR's granules hold node 0 only, so both are remote.
    assertEquals(2 * ALL_LEVELS_PER_GIB, remote.bytes(tdmrWithLevelsAt(0, 2 * GiB, MiB, Long.MAX_VALUE - MiB)));
    // With node 0's memory only, the same levels are on node 0 alone and local to both granules.
    RemotePamt oneNode = remote(new MemoryBlock(MiB, 2 * GiB, 0));
    assertEquals(0, oneNode.bytes(tdmrWithLevelsAt(0, 2 * GiB, MiB, Long.MAX_VALUE - MiB)));
  }

  @Test
  void aTdmrOfSizeZeroHasNoGranuleWhereverItsBase() {
    // A raw TDMR of size 0 at 1G + 2M, inside node 0's memory and not 1 GiB aligned: no granule,
    // nothing remote, though its levels sit on node 1.
    RemotePamt remote = remote(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 1));
    assertEquals(0, remote.bytes(tdmrWithLevelsAt(GiB + 2 * MiB, 0, 4 * GiB, 4 * MiB)));
  }
}
