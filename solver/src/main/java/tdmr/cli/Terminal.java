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

  /** Colour when standard output is a terminal and nothing asked for plain text. */
  public static Terminal detect(boolean noColorOption) {
    String noColor = System.getenv("NO_COLOR");
    boolean wanted =
        !noColorOption
            && (noColor == null || noColor.isEmpty())
            && !"dumb".equals(System.getenv("TERM"))
            && isTerminal(1);
    return new Terminal(wanted);
  }

  /** True when standard input is a terminal: nothing is piped in, so reading it would wait for typing. */
  public static boolean stdinIsTerminal() {
    return isTerminal(0);
  }

  /** True when standard error is a terminal, so a progress line can be redrawn in place. */
  public static boolean stderrIsTerminal() {
    return isTerminal(2);
  }

  /**
   * True when file descriptor {@code fd} of this process is a terminal. Linux names it in
   * {@code /proc/self/fd}; elsewhere, {@code System.console()} (both stdin and stdout) decides.
   */
  private static boolean isTerminal(int fd) {
    try {
      String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      // No /proc (macOS, Windows): fall back to what the JDK knows.
      return System.console() != null;
    }
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
