package tdmr.solver.cpsat;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.solver.KernelFamilyClaim;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Decision;
import tdmr.solver.LayoutScore;
import tdmr.solver.LeftOutMemory;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.NativeMemory;
import tdmr.solver.NodeSplit;
import tdmr.solver.Watchdog;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The optimal planner: finds the layout with the least total PAMT memory in the family of {@link
 * Problem} (TDMRs on 1 GiB cell boundaries, each TDMR's PAMT one contiguous chunk as the kernel lays
 * it out), or proves that the family has none.
 *
 * <p>The objective is lexicographic and solved exactly. Under coverage {@code max} a first solve
 * maximises the kept TDX memory (in 4 KiB pages) and fixes it. For small models (real maps) a
 * second solve minimises {@code W1·pamtPages + W2·tdmrs + areas} with {@code W2 =
 * maxTdmrs·maxReserved + 1} and {@code W1 = W2·(maxTdmrs + 1)}: any layout has at most {@code
 * maxTdmrs·maxReserved} areas and {@code maxTdmrs} TDMRs, so {@code W2·tdmrs + areas < W1} and one
 * page of PAMT outweighs every TDMR and area, and one TDMR outweighs every area; the proven PAMT
 * bound is {@code floor(bound / W1)} pages. Big models first minimise PAMT pages alone (its bound
 * is then direct, and CP-SAT proves it about twice as fast there), fix them, and minimise
 * {@code W2·tdmrs + areas}.
 *
 * <p>Determinism: with one thread (the default) CP-SAT runs a single deterministic worker. With
 * {@code threads > 1} the workers run CP-SAT's interleaved search ({@code interleave_search}),
 * which schedules the portfolio in deterministic batches across the threads, so the same input
 * and options still give the same layout.
 *
 * <p>Under coverage {@code all}, {@link PamtLowerBound} first checks necessary conditions on single
 * TDMRs: when no split of the memory meets them the answer is {@code INFEASIBLE} without a model;
 * otherwise its bounds enter the model as redundant constraints, and a quick layout that meets them
 * is proven without a search (the message says which tiers). {@link PlacementSlots} decides which
 * chunk positions the model offers, and with fills counted per node ({@link
 * PlacementSlots#fillsAggregated}) a solution whose fills have no exact assignment is solved again
 * with a slot per fillable atom.
 *
 * <p>Before CP-SAT starts, a quick constructive layout of the family ({@link StartingLayout}) is
 * given as a complete hint; when the time limit strikes before CP-SAT returns any solution, that layout is
 * the {@code FEASIBLE} answer. Under coverage {@code max} it also proves the coverage stage: it
 * keeps every byte that can be kept at all. The JVM property {@code tdmr.cpsat.log=true} prints
 * CP-SAT's search log to standard error, for diagnosing slow maps.
 */
public final class CpSatEngine implements Engine {
  /** The claim every OPTIMAL/INFEASIBLE statement is about. */
  /**
   * The family a kernel-family claim's first sentence names; the restrictions of the model it holds
   * under, or why none can matter, follow in a sentence of their own ({@link KernelFamilyClaim}).
   */
  private static final String FAMILY = Policy.Family.KERNEL.claim();

  /**
   * Models up to this many variables are solved without presolve probing and with the weighted
   * objective in one solve; bigger ones with probing and the objective in sequence.
   */
  private static final long SMALL_MODEL_VARIABLES = 1000;

  /**
   * Models with more PAMT placement literals than this are not built: at about a kilobyte of
   * protocol buffer per placement they would not fit a default JVM heap, and CP-SAT could not
   * prove them within minutes anyway (benchmarks/README.md, "CP-SAT at 1 000 blocks").
   */
  private static final long MAX_PLACEMENTS = 1_500_000;

  private final boolean sequentialObjective;

  /** The kernel family's second solve ({@link KernelFamilySolver}). */
  private final KernelFamilySolver.SecondPass secondPass;

  /**
   * Loads OR-Tools' native library (once per JVM).
   *
   * @throws UnsatisfiedLinkError naming the platform and the cause when it cannot load; the engine
   *     registry then reports {@code cpsat} as unavailable on this machine
   */
  public CpSatEngine() {
    this(false);
  }

  /**
   * An engine that always solves the objective in sequence (least PAMT, then fewest TDMRs and
   * areas) instead of only for big models; for tests of that path.
   */
  CpSatEngine(boolean sequentialObjective) {
    NativeLibrary.problem().ifPresent(problem -> {
      throw new UnsatisfiedLinkError(problem);
    });
    this.sequentialObjective = sequentialObjective;
    this.secondPass = ModuleFamilySolver::kernel;
  }

  /**
   * An engine whose kernel family's second solve is {@code secondPass}: for tests that fix its
   * outcome (a solve cut short) instead of timing it.
   */
  CpSatEngine(KernelFamilySolver.SecondPass secondPass) {
    NativeLibrary.problem().ifPresent(problem -> {
      throw new UnsatisfiedLinkError(problem);
    });
    this.sequentialObjective = false;
    this.secondPass = secondPass;
  }

  @Override
  public String name() {
    return "cpsat";
  }

  /**
   * Both families: the kernel family by {@link TdmrModel} over {@link Problem}, the module family by
   * {@link ModuleFamilySolver}; each up to the restrictions its results name.
   */
  @Override
  public boolean proves(Policy.Family family) {
    return true;
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    if (policy.family() == Policy.Family.MODULE) {
      return NodeSplit.solve(ModuleFamilySolver::solve, name(), map, limits, policy, options);
    }
    long started = System.nanoTime();
    EngineResult first = KernelFamilyClaim.named(kernelFamily(map, limits, policy, options), map, limits, policy,
        options.solveDeadline());
    return KernelFamilySolver.answer(map, limits, policy, options, first, started, secondPass);
  }

  /** The kernel family over {@link Problem}. */
  private EngineResult kernelFamily(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    // The whole solve (preprocessing, bounds, model building, the searches) ends by this deadline.
    Deadline deadline = options.solveDeadline();
    Problem problem;
    try {
      problem = Problem.of(map, limits, policy, deadline);
    } catch (Deadline.Exceeded e) {
      return result(Status.UNKNOWN, null, OptionalLong.empty(),
          List.of("time limit: it struck while the map was being preprocessed; CP-SAT was not run, nothing is proven"),
          started, 0, 0, 0);
    }
    try {
      return solve(problem, options, started);
    } catch (Deadline.Exceeded e) {
      return result(Status.UNKNOWN, null, OptionalLong.empty(),
          List.of("time limit: it struck while the model was being prepared (%s); CP-SAT was not run to the end,"
              .formatted(problem.describe()) + " nothing is proven"), started, 0, 0, 0);
    }
  }

  private EngineResult solve(Problem problem, SolveOptions options, long started) {
    Policy policy = problem.policy();
    boolean max = policy.coverage() == Policy.Coverage.MAX;
    if (!max && !problem.impossibilities().isEmpty()) {
      List<String> messages = new ArrayList<>(problem.impossibilities());
      messages.add("no layout can cover all TDX memory; `tdmr fix` finds the least memory to give up");
      return result(Status.INFEASIBLE, null, OptionalLong.empty(), messages, started, 0, 0, 0)
          .withInfeasibility(Infeasibility.ofFacts(problem.impossibilities()));
    }
    if (problem.candidateCount() == 0) {
      return result(Status.INFEASIBLE, null, OptionalLong.empty(),
          List.of("no TDX memory is left that a TDMR could cover"), started, 0, 0, 0)
          .withInfeasibility(Infeasibility.ofFacts(List.of("no TDX memory is left that a TDMR could cover")));
    }
    Optional<PamtLowerBound> bound = max ? Optional.empty() : Optional.of(new PamtLowerBound(problem));
    Optional<String> impossible = bound.flatMap(PamtLowerBound::infeasibility);
    if (impossible.isPresent()) {
      // Necessary conditions on single TDMRs already rule every split of the memory out.
      return result(Status.INFEASIBLE, null, OptionalLong.empty(), List.of(
          infeasibleSentence(problem) + ": " + impossible.get(),
          "`tdmr fix` finds the least TDX memory to give up so that such a layout exists"), started, 0, 0, 0)
          .withInfeasibility(Infeasibility.ofFacts(List.of(infeasibleSentence(problem) + ": " + impossible.get())))
          .withDetails(List.of("model: not needed; " + problem.describe()));
    }
    PlacementSlots slots = new PlacementSlots(problem, bound);
    long placements = slots.literalCount();
    if (placements > MAX_PLACEMENTS) {
      return quickOnly(problem, slots, ("the model would need about %d PAMT placement literals (more than %d):"
          + " CP-SAT was not run, nothing is proven").formatted(placements, MAX_PLACEMENTS), started);
    }
    Run run;
    try {
      run = new Run(problem, slots, bound, options, started);
    } catch (TdmrModel.TimeLimitWhileBuilding e) {
      return quickOnly(problem, slots, "time limit: it struck while the model was being built (about %d PAMT placement"
          .formatted(placements) + " literals); CP-SAT was not run, nothing is proven", started);
    }
    try {
      return run.solve();
    } catch (TdmrModelSolution.FillsNotRealizable e) {
      // The relaxed fills of PlacementSlots#fillsAggregated found no exact assignment: decide with
      // a slot per fillable atom instead, in the time that is left.
      try {
        run = new Run(problem, slots.withoutAggregatedFills(), bound, options, started);
      } catch (TdmrModel.TimeLimitWhileBuilding again) {
        return quickOnly(problem, slots, "time limit: it struck while the model with every fill slot was being built;"
            + " CP-SAT was not run again, nothing is proven", started);
      }
      run.details.add("the first model's fills (pages counted per node) had no exact assignment of chunks to"
          + " atoms; solved again with a slot per atom that chunks may fill");
      return run.solve();
    }
  }

  /**
   * The answer when the model would not fit in memory or time: the starting layout, validated, as a
   * {@code FEASIBLE} answer without a bound, or {@code UNKNOWN}. Nothing is claimed proven.
   */
  private EngineResult quickOnly(Problem problem, PlacementSlots slots, String reason, long started) {
    List<String> messages = new ArrayList<>();
    messages.add(reason);
    Optional<Decision> start = new StartingLayout(problem, slots).find();
    if (start.isEmpty()) {
      messages.add("no quick layout found either");
      return result(Status.UNKNOWN, null, OptionalLong.empty(), messages, started, 0, 0, 0)
          .withDetails(List.of("model: not built; " + problem.describe()));
    }
    Layout layout = problem.buildLayout(start.get());
    LayoutVerifier.requireValid(problem.map(), problem.limits(), problem.policy(), layout);
    if (problem.policy().coverage() == Policy.Coverage.MAX) {
      LayoutVerifier.requireValid(problem.keptMap(start.get().droppedAtoms()), problem.limits(),
          problem.policy().withCoverage(Policy.Coverage.ALL), layout);
    }
    messages.add("quick layout (not proven optimal): "
        + LayoutScore.of(problem.map(), problem.limits(), problem.policy(), layout).describe());
    long uncovered = problem.excludedMemory().stream().mapToLong(AddressRange::size).sum();
    for (int a : start.get().droppedAtoms()) {
      uncovered += problem.atoms().get(a).range().size();
    }
    return result(Status.FEASIBLE, layout, OptionalLong.empty(), messages, started, 0, 0, uncovered)
        .withDetails(List.of("model: not built; " + problem.describe()));
  }

  /** One solve of one problem: the stages, the status and the messages. */
  private final class Run {
    private final Problem problem;
    private final SolveOptions options;
    private final long started;
    private final TdmrModel model;
    private final TdmrModelSolution solution;
    private final long w2;
    private final long w1;
    private final List<String> messages = new ArrayList<>();
    /** How the solve went, for {@code --verbose}: model size, cells and atoms, second attempts. */
    private final List<String> details = new ArrayList<>();
    /** Under coverage {@code all}: the relaxation's bounds ({@link PamtLowerBound}). */
    private final Optional<PamtLowerBound> lowerBound;
    private final PlacementSlots slots;

    Run(Problem problem, PlacementSlots slots, Optional<PamtLowerBound> lowerBound, SolveOptions options,
        long started) {
      this.problem = problem;
      this.lowerBound = lowerBound;
      this.slots = slots;
      this.options = options;
      this.started = started;
      this.model = new TdmrModel(problem, slots);
      this.solution = new TdmrModelSolution(model);
      // Redundant: no layout of the family has less PAMT than the relaxation (PamtLowerBound).
      lowerBound.ifPresent(b -> b.leastPamtPages().ifPresent(
          least -> model.model().addGreaterOrEqual(model.pamtPages(), least)));
      TdxLimits limits = problem.limits();
      this.w2 = (long) limits.maxTdmrs() * limits.maxReservedPerTdmr() + 1;
      // Saturates: a W1 that does not fit 64 bits only means the objectives go in sequence.
      long weight;
      try {
        weight = Math.multiplyExact(w2, limits.maxTdmrs() + 1L);
      } catch (ArithmeticException e) {
        weight = Long.MAX_VALUE;
      }
      this.w1 = weight;
    }

    /** Whether every tier so far is proven; a time limit in any stage clears it. */
    private boolean proven = true;
    private long variables;
    private long constraints;

    /**
     * The solve, in the stages of the objective: the starting layout as the hint, coverage (under
     * {@code max}), the least PAMT (from the bounds, else by search), the fewest TDMRs and areas
     * at that PAMT, and the layout.
     */
    EngineResult solve() {
      variables = model.variableCount();
      constraints = model.constraintCount();
      Optional<Decision> start = hintTheStartingLayout();
      if (problem.policy().coverage() == Policy.Coverage.MAX) {
        Optional<EngineResult> none = mostCoverage(start);
        if (none.isPresent()) {
          return none.get();
        }
      }
      // The weighted objective W1·pamtPages + W2·tdmrs + areas must fit CP-SAT's 64-bit objective;
      // with limits raised far past the module's it would not, and the objectives go in sequence.
      boolean sequential = sequentialObjective || variables > SMALL_MODEL_VARIABLES || !weightedObjectiveFits();
      OptionalLong relaxed = lowerBound.isPresent() ? lowerBound.get().leastPamtPages() : OptionalLong.empty();
      Layout quick = start.map(problem::buildLayout).orElse(null);
      LeastPamt least;
      if (sequential && quick != null && relaxed.isPresent() && lowerBound.get().meetsLeastPamt(quick)) {
        least = leastPamtByTheBounds(start.get(), quick, relaxed.getAsLong());
      } else {
        least = leastPamtBySearch(start, sequential);
      }
      if (least.noLayout() != null) {
        return least.noLayout();
      }
      return answer(least.decision(), least.boundPages());
    }

    /** The least-PAMT stage's outcome: a decision and the proven PAMT bound, or an answer without a layout. */
    private record LeastPamt(Decision decision, long boundPages, EngineResult noLayout) {
      static LeastPamt of(Decision decision, long boundPages) {
        return new LeastPamt(decision, boundPages, null);
      }

      static LeastPamt none(EngineResult noLayout) {
        return new LeastPamt(null, 0, noLayout);
      }
    }

    /** The starting layout ({@link StartingLayout}), handed to CP-SAT as a complete hint. */
    private Optional<Decision> hintTheStartingLayout() {
      Optional<Decision> start = new StartingLayout(problem, slots).find();
      if (start.isPresent()) {
        solution.hint(start.get());
        solution.completeHint(remainingSeconds() / 4);
      }
      return start;
    }

    /**
     * Coverage {@code max}: the most TDX memory any layout covers, fixed for the later tiers. The
     * starting layout keeps every atom that can be covered at all, so with one coverage is maximal
     * without a search. Returns an answer when no layout exists or none was found in time.
     */
    private Optional<EngineResult> mostCoverage(Optional<Decision> start) {
      if (start.isPresent()) {
        model.model().addEquality(model.keptPages(), coverablePages());
        return Optional.empty();
      }
      model.model().maximize(model.keptPages());
      CpSolver solver = newSolver();
      CpSolverStatus coverage = solveStoppable(solver);
      if (coverage == CpSolverStatus.INFEASIBLE) {
        String proof = "proven: no layout of " + FAMILY + " exists, even leaving memory out";
        messages.add(proof);
        return Optional.of(finish(Status.INFEASIBLE, null, OptionalLong.empty(), variables, constraints)
            .withInfeasibility(Infeasibility.ofFacts(List.of(proof))));
      }
      if (!hasSolution(coverage)) {
        messages.add("time limit: no layout found and none ruled out");
        return Optional.of(finish(Status.UNKNOWN, null, OptionalLong.empty(), variables, constraints));
      }
      long keptPages = Math.round(solver.objectiveValue());
      proven = coverage == CpSolverStatus.OPTIMAL;
      if (!proven) {
        messages.add("time limit: the kept memory is the most found, not proven maximal");
      }
      solution.hintFrom(solver);
      model.model().clearObjective();
      model.model().addGreaterOrEqual(model.keptPages(), keptPages);
      return Optional.empty();
    }

    /**
     * The quick layout meets the PAMT bound of {@link PamtLowerBound}: its PAMT is the least
     * without a search; the TDMRs and areas are proven by the bounds too, or searched at that PAMT.
     */
    private LeastPamt leastPamtByTheBounds(Decision start, Layout quick, long boundPages) {
      messages.add(lowerBound.get().provenBy(quick, "the quick layout").orElseThrow());
      if (lowerBound.get().isMetBy(quick)) {
        return LeastPamt.of(start, boundPages);
      }
      Optional<Decision> better = fewestTdmrsAndAreas(boundPages);
      proven &= better.isPresent();
      return LeastPamt.of(better.orElse(start), boundPages);
    }

    /**
     * The least PAMT by CP-SAT: alone and then {@link #fewestTdmrsAndAreas} (sequential), or with the
     * TDMRs and areas in one weighted objective. Without a solution in time the starting layout is
     * the answer; without either, {@code UNKNOWN}.
     */
    private LeastPamt leastPamtBySearch(Optional<Decision> start, boolean sequential) {
      if (sequential) {
        model.model().minimize(model.pamtPages());
      } else {
        model.model().minimize(LinearExpr.newBuilder()
            .addTerm(model.pamtPages(), w1)
            .addTerm(model.tdmrCount(), w2)
            .add(model.areaCount()));
      }
      CpSolver solver = newSolver();
      CpSolverStatus status = solveStoppable(solver);
      if (status == CpSolverStatus.MODEL_INVALID) {
        throw new IllegalStateException("CP-SAT rejected the model: " + model.model().validate());
      }
      if (status == CpSolverStatus.INFEASIBLE) {
        messages.add(infeasibleSentence(problem));
        messages.add("`tdmr fix` finds the least TDX memory to give up so that such a layout exists");
        return LeastPamt.none(finish(Status.INFEASIBLE, null, OptionalLong.empty(), variables, constraints)
            .withInfeasibility(Infeasibility.ofFacts(List.of(infeasibleSentence(problem)))));
      }
      double objectiveBound = Math.max(0, solver.bestObjectiveBound());
      long boundPages = sequential
          ? (long) Math.ceil(objectiveBound - 1e-6)
          : Math.floorDiv((long) Math.ceil(objectiveBound - 1e-6), w1);
      if (hasSolution(status)) {
        Decision decision = solution.decision(solver);
        proven &= status == CpSolverStatus.OPTIMAL;
        if (sequential && status == CpSolverStatus.OPTIMAL) {
          solution.hintFrom(solver);
          Optional<Decision> better = fewestTdmrsAndAreas(solver.value(model.pamtPages()));
          proven &= better.isPresent();
          decision = better.orElse(decision);
        }
        return LeastPamt.of(decision, boundPages);
      }
      if (start.isPresent()) {
        // The time limit struck before CP-SAT returned a solution: report the starting layout.
        proven = false;
        return LeastPamt.of(start.get(), boundPages);
      }
      messages.add("time limit: no layout found and none ruled out");
      return LeastPamt.none(finish(Status.UNKNOWN, null, OptionalLong.empty(), variables, constraints));
    }

    /** The layout of {@code decision}, validated, with its status and proven PAMT bound. */
    private EngineResult answer(Decision decision, long boundPages) {
      Layout layout = problem.buildLayout(decision);
      requireValid(decision, layout);
      long pamtBytes = layout.pamtBytes();
      long bound = Math.min(boundPages * ByteSize.PAGE, pamtBytes);
      describe(layout, decision, proven, pamtBytes, bound);
      return finish(proven ? Status.OPTIMAL : Status.FEASIBLE, layout, OptionalLong.of(bound), variables, constraints,
          uncoveredBytes(decision));
    }

    /**
     * The second and third tiers at the least PAMT: the fewest TDMRs, then the fewest areas, with
     * PAMT fixed. Under coverage {@code all} the relaxation of {@link PamtLowerBound} also fixes which
     * TDMRs can still take part (those on one of its splits within that PAMT) and bounds the number
     * of TDMRs from below. Returns the proven best decision, or empty when the time limit struck
     * first (the caller keeps the layout it has).
     */
    private Optional<Decision> fewestTdmrsAndAreas(long pamtPages) {
      model.model().clearObjective();
      model.model().addEquality(model.pamtPages(), pamtPages);
      lowerBound.ifPresent(b -> {
        int maxTdmrs = problem.limits().maxTdmrs();
        model.restrictTdmrs(cell -> b.endsWithin(cell, pamtPages, maxTdmrs));
        b.fewestTdmrs(pamtPages).ifPresent(fewest -> {
          model.model().addGreaterOrEqual(model.tdmrCount(), fewest);
          // A layout with the fewest TDMRs has at least the relaxation's areas; one with more TDMRs
          // costs at least w2 more, which outweighs every area.
          b.fewestAreas(pamtPages, fewest).ifPresent(areas -> model.model().addGreaterOrEqual(
              LinearExpr.newBuilder().addTerm(model.tdmrCount(), w2).add(model.areaCount()), w2 * fewest + areas));
        });
      });
      model.model().minimize(LinearExpr.newBuilder().addTerm(model.tdmrCount(), w2).add(model.areaCount()));
      CpSolver tiers = newSolver();
      CpSolverStatus tierStatus = solveStoppable(tiers);
      if (tierStatus == CpSolverStatus.OPTIMAL) {
        return Optional.of(solution.decision(tiers));
      }
      messages.add("least PAMT proven; the time limit struck before the fewest TDMRs and areas were");
      return Optional.empty();
    }

    /**
     * True when every value of {@code W1·pamtPages + W2·tdmrs + areas} stays below 2^53, so that
     * CP-SAT (which also handles objectives as doubles) represents it exactly.
     */
    private boolean weightedObjectiveFits() {
      // PAMT pages are at most one per 4 KiB page of memory covered, far more than any real PAMT.
      long span = problem.cells().isEmpty() ? 0
          : problem.cells().get(problem.cells().size() - 1).range().end() - problem.cells().get(0).range().start();
      long maxPamtPages = span / 4096 + 1;
      try {
        long top = Math.addExact(Math.multiplyExact(w1, maxPamtPages), w1);
        return top < (1L << 53);
      } catch (ArithmeticException e) {
        return false;
      }
    }

    /** Pages of every memory atom that a layout may keep (all but those outside CMRs). */
    private long coverablePages() {
      return problem.atoms().stream().filter(a -> a.memory() && !a.mustDrop()).mapToLong(Atom::pages).sum();
    }

    private void describe(Layout layout, Decision decision, boolean proven, long pamtBytes, long bound) {
      String what = LayoutScore.of(problem.map(), problem.limits(), problem.policy(), layout).describe();
      if (proven) {
        // The restrictions, or why none matters, follow in a sentence of their own (KernelFamilyClaim).
        messages.add("proven optimal among " + Policy.Family.KERNEL.claim() + ": " + what);
      } else {
        messages.add("time limit: best layout found: %s; proven bound %d KiB, gap %.2f%%"
            .formatted(what, bound / 1024, 100.0 * (pamtBytes - bound) / pamtBytes));
      }
      messages.addAll(LeftOutMemory.lines(problem.leftOut(decision.droppedAtoms())));
    }

    /**
     * The referee: the module's rules and the OS's on the input map; under coverage {@code max}
     * also the OS's on the map that is left once the dropped memory is reserved, where every byte
     * must be covered. A failure is a bug in this engine.
     */
    private void requireValid(Decision decision, Layout layout) {
      Policy policy = problem.policy();
      LayoutVerifier.requireValid(problem.map(), problem.limits(), policy, layout);
      if (policy.coverage() == Policy.Coverage.MAX) {
        LayoutVerifier.requireValid(problem.keptMap(decision.droppedAtoms()), problem.limits(),
            policy.withCoverage(Policy.Coverage.ALL), layout);
      }
    }

    private long uncoveredBytes(Decision decision) {
      long bytes = problem.excludedMemory().stream().mapToLong(AddressRange::size).sum();
      for (int a : decision.droppedAtoms()) {
        bytes += problem.atoms().get(a).range().size();
      }
      return bytes;
    }

    private double remainingSeconds() {
      return problem.deadline().remainingSeconds();
    }

    /**
     * One CP-SAT solve of the model, stopped at the deadline: CP-SAT's own time limit is checked
     * only between some steps of its presolve and search; the watchdog stops the others.
     */
    private CpSolverStatus solveStoppable(CpSolver solver) {
      try (Watchdog w = Watchdog.at(problem.deadline(), solver::stopSearch)) {
        return solver.solve(model.model());
      }
    }

    private CpSolver newSolver() {
      CpSolver solver = new CpSolver();
      solver.getParameters()
          .setMaxTimeInSeconds(Math.max(0.01, remainingSeconds()))
          .setMaxMemoryInMb(NativeMemory.budgetMb())
          .setNumWorkers(options.threads())
          .setRandomSeed(options.seed())
          .setLogSearchProgress(Boolean.getBoolean("tdmr.cpsat.log"))
          // Probing in presolve costs more than it saves on the small models of real maps (measured
          // in benchmarks/README.md); big synthetic models need it to find layouts at all.
          .setCpModelProbingLevel(model.variableCount() <= SMALL_MODEL_VARIABLES ? 0 : 2);
      if (Boolean.getBoolean("tdmr.cpsat.log")) {
        solver.setLogCallback(System.err::println);
      }
      if (options.threads() > 1) {
        solver.getParameters().setInterleaveSearch(true);
      }
      return solver;
    }

    private EngineResult finish(Status status, Layout layout, OptionalLong bound, long variables, long constraints) {
      return finish(status, layout, bound, variables, constraints, 0);
    }

    private EngineResult finish(
        Status status, Layout layout, OptionalLong bound, long variables, long constraints, long uncovered) {
      details.add("model: %d variables, %d constraints; %s".formatted(variables, constraints, problem.describe()));
      return result(status, layout, bound, messages, started, variables, constraints, uncovered).withDetails(details);
    }
  }

  /** The proven sentence of an {@code INFEASIBLE} answer under coverage {@code all}. */
  private static String infeasibleSentence(Problem problem) {
    TdxLimits limits = problem.limits();
    return ("proven: no layout of %s covers all TDX memory with at most %s and %s per"
        + " TDMR (holes %s, PAMT %s)").formatted(FAMILY, Count.of(limits.maxTdmrs(), "TDMR"),
            Count.of(limits.maxReservedPerTdmr(), "reserved area"), problem.policy().holes().text(),
            problem.policy().pamt().text());
  }

  private static boolean hasSolution(CpSolverStatus s) {
    return s == CpSolverStatus.OPTIMAL || s == CpSolverStatus.FEASIBLE;
  }

  private EngineResult result(Status status, Layout layout, OptionalLong bound, List<String> messages, long started,
      long variables, long constraints, long uncovered) {
    long millis = (System.nanoTime() - started) / 1_000_000;
    return new EngineResult(name(), status, Optional.ofNullable(layout),
        layout == null ? OptionalLong.empty() : OptionalLong.of(layout.pamtBytes()),
        bound, messages, millis, variables, constraints, uncovered);
  }
}
