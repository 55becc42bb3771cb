package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Cell;
import tdmr.solver.ModuleFamilyBounds.Run;
import tdmr.solver.TdmrSetsAtPamt.TdmrSet;
import tdmr.tdx.PageSize;

/**
 * The sets of TDMRs a layout of the module family can have when its {@code P} pages of PAMT leave
 * no room to spare ({@link TdmrCountBound}'s regime), with at most {@code T} TDMRs and all
 * coverable memory covered: {@link #visit}. Where {@link TdmrSetsAtPamt} searches every TDMR a
 * window allows, this search uses what {@link TdmrCountBound}'s class comment proves of every such
 * layout, and so searches far fewer branches: on canonical/tdx#331 at its least PAMT and 5 TDMRs
 * it cuts all 74 464 sets in a fraction of a second (and visits the 288 that can fill the run left
 * out wholly), where {@link TdmrSetsAtPamt} gives up.
 *
 * <h2>What every layout of the regime has</h2>
 *
 * With {@code L} whole pages per GiB of the whole levels, {@code n} memory granules (holding
 * coverable TDX memory), {@code l* = n - floor(P / L)} and {@code ρ = P - L·(n - l*)}: when the
 * {@code l* + 1} smallest memory granules hold more than {@code P} pages (or, with {@code l* = 0},
 * every layout leaving a granule out has more than {@code P} pages by {@link
 * ModuleFamilyBounds#everyLayoutLeavingAGranuleOutAbove}: small stretches sealed in a granule of
 * many holes are PAMT too), every layout with {@code P} pages leaves out exactly {@code l*} memory granules, covers the others with TDMRs lying each
 * over memory granules of one run only (a run: adjacent memory granules, {@link
 * ModuleFamilyBounds.Run}), and its rounded levels' least pages and all its padding sum to {@code
 * ρ} ({@link TdmrCountBound}). So its TDMRs are a cut of each run into TDMRs and left-out granules,
 * the memory left out at most {@code P}, the least pages of the rounded levels at most {@code ρ},
 * and its padding is {@code P} minus all levels' least pages ({@link TdmrSet#padding}). The search
 * walks the runs' granules in address order, each left out or the start of a TDMR within its run,
 * and cuts a branch once the granules left out exceed {@code l*} or {@code P} pages, the TDMRs
 * exceed {@code T}, or the rounded pages of the TDMRs so far and the least the runs after them need
 * exceed {@code ρ} (a run not left out wholly has a TDMR, and its covered GiB need {@code
 * ceil(GiB·p / 4096)} pages of each rounded level of {@code p} bytes per GiB; a run may be left out
 * wholly when its granules and memory fit in what is left to leave out). Every set it visits has
 * exactly {@code l*} granules left out. A stretch of usable memory that no TDMR of a set overlaps is
 * all PAMT, and a level lies in one stretch, so the levels inside such stretches fill each exactly:
 * a set whose levels cannot fill them together ({@link TdmrSet#fillsTogether}) has no layout and is
 * not visited. It gives up (false) after {@link #MOST_STEPS} steps (those of that test included).
 */
public final class TdmrSetsWithoutRoom {
  /** The most steps (TDMR ends and granules left out tried) before the search gives up. */
  public static final long MOST_STEPS = 3_000_000L;

  private final Instance instance;
  private final long pamtPages;
  private final long mostTdmrs;
  private final List<Run> runs;
  /** Per run, its granules' coverable pages in address order, and its first GiB. */
  private final List<long[]> granules = new ArrayList<>();
  private final List<Long> firstGiB = new ArrayList<>();
  private final List<Long> roundedPerGiB = new ArrayList<>();
  /** {@code l*} and {@code ρ} of the class comment. */
  private long leftOut;
  private long spare;
  /** The stretches of usable memory ({@link Instance#islands}), and room for the pages of those left out. */
  private final List<AddressRange> stretches;
  private final long[] leftOutStretches;
  /** Least pages of each level of a TDMR by GiB (0 until computed). */
  private final long[][] levelPagesOfGiB;
  private long steps;
  /** The steps this search may take ({@link #MOST_STEPS} unless a caller asks for fewer). */
  private long mostSteps = MOST_STEPS;
  private Predicate<TdmrSet> visitor;

