package tdmr.solver;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * An engine whose solve ends by its deadline, whatever the engine does: the engine runs on a worker
 * thread with the deadline in its {@link SolveOptions}; a {@link Deadline.Exceeded} it throws (a
 * model-building loop seeing the deadline) ends the solve; and if it has not returned {@value
 * #GRACE_MILLIS} ms after the deadline (stuck in a step that cannot be interrupted, such as handing
 * a huge model to a native solver, or starved of CPU) the guard stops waiting and the worker is left
 * to stop at its next check. In both cases the answer is the best layout the engine had offered to
 * the solve's {@link Incumbent}, validated again here, as {@code FEASIBLE} (with the PAMT bound the
 * engine had proven, nothing more), or {@code UNKNOWN} when it had none. Every engine of {@link
 * Engines} runs inside one, so its {@code FEASIBLE} answers leave here saying their proven PAMT
 * bound ({@link FeasibleBound}).
 */
public final class DeadlineGuard extends EngineDecorator {
  /** How long past the deadline an engine may take to notice it and return its best answer. */
  static final long GRACE_MILLIS = 500;

  private DeadlineGuard(Engine engine) {
    super(engine);
  }

  /** {@code engine}, guarded (an engine already guarded is returned as it is). */
  public static Engine of(Engine engine) {
    return engine instanceof DeadlineGuard ? engine : new DeadlineGuard(engine);
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    Deadline deadline = options.solveDeadline();
    long budget = deadline.remainingMillis();
    EngineResult result = FeasibleBound.stated(guarded(map, limits, policy, options, deadline, started));
    if (Boolean.getBoolean("tdmr.timing")) {
      // For benchmarks/fleet-sizes.sh: where a command's time went, engine by engine.
      System.err.printf("tdmr: timing: %s: %s in %d ms of its %s%n", name(), result.status(),
          (System.nanoTime() - started) / 1_000_000, deadline.isNone() ? "unbounded time" : budget + " ms");
    }
    return result;
  }

  private EngineResult guarded(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, Deadline deadline,
      long started) {
    if (deadline.expired()) {
      return unknown("time limit: no time was left for %s in this command's --time-limit".formatted(name()), policy,
          started);
    }
    Incumbent incumbent = Incumbent.create();
    SolveOptions bounded = options.withDeadline(deadline).withIncumbent(incumbent);
    FutureTask<EngineResult> task = new FutureTask<>(() -> engine.solve(map, limits, policy, bounded));
    Thread worker = new Thread(task, "tdmr-" + name());
    worker.setDaemon(true);
    worker.start();
    try {
      return deadline.isNone()
          ? task.get()
          : task.get(deadline.remainingMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      return late(("time limit: %s did not stop within %d ms of the deadline (it was in a step it cannot"
          + " interrupt, such as building or loading a large model, or it was starved of CPU)").formatted(name(),
          GRACE_MILLIS), map, limits, policy, incumbent, started);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Deadline.Exceeded) {
        return late("time limit: it struck while %s was building its model".formatted(name()), map, limits, policy,
            incumbent, started);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      return unknown("interrupted before %s finished".formatted(name()), policy, started);
    }
  }

  /**
   * The answer when the engine did not answer in time: the best layout it offered, if it passes the
   * validator again, as {@code FEASIBLE} with the engine's proven PAMT bound; else {@code UNKNOWN}.
   */
  private EngineResult late(String why, MemoryMap map, TdxLimits limits, Policy policy, Incumbent incumbent,
      long started) {
    Optional<EngineResult> held = incumbent.best();
    if (held.isEmpty()) {
      return unknown(why + "; nothing is proven", policy, started);
    }
    EngineResult best = held.get();
    Layout layout = best.layout().orElseThrow();
    List<String> failures = LayoutVerifier.failures(map, limits, policy, layout);
    if (!failures.isEmpty()) {
      return unknown(why + "; the layout it had offered does not pass the validator (%s), so nothing is proven"
          .formatted(String.join("; ", failures)), policy, started);
    }
    OptionalLong bound = best.pamtBoundBytes().isPresent() && best.pamtBoundBytes().getAsLong() <= layout.pamtBytes()
        ? best.pamtBoundBytes() : OptionalLong.empty();
    boolean floor = incumbent.floor().filter(f -> f == best && !f.messages().isEmpty()).isPresent();
    String which = floor ? "the layout it held as its floor, " + best.messages().get(0) : "the best layout it had found before";
    String message = why + "; the answer is " + which + ", validated again: a witness, with"
        + (bound.isPresent() ? " the PAMT bound it had proven" : " no bound") + ", and no optimum claimed";
    return new EngineResult(name(), Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()), bound,
        List.of(message), (System.nanoTime() - started) / 1_000_000, best.modelVariables(), best.modelConstraints(),
        best.uncoveredBytes(), Optional.empty(), Optional.empty(), best.details(), best.question());
  }

  /** {@code UNKNOWN}, about the family {@code policy} asks about (nothing else is known of the question). */
  private EngineResult unknown(String message, Policy policy, long started) {
    return new EngineResult(name(), Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
        List.of(message), (System.nanoTime() - started) / 1_000_000, 0, 0, 0).withQuestion(Question.of(policy.family()));
  }
}
