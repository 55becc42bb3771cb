package tdmr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The standard output every command prints through, checked: the first write error is kept (a full
 * disk, a closed pipe), later writes are dropped, and {@link TdmrCommand} turns the error into the
 * command's outcome when it ends: a closed pipe ({@code tdmr plan | head -1}) ends quietly with the
 * command's own exit status; any other error is exit 2 naming standard output, so that {@code tdmr
 * plan --json > plan.json} on a full disk never exits 0 with half a document written.
 */
final class StandardOutput extends OutputStream {
  private final OutputStream out;
  private IOException failure;
  private long written;

  StandardOutput(OutputStream out) {
    this.out = out;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (failure != null) {
      return;
    }
    try {
      out.write(b, off, len);
      written += len;
    } catch (IOException e) {
      failure = e;
    }
  }

  @Override
  public synchronized void flush() {
    if (failure != null) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      failure = e;
    }
  }

  /** The first write error, if any. */
  synchronized Optional<IOException> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Bytes the underlying stream took before the write that failed (of that write, some bytes may
   * have been written too; the stream does not say how many).
   */
  synchronized long written() {
    return written;
  }

  /**
   * True when the reader went away (EPIPE, "Broken pipe"): the output is no longer wanted, which is
   * not an error of the command.
   */
  synchronized boolean readerClosed() {
    return failure != null && String.valueOf(failure.getMessage()).contains("Broken pipe");
  }
}
