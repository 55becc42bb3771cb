package tdmr.parse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.E820Entry;
import tdmr.mem.LogFacts;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * Derives the TDX memory blocks of a log the way Linux builds {@code tdx_memlist}
 * ({@code build_tdx_memlist}): from the memblock {@code node N:} ranges when the log has them,
 * otherwise from e820 {@code usable} RAM split at SRAT node boundaries, otherwise from the CMRs;
 * each range rounded inward to whole 4 KiB pages, the first 1 MiB clipped off, and touching ranges
 * of one node merged (as {@code memblock_merge_regions()} does). Every step that changes a range
 * leaves a note.
 */
final class TdxMemory {
  private static final long PAGE = 4 * ByteSize.KiB;
  /** "The first 1MB is not reported as TDX convertible memory" (build_tdx_memlist). */
  private static final long FIRST_MIB = ByteSize.MiB;

  private final String source;
  private final List<E820Entry> e820;
  private final List<E820Change> e820Changes;
  private final List<NodeRange> nodeLines;
  private final List<NodeRange> srat;
  private final List<AddressRange> cmrs;
  private final LogFacts facts;
  private final List<String> notes;

  TdxMemory(
      String source,
      List<E820Entry> e820,
      List<E820Change> e820Changes,
      List<NodeRange> nodeLines,
      List<NodeRange> srat,
      List<AddressRange> cmrs,
      LogFacts facts,
      List<String> notes) {
    this.source = source;
    this.e820 = e820;
    this.e820Changes = e820Changes;
    this.nodeLines = nodeLines;
    this.srat = srat;
    this.cmrs = cmrs;
    this.facts = facts;
    this.notes = new ArrayList<>(notes);
  }

  /** True when the lines held RAM (e820 or memblock node lines), not only CMRs. */
  boolean hasRamLines() {
    return !e820.isEmpty() || !nodeLines.isEmpty();
  }

  /**
   * The same facts and CMRs with the RAM taken from another source: a firmware table (and NUMA
   * ranges to cut it at) instead of the log's lines, with notes saying so.
   */
  TdxMemory withRam(List<E820Entry> table, List<NodeRange> nodeRanges, List<String> moreNotes) {
    List<String> all = new ArrayList<>(notes);
    all.addAll(moreNotes);
    return new TdxMemory(source, table, List.of(), List.of(), nodeRanges, cmrs, facts, all);
  }

  /** The same with more notes. */
  TdxMemory withNotes(List<String> moreNotes) {
    List<String> all = new ArrayList<>(notes);
    all.addAll(moreNotes);
    return new TdxMemory(source, e820, e820Changes, nodeLines, srat, cmrs, facts, all);
  }

  MemoryMap derive() throws InputException {
    List<NodeRange> ram = ramRanges();
    List<MemoryBlock> blocks = mergeTouching(clipFirstMiB(roundToPages(ram)));
    if (blocks.isEmpty()) {
      boolean allBelow1MiB = ram.stream().allMatch(r -> r.range().end() <= ByteSize.MiB);
      // RAM above 1 MiB can still vanish when no entry holds a whole 4 KiB page (or all are empty);
      // blaming the first MiB then would send the user looking in the wrong place.
      throw new InputException(
          source,
          0,
          allBelow1MiB
              ? "no TDX memory: all RAM in this input lies below 1 MiB"
              : "no TDX memory: the RAM in this input holds no whole 4 KiB page above 1 MiB");
    }
    ConvertibleMemory convertible;
    if (cmrs.isEmpty()) {
      convertible = new ConvertibleMemory(blocks.stream().map(MemoryBlock::range).toList());
      notes.add("no CMR lines in the input: the CMRs are taken to equal the TDX memory blocks");
    } else {
      convertible = new ConvertibleMemory(cmrs);
    }
    return new MemoryMap(source, blocks, convertible, e820, facts, notes);
  }

  /** Picks the source of RAM ranges, most precise first. */
  private List<NodeRange> ramRanges() throws InputException {
    if (!nodeLines.isEmpty()) {
      notes.add("TDX memory from the %d memblock 'node N:' lines".formatted(nodeLines.size()));
      return nodeLines;
    }
    List<AddressRange> usable = applyChanges(e820.stream().filter(E820Entry::isUsable).map(E820Entry::range).toList());
    if (!usable.isEmpty()) {
      notes.add("TDX memory from the %d usable e820 entries (the log has no memblock 'node N:' lines)".formatted(usable.size()));
      return assignNodes(usable);
    }
    if (!cmrs.isEmpty()) {
      notes.add("no RAM lines (e820 or memblock) in the input: the %d CMRs are taken as the TDX memory".formatted(cmrs.size()));
      return assignNodes(cmrs);
    }
    if (!e820.isEmpty()) {
      throw new InputException(source, e820.get(0).line(), "the e820 table has no usable RAM");
    }
    // Often a log of TDX lines only, or a ring buffer that lost the boot's first lines: say how to get one with a map.
    throw new InputException(source, 0, "no memory map in this input (no BIOS-e820, memblock 'node N:' or TDX CMR lines)",
        "the boot's whole kernel log has one (journalctl -k -b > dmesg.txt), or collect one on the host with"
            + " sudo tdmr gather -o host.txt");
  }

