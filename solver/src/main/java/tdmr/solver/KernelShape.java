package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Whether a layout is of the kernel family's shape ({@link tdmr.tdx.Policy.Family#KERNEL}): each
 * TDMR's PAMT is one contiguous chunk of exactly the kernel's size for the TDMR ({@link
 * Pamt#kernelChunk}: 4K, 2M and 1G levels back to back), inside the TDX memory of one block. The
 * validator ({@link tdmr.check.LayoutVerifier}) checks what the module accepts; this checks what makes
 * a layout the kernel's, for engines whose kernel-family model is built from a module-family one
 * (an {@link Instance} in kernel mode). Also which chunks lie off the node the kernel picks for
 * their TDMR ({@link LinuxGreedy#tdmrNode}, {@code tdmr_get_nid}).
 */
public final class KernelShape {
  private KernelShape() {}

  /** What makes {@code layout} not of the kernel's shape on {@code map}, one line per TDMR; empty when it is. */
  public static List<String> failures(MemoryMap map, TdxLimits limits, Layout layout) {
    List<String> out = new ArrayList<>();
    for (Tdmr t : layout.tdmrs()) {
      Pamt chunk = Pamt.kernelChunk(t.pamt().fourK().base(), t.size(), limits);
      if (!chunk.equals(t.pamt())) {
        out.add("the PAMT of TDMR %s is not one chunk of the kernel's size (%s)".formatted(t.range(), t.pamt().ranges()));
        continue;
      }
      AddressRange range = new AddressRange(chunk.fourK().base(), chunk.oneG().end());
      if (map.blocks().stream().noneMatch(b -> b.range().contains(range))) {
        out.add("the chunk of TDMR %s at %s lies in no one memory block".formatted(t.range(), chunk.ranges()));
      }
    }
    return out;
  }

  /**
   * The TDMRs of {@code layout} (of the kernel's shape) whose chunk does not lie on the node the
   * kernel picks for them ({@link LinuxGreedy#tdmrNode}).
   */
  public static List<Tdmr> offKernelNode(MemoryMap map, Layout layout) {
    List<Tdmr> out = new ArrayList<>();
    for (Tdmr t : layout.tdmrs()) {
      long at = t.pamt().fourK().base();
      OptionalInt node = LinuxGreedy.tdmrNode(map.blocks(), t.base());
      boolean on = node.isPresent() && map.blocks().stream()
          .anyMatch(b -> b.range().contains(at) && b.node() == node.getAsInt());
      if (!on) {
        out.add(t);
      }
    }
    return out;
  }
}
