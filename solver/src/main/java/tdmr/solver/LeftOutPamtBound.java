package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.TdxLimits;

/**
 * A lower bound on the PAMT of one group of nodes' memory ({@link NodeSplit}) by the number of TDMRs
 * holding it, for layouts without remote PAMT that leave none of the group's memory uncovered: the
 * price of fewer TDMRs than the group's optimum, known without a solve.
 *
 * <p>Take such a layout and its TDMRs holding the group's memory, {@code S}. (1) A TDMR's levels
 * each lie on some nodes, and a level is local to a granule only if each of its nodes has memory
 * there ({@link tdmr.check.RemotePamt}; a level on no node is remote to all): so the memory
 * granules of a TDMR of {@code S} have a node in common, its <em>common nodes</em>. (2) A memory
 * granule in no TDMR (<em>left out</em>) has all its memory in PAMT, as no memory is uncovered;
 * the PAMT lying in the left-out granules is at least their memory. (3) A level of a TDMR {@code T}
 * of {@code S} that overlaps a left-out granule's memory lies on that granule's node, which is then
 * a common node of {@code T}; so if no left-out granule has memory on a common node of {@code T},
 * none of {@code T}'s levels lies in left-out memory, and each is at least its minimum for {@code
 * T}'s size (at least the span from its first to its last memory granule). Adding up over disjoint
 * ranges: the layout's PAMT is at least
 *
 * <pre>  memory of the left-out granules + levels' minima of the TDMRs of S none of whose levels can lie there</pre>
 *
 * and {@code S} is a set of runs of consecutive memory granules, each with a common node (a TDMR
 * holds every memory granule between two it holds), with the left-out granules between them. The
 * bound for {@code k} TDMRs is the least of that sum over every such {@code S} with at most {@code
 * k} runs, found by enumerating the runs (three choices per memory granule: left out, first of a
 * run, next in a run), so only for groups of at most {@link #MOST_GRANULES} memory granules ({@link
 * #holding} has a coarser bound for larger groups, {@link #coarse}). It
 * holds whoever's levels fill the left-out granules (the group's own or those of a TDMR without
 * memory), and the TDMRs counted are those holding the group's memory, so a layout within a limit
 * of {@code k} TDMRs has at most {@code k} of them ({@link #of}). Memory no layout covers (outside
 * the CMRs or above the HKID limit) would break (2): such a group has no bound.
 *
 * <p><b>Every TDMR counted</b> ({@link #strict}, which the engines' tiers take for a whole map): two
 * more facts say how many TDMRs in all such a layout has. (4) A left-out granule's memory of node
 * {@code n} is PAMT of some level lying on {@code n}; by (1) {@code n} is a common node of that
 * level's TDMR, or the TDMR holds no memory. So when some left-out granule has memory of a node that
 * is a common node of no run of {@code S}, the layout has a TDMR without memory besides {@code S}.
 * (5) A level is one range of TDX memory, so it lies within one stretch of contiguous memory
 * (blocks that touch are one stretch); every stretch holding memory of a left-out granule holds a
 * level, and each TDMR has three: the layout has at least a third of those stretches' count of
 * TDMRs. The set of runs counts at the larger of {@code |S|} (plus one by (4)) and that third; a
 * count past the table's end counts at its end, which only lowers the bound. When no set of runs
 * counts at {@code k} or below, no layout within {@code k} TDMRs is without remote PAMT (or covers
 * all memory).
 */
public final class LeftOutPamtBound {
  /** The most memory granules of a group the enumeration takes (3^12 = 531 441 sets of runs). */
  static final int MOST_GRANULES = 12;

  private final long[] pages;
  private final long[] granuleStart;
  private final List<Set<Integer>> nodes;
  /** Per granule, the stretches of contiguous memory it holds memory of. */
  private final List<Set<Integer>> stretches;
  private final TdxLimits limits;
  /** Whether the table counts every TDMR ({@link #strict}) rather than those holding memory ({@link #of}). */
  private final boolean everyTdmr;
  private final long[] least;
  /** As {@link #least}, over the sets of runs that leave some memory granule out ({@link #unpaddedAt}). */
  private final long[] leastLeavingOut;
  /** As {@link #least}, over the sets of runs that leave no memory granule out ({@link #holding}). */
  private final long[] leastCovering;

