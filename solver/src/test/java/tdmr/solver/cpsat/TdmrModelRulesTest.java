package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.check.Rule;
import tdmr.check.Violation;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Each rule group of the kernel family's CP-SAT model ({@link TdmrModel}) on a hand-made map: a
 * decision (TDMRs, where each chunk goes, memory left out) is fixed in the model, and the model's
 * counts (PAMT pages, TDMRs, reserved areas, kept memory) must be those of the layout {@code
 * LayoutBuilder} builds from the same decision, or the model must reject a decision whose layout
 * the module rejects for that rule.
 *
 * <p>The map, all on node 0: A = [1M, 512M), the island I = [512M + 64K, 512M + 64K + 4108K),
 * B = [520M, 1G) and C = [1G, 2G). A 1 GiB TDMR's chunk is 4096 + 8 + 4 = 4108 KiB (4K level 4 MiB,
 * 2M level 8 KiB, 1G level 16 bytes rounded up to a page), so one chunk fills I exactly.
 */
class TdmrModelRulesTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final long ISLAND = 512 * M + 64 * K;
  private static final long CHUNK_1G = 4108 * K;
  private static final MemoryMap MAP = MemoryMap.ofBlocks("rules", List.of(
      new MemoryBlock(M, 512 * M, 0),
      new MemoryBlock(ISLAND, ISLAND + CHUNK_1G, 0),
      new MemoryBlock(520 * M, G, 0),
      new MemoryBlock(G, 2 * G, 0)));

  /** The model's counts with a decision fixed: PAMT pages, TDMRs, reserved areas, kept pages. */
  private record Counts(long pamtPages, long tdmrs, long areas, long keptPages) {}

  @BeforeAll
  static void nativeLibrary() {
    assertTrue(NativeLibrary.problem().isEmpty(), NativeLibrary.problem().toString());
  }

  private static Problem problem(TdxLimits limits, Policy.Coverage coverage) {
    return Problem.of(MAP, limits, Policy.KERNEL.withCoverage(coverage));
  }

  /** Every slot a chunk may take, fills included (no aggregation), so any decision can be fixed. */
  private static Optional<Counts> fixed(Problem problem, Decision decision) {
    TdmrModel model = new TdmrModel(problem, new PlacementSlots(problem, Optional.empty()).withoutAggregatedFills());
    new TdmrModelSolution(model).hint(decision);
    CpSolver solver = new CpSolver();
    solver.getParameters().setFixVariablesToTheirHintedValue(true).setNumWorkers(1).setMaxTimeInSeconds(20);
    CpSolverStatus status = solver.solve(model.model());
    assertTrue(status != CpSolverStatus.UNKNOWN && status != CpSolverStatus.MODEL_INVALID, status.toString());
    if (status == CpSolverStatus.INFEASIBLE) {
      return Optional.empty();
    }
    return Optional.of(new Counts(solver.value(model.pamtPages()), solver.value(model.tdmrCount()),
        solver.value(model.areaCount()), solver.value(model.keptPages())));
  }

  private static int atomAt(Problem problem, long address) {
    return problem.atoms().stream().filter(a -> a.range().contains(address)).mapToInt(Atom::index).findFirst()
        .orElseThrow();
  }

  private static TdmrChoice tdmr(Problem problem, long start, long end, long chunkIn, Side side) {
    int first = (int) (start / G);
    int candidate = problem.candidateIndex(first, (int) (end / G));
    assertTrue(candidate >= 0, "no candidate TDMR [" + start + ", " + end + ")");
    return new TdmrChoice(candidate, atomAt(problem, chunkIn), side);
  }

  /** The model's counts equal those of LayoutBuilder's layout of the same decision. */
  private static Layout agree(Problem problem, Decision decision, Counts expectedByHand) {
    Layout layout = problem.buildLayout(decision);
    Counts model = fixed(problem, decision).orElseThrow(() -> new AssertionError("the model rejects " + decision));
    assertEquals(layout.pamtBytes() / 4096, model.pamtPages(), "PAMT pages");
    assertEquals(layout.size(), model.tdmrs(), "TDMRs");
    assertEquals(layout.reservedAreaCount(), model.areas(), "reserved areas");
    assertEquals(expectedByHand, model, "by hand");
    return layout;
  }

  private static List<Rule> rulesBroken(Problem problem, Layout layout) {
    return LayoutVerifier.verify(MAP, problem.limits(), problem.policy(), layout).module().stream()
        .map(Violation::rule).toList();
  }

  private static long allPages() {
    return (511 * M + CHUNK_1G + 504 * M + G) / 4096;
  }

  /**
   * B2/B3 (tdmrsTileTheCells) and A4 (atMostMaxTdmrs): one TDMR [0, 2G) is one start and one end
   * two cells apart. Its chunk, 8 MiB + 16 KiB + 4 KiB = 8212 KiB = 2053 pages, lies against the
   * hole [0, 1M); its areas: [0, 1M) with the chunk, the gap below I, the gap above I.
   */
  @Test
  void tdmrsTileTheCellsAndAreCounted() {
    Problem p = problem(TdxLimits.DEFAULT, Policy.Coverage.ALL);
    Decision one = new Decision(List.of(tdmr(p, 0, 2 * G, M, Side.LOW)), List.of());
    agree(p, one, new Counts(2053, 1, 3, allPages()));
  }

  /** A4: with at most one TDMR the model rejects two, as the module does. */
  @Test
  void atMostMaxTdmrs() {
    Problem p = problem(TdxLimits.DEFAULT.withMaxTdmrs(1), Policy.Coverage.ALL);
    Problem roomy = problem(TdxLimits.DEFAULT, Policy.Coverage.ALL);
    Decision two = new Decision(List.of(tdmr(roomy, 0, G, M, Side.LOW), tdmr(roomy, G, 2 * G, M, Side.LOW)), List.of());
    assertTrue(fixed(p, two).isEmpty());
    assertTrue(rulesBroken(p, roomy.buildLayout(two)).contains(Rule.A4_TDMR_COUNT));
    // The model can express the decision: with the module's 64 TDMRs it is a layout. Both chunks
    // stack against [0, 1M), one area with it; I is not filled, so the gaps on its two sides are
    // two more areas of [0, 1G).
    agree(roomy, two, new Counts(2 * 1027, 2, 3, allPages()));
  }

  /**
   * D2/D4/D5 (pamtChunksArePlaced) and C (reservedAreasAreCounted): TDMRs [0, 1G) and [1G, 2G),
   * 1027 pages of chunk each; the first against [0, 1M), the second filling I exactly, which merges
   * the gaps on its two sides and I into one area: 2 areas in [0, 1G), none in [1G, 2G).
   */
  @Test
  void aChunkFillingAnIslandMergesTheHolesAroundIt() {
    Problem p = problem(TdxLimits.DEFAULT, Policy.Coverage.ALL);
    Decision fill = new Decision(List.of(tdmr(p, 0, G, M, Side.LOW), tdmr(p, G, 2 * G, ISLAND, Side.LOW)), List.of());
    agree(p, fill, new Counts(2 * 1027, 2, 2, allPages()));
  }

  /** D4: two 4108 KiB chunks in the 4108 KiB island overlap; the model and LayoutBuilder refuse them. */
  @Test
  void chunksDoNotOverlap() {
    Problem p = problem(TdxLimits.DEFAULT, Policy.Coverage.ALL);
    Decision both = new Decision(
        List.of(tdmr(p, 0, G, ISLAND, Side.LOW), tdmr(p, G, 2 * G, ISLAND, Side.LOW)), List.of());
    assertTrue(fixed(p, both).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> p.buildLayout(both));
    // Either chunk alone may fill the island: the refusal is the overlap, not a missing slot. With
    // the other chunk against [0, 1M), [0, 1G) has that area and the merged run [512M, 520M).
    Decision first = new Decision(
        List.of(tdmr(p, 0, G, ISLAND, Side.LOW), tdmr(p, G, 2 * G, M, Side.LOW)), List.of());
    agree(p, first, new Counts(2 * 1027, 2, 2, allPages()));
  }

  /**
   * C1 (reservedAreasPerTdmrWithinLimit): at 2 areas per TDMR the one-TDMR layout's 3 areas are
   * too many for the model and for the module; the two-TDMR layout with the fill has 2 and fits.
   */
  @Test
  void reservedAreasPerTdmrWithinLimit() {
    Problem p = problem(TdxLimits.DEFAULT.withMaxReservedPerTdmr(2), Policy.Coverage.ALL);
    Decision one = new Decision(List.of(tdmr(p, 0, 2 * G, M, Side.LOW)), List.of());
    assertTrue(fixed(p, one).isEmpty());
    assertTrue(rulesBroken(p, p.buildLayout(one)).contains(Rule.C1_RESERVED_SLOTS));
    Decision fill = new Decision(List.of(tdmr(p, 0, G, M, Side.LOW), tdmr(p, G, 2 * G, ISLAND, Side.LOW)), List.of());
    agree(p, fill, new Counts(2 * 1027, 2, 2, allPages()));
  }

  /**
   * O1 (memoryIsCovered): under coverage {@code all} no memory may be left out; under {@code max}
   * leaving B out keeps the rest, and B, covered but left out, is a hole that joins the merged run
   * [512M, 520M) below it: still 2 areas in [0, 1G).
   */
  @Test
  void memoryIsCovered() {
    Problem all = problem(TdxLimits.DEFAULT, Policy.Coverage.ALL);
    Problem max = problem(TdxLimits.DEFAULT, Policy.Coverage.MAX);
    int b = atomAt(max, 600 * M);
    Decision leaveOutB = new Decision(
        List.of(tdmr(max, 0, G, M, Side.LOW), tdmr(max, G, 2 * G, ISLAND, Side.LOW)), List.of(b));
    assertTrue(fixed(all, leaveOutB).isEmpty());
    Layout layout = agree(max, leaveOutB, new Counts(2 * 1027, 2, 2, allPages() - 504 * M / 4096));
    assertFalse(layout.tdmrs().isEmpty());
  }
}
