package tdmr.cli;

/**
 * How output reaches the person reading it: colour only when standard output is a terminal, and
 * never with {@code --no-color}, {@code NO_COLOR} set (no-color.org) or {@code TERM=dumb}; text
 * wrapped to the terminal's width on a terminal, and never into a pipe or a file, where every
 * line must stay whole for {@code grep}.
 */
public final class Terminal {
  private static final String RESET = "\u001b[0m";

  private final boolean colour;
  private final int width;

  /** This process's standard output, coloured or not: wrapped as {@link #textWidth()} says. */
  public Terminal(boolean colour) {
    this(colour, textWidth());
  }

  /** A terminal of {@code width} columns for text ({@link #UNLIMITED}: no wrapping at all). */
  public Terminal(boolean colour, int width) {
    this.colour = colour;
    this.width = width;
  }

  /** Colour when standard output is a terminal and nothing asked for plain text. */
  public static Terminal detect(boolean noColorOption) {
    String noColor = System.getenv("NO_COLOR");
    boolean wanted =
        !noColorOption
            && (noColor == null || noColor.isEmpty())
            && !"dumb".equals(System.getenv("TERM"))
            && isTerminal(1);
    return new Terminal(wanted, textWidth());
  }

  /** Lines are never wrapped: standard output is a pipe or a file. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  /** Columns assumed for a terminal that does not say how wide it is. */
  private static final int DEFAULT_COLUMNS = 80;

  /**
   * How wide lines of text may be: one less than the terminal's columns when standard output is a
   * terminal (at least 40), {@link #UNLIMITED} otherwise. Decided once per process.
   */
  public static int textWidth() {
    return Width.TEXT;
  }

  /** The width, computed on first use: only a run that prints text to a terminal asks the terminal. */
  private static final class Width {
    static final int TEXT = isTerminal(1) ? Math.max(40, columns() - 1) : UNLIMITED;

    /** {@code COLUMNS} when the shell exported it, else what {@code stty size} says of the terminal. */
    private static int columns() {
      String env = System.getenv("COLUMNS");
      if (env != null && env.matches("\\d{1,4}")) {
        return Integer.parseInt(env);
      }
      try {
        Process p = new ProcessBuilder("stty", "size")
            .redirectInput(new java.io.File("/dev/tty"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (p.waitFor() == 0 && out.matches("\\d+ \\d+")) {
          int columns = Integer.parseInt(out.split(" ")[1]);
          return columns > 0 ? columns : DEFAULT_COLUMNS;
        }
      } catch (java.io.IOException e) {
        // No stty (or no /dev/tty): assume the classic width.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return DEFAULT_COLUMNS;
    }
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

  /** How wide text lines may be on this output. */
  public int width() {
    return width;
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
