package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import tdmr.mem.ByteSize;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;

/**
 * The TDMR limit shared between groups of nodes ({@link NodeSplit}): how many TDMRs each group gets
 * when the groups' own optima together need more than the limit {@code K}.
 *
 * <p>Let {@code best_X(k)} be the least score ({@link LayoutScore}) of a layout of group X's map
 * under a TDMR limit of {@code k}, the other limits and the policy unchanged. This class finds an
 * allocation {@code (k_X)} with {@code sum_X k_X ≤ K} that minimises {@code sum_X best_X(k_X)} in
 * the lexicographic order (which addition respects), solving a group's map only at the limits the
 * search needs. It rests on two facts about {@code best_X}:
 *
 * <ol>
 *   <li><b>It never rises with {@code k}</b>: a layout within a limit of {@code k} is within every
 *       larger one. So a group whose optimum under the whole limit has {@code k*} TDMRs has {@code
 *       best_X(k) = best_X(k*)} for every {@code k ≥ k*} (that layout is within {@code k}, and
 *       nothing within {@code k ≤ K} beats the optimum within {@code K}), a map with no layout
 *       within {@code k} has none within a smaller limit, and for {@code k} below a solved {@code
 *       k'}, {@code best_X(k') ≤ best_X(k)}: a <em>lower bound</em> for the limits not solved. (Not
 *       only for the tiers before TDMRs: were a layout within {@code k < k'} equal to {@code
 *       best_X(k')} in those tiers and better after them, it would be a layout within {@code k'}
 *       better than {@code best_X(k')}.)
 *   <li><b>Exact where solved</b>: an {@code OPTIMAL} answer at limit {@code k} is {@code
 *       best_X(k)} with a layout (among the layouts meeting the restrictions it names, which the
 *       claim then names), an {@code INFEASIBLE} one proves there is no layout within {@code k}.
 * </ol>
 *
 * A dynamic program over the groups (a knapsack whose capacity is {@code K} and whose item for group
 * X at {@code k} weighs {@code k}) minimises the sum of the known values, exact or lower bounds,
 * and among equal sums prefers fewer lower bounds. When the allocation it returns uses exact values
 * only, its sum is at most the sum of every other allocation's values, which are at most that
 * allocation's true scores: the allocation is optimal. Otherwise, for each value it used as a bound,
 * the limit just below the bound's solved limit is solved (exact there, and a tighter bound below),
 * and the program runs again; each round solves a limit not solved before, so it ends. Groups alike
 * ({@code NodeSplit}'s shapes) share one table of solved limits, so a shape is solved once per limit.
 *
 * <p>A solve that names restrictions is exact only among the layouts meeting them, and the claim
 * then names them. Unless they are not needed: each limit's <em>floor</em>, a lower bound among all
 * layouts (the answer at the least solved limit above or at it whose solve named none, and {@link
 * LeftOutPamtBound}'s), is summed over every allocation by the same program, and when no allocation's
 * floors sum below the allocation found, that allocation is optimal among all layouts.
 */
final class TdmrBudget {
  /**
   * A group's layout at a TDMR limit and its score on the group's map (no layout: none exists), and
   * whether the solve named restrictions (then it is exact only among the layouts meeting them).
   */
  record Answer(Optional<Layout> layout, Optional<LayoutScore> score, boolean restricted) {
    static Answer none(boolean restricted) {
      return new Answer(Optional.empty(), Optional.empty(), restricted);
    }

    static Answer of(Layout layout, LayoutScore score, boolean restricted) {
      return new Answer(Optional.of(layout), Optional.of(score), restricted);
    }

  }

  /**
   * One shape's map solved under a TDMR limit: {@code proven}, its optimum or that none exists;
   * else perhaps a layout found ({@code witness}).
   */
  record Solve(Optional<Answer> proven, Optional<Answer> witness) {}

  /** Solves one shape's map under a TDMR limit. */
  @FunctionalInterface
  interface ShapeSolver {
    Solve solve(int shape, int maxTdmrs);
  }

  /**
   * The allocation: per group, its shape's answer at the limit it gets, and the limit; {@code
   * restricted} when its optimality rests on an answer that named restrictions; not {@code proven}
   * when a solve proved nothing: then it is the best allocation of the layouts known, a witness.
   */
  record Allocation(List<Answer> answers, List<Integer> tdmrs, boolean restricted, boolean proven) {}

  /** Per shape, the solved limits. */
  private final List<TreeMap<Integer, Answer>> solved = new ArrayList<>();
  /** Per shape, the layouts found by solves that proved nothing, by limit. */
  private final List<TreeMap<Integer, Answer>> found = new ArrayList<>();
  /** Per shape, the TDMRs of its optimum under the whole limit ({@code k*}). */
  private final List<Integer> most = new ArrayList<>();
  /** Per shape, {@link LeftOutPamtBound#strict}'s pages by TDMRs, where it has one. */
  private final List<Optional<long[]>> leftOut;
  private final Comparator<LayoutScore> order;

