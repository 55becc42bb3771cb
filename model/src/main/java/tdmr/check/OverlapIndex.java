package tdmr.check;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Ranges of raw 64-bit fields, numbered by the caller, that are switched on one by one and asked
 * which of those switched on overlap a given range ({@code is_overlap}, unsigned: {@code [a, a + s)}
 * and {@code [b, b + t)} overlap when {@code a < b + t} and {@code b < a + s}; ranges that only
 * touch do not). The module compares every pair of TDMRs (rules D4 and D5), which is quadratic on
 * layouts of thousands of TDMRs; the validator asks this index instead and compares only the pairs
 * it names, in the module's order.
 *
 * <p>The ranges are sorted by start once; a tree over them keeps the largest end switched on below
 * each node. A query takes the ranges starting before the query's end (a prefix) and walks down
 * only into subtrees whose largest end lies past the query's start, so it costs {@code O((k + 1)
 * log n)} for {@code k} ranges found.
 */
final class OverlapIndex {
  /** Range numbers in order of start (unsigned). */
  private final int[] byStart;
  /** The starts in that order. */
  private final long[] starts;
  /** Per range number: its place in {@link #byStart}. */
  private final int[] place;
  private final long[] ends;
  /** Leaves in the tree. */
  private final int leaves;
  /** Per tree node: the largest end (unsigned) switched on below it; 0 when none (no range ends past 0). */
  private final long[] largestEnd;

  /**
   * Ranges {@code [start[k], end[k])}; {@code end[k]} must not be below {@code start[k]} for any
   * range that is switched on (ranges whose end overflows are never switched on).
   */
  OverlapIndex(long[] start, long[] end) {
    int n = start.length;
    this.ends = end.clone();
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(start[a], start[b]));
    this.byStart = new int[n];
    this.starts = new long[n];
    this.place = new int[n];
    for (int p = 0; p < n; p++) {
      byStart[p] = order[p];
      starts[p] = start[order[p]];
      place[order[p]] = p;
    }
    int size = 1;
    while (size < Math.max(1, n)) {
      size <<= 1;
    }
    this.leaves = size;
    this.largestEnd = new long[2 * size];
  }

  /** Switches range {@code k} on: from now on queries may find it. */
  void add(int k) {
    int node = leaves + place[k];
    largestEnd[node] = ends[k];
    for (node >>= 1; node >= 1; node >>= 1) {
      long larger = maxUnsigned(largestEnd[2 * node], largestEnd[2 * node + 1]);
      if (larger == largestEnd[node]) {
        break;
      }
      largestEnd[node] = larger;
    }
  }

  /** Reports the number of every range switched on that overlaps {@code [start, end)}, in order of start. */
  void forEachOverlapping(long start, long end, IntConsumer found) {
    // Ranges starting before the query's end: a prefix of the order.
    int lo = 0;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(starts[mid], end) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    visit(1, 0, leaves, lo, start, found);
  }

  private void visit(int node, int first, int past, int prefix, long start, IntConsumer found) {
    if (first >= prefix || Long.compareUnsigned(largestEnd[node], start) <= 0) {
      return;
    }
    if (past - first == 1) {
      found.accept(byStart[first]);
      return;
    }
    int middle = (first + past) >>> 1;
    visit(2 * node, first, middle, prefix, start, found);
    visit(2 * node + 1, middle, past, prefix, start, found);
  }

  private static long maxUnsigned(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }
}
