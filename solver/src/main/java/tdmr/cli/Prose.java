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
    for (String word : words(text)) {
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

  /** The words of {@code text}; a range like {@code [0x0, 0x80000000)} is one word, never broken. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inRange = false;
    for (char c : text.strip().toCharArray()) {
      if (c == '[') {
        inRange = true;
      } else if (c == ')' || c == ']') {
        inRange = false;
      }
      if (Character.isWhitespace(c) && !inRange) {
        if (word.length() > 0) {
          out.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (word.length() > 0) {
      out.add(word.toString());
    }
    return out;
  }

  /** {@code text} wrapped with the same indent on every line. */
  public static List<String> wrap(String text, String indent) {
    return wrap(text, indent, indent);
  }
}
