package tdmr.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * A writer for human output that folds every finished line to the terminal's width ({@link
 * Prose#fold}) before passing it on. Never used for JSON, whose strings must stay on one line.
 */
final class FoldingWriter extends Writer {
  private final Writer target;
  private final StringBuilder line = new StringBuilder();

  private FoldingWriter(Writer target) {
    this.target = target;
  }

  /** A print writer over {@code target} that folds long lines; flushing it flushes the target. */
  static PrintWriter over(PrintWriter target) {
    return new PrintWriter(new FoldingWriter(target), true);
  }

  @Override
  public void write(char[] buf, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      char c = buf[i];
      if (c == '\n') {
        target.write(Prose.fold(line.toString()));
        target.write('\n');
        line.setLength(0);
      } else {
        line.append(c);
      }
    }
  }

  @Override
  public void flush() throws IOException {
    if (line.length() > 0) {
      target.write(Prose.fold(line.toString()));
      line.setLength(0);
    }
    target.flush();
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
