package tdmr.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.E820Entry;
import tdmr.mem.LogFacts;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** A memory map as text for people: blocks and the gaps between them in address order, CMRs, notes, totals. */
final class MapText {
  private MapText() {}

  static String render(MemoryMap map) {
    StringBuilder s = new StringBuilder();
    s.append("Memory map of ").append(map.source()).append('\n');
    s.append('\n');
    s.append("TDX memory: %s, %s, on %s%n".formatted(Count.of(map.blocks().size(), "block"), total(map.totalBytes()), nodes(map)));
    List<E820Entry> firmware = map.firmwareMap();
    int cursor = 0;
    MemoryBlock previous = null;
    for (MemoryBlock b : map.blocks()) {
      if (previous != null && b.start() > previous.end()) {
        AddressRange gap = new AddressRange(previous.end(), b.start());
        while (cursor < firmware.size() && firmware.get(cursor).range().end() <= gap.start()) {
          cursor++;
        }
        String types = firmwareTypes(firmware, cursor, gap);
        s.append("  %-5s %-34s %-8s %-10s %s".formatted("gap", gap, "", ByteSize.human(gap.size()), types).stripTrailing()).append('\n');
      }
      s.append("  %-5s %-34s %-8s %s%n".formatted("block", b.range(), "node " + b.node(), ByteSize.human(b.size())));
      previous = b;
    }
    s.append('\n');
    s.append("CMRs: %d, %s%n".formatted(map.cmrs().cmrs().size(), total(map.cmrs().totalBytes())));
    for (AddressRange c : map.cmrs().cmrs()) {
      s.append("  %-5s %-34s %-8s %s%n".formatted("CMR", c, "", ByteSize.human(c.size())));
    }
    facts(s, map.facts());
    if (!map.notes().isEmpty()) {
      s.append('\n').append("Notes:\n");
      for (String n : map.notes()) {
        s.append("  - ").append(n).append('\n');
      }
    }
    return s.toString();
  }

  /**
   * The e820 table as the kernel prints it after {@code memmap=}/{@code mem=} ({@code e820_print_table("user")}):
   * one {@code user: [mem START-END] TYPE} line per entry, END inclusive, so that it can be compared line for
   * line with the {@code dmesg} of the boot with those parameters.
   */
  static String userTable(MemoryMap map) {
    StringBuilder s = new StringBuilder();
    s.append('\n').append("The e820 table the kernel then prints (its user-defined physical RAM map):\n");
    for (E820Entry e : map.firmwareMap()) {
      s.append("  user: [mem %#018x-%#018x] %s%n".formatted(e.range().start(), e.range().end() - 1,
          E820Entry.typeText(e.typeCode())));
    }
    return s.toString();
  }

  /** The e820 types found inside a gap, in address order; parts outside every entry say so. */
  private static String firmwareTypes(List<E820Entry> firmware, int from, AddressRange gap) {
    if (firmware.isEmpty()) {
      return "";
    }
    Set<String> types = new LinkedHashSet<>();
    long covered = 0;
    for (int i = from; i < firmware.size() && firmware.get(i).range().start() < gap.end(); i++) {
      AddressRange part = firmware.get(i).range().intersect(gap);
      if (!part.isEmpty()) {
        types.add(firmware.get(i).type());
        covered += part.size();
      }
    }
    if (covered < gap.size()) {
      types.add("not in e820");
    }
    return String.join(", ", types);
  }

  private static void facts(StringBuilder s, LogFacts facts) {
    List<String> lines = new ArrayList<>();
    facts.moduleVersion().ifPresent(v -> lines.add("TDX module " + v));
    facts.pamtKb().ifPresent(kb -> lines.add("kernel allocated %d KB for PAMT (%s)".formatted(kb, ByteSize.human(kb * ByteSize.KiB))));
    facts.failure().ifPresent(f -> lines.add("kernel failure, " + f));
    facts.commandLine().ifPresent(c -> lines.add("kernel command line, " + c));
    if (lines.isEmpty()) {
      return;
    }
    s.append('\n').append("From the log:\n");
    for (String l : lines) {
      s.append("  ").append(l).append('\n');
    }
  }

  /** {@code node 0}, or each node with its share: {@code nodes 0 (4.00 GiB), 1 (4 GiB)}. */
  private static String nodes(MemoryMap map) {
    List<Integer> nodes = map.nodes();
    if (nodes.size() == 1) {
      return "node " + nodes.get(0);
    }
    List<String> shares = new ArrayList<>();
    for (int node : nodes) {
      long bytes = map.blocks().stream().filter(b -> b.node() == node).mapToLong(MemoryBlock::size).sum();
      shares.add("%d (%s)".formatted(node, ByteSize.human(bytes)));
    }
    return "nodes " + String.join(", ", shares);
  }

  private static String total(long bytes) {
    return "%s (%d bytes)".formatted(ByteSize.human(bytes), bytes);
  }
}
