package tdmr.solver.cpsat;

import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverSolutionCallback;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.AreaShortfall;
import tdmr.solver.BoundsFirst;
import tdmr.solver.BuiltOptimum;
import tdmr.solver.FilledStart;
import tdmr.solver.GranulesLeftOut;
import tdmr.solver.Infeasibility;
import tdmr.solver.InnerTdmrRuns;
import tdmr.solver.Instance;
import tdmr.solver.KernelCutStarts;
import tdmr.solver.KernelFamilyBounds;
import tdmr.solver.KernelShape;
import tdmr.solver.LayoutScore;
import tdmr.solver.LeftOutMemory;
import tdmr.solver.ModuleFamilyBounds;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.NativeMemory;
import tdmr.solver.OnlyTdmrPlaces;
import tdmr.solver.Question;
import tdmr.solver.ReservedAreaBounds;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.TdmrCountBound;
import tdmr.solver.TierBounds;
import tdmr.solver.Watchdog;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * CP-SAT for the module family ({@link Policy.Family#MODULE}): the best layout under the
 * lexicographic objective of {@link LayoutScore}, or a proof that the family has none, up to the
 * restrictions of {@link ModuleModel} that {@link Restrictions} names where they could matter on the
 * map. {@link CpSatEngine} hands it every module-family question.
 *
 * <p>The stages, each a method: {@link Run#prepare} (the {@link Instance}, and what no layout can
 * cover), {@link Run#buildModel} ({@link ModuleModel}), {@link Run#solveTiers} (one CP-SAT solve per
 * tier of the objective, in order: coverage under {@code max}, remote PAMT under {@code
 * node-local}, PAMT, TDMRs, reserved areas; each fixes the tier it proved and starts from the
 * previous solution), reading the layout ({@link SolutionLayout}; it must pass the validator and
 * the OS check, else the answer is {@code UNKNOWN}: a defect of the model, never a claim; and its
 * {@link LayoutScore} must equal the model's tiers, else it is a bug) and {@link Run#claim} (the answer, naming the family and the restrictions). {@code OPTIMAL}
 * needs every tier proven; a time limit gives {@code FEASIBLE} with the best layout and, once the
 * tiers before PAMT are proven, the PAMT bound; never a false {@code INFEASIBLE}.
 *
 * <p>Determinism: one thread runs one deterministic worker; more threads use CP-SAT's interleaved
 * search, deterministic too (in the count tiers without the subsolvers that solve an LP: {@link
 * Run#countSolver}). The JVM property {@code tdmr.cpsat.log=true} prints CP-SAT's search
 * log to standard error.
 */
final class ModuleFamilySolver {
  private static final String NAME = "cpsat";

  private ModuleFamilySolver() {}

  /** The module-family answer for one map; the caller has loaded OR-Tools. */
  static EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    return InnerTdmrRuns.answer(map, limits, policy, options,
        (cut, o, earlier) -> new Run(map, limits, policy, o, cut, earlier).solve());
  }

  /**
   * The kernel-family answer over {@link Instance} in kernel mode ({@link KernelFamilySolver} says
   * when it is asked and what it claims): {@code policy} is of the kernel family under PAMT {@code
   * any}; {@code start} is a kernel-family layout whose TDMRs the search starts from. Only the
   * stages that hold for the kernel family run: no layout built by filling islands with levels, no
   * module-family bound but the PAMT tier's (every kernel-family layout is a module-family layout
   * under PAMT {@code any}, so that bound holds: {@link #lowerBound}); the TDMR and reserved-area
   * tiers are proven by CP-SAT's search alone. The caller has loaded OR-Tools.
   */
  static EngineResult kernel(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options,
      Optional<Layout> start) {
    if (policy.family() != Policy.Family.KERNEL || policy.pamt() != Policy.PamtPlacementPolicy.ANY) {
      throw new IllegalArgumentException("the kernel family under PAMT any is solved here, not " + policy);
    }
    return new Run(map, limits, policy, options.withDeadline(options.solveDeadline()), Set.of(), start).solve();
  }

  /**
   * Stops the search at a solution that meets the tier's proven lower bound: CP-SAT does not always
   * see that bound (a constraint on the objective's expression) and would search on to the time limit.
   */
  private static final class StopAtBound extends CpSolverSolutionCallback {
    private final OptionalLong least;

    StopAtBound(OptionalLong least) {
      this.least = least;
    }

    @Override
    public void onSolutionCallback() {
      if (least.isPresent() && Math.round(objectiveValue()) <= least.getAsLong()) {
        stopSearch();
      }
    }
  }

  /** A start: the solution, and the model with its TDMRs fixed that it solves. */
  private record Start(CpSolver solver, CpModel fixedTdmrs) {
    long pamtPages(ModuleModel model) {
      return solver.value(model.pamtPages);
    }
  }

  /** The most starts that leave granules out of every TDMR ({@link ModuleFamilyBounds#leftOutCandidates}). */
  private static final int MOST_LEFT_OUT_STARTS = 6;

  /** The most starts that leave granules at a run's end out of every TDMR ({@link ModuleFamilyBounds#runEndCandidates}). */
  private static final int MOST_RUN_END_STARTS = 2;

  /** The most starts of {@link TdmrCountBound#startingTdmrs}. */
  private static final int MOST_CUT_STARTS = 2;

  /** The most starts of {@link KernelCutStarts#near}: each a check with the TDMRs fixed (tens of ms on tdx#331). */
  private static final int MOST_SHIFTED_STARTS = 8;

  /**
   * One tier of the objective: what it is called in messages, what is minimised, and how many bytes
   * one unit of it is (a page for coverage and PAMT, a byte for remote PAMT, 0 for the counts).
   */
  private record Tier(String name, LinearExpr expr, long unitBytes) {
    /** A value of this tier in the user's words: {@code 1071644672 bytes (1022 MiB)}, {@code 5}. */
    String value(long units) {
      if (unitBytes == 0) {
        return Long.toString(units);
      }
      return ByteSize.exact(units * unitBytes);
    }
  }

  /**
   * What the tiers gave: the last solution, whether every tier was proven, the PAMT bound, and
   * whether every tier was proven by its lower bound alone (bounds derived for the whole family, so
   * the model's restrictions do not limit the claim).
   */
  private record Tiers(CpSolver solver, boolean proven, OptionalLong pamtBoundPages, boolean byBounds,
      boolean pamtBoundByBounds, boolean tdmrsProven) {}

  /** One solve of one map. */
  private static final class Run {
    private final MemoryMap map;
    private final Set<AddressRange> cutRuns;
    /** A layout an earlier solve of the same map found (over runs left whole): its TDMRs are a start. */
    private final Optional<Layout> earlier;
    private final TdxLimits limits;
    private final Policy policy;
    private final SolveOptions options;
    private final Deadline deadline;
    /** Kernel family ({@link #kernel}): only the stages that hold for it run. */
    private final boolean kernel;
    private final long started = System.nanoTime();
    private final List<String> messages = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private Instance instance;
    /** The module family's instance of the map under PAMT {@code any} (kernel family), else {@link #instance}. */
    private Instance moduleInstance;
    /** The kernel family's bounds over {@link #moduleInstance} (kernel family); built once, on first use. */
    private KernelFamilyBounds kernelBounds;
    /** What the reserved-area limit costs on {@link #instance}; built once, on first use. */
    private ReservedAreaBounds areaBounds;
    private TierBounds tierBounds;
    private ModuleModel model;
    private List<String> restrictions = List.of();

    Run(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, Set<AddressRange> cutRuns,
        Optional<Layout> earlier) {
      this.map = map;
      this.cutRuns = cutRuns;
      this.earlier = earlier;
      this.limits = limits;
      this.policy = policy;
      this.options = options;
      this.deadline = options.solveDeadline();
      this.kernel = policy.family() == Policy.Family.KERNEL;
    }

    EngineResult solve() {
      try {
        Optional<EngineResult> early = prepare();
        if (early.isPresent()) {
          return early.get();
        }
        filledStart = kernel ? Optional.empty() : new FilledStart(instance).find();
        // Asked first: without a model the built layout is the answer, offered before any bound is
        // derived (on maps of about 1 000 holes BuiltOptimum's bounds take seconds and are the
        // witness's bound's own).
        Optional<String> tooLarge = tooLargeToBuild();
        if (tooLarge.isPresent()) {
          return notBuilt(tooLarge.get());
        }
        Optional<Layout> built = options.stopAfterPamt() || kernel ? Optional.empty()
            : BuiltOptimum.of(instance, filledStart);
        if (built.isPresent()) {
          return builtOptimum(built.get());
        }
        buildModel();
      } catch (Deadline.Exceeded e) {
        if (filledStart.isPresent()) {
          return builtWitness(filledStart.get(), "time limit: it struck before CP-SAT's search (its model was being"
              + " built or the built layout's bounds derived)");
        }
        messages.add("time limit: it struck while the CP-SAT model was being built; CP-SAT was not run,"
            + " nothing is proven");
        return result(Status.UNKNOWN, null, OptionalLong.empty());
      }
      try {
        return searched();
      } catch (Deadline.Exceeded e) {
        if (filledStart.isEmpty()) {
          throw e;
        }
        messages.clear();
        return builtWitness(filledStart.get(), "time limit: it struck while CP-SAT's tiers were solved or their bounds"
            + " derived");
      }
    }

    /** The answer of CP-SAT's search over {@link #model}, tier by tier, against {@link #filledStart}. */
    private EngineResult searched() {
      Optional<Tiers> tiers = solveTiers();
      if (tiers.isEmpty() && filledStart.isPresent()) {
        return filledStartAnswer(filledStart.get());
      }
      if (tiers.isEmpty()) {
        EngineResult none = result(lastStatus, null, OptionalLong.empty());
        return lastStatus == Status.INFEASIBLE
            ? none.withInfeasibility(Infeasibility.ofFacts(List.of(infeasibleSentence())))
            : none;
      }
      Layout layout = new SolutionLayout(model, tiers.get().solver()).layout();
      List<String> failures = new ArrayList<>(LayoutVerifier.failures(map, limits, policy, layout));
      if (kernel) {
        failures.addAll(KernelShape.failures(map, limits, layout));
      }
      if (!failures.isEmpty()) {
        // A defect of ModuleModel (a solution no layout has): it proves nothing either way.
        messages.add(("the %s model's best solution is not a valid layout (%s); this is a defect"
            + " of the model, so nothing is proven; please report it with the map")
            .formatted(kernel ? "kernel-family" : "module-family", String.join("; ", failures)));
        return result(Status.UNKNOWN, null, OptionalLong.empty());
      }
      EngineResult answer = claim(checked(layout, tiers.get()), tiers.get());
      if (filledStart.isPresent() && LayoutScore.of(map, limits, policy,
          filledStart.get()).betterThan(LayoutScore.of(map, limits, policy, layout), policy)) {
        // Unproven (time limit), or proven only among the model's layouts: a restriction of the
        // model (TDMRs inside a run, LeftOutIslands) hid the built one, so nothing is proven.
        String why = tiers.get().proven() ? "the module-family model's optimum, under its restrictions,"
            : "time limit: CP-SAT's best layout";
        messages.clear();
        messages.add("%s (%s PAMT, %s) is worse than the one built by filling islands"
            .formatted(why, ByteSize.human(layout.pamtBytes()), Count.of(layout.reservedAreaCount(), "reserved area")));
        return filledStartAnswer(filledStart.get());
      }
      options.incumbent().offer(answer);
      return answer;
    }

    /**
     * {@code FEASIBLE} with {@link #filledStart}'s layout (valid) when CP-SAT's search cannot answer:
     * the time limit struck before it or during it (where it threw instead of returning), or its model
     * was too large to build in time ({@link #tooLargeToBuild}); {@code why} says which. A witness,
     * with the PAMT bound of {@link #witnessBound} when there is one ({@link tdmr.solver.DeadlineGuard}
     * then states it and the gap, as for every {@code FEASIBLE} answer).
     */
    private EngineResult builtWitness(Layout layout, String why) {
      LayoutScore score = LayoutScore.of(map, limits, policy, layout);
      restrictions = List.of();
      // Offered first: should deriving the bound outlast the guard's grace, the witness is not lost.
      options.incumbent().offer(witness(layout, score, builtSentence(why, false, score), OptionalLong.empty()));
      OptionalLong bound = witnessBound(layout, score);
      return witness(layout, score, builtSentence(why, bound.isPresent(), score), bound);
    }

    /** What a {@link #builtWitness} answer says: why, what the layout is, whether it has a bound. */
    private static String builtSentence(String why, boolean bounded, LayoutScore score) {
      return why + "; the answer is the layout built by filling islands and granules left out with PAMT levels"
          + " (FilledStart), validated: a witness, with" + (bounded ? " the PAMT bound derived for the whole family"
          : " no bound") + ", and no optimum claimed: " + score.describe();
    }

    /**
     * Placements of PAMT pieces ({@link ModuleModel#placementCount}) built per second, at least:
     * building the model of {@code realistic-1s1n-32GiB-1i-m998-seed2} (203 346 placements, 409 258
     * variables) took 15 s at load average 6 on 2 cores, about 13 000 a second; a quiet machine is
     * about three times faster.
     */
    private static final long PLACEMENTS_PER_SECOND = 40_000;

    /**
     * Why the model is not built, when it is too large to build in the time left: its placements
     * ({@link ModuleModel#placementCount}, known from the instance) would take longer than that at
     * {@link #PLACEMENTS_PER_SECOND}, so building it could only end at the time limit with nothing
     * (on maps of about 1 000 {@code memmap=} holes, 4.6 to 18 million placements: minutes). Empty
     * without a time limit.
     */
    private Optional<String> tooLargeToBuild() {
      if (deadline.isNone()) {
        return Optional.empty();
      }
      long placements = ModuleModel.placementCount(instance);
      long mostInTime = deadline.remainingMillis() * PLACEMENTS_PER_SECOND / 1000;
      if (placements <= mostInTime) {
        return Optional.empty();
      }
      return Optional.of(("the CP-SAT model was not built: it would place PAMT levels in %d ways, more than about %d"
          + " can be built in the %d ms left; %s").formatted(placements, mostInTime, deadline.remainingMillis(),
          instance.describe()));
    }

    /**
     * The answer without a model ({@link #tooLargeToBuild} says why): {@link #filledStart}'s layout as a
     * witness when it has one, else {@code UNKNOWN}; nothing is proven either way.
     */
    private EngineResult notBuilt(String why) {
      details.add("model: not built (too large for the time left); " + instance.describe());
      if (filledStart.isPresent()) {
        return builtWitness(filledStart.get(), why);
      }
      messages.add(why + "; no layout was built by filling islands with PAMT levels (FilledStart), so nothing is"
          + " proven; a longer --time-limit lets the model be built");
      return result(Status.UNKNOWN, null, OptionalLong.empty());
    }

    private EngineResult witness(Layout layout, LayoutScore score, String message, OptionalLong bound) {
      List<String> said = new ArrayList<>(messages);
      said.add(message);
      EngineResult r = result(Status.FEASIBLE, layout, bound);
      return new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(),
          List.copyOf(said), r.solveMillis(), r.modelVariables(), r.modelConstraints(), score.uncoveredBytes(),
          r.kernelFailure(), r.infeasibility(), r.details(), r.question());
    }

    /**
     * The PAMT bound, in bytes, of a witness answered past the deadline: the PAMT tier's bound when
     * {@link #lowerBound} derived it before the deadline struck ({@link #pamtTierBound}: it holds for
     * the optimum, whose tiers before PAMT are the ones fixed then), else {@link
     * TierBounds#pamtBytesBelow} the witness, derived now with each bound's search cut at the
     * deadline. At most the witness's PAMT; empty when no bound is derived.
     */
    private OptionalLong witnessBound(Layout layout, LayoutScore score) {
      if (pamtTierBound.isPresent()) {
        return OptionalLong.of(Math.min(pamtTierBound.get().value() * ByteSize.PAGE, layout.pamtBytes()));
      }
      return tierBounds == null ? OptionalLong.empty() : tierBounds.pamtBytesBelow(score);
    }

    /** The PAMT tier's lower bound, once {@link #lowerBound} has derived it (for {@link #witnessBound}). */
    private Optional<TierBounds.Bound> pamtTierBound = Optional.empty();

    /**
     * {@code OPTIMAL} with {@link #filledStart}'s layout, which meets every tier's bound derived for
     * the whole family ({@link BuiltOptimum}): no model is built, and no restriction limits the claim.
     */
    private EngineResult builtOptimum(Layout layout) {
      LayoutScore score = LayoutScore.of(map, limits, policy, layout);
      messages.add("proven optimal among %s: ".formatted(policy.family().claim()) + score.describe());
      messages.addAll(LeftOutMemory.lines(map, policy, layout));
      details.add("every tier met its lower bound, derived for the whole family, with the layout built by filling"
          + " islands and granules left out with PAMT levels (FilledStart): no model was built, no restriction limits"
          + " the claim");
      details.add("model: not built (the built layout met every tier's bound); " + instance.describe());
      restrictions = List.of();
      EngineResult r = result(Status.OPTIMAL, layout, OptionalLong.of(layout.pamtBytes()));
      EngineResult answer = new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(),
          r.messages(), r.solveMillis(), r.modelVariables(), r.modelConstraints(), score.uncoveredBytes(),
          r.kernelFailure(), r.infeasibility(), r.details(), r.question());
      options.incumbent().offer(answer);
      return answer;
    }

    /**
     * The layout of {@link FilledStart} (islands between holes filled with PAMT levels), valid, when
     * it has one: the answer when CP-SAT finds no layout, or a worse one, in time. (As the TDMRs of a
     * start it did not help: with them fixed CP-SAT found no layout on the fragmented maps of the
     * module-family sweep within its share of the time, benchmarks/README.md.)
     */
    private Optional<Layout> filledStart = Optional.empty();

    /**
     * {@code FEASIBLE} with {@link #filledStart}'s layout when the tiers found none: with a time limit
     * (it is a witness CP-SAT did not reach), or when the model had none (a layout outside the model's
     * restrictions: no INFEASIBLE is claimed). Its remote PAMT is 0 under {@code node-local}, so that
     * tier is proven and the PAMT bound of {@link #lowerBound} holds (for the whole family; CP-SAT's
     * own bound, among the model's layouts only, is not kept).
     */
    private EngineResult filledStartAnswer(Layout layout) {
      if (lastStatus == Status.INFEASIBLE) {
        messages.clear();
        messages.add("the module-family model has no layout, but a valid one was built (FilledStart): a restriction of"
            + " the model, so nothing is proven");
      }
      messages.remove(NO_LAYOUT);
      LayoutScore score = LayoutScore.of(map, limits, policy, layout);
      messages.add("best layout found (built by filling islands between holes with PAMT levels, FilledStart): "
          + score.describe());
      Map<String, Long> fixed = new HashMap<>();
      fixed.put("remote PAMT", 0L);
      Optional<TierBounds.Bound> pages = lowerBound(new Tier("PAMT", model.pamtPages, ByteSize.PAGE), fixed,
          layout.pamtBytes() / ByteSize.PAGE);
      OptionalLong bound = pages.isPresent()
          ? OptionalLong.of(Math.min(pages.get().value() * ByteSize.PAGE, layout.pamtBytes())) : OptionalLong.empty();
      restrictions = List.of();
      EngineResult r = result(Status.FEASIBLE, layout, bound);
      EngineResult answer = new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(),
          r.messages(), r.solveMillis(), r.modelVariables(), r.modelConstraints(), score.uncoveredBytes(),
          r.kernelFailure(), r.infeasibility(), r.details(), r.question());
      options.incumbent().offer(answer);
      return answer;
    }

    private static final String NO_LAYOUT = "time limit: no layout found and none ruled out";

    /** The instance; an answer already when no layout can cover all memory or there is no memory. */
    private Optional<EngineResult> prepare() {
      instance = Instance.of(map, limits, policy, deadline, cutRuns);
      // Kernel family: the module family's bounds under PAMT any (kernel layouts are among its layouts).
      moduleInstance = kernel ? Instance.of(map, limits, policy.withFamily(Policy.Family.MODULE), deadline) : instance;
      tierBounds = new TierBounds(moduleInstance);
      if (policy.coverage() == Policy.Coverage.ALL && !instance.impossibilities().isEmpty()) {
        messages.addAll(instance.impossibilities());
        messages.add("no layout can cover all TDX memory; `tdmr fix` finds the least memory to give up");
        return Optional.of(result(Status.INFEASIBLE, null, OptionalLong.empty())
            .withInfeasibility(Infeasibility.ofFacts(instance.impossibilities())));
      }
      if (instance.cells().isEmpty()) {
        String fact = "no TDX memory is left that a TDMR could cover";
        messages.add(fact);
        return Optional.of(result(Status.INFEASIBLE, null, OptionalLong.empty())
            .withInfeasibility(Infeasibility.ofFacts(List.of(fact))));
      }
      Optional<AreaShortfall> shortfall = kernel ? Optional.empty() : BoundsFirst.shortfall(instance);
      if (shortfall.isPresent()) {
        messages.add(BoundsFirst.ruledOutSentence(shortfall.get()));
        return Optional.of(result(Status.INFEASIBLE, null, OptionalLong.empty())
            .withInfeasibility(Infeasibility.of(shortfall.get())));
      }
      return Optional.empty();
    }

    private void buildModel() {
      long t0 = System.nanoTime();
      model = new ModuleModel(instance);
      buildMillis = (System.nanoTime() - t0) / 1_000_000;
      details.add("model: %d variables, %d constraints; %s".formatted(model.variableCount(), model.constraintCount(),
          instance.describe()));
    }

    private Status lastStatus = Status.UNKNOWN;

    /** How long building {@link #model} took, in milliseconds. */
    private long buildMillis;

    /**
     * How many times its build time handing the model to CP-SAT may take. Each solve serialises the
     * model and CP-SAT parses and loads it before its search begins, steps that neither its time
     * limit nor the watchdog's {@code stopSearch} interrupts, and their time grows with the model as
     * its build does: measured at load average 9-10 with a 50 ms limit, 2.7 s after a build of 3.5 s
     * (manynodes-64 of the seed-1 sweep, 167 000 variables), 4.8 s after 7.1 s (manynodes-100), and
     * 49 s after 25 s (manynodes-200, 1.5 million variables); at a 10 s limit the last two overran
     * it (benchmarks/README.md).
     */
    private static final long LOAD_PER_BUILD = 2;

    /**
     * CP-SAT's solve of {@code m} (the model or a copy with more constraints) into {@code solver},
     * stopped by the watchdog at the deadline; {@code UNKNOWN} without a solve, as if the time limit
     * had struck, when less time is left than handing the model over may take ({@link
     * #LOAD_PER_BUILD}): a search that cannot begin before the deadline would only overrun it.
     */
    private CpSolverStatus solveInTime(CpSolver solver, CpModel m, CpSolverSolutionCallback callback) {
      if (!deadline.isNone() && deadline.remainingMillis() < LOAD_PER_BUILD * buildMillis) {
        if (!loadSkipped) {
          loadSkipped = true;
          details.add(("time limit: CP-SAT was not handed the model with %d ms left: loading it may take about %d"
              + " times the %d ms its build took, and cannot be interrupted").formatted(deadline.remainingMillis(),
              LOAD_PER_BUILD, buildMillis));
        }
        return CpSolverStatus.UNKNOWN;
      }
      try (Watchdog w = Watchdog.at(deadline, solver::stopSearch)) {
        return callback == null ? solver.solve(m) : solver.solve(m, callback);
      }
    }

    /** Whether {@link #solveInTime} skipped a solve (said once in the details). */
    private boolean loadSkipped;

    /**
     * Solves tier by tier, each fixed at its proven value before the next. It starts from {@link
     * #startingSolution} when there is one; a tier whose best value so far meets its lower bound
     * ({@link #lowerBound}) is proven without a search. Empty when there is no layout to report
     * ({@link #lastStatus} says why: {@code INFEASIBLE} or {@code UNKNOWN}).
     */
    private Optional<Tiers> solveTiers() {
      CpSolver last = startingSolution().orElse(null);
      if (last != null) {
        SolutionLayout.hint(model, last);
        offerLazily(last);
      }
      OptionalLong pamtBound = OptionalLong.empty();
      boolean proven = true;
      boolean byBounds = true;
      // Whether the PAMT bound is a lower bound derived for the whole family, the tiers before it too.
      boolean pamtBoundByBounds = false;
      Map<String, Long> fixed = new HashMap<>();
      for (Tier tier : tierList()) {
        Optional<TierBounds.Bound> tierBound = lowerBound(tier, fixed, last == null ? Long.MAX_VALUE : last.value(tier.expr()));
        OptionalLong least = tierBound.map(b -> OptionalLong.of(b.value())).orElse(OptionalLong.empty());
        if (least.isPresent()) {
          model.model.addGreaterOrEqual(tier.expr(), least.getAsLong());
          if (last != null && last.value(tier.expr()) == least.getAsLong()) {
            details.add("%s tier: %d, proven by its lower bound without a search (%s)"
                .formatted(tier.name(), least.getAsLong(), tierBound.get().source()));
            if (tier.name().equals("PAMT")) {
              pamtBound = least;
              pamtBoundByBounds = byBounds;
            }
            fixed.put(tier.name(), least.getAsLong());
            model.model.addEquality(tier.expr(), least.getAsLong());
            continue;
          }
        }
        if (!kernel && tier.name().equals("PAMT") && limits.maxTdmrs() == 1 && proven(fixed).coversAll()) {
          Optional<PlacesOutcome> over = leastPamtOverOnlyTdmrPlaces(least.orElse(0), last, fixed);
          if (over.isPresent()) {
            last = over.get().best();
            SolutionLayout.hint(model, last);
          }
          if (over.isPresent() && over.get().proven()) {
            long value = last.value(tier.expr());
            boolean atBound = least.isPresent() && value == least.getAsLong();
            details.add(("PAMT tier: %d, proven with the only TDMR fixed at each place OnlyTdmrPlaces leaves below the"
                + " best found (%s at the optimum)").formatted(value, Count.of(over.get().atOptimum().size(), "place")));
            pamtBound = OptionalLong.of(value);
            pamtBoundByBounds = byBounds && atBound;
            byBounds &= atBound;
            onlyTdmrPlaces = over.get().atOptimum();
            fixed.put(tier.name(), value);
            model.model.addEquality(tier.expr(), value);
            continue;
          }
        }
        Optional<List<List<AddressRange>>> sets = !kernel && tier.name().equals("reserved areas") && last != null
            ? tdmrSetsAtBound(fixed) : Optional.empty();
        if (sets.isEmpty() && tier.name().equals("reserved areas") && last != null && !onlyTdmrPlaces.isEmpty()) {
          // Every layout left has its only TDMR at one of the places the PAMT tier was proven over.
          details.add("reserved areas tier: over the %s of the only TDMR left at the PAMT proven (OnlyTdmrPlaces)"
              .formatted(Count.of(onlyTdmrPlaces.size(), "place")));
          sets = Optional.of(onlyTdmrPlaces.stream().map(List::of).toList());
        }
        if (sets.isPresent()) {
          AreasOverSets over = leastAreasOver(sets.get(), least.orElse(0), last);
          last = over.best();
          byBounds = false;
          if (!over.proven()) {
            proven = false;
            break;
          }
          fixed.put(tier.name(), last.value(tier.expr()));
          continue;
        }
        model.model.clearObjective();
        model.model.minimize(tier.expr());
        CpSolver solver = tier.unitBytes() == 0 ? countSolver() : newSolver();
        CpSolverStatus status = solveInTime(solver, model.model, new StopAtBound(least));
        if (status == CpSolverStatus.MODEL_INVALID) {
          throw new IllegalStateException("CP-SAT rejected the model: " + model.model.validate());
        }
        if (status == CpSolverStatus.INFEASIBLE) {
          if (last != null) {
            throw new IllegalStateException("CP-SAT found no layout in the " + tier.name() + " tier after one was found");
          }
          String proof = infeasibleSentence();
          messages.add(proof);
          restrictions = new Restrictions(instance, moduleInstance).forInfeasible();
          Restrictions.sentence(restrictions).ifPresent(messages::add);
          if (policy.coverage() == Policy.Coverage.ALL) {
            messages.add("`tdmr fix` finds the least TDX memory to give up so that such a layout exists");
          }
          lastStatus = Status.INFEASIBLE;
          return Optional.empty();
        }
        boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
        if (!found) {
          if (last == null) {
            messages.add(NO_LAYOUT);
            lastStatus = Status.UNKNOWN;
            return Optional.empty();
          }
          messages.add("time limit: the " + tier.name() + " tier was not solved; the layout is the best of the earlier tiers");
          proven = false;
          break;
        }
        last = solver;
        offerLazily(solver);
        // CP-SAT's own bound (one worker) can lie below the tier's proven lower bound.
        long bound = Math.max(least.orElse(0), (long) Math.ceil(solver.bestObjectiveBound() - 1e-6));
        if (proven && tier.name().equals("PAMT")) {
          pamtBound = OptionalLong.of(bound);
          pamtBoundByBounds = byBounds && least.isPresent() && bound == least.getAsLong();
        }
        // A solution at the tier's lower bound is optimal whether or not CP-SAT knew the bound.
        boolean atBound = least.isPresent() && Math.round(solver.objectiveValue()) == least.getAsLong();
        byBounds &= atBound;
        if (status != CpSolverStatus.OPTIMAL && !atBound) {
          messages.add("time limit: the %s tier is the best found, not proven (proven bound %s)".formatted(tier.name(),
              tier.value(bound)));
          proven = false;
          break;
        }
        fixed.put(tier.name(), Math.round(solver.objectiveValue()));
        model.model.addEquality(tier.expr(), Math.round(solver.objectiveValue()));
        SolutionLayout.hint(model, solver);
      }
      return Optional.of(new Tiers(last, proven, pamtBound, byBounds, pamtBoundByBounds, fixed.containsKey("TDMRs")));
    }

    /**
     * The places of the only TDMR at which a layout of the model may have the PAMT the tier was
     * proven at, when {@link #leastPamtOverOnlyTdmrPlaces} proved it; empty otherwise.
     */
    private List<AddressRange> onlyTdmrPlaces = List.of();

    /**
     * What {@link #leastPamtOverOnlyTdmrPlaces} found: the best solution, whether its PAMT is proven
     * the least among the model's layouts, and then the places where a layout at that PAMT may lie.
     */
    private record PlacesOutcome(CpSolver best, boolean proven, List<AddressRange> atOptimum) {}

    /**
     * The PAMT tier at {@code --max-tdmrs 1} with no coverable memory given up (Z3's prover does the
     * same): every layout below the best PAMT known (of {@code best}, else of {@link #filledStart})
     * has its only TDMR at one of the places {@link OnlyTdmrPlaces} lists at that PAMT and the proven
     * remote PAMT (under {@code node-local}). For each place, least own bound first, the model with
     * the TDMR fixed there ({@link #fixTdmrs}; a place the model cannot hold has none of its
     * layouts) is searched for less PAMT than the best so far, from the place's own bound up, which
     * with only the levels' places left is quick. When every place is decided, the least found is
     * the tier's optimum among the model's layouts. Empty when no list is given (too many places, or
     * a TDMR without memory could hold all memory as PAMT) or no solution of the model is known;
     * not proven when the deadline stops a place's search.
     */
    private Optional<PlacesOutcome> leastPamtOverOnlyTdmrPlaces(long least, CpSolver best, Map<String, Long> fixed) {
      OptionalLong remote = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          ? OptionalLong.of(fixed.get("remote PAMT")) : OptionalLong.empty();
      // Below hi: a layout at hi is known (the model's best, or the built layout's).
      long hi = best != null ? best.value(model.pamtPages)
          : filledStart.map(l -> l.pamtBytes() / ByteSize.PAGE + 1).orElse(0L);
      if (hi <= least) {
        return Optional.empty();
      }
      Optional<List<OnlyTdmrPlaces.Place>> places = new OnlyTdmrPlaces(instance).places(hi - 1, remote);
      if (places.isEmpty()) {
        return Optional.empty();
      }
      // Per place the model holds: the least PAMT a layout there may still have.
      Map<AddressRange, Long> decided = new LinkedHashMap<>();
      for (OnlyTdmrPlaces.Place place : places.get()) {
        CpModel at = model.model.getClone();
        if (!fixTdmrs(at, List.of(new long[] {place.tdmr().start() / ByteSize.GiB, place.tdmr().end() / ByteSize.GiB}))) {
          continue;
        }
        long placeLeast = Math.max(least, place.leastPamtPages());
        decided.put(place.tdmr(), placeLeast);
        if (placeLeast >= hi) {
          continue;
        }
        at.addGreaterOrEqual(model.pamtPages, placeLeast);
        Below below = searchBelow(at, model.pamtPages, placeLeast, hi, newSolver());
        if (below.found().isPresent()) {
          best = below.found().get();
          hi = best.value(model.pamtPages);
        }
        if (!below.decided()) {
          return best == null ? Optional.empty() : Optional.of(new PlacesOutcome(best, false, List.of()));
        }
        // Optimal there at hi, or nothing there below hi.
        decided.put(place.tdmr(), hi);
      }
      if (best == null) {
        return Optional.empty();
      }
      long optimum = hi;
      List<AddressRange> atOptimum = decided.entrySet().stream().filter(e -> e.getValue() <= optimum)
          .map(Map.Entry::getKey).toList();
      return Optional.of(new PlacesOutcome(best, true, atOptimum));
    }

    /**
     * Offers {@code solution} to the solve's {@link tdmr.solver.Incumbent}, read into a layout only if
     * {@link tdmr.solver.DeadlineGuard} needs it (the engine did not come back in time): a witness,
     * no bound.
     */
    private void offerLazily(CpSolver solution) {
      options.incumbent().offerLazily(() -> {
        Layout layout = new SolutionLayout(model, solution).layout();
        return new EngineResult(NAME, Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
            OptionalLong.empty(), List.of(), 0, 0, 0, LayoutScore.of(map, limits, policy, layout).uncoveredBytes())
            .withQuestion(new Question(policy.family(), List.of()));
      });
    }

    /**
     * A lower bound on {@code tier} given the tiers fixed before it: coverage gives up at least the
     * memory outside CMRs, remote PAMT is at least 0, PAMT, TDMRs and reserved areas as {@link
     * TierBounds} combines the family's bounds ({@code found}: the tier's value in the best layout
     * so far, which no bound exceeds).
     */
    private Optional<TierBounds.Bound> lowerBound(Tier tier, Map<String, Long> fixed, long found) {
      return switch (tier.name()) {
        case "coverage" -> Optional.of(new TierBounds.Bound(deadPages(), "memory outside every CMR"));
        case "remote PAMT" -> Optional.of(new TierBounds.Bound(0, ""));
        case "PAMT" -> {
          Optional<TierBounds.Bound> pages = kernel ? kernelPamtBound(proven(fixed)) : tierBounds.pamtPages(proven(fixed));
          if (pages.isPresent() && (pamtTierBound.isEmpty() || pages.get().value() > pamtTierBound.get().value())) {
            pamtTierBound = pages;
          }
          yield pages;
        }
        case "TDMRs" -> kernel ? kernelTdmrsBound(proven(fixed)) : tierBounds.tdmrs(proven(fixed));
        case "reserved areas" -> kernel ? kernelAreasBound(proven(fixed), found)
            : tierBounds.reservedAreas(proven(fixed), found);
        default -> Optional.empty();
      };
    }

    /**
     * Kernel family: the PAMT tier's bound, the larger of the module family's under PAMT {@code any}
     * ({@link TierBounds}, over {@link #moduleInstance}) and, once no coverable memory is given up,
     * the kernel family's own ({@link KernelFamilyBounds#leastPamtPages}).
     */
    private Optional<TierBounds.Bound> kernelPamtBound(TierBounds.Proven proven) {
      Optional<TierBounds.Bound> module = tierBounds.pamtPages(proven);
      OptionalLong own = proven.coversAll() ? kernelBounds().leastPamtPages() : OptionalLong.empty();
      if (own.isPresent() && (module.isEmpty() || own.getAsLong() > module.get().value())) {
        return Optional.of(new TierBounds.Bound(own.getAsLong(), KernelFamilyBounds.class.getSimpleName()));
      }
      return module;
    }

    /** Kernel family: the TDMR tier's bound at the PAMT proven ({@link KernelFamilyBounds#leastTdmrs}). */
    private Optional<TierBounds.Bound> kernelTdmrsBound(TierBounds.Proven proven) {
      if (!proven.coversAll() || proven.pamtPages().isEmpty()) {
        return Optional.empty();
      }
      OptionalLong least = kernelBounds().leastTdmrs(proven.pamtPages().getAsLong());
      return least.isPresent() ? Optional.of(new TierBounds.Bound(least.getAsLong(),
          KernelFamilyBounds.class.getSimpleName())) : Optional.empty();
    }

    /** Kernel family: the reserved-area tier's bound at the PAMT and TDMRs proven ({@link KernelFamilyBounds#leastAreas}). */
    private Optional<TierBounds.Bound> kernelAreasBound(TierBounds.Proven proven, long found) {
      if (!proven.coversAll() || proven.pamtPages().isEmpty() || proven.tdmrs().isEmpty()) {
        return Optional.empty();
      }
      long least = kernelBounds().leastAreas(proven.pamtPages().getAsLong(), proven.tdmrs().getAsLong(), found);
      return Optional.of(new TierBounds.Bound(least, KernelFamilyBounds.class.getSimpleName()));
    }

    /** The kernel family's bounds over {@link #moduleInstance}, built once, on first use. */
    private KernelFamilyBounds kernelBounds() {
      if (kernelBounds == null) {
        kernelBounds = new KernelFamilyBounds(moduleInstance);
      }
      return kernelBounds;
    }

    /** What the tiers fixed so far prove, in the terms of {@link TierBounds}. */
    private TierBounds.Proven proven(Map<String, Long> fixed) {
      boolean coversAll = policy.coverage() == Policy.Coverage.ALL || Long.valueOf(deadPages()).equals(fixed.get("coverage"));
      boolean remoteFree = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && Long.valueOf(0).equals(fixed.get("remote PAMT"));
      return new TierBounds.Proven(coversAll, remoteFree, optional(fixed.get("PAMT")), optional(fixed.get("TDMRs")));
    }

    private static OptionalLong optional(Long value) {
      return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * The TDMR sets one of which every layout left has, when PAMT and TDMRs are fixed at the values
     * {@link GranulesLeftOut#setsAtBound} needs (the per-node PAMT bound, one TDMR per piece of the
     * runs); empty otherwise.
     */
    private Optional<List<List<AddressRange>>> tdmrSetsAtBound(Map<String, Long> fixed) {
      Optional<ModuleFamilyBounds> b = coveringBounds(fixed);
      if (b.isEmpty() || !fixed.containsKey("PAMT") || !fixed.containsKey("TDMRs")) {
        return Optional.empty();
      }
      Optional<GranulesLeftOut.SetsAtBound> sets = new GranulesLeftOut(instance).setsAtBound(b.get(), fixed.get("PAMT"),
          fixed.get("TDMRs"), GranulesLeftOut.MOST_TDMR_SETS);
      sets.ifPresent(s -> details.add("reserved areas tier: every layout left has one of %s of TDMRs (GranulesLeftOut#setsAtBound%s)"
          .formatted(Count.of(s.sets().size(), "set"), s.coveredWithinBound() > 0
              ? "; %s within the node's PAMT bound cannot be left out whole".formatted(Count.of(s.coveredWithinBound(), "run"))
              : "")));
      return sets.map(GranulesLeftOut.SetsAtBound::sets);
    }


    /**
     * The reserved-areas tier over the layouts whose TDMRs are one of {@code sets} (every layout left
     * has one): for each set, its TDMRs fixed on a copy of the model, the fewest areas below the best
     * so far (at least {@code least}); the least over the sets is the tier's optimum among the
     * model's layouts. A set the model cannot have ({@link #fixTdmrs}) has none of the model's
     * layouts. Starts from {@code best}, the previous tier's solution; not proven when the deadline
     * stops a set's search before its proof (the message says so).
     */
    private AreasOverSets leastAreasOver(List<List<AddressRange>> sets, long least, CpSolver best) {
      long hi = best.value(model.areaCount);
      for (List<AddressRange> set : sets) {
        if (hi <= least) {
          break;
        }
        CpModel fixedTdmrs = model.model.getClone();
        List<long[]> giB = set.stream().map(t -> new long[] {t.start() / ByteSize.GiB, t.end() / ByteSize.GiB}).toList();
        if (!fixTdmrs(fixedTdmrs, giB)) {
          continue;
        }
        Below below = searchBelow(fixedTdmrs, model.areaCount, least, hi, countSolver());
        if (below.found().isPresent()) {
          best = below.found().get();
          hi = best.value(model.areaCount);
        }
        if (!below.decided()) {
          messages.add("time limit: the reserved areas tier is the best found over %s of TDMRs, not proven (best %d)"
              .formatted(Count.of(sets.size(), "set"), hi));
          return new AreasOverSets(best, false);
        }
      }
      return new AreasOverSets(best, true);
    }

    /** What {@link #leastAreasOver} found: the best solution, and whether it is proven least. */
    private record AreasOverSets(CpSolver best, boolean proven) {}

    /**
     * What {@link #searchBelow} found: a solution below the best so far (offered to the incumbent),
     * if any, and whether the search decided the copy (its least found, or none below the best).
     */
    private record Below(Optional<CpSolver> found, boolean decided) {}

    /**
     * One search of {@code copy} (a copy of the model with its TDMRs fixed) for the least {@code
     * tier} below {@code hi}, the best so far, stopping at {@code floor}, a lower bound: decided
     * when the solver proves its answer, or finds one at the floor.
     */
    private Below searchBelow(CpModel copy, LinearExpr tier, long floor, long hi, CpSolver solver) {
      copy.addLessOrEqual(tier, hi - 1);
      copy.clearObjective();
      copy.minimize(tier);
      CpSolverStatus status = solveInTime(solver, copy, new StopAtBound(OptionalLong.of(floor)));
      boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
      if (found) {
        offerLazily(solver);
      }
      boolean decided = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.INFEASIBLE
          || found && solver.value(tier) <= floor;
      return new Below(found ? Optional.of(solver) : Optional.empty(), decided);
    }

    /** The bounds, when no coverable memory is given up in the tiers fixed so far. */
    private Optional<ModuleFamilyBounds> coveringBounds(Map<String, Long> fixed) {
      return tierBounds.covering(proven(fixed));
    }

    private ReservedAreaBounds areaBounds() {
      if (areaBounds == null) {
        areaBounds = new ReservedAreaBounds(instance);
      }
      return areaBounds;
    }

    /** Pages of memory outside every CMR in the window: uncovered in every layout. */
    private long deadPages() {
      return instance.atoms().stream().filter(Instance.Atom::dead).mapToLong(Instance.Atom::pages).sum();
    }

    /**
     * A first solution to start from: the model solved with its TDMRs fixed, PAMT minimised, within a
     * quarter of the time left (at most 10 s in all, shared among the TDMRs tried). The TDMRs tried,
     * in turn: those of {@link TdmrCountBound#startingTdmrs} at the PAMT bound (where PAMT leaves no
     * room to spare, cut so that their levels can fill the runs left out wholly, as on
     * canonical/tdx#331), those of {@link ModuleFamilyBounds#tdmrs} (one per run of memory granules
     * whose nodes are shared), then those of {@link ModuleFamilyBounds#tdmrsLeavingOut} for the most promising
     * sets of {@link ModuleFamilyBounds#leftOutCandidates} (the fewest pages of levels first), and,
     * at one TDMR, the TDMR of {@link #filledStart}, each
     * asked for less PAMT than the best start so far (a layout may leave
     * memory out of every TDMR filled with PAMT, which the search alone often misses on hosts of 256
     * GiB and more). With the TDMRs fixed only the levels' places are left to find, which is quick; a
     * start whose PAMT meets the PAMT bound ends the trials, and then the PAMT tier needs no search.
     * The best start is returned; empty when no TDMRs can be fixed that way or no solution comes. A
     * start is only a solution of the model: it proves nothing, and a candidate without a solution
     * costs nothing but its share of time.
     */
    private Optional<CpSolver> startingSolution() {
      if (kernel) {
        return kernelStart();
      }
      boolean nodeLocal = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
      ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, nodeLocal);
      long least = bounds.leastPamtPages().orElse(0);
      List<List<long[]>> candidates = new ArrayList<>();
      List<String> names = new ArrayList<>();
      if (least > 0) {
        // Where PAMT leaves no room to spare, TDMRs cut so that their levels can fill the runs left
        // out wholly: the only starts that can meet the bound there (the others cut no TDMR), so
        // each has half the time left for starts.
        for (List<long[]> cut : new TdmrCountBound(instance).startingTdmrs(least, MOST_CUT_STARTS)) {
          candidates.add(cut);
          names.add("TDMRs cut so that their levels can fill the runs left out wholly, TdmrCountBound");
        }
      }
      if (earlier.isPresent()) {
        // The TDMRs of the answer over runs left whole ({@link InnerTdmrRuns}), with half the time.
        candidates.add(0, tdmrsWithMemory(earlier.get()));
        names.add(0, "the TDMRs of the answer over runs left whole");
      }
      int cuts = candidates.size();
      candidates.add(ranges(bounds.tdmrs()));
      names.add("one per run of memory granules sharing a node");
      for (List<long[]> atEnd : bounds.runEndCandidates(MOST_RUN_END_STARTS)) {
        candidates.add(atEnd);
        names.add("granules at a run's end left out of every TDMR, filled with PAMT");
      }
      for (java.util.Set<Integer> leftOut : bounds.leftOutCandidates(MOST_LEFT_OUT_STARTS)) {
        candidates.add(ranges(bounds.tdmrsLeavingOut(leftOut)));
        names.add(Count.of(leftOut.size(), "granule") + " left out of every TDMR, filled with PAMT");
      }
      if (filledStart.isPresent() && limits.maxTdmrs() == 1) {
        // At one TDMR the other starts hold none within the limit (one TDMR per run), and the whole
        // model's search found no layout within 10 s on canonical/tdx#391.
        candidates.add(tdmrsWithMemory(filledStart.get()));
        names.add("the TDMR of the layout built by filling islands (FilledStart)");
      }
      return bestStart(candidates, names, cuts, least);
    }

    /**
     * The best of the starts with TDMRs {@code candidates} ({@link #startWith}), each with its share of
     * a quarter of the time left (at most 10 s; the first {@code cuts} with half what is left), tried
     * in turn until one meets {@code least}, the PAMT bound; then its fewest areas.
     */
    private Optional<CpSolver> bestStart(List<List<long[]>> candidates, List<String> names, int cuts, long least) {
      Deadline startDeadline = Deadline.in(Math.min(10, deadline.remainingSeconds() / 4));
      Start best = null;
      // The last share is the areas', below.
      int shares = candidates.size() + 1;
      for (int i = 0; i < candidates.size(); i++) {
        double share = startDeadline.remainingSeconds() / (i < cuts ? 2 : shares - i);
        OptionalLong below = best == null ? OptionalLong.empty() : OptionalLong.of(best.pamtPages(model));
        Optional<Start> start = startWith(candidates.get(i), names.get(i), Deadline.in(share), below);
        if (start.isPresent() && (best == null || start.get().pamtPages(model) < best.pamtPages(model))) {
          best = start.get();
        }
        if (best != null && best.pamtPages(model) <= least || startDeadline.remainingSeconds() <= 0) {
          break;
        }
      }
      if (best == null) {
        return Optional.empty();
      }
      return Optional.of(fewestAreas(best, startDeadline));
    }

    /**
     * Kernel family: the model solved with fixed TDMRs, within a quarter of the time left (at most
     * 10 s), then its areas. First, where the kernel family's PAMT bound is known, {@link
     * TdmrCountBound}'s cuts and those of {@link KernelCutStarts} one GiB off them whose chunks can
     * fill the segments they leave out (canonical/tdx#331: the only start meeting the bound, found
     * with half the start time each; the whole model's search took 9.7 s to find it), then the TDMRs
     * of the layout it was given ({@link #earlier}, a kernel-family layout) and the module family's
     * starts.
     */
    private Optional<CpSolver> kernelStart() {
      List<List<long[]>> candidates = new ArrayList<>();
      List<String> names = new ArrayList<>();
      if (earlier.isPresent()) {
        candidates.add(tdmrsWithMemory(earlier.get()));
        names.add("the TDMRs of the kernel-family model's answer");
      }
      // TDMR sets of the module family's starts: GiB ranges, the same in either family.
      ModuleFamilyBounds bounds = new ModuleFamilyBounds(moduleInstance, false);
      candidates.add(ranges(bounds.tdmrs(), moduleInstance));
      names.add("one per run of memory granules");
      for (List<long[]> atEnd : bounds.runEndCandidates(MOST_RUN_END_STARTS)) {
        candidates.add(atEnd);
        names.add("granules at a run's end left out of every TDMR, filled with PAMT");
      }
      for (java.util.Set<Integer> leftOut : bounds.leftOutCandidates(MOST_LEFT_OUT_STARTS)) {
        candidates.add(ranges(bounds.tdmrsLeavingOut(leftOut), moduleInstance));
        names.add(Count.of(leftOut.size(), "granule") + " left out of every TDMR, filled with PAMT");
      }
      OptionalLong least = policy.coverage() == Policy.Coverage.ALL ? kernelBounds().leastPamtPages() : OptionalLong.empty();
      int cuts = 0;
      if (least.isPresent()) {
        // TDMRs cut so that their PAMT can fill runs left out wholly (canonical/tdx#331: the chunks of
        // two TDMRs fill the 2 GiB block at 1024G), tried first.
        List<List<long[]>> cut = new TdmrCountBound(moduleInstance).startingTdmrs(least.getAsLong(), MOST_CUT_STARTS);
        List<List<long[]>> first = new ArrayList<>();
        List<String> firstNames = new ArrayList<>();
        for (List<long[]> c : cut) {
          first.add(c);
          firstNames.add("TDMRs cut so that their PAMT can fill the runs left out wholly, TdmrCountBound");
        }
        for (List<long[]> shifted : KernelCutStarts.near(moduleInstance, cut, MOST_SHIFTED_STARTS)) {
          first.add(shifted);
          firstNames.add("TdmrCountBound's cut with one boundary between TDMRs moved by 1 GiB, its chunks summing"
              + " to each memory segment it leaves out, KernelCutStarts");
        }
        candidates.addAll(0, first);
        names.addAll(0, firstNames);
        // Only these can meet the bound where PAMT leaves no room to spare: each has half the time left for starts.
        cuts = first.size();
      }
      return bestStart(candidates, names, cuts, least.orElse(0));
    }

    /**
     * The start with its TDMRs and PAMT kept and the fewest reserved areas found until {@code until}
     * (the tier search over all TDMRs finds them slowly on big maps), or {@code start} itself when
     * none better comes in time.
     */
    private CpSolver fewestAreas(Start start, Deadline until) {
      if (options.stopAfterPamt() || until.remainingSeconds() <= 0) {
        return start.solver();
      }
      CpModel fixed = start.fixedTdmrs();
      long areas = start.solver().value(model.areaCount);
      fixed.addEquality(model.pamtPages, start.pamtPages(model));
      fixed.addLessOrEqual(model.areaCount, areas);
      fixed.clearObjective();
      fixed.minimize(model.areaCount);
      List<Long> values = start.solver().response().getSolutionList();
      var hint = fixed.getBuilder().getSolutionHintBuilder().clear();
      for (int v = 0; v < values.size(); v++) {
        hint.addVars(v).addValues(values.get(v));
      }
      CpSolver solver = newSolver();
      CpSolverStatus status = solveUntil(solver, fixed, until);
      boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
      details.add("starting solution's reserved areas with its TDMRs and PAMT kept: %d, %s".formatted(areas,
          found ? "then " + solver.value(model.areaCount) : status));
      return found && solver.value(model.areaCount) < areas ? solver : start.solver();
    }

    /**
     * The model solved with the TDMRs fixed to {@code tdmrs} (lists of whole cells), no memory given
     * up and no remote PAMT, with less PAMT than {@code below} when that is present, PAMT minimised
     * until {@code until}; empty when there are no such TDMRs, they break a limit, or no solution comes.
     */
    private Optional<Start> startWith(List<long[]> tdmrs, String name, Deadline until, OptionalLong below) {
      if (tdmrs.isEmpty() || tdmrs.size() > limits.maxTdmrs()
          || !kernel && areaBounds().leastMaxReserved(tdmrs.size()) > limits.maxReservedPerTdmr()) {
        // No such start, or none within the limits (a tight limit needs more TDMRs).
        return Optional.empty();
      }
      // A copy of the model with those TDMRs fixed; its PAMT is at least their levels' minimums, so
      // the search stops once a solution meets them.
      CpModel fixedTdmrs = model.model.getClone();
      if (!fixTdmrs(fixedTdmrs, tdmrs)) {
        return Optional.empty();
      }
      long leastPages = 0;
      for (long[] t : tdmrs) {
        for (PageSize level : instance.pieceLevels()) {
          leastPages += instance.piecePages(t[1] - t[0], level);
        }
      }
      fixedTdmrs.addGreaterOrEqual(model.pamtPages, leastPages);
      if (below.isPresent()) {
        if (below.getAsLong() <= leastPages) {
          return Optional.empty();
        }
        fixedTdmrs.addLessOrEqual(model.pamtPages, below.getAsLong() - 1);
      }
      // It starts the tiers before PAMT at their bounds, or it is no start.
      fixedTdmrs.addEquality(model.uncoveredPages, deadPages());
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
        fixedTdmrs.addEquality(model.remoteBytes, 0);
      }
      fixedTdmrs.clearObjective();
      fixedTdmrs.minimize(model.pamtPages);
      String what = "starting solution (%s, %s, no memory given up, no remote PAMT)".formatted(
          Count.of(tdmrs.size(), "TDMR"), name);
      CpSolver exact = newSolver();
      // At most half the time: when no answer comes, minimising may still find a start.
      CpSolverStatus atLeast = atLeastPamt(exact, fixedTdmrs, leastPages, Deadline.in(until.remainingSeconds() / 2));
      if (atLeast == CpSolverStatus.OPTIMAL || atLeast == CpSolverStatus.FEASIBLE) {
        details.add("%s: %d pages of PAMT, the least of its levels, found without a search for less".formatted(what,
            leastPages));
        return Optional.of(new Start(exact, fixedTdmrs));
      }
      CpSolver solver = newSolver();
      CpSolverStatus status = solveUntil(solver, fixedTdmrs, until);
      boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
      details.add("%s: %s (least %d)".formatted(what, found ? solver.value(model.pamtPages) + " pages of PAMT" : status,
          leastPages));
      return found ? Optional.of(new Start(solver, fixedTdmrs)) : Optional.empty();
    }

    /**
     * Solves {@code fixedTdmrs} with exactly {@code leastPages} pages of PAMT (its TDMRs' levels
     * unpadded) until {@code until}, into {@code solver}. Told the objective's value, CP-SAT finds
     * such a solution or rules it out in tens of milliseconds on the real maps, where minimising can
     * first find a padded solution of twice the PAMT and take seconds to come down (two interleaved
     * workers on the Supermicro X12DAi's node 0 waited out their whole share at 261 888 pages against
     * 131 330). Only when it is ruled out or no answer comes does the start minimise, with the time
     * left. A solution, no claim.
     */
    private CpSolverStatus atLeastPamt(CpSolver solver, CpModel fixedTdmrs, long leastPages, Deadline until) {
      CpModel exact = fixedTdmrs.getClone();
      exact.addEquality(model.pamtPages, leastPages);
      return solveUntil(solver, exact, until);
    }

    /**
     * States in {@code m} that the TDMRs (with memory) are exactly {@code tdmrs}, GiB ranges {@code
     * [x, y)} in address order; false when the model cannot have them (an end inside a cell that
     * cannot be cut, or a TDMR inside a run touching neither of its ends).
     */
    private boolean fixTdmrs(CpModel m, List<long[]> tdmrs) {
      for (int k = 0; k < model.cells.size(); k++) {
        ModuleModel.CellVars v = model.cells.get(k);
        long s = v.cell().range().start() / ByteSize.GiB;
        long e = v.cell().range().end() / ByteSize.GiB;
        long a = 0;
        long b = 0;
        boolean whole = false;
        for (long[] t : tdmrs) {
          if (t[1] <= s || t[0] >= e) {
            continue;
          }
          if (t[0] <= s && t[1] >= e) {
            whole = true;
          } else if (v.first() == v.whole() || t[0] > s && t[1] < e) {
            return false;
          } else if (t[0] <= s) {
            a = t[1] - s;
          } else {
            b = e - t[0];
          }
        }
        m.addEquality(v.whole(), whole ? 1 : 0);
        if (!whole) {
          m.addEquality(v.a(), a);
          m.addEquality(v.b(), b);
        }
        if (k + 1 < model.cells.size()) {
          boolean joined = false;
          for (long[] t : tdmrs) {
            joined |= t[0] < e && e < t[1];
          }
          m.addEquality(model.cont.get(k), joined ? 1 : 0);
        }
      }
      return true;
    }

    /** The TDMRs of {@code layout} over the window's cells (not those without memory above it), as GiB ranges. */
    private List<long[]> tdmrsWithMemory(Layout layout) {
      long windowEnd = instance.cells().get(instance.cells().size() - 1).range().end();
      List<long[]> out = new ArrayList<>();
      for (var t : layout.tdmrs()) {
        if (t.range().start() < windowEnd) {
          out.add(new long[] {t.range().start() / ByteSize.GiB, t.range().end() / ByteSize.GiB});
        }
      }
      return out;
    }

    /** Whole-cell TDMRs as GiB ranges. */
    private List<long[]> ranges(List<List<Integer>> tdmrs) {
      return ranges(tdmrs, instance);
    }

    /** Whole-cell TDMRs, cells of {@code over}, as GiB ranges. */
    private static List<long[]> ranges(List<List<Integer>> tdmrs, Instance over) {
      List<long[]> out = new ArrayList<>();
      for (List<Integer> t : tdmrs) {
        out.add(new long[] {over.cells().get(t.get(0)).range().start() / ByteSize.GiB,
            over.cells().get(t.get(t.size() - 1)).range().end() / ByteSize.GiB});
      }
      return out;
    }

    private List<Tier> tierList() {
      List<Tier> tiers = new ArrayList<>();
      if (policy.coverage() == Policy.Coverage.MAX) {
        tiers.add(new Tier("coverage", model.uncoveredPages, ByteSize.PAGE));
      }
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
        tiers.add(new Tier("remote PAMT", model.remoteBytes, 1));
      }
      tiers.add(new Tier("PAMT", model.pamtPages, ByteSize.PAGE));
      if (options.stopAfterPamt()) {
        return tiers;
      }
      tiers.add(new Tier("TDMRs", model.tdmrCount, 0));
      tiers.add(new Tier("reserved areas", model.areaCount, 0));
      return tiers;
    }

    /** The solution's valid layout; when every tier is proven its score must be the model's. */
    private Layout checked(Layout layout, Tiers tiers) {
      if (tiers.proven()) {
        requireScoreMatches(LayoutScore.of(map, limits, policy, layout), tiers.solver());
      }
      return layout;
    }

    /** The model's tiers must be the layout's score: the model counts what the layout has. */
    private void requireScoreMatches(LayoutScore score, CpSolver solver) {
      List<String> wrong = new ArrayList<>();
      long uncovered = solver.value(model.uncoveredPages) * ByteSize.PAGE
          + instance.excludedMemory().stream().mapToLong(r -> r.size()).sum();
      if (uncovered != score.uncoveredBytes()) {
        wrong.add("uncovered " + uncovered + " != " + score.uncoveredBytes());
      }
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && solver.value(model.remoteBytes) != score.remotePamtBytes()) {
        wrong.add("remote " + solver.value(model.remoteBytes) + " != " + score.remotePamtBytes());
      }
      if (solver.value(model.pamtPages) * ByteSize.PAGE != score.pamtBytes()) {
        wrong.add("PAMT " + solver.value(model.pamtPages) * ByteSize.PAGE + " != " + score.pamtBytes());
      }
      if (solver.value(model.tdmrCount) != score.tdmrs()) {
        wrong.add("TDMRs " + solver.value(model.tdmrCount) + " != " + score.tdmrs());
      }
      if (solver.value(model.areaCount) != score.reservedAreas()) {
        wrong.add("reserved areas " + solver.value(model.areaCount) + " != " + score.reservedAreas());
      }
      if (!wrong.isEmpty()) {
        throw new IllegalStateException("the CP-SAT model and its layout disagree: " + String.join(", ", wrong));
      }
    }

    /** The answer: OPTIMAL with the family and the restrictions that could matter, or FEASIBLE. */
    private EngineResult claim(Layout layout, Tiers tiers) {
      LayoutScore score = LayoutScore.of(map, limits, policy, layout);
      String what = score.describe();
      if (tiers.proven()) {
        messages.add((options.stopAfterPamt()
            ? "proven the least PAMT of any layout of %s within these limits (only the price of the limits was"
                + " asked: fewer TDMRs and reserved areas were not searched): "
            : "proven optimal among %s: ").formatted(policy.family().claim()) + what);
        // A tier CP-SAT proved by its search holds among the model's layouts only; one whose value
        // meets its lower bound holds among all layouts of the family.
        restrictions = tiers.byBounds() ? List.of() : new Restrictions(instance, moduleInstance).forOptimum(score);
        if (tiers.byBounds()) {
          details.add("every tier met its lower bound, derived for the whole family: no restriction of the model limits the claim");
        }
        Restrictions.sentence(restrictions).ifPresent(messages::add);
      } else {
        boolean pamtLeast = tiers.pamtBoundPages().isPresent()
            && tiers.pamtBoundPages().getAsLong() * ByteSize.PAGE == layout.pamtBytes();
        String provenPart = !pamtLeast ? "best layout found: "
            : tiers.tdmrsProven() ? "best layout found, its PAMT and then its TDMR count proven the least (the reserved areas tier is not proven): "
            : "best layout found, its PAMT proven the least (the tiers after PAMT are not proven): ";
        messages.add(provenPart + what);
        if (tiers.pamtBoundPages().isPresent() && !tiers.pamtBoundByBounds()) {
          // CP-SAT's own bound holds among the model's layouts only.
          restrictions = new Restrictions(instance, moduleInstance).forInfeasible();
          Restrictions.boundSentence(policy, restrictions).ifPresent(messages::add);
        }
      }
      if (score.uncoveredBytes() > 0) {
        messages.addAll(LeftOutMemory.lines(map, policy, layout));
      }
      OptionalLong bound = tiers.pamtBoundPages().isPresent()
          ? OptionalLong.of(Math.min(tiers.pamtBoundPages().getAsLong() * ByteSize.PAGE, layout.pamtBytes()))
          : OptionalLong.empty();
      EngineResult r = result(tiers.proven() && !options.stopAfterPamt() ? Status.OPTIMAL : Status.FEASIBLE, layout, bound);
      return new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(), r.messages(),
          r.solveMillis(), r.modelVariables(), r.modelConstraints(), score.uncoveredBytes(), r.kernelFailure(),
          r.infeasibility(), r.details(), r.question());
    }

    private String infeasibleSentence() {
      String cover = policy.coverage() == Policy.Coverage.ALL ? "covers all TDX memory with" : "has";
      return "proven: no layout of %s %s at most %s and %s per TDMR (holes %s, PAMT %s)".formatted(
          policy.family().claim(), cover, Count.of(limits.maxTdmrs(), "TDMR"),
          Count.of(limits.maxReservedPerTdmr(), "reserved area"), policy.holes().text(), policy.pamt().text());
    }

    /** Solves {@code m} until {@code until}, stopped by the watchdog at the solve's deadline. */
    private CpSolverStatus solveUntil(CpSolver solver, CpModel m, Deadline until) {
      solver.getParameters().setMaxTimeInSeconds(Math.max(0.01, until.remainingSeconds()));
      return solveInTime(solver, m, null);
    }

    /**
     * The subsolvers that solve an LP, which a count tier's search leaves out ({@link #countSolver}).
     */
    private static final List<String> LP_SUBSOLVERS = List.of("default_lp", "max_lp", "reduced_costs", "pseudo_costs");

    /**
     * A solver for a count tier (TDMRs, reserved areas): with several workers, without the full
     * subsolvers that solve an LP ({@link #LP_SUBSOLVERS}). Interleaved search runs its workers'
     * tasks in batches, and a batch ends with its slowest task; in these tiers an LP subsolver's task
     * ran for many times its deterministic budget in wall time (8.2 s for 1.0 deterministic s in
     * canonical/tdx#285's areas tier) while the other worker waited. Without them the whole solve of
     * tdx#285 took 1.0 s of CPU instead of 3.9 s, tdx#391 2.5 s instead of 19.6 s (benchmarks/README).
     * Still deterministic; one worker is unchanged.
     */
    private CpSolver countSolver() {
      CpSolver solver = newSolver();
      if (options.threads() > 1) {
        solver.getParameters().addAllIgnoreSubsolvers(LP_SUBSOLVERS);
      }
      return solver;
    }

    private CpSolver newSolver() {
      CpSolver solver = new CpSolver();
      solver.getParameters()
          .setMaxTimeInSeconds(Math.max(0.01, deadline.remainingSeconds()))
          .setMaxMemoryInMb(NativeMemory.budgetMb())
          .setNumWorkers(options.threads())
          .setRandomSeed(options.seed())
          .setLogSearchProgress(Boolean.getBoolean("tdmr.cpsat.log"));
      if (Boolean.getBoolean("tdmr.cpsat.log")) {
        solver.setLogCallback(System.err::println);
      }
      if (options.threads() > 1) {
        solver.getParameters().setInterleaveSearch(true);
      }
      return solver;
    }

    private EngineResult result(Status status, Layout layout, OptionalLong bound) {
      long millis = (System.nanoTime() - started) / 1_000_000;
      long vars = model == null ? 0 : model.variableCount();
      long cons = model == null ? 0 : model.constraintCount();
      return new EngineResult(NAME, status, Optional.ofNullable(layout),
          layout == null ? OptionalLong.empty() : OptionalLong.of(layout.pamtBytes()),
          bound, messages, millis, vars, cons, 0)
          .withDetails(details)
          .withQuestion(new Question(policy.family(), restrictions));
    }
  }
}
