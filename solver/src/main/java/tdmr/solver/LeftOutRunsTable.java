package tdmr.solver;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tdmr.mem.ByteSize;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.TdxLimits;

/**
 * {@link LeftOutPamtBound#strict}'s table for maps of more memory granules than its enumeration
 * takes ({@link LeftOutPamtBound#MOST_GRANULES}): the same sets of runs and left-out granules,
 * the same cost, found by dynamic programming over the granules in address order instead of
 * trying each of the {@code 3^n} sets. On the four-socket Westmere-EX map (128 memory granules on
 * four nodes) it is the price of two and three TDMRs: one TDMR per node for one or two nodes, the
 * other nodes' memory left out, filled by the levels of a TDMR without memory; Z3's search did not
 * reach it in 10 s.
 *
 * <p>Every set of runs {@code S} with left-out granules of the class comment of {@link
 * LeftOutPamtBound} is met here with the same left-out memory, the same runs and the same common
 * nodes; so its cost and count follow from what the program keeps of it, with two changes, both
 * towards a smaller bound (sound, only weaker):
 *
 * <ul>
 *   <li><b>Levels' minima.</b> A run's minima, {@code Σ_level ceil(g·b_level / page)} for a span of
 *       {@code g} GiB ({@link PamtSizing#moduleMinimum} is {@code g·b_level} bytes: entries per
 *       GiB times the entry size, or the Dynamic PAMT bitmap's whole bytes per GiB), are counted
 *       as {@code Σ_level (g·floor(b_level / page) + [b_level not a multiple of a page])}, which
 *       adds up granule by granule and is at most the minima: with {@code b = q·page + r}, {@code
 *       r > 0}, {@code ceil(g·b / page) = g·q + ceil(g·r / page) ≥ g·q + 1}. Exact for runs of at
 *       most 256 GiB with 16-byte entries (the 1G level's one page).
 *   <li><b>Stretches.</b> The third of the left-out stretches ((5) of that class comment) is not
 *       counted: a set counts at {@code |S|} plus one by (4), never more than its count there.
 * </ul>
 *
 * <p>The program: for each set {@code L} of nodes (the nodes of the left-out granules, exactly:
 * the state records which of them a left-out granule has had, and a set counts only when all),
 * the granules in order, each left out (only when its nodes are in {@code L}), the first of a run
 * or the next in the run before it (when the run's common nodes stay non-empty). The state is the
 * runs so far (capped at the table's last entry, which stands for every larger count), the nodes
 * of {@code L} seen left out, the nodes of {@code L} that are common nodes of a closed run, and
 * the open run's common nodes with whether its minima are counted: they are when no common node
 * lies in {@code L} ((3) of that class comment), decided when the run starts and checked when it
 * closes. A set's count is its runs plus one when some node of {@code L} is no run's common node
 * ((4)).
 */
final class LeftOutRunsTable {
  /** The most nodes whose sets the program takes ({@code 5^n} pairs of sets of nodes per granule and count). */
  static final int MOST_NODES = 5;

  /** The most steps (states visited) before the table is not built: about a second. */
  static final long MOST_STEPS = 60_000_000L;

  private LeftOutRunsTable() {}

  /**
   * The table: per count {@code k} of TDMRs, {@code 0 ≤ k ≤ cap} (the last entry standing for every
   * larger count), the least cost of a set of runs counting at {@code k} or less; {@link
   * Long#MAX_VALUE} where none; empty when the granules have more than {@link #MOST_NODES} nodes or
   * the program would take more than {@link #MOST_STEPS} steps.
   *
   * @param starts each memory granule's start, in address order
   * @param pages each memory granule's pages of memory
   * @param nodes each memory granule's nodes
   * @param limits the entry sizes and Dynamic PAMT
   * @param cap the table's last count
   */
  static Optional<long[]> of(List<Long> starts, List<Long> pages, List<Set<Integer>> nodes, TdxLimits limits, int cap) {
    return Input.of(starts, pages, nodes, limits, cap).map(in -> {
      long[] least = new long[cap + 1];
      Arrays.fill(least, Long.MAX_VALUE);
      for (int left = 0; left < in.full(); left++) {
        new Program(in, left, false).run(least);
      }
      for (int k = 1; k <= cap; k++) {
        least[k] = Math.min(least[k], least[k - 1]);
      }
      return least;
    });
  }

