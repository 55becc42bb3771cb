package tdmr.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A note on standard error while something slow runs, so a person knows the tool is working:
 * nothing for the first second; then, on a terminal, one line that counts the seconds and is
 * erased at the end; when standard error is not a terminal, a single line.
 */
public final class Progress implements AutoCloseable {
  private final PrintWriter err;
  private final String what;
  private final boolean terminal;
  private final ScheduledExecutorService ticker;
  private int seconds;
  private boolean shown;

  private Progress(PrintWriter err, String what, boolean terminal, boolean silent) {
    this.err = err;
    this.what = what;
    this.terminal = terminal;
    this.ticker = silent
        ? null
        : Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "tdmr-progress");
          t.setDaemon(true);
          return t;
        });
  }

  /** Starts reporting {@code what} (e.g. {@code "cpsat: solving"}) after one second. */
  public static Progress start(PrintWriter err, String what, boolean terminal) {
    Progress p = new Progress(err, what, terminal, false);
    p.ticker.scheduleAtFixedRate(p::tick, 1, 1, TimeUnit.SECONDS);
    return p;
  }

  /** A note that never shows: for one of many inputs worked on at once, whose notes would interleave. */
  public static Progress silent() {
    return new Progress(null, "", false, true);
  }

  private synchronized void tick() {
    seconds++;
    if (terminal) {
      err.print("\r" + what + " ... " + seconds + " s ");
      err.flush();
      shown = true;
    } else if (!shown) {
      err.println(what + " ...");
      err.flush();
      shown = true;
    }
  }

  @Override
  public void close() {
    if (ticker == null) {
      return;
    }
    ticker.shutdownNow();
    synchronized (this) {
      if (terminal && shown) {
        err.print("\r" + " ".repeat(what.length() + 16) + "\r");
        err.flush();
      }
    }
  }
}
