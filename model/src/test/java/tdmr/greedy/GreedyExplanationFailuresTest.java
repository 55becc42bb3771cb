package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.check.ModuleError;
import tdmr.check.Rule;
import tdmr.check.Violation;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;

/**
 * The explanation of every kind of greedy failure, sentence for sentence: it is what an operator
 * reads to decide what to change. Numbers follow the kernel's algorithm by hand.
 */
class GreedyExplanationFailuresTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static List<String> explain(MemoryMap map, TdxLimits limits) {
    LinuxGreedy g = LinuxGreedy.mainline();
    return new GreedyExplanation(map, limits, g).explain(g.construct(map, limits));
  }

  /**
   * Sixteen 1 MiB blocks at odd MiBs [1M, 2M) .. [31M, 32M) and [4G, 8G), all node 0; CMRs [1M,
   * 32.5M) and [4G, 8G). Mainline: TDMR [0, 1G) has 17 holes, [0, 1M), the 15 gaps [2M, 3M) ..
   * [30M, 31M) and the tail [32M, 1G); both PAMT chunks went to node 0's ZONE_NORMAL at 4 GiB.
   */
  private static MemoryMap comb() {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 0; k < 16; k++) {
      blocks.add(new MemoryBlock((2 * k + 1) * MiB, (2 * k + 2) * MiB, 0));
    }
    blocks.add(new MemoryBlock(4 * GiB, 8 * GiB, 0));
    return MemoryMap.of("comb", blocks, List.of(new AddressRange(MiB, 32 * MiB + MiB / 2), new AddressRange(4 * GiB, 8 * GiB)));
  }

  @Test
  void reservedAreasExhaustedListsEveryAreaWithItsCmrCoverageAndTheCmrVerdict() {
    List<String> lines = explain(comb(), TdxLimits.DEFAULT);
    assertEquals(20, lines.size(), String.join("\n", lines));
    assertEquals("TDMR [0x0, 0x40000000) (1 GiB, node 0) needs 17 reserved areas (17 holes, 0 PAMT pieces);"
        + " the module allows 16:", lines.get(0));
    assertEquals("   1  [0x0, 0x100000)                    hole  1 MiB; e820: no e820 in the input; outside the CMRs;"
        + " the first MiB is never TDX memory", lines.get(1));
    assertEquals("   2  [0x200000, 0x300000)               hole  1 MiB; e820: no e820 in the input; inside a CMR",
        lines.get(2));
    assertEquals("  16  [0x1e00000, 0x1f00000)             hole  1 MiB; e820: no e820 in the input; inside a CMR",
        lines.get(16), "the 16th area is the last that fits");
    assertEquals("  17  [0x2000000, 0x40000000)            hole  992 MiB; e820: no e820 in the input;"
        + " partly inside a CMR  <- over the limit", lines.get(17));
    assertEquals("15 holes lie inside a CMR: convertible memory the firmware keeps for itself, which mainline Linux"
        + " reserves only because it takes holes from the memory list.", lines.get(18));
    // With CMR holes TDMR 0 keeps [0, 1M) and [32.5M, 1G); TDMR [4G, 8G) holds the two chunks. PAMT:
    // 1 GiB -> 4096 + 8 + 4 KiB, 4 GiB -> 16384 + 32 + 4 KiB; 20528 KiB in all.
    assertEquals("With --holes cmr (holes from the CMRs, the unmerged patch \"Reduce TDMR's reserved areas by using"
        + " CMRs to find memory holes\") the construction succeeds: 2 TDMRs, at most 2 of 16 reserved areas"
        + " (TDMR [0x0, 0x40000000)), 20528 KiB of PAMT.", lines.get(19));
  }

  @Test
  void aPamtPieceIsListedWithItsOwner() {
    // [1M, 2G) and [4G, 6G) with one area per TDMR (KernelFailuresTest): TDMR 0 needs one (the hole
    // [0, 1M)), TDMR 1 [4G, 6G) holds both 2 GiB chunks, at 4G and at the next 2053-page step.
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, 2 * GiB, 0),
        new MemoryBlock(4 * GiB, 6 * GiB, 0)));
    List<String> lines = explain(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1));
    // 2053 pages = 0x805000 bytes per 2 GiB chunk.
    assertEquals("   1  [0x100000000, 0x100805000)         PAMT of TDMR 0  8.02 MiB", lines.get(1));
    assertEquals("   2  [0x100805000, 0x10100a000)         PAMT of TDMR 1  8.02 MiB  <- over the limit", lines.get(2));
  }

  @Test
  void tdmrsExhaustedSaysHowManyTheMemoryListNeeds() {
    // Blocks [2kG, (2k+1)G) for k = 1..5: five TDMRs, four allowed. The CMR variant builds the same
    // TDMRs and runs out too.
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 1; k <= 5; k++) {
      blocks.add(new MemoryBlock(2 * k * GiB, (2 * k + 1) * GiB, 0));
    }
    List<String> lines = explain(MemoryMap.ofBlocks("islands", blocks), TdxLimits.DEFAULT.withMaxTdmrs(4));
    assertEquals(List.of(
        "The memory list needs 5 TDMRs (one per block whose 1 GiB-rounded end lies past the previous TDMR);"
            + " the module allows 4.",
        "With --holes cmr (holes from the CMRs) the construction fails too: initialization failed: TDMRs exhausted."
            + " / module initialization failed (-28)"), lines);
  }

  @Test
  void aPamtAllocationFailureSaysHowMuchFoundNoRoom() {
    // [1M, 5M): the TDMR [0, 1G) needs 4 MiB + 8 KiB + 4 KiB = 4206592 bytes (1027 pages), more than
    // the 4 MiB of memory.
    List<String> lines = explain(MemoryMap.ofBlocks("small", List.of(new MemoryBlock(MiB, 5 * MiB, 0))),
        TdxLimits.DEFAULT);
    assertEquals(List.of(
        "TDMR [0x0, 0x40000000) (1 GiB): no free range of 4206592 bytes (4.01 MiB) for its PAMT on node 0 or any"
            + " other node (PAMT placement: kernel).",
        "With --holes cmr (holes from the CMRs) the construction fails too: module initialization failed (-12)"),
        lines);
  }

  @Test
  void aRejectedMemoryListHasNoTdmrToExplainAndNoCmrVerdict() {
    MemoryMap empty = MemoryMap.ofBlocks("empty", List.of());
    assertEquals(List.of("The memory list was rejected before any TDMR was built."), explain(empty, TdxLimits.DEFAULT));
  }

  @Test
  void aModuleRejectionIsItsFailureLineAlone() {
    // A layout the kernel built but the module refused (A4, as if the module allowed no TDMR more).
    MemoryMap map = MemoryMap.ofBlocks("one", List.of(new MemoryBlock(MiB, 2 * GiB, 0)));
    GreedyResult.Built built = assertInstanceOf(GreedyResult.Built.class,
        LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    Violation a4 = new Violation(ModuleError.TDX_OPERAND_INVALID, ModuleError.TDX_OPERAND_INVALID.code(2, 0, 0),
        Rule.A4_TDMR_COUNT, -1, "too many TDMRs");
    GreedyResult.Failed rejected = new GreedyResult.Failed(GreedyResult.Cause.MODULE_REJECTED, OptionalInt.empty(),
        Optional.empty(), built.tdmrs(), List.of(a4), List.of());
    List<String> lines = new GreedyExplanation(map, TdxLimits.DEFAULT, LinuxGreedy.mainline()).explain(rejected);
    assertEquals(List.of("TDH.SYS.CONFIG rejects the kernel's layout: TDX_OPERAND_INVALID 0xC000010000000002: too many TDMRs"),
        lines);
  }

  @Test
  void aHoleFromOneMibUpIsNotInTheFirstMib() {
    // CMR holes with CMRs [0, 1M) and [2M, 1G) around the block [2M, 1G): TDMR [0, 1G) reserves the
    // hole [1M, 2M) and its own chunk at 2M (ALIGN(512, 1027) = 0x602 & ~0x402 = 512); one area is
    // allowed, so it fails and lists both. The hole starts at 1 MiB: no note about the first MiB.
    MemoryMap map = MemoryMap.of("cmr at zero", List.of(new MemoryBlock(2 * MiB, GiB, 0)),
        List.of(new AddressRange(0, MiB), new AddressRange(2 * MiB, GiB)));
    LinuxGreedy g = LinuxGreedy.cmrHoles();
    TdxLimits one = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1);
    List<String> lines = new GreedyExplanation(map, one, g).explain(g.construct(map, one));
    assertEquals("   1  [0x100000, 0x200000)               hole  1 MiB; e820: no e820 in the input; outside the CMRs",
        lines.get(1));
    assertEquals("   2  [0x200000, 0x603000)               PAMT of TDMR 0  4.01 MiB  <- over the limit", lines.get(2));
  }
}
