package tdmr.greedy;

import java.util.List;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;

/**
 * A way the kernel could build its TDMR list: mainline's {@code construct_tdmrs} or a variant of
 * it. Each produces a layout of the kernel's shape (one contiguous 4K/2M/1G PAMT chunk per TDMR) or
 * the kernel's error, with the lines such a kernel would print.
 */
public interface KernelConstruction {
  /** The name on the command line and in output: {@code greedy}, {@code greedy-fit}, ... */
  String name();

  /** Runs the construction on one map under the given limits. */
  GreedyResult construct(MemoryMap map, TdxLimits limits);

  /** Lines for people (no kernel prefix) that explain {@code result} of this construction on the map. */
  List<String> explain(MemoryMap map, TdxLimits limits, GreedyResult result);

}
