package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.IntNum;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import com.microsoft.z3.Params;
import com.microsoft.z3.Solver;
import java.util.ArrayList;
import java.util.Collections;
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
import tdmr.solver.AreaFreeLayout;
import tdmr.solver.EngineResult;
import tdmr.solver.AreaShortfall;
import tdmr.solver.BoundsFirst;
import tdmr.solver.BuiltOptimum;
import tdmr.solver.TierBounds;
import tdmr.solver.FilledIslandsPamtBound;
import tdmr.solver.FixedTdmrsAreaBound;
import tdmr.solver.GranulesLeftOut;
import tdmr.solver.Infeasibility;
import tdmr.solver.Instance;
import tdmr.solver.LayoutScore;
import tdmr.solver.LeftOutMemory;
import tdmr.solver.ModuleFamilyBounds;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.LeftOutPamtBound;
import tdmr.solver.OnlyTdmrPlaces;
import tdmr.solver.Question;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.TdmrCountBound;
import tdmr.solver.Watchdog;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * Z3 for the module family ({@link Policy.Family#MODULE}): the formulas of {@link ModuleEncoding}
 * over the shared {@link Instance} on one {@code QF_LIA} solver, and the lexicographic objective of
 * {@link LayoutScore} one tier at a time (coverage under {@code max}, remote PAMT under {@code
 * node-local}, PAMT pages, TDMRs, reserved areas). Each tier is minimised by checks of "at most v"
 * (first at its lower bound, then by bisection between the proven bound and the best value found)
 * and then fixed at its optimum before the next; the PAMT tier's lower bound ({@link
 * #leastPamtPages}) is also stated as a constraint, so Z3 never searches below it.
 *
 * <p>Statuses are what was proved: {@code OPTIMAL} when every tier is, {@code INFEASIBLE} on UNSAT
 * of the first check, {@code FEASIBLE} with the best validated layout (and, once the tiers before
 * it are proven, the PAMT tier's proven bound) when the deadline stopped a later check, {@code
 * UNKNOWN} otherwise. Every layout passes the validator before it leaves; one that does not, or an
 * optimum whose score differs from the model's tiers, is a bug of the encoding and answered {@code
 * UNKNOWN} with a message saying so, never claimed. The watchdog interrupts Z3 at the deadline, and
 * Z3's native memory is capped ({@link Z3Native#MAX_MEMORY_MB}) as for the kernel family.
 */
final class ModuleFamilyProver {
  private static final long PAGE = ByteSize.PAGE;

  private final MemoryMap map;
  private final Set<AddressRange> cutRuns;
  private final TdxLimits limits;
  private final Policy policy;
  private final Deadline deadline;
  private final long started;
  /** Written by the search thread; read by whichever thread answers. */
  private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
  private final List<String> details = Collections.synchronizedList(new ArrayList<>());
  private Instance instance;
  private ModuleEncoding model;
  private List<String> restrictions = List.of();
  private final SolveOptions options;
  /** The best layout known before the search: the kernel family's optimum, when there is one. */
  private Optional<Layout> incumbent = Optional.empty();

  /** One tier: its name in messages, what is minimised, and a value it cannot go below. */
  private record Tier(String name, ArithExpr<IntSort> expr, long lowerBound, String unit) {
    /** A count of TDMRs or areas, not a size. */
    boolean counts() {
      return name.equals("TDMRs") || name.equals("reserved areas");
    }

    /** A value of this tier in the user's words, as CP-SAT says it: {@code 1071644672 bytes (1022 MiB)}, {@code 5 TDMRs}. */
    String value(long v) {
      if (counts()) {
        return v + " " + unit;
      }
      return tdmr.mem.ByteSize.exact(unit.equals("bytes") ? v : v * tdmr.mem.ByteSize.PAGE);
    }
  }

  ModuleFamilyProver(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, long started,
      Set<AddressRange> cutRuns) {
    this(map, limits, policy, options, started, cutRuns, ModuleEncoding::new);
  }

  /**
   * How the model is built: {@link ModuleEncoding}'s constructor; tests put the time limit striking
   * while it is built in its place, which no timing could make happen reliably.
   */
  @FunctionalInterface
  interface Encoder {
    ModuleEncoding encode(Context ctx, Instance instance, int mostMemoryless);
  }

  private final Encoder encoder;

  ModuleFamilyProver(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, long started,
      Set<AddressRange> cutRuns, Encoder encoder) {
    this.encoder = encoder;
    this.map = map;
    this.cutRuns = cutRuns;
    this.limits = limits;
    this.policy = policy;
    this.deadline = options.solveDeadline();
    this.started = started;
    this.options = options;
  }

  /** The answer; {@link Deadline.Exceeded} when the deadline struck while the instance was prepared. */
  EngineResult solve() {
    instance = Instance.of(map, limits, policy, deadline, cutRuns);
    if (policy.coverage() == Policy.Coverage.ALL && !instance.impossibilities().isEmpty()) {
      messages.addAll(instance.impossibilities());
      messages.add("no layout can cover all TDX memory; `tdmr fix` finds the least memory to give up");
      return result(Status.INFEASIBLE, null, OptionalLong.empty())
          .withInfeasibility(Infeasibility.ofFacts(instance.impossibilities()));
    }
    if (instance.cells().isEmpty()) {
      String fact = "no TDX memory is left that a TDMR could cover";
      messages.add(fact);
      return result(Status.INFEASIBLE, null, OptionalLong.empty()).withInfeasibility(Infeasibility.ofFacts(List.of(fact)));
    }
    Optional<AreaShortfall> shortfall = BoundsFirst.shortfall(instance);
    if (shortfall.isPresent()) {
      messages.add(BoundsFirst.ruledOutSentence(shortfall.get()));
      return result(Status.INFEASIBLE, null, OptionalLong.empty()).withInfeasibility(Infeasibility.of(shortfall.get()));
    }
    long t0 = System.nanoTime();
    filled = new tdmr.solver.FilledStart(instance).find();
    filledMillis = (System.nanoTime() - t0) / 1_000_000;
    // Offered at once: should the solve not come back by its deadline (the kernel family's incumbent
    // and the model take seconds under load), DeadlineGuard answers with it rather than nothing.
    filled.ifPresent(l -> options.incumbent().offer(withUncovered(result(Status.FEASIBLE, l, OptionalLong.empty()),
        LayoutScore.of(map, limits, policy, l))));
    try {
      // Only the price asked (SolveOptions#stopAfterPamt): the tiers after PAMT need no proof, as CP-SAT.
      Optional<Layout> built = options.stopAfterPamt() ? Optional.empty() : BuiltOptimum.of(instance, filled);
      if (built.isPresent()) {
        return builtOptimum(built.get());
      }
    } catch (Deadline.Exceeded e) {
      if (filled.isEmpty()) {
        throw e;
      }
      // The built layout is valid: a witness, with the bound TierBounds derives below it (feasible).
      best = filled.get();
      return stopped("time limit, while the built layout's bounds were derived");
    }
    incumbent = incumbentLayout();
    if (TierSearch.LOG) {
      System.err.printf("z3 module incumbent: %d ms after the start%n", (System.nanoTime() - started) / 1_000_000);
    }
    best = incumbent.orElse(null);
    // Z3 does not notice an interrupt in every step (a large simplification, say): the search runs
    // in a thread of its own, and at the deadline the best layout known so far is the answer.
    Thread search = new Thread(this::search, "z3-module-family");
    search.setDaemon(true);
    search.start();
    try {
      search.join(Math.max(1, deadline.remainingMillis() + GRACE_MILLIS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (answer == null) {
        abandoned = true;
        return stopped("time limit; z3 did not return within %d ms of it".formatted(GRACE_MILLIS));
      }
      return answer;
    }
  }

  /** The layout {@link tdmr.solver.FilledStart} built, and how long it took. */
  private Optional<Layout> filled = Optional.empty();
  private long filledMillis;

  /**
   * {@code OPTIMAL} with {@link #filled}'s layout, which meets every tier's bound derived for the
   * whole family ({@link BuiltOptimum}): no model is built, and no restriction limits the claim.
   */
  private EngineResult builtOptimum(Layout layout) {
    LayoutScore score = LayoutScore.of(map, limits, policy, layout);
    messages.add("proven optimal among " + Policy.Family.MODULE.claim() + ": " + score.describe());
    details.add(("every tier met its lower bound, derived for the whole family, with the layout built by filling islands"
        + " and granules left out with PAMT levels (FilledStart, %d ms): no model was built, no restriction limits the"
        + " claim").formatted(filledMillis));
    details.add("z3 module-family model: not built (the built layout met every tier's bound); " + instance.describe());
    restrictions = List.of();
    return withUncovered(result(Status.OPTIMAL, layout, OptionalLong.of(layout.pamtBytes())), score);
  }

  /** How long after the deadline the search may take to notice it before the best known layout is the answer. */
  private static final long GRACE_MILLIS = 300;

  /** The search's answer, once it has one; the search owns it and the messages until then. */
  private EngineResult answer;
  /** Set when the answer was given without the search: whatever it finds later is dropped. */
  private boolean abandoned;
  /** The best valid layout known: the incumbent, then each better one the search finds. */
  private volatile Layout best;
  /** The PAMT tier's proven lower bound in pages, once the tiers before it are proven. */
  private volatile OptionalLong pamtBound = OptionalLong.empty();

  /**
   * The Z3 search (in its own thread): the model, the tiers, the answer. Where it stops early, its
   * answer ({@link #stopped}, which takes over the messages) is made only while it is not abandoned:
   * else the answer {@link #solve} gave said so already.
   */
  private void search() {
    java.util.function.Supplier<EngineResult> r;
    try (Context ctx = new Context(Map.of("model", "true"));
        // Z3 checks its "timeout" only in some phases; the watchdog stops the others at the deadline.
        Watchdog watchdog = Watchdog.at(deadline, ctx::interrupt)) {
      long contextMillis = (System.nanoTime() - started) / 1_000_000;
      model = encoder.encode(ctx, instance, mostMemoryless());
      if (TierSearch.LOG) {
        System.err.printf("z3 module model: %d variables, built %d ms after the start (context %d ms)%n",
            model.variables(), (System.nanoTime() - started) / 1_000_000, contextMillis);
      }
      details.add("z3 module-family model: %d variables, %d constraints; %s".formatted(model.variables(),
          model.constraints(), instance.describe()));
      EngineResult tiers = new Tiers(ctx).solve();
      r = () -> tiers;
    } catch (Deadline.Exceeded e) {
      r = () -> stopped("time limit, while the model was being built");
    } catch (com.microsoft.z3.Z3Exception e) {
      if (deadline.expired()) {
        r = () -> stopped("time limit");
      } else if (Z3Engine.isOutOfMemory(e)) {
        r = () -> stopped(("it reached its native memory cap of %d MiB (%s); raise it with -Dtdmr.z3.maxMemoryMb=N in"
            + " TDMR_JAVA_OPTS").formatted(Z3Native.MAX_MEMORY_MB, e.getMessage()));
      } else {
        throw e;
      }
    }
    synchronized (this) {
      if (!abandoned) {
        answer = r.get();
      }
    }
  }

  /**
   * The answer when the search stopped before a proof ({@code why}): the best valid layout known,
   * {@code FEASIBLE} with the PAMT bound proven so far, or {@code UNKNOWN} without one.
   */
  private EngineResult stopped(String why) {
    Layout layout = best;
    List<String> said;
    synchronized (messages) {
      said = new ArrayList<>(messages);
      messages.clear();
    }
    // The search may have answered just before it was abandoned: its best layout is said again below.
    said.removeIf(m -> m.startsWith(BEST_FOUND));
    if (layout == null) {
      messages.add("z3 stopped (%s) before finding a layout or proving that none exists".formatted(why));
      messages.addAll(said);
      return result(Status.UNKNOWN, null, OptionalLong.empty());
    }
    messages.add("z3 stopped (%s) before proving optimality".formatted(why));
    messages.addAll(said);
    return feasible(layout);
  }

  private static final String BEST_FOUND = "best layout found: ";

  /**
   * A {@code FEASIBLE} answer with {@code layout} (valid) and the PAMT bound proven so far, or, before
   * the PAMT tier's bound was derived (the time limit struck while the built layout's bounds or the
   * model were), the bound {@link tdmr.solver.TierBounds#pamtBytesBelow} that layout.
   */
  private EngineResult feasible(Layout layout) {
    LayoutScore score = LayoutScore.of(map, limits, policy, layout);
    messages.add(BEST_FOUND + score.describe());
    if (score.uncoveredBytes() > 0) {
      messages.addAll(LeftOutMemory.lines(map, policy, layout));
    }
    OptionalLong bound = pamtBound;
    OptionalLong bytes = bound.isPresent() ? OptionalLong.of(Math.min(bound.getAsLong() * PAGE, layout.pamtBytes()))
        : new tdmr.solver.TierBounds(instance).pamtBytesBelow(score);
    return withUncovered(result(Status.FEASIBLE, layout, bytes), score);
  }

  private static EngineResult withUncovered(EngineResult r, LayoutScore score) {
    return new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(), r.messages(),
        r.solveMillis(), r.modelVariables(), r.modelConstraints(), score.uncoveredBytes(), r.kernelFailure(),
        r.infeasibility(), r.details(), r.question());
  }


  /**
   * The best of the layouts known to be of the module family, by the objective: the floor {@link
   * tdmr.solver.KernelFamilyFloor} found before this solve (the better of the kernel family's best
   * and the kernel constructions'), or without one, the kernel family's best within a third of the
   * time (Z3's own, {@link Z3Model}) and the kernel constructions' best ({@link
   * tdmr.solver.GreedyEngine#constructionsLayout}, which rank no remote PAMT but keep PAMT on the
   * TDMR's node). Every kernel-shaped layout is one of the module family too (three levels back to
   * back in one block), so it is an incumbent that the module family's search only has to beat,
   * tier by tier, and the answer when the time limit strikes while the model is built. Empty when
   * none has a layout in time.
   */
  private Optional<Layout> incumbentLayout() {
    List<EngineResult> known = new ArrayList<>();
    // KernelFamilyFloor, when it runs this engine, has solved the kernel family and built the constructions already.
    options.incumbent().floor().ifPresentOrElse(known::add, () -> {
      known.add(new Z3Engine().solve(map, limits, policy.withFamily(Policy.Family.KERNEL),
          options.withDeadline(deadline.share(3))));
      tdmr.solver.GreedyEngine.constructionsLayout(map, limits, policy, deadline.share(4)).ifPresent(known::add);
    });
    if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
      // Where every layout without reserved areas has remote PAMT (a multi-node host at fewer TDMRs
      // than nodes, a frontier question at 0 areas), one with it: a start, FilledStart's has none.
      new AreaFreeLayout(instance, false).find().ifPresent(l -> known.add(new EngineResult(
          "AreaFreeLayout", Status.FEASIBLE, Optional.of(l), OptionalLong.of(l.pamtBytes()), OptionalLong.empty(),
          List.of(), 0, 0, 0, 0)));
    }
    EngineResult best = null;
    for (EngineResult r : known) {
      if (r.layout().isEmpty() || !LayoutVerifier.failures(map, limits, policy, r.layout().get()).isEmpty()) {
        continue;
      }
      if (best == null || LayoutScore.of(map, limits, policy, r.layout().get())
          .betterThan(LayoutScore.of(map, limits, policy, best.layout().get()), policy)) {
        best = r;
      }
    }
    Optional<Layout> filled = filledStart(best);
    if (filled.isPresent()) {
      return filled;
    }
    if (best == null) {
      return Optional.empty();
    }
    details.add(options.incumbent().floor().filter(best::equals).isPresent()
        ? "incumbent: the floor KernelFamilyFloor found before this solve (the kernel family's or a kernel"
            + " construction's layout)"
        : "incumbent: the %s layout of %s (%d ms)".formatted(best.status().toString().toLowerCase(java.util.Locale.ROOT),
            best.solver(), best.solveMillis()));
    return best.layout();
  }

  /**
   * The layout of {@link tdmr.solver.FilledStart} (islands between holes filled with PAMT levels)
   * when it is valid and better than {@code known} (or there is none): on maps whose low granule
   * holds more holes than a TDMR has areas, neither the kernel family nor the greedy has a layout,
   * and Z3's first check alone found none within 10 s. A start, no claim: it passed the validator.
   */
  private Optional<Layout> filledStart(EngineResult known) {
    if (filled.isEmpty() || known != null && !LayoutScore.of(map, limits, policy, filled.get())
        .betterThan(LayoutScore.of(map, limits, policy, known.layout().get()), policy)) {
      return Optional.empty();
    }
    details.add("incumbent: islands between holes filled with PAMT levels (FilledStart, %d ms)".formatted(filledMillis));
    return filled;
  }

  /**
   * How many TDMRs without memory a layout can have that is at least as good as the incumbent in
   * every tier up to PAMT; all that {@link Instance#memorylessSites} offers without an incumbent,
   * or when a tier before PAMT is searched below the incumbent's value (it leaves coverable memory
   * out, or has remote PAMT): such a layout may have more PAMT.
   *
   * <p>With the incumbent's PAMT {@code P}: in such a layout every TDX memory granule is in a TDMR
   * or its memory is all PAMT (else memory is left out that the incumbent covers), and a granule
   * with more memory than {@code P} pages cannot be all PAMT; so at least {@code G} granules are in
   * TDMRs holding memory, whose 4K and 2M levels cost at least their whole pages per GiB for each,
   * and one of which has a 1G level of a page or more; each TDMR without memory has three levels of
   * at least a 1 GiB TDMR's minimum. So {@code m · memoryless + G · perGiB + 1 <= P}.
   */
  private int mostMemoryless() {
    if (incumbent.isEmpty()) {
      return Integer.MAX_VALUE;
    }
    LayoutScore s = LayoutScore.of(map, limits, policy, incumbent.get());
    if (s.uncoveredBytes() > instance.deadMemory()
        || LayoutScore.ranksRemotePamt(policy) && s.remotePamtBytes() > 0) {
      // A tier before PAMT is searched below the incumbent, where the PAMT may exceed its.
      return Integer.MAX_VALUE;
    }
    long pamt = s.pamtBytes() / PAGE;
    long perGiB = 0;
    long memoryless = instance.chunkPages(1);
    for (PageSize level : PageSize.values()) {
      perGiB += instance.perGiBBytes(level) / PAGE;
    }
    long inTdmrs = 0;
    for (Instance.Cell c : instance.cells()) {
      if (c.kind() == Instance.Kind.PLAIN) {
        inTdmrs += Instance.GIB_PAGES > pamt ? c.sizeGiB() : 0;
      } else if (c.kind() == Instance.Kind.MIXED) {
        long memory = 0;
        for (Instance.Atom a : instance.atoms().subList(c.firstAtom(), c.endAtom())) {
          if (a.memory()) {
            memory += a.pages();
          }
        }
        inTdmrs += memory > pamt ? 1 : 0;
      }
    }
    long left = pamt - inTdmrs * perGiB - (inTdmrs > 0 ? 1 : 0);
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left / memoryless));
  }

  /**
   * The least PAMT pages of any layout of the module family covering all TDX memory: the shared
   * bound of {@link ModuleFamilyBounds} (without cuts by node, so it holds before the remote tier is
   * known), which allows for memory granules left out of every TDMR and filled by PAMT; 1 when it
   * knows nothing. (Z3's own bound charged each granule its levels or, left out, its memory: the
   * PAMT filling a granule left out is also the levels of the granules its TDMR covers, so that sum
   * counted it twice and ruled out layouts such as one 1 GiB TDMR whose 1027 pages of levels fill
   * the 1027 pages of memory in the next granule, Z3ModuleFamilyTest#granuleLeftOutFilledByPamt.)
   */
  long leastPamtPages() {
    return Math.max(1, new ModuleFamilyBounds(instance, false).leastPamtPages().orElse(1));
  }

  /** The tiers on one solver, and the answer. */
  private final class Tiers {
    private final Context ctx;
    private final Solver solver;
    private Model last;
    private boolean proven = true;

    Tiers(Context ctx) {
      this.ctx = ctx;
      this.solver = ctx.mkSolver();
      this.active = solver;
      model.background().forEach(solver::add);
      model.groups().values().forEach(fs -> solver.add(fs.toArray(BoolExpr[]::new)));
    }

    /** The solver the checks run on: {@link #solver}, or the one of {@link #onFixedTdmrs} once the TDMRs are fixed. */
    private Solver active;

    /**
     * Once the TDMRs are fixed, the checks move to a solver of Z3's {@code qflia} tactic with the
     * same assertions: Z3's default solver, on push/pop, runs its incremental core without the
     * preprocessing, while with TDMRs and PAMT fixed most integers are constants that the tactic's
     * simplification removes (the areas tier proven 5-15 times faster on the real maps,
     * benchmarks/README.md). Not before: on the whole model of a multi-socket host the tactic
     * answered its interrupt late and took gigabytes of native memory.
     */
    private void onFixedTdmrs() {
      Solver fast = ctx.mkSolver(ctx.mkTactic("qflia"));
      fast.add(solver.getAssertions());
      active = fast;
    }

    EngineResult solve() {
      List<Tier> tiers = tierList();
      for (Tier tier : tiers) {
        tier = withOnlyTdmrAreaBound(withOnlyTdmrRemoteBound(withSharedBound(tier)));
        if (tier.name().equals("reserved areas") && fixForcedTdmrs()) {
          onFixedTdmrs();
          long least = leastAreas(fixedTdmrs);
          if (least > tier.lowerBound()) {
            details.add("reserved areas tier: at least %d (TDMRs holding a gap they must reserve)".formatted(least));
            tier = new Tier(tier.name(), tier.expr(), least, tier.unit());
          }
        } else if (tier.name().equals("reserved areas")) {
          Optional<List<List<AddressRange>>> sets = tdmrSetsAtBound();
          String which = "one within each run of memory granules on one node, granules at its ends left out and filled"
              + " by PAMT";
          if (sets.isEmpty() && !onlyTdmrPlaces.isEmpty()) {
            sets = Optional.of(onlyTdmrPlaces.stream().map(List::of).toList());
            which = "the places of the only TDMR over which the PAMT tier was proven (OnlyTdmrPlaces)";
          }
          if (sets.isEmpty()) {
            sets = filledIslandSets();
            which = "those at this PAMT and TDMR count that can fill the islands their runs of holes need within the"
                + " area limit (FilledIslandsPamtBound#setsWith)";
          }
          if (sets.isPresent()) {
            minimiseOver(tier, sets.get(), which);
            break;
          }
        }
        Optional<EngineResult> early = minimise(tier);
        if (early.isPresent()) {
          return early.get();
        }
        if (!proven) {
          break;
        }
      }
      return answer();
    }

    private List<Tier> tierList() {
      List<Tier> tiers = new ArrayList<>();
      if (policy.coverage() == Policy.Coverage.MAX) {
        tiers.add(new Tier("coverage", model.uncoveredPages(), 0, "uncovered pages"));
      }
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
        tiers.add(new Tier("remote PAMT", model.remoteBytes(), 0, "bytes"));
      }
      long leastPamt = policy.coverage() == Policy.Coverage.ALL ? leastPamtPages() : 1;
      solver.add(ctx.mkGe(model.pamtPages(), ctx.mkInt(leastPamt)));
      tiers.add(new Tier("PAMT", model.pamtPages(), leastPamt, "pages"));
      if (options.stopAfterPamt()) {
        return tiers;
      }
      tiers.add(new Tier("TDMRs", model.tdmrCount(), 1, "TDMRs"));
      tiers.add(new Tier("reserved areas", model.areaCount(), 0, "areas"));
      return tiers;
    }

    /**
     * Minimises one tier and fixes it; an answer already when the first check proves that no layout
     * exists or finds none before the deadline. Clears {@link #proven} when the deadline stops it.
     *
     * <p>While every tier so far has the incumbent's value, the incumbent's value of this tier is an
     * upper bound that a layout meets: the first check is then whether any layout does better
     * (often not, and one unsatisfiable check proves the tier). Otherwise the first check is at the
     * tier's lower bound, and then bisection between the proven bound and the best value found.
     */
    private Optional<EngineResult> minimise(Tier tier) {
      long lo = tier.lowerBound();
      long hi;
      long probe;
      if (last == null && incumbent.isPresent()) {
        hi = incumbentValue(tier);
        // Remote PAMT above a bound: first at the bound (the optimum at one TDMR on the real
        // two-socket hosts; halving down from the incumbent's megabytes took ten checks or more).
        probe = tier.name().equals("remote PAMT") && lo > 0 ? lo : hi - 1;
        if (hi < lo) {
          throw new IllegalStateException("the %s tier's lower bound %d is above a valid layout's %d".formatted(tier.name(),
              lo, hi));
        }
      } else {
        if (last == null) {
          Optional<EngineResult> none = firstLayout();
          if (none.isPresent()) {
            return none;
          }
        }
        hi = value(tier.expr());
        probe = tier.counts() ? hi - 1 : lo;
      }
      if (tier.name().equals("PAMT") && lo < hi && bounds != null && !bounds.tdmrs().isEmpty()
          && Long.valueOf(lo).equals(bounds.leastPamtPages().orElse(-1))) {
        // A layout at the bound has one TDMR per run (when its granules hold more than the bound):
        // with the TDMRs fixed so, only the levels' places are left to find, which is quick. A
        // failure here proves nothing (the TDMRs were assumed), so the search below goes on.
        // Below B (the least PAMT of TDMRs covering every memory granule) some granule is left out.
        boolean covering = lo >= bounds.leastCoveringPages();
        if (covering && check(List.of(ctx.mkLe(tier.expr(), ctx.mkInt(lo)), model.tdmrsAre(bounds.tdmrs())))
            == com.microsoft.z3.Status.SATISFIABLE) {
          adopt();
          hi = value(tier.expr());
          details.add("PAMT tier: a layout at its lower bound with one TDMR per run of memory granules");
        } else if (!covering) {
          hi = leastLeavingGranulesOut(tier, lo, hi);
        }
      }
      if (tier.name().equals("PAMT") && lo < hi && coversAll() && remoteFree()
          && pamtBoundSource.equals(LeftOutPamtBound.class.getSimpleName())) {
        hi = atLeftOutRuns(tier, lo, hi);
      }
      if (tier.name().equals("PAMT") && lo < hi && limits.maxTdmrs() == 1 && coversAll()) {
        PlacesOutcome over = leastOverOnlyTdmrPlaces(tier, lo, hi);
        hi = over.hi();
        if (over.proven()) {
          lo = hi;
          details.add(("PAMT tier: proven with the only TDMR fixed at each place OnlyTdmrPlaces leaves below the best"
              + " found (%s at the optimum)").formatted(Count.of(over.places().size(), "place")));
          onlyTdmrPlaces = over.places();
        }
      }
      if (tier.name().equals("reserved areas") && lo < hi && active == solver) {
        // The TDMRs of the best layout found, fixed, on a solver of its own: on the hosts of 512 GiB
        // or more per node, the layouts with fewer areas lie there, and the whole model's search
        // takes seconds to find one. Proves nothing (the TDMRs were assumed); the search below does.
        Optional<List<AddressRange>> tdmrs = bestTdmrs();
        if (tdmrs.isPresent()) {
          long before = hi;
          hi = leastWithTdmrs(tier, lo, hi, tdmrs.get(), deadline.remainingMillis() / 2);
          if (hi < before) {
            details.add("reserved areas tier: %s with the TDMRs of the best layout fixed".formatted(tier.value(hi)));
          }
        }
      }
      if (tier.name().equals("remote PAMT") && lo == 0 && lo < hi && model.memorylessTdmrs() > 0
          && limits.maxTdmrs() <= 3 && new OnlyTdmrPlaces(instance).stretches() <= 3L * limits.maxTdmrs()) {
        // A layout whose TDMRs hold no memory has no remote PAMT (its levels fill all memory): where
        // the TDMR limit leaves no other (one TDMR on a multi-node host), the whole model's search
        // for one took more than 5 s on a 16 GiB four-node VM. A guess on a solver of its own; its
        // failure proves nothing.
        if (checkFixedTdmrs(List.of(ctx.mkLe(tier.expr(), ctx.mkInt(0)), model.noMemoryCovered()),
            deadline.remainingMillis() / 4) == com.microsoft.z3.Status.SATISFIABLE) {
          adopt();
          hi = value(tier.expr());
          details.add("remote PAMT tier: none, with TDMRs holding no memory and levels filling it");
        }
      }
      if (tier.name().equals("remote PAMT") && lo > 0 && lo < hi && limits.maxTdmrs() == 1 && coversAll()) {
        // At the bound OnlyTdmrPlaces proves, with the only TDMR fixed at each place that could meet
        // it: a layout found there meets the bound, so it proves the tier. On a 32 GiB two-socket
        // host the whole model's check at the bound took 3.2 s under load, with the TDMR fixed
        // 0.1-0.4 s. A failure proves nothing; the search below goes on.
        for (AddressRange place : new OnlyTdmrPlaces(instance).placesWithin(lo)) {
          BoolExpr at = model.tdmrsAt(List.of(place));
          if (!at.isFalse() && checkFixedTdmrs(List.of(ctx.mkLe(tier.expr(), ctx.mkInt(lo)), at),
              deadline.remainingMillis() / 4) == com.microsoft.z3.Status.SATISFIABLE) {
            adopt();
            hi = value(tier.expr());
            details.add("remote PAMT tier: its bound met with the only TDMR at " + place);
            break;
          }
        }
      }
      // After "at most its bound" fails, the remote tier tries the next value a layout can have once.
      boolean stepOnce = tier.name().equals("remote PAMT") && probe == lo;
      while (lo < hi) {
        probe = Math.max(lo, Math.min(probe, hi - 1));
        com.microsoft.z3.Status st = check(List.of(ctx.mkLe(tier.expr(), ctx.mkInt(probe))));
        if (st == com.microsoft.z3.Status.SATISFIABLE) {
          adopt();
          hi = value(tier.expr());
        } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
          lo = probe + 1;
          if (tier.name().equals("remote PAMT")) {
            lo = Math.min(hi, RemoteStep.of(instance).next(lo));
          }
          if (tier.name().equals("PAMT")) {
            pamtBound = OptionalLong.of(lo);
          }
        } else {
          proven = false;
          messages.add("z3 stopped (%s) in the %s tier: best %s, proven at least %s".formatted(why(), tier.name(),
              tier.value(hi), tier.value(lo)));
          break;
        }
        // Counts (TDMRs, areas) are small and their optimum is usually just below the best found:
        // step down; sizes bisect.
        probe = tier.counts() ? hi - 1 : stepOnce && st == com.microsoft.z3.Status.UNSATISFIABLE ? lo
            : lo + (hi - lo) / 2;
        stepOnce = false;
      }
      if (tier.name().equals("PAMT")) {
        // The tiers before it are proven (the first stopped tier ends the search): lo is a bound.
        pamtBound = OptionalLong.of(lo);
      }
      if (TierSearch.LOG) {
        System.err.printf("z3 module tier %s: %d..%d, %d ms%n", tier.name(), lo, hi, (System.nanoTime() - started) / 1_000_000);
      }
      active.add(ctx.mkEq(tier.expr(), ctx.mkInt(hi)));
      if (active != solver) {
        solver.add(ctx.mkEq(tier.expr(), ctx.mkInt(hi)));
      }
      if (proven) {
        fixed.put(tier.name(), hi);
      }
      return Optional.empty();
    }

    /**
     * The PAMT tier at the bound of {@link LeftOutPamtBound} (where the TDMR limit binds: one TDMR
     * for some nodes' memory, the other nodes' left out and filled by the levels of TDMRs without
     * memory, on the four-socket Westmere-EX map at two and three TDMRs): one check at the bound with
     * the TDMRs holding memory fixed over the runs of a least set ({@link
     * LeftOutPamtBound#leastRunTdmrs}), TDMRs without memory left free, on a solver of its own within
     * a quarter of the time left. A layout found there meets the bound, which proves the tier; a
     * failure proves nothing (the TDMRs were guessed), and the search goes on. Z3's whole model did
     * not come down from all memory as PAMT within 10 s there. {@code hi} when nothing is found.
     */
    private long atLeftOutRuns(Tier tier, long lo, long hi) {
      Optional<List<AddressRange>> tdmrs = LeftOutPamtBound.leastRunTdmrs(instance.map(), limits);
      if (tdmrs.isEmpty()) {
        return hi;
      }
      BoolExpr at = model.memoryTdmrsAt(tdmrs.get());
      if (!at.isFalse() && checkFixedTdmrs(List.of(ctx.mkLe(tier.expr(), ctx.mkInt(lo)), at),
          deadline.remainingMillis() / 4) == com.microsoft.z3.Status.SATISFIABLE) {
        adopt();
        details.add("PAMT tier: a layout at its lower bound with the TDMRs holding memory over the runs of"
            + " LeftOutPamtBound's least set");
        return value(tier.expr());
      }
      return hi;
    }

    /** Which bound gave the PAMT tier's lower bound ({@link TierBounds.Bound#source}), if a shared one did. */
    private String pamtBoundSource = "";

    /** Whether remote PAMT is proven 0 under {@code node-local}. */
    private boolean remoteFree() {
      return policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && Long.valueOf(0).equals(fixed.get("remote PAMT"));
    }

    /**
     * The least value of {@code tier} between {@code lo} and {@code hi} among the layouts with
     * exactly the TDMRs {@code tdmrs} (on a {@code qflia} solver of its own, within {@code millis}:
     * sizes by bisection, counts stepping down), each better layout adopted; {@code hi} when none is better. Proves nothing
     * about the tier (the TDMRs were assumed); it gives the search below a good layout: on the hosts
     * whose bound is a page or two below the optimum, a layout there.
     */
    private long leastWithTdmrs(Tier tier, long lo, long hi, List<AddressRange> tdmrs, long millis) {
      return leastWithTdmrs(tier, lo, hi, tdmrs, millis, Integer.MAX_VALUE);
    }

    /** {@link #leastWithTdmrs(Tier, long, long, List, long)} with at most {@code checks} checks. */
    private long leastWithTdmrs(Tier tier, long lo, long hi, List<AddressRange> tdmrs, long millis, int checks) {
      long until = System.nanoTime() / 1_000_000 + millis;
      Solver fast = ctx.mkSolver(ctx.mkTactic("qflia"));
      fast.add(solver.getAssertions());
      fast.add(model.tdmrsAt(tdmrs));
      // Counts step down from the best found (their optimum usually lies just below); sizes bisect.
      long probe = tier.counts() ? hi - 1 : lo;
      for (int check = 0; lo < hi && check < checks; check++) {
        long left = until - System.nanoTime() / 1_000_000;
        if (left <= 0) {
          break;
        }
        com.microsoft.z3.Status st = check(fast, List.of(ctx.mkLe(tier.expr(), ctx.mkInt(probe))), left);
        if (st == com.microsoft.z3.Status.SATISFIABLE) {
          adopt();
          hi = value(tier.expr());
        } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
          lo = probe + 1;
        } else {
          break;
        }
        probe = tier.counts() ? hi - 1 : lo + (hi - lo) / 2;
      }
      return hi;
    }

    /**
     * The PAMT tier at a bound of {@link ModuleFamilyBounds} that allows for granules left out of
     * every TDMR and filled by PAMT (hosts of 256 GiB or more: a 256 GiB TDMR's 4K level is 1 GiB):
     * the least PAMT found between {@code lo} and {@code hi} with the TDMRs of each guess fixed
     * ({@link #leastWithTdmrs}), first those of {@link ModuleFamilyBounds#runEndCandidates} (granules
     * at one end of one run left out, as CP-SAT starts), then those of {@link
     * ModuleFamilyBounds#leftOutCandidates} (whole granules left out, the TDMRs cut there, as CP-SAT
     * starts too), then those of {@link TdmrCountBound#startingTdmrs} (cut so that their 4K levels
     * can fill the runs left out wholly), then those of {@link GranulesLeftOut}, until one reaches
     * {@code lo}: first one check of each at {@code lo}, then the search below it. Proves nothing; it
     * gives the search below a layout at or near the bound.
     */
    private long leastLeavingGranulesOut(Tier tier, long lo, long hi) {
      List<List<AddressRange>> guesses = new ArrayList<>();
      for (List<long[]> set : bounds.runEndCandidates(MOST_RUN_END_GUESSES)) {
        guesses.add(set.stream().map(t -> new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB)).toList());
      }
      // Whole granules left out of every TDMR, the TDMRs cut there (as CP-SAT starts): the low
      // granule of a host whose first GiB holds a few MiB less than a 255 GiB TDMR's levels.
      for (java.util.Set<Integer> set : bounds.leftOutCandidates(MOST_LEFT_OUT_GUESSES)) {
        guesses.add(instance.cellSpans(bounds.tdmrsLeavingOut(set)));
      }
      // TDMRs cut so that their 4K levels can fill the runs left out wholly (TdmrCountBound).
      for (List<long[]> set : new TdmrCountBound(instance).startingTdmrs(lo, MOST_CUT_GUESSES)) {
        guesses.add(set.stream().map(t -> new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB)).toList());
      }
      guesses.add(leftOut(bounds));
      // First one check per guess at the bound itself (a guess that meets it ends the tier), each
      // within an equal share of the time left, one share kept for the search below: a guess that
      // cannot reach the bound would otherwise take its whole share bisecting before the right one
      // is tried, and a share much smaller than one check (a quarter of it was, on the 1 TiB host
      // at 5 s) meets the bound with no guess at all.
      for (int i = 0; i < guesses.size() && lo < hi; i++) {
        long millis = deadline.remainingMillis() / (guesses.size() - i + 1);
        hi = leastWithTdmrs(tier, lo, hi, guesses.get(i), millis, 1);
      }
      for (int i = 0; i < guesses.size() && lo < hi; i++) {
        // Each guess gets a share of half the time left; the last gets what the others leave.
        long millis = deadline.remainingMillis() / 2 / (guesses.size() - i);
        hi = leastWithTdmrs(tier, lo, hi, guesses.get(i), millis);
      }
      if (hi == lo) {
        details.add("PAMT tier: a layout at its lower bound with one TDMR within each run of memory granules,"
            + " granules at its ends left out and filled by PAMT");
      }
      return hi;
    }

    /**
     * The places of the only TDMR left once the PAMT tier was proven over them ({@link
     * #leastOverOnlyTdmrPlaces}): every layout at that PAMT has one; empty otherwise.
     */
    private List<AddressRange> onlyTdmrPlaces = List.of();

    /**
     * The outcome of {@link #leastOverOnlyTdmrPlaces}: the best value found, whether every place was
     * decided, and the places that may still hold a layout at that value.
     */
    private record PlacesOutcome(long hi, boolean proven, List<AddressRange> places) {}

    /**
     * The PAMT tier at one TDMR, no coverable memory given up: over every place {@link
     * OnlyTdmrPlaces} leaves for a layout below {@code hi} (at the remote PAMT proven, under
     * node-local), the least PAMT with the TDMR fixed there, on a {@code qflia} solver of its own,
     * from the place's own bound up by bisection; each better layout adopted. When every place is
     * decided the least over them is the tier's optimum: every layout of the model below {@code hi}
     * has its TDMR at one of them. Not proven when the deadline stops a check, or when no list is
     * given (too many places, or a TDMR without memory could hold all memory as PAMT).
     */
    private PlacesOutcome leastOverOnlyTdmrPlaces(Tier tier, long lo, long hi) {
      OptionalLong remote = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && fixed.containsKey("remote PAMT")
          ? OptionalLong.of(fixed.get("remote PAMT")) : OptionalLong.empty();
      Optional<List<OnlyTdmrPlaces.Place>> places = new OnlyTdmrPlaces(instance).places(hi - 1, remote);
      if (TierSearch.LOG) {
        System.err.printf("z3 module: only-TDMR places below %d pages: %s%n", hi,
            places.map(p -> String.valueOf(p.size())).orElse("none listed"));
      }
      if (places.isEmpty()) {
        return new PlacesOutcome(hi, false, List.of());
      }
      // Per place: the least PAMT it may still hold once decided (nothing below it there).
      Map<AddressRange, Long> decided = new java.util.LinkedHashMap<>();
      for (OnlyTdmrPlaces.Place place : places.get()) {
        long least = Math.max(lo, place.leastPamtPages());
        BoolExpr at = model.tdmrsAt(List.of(place.tdmr()));
        if (at.isFalse()) {
          // A place the model's family does not hold (its restrictions are named in the claim).
          continue;
        }
        decided.put(place.tdmr(), least);
        if (least >= hi) {
          continue;
        }
        Solver fast = ctx.mkSolver(ctx.mkTactic("qflia"));
        fast.add(solver.getAssertions());
        fast.add(at);
        // First at the place's own bound (where the optimum usually is), then bisection.
        long probe = least;
        while (least < hi) {
          com.microsoft.z3.Status st = check(fast, List.of(ctx.mkLe(tier.expr(), ctx.mkInt(probe))),
              deadline.remainingMillis());
          if (st == com.microsoft.z3.Status.SATISFIABLE) {
            adopt();
            hi = value(tier.expr());
          } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
            least = probe + 1;
          } else {
            return new PlacesOutcome(hi, false, List.of());
          }
          probe = least + (hi - least) / 2;
        }
        decided.put(place.tdmr(), least);
      }
      // The places a layout at the optimum may have: those the model holds, not decided above it.
      List<AddressRange> atOptimum = new ArrayList<>();
      for (OnlyTdmrPlaces.Place place : new OnlyTdmrPlaces(instance).places(hi, remote).orElse(List.of())) {
        Long least = decided.get(place.tdmr());
        if ((least == null || least <= hi) && !model.tdmrsAt(List.of(place.tdmr())).isFalse()) {
          atOptimum.add(place.tdmr());
        }
      }
      return new PlacesOutcome(hi, true, atOptimum);
    }

    /** The most guesses of {@link ModuleFamilyBounds#leftOutCandidates} the PAMT tier tries. */
    private static final int MOST_LEFT_OUT_GUESSES = 6;

    /** The most guesses of {@link TdmrCountBound#startingTdmrs} the PAMT tier tries. */
    private static final int MOST_CUT_GUESSES = 2;

    /** The most guesses of {@link ModuleFamilyBounds#runEndCandidates} the PAMT tier tries. */
    private static final int MOST_RUN_END_GUESSES = 4;

    /** The TDMRs of the best layout found so far (of the model's last solution, else the incumbent's). */
    private Optional<List<AddressRange>> bestTdmrs() {
      if (last != null) {
        return model.tdmrRanges(last);
      }
      return incumbent.map(l -> l.tdmrs().stream().map(t -> new AddressRange(t.base(), t.base() + t.size())).toList());
    }

    private List<AddressRange> leftOut(ModuleFamilyBounds b) {
      List<AddressRange> t = new GranulesLeftOut(instance).tdmrs(b.tdmrs());
      if (TierSearch.LOG) {
        System.err.println("z3 module: TDMRs leaving granules out: " + t);
      }
      return t;
    }

    /**
     * The TDMR sets of {@link GranulesLeftOut#tdmrSetsAtBound} when PAMT is fixed at the per-node
     * bound and the TDMRs at one per piece (the count {@link GranulesLeftOut#leastTdmrsAtBound}
     * proves), so that every layout left has one of them; empty otherwise.
     */
    private Optional<List<List<AddressRange>>> tdmrSetsAtBound() {
      if (bounds == null || !fixed.containsKey("PAMT") || !fixed.containsKey("TDMRs")) {
        return Optional.empty();
      }
      Optional<GranulesLeftOut.SetsAtBound> sets = new GranulesLeftOut(instance).setsAtBound(bounds, fixed.get("PAMT"),
          fixed.get("TDMRs"), GranulesLeftOut.MOST_TDMR_SETS);
      if (sets.isPresent() && sets.get().coveredWithinBound() > 0) {
        details.add(("TDMRs: %s within the node's PAMT bound cannot be left out of every TDMR whole (no sum of the"
            + " levels fills its memory; GranulesLeftOut#mayBeLeftOutWhole)").formatted(
                Count.of(sets.get().coveredWithinBound(), "run")));
      }
      return sets.map(GranulesLeftOut.SetsAtBound::sets);
    }

    /**
     * The TDMR sets of {@link FilledIslandsPamtBound#setsWith} when PAMT and the TDMR count are fixed
     * and no coverable memory is given up (every layout left has one of them, up to the window's
     * argument); empty otherwise, or when it lists none (this search has a layout, so that would be a
     * bug of the bound, and the whole model's search is left to decide).
     */
    private Optional<List<List<AddressRange>>> filledIslandSets() {
      if (!coversAll() || !fixed.containsKey("PAMT") || !fixed.containsKey("TDMRs")) {
        return Optional.empty();
      }
      boolean remoteFree = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && Long.valueOf(0).equals(fixed.get("remote PAMT"));
      return new FilledIslandsPamtBound(instance, remoteFree).setsWith(fixed.get("PAMT"), fixed.get("TDMRs"),
          GranulesLeftOut.MOST_TDMR_SETS).filter(sets -> !sets.isEmpty());
    }

    /**
     * The areas tier over the layouts whose TDMRs are one of {@code sets} (every layout left has
     * one, {@code which} says why): the least areas of each set, its TDMRs fixed, on a {@code qflia}
     * solver of its own, stepping down from the best known; the least over the sets is the tier's
     * optimum.
     */
    private void minimiseOver(Tier tier, List<List<AddressRange>> sets, String which) {
      long lo = tier.lowerBound();
      // Every tier so far may have been proven at the incumbent's values, without a model of Z3's.
      long hi = last == null && incumbent.isPresent() ? incumbentValue(tier) : value(tier.expr());
      details.add("TDMRs: %s: %s of TDMRs meet the PAMT and TDMR bounds".formatted(which, Count.of(sets.size(), "set")));
      for (List<AddressRange> set : sets) {
        long setLeast = leastAreas(set);
        if (hi - 1 < Math.max(lo, setLeast)) {
          continue;
        }
        Solver fast = ctx.mkSolver(ctx.mkTactic("qflia"));
        fast.add(solver.getAssertions());
        fast.add(model.tdmrsAt(set));
        while (Math.max(lo, setLeast) < hi) {
          com.microsoft.z3.Status st = check(fast, List.of(ctx.mkLe(tier.expr(), ctx.mkInt(hi - 1))), deadline.remainingMillis());
          if (st == com.microsoft.z3.Status.SATISFIABLE) {
            adopt();
            hi = value(tier.expr());
          } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
            break;
          } else {
            proven = false;
            messages.add("z3 stopped (%s) in the %s tier: best %s".formatted(deadline.expired() ? "time limit"
                : fast.getReasonUnknown(), tier.name(), tier.value(hi)));
            return;
          }
        }
      }
      if (TierSearch.LOG) {
        System.err.printf("z3 module tier %s over %d TDMR sets: %d, %d ms%n", tier.name(), sets.size(), hi,
            (System.nanoTime() - started) / 1_000_000);
      }
      fixed.put(tier.name(), hi);
    }


    /** The value each proven tier is fixed at, by tier name. */
    private final Map<String, Long> fixed = new java.util.HashMap<>();
    /** The bounds of {@link ModuleFamilyBounds} that gave the PAMT tier's lower bound, if they did. */
    private ModuleFamilyBounds bounds;
    /** The family's bounds per tier. */
    private final TierBounds tierBounds = new TierBounds(instance);

    /**
     * {@code tier} with the lower bound {@link TierBounds} combines for it from the tiers fixed so
     * far, when that is higher than the tier's own. The bound holds for every layout of the module
     * family, so for the layouts of this model too; it is also stated as a constraint. Once the PAMT
     * tier's bound is taken with no coverable memory given up, {@link #bounds} keeps the covering
     * bounds it came from (the TDMRs and areas tiers use them to fix TDMRs), and each node's PAMT is
     * stated to be at least its own bound ({@link ModuleFamilyBounds#leastPamtPagesPerNode}: with the
     * total at its bound, a TDMR over two runs of a node is seen at once to cost more than that
     * node's share).
     */
    private Tier withSharedBound(Tier tier) {
      TierBounds.Proven proven = proven();
      Optional<TierBounds.Bound> least = switch (tier.name()) {
        case "PAMT" -> {
          tierBounds.covering(proven).ifPresent(b -> {
            bounds = b;
            b.leastPamtPagesPerNode().forEach((node, pages) -> solver.add(ctx.mkGe(model.pamtPagesOn(node),
                ctx.mkInt(pages))));
          });
          yield tierBounds.pamtPages(proven);
        }
        case "TDMRs" -> tierBounds.tdmrs(proven);
        case "reserved areas" -> tierBounds.reservedAreas(proven, Long.MAX_VALUE);
        default -> Optional.empty();
      };
      if (least.isEmpty() || least.get().value() <= tier.lowerBound()) {
        return tier;
      }
      long value = least.get().value();
      if (tier.name().equals("PAMT")) {
        pamtBoundSource = least.get().source();
      }
      solver.add(ctx.mkGe(tier.expr(), ctx.mkInt(value)));
      details.add("%s tier: at least %d %s (%s)".formatted(tier.name(), value, tier.unit(), least.get().source()));
      return new Tier(tier.name(), tier.expr(), value, tier.unit());
    }

    /**
     * The remote tier at one TDMR with no coverable memory given up: at least {@link
     * OnlyTdmrPlaces#leastRemoteBytes()}, also stated as a constraint.
     */
    private Tier withOnlyTdmrRemoteBound(Tier tier) {
      if (!tier.name().equals("remote PAMT") || limits.maxTdmrs() != 1 || !coversAll()) {
        return tier;
      }
      long least = new OnlyTdmrPlaces(instance).leastRemoteBytes();
      if (least <= tier.lowerBound()) {
        return tier;
      }
      solver.add(ctx.mkGe(tier.expr(), ctx.mkInt(least)));
      details.add("remote PAMT tier: at least %d bytes (OnlyTdmrPlaces: every place of the only TDMR)".formatted(least));
      return new Tier(tier.name(), tier.expr(), least, tier.unit());
    }

    /**
     * The areas tier at one TDMR, PAMT proven and no coverable memory given up: at least the least,
     * over the places in the window {@link OnlyTdmrPlaces} leaves at that PAMT (those over no memory
     * included), of {@link #leastAreas} with the TDMR there, and, where the TDMR may hold no memory,
     * of the areas a TDMR without memory needs ({@link Instance#memorylessSites}); also stated as a
     * constraint. At one TDMR on Westmere-EX and the QEMU map the optimum's TDMR holds no memory
     * and needs one area, which Z3's own search took 3-4 s to prove under load.
     */
    private Tier withOnlyTdmrAreaBound(Tier tier) {
      if (!tier.name().equals("reserved areas") || limits.maxTdmrs() != 1 || !coversAll()
          || !fixed.containsKey("PAMT")) {
        return tier;
      }
      long pamt = fixed.get("PAMT");
      OptionalLong remote = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && fixed.containsKey("remote PAMT")
          ? OptionalLong.of(fixed.get("remote PAMT")) : OptionalLong.empty();
      OnlyTdmrPlaces only = new OnlyTdmrPlaces(instance);
      Optional<List<OnlyTdmrPlaces.Place>> places = only.placesInWindow(pamt, remote);
      if (places.isEmpty()) {
        return tier;
      }
      long least = Long.MAX_VALUE;
      for (OnlyTdmrPlaces.Place place : places.get()) {
        least = Math.min(least, leastAreas(List.of(place.tdmr())));
      }
      if (only.memorylessFits(pamt)) {
        for (Instance.MemorylessSite site : instance.memorylessSites()) {
          least = Math.min(least, site.areas());
        }
      }
      if (least == Long.MAX_VALUE || least <= tier.lowerBound()) {
        return tier;
      }
      solver.add(ctx.mkGe(tier.expr(), ctx.mkInt(least)));
      details.add("reserved areas tier: at least %d (OnlyTdmrPlaces: every place of the only TDMR at this PAMT)"
          .formatted(least));
      return new Tier(tier.name(), tier.expr(), least, tier.unit());
    }

    /** What the tiers fixed so far prove, in the terms of {@link TierBounds}. */
    private TierBounds.Proven proven() {
      boolean remoteFree = policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && Long.valueOf(0).equals(fixed.get("remote PAMT"));
      return new TierBounds.Proven(coversAll(), remoteFree, optional(fixed.get("PAMT")), optional(fixed.get("TDMRs")));
    }

    private static OptionalLong optional(Long value) {
      return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** No coverable TDX memory is given up in any layout the search still considers. */
    private boolean coversAll() {
      return policy.coverage() == Policy.Coverage.ALL || Long.valueOf(0).equals(fixed.get("coverage"));
    }

    /**
     * Before the areas tier: when PAMT and TDMRs are fixed where {@link
     * ModuleFamilyBounds#forcedTdmrs} says which TDMRs every layout left has, those TDMRs are stated
     * as a constraint (Z3 would otherwise search the TDMRs' places again for every count of areas).
     */
    private boolean fixForcedTdmrs() {
      if (bounds == null || !fixed.containsKey("PAMT") || !fixed.containsKey("TDMRs")) {
        return false;
      }
      Optional<List<List<Integer>>> forced = bounds.forcedTdmrs(fixed.get("PAMT"), fixed.get("TDMRs"));
      if (forced.isEmpty()) {
        return false;
      }
      List<List<Integer>> tdmrs = forced.get();
      solver.add(model.tdmrsAre(tdmrs));
      details.add("TDMRs fixed to one per run of memory granules (%s): the only layouts with the PAMT and TDMR bounds"
          .formatted(Count.of(tdmrs.size(), "TDMR")));
      fixedTdmrs = instance.cellSpans(tdmrs);
      return true;
    }

    /** The TDMRs once fixed ({@link #fixForcedTdmrs}), else empty. */
    private List<AddressRange> fixedTdmrs = List.of();

    /**
     * A lower bound on the areas of any layout with exactly {@code tdmrs} and the PAMT fixed: one for
     * each TDMR that holds a gap it must reserve (rule C1 with the holes policy) or memory outside
     * every CMR, or more by {@link FixedTdmrsAreaBound} (the runs of gaps each TDMR must reserve, less
     * the islands between them that its levels can fill).
     */
    private long leastAreas(List<AddressRange> tdmrs) {
      Long pamt = fixed.get("PAMT");
      long byIslands = pamt == null ? 0 : new FixedTdmrsAreaBound(instance, tdmrs,
          policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && Long.valueOf(0).equals(fixed.get("remote PAMT")))
          .leastAreas(pamt);
      return Math.max(byIslands, reservingTdmrs(tdmrs));
    }

    /** The TDMRs of {@code tdmrs} that hold a gap they must reserve or memory outside every CMR. */
    private long reservingTdmrs(List<AddressRange> tdmrs) {
      long least = 0;
      for (AddressRange t : tdmrs) {
        boolean reserves = false;
        for (Instance.Atom a : instance.atoms()) {
          if (t.start() < a.range().end() && a.range().start() < t.end()
              && instance.needsReservedArea(a)) {
            reserves = true;
            break;
          }
        }
        least += reserves ? 1 : 0;
      }
      return least;
    }

    /** A first model; an answer when there is none: proven infeasible, or the deadline first. */
    private Optional<EngineResult> firstLayout() {
      // Without an incumbent, first a layout with one TDMR per run of memory granules on one node
      // (ModuleFamilyBounds#tdmrs, the TDMRs an optimum usually has), within a third of the time:
      // only the levels' places are left to find. A failure proves nothing (the TDMRs were assumed).
      List<List<Integer>> runs = new ModuleFamilyBounds(instance, policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL).tdmrs();
      if (!runs.isEmpty() && check(List.of(model.tdmrsAre(runs)), deadline.remainingMillis() / 3)
          == com.microsoft.z3.Status.SATISFIABLE) {
        adopt();
        details.add("first layout: one TDMR per run of memory granules");
        return Optional.empty();
      }
      com.microsoft.z3.Status first = check(List.of());
      if (first == com.microsoft.z3.Status.UNSATISFIABLE) {
        messages.add("proven: no layout of %s %s at most %s and %s per TDMR (holes %s, PAMT %s)".formatted(
            Policy.Family.MODULE.claim(), policy.coverage() == Policy.Coverage.ALL ? "covers all TDX memory with" : "has",
            Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"),
            policy.holes().text(), policy.pamt().text()));
        restrictions = new ModuleRestrictions(instance).forInfeasible();
        ModuleRestrictions.sentence(restrictions).ifPresent(messages::add);
        return Optional.of(result(Status.INFEASIBLE, null, OptionalLong.empty()));
      }
      if (first != com.microsoft.z3.Status.SATISFIABLE) {
        messages.add("z3 stopped (%s) before finding a layout or proving that none exists".formatted(why()));
        return Optional.of(result(Status.UNKNOWN, null, OptionalLong.empty()));
      }
      adopt();
      return Optional.empty();
    }

    /** The incumbent's value in {@code tier}, in the tier's unit. */
    private long incumbentValue(Tier tier) {
      LayoutScore s = LayoutScore.of(map, limits, policy, incumbent.get());
      return switch (tier.name()) {
        case "coverage" -> (s.uncoveredBytes() - instance.deadMemory()) / PAGE;
        case "remote PAMT" -> s.remotePamtBytes();
        case "PAMT" -> s.pamtBytes() / PAGE;
        case "TDMRs" -> s.tdmrs();
        default -> s.reservedAreas();
      };
    }

    private EngineResult answer() {
      if (!proven) {
        return feasible(best);
      }
      // No model better than the incumbent in any tier: the incumbent is the answer.
      Layout layout = last == null ? incumbent.orElseThrow() : model.read(last).layout();
      List<String> failures = LayoutVerifier.failures(map, limits, policy, layout);
      if (!failures.isEmpty()) {
        messages.add(("z3's module-family model gave a layout the validator rejects (%s): a bug of the encoding,"
            + " so nothing is proven").formatted(String.join("; ", failures)));
        return result(Status.UNKNOWN, null, OptionalLong.empty());
      }
      LayoutScore score = LayoutScore.of(map, limits, policy, layout);
      List<String> wrong = last == null ? List.of() : mismatches(score);
      if (!wrong.isEmpty()) {
        messages.add("z3's module-family model and its layout disagree (%s): a bug of the encoding, so nothing is proven"
            .formatted(String.join(", ", wrong)));
        return result(Status.UNKNOWN, null, OptionalLong.empty());
      }
      messages.add((options.stopAfterPamt()
          ? "proven the least PAMT of any layout of %s within these limits (only the price of the limits was asked:"
              + " fewer TDMRs and reserved areas were not searched): "
          : "proven optimal among %s: ").formatted(Policy.Family.MODULE.claim()) + score.describe());
      // The price alone meeting the family's bounds up to PAMT holds whatever the model leaves out.
      restrictions = options.stopAfterPamt() && ModuleFamilyRestrictions.meetsFamilyBoundsUpToPamt(instance, score)
          ? List.of() : new ModuleRestrictions(instance).forOptimum(score);
      ModuleRestrictions.sentence(restrictions).ifPresent(messages::add);
      if (score.uncoveredBytes() > 0) {
        messages.addAll(LeftOutMemory.lines(map, policy, layout));
      }
      // The price alone is FEASIBLE with its bound met, as CP-SAT answers it.
      return withUncovered(result(options.stopAfterPamt() ? Status.FEASIBLE : Status.OPTIMAL, layout,
          OptionalLong.of(layout.pamtBytes())), score);
    }

    /** Takes the model just found as the best so far, and its layout when valid. */
    private void adopt() {
      last = pendingModel;
      Layout layout = model.read(last).layout();
      if (LayoutVerifier.failures(map, limits, policy, layout).isEmpty()) {
        best = layout;
      }
    }

    /** The model's tiers against the layout's score: each must be what the layout has. */
    private List<String> mismatches(LayoutScore score) {
      List<String> wrong = new ArrayList<>();
      long uncovered = value(model.uncoveredPages()) * PAGE + instance.deadMemory();
      if (policy.coverage() == Policy.Coverage.MAX && uncovered != score.uncoveredBytes()) {
        wrong.add("uncovered " + uncovered + " != " + score.uncoveredBytes());
      }
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && value(model.remoteBytes()) != score.remotePamtBytes()) {
        wrong.add("remote " + value(model.remoteBytes()) + " != " + score.remotePamtBytes());
      }
      if (value(model.pamtPages()) * PAGE != score.pamtBytes()) {
        wrong.add("PAMT " + value(model.pamtPages()) * PAGE + " != " + score.pamtBytes());
      }
      if (value(model.tdmrCount()) != score.tdmrs()) {
        wrong.add("TDMRs " + value(model.tdmrCount()) + " != " + score.tdmrs());
      }
      if (value(model.areaCount()) != score.reservedAreas()) {
        wrong.add("reserved areas " + value(model.areaCount()) + " != " + score.reservedAreas());
      }
      return wrong;
    }

    /** One check under {@code assumptions}, with the time left before the deadline. */
    private com.microsoft.z3.Status check(List<BoolExpr> assumptions) {
      return check(assumptions, deadline.remainingMillis());
    }

    /** One check under {@code assumptions}, for at most {@code millis} (and not past the deadline). */
    private com.microsoft.z3.Status check(List<BoolExpr> assumptions, long millis) {
      return check(active, assumptions, millis);
    }

    /**
     * One check with the TDMRs fixed by {@code assumptions}, on a solver of its own with Z3's {@code
     * qflia} tactic (see {@link #onFixedTdmrs}): on a 512 GiB two-socket host the layout at the PAMT
     * bound took 0.5 s there and more than 4 s on the incremental solver.
     */
    private com.microsoft.z3.Status checkFixedTdmrs(List<BoolExpr> assumptions, long millis) {
      Solver fast = ctx.mkSolver(ctx.mkTactic("qflia"));
      fast.add(solver.getAssertions());
      return check(fast, assumptions, millis);
    }

    private com.microsoft.z3.Status check(Solver solver, List<BoolExpr> assumptions, long millis) {
      Params p = ctx.mkParams();
      p.add("timeout", (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(millis, deadline.remainingMillis()))));
      solver.setParameters(p);
      if (deadline.expired()) {
        return com.microsoft.z3.Status.UNKNOWN;
      }
      long t0 = System.nanoTime();
      solver.push();
      assumptions.forEach(solver::add);
      com.microsoft.z3.Status st = solver.check();
      Model m = st == com.microsoft.z3.Status.SATISFIABLE ? solver.getModel() : null;
      solver.pop();
      if (TierSearch.LOG) {
        System.err.printf("z3 module check (%d bounds): %s in %d ms, rlimit %s%n", assumptions.size(), st,
            (System.nanoTime() - t0) / 1_000_000, rlimit(solver));
      }
      pendingModel = m;
      return st;
    }

    private Model pendingModel;

    /** Z3's deterministic work count so far ("rlimit count"), for comparing encodings under load. */
    private String rlimit(Solver s) {
      for (com.microsoft.z3.Statistics.Entry e : s.getStatistics().getEntries()) {
        if (e.Key.equals("rlimit count")) {
          return e.getValueString();
        }
      }
      return "?";
    }

    private long value(ArithExpr<IntSort> e) {
      return ((IntNum) last.eval(e, true)).getInt64();
    }

    private String why() {
      return deadline.expired() ? "time limit" : active.getReasonUnknown();
    }
  }


  private static List<String> copy(List<String> shared) {
    synchronized (shared) {
      return List.copyOf(shared);
    }
  }

  private EngineResult result(Status status, Layout layout, OptionalLong bound) {
    long millis = (System.nanoTime() - started) / 1_000_000;
    long vars = model == null ? 0 : model.variables();
    long cons = model == null ? 0 : model.constraints();
    return new EngineResult(Z3Engine.NAME, status, Optional.ofNullable(layout),
        layout == null ? OptionalLong.empty() : OptionalLong.of(layout.pamtBytes()), bound, copy(messages), millis, vars,
        cons, 0)
        .withDetails(copy(details))
        .withQuestion(new Question(Policy.Family.MODULE, restrictions));
  }
}
