package tdmr.solver;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * An engine whose solve ends by its deadline, whatever the engine does: the engine runs on a worker
 * thread with the deadline in its {@link SolveOptions}; a {@link Deadline.Exceeded} it throws (a
 * model-building loop seeing the deadline) becomes {@code UNKNOWN}; and if it has not returned
 * {@value #GRACE_MILLIS} ms after the deadline (stuck in a step that cannot be interrupted, such as
 * handing a huge model to a native solver) the answer is {@code UNKNOWN} and the worker is left to
 * stop at its next check. Every engine of {@link Engines} runs inside one.
 */
public final class DeadlineGuard implements Engine {
  /** How long past the deadline an engine may take to notice it and return its best answer. */
  static final long GRACE_MILLIS = 500;

  private final Engine engine;

  private DeadlineGuard(Engine engine) {
    this.engine = engine;
  }

  /** {@code engine}, guarded (an engine already guarded is returned as it is). */
  public static Engine of(Engine engine) {
    return engine instanceof DeadlineGuard ? engine : new DeadlineGuard(engine);
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public boolean proves(Policy.Family family) {
    return engine.proves(family);
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    Deadline deadline = options.solveDeadline();
    long budget = deadline.remainingMillis();
    EngineResult result = guarded(map, limits, policy, options, deadline, started);
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
      return unknown("time limit: no time was left for %s in this command's --time-limit".formatted(name()), started);
    }
    SolveOptions bounded = options.withDeadline(deadline);
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
      return unknown(("time limit: %s did not stop within %d ms of the deadline (it was in a step it cannot"
          + " interrupt, such as building or loading a large model); nothing is proven").formatted(name(), GRACE_MILLIS),
          started);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Deadline.Exceeded) {
        return unknown("time limit: it struck while %s was building its model; nothing is proven".formatted(name()),
            started);
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
      return unknown("interrupted before %s finished".formatted(name()), started);
    }
  }

  private EngineResult unknown(String message, long started) {
    return new EngineResult(name(), Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
        List.of(message), (System.nanoTime() - started) / 1_000_000, 0, 0, 0);
  }
}