  /**
   * The runs of a least set of {@link #of} counting at most {@code k} ({@code k < cap}), each the
   * indices of its first and last memory granule, in address order: the TDMRs holding memory of a
   * layout that might meet the bound (a guess for a search, which proves nothing by itself; a
   * layout at the bound has TDMRs over these runs only if this set is the one it meets). Empty when
   * {@link #of} is, or no set counts at most {@code k}.
   */
  static Optional<List<int[]>> leastRuns(List<Long> starts, List<Long> pages, List<Set<Integer>> nodes,
      TdxLimits limits, int cap, int k) {
    Optional<Input> input = Input.of(starts, pages, nodes, limits, cap);
    if (input.isEmpty() || k >= cap) {
      return Optional.empty();
    }
    long[] least = new long[cap + 1];
    Arrays.fill(least, Long.MAX_VALUE);
    int bestLeft = -1;
    long best = Long.MAX_VALUE;
    for (int left = 0; left < input.get().full(); left++) {
      new Program(input.get(), left, false).run(least);
      long atK = Long.MAX_VALUE;
      for (int j = 0; j <= k; j++) {
        atK = Math.min(atK, least[j]);
      }
      if (atK < best) {
        best = atK;
        bestLeft = left;
      }
    }
    if (bestLeft < 0) {
      return Optional.empty();
    }
    return Optional.of(new Program(input.get(), bestLeft, true).runsAt(k, best));
  }

  /**
   * What the program reads of the granules: each one's nodes as a bit mask over the nodes present,
   * the levels' pages per GiB counted whole ({@code perGiB}) and the pages a run adds once for the
   * levels that are no whole pages per GiB ({@code first}).
   */
  private record Input(List<Long> starts, List<Long> pages, int[] mask, int full, int cap, long perGiB, long first) {
    static Optional<Input> of(List<Long> starts, List<Long> pages, List<Set<Integer>> nodes, TdxLimits limits,
        int cap) {
      List<Integer> all = nodes.stream().flatMap(Set::stream).distinct().sorted().toList();
      int n = all.size();
      if (n > MOST_NODES) {
        return Optional.empty();
      }
      int full = 1 << n;
      long steps = (long) starts.size() * (cap + 1) * Math.round(Math.pow(5, n)) * (2L * full + 1);
      if (steps > MOST_STEPS) {
        return Optional.empty();
      }
      int[] mask = new int[starts.size()];
      for (int i = 0; i < mask.length; i++) {
        for (int node : nodes.get(i)) {
          mask[i] |= 1 << all.indexOf(node);
        }
      }
      long perGiB = 0;
      long first = 0;
      for (PageSize level : PageSize.values()) {
        long b = PamtSizing.moduleMinimum(ByteSize.GiB, level, limits);
        perGiB += b / ByteSize.PAGE;
        first += b % ByteSize.PAGE == 0 ? 0 : 1;
      }
      return Optional.of(new Input(starts, pages, mask, full, cap, perGiB, first));
    }
  }

  /** The program for one set {@code left} of nodes of the left-out granules. */
  private static final class Program {
    private final List<Long> starts;
    private final List<Long> pages;
    private final int[] mask;
    private final int left;
    private final int full;
    private final int cap;
    private final long perGiB;
    private final long first;
    /** The open run's states: none (0), else {@code 1 + 2·common + counted}. */
    private final int opens;
    /** The subsets of {@code left}, by index; {@code place[m]}: the index of subset {@code m}. */
    private final int[] subset;
    private final int[] place;
    /**
     * {@code cost[runs][seen][cov][open]}, flattened, {@code seen} and {@code cov} by their index
     * among the subsets of {@code left}; {@link Long#MAX_VALUE}: unreached.
     */
    private long[] cost;
    /** When traced, per granule and state: the state before it (for {@link #runsAt}); else null. */
    private final int[][] from;

    Program(Input in, int left, boolean traced) {
      this.starts = in.starts();
      this.pages = in.pages();
      this.mask = in.mask();
      this.left = left;
      this.full = in.full();
      this.cap = in.cap();
      this.perGiB = in.perGiB();
      this.first = in.first();
      this.opens = 2 * full + 1;
      this.from = traced ? new int[mask.length][] : null;
      this.subset = new int[1 << Integer.bitCount(left)];
      this.place = new int[full];
      int j = 0;
      for (int m = 0; m < full; m++) {
        if ((m & ~left) == 0) {
          subset[j] = m;
          place[m] = j++;
        }
      }
    }

    private int index(int runs, int seen, int cov, int open) {
      return ((runs * subset.length + place[seen]) * subset.length + place[cov]) * opens + open;
    }

