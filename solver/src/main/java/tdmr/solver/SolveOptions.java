package tdmr.solver;

/**
 * How long and how hard an engine may work. The same options and input give the same answer.
 *
 * @param timeLimitSeconds wall-clock limit for one solve
 * @param threads solver worker threads (CP-SAT); 1 is fully deterministic
 * @param seed random seed handed to the solver
 */
public record SolveOptions(double timeLimitSeconds, int threads, int seed) {
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
  }
}
