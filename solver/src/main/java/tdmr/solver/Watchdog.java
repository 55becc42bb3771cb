package tdmr.solver;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import tdmr.time.Deadline;

/**
 * Stops a native solver at a deadline: runs an interrupt ({@code Context.interrupt()} for Z3,
 * {@code CpSolver.stopSearch()} for CP-SAT) on a timer thread when the deadline passes, unless
 * closed first. Native solvers check their own time limits only in some phases; this stops the
 * others.
 *
 * <pre>{@code
 * try (Watchdog w = Watchdog.at(deadline, ctx::interrupt)) {
 *   status = optimize.Check();
 * }
 * }</pre>
 */
public final class Watchdog implements AutoCloseable {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tdmr-watchdog");
        t.setDaemon(true);
        return t;
      });

  private final Runnable interrupt;
  private ScheduledFuture<?> alarm;
  private boolean closed;

  private Watchdog(Runnable interrupt) {
    this.interrupt = interrupt;
  }

  /** Runs {@code interrupt} once {@code deadline} passes (never without a deadline), until closed. */
  public static Watchdog at(Deadline deadline, Runnable interrupt) {
    Watchdog w = new Watchdog(interrupt);
    if (!deadline.isNone()) {
      synchronized (w) {
        // Never before the deadline: a solver stopped early would see its deadline not yet passed
        // and take the interrupt for a failure (Z3 says "canceled"); whole milliseconds round down.
        long nanos = (long) Math.ceil(deadline.remainingSeconds() * 1e9) + 1_000;
        w.alarm = TIMER.schedule(w::fire, nanos, TimeUnit.NANOSECONDS);
      }
    }
    return w;
  }

  private synchronized void fire() {
    if (!closed) {
      interrupt.run();
    }
  }

  /**
   * Cancels the interrupt. Once this returns the interrupt is not running and never will, so the
   * solver it stops may be freed right after (a Z3 context closed while being interrupted would crash).
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (alarm != null) {
      alarm.cancel(false);
    }
  }
}
