package tdmr.solver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.check.RemotePamt;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The limit frontier of a memory map: for each TDMR limit {@code n}, the least
 * reserved-areas-per-TDMR limit {@code R} that admits a layout, and the least PAMT at {@code (n, R)}.
 *
 * <p>Each point is proven by engine answers: a layout at {@code R} and a proof of infeasibility at
 * {@code R - 1} (none needed at 0), then an optimal solve at {@code R}. Three facts keep the number
 * of solves small:
 *
 * <ul>
 *   <li>A layout within {@code n} TDMRs is also within {@code n + 1}, so the least {@code R} never
 *       grows with {@code n}: the point at the largest {@code n} is a lower bound for all, and the
 *       previous point's {@code R} an upper bound; the usual answer (no change) costs one
 *       infeasibility proof at {@code R - 1}; otherwise binary search between the bounds.
 *   <li>Feasibility is monotone in {@code R}, which is what makes the binary search sound.
 *   <li>The point at the largest {@code n} settles every {@code n} from the TDMR count {@code k} of
 *       its optimal layout on: its {@code R} is a lower bound there and its layout fits, and its
 *       PAMT is a lower bound (fewer TDMRs allowed only remove layouts) that its layout attains.
 *       So only {@code n < k} needs solving, in ascending order.
 * </ul>
 *
 * <p>Engines are asked in order; when one answers {@link Status#UNKNOWN} (a time limit) the next one
 * is asked, and each point records which engines' answers prove it. Engines must be exact (CP-SAT,
 * Z3): a heuristic's {@link Status#FAILED} is treated as no answer.
 */
public final class Frontier {
  private final List<Engine> engines;
  private final SolveOptions options;

  public Frontier(List<Engine> engines, SolveOptions options) {
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("the frontier needs at least one engine");
    }
    this.engines = engines.stream().map(DeadlineGuard::of).toList();
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * The frontier points for TDMR limits 1..{@code maxTdmrsUpTo}, ascending. All solves together end
   * by the options' deadline ({@link SolveOptions#solveDeadline()}, taken once): the point at the
   * largest limit may take half of the time, and each later point an equal share of what is left;
   * points that get no time are {@code UNKNOWN}.
   */
  public List<FrontierPoint> compute(MemoryMap map, TdxLimits limits, Policy policy, int maxTdmrsUpTo) {
    if (maxTdmrsUpTo < 1) {
      throw new IllegalArgumentException("max TDMRs must be at least 1, got " + maxTdmrsUpTo);
    }
    Deadline deadline = options.solveDeadline();
    FrontierPoint last =
        point(map, limits.withMaxTdmrs(maxTdmrsUpTo), policy, OptionalInt.empty(), 0, deadline.share(2));
    // From the TDMR count of the last point's layout on, every point is the last point; when even
    // the most TDMRs admit no layout, fewer admit none either.
    int settledFrom =
        last.status() == Status.INFEASIBLE ? 1 : Math.max(1, last.tdmrsUsed().orElse(maxTdmrsUpTo));
    int floor = last.minReserved().orElse(0);
    List<FrontierPoint> points = new ArrayList<>();
    OptionalInt previousMin = OptionalInt.empty();
    for (int n = 1; n < settledFrom; n++) {
      FrontierPoint p =
          point(map, limits.withMaxTdmrs(n), policy, previousMin, floor, deadline.share(settledFrom - n));
      points.add(p);
      previousMin = p.minReserved();
    }
    for (int n = settledFrom; n <= maxTdmrsUpTo; n++) {
      points.add(last.at(n, n == maxTdmrsUpTo ? last.solves() : 0));
    }
    return points;
  }

