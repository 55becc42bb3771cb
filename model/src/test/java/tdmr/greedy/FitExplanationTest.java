package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.check.ModuleError;
import tdmr.check.Rule;
import tdmr.check.Violation;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * What greedy-fit's explanation says for each way it ends: which lines are its own and which a
 * mainline kernel prints too (counted from the end: the two success lines and mainline's warning,
 * or the kernel's failure line and the error number), then the headroom or what the failure means,
 * and that a heuristic's failure proves nothing, except where the input or the module decided.
 */
class FitExplanationTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final GreedyFit FIT = new GreedyFit(Policy.Holes.MEMLIST);
  private static final String HEURISTIC = "This construction is a heuristic: its failure does not prove that no layout exists"
      + " (tdmr plan --solver cpsat searches for one, tdmr prove proves it).";

  private static List<String> explain(MemoryMap map, TdxLimits limits) {
    return FIT.explain(map, limits, FIT.construct(map, limits));
  }

  @Test
  void anEmptyMemoryListIsMainlinesOwnFailureAndProvesItself() {
    MemoryMap empty = MemoryMap.ofBlocks("empty", List.of());
    assertEquals(List.of("A mainline kernel prints each of these lines too.",
        "The memory list was rejected before any TDMR was built."), explain(empty, TdxLimits.DEFAULT));
  }

  /** One area, one TDMR, runs [0, 1G) and [2G, 3G): greedy-fit's line, then the kernel's two. */
  @Test
  void tdmrsExhaustedNamesTheLimitsAndIsOnlyAHeuristicsFailure() {
    MemoryMap map = MemoryMap.ofBlocks("two-runs", List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 0)));
    assertEquals(List.of(
        "The first line above is greedy-fit's own (pr_info of a patched kernel); the last 2 mainline prints too.",
        "No TDMR list of the kernel's shape was found within 1 TDMR and 1 reserved area per TDMR: see the line above.",
        HEURISTIC), explain(map, TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1)));
  }

  /** Node 1's only block holds 2 MiB: greedy-fit's line, then only the error number (the allocator prints nothing). */
  @Test
  void aPamtFailureHasOneMainlineLine() {
    MemoryMap map = MemoryMap.ofBlocks("tiny", List.of(new MemoryBlock(MiB, 3 * MiB, 1)));
    assertEquals(List.of(
        "The first line above is greedy-fit's own (pr_info of a patched kernel); the last one mainline prints too.",
        "A PAMT chunk found no free memory on its node, next to a hole or in a TDMR with a reserved area to spare.",
        HEURISTIC), explain(map, TdxLimits.DEFAULT));
  }

  /** Three holes in granule [0, 1G) with two areas. */
  @Test
  void anOverloadedGranuleSaysNoSplitHelps() {
    MemoryMap map = MemoryMap.ofBlocks("granule", List.of(
        new MemoryBlock(MiB, 2 * MiB, 0), new MemoryBlock(3 * MiB, 4 * MiB, 0), new MemoryBlock(5 * MiB, GiB, 0)));
    List<String> lines = explain(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(2));
    assertEquals(List.of("A 1 GiB granule holds more holes than a TDMR may reserve; no split at a 1 GiB boundary helps.", HEURISTIC),
        lines.subList(1, lines.size()));
  }

  /**
   * The module rejects the layout of the three joined runs (2 TDMRs of 2): greedy-fit's 4 lines,
   * then mainline's warning and the error number; the failure line, and no claim about heuristics
   * (the module decided).
   */
  @Test
  void aModuleRejectionCountsMainlinesWarningAndTheErrorNumber() {
    MemoryMap map = MemoryMap.ofBlocks("wider", FitTdmrsTest.threeRunsThatOnlyJoinTogether());
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(3);
    var built = assertInstanceOf(GreedyResult.Built.class, FIT.construct(map, limits));
    Violation a4 = new Violation(ModuleError.TDX_OPERAND_INVALID, ModuleError.TDX_OPERAND_INVALID.code(2, 0, 0),
        Rule.A4_TDMR_COUNT, -1, "too many TDMRs");
    List<String> log = new java.util.ArrayList<>(built.constructionMessages());
    log.add("module initialization failed (-5)");
    var rejected = new GreedyResult.Failed(GreedyResult.Cause.MODULE_REJECTED, OptionalInt.empty(), Optional.empty(),
        built.tdmrs(), List.of(a4), log);
    assertEquals(List.of(
        "The first 4 lines above are greedy-fit's own (pr_info of a patched kernel); the last 2 mainline prints too.",
        "TDH.SYS.CONFIG rejects the kernel's layout: TDX_OPERAND_INVALID 0xC000010000000002: too many TDMRs"),
        FIT.explain(map, limits, rejected));
    assertEquals(2, FitExplanation.mainlineTail(rejected, true));
    assertEquals(1, FitExplanation.mainlineTail(rejected, false));
  }
}
