package tdmr.mem;

/**
 * A range of TDX memory (memblock RAM above 1 MiB, page aligned) on one NUMA node, like the
 * kernel's {@code struct tdx_memblock}.
 */
public record MemoryBlock(AddressRange range, int node) {
  /**
   * The largest NUMA node number the readers accept. Linux has at most 1 024 nodes (NODES_SHIFT
   * 10); what-if maps of fleets and generators go to 10 000, and anything past this is a corrupt line.
   */
  public static final int MAX_NODE = 65_535;

  public MemoryBlock {
    if (range == null) {
      throw new IllegalArgumentException("range is null");
    }
    if (node < 0) {
      throw new IllegalArgumentException("negative NUMA node " + node);
    }
  }

  public MemoryBlock(long start, long end, int node) {
    this(new AddressRange(start, end), node);
  }

  public long start() {
    return range.start();
  }

  public long end() {
    return range.end();
  }

  public long size() {
    return range.size();
  }

  @Override
  public String toString() {
    return range + " node " + node;
  }
}
