package tdmr.solver;

import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A way to produce a layout for a memory map: the Linux greedy, CP-SAT or Z3. Nothing downstream
 * knows which engine produced a result.
 */
public interface Engine {
  /** The name used in output and on the command line. */
  String name();

  /**
   * Solves one map. Every layout in the result has passed the module validator and the OS check;
   * an engine that produces a layout failing them throws {@link IllegalStateException} (a bug).
   */
  EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options);
}
