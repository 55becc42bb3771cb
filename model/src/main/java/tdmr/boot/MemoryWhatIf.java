package tdmr.boot;

import java.util.ArrayList;
import java.util.List;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * A memory map as the kernel would see it booted with more {@code memmap=}/{@code mem=} parameters:
 * the edits are applied to the map's e820 table as the kernel applies them ({@link E820Table}, the
 * {@code user:} table), and the TDX memory changes by exactly what that does to the RAM: RAM the
 * table no longer lists leaves the memory list (memblock is built from the table's RAM), RAM it
 * newly lists joins it. Everything else, the NUMA nodes of the remaining memory, the CMRs (a
 * property of the hardware) and the log's facts, stays as it was.
 *
 * <p>The table is the one the map was read from (the user table when the log had one, which
 * already reflects the parameters its kernel booted with), extended by the map's TDX memory where
 * the table does not reach (a log cut after the first e820 lines, a CMR-only report, a JSON map).
 * RAM a parameter adds takes the NUMA node of the memory below it (the log's SRAT is not kept).
 */
public final class MemoryWhatIf {
  /** How the note that records a what-if in {@link MemoryMap#notes()} starts. */
  public static final String NOTE_PREFIX = "what-if (";

  private MemoryWhatIf() {}

  /**
   * The map with the edits applied.
   *
   * @param origin where the edits come from, for the note: {@code --memmap}, {@code --cmdline}
   * @throws IllegalArgumentException when the kernel would not boot with the parameters, or no TDX
   *     memory is left
   */
  public static MemoryMap apply(MemoryMap map, List<MemmapEdit> edits, String origin) {
    if (edits.isEmpty()) {
      return map;
    }
    List<AddressRange> memory = map.blocks().stream().map(MemoryBlock::range).toList();
    List<E820Entry> table = tableWithMemory(map.firmwareMap(), memory);
    List<E820Entry> user = E820Table.apply(table, edits);
    List<AddressRange> ramBefore = ram(table);
    List<AddressRange> ramAfter = ram(user);
    List<AddressRange> removed = AddressRange.minus(ramBefore, ramAfter);
    List<AddressRange> added = AddressRange.minus(ramAfter, ramBefore);

    List<MemoryBlock> kept = new ArrayList<>();
    for (MemoryBlock b : map.blocks()) {
      for (AddressRange r : AddressRange.minus(List.of(b.range()), removed)) {
        kept.add(new MemoryBlock(r, b.node()));
      }
    }
    for (AddressRange r : AddressRange.minus(added, memory)) {
      kept.add(new MemoryBlock(r, nodeBelow(map.blocks(), r.start())));
    }
    kept.sort((a, b) -> AddressRange.ORDER.compare(a.range(), b.range()));
    List<MemoryBlock> blocks = LinuxGreedy.memoryList(kept);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no TDX memory is left above 1 MiB with these parameters");
    }

    long before = map.totalBytes();
    long after = blocks.stream().mapToLong(MemoryBlock::size).sum();
    List<String> notes = new ArrayList<>(map.notes());
    notes.add(NOTE_PREFIX + "%s): %s applied to the e820 table as the kernel applies them (%s); TDX memory %s"
        .formatted(origin, String.join(" ", edits.stream().map(MemmapEdit::parameter).distinct().toList()),
            String.join(", ", edits.stream().map(MemmapEdit::describe).toList()),
            change(before, after)));
    return new MemoryMap(map.source(), blocks, map.cmrs(), user, map.facts(), notes);
  }

  private static String change(long before, long after) {
    if (before == after) {
      return "unchanged";
    }
    return before > after
        ? "%s less (%s left)".formatted(ByteSize.human(before - after), ByteSize.human(after))
        : "%s more (%s)".formatted(ByteSize.human(after - before), ByteSize.human(after));
  }

  /** The table, with usable entries added for TDX memory it does not list at all. */
  private static List<E820Entry> tableWithMemory(List<E820Entry> table, List<AddressRange> memory) {
    List<AddressRange> listed = table.stream().map(E820Entry::range).toList();
    List<E820Entry> out = new ArrayList<>(table);
    for (AddressRange r : AddressRange.minus(memory, listed)) {
      out.add(E820Entry.ofCode(r, E820Entry.RAM, 0));
    }
    out.sort((a, b) -> AddressRange.ORDER.compare(a.range(), b.range()));
    return out;
  }

  private static List<AddressRange> ram(List<E820Entry> table) {
    return AddressRange.union(
        table.stream().filter(e -> e.typeCode() == E820Entry.RAM || e.typeCode() == E820Entry.RESERVED_KERN)
            .map(E820Entry::range).toList());
  }

  private static int nodeBelow(List<MemoryBlock> blocks, long address) {
    int node = blocks.isEmpty() ? 0 : blocks.get(0).node();
    for (MemoryBlock b : blocks) {
      if (b.start() >= address) {
        break;
      }
      node = b.node();
    }
    return node;
  }
}
