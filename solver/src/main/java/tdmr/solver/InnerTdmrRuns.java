package tdmr.solver;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A second module-family solve over the runs of whole GiB where a TDMR lying wholly inside could
 * beat the first answer ({@link ModuleFamilyRestrictions#INSIDE_A_RUN}), each cut into cells of
 * 1 GiB ({@link Instance#of(MemoryMap, TdxLimits, Policy, Deadline, Set)}), for both exact
 * engines.
 *
 * <p>Why this loses nothing. Both models put TDMR boundaries on cell edges and, inside a run of two
 * or more GiB, on one inner GiB boundary (or two around a middle no TDMR covers); so a TDMR
 * touching neither end of a run is outside them. Once a run is cut into granules, every GiB
 * boundary inside it is a cell edge, and the models hold every set of TDMRs over it; the other
 * restrictions are named as before, under their own conditions, on the cut instance. The cut
 * costs about one cell, one atom and two places per GiB, so only runs where the restriction could
 * change the first answer ({@link ModuleFamilyRestrictions#runsWhereInnerTdmrCouldBeat}) are cut,
 * and only when they have at most {@link #MOST_CUT_GIB} GiB in all (a run left whole would keep
 * the restriction named whatever the second solve proved): else the first answer stands. On maps whose first answer meets the family's bounds (the real maps and the
 * sweeps) nothing is named and no second solve runs.
 *
 * <p>A second solve runs when the first answer names the restriction (its {@code OPTIMAL}, its
 * {@code INFEASIBLE}, or its PAMT bound). The second answer replaces the first when it is proven ({@code OPTIMAL} or {@code
 * INFEASIBLE}), or, for the price of the limits ({@link SolveOptions#stopAfterPamt}), when its PAMT
 * is proven least; else the first answer stands, naming the restriction. Both solves end by the
 * deadline of the first, and the second gets four times the first's time (at least {@link
 * #LEAST_SECOND_SECONDS}): a few more cells cost the search little where it proves the first
 * quickly, and a map whose second search runs long keeps the first answer rather than the time.
 */
public final class InnerTdmrRuns {
  /** The most GiB of runs cut into granules for the second solve. */
  static final long MOST_CUT_GIB = 16;

  /** The second solve's time: four times the first's, at least this, within the first's deadline. */
  static final double LEAST_SECOND_SECONDS = 2;

  /**
   * One engine's module-family solve of one map over an instance with {@code cutRuns} cut; {@code
   * earlier} is the first answer's layout (empty for the first solve), which an engine may start from.
   */
  @FunctionalInterface
  public interface Solve {
    EngineResult solve(Set<AddressRange> cutRuns, SolveOptions options, Optional<Layout> earlier);
  }

  private InnerTdmrRuns() {}

  /** The engine's answer, solved again over cut runs where a TDMR inside one could beat the first. */
  public static EngineResult answer(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, Solve engine) {
    long started = System.nanoTime();
    SolveOptions once = options.withDeadline(options.solveDeadline());
    EngineResult first = engine.solve(Set.of(), once, Optional.empty());
    if (!first.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN) || once.deadline().expired()) {
      return first;
    }
    Set<AddressRange> cut;
    try {
      cut = runsToCut(map, limits, policy, once.deadline(), first);
    } catch (Deadline.Exceeded e) {
      return first;
    }
    if (cut.isEmpty()) {
      return first;
    }
    double firstSeconds = (System.nanoTime() - started) / 1e9;
    SolveOptions again = once.withDeadline(once.deadline().within(Math.max(LEAST_SECOND_SECONDS, 4 * firstSeconds)));
    EngineResult second = engine.solve(cut, again, first.layout());
    if (provenAsFar(second, options) && noWorse(second, first, map, limits, policy)) {
      return second.timedFrom(started);
    }
    return first.timedFrom(started);
  }

  /** The runs to cut: every run where a TDMR inside could beat {@code first}, or none when they exceed the budget. */
  static Set<AddressRange> runsToCut(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline,
      EngineResult first) {
    Instance instance = Instance.of(map, limits, policy, deadline);
    Optional<LayoutScore> found = first.status() == Status.INFEASIBLE ? Optional.empty()
        : first.layout().map(l -> LayoutScore.of(map, limits, policy, l));
    List<Cell> runs = ModuleFamilyRestrictions.runsWhereInnerTdmrCouldBeat(instance, found);
    Set<AddressRange> out = new LinkedHashSet<>();
    long giB = 0;
    for (Cell c : runs) {
      out.add(c.range());
      giB += c.sizeGiB();
    }
    // A run left whole would keep the restriction named whatever the second solve proves.
    return giB <= MOST_CUT_GIB ? out : Set.of();
  }

  /**
   * Whether {@code second} is no worse than {@code first}: the cut instance's models hold every
   * layout of the first's, so it always is; a second answer that is worse would be a defect of a
   * model, and the first answer stands.
   */
  private static boolean noWorse(EngineResult second, EngineResult first, MemoryMap map, TdxLimits limits,
      Policy policy) {
    if (first.layout().isEmpty()) {
      return true;
    }
    if (second.layout().isEmpty()) {
      return false;
    }
    LayoutScore a = LayoutScore.of(map, limits, policy, second.layout().get());
    LayoutScore b = LayoutScore.of(map, limits, policy, first.layout().get());
    return LayoutScore.order(policy).compare(a, b) <= 0;
  }

  /** Whether {@code r} proves as much as the question asks: a proven status, or the price of the limits. */
  private static boolean provenAsFar(EngineResult r, SolveOptions options) {
    if (r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE) {
      return true;
    }
    return options.stopAfterPamt() && r.status() == Status.FEASIBLE && r.pamtProvenLeast();
  }
}
