package tdmr.solver.cpsat;

import java.util.List;
import java.util.Optional;
import tdmr.check.OsCoverageCheck;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryMap;
import tdmr.solver.DeadlineGuard;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * What {@code tdmr fix} answers: does the map have a layout under the limits, and if not, the
 * least TDX memory to give up so that one exists, with the kernel parameters that give it up.
 *
 * <p>Memory is given up in whole atoms (a memory block clipped to one cell, see {@link
 * tdmr.solver.Problem}), so the answer is the least loss at that granularity; {@code memmap=}
 * marks it reserved in the firmware map, and the kernel then neither uses it nor lists it as TDX
 * memory, so it becomes a gap like any other.
 *
 * @param full the engine's answer with coverage {@code all}
 * @param reduced the answer with coverage {@code max}, only when {@code full} proved that no layout
 *     covers everything
 * @param giveUp the ranges to give up (empty when none must be)
 */
public record MemoryFix(EngineResult full, Optional<EngineResult> reduced, List<AddressRange> giveUp) {

  public MemoryFix {
    giveUp = List.copyOf(giveUp);
  }

  /**
   * Solves the map as is, then, if that is proven impossible, with coverage {@code max}. Both
   * solves together end by the options' deadline: the first takes at most half of the time.
   */
  public static MemoryFix find(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    Engine engine = DeadlineGuard.of(new CpSatEngine());
    Deadline deadline = options.solveDeadline();
    Policy all = policy.withCoverage(Policy.Coverage.ALL);
    EngineResult full = engine.solve(map, limits, all, options.withDeadline(deadline.share(2)));
    if (full.status() != Status.INFEASIBLE) {
      return new MemoryFix(full, Optional.empty(), List.of());
    }
    EngineResult reduced =
        engine.solve(map, limits, policy.withCoverage(Policy.Coverage.MAX), options.withDeadline(deadline));
    // What the layout leaves out, as the OS check sees it: memory in no usable TDMR part and no PAMT.
    List<AddressRange> giveUp = reduced.layout()
        .map(layout -> new OsCoverageCheck(map, policy.holes()).check(layout).uncoveredMemory())
        .orElse(List.of());
    return new MemoryFix(full, Optional.of(reduced), giveUp);
  }

  /** True when the map already has a layout that covers all its TDX memory. */
  public boolean alreadyHasLayout() {
    return full.status().hasLayout();
  }

  /**
   * The kernel parameter that reserves {@code range}: {@code memmap=SIZE$ADDRESS}, the size in the
   * largest of K, M, G that divides it exactly.
   */
  public static String memmapParameter(AddressRange range) {
    return tdmr.boot.KernelParameters.reserving(range);
  }
}
