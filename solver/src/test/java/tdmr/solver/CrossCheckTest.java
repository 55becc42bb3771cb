package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class CrossCheckTest {
  private static final Set<String> CPSAT = Set.of("cpsat");

  private static List<Engine> greedyAndCpsat() {
    return Engines.select("greedy,cpsat");
  }

  /**
   * canonical/tdx#135: the kernel's greedy fails (TDMR [0, 2G) needs 17 areas plus its PAMT). In the
   * module family one TDMR [0, 2G) fits: its 1G level (1 page) fills a 4 KiB island between two
   * holes, leaving 16 areas, with the 2 GiB TDMR's 2048 + 4 + 1 pages = 8409088 bytes of PAMT. In
   * the kernel family two 1 GiB TDMRs are needed: 2 · 1027 pages = 8413184 bytes.
   */
  @Test
  void tdx135TheGreedyFailsAndCpsatProvesEachFamilysOptimum() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    CrossCheck.Report module = CrossCheck.run(map, TdxLimits.DEFAULT, Policy.DEFAULT, SolveOptions.DEFAULT,
        greedyAndCpsat());
    assertTrue(module.passed(), String.join("\n", module.lines()));
    assertEquals(Status.FAILED, module.results().get(0).status());
    assertEquals(Status.OPTIMAL, module.results().get(1).status());
    assertEquals(OptionalLong.of(8409088), module.results().get(1).pamtBytes());
    Policy kernel = Policy.DEFAULT.withFamily(Policy.Family.KERNEL);
    CrossCheck.Report k = CrossCheck.run(map, TdxLimits.DEFAULT, kernel, SolveOptions.DEFAULT, greedyAndCpsat());
    assertTrue(k.passed(), String.join("\n", k.lines()));
    assertEquals(OptionalLong.of(8413184), k.results().get(1).pamtBytes());
  }

  @Test
  void anInfeasibilityClaimAgainstABuiltLayoutIsAFailure() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    Policy kernel = Policy.DEFAULT.withFamily(Policy.Family.KERNEL);
    EngineResult built = Engines.select("cpsat").get(0).solve(map, TdxLimits.DEFAULT, kernel, SolveOptions.DEFAULT);
    EngineResult built2 = new EngineResult("other", built.status(), built.layout(), built.pamtBytes(),
        built.pamtBoundBytes(), List.of(), 0, 0, 0, 0);
    EngineResult wrong =
        new EngineResult("cpsat", Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);

    CrossCheck.Report report = CrossCheck.compare(map, TdxLimits.DEFAULT, kernel, List.of(wrong, built2), CPSAT);

    assertFalse(report.passed());
    assertEquals(List.of("cpsat proves no layout exists, but other built one (remote PAMT 0 bytes, PAMT 8413184 bytes"
        + " (8.02 MiB), 2 TDMRs, 17 reserved areas)"), report.failures());
    assertTrue(report.lines().get(0).startsWith("cross-check FAILED on "), report.lines().get(0));
  }

  /**
   * canonical/tdx#135, kernel family, 17 areas per TDMR: the single TDMR [0, 2G) (17 holes, 2053
   * pages) beats a claimed optimum of two 1 GiB TDMRs (2 · 1027 pages); the claim is a failure, and
   * two exact engines proving different optima are one too.
   */
  @Test
  void aProvenOptimumBeatenOrContradictedIsAFailure() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    TdxLimits seventeen = TdxLimits.DEFAULT.withMaxReservedPerTdmr(17);
    Policy kernel = Policy.DEFAULT.withFamily(Policy.Family.KERNEL);
    Engine cpsat = Engines.select("cpsat").get(0);
    EngineResult best = cpsat.solve(map, seventeen, kernel, SolveOptions.DEFAULT);
    assertEquals(OptionalLong.of(8409088), best.pamtBytes());
    EngineResult twoTdmrs = cpsat.solve(map, TdxLimits.DEFAULT, kernel, SolveOptions.DEFAULT);
    EngineResult claimed = new EngineResult("z3", Status.OPTIMAL, twoTdmrs.layout(), twoTdmrs.pamtBytes(),
        twoTdmrs.pamtBytes(), List.of(), 0, 0, 0, 0);

    CrossCheck.Report report = CrossCheck.compare(map, seventeen, kernel, List.of(claimed, best), Set.of("z3", "cpsat"));

    assertEquals(List.of("optima differ: z3 proves remote PAMT 0 bytes, PAMT 8413184 bytes (8.02 MiB), 2 TDMRs,"
        + " 17 reserved areas, cpsat proves remote PAMT 0 bytes, PAMT 8409088 bytes (8.02 MiB), 1 TDMR, 17 reserved"
        + " areas"), report.failures());
    CrossCheck.Report alone = CrossCheck.compare(map, seventeen, kernel, List.of(claimed, best), Set.of("z3"));
    assertEquals(1, alone.failures().size(), alone.failures().toString());
  }

  /**
   * Blocks [1M, 2M) on node 0 and [0x201000, 0xa06000) on node 1: the kernel's chunk for TDMR [0, 1G)
   * goes to node 1 (node 0's 1 MiB cannot hold it). PAMT on another node than memory it describes is
   * legal, only ranked lower under node-local, so CP-SAT must do at least as well as the greedy.
   */
  @Test
  void theGreedysLayoutIsInBothFamilies() {
    MemoryMap map = MemoryMap.of("off-node",
        List.of(new MemoryBlock(0x100000L, 0x200000L, 0), new MemoryBlock(0x201000L, 0xa06000L, 1)),
        List.of(new AddressRange(0x100000L, 0xa06000L)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(4);
    for (Policy.Family f : Policy.Family.values()) {
      CrossCheck.Report report = CrossCheck.run(map, limits, Policy.DEFAULT.withFamily(f), SolveOptions.DEFAULT,
          greedyAndCpsat());
      assertTrue(report.passed(), String.join("\n", report.lines()));
      assertEquals(Status.FEASIBLE, report.results().get(0).status());
      assertEquals(Status.OPTIMAL, report.results().get(1).status());
    }
  }
}
