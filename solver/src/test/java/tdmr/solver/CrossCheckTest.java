package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class CrossCheckTest {
  private static final Set<String> EXACT = Set.of("cpsat", "z3");

  @Test
  void greedyCpsatAndZ3AgreeOnEveryRealMap() throws Exception {
    for (String name : RealMaps.all()) {
      if (name.equals(RealMaps.GNR_415_NO_MAP)) {
        continue;
      }
      MemoryMap map = RealMaps.read(name);
      for (Policy policy : List.of(Policy.KERNEL, Policy.KERNEL.withHoles(Policy.Holes.CMR))) {
        CrossCheck.Report report = CrossCheck.run(map, TdxLimits.DEFAULT, policy, SolveOptions.DEFAULT);
        assertTrue(report.passed(), name + " " + policy + "\n" + String.join("\n", report.lines()));
        assertEquals(3, report.results().size());
      }
    }
  }

  /**
   * canonical/tdx#135: the kernel's greedy fails (TDMR [0, 2G) needs 17 areas plus its PAMT), while
   * both exact engines prove 2 TDMRs with 2·4108 KiB = 8413184 bytes of PAMT optimal.
   */
  @Test
  void tdx135GreedyFailsAndBothExactEnginesProveTheSameOptimum() throws Exception {
    CrossCheck.Report report =
        CrossCheck.run(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertTrue(report.passed(), String.join("\n", report.lines()));
    assertEquals(Status.FAILED, report.results().get(0).status());
    assertEquals(OptionalLong.of(8413184), report.results().get(1).pamtBytes());
    assertEquals(OptionalLong.of(8413184), report.results().get(2).pamtBytes());
  }

  @Test
  void anInfeasibilityClaimAgainstABuiltLayoutIsAFailure() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    EngineResult z3 = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    EngineResult wrong =
        new EngineResult("cpsat", Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0).withQuestion(z3.question());

    CrossCheck.Report report = CrossCheck.compare(map, TdxLimits.DEFAULT, Policy.KERNEL, List.of(wrong, z3), EXACT);

    assertFalse(report.passed());
    assertEquals(
        List.of("cpsat says INFEASIBLE but z3 says OPTIMAL"),
        report.failures());
    assertTrue(report.lines().get(0).startsWith("cross-check FAILED on "), report.lines().get(0));
  }

  /**
   * canonical/tdx#135 with 17 areas per TDMR: the single TDMR [0, 2G) (17 holes, 4104·2 + 4 =
   * 8212 KiB) is optimal; a claimed optimum of two 1 GiB TDMRs (2·4108 = 8216 KiB) contradicts it.
   */
  @Test
  void differentOptimaAreAFailure() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    TdxLimits seventeen = TdxLimits.DEFAULT.withMaxReservedPerTdmr(17);
    EngineResult z3 = new Z3Engine().solve(map, seventeen, Policy.KERNEL, SolveOptions.DEFAULT);
    EngineResult twoTdmrs = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    EngineResult claimed =
        new EngineResult("cpsat", Status.OPTIMAL, twoTdmrs.layout(), twoTdmrs.pamtBytes(), twoTdmrs.pamtBytes(),
            List.of(), 0, 0, 0, 0).withQuestion(z3.question());

    CrossCheck.Report report = CrossCheck.compare(map, seventeen, Policy.KERNEL, List.of(claimed, z3), EXACT);

    assertEquals(
        List.of("optima differ: cpsat proves PAMT 8413184 bytes (8.02 MiB), 2 TDMRs, 17 reserved areas,"
            + " z3 proves PAMT 8409088 bytes (8.02 MiB), 1 TDMR, 17 reserved areas"),
        report.failures());
  }

  /**
   * Blocks [1M, 2M) on node 0 and [0x201000, 0xa06000) on node 1: tdmr_get_nid gives TDMR [0, 1G)
   * node 0, whose 1 MiB cannot hold a 4108 KiB PAMT, so the kernel-family instance (each chunk on
   * its TDMR's node under node-local) has no layout; the kernel's allocator falls back to node 1 and
   * succeeds. That layout lies outside the restriction the exact engines name: noted, not a
   * disagreement.
   */
  @Test
  void aGreedyPamtOffItsNodeIsOutsideTheNamedRestriction() {
    MemoryMap map =
        MemoryMap.of(
            "off-node",
            List.of(new tdmr.mem.MemoryBlock(0x100000L, 0x200000L, 0), new tdmr.mem.MemoryBlock(0x201000L, 0xa06000L, 1)),
            List.of(new tdmr.mem.AddressRange(0x100000L, 0xa06000L)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(4);
    CrossCheck.Report report = CrossCheck.run(map, limits, Policy.KERNEL, SolveOptions.DEFAULT);

    assertTrue(report.passed(), String.join("\n", report.lines()));
    assertEquals(Status.FEASIBLE, report.results().get(0).status());
    assertEquals(Status.INFEASIBLE, report.results().get(1).status());
    assertEquals(Status.INFEASIBLE, report.results().get(2).status());
    assertTrue(report.notes().stream().anyMatch(n -> n.contains("outside the restrictions it names")
        && n.contains(Problem.NODE_LOCAL_RESTRICTION)), report.notes().toString());
  }

  /**
   * Both exact engines prove the module family: on the 4 KiB island map (a 1 GiB TDMR whose 1G
   * level fills the island and merges the holes around it: 2 areas) they answer the same question,
   * OPTIMAL without restrictions, and the cross-check compares them strictly.
   */
  @Test
  void z3AndCpSatProveTheModuleFamilyAlike() {
    long k = 1024;
    long m = 1024 * k;
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(
        new tdmr.mem.MemoryBlock(m, 512 * m, 0),
        new tdmr.mem.MemoryBlock(512 * m + 64 * k, 512 * m + 68 * k, 0),
        new tdmr.mem.MemoryBlock(513 * m, 1024 * m, 0)));
    Policy module = Policy.KERNEL.withFamily(Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(2);
    CrossCheck.Report report = CrossCheck.run(map, limits, module, new SolveOptions(60, 1, 0));

    assertTrue(report.passed(), String.join("\n", report.lines()));
    EngineResult cpsat = report.results().get(1);
    EngineResult z3 = report.results().get(2);
    assertEquals(Policy.Family.MODULE, z3.family());
    assertEquals(Status.OPTIMAL, cpsat.status(), cpsat.messages().toString());
    assertEquals(Status.OPTIMAL, z3.status(), z3.messages().toString());
    assertEquals(cpsat.question(), z3.question());
    assertEquals(2, z3.layout().orElseThrow().maxReservedPerTdmr());
    assertTrue(report.notes().isEmpty(), report.notes().toString());
  }

  /**
   * Two touching blocks of different nodes, [1G, 2G) on node 0 and [2G, 3G) on node 1, under PAMT
   * node-local. Remote PAMT first: one TDMR per node, each with its levels (1024 + 2 + 1 pages) in
   * its own block, one area each: 2054 pages, no remote PAMT; one TDMR over both would describe a
   * granule remotely. A level straddling 2G lies on both nodes and so describes remotely whichever
   * granule lacks one of them: it could only belong to a TDMR without memory, which costs 1027
   * pages more than this bound-meeting optimum. So neither engine names straddling levels (Z3
   * once named them wherever blocks touch), both answer the same question, and the cross-check
   * compares them strictly.
   */
  @Test
  void z3AndCpSatNameStraddlingLevelsAlike() {
    long g = 1024L * 1024 * 1024;
    MemoryMap map = MemoryMap.ofBlocks("touching-nodes", List.of(
        new tdmr.mem.MemoryBlock(g, 2 * g, 0),
        new tdmr.mem.MemoryBlock(2 * g, 3 * g, 1)));
    Policy module = Policy.DEFAULT.withFamily(Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(2);
    CrossCheck.Report report = CrossCheck.run(map, limits, module, new SolveOptions(60, 1, 0));

    assertTrue(report.passed(), String.join("\n", report.lines()));
    EngineResult cpsat = report.results().get(1);
    EngineResult z3 = report.results().get(2);
    assertEquals(Status.OPTIMAL, cpsat.status(), cpsat.messages().toString());
    assertEquals(Status.OPTIMAL, z3.status(), z3.messages().toString());
    assertEquals(new LayoutScore(0, 0, 2054 * 4096L, 2, 2), LayoutScore.of(map, limits, module, z3.layout().orElseThrow()));
    assertEquals(List.of(), z3.restrictions());
    assertEquals(cpsat.question(), z3.question());
  }

  /**
   * Both engines state one claim in one wording, so a bug report can quote either. On #135 the
   * kernel family needs two 1 GiB TDMRs (README, "Layout families"), each with the kernel's chunk of
   * 4 MiB (4K level) + 8 KiB (2M) + 4 KiB (1G) = 4108 KiB: 8216 KiB = 8413184 bytes in all, with the
   * 16 gaps of [1 GiB, 2 GiB) and the one of [0, 1 GiB) reserved (17 areas), all on node 0.
   */
  @Test
  void cpsatAndZ3StateTheKernelFamilyOptimumInTheSameWords() {
    MemoryMap map = Tdx135MapFixture.map();
    CrossCheck.Report report = CrossCheck.run(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String expected = "proven optimal among the kernel family (each TDMR's PAMT one contiguous 4K/2M/1G chunk of the"
        + " kernel's sizes in one memory block): 2 TDMRs, PAMT 8413184 bytes (8.02 MiB), 17 reserved areas, remote"
        + " PAMT 0 bytes";
    for (EngineResult r : report.results()) {
      if (EXACT.contains(r.solver())) {
        assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
        assertEquals(expected, r.messages().get(0), r.solver());
        // The module family has a layout with 15 areas there, but the kernel family's own bounds
        // are met (KernelFamilyBoundsTest), so both say alike that no restriction can matter.
        assertEquals(KernelFamilyClaim.KERNEL_UNRESTRICTED, r.messages().get(r.messages().size() - 1), r.solver());
      }
    }
  }
  /**
   * The map of blocks [1 MiB, 1 GiB + 1027 pages) and [4 GiB, 5 GiB + 1027 pages) on node 0
   * ({@code cpsat.KernelFamilySolverTest} derives the values): the model over {@link Problem}'s
   * optimum X, [0, 2G) and [4G, 6G), 4106 pages, among layouts covering every granule holding
   * memory; Y, [0, 1G) and [4G, 6G), granule 1's memory the chunk of [0, 1G), 3080 pages; every
   * layout of the family has at least 2054 pages.
   */
  private static final MemoryMap TWO_FILLABLE = MemoryMap.ofBlocks("two-fillable-granules", List.of(
      new tdmr.mem.MemoryBlock(1L << 20, (1L << 30) + 1027 * 4096L, 0),
      new tdmr.mem.MemoryBlock(4L << 30, (5L << 30) + 1027 * 4096L, 0)));

  private static tdmr.tdx.Layout twoFillable(String which) throws Exception {
    return tdmr.parse.LayoutJson.read(which, java.nio.file.Files.readString(
        java.nio.file.Path.of("src/test/resources/family/two-fillable-granules-" + which + ".json")));
  }

  private static EngineResult answer(String solver, Status status, tdmr.tdx.Layout layout, long boundPages,
      Question question) {
    return new EngineResult(solver, status, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
        OptionalLong.of(boundPages * 4096), List.of(), 0, 0, 0, 0).withQuestion(question);
  }

  /**
   * One engine's {@code OPTIMAL} X among the layouts its model holds (naming that restriction) and
   * the other's {@code FEASIBLE} Y outside them, better, with the family's bound 2054 pages: both
   * hold, so the cross-check passes and notes the better layout outside the restrictions.
   */
  @Test
  void aRestrictedOptimumAndABetterFeasibleLayoutOutsideItsRestrictionsAgree() throws Exception {
    EngineResult restricted = answer("z3", Status.OPTIMAL, twoFillable("restricted"), 4106,
        Problem.kernelQuestion(Policy.KERNEL));
    EngineResult outside = answer("cpsat", Status.FEASIBLE, twoFillable("outside"), 2054,
        Question.of(Policy.Family.KERNEL));
    CrossCheck.Report report = CrossCheck.compare(TWO_FILLABLE, TdxLimits.DEFAULT, Policy.KERNEL,
        List.of(outside, restricted), EXACT);
    assertTrue(report.passed(), String.join("\n", report.lines()));
    assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("z3 claims an optimum of PAMT 16818176 bytes")
        && n.contains("outside the restrictions it names")), report.notes().toString());
  }

  /**
   * An {@code OPTIMAL} X claimed for the whole kernel family (no restrictions) against the other
   * engine's {@code FEASIBLE} Y, 3080 pages: Y ranks better, so the claim is false: a disagreement.
   */
  @Test
  void anUnrestrictedOptimumWorseThanTheOthersFeasibleLayoutIsAFailure() throws Exception {
    EngineResult claimed = answer("z3", Status.OPTIMAL, twoFillable("restricted"), 4106,
        Question.of(Policy.Family.KERNEL));
    EngineResult outside = answer("cpsat", Status.FEASIBLE, twoFillable("outside"), 2054,
        Question.of(Policy.Family.KERNEL));
    CrossCheck.Report report = CrossCheck.compare(TWO_FILLABLE, TdxLimits.DEFAULT, Policy.KERNEL,
        List.of(outside, claimed), EXACT);
    assertEquals(List.of("z3 claims an optimum of PAMT 16818176 bytes (16.04 MiB), 2 TDMRs, 3 reserved areas, but"
        + " cpsat found PAMT 12615680 bytes (12.03 MiB), 2 TDMRs, 2 reserved areas"), report.failures());
  }

  /**
   * A {@code FEASIBLE} X stating a bound of 3081 pages for the whole kernel family against Y, a
   * valid layout of 3080 pages: the bound is false, a disagreement; the same bound among the layouts
   * of the model's restrictions (Y lies outside them) is not compared.
   */
  @Test
  void aFamilyBoundAboveAnotherEnginesLayoutIsAFailure() throws Exception {
    EngineResult bounded = answer("z3", Status.FEASIBLE, twoFillable("restricted"), 3081,
        Question.of(Policy.Family.KERNEL));
    EngineResult outside = answer("cpsat", Status.FEASIBLE, twoFillable("outside"), 2054,
        Question.of(Policy.Family.KERNEL));
    CrossCheck.Report report = CrossCheck.compare(TWO_FILLABLE, TdxLimits.DEFAULT, Policy.KERNEL,
        List.of(outside, bounded), EXACT);
    assertEquals(List.of("z3 proves that no layout of the kernel family needs less than 12619776 PAMT bytes, but cpsat"
        + " found PAMT 12615680 bytes (12.03 MiB), 2 TDMRs, 2 reserved areas"), report.failures());
    EngineResult restricted = bounded.withQuestion(Problem.kernelQuestion(Policy.KERNEL));
    assertTrue(CrossCheck.compare(TWO_FILLABLE, TdxLimits.DEFAULT, Policy.KERNEL, List.of(outside, restricted), EXACT)
        .passed());
  }
}
