package tdmr.mem;

import java.util.List;

/**
 * A machine's memory as the TDX host code sees it: the TDX memory blocks (what the kernel would
 * put in {@code tdx_memlist}), the CMRs, the firmware map they came from and what the log said.
 *
 * @param source where the map was read from (a file name, {@code -} for stdin, or a generator)
 * @param blocks TDX memory, sorted, non-overlapping, page aligned, above 1 MiB, each block a
 *     maximal run of one NUMA node
 * @param cmrs the convertible memory ranges; when the input had none they equal the blocks and
 *     {@link #notes()} says so
 * @param firmwareMap the e820 entries of the input, for explaining holes (may be empty)
 * @param facts TDX facts of the log
 * @param notes how the map was derived, in sentences a person can check
 */
public record MemoryMap(
    String source,
    List<MemoryBlock> blocks,
    ConvertibleMemory cmrs,
    List<E820Entry> firmwareMap,
    LogFacts facts,
    List<String> notes) {

  public MemoryMap {
    blocks = List.copyOf(blocks);
    firmwareMap = List.copyOf(firmwareMap);
    notes = List.copyOf(notes);
    if (!blocks.isEmpty() && blocks.get(0).start() < ByteSize.MiB) {
      // The readers clip the first 1 MiB (the kernel never hands it to TDX); a map built in code must too.
      throw new IllegalArgumentException(
          "memory block %s starts below 1 MiB, which is never TDX memory".formatted(blocks.get(0)));
    }
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i).start() < blocks.get(i - 1).end()) {
        throw new IllegalArgumentException(
            "memory blocks overlap or are unsorted: %s then %s".formatted(blocks.get(i - 1), blocks.get(i)));
      }
    }
  }

  /** A map of the given blocks whose CMRs are exactly the blocks; for tests and generators. */
  public static MemoryMap ofBlocks(String source, List<MemoryBlock> blocks) {
    return new MemoryMap(
        source,
        blocks,
        new ConvertibleMemory(blocks.stream().map(MemoryBlock::range).toList()),
        List.of(),
        LogFacts.NONE,
        List.of());
  }

  /** A map of the given blocks and CMRs; for tests and generators. */
  public static MemoryMap of(String source, List<MemoryBlock> blocks, List<AddressRange> cmrs) {
    return new MemoryMap(source, blocks, new ConvertibleMemory(cmrs), List.of(), LogFacts.NONE, List.of());
  }

  public long totalBytes() {
    return blocks.stream().mapToLong(MemoryBlock::size).sum();
  }

  /** The gaps between consecutive blocks (not before the first nor after the last). */
  public List<AddressRange> gaps() {
    java.util.ArrayList<AddressRange> out = new java.util.ArrayList<>();
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i).start() > blocks.get(i - 1).end()) {
        out.add(new AddressRange(blocks.get(i - 1).end(), blocks.get(i).start()));
      }
    }
    return out;
  }

  /** The distinct NUMA nodes, ascending. */
  public List<Integer> nodes() {
    return blocks.stream().map(MemoryBlock::node).distinct().sorted().toList();
  }

  /** The e820 type of the firmware entry that holds {@code address}, or {@code not in e820}. */
  public String firmwareTypeAt(long address) {
    for (E820Entry e : firmwareMap) {
      if (e.range().contains(address)) {
        return e.type();
      }
    }
    return "not in e820";
  }
}
