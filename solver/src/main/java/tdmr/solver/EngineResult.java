package tdmr.solver;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.greedy.GreedyResult;
import tdmr.tdx.Headroom;
import tdmr.tdx.Layout;
import tdmr.tdx.TdxLimits;

/**
 * One engine's answer for one map, whatever the engine: the status, the best layout (always
 * validated before it is returned), the objective and its proven bound, why there is no layout
 * (as values), and messages for people. Decisions and JSON fields read the typed components;
 * {@link #messages()} is only ever shown.
 *
 * @param solver engine name as printed and in JSON: {@code greedy}, {@code greedy-cmr}, {@code cpsat}, {@code z3}
 * @param status see {@link Status}
 * @param layout the best layout, present exactly when {@code status.hasLayout()}
 * @param pamtBytes PAMT bytes of the layout (empty without a layout)
 * @param pamtBoundBytes proven lower bound on PAMT bytes (empty when the engine proves none)
 * @param messages what the engine has to say, in order (kernel lines for the greedy, explanation
 *     of infeasibility, bound and gap)
 * @param solveMillis wall time spent in the engine
 * @param modelVariables size of the model (0 for the greedy)
 * @param modelConstraints size of the model (0 for the greedy)
 * @param uncoveredBytes bytes of TDX memory left out (coverage max), 0 otherwise
 * @param kernelFailure for the greedy's {@code FAILED}: how the kernel fails (which TDMR, what ran
 *     out or was rejected, the error number, the TDMRs as they stood)
 * @param infeasibility for {@code INFEASIBLE}, when the engine says why: the facts and whether
 *     they are a minimal set
 * @param restrictions for {@code OPTIMAL} and {@code INFEASIBLE}: the restrictions of the engine's
 *     model under which the proof holds, in words (empty: it holds for the policy's whole family)
 */
public record EngineResult(
    String solver,
    Status status,
    Optional<Layout> layout,
    OptionalLong pamtBytes,
    OptionalLong pamtBoundBytes,
    List<String> messages,
    long solveMillis,
    long modelVariables,
    long modelConstraints,
    long uncoveredBytes,
    Optional<GreedyResult.Failed> kernelFailure,
    Optional<Infeasibility> infeasibility,
    List<String> restrictions) {

  public EngineResult {
    messages = List.copyOf(messages);
    restrictions = List.copyOf(restrictions);
    if (status.hasLayout() != layout.isPresent()) {
      throw new IllegalArgumentException("status " + status + " with layout " + layout.isPresent());
    }
    if (kernelFailure.isPresent() && status != Status.FAILED) {
      throw new IllegalArgumentException("a kernel failure with status " + status);
    }
    if (infeasibility.isPresent() && status != Status.INFEASIBLE) {
      throw new IllegalArgumentException("an explanation of infeasibility with status " + status);
    }
  }

  /** A result without a kernel failure or an explanation of infeasibility. */
  public EngineResult(
      String solver,
      Status status,
      Optional<Layout> layout,
      OptionalLong pamtBytes,
      OptionalLong pamtBoundBytes,
      List<String> messages,
      long solveMillis,
      long modelVariables,
      long modelConstraints,
      long uncoveredBytes) {
    this(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables, modelConstraints,
        uncoveredBytes, Optional.empty(), Optional.empty());
  }

  /** A result whose proofs, if any, hold for the policy's whole family. */
  public EngineResult(
      String solver,
      Status status,
      Optional<Layout> layout,
      OptionalLong pamtBytes,
      OptionalLong pamtBoundBytes,
      List<String> messages,
      long solveMillis,
      long modelVariables,
      long modelConstraints,
      long uncoveredBytes,
      Optional<GreedyResult.Failed> kernelFailure,
      Optional<Infeasibility> infeasibility) {
    this(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables, modelConstraints,
        uncoveredBytes, kernelFailure, infeasibility, List.of());
  }

  /** This result with the restrictions its proof holds under. */
  public EngineResult withRestrictions(List<String> restrictions) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, kernelFailure, infeasibility, restrictions);
  }

  /** This result with the kernel's failure. */
  public EngineResult withKernelFailure(GreedyResult.Failed failure) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, Optional.of(failure), infeasibility, restrictions);
  }

  /** This result with why no layout exists. */
  public EngineResult withInfeasibility(Infeasibility why) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, kernelFailure, Optional.of(why), restrictions);
  }

  /** How close the layout is to {@code limits}; empty without a layout. */
  public Optional<Headroom> headroom(TdxLimits limits) {
    return layout.map(l -> Headroom.of(l, limits));
  }

  /** Relative gap between the layout's PAMT bytes and the proven bound, when both exist. */
  public Optional<Double> gap() {
    if (pamtBytes.isEmpty() || pamtBoundBytes.isEmpty() || pamtBytes.getAsLong() == 0) {
      return Optional.empty();
    }
    return Optional.of((pamtBytes.getAsLong() - pamtBoundBytes.getAsLong()) / (double) pamtBytes.getAsLong());
  }
}