  /**
   * @param optima per shape, its optimum under the whole limit (a layout and its score on the
   *     shape's map)
   * @param leftOut per shape, {@link LeftOutPamtBound#strict} of its map
   */
  TdmrBudget(List<Answer> optima, List<Optional<long[]>> leftOut, Policy policy) {
    this.order = LayoutScore.order(policy);
    this.leftOut = leftOut;
    for (Answer a : optima) {
      int k = a.layout().orElseThrow().size();
      TreeMap<Integer, Answer> t = new TreeMap<>();
      t.put(k, a);
      solved.add(t);
      found.add(new TreeMap<>());
      most.add(k);
    }
  }

  /** Solves of limits so far, over all shapes (the optima included). */
  int solves() {
    return solved.stream().mapToInt(Map::size).sum();
  }

  /**
   * The optimal allocation of {@code limit} TDMRs to {@code groups} (each group's shape index),
   * solving shapes at the limits the search needs through {@code solver}, at most {@code mostSolves}
   * solves in all; when a solve proves nothing or past {@code mostSolves}, the best allocation of
   * the layouts known ({@link #witness}); empty when no allocation has a layout for every group.
   */
  Optional<Allocation> allocate(List<Integer> groups, int limit, ShapeSolver solver, int mostSolves) {
    while (true) {
      Optional<Pick> pick = cheapest(groups, limit, this::value);
      if (pick.isEmpty()) {
        return Optional.empty();
      }
      int[] k = pick.get().tdmrs();
      // For each value used as a bound, the limit just below the bound's solved limit is solved
      // (exact there, a tighter bound below it; a map within fewer TDMRs is usually harder).
      Map<Integer, Integer> toSolve = new TreeMap<>();
      for (int g = 0; g < groups.size(); g++) {
        int s = groups.get(g);
        if (!solved.get(s).containsKey(k[g])) {
          toSolve.merge(s, solved.get(s).ceilingKey(k[g]) - 1, Math::max);
        }
      }
      boolean exact = toSolve.isEmpty();
      for (Map.Entry<Integer, Integer> e : toSolve.entrySet()) {
        if (solves() >= mostSolves) {
          return witness(groups, limit);
        }
        Solve a = solver.solve(e.getKey(), e.getValue());
        a.witness().ifPresent(w -> found.get(e.getKey()).put(e.getValue(), w));
        if (a.proven().isEmpty()) {
          return witness(groups, limit);
        }
        solved.get(e.getKey()).put(e.getValue(), a.proven().get());
      }
      if (exact) {
        List<Answer> answers = new ArrayList<>();
        List<Integer> tdmrs = new ArrayList<>();
        Sum sum = Sum.ZERO;
        for (int g = 0; g < groups.size(); g++) {
          answers.add(solved.get(groups.get(g)).get(k[g]));
          tdmrs.add(k[g]);
          sum = sum.plus(value(groups.get(g), k[g]));
        }
        boolean restricted = solved.stream().anyMatch(t -> t.values().stream().anyMatch(Answer::restricted))
            && !unrestricted(groups, limit, sum.score());
        return Optional.of(new Allocation(answers, tdmrs, restricted, true));
      }
    }
  }

  /** A lower bound (or, not a bound, the exact value) of {@code best_X(k)}; no score: no layout. */
  private record Value(Optional<LayoutScore> score, boolean bound) {}

  /**
   * A shape's known value at limit {@code k} (fact 1): its answer where solved, else the answer at
   * the least solved limit above (a lower bound; no layout there means none at {@code k}); {@code k}
   * above {@code k*} is {@code k*}.
   */
  private Value value(int shape, int k) {
    int at = Math.min(k, most.get(shape));
    Map.Entry<Integer, Answer> e = solved.get(shape).ceilingEntry(at);
    if (e.getKey() == at || e.getValue().score().isEmpty()) {
      return new Value(e.getValue().score(), e.getKey() != at);
    }
    return new Value(Optional.of(larger(e.getValue().score().get(), leftOut(shape, k))), true);
  }

  /**
   * {@link LeftOutPamtBound#strict}'s floor at {@code k}: no uncovered memory, no remote PAMT, its
   * PAMT; where it has no layout within {@code k} TDMRs, one byte of remote PAMT (every layout within
   * {@code k} either gives up memory, a worse first tier, or has remote PAMT).
   */
  private LayoutScore leftOut(int shape, int k) {
    return leftOut.get(shape).map(p -> p[Math.min(k, p.length - 1)])
        .map(p -> p == Long.MAX_VALUE ? new LayoutScore(0, 1, 0, 0, 0) : new LayoutScore(0, 0, p * ByteSize.PAGE, 0, 0))
        .orElse(Sum.ZERO.score());
  }

  private LayoutScore larger(LayoutScore a, LayoutScore b) {
    return order.compare(a, b) >= 0 ? a : b;
  }

