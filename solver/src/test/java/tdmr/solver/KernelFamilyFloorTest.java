package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A module-family answer is never worse than the kernel family's layout, which the module family
 * includes. On the GCE map (two blocks, 3 GiB and 1 GiB): the kernel's greedy builds 2 TDMRs with 2
 * and 3 reserved areas (the 1 GiB TDMR's PAMT chunk sits inside its block, splitting it), while the
 * kernel family's best puts both chunks in the first block and needs 2 and 1; both have 16 818 176
 * bytes of PAMT (three 4 MiB per GiB 4K levels: 12 MiB + 4 MiB, 2M levels 24 KiB + 8 KiB, 1G
 * levels 4 KiB each). So the greedy's layout ranks below the kernel family's best by its areas.
 */
class KernelFamilyFloorTest {
  private static MemoryMap gce;
  /** The kernel family's best (5 - 2 = 3 reserved areas). */
  private static EngineResult kernelBest;
  /** The greedy's layout: the same PAMT, 5 reserved areas, a worse module-family answer. */
  private static EngineResult greedy;

  @BeforeAll
  static void layouts() throws Exception {
    gce = RealMaps.read(RealMaps.GCE_SYSLOG);
    kernelBest = new CpSatEngine().solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    greedy = new GreedyEngine().solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertEquals(Status.OPTIMAL, kernelBest.status(), kernelBest.messages().toString());
    assertEquals(3, kernelBest.layout().orElseThrow().reservedAreaCount());
    assertEquals(5, greedy.layout().orElseThrow().reservedAreaCount());
    assertEquals(16_818_176, kernelBest.layout().orElseThrow().pamtBytes());
    assertEquals(16_818_176, greedy.layout().orElseThrow().pamtBytes());
  }

  /**
   * An exact engine answering the kernel family with its best (or by {@code kernel}) and the module
   * family by {@code module}; also {@code KernelConstructionsFloorTest}'s engine that finds nothing.
   */
  record Fake(Solve kernel, Solve module, List<Policy.Family> asked) implements Engine {
    Fake(Solve module) {
      this(o -> kernelBest, module, new ArrayList<>());
    }

    Fake(Solve kernel, Solve module) {
      this(kernel, module, new ArrayList<>());
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public boolean proves(Policy.Family family) {
      return true;
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      asked.add(policy.family());
      return (policy.family() == Policy.Family.KERNEL ? kernel : module).solve(options);
    }
  }

  interface Solve {
    EngineResult solve(SolveOptions options);
  }

  private static EngineResult moduleAnswer(Status status, EngineResult from, long bound) {
    return new EngineResult("fake", status, from.layout(), from.pamtBytes(), OptionalLong.of(bound),
        List.of("module family"), 1, 0, 0, 0).withQuestion(Question.of(Policy.Family.MODULE));
  }

  private static EngineResult solve(Engine engine, SolveOptions options) {
    return engine.solve(gce, TdxLimits.DEFAULT, Policy.DEFAULT, options);
  }

  @Test
  void aWorseLayoutAtTheTimeLimitGivesWayToTheKernelFamilys() {
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> moduleAnswer(Status.FEASIBLE, greedy, 16_000_000))),
        SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status());
    assertEquals(kernelBest.layout(), r.layout());
    // The answer is about the module family, with the module family's bound, not the kernel family's.
    assertEquals(Policy.Family.MODULE, r.family());
    assertEquals(OptionalLong.of(16_000_000), r.pamtBoundBytes());
    assertTrue(r.messages().get(r.messages().size() - 1).contains("worse than the kernel family's optimum"),
        r.messages().toString());
  }

  @Test
  void noLayoutAtTheTimeLimitIsTheKernelFamilysLayout() {
    EngineResult unknown = new EngineResult("fake", Status.UNKNOWN, java.util.Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of("time limit: no layout found and none ruled out"), 1, 0, 0, 0)
        .withQuestion(Question.of(Policy.Family.MODULE));
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> unknown)), SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status());
    assertEquals(kernelBest.layout(), r.layout());
    assertEquals(OptionalLong.empty(), r.pamtBoundBytes());
    // The answer has a layout: the search's "no layout found" is said as the search's, not the answer's.
    assertEquals("module-family search: time limit: no layout found and none ruled out", r.messages().get(0));
    assertTrue(r.messages().get(1).startsWith("the answer is the kernel family"), r.messages().toString());
  }

  /**
   * The kernel family's search finds nothing in its share of the time (as on hosts of many nodes
   * under load), nor does the module family's: the kernel constructions' best layout is the floor and
   * the answer. Here that is greedy-fit's: its chunks sit against the holes (both at the low end of
   * the first block), 2 and 1 reserved areas like the kernel family's best, where the Linux greedy's
   * need 5 and greedy-merge's 4 TDMRs have more PAMT (4 TDMRs of 1 GiB: 1 page of 1G level each).
   */
  @Test
  void withoutAKernelFamilyLayoutTheConstructionsBestIsTheFloor() {
    EngineResult unknown = new EngineResult("fake", Status.UNKNOWN, java.util.Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of("time limit"), 1, 0, 0, 0).withQuestion(Question.of(Policy.Family.MODULE));
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> unknown, o -> unknown)), SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status());
    assertEquals(GreedyEngine.fit().solve(gce, TdxLimits.DEFAULT, Policy.DEFAULT, SolveOptions.DEFAULT).layout(),
        r.layout());
    assertEquals(3, r.layout().orElseThrow().reservedAreaCount());
    assertEquals(16_818_176, r.layout().orElseThrow().pamtBytes());
    assertEquals(Policy.Family.MODULE, r.family());
    assertTrue(r.messages().get(r.messages().size() - 1)
        .startsWith("the answer is the layout of the kernel construction greedy-fit"), r.messages().toString());
  }

  /** Where the kernel family's search has a layout, the greedy's (worse by its areas) is not the floor. */
  @Test
  void theKernelFamilysBetterLayoutIsTheFloorBeforeTheGreedys() {
    EngineResult unknown = new EngineResult("fake", Status.UNKNOWN, java.util.Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of("time limit"), 1, 0, 0, 0).withQuestion(Question.of(Policy.Family.MODULE));
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> unknown)), SolveOptions.DEFAULT);
    assertEquals(kernelBest.layout(), r.layout());
    assertTrue(r.messages().get(r.messages().size() - 1).startsWith("the answer is the kernel family's optimum"),
        r.messages().toString());
  }

  @Test
  void aLayoutNoWorseStands() {
    EngineResult same = moduleAnswer(Status.FEASIBLE, kernelBest, 16_818_176);
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> same)), SolveOptions.DEFAULT);
    assertEquals(List.of("module family"), r.messages());
    assertSame(kernelBest.layout().orElseThrow(), r.layout().orElseThrow());
  }

  @Test
  void anOptimumWorseThanTheKernelFamilysLayoutIsADefect() {
    Engine e = KernelFamilyFloor.of(new Fake(o -> moduleAnswer(Status.OPTIMAL, greedy, 16_818_176)));
    assertThrows(IllegalStateException.class, () -> solve(e, SolveOptions.DEFAULT));
  }

  /** An optimum under a restriction of the model that the kernel family's layout lies outside of. */
  @Test
  void aRestrictedOptimumBeatenByTheKernelFamilysLayoutIsWithdrawn() {
    EngineResult restricted = moduleAnswer(Status.OPTIMAL, greedy, 16_818_176)
        .withQuestion(new Question(Policy.Family.MODULE, List.of("no level lies anywhere interesting")));
    EngineResult r = solve(KernelFamilyFloor.of(new Fake(o -> restricted)), SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status());
    assertEquals(kernelBest.layout(), r.layout());
    assertEquals(OptionalLong.empty(), r.pamtBoundBytes());
    assertTrue(r.messages().get(0).contains("held only where no level lies anywhere interesting"), r.messages().toString());
  }

  @Test
  void noModuleLayoutBesideAKernelLayoutIsADefect() {
    EngineResult none = new EngineResult("fake", Status.INFEASIBLE, java.util.Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of(), 1, 0, 0, 0).withQuestion(Question.of(Policy.Family.MODULE));
    assertThrows(IllegalStateException.class, () -> solve(KernelFamilyFloor.of(new Fake(o -> none)), SolveOptions.DEFAULT));
  }

  @Test
  void theKernelFamilyAloneRunsTheEngineOnce() {
    Fake fake = new Fake(o -> {
      throw new AssertionError("no module-family solve");
    });
    EngineResult r = KernelFamilyFloor.of(fake).solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertSame(kernelBest, r);
    assertEquals(List.of(Policy.Family.KERNEL), fake.asked());
  }

  @Test
  void enginesThatProveNothingGetNoFloor() {
    Engine greedyEngine = new GreedyEngine();
    assertSame(greedyEngine, KernelFamilyFloor.of(greedyEngine));
  }

  /**
   * An engine that offered a worse layout and then never came back: the guard answers with the
   * kernel family's layout, the better of the two it holds. No timing is asserted.
   */
  @Test
  void theGuardPrefersTheKernelFamilysLayoutToAWorseOffer() {
    CountDownLatch never = new CountDownLatch(1);
    Engine e = DeadlineGuard.of(KernelFamilyFloor.of(new Fake(o -> {
      o.incumbent().offer(moduleAnswer(Status.FEASIBLE, greedy, 0));
      try {
        never.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError("the guard must not wait for this");
    })));
    EngineResult r = solve(e, SolveOptions.forCommand(0.2, 1, 0));
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(kernelBest.layout(), r.layout());
    assertEquals(Policy.Family.MODULE, r.family());
    assertEquals(OptionalLong.empty(), r.pamtBoundBytes());
    assertTrue(r.messages().get(0).contains("the answer is the layout it held as its floor, the kernel family's optimum"),
        r.messages().toString());
  }
}
