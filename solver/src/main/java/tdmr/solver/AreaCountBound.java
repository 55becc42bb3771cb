package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the reserved areas of all TDMRs together, for the module family ({@link
 * Policy.Family#MODULE}) under coverage {@code all}, given the PAMT pages {@code P} of the layout
 * (the tier fixed before the areas tier): {@link #leastAreas}. Solver-neutral; an engine adds it to
 * its reserved-areas tier, so that a layout meeting it is proven least without a search.
 *
 * <h2>Runs and islands</h2>
 *
 * Walk the atoms of the window in address order. An atom is <em>usable</em> (convertible TDX
 * memory), <em>must-reserve</em> (a gap that {@link Instance#mustReserve}, or memory outside every
 * CMR) or <em>optional</em> (a convertible gap under holes {@code cmr}). A <em>run</em> is a
 * maximal sequence of atoms none of them usable that holds a must-reserve atom; {@code [s, e)}
 * spans its first to its last must-reserve atom. An <em>island</em> is the stretch between two
 * consecutive runs, and its capacity is the pages of its usable memory (at least one usable atom
 * lies between two runs, else they would be one). A run's <em>escape set</em> {@code E(R)} is the
 * granule holding {@code s} when {@code s} is not on a 1 GiB boundary and the granule holding
 * {@code e - 1} when {@code e} is not: granules with an atom edge inside, each holding {@code M_g}
 * pages of usable memory. {@code N} counts the runs with a non-empty escape set.
 *
 * <h2>Why every layout with {@code P} pages of PAMT has at least {@code N - U} areas</h2>
 *
 * Under coverage {@code all} every page of usable memory lies in a TDMR outside its reserved areas
 * or is PAMT (a TDMR's reserved area holds no memory but PAMT; memory outside every TDMR must be
 * filled with PAMT). Take a counted run {@code R}. Either some TDMR contains one of its must-reserve
 * atoms, which then lies in a reserved area of that TDMR; or none does, and then no TDMR holds the
 * byte {@code s} nor {@code e - 1} (each lies in a must-reserve atom), so the granules of {@code
 * E(R)} are covered by no TDMR (a TDMR covers whole granules) and their usable memory is all PAMT:
 * {@code R} <em>escapes</em> through the set {@code L} of granules left out of every TDMR. Map each
 * run that does not escape to the area holding the first of its must-reserve atoms that a TDMR
 * contains. Two runs mapped to one area lie in one TDMR with all between them reserved, so every
 * island between them is all PAMT inside that TDMR (<em>filled</em>). So the areas number at least
 * {@code N - esc(L) - |F|}, with {@code F} the filled islands. Filled islands lie inside TDMRs and
 * left-out granules outside all of them, and PAMT ranges are disjoint, so {@code sum_{g in L} M_g +
 * sum_{I in F} cap(I) <= P}. A run escapes only when its escape set lies in {@code L}, so {@code
 * esc(L) <= sum_{g in L} v(g)} with {@code v(g)} the counted runs whose escape set holds {@code g}.
 * {@code U} is the best 0/1 knapsack with items the granules (weight {@code M_g}, value {@code
 * v(g)}) and the islands (weight their capacity, value 1) within {@code P} (solved exactly, by the
 * least weight of each total value): at least {@code esc(L) + |F|} of every layout.
 *
 * <h2>Each filled island needs a PAMT level of its own</h2>
 *
 * A PAMT level is one range of TDX memory (rule O2; no gap, no memory outside the CMRs), so it lies
 * within one island; a filled island holds TDX memory, all of it PAMT, so at least one level lies
 * inside it, and that level lies inside no other filled island. A level is at least as large as
 * that level of a 1 GiB TDMR ({@link Instance#levelPages}{@code (1, level)}: 1 page for the 1G
 * level, 2 for the 2M level, 1024 for the 4K level with 16-byte entries), so an island of fewer
 * pages than that cannot hold it. A layout of {@code T} TDMRs has {@code T} levels of each size.
 * So the filled islands map one to one to levels that fit in them: for every size {@code m} of a
 * level, at most {@code T} times the number of level kinds smaller than or equal to the next size
 * above {@code m} are filled among the islands below that next size (Hall's condition on these
 * nested sets). {@code U} is therefore also at most the best over {@code f} of {@code f} islands
 * meeting those counts, with the least capacity (the counts form a laminar matroid, so picking
 * the smallest island that keeps them, in order, gives the lightest {@code f} for every {@code f}),
 * plus the 0/1 knapsack of the granules within the pages those {@code f} leave.
 *
 * <h2>The kernel family</h2>
 *
 * {@link #ofKernelChunks} makes the count about the kernel family, whose layouts are module-family
 * layouts with one piece per TDMR, its chunk, of exactly its size ({@link KernelChunks}): a filled
 * island holds a chunk of its own and its pages are a sum of chunk sizes, so only such islands
 * count, at most one per TDMR; a granule touching an island too small for any chunk is never left
 * out; and a granule left out whose island reaches into the next granule, which no layout leaves
 * out, costs the TDMR over that one an area holding no hole unless chunks fill the granule's part
 * of the island or all of it exactly ({@link KernelChunks#edgeAreaAbove}), so its value in the
 * knapsack is one less. It adds {@link #leastAreasInOneTdmr}, for the area limit of one TDMR; the
 * TDMR sets below are not searched.
 *
 * <h2>With the TDMRs known</h2>
 *
 * Once the PAMT and TDMR tiers are fixed, the TDMRs themselves are often all but fixed too: {@link
 * TdmrSetsAtPamt} lists every set of TDMRs a layout with {@code P} pages and at most {@code T}
 * TDMRs can have (when they are few), and {@link AreasWithKnownTdmrs} bounds the areas of each set
 * with what the count above leaves out: a granule left out of every TDMR is filled by levels of
 * known sizes, and when no sum of them fills its memory, a level reaches into the neighbouring
 * TDMR, whose edge then needs an area of its own; and {@link FixedTdmrsAreaBound} bounds each set's
 * areas by the islands its levels can fill together (each level in one island at most), which the
 * count above lets every island share. {@link #leastAreas} is the larger of the count and the least
 * over the sets of the larger of those two. On node 0 of a generated two-socket host of 128 GiB per
 * node (granule 1 with 17 runs of holes, 3 TDMRs a page above the covering bound, no padding) the
 * sets say 17, the least CP-SAT proves after 45 s, where the count says 10. On canonical/tdx#391
 * and the 1 TiB host of the README (2 TDMRs at the least PAMT) the count says 5 and 2, the sets 6:
 * the areas of the layouts found ({@code AreaCountBoundTest} derives both by hand). Where PAMT leaves no room to spare
 * ({@link TdmrCountBound}'s regime: exactly {@code l*} granules left out, TDMRs over memory granules
 * of one run each, the rounded levels' least pages and all padding summing to {@code ρ}), the sets
 * are those {@link TdmrSetsWithoutRoom} visits, one at a time and far fewer branches than {@link
 * TdmrSetsAtPamt} would search (which is asked only when that visit does not apply or gives up).
 * On canonical/tdx#331 at its least PAMT and 5 TDMRs it cuts 74 464 sets and visits the 288 whose
 * levels can fill the run left out wholly; the least is 3, the areas of the layouts found, where
 * the count alone says 0 ({@code AreaCountBoundTest} derives 3 by hand).
 *
 * <p>A set whose TDMRs cannot each keep within the area limit at {@code P} (a TDMR holding more runs
 * of holes than the limit must fill islands between them with PAMT, and {@link
 * FilledIslandsPamtBound#mayMeetLimit} finds no islands and levels that do) has no layout, so the
 * least is taken over the other sets only: every layout's set, or by the window's argument of
 * {@link TdmrSetsAtPamt} a set of a layout with the same PAMT and TDMRs and no more areas (so within
 * the limit too), is among them. On the sweeps' memmap hosts of 48 holes (seed 1, node 0: 29 runs in
 * the run of 254 GiB, at 261 633 pages and 3 TDMRs) the sets leaving out the granule at the run's
 * top (188 416 pages, the 4K level of 184 GiB exactly) need a TDMR of 184 GiB holding 20 or 23 runs,
 * whose islands between holes are GiBs, far more than the PAMT: ruled out, the least is 32 (was 31),
 * the areas of the layout {@link FilledStart} builds.
 *
 * <p>On canonical/tdx#381 (4 TDMRs at the least PAMT, 757 MiB) the runs around the low CMR and
 * the hole at the top of the CMR above 4 GiB cannot escape (each granule holds more than 757 MiB
 * of memory) nor merge (the island between the first two holds 1 911 MiB), so every layout has at
 * least 3 areas, which the layout found has.
 */
public final class AreaCountBound {
  private final boolean applies;
  /** Per counted run: the cells of its escape set (one or two). */
  private final List<List<Integer>> escapeSets = new ArrayList<>();
  /** Usable pages per cell index of an escape set. */
  private final TreeMap<Integer, Long> granulePages = new TreeMap<>();
  /** Capacities of the islands between consecutive runs. */
  private final List<Long> islands = new ArrayList<>();
  /**
   * Per run, counted or not, in address order: the cell of its first must-reserve atom (the run
   * below {@code islands.get(i)} is run {@code i}, the one above it run {@code i + 1}).
   */
  private final List<Integer> runCells = new ArrayList<>();
  private final Instance instance;
  /**
   * The kernel family's chunks when this bound is about it ({@link #ofKernelChunks}), else null:
   * each TDMR's PAMT is one piece, a chunk of exactly its size.
   */
  private final KernelChunks chunks;
  private FilledIslandsPamtBound filledIslands;

  public AreaCountBound(Instance instance) {
    this(instance, null);
  }

  /**
   * The bound for the kernel family ({@link Policy.Family#KERNEL}), from {@code instance}, the
   * module family's instance of the same map under PAMT {@code any} (whose layouts include every
   * kernel-family layout, and for which the count's argument is made): the count of the class
   * comment with the kernel's one piece per TDMR, its chunk, of exactly {@link
   * Instance#chunkPages} pages ({@link KernelChunks}); the TDMR sets are not searched.
   */
  static AreaCountBound ofKernelChunks(Instance instance) {
    return new AreaCountBound(instance, new KernelChunks(instance, true));
  }

  /**
   * {@link #ofKernelChunks}, with the PAMT given to {@link #leastAreas(long, long)} and {@link
   * #leastAreasInOneTdmr} an upper bound on a layout's rather than its exact PAMT: a bound for every
   * layout with at most that PAMT, which only falls as it grows ({@link KernelChunks}).
   */
  static AreaCountBound ofKernelChunksUpTo(Instance instance) {
    return new AreaCountBound(instance, new KernelChunks(instance, false));
  }

  private AreaCountBound(Instance instance, KernelChunks chunks) {
    this.instance = instance;
    this.chunks = chunks;
    boolean contiguous = true;
    List<Atom> atoms = instance.atoms();
    for (int i = 0; i + 1 < atoms.size(); i++) {
      contiguous &= atoms.get(i).range().end() == atoms.get(i + 1).range().start();
    }
    this.applies = instance.moduleFamily() && instance.policy().coverage() == Policy.Coverage.ALL
        && instance.impossibilities().isEmpty() && contiguous;
    if (!applies) {
      return;
    }
    long island = 0;
    boolean seenRun = false;
    int i = 0;
    while (i < atoms.size()) {
      Atom a = atoms.get(i);
      if (a.usable()) {
        island += a.pages();
        i++;
        continue;
      }
      // A maximal sequence of atoms that are not usable: a run when it holds a must-reserve atom.
      int first = -1;
      int last = -1;
      int j = i;
      while (j < atoms.size() && !atoms.get(j).usable()) {
        if (instance.needsReservedArea(atoms.get(j))) {
          if (first < 0) {
            first = j;
          }
          last = j;
        }
        j++;
      }
      if (first >= 0) {
        if (seenRun) {
          islands.add(island);
        }
        runCells.add(atoms.get(first).cell());
        seenRun = true;
        island = 0;
        run(instance, atoms.get(first).range().start(), atoms.get(last).range().end(), atoms.get(first).cell(),
            atoms.get(last).cell());
      }
      i = j;
    }
  }

  private void run(Instance instance, long s, long e, int firstCell, int lastCell) {
    List<Integer> escape = new ArrayList<>();
    if (s % ByteSize.GiB != 0) {
      escape.add(firstCell);
    }
    if (e % ByteSize.GiB != 0 && !escape.contains(lastCell)) {
      escape.add(lastCell);
    }
    if (escape.isEmpty()) {
      return;
    }
    for (int c : escape) {
      granulePages.computeIfAbsent(c, k -> instance.usablePages(instance.cells().get(k)));
    }
    escapeSets.add(List.copyOf(escape));
  }

  /**
   * A lower bound on the reserved areas, summed over all TDMRs, of every layout of the module
   * family that has {@code pamtPages} pages of PAMT (0 when nothing is known).
   */
  public long leastAreas(long pamtPages) {
    return leastAreas(pamtPages, instance.limits().maxTdmrs());
  }

  /**
   * A lower bound on the reserved areas, summed over all TDMRs, of every layout of the module
   * family that has {@code pamtPages} pages of PAMT and at most {@code tdmrs} TDMRs (0 when nothing
   * is known): {@link #leastAreas(long)} with the filled islands limited by the levels of {@code
   * tdmrs} TDMRs, or the bound with the TDMRs known (class comment) when that is larger.
   */
  public long leastAreas(long pamtPages, long tdmrs) {
    return leastAreas(pamtPages, tdmrs, Long.MAX_VALUE);
  }

  /**
   * {@link #leastAreas(long, long)}, without the search of the TDMR sets when the count alone
   * reaches {@code enough}: the areas of a layout found with that PAMT and TDMRs, which no lower
   * bound exceeds, so the count is then the least.
   */
  public long leastAreas(long pamtPages, long tdmrs, long enough) {
    if (!applies) {
      return 0;
    }
    long least = 0;
    if (!escapeSets.isEmpty()) {
      long most = Math.min(mostEscapedOrFilled(pamtPages, tdmrs),
          chunks == null ? mostWithLevels(pamtPages, tdmrs) : mostWithChunks(pamtPages, tdmrs));
      least = Math.max(0, escapeSets.size() - most);
    }
    if (chunks != null) {
      return least;
    }
    return least >= enough ? least : Math.max(least, withKnownTdmrs(pamtPages, tdmrs, least));
  }

  /**
   * The least over the sets of TDMRs {@link TdmrSetsWithoutRoom} visits (when PAMT leaves no room
   * to spare), or else {@link TdmrSetsAtPamt} finds, of {@link AreasWithKnownTdmrs}' bound (sets no
   * layout has left out); 0 when the sets are not known, none has a layout, or the deadline strikes
   * before every set is bounded (the caller keeps the count). The visit stops once
   * a set's bound is at most {@code floor} (a bound already proven, which the least cannot then
   * exceed).
   */
  private long withKnownTdmrs(long pamtPages, long tdmrs, long floor) {
    AreasWithKnownTdmrs areas = new AreasWithKnownTdmrs(instance);
    long[] least = {Long.MAX_VALUE};
    boolean all = TdmrSetsWithoutRoom.visit(instance, pamtPages, tdmrs, set -> {
      least[0] = Math.min(least[0], ofSet(areas, set, pamtPages, least[0]));
      // Past the deadline the visit stops: on memmap hosts of 4 TDMRs the sets take minutes, and the
      // 39 774 sets of seed 7's fragmented-17 (node 0) seconds with AreasWithKnownTdmrs alone per set.
      return least[0] > floor && !instance.deadline().expired();
    });
    if (!all) {
      if (least[0] <= floor || instance.deadline().expired()) {
        // The sets not all visited: the count alone.
        return floor;
      }
      least[0] = Long.MAX_VALUE;
      var sets = TdmrSetsAtPamt.of(instance, pamtPages, tdmrs);
      if (sets.isEmpty()) {
        return 0;
      }
      for (TdmrSetsAtPamt.TdmrSet set : sets.get()) {
        if (instance.deadline().expired()) {
          return 0;
        }
        least[0] = Math.min(least[0], ofSet(areas, set, pamtPages, least[0]));
      }
    }
    return least[0] == Long.MAX_VALUE ? 0 : least[0];
  }

  /**
   * A lower bound on the reserved areas of every layout of the module family with exactly the TDMRs
   * of {@code set} and {@code pamtPages} pages of PAMT: the bound of one set of the class comment's
   * second part; {@link Long#MAX_VALUE} when no layout has the set.
   */
  long leastAreasOf(TdmrSetsAtPamt.TdmrSet set, long pamtPages) {
    return ofSet(new AreasWithKnownTdmrs(instance), set, pamtPages, Long.MAX_VALUE);
  }

  /**
   * The bound of one TDMR set: the larger of {@link AreasWithKnownTdmrs}' and {@link
   * #filledIslands}; {@link Long#MAX_VALUE} when no layout has the set, which includes a set whose
   * TDMRs cannot each keep within the area limit ({@link FilledIslandsPamtBound#mayMeetLimit}, with
   * a step budget of its own and levels on any node, which only keeps more sets). The second bound
   * and that test are not computed when the first is at least {@code atLeast} (the least over the
   * sets so far, which it cannot then lower).
   */
  private long ofSet(AreasWithKnownTdmrs areas, TdmrSetsAtPamt.TdmrSet set, long pamtPages, long atLeast) {
    if (instance.deadline().expired()) {
      // Past the deadline the first bound alone (the other two only raise it): the search over the
      // islands, a step budget per set, took the whole solve on fragmented-17 (seed 7).
      return areas.leastAreas(set, pamtPages).orElse(Long.MAX_VALUE);
    }
    // The test first: it is asked once per signature, and rules out most sets where it matters (on
    // seed 7's fragmented-17, node 0, all but 87 of the 39 774 sets at 65 669 pages and 5 TDMRs).
    if (!filledIslandsBound().mayMeetLimit(set)) {
      return Long.MAX_VALUE;
    }
    OptionalLong bound = areas.leastAreas(set, pamtPages);
    if (bound.isEmpty()) {
      return Long.MAX_VALUE;
    }
    if (bound.getAsLong() >= atLeast) {
      return bound.getAsLong();
    }
    return Math.max(bound.getAsLong(), filledIslands(set, pamtPages));
  }

  /** One {@link FilledIslandsPamtBound#forEachSet} for all sets, so that sets of equal signature are searched once. */
  private FilledIslandsPamtBound filledIslandsBound() {
    if (filledIslands == null) {
      filledIslands = FilledIslandsPamtBound.forEachSet(instance);
    }
    return filledIslands;
  }

  /**
   * {@link FixedTdmrsAreaBound}'s bound for the TDMRs of {@code set}: the runs of holes of its TDMRs
   * less the most islands their levels can fill together (disjoint sets of levels, within the
   * padding), for layouts with remote PAMT or without.
   */
  private long filledIslands(TdmrSetsAtPamt.TdmrSet set, long pamtPages) {
    List<tdmr.mem.AddressRange> ranges = new ArrayList<>();
    for (long[] t : set.tdmrs()) {
      ranges.add(new tdmr.mem.AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB));
    }
    return new FixedTdmrsAreaBound(instance, ranges, false).leastAreas(pamtPages);
  }

  /**
   * The best over {@code f} of {@code f} filled islands that the levels of {@code tdmrs} TDMRs can
   * fill one each (the lightest such, class comment) plus the granules' 0/1 knapsack within the
   * pages left.
   */
  private long mostWithLevels(long pamtPages, long tdmrs) {
    // The least pages of each level, smallest first: an island below the j-th of them holds only the j smaller kinds.
    List<Long> least = new ArrayList<>();
    for (PageSize level : instance.pieceLevels()) {
      least.add(instance.levelPages(1, level));
    }
    least.sort(null);
    List<Long> sorted = new ArrayList<>(islands);
    sorted.sort(null);
    long[] chosenBelow = new long[least.size() + 1];
    long used = 0;
    long filled = 0;
    long[] granules = leastWeights(false, pamtPages, tdmrs);
    long best = most(granules, pamtPages);
    for (long cap : sorted) {
      // The kinds of level that fit: those whose least pages are at most cap.
      int fit = 0;
      while (fit < least.size() && least.get(fit) <= cap) {
        fit++;
      }
      if (fit == 0) {
        continue;
      }
      boolean room = true;
      for (int j = fit; j <= least.size(); j++) {
        // Islands holding only the j smallest kinds: at most tdmrs levels of each of those kinds.
        room &= chosenBelow[j] + 1 <= tdmrs * j;
      }
      if (!room) {
        continue;
      }
      if (used + cap > pamtPages) {
        break;
      }
      for (int j = fit; j <= least.size(); j++) {
        chosenBelow[j]++;
      }
      used += cap;
      filled++;
      best = Math.max(best, filled + most(granules, pamtPages - used));
    }
    return best;
  }

  /**
   * Kernel family ({@link #ofKernelChunks}): {@link #mostWithLevels} with one piece per TDMR, its
   * chunk. A filled island is all PAMT, so a union of whole chunks ({@link KernelChunks}): it holds
   * at least one chunk of its own and its pages are a sum of chunk sizes ({@link
   * KernelChunks#mayFill}); so at most {@code tdmrs} islands are filled, each of them one that may
   * be filled, and the lightest {@code f} of those are the {@code f} smallest.
   */
  private long mostWithChunks(long pamtPages, long tdmrs) {
    long[] granules = leastWeights(false, pamtPages, tdmrs);
    long best = most(granules, pamtPages);
    long used = 0;
    long filled = 0;
    for (long cap : fillableIslands(islands, pamtPages, tdmrs)) {
      if (filled == tdmrs || used + cap > pamtPages) {
        break;
      }
      used += cap;
      filled++;
      best = Math.max(best, filled + most(granules, pamtPages - used));
    }
    return best;
  }

  /**
   * Of {@code capacities}, those the chunks of a layout with {@code pamtPages} pages of PAMT and at
   * most {@code tdmrs} TDMRs may fill ({@link KernelChunks#mayFill}), smallest first.
   */
  private List<Long> fillableIslands(List<Long> capacities, long pamtPages, long tdmrs) {
    return capacities.stream().filter(cap -> chunks.mayFill(cap, pamtPages, tdmrs)).sorted().toList();
  }

  /**
   * Kernel family ({@link #ofKernelChunks}): a lower bound on the reserved areas of one TDMR of
   * every layout with {@code pamtPages} pages of PAMT and at most {@code tdmrs} TDMRs: 0 when
   * nothing is known. Take a granule {@code g} no such layout leaves out of every TDMR: its usable
   * memory exceeds {@code pamtPages} (left out, all of it would be PAMT), or it touches an island too
   * small for any chunk or holds wholly one no chunks sum to ({@link KernelChunks#mustBeCovered}). The TDMR {@code X} holding {@code g}
   * holds the first must-reserve atom of each run that starts in {@code g}, so each such run has
   * an area of {@code X}; two of them share an area only when every island between them is all PAMT
   * (filled), as in the class comment. So {@code X} has at least those runs less the islands between
   * them filled, at most {@code tdmrs} of them (each holds a chunk of its own), each one chunks may
   * fill, within {@code pamtPages} in all. The largest such bound over the granules.
   */
  long leastAreasInOneTdmr(long pamtPages, long tdmrs) {
    if (!applies || chunks == null) {
      return 0;
    }
    long best = 0;
    int i = 0;
    while (i < runCells.size()) {
      int cell = runCells.get(i);
      int j = i;
      while (j + 1 < runCells.size() && runCells.get(j + 1) == cell) {
        j++;
      }
      Instance.Cell g = instance.cells().get(cell);
      if (g.kind() == Instance.Kind.MIXED
          && (instance.usablePages(g) > pamtPages || chunks.mustBeCovered(g.range()))) {
        long filled = 0;
        long used = 0;
        for (long cap : fillableIslands(islands.subList(i, j), pamtPages, tdmrs)) {
          if (filled == tdmrs || used + cap > pamtPages) {
            break;
          }
          used += cap;
          filled++;
        }
        best = Math.max(best, j - i + 1 - filled);
      }
      i = j + 1;
    }
    return best;
  }

  /**
   * The most value of the granules' 0/1 knapsack (weight their memory, value their counted runs)
   * and, with {@code islands}, of the islands too (weight their capacity, value 1), by total value:
   * the least weight that reaches each value up to the number of counted runs (values above it
   * count as it).
   */
  private long[] leastWeights(boolean withIslands, long pamtPages, long tdmrs) {
    int n = escapeSets.size();
    long[] least = new long[n + 1];
    java.util.Arrays.fill(least, Long.MAX_VALUE);
    least[0] = 0;
    List<long[]> items = new ArrayList<>();
    for (var e : granulePages.entrySet()) {
      if (chunks != null && chunks.mustBeCovered(instance.cells().get(e.getKey()).range())) {
        // Kernel family: a granule touching an island no chunk fits in, or holding one no chunks
        // sum to, is never left out.
        continue;
      }
      long value = escapeSets.stream().filter(set -> set.contains(e.getKey())).count();
      if (chunks != null) {
        value -= chunks.edgeAreaAbove(instance.cells().get(e.getKey()).range(), pamtPages, tdmrs) ? 1 : 0;
      }
      items.add(new long[] {e.getValue(), value});
    }
    if (withIslands) {
      List<Long> fillable = chunks == null ? islands : fillableIslands(islands, pamtPages, tdmrs);
      fillable.forEach(cap -> items.add(new long[] {cap, 1}));
    }
    for (long[] it : items) {
      if (it[1] <= 0) {
        continue;
      }
      for (int v = n; v >= 0; v--) {
        int to = (int) Math.min(n, v + it[1]);
        if (to > v && least[v] != Long.MAX_VALUE) {
          least[to] = Math.min(least[to], least[v] + it[0]);
        }
      }
    }
    return least;
  }

  /** The most value whose least weight in {@code least} is at most {@code room}. */
  private static long most(long[] least, long room) {
    long most = 0;
    for (int v = 0; v < least.length; v++) {
      if (least[v] <= room) {
        most = v;
      }
    }
    return most;
  }

  /** {@code U} of the class comment: the best 0/1 knapsack of granules and islands within {@code pamtPages}. */
  private long mostEscapedOrFilled(long pamtPages, long tdmrs) {
    return most(leastWeights(true, pamtPages, tdmrs), pamtPages);
  }

  @Override
  public String toString() {
    return "AreaCountBound(escape sets %s, granule pages %s, islands %s)".formatted(escapeSets, granulePages, islands);
  }
}
