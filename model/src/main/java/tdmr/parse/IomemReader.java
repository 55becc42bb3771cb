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
  private static final Pattern LINE = Pattern.compile("^([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*?)\\s*$");

  private IomemReader() {}

  /** Reads the text of {@code /proc/iomem}; {@code source} names the input in messages. */
  public static MemoryMap read(String source, String text) throws InputException {
    AddressText addresses = new AddressText(source);
    RangeOrder order = new RangeOrder(source, "iomem entry");
    List<E820Entry> entries = new ArrayList<>();
    boolean anyNonZero = false;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.find()) {
        throw new InputException(source, lineNo, "malformed /proc/iomem line (expected a line like \"00100000-3fffffff : System RAM\")");
      }
      long start = addresses.parse(m.group(1), lineNo);
      long end = addresses.parseInclusiveEnd(m.group(2), lineNo);
      if (start != 0 || end != 1) {
        anyNonZero = true;
      }
      if (end < start) {
        throw new InputException(
            source, lineNo, "iomem entry is reversed: it ends (0x%x) before it starts (0x%x)".formatted(end, start));
      }
      entries.add(new E820Entry(new AddressRange(start, end), m.group(3).equals("System RAM") ? "usable" : m.group(3), lineNo));
    }
    if (!anyNonZero) {
      throw new InputException(
          source,
          0,
          "all addresses in this /proc/iomem are zero: the kernel hides them from non-root users; read it as root (sudo cat /proc/iomem)");
    }
    // Checked after the all-zero test: a non-root read repeats 00000000-00000000 on every line.
    for (E820Entry e : entries) {
      order.next(e.range(), e.line());
    }
    List<String> notes = new ArrayList<>();
    notes.add("read from /proc/iomem: 'System RAM' entries are the RAM; iomem has no NUMA information");
    return new TdxMemory(source, entries, List.of(), List.of(), List.of(), List.of(), LogFacts.NONE, notes).derive();
  }
}
