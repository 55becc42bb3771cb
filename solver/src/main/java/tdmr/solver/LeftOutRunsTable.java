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
    long[] least = new long[cap + 1];
    Arrays.fill(least, Long.MAX_VALUE);
    for (int left = 0; left < full; left++) {
      new Program(starts, pages, mask, left, full, cap, perGiB, first).run(least);
    }
    for (int k = 1; k <= cap; k++) {
      least[k] = Math.min(least[k], least[k - 1]);
    }
    return Optional.of(least);
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
    /** {@code cost[runs][seen][cov][open]}, flattened; {@link Long#MAX_VALUE}: unreached. */
    private long[] cost;

    Program(List<Long> starts, List<Long> pages, int[] mask, int left, int full, int cap, long perGiB, long first) {
      this.starts = starts;
      this.pages = pages;
      this.mask = mask;
      this.left = left;
      this.full = full;
      this.cap = cap;
      this.perGiB = perGiB;
      this.first = first;
      this.opens = 2 * full + 1;
    }

    private int index(int runs, int seen, int cov, int open) {
      return ((runs * full + seen) * full + cov) * opens + open;
    }

    void run(long[] least) {
      cost = new long[(cap + 1) * full * full * opens];
      Arrays.fill(cost, Long.MAX_VALUE);
      cost[index(0, 0, 0, 0)] = 0;
      for (int i = 0; i < mask.length; i++) {
        cost = step(i);
      }
      for (int runs = 0; runs <= cap; runs++) {
        for (int cov = left; ; cov = (cov - 1) & left) {
          for (int open = 0; open < opens; open++) {
            long c = cost[index(runs, left, cov, open)];
            int closed = close(cov, open);
            if (c != Long.MAX_VALUE && closed >= 0) {
              int count = Math.min(cap, runs + ((left & ~closed) != 0 ? 1 : 0));
              least[count] = Math.min(least[count], c);
            }
          }
          if (cov == 0) {
            break;
          }
        }
      }
    }

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
      long gap = i == 0 ? 0 : (starts.get(i) - starts.get(i - 1)) / ByteSize.GiB;
      for (int runs = 0; runs <= cap; runs++) {
        for (int seen = left; ; seen = (seen - 1) & left) {
          for (int cov = left; ; cov = (cov - 1) & left) {
            for (int open = 0; open < opens; open++) {
              long c = cost[index(runs, seen, cov, open)];
              if (c != Long.MAX_VALUE) {
                from(next, i, runs, seen, cov, open, c, gap);
              }
            }
            if (cov == 0) {
              break;
            }
          }
          if (seen == 0) {
            break;
          }
        }
      }
      return next;
    }

    private void from(long[] next, int i, int runs, int seen, int cov, int open, long c, long gap) {
      int closed = close(cov, open);
      if (closed >= 0 && (mask[i] & ~left) == 0) {
        relax(next, index(runs, seen | mask[i], closed, 0), c + pages.get(i));
      }
      if (closed >= 0) {
        int more = Math.min(cap, runs + 1);
        relax(next, index(more, seen, closed, 1 + 2 * mask[i]), c);
        relax(next, index(more, seen, closed, 2 + 2 * mask[i]), c + first + perGiB);
      }
      if (open != 0) {
        int common = ((open - 1) >> 1) & mask[i];
        boolean counted = ((open - 1) & 1) == 1;
        if (common != 0) {
          relax(next, index(runs, seen, cov, 1 + 2 * common + (counted ? 1 : 0)), c + (counted ? gap * perGiB : 0));
        }
      }
    }

    private static void relax(long[] next, int at, long c) {
      if (c < next[at]) {
        next[at] = c;
      }
    }
  }
}
