package tdmr.parse;

/**
 * Bad input: names the file, the 1-based line (0 when the problem is not on one line) and the
 * problem. The command line prints {@link #getMessage()} and exits with status 2.
 */
public final class InputException extends Exception {
  private final String file;
  private final int line;
  private final String problem;
  private final boolean twoMaps;

  public InputException(String file, int line, String problem) {
    this(file, line, problem, "");
  }

  /**
   * Bad input with what to do about it: {@code hint} follows the problem in {@link #getMessage()}
   * ("...; collect ..."), and is not part of {@link #problem()}, which a caller that gives its own
   * advice quotes alone.
   */
  public InputException(String file, int line, String problem, String hint) {
    this(file, line, problem, hint, false);
  }

  private InputException(String file, int line, String problem, String hint, boolean twoMaps) {
    super((line > 0 ? "%s:%d: %s".formatted(file, line, problem) : "%s: %s".formatted(file, problem))
        + (hint.isEmpty() ? "" : "; " + hint));
    this.file = file;
    this.line = line;
    this.problem = problem;
    this.twoMaps = twoMaps;
  }

  /**
   * Two different memory maps in one input (most often a kernel log of several boots): bad input
   * for every command, also for one that reads a log without a map, since no command can tell which
   * boot is meant.
   */
  static InputException twoMaps(String file, int line, String problem) {
    return new InputException(file, line, problem, "", true);
  }

  /** Whether the input holds two different memory maps ({@link #twoMaps}). */
  public boolean isTwoMaps() {
    return twoMaps;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String problem() {
    return problem;
  }
}
