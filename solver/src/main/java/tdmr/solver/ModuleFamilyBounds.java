package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p><b>Islands no PAMT can fill.</b> Let {@code v = B - mostSaved(l)} be the term of some
 * {@code l} when it is the largest of that {@code l}'s terms. A layout leaving out a set {@code S}
 * of {@code l} granules with exactly {@code v} pages has <em>no slack</em>: its TDMRs' levels have
 * at least the pages of the parts of the runs they cover, which are at least {@code v}, so every
 * inequality of the argument above is an equality. Hence no level is padded, no TDMR lies over a
 * granule without memory, over two parts or outside the runs (each costs at least {@code L} whole
 * pages per GiB more, more than the rounded pages it could save), so the TDMRs cover exactly the
 * {@code G = n - l} GiB not left out ({@code n} the GiB of the runs) and their rounded levels have
 * exactly {@code ρ = v - L·G} pages. If {@code S} holds no run wholly, its savings are at most
 * those of {@code mostSaved} with every run keeping a granule; when that is less, such an {@code
 * S} has more than {@code v} pages. If {@code S} holds a set {@code W} of whole runs, {@code W}'s
 * memory is all PAMT (outside every TDMR), and a PAMT piece lies in contiguous TDX memory: so the
 * levels lying in the stretches of contiguous memory wholly inside {@code W}'s granules sum to
 * exactly their pages (a stretch reaching into a neighbour's granule, which only a run cut by nodes
 * has, is left out of the count). For a whole level
 * of {@code w} pages per GiB, those lying in it sum to {@code w·a}, with {@code a} the GiB of some
 * of the TDMRs; the TDMRs then split into a group of {@code a} GiB and one of {@code G - a}, whose
 * rounded levels have at least {@code ceil(a·p / 4096) + ceil((G - a)·p / 4096)} pages ({@code
 * ceil} is subadditive within each group), which must not exceed {@code ρ}; the finer levels add at
 * most their {@code w'·G} and the rounded ones at most {@code ρ}. When no choice of {@code a} per
 * whole level (coarsest first) meets all that for any {@code W} of at most {@code l} GiB ({@link
 * #fillable}), no layout leaving out {@code l} granules has {@code v} pages, and {@code v + 1} is
 * that {@code l}'s bound. Example, the 1 TiB host of the README (all node 0): runs of 2 GiB at 0
 * (489 216 pages of memory) and of 1 022 GiB from 4 GiB; {@code B = 2 053 + 1 048 576}; leaving out
 * the low run and two granules of the high one saves 4 · 1 026 + 1 pages, {@code v = 1 046 524},
 * {@code G = 1 020}, {@code ρ = 4}. Filling 489 216 = 477 · 1 024 + 768 pages with 4K levels of
 * {@code a} GiB and at most 2 · 1 020 + 4 pages of finer levels needs {@code a} = 476 or 477, and
 * then {@code ceil(a / 256) + ceil((1 020 - a) / 256) = 5 > 4}; leaving out 4 granules without a
 * whole run saves only 4 · 1 026. So the bound is 1 046 525, what leaving out four single granules
 * gets.
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
 * max(B_X - c·|L_X|, S(L_X))}. A node's term is sharpened as above with the node's runs alone:
 * with {@code Y_X = 0} and node X's TDMRs at their bound, node X's left-out runs hold PAMT of node
 * X's TDMRs only. On a two-socket host with 256 GiB or more, each node's {@code B_X}
 * is below one granule's pages, so no granule is worth leaving out and the bound is {@code B}.
 *
 * <h2>The TDMR bound</h2>
 *
 * A layout with exactly {@code B} pages when every layout leaving a memory granule out of every
 * TDMR has more than {@code B} pages by the terms above for {@code l ≥ 1} (so when every {@code M_g
 * > B}; per node: with {@code B_X} and node X's granules, in the case above) covers every memory
 * granule and meets every inequality above with equality:
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
        long leftOut = leftOutLeast(b, 0, node);
        long onNode = Math.min(b, leftOut);
        perNode.put(e.getKey(), onNode);
        pages += onNode;
        coveringIsLeast &= leftOut > b;
      }
      this.leastPages = pages;
      this.coveringIsLeast = coveringIsLeast;
    } else {
      long leftOut = leftOutLeast(sum, 0, runs);
      this.leastPages = Math.min(sum, leftOut);
      this.coveringIsLeast = leftOut > sum;
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

  /** {@code min over l ≥ 0 of max(B - c·l, S_l)} over the granules of {@code some} runs, taken smallest first. */
  private long withGranulesLeftOut(long b, List<Run> some) {
    return withGranulesLeftOut(b, 0, some);
  }

  /**
   * {@link #withGranulesLeftOut(long, List)} for the layouts whose TDMRs over every memory granule of
   * {@code some} runs have at least {@code extra} pages more than {@code b}, and at least {@code b +
   * extra - c·l} when they leave {@code l} granules out ({@link #leastPamtPagesWithInnerTdmr}); with
   * {@code extra} 0 it is that bound.
   */
  private long withGranulesLeftOut(long b, long extra, List<Run> some) {
    return Math.min(b + extra, leftOutLeast(b, extra, some));
  }

  /**
   * The terms of {@link #withGranulesLeftOut(long, long, List)} for {@code l ≥ 1} only: a lower bound
   * on the PAMT pages of every layout that leaves some memory granule of {@code some} runs out of
   * every TDMR, or, when that is larger than {@code b + extra}, some value larger than it.
   */
  private long leftOutLeast(long b, long extra, List<Run> some) {
    return leftOutLeast(b, extra, some, b + extra);
  }

  /**
   * {@link #leftOutLeast(long, long, List)} with the search over the granules left out stopped
   * once their memory exceeds {@code cap} (not {@code b + extra}): a lower bound, or some value above
   * {@code cap}.
   */
  private long leftOutLeast(long b, long extra, List<Run> some, long cap) {
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
    long best = Long.MAX_VALUE;
    long taken = 0;
    long l = 0;
    for (Map.Entry<Long, Long> e : granules.entrySet()) {
      for (long j = 0; j < e.getValue(); j++) {
        if (taken >= best || taken > cap) {
          // Every layout leaving out more granules has at least their memory of PAMT.
          return best;
        }
        taken += e.getKey();
        l++;
        // Each is a bound on the layouts that leave out exactly l granules.
        long saving = b - mostSaved(l, some, true);
        long bound = Math.max(Math.max(b - c * l, saving), taken);
        if (l == 1) {
          bound = Math.max(bound, oneGranuleLeftOut(b, some));
        }
        if (bound == saving && !zeroSlackPossible(l, saving, some)) {
          bound++;
        }
        best = Math.min(best, Math.max(bound, b + extra - c * l));
      }
    }
    return best;
  }

  /**
   * Whether a layout leaving out {@code l} granules of {@code some} runs might have exactly {@code
   * v = B - mostSaved(l)} pages of PAMT (class comment, "Islands no PAMT can fill"): false only when
   * leaving out no whole run saves less than {@code mostSaved(l)} and, for every set {@code W} of
   * whole runs of at most {@code l} GiB, the unpadded levels of TDMRs of {@code G} GiB in all with
   * {@code v - L·G} rounded pages cannot fill {@code W}'s memory exactly ({@link #fillable}).
   */
  private boolean zeroSlackPossible(long l, long v, List<Run> some) {
    if (mostSaved(l, some, false) == mostSaved(l, some, true)) {
      return true;
    }
    if (some.size() > MOST_RUNS_FOR_FILLING) {
      return true;
    }
    long giB = some.stream().mapToLong(Run::giB).sum() - l;
    long rounded = v - giB * wholePagesPerGiB();
    if (giB <= 0 || rounded < 0) {
      return true;
    }
    for (int mask = 1; mask < 1 << some.size(); mask++) {
      long runGiB = 0;
      long memory = 0;
      for (int r = 0; r < some.size(); r++) {
        if ((mask & 1 << r) != 0) {
          runGiB += some.get(r).giB();
          memory += runMemoryPages(some.get(r));
        }
      }
      if (runGiB <= l && fillable(memory, giB, rounded)) {
        return true;
      }
    }
    return false;
  }

  /** The most runs whose subsets {@link #zeroSlackPossible} enumerates; with more it refines nothing. */
  private static final int MOST_RUNS_FOR_FILLING = 12;

  /**
   * Pages of the stretches of contiguous coverable memory lying wholly inside run {@code r}'s
   * granules: PAMT in them lies wholly inside them. (Memory of a run cut from its neighbour by nodes
   * may touch the neighbour's; a level could reach across, so that stretch is not counted.)
   */
  public long runMemoryPages(Run r) {
    long from = instance.cells().get(r.firstCell()).range().start() / 4096;
    long to = instance.cells().get(r.lastCell()).range().end() / 4096;
    long pages = 0;
    for (long[] stretch : memoryStretches()) {
      if (stretch[0] >= from && stretch[1] <= to) {
        pages += stretch[1] - stretch[0];
      }
    }
    return pages;
  }

  /**
   * Whether {@code memory} pages might be the sum of unpadded levels of TDMRs of {@code giB} GiB in
   * all whose rounded levels have {@code rounded} pages together: for each whole level (coarsest
   * first) the GiB {@code a} of the TDMRs whose level lies in the memory, such that the finer levels
   * can make up the rest, and the TDMRs split into those {@code a} GiB and the others need no more
   * rounded pages than {@code rounded} ({@code ceil} is subadditive within each group).
   */
  private boolean fillable(long memory, long giB, long rounded) {
    List<Long> whole = new ArrayList<>();
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole.add(p / 4096);
      }
    }
    whole.sort(java.util.Comparator.reverseOrder());
    return fillable(memory, 0, whole, giB, rounded);
  }

  private boolean fillable(long memory, int level, List<Long> whole, long giB, long rounded) {
    if (level == whole.size()) {
      return memory >= 0 && memory <= rounded;
    }
    long w = whole.get(level);
    long finer = rounded;
    for (int i = level + 1; i < whole.size(); i++) {
      finer += whole.get(i) * giB;
    }
    long from = Math.max(0, Math.floorDiv(memory - finer + w - 1, w));
    long to = Math.min(giB, Math.floorDiv(memory, w));
    for (long a = from; a <= to; a++) {
      if (splitAllowed(a, giB, rounded) && fillable(memory - a * w, level + 1, whole, giB, rounded)) {
        return true;
      }
    }
    return false;
  }

  /** Whether TDMRs of {@code giB} GiB may split into groups of {@code a} and {@code giB - a} GiB within {@code rounded} rounded pages. */
  private boolean splitAllowed(long a, long giB, long rounded) {
    if (a == 0 || a == giB) {
      return true;
    }
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 != 0) {
        pages += Math.floorDiv(a * p + 4095, 4096) + Math.floorDiv((giB - a) * p + 4095, 4096);
      }
    }
    return pages <= rounded;
  }

  /** {@code L}: the whole pages per GiB of the levels whose size per GiB is whole pages. */
  private long wholePagesPerGiB() {
    long whole = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole += p / 4096;
      }
    }
    return whole;
  }

  /**
   * {@code min over granules g of max(B - drop(g) + lack(g), M_g)}: one granule left out exactly.
   * Leaving out granule {@code g} of a run cuts the run in two parts that no TDMR joins, each
   * needing its levels (the rounded ones at least one page per part that holds memory, and one per
   * largest TDMR): so the run's bound drops by at most {@code drop(g)}, which is the whole pages of
   * one GiB and only as much of the rounded levels as the cut really saves (often nothing: the 1G
   * level of a run up to 256 GiB is one page, and so is each part's).
   *
   * <p><b>A stretch sealed inside the granule.</b> {@code lack(g)} is the most, over the stretches
   * {@code σ} of contiguous coverable memory lying wholly inside {@code g}, of {@link #lack}: the
   * padding {@code σ} needs at least. Why it adds to the bound: {@code σ} is outside every TDMR, so
   * all of it is PAMT, and a level lies in contiguous TDX memory, so every level meeting {@code σ}
   * lies inside it: those levels, with their padding, fill {@code σ} exactly. Let the layout's
   * TDMRs (those without memory included) cover {@code G'} GiB in all and have {@code R} pages of
   * rounded levels. The levels in {@code σ} have {@code sum_k w_k·A_k + c} pages at their least
   * ({@code w_k} the pages per GiB of whole level {@code k}, {@code A_k ≤ G'} the GiB of the TDMRs
   * whose level {@code k} lies in {@code σ}, {@code c ≤ R} their rounded pages), so the padding is at
   * least {@code lack(σ; G', R)}, the least {@code |σ| - fill} over such fills no larger than {@code
   * |σ|}; and the PAMT is at least {@code L·G' + R + lack(σ; G', R)}. One GiB more lets every
   * {@code A_k} grow by one, so the fill by at most {@code L} and the lack drops by at most what the
   * levels cost more; one rounded page more raises the fill by at most one: the sum never falls as
   * {@code G'} or {@code R} grows. {@code G'} is at least the other memory granules, {@code n - 1},
   * and {@code R} at least the rounded part {@code R_g} of {@code B - drop(g) = L·(n - 1) + R_g}; so
   * the PAMT is at least {@code B - drop(g) + lack(σ; n - 1, R_g)}. Per node the same holds for the
   * PAMT on the node ({@code σ} lies on it; a level of a TDMR without memory in {@code σ} is PAMT on
   * the node beside the node's TDMRs' levels, and only lowers what those must fill). On node 0 of a
   * multi-socket host whose low granule 1 holds an island of 32 743 pages between holes, that
   * granule is not worth leaving out (no levels of 1 GiB and 254 GiB come within a thousand pages
   * of it), so the node's bound is that of leaving out granule 0 instead.
   *
   * <p><b>Stretches too small for the largest level.</b> Let {@code K} be the level whose piece of a
   * 1 GiB TDMR is largest (the 4K level: 1 024 pages with 16-byte entries) and {@code small(g)} the
   * pages of the stretches sealed inside {@code g} with fewer pages than that piece. No level
   * {@code K} lies in such a stretch (a level of a TDMR of {@code N ≥ 1} GiB has at least the pages
   * of a 1 GiB TDMR's, and a level meeting a sealed stretch lies inside it), and all of its memory
   * is PAMT: so the PAMT has the pages of the small stretches besides those of the levels {@code K},
   * which are at least {@code ceil(G'·p_K / 4096)} ({@code ceil} is subadditive over the TDMRs) with
   * {@code G' ≥ n - 1}. So the PAMT is at least {@code levels_K(n - 1) + small(g)}: unlike the lack,
   * which is that of one stretch, this adds up every small stretch. Per node the same holds for the
   * PAMT on the node (node X's TDMRs have their levels on X, and the small stretches lie on X). On
   * node 0 of a two-socket host of 192 GiB per node whose granule 1 holds 15 islands of 10 to 8 017
   * pages between holes (2 802 pages in those below 1 024), leaving granule 1 out needs at least
   * 1 024 · 191 + 2 802 = 198 386 pages, more than covering it (196 994): so the node's bound is the
   * covering one.
   */
  private long oneGranuleLeftOut(long b, List<Run> some) {
    long best = Long.MAX_VALUE;
    long n = some.stream().mapToLong(Run::giB).sum();
    List<long[]> stretches = memoryStretches();
    PageSize largest = largestLevel();
    for (Run r : some) {
      long whole = runPages(r);
      long offset = 0;
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell cell = instance.cells().get(i);
        long pages = granulePages(cell);
        for (long j = offset; j < offset + cell.sizeGiB(); j++) {
          long drop = whole - partPages(j) - partPages(r.giB() - j - 1);
          long levels = b - drop;
          long from = (cell.range().start() / 4096) + (j - offset) * Instance.GIB_PAGES;
          long sealed = 0;
          long small = 0;
          for (long[] st : stretches) {
            if (st[0] >= from && st[1] <= from + Instance.GIB_PAGES) {
              sealed = Math.max(sealed, lack(st[1] - st[0], n - 1, levels - (n - 1) * wholePagesPerGiB()));
              small += st[1] - st[0] < instance.levelPages(1, largest) ? st[1] - st[0] : 0;
            }
          }
          long value = levels + sealed;
          if (sealed == 0 && value >= pages && value < best && !chainsMayFill(some, r, j, from, stretches)) {
            value++;
          }
          long besideSmall = instance.levelPages(n - 1, largest) + small;
          best = Math.min(best, Math.max(Math.max(value, besideSmall), pages));
        }
        offset += cell.sizeGiB();
      }
    }
    return best;
  }

  /** The level whose piece of a 1 GiB TDMR has the most pages (the 4K level). */
  private PageSize largestLevel() {
    PageSize largest = PageSize.SIZE_4K;
    for (PageSize level : PageSize.values()) {
      if (instance.levelPages(1, level) > instance.levelPages(1, largest)) {
        largest = level;
      }
    }
    return largest;
  }

  /**
   * Whether a layout leaving out exactly granule {@code j} of run {@code r} (its first page {@code
   * from}) might have exactly {@code B - drop(g)} pages of PAMT ({@link #oneGranuleLeftOut}): false
   * only when such a layout's TDMRs are known and their levels cannot cover the granule's memory.
   *
   * <p><b>Why.</b> With exactly {@code B - drop(g)} pages every inequality of the class comment is an
   * equality: no level is padded, there is no TDMR without memory, and each part of a run (the two
   * parts of {@code r} beside {@code g}, every other run of {@code some} whole) is covered by TDMRs
   * lying within it whose rounded levels have exactly the part's least pages. When a part of {@code
   * m} GiB has a rounded level of one page ({@code m·p ≤ 4096}) and {@code m} is at most the largest
   * TDMR, it has exactly one TDMR (each has a page of that level), and that TDMR covers the part
   * exactly (its whole levels pay for every GiB it covers); so the levels are known. (Per node, with
   * no remote PAMT, the PAMT on the node is exactly its TDMRs' levels: a TDMR without memory adds its
   * pages, and another node's levels lie on that node.) The memory of {@code g} is all PAMT: each
   * stretch of contiguous memory inside {@code g} holds only levels lying wholly inside it, which
   * fill it exactly; each stretch that goes on past the granule's edge is covered by the levels that
   * meet it, which have at least its pages; a level lies in contiguous memory, so it meets one stretch
   * of {@code g} at most. So some levels, each given to one stretch at most, must sum to exactly
   * each sealed stretch and to at least each open one; when none do, {@code B - drop(g) + 1} holds.
   * On node 1 of the generated two-socket "memmap" host (seed 7, 14 holes), leaving out granule 367
   * with TDMRs of 109 and 146 GiB would need 218 021 pages of PAMT below the 37 MiB hole, more than
   * either 4K level (111 616 and 149 504 pages) and the finer levels, and so both 4K levels, which
   * leaves 512 pages for the 34 581 above it.
   */
  private boolean chainsMayFill(List<Run> some, Run r, long j, long from, List<long[]> stretches) {
    List<Long> groups = new ArrayList<>();
    for (Run other : some) {
      if (other.pieces().size() != 1) {
        return true;
      }
      if (other != r) {
        groups.add(other.giB());
      }
    }
    groups.add(j);
    groups.add(r.giB() - j - 1);
    groups.removeIf(g -> g == 0);
    if (!groups.stream().allMatch(this::oneTdmr)) {
      return true;
    }
    return levelsMayFill(groups, from, 0, stretches);
  }

  /**
   * Whether the levels of one TDMR of each of {@code tdmrGiB} GiB, with at most {@code padding}
   * pages of padding, can cover the memory of the granule starting at page {@code from} when it is
   * left out of every TDMR: some levels, each given to one stretch of the granule's memory at most,
   * every stretch getting one at least, that sum to at most each sealed stretch's pages and, with the
   * padding, to at least each stretch's pages ({@link #chainsMayFill} gives the argument). True
   * when the search runs past its steps.
   */
  private boolean levelsMayFill(List<Long> tdmrGiB, long from, long padding, List<long[]> stretches) {
    List<Long> levels = new ArrayList<>();
    for (long giB : tdmrGiB) {
      for (PageSize level : instance.pieceLevels()) {
        levels.add(instance.levelPages(giB, level));
      }
    }
    levels.sort(java.util.Comparator.reverseOrder());
    List<long[]> parts = new ArrayList<>();
    long to = from + Instance.GIB_PAGES;
    for (long[] st : stretches) {
      long lo = Math.max(st[0], from);
      long hi = Math.min(st[1], to);
      if (lo < hi) {
        // {pages, sealed (1) or open (0)}
        parts.add(new long[] {hi - lo, st[0] >= from && st[1] <= to ? 1 : 0});
      }
    }
    long[] suffix = new long[levels.size() + 1];
    for (int i = levels.size() - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + levels.get(i);
    }
    long[] steps = {0};
    return new Cover(levels, suffix, parts, padding).from(0, steps) || steps[0] > MOST_COVER_STEPS;
  }

  /**
   * A lower bound on the TDMRs of every layout with exactly {@code pamtPages} pages of PAMT that gives
   * up no coverable memory, where that PAMT leaves exactly one memory granule out of every TDMR;
   * empty where it does not (the bound of this instance's runs, not cut by nodes).
   *
   * <p><b>Why.</b> With {@code L} whole pages per GiB and {@code n} memory granules, let {@code P =
   * L·(n - 1) + ρ} with {@code 0 ≤ ρ < L}. Covering every granule costs at least {@code L·n > P}
   * pages, and two granules left out hold more memory than {@code P} when the two smallest do (their
   * memory is all PAMT): so exactly one granule {@code g} is left out. A TDMR over a granule without
   * memory would cost {@code L} pages more than {@code P} allows, so the TDMRs lie over the memory
   * granules but {@code g}, each within one part (a run less {@code g}), and each part needs one at
   * least. With exactly one TDMR per part, each covers its part exactly, so the levels are known
   * (when each part is one TDMR in {@link #oneTdmr}'s sense), their rounded pages {@code R} too, and
   * the padding is exactly {@code ρ - R}; the memory of {@code g} is all PAMT, so some levels with at
   * most that padding cover its stretches ({@link #chainsMayFill}). Where they cannot, or {@code ρ <
   * R}, that granule needs a TDMR more than it has parts; with exactly one more, one part has two
   * TDMRs, which cover it exactly, cut at some GiB: where no cut lets the levels cover the stretches
   * either, it needs two more. The bound is the least over the granules
   * holding at most {@code P} pages of memory. On node 1 of the sweep's memmap-14 (seed 7) alone, at
   * its least PAMT of 261 633 pages ({@code ρ = 3}): two TDMRs around any granule leave one page of
   * padding, and no granule's two sides are covered by them ({@link #chainsMayFill}'s example); the
   * top granule, left out with one TDMR below it or two, leaves 126 564 pages sealed above its hole
   * that 4K levels of 123 GiB and at most 510 + 2 + 1 pages more do not fill: so at least 3 TDMRs.
   */
  public OptionalLong leastTdmrsLeavingOneGranule(long pamtPages) {
    if (!sound || runs.isEmpty()) {
      return OptionalLong.empty();
    }
    long whole = wholePagesPerGiB();
    long n = runs.stream().mapToLong(Run::giB).sum();
    if (pamtPages >= whole * n || pamtPages < whole * (n - 1)) {
      return OptionalLong.empty();
    }
    long rho = pamtPages - whole * (n - 1);
    List<Long> memory = new ArrayList<>();
    for (Run r : runs) {
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        for (long k = 0; k < instance.cells().get(i).sizeGiB(); k++) {
          memory.add(granulePages(instance.cells().get(i)));
        }
      }
    }
    memory.sort(null);
    if (memory.size() >= 2 && memory.get(0) + memory.get(1) <= pamtPages) {
      return OptionalLong.empty();
    }
    List<long[]> stretches = memoryStretches();
    long best = Long.MAX_VALUE;
    for (Run r : runs) {
      long offset = 0;
      for (int i = r.firstCell(); i <= r.lastCell(); i++) {
        Cell cell = instance.cells().get(i);
        for (long j = offset; j < offset + cell.sizeGiB(); j++) {
          if (granulePages(cell) > pamtPages) {
            continue;
          }
          List<Long> groups = new ArrayList<>();
          for (Run other : runs) {
            if (other != r) {
              groups.add(other.giB());
            }
          }
          groups.add(j);
          groups.add(r.giB() - j - 1);
          groups.removeIf(g -> g == 0);
          long count = groups.size();
          long from = (cell.range().start() / 4096) + (j - offset) * Instance.GIB_PAGES;
          if (!mayFillWith(groups, from, rho, stretches)) {
            count++;
            if (!mayFillWithOneCut(groups, from, rho, stretches)) {
              count++;
            }
          }
          best = Math.min(best, count);
        }
        offset += cell.sizeGiB();
      }
    }
    return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
  }

  /**
   * Whether one TDMR over each of {@code groups} (GiB) might fill the granule from page {@code from}
   * with {@code rho} pages for the rounded levels and the padding ({@link
   * #leastTdmrsLeavingOneGranule}); true where the levels are not known.
   */
  private boolean mayFillWith(List<Long> groups, long from, long rho, List<long[]> stretches) {
    if (!groups.stream().allMatch(this::oneTdmr)) {
      return true;
    }
    long rounded = 0;
    for (long giB : groups) {
      rounded += partPages(giB) - giB * wholePagesPerGiB();
    }
    return rho >= rounded && levelsMayFill(groups, from, rho - rounded, stretches);
  }

  /**
   * Whether {@link #mayFillWith} holds with one of {@code groups} cut in two somewhere: a TDMR more
   * than the parts, so one part has two, which cover it exactly.
   */
  private boolean mayFillWithOneCut(List<Long> groups, long from, long rho, List<long[]> stretches) {
    for (int p = 0; p < groups.size(); p++) {
      for (long c = 1; c < groups.get(p); c++) {
        List<Long> cut = new ArrayList<>(groups);
        cut.set(p, c);
        cut.add(groups.get(p) - c);
        if (mayFillWith(cut, from, rho, stretches)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The most steps {@link Cover} takes; past them a granule counts as coverable. */
  private static final long MOST_COVER_STEPS = 200_000;

  /**
   * A search for levels covering a granule's stretches ({@link #levelsMayFill}): each level to one
   * stretch or to none, largest first.
   */
  private record Cover(List<Long> levels, long[] suffix, List<long[]> parts, long padding, long[] got, int[] count) {
    Cover(List<Long> levels, long[] suffix, List<long[]> parts, long padding) {
      this(levels, suffix, parts, padding, new long[parts.size()], new int[parts.size()]);
    }

    boolean from(int i, long[] steps) {
      if (++steps[0] > MOST_COVER_STEPS) {
        return true;
      }
      long missing = 0;
      boolean each = true;
      for (int k = 0; k < parts.size(); k++) {
        missing += Math.max(0, parts.get(k)[0] - got[k]);
        each &= count[k] > 0;
      }
      if (each && missing <= padding) {
        return true;
      }
      if (i == levels.size() || missing - suffix[i] > padding) {
        return false;
      }
      long l = levels.get(i);
      for (int k = 0; k < parts.size(); k++) {
        long[] part = parts.get(k);
        if (got[k] >= part[0] && count[k] > 0 || part[1] == 1 && got[k] + l > part[0]) {
          continue;
        }
        got[k] += l;
        count[k]++;
        boolean ok = from(i + 1, steps);
        got[k] -= l;
        count[k]--;
        if (ok) {
          return true;
        }
      }
      return from(i + 1, steps);
    }
  }

  /**
   * Whether every TDMR set covering {@code giB} adjacent memory granules with the least rounded pages
   * is one TDMR: some rounded level has one page for all of them, and one TDMR may be that large.
   */
  private boolean oneTdmr(long giB) {
    if (giB > instance.largestTdmrGiB()) {
      return false;
    }
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 != 0 && giB * p <= 4096) {
        return true;
      }
    }
    return false;
  }

  /** The most fills {@link #lack} tries; with more it says 0 (nothing). */
  private static final long MOST_FILLS = 1_000_000;

  /**
   * {@code lack(σ; G', R)} of {@link #oneGranuleLeftOut}: the least {@code pages - fill} over the
   * fills {@code sum_k w_k·A_k + c <= pages} with every {@code A_k} in {@code [0, giB]} and {@code c}
   * in {@code [0, rounded]}; 0 when there are too many to try. The whole levels are tried coarsest
   * first; the finest takes as many GiB as fit and the rounded pages the rest (taking one GiB fewer
   * of it frees {@code w} pages, which at most {@code w} rounded pages can take back).
   */
  private long lack(long pages, long giB, long rounded) {
    List<Long> whole = new ArrayList<>();
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0 && p > 0) {
        whole.add(p / 4096);
      }
    }
    whole.sort(java.util.Comparator.reverseOrder());
    long[] tried = {0};
    long least = lack(pages, 0, whole, Math.max(0, giB), Math.max(0, rounded), tried);
    return tried[0] > MOST_FILLS ? 0 : least;
  }

  private static long lack(long pages, int k, List<Long> whole, long giB, long rounded, long[] tried) {
    if (++tried[0] > MOST_FILLS) {
      return 0;
    }
    if (k == whole.size()) {
      return pages - Math.min(pages, rounded);
    }
    long w = whole.get(k);
    long most = Math.min(giB, pages / w);
    if (k == whole.size() - 1) {
      return lack(pages - most * w, k + 1, whole, giB, rounded, tried);
    }
    long least = pages;
    for (long a = most; a >= 0 && least > 0; a--) {
      least = Math.min(least, lack(pages - a * w, k + 1, whole, giB, rounded, tried));
    }
    return least;
  }

  /**
   * The most pages of levels that leaving {@code l} granules of {@code some} runs out of every TDMR
   * can save: their whole pages, and per run that loses {@code j} of its {@code n} granules its
   * rounded pages less those of {@code n - j} granules in one part (more parts only need more),
   * shared among the runs in the best way.
   */
  private long mostSaved(long l, List<Run> some, boolean wholeRuns) {
    long whole = wholePagesPerGiB();
    // saved[j]: the most rounded pages saved by taking j granules out of the runs so far.
    int most = (int) Math.min(l, Integer.MAX_VALUE - 1);
    long[] saved = new long[most + 1];
    java.util.Arrays.fill(saved, 1, most + 1, Long.MIN_VALUE);
    for (Run r : some) {
      long[] next = saved.clone();
      long full = roundedPages(r.giB(), r.leastTdmrs());
      for (int j = 1; j <= most && j <= (wholeRuns ? r.giB() : r.giB() - 1); j++) {
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
  public long granulePages(Cell c) {
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
   * A lower bound on the PAMT pages of every layout that gives up no coverable memory (and has no
   * remote PAMT, when the bound is taken per node) and has a TDMR lying wholly inside the PLAIN
   * cell {@code inner} without reaching either of its ends; empty when the cell holds no coverable
   * memory or the entry sizes make the argument fail. It is the bound of {@link #leastPamtPages}
   * with the rounded levels of the run {@code r} holding {@code inner} (GiB {@code n}, least TDMRs
   * {@code k}) taken under at least 3 TDMRs instead of {@code k}: {@code extra =
   * roundedPages(n, max(k, 3)) - roundedPages(n, k)} pages more when no granule is left out, and
   * for {@code l} granules left out the larger of that {@code l}'s term and {@code B + extra - c·l}.
   *
   * <p>Why. Let the TDMR be {@code [a, b)} with the cell's start {@code < a} and {@code b <} its end.
   * The granules {@code [a - 1 GiB, a)} and {@code [b, b + 1 GiB)} lie in the cell, so they hold
   * coverable memory of run {@code r}; each is covered by a TDMR other than this one (one below it,
   * one above it, so two different TDMRs) or left out of every TDMR. So the TDMRs over {@code r}'s
   * granules and the granules of the cell left out number at least 3 together. With no granule left
   * out, at least 3 TDMRs lie over {@code r}; in the class comment's charging each pays {@code r} at
   * least one page per rounded level for its part ({@code ceil} of a positive size), and {@code ceil}
   * is subadditive, so {@code r}'s rounded levels have at least {@code roundedPages(n, max(k, 3))}
   * pages and the layout at least {@code B + extra}. Leaving out one granule lowers the whole pages
   * by {@code L} and each rounded level's {@code max(ceil, k, 3)} by at most {@code ceil(p / 4096)}
   * (the count of TDMRs and left-out granules of the cell stays at least 3; {@code k} drops by at
   * most one, as in the class comment), so by at most {@code c} in all; the term of {@link
   * #leastPamtPages} for {@code l} holds for every layout. Per node, only the node of {@code r} gets
   * the extra pages; the other nodes keep their terms.
   */
  public OptionalLong leastPamtPagesWithInnerTdmr(Cell inner) {
    if (!sound || runs.isEmpty() || inner.kind() != Instance.Kind.PLAIN) {
      return OptionalLong.empty();
    }
    Run holding = null;
    for (Run r : runs) {
      if (r.firstCell() <= inner.index() && inner.index() <= r.lastCell()) {
        holding = r;
      }
    }
    if (holding == null) {
      return OptionalLong.empty();
    }
    long extra = roundedPages(holding.giB(), Math.max(holding.leastTdmrs(), 3))
        - roundedPages(holding.giB(), holding.leastTdmrs());
    if (perNodeCovering.isEmpty()) {
      return OptionalLong.of(withGranulesLeftOut(leastCoveringPages, extra, runs));
    }
    long pages = 0;
    for (Map.Entry<Integer, List<Run>> e : perNodeRuns.entrySet()) {
      pages += e.getValue().contains(holding)
          ? withGranulesLeftOut(perNodeCovering.get(e.getKey()), extra, e.getValue())
          : perNode.get(e.getKey());
    }
    return OptionalLong.of(pages);
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
   * A lower bound on the TDMRs of any layout with {@link #leastPamtPages} pages of PAMT: {@link
   * #leastTdmrs} when that is known, else 2 when no layout with one TDMR has that PAMT ({@link
   * #oneTdmrPossible}), else empty. Unlike {@link #leastTdmrs} it says nothing about which TDMRs.
   */
  public OptionalLong leastTdmrsAtLeastPamt() {
    OptionalLong covering = leastTdmrs();
    if (covering.isPresent() || !sound || runs.isEmpty()) {
      return covering;
    }
    return oneTdmrPossible(leastPages) ? OptionalLong.empty() : OptionalLong.of(2);
  }

  /** The most pairs of TDMR ends {@link #oneTdmrPossible} tries before it gives up (saying possible). */
  private static final long MOST_ONE_TDMR_PAIRS = 1_000_000;

  /**
   * Whether a layout with one TDMR {@code [x, y)} (GiB) and {@code pages} pages of PAMT might exist.
   * Its levels have at least {@code levels(y - x)} pages, at most {@code pages}, leaving {@code δ}
   * pages of padding; all memory outside it is PAMT, so at most {@code pages}; and a stretch of
   * contiguous coverable memory wholly outside it is filled exactly by some of its three levels (a
   * level lies in contiguous TDX memory), so there are at most three such stretches, each at least
   * the minimums of its levels and at most that plus the padding, all stretches together using at
   * most {@code δ}. A TDMR reaching outside the window has the memory of its part inside the window,
   * and that part's smaller levels with more padding fit wherever its own do; so only TDMRs inside the
   * window are tried. Says true (possible) when there are too many to try.
   */
  private boolean oneTdmrPossible(long pages) {
    List<long[]> stretches = memoryStretches();
    long total = stretches.stream().mapToLong(r -> r[1] - r[0]).sum();
    List<Cell> cells = instance.cells();
    long lo = cells.get(0).range().start() / (Instance.GIB_PAGES * 4096);
    long hi = cells.get(cells.size() - 1).range().end() / (Instance.GIB_PAGES * 4096);
    long tried = 0;
    for (long x = lo; x < hi && memoryIn(stretches, lo, x) <= pages; x++) {
      for (long y = hi; y > x && memoryIn(stretches, y, hi) <= pages; y--) {
        if (++tried > MOST_ONE_TDMR_PAIRS) {
          return true;
        }
        long levels = levelPages(List.of(), y - x);
        if (levels > pages || total - memoryIn(stretches, x, y) > pages) {
          continue;
        }
        List<Long> outside = new ArrayList<>();
        for (long[] r : stretches) {
          if (r[1] <= x * Instance.GIB_PAGES || r[0] >= y * Instance.GIB_PAGES) {
            outside.add(r[1] - r[0]);
          }
        }
        if (outside.size() <= 3 && levelsFill(outside, y - x, pages - levels)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the three levels of one TDMR of {@code giB} GiB, padded by at most {@code padding} pages in all, can fill each of {@code stretches} exactly. */
  private boolean levelsFill(List<Long> stretches, long giB, long padding) {
    List<PageSize> levels = instance.pieceLevels();
    int q = stretches.size();
    int ways = 1;
    for (int i = 0; i < levels.size(); i++) {
      ways *= q + 1;
    }
    for (int code = 0; code < ways; code++) {
      long[] least = new long[q];
      int[] count = new int[q];
      int c = code;
      for (PageSize level : levels) {
        int where = c % (q + 1);
        c /= q + 1;
        if (where < q) {
          least[where] += instance.piecePages(giB, level);
          count[where]++;
        }
      }
      long used = 0;
      boolean fits = true;
      for (int i = 0; i < q && fits; i++) {
        fits = count[i] > 0 && least[i] <= stretches.get(i);
        used += stretches.get(i) - least[i];
      }
      if (fits && used <= padding) {
        return true;
      }
    }
    return false;
  }

  /** Maximal stretches of contiguous coverable memory of the window, as {@code [start, end)} in pages. */
  private List<long[]> memoryStretches() {
    List<long[]> out = new ArrayList<>();
    for (Atom a : instance.atoms()) {
      if (!a.memory() || a.dead()) {
        continue;
      }
      long start = a.range().start() / 4096;
      long end = a.range().end() / 4096;
      if (!out.isEmpty() && out.get(out.size() - 1)[1] == start) {
        out.get(out.size() - 1)[1] = end;
      } else {
        out.add(new long[] {start, end});
      }
    }
    return out;
  }

  /** Pages of {@code stretches} inside the granules {@code [from, to)} (GiB). */
  private static long memoryIn(List<long[]> stretches, long from, long to) {
    long pages = 0;
    for (long[] r : stretches) {
      pages += Math.max(0, Math.min(r[1], to * Instance.GIB_PAGES) - Math.max(r[0], from * Instance.GIB_PAGES));
    }
    return pages;
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

  /** The least pages of the levels of {@code tdmrs} (runs of whole cells) and of one more TDMR of {@code giB} GiB. */
  private long levelPages(List<List<Integer>> tdmrs, long giB) {
    return levelPages(tdmrs) + instance.levelsPages(giB);
  }

  /**
   * Candidate TDMRs for a start that leaves {@code l} granules at one end of a run out of every
   * TDMR, filled with PAMT (the run's own 4K level can fill them, reaching into its TDMR's reserved
   * area): one TDMR per run, one of them shortened at its low or high end, when their levels have
   * exactly {@link #leastPamtPages} pages and the memory left out is at most that. As GiB ranges
   * {@code [x, y)}, because the end may lie inside a cell. Only when no run is cut by nodes; at most
   * {@code most}. Candidates only: whether PAMT can fill the granules is the model's question.
   */
  public List<List<long[]>> runEndCandidates(int most) {
    List<List<long[]>> out = new ArrayList<>();
    if (!sound || runs.isEmpty() || leastPages >= leastCoveringPages
        || runs.stream().anyMatch(r -> r.pieces().size() != 1)) {
      return out;
    }
    List<long[]> whole = new ArrayList<>();
    for (Run r : runs) {
      whole.add(new long[] {giB(instance.cells().get(r.firstCell()).range().start()),
          giB(instance.cells().get(r.lastCell()).range().end())});
    }
    long mostLeftOut = (leastCoveringPages - leastPages) / Math.max(1, wholePagesPerGiB()) + 1;
    List<long[]> stretches = memoryStretches();
    for (int i = 0; i < whole.size() && out.size() < most; i++) {
      long[] run = whole.get(i);
      for (long l = 1; l <= mostLeftOut && l < run[1] - run[0] && out.size() < most; l++) {
        for (boolean high : new boolean[] {true, false}) {
          long[] kept = high ? new long[] {run[0], run[1] - l} : new long[] {run[0] + l, run[1]};
          List<long[]> tdmrs = new ArrayList<>(whole);
          tdmrs.set(i, kept);
          long levels = 0;
          for (long[] t : tdmrs) {
            levels = levelPages(List.of(), t[1] - t[0]) + levels;
          }
          long leftOut = high ? memoryIn(stretches, kept[1], run[1]) : memoryIn(stretches, run[0], kept[0]);
          if (levels == leastPages && leftOut <= leastPages && out.size() < most) {
            out.add(tdmrs);
          }
        }
      }
    }
    return out;
  }

  private static long giB(long address) {
    return address / (Instance.GIB_PAGES * 4096);
  }

  /** The least pages of the levels of TDMRs that are runs of whole cells (no padding). */
  public long levelPages(List<List<Integer>> tdmrs) {
    long pages = 0;
    for (List<Integer> t : tdmrs) {
      pages += instance.levelsPages(t.stream().mapToLong(i -> instance.cells().get(i).sizeGiB()).sum());
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

  /**
   * The TDMRs of every layout with {@code pamtPages} pages of PAMT and {@code tdmrCount} TDMRs (and,
   * with cuts by node, no remote PAMT), as lists of whole cells: those of {@link #tdmrs} when the
   * PAMT is {@link #leastPamtPages}, the count {@link #leastTdmrs} and that count is one TDMR per run
   * piece; else empty. Why: such a layout meets every inequality of the bound with equality (class
   * comment): no memory granule outside every TDMR, no TDMR over a granule without memory or over two
   * runs, so each TDMR lies in one run and each run has at least its least TDMRs; with the total at
   * their sum, each run has exactly that many, one per piece. Without cuts by node a run is one piece;
   * with them, when every granule's memory is on one node, a TDMR over two pieces would describe one
   * piece's memory from another node (remote PAMT); so each piece is one TDMR over all of its
   * granules. (A granule with memory of two nodes could join the TDMR on either side: then nothing
   * is forced.)
   */
  public Optional<List<List<Integer>>> forcedTdmrs(long pamtPages, long tdmrCount) {
    OptionalLong least = leastTdmrs();
    if (least.isEmpty() || leastPamtPages().isEmpty() || leastPamtPages().getAsLong() != pamtPages
        || least.getAsLong() != tdmrCount) {
      return Optional.empty();
    }
    List<List<Integer>> pieces = tdmrs();
    if (pieces.isEmpty() || pieces.size() != tdmrCount) {
      return Optional.empty();
    }
    if (remoteFree && pieces.stream().flatMap(List::stream).anyMatch(k -> instance.cells().get(k).nodes().size() != 1)) {
      return Optional.empty();
    }
    return Optional.of(pieces);
  }

  /**
   * Whether every layout that leaves some memory granule out of every TDMR has more than {@code
   * pamtPages} pages of PAMT, by the terms of the class comment for {@code l ≥ 1} (with {@link
   * #oneGranuleLeftOut}'s); false when unknown, or when the bound is taken per node. {@link
   * TdmrSetsWithoutRoom} uses it: at such a PAMT every layout covers every memory granule. On node
   * 0 of a host of 192 GiB per node whose granule 1 holds 15 islands between holes (194 560 pages in
   * all, fewer than {@code B + 1 = 196 995}) leaving granule 1 out needs at least 198 386 pages: at
   * {@code B + 1} every layout covers granule 1 too.
   */
  public boolean everyLayoutLeavingAGranuleOutAbove(long pamtPages) {
    if (!sound || runs.isEmpty() || !perNode.isEmpty()) {
      return false;
    }
    return leftOutLeast(leastCoveringPages, 0, runs, pamtPages) > pamtPages;
  }

  /** Whether runs are cut where adjacent granules share no node. */
  public boolean remoteFree() {
    return remoteFree;
  }
}
