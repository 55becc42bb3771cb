package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;

/**
 * The sets of TDMRs a layout of the module family with exactly {@code P} pages of PAMT, at most
 * {@code T} TDMRs and all coverable memory covered can have: {@link #of}. It enumerates them when
 * there are few, so that a bound may reason about each set on its own ({@link AreasWithKnownTdmrs}).
 *
 * <h2>Which TDMRs</h2>
 *
 * By the window's argument ({@link Instance}), every layout becomes one with the same PAMT, the same
 * TDMR count and no more reserved areas whose TDMRs each start and end in a granule holding TDX
 * memory (give up a granule without TDX memory at a TDMR's end; its levels stay as they are, now
 * larger than the smaller TDMR's minimum) or hold no TDX memory at all. So a lower bound on the
 * areas of the layouts of the enumerated sets, taken over all sets, is one on all layouts, provided
 * the sets take in every layout of that shape:
 *
 * <ul>
 *   <li>A TDMR of {@code s} GiB has levels of at least {@link Instance#levelPages} pages each, and
 *       the levels of all TDMRs are all the PAMT: their least pages sum to at most {@code P}. The
 *       {@code padding} of a set is {@code P} minus that sum: the most pages all levels together
 *       exceed their minimums by.
 *   <li>Memory in no TDMR is all PAMT (coverage {@code all}), so the usable memory of the granules
 *       no TDMR covers is at most {@code P}.
 *   <li>A TDMR holding no TDX memory has at least the least levels of a 1 GiB TDMR. A set of fewer
 *       than {@code T} TDMRs with at least that much padding might be completed by such TDMRs,
 *       whose size (and so whose levels) is not known: then the set is <em>open</em>, and {@link
 *       #of} says nothing (empty).
 *   <li>No TDMR is larger than {@link Instance#largestTdmrGiB}.
 *   <li>A stretch of usable memory in no TDMR is all PAMT, and a level lies in one stretch, so the
 *       levels inside it fill it exactly: a set none of whose levels do ({@link TdmrSet#fills}) has
 *       no layout and is left out.
 * </ul>
 *
 * The search goes through the window's granules in address order, each either left out or the
 * start of a TDMR, and cuts a branch once its granules left out hold more than {@code P} pages, its
 * levels' minimums exceed {@code P}, or the memory granules after it cannot all be covered or left
 * out within {@code P} (covering {@code c} GiB costs at least {@code ceil(c · perGiB / 4096)} pages
 * with {@code perGiB} the bytes of all levels per GiB; leaving out {@code k} costs at least the
 * {@code k} smallest of them, and with no TDMR left all of them). It gives up (empty) after {@link
 * #MOST_STEPS} steps.
 */
public final class TdmrSetsAtPamt {
  /** The most steps of the search before it gives up. */
  public static final int MOST_STEPS = 30_000;

  /** The most sets kept before the search gives up. */
  private static final int MOST_SETS = 20_000;

  /** The largest window, in GiB, searched (its granules are listed one by one). */
  private static final long MOST_WINDOW_GIB = 1 << 16;

  /**
   * One set of TDMRs, as GiB ranges {@code [start, end)} in address order, with the least pages of
   * each of their levels (three per TDMR, in TDMR order) and the padding {@code P} leaves.
   */
  public record TdmrSet(List<long[]> tdmrs, List<Long> levelPages, long padding) {
    /** Subset sums of at most this many levels are enumerated; with more, {@link #fills} says true. */
    private static final int MOST_LEVELS_SUMMED = 9;

    /**
     * Whether some of the levels, with least pages summing to {@code m}, may fill exactly {@code
     * pages}: {@code m ≤ pages ≤ m + padding}. True when there are too many levels to try.
     */
    public boolean fills(long pages) {
      long[] levels = levelPages.stream().mapToLong(Long::longValue).toArray();
      return TdmrSetsAtPamt.fills(levels, levels.length, padding, pages);
    }