  /**
   * Applies the kernel's {@code e820: update/remove} lines, in log order, to the usable RAM: a change
   * away from {@code usable} (or an untyped remove) takes the range out; a change of type T to
   * {@code usable} adds the parts of the range the printed table lists as T.
   */
  private List<AddressRange> applyChanges(List<AddressRange> usable) {
    if (e820Changes.isEmpty()) {
      return usable;
    }
    List<AddressRange> ram = usable;
    for (E820Change c : e820Changes) {
      boolean fromUsable = c.fromType().isEmpty() || c.fromType().equals("usable");
      boolean toUsable = c.toType().equals("usable");
      if (fromUsable && !toUsable) {
        ram = subtract(ram, c.range());
      } else if (!fromUsable && toUsable) {
        for (E820Entry e : e820) {
          if (e.type().equals(c.fromType()) && e.range().overlaps(c.range())) {
            ram = add(ram, e.range().intersect(c.range()));
          }
        }
      }
    }
    notes.add(
        "applied %d 'e820: update/remove' lines (lines %s) to the usable RAM"
            .formatted(e820Changes.size(), summary(e820Changes.stream().map(c -> String.valueOf(c.line())).toList())));
    return ram;
  }

  private static List<AddressRange> subtract(List<AddressRange> ranges, AddressRange cut) {
    List<AddressRange> out = new ArrayList<>(ranges.size() + 1);
    for (AddressRange r : ranges) {
      if (!r.overlaps(cut)) {
        out.add(r);
        continue;
      }
      if (r.start() < cut.start()) {
        out.add(new AddressRange(r.start(), cut.start()));
      }
      if (cut.end() < r.end()) {
        out.add(new AddressRange(cut.end(), r.end()));
      }
    }
    return out;
  }

  /** The sorted union of {@code ranges} and {@code extra}; touching ranges stay separate, as e820 keeps them. */
  private static List<AddressRange> add(List<AddressRange> ranges, AddressRange extra) {
    List<AddressRange> out = new ArrayList<>(subtract(ranges, extra));
    int at = 0;
    while (at < out.size() && out.get(at).start() < extra.start()) {
      at++;
    }
    out.add(at, extra);
    return out;
  }

  /** Nodes from SRAT when the log has it, else node 0; ranges are cut at node boundaries. */
  private List<NodeRange> assignNodes(List<AddressRange> ranges) throws InputException {
    if (srat.isEmpty()) {
      notes.add("no SRAT or memblock node lines: all memory is taken as NUMA node 0");
      return ranges.stream().map(r -> new NodeRange(r, 0, 0)).toList();
    }
    List<NodeRange> nodes = sortedSrat();
    List<NodeRange> out = new ArrayList<>();
    int first = 0;
    for (AddressRange r : ranges) {
      while (first < nodes.size() && nodes.get(first).range().end() <= r.start()) {
        first++;
      }
      long cursor = r.start();
      for (int i = first; i < nodes.size() && cursor < r.end(); i++) {
        AddressRange n = nodes.get(i).range();
        if (n.start() > cursor) {
          return noNumaFallback(ranges, new AddressRange(cursor, Math.min(n.start(), r.end())));
        }
        long end = Math.min(n.end(), r.end());
        out.add(new NodeRange(new AddressRange(cursor, end), nodes.get(i).node(), 0));
        cursor = end;
      }
      if (cursor < r.end()) {
        return noNumaFallback(ranges, new AddressRange(cursor, r.end()));
      }
    }
    if (out.size() > ranges.size()) {
      notes.add(
          "memory split at SRAT node boundaries into %d ranges on nodes %s"
              .formatted(out.size(), nodeList(out.stream().map(NodeRange::node).distinct().sorted().toList())));
    }
    return out;
  }

