package tdmr.parse;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.LogLine;
import tdmr.mem.MemoryMap;

/**
 * A {@code tdmr gather} bundle: what a TDX host says about its memory, in one text file people can
 * read. The first line is {@value #FIRST_LINE}; more {@code #} lines say who collected it and when.
 * Then come sections, each opened by one header line and running to the next:
 *
 * <pre>
 * ### tdmr-gather: NAME (WHERE IT CAME FROM)
 * ### tdmr-gather: NAME (WHERE IT WOULD COME FROM): missing: WHY
 * </pre>
 *
 * <p>{@code kernel-log} holds the kernel log as {@code dmesg} or {@code journalctl -k} printed it;
 * {@code proc-iomem} {@code /proc/iomem}; {@code firmware-memmap} the firmware's e820 table from
 * {@code /sys/firmware/memmap}, one {@code START END TYPE} line per entry (START and the inclusive
 * END in hex, as sysfs prints them); {@code numa-nodes} {@code node N: [START, END)} lines, the
 * memory blocks of each node joined; {@code cmdline} {@code /proc/cmdline}; {@code cpu} the first
 * processor's {@code /proc/cpuinfo} lines; {@code tdx-module} {@code NAME = VALUE} lines from sysfs.
 * A content line that would read as a header is written with a leading space.
 *
 * <p>The memory map comes from the kernel log when it has the boot's RAM lines; otherwise from the
 * firmware table with the command line's {@code memmap=}/{@code mem=} applied, or from {@code
 * /proc/iomem}, cut at the NUMA node ranges; the CMRs and TDX facts always come from the kernel log.
 */
public final class Bundle {
  /** The first line of every bundle; the number is the format's version. */
  public static final String FIRST_LINE = "# tdmr gather bundle 1";
  /** How every section header starts. */
  public static final String HEADER = "### tdmr-gather: ";

  private static final Pattern HEADER_LINE =
      Pattern.compile("^### tdmr-gather: ([a-z-]++) \\(([^)]*+)\\)(?:: missing: (.++))?$");
  private static final Pattern MEMMAP_LINE =
      Pattern.compile("^(0x[0-9a-fA-F]++) (0x[0-9a-fA-F]++) (\\S.*+)$");
  private static final Pattern NODE_LINE =
      Pattern.compile("^node (\\d++): \\[(0x[0-9a-fA-F]++), (0x[0-9a-fA-F]++)\\)$");

  /** The parts a bundle holds, by section name. */
  public enum Part {
    KERNEL_LOG("kernel-log"),
    PROC_IOMEM("proc-iomem"),
    FIRMWARE_MEMMAP("firmware-memmap"),
    NUMA_NODES("numa-nodes"),
    CMDLINE("cmdline"),
    CPU("cpu"),
    TDX_MODULE("tdx-module");

    private final String id;

    Part(String id) {
      this.id = id;
    }

    /** The section name in the header. */
    public String id() {
      return id;
    }
  }

  /**
   * One section.
   *
   * @param origin where it came from (a file, a command)
   * @param missing why it could not be collected, if it could not
   * @param lines its content, with their lines in the bundle
   */
  public record Section(Part part, String origin, Optional<String> missing, List<LogLine> lines) {}

  private final String source;
  private final String text;
  private final Map<Part, Section> sections;

  private Bundle(String source, String text, Map<Part, Section> sections) {
    this.source = source;
    this.text = text;
    this.sections = sections;
  }

  /** True when the text is a bundle (it starts, after blanks, with {@link #FIRST_LINE}'s words). */
  public static boolean isBundle(String text) {
    int start = 0;
    while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    return text.startsWith("# tdmr gather bundle", start);
  }