    /**
     * Whether disjoint groups of the levels, one per entry of {@code parts}, may fill each part
     * exactly: a group's least pages {@code m_i} with {@code m_i ≤ parts[i]}, at least one level in
     * each group, and the parts' {@code parts[i] - m_i} (padding of the groups' levels) at most
     * {@code padding} together. True when the search takes more than {@link #MOST_FILL_STEPS} steps
     * (a caller taking true for "maybe" stays sound). The search shares out the levels of each size,
     * largest first, and cuts a branch once the parts lack more than the padding and the levels
     * left can give.
     */
    public boolean fillsTogether(long[] parts) {
      return TdmrSetsAtPamt.fillTogether(levelPages.stream().mapToLong(Long::longValue).toArray(), padding, parts);
    }

    /** The most steps of {@link #fillsTogether}. */
    static final int MOST_FILL_STEPS = 20_000;

    /** {@link #fillsTogether}'s search: levels of size {@code sizes[k]}, {@code counts[k]} of them. */
    static final class Sharing {
      private final long[] sizes;
      private final int[] counts;
      /** The pages of the levels from size index k on. */
      private final long[] after;
      private final long padding;
      int steps;

      Sharing(long[] sizes, int[] counts, long[] after, long padding) {
        this.sizes = sizes;
        this.counts = counts;
        this.after = after;
        this.padding = padding;
      }

      /**
       * Shares {@code count} levels of size index {@code k} among parts {@code j..} ({@code left}:
       * pages each part still lacks; {@code used}: whether it has a level), then the smaller sizes.
       */
      boolean share(int k, int j, int count, long[] left, boolean[] used) {
        if (++steps > MOST_FILL_STEPS) {
          throw new IllegalStateException("too many steps");
        }
        if (k == sizes.length || j == left.length) {
          // Size k shared out (the rest of its levels lie elsewhere): on to the next size.
          int next = k == sizes.length ? k : k + 1;
          long lacking = 0;
          for (long l : left) {
            lacking += l;
          }
          if (lacking > padding + after[next]) {
            return false;
          }
          if (next == sizes.length) {
            for (boolean u : used) {
              if (!u) {
                return false;
              }
            }
            return true;
          }
          return share(next, 0, counts[next], left, used);
        }
        long size = sizes[k];
        int most = (int) Math.min(count, left[j] / size);
        boolean wasUsed = used[j];
        for (int x = most; x >= 0; x--) {
          left[j] -= x * size;
          used[j] = wasUsed || x > 0;
          boolean ok = share(k, j + 1, count - x, left, used);
          left[j] += x * size;
          used[j] = wasUsed;
          if (ok) {
            return true;
          }
        }
        return false;
      }
    }
  }

  /** {@link TdmrSet#fillsTogether} for levels of {@code levels} least pages (in any order) and {@code padding}. */
  static boolean fillTogether(long[] levels, long padding, long[] parts) {
    return fillTogether(levels, padding, parts, new long[1]);
  }

  /** {@link #fillTogether(long[], long, long[])}, adding the steps it took to {@code steps[0]}. */
  static boolean fillTogether(long[] levels, long padding, long[] parts, long[] steps) {
    long[] sorted = levels.clone();
    java.util.Arrays.sort(sorted);
    int distinct = 0;
    for (int k = 0; k < sorted.length; k++) {
      distinct += k == 0 || sorted[k] != sorted[k - 1] ? 1 : 0;
    }
    long[] sizes = new long[distinct];
    int[] counts = new int[distinct];
    int d = -1;
    for (int k = sorted.length - 1; k >= 0; k--) {
      if (k == sorted.length - 1 || sorted[k] != sorted[k + 1]) {
        sizes[++d] = sorted[k];
      }
      counts[d]++;
    }
    long[] after = new long[distinct + 1];
    for (int k = distinct - 1; k >= 0; k--) {
      after[k] = after[k + 1] + sizes[k] * counts[k];
    }
    TdmrSet.Sharing sharing = new TdmrSet.Sharing(sizes, counts, after, padding);
    try {
      return sharing.share(0, 0, distinct == 0 ? 0 : counts[0], parts.clone(), new boolean[parts.length]);
    } catch (IllegalStateException tooLong) {
      return true;
    } finally {
      steps[0] += sharing.steps;
    }
  }

