package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * Lower bounds on the PAMT and TDMR tiers of the module family ({@link Policy.Family#MODULE}),
 * valid when no coverable TDX memory is given up (coverage {@code all}, or {@code max} once the
 * coverage tier is proven to give up nothing but {@link Instance#deadMemory}), solver-neutral so
 * that any engine may add them as redundant constraints, and a witness that meets them is optimal
 * in those tiers without a search. They also say which TDMRs such a witness has ({@link #tdmrs}).
 *
 * <h2>Runs and the PAMT bound</h2>
 *
 * A <em>memory granule</em> is a 1 GiB granule of the window holding coverable TDX memory ({@code
 * M_g > 0} pages of it, memory outside CMRs left out); a <em>run</em> is a maximal sequence of
 * adjacent memory granules. When the remote tier is 0 under PAMT {@code node-local}, runs are also
 * cut between adjacent granules whose memory shares no node: a TDMR over both has every level on
 * some node and so describes one of them remotely ({@link tdmr.check.RemotePamt}). A run of {@code
 * n} GiB needs at least {@code k} TDMRs: {@code ceil(n / largestTdmrGiB)}, and when cut by nodes the
 * least number of pieces of it whose granules share a node (found greedily from its start, which is
 * optimal for such a hereditary property). Its bound is, per level of {@code p} bytes per GiB,
 * {@code n·p / 4096} pages when that is whole (the 4K and 2M levels), else {@code max(ceil(n·p /
 * 4096), k)} (the 1G level: at least one page per TDMR, {@code ceil} subadditive). {@code B} is the
 * sum over runs.
 *
 * <p><b>Why every layout covering all memory granules has at least {@code B} pages of PAMT.</b> A
 * TDMR of N GiB has at least {@code ceil(N·p / 4096)} pages of each level (rule D2; padding, TDMRs
 * without memory and TDMRs over granules without memory only add). Charge each run the pieces of
 * the TDMRs over it: a TDMR within one run pays at least its share, by subadditivity of {@code
 * ceil} and because the pieces of a run a TDMR covers are pieces of the kind {@code k} counts. A
 * TDMR over parts of {@code m ≥ 2} runs also covers at least {@code m - 1} granules between them,
 * whose whole-page levels cost at least {@code (m - 1)·L} pages ({@code L} the whole pages per GiB,
 * 1026 with 16-byte entries), while splitting its rounded levels over {@code m} runs needs at most
 * {@code m - 1} more pages each; so it pays more than its runs' shares as long as {@code L} exceeds
 * the number of rounded levels (1), which the constructor checks.
 *
 * <p><b>Memory outside every TDMR.</b> The module family may leave a set {@code S} of memory
 * granules out of every TDMR when PAMT fills all of their memory: then PAMT has at least {@code
 * sum_S M_g} pages, and the TDMRs over the other granules at least the bound of those, which is at
 * least {@code B - c·|S|}: taking one granule out of a run lowers its whole-page levels by their
 * pages per GiB and each rounded level by at most {@code ceil(p / 4096)} (its {@code ceil} and its
 * {@code k} each drop by at most that; a run cut in two needs at most one TDMR less), so {@code c}
 * is 1027 pages with 16-byte entries. With {@code S_l} the sum of the {@code l} smallest {@code
 * M_g}, every layout has at least {@code min over l ≥ 0 of max(B - c·l, S_l)} pages: {@link
 * #leastPamtPages}; for {@code l = 1} it takes, per granule, what leaving out that granule really
 * saves ({@code oneGranuleLeftOut}), usually one page less than {@code c}, and for every {@code l}
 * the whole pages of {@code l} GiB plus the most rounded pages that taking {@code l} granules out of
 * the runs can save ({@code mostSaved}: a run left with {@code m} granules still needs the rounded
 * levels of {@code m} GiB in one part, by subadditivity of {@code ceil}). On real maps every
 * {@code M_g} lies far above {@code B} (the bound is {@code B}) except on hosts of over 255 GiB,
 * where a 256 GiB TDMR's 4K level (1 GiB) can fill a granule.
 *
 * <p><b>Per node, without remote PAMT.</b> When the remote tier is 0 under PAMT {@code node-local}
 * and every memory granule holds memory of one node only, the bound holds per node: {@code sum over
 * nodes X of min over l ≥ 0 of max(B_X - c·l, S_{X,l})}, with {@code B_X} the sum over the runs of
 * node X and {@code S_{X,l}} the {@code l} smallest {@code M_g} of node X. A TDMR over granules of
 * two nodes would describe one of them remotely, so each TDMR with memory has the memory of one
 * node X, and its levels lie on X (a level elsewhere describes its granules remotely). Node X's
 * TDMRs cover node X's granules but a set {@code L_X}, so their levels have at least {@code B_X -
 * c·|L_X|} pages (the argument above, per run). A granule left out is all PAMT, which lies on its
 * node: levels of node X's TDMRs or of TDMRs without memory (whose levels may lie anywhere), so
 * with {@code Y_X} pages of the latter on node X, node X's TDMRs have at least {@code S(L_X) - Y_X}.
 * In all, PAMT is at least {@code sum_X max(B_X - c·|L_X|, S(L_X) - Y_X) + sum_X Y_X ≥ sum_X
 * max(B_X - c·|L_X|, S(L_X))}. On a two-socket host with 256 GiB or more, each node's {@code B_X}
 * is below one granule's pages, so no granule is worth leaving out and the bound is {@code B}.
 *
 * <h2>The TDMR bound</h2>
 *
 * A layout with exactly {@code B} pages when every {@code M_g > B} (per node: every {@code M_g >
 * B_X} of node X's granules, in the case above) covers every memory granule (leaving one out needs
 * more than {@code B} pages) and meets every inequality above with equality:
 * no padding, no TDMR without memory, no TDMR over a granule without memory or over two runs. So
 * each TDMR lies within one run and each run has at least its {@code k} TDMRs: at least {@code sum
 * k} TDMRs ({@link #leastTdmrs}).
 */
public final class ModuleFamilyBounds {
  private final Instance instance;
  private final boolean remoteFree;
  private final List<Run> runs = new ArrayList<>();
  private final long leastCoveringPages;
  /** Whether no layout that leaves a memory granule out of every TDMR has as little PAMT as {@code B}. */
  private final boolean coveringIsLeast;
  /** The bound with memory granules left out of every TDMR: {@code min over l of max(B - c·l, S_l)}. */
  private final long leastPages;
  private final boolean sound;
  /** Per node, its term of the per-node bound (empty when the bound is not taken per node). */
  private final TreeMap<Integer, Long> perNode = new TreeMap<>();
  /** Per node, {@code B_X} (empty when the bound is not taken per node). */
  private final TreeMap<Integer, Long> perNodeCovering = new TreeMap<>();
  /** Per node, its runs (empty when the bound is not taken per node). */
  private final TreeMap<Integer, List<Run>> perNodeRuns = new TreeMap<>();

  /**
   * One run: its cells (first to last, all holding coverable memory), its GiB, the least TDMRs,
   * and its pieces whose granules share a node (each a list of cell indexes; one piece when not cut
   * by nodes).
   */
  public record Run(int firstCell, int lastCell, long giB, long leastTdmrs, List<List<Integer>> pieces) {}

  /**
   * The bounds of {@code instance}; {@code remoteFree}: the remote tier is proven 0 under PAMT
   * {@code node-local}, so runs are cut where adjacent granules share no node.
   */
  public ModuleFamilyBounds(Instance instance, boolean remoteFree) {
    this.instance = instance;
    this.remoteFree = remoteFree;
    long wholePagesPerGiB = 0;
    int rounded = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        wholePagesPerGiB += p / 4096;
      } else {
        rounded++;
      }
    }
    this.sound = wholePagesPerGiB > rounded;
    long least = Long.MAX_VALUE;
    List<Cell> cells = instance.cells();
    int k = 0;
    while (k < cells.size()) {
      if (coverablePages(cells.get(k)) == 0) {
        k++;
        continue;
      }
      int first = k;
      while (k + 1 < cells.size() && coverablePages(cells.get(k + 1)) > 0 && joined(cells.get(k), cells.get(k + 1))) {
        k++;
      }
      runs.add(run(first, k));
      for (int i = first; i <= k; i++) {
        least = Math.min(least, granulePages(cells.get(i)));
      }
      k++;
    }
    long sum = 0;
    for (Run r : runs) {
      sum += runPages(r);
    }
    this.leastCoveringPages = sum;
    if (remoteFree && granulesOfOneNode()) {
      // Per node (class comment): each node's runs alone.
      TreeMap<Integer, List<Run>> byNode = new TreeMap<>();
      for (Run r : runs) {
        byNode.computeIfAbsent(instance.cells().get(r.firstCell()).nodes().get(0), n -> new ArrayList<>()).add(r);
      }
      long pages = 0;
      boolean coveringIsLeast = true;
      for (Map.Entry<Integer, List<Run>> e : byNode.entrySet()) {
        List<Run> node = e.getValue();
        long b = node.stream().mapToLong(this::runPages).sum();
        perNodeCovering.put(e.getKey(), b);
        perNodeRuns.put(e.getKey(), node);
        long onNode = withGranulesLeftOut(b, node);
        perNode.put(e.getKey(), onNode);
        pages += onNode;
        coveringIsLeast &= leastGranulePages(node) > b;
      }
      this.leastPages = pages;
      this.coveringIsLeast = coveringIsLeast;
    } else {
      this.leastPages = withGranulesLeftOut(sum, runs);
      this.coveringIsLeast = least > sum;
    }
  }

  /** Whether every granule holding coverable memory holds memory of one node only. */
  private boolean granulesOfOneNode() {
    for (Run r : runs) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        if (instance.cells().get(i).nodes().size() != 1) {
          return false;
        }
      }
    }
    return true;
  }

  /** The fewest pages of coverable memory in one granule of {@code some} runs. */
  private long leastGranulePages(List<Run> some) {
    long least = Long.MAX_VALUE;
    for (Run r : some) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        least = Math.min(least, granulePages(instance.cells().get(i)));
      }
    }
    return least;
  }

  /** {@code min over l ≥ 0 of max(B - c·l, S_l)} over the granules of {@code some} runs, taken smallest first. */
  private long withGranulesLeftOut(long b, List<Run> some) {
    long c = 0;
    for (PageSize level : PageSize.values()) {
      c += Math.floorDiv(instance.perGiBBytes(level) + 4095, 4096);
    }
    TreeMap<Long, Long> granules = new TreeMap<>();
    for (Run r : some) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell cell = instance.cells().get(i);
        granules.merge(granulePages(cell), cell.sizeGiB(), Long::sum);
      }
    }
    long best = b;
    long taken = 0;
    long l = 0;
    for (Map.Entry<Long, Long> e : granules.entrySet()) {
      for (long j = 0; j < e.getValue(); j++) {
        if (taken >= b - c * l) {
          return best;
        }
        taken += e.getKey();
        l++;
        // Each is a bound on the layouts that leave out exactly l granules.
        long bound = Math.max(Math.max(b - c * l, b - mostSaved(l, some)), taken);
        best = Math.min(best, l == 1 ? Math.max(bound, oneGranuleLeftOut(b, some)) : bound);
      }
    }
    return best;
  }

  /**
   * {@code min over granules g of max(B - drop(g), M_g)}: one granule left out exactly. Leaving out
   * granule {@code g} of a run cuts the run in two parts that no TDMR joins, each needing its levels
   * (the rounded ones at least one page per part that holds memory, and one per largest TDMR): so
   * the run's bound drops by at most {@code drop(g)}, which is the whole pages of one GiB and only
   * as much of the rounded levels as the cut really saves (often nothing: the 1G level of a run up
   * to 256 GiB is one page, and so is each part's).
   */
  private long oneGranuleLeftOut(long b, List<Run> some) {
    long best = Long.MAX_VALUE;
    for (Run r : some) {
      long whole = runPages(r);
      long offset = 0;
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell cell = instance.cells().get(i);
        long pages = granulePages(cell);
        for (long j = offset; j < offset + cell.sizeGiB(); j++) {
          long drop = whole - partPages(j) - partPages(r.giB() - j - 1);
          best = Math.min(best, Math.max(b - drop, pages));
        }
        offset += cell.sizeGiB();
      }
    }
    return best;
  }

  /**
   * The most pages of levels that leaving {@code l} granules of {@code some} runs out of every TDMR
   * can save: their whole pages, and per run that loses {@code j} of its {@code n} granules its
   * rounded pages less those of {@code n - j} granules in one part (more parts only need more),
   * shared among the runs in the best way.
   */
  private long mostSaved(long l, List<Run> some) {
    long whole = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole += p / 4096;
      }
    }
    // saved[j]: the most rounded pages saved by taking j granules out of the runs so far.
    int most = (int) Math.min(l, Integer.MAX_VALUE - 1);
    long[] saved = new long[most + 1];
    java.util.Arrays.fill(saved, 1, most + 1, Long.MIN_VALUE);
    for (Run r : some) {
      long[] next = saved.clone();
      long full = roundedPages(r.giB(), r.leastTdmrs());
      for (int j = 1; j <= most && j <= r.giB(); j++) {
        long rest = r.giB() - j;
        long cut = full - (rest == 0 ? 0 : roundedPages(rest, Math.floorDiv(rest + instance.largestTdmrGiB() - 1,
            instance.largestTdmrGiB())));
        for (int i = 0; i + j <= most; i++) {
          if (saved[i] != Long.MIN_VALUE) {
            next[i + j] = Math.max(next[i + j], saved[i] + cut);
          }
        }
      }
      saved = next;
    }
    return l * whole + Math.max(0, saved[most]);
  }

  /** Pages of the rounded levels (not whole pages per GiB) of {@code giB} granules under at least {@code tdmrs} TDMRs. */
  private long roundedPages(long giB, long tdmrs) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 != 0) {
        pages += Math.max(Math.floorDiv(giB * p + 4095, 4096), tdmrs);
      }
    }
    return pages;
  }

  /** A lower bound on the levels of the TDMRs over {@code giB} adjacent memory granules (0 for none). */
  private long partPages(long giB) {
    if (giB == 0) {
      return 0;
    }
    long tdmrs = Math.floorDiv(giB + instance.largestTdmrGiB() - 1, instance.largestTdmrGiB());
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      pages += p % 4096 == 0 ? giB * (p / 4096) : Math.max(Math.floorDiv(giB * p + 4095, 4096), tdmrs);
    }
    return pages;
  }

  /** Pages of coverable TDX memory in each granule of {@code c}. */
  private long granulePages(Cell c) {
    return c.kind() == Instance.Kind.MIXED ? coverablePages(c) : Instance.GIB_PAGES;
  }

  /** The runs in address order. */
  public List<Run> runs() {
    return List.copyOf(runs);
  }

  /**
   * The least PAMT pages of any layout of the module family that gives up no coverable memory
   * (granules left out of every TDMR included); empty when the entry sizes make the argument fail.
   */
  public OptionalLong leastPamtPages() {
    if (!sound || runs.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(leastPages);
  }

  /**
   * Per node X, when the bound is taken per node (class comment): a lower bound on the PAMT pages
   * lying on node X, {@code min over l of max(B_X - c·l, S_{X,l})} (node X's TDMRs have their levels
   * on X, and memory of X left out is PAMT on X); empty otherwise.
   */
  public Map<Integer, Long> leastPamtPagesPerNode() {
    return !sound || runs.isEmpty() ? Map.of() : Map.copyOf(perNode);
  }

  /**
   * When the bound is taken per node (class comment, "Per node, without remote PAMT"): a lower bound
   * on the PAMT pages of every layout without remote PAMT that gives up no coverable memory and has
   * TDMRs without memory whose levels have at least {@code memorylessPages} pages in all; empty when
   * the bound is not taken per node or the entry sizes make the argument fail.
   *
   * <p>The class comment's per-node inequality, with {@code Y_X} the pages of levels of TDMRs
   * without memory lying on node X, is {@code PAMT ≥ sum_X max(B_X - c·|L_X|, S(L_X) - Y_X) + sum_X
   * Y_X = sum_X max(B_X - c·|L_X| + Y_X, S(L_X))} ({@code max(a, s - y) + y = max(a + y, s)}), and
   * {@code S(L_X)} is at least the sum {@code S_{X,l}} of the {@code l = |L_X|} smallest granules of
   * node X. So {@code PAMT ≥ sum_X g_X(Y_X)} with {@code g_X(y) = min over l ≥ 0 of max(B_X - c·l +
   * y, S_{X,l})}, nondecreasing in {@code y}. Every page of PAMT lies in TDX memory of some node, so
   * {@code sum_X Y_X} is all the levels of TDMRs without memory, at least {@code memorylessPages};
   * and as each {@code g_X} is nondecreasing, the least of {@code sum_X g_X(Y_X)} over {@code Y_X ≥
   * 0} with {@code sum_X Y_X ≥ memorylessPages} is reached with the sum equal to it: a knapsack over
   * the nodes, solved exactly by dynamic programming over {@code 0..memorylessPages}.
   */
  public OptionalLong leastPamtPagesWithMemoryless(long memorylessPages) {
    if (!sound || runs.isEmpty() || perNodeCovering.isEmpty() || memorylessPages < 0) {
      return OptionalLong.empty();
    }
    int most = (int) Math.min(memorylessPages, 1 << 16);
    if (most < memorylessPages) {
      return OptionalLong.empty();
    }
    long c = 0;
    for (PageSize level : PageSize.values()) {
      c += Math.floorDiv(instance.perGiBBytes(level) + 4095, 4096);
    }
    long[] best = null;
    for (Map.Entry<Integer, Long> e : perNodeCovering.entrySet()) {
      long[] g = leastOnNode(e.getValue(), perNodeRuns.get(e.getKey()), c, most);
      if (best == null) {
        best = g;
        continue;
      }
      long[] next = new long[most + 1];
      for (int t = 0; t <= most; t++) {
        long least = Long.MAX_VALUE;
        for (int u = 0; u <= t; u++) {
          least = Math.min(least, best[t - u] + g[u]);
        }
        next[t] = least;
      }
      best = next;
    }
    return OptionalLong.of(best[most]);
  }

  /** {@code g_X(y)} for {@code y = 0..most} ({@link #leastPamtPagesWithMemoryless}). */
  private long[] leastOnNode(long b, List<Run> node, long c, int most) {
    TreeMap<Long, Long> granules = new TreeMap<>();
    for (Run r : node) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell cell = instance.cells().get(i);
        granules.merge(granulePages(cell), cell.sizeGiB(), Long::sum);
      }
    }
    long[] g = new long[most + 1];
    for (int y = 0; y <= most; y++) {
      long least = b + y;
      long taken = 0;
      long l = 0;
      outer:
      for (Map.Entry<Long, Long> e : granules.entrySet()) {
        for (long j = 0; j < e.getValue(); j++) {
          taken += e.getKey();
          l++;
          if (taken >= least) {
            // More granules left out only hold more memory.
            break outer;
          }
          least = Math.min(least, Math.max(b - c * l + y, taken));
        }
      }
      g[y] = least;
    }
    return g;
  }

  /** {@code B}: the least PAMT pages of a layout whose TDMRs cover every memory granule. */
  public long leastCoveringPages() {
    return leastCoveringPages;
  }

  /**
   * The least TDMRs of any layout with {@link #leastPamtPages} pages of PAMT, when that is {@code B}
   * and every memory granule holds more than {@code B} pages (per node in the case of the class
   * comment); else empty.
   */
  public OptionalLong leastTdmrs() {
    if (!sound || runs.isEmpty() || !coveringIsLeast) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(runs.stream().mapToLong(Run::leastTdmrs).sum());
  }

  /**
   * TDMRs that meet both bounds when their levels find room: one per piece of every run, each of
   * whole cells; empty when a piece is larger than the largest TDMR (it would have to be cut).
   */
  public List<List<Integer>> tdmrs() {
    List<List<Integer>> out = new ArrayList<>();
    for (Run r : runs) {
      for (List<Integer> piece : r.pieces()) {
        long giB = piece.stream().mapToLong(i -> instance.cells().get(i).sizeGiB()).sum();
        if (giB > instance.largestTdmrGiB()) {
          return List.of();
        }
        out.add(piece);
      }
    }
    return out;
  }

  /**
   * TDMRs that leave the granules of {@code leftOut} out of every TDMR and otherwise are those of
   * {@link #tdmrs}: each piece cut where a left-out cell lies. The cells of {@code leftOut} must be
   * of one granule ({@link #granulesWorthLeavingOut}). A layout with these TDMRs fills the left-out
   * granules' memory with PAMT or does not exist; it is only a candidate start, which the model and
   * the validator check. Empty when {@link #tdmrs} is.
   */
  public List<List<Integer>> tdmrsLeavingOut(java.util.Set<Integer> leftOut) {
    List<List<Integer>> out = new ArrayList<>();
    for (List<Integer> piece : tdmrs()) {
      List<Integer> part = new ArrayList<>();
      for (int k : piece) {
        if (leftOut.contains(k)) {
          if (!part.isEmpty()) {
            out.add(part);
          }
          part = new ArrayList<>();
        } else {
          part.add(k);
        }
      }
      if (!part.isEmpty()) {
        out.add(part);
      }
    }
    return out;
  }

  /**
   * Cells of one granule whose memory a layout at {@link #leastPamtPages} might leave out of every
   * TDMR (filled with PAMT): those holding at most that many pages, fewest pages first (at most
   * {@link #MOST_LEFT_OUT_CANDIDATES}). Empty when the bound is {@code B} (nothing is worth leaving
   * out). Granules inside runs of several GiB are not offered (a start that leaves one out would
   * cut a cell).
   */
  public List<Integer> granulesWorthLeavingOut() {
    if (!sound || runs.isEmpty() || leastPages >= leastCoveringPages) {
      return List.of();
    }
    List<Integer> cells = new ArrayList<>();
    for (Run r : runs) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        if (instance.cells().get(i).sizeGiB() == 1 && granulePages(instance.cells().get(i)) <= leastPages) {
          cells.add(i);
        }
      }
    }
    cells.sort(java.util.Comparator.comparingLong((Integer i) -> granulePages(instance.cells().get(i)))
        .thenComparing(i -> i));
    return List.copyOf(cells.subList(0, Math.min(cells.size(), MOST_LEFT_OUT_CANDIDATES)));
  }

  /** The most granules {@link #granulesWorthLeavingOut} offers (their subsets are enumerated). */
  public static final int MOST_LEFT_OUT_CANDIDATES = 10;

  /**
   * Sets of {@link #granulesWorthLeavingOut} that a start may leave out of every TDMR, most promising
   * first: those whose TDMRs ({@link #tdmrsLeavingOut}) need fewer pages of PAMT than {@link #tdmrs},
   * counting for each the pages of its levels ({@link #levelPages}) or, when more, the memory left
   * out (all of it PAMT), ordered by those pages, then by fewer granules; at most two sets per
   * number of pages and at most {@code most} in all. Candidates only:
   * whether PAMT can fill the granules is the model's question.
   */
  public List<java.util.Set<Integer>> leftOutCandidates(int most) {
    List<Integer> worth = granulesWorthLeavingOut();
    List<List<List<Integer>>> covering = List.of(tdmrs());
    if (worth.isEmpty() || covering.get(0).isEmpty()) {
      return List.of();
    }
    long coveringPages = levelPages(covering.get(0));
    record Candidate(java.util.Set<Integer> cells, long pages) {}
    List<Candidate> found = new ArrayList<>();
    for (int mask = 1; mask < 1 << worth.size(); mask++) {
      java.util.Set<Integer> set = new java.util.TreeSet<>();
      long memory = 0;
      for (int j = 0; j < worth.size(); j++) {
        if ((mask & 1 << j) != 0) {
          set.add(worth.get(j));
          memory += granulePages(instance.cells().get(worth.get(j)));
        }
      }
      List<List<Integer>> cut = tdmrsLeavingOut(set);
      // The memory left out is all PAMT: padding makes up for what the levels lack.
      long pages = Math.max(levelPages(cut), memory);
      if (!cut.isEmpty() && pages < coveringPages) {
        found.add(new Candidate(java.util.Set.copyOf(set), pages));
      }
    }
    found.sort(java.util.Comparator.comparingLong(Candidate::pages).thenComparingInt(c -> c.cells().size()));
    // At most two sets per value, so that sets PAMT cannot fill (often all those of the best value,
    // e.g. a whole run whose island no sum of levels fills exactly) leave room for the next value.
    List<java.util.Set<Integer>> out = new ArrayList<>();
    TreeMap<Long, Integer> perValue = new TreeMap<>();
    for (Candidate c : found) {
      if (out.size() < most && perValue.merge(c.pages(), 1, Integer::sum) <= 2) {
        out.add(c.cells());
      }
    }
    return out;
  }

  /** The least pages of the levels of TDMRs that are runs of whole cells (no padding). */
  public long levelPages(List<List<Integer>> tdmrs) {
    long pages = 0;
    for (List<Integer> t : tdmrs) {
      long giB = t.stream().mapToLong(i -> instance.cells().get(i).sizeGiB()).sum();
      for (PageSize level : instance.pieceLevels()) {
        pages += instance.piecePages(giB, level);
      }
    }
    return pages;
  }

  /** Pages of coverable TDX memory in one granule of {@code c} (0 when it holds none). */
  private long coverablePages(Cell c) {
    long pages = 0;
    for (int i = c.firstAtom(); i < c.endAtom(); i++) {
      Atom a = instance.atoms().get(i);
      if (a.memory() && !a.dead()) {
        pages += a.pages();
      }
    }
    return c.kind() == Instance.Kind.MIXED ? pages : Math.min(pages, Instance.GIB_PAGES);
  }

  private boolean joined(Cell a, Cell b) {
    return !remoteFree || !nodes(a).isEmpty() && a.nodes().stream().anyMatch(b.nodes()::contains);
  }

  private static TreeSet<Integer> nodes(Cell c) {
    return new TreeSet<>(c.nodes());
  }

  private Run run(int first, int last) {
    List<List<Integer>> pieces = new ArrayList<>();
    List<Integer> piece = new ArrayList<>();
    TreeSet<Integer> shared = new TreeSet<>();
    long giB = 0;
    for (int i = first; i <= last; i++) {
      Cell c = instance.cells().get(i);
      giB += c.sizeGiB();
      TreeSet<Integer> next = new TreeSet<>(shared);
      next.retainAll(c.nodes());
      if (piece.isEmpty()) {
        next = nodes(c);
      } else if (remoteFree && next.isEmpty()) {
        pieces.add(piece);
        piece = new ArrayList<>();
        next = nodes(c);
      }
      piece.add(i);
      shared = next;
    }
    pieces.add(piece);
    long bySize = Math.floorDiv(giB + instance.largestTdmrGiB() - 1, instance.largestTdmrGiB());
    return new Run(first, last, giB, Math.max(pieces.size(), bySize), List.copyOf(pieces));
  }

  private long runPages(Run r) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        pages += r.giB() * (p / 4096);
      } else {
        pages += Math.max(Math.floorDiv(r.giB() * p + 4095, 4096), r.leastTdmrs());
      }
    }
    return pages;
  }

  /** Whether runs are cut where adjacent granules share no node. */
  public boolean remoteFree() {
    return remoteFree;
  }
}
