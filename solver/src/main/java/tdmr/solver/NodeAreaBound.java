package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the reserved areas of all TDMRs together that counts the areas PAMT levels need
 * under PAMT {@code node-local} with no remote PAMT, besides those holes need: {@link #leastAreas}.
 * For the module family ({@link Policy.Family#MODULE}) under coverage {@code all}, given the PAMT
 * pages {@code P} of the layout. It complements {@link AreaCountBound}, which counts runs of holes
 * only: on hosts of many small nodes (say 1.5 GiB each, so that a 1 GiB granule holds memory of two
 * nodes) the PAMT of each node must lie in a reserved area on that node, and one area serves at most
 * the two nodes on either side of the node edge it lies across.
 *
 * <h2>Pieces, runs and demands</h2>
 *
 * Walk the atoms of the window in address order (they must touch). A <em>piece</em> is a maximal
 * sequence of usable atoms (convertible TDX memory) of one node; a <em>run</em>, as in {@link
 * AreaCountBound}, is a maximal sequence of atoms none of them usable that holds a must-reserve atom
 * (a gap {@link Instance#mustReserve} or memory outside every CMR), {@code [s, e)} from its first to
 * its last must-reserve atom. The pieces and runs, in address order, are the <em>elements</em>. A run
 * is a <em>demand</em> when {@code s} is not on a 1 GiB boundary and the granule holding it holds
 * usable memory, or the same for {@code e - 1}. A piece is a demand when it is the only piece of its
 * node {@code X} and some cell holds usable memory and memory of node {@code X} only.
 *
 * <h2>Why every layout has at least the least number of intervals of elements that meet every demand</h2>
 *
 * The bound applies when every granule holding usable memory holds more than {@code P} pages of it
 * (else it is 0). Then no such granule lies outside every TDMR (its memory would all be PAMT, rule of
 * coverage {@code all}), so every usable page lies in a TDMR. PAMT lies in usable memory (rule D6 and
 * the OS rule) but not in the non-reserved part of any TDMR (rule D5), so every PAMT page lies in a
 * reserved area. A reserved area lies in one TDMR, and TDMRs do not overlap, so the usable memory
 * inside an area is in no TDMR's non-reserved part: it is all PAMT. Areas are pairwise disjoint (rule
 * C4 within a TDMR; TDMRs do not overlap), so the usable memory inside all areas is at most {@code P}.
 *
 * <p>Say an area <em>touches</em> a piece when it holds a page of it, and a run when it holds a byte
 * of {@code [s, e)}. An area is one range, and the elements are disjoint ranges in address order, so
 * the elements it touches are consecutive, and it holds every element between the first and the last
 * of them wholly; the pieces among those (its <em>inner pieces</em>) are all PAMT. Every demand is
 * touched by some area:
 *
 * <ul>
 *   <li>A demand run: the granule holding {@code s} (or {@code e - 1}) holds usable memory, so it lies
 *       in a TDMR (a TDMR covers whole granules), which then holds the must-reserve atom at {@code s}:
 *       inside a TDMR that atom lies in a reserved area (rules E1 and, for gaps under holes {@code
 *       memlist}, the holes policy).
 *   <li>A demand piece of node {@code X}: the cell holding usable memory and memory of {@code X} only
 *       has a granule in some TDMR {@code T}. With no remote PAMT, each of {@code T}'s levels lies on
 *       nodes that all have memory in that granule ({@link tdmr.check.RemotePamt}; a level on no node
 *       is remote to it), so on {@code X} alone: it holds usable memory of {@code X}, which is all in
 *       the one piece of {@code X}, in a reserved area as shown above.
 * </ul>
 *
 * <p><em>Walls.</em> A GiB boundary {@code w} whose granules on either side both hold TDX memory, of
 * no common node, lies inside no TDMR: each level of a TDMR over both granules would lie on nodes
 * having memory in both ({@link tdmr.check.RemotePamt}), and there are none. An area lies in one
 * TDMR, so it holds no byte on each side of a wall: no area touches two elements with a wall
 * between them (at or after the end of the first, at or before the start of the second).
 *
 * <p><em>Caps per node.</em> When {@code P} is the bound {@code B} of {@link ModuleFamilyBounds} at
 * which it proves the least TDMRs, no level is padded and no TDMR holds a granule without memory
 * (its TDMR bound). A PAMT page on node X belongs to a level overlapping memory of X, whose TDMR has
 * memory of X in each of its granules; those TDMRs are disjoint, so their levels have at most
 * {@code levelPages(1)} pages (all three levels) per granule holding memory of X ({@code ceil(g·p /
 * 4096) <= g·ceil(p / 4096)}). A piece of X with more pages than that is inner to no area. Nor is a
 * piece of X with no usable memory next to it on either side whose pages are no sum of levels of
 * TDMRs of at most as many GiB in all (each level at its least size, each at most once): a level
 * is one range of usable memory, so those overlapping such a piece lie wholly in it, and an inner
 * piece is all PAMT, each page of one level (rule D4). The same holds, with "granules holding memory
 * of X" read as "GiB from X's first to its last memory granule", when {@code P} is the bound of
 * {@link LeftOutPamtBound} at the TDMR limit and every layout with that PAMT has unpadded levels
 * over covering runs ({@link LeftOutPamtBound#unpaddedAt}): a TDMR with a level on X then lies
 * over granules holding memory of X and those between them, so within that span. On the sweeps'
 * hosts of 1.5 GiB nodes, nodes 0 and 1 within 2 TDMRs at 7 184 pages: the islands of node 0's low
 * memory between holes (874 and 18 892 pages) are no sums of unpadded levels of TDMRs of 6 GiB in
 * all, so each of its four runs of holes needs its own area, and node 1's levels one more: 5, where
 * the bound without caps was 4.
 *
 * <p>So the areas that touch an element give intervals of elements, each touching at least one,
 * none across a wall, that meet every demand, with inner pieces of at most {@code P} pages in all
 * and none above its node's cap. {@link #leastAreas} is the least number of such intervals (found
 * exactly by a dynamic program over the elements, by the least pages of inner pieces for each count
 * of intervals); it is a lower bound on every layout's areas.
 *
 * <p>Example: 8 nodes of 1.5 GiB from 4 GiB (node 0 also has low memory with holes), each node one
 * piece above 4 GiB, touching the next. Nodes 1 to 7 have granules of their own. One area touching
 * three of those pieces would hold the middle one wholly, 393 216 pages, more than all PAMT; so each
 * area meets at most two of them: 4 areas, plus those the runs of holes below 4 GiB need.
 */
public final class NodeAreaBound {
  private final Instance instance;
  private final boolean applies;
  /** Pages of each element that is a piece, 0 for runs. */
  private final List<Long> piecePages = new ArrayList<>();
  /** Whether each element is a piece (else a run). */
  private final List<Boolean> isPiece = new ArrayList<>();
  /** Whether each element is a demand. */
  private final List<Boolean> demand = new ArrayList<>();
  /** The node of each element that is a piece, -1 for runs. */
  private final List<Integer> pieceNode = new ArrayList<>();
  /** Per element: a piece whose neighbours on both sides are no usable memory (so levels in it lie wholly in it). */
  private final List<Boolean> enclosed = new ArrayList<>();
  /** Each element's first and one past its last byte. */
  private final List<long[]> span = new ArrayList<>();
  /** Per element but the last: whether a wall lies between it and the next (class comment). */
  private final List<Boolean> wallAfter = new ArrayList<>();
  /** The least usable pages of a granule holding usable memory. */
  private long leastGranulePages = Long.MAX_VALUE;

  public NodeAreaBound(Instance instance) {
    this.instance = instance;
    List<Atom> atoms = instance.atoms();
    boolean contiguous = true;
    for (int i = 0; i + 1 < atoms.size(); i++) {
      contiguous &= atoms.get(i).range().end() == atoms.get(i + 1).range().start();
    }
    this.applies = instance.moduleFamily() && instance.policy().coverage() == Policy.Coverage.ALL
        && instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
        && instance.impossibilities().isEmpty() && contiguous && !atoms.isEmpty();
    if (!applies) {
      return;
    }
    for (Cell c : instance.cells()) {
      long pages = instance.usablePages(c);
      if (pages > 0) {
        leastGranulePages = Math.min(leastGranulePages, c.kind() == Instance.Kind.MIXED ? pages : Instance.GIB_PAGES);
      }
    }
    elements(atoms);
    walls();
  }

  /** Cuts the atoms into pieces and runs, and marks the demands (class comment). */
  private void elements(List<Atom> atoms) {
    Map<Integer, Integer> piecesOfNode = new HashMap<>();
    int i = 0;
    while (i < atoms.size()) {
      Atom a = atoms.get(i);
      if (a.usable()) {
        long pages = 0;
        int j = i;
        while (j < atoms.size() && atoms.get(j).usable() && atoms.get(j).node() == a.node()) {
          pages += atoms.get(j).pages();
          j++;
        }
        add(true, pages, false, a.range().start(), atoms.get(j - 1).range().end());
        enclosed.set(enclosed.size() - 1, (i == 0 || !atoms.get(i - 1).usable()) && (j == atoms.size() || !atoms.get(j).usable()));
        pieceNode.add(a.node());
        piecesOfNode.merge(a.node(), 1, Integer::sum);
        i = j;
        continue;
      }
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
        add(false, 0, demandRun(atoms.get(first), atoms.get(last)), atoms.get(first).range().start(),
            atoms.get(last).range().end());
        pieceNode.add(-1);
      }
      i = j;
    }
    for (int k = 0; k < isPiece.size(); k++) {
      int node = pieceNode.get(k);
      if (isPiece.get(k) && piecesOfNode.get(node) == 1 && hasGranuleOfItsOwn(node)) {
        demand.set(k, true);
      }
    }
  }

  private void add(boolean piece, long pages, boolean isDemand, long start, long end) {
    isPiece.add(piece);
    piecePages.add(pages);
    demand.add(isDemand);
    span.add(new long[] {start, end});
    enclosed.add(false);
  }

  /** Marks the walls between consecutive elements (class comment). */
  private void walls() {
    TreeMap<Long, Cell> cellAt = new TreeMap<>();
    instance.cells().forEach(c -> cellAt.put(c.range().start(), c));
    for (int k = 0; k + 1 < span.size(); k++) {
      long from = ByteSize.alignUp(span.get(k)[1], ByteSize.GiB);
      boolean wall = false;
      for (long w = from; w <= span.get(k + 1)[0] && !wall; w += ByteSize.GiB) {
        wall = isWall(cellAt, w);
      }
      wallAfter.add(wall);
    }
  }

  /** Whether the granules on either side of the GiB boundary {@code w} hold memory of no common node. */
  private static boolean isWall(TreeMap<Long, Cell> cellAt, long w) {
    var below = cellAt.floorEntry(w - 1);
    var above = cellAt.floorEntry(w);
    if (below == null || above == null || below.getValue().range().end() <= w - 1
        || above.getValue().range().end() <= w) {
      return false;
    }
    List<Integer> a = below.getValue().nodes();
    List<Integer> b = above.getValue().nodes();
    return !a.isEmpty() && !b.isEmpty() && a.stream().noneMatch(b::contains);
  }

  /** A run whose start or end lies inside a granule holding usable memory (class comment). */
  private boolean demandRun(Atom first, Atom last) {
    long s = first.range().start();
    long e = last.range().end();
    // An atom edge off a GiB boundary lies in a MIXED cell: one granule.
    boolean atStart = s % ByteSize.GiB != 0 && instance.usablePages(instance.cells().get(first.cell())) > 0;
    boolean atEnd = e % ByteSize.GiB != 0 && instance.usablePages(instance.cells().get(last.cell())) > 0;
    return atStart || atEnd;
  }

  /** Whether some cell holds usable memory and memory of {@code node} only. */
  private boolean hasGranuleOfItsOwn(int node) {
    for (Cell c : instance.cells()) {
      if (c.nodes().equals(List.of(node)) && instance.usablePages(c) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * A lower bound on the reserved areas, summed over all TDMRs, of every layout of the module family
   * with {@code pamtPages} pages of PAMT and no remote PAMT (0 when nothing is known): the least
   * number of intervals of elements meeting every demand with at most {@code pamtPages} pages of
   * inner pieces (class comment).
   */
  public long leastAreas(long pamtPages) {
    if (!applies || pamtPages >= leastGranulePages) {
      return 0;
    }
    Map<Integer, Long> caps = nodeCaps(pamtPages);
    int n = isPiece.size();
    int demands = (int) demand.stream().filter(d -> d).count();
    if (demands == 0) {
      return 0;
    }
    // least[i][c]: the least pages of inner pieces with which c intervals within elements [0, i)
    // meet every demand among them. An interval may start at its first demand: starting earlier
    // touches no more demands and holds no fewer inner pieces.
    long none = Long.MAX_VALUE;
    long[][] least = new long[n + 1][demands + 1];
    for (long[] row : least) {
      Arrays.fill(row, none);
    }
    least[0][0] = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c <= demands; c++) {
        long here = least[i][c];
        if (here == none) {
          continue;
        }
        if (!demand.get(i)) {
          least[i + 1][c] = Math.min(least[i + 1][c], here);
        }
        if (c == demands) {
          continue;
        }
        long inner = 0;
        for (int j = i; j < n; j++) {
          if (j > i && wallAfter.get(j - 1)) {
            break;
          }
          if (j > i + 1 && isPiece.get(j - 1)) {
            inner += piecePages.get(j - 1);
            if (piecePages.get(j - 1) > caps.getOrDefault(pieceNode.get(j - 1), Long.MAX_VALUE)
                || enclosed.get(j - 1) && !caps.isEmpty() && !fillable(piecePages.get(j - 1), pieceNode.get(j - 1))) {
              break;
            }
          }
          if (here + inner > pamtPages) {
            break;
          }
          least[j + 1][c + 1] = Math.min(least[j + 1][c + 1], here + inner);
        }
      }
    }
    for (int c = 0; c <= demands; c++) {
      if (least[n][c] <= pamtPages) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Per node, at most how many pages of PAMT lie on it in a layout with {@code pamtPages} pages and
   * no remote PAMT, when no level of such a layout is padded ({@link #tdmrGiBPerNode}, class
   * comment, "Caps per node"); an empty map otherwise.
   */
  private Map<Integer, Long> nodeCaps(long pamtPages) {
    nodeGiB = tdmrGiBPerNode(pamtPages);
    long perGiB = 0;
    for (PageSize level : PageSize.values()) {
      perGiB += instance.levelPages(1, level);
    }
    Map<Integer, Long> caps = new HashMap<>();
    for (Map.Entry<Integer, Long> e : nodeGiB.entrySet()) {
      caps.put(e.getKey(), perGiB * e.getValue());
    }
    return caps;
  }

  /**
   * Per node {@code X}, at most how many GiB the TDMRs whose levels may lie on {@code X} have in all,
   * in a layout with {@code pamtPages} pages and no remote PAMT whose levels are all unpadded
   * (class comment, "Caps per node"); an empty map when the levels may be padded. Either {@code
   * pamtPages} is the bound of {@link ModuleFamilyBounds} at which it proves the least TDMRs (no
   * level padded, no TDMR over a granule without memory: the granules holding memory of {@code X});
   * or {@link LeftOutPamtBound#unpaddedAt} holds (no level padded, every TDMR holding memory and
   * exactly over its run of memory granules, granules without memory between them included). In
   * the second case a TDMR with a level on {@code X} has memory of {@code X} in each of its memory
   * granules, so it lies between the first and the last granule holding memory of {@code X}, and
   * those TDMRs are disjoint: at most that span's GiB.
   */
  private Map<Integer, Long> tdmrGiBPerNode(long pamtPages) {
    ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, true);
    Map<Integer, Long> giB = new HashMap<>();
    if (bounds.leastTdmrs().isPresent() && bounds.leastPamtPages().isPresent()
        && bounds.leastPamtPages().getAsLong() == pamtPages) {
      for (Cell c : instance.cells()) {
        for (int node : c.nodes()) {
          giB.merge(node, c.sizeGiB(), Long::sum);
        }
      }
      return giB;
    }
    if (!LeftOutPamtBound.unpaddedAt(instance.map(), instance.limits(), pamtPages)) {
      return Map.of();
    }
    Map<Integer, long[]> span = new HashMap<>();
    for (Cell c : instance.cells()) {
      for (int node : c.nodes()) {
        long[] s = span.computeIfAbsent(node, n -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        s[0] = Math.min(s[0], c.range().start());
        s[1] = Math.max(s[1], c.range().end());
      }
    }
    span.forEach((node, s) -> giB.put(node, (ByteSize.alignUp(s[1], ByteSize.GiB) - ByteSize.alignDown(s[0],
        ByteSize.GiB)) / ByteSize.GiB));
    return giB;
  }

  /** {@link #tdmrGiBPerNode} of the PAMT {@link #leastAreas} was last asked about. */
  private Map<Integer, Long> nodeGiB = Map.of();

  /** Memo of {@link #fillable}, by node and pages. */
  private final Map<List<Long>, Boolean> fillable = new HashMap<>();

  /** The most work {@link #fillable} does before it says yes without knowing. */
  private static final long MOST_FILL_STEPS = 20_000_000;

  /**
   * Whether {@code pages} is a sum of levels (each level of a TDMR at most once, at its least size)
   * of TDMRs of at most {@link #tdmrGiBPerNode}'s GiB of {@code node} in all (class comment, "Caps
   * per node"); true when that takes too long to know.
   */
  private boolean fillable(long pages, int node) {
    long g = nodeGiB.getOrDefault(node, 0L);
    if (g * g * 7 * (pages + 1) > MOST_FILL_STEPS) {
      return true;
    }
    return fillable.computeIfAbsent(List.of((long) node, pages, g), k -> sumOfLevels(pages, (int) g));
  }

  /** Whether {@code pages} is a sum of levels of TDMRs of at most {@code giB} GiB in all. */
  private boolean sumOfLevels(long pages, int giB) {
    int m = (int) pages;
    // reach[u][v]: levels of TDMRs of u GiB in all can have v pages.
    boolean[][] reach = new boolean[giB + 1][m + 1];
    reach[0][0] = true;
    for (int u = 0; u < giB; u++) {
      for (int v = 0; v <= m; v++) {
        if (!reach[u][v]) {
          continue;
        }
        for (int size = 1; u + size <= giB; size++) {
          PageSize[] levels = PageSize.values();
          for (int subset = 1; subset < 1 << levels.length; subset++) {
            long sum = 0;
            for (int l = 0; l < levels.length; l++) {
              sum += (subset >> l & 1) == 1 ? instance.levelPages(size, levels[l]) : 0;
            }
            if (v + sum <= m) {
              reach[u + size][(int) (v + sum)] = true;
            }
          }
        }
      }
    }
    for (int u = 0; u <= giB; u++) {
      if (reach[u][m]) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "NodeAreaBound(pieces %s, demands %s, least granule pages %d)".formatted(piecePages, demand, leastGranulePages);
  }
}
