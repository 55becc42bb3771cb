package tdmr.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;

/**
 * The table that closes a text run over several inputs: one line per host (host, exit status,
 * outcome, reason, PAMT, fix), in input order, never wrapped, so that {@code grep} and {@code sort}
 * work on it, under a line that counts the outcomes. A reason longer than {@link #REASON_WIDTH} is cut
 * at a word and ends in "...", so that one long message does not widen every row: the whole message
 * is in the host's block (or on standard error) above the table. The fix is never cut: it is what to
 * type next.
 */
final class HostSummary {
  /** One host's line. */
  record Row(String host, HostResult result) {}

  private static final List<String> HEADINGS = List.of("host", "exit", "outcome", "reason", "PAMT", "fix");

  /** The widest reason cell, in characters. */
  static final int REASON_WIDTH = 60;

  private static final String CUT = "...";

  private HostSummary() {}

  /** The table, starting with a blank line; {@code command} names it ({@code tdmr diagnose}). */
  static String table(String command, List<Row> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(HEADINGS);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (Row r : rows) {
      HostResult h = r.result();
      outcomes.merge(h.outcome(), 1, Integer::sum);
      cells.add(List.of(r.host(), Integer.toString(h.exitCode()), h.outcome(), cut(dash(h.reason())),
          h.pamtBytes().isPresent() ? ByteSize.human(h.pamtBytes().getAsLong()) : "-", dash(h.fix())));
    }
    int[] width = new int[HEADINGS.size()];
    for (List<String> line : cells) {
      for (int c = 0; c < width.length; c++) {
        width[c] = Math.max(width[c], line.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("Summary of %s (%s): %s%n".formatted(command, Count.of(rows.size(), "input"), counts(outcomes)));
    for (List<String> line : cells) {
      StringBuilder l = new StringBuilder();
      for (int c = 0; c < width.length; c++) {
        String cell = line.get(c);
        // The exit status and the PAMT read as numbers: right-aligned; the last column is not padded.
        boolean right = c == 1 || c == 4;
        String padded = right ? " ".repeat(width[c] - cell.length()) + cell
            : c == width.length - 1 ? cell : cell + " ".repeat(width[c] - cell.length());
        l.append(c == 0 ? "" : "  ").append(padded);
      }
      b.append(l.toString().stripTrailing()).append(System.lineSeparator());
    }
    return b.toString();
  }

  private static String counts(Map<String, Integer> outcomes) {
    List<String> parts = new ArrayList<>();
    outcomes.forEach((outcome, n) -> parts.add(n + " " + outcome));
    return String.join(", ", parts);
  }

  /** {@code reason} in at most {@link #REASON_WIDTH} characters, cut after a word. */
  static String cut(String reason) {
    if (reason.length() <= REASON_WIDTH) {
      return reason;
    }
    int end = reason.lastIndexOf(' ', REASON_WIDTH - CUT.length());
    String head = reason.substring(0, end > 0 ? end : REASON_WIDTH - CUT.length()).stripTrailing();
    while (!head.isEmpty() && ",;:(".indexOf(head.charAt(head.length() - 1)) >= 0) {
      head = head.substring(0, head.length() - 1);
    }
    return head + CUT;
  }

  private static String dash(String text) {
    return text.isEmpty() ? "-" : text;
  }
}
