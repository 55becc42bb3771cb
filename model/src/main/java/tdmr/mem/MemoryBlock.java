package tdmr.mem;

/**
 * A range of TDX memory (memblock RAM above 1 MiB, page aligned) on one NUMA node, like the
 * kernel's {@code struct tdx_memblock}.
 */
public record MemoryBlock(AddressRange range, int node) {
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
