package tdmr.solver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The limit frontier of a memory map: for each TDMR limit {@code n}, the least
 * reserved-areas-per-TDMR limit {@code R} that admits a layout, and the least PAMT at {@code (n, R)}
 * (the price of the limit).
 *
 * <p>A point is proven by a layout at {@code R} and a proof that none exists at {@code R - 1}: an
 * engine's {@code INFEASIBLE}, or a lower bound. Its price is proven by an engine's optimum, or by a
 * layout that meets a proven PAMT bound. The engines are asked only for the price ({@link
 * SolveOptions#stopAfterPamt}): fewer TDMRs or areas at the same PAMT do not change a point. What
 * keeps the solves few:
 *
 * <ul>
 *   <li><b>Lower bounds.</b> In the module family {@link ReservedAreaBounds} bounds {@code R} for
 *       each {@code n} and the PAMT under each limit; the first question of a point is its bound,
 *       which on the real maps is usually the answer, so a point costs one solve and no
 *       infeasibility proof.
 *   <li><b>Monotonicity.</b> A layout within {@code n} TDMRs is within {@code n + 1}, so the least
 *       {@code R} never grows with {@code n}: the point at the largest {@code n} is a lower bound
 *       for all; every layout found, at any point, is an upper bound for every {@code n} from its
 *       TDMR count on; a layout found at a limit with fewer areas than the limit settles the limits
 *       in between. Feasibility is monotone in {@code R}, which makes the binary search sound.
 *   <li><b>Settled points.</b> The point at the largest {@code n} settles every {@code n} from the
 *       TDMR count {@code k} of its layout on: its {@code R} is a lower bound there and its layout
 *       fits, and its PAMT bound holds for fewer TDMRs too (they only remove layouts). So only {@code
 *       n < k} needs solving, in ascending order.
 * </ul>
 *
 * <p>Engines are asked in order; when one answers {@link Status#UNKNOWN} (a time limit) the next one
 * is asked, and each point records which engines' answers prove it. A point whose least limit is
 * not proven in its time says the best layout known ("at most") and the proven lower bound. Engines
 * must be exact (CP-SAT, Z3): a heuristic's {@link Status#FAILED} is treated as no answer.
 */
public final class Frontier {
  /** What {@link FrontierPoint#provers} says when {@link ReservedAreaBounds} proves part of a point. */
  public static final String BOUNDS = "bounds";

  private final List<Engine> engines;
  private final SolveOptions options;

  public Frontier(List<Engine> engines, SolveOptions options) {
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("the frontier needs at least one engine");
    }
    this.engines = engines.stream().map(DeadlineGuard::of).toList();
    this.options = Objects.requireNonNull(options, "options").stoppingAfterPamt();
  }

  /**
   * The frontier points for TDMR limits 1..{@code maxTdmrsUpTo}, ascending. All solves together end
   * by the options' deadline ({@link SolveOptions#solveDeadline()}, taken once): the point at the
   * largest limit may take half of the time, and each later point an equal share of what is left;
   * points that get no time are {@code UNKNOWN} (with the best layout other points found).
   */
  public List<FrontierPoint> compute(MemoryMap map, TdxLimits limits, Policy policy, int maxTdmrsUpTo) {
    if (maxTdmrsUpTo < 1) {
      throw new IllegalArgumentException("max TDMRs must be at least 1, got " + maxTdmrsUpTo);
    }
    Deadline deadline = options.solveDeadline();
    LowerBounds bounds = LowerBounds.of(map, limits.withMaxTdmrs(maxTdmrsUpTo), policy, deadline);
    List<Witness> witnesses = new ArrayList<>();
    Search lastSearch = new Search(map, limits.withMaxTdmrs(maxTdmrsUpTo), policy, deadline.share(2), bounds, witnesses);
    FrontierPoint last = lastSearch.point(bounds.reserved(maxTdmrsUpTo), List.of());
    // From the TDMR count of the last point's layout on, every point is the last point; when even
    // the most TDMRs admit no layout, fewer admit none either.
    boolean settled = last.status() == Status.OPTIMAL || last.status() == Status.FEASIBLE;
    int settledFrom = last.status() == Status.INFEASIBLE ? 1
        : settled ? Math.max(1, last.tdmrsUsed().orElse(maxTdmrsUpTo)) : maxTdmrsUpTo;
    List<FrontierPoint> points = new ArrayList<>();
    // What each point's lower limit rests on, for a later search of the point to start from.
    List<List<String>> floorsWhy = new ArrayList<>();
    for (int n = 1; n < settledFrom; n++) {
      int floor = Math.max(bounds.reserved(n), last.reservedAtLeast());
      Search search = new Search(map, limits.withMaxTdmrs(n), policy, deadline.share(settledFrom - n), bounds, witnesses);
      points.add(search.point(floor, lastSearch.lowerLimitRestrictions()));
      floorsWhy.add(search.lowerLimitRestrictions());
    }
    points.add(last);
    floorsWhy.add(lastSearch.lowerLimitRestrictions());
    // The time the first pass left (points that cost one quick solve, or none) goes to the points not
    // proven whole, in equal shares; each is searched again from what is known and the answers merged.
    List<Integer> open = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      Status st = points.get(i).status();
      if (st == Status.FEASIBLE || st == Status.UNKNOWN) {
        open.add(i);
      }
    }
    for (int k = 0; k < open.size() && !deadline.expired(); k++) {
      int i = open.get(k);
      FrontierPoint before = points.get(i);
      int n = before.maxTdmrs();
      boolean ownFloor = n == maxTdmrsUpTo || before.reservedAtLeast() >= last.reservedAtLeast();
      FrontierPoint again = new Search(map, limits.withMaxTdmrs(n), policy, deadline.share(open.size() - k), bounds,
          witnesses).point(ownFloor ? before.reservedAtLeast() : last.reservedAtLeast(),
              ownFloor ? floorsWhy.get(i) : lastSearch.lowerLimitRestrictions());
      points.set(i, before.merge(again, policy));
    }
    last = points.remove(points.size() - 1);
    for (int n = settledFrom; n <= maxTdmrsUpTo; n++) {
      points.add(last.at(n, n == maxTdmrsUpTo ? last.solves() : 0));
    }
    // A layout within n TDMRs is within n + 1: each point knows at least the layouts of the points
    // before it (the point at the largest limit is searched first and may not have seen them).
    for (int i = 1; i < points.size(); i++) {
      FrontierPoint below = points.get(i - 1);
      if (below.reservedAtMost().isPresent()) {
        points.set(i, points.get(i).merge(below.layoutOnlyAt(points.get(i).maxTdmrs()), policy));
      }
    }
    // Where the bound proves a point's lower limit, its reasoning at the point's own TDMR limit.
    points.replaceAll(p -> p.reservedAtLeast() > 0
        ? p.withFewerRuledOutBy(bounds.areas().flatMap(b -> b.shortfall(p.maxTdmrs(), p.reservedAtLeast() - 1)))
        : p);
    return points;
  }

  /** The lower bounds known before any solve: {@link ReservedAreaBounds} in the module family. */
  private record LowerBounds(Optional<ReservedAreaBounds> areas, Optional<IslandFill> fill, OptionalInt atoms) {
    static LowerBounds of(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
      LowerBounds none = new LowerBounds(Optional.empty(), Optional.empty(), OptionalInt.empty());
      if (policy.family() != Policy.Family.MODULE || deadline.expired()) {
        return none;
      }
      try {
        Instance instance = Instance.of(map, limits, policy, deadline);
        ReservedAreaBounds b = new ReservedAreaBounds(instance);
        return new LowerBounds(Optional.of(b), Optional.of(new IslandFill(instance, b)),
            OptionalInt.of(instance.atoms().size()));
      } catch (Deadline.Exceeded e) {
        return none;
      }
    }

    int reserved(int maxTdmrs) {
      return areas.map(b -> b.leastMaxReserved(maxTdmrs)).orElse(0);
    }

    long pamtBytes(int maxTdmrs, int maxReserved) {
      return areas.map(b -> b.leastPamtPages(maxTdmrs, maxReserved)).orElse(0L) * 4096;
    }
  }

  /**
   * A layout found at some point: its TDMR count and areas, and, when it was found at this point's
   * own TDMR limit, the answer that found it.
   */
  private record Witness(Layout layout, int areas, Optional<Answer> answer, String solver) {
    int tdmrs() {
      return layout.size();
    }

    /** The same layout seen from another TDMR limit: its answer's proofs were about that limit. */
    Witness elsewhere() {
      return new Witness(layout, areas, Optional.empty(), solver);
    }

    static Witness of(Answer a) {
      Layout l = a.result().layout().orElseThrow();
      return new Witness(l, l.maxReservedPerTdmr(), Optional.of(a), a.result().solver());
    }
  }

  /** One engine answer at one reserved-area limit. */
  private record Answer(int limit, Status status, EngineResult result) {
    /** The PAMT is the least at {@code limit}: an optimum, or a layout meeting a proven bound. */
    boolean priceProven() {
      return status == Status.OPTIMAL
          || status.hasLayout() && result.pamtBoundBytes().isPresent()
              && result.pamtBoundBytes().getAsLong() == result.layout().orElseThrow().pamtBytes();
    }
  }

  /** The solves for one TDMR limit, each reserved-area limit asked at most once. */
  private final class Search {
    private final MemoryMap map;
    private final TdxLimits limits;
    private final Policy policy;
    /** The point's share of the frontier's time; its solves share it in turn. */
    private final Deadline deadline;
    private final LowerBounds bounds;
    /** Every layout found so far, by every point. */
    private final List<Witness> witnesses;
    private final Map<Integer, Answer> answers = new HashMap<>();
    private final Map<Layout, LayoutScore> scores = new IdentityHashMap<>();
    private final Set<String> provers = new LinkedHashSet<>();
    private int solves;
    /** Proven: no layout has fewer areas per TDMR. */
    private int lo;
    /** The restrictions the proof of {@link #lo} holds under (empty when the bound proves it). */
    private List<String> loWhy = List.of();
    /** The restrictions of the proof that no limit admits a layout, for an {@code INFEASIBLE} point. */
    private List<String> noneWhy = List.of();
    /** The layout with the fewest areas known within this TDMR limit, or null. */
    private Witness best;

    Search(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline, LowerBounds bounds,
        List<Witness> witnesses) {
      this.map = map;
      this.limits = limits;
      this.policy = policy;
      this.deadline = deadline;
      this.bounds = bounds;
      this.witnesses = witnesses;
    }

    /**
     * The point, searched from the proven lower bound {@code floor}, whose proof holds under {@code
     * floorWhy} (another point's, unless the bound proves it here).
     */
    FrontierPoint point(int floor, List<String> floorWhy) {
      lo = floor;
      loWhy = floor <= bounds.reserved(limits.maxTdmrs()) ? List.of() : List.copyOf(floorWhy);
      for (Witness w : witnesses) {
        if (w.tdmrs() <= limits.maxTdmrs()) {
          offer(w.elsewhere());
        }
      }
      construct();
      // The bound first, when there is one: it is usually the answer.
      boolean askFloor = lo > 0 || best != null;
      while (best == null || lo < best.areas()) {
        int r;
        boolean topAsk = false;
        if (askFloor) {
          r = lo;
          askFloor = false;
        } else if (best == null) {
          OptionalInt top = enough();
          if (top.isEmpty()) {
            return unknown();
          }
          r = Math.max(lo, top.getAsInt());
          topAsk = true;
        } else if (!answers.containsKey(best.areas() - 1)) {
          // The usual answer: no fewer areas than the layout known.
          r = best.areas() - 1;
        } else {
          r = lo + (best.areas() - 1 - lo) / 2;
        }
        boolean lastAsk = best != null && r == lo && r == best.areas() - 1;
        Answer a = ask(r, lastAsk);
        switch (a.status()) {
          case UNKNOWN -> {
            return unknown();
          }
          case INFEASIBLE -> {
            if (topAsk) {
              // No layout even with enough areas for any layout: none at any limit.
              noneWhy = a.result().restrictions();
              return infeasible();
            }
            lo = r + 1;
            loWhy = lo <= bounds.reserved(limits.maxTdmrs()) ? List.of() : a.result().restrictions();
          }
          default -> offer(Witness.of(a));
        }
      }
      return proven(best.areas());
    }

    /**
     * When the limit at the floor has a price (islands must be filled), the layout {@link IslandFill}
     * builds there: often the cheapest, found without a search.
     */
    private void construct() {
      if (bounds.fill().isEmpty() || bounds.pamtBytes(limits.maxTdmrs(), lo) == 0 || deadline.expired()) {
        return;
      }
      try {
        bounds.fill().get().cheapest(limits.maxTdmrs(), lo).ifPresent(l -> {
          Witness w = new Witness(l, l.maxReservedPerTdmr(), Optional.empty(), IslandFill.NAME);
          witnesses.add(w);
          offer(w);
        });
      } catch (Deadline.Exceeded e) {
        // No time for it: the engines search.
      }
    }

    private static int areasOf(Answer a) {
      return a.result().layout().orElseThrow().maxReservedPerTdmr();
    }

    /**
     * Keeps the layout when it has fewer areas than the best known, or as many and a better score in
     * the objective's order ({@link LayoutScore#order}): under PAMT {@code node-local} less remote PAMT
     * ranks before less PAMT, so a layout of fewer TDMRs found at a smaller limit, with less PAMT but
     * more remote PAMT, is not the best at this limit (on the Westmere-EX map one TDMR over four nodes
     * has 65.93 GiB of PAMT and 128 MiB of it remote, two TDMRs 125.93 GiB and 32 bytes remote).
     */
    private void offer(Witness w) {
      if (w.answer().isPresent()) {
        witnesses.add(w);
      }
      if (best == null || w.areas() < best.areas()
          || w.areas() == best.areas() && score(w).betterThan(score(best), policy)) {
        best = w;
      }
    }

    /** A witness's score, computed once per layout (the frontier's witnesses are compared often). */
    private LayoutScore score(Witness w) {
      return scores.computeIfAbsent(w.layout(), l -> LayoutScore.of(map, limits, policy, l));
    }

    /**
     * Whether the tiers the objective ranks before PAMT (coverage under {@code max}, remote PAMT under
     * {@code node-local}) are proven at their least for {@code w}: an engine proved its price at this
     * limit (its answer's tiers before PAMT are proven with it), or they are 0. Only then does a PAMT
     * bound that holds for every layout ({@link ReservedAreaBounds}) prove its PAMT the price: a layout
     * with less remote PAMT may need more PAMT.
     */
    private boolean tiersBeforePamtLeast(Witness w) {
      if (w.answer().isPresent() && w.answer().get().priceProven()) {
        return true;
      }
      return tiersBeforePamtZero(w);
    }

    /** Whether {@code w} covers all it can and, where remote PAMT ranks, has none: its tiers before PAMT are 0. */
    private boolean tiersBeforePamtZero(Witness w) {
      LayoutScore s = score(w);
      return s.uncoveredBytes() == 0 && (!LayoutScore.ranksRemotePamt(policy) || s.remotePamtBytes() == 0);
    }

    /**
     * The point once {@code r} is proven the least limit ({@link #best} has {@code r} areas). Its
     * price is proven when the best layout meets the PAMT bound ({@link #pamtBound}); otherwise the
     * engines are asked at {@code r} (unless an answer at a limit of at least {@code r} already proved
     * its layout's PAMT least: the least PAMT only grows as the limit shrinks, and that layout, with
     * {@code r} areas, meets it at {@code r}), and the cheapest layout known is the point's.
     */
    private FrontierPoint proven(int r) {
      if (pamtBound(r).bytes() != best.layout().pamtBytes() || !tiersBeforePamtLeast(best)) {
        boolean priced = answers.values().stream()
            .anyMatch(a -> a.status().hasLayout() && areasOf(a) == r && a.priceProven());
        if (!priced) {
          Answer at = ask(r, true);
          if (at.status().hasLayout()) {
            offer(Witness.of(at));
          }
        }
      }
      PamtBound bound = pamtBound(r);
      if (bound.bytes() > best.layout().pamtBytes()) {
        throw new IllegalStateException("a proven PAMT bound of %d bytes lies above a validated layout of %d bytes"
            .formatted(bound.bytes(), best.layout().pamtBytes()));
      }
      bound = boundBeside(best, bound);
      Status status = bound.bytes() == best.layout().pamtBytes() ? Status.OPTIMAL : Status.FEASIBLE;
      return point(status, OptionalInt.of(r), r, Optional.of(best), bound);
    }

    /**
     * A proven lower bound on the PAMT at a point, and the restrictions its proof holds under: those of
     * the engine answer it comes from, none when {@link ReservedAreaBounds} gives it.
     */
    private record PamtBound(long bytes, List<String> why) {
      static final PamtBound NONE = new PamtBound(0, List.of());

      /** The larger bound, or of two equal ones the one resting on fewer restrictions. */
      PamtBound max(PamtBound other) {
        return other.bytes > bytes || other.bytes == bytes && other.why.size() < why.size() ? other : this;
      }
    }

    /**
     * A proven lower bound on the PAMT at this TDMR limit and {@code r} areas (of the layouts best in
     * the tiers before PAMT: coverage under {@code max}, remote PAMT under {@code node-local}): the
     * largest of {@link ReservedAreaBounds}' (which holds for every layout), the engines' answers at
     * {@code r}, and answers at larger limits whose layout has {@code r} areas and a PAMT proven least
     * (their layout is best at {@code r} too). Bounds at larger limits hold at {@code r} only without
     * tiers before PAMT: fewer areas may force more remote PAMT, and allow less PAMT with it.
     */
    private PamtBound pamtBound(int r) {
      PamtBound bound = new PamtBound(bounds.pamtBytes(limits.maxTdmrs(), r), List.of());
      boolean pamtFirst = policy.coverage() == Policy.Coverage.ALL && policy.pamt() == Policy.PamtPlacementPolicy.ANY;
      for (Answer a : answers.values()) {
        if (a.limit() < r || !a.status().hasLayout()) {
          continue;
        }
        boolean holds = a.limit() == r || pamtFirst;
        List<String> why = a.result().restrictions();
        if (a.priceProven() && (holds || areasOf(a) == r)) {
          bound = bound.max(restricted(new PamtBound(a.result().layout().orElseThrow().pamtBytes(), why)));
        } else if (holds && a.result().pamtBoundBytes().isPresent()) {
          bound = bound.max(restricted(new PamtBound(a.result().pamtBoundBytes().getAsLong(), why)));
        }
      }
      return bound;
    }

    /**
     * {@code bound}, or none when it holds only among the layouts of its restrictions and a validated
     * layout known has less PAMT (one outside them: a kernel-family {@code FEASIBLE} answer's layout
     * below another limit's restricted optimum, KernelFamilyWitness); it says nothing about the point.
     */
    private PamtBound restricted(PamtBound bound) {
      return !bound.why().isEmpty() && best != null && bound.bytes() > best.layout().pamtBytes() ? PamtBound.NONE : bound;
    }

    /**
     * The PAMT bound stated beside {@code w}: {@code bound}, unless {@code w} meets it without the tiers
     * before PAMT proven least ({@link #tiersBeforePamtLeast}). A layout meeting a bound that holds for
     * every layout is the price only when no layout with as many areas is better in those tiers (one
     * with less remote PAMT may need more PAMT), so then no bound is stated rather than one that reads
     * as the price proven.
     */
    private PamtBound boundBeside(Witness w, PamtBound bound) {
      if (bound.bytes() != w.layout().pamtBytes()) {
        return bound;
      }
      if (!tiersBeforePamtLeast(w)) {
        return PamtBound.NONE;
      }
      // Met: the price, resting also on the proof that the tiers before PAMT are least, unless they are 0.
      if (tiersBeforePamtZero(w)) {
        return bound;
      }
      Set<String> why = new LinkedHashSet<>(bound.why());
      why.addAll(w.answer().orElseThrow().result().restrictions());
      return new PamtBound(bound.bytes(), List.copyOf(why));
    }

    /** Enough areas per TDMR for any layout, or empty when the time ran out before it was known. */
    private OptionalInt enough() {
      // An area starts only at an atom's low end or at a chunk stacked against its high end, so no
      // TDMR has more than two per atom of the problem.
      try {
        int atoms = bounds.atoms().isPresent() ? bounds.atoms().getAsInt()
            : policy.family() == Policy.Family.KERNEL
                ? Problem.of(map, limits, policy, deadline).atoms().size()
                : Instance.of(map, limits, policy, deadline).atoms().size();
        return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, 2L * atoms + limits.maxTdmrs()));
      } catch (Deadline.Exceeded e) {
        return OptionalInt.empty();
      }
    }

    /**
     * The engines' answer at {@code maxReserved} areas. A question that may be followed by others
     * takes half of the point's time left, the last one all of it; engines are asked in turn.
     */
    Answer ask(int maxReserved, boolean lastAsk) {
      Answer known = answers.get(maxReserved);
      if (known != null) {
        return known;
      }
      Deadline askDeadline = deadline.share(lastAsk ? 1 : 2);
      Answer a = new Answer(maxReserved, Status.UNKNOWN, null);
      for (int i = 0; i < engines.size() && !askDeadline.expired(); i++) {
        Engine e = engines.get(i);
        solves++;
        // Each engine but the last may take three quarters of what is left (the next is asked only when
        // it runs out of time without a layout, and the first is the faster in its family).
        Deadline engineDeadline = i == engines.size() - 1 ? askDeadline
            : askDeadline.within(askDeadline.remainingSeconds() * 0.75);
        SolveOptions share = options.withDeadline(engineDeadline);
        EngineResult r = e.solve(map, limits.withMaxReservedPerTdmr(maxReserved), policy, share);
        // A heuristic's FAILED proves nothing; only exact engines' answers count.
        Status st = r.status() == Status.FAILED ? Status.UNKNOWN : r.status();
        a = new Answer(maxReserved, st, r);
        if (st != Status.UNKNOWN) {
          provers.add(r.solver());
          break;
        }
      }
      answers.put(maxReserved, a);
      return a;
    }

    private FrontierPoint unknown() {
      if (best == null) {
        return point(Status.UNKNOWN, OptionalInt.empty(), lo, Optional.empty(), PamtBound.NONE);
      }
      PamtBound bound = pamtBound(best.areas());
      if (bound.bytes() > best.layout().pamtBytes()) {
        bound = new PamtBound(best.layout().pamtBytes(), bound.why());
      }
      return point(Status.UNKNOWN, OptionalInt.empty(), lo, Optional.of(best), boundBeside(best, bound));
    }

    private FrontierPoint infeasible() {
      return point(Status.INFEASIBLE, OptionalInt.empty(), lo, Optional.empty(), PamtBound.NONE);
    }

    /**
     * The restrictions the proof of the point's lower limit holds under: that of the engine answer
     * that proved no layout at one area less, or of the point whose lower limit this one started from;
     * none when the bound proves it.
     */
    List<String> lowerLimitRestrictions() {
      return loWhy;
    }

    /**
     * The point as stated. It names the restrictions its claims rest on, and only those ({@link
     * FrontierPoint#restrictions}): of the proof that no layout has fewer areas than it says (an
     * engine's {@code INFEASIBLE} one area below, none when the bound proves it), of its PAMT bound
     * ({@link PamtBound}), and of the proof that no layout is better in the tiers before PAMT when
     * the price rests on it ({@link #boundBeside}). A layout is validated and rests on none: the
     * restrictions of answers that only found one (at a larger area limit, or at another point) are
     * not named.
     */
    private FrontierPoint point(Status status, OptionalInt minReserved, int atLeast, Optional<Witness> w,
        PamtBound bound) {
      OptionalLong pamtBound = bound.bytes() > 0 ? OptionalLong.of(bound.bytes()) : OptionalLong.empty();
      Set<String> by = new LinkedHashSet<>(provers);
      Set<String> why = new LinkedHashSet<>(status == Status.INFEASIBLE ? noneWhy : loWhy);
      if (pamtBound.isPresent()) {
        why.addAll(bound.why());
      }
      if (w.isPresent() && w.get().answer().isEmpty()) {
        // A layout another point found.
        by.add(w.get().solver());
      }
      int n = limits.maxTdmrs();
      if (minReserved.isPresent() && minReserved.getAsInt() > 0 && minReserved.getAsInt() <= bounds.reserved(n)
          && !(answers.containsKey(minReserved.getAsInt() - 1)
              && answers.get(minReserved.getAsInt() - 1).status() == Status.INFEASIBLE)) {
        by.add(BOUNDS);
      }
      if (w.isPresent() && minReserved.isPresent()
          && w.get().layout().pamtBytes() == bounds.pamtBytes(n, minReserved.getAsInt())) {
        by.add(BOUNDS);
      }
      OptionalInt atMost = w.map(x -> OptionalInt.of(x.areas())).orElse(OptionalInt.empty());
      OptionalLong pamt = w.map(x -> OptionalLong.of(x.layout().pamtBytes())).orElse(OptionalLong.empty());
      OptionalInt tdmrs = w.map(x -> OptionalInt.of(x.tdmrs())).orElse(OptionalInt.empty());
      OptionalLong remote = w.map(x -> OptionalLong.of(score(x).remotePamtBytes())).orElse(OptionalLong.empty());
      return new FrontierPoint(limits.maxTdmrs(), status, minReserved, atMost, Math.min(atLeast,
          atMost.orElse(Integer.MAX_VALUE)), pamt, pamtBound, tdmrs, List.copyOf(by), solves, remote, List.copyOf(why));
    }
  }
}
