package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A guarded engine ends by its deadline whatever the engine does: a deadline seen while building
 * is UNKNOWN, an engine stuck in a step it cannot interrupt is abandoned as UNKNOWN, a bug still
 * surfaces as a bug.
 */
class DeadlineGuardTest {
  private static final MemoryMap MAP = emr135();

  private static MemoryMap emr135() {
    try {
      return RealMaps.read(RealMaps.EMR_135);
    } catch (InputException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An engine whose solve runs {@code body}. */
  private record Fake(String name, Solve body) implements Engine {
    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      return body.solve(options);
    }
  }

  private interface Solve {
    EngineResult solve(SolveOptions options);
  }

  private static EngineResult guarded(Solve body, SolveOptions options) {
    return DeadlineGuard.of(new Fake("fake", body)).solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, options);
  }

  @Test
  void aDeadlineSeenWhileBuildingIsUnknown() {
    EngineResult r = guarded(options -> {
      Deadline d = options.solveDeadline();
      while (true) {
        d.check();
        Thread.onSpinWait();
      }
    }, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.UNKNOWN, r.status());
    assertEquals("fake", r.solver());
    assertTrue(r.messages().get(0).startsWith("time limit: it struck while fake was building its model"), r.messages().toString());
  }

  @Test
  void anEngineStuckPastTheDeadlineIsAbandonedAsUnknown() throws InterruptedException {
    CountDownLatch never = new CountDownLatch(1);
    EngineResult r = guarded(options -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError("the guard must not wait for this");
    }, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.UNKNOWN, r.status());
    assertTrue(r.messages().get(0).contains("did not stop within 500 ms of the deadline"), r.messages().toString());
  }

  /**
   * A layout the engine had found before it stopped answering (starved of CPU, or in a step it
   * cannot interrupt) is the answer, as FEASIBLE: no timing is asserted, the engine never returns.
   * The GCE map, where the kernel's greedy builds a valid layout.
   */
  @Test
  void aLayoutOfferedBeforeTheEngineStuckIsAFeasibleAnswer() throws Exception {
    MemoryMap gce = RealMaps.read(RealMaps.GCE_SYSLOG);
    EngineResult found = new GreedyEngine().solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertTrue(found.layout().isPresent(), found.messages().toString());
    // The engine offers it as proven optimal, with a bound, then never comes back.
    EngineResult optimal = new EngineResult("fake", Status.OPTIMAL, found.layout(), found.pamtBytes(), found.pamtBytes(),
        List.of("proven optimal"), 1, 0, 0, 0);
    CountDownLatch never = new CountDownLatch(1);
    EngineResult r = DeadlineGuard.of(new Fake("fake", options -> {
      options.incumbent().offer(optimal);
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError("the guard must not wait for this");
    })).solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(found.layout(), r.layout());
    // The bound the engine had proven stays; the optimum is not claimed.
    assertEquals(found.pamtBytes(), r.pamtBoundBytes());
    assertTrue(r.messages().get(0).contains("did not stop within 500 ms of the deadline"), r.messages().toString());
    assertTrue(r.messages().get(0).contains("no optimum claimed"), r.messages().toString());
  }

  @Test
  void aLayoutOfferedBeforeTheDeadlineStruckWhileBuildingIsAFeasibleAnswer() throws Exception {
    MemoryMap gce = RealMaps.read(RealMaps.GCE_SYSLOG);
    EngineResult found = new GreedyEngine().solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    EngineResult r = DeadlineGuard.of(new Fake("fake", options -> {
      options.incumbent().offerLazily(() -> found);
      Deadline d = options.solveDeadline();
      while (true) {
        d.check();
        Thread.onSpinWait();
      }
    })).solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(found.layout(), r.layout());
    assertTrue(r.messages().get(0).startsWith("time limit: it struck while fake was building its model"));
  }

  /** An offered layout is validated again: one that fails (here, of another map) is no witness. */
  @Test
  void anOfferedLayoutThatFailsTheValidatorIsNoAnswer() throws Exception {
    MemoryMap gce = RealMaps.read(RealMaps.GCE_SYSLOG);
    EngineResult other = new GreedyEngine().solve(gce, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    EngineResult r = guarded(options -> {
      options.incumbent().offer(other);
      throw new Deadline.Exceeded();
    }, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.UNKNOWN, r.status());
    assertTrue(r.messages().get(0).contains("does not pass the validator"), r.messages().toString());
  }

  @Test
  void aSolutionThatCannotBeReadIsNoAnswer() {
    EngineResult r = guarded(options -> {
      options.incumbent().offerLazily(() -> {
        throw new IllegalStateException("unreadable");
      });
      throw new Deadline.Exceeded();
    }, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(Status.UNKNOWN, r.status());
  }

  @Test
  void noTimeLeftIsUnknownWithoutRunningTheEngine() {
    List<String> ran = new ArrayList<>();
    SolveOptions spent = new SolveOptions(60, 1, 0, Deadline.in(0));
    EngineResult r = guarded(options -> {
      ran.add("ran");
      throw new AssertionError();
    }, spent);
    assertEquals(Status.UNKNOWN, r.status());
    assertEquals(List.of(), ran);
  }

  @Test
  void anUnknownAnswerNamesTheFamilyItWasAskedAbout() {
    // Both UNKNOWN paths: no time left, and the deadline seen while building. They said "kernel"
    // (EngineResult's default question) under --family module.
    Engine engine = DeadlineGuard.of(new Fake("fake", options -> {
      Deadline d = options.solveDeadline();
      while (true) {
        d.check();
        Thread.onSpinWait();
      }
    }));
    EngineResult spent = engine.solve(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, new SolveOptions(60, 1, 0, Deadline.in(0)));
    EngineResult struck = engine.solve(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, SolveOptions.forCommand(0.05, 1, 0));
    assertEquals(List.of(Status.UNKNOWN, Status.UNKNOWN), List.of(spent.status(), struck.status()));
    assertEquals(List.of(Policy.Family.MODULE, Policy.Family.MODULE), List.of(spent.family(), struck.family()));
    assertEquals(Policy.Family.KERNEL,
        engine.solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.forCommand(0.05, 1, 0)).family());
  }

  @Test
  void theEngineSeesTheEarlierOfItsLimitAndTheCommandsDeadline() {
    double[] seen = new double[1];
    guarded(options -> {
      seen[0] = options.deadline().remainingSeconds();
      return new GreedyEngine().solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, options);
    }, new SolveOptions(2, 1, 0, Deadline.in(100)));
    assertTrue(seen[0] <= 2.0, "deadline " + seen[0] + " s away");
  }

  @Test
  void aBugInTheEngineIsStillABug() {
    IllegalStateException bug = new IllegalStateException("engine bug");
    assertSame(bug, assertThrows(IllegalStateException.class, () -> guarded(options -> {
      throw bug;
    }, SolveOptions.DEFAULT)));
  }

  @Test
  void registryEnginesAreGuardedOnce() {
    Engine greedy = Engines.byName("greedy").orElseThrow();
    assertSame(greedy, DeadlineGuard.of(greedy));
    assertEquals("greedy", greedy.name());
  }
}