  /** {@link TdmrSet#fills} for the first {@code n} of {@code levels} (also {@link OnlyTdmrOptimum}'s). */
  static boolean fills(long[] levels, int n, long padding, long pages) {
    if (n > TdmrSet.MOST_LEVELS_SUMMED) {
      return true;
    }
    long[] sums = new long[1 << n];
    for (int mask = 1; mask < sums.length; mask++) {
      sums[mask] = sums[mask & (mask - 1)] + levels[Integer.numberOfTrailingZeros(mask)];
      if (sums[mask] <= pages && pages - sums[mask] <= padding) {
        return true;
      }
    }
    return false;
  }

  private final Instance instance;
  private final long pamtPages;
  private final long mostTdmrs;
  /** Per granule from the window's start: usable pages, and whether it holds TDX memory. */
  private final long[] usable;
  private final boolean[] holdsMemory;
  private final long firstGiB;
  /** Usable pages of the granules from index i on. */
  private final long[] usableFrom;
  /** Memory granules (usable pages > 0) from index i on. */
  private final long[] memoryGranulesFrom;
  /** The distinct usable pages of memory granules, ascending, and per index i how many from i on have each. */
  private final long[] distinctPages;
  private final int[][] countFrom;
  /** Per index i, the first granule at or after it that holds TDX memory (the window's length when none). */
  private final int[] nextHoldingMemory;
  private final long bytesPerGiB;
  private final List<TdmrSet> found = new ArrayList<>();
  /** The stretches of usable memory ({@link Instance#islands}). */
  private final List<AddressRange> stretches;
  /** Least level pages of a TDMR by GiB (0 until computed). */
  private final long[] leastLevelsOfGiB;
  /** Least pages of each level of a TDMR by GiB (0 until computed). */
  private final long[][] levelPagesOfGiB;
  private long steps;
  private boolean open;

  private TdmrSetsAtPamt(Instance instance, long pamtPages, long mostTdmrs) {
    this.instance = instance;
    this.pamtPages = pamtPages;
    this.mostTdmrs = mostTdmrs;
    List<Cell> cells = instance.cells();
    firstGiB = cells.get(0).range().start() / ByteSize.GiB;
    long lastGiB = cells.get(cells.size() - 1).range().end() / ByteSize.GiB;
    int n = (int) (lastGiB - firstGiB);
    usable = new long[n];
    holdsMemory = new boolean[n];
    for (Cell c : cells) {
      long pages = 0;
      for (int i = c.firstAtom(); i < c.endAtom(); i++) {
        Atom a = instance.atoms().get(i);
        if (a.memory() && !a.dead()) {
          pages += a.pages();
        }
      }
      int from = (int) (c.range().start() / ByteSize.GiB - firstGiB);
      for (int g = 0; g < c.sizeGiB(); g++) {
        // A PLAIN cell's memory is one atom spread evenly over its granules.
        usable[from + g] = pages / c.sizeGiB();
        holdsMemory[from + g] = c.holdsMemory();
      }
    }
    usableFrom = new long[n + 1];
    memoryGranulesFrom = new long[n + 1];
    for (int g = n - 1; g >= 0; g--) {
      usableFrom[g] = usableFrom[g + 1] + usable[g];
      memoryGranulesFrom[g] = memoryGranulesFrom[g + 1] + (usable[g] > 0 ? 1 : 0);
    }
    distinctPages = java.util.Arrays.stream(usable).filter(p -> p > 0).distinct().sorted().toArray();
    countFrom = new int[n + 1][distinctPages.length];
    nextHoldingMemory = new int[n + 1];
    nextHoldingMemory[n] = n;
    for (int g = n - 1; g >= 0; g--) {
      countFrom[g] = countFrom[g + 1].clone();
      if (usable[g] > 0) {
        countFrom[g][java.util.Arrays.binarySearch(distinctPages, usable[g])]++;
      }
      nextHoldingMemory[g] = holdsMemory[g] ? g : nextHoldingMemory[g + 1];
    }
    stretches = instance.islands();
    long bytes = 0;
    for (PageSize level : instance.pieceLevels()) {
      bytes += instance.perGiBBytes(level);
    }
    bytesPerGiB = bytes;
    leastLevelsOfGiB = new long[n + 2];
    levelPagesOfGiB = new long[instance.pieceLevels().size()][n + 2];
  }

