package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class LinuxGreedyTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static MemoryMap map(MemoryBlock... blocks) {
    return MemoryMap.ofBlocks("test", List.of(blocks));
  }

  private static GreedyResult.Built built(GreedyResult r) {
    return assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
  }

  private static List<AddressRange> reserved(Tdmr t) {
    return t.reservedRanges();
  }

  /**
   * The kernel's own example: blocks [1M,2G) and [4G,34G) on node 0.
   *
   * <p>TDMRs [0,2G) and [4G,34G). PAMT chunks: 2 GiB -> 8 MiB + 16 KiB + 4 KiB = 2053 pages; 30 GiB
   * -> 120 MiB + 240 KiB + 4 KiB = 30781 pages. Node 0's ZONE_NORMAL is [4G,34G), start pfn 2^20.
   * TDMR0: ALIGN(2^20, 2053) = (2^20 + 0x804) & ~0x804 = 2^20, so its chunk sits at 4G. TDMR1:
   * ALIGN(2^20, 30781) = (2^20 + 0x783c) & ~0x783c = 2^20 again, which overlaps TDMR0's chunk; the
   * next step is 2^20 + 30781 pages. TDMR0 reserves only [0,1M); TDMR1 has no hole but holds both
   * chunks. PAMT total (4104*2+4) + (4104*30+4) = 8212 + 123124 = 131336 KB.
   */
  @Test
  void vectorOneTwoTdmrsChunksInZoneNormal() {
    var r = built(LinuxGreedy.mainline().construct(
        map(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 34 * GiB, 0)), TdxLimits.DEFAULT));
    Layout l = r.layout();
    assertEquals(2, l.size());
    assertEquals(new AddressRange(0, 2 * GiB), l.tdmrs().get(0).range());
    assertEquals(new AddressRange(4 * GiB, 34 * GiB), l.tdmrs().get(1).range());
    assertEquals(4 * GiB, l.tdmrs().get(0).pamt().fourK().base());
    assertEquals(8 * MiB, l.tdmrs().get(0).pamt().fourK().size());
    assertEquals(16 * KiB, l.tdmrs().get(0).pamt().twoM().size());
    assertEquals(4 * KiB, l.tdmrs().get(0).pamt().oneG().size());
    assertEquals(4 * GiB + 30781 * PAGE, l.tdmrs().get(1).pamt().fourK().base());
    assertEquals(120 * MiB + 240 * KiB + 4 * KiB, l.tdmrs().get(1).pamt().totalBytes());
    assertEquals(List.of(new AddressRange(0, MiB)), reserved(l.tdmrs().get(0)));
    assertEquals(
        List.of(AddressRange.ofSize(4 * GiB, 2053 * PAGE), AddressRange.ofSize(4 * GiB + 30781 * PAGE, 30781 * PAGE)),
        reserved(l.tdmrs().get(1)));
    assertEquals(131336 * KiB, r.pamtBytes());
    assertEquals(List.of("131336 KB allocated for PAMT", "module initialized"), r.messages());
  }

  /**
   * §10 vector 2: [1M,1.5G) node 0, [1.75G,3G) node 1. TDMR0 [0,2G); block 2 ends at 3G past 2G and
   * starts before it, so TDMR1 = [2G,3G) on node 1 (the first block ending after 2G).
   *
   * <p>Node 0 has no memory at or above 4 GiB, so its chunk (2053 pages) comes from the lower zone
   * starting at pfn 256: ALIGN(256, 2053) = 0x904 & ~0x804 = 256, i.e. 1 MiB. Node 1's lower zone
   * starts at pfn 0x70000 (1.75G): ALIGN(0x70000, 1027) = 0x70402 & ~0x402 = 0x70000, so TDMR1's 1027
   * page chunk sits at 1.75G, inside TDMR0. TDMR0 therefore reserves its holes [0,1M) and
   * [1.5G,1.75G) and both chunks, sorted by offset; TDMR1 reserves nothing (block 2 starts before
   * its base, so prev_end jumps to 3G).
   */
  @Test
  void vectorTwoBlockPastTheTdmrOpensANewOneOnItsNode() {
    var r = built(LinuxGreedy.mainline().construct(
        map(new MemoryBlock(MiB, 1536 * MiB, 0), new MemoryBlock(1792 * MiB, 3 * GiB, 1)), TdxLimits.DEFAULT));
    List<Tdmr> t = r.layout().tdmrs();
    assertEquals(new AddressRange(0, 2 * GiB), t.get(0).range());
    assertEquals(new AddressRange(2 * GiB, 3 * GiB), t.get(1).range());
    assertEquals(0, r.tdmrs().get(0).node());
    assertEquals(1, r.tdmrs().get(1).node());
    assertEquals(MiB, t.get(0).pamt().fourK().base());
    assertEquals(1792 * MiB, t.get(1).pamt().fourK().base());
    assertEquals(
        List.of(
            new AddressRange(0, MiB),
            AddressRange.ofSize(MiB, 2053 * PAGE),
            new AddressRange(1536 * MiB, 1792 * MiB),
            AddressRange.ofSize(1792 * MiB, 1027 * PAGE)),
        reserved(t.get(0)));
    assertEquals(List.of(), reserved(t.get(1)));
    // Kernel order before the sort: holes first, then PAMT pieces.
    assertEquals(
        List.of(ReservedAreaUse.Kind.HOLE, ReservedAreaUse.Kind.HOLE, ReservedAreaUse.Kind.PAMT, ReservedAreaUse.Kind.PAMT),
        r.tdmrs().get(0).reservedUses().stream().map(ReservedAreaUse::kind).toList());
  }

  /** m one-MiB blocks at odd MiBs of the first GiB give m + 1 holes ([0,1M), m - 1 gaps, the tail). */
  private static MemoryMap comb(int m) {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 0; k < m; k++) {
      blocks.add(new MemoryBlock((2 * k + 1) * MiB, (2 * k + 2) * MiB, 0));
    }
    blocks.add(new MemoryBlock(4 * GiB, 8 * GiB, 0)); // room for the PAMTs in ZONE_NORMAL
    return MemoryMap.ofBlocks("comb", blocks);
  }

  @Test
  void sixteenHolesFitTheSixteenReservedAreas() {
    var r = built(LinuxGreedy.mainline().construct(comb(15), TdxLimits.DEFAULT));
    assertEquals(16, r.layout().tdmrs().get(0).reservedCount());
  }

  /** §10 vector 3: the 17th add is the (max+1)-th and fails, naming the TDMR (-ENOSPC = -28). */
  @Test
  void seventeenHolesExhaustReservedAreasOfTheFirstTdmr() {
    var r = assertInstanceOf(GreedyResult.Failed.class, LinuxGreedy.mainline().construct(comb(16), TdxLimits.DEFAULT));
    assertEquals(Errno.ENOSPC, r.errno());
    assertEquals(-28, r.errno().value());
    assertEquals(GreedyResult.Stage.RESERVED_AREAS, r.stage());
    assertEquals(tdmr.check.Rule.C1_RESERVED_SLOTS, r.rule());
    assertEquals(0, r.failingTdmr().getAsInt());
    assertEquals(
        List.of(
            "initialization failed: TDMR [0x0, 0x40000000): reserved areas exhausted.",
            "module initialization failed (-28)"),
        r.messages());
  }

  /** Blocks [2kG, (2k+1)G) for k = 1..m each open their own TDMR. */
  private static MemoryMap islands(int m) {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 1; k <= m; k++) {
      blocks.add(new MemoryBlock(2 * k * GiB, (2 * k + 1) * GiB, 0));
    }
    return MemoryMap.ofBlocks("islands", blocks);
  }

  @Test
  void tdmrsExhaustedWhenTheNextTdmrIndexReachesTheMaximum() {
    var r = assertInstanceOf(GreedyResult.Failed.class,
        LinuxGreedy.mainline().construct(islands(5), TdxLimits.DEFAULT.withMaxTdmrs(4)));
    assertEquals(Errno.ENOSPC, r.errno());
    assertEquals(GreedyResult.Stage.FILL_OUT_TDMRS, r.stage());
    assertEquals(tdmr.check.Rule.A4_TDMR_COUNT, r.rule());
    assertEquals(List.of("initialization failed: TDMRs exhausted.", "module initialization failed (-28)"), r.messages());
  }

  /** 4 TDMRs of 4 leave 0 < TDMR_NR_WARN unused; 60 of 64 leave exactly 4, 61 leave 3. */
  @Test
  void warnsWhenFewerThanFourTdmrsAreLeft() {
    var full = built(LinuxGreedy.mainline().construct(islands(4), TdxLimits.DEFAULT.withMaxTdmrs(4)));
    assertEquals("consumed TDMRs reaching limit: 4 used out of 4", full.messages().get(0));
    // The kernel model packs all 60 chunks (about 4 MiB each) into the first ZONE_NORMAL TDMR
    // [4G,5G), which then needs 60 reserved areas: allow them, this test is about the warning.
    TdxLimits roomy = TdxLimits.DEFAULT.withMaxReservedPerTdmr(64);
    var sixty = built(LinuxGreedy.mainline().construct(islands(60), roomy));
    assertTrue(sixty.messages().stream().noneMatch(m -> m.startsWith("consumed TDMRs")));
    var sixtyOne = built(LinuxGreedy.mainline().construct(islands(61), roomy));
    assertEquals("consumed TDMRs reaching limit: 61 used out of 64", sixtyOne.messages().get(0));
  }

  /** Two blocks in neighbouring GiBs with a 4 KiB gap give two TDMRs, never one merged TDMR. */
  @Test
  void tdmrsAreNeverMerged() {
    var r = built(LinuxGreedy.mainline().construct(
        map(new MemoryBlock(MiB, 512 * MiB, 0), new MemoryBlock(512 * MiB + PAGE, 1536 * MiB, 0)),
        TdxLimits.DEFAULT));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)),
        r.layout().tdmrs().stream().map(Tdmr::range).toList());
  }

  /** A 1 GiB TDMR needs a 1027-page chunk; 4 MiB of memory (1024 pages) cannot hold it: -ENOMEM. */
  @Test
  void pamtAllocationFailureIsEnomemWithNoMessageOfItsOwn() {
    var r = assertInstanceOf(GreedyResult.Failed.class,
        LinuxGreedy.mainline().construct(map(new MemoryBlock(MiB, 5 * MiB, 0)), TdxLimits.DEFAULT));
    assertEquals(Errno.ENOMEM, r.errno());
    assertEquals(GreedyResult.Stage.PAMT_ALLOCATION, r.stage());
    assertEquals(List.of("module initialization failed (-12)"), r.messages());
  }

  /** The PAMT of a node without room comes from the next node with room. */
  @Test
  void pamtFallsBackToAnotherNode() {
    // Node 1 holds only 4 MiB at [5G, 5G+4M): too small for its TDMR's 1027-page chunk. Node 0's
    // ZONE_NORMAL [4G,5G) takes TDMR0's 2053-page chunk at 4G (see vector 1) and TDMR1's at the next
    // free 1027-page step: ALIGN(2^20, 1027) = 2^20 is taken, 2^20 + 1027 overlaps (2053 > 1027),
    // 2^20 + 2*1027 = 2^20 + 2054 is the first at or after 2^20 + 2053.
    var r = built(LinuxGreedy.mainline().construct(
        map(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 5 * GiB, 0),
            new MemoryBlock(5 * GiB, 5 * GiB + 4 * MiB, 1)),
        TdxLimits.DEFAULT));
    List<Tdmr> t = r.layout().tdmrs();
    assertEquals(new AddressRange(5 * GiB, 6 * GiB), t.get(2).range());
    assertEquals(1, r.tdmrs().get(2).node());
    assertEquals(4 * GiB, t.get(0).pamt().fourK().base());
    // TDMR1 [4G,5G) is 1 GiB: 1027 pages at 2^20 + 2054 pages.
    assertEquals(4 * GiB + 2054 * PAGE, t.get(1).pamt().fourK().base());
    // TDMR2 (node 1) has no room on node 1 and falls back to node 0: next 1027 step after
    // 2^20 + 2054 + 1027 = 2^20 + 3081 pages.
    assertEquals(4 * GiB + 3081 * PAGE, t.get(2).pamt().fourK().base());
  }

  @Test
  void dynamicPamtShrinksTheFourKLevelToABitmap() {
    // 2 GiB TDMR: 2^19 pages, one bit each = 64 KiB; 2M level 16 KiB; 1G level 4 KiB.
    var r = built(LinuxGreedy.mainline().construct(
        map(new MemoryBlock(MiB, 2 * GiB, 0)), TdxLimits.DEFAULT.withDynamicPamt(true)));
    assertEquals(64 * KiB, r.layout().tdmrs().get(0).pamt().fourK().size());
    assertEquals(84 * KiB, r.pamtBytes());
    assertEquals("84 KB allocated for PAMT", r.messages().get(0));
  }

  @Test
  void givenPositionsAreUsedAndRefusedWhenNotFree() {
    MemoryMap m = map(new MemoryBlock(MiB, 2 * GiB, 0));
    var r = built(new LinuxGreedy(tdmr.tdx.Policy.Holes.MEMLIST, new GivenPamtPlacement(List.of(GiB)))
        .construct(m, TdxLimits.DEFAULT));
    assertEquals(GiB, r.layout().tdmrs().get(0).pamt().fourK().base());
    // The reserved areas: hole [0,1M) and the chunk [1G, 1G + 2053 pages).
    assertEquals(List.of(new ReservedArea(0, MiB), new ReservedArea(GiB, 2053 * PAGE)),
        r.layout().tdmrs().get(0).reserved());
    var outside = new LinuxGreedy(tdmr.tdx.Policy.Holes.MEMLIST, new GivenPamtPlacement(List.of(2 * GiB - PAGE)))
        .construct(m, TdxLimits.DEFAULT);
    assertEquals(Errno.ENOMEM, assertInstanceOf(GreedyResult.Failed.class, outside).errno());
  }

  @Test
  void topDownPutsTheFirstChunkAtTheTopOfTheNode() {
    var r = built(new LinuxGreedy(tdmr.tdx.Policy.Holes.MEMLIST, new TopDownPamtPlacement()).construct(
        map(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 34 * GiB, 0)), TdxLimits.DEFAULT));
    List<Tdmr> t = r.layout().tdmrs();
    assertEquals(34 * GiB - 2053 * PAGE, t.get(0).pamt().fourK().base());
    assertEquals(34 * GiB - 2053 * PAGE - 30781 * PAGE, t.get(1).pamt().fourK().base());
  }

  @Test
  void memoryListClipsTheFirstMibRoundsToPagesAndMergesTouchingBlocksOfOneNode() {
    List<MemoryBlock> in = List.of(
        new MemoryBlock(0, 0x9f000, 0),
        new MemoryBlock(0x100800, 0x200000, 0),
        new MemoryBlock(0x200000, 0x300fff, 0),
        new MemoryBlock(0x301000, 0x400000, 1));
    assertEquals(
        List.of(new MemoryBlock(0x101000, 0x300000, 0), new MemoryBlock(0x301000, 0x400000, 1)),
        LinuxGreedy.memoryList(in));
  }
}
