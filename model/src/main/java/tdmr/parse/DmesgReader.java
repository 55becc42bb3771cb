package tdmr.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.LogFacts;
import tdmr.mem.LogLine;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * Reads a kernel log ({@code dmesg}, {@code journalctl -k}, syslog) into a {@link MemoryMap}.
 *
 * <p>The reader looks for the lines the kernel prints about memory wherever they sit on the line,
 * so timestamps ({@code [   10.444055]}) and syslog prefixes ({@code Jul  8 06:53:13 host kernel:})
 * do not matter: {@code BIOS-e820:} entries, the memblock {@code node N: [mem a-b]} lines,
 * {@code SRAT: Node N PXM M [mem a-b]} lines and, after a {@code virt/tdx:} or {@code tdx:}
 * prefix, {@code CMR: [a, b)} lines, the module version, the PAMT total and failure lines. A line
 * that starts like one of these but does not parse is an error; every other line is skipped.
 * The kernel's later {@code e820: update} / {@code e820: remove} lines are applied to the usable
 * RAM. Lines whose first non-blank character is {@code #} are comments. {@link TdxMemory} then derives
 * the TDX memory the way Linux does.
 */
public final class DmesgReader {
  // Every pattern is matched against a line stripped of white space at both ends, and uses
  // possessive quantifiers (++, *+) wherever white space or digits repeat, and DOTALL where a type
  // runs to the line's end (so that no character stops it short of $): matching is linear in the
  // line's length (a run of 100 000 blanks once took 27 s to reject).
  private static final String HEX = "(0x[0-9a-fA-F]++)";

  private static final Pattern E820 =
      Pattern.compile("BIOS-e820: \\[mem " + HEX + "-" + HEX + "\\] (\\S.*+)$", Pattern.DOTALL);
  /** Kernels before 3.9 printed exclusive ends: {@code BIOS-e820: 0000000000000000 - 000000000009f800 (usable)}. */
  private static final Pattern E820_LEGACY =
      Pattern.compile("BIOS-e820: ([0-9a-fA-F]++) - ([0-9a-fA-F]++) \\((.+)\\)$", Pattern.DOTALL);

  /**
   * After {@code memmap=} or {@code mem=} the kernel prints the table it really uses, {@code e820:
   * user-defined physical RAM map:} and then {@code user: [mem a-b] type} lines; it replaces the
   * firmware's table (what {@code tdmr fix} tells people to do must show up when they check again).
   */
  private static final Pattern E820_USER =
      Pattern.compile("\\buser: \\[mem " + HEX + "-" + HEX + "\\] (\\S.*+)$", Pattern.DOTALL);

  /** {@code e820__range_update()} and {@code e820__range_remove()} print these (KERN_DEBUG). */
  private static final Pattern E820_CHANGE_TRIGGER = Pattern.compile("\\be820: (?:update|remove) \\[mem\\b");
  private static final Pattern E820_UPDATE =
      Pattern.compile("\\be820: update \\[mem " + HEX + "-" + HEX + "\\] (\\S.*?) ==> (\\S.*+)$", Pattern.DOTALL);
  private static final Pattern E820_REMOVE =
      Pattern.compile("\\be820: remove \\[mem " + HEX + "-" + HEX + "\\](?: (\\S.*+))?$", Pattern.DOTALL);

  private static final Pattern NODE_TRIGGER = Pattern.compile("\\bnode\\s++\\d++:\\s*+\\[mem\\b");
  private static final Pattern NODE =
      Pattern.compile("\\bnode\\s++(\\d++):\\s*+\\[mem " + HEX + "-" + HEX + "\\]$");

  private static final Pattern SRAT_TRIGGER = Pattern.compile("\\bSRAT: Node\\b");
  private static final Pattern SRAT =
      Pattern.compile(
          "\\bSRAT: Node (\\d++) PXM (\\d++) \\[mem " + HEX + "-" + HEX + "\\](?: hotplug| non-volatile)*+$");

  /** Kernels before 4.x printed {@code SRAT: Node 0 PXM 0 0-80000000} with an exclusive end. */
  private static final Pattern SRAT_LEGACY =
      Pattern.compile("\\bSRAT: Node (\\d++) PXM (\\d++) ([0-9a-fA-F]++)-([0-9a-fA-F]++)(?: hotplug| non-volatile)*+$");

  /** {@code virt/tdx:} (host, v6.8+) or {@code tdx:} (older trees, guests), not {@code foo_tdx:}. */
  private static final Pattern TDX_PREFIX = Pattern.compile("(?<![\\w/])(?:virt/)?tdx: ");
  /** A CMR range line; other lines that mention CMRs are kept as TDX lines only. */
  private static final Pattern CMR_TRIGGER = Pattern.compile("^CMR(?:\\[\\d++\\])?:\\s*+\\[");
  private static final Pattern CMR =
      Pattern.compile("^CMR(?:\\[\\d++\\])?: \\[" + HEX + ", " + HEX + "\\)$");
  private static final Pattern VERSION_ATTRIBUTES =
      Pattern.compile(
          "^TDX module: attributes [^\\s,]++, vendor_id [^\\s,]++, major_version (\\d++), minor_version (\\d++),"
              + " build_date (\\w++), build_num (\\d++)");
  private static final Pattern VERSION_DOTTED =
      Pattern.compile("^TDX module (\\d++(?:\\.\\d++)++), build number (\\d++), build date (\\w++)");
  /** {@code TDX module version: 1.5.24}, {@code Module version: 1.5.06}, {@code module verson: 1.5.0.0} (a debug patch's typo). */
  private static final Pattern VERSION_LINE = Pattern.compile("^(?:TDX )?[Mm]odule vers?i?on: (\\d++(?:\\.\\d++)++)");
  private static final Pattern PAMT_KB = Pattern.compile("^(\\d++) KBs? allocated for PAMT");
  private static final Pattern FAILED = Pattern.compile("\\bfailed\\b");
  /** {@code Command line: ...} (early in boot) and {@code Kernel command line: ...} (a little later). */
  private static final Pattern COMMAND_LINE = Pattern.compile("\\b[Cc]ommand line: (.*+)");

  private final String source;
  private final NumberText numbers;
  private final RepeatedLists<E820Entry> e820;
  private final RepeatedLists<E820Entry> userE820;
  private final RepeatedLists<NodeRange> nodeLines;
  private final RepeatedLists<AddressRange> cmrs;
  private final List<NodeRange> srat = new ArrayList<>();
  private final List<E820Change> e820Changes = new ArrayList<>();
  private final List<LogLine> tdxLines = new ArrayList<>();
  private Optional<String> moduleVersion = Optional.empty();
  private OptionalLong pamtKb = OptionalLong.empty();
  private Optional<LogLine> failure = Optional.empty();
  private Optional<LogLine> commandLine = Optional.empty();

  private DmesgReader(String source) {
    this.source = source;
    this.numbers = new NumberText(source);
    this.e820 = new RepeatedLists<>(source, "e820 entry", E820Entry::range, DmesgReader::sameE820);
    this.userE820 = new RepeatedLists<>(source, "user-defined e820 entry", E820Entry::range, DmesgReader::sameE820);
    this.nodeLines = new RepeatedLists<>(source, "memblock node range", NodeRange::range, DmesgReader::sameNode);
    this.cmrs = new RepeatedLists<>(source, "CMR", r -> r, AddressRange::equals);
  }

  private static boolean sameE820(E820Entry a, E820Entry b) {
    return a.range().equals(b.range()) && a.type().equals(b.type());
  }

  private static boolean sameNode(NodeRange a, NodeRange b) {
    return a.range().equals(b.range()) && a.node() == b.node();
  }

  /**
   * Reads the lines of {@code text} ({@link TextLines}: any line end, at most {@value
   * TextLines#MAX_LINE_CHARS} characters a line); {@code source} names the input in messages.
   */
  public static MemoryMap read(String source, String text) throws InputException {
    return parse(source, text).derive();
  }

  /** What the lines say, before the TDX memory is derived (a {@link Bundle} adds what its other sections say). */
  static TdxMemory parse(String source, String text) throws InputException {
    DmesgReader reader = new DmesgReader(source);
    TextLines.forEach(source, text, (line, number) -> reader.readLine(line.strip(), number));
    return reader.finish();
  }

  /** One line, stripped of white space at both ends. */
  private void readLine(String line, int lineNo) throws InputException {
    String trimmed = line;
    if (trimmed.isEmpty() || trimmed.charAt(0) == '#') {
      endRunsExcept(null);
    } else if (line.contains("BIOS-e820:")) {
      endRunsExcept(e820);
      e820.add(readE820(line, lineNo), lineNo);
    } else if (line.contains("user: [mem")) {
      endRunsExcept(userE820);
      userE820.add(readUserE820(line, lineNo), lineNo);
    } else if (line.contains("e820: ") && E820_CHANGE_TRIGGER.matcher(line).find()) {
      endRunsExcept(null);
      e820Changes.add(readE820Change(line, lineNo));
    } else if (line.contains("node") && NODE_TRIGGER.matcher(line).find()) {
      endRunsExcept(nodeLines);
      nodeLines.add(readNode(line, lineNo), lineNo);
    } else if (line.contains("ommand line: ") && COMMAND_LINE.matcher(line).find()) {
      endRunsExcept(null);
      if (commandLine.isEmpty()) {
        Matcher m = COMMAND_LINE.matcher(line);
        m.find();
        commandLine = Optional.of(new LogLine(lineNo, m.group(1).strip()));
      }
    } else if (line.contains("SRAT: Node") && SRAT_TRIGGER.matcher(line).find()) {
      endRunsExcept(null);
      srat.add(readSrat(line, lineNo));
    } else {
      Matcher tdx = TDX_PREFIX.matcher(line);
      if (line.contains("tdx: ") && tdx.find()) {
        tdxLines.add(new LogLine(lineNo, trimmed));
        String content = line.substring(tdx.end()).strip();
        if (CMR_TRIGGER.matcher(content).find()) {
          endRunsExcept(cmrs);
          cmrs.add(readCmr(content, lineNo), lineNo);
          return;
        }
        readTdxFact(content, lineNo, trimmed);
      }
      endRunsExcept(null);
    }
  }

  /** Any line other than a list's own kind ends that list's current run (see {@link RepeatedLists}). */
  private void endRunsExcept(RepeatedLists<?> current) throws InputException {
    for (RepeatedLists<?> list : List.of(e820, userE820, nodeLines, cmrs)) {
      if (list != current) {
        list.interrupt();
      }
    }
  }

  private E820Entry readE820(String line, int lineNo) throws InputException {
    Matcher m = E820.matcher(line);
    if (m.find()) {
      return new E820Entry(memRange(m, 1, "e820 entry", lineNo), m.group(3), lineNo);
    }
    Matcher legacy = E820_LEGACY.matcher(line);
    if (legacy.find()) {
      long start = numbers.address(legacy.group(1), lineNo, "e820 entry start");
      long end = numbers.address(legacy.group(2), lineNo, "e820 entry end");
      return new E820Entry(range(start, end, "e820 entry", lineNo), legacy.group(3), lineNo);
    }
    throw malformed("BIOS-e820 line", "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable", lineNo);
  }

  private E820Entry readUserE820(String line, int lineNo) throws InputException {
    Matcher m = E820_USER.matcher(line);
    if (!m.find()) {
      throw malformed("user-defined e820 line", "user: [mem 0x0000000000100000-0x000000007fffffff] usable", lineNo);
    }
    return new E820Entry(memRange(m, 1, "user-defined e820 entry", lineNo), m.group(3), lineNo);
  }

  private E820Change readE820Change(String line, int lineNo) throws InputException {
    Matcher update = E820_UPDATE.matcher(line);
    Matcher remove = E820_REMOVE.matcher(line);
    Matcher m;
    if (update.find()) {
      m = update;
    } else if (remove.find()) {
      m = remove;
    } else {
      throw malformed("e820 update line", "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved", lineNo);
    }
    AddressRange range = memRange(m, 1, "e820 update", lineNo);
    String from = m.group(3) == null ? "" : m.group(3);
    String to = m == update ? update.group(4) : "";
    return new E820Change(range, from, to, lineNo);
  }

  private NodeRange readNode(String line, int lineNo) throws InputException {
    Matcher m = NODE.matcher(line);
    if (!m.find()) {
      throw malformed("memblock node line", "node   0: [mem 0x0000000000100000-0x000000007fffffff]", lineNo);
    }
    return new NodeRange(memRange(m, 2, "memblock node range", lineNo), node(m.group(1), lineNo), lineNo);
  }

  private NodeRange readSrat(String line, int lineNo) throws InputException {
    Matcher m = SRAT.matcher(line);
    Matcher legacy = SRAT_LEGACY.matcher(line);
    long start;
    long end;
    if (m.find()) {
      start = numbers.address(m.group(3), lineNo, "SRAT range start");
      end = numbers.inclusiveEnd(m.group(4), lineNo, "SRAT range end");
    } else if (legacy.find()) {
      m = legacy;
      start = numbers.address(m.group(3), lineNo, "SRAT range start");
      end = numbers.address(m.group(4), lineNo, "SRAT range end");
    } else {
      throw malformed("SRAT line", "SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]", lineNo);
    }
    return new NodeRange(range(start, end, "SRAT range", lineNo), node(m.group(1), lineNo), lineNo);
  }

  private AddressRange readCmr(String content, int lineNo) throws InputException {
    Matcher m = CMR.matcher(content);
    if (!m.find()) {
      throw malformed("CMR line", "virt/tdx: CMR: [0x100000, 0x77800000)", lineNo);
    }
    long start = numbers.address(m.group(1), lineNo, "CMR start");
    long end = numbers.address(m.group(2), lineNo, "CMR end");
    AddressRange cmr = range(start, end, "CMR", lineNo);
    // The module reports CMRs at 4 KiB granularity (TDX module spec, CMR_INFO); anything else is a
    // corrupt line, not a machine.
    if ((start & 0xfff) != 0 || (end & 0xfff) != 0) {
      throw new InputException(source, lineNo, "CMR %s is not 4 KiB aligned".formatted(cmr));
    }
    if (cmr.isEmpty()) {
      throw new InputException(source, lineNo, "CMR %s is empty".formatted(cmr));
    }
    return cmr;
  }

  private void readTdxFact(String content, int lineNo, String verbatim) throws InputException {
    Matcher attributes = VERSION_ATTRIBUTES.matcher(content);
    Matcher dotted = VERSION_DOTTED.matcher(content);
    Matcher versionLine = VERSION_LINE.matcher(content);
    Matcher pamt = PAMT_KB.matcher(content);
    if (attributes.find()) {
      // The module reports these as u16 fields (build_date a u32 yyyymmdd); kept as printed.
      numbers.decimal(attributes.group(1), lineNo, "module major_version", 0, 0xffff);
      numbers.decimal(attributes.group(2), lineNo, "module minor_version", 0, 0xffff);
      numbers.decimal(attributes.group(4), lineNo, "module build_num", 0, 0xffff);
      setVersion(
          "%s.%s build_date %s build_num %s"
              .formatted(attributes.group(1), attributes.group(2), attributes.group(3), attributes.group(4)));
    } else if (dotted.find()) {
      numbers.decimal(dotted.group(2), lineNo, "module build number", 0, 0xffff);
      for (String part : dotted.group(1).split("\\.")) {
        numbers.decimal(part, lineNo, "module version number", 0, 0xffff);
      }
      setVersion("%s build_num %s build_date %s".formatted(dotted.group(1), dotted.group(2), dotted.group(3)));
    } else if (versionLine.find()) {
      setVersion(versionLine.group(1));
    } else if (pamt.find() && pamtKb.isEmpty()) {
      // PAMT never exceeds the memory it describes: at most the 2^52-byte physical address space.
      pamtKb = OptionalLong.of(numbers.decimal(pamt.group(1), lineNo, "PAMT size in KB", 0, NumberText.ADDRESS_LIMIT / 1024));
    } else if (FAILED.matcher(content).find() && failure.isEmpty()) {
      failure = Optional.of(new LogLine(lineNo, verbatim));
    }
  }

  private void setVersion(String version) {
    if (moduleVersion.isEmpty()) {
      moduleVersion = Optional.of(version);
    }
  }

  /**
   * The kernel's {@code [mem 0xstart-0xend]} form, whose end is inclusive: groups {@code first} and
   * {@code first + 1} of {@code m} hold the two addresses.
   */
  private AddressRange memRange(Matcher m, int first, String what, int lineNo) throws InputException {
    long start = numbers.address(m.group(first), lineNo, what + " start");
    long end = numbers.inclusiveEnd(m.group(first + 1), lineNo, what + " end");
    return range(start, end, what, lineNo);
  }

  private AddressRange range(long start, long end, String what, int lineNo) throws InputException {
    if (end < start) {
      throw new InputException(
          source, lineNo, "%s is reversed: it ends (0x%x) before it starts (0x%x)".formatted(what, end, start));
    }
    return new AddressRange(start, end);
  }

  private int node(String digits, int lineNo) throws InputException {
    return numbers.decimalInt(digits, lineNo, "NUMA node", 0, MemoryBlock.MAX_NODE);
  }

  private InputException malformed(String what, String example, int lineNo) {
    return new InputException(
        source, lineNo, "malformed %s (expected a line like \"%s\")".formatted(what, example));
  }

  private TdxMemory finish() throws InputException {
    LogFacts facts = new LogFacts(tdxLines, moduleVersion, pamtKb, failure, commandLine);
    List<String> notes = new ArrayList<>();
    notes.addAll(e820.notes());
    notes.addAll(userE820.notes());
    List<E820Entry> table = e820.entries();
    if (!userE820.entries().isEmpty()) {
      table = userE820.entries();
      notes.add(
          "the user-defined e820 table (memmap=/mem=, %d 'user:' lines from line %d) replaces the firmware's, as in the kernel"
              .formatted(table.size(), table.get(0).line()));
    }
    if (commandLine.isPresent()) {
      table = BootedCommandLine.apply(commandLine.get(), table, !userE820.entries().isEmpty(),
          !nodeLines.entries().isEmpty(), notes);
    }
    notes.addAll(nodeLines.notes());
    notes.addAll(cmrs.notes());
    return new TdxMemory(source, table, e820Changes, nodeLines.entries(), srat, cmrs.entries(), facts, notes);
  }
}