  /**
   * Every set of TDMRs a layout with exactly {@code pamtPages} pages of PAMT and at most {@code
   * mostTdmrs} TDMRs can have, up to the argument of the class comment; empty when the search gave
   * up or a set is open. The list is empty when no layout has that PAMT.
   */
  public static Optional<List<TdmrSet>> of(Instance instance, long pamtPages, long mostTdmrs) {
    if (instance.cells().isEmpty() || !instance.moduleFamily()) {
      return Optional.empty();
    }
    List<Cell> cells = instance.cells();
    long windowGiB = (cells.get(cells.size() - 1).range().end() - cells.get(0).range().start()) / ByteSize.GiB;
    if (windowGiB > MOST_WINDOW_GIB) {
      return Optional.empty();
    }
    TdmrSetsAtPamt search = new TdmrSetsAtPamt(instance, pamtPages, mostTdmrs);
    try {
      search.from(0, new ArrayList<>(), 0, 0);
    } catch (GiveUp e) {
      return Optional.empty();
    }
    return search.open ? Optional.empty() : Optional.of(List.copyOf(search.found));
  }

  /** Thrown when the search takes more than {@link #MOST_STEPS} steps or meets an open set. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  /** The search from granule {@code g} on, with {@code tdmrs} chosen below it. */
  private void from(int g, List<long[]> tdmrs, long leftOut, long levels) {
    if (++steps > MOST_STEPS) {
      throw new GiveUp();
    }
    if (g == usable.length) {
      found(tdmrs, levels);
      return;
    }
    if (!restFits(g, tdmrs.size(), leftOut, levels)) {
      return;
    }
    if (!holdsMemory[g]) {
      // Granules without TDX memory hold no usable memory, and no TDMR starts in them.
      from(nextHoldingMemory[g], tdmrs, leftOut, levels);
      return;
    }
    // Granule g left out: all its usable memory is PAMT.
    if (leftOut + usable[g] <= pamtPages) {
      from(g + 1, tdmrs, leftOut + usable[g], levels);
    }
    // A TDMR from granule g to a granule holding TDX memory.
    if (tdmrs.size() >= mostTdmrs) {
      return;
    }
    int lowest = g + 1;
    if (tdmrs.size() + 1 == mostTdmrs) {
      // The last TDMR: all memory above it is left out, so it ends where that fits.
      // usableFrom does not grow with the index: the first index where it fits, by bisection.
      int hi = usable.length;
      while (lowest < hi) {
        int mid = (lowest + hi) >>> 1;
        if (usableFrom[mid] > pamtPages - leftOut) {
          lowest = mid + 1;
        } else {
          hi = mid;
        }
      }
    }
    for (int end = lowest; end <= usable.length && end - g <= instance.largestTdmrGiB(); end++) {
      long pages = leastLevels(end - g);
      if (levels + pages > pamtPages) {
        break;
      }
      if (!holdsMemory[end - 1] || !restFits(end, tdmrs.size() + 1, leftOut, levels + pages)) {
        continue;
      }
      tdmrs.add(new long[] {firstGiB + g, firstGiB + end});
      from(end, tdmrs, leftOut, levels + pages);
      tdmrs.remove(tdmrs.size() - 1);
    }
  }