  private TdmrSetsWithoutRoom(Instance instance, long pamtPages, long mostTdmrs, ModuleFamilyBounds bounds) {
    this.instance = instance;
    this.pamtPages = pamtPages;
    this.mostTdmrs = mostTdmrs;
    this.runs = bounds.runs();
    for (Run r : runs) {
      List<Long> pages = new ArrayList<>();
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell c = instance.cells().get(i);
        for (long g = 0; g < c.sizeGiB(); g++) {
          pages.add(bounds.granulePages(c));
        }
      }
      granules.add(pages.stream().mapToLong(Long::longValue).toArray());
      firstGiB.add(instance.cells().get(r.firstCell()).range().start() / ByteSize.GiB);
    }
    for (PageSize level : instance.pieceLevels()) {
      long p = instance.perGiBBytes(level);
      if (p % ByteSize.PAGE != 0) {
        roundedPerGiB.add(p);
      }
    }
    stretches = instance.islands();
    leftOutStretches = new long[stretches.size()];
    long most = granules.stream().mapToLong(g -> g.length).max().orElse(0) + 1;
    levelPagesOfGiB = new long[instance.pieceLevels().size()][(int) Math.min(most, 1 << 16)];
  }

  /**
   * Calls {@code visitor} with every set of TDMRs a layout with exactly {@code pamtPages} pages of
   * PAMT and at most {@code mostTdmrs} TDMRs can have, as the class comment derives, until it
   * returns false; returns whether every set was visited (false: the regime does not apply, the
   * visitor stopped, or the search gave up).
   */
  public static boolean visit(Instance instance, long pamtPages, long mostTdmrs, Predicate<TdmrSet> visitor) {
    return visit(instance, pamtPages, mostTdmrs, MOST_STEPS, visitor);
  }

  /** {@link #visit(Instance, long, long, Predicate)} giving up after {@code mostSteps} steps. */
  public static boolean visit(Instance instance, long pamtPages, long mostTdmrs, long mostSteps, Predicate<TdmrSet> visitor) {
    if (!instance.moduleFamily() || pamtPages <= 0) {
      return false;
    }
    long whole = 0;
    boolean rounded = false;
    for (PageSize level : instance.pieceLevels()) {
      long p = instance.perGiBBytes(level);
      if (p % ByteSize.PAGE == 0) {
        whole += p / ByteSize.PAGE;
      } else {
        rounded = true;
      }
    }
    ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, false);
    if (whole == 0 || !rounded || bounds.runs().isEmpty()) {
      return false;
    }
    TdmrSetsWithoutRoom search = new TdmrSetsWithoutRoom(instance, pamtPages, mostTdmrs, bounds);
    long n = search.granules.stream().mapToLong(g -> g.length).sum();
    long out = n - pamtPages / whole;
    if (out < 0 || out > n) {
      return false;
    }
    List<Long> all = new ArrayList<>();
    search.granules.forEach(g -> java.util.Arrays.stream(g).forEach(all::add));
    all.sort(null);
    long smallest = 0;
    for (int i = 0; i <= out && i < all.size(); i++) {
      smallest += all.get(i);
    }
    if (out + 1 <= n && smallest <= pamtPages && !(out == 0 && bounds.everyLayoutLeavingAGranuleOutAbove(pamtPages))) {
      // More granules might be left out, with room to spare: not the regime.
      return false;
    }
    search.leftOut = out;
    search.spare = pamtPages - whole * (n - out);
    search.visitor = visitor;
    search.mostSteps = Math.min(MOST_STEPS, mostSteps);
    try {
      return search.from(0, 0, new ArrayList<>(), 0, 0, 0);
    } catch (GiveUp e) {
      return false;
    }
  }

  /**
   * Whether the levels of {@code tdmrs} (GiB ranges), at their least sizes with the padding {@code
   * pamtPages} leaves, may fill together the stretches of usable memory no TDMR overlaps ({@link
   * TdmrSet#fillsTogether}); false: no layout with {@code pamtPages} pages of PAMT, coverage {@code
   * all}, has these TDMRs (a stretch in no TDMR is all PAMT, and a level lies in one stretch).
   */
  public static boolean mayFillLeftOut(Instance instance, List<long[]> tdmrs, long pamtPages) {
    List<Long> leftOut = new ArrayList<>();
    long start = -1;
    long end = -1;
    List<Instance.Atom> atoms = instance.atoms();
    for (int i = 0; i <= atoms.size(); i++) {
      Instance.Atom a = i < atoms.size() ? atoms.get(i) : null;
      if (a != null && a.usable() && a.range().start() == end) {
        end = a.range().end();
        continue;
      }
      if (start >= 0 && inNone(tdmrs, start, end)) {
        leftOut.add((end - start) / ByteSize.PAGE);
      }
      start = a != null && a.usable() ? a.range().start() : -1;
      end = a != null && a.usable() ? a.range().end() : -1;
    }
    List<Long> levels = new ArrayList<>();
    long sum = 0;
    for (long[] t : tdmrs) {
      for (PageSize level : instance.pieceLevels()) {
        long pages = instance.levelPages(t[1] - t[0], level);
        levels.add(pages);
        sum += pages;
      }
    }
    return sum <= pamtPages && TdmrSetsAtPamt.fillTogether(levels.stream().mapToLong(Long::longValue).toArray(),
        pamtPages - sum, leftOut.stream().mapToLong(Long::longValue).toArray());
  }

  private static boolean inNone(List<long[]> tdmrs, long start, long end) {
    for (long[] t : tdmrs) {
      if (t[0] * ByteSize.GiB < end && start < t[1] * ByteSize.GiB) {
        return false;
      }
    }
    return true;
  }

  /** Thrown when the search takes more than {@link #MOST_STEPS} steps. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  /**
   * The search from granule {@code i} of run {@code r} on, with {@code tdmrs} chosen below it,
   * {@code out} granules of {@code outPages} pages left out and {@code rounded} least pages of
   * rounded levels so far; false when the visitor stopped.
   */
  private boolean from(int r, int i, List<long[]> tdmrs, long out, long outPages, long rounded) {
    if (++steps > mostSteps) {
      throw new GiveUp();
    }
    if (r == runs.size()) {
      return out != leftOut || !stretchesLeftOutFilled(tdmrs) || visitor.test(set(tdmrs));
    }
    long[] own = granules.get(r);
    if (i == own.length) {
      return from(r + 1, 0, tdmrs, out, outPages, rounded);
    }
    // Granule i left out: all its memory is PAMT.
    if (out < leftOut && outPages + own[i] <= pamtPages
        && rounded + restNeeds(r, i + 1, out + 1, outPages + own[i]) <= spare) {
      if (!from(r, i + 1, tdmrs, out + 1, outPages + own[i], rounded)) {
        return false;
      }
    }
    if (tdmrs.size() >= mostTdmrs) {
      return true;
    }
    // The ends by rounded pages of the TDMR: within each stretch of ends where those are the same,
    // the rest needs no more the higher the end, so the ends that fit are the stretch's top ones.
    int low = i + 1;
    while (low <= own.length) {
      long pages = roundedPages(low - i);
      if (rounded + pages > spare) {
        break;
      }
      int high = lastWithSamePages(i, low, own.length);
      int first = firstFitting(r, i, low, high, out, outPages, spare - rounded - pages);
      for (int end = first; end <= high; end++) {
        if (++steps > mostSteps) {
          throw new GiveUp();
        }
        tdmrs.add(new long[] {firstGiB.get(r) + i, firstGiB.get(r) + end});
        boolean more = from(r, end, tdmrs, out, outPages, rounded + pages);
        tdmrs.remove(tdmrs.size() - 1);
        if (!more) {
          return false;
        }
      }
      low = high + 1;
    }
    return true;
  }

  /** The last end in {@code [low, most]} of a TDMR from granule {@code i} with the rounded pages of one ending at {@code low}. */
  private int lastWithSamePages(int i, int low, int most) {
    long pages = roundedPages(low - i);
    int lo = low;
    int hi = most;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (roundedPages(mid - i) == pages) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * The first end in {@code [low, high]} after which the granules of run {@code r} and the runs
   * after it need at most {@code room} rounded pages ({@link #restNeeds} does not grow with the
   * end); {@code high + 1} when none.
   */
  private int firstFitting(int r, int i, int low, int high, long out, long outPages, long room) {
    int lo = low;
    int hi = high + 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (restNeeds(r, mid, out, outPages) <= room) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * The least rounded pages the granules from {@code i} of run {@code r} on need, with {@code out}
   * granules of {@code outPages} pages left out so far: per run (the rest of run {@code r} first),
   * none when it may be left out wholly, else those of its GiB less what may still be left out.
   */
  private long restNeeds(int r, int i, long out, long outPages) {
    long canLeave = leftOut - out;
    long room = pamtPages - outPages;
    long need = 0;
    for (int k = r; k < runs.size(); k++) {
      long[] own = granules.get(k);
      int from = k == r ? i : 0;
      long count = own.length - from;
      if (count == 0) {
        continue;
      }
      long memory = 0;
      for (int g = from; g < own.length && memory <= room; g++) {
        memory += own[g];
      }
      if (count <= canLeave && memory <= room) {
        continue;
      }
      need += roundedPages(Math.max(1, count - canLeave));
    }
    return need;
  }

  /**
   * Whether the levels of {@code tdmrs} may fill together the stretches of usable memory no TDMR
   * overlaps ({@link TdmrSet#fillsTogether}): else no layout has them (a level lies in one stretch,
   * and a stretch in no TDMR is all PAMT).
   */
  private boolean stretchesLeftOutFilled(List<long[]> tdmrs) {
    int count = 0;
    for (AddressRange s : stretches) {
      boolean inNone = true;
      for (long[] t : tdmrs) {
        inNone &= t[1] * ByteSize.GiB <= s.start() || s.end() <= t[0] * ByteSize.GiB;
      }
      if (inNone) {
        leftOutStretches[count++] = s.size() / ByteSize.PAGE;
      }
    }
    if (count == 0) {
      return true;
    }
    int perTdmr = instance.pieceLevels().size();
    long[] levels = new long[tdmrs.size() * perTdmr];
    long sum = 0;
    int n = 0;
    for (long[] t : tdmrs) {
      for (int l = 0; l < perTdmr; l++) {
        levels[n] = levelPages(t[1] - t[0], l);
        sum += levels[n++];
      }
    }
    long[] used = {0};
    boolean fills = TdmrSetsAtPamt.fillTogether(levels, pamtPages - sum, java.util.Arrays.copyOf(leftOutStretches, count),
        used);
    steps += used[0];
    if (steps > mostSteps) {
      throw new GiveUp();
    }
    return fills;
  }

  /** Least pages of level {@code l} (index in {@link Instance#pieceLevels}) of a {@code giB} GiB TDMR, cached. */
  private long levelPages(long giB, int l) {
    if (giB < levelPagesOfGiB[l].length) {
      if (levelPagesOfGiB[l][(int) giB] == 0) {
        levelPagesOfGiB[l][(int) giB] = instance.levelPages(giB, instance.pieceLevels().get(l));
      }
      return levelPagesOfGiB[l][(int) giB];
    }
    return instance.levelPages(giB, instance.pieceLevels().get(l));
  }

  /** The least pages of the rounded levels of a {@code giB} GiB TDMR. */
  private long roundedPages(long giB) {
    long pages = 0;
    for (long p : roundedPerGiB) {
      pages += Math.floorDiv(giB * p + ByteSize.PAGE - 1, ByteSize.PAGE);
    }
    return pages;
  }

  /** The set of {@code tdmrs}, with the least pages of each level and the padding {@code P} leaves. */
  private TdmrSet set(List<long[]> tdmrs) {
    List<Long> levelPages = new ArrayList<>();
    long sum = 0;
    for (long[] t : tdmrs) {
      for (int l = 0; l < instance.pieceLevels().size(); l++) {
        long pages = levelPages(t[1] - t[0], l);
        levelPages.add(pages);
        sum += pages;
      }
    }
    List<long[]> copy = new ArrayList<>();
    tdmrs.forEach(t -> copy.add(t.clone()));
    return new TdmrSet(List.copyOf(copy), List.copyOf(levelPages), pamtPages - sum);
  }
}
