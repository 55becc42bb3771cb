package tdmr.solver;

import java.util.Objects;
import tdmr.time.Deadline;

/**
 * How long and how hard an engine may work. The same options and input give the same answer.
 *
 * @param timeLimitSeconds wall-clock limit for one solve
 * @param threads solver worker threads (CP-SAT); 1 is fully deterministic
 * @param seed random seed handed to the solver
 * @param deadline the deadline of the whole command (made from {@code --time-limit} when the
 *     command starts), which no solve passes whatever its own limit; {@link Deadline#none()} for
 *     callers that bound each solve by {@code timeLimitSeconds} alone
 * @param stopAfterPamt the question is the price of the limits (the least PAMT under them, {@code
 *     prove} and {@code frontier}): an engine may stop once the tiers up to PAMT are proven and
 *     answer {@link Status#FEASIBLE} with a PAMT bound equal to its layout's PAMT, leaving the TDMR
 *     and reserved-area tiers as found; engines that do not implement it solve every tier
 * @param incumbent where an engine offers each validated layout as it finds it, so that {@link
 *     DeadlineGuard} can return it if the engine does not come back in time ({@link Incumbent#NONE}
 *     outside a guard)
 */
public record SolveOptions(double timeLimitSeconds, int threads, int seed, Deadline deadline, boolean stopAfterPamt,
    Incumbent incumbent) {
  /** The time limit of {@link #DEFAULT}, and of the command line's {@code --time-limit}. */
  public static final int DEFAULT_TIME_LIMIT_SECONDS = 60;

  public static final SolveOptions DEFAULT = new SolveOptions(DEFAULT_TIME_LIMIT_SECONDS, 1, 0);

  public SolveOptions {
    if (!(timeLimitSeconds > 0)) {
      throw new IllegalArgumentException("time limit must be positive, got " + timeLimitSeconds);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(incumbent, "incumbent");
  }

  public SolveOptions(double timeLimitSeconds, int threads, int seed, Deadline deadline, boolean stopAfterPamt) {
    this(timeLimitSeconds, threads, seed, deadline, stopAfterPamt, Incumbent.NONE);
  }

  /** Options that solve every tier of the objective. */
  public SolveOptions(double timeLimitSeconds, int threads, int seed, Deadline deadline) {
    this(timeLimitSeconds, threads, seed, deadline, false);
  }

  /** Options without a command deadline: each solve is bounded by {@code timeLimitSeconds}. */
  public SolveOptions(double timeLimitSeconds, int threads, int seed) {
    this(timeLimitSeconds, threads, seed, Deadline.none());
  }

  /**
   * The options of a command that started now: every solve it runs ends by {@code
   * timeLimitSeconds} from now, whatever work came before it.
   */
  public static SolveOptions forCommand(double timeLimitSeconds, int threads, int seed) {
    return new SolveOptions(timeLimitSeconds, threads, seed, Deadline.in(timeLimitSeconds));
  }

  /**
   * The deadline of one solve starting now: the command's deadline, or {@code timeLimitSeconds}
   * from now when that comes first. Engines call this once, when their solve starts.
   */
  public Deadline solveDeadline() {
    return deadline.within(timeLimitSeconds);
  }

  /** The same options with another deadline (a share of the command's, for one of several solves). */
  public SolveOptions withDeadline(Deadline other) {
    return new SolveOptions(timeLimitSeconds, threads, seed, other, stopAfterPamt, incumbent);
  }

  /** The same options offering layouts to {@code holder} ({@link #incumbent}). */
  public SolveOptions withIncumbent(Incumbent holder) {
    return new SolveOptions(timeLimitSeconds, threads, seed, deadline, stopAfterPamt, holder);
  }

  /** The same options asking only for the price of the limits ({@link #stopAfterPamt}). */
  public SolveOptions stoppingAfterPamt() {
    return new SolveOptions(timeLimitSeconds, threads, seed, deadline, true, incumbent);
  }
}
