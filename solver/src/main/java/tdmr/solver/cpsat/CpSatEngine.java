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
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Decision;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

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
 * <p>Before CP-SAT starts, a quick constructive layout of the family ({@link StartingLayout}) is
 * given as a hint; when the time limit strikes before CP-SAT returns any solution, that layout is
 * the {@code FEASIBLE} answer. Under coverage {@code max} it also proves the coverage stage: it
 * keeps every byte that can be kept at all. The JVM property {@code tdmr.cpsat.log=true} prints
 * CP-SAT's search log to standard error, for diagnosing slow maps.
 */
public final class CpSatEngine implements Engine {
  /** The claim every OPTIMAL/INFEASIBLE statement is about. */
  public static final String FAMILY =
      "in which each TDMR's PAMT is one contiguous chunk (the kernel's 4K/2M/1G layout) and TDMR"
          + " boundaries lie on 1 GiB boundaries where the memory map changes";

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
  }

  @Override
  public String name() {
    return "cpsat";
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    Problem problem = Problem.of(map, limits, policy);
    boolean max = policy.coverage() == Policy.Coverage.MAX;
    if (!max && !problem.impossibilities().isEmpty()) {
      List<String> messages = new ArrayList<>(problem.impossibilities());
      messages.add("no layout can cover all TDX memory; `tdmr fix` finds the least memory to give up");
      return result(Status.INFEASIBLE, null, OptionalLong.empty(), messages, started, 0, 0, 0);
    }
    if (problem.candidateCount() == 0) {
      return result(Status.INFEASIBLE, null, OptionalLong.empty(),
          List.of("no TDX memory is left that a TDMR could cover"), started, 0, 0, 0);
    }
    long placements = TdmrModel.placementBound(problem);
    if (placements > MAX_PLACEMENTS) {
      return quickOnly(problem, ("the model would need about %d PAMT placement literals (more than %d):"
          + " CP-SAT was not run, nothing is proven").formatted(placements, MAX_PLACEMENTS), started);
    }
    Run run;
    try {
      run = new Run(problem, options, started);
    } catch (TdmrModel.TimeLimitWhileBuilding e) {
      return quickOnly(problem, "time limit: it struck while the model was being built (about %d PAMT placement"
          .formatted(placements) + " literals); CP-SAT was not run, nothing is proven", started);
    }
    return run.solve();
  }

  /**
   * The answer when the model would not fit in memory or time: the starting layout, validated, as a
   * {@code FEASIBLE} answer without a bound, or {@code UNKNOWN}. Nothing is claimed proven.
   */
  private EngineResult quickOnly(Problem problem, String reason, long started) {
    List<String> messages = new ArrayList<>();
    messages.add(reason);
    Optional<Decision> start = new StartingLayout(problem).find();
    if (start.isEmpty()) {
      messages.add("no quick layout found either");
      messages.add("model: not built; " + problem.describe());
      return result(Status.UNKNOWN, null, OptionalLong.empty(), messages, started, 0, 0, 0);
    }
    Layout layout = problem.buildLayout(start.get());
    LayoutVerifier.requireValid(problem.map(), problem.limits(), problem.policy(), layout);
    if (problem.policy().coverage() == Policy.Coverage.MAX) {
      LayoutVerifier.requireValid(problem.keptMap(start.get().droppedAtoms()), problem.limits(),
          problem.policy().withCoverage(Policy.Coverage.ALL), layout);
    }
    messages.add("quick layout (not proven optimal): %d TDMRs, %d KB PAMT (%s), %d reserved areas".formatted(
        layout.size(), layout.pamtBytes() / 1024, ByteSize.human(layout.pamtBytes()), layout.reservedAreaCount()));
    messages.add("model: not built; " + problem.describe());
    long uncovered = problem.excludedMemory().stream().mapToLong(AddressRange::size).sum();
    for (int a : start.get().droppedAtoms()) {
      uncovered += problem.atoms().get(a).range().size();
    }
    return result(Status.FEASIBLE, layout, OptionalLong.empty(), messages, started, 0, 0, uncovered);
  }

  /** One solve of one problem: the stages, the status and the messages. */
  private final class Run {
    private final Problem problem;
    private final SolveOptions options;
    private final long started;
    private final TdmrModel model;
    private final long w2;
    private final long w1;
    private final List<String> messages = new ArrayList<>();

    Run(Problem problem, SolveOptions options, long started) {
      this.problem = problem;
      this.options = options;
      this.started = started;
      this.model = new TdmrModel(problem, started + Math.round(options.timeLimitSeconds() * 1e9));
      TdxLimits limits = problem.limits();
      this.w2 = (long) limits.maxTdmrs() * limits.maxReservedPerTdmr() + 1;
      this.w1 = w2 * (limits.maxTdmrs() + 1L);
    }

    EngineResult solve() {
      long variables = model.variableCount();
      long constraints = model.constraintCount();
      boolean proven = true;
      Optional<Decision> start = new StartingLayout(problem).find();
      start.ifPresent(model::hint);
      CpSolver solver;
      if (problem.policy().coverage() == Policy.Coverage.MAX) {
        if (start.isPresent()) {
          // The starting layout keeps every atom that can be covered at all: coverage is maximal.
          model.model().addEquality(model.keptPages(), coverablePages());
        } else {
          model.model().maximize(model.keptPages());
          solver = newSolver();
          CpSolverStatus coverage = solver.solve(model.model());
          if (coverage == CpSolverStatus.INFEASIBLE) {
            messages.add("proven: no layout " + FAMILY + " exists, even leaving memory out");
            return finish(Status.INFEASIBLE, null, OptionalLong.empty(), variables, constraints);
          }
          if (!hasSolution(coverage)) {
            messages.add("time limit: no layout found and none ruled out");
            return finish(Status.UNKNOWN, null, OptionalLong.empty(), variables, constraints);
          }
          long keptPages = Math.round(solver.objectiveValue());
          proven = coverage == CpSolverStatus.OPTIMAL;
          if (!proven) {
            messages.add("time limit: the kept memory is the most found, not proven maximal");
          }
          model.hintFrom(solver);
          model.model().clearObjective();
          model.model().addGreaterOrEqual(model.keptPages(), keptPages);
        }
      }
      boolean sequential = sequentialObjective || variables > SMALL_MODEL_VARIABLES;
      if (sequential) {
        model.model().minimize(model.pamtPages());
      } else {
        model.model().minimize(LinearExpr.newBuilder()
            .addTerm(model.pamtPages(), w1)
            .addTerm(model.tdmrCount(), w2)
            .add(model.areaCount()));
      }
      solver = newSolver();
      CpSolverStatus status = solver.solve(model.model());
      if (status == CpSolverStatus.MODEL_INVALID) {
        throw new IllegalStateException("CP-SAT rejected the model: " + model.model().validate());
      }
      if (status == CpSolverStatus.INFEASIBLE) {
        TdxLimits limits = problem.limits();
        messages.add(("proven: no layout %s covers all TDX memory with at most %d TDMRs and %d reserved areas per"
            + " TDMR (holes %s, PAMT %s)").formatted(FAMILY, limits.maxTdmrs(), limits.maxReservedPerTdmr(),
                problem.policy().holes().name().toLowerCase(), problem.policy().pamt().name().toLowerCase().replace('_', '-')));
        messages.add("`tdmr fix` finds the least TDX memory to give up so that such a layout exists");
        return finish(Status.INFEASIBLE, null, OptionalLong.empty(), variables, constraints);
      }
      double objectiveBound = Math.max(0, solver.bestObjectiveBound());
      long boundPages = sequential
          ? (long) Math.ceil(objectiveBound - 1e-6)
          : Math.floorDiv((long) Math.ceil(objectiveBound - 1e-6), w1);
      Decision decision;
      if (hasSolution(status)) {
        decision = model.decision(solver);
        proven &= status == CpSolverStatus.OPTIMAL;
        if (sequential && status == CpSolverStatus.OPTIMAL) {
          // Least PAMT proven; now the fewest TDMRs, then the fewest areas, at that PAMT.
          long pamtPages = solver.value(model.pamtPages());
          model.hintFrom(solver);
          model.model().clearObjective();
          model.model().addEquality(model.pamtPages(), pamtPages);
          model.model().minimize(LinearExpr.newBuilder().addTerm(model.tdmrCount(), w2).add(model.areaCount()));
          CpSolver tiers = newSolver();
          CpSolverStatus tierStatus = tiers.solve(model.model());
          if (hasSolution(tierStatus)) {
            decision = model.decision(tiers);
          }
          proven &= tierStatus == CpSolverStatus.OPTIMAL;
          if (tierStatus != CpSolverStatus.OPTIMAL) {
            messages.add("least PAMT proven; the time limit struck before the fewest TDMRs and areas were");
          }
        }
      } else if (start.isPresent()) {
        // The time limit struck before CP-SAT returned a solution: report the starting layout.
        decision = start.get();
        proven = false;
      } else {
        messages.add("time limit: no layout found and none ruled out");
        return finish(Status.UNKNOWN, null, OptionalLong.empty(), variables, constraints);
      }
      Layout layout = problem.buildLayout(decision);
      requireValid(decision, layout);
      long pamtBytes = layout.pamtBytes();
      long bound = Math.min(boundPages * 4096, pamtBytes);
      describe(layout, decision, proven, pamtBytes, bound);
      return finish(proven ? Status.OPTIMAL : Status.FEASIBLE, layout, OptionalLong.of(bound), variables, constraints,
          uncoveredBytes(decision));
    }

    /** Pages of every memory atom that a layout may keep (all but those outside CMRs). */
    private long coverablePages() {
      return problem.atoms().stream().filter(a -> a.memory() && !a.mustDrop()).mapToLong(Atom::pages).sum();
    }

    private void describe(Layout layout, Decision decision, boolean proven, long pamtBytes, long bound) {
      String what = "%d TDMRs, %d KB PAMT (%s), %d reserved areas".formatted(
          layout.size(), pamtBytes / 1024, ByteSize.human(pamtBytes), layout.reservedAreaCount());
      if (proven) {
        messages.add("proven optimal among layouts " + FAMILY + ": " + what);
      } else {
        messages.add("time limit: best layout found: %s; proven bound %d KB, gap %.2f%%"
            .formatted(what, bound / 1024, 100.0 * (pamtBytes - bound) / pamtBytes));
      }
      long uncovered = uncoveredBytes(decision);
      if (uncovered > 0) {
        messages.add("left out %s of TDX memory:".formatted(ByteSize.human(uncovered)));
        for (AddressRange r : droppedRanges(problem, decision)) {
          messages.add("  %s %s".formatted(r, ByteSize.human(r.size())));
        }
      }
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

    private CpSolver newSolver() {
      CpSolver solver = new CpSolver();
      double elapsed = (System.nanoTime() - started) / 1e9;
      solver.getParameters()
          .setMaxTimeInSeconds(Math.max(0.01, options.timeLimitSeconds() - elapsed))
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
      messages.add("model: %d variables, %d constraints; %s".formatted(variables, constraints, problem.describe()));
      return result(status, layout, bound, messages, started, variables, constraints, uncovered);
    }
  }

  private static boolean hasSolution(CpSolverStatus s) {
    return s == CpSolverStatus.OPTIMAL || s == CpSolverStatus.FEASIBLE;
  }

  /** The memory left out by a decision (dropped atoms and memory above the HKID limit), merged. */
  public static List<AddressRange> droppedRanges(Problem problem, Decision decision) {
    List<AddressRange> out = new ArrayList<>(problem.excludedMemory());
    for (int a : decision.droppedAtoms()) {
      Atom atom = problem.atoms().get(a);
      out.add(atom.range());
    }
    out.sort(AddressRange.ORDER);
    List<AddressRange> merged = new ArrayList<>();
    for (AddressRange r : out) {
      if (!merged.isEmpty() && merged.get(merged.size() - 1).end() == r.start()) {
        merged.set(merged.size() - 1, new AddressRange(merged.get(merged.size() - 1).start(), r.end()));
      } else {
        merged.add(r);
      }
    }
    return merged;
  }

  private EngineResult result(Status status, Layout layout, OptionalLong bound, List<String> messages, long started,
      long variables, long constraints, long uncovered) {
    long millis = (System.nanoTime() - started) / 1_000_000;
    return new EngineResult(name(), status, Optional.ofNullable(layout),
        layout == null ? OptionalLong.empty() : OptionalLong.of(layout.pamtBytes()),
        bound, messages, millis, variables, constraints, uncovered);
  }
}