  private LeftOutPamtBound(List<Long> starts, List<Long> memory, List<Set<Integer>> nodes,
      List<Set<Integer>> stretches, TdxLimits limits, boolean everyTdmr) {
    this.granuleStart = starts.stream().mapToLong(Long::longValue).toArray();
    this.pages = memory.stream().mapToLong(Long::longValue).toArray();
    this.nodes = nodes;
    this.stretches = stretches;
    this.limits = limits;
    this.everyTdmr = everyTdmr;
    this.least = new long[pages.length + (everyTdmr ? 2 : 1)];
    Arrays.fill(least, Long.MAX_VALUE);
    this.leastLeavingOut = least.clone();
    this.leastCovering = least.clone();
    enumerate(0, new int[pages.length], 0);
    for (int k = 1; k < least.length; k++) {
      least[k] = Math.min(least[k], least[k - 1]);
      leastLeavingOut[k] = Math.min(leastLeavingOut[k], leastLeavingOut[k - 1]);
      leastCovering[k] = Math.min(leastCovering[k], leastCovering[k - 1]);
    }
  }

  /**
   * Per {@code k ≥ 0}, the least PAMT pages of a layout without remote PAMT covering all of {@code
   * group}'s memory whose TDMRs holding that memory are at most {@code k} (index {@code k}, the
   * last entry standing for every larger {@code k}); empty when the group has more than {@link
   * #MOST_GRANULES} memory granules or memory no layout covers.
   */
  static Optional<long[]> of(MemoryMap group, TdxLimits limits) {
    return table(group, limits, false);
  }

  /**
   * Per {@code k ≥ 0}, the least PAMT pages of a layout without remote PAMT covering all of {@code
   * map}'s memory that has at most {@code k} TDMRs in all, those without memory included (index
   * {@code k}, the last entry standing for every larger {@code k}; {@link Long#MAX_VALUE}: no such
   * layout); empty as for {@link #of}. A set of runs counts one TDMR more when a left-out granule
   * has memory of a node that is no common node of any run, and at least a third of the stretches
   * of contiguous memory the left-out granules hold (class comment, (4) and (5)). Past {@link
   * #MOST_GRANULES} memory granules {@link LeftOutRunsTable} finds the table up to one past the
   * TDMR limit, without (5); empty where it does not.
   */
  static Optional<long[]> strict(MemoryMap map, TdxLimits limits) {
    return table(map, limits, true);
  }

  /**
   * A group's bounds by the number {@code k} of TDMRs holding its memory (index {@code k}, the last
   * entry standing for every larger {@code k}; {@link Long#MAX_VALUE}: no such layout), for layouts
   * without remote PAMT that leave none of its memory uncovered: {@code covering} over those in
   * which every memory granule of the group lies in a TDMR, {@code leavingOut} over those that
   * leave one out of every TDMR. Either is a bound of {@link #of} restricted to its kind of sets
   * of runs, so {@code of} is their smaller.
   */
  record Holding(long[] covering, long[] leavingOut) {
    long covering(int k) {
      return covering[Math.min(k, covering.length - 1)];
    }

    long leavingOut(int k) {
      return leavingOut[Math.min(k, leavingOut.length - 1)];
    }
  }

  /**
   * {@link Holding} of {@code group}: by the enumeration of the class comment when it has at most
   * {@link #MOST_GRANULES} memory granules, else coarser ({@link #coarse}); empty when it has
   * memory no layout covers.
   */
  static Optional<Holding> holding(MemoryMap group, TdxLimits limits) {
    Optional<Granules> granules = Granules.of(group, limits);
    if (granules.isEmpty()) {
      return Optional.empty();
    }
    Granules g = granules.get();
    if (g.pages().size() > MOST_GRANULES) {
      return Optional.of(coarse(g, limits));
    }
    LeftOutPamtBound b = new LeftOutPamtBound(g.starts(), g.pages(), g.nodes(), g.stretches(), limits, false);
    return Optional.of(new Holding(b.leastCovering.clone(), b.leastLeavingOut.clone()));
  }

