package tdmr.parse;

/**
 * Bad input: names the file, the 1-based line (0 when the problem is not on one line) and the
 * problem. The command line prints {@link #getMessage()} and exits with status 2.
 */
public final class InputException extends Exception {
  private final String file;
  private final int line;
  private final String problem;

  public InputException(String file, int line, String problem) {
    this(file, line, problem, "");
  }

  /**
   * Bad input with what to do about it: {@code hint} follows the problem in {@link #getMessage()}
   * ("...; collect ..."), and is not part of {@link #problem()}, which a caller that gives its own
   * advice quotes alone.
   */
  public InputException(String file, int line, String problem, String hint) {
    super((line > 0 ? "%s:%d: %s".formatted(file, line, problem) : "%s: %s".formatted(file, problem))
        + (hint.isEmpty() ? "" : "; " + hint));
    this.file = file;
    this.line = line;
    this.problem = problem;
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
