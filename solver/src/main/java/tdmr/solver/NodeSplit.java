package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The module family solved node by node: under {@code --pamt node-local}, an exact engine solves
 * each <em>group</em> of NUMA nodes alone, and when every group's answer is {@code OPTIMAL} and
 * their layouts together pass the validator with no remote PAMT, the union is the optimum of the
 * whole map. Nodes whose TDX memory shares a 1 GiB granule, directly or through other nodes, are
 * one group; on most hosts each node is a group of its own, and on hosts of small nodes (1.5 GiB,
 * say, so that a granule holds memory of two) a group is a few neighbouring nodes. Both exact engines answer the module
 * family through it ({@code cpsat}'s {@code ModuleFamilySolver}, {@code z3}'s {@code
 * ModuleFamilyProver}); a map or an answer outside the conditions below goes to the undivided
 * solve, which then starts from the union as a witness when there is one.
 *
 * <h2>Why the union is optimal</h2>
 *
 * Let {@code M_X} be the map with only group X's TDX memory (the same CMRs, limits and policy), and
 * {@code opt_X} the score of group X's answer, proven optimal among the layouts of {@code M_X} that
 * meet the restrictions it names. The score ({@link LayoutScore}: uncovered, remote PAMT, PAMT,
 * TDMRs, reserved areas) is ordered lexicographically, an order on integer vectors that addition
 * preserves ({@code a ≤ b} and {@code c ≤ d} give {@code a + c ≤ b + d}).
 *
 * <ol>
 *   <li><b>The union {@code U} is a layout of the map with score {@code sum_X opt_X}</b> when it
 *       passes {@link LayoutVerifier} on the whole map (TDMRs disjoint and within the TDMR limit,
 *       PAMT disjoint and in reserved areas, all memory covered): that is checked, not assumed. Its
 *       score is recomputed on the whole map; it must have no remote PAMT, and under coverage {@code
 *       max} it must give up only {@link Instance#deadMemory} (memory no layout covers), so the
 *       tiers before PAMT are at their least, and an optimum has no remote PAMT either.
 *   <li><b>Every layout {@code L} without remote PAMT and without TDMRs holding no TDX memory has
 *       a score of at least {@code sum_X opt_X}.</b> A TDMR of {@code L} holding memory of groups X
 *       and Y (in different granules, as no granule holds memory of two groups) has each level on
 *       some nodes, which must all have memory in every granule of the TDMR holding memory, else
 *       the level describes that granule remotely ({@link tdmr.check.RemotePamt}; a level on no
 *       node is remote to every granule); no node has memory in a granule of X and one of Y, so
 *       each TDMR holds memory of one group. {@code L_X}, the TDMRs holding group X's memory with
 *       their PAMT and areas as in {@code L}, is a layout of {@code M_X}: (i) its levels lie on
 *       nodes with memory in its granules, nodes of X, so in group X's memory, which is TDX memory
 *       of {@code M_X}; (ii) a TDMR of {@code L_X} holds no other group's memory, so its holes
 *       (address space outside the TDX memory list, or outside the CMRs) are the same in {@code M_X}
 *       as in the map, and the PAMT inside it lies in group X's memory, so it belongs to a level on
 *       a node of X, whose TDMR holds memory of X: it is PAMT of {@code L_X} (no TDMR without
 *       memory lends levels), reserved as in {@code L}; (iii) group X's memory inside a TDMR of
 *       {@code L} lies in one of {@code L_X}, and group X's memory outside every TDMR is, under
 *       coverage {@code all}, PAMT on a node of X, so PAMT of {@code L_X}: {@code L_X} covers what
 *       {@code L} covers of it; (iv) it has at most the map's TDMRs, each with its areas.
 *       Summing over groups, {@code score(L) = sum_X score(L_X) ≥ sum_X opt_X}, when {@code L}
 *       meets each group's restrictions (they speak of TDMRs, blocks and runs of one group's memory,
 *       so {@code L} meets them when each {@code L_X} does): the union of the groups' restrictions
 *       is the claim's. <b>The TDMR limit {@code K} shared.</b> The TDMRs of the {@code L_X} are
 *       distinct TDMRs of {@code L}, so {@code sum_X k_X ≤ K} where {@code L_X} has {@code k_X};
 *       with {@code best_X(k)} the optimum of {@code M_X} under a TDMR limit of {@code k}, {@code
 *       score(L) ≥ sum_X best_X(k_X) ≥ min { sum_X best_X(k'_X) : sum_X k'_X ≤ K }}, the least
 *       allocation of the limit, which {@link TdmrBudget} finds (solving groups at smaller limits
 *       only where it must; its javadoc proves the search exact). When the groups' optima fit ({@code
 *       sum_X k*_X ≤ K}) that allocation is each group's optimum; otherwise it is the union of each
 *       group's optimum at the limit it gets, and it is optimal when that has no remote PAMT (step 1):
 *       no remote PAMT is exactly what made every TDMR hold one group's memory. When every
 *       allocation has remote PAMT, a TDMR over two groups (whose remote PAMT this step does not
 *       bound) may beat it: the union is then only a witness (step 1 fails it).
 *   <li><b>TDMRs without memory.</b> Such a TDMR only lends its three levels, possibly to several
 *       groups at once, so step 2 does not apply to it. Each has at least a 1 GiB TDMR's levels;
 *       {@link ModuleFamilyBounds#leastPamtPagesWithMemoryless} bounds the PAMT of every layout
 *       without remote PAMT, giving up no coverable memory, that has some. When that bound exceeds
 *       the union's PAMT, no such layout is as good as {@code U}; nor when the union's PAMT is the
 *       covering bound of {@link ModuleFamilyBounds} at which no granule can be left out ({@code
 *       atCoveringBound}); nor when {@link LeftOutPamtBound#leastWithMemoryless} exceeds it. That
 *       bound counts the TDMRs: such a layout has at most {@code K - 1} TDMRs holding memory, each
 *       holding one group's, so where the limit binds it leaves memory granules out of every TDMR,
 *       all their memory PAMT (whoever's levels fill them: a TDMR without memory lends levels local
 *       to every granule, which can make that cheaper), or its TDMRs span the gaps between a group's
 *       runs of memory; and when no granule is left out, the TDMR without memory adds its own levels.
 *       Per group it takes the enumeration of {@link LeftOutPamtBound} on groups of few granules and
 *       a coarser bound on any group ({@link LeftOutPamtBound#coarse}): a group given no TDMR leaves
 *       all its memory out, which on a host of large nodes rules out a TDMR without memory whenever
 *       the limit is at most the number of groups. Under holes {@code memlist} such
 *       a TDMR is all holes, so it needs a reserved area: at 0 areas per TDMR there is none.
 *       Otherwise the claim names the restriction "every TDMR holds TDX memory". Where the limit
 *       binds (or no union was found), {@link MemorylessFill} then builds layouts with such TDMRs;
 *       one that {@link LayoutVerifier} accepts and that beats the union is the answer, {@code
 *       FEASIBLE} with the PAMT bound of both kinds of layout (the union's optimality or the groups'
 *       bounds, and this step's bounds), never {@code OPTIMAL}.
 * </ol>
 *
 * So {@code U} is optimal among the layouts of the family that meet the named restrictions: by 1 it
 * is a layout, by 1 an optimum has no remote PAMT, and by 2 and 3 none beats it. The TDMR limit is
 * shared between groups: each group is solved first with the whole limit, and only when their optima
 * together exceed it at the smaller limits {@link TdmrBudget} needs (step 2); the reserved-area
 * limit is per TDMR. A group's memory above the HKID limit or outside every CMR is its own dead memory; low
 * memory of node 0 is node 0's. Not split (the undivided solve answers): the kernel family (there
 * {@code node-local} is the kernel's placement rule, not a tier, and its optimum may span nodes),
 * {@code --pamt any}, one group, more than {@link #MOST_SOLVES} groups of different shapes, and
 * {@code prove}'s question of the price alone. A group whose answer is not {@code OPTIMAL} but has
 * a layout leaves the union a witness: the undivided solve gets the time left and the answer is the
 * better of the two; such a group's part of the union is the better of its search's layout and the
 * Linux greedy's layout of its map.
 *
 * <h2>Groups alike up to an address shift</h2>
 *
 * Multi-socket hosts have many groups alike: the same blocks, on the same nodes up to their names,
 * and CMRs relative to their first granule (their window's start). Groups alike (windows shifted by
 * whole GiB, all below the HKID limit) are solved once, for the lowest of them, and the others take
 * its answer shifted: a layout of one group's map, shifted, is one of the other's (every rule is
 * invariant under a shift by whole GiB below the HKID limit, except where TDMRs without memory may
 * go, which the union's validation covers; remote PAMT depends on the nodes only through which
 * memory shares a node, which the shape keeps), and a layout of the other group's map without
 * TDMRs holding no memory has w.l.o.g. its TDMRs inside the group's window (a TDMR may give up a
 * granule without memory at its end with no tier worse, {@link Instance}), so shifted it is one of
 * the first group's. So their optima are equal in the sense step 2 needs, and the shifted layout is
 * validated with the union. Shapes shared by more groups are solved first, then groups of fewer
 * blocks; each solve gets an equal share of the time left to the groups (four fifths of the
 * solve's), so a group unlike the others with more blocks (node 0's, with the low memory) gets what
 * they leave.
 */
public final class NodeSplit {
  /** What the claim names when TDMRs without memory are not ruled out (step 3). */
  static final String MEMORY_IN_EVERY_TDMR = "every TDMR holds TDX memory (no TDMR only lends its PAMT levels)";

  /** The most groups of different shapes that are solved apart; a map with more is solved undivided. */
  static final int MOST_SOLVES = 32;

  /** The undivided module-family solve of one engine. */
  @FunctionalInterface
  public interface Solver {
    EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options);
  }

  /**
   * One group's part: its nodes, its map, its window's start and what makes two groups alike; it is
   * known by its least node.
   */
  record Part(List<Integer> nodes, MemoryMap map, long windowStart, List<Long> shape) {
    int node() {
      return nodes.get(0);
    }

    String name() {
      return NodeSplit.name(nodes);
    }
  }

  private NodeSplit() {}

  /**
   * The module-family answer of {@code whole}'s engine for {@code map}: node by node when the map
   * and the answers allow (class comment), else {@code whole}'s answer for the whole map, given the
   * nodes' union as a witness to beat when there is one.
   */
  public static EngineResult solve(Solver whole, String engine, MemoryMap map, TdxLimits limits, Policy policy,
      SolveOptions options) {
    long started = System.nanoTime();
    Deadline deadline = options.solveDeadline();
    Optional<List<Part>> parts = parts(map, limits, policy, options);
    if (parts.isEmpty()) {
      return whole.solve(map, limits, policy, options);
    }
    List<String> details = new ArrayList<>();
    // The nodes get at most four fifths of the time; the rest is the undivided solve's if a node fails.
    Deadline split = Deadline.in(deadline.remainingSeconds() * 4 / 5);
    Optional<Union> union = solveNodes(whole, parts.get(), limits, policy, options, split, details);
    Optional<EngineResult> claim = union.flatMap(u -> claim(engine, map, limits, policy, u, details, started, deadline));
    if (claim.isPresent() && claim.get().status() == Status.OPTIMAL
        && !claim.get().restrictions().contains(MEMORY_IN_EVERY_TDMR)) {
      return claim.get();
    }
    claim = tryMemoryless(whole, engine, map, limits, policy, options, parts.get(), union, claim, details, started,
        deadline);
    if (claim.isPresent() && claim.get().status() == Status.OPTIMAL) {
      return claim.get();
    }
    claim.ifPresent(c -> options.incumbent().offer(c));
    EngineResult r = whole.solve(map, limits, policy, options.withDeadline(deadline));
    return claim.isPresent() ? better(r, claim.get(), map, limits, policy, details, started)
        : r.withDetails(concat(details, r.details())).timedFrom(started);
  }

  /**
   * {@code claim}, or a better layout with TDMRs without memory from {@link MemorylessFill} where
   * the TDMR limit binds (the groups' optima exceed it, or no union was found): such a layout is only
   * {@code FEASIBLE}, with the PAMT bound of {@link #memorylessBound}. It is tried when the claim is
   * not proven or names {@link #MEMORY_IN_EVERY_TDMR}, given three quarters of the time left (the
   * undivided solve gets the rest).
   */
  private static Optional<EngineResult> tryMemoryless(Solver whole, String engine, MemoryMap map, TdxLimits limits,
      Policy policy, SolveOptions options, List<Part> parts, Optional<Union> nodes, Optional<EngineResult> claim,
      List<String> details, long started, Deadline deadline) {
    if (nodes.isPresent() && !nodes.get().limitBinds()
        || policy.holes() == Policy.Holes.MEMLIST && limits.maxReservedPerTdmr() == 0) {
      return claim;
    }
    List<Optional<Layout>> known = nodes.map(Union::groupLayouts)
        .orElse(parts.stream().map(p -> Optional.<Layout>empty()).toList());
    Optional<Layout> filled = MemorylessFill.layout(whole, map, parts, known, limits, policy, options,
        Deadline.in(deadline.remainingSeconds() * 3 / 4), details);
    if (filled.isEmpty()) {
      return claim;
    }
    LayoutScore score = LayoutScore.of(map, limits, policy, filled.get());
    if (claim.isPresent() && !score.betterThan(
        LayoutScore.of(map, limits, policy, claim.get().layout().orElseThrow()), policy)) {
      details.add("the layout with TDMRs without memory is no better: " + score.describe());
      return claim;
    }
    OptionalLong bound = memorylessBound(map, limits, policy, parts, claim, score, deadline, details);
    boolean least = bound.isPresent() && bound.getAsLong() >= filled.get().pamtBytes();
    String what = "best layout found (node by node, with TDMRs without memory)";
    List<String> messages = List.of((least ? what + ", its PAMT proven the least (the tiers after PAMT are not"
        + " proven): " : what + ": ") + score.describe());
    return Optional.of(result(engine, Status.FEASIBLE, filled.get(), score,
        bound.isPresent() ? OptionalLong.of(Math.min(bound.getAsLong(), filled.get().pamtBytes())) : bound, messages,
        details, List.of(), started));
  }

  /**
   * A lower bound in bytes on the PAMT of the map's optimum when a layout {@code found} has no
   * remote PAMT and gives up no coverable memory (so the optimum does neither); empty otherwise. An
   * optimum without TDMRs holding no memory has at least the union's PAMT when {@code claim} proved
   * the union optimal among those with no other restriction named, else {@link #pamtBound}'s groups'
   * sum; one with such a TDMR has at least step 3's bounds. The smaller of the two holds.
   */
  private static OptionalLong memorylessBound(MemoryMap map, TdxLimits limits, Policy policy, List<Part> parts,
      Optional<EngineResult> claim, LayoutScore found, Deadline deadline, List<String> details) {
    try {
      Instance instance = Instance.of(map, limits, policy, deadline);
      if (found.remotePamtBytes() > 0 || found.uncoveredBytes() > instance.deadMemory()) {
        return OptionalLong.empty();
      }
      ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, true);
      if (claim.isPresent() && claim.get().status() == Status.OPTIMAL
          && claim.get().restrictions().equals(List.of(MEMORY_IN_EVERY_TDMR))) {
        long memoryless = Math.max(bounds.leastPamtPagesWithMemoryless(instance.chunkPages(1)).orElse(0),
            withMemoryless(parts, limits).orElse(0)) * ByteSize.PAGE;
        return OptionalLong.of(Math.min(claim.get().pamtBytes().orElseThrow(), memoryless));
      }
      OptionalLong pages = pamtBound(instance, bounds, parts, limits, policy, deadline, details);
      return pages.isPresent() ? OptionalLong.of(pages.getAsLong() * ByteSize.PAGE) : pages;
    } catch (Deadline.Exceeded e) {
      details.add("time limit: it struck while the bounds were derived, so none is given");
      return OptionalLong.empty();
    }
  }

  /**
   * The nodes' layouts together, the restrictions their claims named, and whether every node's
   * answer was {@code OPTIMAL} (else the union is only a witness); each group's layout, and whether
   * the TDMR limit binds (the union has as many TDMRs as it allows, or the limit was shared).
   */
  private record Union(Layout layout, List<String> restrictions, boolean proven, List<Part> parts,
      List<Optional<Layout>> groupLayouts, boolean limitBinds) {}

  /**
   * {@link LeftOutPamtBound#leastWithMemoryless} within the TDMR limit, over every group's {@link
   * LeftOutPamtBound#holding}: a lower bound on the PAMT pages of a layout without remote PAMT
   * covering all memory that has a TDMR without memory (class comment, step 3); empty when a group
   * has memory no layout covers.
   */
  private static OptionalLong withMemoryless(List<Part> parts, TdxLimits limits) {
    Map<List<Long>, LeftOutPamtBound.Holding> byShape = new java.util.HashMap<>();
    List<LeftOutPamtBound.Holding> bounds = new ArrayList<>();
    for (Part p : parts) {
      LeftOutPamtBound.Holding b = p.shape() == null ? null : byShape.get(p.shape());
      if (b == null) {
        Optional<LeftOutPamtBound.Holding> o = LeftOutPamtBound.holding(p.map(), limits);
        if (o.isEmpty()) {
          return OptionalLong.empty();
        }
        b = o.get();
        if (p.shape() != null) {
          byShape.put(p.shape(), b);
        }
      }
      bounds.add(b);
    }
    return LeftOutPamtBound.leastWithMemoryless(bounds, limits.maxTdmrs(), limits);
  }

  /**
   * Solves the nodes' maps (a node alike to a solved one takes its layout shifted); the union of
   * their layouts when every node has one, else empty.
   */
  private static Optional<Union> solveNodes(Solver whole, List<Part> parts, TdxLimits limits,
      Policy policy, SolveOptions options, Deadline split, List<String> details) {
    Set<String> named = new LinkedHashSet<>();
    Map<List<Long>, Part> solvedShape = new java.util.HashMap<>();
    Map<Integer, Layout> layouts = new TreeMap<>();
    // Each shape is solved once, for its lowest node; shapes shared by more nodes first, then nodes
    // of fewer blocks, so that a node unlike any other with more blocks (node 0, with the low
    // memory) gets the time the others leave.
    Map<List<Long>, Long> members = new java.util.HashMap<>();
    for (Part p : parts) {
      if (p.shape() != null) {
        members.merge(p.shape(), 1L, Long::sum);
      }
    }
    List<Part> order = new ArrayList<>(parts);
    order.sort(Comparator.comparingLong((Part p) -> p.shape() == null ? -1 : -members.get(p.shape()))
        .thenComparingInt(p -> p.map().blocks().size()));
    long left = members.size() + parts.stream().filter(p -> p.shape() == null).count();
    List<Tdmr> tdmrs = new ArrayList<>();
    boolean proven = true;
    for (Part p : order) {
      Part alike = p.shape() == null ? null : solvedShape.get(p.shape());
      if (alike != null) {
        Layout shifted = shift(layouts.get(alike.node()), p.windowStart() - alike.windowStart());
        layouts.put(p.node(), shifted);
        tdmrs.addAll(shifted.tdmrs());
        details.add("%s: %s's optimum shifted by %s".formatted(p.name(), alike.name(),
            ByteSize.human(p.windowStart() - alike.windowStart())));
        continue;
      }
      Deadline share = Deadline.in(Math.max(0, split.remainingSeconds() / left--));
      EngineResult r = whole.solve(p.map(), limits, policy,
          options.withDeadline(share).withIncumbent(Incumbent.NONE));
      details.add("%s: %s in %d ms%s".formatted(p.name(), r.status(), r.solveMillis(),
          r.layout().map(l -> ", " + Count.of(l.size(), "TDMR") + ", PAMT " + l.pamtBytes() + " bytes").orElse("")));
      Optional<Layout> layout = r.family() == Policy.Family.MODULE ? r.layout() : Optional.empty();
      if (r.status() != Status.OPTIMAL) {
        layout = betterOfKernels(layout, p.map(), limits, policy, share);
        if (layout.isEmpty()) {
          details.add("%s: no layout, so the whole map is solved undivided".formatted(p.name()));
          return Optional.empty();
        }
        details.add("%s not proven: the nodes' union is a witness for the undivided solve".formatted(p.name()));
        proven = false;
      } else {
        named.addAll(r.restrictions());
      }
      layouts.put(p.node(), layout.orElseThrow());
      tdmrs.addAll(layout.get().tdmrs());
      if (p.shape() != null) {
        solvedShape.put(p.shape(), p);
      }
    }
    if (proven && tdmrs.size() > limits.maxTdmrs()) {
      details.add("the nodes' optima need %s, over the limit of %d: the limit is shared between the groups"
          .formatted(Count.of(tdmrs.size(), "TDMR"), limits.maxTdmrs()));
      return shareLimit(whole, parts, solvedShape, layouts, limits, policy, options, split, details, named);
    }
    tdmrs.sort(Comparator.comparingLong(Tdmr::base));
    List<Optional<Layout>> byGroup = parts.stream().map(p -> Optional.ofNullable(layouts.get(p.node()))).toList();
    return Optional.of(new Union(new Layout(tdmrs), List.copyOf(named), proven, parts, byGroup,
        tdmrs.size() >= limits.maxTdmrs()));
  }

  /**
   * The union when the groups' optima together exceed the TDMR limit: each group's layout at the
   * limit {@link TdmrBudget} gives it (groups alike share their solves), every solve {@code
   * OPTIMAL} or {@code INFEASIBLE} (class comment, step 2); when a solve proved nothing, the best
   * allocation of the layouts found, a witness (not proven); empty when no allocation has a layout.
   */
  private static Optional<Union> shareLimit(Solver whole, List<Part> parts, Map<List<Long>, Part> solvedShape,
      Map<Integer, Layout> layouts, TdxLimits limits, Policy policy, SolveOptions options, Deadline split,
      List<String> details, Set<String> named) {
    List<Part> shapes = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    List<TdmrBudget.Answer> optima = new ArrayList<>();
    List<Optional<long[]>> leftOut = new ArrayList<>();
    for (Part p : parts) {
      Part rep = p.shape() == null ? p : solvedShape.get(p.shape());
      int i = shapes.indexOf(rep);
      if (i < 0) {
        i = shapes.size();
        shapes.add(rep);
        optima.add(answer(rep, limits, policy, layouts.get(rep.node()), !named.isEmpty()));
        leftOut.add(LeftOutPamtBound.strict(rep.map(), limits));
      }
      groups.add(i);
    }
    Set<String> budgetNamed = new LinkedHashSet<>(named);
    TdmrBudget budget = new TdmrBudget(optima, leftOut, policy);
    TdmrBudget.ShapeSolver solver = (shape, k) -> {
      Part rep = shapes.get(shape);
      Deadline share = Deadline.in(Math.max(0, split.remainingSeconds() / 2));
      EngineResult r = whole.solve(rep.map(), limits.withMaxTdmrs(k), policy,
          options.withDeadline(share).withIncumbent(Incumbent.NONE));
      details.add("%s within %s: %s in %d ms%s".formatted(rep.name(), Count.of(k, "TDMR"), r.status(),
          r.solveMillis(), r.layout().map(l -> ", " + Count.of(l.size(), "TDMR") + ", PAMT " + l.pamtBytes()
              + " bytes, remote " + LayoutScore.of(rep.map(), limits, policy, l).remotePamtBytes()).orElse("")));
      if (r.family() != Policy.Family.MODULE) {
        return new TdmrBudget.Solve(Optional.empty(), Optional.empty());
      }
      boolean restricted = !r.restrictions().isEmpty();
      if (r.status() == Status.INFEASIBLE) {
        budgetNamed.addAll(r.restrictions());
        return new TdmrBudget.Solve(Optional.of(TdmrBudget.Answer.none(restricted)), Optional.empty());
      }
      Optional<TdmrBudget.Answer> layout = r.layout().map(l -> answer(rep, limits, policy, l, restricted));
      if (r.status() != Status.OPTIMAL) {
        return new TdmrBudget.Solve(Optional.empty(), layout);
      }
      budgetNamed.addAll(r.restrictions());
      return new TdmrBudget.Solve(layout, layout);
    };
    Optional<TdmrBudget.Allocation> a = budget.allocate(groups, limits.maxTdmrs(), solver,
        budget.solves() + MOST_SOLVES);
    if (a.isEmpty()) {
      details.add("no allocation of the TDMR limit to the groups has a layout: the whole map is solved undivided");
      return Optional.empty();
    }
    if (!a.get().proven()) {
      details.add("no allocation of the TDMR limit to the groups was proven: the best of the layouts found is a"
          + " witness for the undivided solve");
    } else if (a.get().restricted()) {
      named.addAll(budgetNamed);
    } else {
      if (!budgetNamed.isEmpty()) {
        details.add("the groups' restrictions are not needed: no allocation's bounds without them (the"
            + " solves that named none, LeftOutPamtBound) sum below the allocation found");
      }
      named.clear();
    }
    List<Tdmr> tdmrs = new ArrayList<>();
    List<Optional<Layout>> byGroup = new ArrayList<>();
    Map<Integer, Integer> given = new TreeMap<>();
    for (int g = 0; g < parts.size(); g++) {
      Part p = parts.get(g);
      Part rep = shapes.get(groups.get(g));
      Layout own = shift(a.get().answers().get(g).layout().orElseThrow(), p.windowStart() - rep.windowStart());
      byGroup.add(Optional.of(own));
      tdmrs.addAll(own.tdmrs());
      given.merge(a.get().tdmrs().get(g), 1, Integer::sum);
    }
    details.add("the limit shared (groups per TDMRs each): " + given);
    tdmrs.sort(Comparator.comparingLong(Tdmr::base));
    return Optional.of(new Union(new Layout(tdmrs), List.copyOf(named), a.get().proven(), parts, byGroup, true));
  }

  /**
   * The better of {@code found} (a node's layout from a search cut short, which may be far from
   * its optimum) and the Linux greedy's layout of the node's map (quick, and of the module family),
   * by the objective; empty when neither exists.
   */
  private static Optional<Layout> betterOfKernels(Optional<Layout> found, MemoryMap node, TdxLimits limits,
      Policy policy, Deadline share) {
    Optional<Layout> greedy = GreedyEngine.kernelsLayout(node, limits, policy,
        Deadline.in(Math.max(1, share.remainingSeconds()))).flatMap(EngineResult::layout);
    if (greedy.isEmpty() || found.isPresent() && !LayoutScore.of(node, limits, policy, greedy.get())
        .betterThan(LayoutScore.of(node, limits, policy, found.get()), policy)) {
      return found;
    }
    return greedy;
  }

  /**
   * The answer with the nodes' union: {@code OPTIMAL} when steps 1 to 3 of the class comment hold
   * (naming the nodes' restrictions, and step 3's when TDMRs without memory are not ruled out),
   * {@code FEASIBLE} when the union is only a valid layout, empty when it is not one.
   */
  private static Optional<EngineResult> claim(String engine, MemoryMap map, TdxLimits limits, Policy policy,
      Union nodes, List<String> details, long started, Deadline deadline) {
    Layout union = nodes.layout();
    List<String> failures = LayoutVerifier.failures(map, limits, policy, union);
    if (!failures.isEmpty()) {
      details.add("the nodes' layouts together are no layout of the map (%s): the whole map is solved undivided"
          .formatted(String.join("; ", failures)));
      return Optional.empty();
    }
    LayoutScore score = LayoutScore.of(map, limits, policy, union);
    Instance instance;
    try {
      instance = Instance.of(map, limits, policy, deadline);
    } catch (Deadline.Exceeded e) {
      details.add("time limit: it struck while the whole map's instance was built, so the union is only a witness");
      return Optional.of(result(engine, Status.FEASIBLE, union, score, OptionalLong.empty(),
          List.of("best layout found (node by node): " + score.describe()), details, List.of(), started));
    }
    List<String> named = new ArrayList<>(nodes.restrictions());
    List<String> messages = new ArrayList<>();
    String what = score.describe();
    boolean leastBefore = score.remotePamtBytes() == 0 && score.uncoveredBytes() <= instance.deadMemory();
    if (!leastBefore) {
      details.add("the nodes' union has remote PAMT or gives up coverable memory: not proven");
      messages.add("best layout found (node by node): " + what);
      return Optional.of(result(engine, Status.FEASIBLE, union, score, OptionalLong.empty(), messages, details, named,
          started));
    }
    // A TDMR without memory has at least a 1 GiB TDMR's three levels.
    ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, true);
    if (!nodes.proven()) {
      OptionalLong pages = pamtBound(instance, bounds, nodes.parts(), limits, policy, deadline, details);
      boolean least = pages.isPresent() && pages.getAsLong() * ByteSize.PAGE >= union.pamtBytes();
      messages.add((least ? "best layout found (node by node), its PAMT proven the least (the tiers after PAMT are not"
          + " proven): " : "best layout found (node by node): ") + what);
      OptionalLong bound = pages.isPresent()
          ? OptionalLong.of(Math.min(pages.getAsLong() * ByteSize.PAGE, union.pamtBytes())) : OptionalLong.empty();
      return Optional.of(result(engine, Status.FEASIBLE, union, score, bound, messages, details, List.of(), started));
    }
    OptionalLong withMemoryless = bounds.leastPamtPagesWithMemoryless(instance.chunkPages(1));
    if (policy.holes() == Policy.Holes.MEMLIST && limits.maxReservedPerTdmr() == 0) {
      details.add("TDMRs without memory ruled out: under holes memlist each needs a reserved area, and none is allowed");
    } else if (withMemoryless.isPresent() && withMemoryless.getAsLong() * ByteSize.PAGE > union.pamtBytes()) {
      details.add("TDMRs without memory ruled out: every layout with one has at least %d pages of PAMT"
          .formatted(withMemoryless.getAsLong()));
    } else if (atCoveringBound(bounds, union)) {
      details.add("TDMRs without memory ruled out: the union has the least PAMT of a layout covering every granule,"
          + " %d pages, and a layout with one has more".formatted(bounds.leastCoveringPages()));
    } else {
      OptionalLong leftOut = withMemoryless(nodes.parts(), limits);
      if (leftOut.isPresent() && leftOut.getAsLong() * ByteSize.PAGE > union.pamtBytes()) {
        details.add(("TDMRs without memory ruled out: a layout with one has at most %s holding memory, and"
            + " then at least %d pages of PAMT (LeftOutPamtBound)").formatted(Count.of(limits.maxTdmrs() - 1, "TDMR"),
            leftOut.getAsLong()));
      } else {
        named.add(MEMORY_IN_EVERY_TDMR);
      }
    }
    messages.add("proven optimal among %s, node by node: %s".formatted(Policy.Family.MODULE.claim(), what));
    if (!named.isEmpty()) {
      messages.add("the proof holds among the layouts of that family in which " + String.join("; ", named));
    }
    return Optional.of(result(engine, Status.OPTIMAL, union, score, OptionalLong.of(union.pamtBytes()), messages,
        details, named, started));
  }

  /**
   * A lower bound on the PAMT pages of the map's optimum, when the nodes' union gives up no coverable
   * memory and has no remote PAMT (so the optimum has none either) but some group's answer proved
   * nothing: the smaller of the groups' family bounds summed and the bound on layouts with a TDMR
   * without memory; empty when a group has no bound, none is known for TDMRs without memory, or the
   * deadline strikes first.
   *
   * <p>Why: an optimum {@code L} has no remote PAMT. Without a TDMR holding no memory, {@code L}
   * splits into layouts {@code L_X} of the groups' maps (class comment, step 2), each covering its
   * group's memory with no remote PAMT and at most the map's TDMRs, so each has at least {@link
   * TierBounds#pamtPages} of its group's map (a bound for every such layout of the family) and
   * {@code L} their sum. With one, {@code L} has at least the bounds of step 3 ({@link
   * ModuleFamilyBounds#leastPamtPagesWithMemoryless}, {@link #withMemoryless}); under holes {@code
   * memlist} with no reserved area per TDMR it has none. Groups alike share their bound.
   */
  static OptionalLong pamtBound(Instance instance, ModuleFamilyBounds bounds, List<Part> parts, TdxLimits limits, Policy policy,
      Deadline deadline, List<String> details) {
    long sum = 0;
    Map<List<Long>, Long> byShape = new java.util.HashMap<>();
    try {
      for (Part p : parts) {
        Long pages = p.shape() == null ? null : byShape.get(p.shape());
        if (pages == null) {
          Optional<TierBounds.Bound> b = new TierBounds(Instance.of(p.map(), limits, policy, deadline))
              .pamtPages(new TierBounds.Proven(true, true, OptionalLong.empty(), OptionalLong.empty()));
          if (b.isEmpty()) {
            return OptionalLong.empty();
          }
          pages = b.get().value();
          details.add("%s: PAMT at least %d pages (%s, for every layout of its map)".formatted(p.name(), pages,
              b.get().source()));
          if (p.shape() != null) {
            byShape.put(p.shape(), pages);
          }
        }
        sum += pages;
      }
      if (policy.holes() == Policy.Holes.MEMLIST && limits.maxReservedPerTdmr() == 0) {
        return OptionalLong.of(sum);
      }
      long memoryless = Math.max(bounds.leastPamtPagesWithMemoryless(instance.chunkPages(1)).orElse(0),
          withMemoryless(parts, limits).orElse(0));
      long least = Math.min(sum, memoryless);
      if (least < sum) {
        details.add("PAMT bound: %d pages with a TDMR without memory, below the groups' %d".formatted(least, sum));
      }
      return least > 0 ? OptionalLong.of(least) : OptionalLong.empty();
    } catch (Deadline.Exceeded e) {
      details.add("time limit: it struck while the groups' PAMT bounds were derived, so none is given");
      return OptionalLong.empty();
    }
  }

  /**
   * Whether {@code union}'s PAMT is the bound {@code B} of {@link ModuleFamilyBounds} at which every
   * memory granule holds more than {@code B} pages ({@link ModuleFamilyBounds#leastTdmrs} known).
   * Then no layout without remote PAMT that gives up no coverable memory and has a TDMR without
   * memory has as little PAMT: leaving a memory granule out of every TDMR makes all its memory,
   * more than {@code B} pages, PAMT; covering every granule, the TDMRs holding memory have at least
   * {@code B} pages (that bound charges no TDMR without memory) and the TDMR without memory adds
   * its own levels, at least one page each.
   */
  private static boolean atCoveringBound(ModuleFamilyBounds bounds, Layout union) {
    return bounds.leastTdmrs().isPresent() && bounds.leastPamtPages().isPresent()
        && bounds.leastPamtPages().getAsLong() == bounds.leastCoveringPages()
        && bounds.leastCoveringPages() * ByteSize.PAGE == union.pamtBytes();
  }


  /** The undivided answer, or the union when that is better and the undivided answer proves nothing. */
  private static EngineResult better(EngineResult whole, EngineResult union, MemoryMap map, TdxLimits limits,
      Policy policy, List<String> details, long started) {
    if (whole.status() == Status.OPTIMAL || whole.status() == Status.INFEASIBLE || whole.layout().isPresent()
        && !LayoutScore.of(map, limits, policy, union.layout().orElseThrow())
            .betterThan(LayoutScore.of(map, limits, policy, whole.layout().get()), policy)) {
      return whole.withDetails(concat(details, whole.details())).timedFrom(started);
    }
    List<String> messages = new ArrayList<>(union.messages());
    messages.add("the undivided search found no better layout in time");
    // Both bounds hold for the map's optimum: the larger.
    OptionalLong bound = whole.pamtBoundBytes();
    if (union.pamtBoundBytes().isPresent() && (bound.isEmpty() || union.pamtBoundBytes().getAsLong() > bound.getAsLong())) {
      bound = union.pamtBoundBytes();
    }
    return new EngineResult(union.solver(), Status.FEASIBLE, union.layout(), union.pamtBytes(),
        bound.isPresent() ? OptionalLong.of(Math.min(bound.getAsLong(), union.pamtBytes().getAsLong())) : bound,
        messages, (System.nanoTime() - started) / 1_000_000, whole.modelVariables(), whole.modelConstraints(),
        union.uncoveredBytes(), Optional.empty(), Optional.empty(), concat(details, whole.details()),
        new Question(Policy.Family.MODULE, List.of()));
  }

  private static EngineResult result(String engine, Status status, Layout layout, LayoutScore score, OptionalLong bound,
      List<String> messages, List<String> details, List<String> named, long started) {
    return new EngineResult(engine, status, Optional.of(layout), OptionalLong.of(layout.pamtBytes()), bound, messages,
        (System.nanoTime() - started) / 1_000_000, 0, 0, score.uncoveredBytes(), Optional.empty(), Optional.empty(),
        details, new Question(Policy.Family.MODULE, status == Status.OPTIMAL ? named : List.of()));
  }

  /**
   * The groups' parts, in address order of their first granule, when the map is split (class
   * comment): module family, PAMT {@code node-local}, not the price alone, and two groups of nodes
   * or more (nodes whose memory shares a granule are one group).
   */
  static Optional<List<Part>> parts(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    if (policy.family() != Policy.Family.MODULE || policy.pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL
        || options.stopAfterPamt() || map.nodes().size() < 2) {
      return Optional.empty();
    }
    Map<Integer, Integer> group = groups(map);
    Map<Integer, List<MemoryBlock>> byGroup = new TreeMap<>();
    Map<Integer, Set<Integer>> nodesOfGroup = new TreeMap<>();
    for (MemoryBlock b : map.blocks()) {
      byGroup.computeIfAbsent(group.get(b.node()), n -> new ArrayList<>()).add(b);
      nodesOfGroup.computeIfAbsent(group.get(b.node()), n -> new java.util.TreeSet<>()).add(b.node());
    }
    if (byGroup.size() < 2) {
      return Optional.empty();
    }
    long hkid = ByteSize.alignDown(limits.hkidLimit(), ByteSize.GiB);
    List<Part> parts = new ArrayList<>();
    for (Map.Entry<Integer, List<MemoryBlock>> e : byGroup.entrySet()) {
      List<MemoryBlock> blocks = e.getValue();
      List<Integer> nodes = List.copyOf(nodesOfGroup.get(e.getKey()));
      long lo = ByteSize.alignDown(blocks.get(0).start(), ByteSize.GiB);
      long hi = ByteSize.alignUp(blocks.get(blocks.size() - 1).end(), ByteSize.GiB);
      MemoryMap part = new MemoryMap(map.source() + " (" + name(nodes) + ")", blocks, map.cmrs(), map.firmwareMap(),
          map.facts(), map.notes());
      parts.add(new Part(nodes, part, lo, hi <= hkid ? shape(blocks, map, lo, hi) : null));
    }
    parts.sort(Comparator.comparingLong(Part::windowStart));
    long solves = parts.stream().map(Part::shape).filter(s -> s != null).distinct().count()
        + parts.stream().filter(p -> p.shape() == null).count();
    // Each solve has a fixed cost (a model, a native context): many nodes unlike each other are
    // better solved at once.
    return solves <= MOST_SOLVES ? Optional.of(parts) : Optional.empty();
  }

  /**
   * Per node, its group's least node: nodes whose TDX memory shares a 1 GiB granule, directly or
   * through other nodes, are one group.
   */
  private static Map<Integer, Integer> groups(MemoryMap map) {
    Map<Integer, Integer> parent = new TreeMap<>();
    map.nodes().forEach(n -> parent.put(n, n));
    TreeMap<Long, Integer> nodeOfGranule = new TreeMap<>();
    for (MemoryBlock b : map.blocks()) {
      parent.putIfAbsent(b.node(), b.node());
      for (long g = b.start() / ByteSize.GiB; g <= (b.end() - 1) / ByteSize.GiB; g++) {
        Integer other = nodeOfGranule.put(g, b.node());
        if (other != null) {
          int x = root(parent, other);
          int y = root(parent, b.node());
          parent.put(Math.max(x, y), Math.min(x, y));
        }
      }
    }
    Map<Integer, Integer> out = new TreeMap<>();
    parent.keySet().forEach(n -> out.put(n, root(parent, n)));
    return out;
  }

  private static int root(Map<Integer, Integer> parent, int n) {
    while (parent.get(n) != n) {
      n = parent.get(n);
    }
    return n;
  }

  /** {@code layout} of a group's map with its score there. */
  private static TdmrBudget.Answer answer(Part p, TdxLimits limits, Policy policy, Layout layout, boolean restricted) {
    return new TdmrBudget.Answer(Optional.of(layout), Optional.of(LayoutScore.of(p.map(), limits, policy, layout)),
        restricted);
  }

  /** "node 3", or "nodes 2, 3" for a group. */
  static String name(List<Integer> nodes) {
    return nodes.size() == 1 ? "node " + nodes.get(0)
        : "nodes " + String.join(", ", nodes.stream().map(String::valueOf).toList());
  }

  /**
   * The blocks (with their nodes numbered in order of first appearance, so that groups alike have
   * the same blocks on the same nodes up to their names) and merged CMRs of a group's window {@code
   * [lo, hi)}, relative to {@code lo}.
   */
  private static List<Long> shape(List<MemoryBlock> blocks, MemoryMap map, long lo, long hi) {
    List<Long> out = new ArrayList<>();
    out.add(hi - lo);
    Map<Integer, Long> seen = new java.util.HashMap<>();
    for (MemoryBlock b : blocks) {
      out.add(b.start() - lo);
      out.add(b.end() - lo);
      out.add(seen.computeIfAbsent(b.node(), n -> (long) seen.size()));
    }
    out.add(-1L);
    for (AddressRange c : map.cmrs().merged()) {
      AddressRange in = c.intersect(new AddressRange(lo, hi));
      if (!in.isEmpty()) {
        out.add(in.start() - lo);
        out.add(in.end() - lo);
      }
    }
    return List.copyOf(out);
  }

  /** {@code layout} moved up by {@code delta} bytes (whole GiB). */
  static Layout shift(Layout layout, long delta) {
    List<Tdmr> out = new ArrayList<>();
    for (Tdmr t : layout.tdmrs()) {
      Pamt p = t.pamt();
      out.add(new Tdmr(t.base() + delta, t.size(), new Pamt(shift(p.fourK(), delta), shift(p.twoM(), delta),
          shift(p.oneG(), delta)), t.reserved()));
    }
    return new Layout(out);
  }

  private static PamtRange shift(PamtRange r, long delta) {
    return new PamtRange(r.base() + delta, r.size());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
