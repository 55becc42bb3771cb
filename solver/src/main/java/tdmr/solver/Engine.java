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

  /**
   * Whether this engine's {@code OPTIMAL} and {@code INFEASIBLE} answers under {@code family} are
   * proofs about that family ({@link Policy.Family}), up to the restrictions each result names
   * ({@link EngineResult#restrictions}). The greedy proves nothing; an exact engine that does not
   * implement a family says false, and its answers are then neither shown as proofs of it nor
   * compared with other engines' ({@link CrossCheck}).
   */
  default boolean proves(Policy.Family family) {
    return false;
  }
}