  /**
   * {@link Holding} of a group of any size, without enumerating its sets of runs. Let the group
   * have {@code n} memory granules in {@code m} <em>clusters</em> (maximal sequences of adjacent
   * memory granules), and {@code gap_1 ≤ gap_2 ≤ ...} the GiB without memory between consecutive
   * clusters.
   *
   * <ul>
   *   <li><b>Covering, within {@code k ≥ 1} TDMRs holding its memory:</b> at least the levels'
   *       minima of a TDMR of {@code n + gap_1 + ... + gap_{m-k}} GiB. The TDMRs holding the
   *       group's memory span disjoint ranges, each from its first to its last memory granule at
   *       least, which together hold all {@code n} memory granules; of the {@code m - 1} gaps
   *       between clusters at most {@code k - 1} lie between two of these TDMRs, the others inside
   *       one, so the spans add up to at least {@code n} GiB plus the {@code m - k} smallest gaps.
   *       A TDMR's levels have at least the minima of its size, and the minima of sizes in whole
   *       GiB are subadditive ({@link PamtSizing#moduleMinimum} is linear in the GiB, the Dynamic
   *       PAMT bitmap rounded up, and {@code ceil} to pages is subadditive): the TDMRs' levels
   *       together have at least the minima of the spans' sum. Within 0 TDMRs no layout covers.
   *   <li><b>Leaving a granule out, within {@code k} TDMRs:</b> its memory is all PAMT (class
   *       comment, (2)), so at least the least memory of a granule; within 0 TDMRs every granule is
   *       left out, so all the group's memory.
   * </ul>
   *
   * Empty when the group has memory no layout covers.
   */
  static Optional<Holding> coarse(MemoryMap group, TdxLimits limits) {
    return Granules.of(group, limits).map(g -> coarse(g, limits));
  }

