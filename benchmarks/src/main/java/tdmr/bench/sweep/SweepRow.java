package tdmr.bench.sweep;

import java.util.OptionalLong;

/**
 * One engine's result on one map: a row of {@code results.csv}.
 *
 * @param map map name
 * @param origin {@code real} or the generator family
 * @param blocks TDX memory blocks of the map
 * @param memoryBytes TDX memory of the map
 * @param kernelTdmrHoles see {@link SweepMap#kernelTdmrHoles()}
 * @param engine engine name
 * @param status the engine's status, {@code ERROR} when it threw, {@code SKIPPED} when the map was
 *     above the sweep's block limit for this engine
 * @param pamtBytes PAMT bytes of the layout, empty without one
 * @param pamtBoundBytes proven lower bound, empty when the engine proved none
 * @param tdmrs TDMRs of the layout, 0 without one
 * @param maxReserved the most reserved areas one TDMR of the layout uses, 0 without one
 * @param solveMillis wall time the engine reported
 * @param modelVariables model size (0 for the greedy)
 * @param modelConstraints model size (0 for the greedy)
 * @param message the engine's first message (the kernel's failure line for the greedy), or the error
 */
public record SweepRow(
    String map,
    String origin,
    int blocks,
    long memoryBytes,
    int kernelTdmrHoles,
    String engine,
    String status,
    OptionalLong pamtBytes,
    OptionalLong pamtBoundBytes,
    int tdmrs,
    int maxReserved,
    long solveMillis,
    long modelVariables,
    long modelConstraints,
    String message) {

  /** Status text of an engine that threw instead of answering. */
  public static final String ERROR = "ERROR";
  /** Status text of an engine the sweep did not run on a map (above {@code --max-blocks}). */
  public static final String SKIPPED = "SKIPPED";

  /** True when the engine returned a (validated) layout. */
  public boolean hasLayout() {
    return status.equals("OPTIMAL") || status.equals("FEASIBLE");
  }

  /**
   * True when the time limit stopped an optimising engine before a proof: {@code UNKNOWN} (no
   * layout, none ruled out), or {@code FEASIBLE} from an engine other than a greedy (a layout
   * without a proof of optimality). A greedy's {@code FEASIBLE} is its whole answer, and its
   * {@code FAILED} is the kernel's; neither is a time-out. Such a row is neither "no layout" nor a
   * solve time: the engine did not finish.
   */
  public boolean timedOut() {
    return status.equals("UNKNOWN") || status.equals("FEASIBLE") && !engine.startsWith(SweepSummary.GREEDY);
  }
}
