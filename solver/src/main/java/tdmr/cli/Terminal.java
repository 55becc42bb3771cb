package tdmr.cli;

/**
 * How output reaches the person reading it: colour only when standard output is a terminal, and
 * never with {@code --no-color}, {@code NO_COLOR} set (no-color.org) or {@code TERM=dumb}.
 */
public final class Terminal {
  private static final String RESET = "\u001b[0m";

  private final boolean colour;

  public Terminal(boolean colour) {
    this.colour = colour;
  }

  /** Colour when this process writes to a terminal and nothing asked for plain text. */
  public static Terminal detect(boolean noColorOption) {
    String noColor = System.getenv("NO_COLOR");
    boolean wanted =
        !noColorOption
            && (noColor == null || noColor.isEmpty())
            && !"dumb".equals(System.getenv("TERM"))
            && isInteractive();
    return new Terminal(wanted);
  }

  /** True when standard input and output are both a terminal (Java 17's {@code System.console()}). */
  public static boolean isInteractive() {
    return System.console() != null;
  }

  public boolean colour() {
    return colour;
  }

  /** A failure or a "no" answer. */
  public String bad(String text) {
    return paint("1;31", text);
  }

  /** A success or a "yes" answer. */
  public String good(String text) {
    return paint("1;32", text);
  }

  /** Something to pay attention to. */
  public String warn(String text) {
    return paint("33", text);
  }

  /** A heading. */
  public String bold(String text) {
    return paint("1", text);
  }

  /** Secondary detail (log lines, notes). */
  public String dim(String text) {
    return paint("2", text);
  }

  private String paint(String code, String text) {
    return colour ? "\u001b[" + code + "m" + text + RESET : text;
  }
}
