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
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * greedy-fit on hand-made maps whose layouts were worked out by hand (the arithmetic is in each
 * test's comment): a TDMR of N GiB costs {@code 4104 N + 4} KiB of PAMT (4 MiB + 8 KiB per GiB,
 * plus one 4 KiB page for the 1G level).
 */
class GreedyFitTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final GreedyFit FIT = new GreedyFit(Policy.Holes.MEMLIST);

  private static GreedyResult.Built built(MemoryMap map, TdxLimits limits) {
    GreedyResult r = FIT.construct(map, limits);
    var b = assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
    LayoutVerifier.requireValid(map, limits, Policy.KERNEL, b.layout());
    return b;
  }

  private static List<AddressRange> ranges(Layout layout) {
    return layout.tdmrs().stream().map(Tdmr::range).toList();
  }

  /**
   * canonical/tdx#135: mainline's TDMR [0, 2G) has 17 holes ([0,1M), 15 firmware gaps from
   * 0x5d169000 on, and [0x6f800000, 2G)); all but [0,1M) lie above 1 GiB, so greedy-fit cuts at
   * 1 GiB: [0, 1G) with 1 hole and [1G, 2G) with 16, both chunks next to holes, 2 x 4108 KiB.
   */
  @Test
  void canonicalTdx135IsSplitAtOneGibWithSixteenAreasInTheSecondTdmr() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    var b = built(map, TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)), ranges(b.layout()));
    assertEquals(8216 * KiB, b.pamtBytes());
    assertEquals(1, b.layout().tdmrs().get(0).reservedCount());
    assertEquals(16, b.layout().tdmrs().get(1).reservedCount());
    assertEquals("TDMR [0x0, 0x80000000): 17 holes, more than 16 reserved areas: split at 0x40000000", b.messages().get(0));
    assertEquals(List.of("8216 KB allocated for PAMT", "module initialized"),
        b.messages().subList(b.messages().size() - 2, b.messages().size()));
  }

  /**
   * Two reserved areas: [0, 2G) has holes [0,1M), [512M, 1G+4K), [1.5G, 1.5G+4K). The third starts
   * at 1.5G, so the first TDMR ends at 1G: [0,1G) keeps two holes, [1G,2G) gets [1G, 1G+4K) and the
   * one at 1.5G. Both 4108 KiB chunks go to the lowest open piece, [1M, 512M), back to back from
   * 1 MiB, where they extend the area of [0, 1M).
   */
  @Test
  void aTdmrWithTooManyHolesIsSplitBeforeTheGranuleOfTheFirstHoleOverTheLimit() {
    MemoryMap map = MemoryMap.ofBlocks("split", List.of(
        new MemoryBlock(MiB, 512 * MiB, 0),
        new MemoryBlock(GiB + 4 * KiB, GiB + 512 * MiB, 0),
        new MemoryBlock(GiB + 512 * MiB + 4 * KiB, 2 * GiB, 0)));
    var b = built(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(2));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(GiB, 2 * GiB)), ranges(b.layout()));
    assertEquals(MiB, b.layout().tdmrs().get(0).pamt().fourK().base());
    assertEquals(MiB + 4108 * KiB, b.layout().tdmrs().get(1).pamt().fourK().base());
    assertEquals(2, b.layout().tdmrs().get(0).reservedCount());
    assertEquals(2, b.layout().tdmrs().get(1).reservedCount());
  }

  /**
   * Two TDMRs allowed, three runs of memory: the gaps between them are 1 GiB ([1G, 2G)) and 7 GiB
   * ([3G, 10G)); one TDMR spans the cheaper one: [0, 3G) (12316 KiB) and [10G, 11G) (4108 KiB).
   */
  @Test
  void tooManyTdmrsAreJoinedAcrossTheSmallestGapWithoutMemory() {
    MemoryMap map = MemoryMap.ofBlocks("join", List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(2 * GiB, 3 * GiB, 0),
        new MemoryBlock(10 * GiB, 11 * GiB, 0)));
    var b = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(List.of(new AddressRange(0, 3 * GiB), new AddressRange(10 * GiB, 11 * GiB)), ranges(b.layout()));
    assertEquals((12316 + 4108) * KiB, b.pamtBytes());
    assertTrue(b.messages().contains("joined to fit the TDMR limit: one TDMR spans [0x40000000, 0x80000000), 1 GiB without memory"),
        String.join("\n", b.messages()));
  }

  /**
   * Node 1's only block holds 6 MiB, enough for the chunk of a 1 GiB TDMR (4108 KiB) but not of a
   * 2 GiB one (8212 KiB): a TDMR starting at 4G (node 1) stops at 5G, where the next one starts on
   * node 2 and reaches 8G. Its chunk pays one area at the top of node 1's block, which opens node
   * 2's touching block.
   */
  @Test
  void aTdmrWhoseChunkOutgrowsItsNodeIsSplitWhereTheNextNodeCanHoldIt() {
    MemoryMap map = MemoryMap.ofBlocks("pamt-size", List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(4 * GiB, 4 * GiB + 6 * MiB, 1),
        new MemoryBlock(4 * GiB + 6 * MiB, 8 * GiB, 2)));
    var b = built(map, TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(4 * GiB, 5 * GiB), new AddressRange(5 * GiB, 8 * GiB)),
        ranges(b.layout()));
    assertEquals("TDMR [0x100000000, 0x200000000): PAMT of 16420 KB larger than any block of node 1: split at 0x140000000",
        b.messages().get(0));
    assertEquals(4 * GiB + 6 * MiB - 4108 * KiB, b.layout().tdmrs().get(1).pamt().fourK().base());
  }

  /**
   * One reserved area per TDMR. [0, 1G) (node 3) has the hole [0, 1M), against which its chunk
   * goes. [4G, 16G) has one hole, [12G-96M, 12G), and so no area for its 49252 KiB chunk on node 0,
   * whose only block is inside it. The repair cuts it below the hole, at 11G: [4G, 11G) has no
   * hole, and its 28732 KiB chunk pays its area at the top of node 0's block, which opens node 1's
   * touching block; [11G, 16G) starts on node 1, whose lowest open piece is now that block: its
   * 20524 KiB chunk goes right after, at 8G, in the same area.
   */
  @Test
  void aChunkWithoutRoomGetsItsTdmrCutNextToItsFirstHole() {
    MemoryMap map = MemoryMap.ofBlocks("repair", List.of(
        new MemoryBlock(MiB, GiB, 3),
        new MemoryBlock(4 * GiB, 8 * GiB, 0),
        new MemoryBlock(8 * GiB, 12 * GiB - 96 * MiB, 1),
        new MemoryBlock(12 * GiB, 16 * GiB, 2)));
    var b = built(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1));
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(4 * GiB, 11 * GiB), new AddressRange(11 * GiB, 16 * GiB)),
        ranges(b.layout()));
    assertEquals(List.of(MiB, 8 * GiB - 28732 * KiB, 8 * GiB),
        b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertTrue(b.messages().contains("TDMR [0x100000000, 0x400000000): no room for its PAMT next to a hole: split at 0x2c0000000"),
        String.join("\n", b.messages()));
  }

  /** Three holes inside one granule with two areas allowed: no cut helps (and no chunk fills an island exactly). */
  @Test
  void aGranuleWithMoreHolesThanAreasFailsWithEnospc() {
    MemoryMap map = MemoryMap.ofBlocks("granule", List.of(
        new MemoryBlock(MiB, 2 * MiB, 0),
        new MemoryBlock(3 * MiB, 4 * MiB, 0),
        new MemoryBlock(5 * MiB, GiB, 0)));
    var f = assertInstanceOf(GreedyResult.Failed.class, FIT.construct(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(2)));
    assertEquals(Errno.ENOSPC, f.errno());
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, f.cause());
    assertEquals(List.of("TDMR [0x0, 0x40000000) holds 3 holes, more than 2 reserved areas, and cannot be split",
        "initialization failed: TDMR [0x0, 0x40000000): reserved areas exhausted.",
        "module initialization failed (-28)"), f.messages());
  }

  @Test
  void anEmptyMemoryListIsRejected() {
    var f = assertInstanceOf(GreedyResult.Failed.class, FIT.construct(MemoryMap.ofBlocks("empty", List.of()), TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.EMPTY_MEMORY_LIST, f.cause());
    assertEquals(Errno.EINVAL, f.errno());
  }

  /** With CMR holes, as with the CMR patch, memory outside the CMRs is refused before any TDMR. */
  @Test
  void cmrHolesRefuseMemoryOutsideTheCmrs() {
    MemoryMap map = MemoryMap.of("outside", List.of(new MemoryBlock(MiB, 2 * GiB, 0)), List.of(new AddressRange(MiB, GiB)));
    var f = assertInstanceOf(GreedyResult.Failed.class, new GreedyFit(Policy.Holes.CMR).construct(map, TdxLimits.DEFAULT));
    assertEquals(List.of("memory region [0x100000, 0x80000000) is not TDX convertible memory.", "module initialization failed (-22)"),
        f.messages());
  }

  /**
   * With CMR holes a gap inside one CMR is not reserved: [1M, 1G) and [1G+4K, 2G) in one CMR make
   * one TDMR [0, 2G) with the holes [0, 1M) only, and the chunk (8212 KiB) extends that area.
   */
  @Test
  void cmrHolesLeaveConvertibleGapsUsable() {
    MemoryMap map = MemoryMap.of("one-cmr",
        List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB + 4 * KiB, 2 * GiB, 0)),
        List.of(new AddressRange(MiB, 2 * GiB)));
    GreedyResult r = new GreedyFit(Policy.Holes.CMR).construct(map, TdxLimits.DEFAULT);
    var b = assertInstanceOf(GreedyResult.Built.class, r, () -> String.join("\n", r.messages()));
    LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL.withHoles(Policy.Holes.CMR), b.layout());
    assertEquals(List.of(new AddressRange(0, 2 * GiB)), ranges(b.layout()));
    assertEquals(1, b.layout().tdmrs().get(0).reservedCount());
    assertEquals(8212 * KiB, b.pamtBytes());
  }

  /**
   * On #135 greedy-fit prints two lines of its own (the split, the placement summary) and then the
   * two mainline prints on success; the explanation says so by count.
   */
  @Test
  void theExplanationSaysWhichLinesAreGreedyFitsOwn() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    GreedyResult r = FIT.construct(map, TdxLimits.DEFAULT);
    assertEquals(4, r.messages().size(), String.join("\n", r.messages()));
    assertEquals("The first 2 lines above are greedy-fit's own (pr_info of a patched kernel); the last 2 mainline prints too.",
        FIT.explain(map, TdxLimits.DEFAULT, r).get(0));
  }

  /**
   * With 4 TDMRs allowed and 2 used, mainline's warning "consumed TDMRs reaching limit" (fewer than
   * TDMR_NR_WARN = 4 left) comes after greedy-fit's own lines, and counts as mainline's.
   */
  @Test
  void mainlinesReachingLimitWarningComesLastAndCountsAsMainlines() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    TdxLimits four = TdxLimits.DEFAULT.withMaxTdmrs(4);
    GreedyResult r = FIT.construct(map, four);
    assertEquals(List.of("consumed TDMRs reaching limit: 2 used out of 4", "8216 KB allocated for PAMT", "module initialized"),
        r.messages().subList(r.messages().size() - 3, r.messages().size()));
    assertEquals("The first 2 lines above are greedy-fit's own (pr_info of a patched kernel); the last 3 mainline prints too.",
        FIT.explain(map, four, r).get(0));
  }

  /** A failure: greedy-fit's own line, then the kernel's ENOSPC line and the error number. */
  @Test
  void aFailuresOwnLineIsCountedApartFromTheKernelsTwo() {
    MemoryMap map = MemoryMap.ofBlocks("granule", List.of(
        new MemoryBlock(MiB, 2 * MiB, 0), new MemoryBlock(3 * MiB, 4 * MiB, 0), new MemoryBlock(5 * MiB, GiB, 0)));
    TdxLimits two = TdxLimits.DEFAULT.withMaxReservedPerTdmr(2);
    assertEquals("The first line above is greedy-fit's own (pr_info of a patched kernel); the last 2 mainline prints too.",
        FIT.explain(map, two, FIT.construct(map, two)).get(0));
  }

  private static GreedyResult.Failed failed(MemoryMap map, TdxLimits limits) {
    GreedyResult r = FIT.construct(map, limits);
    return assertInstanceOf(GreedyResult.Failed.class, r, () -> String.join("\n", r.messages()));
  }

  private static List<AddressRange> failedRanges(GreedyResult.Failed f) {
    return f.tdmrs().stream().map(GreedyTdmr::range).toList();
  }

  /**
   * The three runs of {@code FitTdmrsTest.aJoinThatSavesNothingIsOfferedAgainOneRunWider} with 3
   * areas and 2 TDMRs: [0, 3G) and [3G, 6G), 3 holes each. Both 12316 KiB chunks (node 0) go to
   * the lowest open piece, [1M, 1G), back to back from 1M: TDMR 0's first area grows from [0, 1M)
   * to [0, 1M + 24632K). Both TDMRs of 2 are used, so mainline's warning is printed too.
   */
  @Test
  void threeRunsJoinedAsOneRangeCutInTwo() {
    MemoryMap map = MemoryMap.ofBlocks("wider", FitTdmrsTest.threeRunsThatOnlyJoinTogether());
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(3);
    var b = built(map, limits);
    assertEquals(List.of(new AddressRange(0, 3 * GiB), new AddressRange(3 * GiB, 6 * GiB)), ranges(b.layout()));
    assertEquals(List.of(MiB, MiB + 12316 * KiB), b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertEquals(List.of(new ReservedArea(0, MiB + 24632 * KiB), new ReservedArea(GiB, GiB),
        new ReservedArea(2 * GiB + 512 * MiB, 4 * KiB)), b.layout().tdmrs().get(0).reserved());
    assertEquals(List.of(
        "TDMR [0x0, 0x180000000): 6 holes, more than 3 reserved areas: split at 0xc0000000",
        "joined to fit the TDMR limit: one TDMR spans [0x40000000, 0x80000000), 1 GiB without memory",
        "joined to fit the TDMR limit: one TDMR spans [0x100000000, 0x140000000), 1 GiB without memory",
        "PAMTs of 2 TDMRs placed next to holes, 0 in reserved areas of their own",
        "consumed TDMRs reaching limit: 2 used out of 2",
        "24632 KB allocated for PAMT",
        "module initialized"), b.messages());
    assertEquals("The first 4 lines above are greedy-fit's own (pr_info of a patched kernel); the last 3 mainline prints too.",
        FIT.explain(map, limits, b).get(0));
  }

  /**
   * One area, one TDMR: runs [0, 1G) (hole [0, 1M)) and [2G, 3G). Joined, [0, 3G) has 2 holes and
   * needs 2 TDMRs as before: the TDMRs are exhausted. The failure keeps the TDMR that fits and
   * names the next.
   */
  @Test
  void runsThatNoJoinBringsWithinTheLimitExhaustTheTdmrs() {
    var f = failed(MemoryMap.ofBlocks("two-runs", List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0))),
        TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1));
    assertEquals(GreedyResult.Cause.TDMRS_EXHAUSTED, f.cause());
    assertEquals(java.util.Optional.of(new AddressRange(2 * GiB, 3 * GiB)), f.offendingRange());
    assertEquals(List.of(new AddressRange(0, GiB)), failedRanges(f));
    assertEquals(List.of("2 TDMRs needed after joining runs of memory, 1 allowed", "initialization failed: TDMRs exhausted.",
        "module initialization failed (-28)"), f.messages());
  }

  /**
   * The map of {@link #aChunkWithoutRoomGetsItsTdmrCutNextToItsFirstHole} with 2 TDMRs allowed:
   * both are used before placement, so the repair may not cut a third, and building again aiming at
   * one TDMR joins nothing (one area: [0, 16G) needs two). The 49252 KiB chunk of [4G, 16G) finds
   * no room: ENOMEM, naming that TDMR.
   */
  @Test
  void theRepairNeverCutsATdmrBeyondTheLimit() {
    MemoryMap map = MemoryMap.ofBlocks("repair", List.of(
        new MemoryBlock(MiB, GiB, 3),
        new MemoryBlock(4 * GiB, 8 * GiB, 0),
        new MemoryBlock(8 * GiB, 12 * GiB - 96 * MiB, 1),
        new MemoryBlock(12 * GiB, 16 * GiB, 2)));
    var f = failed(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1).withMaxTdmrs(2));
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(java.util.OptionalInt.of(1), f.failingTdmr());
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(4 * GiB, 16 * GiB)), failedRanges(f));
    assertEquals(List.of(
        "TDMR [0x100000000, 0x400000000): no room for its 49252 KB PAMT on node 0, next to a hole or with a reserved area to spare",
        "module initialization failed (-12)"), f.messages());
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(4 * GiB, 11 * GiB), new AddressRange(11 * GiB, 16 * GiB)),
        ranges(built(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1).withMaxTdmrs(3)).layout()));
  }

  /**
   * Two areas; runs [0, 1G) and [4G, 7G) where granule 6G holds three holes (the map of {@code
   * FitTdmrsTest.aGranuleWithMoreHolesThanTheBudgetIsNamed}): the failure names the granule as the
   * second TDMR, after [0, 1G).
   */
  @Test
  void anOverloadedGranuleIsNamedAfterTheTdmrsBeforeIt() {
    var f = failed(MemoryMap.ofBlocks("granule", List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(4 * GiB, 6 * GiB + MiB, 0),
        new MemoryBlock(6 * GiB + 2 * MiB, 6 * GiB + 3 * MiB, 0),
        new MemoryBlock(6 * GiB + 4 * MiB, 6 * GiB + 5 * MiB, 0),
        new MemoryBlock(6 * GiB + 6 * MiB, 7 * GiB, 0))), TdxLimits.DEFAULT.withMaxReservedPerTdmr(2));
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, f.cause());
    assertEquals(java.util.OptionalInt.of(1), f.failingTdmr());
    assertEquals(List.of(new AddressRange(0, GiB), new AddressRange(6 * GiB, 7 * GiB)), failedRanges(f));
    assertEquals(List.of("TDMR [0x180000000, 0x1c0000000) holds 3 holes, more than 2 reserved areas, and cannot be split",
        "initialization failed: TDMR [0x180000000, 0x1c0000000): reserved areas exhausted.",
        "module initialization failed (-28)"), f.messages());
  }

  /** Node 1's only block holds 2 MiB: no TDMR can start at 0, and greedy-fit fails as mainline's allocator would (ENOMEM). */
  @Test
  void aNodeThatHoldsNoChunkFailsThePamtAllocation() {
    var f = failed(MemoryMap.ofBlocks("tiny", List.of(new MemoryBlock(MiB, 3 * MiB, 1))), TdxLimits.DEFAULT);
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(java.util.OptionalInt.of(0), f.failingTdmr());
    assertEquals(List.of(new AddressRange(0, GiB)), failedRanges(f));
    assertEquals(List.of("TDMR [0x0, 0x40000000): node 1 has no block large enough for its PAMT, and no TDMR before it reaches it",
        "module initialization failed (-12)"), f.messages());
    assertEquals("A PAMT chunk found no free memory on its node, next to a hole or in a TDMR with a reserved area to spare.",
        FIT.explain(MemoryMap.ofBlocks("tiny", List.of(new MemoryBlock(MiB, 3 * MiB, 1))), TdxLimits.DEFAULT, f).get(1));
  }

  /**
   * The run [4G, 6G) of {@code FitTdmrsTest.aRunThatCannotBeCutIsCoveredFromARunBeforeIt} cannot be
   * cut, and node 0's block [1M, 1G) covers everything from 0: one TDMR [0, 6G), its 24628 KiB chunk
   * at 1M against the hole [0, 1M).
   */
  @Test
  void aTdmrFromAnEarlierRunCoversARunThatCannotBeCut() {
    var b = built(MemoryMap.ofBlocks("reach-back", List.of(
        new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(2 * GiB, 2 * GiB + 6 * MiB, 1),
        new MemoryBlock(4 * GiB, 4 * GiB + 6 * MiB, 2),
        new MemoryBlock(4 * GiB + 6 * MiB, 4 * GiB + 8 * MiB, 3),
        new MemoryBlock(5 * GiB, 5 * GiB + 2 * MiB, 3))), TdxLimits.DEFAULT);
    assertEquals(List.of(new AddressRange(0, 6 * GiB)), ranges(b.layout()));
    assertEquals(MiB, b.layout().tdmrs().get(0).pamt().fourK().base());
    assertEquals(24628 * KiB, b.pamtBytes());
  }

  @Test
  void itsNameHolesAndPolicyAreTheOnesAskedFor() {
    assertEquals("greedy-fit", FIT.name());
    assertEquals(Policy.Holes.MEMLIST, FIT.holes());
    GreedyFit cmr = GreedyFit.forPolicy(Policy.KERNEL.withHoles(Policy.Holes.CMR));
    assertEquals(Policy.Holes.CMR, cmr.holes());
    assertEquals("greedy-fit", cmr.name());
  }

  /**
   * Two areas, two TDMRs: [1G, 2G) on node 1, [2G, 2G+4M) and [3G, 3G+7M) on node 2 (whose largest
   * block holds the chunk of 1 GiB, not of 2). First pass: one TDMR [1G, 4G) with both holes
   * ([2G+4M, 3G), [3G+7M, 4G)), no area to spare, and node 1's only piece closed; the repair cuts it
   * below its first hole, at 2G, and then [2G, 4G)'s 8212 KiB chunk (node 2) fits neither node 2
   * piece (4 MiB, 7 MiB), with no TDMR left for another cut. Aiming at one TDMR changes nothing (one
   * run). Building again with one hole per TDMR: [1G, 3G) (split before granule 3G, where the second
   * hole starts; from 2G node 2 reaches only 3G, from 3G the end) and [3G, 4G). [1G, 3G)'s chunk
   * pays its spare area at the top of node 1's block, 2G - 8212K, against node 2's piece; [3G,
   * 4G)'s 4108 KiB chunk goes down from the top of [3G, 3G+7M), against the hole above it.
   */
  @Test
  void buildingAgainWithAnAreaKeptFreeOfHolesFindsRoomForTheChunks() {
    MemoryMap map = MemoryMap.ofBlocks("budget", List.of(
        new MemoryBlock(GiB, 2 * GiB, 1), new MemoryBlock(2 * GiB, 2 * GiB + 4 * MiB, 2), new MemoryBlock(3 * GiB, 3 * GiB + 7 * MiB, 2)));
    var b = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(2));
    assertEquals(List.of(new AddressRange(GiB, 3 * GiB), new AddressRange(3 * GiB, 4 * GiB)), ranges(b.layout()));
    assertEquals(List.of(2 * GiB - 8212 * KiB, 3 * GiB + 7 * MiB - 4108 * KiB),
        b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertEquals(List.of(new ReservedArea(GiB - 8212 * KiB, 8212 * KiB), new ReservedArea(GiB + 4 * MiB, GiB - 4 * MiB)),
        b.layout().tdmrs().get(0).reserved());
    assertEquals(List.of(new ReservedArea(7 * MiB - 4108 * KiB, GiB - 7 * MiB + 4108 * KiB)), b.layout().tdmrs().get(1).reserved());
    assertEquals(List.of(
        "no layout with at most 2 holes and 2 TDMRs before PAMT placement: building again with at most 1 and 2",
        "TDMR [0x40000000, 0x100000000): 2 holes, more than 1 reserved areas: split at 0xc0000000",
        "PAMTs of 1 TDMRs placed next to holes, 1 in reserved areas of their own",
        "consumed TDMRs reaching limit: 2 used out of 2",
        "12320 KB allocated for PAMT",
        "module initialized"), b.messages());
  }

  /**
   * Two areas, two TDMRs: [1G, 2G) on node 1, [2G, 5G) and [5G+4M, 5G+12M) on node 2, [7G, 10G) on
   * node 0. First pass: runs [1G, 6G) (holes [5G, 5G+4M) and [5G+12M, 6G): none to spare, node 1's
   * piece closed) and [7G, 10G): both TDMRs used, no repair possible. Aiming at one TDMR: the runs
   * join across [6G, 7G) into [1G, 10G), still no room for node 1's chunk, so the repair cuts it
   * below its first hole, at 5G. [5G, 10G)'s 20524 KiB chunk (node 2, larger, first) fits no open
   * piece of node 2 and pays [1G, 5G)'s area at the bottom of node 2's [2G, 5G), against node 1's
   * block, which opens; [1G, 5G)'s 16420 KiB chunk goes below it, at 2G - 16420K: one area holds both.
   */
  @Test
  void buildingAgainWithATdmrLeftForTheRepairFindsRoomForTheChunks() {
    MemoryMap map = MemoryMap.ofBlocks("reserve", List.of(
        new MemoryBlock(GiB, 2 * GiB, 1), new MemoryBlock(2 * GiB, 5 * GiB, 2),
        new MemoryBlock(5 * GiB + 4 * MiB, 5 * GiB + 12 * MiB, 2), new MemoryBlock(7 * GiB, 10 * GiB, 0)));
    var b = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(2));
    assertEquals(List.of(new AddressRange(GiB, 5 * GiB), new AddressRange(5 * GiB, 10 * GiB)), ranges(b.layout()));
    assertEquals(List.of(2 * GiB - 16420 * KiB, 2 * GiB), b.layout().tdmrs().stream().map(t -> t.pamt().fourK().base()).toList());
    assertEquals(List.of(new ReservedArea(GiB - 16420 * KiB, (16420 + 20524) * KiB)), b.layout().tdmrs().get(0).reserved());
    assertEquals(List.of(new ReservedArea(0, 4 * MiB), new ReservedArea(12 * MiB, 2 * GiB - 12 * MiB)),
        b.layout().tdmrs().get(1).reserved());
    assertEquals(List.of(
        "no layout with at most 2 holes and 2 TDMRs before PAMT placement: building again with at most 2 and 1",
        "joined to fit the TDMR limit: one TDMR spans [0x180000000, 0x1c0000000), 1 GiB without memory",
        "TDMR [0x40000000, 0x280000000): no room for its PAMT next to a hole: split at 0x140000000",
        "PAMTs of 1 TDMRs placed next to holes, 1 in reserved areas of their own",
        "consumed TDMRs reaching limit: 2 used out of 2",
        "36944 KB allocated for PAMT",
        "module initialized"), b.messages());
  }

  /**
   * One area. Node 0 has [1G, 1G+2M) and [3G, 3G+9M) (the chunk of at most 2 GiB fits it); node 1
   * the rest of each granule range: runs [1G, 2G) (the hole [1G+2M, 1G+4M): no area to spare) and
   * [3G, 5G). [3G, 5G)'s 8212 KiB chunk goes first and pays [3G, 5G)'s area at the top of node 0's
   * [3G, 3G+9M); then [1G, 2G)'s 4108 KiB chunk finds no room on node 0 (2 MiB, and 1004 KiB left
   * at 3G), and a TDMR of one granule cannot be cut: ENOMEM for the first TDMR.
   */
  @Test
  void theFirstTdmrsChunkWithoutRoomFailsThePamtAllocation() {
    var f = failed(MemoryMap.ofBlocks("no-room", List.of(
        new MemoryBlock(GiB, GiB + 2 * MiB, 0), new MemoryBlock(GiB + 4 * MiB, 2 * GiB, 1),
        new MemoryBlock(3 * GiB, 3 * GiB + 9 * MiB, 0), new MemoryBlock(3 * GiB + 9 * MiB, 5 * GiB, 1))),
        TdxLimits.DEFAULT.withMaxReservedPerTdmr(1));
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(java.util.OptionalInt.of(0), f.failingTdmr());
    assertEquals(List.of(new AddressRange(GiB, 2 * GiB), new AddressRange(3 * GiB, 5 * GiB)), failedRanges(f));
    assertEquals(List.of(
        "TDMR [0x40000000, 0x80000000): no room for its 4108 KB PAMT on node 0, next to a hole or with a reserved area to spare",
        "module initialization failed (-12)"), f.messages());
  }

  /** Mainline warns when fewer than 4 TDMRs are left: 2 used of 6 leaves 4, no warning; of 5, one. */
  @Test
  void mainlinesWarningNeedsFewerThanFourTdmrsLeft() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    assertTrue(FIT.construct(map, TdxLimits.DEFAULT.withMaxTdmrs(6)).messages().stream().noneMatch(m -> m.startsWith("consumed")));
    assertTrue(FIT.construct(map, TdxLimits.DEFAULT.withMaxTdmrs(5)).messages().contains("consumed TDMRs reaching limit: 2 used out of 5"));
  }
}
