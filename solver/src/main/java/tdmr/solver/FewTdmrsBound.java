package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the TDMRs of every layout of the module family ({@link Policy.Family#MODULE})
 * that gives up no coverable TDX memory and has at most {@code P} pages of PAMT, found by trying
 * every set of one, two or three TDMRs ({@link #leastTdmrs}): the least count it cannot rule out.
 * Solver-neutral; both engines' TDMRs tier takes it through {@link TierBounds#tdmrs}. It is strong
 * where PAMT is at a bound that leaves a page or two to spare and memory at the ends of runs is
 * left out of every TDMR, filled by levels reaching into a TDMR's reserved area: there the bounds
 * that look only at runs left out wholly ({@link TdmrCountBound}, {@link
 * GranulesLeftOut#mayBeLeftOutWhole}) allow a count no layout has.
 *
 * <h2>What every layout with {@code t} TDMRs and at most {@code P} pages of PAMT meets</h2>
 *
 * A <em>stretch</em> is a maximal range of contiguous coverable TDX memory (inside a CMR), in
 * pages. Take such a layout; each of its TDMRs holding memory of the window of granules the
 * instance spans has a part inside the window, {@code [x, y)} in GiB (a TDMR reaching outside the
 * window holds that part's memory, and its levels are at least that part's levels, the excess
 * counted as padding below); a TDMR holding none only lends its three levels, at least those of a
 * 1 GiB TDMR, the excess counted as padding too. So the layout has {@code m} disjoint parts and
 * {@code t - m} TDMRs without memory, and:
 *
 * <ol>
 *   <li><b>Levels.</b> Every level has at least its minimum for its part's size (rule D2), so the
 *       minimums, {@code Σ levels(y - x) + (t - m)·levels(1)}, are at most {@code P}; the rest of
 *       {@code P}, {@code δ}, bounds all padding together.
 *   <li><b>Memory outside every TDMR.</b> Coverable memory that is given up is none, so memory
 *       outside every part is PAMT: at most {@code P} pages in all.
 *   <li><b>Each stretch's memory outside every part, {@code o_s > 0} pages, is covered by levels
 *       lying in that stretch</b> (a level is one range of TDX memory inside a CMR, rules O2 and
 *       D6, so it lies within one stretch; levels are disjoint). So at least one level lies in the
 *       stretch; the levels lying there, with their padding, total at least {@code o_s} and at most
 *       the stretch's {@code |s|} pages; and when the whole stretch is outside ({@code o_s = |s|})
 *       they total exactly {@code |s|}. With each level at its minimum, the stretches lack at most
 *       {@code δ} pages together: {@code Σ_s max(0, o_s - used_s) ≤ δ}, each {@code used_s ≤ |s|}.
 * </ol>
 *
 * When no {@code m ≤ t}, no {@code m} disjoint parts of the window and no sharing of the levels among
 * the stretches (each level in one stretch with {@code o_s > 0}, or elsewhere) meet all three, no
 * layout has {@code t} TDMRs. The search tries the parts in address order, each part's start while
 * the memory before it stays within {@code P} and its end while the minimums do (and while the
 * memory after the last part stays within {@code P}), and shares the levels out largest first. Past
 * {@link #MOST_STEPS} steps for a count, or past the instance's deadline, it stops and the count is
 * not ruled out (the bound stays sound, only weaker).
 *
 * <h2>Node 0 of a host of 512 GiB per node</h2>
 *
 * Memory {@code [1 MiB, 0x76bb8000)} (486 072 pages, two granules) and {@code [4 GiB, 514 GiB)} (510
 * granules), 16-byte entries: a part of {@code g} GiB has levels of {@code 1024·g}, {@code 2·g} and
 * {@code ceil(g / 256)} pages. At {@code P = 523 263 = 1026·510 + 3} (the least PAMT, at three
 * TDMRs: {@code [0, 1G)}, {@code [4G, 259G)}, {@code [259G, 513G)}), two TDMRs are too few: the parts
 * cover at most 510 GiB (511 cost {@code 1026·511 > P}) and leave out at most two memory granules
 * (three hold more than {@code P}), so they cover exactly 510 memory granules with {@code δ ≤ 1}.
 * Leaving out both low granules, the low stretch must be filled exactly by levels of parts of 510
 * GiB: one 4K level is {@code 1024·g ≥ 261 120} pages, two are more than the stretch, and no sum of
 * one with the small levels is 486 072 within a page. Leaving out one low granule and the last (or
 * first) high one, the high part's 4K level (over 500 000 pages) fits in no stretch but the high one,
 * and the rest (at most 2 047 pages) cannot cover the 224 184 or more pages left out of the low
 * stretch. One part cannot cover both runs (the 2 GiB between them would cost 2 052 pages more).
 */
public final class FewTdmrsBound {
  /** The largest count of TDMRs tried; a layout with more is never ruled out. */
  public static final int MOST_TDMRS = 3;

  /**
   * The most steps per count (part ends tried, stretches looked at, levels shared out) before that
   * count is taken as possible: some tens of milliseconds. Node 0 of a host of 512 GiB per node
   * (class comment) rules out two TDMRs in 6 000; node 0 of realistic-2s1n-512GiB-3i, with three
   * low stretches, needs 570 000 to rule out three and is left at three.
   */
  static final long MOST_STEPS = 200_000;

  private final Instance instance;
  /** Maximal stretches of contiguous coverable memory ({@link Instance#islands}), {@code [start, end)} in pages. */
  private final List<long[]> stretches = new ArrayList<>();
  /** The window's first and last granule (GiB), end exclusive. */
  private final long lo;
  private final long hi;
  /** {@code below[i]}: pages of coverable memory in granules {@code [lo, lo + i)}. */
  private final long[] below;
  /** Whole pages per GiB of all levels: {@code levels(g) ≥ whole·g} for every size. */
  private final long whole;
  /** {@code levels(g)} once computed, by {@code g}. */
  private final long[] levelsOf;

  public FewTdmrsBound(Instance instance) {
    this.instance = instance;
    for (AddressRange island : instance.islands()) {
      stretches.add(new long[] {island.start() / ByteSize.PAGE, island.end() / ByteSize.PAGE});
    }
    List<Cell> cells = instance.cells();
    this.lo = cells.isEmpty() ? 0 : cells.get(0).range().start() / ByteSize.GiB;
    this.hi = cells.isEmpty() ? 0 : cells.get(cells.size() - 1).range().end() / ByteSize.GiB;
    this.below = new long[(int) (hi - lo) + 1];
    for (long[] s : stretches) {
      for (long p = s[0]; p < s[1]; ) {
        long g = p / Instance.GIB_PAGES;
        long next = Math.min(s[1], (g + 1) * Instance.GIB_PAGES);
        below[(int) (g - lo) + 1] += next - p;
        p = next;
      }
    }
    for (int i = 1; i < below.length; i++) {
      below[i] += below[i - 1];
    }
    long w = 0;
    for (PageSize level : instance.pieceLevels()) {
      w += instance.piecePerGiBBytes(level) / ByteSize.PAGE;
    }
    this.whole = w;
    this.levelsOf = new long[(int) Math.min(hi - lo + 2, instance.largestTdmrGiB() + 2L)];
  }

  /**
   * The least count of TDMRs, from {@code from} (at least 1) to {@link #MOST_TDMRS}, that this
   * search cannot rule out for a layout with at most {@code pamtPages} pages of PAMT giving up no
   * coverable memory (class comment), or {@code MOST_TDMRS + 1} when it rules out every one of them;
   * empty when the instance holds no memory or {@code from} is past {@link #MOST_TDMRS}. The caller
   * passes in {@code from} a count below which it has ruled out every layout by other bounds (1 when
   * none), so that the counts below are not tried again; the answer is then a bound too.
   */
  public OptionalLong leastTdmrs(long pamtPages, long from) {
    if (stretches.isEmpty() || from > MOST_TDMRS) {
      return OptionalLong.empty();
    }
    for (int t = (int) Math.max(1, from); t <= MOST_TDMRS; t++) {
      if (possible(t, pamtPages)) {
        return OptionalLong.of(t);
      }
    }
    return OptionalLong.of(MOST_TDMRS + 1);
  }

  /** Whether a layout with exactly {@code t} TDMRs and at most {@code pamt} pages might exist. */
  boolean possible(int t, long pamt) {
    Search s = new Search(pamt);
    for (int m = t; m >= 0; m--) {
      long memoryless = (t - m) * levels(1);
      if (memoryless > pamt) {
        continue;
      }
      try {
        if (s.parts(m, t - m, lo, memoryless, 0, new ArrayList<>())) {
          return true;
        }
      } catch (TooMany e) {
        return true;
      }
    }
    return false;
  }

  /** Thrown past {@link #MOST_STEPS} steps: the count is taken as possible. */
  private static final class TooMany extends RuntimeException {
    TooMany() {
      super(null, null, false, false);
    }
  }

  /** The search for one count at one PAMT. */
  private final class Search {
    private final long pamt;
    private long tried;

    Search(long pamt) {
      this.pamt = pamt;
    }

    /**
     * Counts {@code steps} more; past {@link #MOST_STEPS}, or once the instance's deadline has
     * passed (looked at every 4 096 steps), the count is taken as possible.
     */
    void step(long steps) {
      long before = tried;
      tried += steps;
      if (tried > MOST_STEPS || before >> 12 != tried >> 12 && instance.deadline().expired()) {
        throw new TooMany();
      }
    }

    /**
     * Whether {@code left} more parts from granule {@code from} on, after parts with {@code levels}
     * pages of minimums (and {@code memoryless} TDMRs without memory) and {@code outside} pages of
     * memory outside them, can meet the conditions.
     */
    boolean parts(int left, int memoryless, long from, long levels, long outside, List<long[]> chosen) {
      if (left == 0) {
        long out = outside + memory(from, hi);
        return out <= pamt && fits(chosen, memoryless, pamt - levels, this);
      }
      for (long x = from; x < hi; x++) {
        long out = outside + memory(from, x);
        if (out > pamt) {
          break;
        }
        long last = Math.min(hi, x + instance.largestTdmrGiB());
        // The last part ends where the memory after it stays within what PAMT has room for.
        long first = left == 1 ? Math.max(x + 1, leastEnd(pamt - out)) : x + 1;
        for (long y = first; y <= last; y++) {
          step(1);
          long lv = levels + levels(y - x);
          if (lv > pamt) {
            break;
          }
          // The memory after this part that no part covers is at most what PAMT has room for, so
          // the parts after it cover at least the rest: whole pages of levels for each GiB of it.
          long rest = memory(y, hi) - (pamt - out);
          if (rest > 0 && lv + whole * ceilDiv(rest, Instance.GIB_PAGES) > pamt) {
            continue;
          }
          chosen.add(new long[] {x, y});
          boolean ok = parts(left - 1, memoryless, y, lv, out, chosen);
          chosen.remove(chosen.size() - 1);
          if (ok) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Whether the levels of {@code parts} and of {@code memoryless} TDMRs without memory (each a 1
   * GiB TDMR's) can be shared out among the stretches with memory outside every part (condition
   * 3), lacking at most {@code padding} pages together.
   */
  private boolean fits(List<long[]> parts, int memoryless, long padding, Search search) {
    search.step(stretches.size());
    List<long[]> needy = new ArrayList<>(); // {size, outside, exact ? 1 : 0}
    for (long[] s : stretches) {
      long inside = 0;
      for (long[] p : parts) {
        inside += Math.max(0, Math.min(s[1], p[1] * Instance.GIB_PAGES) - Math.max(s[0], p[0] * Instance.GIB_PAGES));
      }
      long size = s[1] - s[0];
      if (inside < size) {
        needy.add(new long[] {size, size - inside, inside == 0 ? 1 : 0});
      }
    }
    List<Long> items = new ArrayList<>();
    for (long[] p : parts) {
      for (PageSize level : instance.pieceLevels()) {
        items.add(instance.piecePages(p[1] - p[0], level));
      }
    }
    for (int i = 0; i < memoryless; i++) {
      for (PageSize level : instance.pieceLevels()) {
        items.add(instance.piecePages(1, level));
      }
    }
    if (needy.size() > items.size()) {
      return false;
    }
    items.sort(java.util.Comparator.reverseOrder());
    long[] used = new long[needy.size()];
    int[] count = new int[needy.size()];
    long remaining = items.stream().mapToLong(Long::longValue).sum();
    return share(items, 0, remaining, needy, used, count, padding, search);
  }

  /** Shares out {@code items[k..]} (their sum {@code remaining}) among {@code needy} or elsewhere. */
  private static boolean share(List<Long> items, int k, long remaining, List<long[]> needy, long[] used, int[] count,
      long padding, Search search) {
    search.step(1);
    long lacking = 0;
    int empty = 0;
    for (int i = 0; i < used.length; i++) {
      lacking += Math.max(0, need(needy.get(i)) - used[i]);
      empty += count[i] == 0 ? 1 : 0;
    }
    if (empty > items.size() - k || lacking - remaining > padding) {
      return false;
    }
    if (k == items.size()) {
      return true;
    }
    long item = items.get(k);
    for (int i = 0; i < used.length; i++) {
      if (used[i] + item <= needy.get(i)[0]) {
        used[i] += item;
        count[i]++;
        boolean ok = share(items, k + 1, remaining - item, needy, used, count, padding, search);
        used[i] -= item;
        count[i]--;
        if (ok) {
          return true;
        }
      }
    }
    return share(items, k + 1, remaining - item, needy, used, count, padding, search);
  }

  /** Pages a needy stretch's levels must reach: all of it when wholly outside, else its memory outside. */
  private static long need(long[] needy) {
    return needy[2] == 1 ? needy[0] : needy[1];
  }

  /**
   * The least granule {@code y} with at most {@code room} pages of memory in {@code [y, hi)}
   * (non-increasing in {@code y}).
   */
  private long leastEnd(long room) {
    long a = lo;
    long b = hi;
    while (a < b) {
      long mid = (a + b) >>> 1;
      if (memory(mid, hi) <= room) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    return a;
  }

  /** Pages of the minimums of all levels of a {@code giB} GiB TDMR (cached). */
  private long levels(long giB) {
    if (giB < levelsOf.length && levelsOf[(int) giB] > 0) {
      return levelsOf[(int) giB];
    }
    long pages = instance.levelsPages(giB);
    if (giB < levelsOf.length) {
      levelsOf[(int) giB] = pages;
    }
    return pages;
  }

  /** Pages of coverable memory in granules {@code [from, to)} of the window. */
  private long memory(long from, long to) {
    return below[(int) (to - lo)] - below[(int) (from - lo)];
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
