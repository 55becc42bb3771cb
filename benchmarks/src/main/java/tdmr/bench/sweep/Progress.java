package tdmr.bench.sweep;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Reports sweep progress on stderr: a redrawn bar with the ETA on a terminal, one plain line per
 * finished solve otherwise (so logs and CI output stay readable).
 */
public final class Progress {
  private static final int BAR_WIDTH = 30;
  private final PrintWriter err;
  private final boolean terminal;
  private final int total;
  private final long startNanos = System.nanoTime();
  private int done;

  public Progress(PrintWriter err, boolean terminal, int total) {
    this.err = err;
    this.terminal = terminal;
    this.total = total;
  }

  /** Records one finished solve and redraws. */
  public synchronized void finished(SweepRow row) {
    done++;
    long elapsed = System.nanoTime() - startNanos;
    Duration eta = Duration.ofNanos(done == 0 ? 0 : elapsed / done * (total - done));
    String what = "%s %s %s".formatted(row.map(), row.engine(), row.status());
    if (terminal) {
      int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
      String line = "\r[%s%s] %d/%d %3d%% ETA %s  %s".formatted(
          "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, total, done * 100 / Math.max(1, total), clock(eta), what);
      err.print(line.length() > 120 ? line.substring(0, 120) : line + " ".repeat(120 - line.length()));
      if (done == total) {
        err.println();
      }
    } else {
      err.printf("[%d/%d] %s (%d ms), ETA %s%n", done, total, what, row.solveMillis(), clock(eta));
    }
    err.flush();
  }

  private static String clock(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? "%dh%02dm".formatted(s / 3600, s / 60 % 60) : "%dm%02ds".formatted(s / 60, s % 60);
  }
}
