package tdmr.cli;

import java.util.ArrayList;
import java.util.List;

/** Sentences laid out for an 80-column terminal: wrapped at word boundaries under an indent. */
public final class Prose {
  /** Width of the lines we print: an 80-column terminal minus a margin for the cursor. */
  public static final int WIDTH = 79;

  private Prose() {}

  /**
   * {@code text} wrapped to {@link #WIDTH} columns, the first line starting with {@code first}
   * and the others with {@code rest} (usually spaces of the same length). Words longer than a line
   * (hex ranges, paths) stay whole.
   */
  public static List<String> wrap(String text, String first, String rest) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder(first);
    int lineStart = first.length();
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > lineStart && line.length() + 1 + word.length() > WIDTH) {
        out.add(line.toString());
        line = new StringBuilder(rest);
        lineStart = rest.length();
      }
      if (line.length() > lineStart) {
        line.append(' ');
      }
      line.append(word);
    }
    out.add(line.toString());
    return out;
  }

  /** {@code text} wrapped with the same indent on every line. */
  public static List<String> wrap(String text, String indent) {
    return wrap(text, indent, indent);
  }
}