    private void forward() {
      cost = new long[(cap + 1) * subset.length * subset.length * opens];
      Arrays.fill(cost, Long.MAX_VALUE);
      cost[index(0, 0, 0, 0)] = 0;
      for (int i = 0; i < mask.length; i++) {
        cost = step(i);
      }
    }

    void run(long[] least) {
      forward();
      forEachEnd((at, count) -> least[count] = Math.min(least[count], cost[at]));
    }

    /** What an end state is: its index and its count. */
    private interface End {
      void accept(int at, int count);
    }

    /** Every reached end state whose set counts (all of {@code left} seen left out), with its count. */
    private void forEachEnd(End end) {
      for (int runs = 0; runs <= cap; runs++) {
        for (int cov : subset) {
          for (int open = 0; open < opens; open++) {
            int at = index(runs, left, cov, open);
            int closed = close(cov, open);
            if (cost[at] != Long.MAX_VALUE && closed >= 0) {
              end.accept(at, Math.min(cap, runs + ((left & ~closed) != 0 ? 1 : 0)));
            }
          }
        }
      }
    }

    /** The runs of an end state counting at most {@code k} at cost {@code best}, traced back. */
    List<int[]> runsAt(int k, long best) {
      forward();
      int[] end = {-1};
      forEachEnd((at, count) -> {
        if (end[0] < 0 && count <= k && cost[at] == best) {
          end[0] = at;
        }
      });
      List<int[]> runs = new java.util.ArrayList<>();
      int at = end[0];
      int last = -1;
      for (int i = mask.length - 1; i >= 0; i--) {
        boolean inRun = at % opens != 0;
        if (inRun && last < 0) {
          last = i;
        }
        if (inRun && !continuation[i][at]) {
          runs.add(0, new int[] {i, last});
          last = -1;
        }
        at = from[i][at];
      }
      return runs;
    }

    /** When traced, per granule and state: whether it was reached by continuing a run. */
    private boolean[][] continuation;

    /**
     * The nodes of {@code left} that are common nodes of a closed run once the open run closes, or
     * -1 when it cannot close as it was started (counted with a common node in {@code left}, or not
     * counted without one).
     */
    private int close(int cov, int open) {
      if (open == 0) {
        return cov;
      }
      int common = (open - 1) >> 1;
      boolean counted = ((open - 1) & 1) == 1;
      if (counted != ((common & left) == 0)) {
        return -1;
      }
      return cov | (common & left);
    }

    /** The states after granule {@code i}: left out, first of a run, or next in the open run. */
    private long[] step(int i) {
      long[] next = new long[cost.length];
      Arrays.fill(next, Long.MAX_VALUE);
      if (from != null) {
        from[i] = new int[cost.length];
        if (continuation == null) {
          continuation = new boolean[mask.length][];
        }
        continuation[i] = new boolean[cost.length];
      }
      long gap = i == 0 ? 0 : (starts.get(i) - starts.get(i - 1)) / ByteSize.GiB;
      for (int runs = 0; runs <= cap; runs++) {
        for (int seen : subset) {
          for (int cov : subset) {
            for (int open = 0; open < opens; open++) {
              int at = index(runs, seen, cov, open);
              if (cost[at] != Long.MAX_VALUE) {
                from(next, i, runs, seen, cov, open, at, gap);
              }
            }
          }
        }
      }
      return next;
    }

    private void from(long[] next, int i, int runs, int seen, int cov, int open, int at, long gap) {
      long c = cost[at];
      int closed = close(cov, open);
      if (closed >= 0 && (mask[i] & ~left) == 0) {
        relax(next, i, at, index(runs, seen | mask[i], closed, 0), c + pages.get(i), false);
      }
      if (closed >= 0) {
        int more = Math.min(cap, runs + 1);
        relax(next, i, at, index(more, seen, closed, 1 + 2 * mask[i]), c, false);
        relax(next, i, at, index(more, seen, closed, 2 + 2 * mask[i]), c + first + perGiB, false);
      }
      if (open != 0) {
        int common = ((open - 1) >> 1) & mask[i];
        boolean counted = ((open - 1) & 1) == 1;
        if (common != 0) {
          relax(next, i, at, index(runs, seen, cov, 1 + 2 * common + (counted ? 1 : 0)),
              c + (counted ? gap * perGiB : 0), true);
        }
      }
    }

    private void relax(long[] next, int i, int before, int at, long c, boolean continued) {
      if (c < next[at]) {
        next[at] = c;
        if (from != null) {
          from[i][at] = before;
          continuation[i][at] = continued;
        }
      }
    }
  }
}
