package tdmr.mem;

/** A line of an input log kept verbatim, with its 1-based line number. */
public record LogLine(int line, String text) {
  @Override
  public String toString() {
    return "line " + line + ": " + text;
  }
}
