package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.greedy.GreedyResult;
import tdmr.tdx.Headroom;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
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
 * @param details how the engine worked (model size, cells, atoms): for people who debug an
 *     engine, shown only on request ({@code --verbose}), never part of the answer
 * @param question the question the answer is about: the layout family its {@code OPTIMAL} or
 *     {@code INFEASIBLE} is a proof for, and the restrictions of the engine's model under which that
 *     proof holds ({@link Question})
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
    List<String> details,
    Question question) {

  public EngineResult {
    messages = List.copyOf(messages);
    details = List.copyOf(details);
    java.util.Objects.requireNonNull(question, "question");
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

  /**
   * A result without a kernel failure or an explanation of infeasibility, about the kernel family
   * without restrictions (what the greedy builds); exact engines say their question with {@link
   * #withQuestion}.
   */
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
        uncoveredBytes, Optional.empty(), Optional.empty(), List.of(), Question.of(Policy.Family.KERNEL));
  }

  /** This result about another question (family and restrictions). */
  public EngineResult withQuestion(Question q) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, kernelFailure, infeasibility, details, q);
  }

  /** The family the answer's proof, if any, is about ({@link Question#family}). */
  public Policy.Family family() {
    return question.family();
  }

  /** The restrictions of the engine's model under which a proof holds ({@link Question#restrictions}). */
  public List<String> restrictions() {
    return question.restrictions();
  }

  /** This result with the kernel's failure. */
  public EngineResult withKernelFailure(GreedyResult.Failed failure) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, Optional.of(failure), infeasibility, details, question);
  }

  /** This result with why no layout exists. */
  public EngineResult withInfeasibility(Infeasibility why) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, kernelFailure, Optional.of(why), details, question);
  }

  /** This result with {@code more} said after its messages. */
  public EngineResult withMessagesAfter(List<String> more) {
    List<String> all = new ArrayList<>(messages);
    all.addAll(more);
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, List.copyOf(all), solveMillis,
        modelVariables, modelConstraints, uncoveredBytes, kernelFailure, infeasibility, details, question);
  }

  /** This result with how the engine worked ({@link #details()}). */
  public EngineResult withDetails(List<String> moreDetails) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages, solveMillis, modelVariables,
        modelConstraints, uncoveredBytes, kernelFailure, infeasibility, moreDetails, question);
  }

  /**
   * This result timed from {@code startedNanos} ({@link System#nanoTime}) until now: for a decorator
   * or a split whose answer is an inner solve's, so that its time counts all the work before it.
   */
  public EngineResult timedFrom(long startedNanos) {
    return new EngineResult(solver, status, layout, pamtBytes, pamtBoundBytes, messages,
        (System.nanoTime() - startedNanos) / 1_000_000, modelVariables, modelConstraints, uncoveredBytes,
        kernelFailure, infeasibility, details, question);
  }

  /** How close the layout is to {@code limits}; empty without a layout. */
  public Optional<Headroom> headroom(TdxLimits limits) {
    return layout.map(l -> Headroom.of(l, limits));
  }

  /**
   * Whether the layout's PAMT is proven the least under the answer's limits (the price of the
   * limits): an optimum, or a layout that meets the proven PAMT bound (an engine asked only for the
   * price, {@link SolveOptions#stopAfterPamt}, answers so).
   */
  public boolean pamtProvenLeast() {
    return status == Status.OPTIMAL
        || layout.isPresent() && pamtBoundBytes.isPresent() && pamtBoundBytes.getAsLong() == layout.get().pamtBytes();
  }

  /** Relative gap between the layout's PAMT bytes and the proven bound, when both exist. */
  public Optional<Double> gap() {
    if (pamtBytes.isEmpty() || pamtBoundBytes.isEmpty() || pamtBytes.getAsLong() == 0) {
      return Optional.empty();
    }
    return Optional.of((pamtBytes.getAsLong() - pamtBoundBytes.getAsLong()) / (double) pamtBytes.getAsLong());
  }
}