  private static Holding coarse(Granules g, TdxLimits limits) {
    int n = g.pages().size();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      long gap = (g.starts().get(i) - g.starts().get(i - 1)) / ByteSize.GiB - 1;
      if (gap > 0) {
        gaps.add(gap);
      }
    }
    Collections.sort(gaps);
    int clusters = n == 0 ? 0 : gaps.size() + 1;
    long[] covering = new long[Math.max(clusters, 1) + 1];
    long[] leavingOut = new long[2];
    covering[0] = n == 0 ? 0 : Long.MAX_VALUE;
    for (int k = 1; k < covering.length; k++) {
      long span = n;
      for (int j = 0; j < clusters - k; j++) {
        span += gaps.get(j);
      }
      covering[k] = n == 0 ? 0 : minimumPages(span * ByteSize.GiB, limits);
    }
    leavingOut[0] = n == 0 ? Long.MAX_VALUE : g.pages().stream().mapToLong(Long::longValue).sum();
    leavingOut[1] = n == 0 ? Long.MAX_VALUE : g.pages().stream().mapToLong(Long::longValue).min().orElseThrow();
    return new Holding(covering, leavingOut);
  }

  /**
   * A lower bound on the PAMT pages of every layout without remote PAMT that leaves no coverable
   * memory uncovered and has a TDMR holding no TDX memory, within a limit of {@code tdmrs} TDMRs,
   * from every group's {@link Holding} ({@link NodeSplit}, step 3); empty when no layout is bounded
   * ({@code tdmrs < 1}) or none has such a TDMR.
   *
   * <p>Such a layout has at most {@code tdmrs - 1} TDMRs holding memory, each holding one group's
   * ({@link NodeSplit}, step 2), {@code k_X} of them group X's, {@code sum_X k_X ≤ tdmrs - 1}. When
   * it leaves a memory granule out of every TDMR, group X's part (its left-out memory and the
   * levels counted of its TDMRs, which lie on its nodes) is at least {@code leavingOut_X(k_X)} for
   * each group X that leaves one out and {@code min(covering_X(k_X), leavingOut_X(k_X))} for the
   * others; the parts are disjoint (no granule holds two groups' memory, and the levels counted lie
   * outside the left-out memory), so the PAMT is at least their sum. When it leaves no granule out,
   * its TDMRs holding memory have at least {@code sum_X covering_X(k_X)} pages of levels, and the
   * TDMR without memory, of 1 GiB at least, its own levels besides: at least a 1 GiB TDMR's minima
   * more (with a granule left out its levels may lie there, so nothing is added). The bound is the
   * least over every allocation {@code k_X} of both cases, a knapsack over the groups solved exactly
   * by dynamic programming, with a flag for "some group leaves a granule out". It is never below
   * {@link #leastWithin} of the groups' {@link #of} at {@code tdmrs - 1}, the bound without that
   * flag.
   */
  static OptionalLong leastWithMemoryless(List<Holding> groups, int tdmrs, TdxLimits limits) {
    if (tdmrs < 1) {
      return OptionalLong.empty();
    }
    int most = tdmrs - 1;
    long[] covering = new long[most + 1];
    long[] leaving = new long[most + 1];
    Arrays.fill(covering, Long.MAX_VALUE);
    Arrays.fill(leaving, Long.MAX_VALUE);
    covering[0] = 0;
    for (Holding group : groups) {
      long[] nextCovering = new long[most + 1];
      long[] nextLeaving = new long[most + 1];
      Arrays.fill(nextCovering, Long.MAX_VALUE);
      Arrays.fill(nextLeaving, Long.MAX_VALUE);
      for (int b = 0; b <= most; b++) {
        for (int k = 0; k <= b; k++) {
          long cover = group.covering(k);
          long leave = group.leavingOut(k);
          nextCovering[b] = Math.min(nextCovering[b], plus(covering[b - k], cover));
          nextLeaving[b] = Math.min(nextLeaving[b], Math.min(plus(covering[b - k], leave),
              plus(leaving[b - k], Math.min(cover, leave))));
        }
      }
      covering = nextCovering;
      leaving = nextLeaving;
    }
    long memoryless = minimumPages(ByteSize.GiB, limits);
    long least = Long.MAX_VALUE;
    for (int b = 0; b <= most; b++) {
      least = Math.min(least, Math.min(plus(covering[b], memoryless), leaving[b]));
    }
    return least == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(least);
  }

  /** {@code a + b}, {@link Long#MAX_VALUE} standing for no layout. */
  private static long plus(long a, long b) {
    return a == Long.MAX_VALUE || b == Long.MAX_VALUE ? Long.MAX_VALUE : a + b;
  }

  /**
   * {@link #strict}'s table found by {@link LeftOutRunsTable} whatever the map's size (tests compare
   * it with the enumeration).
   */
  static Optional<long[]> strictByRuns(MemoryMap map, TdxLimits limits) {
    return Granules.of(map, limits).flatMap(g -> LeftOutRunsTable.of(g.starts(), g.pages(), g.nodes(), limits,
        limits.maxTdmrs() + 1));
  }

  /**
   * The TDMRs holding memory of a layout that might meet {@link #leastPages} (by {@link
   * LeftOutRunsTable}'s table, whatever the map's size): one from the first to the last memory
   * granule of each run of a least set of runs within the TDMR limit, the memory left out of them
   * to be filled by their levels or those of TDMRs without memory. A guess for a search, which
   * proves nothing by itself; empty where the table has none.
   */
  public static Optional<List<AddressRange>> leastRunTdmrs(MemoryMap map, TdxLimits limits) {
    return Granules.of(map, limits).flatMap(g -> LeftOutRunsTable.leastRuns(g.starts(), g.pages(), g.nodes(), limits,
        limits.maxTdmrs() + 1, limits.maxTdmrs()).map(runs -> runs.stream()
            .map(r -> new AddressRange(g.starts().get(r[0]), g.starts().get(r[1]) + ByteSize.GiB)).toList()));
  }

  private static Optional<long[]> table(MemoryMap group, TdxLimits limits, boolean everyTdmr) {
    Optional<Granules> granules = Granules.of(group, limits);
    if (everyTdmr && granules.isPresent() && granules.get().pages().size() > MOST_GRANULES) {
      // Too many granules to enumerate: the same sets by dynamic programming, up to the TDMR limit.
      Granules g = granules.get();
      return LeftOutRunsTable.of(g.starts(), g.pages(), g.nodes(), limits, limits.maxTdmrs() + 1);
    }
    return build(group, limits, everyTdmr).map(b -> b.least.clone());
  }

  /**
   * Whether every layout of {@code map} within {@code limits} without remote PAMT that leaves none
   * of its memory uncovered and has exactly {@code pages} pages of PAMT has <em>unpadded levels over
   * covering runs</em>: every memory granule in a TDMR, each TDMR from its first to its last memory
   * granule, every TDMR holding memory, and every level at its least size. It does when {@code
   * pages} is {@link #strict}'s bound at the TDMR limit and every set of runs that leaves a memory
   * granule out counts above it. Proof: such a layout's TDMRs holding memory are a set of runs
   * {@code S} counting at most the limit (class comment), and its PAMT is at least {@code S}'s bound;
   * so {@code S} leaves no granule out, and its bound is the sum of its runs' levels' minima (no
   * left-out granule takes a level). The layout's PAMT is at least the sum of its TDMRs' levels'
   * minima, each TDMR's at least its run's (a level's minimum grows with the TDMR), plus the levels
   * of any TDMR without memory (a page each at least): all of that equals {@code pages} only with
   * no TDMR without memory, every level at its minimum and every TDMR exactly over its run. False
   * when {@link #strict} has no table.
   */
  static boolean unpaddedAt(MemoryMap map, TdxLimits limits, long pages) {
    return build(map, limits, true).filter(b -> {
      int k = Math.min(limits.maxTdmrs(), b.least.length - 1);
      return b.least[k] == pages && b.leastLeavingOut[k] > pages;
    }).isPresent();
  }

  private static Optional<LeftOutPamtBound> build(MemoryMap group, TdxLimits limits, boolean everyTdmr) {
    return Granules.of(group, limits).filter(g -> g.pages().size() <= MOST_GRANULES)
        .map(g -> new LeftOutPamtBound(g.starts(), g.pages(), g.nodes(), g.stretches(), limits, everyTdmr));
  }

  /**
   * A group's memory granules in address order: their starts, pages of memory, nodes and stretches of
   * contiguous memory; empty when the group has memory no layout covers (outside the CMRs or above
   * the HKID limit).
   */
  private record Granules(List<Long> starts, List<Long> pages, List<Set<Integer>> nodes,
      List<Set<Integer>> stretches) {
    static Optional<Granules> of(MemoryMap group, TdxLimits limits) {
      List<AddressRange> cmrs = group.cmrs().merged();
      TreeMap<Long, Long> memory = new TreeMap<>();
      TreeMap<Long, Set<Integer>> nodes = new TreeMap<>();
      TreeMap<Long, Set<Integer>> stretches = new TreeMap<>();
      int stretch = -1;
      long end = -1;
      for (MemoryBlock b : group.blocks()) {
        if (b.end() > limits.hkidLimit() || cmrs.stream().noneMatch(c -> c.contains(b.range()))) {
          return Optional.empty();
        }
        // Blocks that touch are one stretch: a level may run across them.
        if (b.start() != end) {
          stretch++;
        }
        end = b.end();
        for (long g = ByteSize.alignDown(b.start(), ByteSize.GiB); g < b.end(); g += ByteSize.GiB) {
          AddressRange in = b.range().intersect(new AddressRange(g, g + ByteSize.GiB));
          memory.merge(g, in.size() / ByteSize.PAGE, Long::sum);
          nodes.computeIfAbsent(g, x -> new TreeSet<>()).add(b.node());
          stretches.computeIfAbsent(g, x -> new TreeSet<>()).add(stretch);
        }
      }
      return Optional.of(new Granules(List.copyOf(memory.keySet()), List.copyOf(memory.values()),
          List.copyOf(nodes.values()), List.copyOf(stretches.values())));
    }
  }

  /**
   * A lower bound on the PAMT pages of every layout of {@code map} within {@code limits} (its TDMR
   * limit) without remote PAMT that leaves none of its memory uncovered: {@link #of} at the TDMR
   * limit, as a layout within it has at most that many TDMRs holding memory (class comment); empty
   * when {@link #of} is. An engine's PAMT tier may take it once remote PAMT is proven 0 and no
   * memory is given up: where the limit binds, it is the price of the TDMRs the limit forbids.
   */
  public static OptionalLong leastPages(MemoryMap map, TdxLimits limits) {
    return strict(map, limits).map(b -> b[Math.min(limits.maxTdmrs(), b.length - 1)])
        .filter(p -> p != Long.MAX_VALUE).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  /**
   * A lower bound on the TDMRs of every layout of {@code map} within {@code limits} without remote
   * PAMT that leaves none of its memory uncovered and has exactly {@code pages} pages of PAMT: the
   * least {@code k} whose bound of {@link #of} is at most {@code pages} (a layout with {@code j}
   * TDMRs holding memory has at least the bound at {@code j}, which does not rise with {@code j};
   * it has at least {@code j} TDMRs). Empty when {@link #of} is, or when no {@code k} within the
   * limit has a bound that low (then no such layout has that PAMT, and the caller, which has one,
   * knows more).
   */
  public static OptionalLong leastTdmrs(MemoryMap map, TdxLimits limits, long pages) {
    return leastTdmrs(strict(map, limits), limits, pages);
  }

  /** {@link #leastTdmrs(MemoryMap, TdxLimits, long)} from the map's {@link #strict} table. */
  static OptionalLong leastTdmrs(Optional<long[]> bounds, TdxLimits limits, long pages) {
    if (bounds.isEmpty()) {
      return OptionalLong.empty();
    }
    long[] b = bounds.get();
    for (int k = 0; k <= limits.maxTdmrs(); k++) {
      if (b[Math.min(k, b.length - 1)] <= pages) {
        return OptionalLong.of(k);
      }
    }
    return OptionalLong.empty();
  }

  /** Choices per granule: 0 left out, 1 first of a run, 2 next in a run. */
  private void enumerate(int i, int[] choice, int runs) {
    if (i == pages.length) {
      int k = everyTdmr ? Math.min(tdmrs(choice, runs), least.length - 1) : runs;
      long cost = cost(choice);
      least[k] = Math.min(least[k], cost);
      if (Arrays.stream(choice).anyMatch(c -> c == 0)) {
        leastLeavingOut[k] = Math.min(leastLeavingOut[k], cost);
      } else {
        leastCovering[k] = Math.min(leastCovering[k], cost);
      }
      return;
    }
    choice[i] = 0;
    enumerate(i + 1, choice, runs);
    choice[i] = 1;
    enumerate(i + 1, choice, runs + 1);
    if (i > 0 && choice[i - 1] != 0) {
      Set<Integer> common = common(choice, i);
      if (!common.isEmpty()) {
        choice[i] = 2;
        enumerate(i + 1, choice, runs);
      }
    }
  }

  /** The common nodes of the run that granule {@code i} would continue (from its first granule to {@code i}). */
  private Set<Integer> common(int[] choice, int i) {
    int first = i - 1;
    while (choice[first] == 2) {
      first--;
    }
    Set<Integer> out = new TreeSet<>(nodes.get(first));
    for (int j = first + 1; j <= i; j++) {
      out.retainAll(nodes.get(j));
    }
    return out;
  }

  /**
   * The fewest TDMRs in all of a layout with these runs and left-out granules ((4) and (5) of the
   * class comment): the runs, one more when a left-out granule's node is no run's common node, and
   * at least a third of the stretches of contiguous memory the left-out granules hold.
   */
  private int tdmrs(int[] choice, int runs) {
    Set<Integer> commonToRuns = new TreeSet<>();
    for (int i = 0; i < pages.length; i++) {
      if (choice[i] == 1) {
        commonToRuns.addAll(commonNodes(i, runEnd(choice, i)));
      }
    }
    boolean memoryless = false;
    Set<Integer> leftOutStretches = new TreeSet<>();
    for (int i = 0; i < pages.length; i++) {
      if (choice[i] == 0) {
        memoryless |= !commonToRuns.containsAll(nodes.get(i));
        leftOutStretches.addAll(stretches.get(i));
      }
    }
    return Math.max(runs + (memoryless ? 1 : 0), (leftOutStretches.size() + 2) / 3);
  }

  /** The last granule of the run of {@code choice} that starts at granule {@code first} (choice 1, then 2s). */
  private int runEnd(int[] choice, int first) {
    int last = first;
    while (last + 1 < pages.length && choice[last + 1] == 2) {
      last++;
    }
    return last;
  }

  /** The nodes whose memory every granule from {@code first} to {@code last} holds. */
  private Set<Integer> commonNodes(int first, int last) {
    Set<Integer> common = new TreeSet<>(nodes.get(first));
    for (int j = first + 1; j <= last; j++) {
      common.retainAll(nodes.get(j));
    }
    return common;
  }

  /** The bound of one set of runs: left-out memory plus the minima of the runs no left-out granule can absorb. */
  private long cost(int[] choice) {
    long total = 0;
    Set<Integer> leftOutNodes = new TreeSet<>();
    for (int i = 0; i < pages.length; i++) {
      if (choice[i] == 0) {
        total += pages[i];
        leftOutNodes.addAll(nodes.get(i));
      }
    }
    for (int i = 0; i < pages.length; i++) {
      if (choice[i] != 1) {
        continue;
      }
      int last = runEnd(choice, i);
      Set<Integer> common = commonNodes(i, last);
      common.retainAll(leftOutNodes);
      if (common.isEmpty()) {
        total += minimumPages(granuleStart[last] - granuleStart[i] + ByteSize.GiB);
      }
    }
    return total;
  }

  /** The three levels' minima, in whole pages, of a TDMR of {@code size} bytes. */
  private long minimumPages(long size) {
    return minimumPages(size, limits);
  }

  /** The three levels' minima, in whole pages, of a TDMR of {@code size} bytes under {@code limits}. */
  private static long minimumPages(long size, TdxLimits limits) {
    long total = 0;
    for (PageSize level : PageSize.values()) {
      total += (PamtSizing.moduleMinimum(size, level, limits) + ByteSize.PAGE - 1) / ByteSize.PAGE;
    }
    return total;
  }
}