  /** Reads the sections; an unknown version, an unknown or repeated section is bad input. */
  public static Bundle read(String source, String text) throws InputException {
    Map<Part, Section> sections = new EnumMap<>(Part.class);
    Part current = null;
    String origin = "";
    Optional<String> missing = Optional.empty();
    List<LogLine> lines = new ArrayList<>();
    boolean sawFirst = false;
    for (LogLine l : TextLines.of(source, text)) {
      String t = l.text();
      if (!sawFirst) {
        if (t.isBlank()) {
          continue;
        }
        if (!t.strip().equals(FIRST_LINE)) {
          throw new InputException(source, l.line(), "not a bundle this version of tdmr reads (expected \"%s\")".formatted(FIRST_LINE));
        }
        sawFirst = true;
        continue;
      }
      if (!t.startsWith(HEADER)) {
        if (current != null) {
          lines.add(l);
        } else if (!t.isBlank() && !t.startsWith("#")) {
          throw new InputException(source, l.line(), "text before the first section (\"" + HEADER + "NAME (...)\")");
        }
        continue;
      }
      Matcher m = HEADER_LINE.matcher(t.strip());
      if (!m.find()) {
        throw new InputException(source, l.line(), "malformed section header (expected \"" + HEADER + "NAME (SOURCE)\")");
      }
      if (current != null) {
        sections.put(current, new Section(current, origin, missing, lines));
      }
      current = part(source, m.group(1), l.line());
      if (sections.containsKey(current)) {
        throw new InputException(source, l.line(), "section " + current.id() + " appears twice");
      }
      origin = m.group(2);
      missing = Optional.ofNullable(m.group(3));
      lines = new ArrayList<>();
    }
    if (!sawFirst) {
      throw new InputException(source, 0, "empty bundle");
    }
    if (current != null) {
      sections.put(current, new Section(current, origin, missing, lines));
    }
    return new Bundle(source, text, sections);
  }

