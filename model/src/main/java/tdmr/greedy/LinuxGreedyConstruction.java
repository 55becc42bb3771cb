package tdmr.greedy;

import java.util.List;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Mainline's construction ({@link LinuxGreedy}, with either hole source) as a {@link
 * KernelConstruction}: {@code greedy}, or {@code greedy-cmr} with the CMR-holes patch.
 */
public record LinuxGreedyConstruction(LinuxGreedy greedy) implements KernelConstruction {
  @Override
  public String name() {
    return greedy.holes() == Policy.Holes.CMR ? "greedy-cmr" : "greedy";
  }

  @Override
  public GreedyResult construct(MemoryMap map, TdxLimits limits) {
    return greedy.construct(map, limits);
  }

  @Override
  public List<String> explain(MemoryMap map, TdxLimits limits, GreedyResult result) {
    return new GreedyExplanation(map, limits, greedy).explain(result);
  }
}
