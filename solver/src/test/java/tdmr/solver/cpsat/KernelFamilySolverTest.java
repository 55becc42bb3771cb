package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.LayoutJson;
import tdmr.solver.EngineResult;
import tdmr.solver.KernelShape;
import tdmr.solver.Problem;
import tdmr.solver.Question;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * CP-SAT's kernel-family answer when its second solve ({@link KernelFamilySolver}) proves nothing:
 * the second solve's outcome is fixed by the test (a solve cut short), never timed.
 */
class KernelFamilySolverTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final long PAGE = 4 * K;

  /**
   * Y: [0, 1G), its chunk (4K level 4 MiB, 2M level 8 KiB, 1G level 4 KiB) filling [1G, 1G + 1027
   * pages), the hole [0, 1M) reserved; [4G, 6G), its 2053-page chunk ending at 5G + 1027 pages,
   * 0x140403000, so starting 0x805000 below at 0x13fbfe000, reserved with the hole after it up to
   * 6G (offset 0x3fbfe000, 0x40402000 bytes).
   */
  static final String OUTSIDE = "src/test/resources/family/two-fillable-granules-outside.json";

  /**
   * Blocks [1 MiB, 1 GiB + 1027 pages) and [4 GiB, 5 GiB + 1027 pages) on node 0, default limits.
   * The kernel's chunk of an N GiB TDMR (N ≤ 256) is N·4 MiB (4K level) + N·8 KiB (2M level) +
   * 4 KiB (1G level) = 1026·N + 1 pages: 1027 for 1 GiB, 2053 for 2 GiB.
   *
   * <ul>
   *   <li>The model over {@link Problem} covers every granule holding memory (0, 1, 4, 5) with TDMRs
   *       bounded where the map changes: [0, 2G) and [4G, 6G), 2 × 2053 = 4106 pages = 16 818 176
   *       bytes (two TDMRs per block would pay a second 1G-level page each; one TDMR [0, 6G) pays
   *       6·1026 + 1 = 6157). It names that restriction.
   *   <li>The layout Y below, [0, 1G) and [4G, 6G): granule 1 lies in no TDMR, its 1027 pages of
   *       memory exactly the chunk of [0, 1G) (the chunk is PAMT, which the OS check does not ask to
   *       cover); [4G, 6G) keeps its chunk against the hole [5G + 1027 pages, 6G), one area for both,
   *       and [0, 1G) reserves [0, 1M): 1027 + 2053 = 3080 pages = 12 615 680 bytes, 2 TDMRs, 2 areas.
   *       Better than the model's, not the best: with [4G, 5G) too, its chunk filling granule 5,
   *       2 × 1027 = 2054 pages.
   *   <li>A lower bound for every layout of the family: granules 0 and 4 hold 1023 MiB and 1 GiB of
   *       memory, more than the PAMT of any layout with less than 261 888 pages, so such a layout
   *       covers both; one TDMR over both spans at least [0, 5G), 5·1026 + 1 = 5131 pages; two TDMRs
   *       have at least 2 × 1027. So every layout has at least 2054 pages = 8 413 184 bytes, which
   *       [0, 1G) and [4G, 5G) meet: no bound can be higher, and this is the bound to state.
   * </ul>
   *
   * A second solve cut short with Y as its best layout: the answer is {@code FEASIBLE} with Y, the
   * bound 8 413 184 bytes, about the whole kernel family; the first model's proof (16 818 176 bytes,
   * among layouts covering every granule holding memory) is kept as a message.
   */
  @Test
  void aBetterLayoutTheSecondSolveCouldNotProveIsAFeasibleAnswerForTheWholeFamily() throws Exception {
    MemoryMap map = MemoryMap.ofBlocks("two-fillable-granules", List.of(new MemoryBlock(M, G + 1027 * PAGE, 0),
        new MemoryBlock(4 * G, 5 * G + 1027 * PAGE, 0)));
    Layout y = LayoutJson.read("Y", Files.readString(Path.of(OUTSIDE)));
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL, y));
    assertEquals(List.of(), KernelShape.failures(map, TdxLimits.DEFAULT, y));
    assertEquals(3080 * PAGE, y.pamtBytes());
    CpSatEngine engine = new CpSatEngine((m, limits, policy, options, start) -> cutShort(y));
    EngineResult r = engine.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages() + " " + r.details();
    assertEquals(Status.FEASIBLE, r.status(), what);
    assertEquals(y, r.layout().orElseThrow(), what);
    assertEquals(12_615_680L, r.pamtBytes().getAsLong(), what);
    assertEquals(8_413_184L, r.pamtBoundBytes().getAsLong(), what);
    assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
    String restriction = Problem.KERNEL_FAMILY_RESTRICTIONS.get(2);
    assertTrue(r.messages().stream().anyMatch(m -> m.startsWith("proven optimal only among the layouts of the kernel"
        + " family in which") && m.contains(restriction) && m.contains("PAMT 16818176 bytes")), what);
    assertTrue(r.messages().get(0).contains("not proven optimal"), what);
    assertEquals(List.of(new AddressRange(0, G), new AddressRange(4 * G, 6 * G)),
        r.layout().orElseThrow().tdmrs().stream().map(Tdmr::range).toList());
  }

  /**
   * The same map with the second solve cut short before it found a layout better than the first
   * model's (its best is the first model's own, 4106 pages): the first answer stands, {@code
   * OPTIMAL} under the restrictions it names, and the second solve's outcome is only in the details.
   */
  @Test
  void aSecondSolveWithNothingBetterLeavesTheRestrictedProof() {
    MemoryMap map = MemoryMap.ofBlocks("two-fillable-granules", List.of(new MemoryBlock(M, G + 1027 * PAGE, 0),
        new MemoryBlock(4 * G, 5 * G + 1027 * PAGE, 0)));
    CpSatEngine engine = new CpSatEngine((m, limits, policy, options, start) -> cutShort(start.orElseThrow()));
    EngineResult r = engine.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages() + " " + r.details();
    assertEquals(Status.OPTIMAL, r.status(), what);
    assertEquals(4106 * PAGE, r.pamtBytes().getAsLong(), what);
    assertTrue(r.restrictions().contains(Problem.KERNEL_FAMILY_RESTRICTIONS.get(2)), what);
  }

  /**
   * {@code KernelFamilyClaimTest}'s map where only a TDMR ending over an empty granule escapes (holes
   * [1G, 1G+1M), [1G+100M, 1G+200M) and [I end, 1G+300M) around an island I of 2053 pages at
   * 1G+200M, and [2G-1M, 2G); granule 2 empty, granule 3 all memory; at most 2 TDMRs of 3 areas):
   * the model over {@link Problem} has no layout, and names the restriction that TDMRs start and end
   * in granules holding memory; [1G, 3G) (its 2053-page chunk filling I) and [3G, 4G) have 2053 +
   * 1027 = 3080 pages. With the second solve cut short at that layout, unproven, a layout exists:
   * the answer is {@code FEASIBLE} with it, about the whole kernel family, its bound at most those
   * 3080 pages (the referee's optimum there), and the restricted {@code INFEASIBLE} kept as a message.
   */
  @Test
  void aLayoutWhereTheFirstModelHasNoneIsAFeasibleAnswer() {
    long i0 = G + 200 * M;
    MemoryMap map = MemoryMap.ofBlocks("empty-end", List.of(new MemoryBlock(G + M, G + 100 * M, 0),
        new MemoryBlock(i0, i0 + 2053 * PAGE, 0), new MemoryBlock(G + 300 * M, 2 * G - M, 0),
        new MemoryBlock(3 * G, 4 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(3);
    CpSatEngine engine = new CpSatEngine((m, l, policy, options, start) ->
        cutShort(ModuleFamilySolver.kernel(m, l, policy, options, start).layout().orElseThrow()));
    EngineResult r = engine.solve(map, limits, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages() + " " + r.details();
    assertEquals(Status.FEASIBLE, r.status(), what);
    assertEquals(3080 * PAGE, r.pamtBytes().getAsLong(), what);
    assertEquals(List.of(new AddressRange(G, 3 * G), new AddressRange(3 * G, 4 * G)),
        r.layout().orElseThrow().tdmrs().stream().map(Tdmr::range).toList());
    assertTrue(r.pamtBoundBytes().isPresent() && r.pamtBoundBytes().getAsLong() <= 3080 * PAGE, what);
    assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
    assertTrue(r.messages().stream().anyMatch(m -> m.startsWith("proven only among the layouts of the kernel family"
        + " in which") && m.contains(Problem.KERNEL_FAMILY_RESTRICTIONS.get(3))
        && m.contains("no layout exists within these limits")), what);
  }

  /** What a second solve stopped by its time limit answers: its best layout, no proof. */
  private static EngineResult cutShort(Layout best) {
    return new EngineResult("cpsat", Status.FEASIBLE, Optional.of(best), OptionalLong.of(best.pamtBytes()),
        OptionalLong.empty(), List.of("time limit: the PAMT tier is the best found, not proven"), 5, 100, 200, 0);
  }
}
