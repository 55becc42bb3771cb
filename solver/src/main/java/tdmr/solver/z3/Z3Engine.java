package tdmr.solver.z3;

import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.Expr;
import com.microsoft.z3.IntNum;
import com.microsoft.z3.Model;
import com.microsoft.z3.Optimize;
import com.microsoft.z3.Params;
import com.microsoft.z3.Solver;
import com.microsoft.z3.Z3Exception;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.check.LayoutVerifier;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Watchdog;
import tdmr.solver.explain.Explanation;
import tdmr.solver.explain.Reason;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The Z3 engine: an SMT encoding of the layout family over the shared {@link Problem}, written
 * independently of the CP-SAT model, optimised with Z3's {@code Optimize} (lexicographically:
 * coverage under {@code max}, then least PAMT bytes, fewest TDMRs, fewest reserved areas).
 *
 * <p>Statuses are what Z3 proved: {@code OPTIMAL} when {@code Optimize} returned SAT (it then
 * proved every objective optimal), {@code INFEASIBLE} on UNSAT, {@code FEASIBLE} when the time
 * limit stopped it after a validated layout was found, {@code UNKNOWN} otherwise. With
 * {@link #explaining()}, an infeasible answer carries an {@link Explanation}: the constraint groups
 * of a minimal unsat core (found with {@code assertAndTrack}, then shrunk by deleting one group at
 * a time). Each solve runs in its own {@link Context}, closed before {@code solve} returns.
 */
public final class Z3Engine implements Engine {
  /** The engine's name in output and on the command line. */
  public static final String NAME = "z3";

  /** Prefix of tracking literals, so they never share a name with a model variable. */
  private static final String TRACKER = "why:";

  private final boolean explain;

  /** An engine that optimises and does not explain infeasibility (tracking costs time). */
  public Z3Engine() {
    this(false);
  }

  /** Loads Z3's native library (once); an {@link UnsatisfiedLinkError} says why it cannot. */
  private Z3Engine(boolean explain) {
    Z3Native.requireLoaded();
    this.explain = explain;
  }

  /** An engine that, when no layout exists, also finds a minimal explanation. */
  public static Z3Engine explaining() {
    return new Z3Engine(true);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Z3's version, or an {@link UnsatisfiedLinkError} saying why the native library did not load. */
  public static String z3Version() {
    return Z3Native.requireLoaded();
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    try {
      return solve(map, limits, policy, options, started);
    } catch (Deadline.Exceeded e) {
      return result(Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
          List.of("z3 stopped (time limit) while its model was being built, before a search; nothing is proven"),
          started, 0, 0);
    }
  }

  private EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, long started) {
    // The whole solve (preprocessing, model building, search, explanation) ends by this deadline.
    Deadline deadline = options.solveDeadline();
    Problem problem = Problem.of(map, limits, policy, deadline);
    if (policy.coverage() == Policy.Coverage.ALL && !problem.impossibilities().isEmpty()) {
      List<String> messages = new ArrayList<>();
      messages.add(infeasibleHeadline(policy, limits));
      Infeasibility why = Infeasibility.ofFacts(problem.impossibilities());
      why.facts().forEach(s -> messages.add("  " + s));
      return result(Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), messages, started, 0, 0)
          .withInfeasibility(why);
    }
    if (problem.candidates().isEmpty()) {
      Infeasibility why = Infeasibility.ofFacts(List.of("no TDX memory can be covered by any TDMR"));
      return result(
          Status.INFEASIBLE,
          Optional.empty(),
          OptionalLong.empty(),
          List.of(infeasibleHeadline(policy, limits), "  " + why.facts().get(0)),
          started,
          0,
          0)
          .withInfeasibility(why);
    }
    try (Context ctx = new Context(Map.of("model", "true"));
        // Z3 checks its "timeout" only in some phases; the watchdog stops the others at the deadline.
        Watchdog watchdog = Watchdog.at(deadline, ctx::interrupt)) {
      Z3Model model = new Z3Model(ctx, problem);
      return optimise(ctx, model, problem, options, started);
    } catch (Z3Exception e) {
      if (!isOutOfMemory(e)) {
        throw e;
      }
      return result(
          Status.UNKNOWN,
          Optional.empty(),
          OptionalLong.empty(),
          List.of(
              "z3 stopped: it reached its native memory cap of %d MiB (%s) before a proof; raise it with -Dtdmr.z3.maxMemoryMb=N in TDMR_JAVA_OPTS"
                  .formatted(Z3Native.MAX_MEMORY_MB, e.getMessage())),
          started,
          0,
          0);
    }
  }

  /** Z3 reports its memory cap as a failed allocation or an exceeded maximum. */
  private static boolean isOutOfMemory(Z3Exception e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return m.contains("allocation failed") || m.contains("out of memory") || m.contains("max. memory");
  }

  private EngineResult optimise(Context ctx, Z3Model model, Problem problem, SolveOptions options, long started) {
    Optimize opt = ctx.mkOptimize();
    Params p = params(ctx, options, started);
    // Z3's weighted MaxSAT engine "wmax" (complete, like the default "maxres") suits these
    // objectives best: on 40 generated medium maps it took 2.3 s in all against 12.7 s for maxres,
    // 0.5 s against 6.7 s on the slowest one.
    p.add("maxsat_engine", "wmax");
    opt.setParameters(p);
    for (BoolExpr f : model.background()) {
      opt.Add(new BoolExpr[] {f});
    }
    for (List<BoolExpr> fs : model.groups().values()) {
      opt.Add(fs.toArray(BoolExpr[]::new));
    }
    boolean max = problem.policy().coverage() == Policy.Coverage.MAX;
    // Lexicographic, in the order the objectives are stated (Z3's default priority "lex").
    if (max) {
      soft(opt, model.keepMemory(), "uncovered-pages");
    }
    Optimize.Handle<?> pamt = soft(opt, model.leastPamt(), "pamt-pages");
    soft(opt, model.fewestTdmrs(), "tdmrs");
    soft(opt, model.fewestReservedAreas(), "reserved-areas");
    long constraints = model.constraints();

    com.microsoft.z3.Status z3 = opt.Check(new BoolExpr[0]);
    switch (z3) {
      case SATISFIABLE:
        {
          Model m = opt.getModel();
          Layout layout = layoutOf(model, problem, m);
          OptionalLong bytes = OptionalLong.of(layout.pamtBytes());
          return new EngineResult(
              NAME,
              Status.OPTIMAL,
              Optional.of(layout),
              bytes,
              bytes,
              List.of(optimalLine(problem, layout)),
              millisSince(started),
              model.variables(),
              constraints,
              uncoveredBytes(problem, m, model));
        }
      case UNSATISFIABLE:
        {
          List<String> messages = new ArrayList<>();
          messages.add(infeasibleHeadline(problem.policy(), problem.limits()));
          Optional<Infeasibility> why = Optional.empty();
          if (explain) {
            why = Optional.of(Infeasibility.of(minimalCore(ctx, model, options, started)));
            why.get().facts().forEach(s -> messages.add("  " + s));
            why.get().remark().ifPresent(remark -> messages.add("  " + remark));
          }
          EngineResult r = result(
              Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), messages, started, model.variables(), constraints);
          return why.map(r::withInfeasibility).orElse(r);
        }
      default:
        {
          String reason = opt.getReasonUnknown();
          Optional<Model> found = bestSoFar(opt).filter(model::satisfiedBy);
          if (found.isPresent()) {
            Layout layout = layoutOf(model, problem, found.get());
            OptionalLong bound = max ? OptionalLong.empty() : lowerBound(pamt);
            return new EngineResult(
                NAME,
                Status.FEASIBLE,
                Optional.of(layout),
                OptionalLong.of(layout.pamtBytes()),
                bound,
                List.of("z3 stopped (" + reason + ") before proving optimality; best layout found: " + summary(layout)),
                millisSince(started),
                model.variables(),
                constraints,
                uncoveredBytes(problem, found.get(), model));
          }
          return result(
              Status.UNKNOWN,
              Optional.empty(),
              OptionalLong.empty(),
              List.of("z3 stopped (" + reason + ") before finding a layout or proving that none exists"),
              started,
              model.variables(),
              constraints);
        }
    }
  }

  /**
   * A minimal set of constraint groups that cannot hold together. The first core comes from a
   * solver with every group under {@code assertAndTrack}; then each group is dropped in turn (small
   * blocks first, so the explanation names the larger ones) and stays out when the rest is still
   * unsatisfiable.
   */
  private Explanation minimalCore(Context ctx, Z3Model model, SolveOptions options, long started) {
    Map<String, Reason> byId = new LinkedHashMap<>();
    model.groups().keySet().forEach(r -> byId.put(r.id(), r));
    Core first = unsatCore(ctx, model, model.groups().keySet(), options, started, byId);
    if (first.reasons().isEmpty()) {
      return new Explanation(List.of(), false);
    }
    Set<Reason> core = first.reasons().get();
    boolean minimal = true;
    List<Reason> order = new ArrayList<>(core);
    order.sort(Comparator.comparingLong(Z3Engine::deletionOrder));
    for (Reason r : order) {
      if (remainingMillis(options, started) <= 0) {
        // Out of time: the rest stay, and the core is not proven minimal.
        minimal = false;
        break;
      }
      if (!core.contains(r)) {
        continue;
      }
      Set<Reason> without = new LinkedHashSet<>(core);
      without.remove(r);
      Core smaller = unsatCore(ctx, model, without, options, started, byId);
      if (smaller.reasons().isPresent()) {
        core = smaller.reasons().get();
      } else if (smaller.unknown()) {
        // The time limit stopped this check: r stays, and the core is not proven minimal.
        minimal = false;
      }
    }
    List<Reason> kept = new ArrayList<>();
    for (Reason r : model.groups().keySet()) {
      if (core.contains(r)) {
        kept.add(r);
      }
    }
    return new Explanation(kept, minimal);
  }

  /** An unsat core of some groups, absent when they are satisfiable or Z3 gave up ({@code unknown}). */
  private record Core(Optional<Set<Reason>> reasons, boolean unknown) {}

  /** The tracked groups of an unsat core of {@code groups}. */
  private Core unsatCore(
      Context ctx, Z3Model model, Set<Reason> groups, SolveOptions options, long started, Map<String, Reason> byId) {
    Solver s = ctx.mkSolver();
    s.setParameters(params(ctx, options, started));
    s.add(model.background().toArray(BoolExpr[]::new));
    for (Reason r : groups) {
      List<BoolExpr> fs = model.groups().get(r);
      s.assertAndTrack(ctx.mkAnd(fs.toArray(BoolExpr[]::new)), ctx.mkBoolConst(TRACKER + r.id()));
    }
    com.microsoft.z3.Status status = s.check(new BoolExpr[0]);
    if (status != com.microsoft.z3.Status.UNSATISFIABLE) {
      return new Core(Optional.empty(), status == com.microsoft.z3.Status.UNKNOWN);
    }
    Set<Reason> core = new LinkedHashSet<>();
    for (BoolExpr t : s.getUnsatCore()) {
      core.add(byId.get(t.getSExpr().replace("|", "").substring(TRACKER.length())));
    }
    core.remove(null);
    return new Core(Optional.of(core), false);
  }

  /** Blocks are tried for deletion smallest first; the limits and demands last. */
  private static long deletionOrder(Reason r) {
    if (r instanceof Reason.BlockCoverage b) {
      return b.block().size() - Long.MAX_VALUE;
    }
    return 0;
  }

  private Params params(Context ctx, SolveOptions options, long started) {
    Params p = ctx.mkParams();
    p.add("timeout", (int) Math.max(1, Math.min(Integer.MAX_VALUE, remainingMillis(options, started))));
    return p;
  }

  /** Time left of the solve: its own limit and the command's deadline, whichever comes first. */
  private static long remainingMillis(SolveOptions options, long started) {
    return Math.min(options.deadline().remainingMillis(),
        (long) (options.timeLimitSeconds() * 1000) - millisSince(started));
  }

  private static Optional<Model> bestSoFar(Optimize opt) {
    try {
      return Optional.ofNullable(opt.getModel());
    } catch (Z3Exception e) {
      // No model: Z3 stopped before finding any layout.
      return Optional.empty();
    }
  }

  private static OptionalLong lowerBound(Optimize.Handle<?> pamt) {
    Expr<?> lower = pamt.getLower();
    if (lower instanceof IntNum n) {
      return OptionalLong.of(n.getInt64() * ByteSize.PAGE);
    }
    return OptionalLong.empty();
  }

  /** States one objective: the total weight of the violated soft constraints, minimised. */
  private static Optimize.Handle<?> soft(Optimize opt, List<Z3Model.Soft> softs, String objective) {
    Optimize.Handle<?> handle = null;
    for (Z3Model.Soft s : softs) {
      handle = opt.AssertSoft(s.holds(), Long.toString(s.weight()), objective);
    }
    return handle;
  }

  /**
   * The layout a model stands for, verified: the module's rules for the whole layout, and the OS
   * check against the TDX memory it keeps (all of it, or what coverage max leaves in).
   */
  private static Layout layoutOf(Z3Model model, Problem problem, Model m) {
    Problem.Decision decision = model.decision(m);
    Layout layout = problem.buildLayout(decision);
    LayoutVerifier.requireValid(problem.map(), problem.limits(), problem.policy(), layout);
    return layout;
  }

  private static long uncoveredBytes(Problem problem, Model m, Z3Model model) {
    Problem.Decision d = model.decision(m);
    return d.droppedAtoms().stream().mapToLong(i -> problem.atoms().get(i).range().size()).sum();
  }

  private static String family(Policy policy) {
    return "TDMRs on 1 GiB boundaries, one contiguous kernel-sized PAMT chunk per TDMR"
        + (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL ? " on the TDMR's NUMA node" : "")
        + ", holes " + policy.holes().text();
  }

  private static String infeasibleHeadline(Policy policy, TdxLimits limits) {
    return "z3: proven: no layout (%s) has at most %s and at most %s per TDMR"
        .formatted(family(policy), Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"));
  }

  private static String optimalLine(Problem problem, Layout layout) {
    return "z3: optimal in the layout family (%s): %s".formatted(family(problem.policy()), summary(layout));
  }

  private static String summary(Layout layout) {
    return "%s, PAMT %d bytes (%s), %s (at most %d in one TDMR)"
        .formatted(
            Count.of(layout.size(), "TDMR"),
            layout.pamtBytes(),
            ByteSize.human(layout.pamtBytes()),
            Count.of(layout.reservedAreaCount(), "reserved area"),
            layout.maxReservedPerTdmr());
  }

  private static EngineResult result(
      Status status,
      Optional<Layout> layout,
      OptionalLong pamt,
      List<String> messages,
      long started,
      long variables,
      long constraints) {
    return new EngineResult(NAME, status, layout, pamt, pamt, messages, millisSince(started), variables, constraints, 0);
  }

  private static long millisSince(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
