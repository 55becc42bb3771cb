package tdmr.time;

/**
 * A moment by which a command must have its answer, on the {@link System#nanoTime()} clock.
 *
 * <p>A command makes one deadline from {@code --time-limit} when it starts; everything it runs
 * (reading aside) works within it: engines, their model building and their searches. Work that
 * runs several solves divides what is left ({@link #share}), so the whole command ends on time.
 * Long loops call {@link #check()}, which throws {@link Exceeded}; the engine that owns the solve
 * catches it and answers {@code UNKNOWN} (or the layout it already has, unproven). Solvers that run
 * in native code are stopped at the deadline by a watchdog that interrupts them.
 */
public final class Deadline {
  /**
   * Budgets are capped at about 31 years, so that {@code now + budget} cannot overflow the
   * nanosecond clock; a larger {@code --time-limit} means "no limit" in practice.
   */
  public static final double MAX_SECONDS = 1e9;

  private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);

  private final long nanoTime;
  private final boolean none;

  private Deadline(long nanoTime, boolean none) {
    this.nanoTime = nanoTime;
    this.none = none;
  }

  /** The deadline {@code seconds} from now; at most {@link #MAX_SECONDS}. */
  public static Deadline in(double seconds) {
    if (Double.isNaN(seconds)) {
      throw new IllegalArgumentException("a time limit must be a number of seconds, got NaN");
    }
    double capped = Math.max(0, Math.min(seconds, MAX_SECONDS));
    return new Deadline(System.nanoTime() + Math.round(capped * 1e9), false);
  }

  /** No deadline: for library callers and tests that bound a solve by its own time limit only. */
  public static Deadline none() {
    return NONE;
  }

  /** True for {@link #none()}. */
  public boolean isNone() {
    return none;
  }

  /** True once the deadline has passed. */
  public boolean expired() {
    return !none && System.nanoTime() - nanoTime >= 0;
  }

  /** Seconds left, 0 once expired; {@link #MAX_SECONDS} without a deadline. */
  public double remainingSeconds() {
    if (none) {
      return MAX_SECONDS;
    }
    return Math.max(0, (nanoTime - System.nanoTime()) / 1e9);
  }

  /** Milliseconds left, 0 once expired. */
  public long remainingMillis() {
    return none ? Math.round(MAX_SECONDS * 1000) : Math.max(0, (nanoTime - System.nanoTime()) / 1_000_000);
  }

  /** The earlier of this deadline and {@code seconds} from now. */
  public Deadline within(double seconds) {
    Deadline other = in(seconds);
    return none || other.nanoTime - nanoTime < 0 ? other : this;
  }

  /**
   * One of {@code parts} equal shares of the time left: the deadline {@code remaining / parts}
   * from now. A step of work that is followed by {@code parts - 1} more takes this share, and
   * what it leaves unused goes to the steps after it. Without a deadline, none.
   */
  public Deadline share(int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1, got " + parts);
    }
    if (none || parts == 1) {
      return this;
    }
    return new Deadline(System.nanoTime() + Math.max(0, nanoTime - System.nanoTime()) / parts, false);
  }

  /** Throws {@link Exceeded} once the deadline has passed; cheap enough for inner loops. */
  public void check() {
    if (expired()) {
      throw new Exceeded();
    }
  }

  @Override
  public String toString() {
    return none ? "no deadline" : "deadline in %.3f s".formatted((nanoTime - System.nanoTime()) / 1e9);
  }

  /**
   * The deadline passed while work was still going on. Unchecked, since it is thrown from deep in
   * model building; the engine that started the work catches it and answers without a proof.
   */
  public static final class Exceeded extends RuntimeException {
    public Exceeded() {
      super("the time limit struck", null, false, false);
    }
  }
}
