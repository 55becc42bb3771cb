package tdmr.solver;

import java.util.Arrays;
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
 * run, next in a run), so only for groups of at most {@link #MOST_GRANULES} memory granules. It
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
    enumerate(0, new int[pages.length], 0);
    for (int k = 1; k < least.length; k++) {
      least[k] = Math.min(least[k], least[k - 1]);
      leastLeavingOut[k] = Math.min(leastLeavingOut[k], leastLeavingOut[k - 1]);
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
   * of contiguous memory the left-out granules hold (class comment, (4) and (5)).
   */
  static Optional<long[]> strict(MemoryMap map, TdxLimits limits) {
    return table(map, limits, true);
  }

  private static Optional<long[]> table(MemoryMap group, TdxLimits limits, boolean everyTdmr) {
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
      if (memory.size() > MOST_GRANULES) {
        return Optional.empty();
      }
    }
    return Optional.of(new LeftOutPamtBound(List.copyOf(memory.keySet()), List.copyOf(memory.values()),
        List.copyOf(nodes.values()), List.copyOf(stretches.values()), limits, everyTdmr));
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
    long total = 0;
    for (PageSize level : PageSize.values()) {
      total += (PamtSizing.moduleMinimum(size, level, limits) + ByteSize.PAGE - 1) / ByteSize.PAGE;
    }
    return total;
  }

  /**
   * The least of {@code sum_X bounds_X[k_X]} over {@code k_X ≥ 0} with {@code sum_X k_X ≤ tdmrs}:
   * a lower bound on the PAMT pages of every layout without remote PAMT covering all memory whose
   * TDMRs holding memory are at most {@code tdmrs}, when {@code bounds} has every group's {@link #of}
   * (a TDMR holds one group's memory in such a layout, {@link NodeSplit}; the groups' left-out
   * memory and the levels counted are disjoint). Empty when no allocation exists ({@code tdmrs < 0}).
   */
  static OptionalLong leastWithin(List<long[]> bounds, int tdmrs) {
    if (tdmrs < 0) {
      return OptionalLong.empty();
    }
    long[] best = new long[tdmrs + 1];
    for (long[] group : bounds) {
      long[] next = new long[tdmrs + 1];
      Arrays.fill(next, Long.MAX_VALUE);
      for (int b = 0; b <= tdmrs; b++) {
        for (int k = 0; k <= b; k++) {
          long v = group[Math.min(k, group.length - 1)];
          if (best[b - k] != Long.MAX_VALUE && v != Long.MAX_VALUE) {
            next[b] = Math.min(next[b], best[b - k] + v);
          }
        }
      }
      best = next;
    }
    return best[tdmrs] == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best[tdmrs]);
  }
}
