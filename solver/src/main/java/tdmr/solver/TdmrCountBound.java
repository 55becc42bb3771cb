package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Cell;
import tdmr.solver.ModuleFamilyBounds.Run;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the TDMRs of every layout of the module family ({@link Policy.Family#MODULE})
 * that gives up no coverable TDX memory and has exactly {@code P} pages of PAMT (the tier fixed
 * before the TDMRs tier): {@link #leastTdmrs}. Solver-neutral; an engine adds it to its TDMRs tier,
 * so that a layout meeting it is proven least without a search. It is strong where PAMT leaves no
 * room to spare and the memory left out of every TDMR must be filled exactly by PAMT levels, whose
 * sizes then fix how the TDMRs are cut, as on canonical/tdx#331.
 *
 * <p>Terms as in {@link ModuleFamilyBounds}: a <em>memory granule</em> holds coverable TDX memory
 * ({@code M_g} pages of it), a <em>run</em> is a maximal sequence of adjacent memory granules (never
 * cut by nodes here: the bound is for all layouts, remote PAMT or not), {@code n} is the number of
 * memory granules. A level costs {@code w_j} whole pages per GiB of its TDMR ({@code L = sum w_j},
 * 1026 with 16-byte entries: 1024 for the 4K level, 2 for the 2M level) or, for a <em>rounded</em>
 * level of {@code p} bytes per GiB that is not a whole number of pages (the 1G level, 16 bytes), at
 * least {@code ceil(s·p / 4096)} pages for a TDMR of {@code s} GiB, so at least one. {@code w} is the
 * largest {@code w_j}.
 *
 * <h2>No room to spare</h2>
 *
 * Take a layout with {@code P} pages of PAMT that leaves {@code l} memory granules out of every TDMR
 * and whose TDMRs, of {@code s_i} GiB, cover {@code e} granules that are not memory granules. Every
 * level has at least its minimum (rule D2), so {@code P = L·(n - l + e) + R + pad}, with {@code R}
 * the sum of the rounded levels' minimums and {@code pad ≥ 0} all padding. A left-out granule's
 * memory is all PAMT (nothing is given up, and it lies in no TDMR), and PAMT ranges are disjoint, so
 * the memory of the left-out granules is at most {@code P}. Let {@code l* = n - floor(P / L)} and
 * {@code ρ = P - L·(n - l*)}, the remainder of {@code P / L}. A layout with {@code l < l*} would
 * need more than {@code P} pages; if the {@code l* + 1} smallest memory granules hold more than
 * {@code P} pages, no layout leaves out more than {@code l*}. The bound applies only then: every
 * layout leaves out exactly {@code l*} granules, {@code L·e ≤ ρ < L} gives {@code e = 0}, and
 * {@code R + pad = ρ}. So each TDMR lies over memory granules only, all of one run (a TDMR is a range
 * of adjacent granules), and the TDMRs over run {@code r} cover {@code m_r = n_r - j_r} of its
 * {@code n_r} granules, {@code j_r} being left out.
 *
 * <h2>Islands filled exactly</h2>
 *
 * Let {@code W} be the runs left out wholly ({@code m_r = 0}). A stretch of contiguous coverable
 * memory touching a granule of such a run lies within the run's granules (the granules beside a run
 * hold no coverable memory), so outside every TDMR: all of it is PAMT, and a PAMT level is one range
 * of TDX memory (rule O2), so the levels lying in {@code W}'s memory fill its {@code M_W} pages
 * exactly. With {@code v} the GiB of the TDMRs whose level of {@code w} pages per GiB lies there,
 * those levels have at least {@code w·v} pages, and all the others that could lie there (the other
 * whole levels, at most {@code (L - w)·(n - l*)}, the rounded levels and the padding, at most
 * {@code ρ}) make up the rest: {@code w·v ≤ M_W ≤ w·v + (L - w)·(n - l*) + ρ}.
 *
 * <h2>Counting the TDMRs</h2>
 *
 * Each run {@code r} not in {@code W} has {@code t_r ≥ 1} TDMRs, {@code g_r} of them with that level
 * in {@code W}'s memory, of {@code u_r} GiB together ({@code v = sum u_r}), each at least 1 GiB. By
 * subadditivity of {@code ceil}, and as each TDMR has at least one page of each rounded level, its
 * rounded levels have at least {@code sum over rounded p of max(g_r, ceil(u_r·p / 4096)) + max(t_r -
 * g_r, ceil((m_r - u_r)·p / 4096))} pages (a group without TDMRs has 0), and these sum to at most
 * {@code ρ} over the runs. The left-out memory is at least {@code M_W} plus the {@code l* - |W|}
 * smallest granules of the other runs, and at least {@code M_W} plus the {@code j_r} smallest granules of
 * run {@code r}, each at most {@code P}. The bound is the least {@code sum t_r}
 * over every {@code W} and every choice of {@code j_r, t_r, g_r, u_r} meeting all of that: a dynamic
 * program over the runs, per {@code W}, whose state is the granules left out so far, the rounded
 * pages so far and {@code v} so far, and whose value is the fewest TDMRs. Every layout meets these
 * conditions with its own numbers, so none has fewer TDMRs. The bound is not taken (empty) where
 * the argument does not apply or the work would be too large; when no choice meets the conditions,
 * no layout has {@code P} pages, and the bound says nothing either.
 *
 * <h2>canonical/tdx#331</h2>
 *
 * Runs A = [0, 2G) (1 911 MiB of memory), B = [4G, 448G) (444 GiB, the last granule 992 MiB), C =
 * [512G, 960G) (448 GiB) and D = [1T, 1T + 2G) (2 GiB): {@code n = 896}. At the least PAMT, {@code P
 * = 916 223 = 893·1026 + 5}: {@code l* = 3}, {@code ρ = 5}, and the four smallest granules (888, 992,
 * 1 023 and 1 024 MiB) hold more than {@code P}. With nothing left out wholly the four runs need at
 * least {@code 1 + 2 + 2 + 1 = 6 > 5} pages of 1G level. So {@code W} is A or D (both hold more than
 * {@code P} pages), with exactly one TDMR over the other small run, and the 1G levels over B and C at
 * their least, 2 pages each: one TDMR or two of at most 256 GiB. D's 524 288 pages need {@code v} of
 * 511 or 512 ({@code 1024·v} within {@code 2·893 + 5} pages below them), A's 489 216 pages {@code v =
 * 477}; no subset of TDMRs cut that way sums to those with four TDMRs (one of B and C split, the
 * other whole: sums of at most 258 or at least 635 besides 446 and 450), but five do, e.g. 256 GiB
 * each of B and C for D. So every layout with that PAMT has at least 5 TDMRs.
 */
public final class TdmrCountBound {
  /** The most steps of the dynamic program (state updates) before the bound gives up. */
  private static final long MOST_WORK = 40_000_000L;
  /** The most runs small enough to be left out wholly whose subsets are tried. */
  private static final int MOST_CANDIDATE_RUNS = 12;
  private static final int NONE = Integer.MAX_VALUE;

  private final Instance instance;
  private final ModuleFamilyBounds bounds;
  /** Whole pages per GiB of all whole levels ({@code L}) and of the largest one ({@code w}). */
  private final long wholePerGiB;
  private final long largestWholePerGiB;
  /** Bytes per GiB of the rounded levels. */
  private final List<Long> roundedPerGiB = new ArrayList<>();

  public TdmrCountBound(Instance instance) {
    this.instance = instance;
    this.bounds = new ModuleFamilyBounds(instance, false);
    long whole = 0;
    long largest = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole += p / 4096;
        largest = Math.max(largest, p / 4096);
      } else {
        roundedPerGiB.add(p);
      }
    }
    this.wholePerGiB = whole;
    this.largestWholePerGiB = largest;
  }

  /**
   * A lower bound on the TDMRs of every layout of the module family with exactly {@code pamtPages}
   * pages of PAMT that gives up no coverable TDX memory (the caller makes sure the question is
   * about such layouts: coverage {@code all}, or {@code max} with the coverage tier at the memory no
   * layout covers); empty when the class comment's argument does not apply.
   */
  public OptionalLong leastTdmrs(long pamtPages) {
    // With one granule left out, its stretches must be covered by the levels of TDMRs beside it.
    OptionalLong oneLeftOut = instance.moduleFamily() ? bounds.leastTdmrsLeavingOneGranule(pamtPages) : OptionalLong.empty();
    Optional<List<Program>> programs = programs(pamtPages);
    if (programs.isEmpty()) {
      return oneLeftOut;
    }
    long least = programs.get().stream().mapToLong(Program::least).min().orElse(NONE);
    if (least == NONE) {
      return oneLeftOut;
    }
    return OptionalLong.of(Math.max(least, oneLeftOut.orElse(0)));
  }

  /**
   * Candidate TDMRs for a start at {@code pamtPages} pages of PAMT: for up to {@code most} non-empty
   * sets of runs left out wholly whose program reaches {@link #leastTdmrs}, one choice of it made
   * concrete (without a run left out wholly the cut says nothing about where TDMRs end),
   * as GiB ranges {@code [start, end)}, those leaving the finer levels least to fill first (the most
   * GiB of largest whole level): each run's left-out granules at the end holding less memory,
   * then the TDMRs whose largest whole level fills the runs left out, then the others, each group cut
   * into TDMRs whose rounded levels have the least pages. Candidates whose levels cannot fill
   * together the stretches of memory no TDMR overlaps ({@link TdmrSetsWithoutRoom#mayFillLeftOut})
   * have no layout and are left out (on the 1 TiB README host, the run below 2 GiB left out
   * wholly). Candidates only: the class comment's conditions are necessary, not sufficient, so
   * whether PAMT can be placed is the engine's question.
   */
  public List<List<long[]>> startingTdmrs(long pamtPages, int most) {
    Optional<List<Program>> programs = programs(pamtPages);
    List<List<long[]>> out = new ArrayList<>();
    if (programs.isEmpty()) {
      return out;
    }
    long least = programs.get().stream().mapToLong(Program::least).min().orElse(NONE);
    List<Program> sorted = new ArrayList<>(programs.get());
    // Those whose largest whole levels fill the runs left out best first.
    sorted.sort(java.util.Comparator.comparingLong(Program::finerFill));
    for (Program p : sorted) {
      if (out.size() < most && least != NONE && p.least() == least && p.filling()) {
        List<long[]> tdmrs = p.tdmrs();
        if (TdmrSetsWithoutRoom.mayFillLeftOut(instance, tdmrs, pamtPages)) {
          out.add(tdmrs);
        }
      }
    }
    return out;
  }

  /** The programs of every set of runs that may be left out wholly; empty when the argument does not apply. */
  private Optional<List<Program>> programs(long pamtPages) {
    if (!instance.moduleFamily() || wholePerGiB == 0 || roundedPerGiB.isEmpty() || bounds.runs().isEmpty()
        || pamtPages <= 0) {
      return Optional.empty();
    }
    List<Run> runs = bounds.runs();
    long n = runs.stream().mapToLong(Run::giB).sum();
    long leftOut = n - pamtPages / wholePerGiB;
    if (leftOut < 0 || leftOut > n) {
      return Optional.empty();
    }
    long spare = pamtPages - wholePerGiB * (n - leftOut);
    List<Long> all = new ArrayList<>();
    runs.forEach(r -> all.addAll(granules(r)));
    all.sort(null);
    if (leftOut + 1 <= n && smallest(all, leftOut + 1) <= pamtPages) {
      // More granules might be left out, with room to spare: nothing pins the TDMRs down.
      return Optional.empty();
    }
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      if (runs.get(i).giB() <= leftOut && bounds.runMemoryPages(runs.get(i)) <= pamtPages) {
        candidates.add(i);
      }
    }
    if (candidates.size() > MOST_CANDIDATE_RUNS) {
      return Optional.empty();
    }
    List<Program> programs = new ArrayList<>();
    for (int mask = 0; mask < 1 << candidates.size(); mask++) {
      List<Run> whole = new ArrayList<>();
      List<Run> others = new ArrayList<>(runs);
      for (int k = 0; k < candidates.size(); k++) {
        if ((mask & 1 << k) != 0) {
          whole.add(runs.get(candidates.get(k)));
          others.remove(runs.get(candidates.get(k)));
        }
      }
      Optional<Program> p = program(whole, others, leftOut, spare, pamtPages, n);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      programs.add(p.get());
    }
    return Optional.of(programs);
  }

  /**
   * The dynamic program with exactly the runs {@code whole} left out wholly: its table after each
   * of {@code others} ({@code stages}, the first before any), the fewest TDMRs of the class
   * comment's choices ({@link #NONE} when no choice meets the conditions) and the final state that
   * has them; empty when the work would be too large.
   */
  private record Program(List<Run> others, List<int[][][]> stages, int least, int leftOut, int pages, int v,
      boolean filling, long room, long finerFill, TdmrCountBound bound) {
    /** One choice of the program that has {@link #least} TDMRs, made concrete ({@link #startingTdmrs}). */
    List<long[]> tdmrs() {
      List<long[]> out = new ArrayList<>();
      int j = leftOut;
      int r = pages;
      int u = v;
      for (int k = others.size() - 1; k >= 0; k--) {
        int[] step = bound.stepInto(stages.get(k), stages.get(k + 1)[j][r][u], others.get(k), j, r, u, filling, room);
        out.addAll(0, bound.concrete(others.get(k), step));
        j -= step[0];
        r -= step[4];
        u -= step[3];
      }
      return out;
    }
  }

  private Optional<Program> program(List<Run> whole, List<Run> others, long leftOut, long spare, long pamtPages,
      long n) {
    long wholeGiB = whole.stream().mapToLong(Run::giB).sum();
    long islandPages = whole.stream().mapToLong(bounds::runMemoryPages).sum();
    long rest = leftOut - wholeGiB;
    boolean filling = !whole.isEmpty();
    Program none = new Program(others, List.of(), NONE, 0, 0, 0, filling, 0, 0, this);
    if (rest < 0 || others.stream().mapToLong(r -> r.giB() - 1).sum() < rest) {
      return Optional.of(none);
    }
    List<Long> granules = new ArrayList<>();
    others.forEach(r -> granules.addAll(granules(r)));
    granules.sort(null);
    if (islandPages + smallest(granules, rest) > pamtPages) {
      return Optional.of(none);
    }
    // v: the GiB of the TDMRs whose largest whole level lies in the runs left out wholly.
    int most = filling ? (int) Math.min(islandPages / largestWholePerGiB, Integer.MAX_VALUE - 1) : 0;
    int j = (int) rest;
    int r = (int) spare;
    long work = 0;
    for (Run run : others) {
      work += (long) (j + 1) * (j + 1) * (r + 1) * (r + 1) * (r + 1) * (intervals(run.giB()) + 1) * (most + 1);
    }
    if (work > MOST_WORK) {
      return Optional.empty();
    }
    // fewest[granules left out][rounded pages][v]: the fewest TDMRs so far.
    int[][][] fewest = new int[j + 1][r + 1][most + 1];
    for (int[][] a : fewest) {
      for (int[] b : a) {
        Arrays.fill(b, NONE);
      }
    }
    fewest[0][0][0] = 0;
    List<int[][][]> stages = new ArrayList<int[][][]>();
    stages.add(fewest);
    long room = pamtPages - islandPages;
    for (Run run : others) {
      fewest = withRun(fewest, run, j, r, most, filling, room);
      stages.add(fewest);
    }
    long finer = (wholePerGiB - largestWholePerGiB) * (n - leftOut) + spare;
    int least = NONE;
    int bestPages = 0;
    int bestV = 0;
    for (int pages = 0; pages <= r; pages++) {
      for (int v = 0; v <= most; v++) {
        boolean fills = !filling || islandPages - largestWholePerGiB * v <= finer;
        // The least TDMRs, then the least left for the finer levels to fill.
        if (fills && fewest[j][pages][v] <= least && fewest[j][pages][v] != NONE) {
          least = fewest[j][pages][v];
          bestPages = pages;
          bestV = v;
        }
      }
    }
    return Optional.of(new Program(others, stages, least, j, bestPages, bestV, filling, room,
        filling ? islandPages - largestWholePerGiB * bestV : 0, this));
  }

  /**
   * The step of {@link #withRun} into state {@code (j, r, u)} with value {@code value} from {@code
   * before}: {@code {out, tdmrs, g, u, rounded}} of the run.
   */
  private int[] stepInto(int[][][] before, int value, Run run, int j, int r, int u, boolean filling, long room) {
    int most = before[0][0].length - 1;
    List<Long> own = granules(run);
    own.sort(null);
    for (int out = 0; out <= j && out < run.giB() && smallest(own, out) <= room; out++) {
      for (Choice c : choices(run.giB() - out, before[0].length - 1, most, filling)) {
        if (c.rounded() > r) {
          continue;
        }
        for (int x = c.from(); x <= Math.min(c.to(), u); x++) {
          int prev = before[j - out][r - c.rounded()][u - x];
          if (prev != NONE && prev + c.tdmrs() == value) {
            return new int[] {out, c.tdmrs(), c.group(), x, c.rounded()};
          }
        }
      }
    }
    throw new IllegalStateException("no step of the TDMR count program leads to its state");
  }

  /**
   * TDMRs over run {@code r} for one step {@code {out, t, g, u, rounded}}: {@code out} granules left
   * out at the end whose granules hold less memory, then {@code g} TDMRs of {@code u} GiB, then
   * {@code t - g} of the rest.
   */
  private List<long[]> concrete(Run r, int[] step) {
    long start = instance.cells().get(r.firstCell()).range().start() / ByteSize.GiB;
    long end = instance.cells().get(r.lastCell()).range().end() / ByteSize.GiB;
    List<Long> own = granules(r);
    int out = step[0];
    long low = 0;
    long high = 0;
    for (int i = 0; i < out; i++) {
      low += own.get(i);
      high += own.get(own.size() - 1 - i);
    }
    boolean atBottom = low < high;
    long from = atBottom ? start + out : start;
    List<Long> sizes = new ArrayList<>(cut(step[3], step[2]));
    sizes.addAll(cut(end - start - out - step[3], step[1] - step[2]));
    List<long[]> tdmrs = new ArrayList<>();
    for (long s : sizes) {
      tdmrs.add(new long[] {from, from + s});
      from += s;
    }
    return tdmrs;
  }

  /** {@code giB} cut into {@code k} TDMRs whose first rounded level has the fewest pages together. */
  private List<Long> cut(long giB, int k) {
    List<Long> out = new ArrayList<>();
    long unit = Math.max(1, 4096 / roundedPerGiB.get(0));
    long q = Math.floorDiv(giB + unit - 1, unit);
    long left = giB;
    for (int i = 0; i < k; i++) {
      int after = k - 1 - i;
      long s = k <= q ? (after == 0 ? left : unit) : Math.min(unit, left - after);
      out.add(s);
      left -= s;
    }
    return out;
  }

  /** One choice for one run: its TDMRs, their rounded pages, and the range of {@code u} it allows. */
  private record Choice(int tdmrs, int group, int rounded, int from, int to) {}

  /**
   * The program's table after one more run ({@code filling}: some runs are left out wholly), leaving
   * out of it only as many granules as {@code room} pages of PAMT can fill.
   */
  private int[][][] withRun(int[][][] fewest, Run run, int j, int r, int most, boolean filling, long room) {
    int[][][] next = new int[j + 1][r + 1][most + 1];
    for (int[][] a : next) {
      for (int[] b : a) {
        Arrays.fill(b, NONE);
      }
    }
    List<Long> own = granules(run);
    own.sort(null);
    for (int out = 0; out <= j && out < run.giB() && smallest(own, out) <= room; out++) {
      List<Choice> choices = choices(run.giB() - out, r, most, filling);
      for (int before = 0; before + out <= j; before++) {
        for (int pages = 0; pages <= r; pages++) {
          for (Choice c : choices) {
            if (pages + c.rounded() <= r) {
              slideMin(fewest[before][pages], next[before + out][pages + c.rounded()], c.from(), c.to(), c.tdmrs());
            }
          }
        }
      }
    }
    return next;
  }

  /**
   * The choices for {@code m} covered GiB of a run with at most {@code spare} rounded pages: {@code t}
   * TDMRs, {@code g} of them of {@code u} GiB in the filling group, {@code u} cut into ranges where the
   * rounded pages are the same (only {@code u = 0} when nothing is filled).
   */
  private List<Choice> choices(long m, int spare, int most, boolean filling) {
    List<Choice> out = new ArrayList<>();
    int perTdmr = roundedPerGiB.size();
    for (int t = 1; (long) t * perTdmr <= spare && t <= m; t++) {
      for (int g = 0; g <= (filling ? t : 0); g++) {
        long lo = g == 0 ? 0 : g == t ? m : g;
        long hi = g == 0 ? 0 : g == t ? m : m - (t - g);
        long u = lo;
        while (u <= hi && u <= most) {
          long end = Math.min(Math.min(hi, most), nextChange(u, m) - 1);
          long pages = rounded(g, u) + rounded(t - g, m - u);
          if (pages <= spare) {
            out.add(new Choice(t, g, (int) pages, (int) u, (int) end));
          }
          u = end + 1;
        }
      }
    }
    return out;
  }

  /** The least rounded pages of {@code k} TDMRs of {@code giB} GiB together (0 for none). */
  private long rounded(int k, long giB) {
    if (k == 0) {
      return 0;
    }
    long pages = 0;
    for (long p : roundedPerGiB) {
      pages += Math.max(k, Math.floorDiv(giB * p + 4095, 4096));
    }
    return pages;
  }

  /** The least {@code u' > u} at which {@code ceil(u'·p / 4096)} or {@code ceil((m - u')·p / 4096)} differs from at {@code u}. */
  private long nextChange(long u, long m) {
    long next = Long.MAX_VALUE;
    for (long p : roundedPerGiB) {
      // ceil(x·p / 4096) = k for x in (4096(k-1)/p, 4096k/p]: it rises at floor(4096k/p) + 1.
      long k = Math.floorDiv(u * p + 4095, 4096);
      next = Math.min(next, Math.floorDiv(4096 * k, p) + 1);
      // ceil((m - x)·p / 4096) falls once m - x <= 4096(k' - 1)/p, k' its value at u.
      long kk = Math.floorDiv((m - u) * p + 4095, 4096);
      if (kk > 0) {
        long below = m - Math.floorDiv(4096 * (kk - 1), p);
        next = Math.min(next, Math.max(u + 1, below));
      }
    }
    return Math.max(u + 1, next);
  }

  /** {@code to[x] = min(to[x], min over y in [x - hi, x - lo] of from[y] + add)}, by a sliding window. */
  private static void slideMin(int[] from, int[] to, int lo, int hi, int add) {
    int size = from.length;
    int[] window = new int[size];
    int head = 0;
    int tail = 0;
    int nextIn = 0;
    for (int x = lo; x < size; x++) {
      for (; nextIn <= x - lo; nextIn++) {
        if (from[nextIn] == NONE) {
          continue;
        }
        while (tail > head && from[window[tail - 1]] >= from[nextIn]) {
          tail--;
        }
        window[tail++] = nextIn;
      }
      while (tail > head && window[head] < x - hi) {
        head++;
      }
      if (tail > head) {
        to[x] = Math.min(to[x], from[window[head]] + add);
      }
    }
  }

  /** The number of ranges {@link #choices} cuts {@code u} into for a run of {@code giB} GiB, about. */
  private long intervals(long giB) {
    long count = 2;
    for (long p : roundedPerGiB) {
      count += 2 * Math.floorDiv(giB * p, 4096) + 2;
    }
    return count;
  }

  /** Pages of coverable memory in each granule of {@code r}. */
  private List<Long> granules(Run r) {
    List<Long> out = new ArrayList<>();
    for (int i = r.firstCell(); i <= r.lastCell(); i++) {
      Cell c = instance.cells().get(i);
      for (long g = 0; g < c.sizeGiB(); g++) {
        out.add(bounds.granulePages(c));
      }
    }
    return out;
  }

  /** The sum of the {@code k} smallest of {@code sorted}. */
  private static long smallest(List<Long> sorted, long k) {
    long sum = 0;
    for (int i = 0; i < k && i < sorted.size(); i++) {
      sum += sorted.get(i);
    }
    return sum;
  }
}