  /**
   * One point; {@code knownFeasible} is an R proven feasible with fewer TDMRs (so also with these),
   * {@code floor} an R below which nothing is feasible (the point with the most TDMRs).
   */
  private FrontierPoint point(
      MemoryMap map, TdxLimits limits, Policy policy, OptionalInt knownFeasible, int floor, Deadline deadline) {
    Search s = new Search(map, limits, policy, deadline);
    if (deadline.expired()) {
      // No time for this point: not even its problem is built (on maps of thousands of blocks that
      // alone takes longer than a short limit).
      return s.point(Status.UNKNOWN, OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(),
          OptionalLong.empty());
    }
    int hi;
    if (knownFeasible.isPresent()) {
      hi = knownFeasible.getAsInt();
    } else {
      // Enough for any layout: an area starts only at an atom's low end or at a chunk stack against
      // its high end, so no TDMR has more than two per atom of the problem.
      int atoms;
      try {
        atoms = policy.family() == Policy.Family.KERNEL
            ? Problem.of(map, limits, policy, deadline).atoms().size()
            : Instance.of(map, limits, policy, deadline).atoms().size();
      } catch (Deadline.Exceeded e) {
        return s.point(Status.UNKNOWN, OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(),
            OptionalLong.empty());
      }
      hi = (int) Math.min(Integer.MAX_VALUE, 2L * atoms + limits.maxTdmrs());
      Answer top = s.ask(hi);
      if (top.status() == Status.INFEASIBLE || top.status() == Status.UNKNOWN) {
        return s.point(top.status(), OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalLong.empty());
      }
    }
    // Invariant: a layout exists at hi; lo - 1 is proven infeasible (or lo is 0).
    int lo = Math.min(floor, hi);
    if (hi > lo) {
      Answer below = s.ask(hi - 1);
      if (below.status() == Status.UNKNOWN) {
        return s.point(Status.UNKNOWN, OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(),
            OptionalLong.empty());
      }
      if (below.status() == Status.INFEASIBLE) {
        lo = hi;
      } else {
        hi = hi - 1;
      }
    }
    while (lo < hi) {
      int mid = lo + (hi - lo) / 2;
      Answer a = s.ask(mid);
      if (a.status() == Status.UNKNOWN) {
        return s.point(Status.UNKNOWN, OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(),
            OptionalLong.empty());
      }
      if (a.status() == Status.INFEASIBLE) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    Answer best = s.ask(lo);
    if (!best.status().hasLayout()) {
      throw new IllegalStateException(
          "engines contradict themselves: %s at %d reserved areas after a layout was found there"
              .formatted(best.status(), lo));
    }
    // OPTIMAL: the PAMT is proven least; FEASIBLE: the reserved limit is proven, the PAMT is the best found.
    return s.point(
        best.status(),
        OptionalInt.of(lo),
        best.result().pamtBytes(),
        OptionalInt.of(best.result().layout().orElseThrow().size()),
        OptionalLong.of(new RemotePamt(map, limits).bytes(best.result().layout().orElseThrow())));
  }

  private record Answer(Status status, EngineResult result) {}

  /** The solves for one TDMR limit, each reserved-area limit asked at most once. */
  private final class Search {
    private final MemoryMap map;
    private final TdxLimits limits;
    private final Policy policy;
    /** The point's share of the frontier's time; its engines share it in turn. */
    private final Deadline deadline;
    private final Map<Integer, Answer> answers = new HashMap<>();
    private final Set<String> provers = new LinkedHashSet<>();
    private final Set<String> restrictions = new LinkedHashSet<>();
    private int solves;

    Search(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
      this.map = map;
      this.limits = limits;
      this.policy = policy;
      this.deadline = deadline;
    }

    Answer ask(int maxReserved) {
      Answer known = answers.get(maxReserved);
      if (known != null) {
        return known;
      }
      Answer a = null;
      for (int i = 0; i < engines.size(); i++) {
        Engine e = engines.get(i);
        solves++;
        // Each engine may take an equal share of what is left; the next ones get what it leaves.
        SolveOptions share = options.withDeadline(deadline.share(engines.size() - i));
        EngineResult r = e.solve(map, limits.withMaxReservedPerTdmr(maxReserved), policy, share);
        // A heuristic's FAILED proves nothing; only exact engines' answers count.
        Status st = r.status() == Status.FAILED ? Status.UNKNOWN : r.status();
        a = new Answer(st, r);
        if (st != Status.UNKNOWN) {
          provers.add(r.solver());
          restrictions.addAll(r.restrictions());
          break;
        }
      }
      answers.put(maxReserved, a);
      return a;
    }

    FrontierPoint point(Status status, OptionalInt minReserved, OptionalLong pamtBytes, OptionalInt tdmrsUsed,
        OptionalLong remoteBytes) {
      String by = provers.isEmpty() ? "none" : String.join("+", provers);
      return new FrontierPoint(limits.maxTdmrs(), status, minReserved, pamtBytes, tdmrsUsed, by, solves, remoteBytes,
          List.copyOf(restrictions));
    }
  }
}