  /**
   * Whether the memory granules from {@code g} on can be covered by the TDMRs left or left out
   * within {@code P} (class comment).
   */
  private boolean restFits(int g, int used, long leftOut, long levels) {
    long memoryGranules = memoryGranulesFrom[g];
    long room = pamtPages - leftOut;
    if (used >= mostTdmrs) {
      return usableFrom[g] <= room;
    }
    // Covering c GiB costs at least ceil(c · bytesPerGiB / 4096) pages of levels.
    long coverable = (pamtPages - levels) * 4096 / Math.max(1, bytesPerGiB);
    long mustLeaveOut = memoryGranules - coverable;
    if (mustLeaveOut <= 0) {
      return true;
    }
    return smallestSum(g, mustLeaveOut) <= room;
  }

  /** The sum of the {@code k} smallest usable pages among the memory granules from {@code g} on. */
  private long smallestSum(int g, long k) {
    long sum = 0;
    for (int d = 0; d < distinctPages.length && k > 0; d++) {
      long take = Math.min(k, countFrom[g][d]);
      sum += take * distinctPages[d];
      k -= take;
    }
    return sum;
  }

  /** Least pages of level {@code l} (index in {@link Instance#pieceLevels}) of a {@code giB} GiB TDMR. */
  private long levelPages(long giB, int l) {
    if (giB >= levelPagesOfGiB[l].length) {
      return instance.levelPages(giB, instance.pieceLevels().get(l));
    }
    if (levelPagesOfGiB[l][(int) giB] == 0) {
      levelPagesOfGiB[l][(int) giB] = instance.levelPages(giB, instance.pieceLevels().get(l));
    }
    return levelPagesOfGiB[l][(int) giB];
  }

  private long leastLevels(long giB) {
    if (giB < leastLevelsOfGiB.length) {
      if (leastLevelsOfGiB[(int) giB] == 0) {
        leastLevelsOfGiB[(int) giB] = levelsOf(giB);
      }
      return leastLevelsOfGiB[(int) giB];
    }
    return levelsOf(giB);
  }

  private long levelsOf(long giB) {
    long pages = 0;
    for (int l = 0; l < instance.pieceLevels().size(); l++) {
      pages += levelPages(giB, l);
    }
    return pages;
  }

  private void found(List<long[]> tdmrs, long levels) {
    long padding = pamtPages - levels;
    if (tdmrs.size() < mostTdmrs && padding >= leastLevels(1)) {
      open = true;
      throw new GiveUp();
    }
    long[] levelPages = new long[tdmrs.size() * instance.pieceLevels().size()];
    int n = 0;
    for (long[] t : tdmrs) {
      for (int l = 0; l < instance.pieceLevels().size(); l++) {
        levelPages[n++] = levelPages(t[1] - t[0], l);
      }
    }
    for (AddressRange s : stretches) {
      // A stretch in no TDMR is all PAMT, levels lying wholly inside it: some must fill it exactly.
      boolean inNone = true;
      for (long[] t : tdmrs) {
        inNone &= t[1] * ByteSize.GiB <= s.start() || s.end() <= t[0] * ByteSize.GiB;
      }
      if (inNone && !fills(levelPages, n, padding, s.size() / ByteSize.PAGE)) {
        return;
      }
    }
    List<long[]> copy = new ArrayList<>();
    tdmrs.forEach(t -> copy.add(t.clone()));
    TdmrSet set = new TdmrSet(List.copyOf(copy), java.util.Arrays.stream(levelPages).boxed().toList(), padding);
    if (found.size() >= MOST_SETS) {
      throw new GiveUp();
    }
    found.add(set);
  }
}
