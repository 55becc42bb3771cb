package tdmr.cli;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.ByteSize;

/**
 * Sentences laid out for the terminal that shows them: wrapped at word boundaries under an indent
 * to {@link Terminal#textWidth()}, and never wrapped into a pipe or a file, so that each fact stays
 * on one line for {@code grep}.
 */
public final class Prose {
  /** Width of an 80-column terminal minus a margin for the cursor (tests and fixed layouts). */
  public static final int WIDTH = 79;


  /** The prefix of the kernel's TDX lines, which are quoted whole. */
  private static final String KERNEL_PREFIX = "virt/tdx: ";

  /** How lines meant to be pasted start (commands, boot parameters); they stay whole too. */
  private static final List<String> PASTED = List.of("tdmr ", "sudo ", "memmap=", "GRUB_CMDLINE_LINUX");

  private Prose() {}

  /**
   * {@code text} wrapped to this run's width ({@link Terminal#textWidth()}: the terminal's, or not at
   * all into a pipe), the first line starting with {@code first}
   * and the others with {@code rest} (usually spaces of the same length). Words longer than a line
   * (hex ranges, paths) stay whole.
   */
  public static List<String> wrap(String text, String first, String rest) {
    return wrap(text, first, rest, Terminal.textWidth());
  }

  /** {@link #wrap(String, String, String)} to {@code width} columns. */
  public static List<String> wrap(String text, String first, String rest, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder(first);
    int lineStart = first.length();
    for (String word : words(text)) {
      if (line.length() > lineStart && (long) line.length() + 1 + word.length() > width) {
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

  /**
   * Every line of {@code text} longer than this run's width ({@link Terminal#textWidth()}: the
   * terminal's; into a pipe or file nothing is folded) folded at word boundaries, its
   * continuation lines indented four columns deeper than the line itself; shorter lines, the
   * kernel's own {@code virt/tdx:} lines and words that cannot be broken (paths, ranges) stay as they
   * are. For human output whose lines were written without a width in mind.
   */
  public static String fold(String text) {
    return fold(text, Terminal.textWidth());
  }

  /** {@link #fold(String)} to {@code width} columns. */
  public static String fold(String text, int width) {
    if (width == Terminal.UNLIMITED) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 64);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      foldLine(lines[i], width, out);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /**
   * One line folded: breaks only at a space outside a range and keeps the line's own spacing. A word
   * too long for any line (a long path) keeps a line of its own and folding goes on after it.
   */
  private static void foldLine(String line, int width, StringBuilder out) {
    // The kernel's own lines are quotes: people grep for them, so they stay whole; so do commands.
    String content = line.stripLeading();
    if (line.length() <= width || content.startsWith(KERNEL_PREFIX) || PASTED.stream().anyMatch(content::startsWith)) {
      out.append(line);
      return;
    }
    int indentLength = line.length() - line.stripLeading().length();
    String more = " ".repeat(Math.min(indentLength + 4, width / 2));
    List<Integer> breaks = breaks(line, indentLength);
    int from = 0;
    String prefix = "";
    while (prefix.length() + line.length() - from > width) {
      int limit = from + width - prefix.length();
      int cut = -1;
      for (int b : breaks) {
        if (b > from && b <= limit) {
          cut = b;
        } else if (b > limit) {
          if (cut < 0) {
            cut = b;
          }
          break;
        }
      }
      if (cut < 0) {
        break;
      }
      // A word after the cut that fits no line (a long path) stays with what precedes it.
      int next = nextBreak(breaks, cut);
      int wordEnd = next < 0 ? line.length() : next;
      if (more.length() + wordEnd - cut - 1 > width) {
        if (next < 0) {
          break;
        }
        cut = next;
      }
      out.append(prefix).append(line, from, cut).append('\n');
      from = cut + 1;
      while (from < line.length() && line.charAt(from) == ' ') {
        from++;
      }
      prefix = more;
    }
    out.append(prefix).append(line, from, line.length());
  }

  private static int nextBreak(List<Integer> breaks, int after) {
    for (int b : breaks) {
      if (b > after) {
        return b;
      }
    }
    return -1;
  }

  /** Positions of the spaces a line may break at: after a word, past the indent, outside a range. */
  private static List<Integer> breaks(String line, int indentLength) {
    List<Integer> out = new ArrayList<>();
    boolean inRange = false;
    for (int i = indentLength + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '[') {
        inRange = true;
      } else if (c == ')' || c == ']') {
        inRange = false;
      } else if (c == ' ' && !inRange && line.charAt(i - 1) != ' ' && !ByteSize.unitAt(line, i + 1)) {
        out.add(i);
      }
    }
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

  /** How wide this run's lines may be ({@link Terminal#textWidth()}). */
  public static int width() {
    return Terminal.textWidth();
  }
}
