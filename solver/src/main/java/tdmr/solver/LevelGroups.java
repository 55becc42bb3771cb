package tdmr.solver;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether disjoint groups of a TDMR set's PAMT levels can, together, fill some ranges of memory
 * exactly and reach past others ({@link #exist}): the question {@link AreasWithKnownTdmrs} asks of a
 * left-out part that a level crosses into a TDMR, beside the parts and islands that levels fill.
 *
 * <p>Each level has its least pages {@code m_i} (known once the TDMRs are) and may be larger; all
 * levels together are larger by exactly the set's padding {@code σ}. A range <em>filled</em> by
 * levels lying inside it has {@code p} pages: a non-empty group whose least pages {@code m} satisfy
 * {@code m ≤ p}, taking {@code p - m} of the padding. A range <em>crossed</em> is all PAMT and a
 * level lying in it reaches past its end: the levels meeting it have at least {@code p + 1} pages
 * together, a non-empty group taking {@code max(0, p + 1 - m)} of the padding. Levels are disjoint
 * ranges, so when no two ranges can be met by one level the groups are disjoint, and they take at
 * most {@code σ} of the padding together; the caller argues that no level meets two of its ranges.
 *
 * <p>It enumerates the groups as bit masks of at most {@link #MOST_LEVELS} levels, per range the
 * masks that suit it (for a crossed range only those no level of which can be dropped), and searches
 * one disjoint mask per range within the padding, ranges of fewest masks first. With more levels, or
 * past {@link #MOST_STEPS} steps, it answers true: a caller taking true for "maybe" stays sound.
 */
final class LevelGroups {
  /** The most levels whose groups are enumerated (four TDMRs). */
  static final int MOST_LEVELS = 12;

  /** The most steps of the search for disjoint groups. */
  static final int MOST_STEPS = 50_000;

  private final int n;
  private final long padding;
  /** The least pages of each group of levels, by bit mask; null with more than {@link #MOST_LEVELS} levels. */
  private final long[] sums;

  /** The levels (least pages) of one TDMR set and its padding, asked about many ranges in turn. */
  LevelGroups(List<Long> levels, long padding) {
    this.n = levels.size();
    this.padding = padding;
    if (n > MOST_LEVELS) {
      this.sums = null;
      return;
    }
    this.sums = new long[1 << n];
    for (int mask = 1; mask < sums.length; mask++) {
      sums[mask] = sums[mask & (mask - 1)] + levels.get(Integer.numberOfTrailingZeros(mask));
    }
  }

  /**
   * Whether disjoint groups of {@code levels} (least pages) fill each of {@code filled} and cross
   * each of {@code crossed} (pages of the ranges) within {@code padding} together (class comment);
   * true when the search is too large.
   */
  static boolean exist(List<Long> levels, long padding, long[] filled, long[] crossed) {
    return new LevelGroups(levels, padding).exist(filled, crossed);
  }

  /** {@link #exist(List, long, long[], long[])} for this set's levels and padding. */
  boolean exist(long[] filled, long[] crossed) {
    if (sums == null) {
      return true;
    }
    List<int[]> masks = new ArrayList<>();
    List<long[]> costs = new ArrayList<>();
    for (long p : filled) {
      addFilling(sums, p, padding, masks, costs);
    }
    for (long p : crossed) {
      addCrossing(sums, n, p, padding, masks, costs);
    }
    for (int[] m : masks) {
      if (m.length == 0) {
        return false;
      }
    }
    // Ranges of fewest masks first.
    Integer[] order = new Integer[masks.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> masks.get(i).length));
    Search s = new Search(masks, costs, order);
    try {
      return s.place(0, 0, padding);
    } catch (IllegalStateException tooLong) {
      return true;
    }
  }

  /** The masks whose least pages {@code m} fill {@code p} pages: {@code m ≤ p ≤ m + padding}. */
  private static void addFilling(long[] sums, long p, long padding, List<int[]> masks, List<long[]> costs) {
    List<Integer> ms = new ArrayList<>();
    List<Long> cs = new ArrayList<>();
    for (int mask = 1; mask < sums.length; mask++) {
      if (sums[mask] <= p && p - sums[mask] <= padding) {
        ms.add(mask);
        cs.add(p - sums[mask]);
      }
    }
    masks.add(ms.stream().mapToInt(Integer::intValue).toArray());
    costs.add(cs.stream().mapToLong(Long::longValue).toArray());
  }

  /**
   * The masks that reach past {@code p} pages ({@code m + padding ≥ p + 1}) from which no level can
   * be dropped while they still do at no more padding: such a group with more levels only takes
   * levels from the others (a group of larger levels may need less padding, so both are kept).
   */
  private static void addCrossing(long[] sums, int n, long p, long padding, List<int[]> masks, List<long[]> costs) {
    List<Integer> ms = new ArrayList<>();
    List<Long> cs = new ArrayList<>();
    for (int mask = 1; mask < sums.length; mask++) {
      if (sums[mask] + padding < p + 1) {
        continue;
      }
      long cost = Math.max(0, p + 1 - sums[mask]);
      boolean minimal = true;
      for (int i = 0; i < n && minimal; i++) {
        int less = mask & ~(1 << i);
        // Dropping level i leaves a group that still reaches past at no more padding: this one is not needed.
        minimal = less == mask || less == 0 || sums[less] + padding < p + 1 || Math.max(0, p + 1 - sums[less]) > cost;
      }
      if (minimal) {
        ms.add(mask);
        cs.add(cost);
      }
    }
    masks.add(ms.stream().mapToInt(Integer::intValue).toArray());
    costs.add(cs.stream().mapToLong(Long::longValue).toArray());
  }

  /** The search for one disjoint mask per range within the padding. */
  private static final class Search {
    private final List<int[]> masks;
    private final List<long[]> costs;
    private final Integer[] order;
    private int steps;

    Search(List<int[]> masks, List<long[]> costs, Integer[] order) {
      this.masks = masks;
      this.costs = costs;
      this.order = order;
    }

    boolean place(int k, int used, long padding) {
      if (k == order.length) {
        return true;
      }
      int[] ms = masks.get(order[k]);
      long[] cs = costs.get(order[k]);
      for (int i = 0; i < ms.length; i++) {
        if (++steps > MOST_STEPS) {
          throw new IllegalStateException("too many steps");
        }
        if ((ms[i] & used) == 0 && cs[i] <= padding && place(k + 1, used | ms[i], padding - cs[i])) {
          return true;
        }
      }
      return false;
    }
  }
}
