package tdmr.parse;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.LogLine;

/**
 * The lines of a line-oriented input (a kernel log, {@code /proc/iomem}): LF, CRLF and a bare CR
 * (old Mac editors, some serial-console captures) all end a line; lines are numbered from 1. A line
 * longer than {@value #MAX_LINE_CHARS} characters is bad input, refused as soon as it is met: the
 * kernel prints at most 1 024 bytes per line, and even with a syslog prefix no real line comes
 * near, while a corrupt or hostile one would make every later step pay for it.
 */
public final class TextLines {
  /** The longest line a kernel log or {@code /proc/iomem} may have, in characters. */
  public static final int MAX_LINE_CHARS = 4096;

  /** What is done with each line. */
  @FunctionalInterface
  public interface LineReader {
    void read(String line, int number) throws InputException;
  }

  private TextLines() {}

  /** Hands every line of {@code text} to {@code reader}, without its line end. */
  public static void forEach(String source, String text, LineReader reader) throws InputException {
    int number = 0;
    int start = 0;
    int length = text.length();
    while (start < length) {
      int end = start;
      while (end < length && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
        if (end - start > MAX_LINE_CHARS) {
          throw tooLong(source, number + 1);
        }
      }
      number++;
      reader.read(text.substring(start, end), number);
      if (end < length && text.charAt(end) == '\r' && end + 1 < length && text.charAt(end + 1) == '\n') {
        end++;
      }
      start = end + 1;
    }
  }

  /** Every line of {@code text} with its number. */
  public static List<LogLine> of(String source, String text) throws InputException {
    List<LogLine> lines = new ArrayList<>();
    forEach(source, text, (line, number) -> lines.add(new LogLine(number, line)));
    return lines;
  }

  /**
   * The start (at most {@value #MAX_LINE_CHARS} characters, stripped) of the first line that has
   * something other than blanks and is not a comment ({@code #} first); null when there is none.
   * Format detection looks at this line, so that a saved file that starts with comments or blank
   * lines is recognised as what it is. No line length limit applies here: JSON may be one long line.
   */
  public static String firstContentLine(String text) {
    int start = 0;
    int length = text.length();
    while (start < length) {
      int end = start;
      while (end < length && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      String head = text.substring(start, Math.min(end, start + MAX_LINE_CHARS)).strip();
      if (!head.isEmpty() && !head.startsWith("#")) {
        return head;
      }
      start = end + 1;
    }
    return null;
  }

  private static InputException tooLong(String source, int line) {
    return new InputException(source, line,
        "line longer than %d characters: not a kernel log or /proc/iomem line (the kernel prints at most 1024 per line)"
            .formatted(MAX_LINE_CHARS));
  }
}