  /**
   * The best allocation of the layouts known (solved or found), each used at any limit at least its
   * TDMRs: a witness, not proven; empty when some group has no known layout within its share.
   */
  private Optional<Allocation> witness(List<Integer> groups, int limit) {
    BiFunction<Integer, Integer, Value> known = (shape, k) -> {
      LayoutScore best = null;
      for (TreeMap<Integer, Answer> t : List.of(solved.get(shape), found.get(shape))) {
        for (Answer a : t.headMap(k, true).values()) {
          if (a.score().isPresent() && (best == null || order.compare(a.score().get(), best) < 0)) {
            best = a.score().get();
          }
        }
      }
      return new Value(Optional.ofNullable(best), false);
    };
    return cheapest(groups, limit, known).map(p -> {
      List<Answer> answers = new ArrayList<>();
      List<Integer> tdmrs = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        int shape = groups.get(g);
        int k = p.tdmrs()[g];
        LayoutScore want = known.apply(shape, k).score().orElseThrow();
        answers.add(java.util.stream.Stream.concat(solved.get(shape).headMap(k, true).values().stream(),
                found.get(shape).headMap(k, true).values().stream())
            .filter(a -> a.score().isPresent() && order.compare(a.score().get(), want) == 0).findFirst().orElseThrow());
        tdmrs.add(k);
      }
      return new Allocation(answers, tdmrs, true, false);
    });
  }

  /**
   * A lower bound of {@code best_X(k)} among all layouts, whatever the solves' restrictions: the
   * larger of the answer at the least solved limit {@code ≥ k} whose solve named no restriction and
   * {@link LeftOutPamtBound}'s (no uncovered memory, no remote PAMT, its PAMT; a layout that leaves
   * memory uncovered or has remote PAMT is worse in an earlier tier).
   */
  private Value floor(int shape, int k) {
    int at = Math.min(k, most.get(shape));
    LayoutScore best = Sum.ZERO.score();
    for (Answer a : solved.get(shape).tailMap(at, true).values()) {
      if (!a.restricted()) {
        if (a.score().isEmpty()) {
          return new Value(Optional.empty(), true);
        }
        best = a.score().get();
        break;
      }
    }
    return new Value(Optional.of(larger(best, leftOut(shape, k))), true);
  }

  /**
   * Whether no allocation's floors ({@link #floor}) sum below {@code found}: then the allocation found
   * is optimal among all layouts, and the restrictions of the solves need not be named.
   */
  private boolean unrestricted(List<Integer> groups, int limit, LayoutScore found) {
    Optional<Sum> least = cheapest(groups, limit, this::floor).map(Pick::sum);
    return least.isPresent() && order.compare(least.get().score(), found) >= 0;
  }

  /** A sum of scores and how many of its terms are bounds, compared by the sum then the count. */
  private record Sum(LayoutScore score, int bounds) {
    static final Sum ZERO = new Sum(new LayoutScore(0, 0, 0, 0, 0), 0);

    Sum plus(Value v) {
      LayoutScore s = v.score().orElseThrow();
      return new Sum(new LayoutScore(score.uncoveredBytes() + s.uncoveredBytes(),
          score.remotePamtBytes() + s.remotePamtBytes(), score.pamtBytes() + s.pamtBytes(),
          score.tdmrs() + s.tdmrs(), score.reservedAreas() + s.reservedAreas()), bounds + (v.bound() ? 1 : 0));
    }
  }

  /** The knapsack's answer: the limit per group and the sum of their values. */
  private record Pick(int[] tdmrs, Sum sum) {}

  /**
   * The knapsack: per group the limit {@code k ≥ 1} it gets, {@code sum k ≤ limit}, minimising the
   * sum of known values, then the number of bounds among them; empty when no allocation has a value
   * with a layout for every group.
   */
  private Optional<Pick> cheapest(List<Integer> groups, int limit, BiFunction<Integer, Integer, Value> values) {
    Comparator<Sum> byValue = Comparator.comparing(Sum::score, order).thenComparingInt(Sum::bounds);
    int n = groups.size();
    // best[b]: the least sum of the groups so far with at most b TDMRs in all; pick[g][b] the limit
    // group g gets in it.
    Sum[] best = new Sum[limit + 1];
    java.util.Arrays.fill(best, Sum.ZERO);
    int[][] pick = new int[n][limit + 1];
    for (int g = 0; g < n; g++) {
      int s = groups.get(g);
      Sum[] next = new Sum[limit + 1];
      for (int b = 0; b <= limit; b++) {
        for (int k = 1; k <= Math.min(b, most.get(s)); k++) {
          Value v = values.apply(s, k);
          if (best[b - k] == null || v.score().isEmpty()) {
            continue;
          }
          Sum c = best[b - k].plus(v);
          if (next[b] == null || byValue.compare(c, next[b]) < 0) {
            next[b] = c;
            pick[g][b] = k;
          }
        }
      }
      best = next;
    }
    if (best[limit] == null) {
      return Optional.empty();
    }
    int[] out = new int[n];
    int b = limit;
    for (int g = n - 1; g >= 0; g--) {
      out[g] = pick[g][b];
      b -= out[g];
    }
    return Optional.of(new Pick(out, best[limit]));
  }
}
