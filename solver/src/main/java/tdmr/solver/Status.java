package tdmr.solver;

/**
 * How an engine's answer stands. {@code OPTIMAL} and {@code INFEASIBLE} are claims backed by the
 * solver's proof; {@code FEASIBLE} is a validated layout without proof of optimality (or the
 * greedy's layout); {@code FAILED} is the greedy failing as the kernel would; {@code UNKNOWN} is a
 * limit stopping the solver before it found anything.
 */
public enum Status {
  OPTIMAL(0),
  FEASIBLE(0),
  INFEASIBLE(1),
  FAILED(1),
  UNKNOWN(3);

  private final int exitCode;

  Status(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The command line's exit status for this answer (0 yes, 1 no, 3 unknown). */
  public int exitCode() {
    return exitCode;
  }

  public boolean hasLayout() {
    return this == OPTIMAL || this == FEASIBLE;
  }
}
