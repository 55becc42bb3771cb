package tdmr.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.LogFacts;
import tdmr.mem.MemoryMap;

/**
 * Reads {@code /proc/iomem}: its top-level {@code System RAM} entries are the RAM (nested,
 * indented entries such as {@code Kernel code} are parts of them and ignored); other top-level
 * entries are kept as the firmware map that explains holes. {@code /proc/iomem} has no NUMA
 * information, so all memory is node 0.
 */
public final class IomemReader {
  /** Matched against a line stripped at its end; possessive, so linear in the line's length. */
  private static final Pattern LINE = Pattern.compile("^([0-9a-fA-F]++)-([0-9a-fA-F]++) : (.*+)$", Pattern.DOTALL);

  private IomemReader() {}

  /**
   * Reads the text of {@code /proc/iomem} (any line end, at most {@value TextLines#MAX_LINE_CHARS}
   * characters a line; lines starting with {@code #} are comments); {@code source} names the input
   * in messages.
   */
  public static MemoryMap read(String source, String text) throws InputException {
    List<String> notes = new ArrayList<>();
    notes.add("read from /proc/iomem: 'System RAM' entries are the RAM; iomem has no NUMA information");
    return new TdxMemory(source, entries(source, text), List.of(), List.of(), List.of(), List.of(), LogFacts.NONE, notes).derive();
  }

  /** The top-level entries, {@code System RAM} as {@code usable}, each with its line. */
  static List<E820Entry> entries(String source, String text) throws InputException {
    NumberText numbers = new NumberText(source);
    RangeOrder order = new RangeOrder(source, "iomem entry");
    List<E820Entry> entries = new ArrayList<>();
    boolean[] anyNonZero = {false};
    TextLines.forEach(source, text, (line, lineNo) -> {
      if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith("#")) {
        // Nested entries (indented) are parts of the top-level ones.
        return;
      }
      Matcher m = LINE.matcher(line.stripTrailing());
      if (!m.find()) {
        throw new InputException(source, lineNo, "malformed /proc/iomem line (expected a line like \"00100000-3fffffff : System RAM\")");
      }
      long start = numbers.address(m.group(1), lineNo, "iomem entry start");
      long end = numbers.inclusiveEnd(m.group(2), lineNo, "iomem entry end");
      if (start != 0 || end != 1) {
        anyNonZero[0] = true;
      }
      if (end < start) {
        throw new InputException(
            source, lineNo, "iomem entry is reversed: it ends (0x%x) before it starts (0x%x)".formatted(end, start));
      }
      String name = m.group(3).strip();
      entries.add(new E820Entry(new AddressRange(start, end), name.equals("System RAM") ? "usable" : name, lineNo));
    });
    if (!anyNonZero[0]) {
      throw new InputException(
          source,
          0,
          "all addresses in this /proc/iomem are zero: the kernel hides them from non-root users; read it as root (sudo cat /proc/iomem)");
    }
    // Checked after the all-zero test: a non-root read repeats 00000000-00000000 on every line.
    for (E820Entry e : entries) {
      order.next(e.range(), e.line());
    }
    return entries;
  }
}
