package tdmr.solver.z3;

import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.Model;
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
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.IntStream;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.ConstructionLayout;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.solver.KernelFamilyClaim;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.LayoutScore;
import tdmr.solver.LeftOutMemory;
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
 * The Z3 engine, for both layout families. The module family ({@link Policy.Family#MODULE}) is
 * {@link ModuleFamilyProver}'s ({@link ModuleEncoding} over the shared {@link tdmr.solver.Instance});
 * what follows is about the kernel family.
 *
 * <p>The kernel family: an SMT encoding of the layout family over the shared {@link Problem} ({@link
 * Z3Model}), written independently of the CP-SAT model, with the lexicographic objective
 * (coverage under {@code max}, then least PAMT bytes, fewest TDMRs, fewest reserved areas) solved
 * one tier at a time ({@link TierSearch}).
 *
 * <p>Under coverage {@code all}, the solver-neutral bounds of {@link PamtLowerBound} come first: its
 * necessary conditions alone can prove that no layout exists, and its least PAMT, fewest TDMRs and
 * fewest areas are lower bounds that Z3 checks before it optimises anything: a layout that meets
 * all three is optimal. The check runs on the relaxation's own TDMRs (a small model), then on every
 * TDMR of its paths within its least PAMT (a layout with that PAMT has no other), and only then
 * tier by tier, each tier checked first at its bound. Every restriction of the TDMRs offered is one
 * the bound proves to lose no layout at the PAMT in question; the answer's messages say which tier
 * each proof came from. Before any of it, the kernel constructions' best layout of the family
 * ({@link ConstructionLayout}, verified) is the layout in hand: where it meets a tier's bound, that
 * tier is proven without a check (every tier at once: no model is built), where it is one above
 * the bound, Z3 only has to prove that no layout meets the bound, and where the time limit stops
 * Z3 with nothing better, it is the {@code FEASIBLE} answer.
 *
 * <p>Where that optimum holds only under the restrictions of {@link Problem} ({@link
 * Problem#KERNEL_FAMILY_RESTRICTIONS}), {@link WideKernelSearch} looks again over the kernel family's
 * {@link tdmr.solver.Instance} (TDMRs on any 1 GiB boundary, a chunk anywhere in one block, granules
 * filled by chunks outside every TDMR): its optimum, when it proves one, is the answer, naming only
 * what that model keeps, or nothing where the kernel family's bounds are met (tdx#391 and tdx#285:
 * 1 026 fewer pages than {@link Z3Model}'s optimum); otherwise {@link Z3Model}'s answer stands and
 * says so.
 *
 * <p>Statuses are what was proved: {@code OPTIMAL} when every tier is, {@code INFEASIBLE} on UNSAT
 * or by the bound's necessary conditions, {@code FEASIBLE} when the time limit stopped a tier after a
 * validated layout was found, {@code UNKNOWN} otherwise. With {@link #explaining()}, an infeasible
 * answer carries an {@link Explanation}: the constraint groups of a minimal unsat core (found with
 * {@code assertAndTrack} on a model of every TDMR of the family, then shrunk by deleting one group
 * at a time). Each solve runs in its own {@link Context}, closed before {@code solve} returns. The
 * JVM property {@code tdmr.z3.log=true} prints each model's size and each check's time to standard
 * error, for diagnosing slow maps.
 */
public final class Z3Engine implements Engine {
  /** The engine's name in output and on the command line. */
  public static final String NAME = "z3";

  /**
   * How far above a tier's lower bound the construction's layout may be for Z3 to check the values
   * between one by one rather than minimise: a check is a satisfiability question, which on
   * memmap-48 of the seed-1 sweep (areas: bound 52, layout in hand 54, optimum 53) takes 1 to 2.5 s
   * each, where Z3's MaxSAT search above the bound did not end within 18 s.
   */
  private static final int CHECKS_BELOW_IN_HAND = 3;

  /** Prefix of tracking literals, so they never share a name with a model variable. */
  private static final String TRACKER = "why:";

  private final boolean explain;
  private final Z3Model.Encoding encoding;
  /** Whether a restricted kernel-family optimum is looked at again over the wide model ({@link WideKernelSearch}). */
  private final boolean wide;
  /** Whether {@link WideKernelSearch} tries only the TDMR sets near the restricted optimum (tests). */
  private final boolean wideGuessesOnly;

  /** An engine that optimises and does not explain infeasibility (tracking costs time). */
  public Z3Engine() {
    this(false, Z3Model.Encoding.FAST);
  }

  /**
   * Loads Z3's native library (once); an {@link UnsatisfiedLinkError} says why it cannot. Tests
   * choose the {@code encoding}; every encoding states the same rules.
   */
  Z3Engine(boolean explain, Z3Model.Encoding encoding) {
    this(explain, encoding, true);
  }

  /** As {@link #Z3Engine(boolean, Z3Model.Encoding)}; without {@code wide}, {@link Z3Model}'s answer alone (tests of its encodings). */
  Z3Engine(boolean explain, Z3Model.Encoding encoding, boolean wide) {
    this(explain, encoding, wide, false);
  }

  private Z3Engine(boolean explain, Z3Model.Encoding encoding, boolean wide, boolean wideGuessesOnly) {
    Z3Native.requireLoaded();
    this.explain = explain;
    this.encoding = encoding;
    this.wide = wide;
    this.wideGuessesOnly = wideGuessesOnly;
  }

  /**
   * An engine whose {@link WideKernelSearch} tries only the TDMR sets near the restricted optimum,
   * neither the coverages near it nor the whole model: for tests of the answer when it proves nothing.
   */
  static Z3Engine wideGuessesOnly() {
    return new Z3Engine(false, Z3Model.Encoding.FAST, true, true);
  }

  /** The kernel family by {@link Z3Model} alone, without {@link WideKernelSearch}: for tests of that model's proofs. */
  static Z3Engine restrictedOnly() {
    return new Z3Engine(false, Z3Model.Encoding.FAST, false);
  }

  /** An engine that, when no layout exists, also finds a minimal explanation. */
  public static Z3Engine explaining() {
    return new Z3Engine(true, Z3Model.Encoding.FAST);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Both families: the kernel family with {@link Z3Model} over {@link Problem}, the module family
   * with {@link ModuleEncoding} over the shared {@link tdmr.solver.Instance} ({@link
   * ModuleFamilyProver}); each answer names its family in its {@link EngineResult#question}.
   */
  @Override
  public boolean proves(Policy.Family family) {
    return true;
  }

  /** Z3's version, or an {@link UnsatisfiedLinkError} saying why the native library did not load. */
  public static String z3Version() {
    return Z3Native.requireLoaded();
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    if (policy.family() == Policy.Family.MODULE) {
      return solveModuleFamily(map, limits, policy, options);
    }
    long started = System.nanoTime();
    Deadline deadline = options.solveDeadline();
    EngineResult r;
    try {
      r = solve(map, limits, policy, options.withDeadline(deadline), started);
    } catch (Deadline.Exceeded e) {
      r = result(Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
          List.of("z3 stopped (time limit) while its model was being built, before a search; nothing is proven"),
          started, 0, 0);
    }
    EngineResult named = KernelFamilyClaim.named(r, map, limits, policy, deadline);
    WideKernelSearch search = new WideKernelSearch(map, limits, policy, deadline, started, wideGuessesOnly);
    return wide && search.applies(named) ? search.improve(named) : named;
  }

  /** The module family's answer ({@link ModuleFamilyProver}), node by node where it can ({@link tdmr.solver.NodeSplit}). */
  private static EngineResult solveModuleFamily(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    return tdmr.solver.NodeSplit.solve(Z3Engine::solveModuleFamilyWhole, NAME, map, limits, policy, options);
  }

  /** The module family's answer for the whole map ({@link ModuleFamilyProver}). */
  private static EngineResult solveModuleFamilyWhole(MemoryMap map, TdxLimits limits, Policy policy,
      SolveOptions options) {
    return tdmr.solver.InnerTdmrRuns.answer(map, limits, policy, options,
        (cut, o, earlier) -> solveModuleFamilyOnce(map, limits, policy, o, cut));
  }

  /** One module-family solve over the instance with {@code cutRuns} cut into granules. */
  private static EngineResult solveModuleFamilyOnce(MemoryMap map, TdxLimits limits, Policy policy,
      SolveOptions options, java.util.Set<tdmr.mem.AddressRange> cutRuns) {
    long started = System.nanoTime();
    try {
      return new ModuleFamilyProver(map, limits, policy, options, started, cutRuns).solve();
    } catch (Deadline.Exceeded e) {
      return result(Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
          List.of("z3 stopped (time limit) while its model was being built, before a search; nothing is proven"),
          started, 0, 0).withQuestion(tdmr.solver.Question.of(Policy.Family.MODULE));
    }
  }

  private EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, long started) {
    // The whole solve (preprocessing, model building, search, explanation) ends by this deadline.
    Deadline deadline = options.solveDeadline();
    Problem problem = Problem.of(map, limits, policy, deadline);
    if (policy.coverage() == Policy.Coverage.ALL && !problem.impossibilities().isEmpty()) {
      return infeasible(policy, limits, Infeasibility.ofFacts(problem.impossibilities()), started, 0, 0);
    }
    if (problem.candidateCount() == 0) {
      return infeasible(policy, limits, Infeasibility.ofFacts(List.of("no TDX memory can be covered by any TDMR")),
          started, 0, 0);
    }
    // Making a Z3 context takes a few hundred milliseconds of native work that nothing interrupts.
    deadline.check();
    try (Context ctx = new Context(Map.of("model", "true"));
        // Z3 checks its "timeout" only in some phases; the watchdog stops the others at the deadline.
        Watchdog watchdog = Watchdog.at(deadline, ctx::interrupt)) {
      return new Run(ctx, problem, options, started, deadline).solve();
    } catch (Z3Exception e) {
      if (deadline.expired()) {
        // The watchdog's interrupt cancels whatever Z3 was doing, not only a check: "canceled".
        return result(Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
            List.of("z3 stopped (time limit: %s) before finding a layout or proving that none exists".formatted(e.getMessage())),
            started, 0, 0);
      }
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

  /** An {@code INFEASIBLE} answer: the headline, then the facts and the remark on their shrinking. */
  private static EngineResult infeasible(
      Policy policy, TdxLimits limits, Infeasibility why, long started, long variables, long constraints) {
    List<String> messages = new ArrayList<>();
    messages.add(infeasibleHeadline(policy, limits));
    why.facts().forEach(f -> messages.add("  " + f));
    why.remark().ifPresent(remark -> messages.add("  " + remark));
    return result(Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), messages, started, variables, constraints)
        .withInfeasibility(why);
  }

  /** Z3 reports its memory cap as a failed allocation or an exceeded maximum. */
  static boolean isOutOfMemory(Z3Exception e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return m.contains("allocation failed") || m.contains("out of memory") || m.contains("max. memory");
  }

  /**
   * One solve: the tiers of the objective in order, each on a model whose TDMRs a proven bound
   * allows, and the answer with what proved it.
   */
  private final class Run {
    private final Context ctx;
    private final Problem problem;
    private final SolveOptions options;
    private final long started;
    private final Deadline deadline;
    /** Under coverage all: the relaxation's bounds and the TDMRs it allows. */
    private final Optional<PamtLowerBound> bound;
    /** How each tier was settled, for the answer's messages. */
    private final List<String> proofs = new ArrayList<>();
    /** Under coverage all: the kernel constructions' best layout of the family, verified, once found. */
    private Optional<ConstructionLayout> known = Optional.empty();
    private long variables;
    private long constraints;

    Run(Context ctx, Problem problem, SolveOptions options, long started, Deadline deadline) {
      this.ctx = ctx;
      this.problem = problem;
      this.options = options;
      this.started = started;
      this.deadline = deadline;
      this.bound = problem.policy().coverage() == Policy.Coverage.ALL && encoding.sharedBounds()
          ? Optional.of(new PamtLowerBound(problem)) : Optional.empty();
    }

    EngineResult solve() {
      if (bound.isEmpty()) {
        return optimiseAlone();
      }
      Optional<String> impossible = bound.get().infeasibility();
      return impossible.isPresent() ? infeasible(impossible) : optimiseCoverageAll(bound.get());
    }

    /**
     * Coverage all. Often a layout meets the lower bounds of {@link PamtLowerBound} on all three
     * tiers at once: the kernel constructions' layout ({@link ConstructionLayout}), which then is
     * the answer without a model, or one that a single check finds, first among the relaxation's
     * own TDMRs, where only the chunks are left to place (a small model), then among the TDMRs on
     * its paths within its least PAMT (a layout with that PAMT has no others). Otherwise tier by
     * tier.
     */
    private EngineResult optimiseCoverageAll(PamtLowerBound b) {
      long least = b.leastPamtPages().getAsLong();
      // The constructions take O(B log B) time; a share of the time keeps them from starving the search.
      known = ConstructionLayout.find(problem, deadline.share(8));
      if (known.isPresent() && b.isMetBy(known.get().layout())) {
        proofs.add(b.provenBy(known.get().layout(), known.get().what()).orElseThrow());
        return optimal(known.get().decision());
      }
      OptionalInt fewestTdmrs = b.fewestTdmrs(least);
      OptionalLong fewestAreas = fewestTdmrs.isPresent() ? b.fewestAreas(least, fewestTdmrs.getAsInt()) : OptionalLong.empty();
      if (fewestAreas.isPresent()) {
        Map<Integer, Integer> split = new LinkedHashMap<>();
        b.bestSplit().orElseThrow().forEach(p -> split.put(p.start(), p.end()));
        Z3Model relaxed = model(s -> split.containsKey(s) ? new int[] {split.get(s)} : new int[0]);
        Optional<EngineResult> met = meetsEveryBound(relaxed, least, fewestTdmrs.getAsInt(), fewestAreas.getAsLong());
        if (met.isPresent()) {
          return met.get();
        }
      }
      Z3Model narrow = model(s -> b.endsWithin(s, least, problem.limits().maxTdmrs()));
      // With the least PAMT in hand, tier by tier asks the same, with the known tiers unasked.
      boolean leastKnown = known.isPresent() && b.meetsLeastPamt(known.get().layout());
      if (fewestAreas.isPresent() && !leastKnown) {
        Optional<EngineResult> met = meetsEveryBound(narrow, least, fewestTdmrs.getAsInt(), fewestAreas.getAsLong());
        if (met.isPresent()) {
          return met.get();
        }
      }
      return tierByTier(b, narrow, least);
    }

    /**
     * The least PAMT (the bound when the construction's layout or a layout of {@code narrow} meets
     * it; otherwise Z3's optimum over every TDMR the relaxation allows, above the bound), then the
     * fewest TDMRs and the fewest areas at that PAMT, each checked first at its lower bound ({@link
     * #tier}).
     */
    private EngineResult tierByTier(PamtLowerBound b, Z3Model narrow, long least) {
      TierSearch search = new TierSearch(ctx, narrow, deadline);
      Z3Model used = narrow;
      long pamtPages;
      // The last outcome with a model, if any, for an answer when a later tier stops.
      TierSearch.Outcome pamt;
      Optional<String> knownLeast = known.flatMap(k -> b.provenBy(k.layout(), k.what()));
      if (knownLeast.isPresent()) {
        pamtPages = least;
        pamt = new TierSearch.Outcome(TierSearch.Kind.OPTIMAL, least, least, Optional.empty(), true, "");
        proofs.add(knownLeast.get());
      } else {
        pamt = search.meets(narrow.leastPamt(), least - narrow.pamtPagesAlwaysPaid());
        if (pamt.kind() == TierSearch.Kind.OPTIMAL) {
          pamtPages = least;
          proofs.add("least PAMT: the lower bound of PamtLowerBound, which a layout meets");
        } else if (pamt.kind() == TierSearch.Kind.STOPPED) {
          return stopped(narrow, pamt, OptionalLong.of(least * PAGE));
        } else {
          used = model(s -> allowedEnds(b, s));
          search = new TierSearch(ctx, used, deadline);
          pamt = search.minimise("pamt", used.leastPamt(), least + 1 - used.pamtPagesAlwaysPaid());
          if (pamt.kind() == TierSearch.Kind.INFEASIBLE) {
            return infeasible(Optional.empty());
          }
          if (pamt.kind() == TierSearch.Kind.STOPPED) {
            return stopped(used, pamt, OptionalLong.of((pamt.lowerBound() + used.pamtPagesAlwaysPaid()) * PAGE));
          }
          pamtPages = pamt.value() + used.pamtPagesAlwaysPaid();
          proofs.add("least PAMT: z3 (no layout meets the lower bound of PamtLowerBound)");
          // A layout with this PAMT only has TDMRs on the relaxation's paths within it.
          long settled = pamtPages;
          search.require(used.onlyWithin(s -> b.endsWithin(s, settled, problem.limits().maxTdmrs())));
        }
      }
      search.fix(used.leastPamt(), pamtPages - used.pamtPagesAlwaysPaid());
      // The construction's layout takes part in a tier only while it has the tiers before at their optimum.
      long settledPages = pamtPages;
      Optional<Layout> inHand = known.map(ConstructionLayout::layout).filter(l -> l.pamtBytes() / PAGE == settledPages);
      TierSearch.Outcome tdmrs = tier(search, "tdmrs", "fewest TDMRs", used.fewestTdmrs(),
          b.fewestTdmrs(pamtPages).orElse(0), inHand.map(Layout::size));
      if (tdmrs.kind() != TierSearch.Kind.OPTIMAL) {
        return stopped(used, tdmrs.model().isPresent() ? tdmrs : pamt, OptionalLong.of(pamtPages * PAGE));
      }
      search.fix(used.fewestTdmrs(), tdmrs.value());
      inHand = inHand.filter(l -> l.size() == tdmrs.value());
      OptionalLong fewestAreas = b.fewestAreas(pamtPages, (int) tdmrs.value());
      TierSearch.Outcome areas = tier(search, "reserved-areas", "fewest reserved areas", used.fewestReservedAreas(),
          fewestAreas.orElse(0), inHand.map(l -> l.reservedAreaCount()));
      if (areas.kind() != TierSearch.Kind.OPTIMAL) {
        TierSearch.Outcome last = areas.model().isPresent() ? areas : tdmrs.model().isPresent() ? tdmrs : pamt;
        return stopped(used, last, OptionalLong.of(pamtPages * PAGE));
      }
      return areas.model().isPresent() ? optimal(used, areas.model().get()) : optimal(known.orElseThrow().decision());
    }

    /**
     * One tier after the least PAMT, whose proven lower bound is {@code lower}, and in which the
     * construction's layout, while it has the tiers before at their optimum, has {@code inHand}.
     * When that layout meets the bound, the tier is settled without a check. When it is at most
     * {@link #CHECKS_BELOW_IN_HAND} above, Z3 checks each value from the bound up: the first a layout
     * meets is the optimum, and when none does, the layout in hand's. Otherwise Z3 checks the bound
     * and minimises ({@link TierSearch#minimise}). An {@code OPTIMAL} outcome without a model was
     * settled by the construction's layout. {@code tier} names the tier in the answer's messages.
     */
    private TierSearch.Outcome tier(TierSearch search, String name, String tier, List<Z3Model.Soft> softs, long lower,
        Optional<Integer> inHand) {
      String which = known.map(ConstructionLayout::what).orElse("");
      if (inHand.isPresent() && inHand.get() == lower) {
        proofs.add(tier + ": the lower bound of PamtLowerBound, which " + which + " meets");
        return new TierSearch.Outcome(TierSearch.Kind.OPTIMAL, lower, lower, Optional.empty(), true, "");
      }
      if (inHand.isPresent() && inHand.get() > lower && inHand.get() - lower <= CHECKS_BELOW_IN_HAND) {
        for (long value = lower; value < inHand.get(); value++) {
          TierSearch.Outcome met = search.meets(softs, value);
          if (met.kind() == TierSearch.Kind.OPTIMAL) {
            proofs.add(value == lower ? tier + ": the lower bound of PamtLowerBound"
                : tier + ": z3 (no layout meets the lower bound of PamtLowerBound, %d)".formatted(lower));
            return met;
          }
          if (met.kind() == TierSearch.Kind.STOPPED) {
            return met;
          }
        }
        proofs.add(tier + ": " + which + ", where z3 proves that no layout has fewer (down to the lower bound of"
            + " PamtLowerBound, %d)".formatted(lower));
        return new TierSearch.Outcome(TierSearch.Kind.OPTIMAL, inHand.get(), inHand.get(), Optional.empty(), false, "");
      }
      TierSearch.Outcome o = search.minimise(name, softs, lower);
      if (o.kind() == TierSearch.Kind.OPTIMAL) {
        proofs.add(o.boundMet() ? tier + ": the lower bound of PamtLowerBound" : tier + ": z3");
      }
      return o;
    }

    /**
     * The answer when a layout of {@code model} has the least PAMT, TDMRs and areas that {@link
     * PamtLowerBound} allows (lower bounds, so then every tier is optimal); empty when none of
     * its layouts meets them. The time limit striking gives the answer without a proof.
     */
    private Optional<EngineResult> meetsEveryBound(Z3Model model, long pamt, int tdmrs, long areas) {
      TierSearch search = new TierSearch(ctx, model, deadline);
      TierSearch.Outcome all = search.meets(List.of(
          new TierSearch.Bound(model.leastPamt(), pamt - model.pamtPagesAlwaysPaid()),
          new TierSearch.Bound(model.fewestTdmrs(), tdmrs),
          new TierSearch.Bound(model.fewestReservedAreas(), areas)));
      return switch (all.kind()) {
        case OPTIMAL -> {
          proofs.add("least PAMT, then fewest TDMRs, then fewest reserved areas: the lower bounds of PamtLowerBound,"
              + " which a layout meets");
          yield Optional.of(optimal(model, all.model().get()));
        }
        case STOPPED -> Optional.of(stopped(model, all, OptionalLong.of(pamt * PAGE)));
        case INFEASIBLE -> Optional.empty();
      };
    }

    /**
     * Every tier by Z3 alone, over every TDMR of the family: (coverage max) the most memory kept,
     * then PAMT, TDMRs and areas, each fixed before the next. Used under coverage {@code max}, where
     * {@link PamtLowerBound} does not apply, and without the shared bounds.
     */
    private EngineResult optimiseAlone() {
      Z3Model all = model(this::allEnds);
      TierSearch search = new TierSearch(ctx, all, deadline);
      List<Z3Model.Soft> keep = all.keepMemory();
      TierSearch.Outcome kept = search.minimise("uncovered-pages", keep, 0);
      if (kept.kind() == TierSearch.Kind.INFEASIBLE) {
        return infeasible(Optional.empty());
      }
      if (kept.kind() != TierSearch.Kind.OPTIMAL) {
        return stopped(all, kept, OptionalLong.empty());
      }
      search.fix(keep, kept.value());
      TierSearch.Outcome last = kept;
      for (String tier : List.of("pamt", "tdmrs", "reserved-areas")) {
        List<Z3Model.Soft> softs = switch (tier) {
          case "pamt" -> all.leastPamt();
          case "tdmrs" -> all.fewestTdmrs();
          default -> all.fewestReservedAreas();
        };
        TierSearch.Outcome o = search.minimise(tier, softs, 0);
        if (o.kind() != TierSearch.Kind.OPTIMAL) {
          return stopped(all, o.model().isPresent() ? o : last, OptionalLong.empty());
        }
        search.fix(softs, o.value());
        last = o;
      }
      proofs.add("most memory covered, then least PAMT, then fewest TDMRs, then fewest reserved areas: z3");
      return optimal(all, last.model().get());
    }

    private Z3Model model(Z3Model.Scope scope) {
      long t0 = System.nanoTime();
      Z3Model m = new Z3Model(ctx, problem, scope, a -> bound.map(b -> b.mayBeFilled(a)).orElseGet(() -> problem.mayBeFilled(a)),
          encoding);
      variables += m.variables();
      constraints += m.constraints();
      if (TierSearch.LOG) {
        System.err.printf("z3 model: %d variables, %d constraints, built in %d ms%n", m.variables(), m.constraints(),
            (System.nanoTime() - t0) / 1_000_000);
      }
      return m;
    }

    /** Every TDMR of the family starting at cell {@code s}: ends after a cell holding memory. */
    private int[] allEnds(int s) {
      return IntStream.rangeClosed(s + 1, problem.cells().size())
          .filter(e -> problem.cells().get(e - 1).holdsMemory()).toArray();
    }

    /** The TDMRs starting at {@code s} that meet the necessary conditions of {@link PamtLowerBound}. */
    private int[] allowedEnds(PamtLowerBound b, int s) {
      int last = b.lastEnd(s);
      return IntStream.of(allEnds(s)).filter(e -> e <= last).toArray();
    }

    private EngineResult optimal(Z3Model model, Model m) {
      return optimal(model.decision(m));
    }

    /** The answer {@code OPTIMAL} with the layout of {@code decision}, verified, and how each tier was proven. */
    private EngineResult optimal(Problem.Decision decision) {
      Layout layout = layoutOf(problem, decision);
      OptionalLong bytes = OptionalLong.of(layout.pamtBytes());
      List<String> messages = new ArrayList<>();
      messages.add(optimalLine(problem, layout));
      messages.add("  proven: " + String.join("; ", proofs));
      messages.addAll(leftOutLines(problem, decision));
      return new EngineResult(NAME, Status.OPTIMAL, Optional.of(layout), bytes, bytes, messages, millisSince(started),
          variables, constraints, uncoveredBytes(problem, decision));
    }

    /**
     * The answer when a tier stopped: the better of the layout of {@code o}'s model, if any, and the
     * construction's layout, if any, as {@code FEASIBLE} with {@code pamtBound} (what is proven about
     * PAMT); {@code UNKNOWN} without either.
     */
    private EngineResult stopped(Z3Model model, TierSearch.Outcome o, OptionalLong pamtBound) {
      Optional<Problem.Decision> found = o.model().map(model::decision);
      String what = "best layout found";
      if (known.isPresent() && (found.isEmpty() || score(known.get().layout()).betterThan(
          score(layoutOf(problem, found.get())), problem.policy()))) {
        found = Optional.of(known.get().decision());
        what = "best layout: " + known.get().what();
      }
      if (found.isPresent()) {
        Problem.Decision decision = found.get();
        Layout layout = layoutOf(problem, decision);
        OptionalLong lower = pamtBound.isPresent()
            ? OptionalLong.of(Math.min(pamtBound.getAsLong(), layout.pamtBytes())) : OptionalLong.empty();
        List<String> messages = new ArrayList<>();
        messages.add("z3 stopped (" + why(o) + ") before proving optimality; " + what + ": " + score(layout).describe());
        if (!proofs.isEmpty()) {
          messages.add("  proven: " + String.join("; ", proofs));
        }
        messages.addAll(leftOutLines(problem, decision));
        return new EngineResult(NAME, Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()), lower,
            messages, millisSince(started), variables, constraints, uncoveredBytes(problem, decision));
      }
      return result(Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
          List.of("z3 stopped (" + why(o) + ") before finding a layout or proving that none exists"),
          started, variables, constraints);
    }

    private LayoutScore score(Layout layout) {
      return LayoutScore.of(problem.map(), problem.limits(), problem.policy(), layout);
    }

    /** Why a tier stopped: the time limit, or what Z3 said (interrupted by the watchdog it says "canceled"). */
    private String why(TierSearch.Outcome o) {
      return deadline.expired() ? "time limit" : o.reason();
    }

    /**
     * No layout: by the necessary conditions of {@link PamtLowerBound} ({@code why}) or by Z3.
     * When explaining, the minimal core comes from a model of every TDMR of the family, so that it
     * names rules, not the bound's restriction.
     */
    private EngineResult infeasible(Optional<String> why) {
      if (known.isPresent()) {
        throw new IllegalStateException("z3: no layout of the kernel family's model, yet %s is one; this is a defect of the engine"
            .formatted(known.get().what()));
      }
      Infeasibility facts;
      if (explain) {
        Z3Model all = model(this::allEnds);
        facts = Infeasibility.of(minimalCore(ctx, all, options, started));
      } else {
        facts = Infeasibility.ofFacts(why.map(w -> List.of(w + " (proven by the necessary conditions of PamtLowerBound)"))
            .orElse(List.of()));
      }
      return Z3Engine.infeasible(problem.policy(), problem.limits(), facts, started, variables, constraints);
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

  /**
   * The layout a decision stands for, verified: the module's rules for the whole layout, and the OS
   * check against the TDX memory it keeps (all of it, or what coverage max leaves in).
   */
  private static Layout layoutOf(Problem problem, Problem.Decision decision) {
    Layout layout = problem.buildLayout(decision);
    LayoutVerifier.requireValid(problem.map(), problem.limits(), problem.policy(), layout);
    if (problem.policy().coverage() == Policy.Coverage.MAX) {
      LayoutVerifier.requireValid(problem.keptMap(decision.droppedAtoms()), problem.limits(),
          problem.policy().withCoverage(Policy.Coverage.ALL), layout);
    }
    return layout;
  }

  /** TDX memory a decision leaves out: memory above the HKID limit and the dropped atoms. */
  private static long uncoveredBytes(Problem problem, Problem.Decision d) {
    return problem.leftOut(d.droppedAtoms()).stream().mapToLong(AddressRange::size).sum();
  }

  /** The memory a decision leaves out (coverage max), a heading and one line per range; none when all is covered. */
  private static List<String> leftOutLines(Problem problem, Problem.Decision d) {
    return LeftOutMemory.lines(problem.leftOut(d.droppedAtoms()));
  }

  private static String infeasibleHeadline(Policy policy, TdxLimits limits) {
    return "proven: no layout of %s has at most %s and at most %s per TDMR (holes %s, PAMT %s)".formatted(
        Policy.Family.KERNEL.claim(), Count.of(limits.maxTdmrs(), "TDMR"),
        Count.of(limits.maxReservedPerTdmr(), "reserved area"), policy.holes().text(), policy.pamt().text());
  }

  private static String optimalLine(Problem problem, Layout layout) {
    // The restrictions, or why none matters, follow in a sentence of their own (KernelFamilyClaim).
    return "proven optimal among %s: %s".formatted(Policy.Family.KERNEL.claim(),
        LayoutScore.of(problem.map(), problem.limits(), problem.policy(), layout).describe());
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

  private static final long PAGE = ByteSize.PAGE;

  private static long millisSince(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
