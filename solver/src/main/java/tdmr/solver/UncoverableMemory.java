package tdmr.solver;

import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * TDX memory that no TDMR of any family may cover, found once for both solver geometries
 * ({@link Problem}, the kernel family, and {@link Instance}, the module family): memory outside
 * every CMR (rule E1) and memory at or above the HKID limit (rule B5), plus the empty map.
 */
final class UncoverableMemory {
  private UncoverableMemory() {}

  /**
   * Adds a sentence per reason no layout can cover all TDX memory to {@code impossibilities}, and
   * the memory above the HKID limit to {@code excludedMemory}.
   */
  static void find(MemoryMap map, TdxLimits limits, Deadline deadline, List<String> impossibilities,
      List<AddressRange> excludedMemory) {
    long hkid = limits.hkidLimit();
    if (map.blocks().isEmpty()) {
      impossibilities.add("the map has no TDX memory, and the module needs at least one TDMR");
    }
    for (MemoryBlock b : map.blocks()) {
      deadline.check();
      for (AddressRange u : map.cmrs().uncovered(b.range())) {
        impossibilities.add(
            "TDX memory %s (%s, node %d) is not inside any CMR, so no TDMR may cover it (rule E1)"
                .formatted(u, ByteSize.human(u.size()), b.node()));
      }
      if (b.end() > hkid) {
        AddressRange above = new AddressRange(Math.max(b.start(), hkid), b.end());
        excludedMemory.add(above);
        impossibilities.add(
            "TDX memory %s (%s) is at or above the HKID limit 0x%x, so no TDMR may cover it (rule B5)"
                .formatted(above, ByteSize.human(above.size()), hkid));
      }
    }
  }
}