  /**
   * Sorted node numbers with runs of three or more written as ranges: {@code [0, 1, 2, 3, 5]} is
   * {@code "0-3, 5"}, so a map of a thousand nodes does not print a thousand numbers.
   */
  static String nodeList(List<Integer> sorted) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(sorted.get(i));
      if (j - i >= 2) {
        out.append('-').append(sorted.get(j));
      } else if (j == i + 1) {
        out.append(", ").append(sorted.get(j));
      }
      i = j + 1;
    }
    return out.toString();
  }

  /**
   * Memory outside every SRAT range makes the kernel's NUMA setup fail
   * ({@code numa_meminfo_cover_memory()}), and it falls back to one dummy node.
   */
  private List<NodeRange> noNumaFallback(List<AddressRange> ranges, AddressRange uncovered) {
    notes.add(
        "memory %s lies outside every SRAT range; like the kernel's NUMA fallback, all memory is taken as node 0"
            .formatted(uncovered));
    return ranges.stream().map(r -> new NodeRange(r, 0, 0)).toList();
  }

  /** SRAT ranges sorted by address; one node's ranges may touch or repeat, two nodes may not overlap. */
  private List<NodeRange> sortedSrat() throws InputException {
    List<NodeRange> sorted = new ArrayList<>(srat);
    sorted.sort(Comparator.comparing(NodeRange::range));
    List<NodeRange> out = new ArrayList<>();
    for (NodeRange n : sorted) {
      if (!out.isEmpty() && out.get(out.size() - 1).range().end() > n.range().start()) {
        NodeRange prev = out.get(out.size() - 1);
        if (prev.node() != n.node()) {
          throw new InputException(
              source,
              Math.max(prev.line(), n.line()),
              "SRAT range %s of node %d overlaps %s of node %d on line %d"
                  .formatted(n.range(), n.node(), prev.range(), prev.node(), Math.min(prev.line(), n.line())));
        }
        long end = Math.max(prev.range().end(), n.range().end());
        out.set(out.size() - 1, new NodeRange(new AddressRange(prev.range().start(), end), prev.node(), prev.line()));
      } else {
        out.add(n);
      }
    }
    return out;
  }

  /** memblock yields {@code [PFN_UP(base), PFN_DOWN(base + size))}: whole pages only. */
  private List<NodeRange> roundToPages(List<NodeRange> ranges) {
    List<NodeRange> out = new ArrayList<>(ranges.size());
    List<String> changed = new ArrayList<>();
    for (NodeRange n : ranges) {
      long start = ByteSize.alignUp(n.range().start(), PAGE);
      long end = ByteSize.alignDown(n.range().end(), PAGE);
      if (start != n.range().start() || end != n.range().end()) {
        changed.add(end > start ? "%s -> %s".formatted(n.range(), new AddressRange(start, end)) : n.range() + " dropped");
      }
      if (end > start) {
        out.add(new NodeRange(new AddressRange(start, end), n.node(), n.line()));
      }
    }
    if (!changed.isEmpty()) {
      notes.add("rounded inward to whole 4 KiB pages: " + summary(changed));
    }
    return out;
  }

  private List<NodeRange> clipFirstMiB(List<NodeRange> ranges) {
    List<NodeRange> out = new ArrayList<>(ranges.size());
    List<String> changed = new ArrayList<>();
    for (NodeRange n : ranges) {
      AddressRange r = n.range();
      if (r.end() <= FIRST_MIB) {
        changed.add(r + " dropped");
      } else if (r.start() < FIRST_MIB) {
        AddressRange clipped = new AddressRange(FIRST_MIB, r.end());
        changed.add("%s -> %s".formatted(r, clipped));
        out.add(new NodeRange(clipped, n.node(), n.line()));
      } else {
        out.add(n);
      }
    }
    if (!changed.isEmpty()) {
      notes.add("the first 1 MiB is not TDX memory (the kernel clips it): " + summary(changed));
    }
    return out;
  }

  /** memblock merges touching regions of one node; the TDX code sees the merged regions. */
  private List<MemoryBlock> mergeTouching(List<NodeRange> ranges) {
    List<MemoryBlock> out = new ArrayList<>(ranges.size());
    int merges = 0;
    for (NodeRange n : ranges) {
      if (!out.isEmpty()) {
        MemoryBlock last = out.get(out.size() - 1);
        if (last.end() == n.range().start() && last.node() == n.node()) {
          out.set(out.size() - 1, new MemoryBlock(last.start(), n.range().end(), last.node()));
          merges++;
          continue;
        }
      }
      out.add(new MemoryBlock(n.range(), n.node()));
    }
    if (merges > 0) {
      notes.add("%d touching ranges of the same node merged into their neighbours (as memblock merges them)".formatted(merges));
    }
    return out;
  }

  /** At most a few examples, so a 100 000-line input gives a readable note. */
  private static String summary(List<String> changes) {
    int shown = Math.min(3, changes.size());
    String text = String.join(", ", changes.subList(0, shown));
    return changes.size() > shown ? text + " and %d more".formatted(changes.size() - shown) : text;
  }
}