  private static Part part(String source, String id, int line) throws InputException {
    for (Part p : Part.values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new InputException(source, line, "unknown section \"%s\" (this tdmr reads %s)".formatted(id,
        String.join(", ", List.of(Part.values()).stream().map(Part::id).toList())));
  }

  /** The section of a part, if the bundle has it (it may say the part is missing). */
  public Optional<Section> section(Part part) {
    return Optional.ofNullable(sections.get(part));
  }

  /** The parts the bundle lacks or says are missing, with why: {@code firmware-memmap: permission denied}. */
  public List<String> missingParts() {
    List<String> out = new ArrayList<>();
    for (Part p : Part.values()) {
      Section s = sections.get(p);
      if (s == null) {
        out.add(p.id() + ": not in the bundle");
      } else if (s.missing().isPresent()) {
        out.add(p.id() + ": " + s.missing().get());
      }
    }
    return out;
  }

  /** The kernel log's lines, numbered as in the bundle. */
  public List<LogLine> kernelLog() {
    return present(Part.KERNEL_LOG).map(Section::lines).orElse(List.of());
  }

  /** {@code /proc/cmdline}, if collected. */
  public Optional<LogLine> commandLine() {
    return present(Part.CMDLINE).flatMap(s -> s.lines().stream().filter(l -> !l.text().isBlank()).findFirst())
        .map(l -> new LogLine(l.line(), l.text().strip()));
  }

  /** The value of a {@code key : value} line of the cpu section ({@code model name}, {@code vendor_id}). */
  public Optional<LogLine> cpuField(String key) {
    return present(Part.CPU).flatMap(s -> s.lines().stream()
        .filter(l -> l.text().contains(":") && l.text().substring(0, l.text().indexOf(':')).strip().equals(key))
        .findFirst()
        .map(l -> new LogLine(l.line(), l.text().substring(l.text().indexOf(':') + 1).strip())));
  }

  private Optional<Section> present(Part part) {
    return section(part).filter(s -> s.missing().isEmpty());
  }

  /** The memory map the bundle describes (see the class comment for which part gives what). */
  public MemoryMap map() throws InputException {
    TdxMemory log = DmesgReader.parse(source, only(Part.KERNEL_LOG));
    List<String> notes = new ArrayList<>();
    notes.add("read from a tdmr gather bundle" + section(Part.KERNEL_LOG).map(s -> ", kernel log from " + s.origin()).orElse(""));
    missingParts().forEach(m -> notes.add("the bundle lacks " + m));
    if (log.hasRamLines()) {
      return log.withNotes(notes).derive();
    }
    List<NodeRange> nodes = nodeRanges();
    Optional<Section> firmware = present(Part.FIRMWARE_MEMMAP).filter(s -> !s.lines().isEmpty());
    if (firmware.isPresent()) {
      List<E820Entry> table = firmwareTable(firmware.get());
      notes.add("the kernel log has no RAM lines: RAM from the %d entries of %s".formatted(table.size(), firmware.get().origin()));
      Optional<LogLine> cmdline = commandLine();
      if (cmdline.isPresent()) {
        table = BootedCommandLine.apply(cmdline.get(), table, false, false, notes);
      }
      return log.withRam(table, nodes, notes).derive();
    }
    Optional<Section> iomem = present(Part.PROC_IOMEM).filter(s -> !s.lines().isEmpty());
    if (iomem.isPresent()) {
      List<E820Entry> table = IomemReader.entries(source, only(Part.PROC_IOMEM));
      notes.add("the kernel log has no RAM lines: RAM from /proc/iomem (its table already reflects memmap= and mem=)");
      return log.withRam(table, nodes, notes).derive();
    }
    return log.withNotes(notes).derive();
  }

  /** The bundle's text with every line outside the part blanked, so that line numbers stay the bundle's. */
  private String only(Part part) {
    Optional<Section> s = section(part);
    String[] all = text.split("\r?\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    int from = s.isEmpty() || s.get().lines().isEmpty() ? -1 : s.get().lines().get(0).line();
    int to = from < 0 ? -2 : s.get().lines().get(s.get().lines().size() - 1).line();
    for (int i = 0; i < all.length; i++) {
      int line = i + 1;
      if (line >= from && line <= to) {
        out.append(all[i]);
      }
      out.append('\n');
    }
    return out.toString();
  }

  private List<E820Entry> firmwareTable(Section s) throws InputException {
    NumberText numbers = new NumberText(source);
    List<E820Entry> table = new ArrayList<>();
    for (LogLine l : s.lines()) {
      if (l.text().isBlank()) {
        continue;
      }
      Matcher m = MEMMAP_LINE.matcher(l.text().strip());
      if (!m.find()) {
        throw new InputException(source, l.line(),
            "malformed firmware-memmap line (expected \"0x0000000000100000 0x000000007fffffff System RAM\")");
      }
      long start = numbers.address(m.group(1), l.line(), "firmware-memmap start");
      long end = numbers.inclusiveEnd(m.group(2), l.line(), "firmware-memmap end");
      if (end < start) {
        throw new InputException(source, l.line(), "firmware-memmap entry ends before it starts");
      }
      table.add(E820Entry.ofCode(new AddressRange(start, end), E820Entry.typeCode(m.group(3)), l.line()));
    }
    table.sort((a, b) -> AddressRange.ORDER.compare(a.range(), b.range()));
    return table;
  }

  private List<NodeRange> nodeRanges() throws InputException {
    Optional<Section> s = present(Part.NUMA_NODES);
    if (s.isEmpty()) {
      return List.of();
    }
    NumberText numbers = new NumberText(source);
    List<NodeRange> out = new ArrayList<>();
    for (LogLine l : s.get().lines()) {
      if (l.text().isBlank()) {
        continue;
      }
      Matcher m = NODE_LINE.matcher(l.text().strip().toLowerCase(Locale.ROOT));
      if (!m.find()) {
        throw new InputException(source, l.line(), "malformed numa-nodes line (expected \"node 0: [0x0, 0x880000000)\")");
      }
      int node = numbers.decimalInt(m.group(1), l.line(), "NUMA node", 0, Integer.MAX_VALUE);
      long start = numbers.address(m.group(2), l.line(), "node range start");
      long end = numbers.address(m.group(3), l.line(), "node range end");
      if (end <= start) {
        throw new InputException(source, l.line(), "node range is empty or reversed");
      }
      out.add(new NodeRange(new AddressRange(start, end), node, l.line()));
    }
    return out;
  }
}
