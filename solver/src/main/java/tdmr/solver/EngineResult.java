package tdmr.solver;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.tdx.Layout;

/**
 * One engine's answer for one map, whatever the engine: the status, the best layout (always
 * validated before it is returned), the objective and its proven bound, and messages for people.
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
    long uncoveredBytes) {

  public EngineResult {
    messages = List.copyOf(messages);
    if (status.hasLayout() != layout.isPresent()) {
      throw new IllegalArgumentException("status " + status + " with layout " + layout.isPresent());
    }
  }

  /** Relative gap between the layout's PAMT bytes and the proven bound, when both exist. */
  public Optional<Double> gap() {
    if (pamtBytes.isEmpty() || pamtBoundBytes.isEmpty() || pamtBytes.getAsLong() == 0) {
      return Optional.empty();
    }
    return Optional.of((pamtBytes.getAsLong() - pamtBoundBytes.getAsLong()) / (double) pamtBytes.getAsLong());
  }
}
