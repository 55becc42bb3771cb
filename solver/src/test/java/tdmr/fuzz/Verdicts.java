package tdmr.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import tdmr.cli.CliRun;

/**
 * What every run on hostile input must hold: an exit status of 0, 1, 2 or 3 (never 70), no stack
 * trace and no internal error, bad input named by its file, and an end within a generous time
 * bounded by the input's size (20 s plus 1 s per 100 KB, beyond the command's own time limit: far
 * beyond any correct run, far below a quadratic one).
 */
final class Verdicts {
  private Verdicts() {}

  static void requireSane(List<String> args, CliRun run, List<String> inputs, long inputBytes, double timeLimitSeconds,
      long nanos, String mutations) {
    String what = "tdmr " + String.join(" ", args) + " after " + mutations + "\nexit " + run.exit() + "\nstderr: "
        + abbreviate(run.err()) + "\nstdout: " + abbreviate(run.out());
    assertTrue(Set.of(0, 1, 2, 3).contains(run.exit()), what);
    assertFalse(run.err().contains("\tat "), what);
    assertFalse(run.err().contains("Exception"), what);
    assertFalse(run.err().contains("internal error"), what);
    if (run.exit() == 2) {
      assertTrue(inputs.stream().anyMatch(run.err()::contains), "bad input not named: " + what);
    }
    double seconds = nanos / 1e9;
    double budget = 20 + inputBytes / 100_000.0 + 3 * timeLimitSeconds;
    assertTrue(seconds <= budget, "took %.1f s of a %.0f s budget: %s".formatted(seconds, budget, what));
  }

  private static String abbreviate(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000) + "... (" + s.length() + " characters)";
  }
}
