package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.IntNum;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import com.microsoft.z3.Params;
import com.microsoft.z3.Solver;
import com.microsoft.z3.Z3Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Instance;
import tdmr.solver.KernelFamilyClaim;
import tdmr.solver.KernelFamilyWitness;
import tdmr.solver.KernelShape;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.Question;
import tdmr.solver.Status;
import tdmr.solver.TierBounds;
import tdmr.solver.Watchdog;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * Z3's second look at a kernel-family optimum of {@link Z3Model} that holds only under the
 * restrictions of {@link tdmr.solver.Problem} ({@link tdmr.solver.Problem#KERNEL_FAMILY_RESTRICTIONS}):
 * the kernel family over the shared {@link Instance} in its kernel mode, encoded by {@link
 * ModuleEncoding}. That model drops all four: a TDMR boundary may lie on any 1 GiB boundary inside a
 * run of whole GiB (at most one per run), a chunk lies anywhere in one segment (a block's TDX memory
 * inside one merged CMR, across 1 GiB boundaries), a granule whose memory chunks fill wholly may lie
 * outside every TDMR, and a TDMR may reach over granules without memory beside the window ({@link
 * Instance.Cell#extension}), growing its chunk. What it keeps is named as CP-SAT's kernel-mode model names it
 * ({@link ModuleFamilyRestrictions#kernelFamily}; {@code tightRun} conservatively true).
 *
 * <p>The search starts from the restricted optimum, a valid layout of the kernel family. First the
 * PAMT tier with the TDMRs fixed at guesses near it (each TDMR shrunk by one granule at one end: the
 * granule left out, its memory filled by chunks, as on tdx#391 and tdx#285), where a check takes
 * milliseconds; then with only the covered granules fixed at coverages near it (a run of covered
 * granules dropped or shrunk at an end, one run changed or two, {@link ModuleEncoding#coverageIs})
 * and the TDMR boundaries inside them left to Z3, which reaches what a granule off the TDMRs cannot:
 * the 1 TiB host's 1018 GiB TDMR whose chunk fills the 4 GiB left out above it, tdx#331's block
 * left out whole and filled by the chunks of runs split to sum to it. Both go down to the lower
 * bound {@link TierBounds} derives for the module family under PAMT {@code any} (every
 * kernel-family layout is one of that family); the coverages get half the time left, or 80% where the
 * whole model is not searched next. A
 * layout at that bound proves the PAMT tier: its TDMRs are stepped down with its coverage fixed and
 * its areas with its TDMRs fixed, and where it then meets the kernel family's bounds in every tier
 * ({@link KernelFamilyClaim}) it is optimal for the whole family; otherwise the TDMR and area tiers
 * are minimised over the whole model at that PAMT. Without a layout at the bound, only on models of
 * at most {@link #MOST_VARIABLES} variables (tiny maps) without a long run of empty granules ({@link
 * #longEmptyRun}), the tiers are minimised over the whole model: Z3's checks there took 15 s to more
 * than 40 s each on tdx#391 under load (1 706 variables), and the time limit would decide the answer.
 * The guesses prove nothing: every proof is a bound or a check of the whole model.
 *
 * <p>Where the search proves nothing (a real map whose layout misses the bounds, a check stopped by
 * the time limit) but found a layout of the family that ranks better than the restricted optimum
 * (of the kernel's shape, on the kernel's node under PAMT {@code node-local}), the answer is {@code
 * FEASIBLE} with it, the PAMT bound for the whole family derived before the search ({@link
 * KernelFamilyWitness#pamtBound}) and the restricted proof kept as a statement about the layouts
 * within its restrictions ({@link KernelFamilyWitness}). Where it found none, the restricted optimum
 * stands as {@link Z3Model}'s answer, which names its restrictions, and a message says so. Either
 * answer's time counts the search. The search runs only under coverage {@code all} without Dynamic
 * PAMT (the bounds and the guesses assume both); otherwise the restricted answer stands too.
 */
final class WideKernelSearch {
  private static final long PAGE = ByteSize.PAGE;

  /** Models with more variables than this are not searched whole (the class comment says why). */
  static final int MOST_VARIABLES = 600;

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final Deadline deadline;
  private final long started;
  /** Models with more variables than this are not searched whole ({@link #MOST_VARIABLES}, or a test's). */
  private final int mostVariables;
  /** Whether only the guesses near the restricted optimum are tried (tests). */
  private final boolean guessesOnly;
  private final List<String> proofs = new ArrayList<>();
  /** The PAMT bound for the whole kernel family, derived before the search (for a {@code FEASIBLE} answer). */
  private OptionalLong familyBound = OptionalLong.empty();

  /**
   * @param policy the kernel family's policy of the solve (the instance is built under PAMT {@code
   *     any}: the kernel family does not rank remote PAMT, so a chunk may lie on any node)
   * @param deadline the solve's deadline
   * @param started when the solve started ({@link System#nanoTime})
   */
  WideKernelSearch(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline, long started) {
    this(map, limits, policy, deadline, started, false);
  }

  /**
   * As {@link #WideKernelSearch(MemoryMap, TdxLimits, Policy, Deadline, long)}; with {@code
   * guessesOnly}, only the TDMR sets near the restricted optimum are tried (neither the coverages
   * near it nor the whole model): for tests of an answer the search cannot prove.
   */
  WideKernelSearch(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline, long started,
      boolean guessesOnly) {
    this.mostVariables = guessesOnly ? 0 : MOST_VARIABLES;
    this.guessesOnly = guessesOnly;
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    this.deadline = deadline;
    this.started = started;
  }

  /** Whether the search can look below {@code restricted}, a named kernel-family answer of Z3. */
  boolean applies(EngineResult restricted) {
    return restricted.status() == Status.OPTIMAL && restricted.layout().isPresent()
        && !restricted.restrictions().isEmpty() && policy.coverage() == Policy.Coverage.ALL
        && !limits.dynamicPamt() && !deadline.expired();
  }

  /**
   * The answer of the wide model starting from {@code restricted} ({@link #applies}): {@code OPTIMAL}
   * when every tier is proven there; else {@code restricted}, with a message saying that the wide
   * model proved nothing and which better layout it found, if any.
   */
  EngineResult improve(EngineResult restricted) {
    Layout known = restricted.layout().orElseThrow();
    Instance wide;
    Instance moduleAny;
    long floor;
    try {
      wide = Instance.of(map, limits, policy.withPamt(Policy.PamtPlacementPolicy.ANY), deadline);
      moduleAny = Instance.of(map, limits,
          policy.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY), deadline);
      TierBounds bounds = new TierBounds(moduleAny);
      floor = bounds.pamtPages(bounds.provenBy(score(known))).map(TierBounds.Bound::value).orElse(1L);
      familyBound = KernelFamilyWitness.pamtBound(moduleAny, LayoutScore.of(map, limits,
          moduleAny.policy(), known));
    } catch (Deadline.Exceeded e) {
      return stands(restricted, "time limit, while its instance was prepared", Optional.empty());
    }
    if (!wide.impossibilities().isEmpty() || wide.cells().isEmpty()) {
      return restricted;
    }
    try (Context ctx = new Context(Map.of("model", "true"));
        Watchdog watchdog = Watchdog.at(deadline, ctx::interrupt)) {
      deadline.check();
      Optional<EngineResult> proven = new Run(ctx, wide, moduleAny, known, floor).search();
      if (proven.isPresent() && offKernelNode(proven.get().layout().orElseThrow())) {
        return stands(restricted, "its optimum puts a chunk off the node the kernel picks for its TDMR (PAMT"
            + " node-local)", better(known));
      }
      return proven.orElseGet(() -> stands(restricted, ("no layout found meets the family's bounds, and the whole"
          + " model is not searched: it has more than %d variables, or a run of 3 or more empty granules")
          .formatted(mostVariables), better(known)));
    } catch (Deadline.Exceeded e) {
      return stands(restricted, "time limit", better(known));
    } catch (Z3Exception e) {
      if (deadline.expired() || Z3Engine.isOutOfMemory(e)) {
        return stands(restricted, deadline.expired() ? "time limit" : e.getMessage(), better(known));
      }
      throw e;
    }
  }

  /** What z3's wide model holds, in the answers' words. */
  static final String WIDE_MODEL = "TDMRs on any 1 GiB boundary, chunks anywhere in one block, granules filled by"
      + " chunks outside every TDMR";

  /**
   * The best valid layout the search found with each chunk on the node the kernel picks for its TDMR
   * under PAMT {@code node-local} ({@link #offKernelNode}), kept here so that it outlives a search
   * stopped by the time limit.
   */
  private Layout found;

  /** The layout the search found better than {@code known}, if any. */
  private Optional<Layout> better(Layout known) {
    return found == null || found == known ? Optional.empty() : Optional.of(found);
  }

  /** The size of the wide model, once built. */
  private long variables;
  private long constraints;

  /**
   * The answer when the wide model proved nothing ({@code why}): {@code FEASIBLE} with {@code found}
   * where it is a layout of the family ranking better than the restricted optimum ({@link
   * KernelFamilyWitness}); else the restricted answer, saying so. Timed from the solve's start.
   */
  private EngineResult stands(EngineResult restricted, String why, Optional<Layout> found) {
    Optional<String> unfit = found.flatMap(l -> KernelFamilyWitness.unfit(map, limits, policy, restricted, l));
    if (found.isPresent() && unfit.isEmpty()) {
      String unproven = why.equals("time limit") ? "stopped at the time limit; a longer --time-limit may prove the optimum"
          : "proved nothing: " + why;
      return KernelFamilyWitness.answer(restricted, found.get(), familyBound, unproven, map, limits, policy,
          new KernelFamilyWitness.Search("z3's search of the kernel family", WIDE_MODEL, variables, constraints,
              List.of())).timedFrom(started);
    }
    List<String> said = new ArrayList<>();
    said.add("z3's wide kernel-family model (%s) proved nothing (%s): the answer above stands, under the".formatted(
        WIDE_MODEL, why) + " restrictions it names");
    unfit.ifPresent(u -> said.add("  the layout it found outside them is not the answer: " + u));
    return restricted.withMessagesAfter(said).timedFrom(started);
  }

  /**
   * Whether a run of 3 or more granules without TDX memory lies inside the window: two TDMRs may
   * grow their chunks into it from both sides without touching, leaving its middle in no TDMR,
   * which the instance's one boundary per cell does not hold (a chunk's size is its TDMR's, so that
   * can fill an island exactly, and matter under tight limits).
   */
  static boolean longEmptyRun(Instance wide) {
    return wide.cells().stream().anyMatch(c -> c.kind() == Instance.Kind.EMPTY && !c.extension() && c.sizeGiB() >= 3);
  }

  /**
   * Under PAMT {@code node-local}, whether some TDMR's chunk lies off the node the kernel picks for
   * it ({@link KernelShape#offKernelNode}): the restricted model offers chunks only there ({@link
   * tdmr.solver.Problem#NODE_LOCAL_RESTRICTION}), and an answer of the wide model is taken only where
   * it is one the kernel could build, as CP-SAT takes its own.
   */
  private boolean offKernelNode(Layout layout) {
    return policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && !KernelShape.offKernelNode(map, layout).isEmpty();
  }

  private LayoutScore score(Layout layout) {
    return LayoutScore.of(map, limits, policy, layout);
  }

  /** One search on one context. */
  private final class Run {
    private final Context ctx;
    private final Instance wide;
    /** The map's instance of the module family under PAMT {@code any}, whose bounds hold for the kernel family. */
    private final Instance moduleAny;
    private final ModuleEncoding model;
    private final Solver solver;
    private final long floor;
    private Layout best;
    /** The restricted optimum the search starts from. */
    private final Layout restricted;

    Run(Context ctx, Instance wide, Instance moduleAny, Layout known, long floor) {
      this.ctx = ctx;
      this.wide = wide;
      this.moduleAny = moduleAny;
      this.model = new ModuleEncoding(ctx, wide);
      variables = model.variables();
      constraints = model.constraints();
      this.solver = ctx.mkSolver();
      model.background().forEach(solver::add);
      model.groups().values().forEach(fs -> solver.add(fs.toArray(BoolExpr[]::new)));
      solver.add(ctx.mkGe(model.pamtPages(), ctx.mkInt(floor)));
      this.floor = floor;
      this.best = known;
      this.restricted = known;
    }

    Optional<EngineResult> search() {
      long hi = score(best).pamtBytes() / PAGE;
      long lo = Math.min(floor, hi);
      hi = atGuesses(lo, hi);
      hi = guessesOnly ? hi : atCoverages(lo, hi);
      if (hi == floor) {
        proofs.add("PAMT: the lower bound of TierBounds (module family, PAMT any)");
        solver.add(ctx.mkEq(model.pamtPages(), ctx.mkInt(hi)));
        Optional<EngineResult> met = fewestAreasOnBestTdmrs();
        if (met.isPresent()) {
          return met;
        }
        // The PAMT tier is proven; the others over the whole model, whose checks at that PAMT are
        // far fewer than a bisection's (the 1 TiB host: the areas of its 2 TDMRs).
        return Optional.of(fewestTdmrsAndAreas());
      }
      if (model.variables() > mostVariables || longEmptyRun(wide)) {
        return Optional.empty();
      }
      Bisection pamt = leastPamt(solver, lo, hi, deadline);
      if (!pamt.decided()) {
        throw new Deadline.Exceeded();
      }
      hi = pamt.pamtPages();
      proofs.add(hi == floor ? "PAMT: the lower bound of TierBounds (module family, PAMT any)"
          : "PAMT: z3 (no layout of the wide model has less, down to TierBounds' %d pages)".formatted(floor));
      solver.add(ctx.mkEq(model.pamtPages(), ctx.mkInt(hi)));
      return Optional.of(fewestTdmrsAndAreas());
    }

    /**
     * With the PAMT tier proven and fixed, the TDMR and reserved-area tiers minimised over the whole
     * model, each stepped down from the best layout's; the optimum. Throws {@link Deadline.Exceeded}
     * where a check is stopped by the time limit.
     */
    private EngineResult fewestTdmrsAndAreas() {
      for (String tier : List.of("TDMRs", "reserved areas")) {
        ArithExpr<IntSort> expr = tier.equals("TDMRs") ? model.tdmrCount() : model.areaCount();
        long value = tier.equals("TDMRs") ? score(best).tdmrs() : score(best).reservedAreas();
        long least = tier.equals("TDMRs") ? 1 : 0;
        while (value > least) {
          com.microsoft.z3.Status st = check(solver, List.of(ctx.mkLe(expr, ctx.mkInt(value - 1))));
          if (st == com.microsoft.z3.Status.SATISFIABLE) {
            value = adopt(expr);
          } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
            break;
          } else {
            throw new Deadline.Exceeded();
          }
        }
        proofs.add(tier + ": z3");
        solver.add(ctx.mkEq(expr, ctx.mkInt(value)));
      }
      return optimal();
    }

    /**
     * The best layout's TDMRs fixed, its reserved areas stepped down on a {@code qflia} solver of its
     * own (the PAMT tier proven and fixed); the answer when the layout then meets the kernel family's
     * bounds in every tier ({@link KernelFamilyClaim}), which proves the TDMR and area tiers without a
     * check of the whole model; empty otherwise.
     */
    private Optional<EngineResult> fewestAreasOnBestTdmrs() {
      fewestTdmrsOnBestCoverage();
      BoolExpr at = model.tdmrsAt(best.tdmrs().stream().map(Tdmr::range).toList());
      if (at.isFalse()) {
        return Optional.empty();
      }
      Solver fixed = solverAssuming(at);
      for (long areas = score(best).reservedAreas(); areas > 0; ) {
        com.microsoft.z3.Status st = check(fixed, List.of(ctx.mkLe(model.areaCount(), ctx.mkInt(areas - 1))));
        if (st != com.microsoft.z3.Status.SATISFIABLE) {
          break;
        }
        areas = adopt(model.areaCount());
      }
      EngineResult r = KernelFamilyClaim.named(result(Status.OPTIMAL, List.of(), OptionalLong.of(best.pamtBytes())), map,
          limits, policy, deadline);
      if (!r.restrictions().isEmpty()) {
        return Optional.empty();
      }
      proofs.add("TDMRs and reserved areas: the kernel family's lower bounds, which the layout meets");
      return Optional.of(optimal());
    }

    /**
     * The best layout's covered granules fixed ({@link ModuleEncoding#coverageIs}), its TDMRs stepped
     * down on a {@code qflia} solver of its own (the PAMT tier proven and fixed): runs of memory a
     * coverage search split to find the least PAMT may need fewer TDMRs. Each layout found is adopted.
     */
    private void fewestTdmrsOnBestCoverage() {
      BoolExpr at = model.coverageIs(coveredRuns(best));
      if (at.isFalse()) {
        return;
      }
      Solver fixed = solverAssuming(at);
      for (long tdmrs = score(best).tdmrs(); tdmrs > 1; ) {
        if (check(fixed, List.of(ctx.mkLe(model.tdmrCount(), ctx.mkInt(tdmrs - 1)))) != com.microsoft.z3.Status.SATISFIABLE) {
          return;
        }
        tdmrs = adopt(model.tdmrCount());
      }
    }

    /**
     * The least PAMT below {@code hi} found with the TDMRs fixed at each guess ({@link #guesses}),
     * on a {@code qflia} solver of its own: one check below the best so far, and where a layout is
     * found there, the bound {@code lo} and bisection down to it; {@code hi} when no guess
     * does better. Proves nothing (the TDMRs were assumed); it gives the search a layout at or near
     * the bound, where the whole model's checks take long.
     */
    private long atGuesses(long lo, long hi) {
      for (List<AddressRange> guess : guesses()) {
        BoolExpr at = model.tdmrsAt(guess);
        if (!at.isFalse() && lo < hi) {
          hi = leastAt(at, lo, hi, deadline);
        }
      }
      return hi;
    }

    /** A {@code qflia} solver of its own holding the model's assertions and {@code at}: checks with the TDMRs or coverage fixed take milliseconds there. */
    private Solver solverAssuming(BoolExpr at) {
      Solver fixed = ctx.mkSolver(ctx.mkTactic("qflia"));
      fixed.add(solver.getAssertions());
      fixed.add(at);
      return fixed;
    }

    /**
     * The least PAMT below {@code hi} found with {@code at} assumed, on a {@code qflia} solver of its
     * own, with checks stopped at {@code until}: first whether it beats the best at all (most guesses
     * do not: one check each), then bisection down to {@code lo}; {@code hi} when it does not.
     */
    private long leastAt(BoolExpr at, long lo, long hi, Deadline until) {
      Solver fixed = solverAssuming(at);
      if (check(fixed, List.of(ctx.mkLe(model.pamtPages(), ctx.mkInt(hi - 1))), until)
          != com.microsoft.z3.Status.SATISFIABLE) {
        return hi;
      }
      return leastPamt(fixed, lo, adopt(model.pamtPages()), until).pamtPages();
    }

    /**
     * The least PAMT below {@code hi} found with the covered granules fixed at each of {@link
     * #coverages} and the TDMRs' boundaries inside them left to z3 ({@link ModuleEncoding#coverageIs}),
     * as {@link #atGuesses}: one check whether the coverage beats the best at all, then bisection.
     * Proves nothing; it reaches layouts whose TDMRs a granule off the best's cannot (tdx#331: a block
     * left out whole, filled by the chunks of two TDMRs split inside a run to sum to it exactly). It
     * takes at most half the time left where the whole model is searched next, else 80% (what is left
     * steps the TDMRs and areas down at the PAMT found), and tries at most two TDMRs more than the
     * model's optimum has.
     */
    private long atCoverages(long lo, long hi) {
      boolean wholeModelNext = model.variables() <= mostVariables && !longEmptyRun(wide);
      Deadline share = deadline.within(deadline.remainingSeconds() * (wholeModelNext ? 0.5 : 0.8));
      // Few TDMRs more than the model's optimum: a coverage's checks with the TDMR count free took
      // 20 s and more on the 1 TiB host (its runs split into up to 64 TDMRs).
      int mostTdmrs = restricted.tdmrs().size() + 2;
      for (List<AddressRange> covered : coverages(hi)) {
        if (lo >= hi || share.expired()) {
          break;
        }
        BoolExpr at = model.coverageIs(covered);
        if (TierSearch.LOG) {
          System.err.println("z3 wide kernel coverage " + covered + (at.isFalse() ? " (not in the model)" : ""));
        }
        if (!at.isFalse()) {
          hi = leastAt(ctx.mkAnd(at, ctx.mkLe(model.tdmrCount(), ctx.mkInt(mostTdmrs))), lo, hi, share);
        }
      }
      return hi;
    }

    /**
     * Coverages near the restricted optimum's, most promising first: its runs of covered granules with
     * one of them changed, then two, each dropped whole or shrunk at one end by whole granules, where the
     * TDX memory so left out of every TDMR is less than {@code hi} pages (chunks of less PAMT than
     * the best's must fill it).
     */
    private List<List<AddressRange>> coverages(long hi) {
      List<AddressRange> runs = coveredRuns(restricted);
      List<List<CoverageChange>> changes = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        List<CoverageChange> mine = new ArrayList<>();
        AddressRange r = runs.get(i);
        if (leftOutPages(List.of(r)) < hi) {
          mine.add(new CoverageChange(r, Optional.empty()));
        }
        for (long g = ByteSize.GiB; g < r.size(); g += ByteSize.GiB) {
          AddressRange lowOff = new AddressRange(r.start(), r.start() + g);
          AddressRange highOff = new AddressRange(r.end() - g, r.end());
          boolean any = false;
          if (leftOutPages(List.of(lowOff)) < hi) {
            mine.add(new CoverageChange(r, Optional.of(new AddressRange(r.start() + g, r.end()))));
            any = true;
          }
          if (leftOutPages(List.of(highOff)) < hi) {
            mine.add(new CoverageChange(r, Optional.of(new AddressRange(r.start(), r.end() - g))));
            any = true;
          }
          if (!any) {
            break;
          }
        }
        changes.add(mine);
      }
      List<List<AddressRange>> singles = new ArrayList<>();
      List<Long> singlesLeftOut = new ArrayList<>();
      List<List<AddressRange>> pairs = new ArrayList<>();
      List<Long> pairsLeftOut = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        for (CoverageChange a : changes.get(i)) {
          addCoverage(runs, List.of(a), hi, singles, singlesLeftOut);
          for (int j = i + 1; j < runs.size(); j++) {
            for (CoverageChange b : changes.get(j)) {
              addCoverage(runs, List.of(a, b), hi, pairs, pairsLeftOut);
            }
          }
        }
      }
      List<List<AddressRange>> out = new ArrayList<>(mostLeftOutFirst(singles, singlesLeftOut));
      out.addAll(mostLeftOutFirst(pairs, pairsLeftOut));
      return out;
    }

    /**
     * {@code coverages} with those leaving out the most memory first: less is covered, so less PAMT,
     * where chunks can fill what is left out.
     */
    private static List<List<AddressRange>> mostLeftOutFirst(List<List<AddressRange>> coverages, List<Long> leftOut) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < coverages.size(); i++) {
        order.add(i);
      }
      order.sort((x, y) -> Long.compare(leftOut.get(y), leftOut.get(x)));
      return order.stream().map(coverages::get).toList();
    }

    /** A covered run changed: what is kept of it, if anything. */
    private record CoverageChange(AddressRange run, Optional<AddressRange> kept) {
      /** The granules the change leaves out. */
      AddressRange off() {
        return kept.map(k -> k.start() > run.start() ? new AddressRange(run.start(), k.start())
            : new AddressRange(k.end(), run.end())).orElse(run);
      }
    }

    /** {@code runs} with {@code changes} applied, when that leaves out less than {@code hi} pages of memory. */
    private void addCoverage(List<AddressRange> runs, List<CoverageChange> changes, long hi,
        List<List<AddressRange>> out, List<Long> leftOut) {
      List<AddressRange> covered = new ArrayList<>(runs);
      List<AddressRange> off = new ArrayList<>();
      for (CoverageChange c : changes) {
        covered.remove(c.run());
        c.kept().ifPresent(covered::add);
        off.add(c.off());
      }
      long pages = leftOutPages(off);
      if (covered.isEmpty() || pages >= hi) {
        return;
      }
      // The chunks of TDMRs covering exactly these granules: one TDMR per run has the least PAMT, and
      // each further TDMR (a run split) adds at most a page per level. Less than the best's, and enough
      // to fill the memory left out, or the coverage cannot do better.
      long least = 0;
      for (AddressRange r : coveredRuns(covered)) {
        least += wide.chunkPages(r.size() / ByteSize.GiB);
      }
      long most = least + 3L * Math.max(0, limits.maxTdmrs() - coveredRuns(covered).size());
      if (least < hi && pages <= most) {
        covered.sort(java.util.Comparator.comparingLong(AddressRange::start));
        out.add(covered);
        leftOut.add(pages);
      }
    }

    /** The layout's TDMRs as maximal runs of covered granules. */
    private List<AddressRange> coveredRuns(Layout layout) {
      return coveredRuns(layout.tdmrs().stream().map(Tdmr::range).toList());
    }

    /** {@code ranges} as maximal runs of covered granules. */
    private List<AddressRange> coveredRuns(List<AddressRange> ranges) {
      List<AddressRange> runs = new ArrayList<>();
      for (AddressRange r0 : ranges.stream().sorted(java.util.Comparator.comparingLong(AddressRange::start)).toList()) {
        AddressRange r = r0;
        if (!runs.isEmpty() && runs.get(runs.size() - 1).end() == r.start()) {
          r = new AddressRange(runs.remove(runs.size() - 1).start(), r.end());
        }
        runs.add(r);
      }
      return runs;
    }

    /** Pages of the map's memory in {@code ranges}. */
    private long leftOutPages(List<AddressRange> ranges) {
      long bytes = 0;
      for (AddressRange r : ranges) {
        for (tdmr.mem.MemoryBlock b : map.blocks()) {
          bytes += Math.max(0, Math.min(r.end(), b.end()) - Math.max(r.start(), b.start()));
        }
      }
      return bytes / PAGE;
    }

    /**
     * The least PAMT pages of a layout {@code s} allows, by bisection between {@code lo} (no layout
     * has less) and {@code hi} (the pages of the layout last adopted, which each layout found
     * replaces), its checks stopped at {@code until}; undecided where a check came back unknown (the
     * time limit), with the least found.
     */
    private Bisection leastPamt(Solver s, long lo, long hi, Deadline until) {
      for (long probe = lo; lo < hi; probe = lo + (hi - lo) / 2) {
        com.microsoft.z3.Status st = check(s, List.of(ctx.mkLe(model.pamtPages(), ctx.mkInt(probe))), until);
        if (st == com.microsoft.z3.Status.SATISFIABLE) {
          hi = adopt(model.pamtPages());
        } else if (st == com.microsoft.z3.Status.UNSATISFIABLE) {
          lo = probe + 1;
        } else {
          return new Bisection(hi, false);
        }
      }
      return new Bisection(hi, true);
    }

    /**
     * TDMR sets near the restricted optimum's: each of its TDMRs of 2 GiB or more shrunk by one
     * granule at its low or its high end, the others kept (the granule given up lies outside every
     * TDMR, its memory filled by chunks; a chunk may then cross into the granule beside it).
     */
    private List<List<AddressRange>> guesses() {
      List<AddressRange> tdmrs = best.tdmrs().stream().map(Tdmr::range).toList();
      List<List<AddressRange>> out = new ArrayList<>();
      for (int i = 0; i < tdmrs.size(); i++) {
        AddressRange t = tdmrs.get(i);
        if (t.size() < 2 * ByteSize.GiB) {
          continue;
        }
        for (AddressRange shrunk : List.of(new AddressRange(t.start() + ByteSize.GiB, t.end()),
            new AddressRange(t.start(), t.end() - ByteSize.GiB))) {
          List<AddressRange> guess = new ArrayList<>(tdmrs);
          guess.set(i, shrunk);
          out.add(guess);
        }
      }
      return out;
    }

    /** Takes the model just found when its layout is valid and better than the best so far; the value of {@code tier} in it. */
    private long adopt(ArithExpr<IntSort> tier) {
      Layout layout = model.read(pending).layout();
      List<String> failures = LayoutVerifier.failures(map, limits, policy, layout);
      if (!failures.isEmpty()) {
        throw new IllegalStateException("z3's kernel-mode model gave a layout the validator rejects (%s); this is a"
            + " defect of the encoding".formatted(String.join("; ", failures)));
      }
      if (score(layout).betterThan(score(best), policy)) {
        best = layout;
      }
      if (!offKernelNode(layout) && score(layout).betterThan(score(found == null ? restricted : found), policy)) {
        found = layout;
      }
      return ((IntNum) pending.eval(tier, true)).getInt64();
    }

    /** {@code OPTIMAL} with the best layout: for the whole family where its bounds are met, else under the wide model's restrictions. */
    private EngineResult optimal() {
      List<String> messages = new ArrayList<>();
      messages.add("proven optimal among %s: %s".formatted(Policy.Family.KERNEL.claim(), score(best).describe()));
      messages.add("  proven: " + String.join("; ", proofs) + " (z3 over the kernel family's Instance)");
      EngineResult r = result(Status.OPTIMAL, messages, OptionalLong.of(best.pamtBytes()));
      List<String> kept = ModuleFamilyRestrictions.kernelFamily(wide, moduleAny, true, Optional.of(score(best)));
      return KernelFamilyClaim.named(r, map, limits, policy, deadline, new Question(Policy.Family.KERNEL, kept));
    }

    private EngineResult result(Status status, List<String> messages, OptionalLong bound) {
      return new EngineResult(Z3Engine.NAME, status, Optional.of(best), OptionalLong.of(best.pamtBytes()), bound,
          messages, (System.nanoTime() - started) / 1_000_000, model.variables(), model.constraints(),
          score(best).uncoveredBytes());
    }

    /** What {@link #leastPamt} found: the least pages, and whether that is proven the least. */
    private record Bisection(long pamtPages, boolean decided) {}

    private Model pending;

    private com.microsoft.z3.Status check(Solver s, List<BoolExpr> assumptions) {
      return check(s, assumptions, deadline);
    }

    /** A check of {@code s} under {@code assumptions}, stopped at {@code until}. */
    private com.microsoft.z3.Status check(Solver s, List<BoolExpr> assumptions, Deadline until) {
      if (until.expired()) {
        return com.microsoft.z3.Status.UNKNOWN;
      }
      Params p = ctx.mkParams();
      p.add("timeout", (int) Math.max(1, Math.min(Integer.MAX_VALUE, until.remainingMillis())));
      s.setParameters(p);
      s.push();
      assumptions.forEach(s::add);
      com.microsoft.z3.Status st = s.check();
      pending = st == com.microsoft.z3.Status.SATISFIABLE ? s.getModel() : null;
      s.pop();
      if (TierSearch.LOG) {
        System.err.printf("z3 wide kernel check: %s, %d ms after the start%n", st, (System.nanoTime() - started) / 1_000_000);
      }
      return st;
    }
  }
}
