package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * Without reserved areas, a lower bound on the layouts with a TDMR wholly inside a run of whole GiB
 * without reaching the run's ends ({@link ModuleFamilyRestrictions#INSIDE_A_RUN}) and little remote
 * PAMT: for a remote-PAMT budget {@code x} below the 2M level's bytes per GiB (8 KiB), the least
 * (PAMT, TDMRs) of such a layout with at most {@code x} bytes of remote PAMT, or none. An optimum
 * with {@code R > 0} bytes of remote PAMT (the frontier's 0-area rows under tight TDMR limits,
 * where a 1G level fills another node's memory) cannot be beaten by such a layout when none has
 * less than {@code R} and those with {@code R} rank no better in PAMT and TDMRs ({@link #couldBeat}).
 *
 * <p><b>Setting.</b> Module family, PAMT {@code node-local}, holes {@code memlist}, no reserved area
 * per TDMR, every granule holding TDX memory holds memory of one node, and a layout {@code L} with
 * such a TDMR {@code T} (inside a usable run of node {@code n}) that gives up no coverable memory
 * and has at most {@code x < perGiB(2M)} bytes of remote PAMT.
 *
 * <ol>
 *   <li><b>TDMRs.</b> A TDMR without areas holds no hole, gap or memory outside the CMRs, so under
 *       {@code memlist} only <em>clean</em> granules, each wholly usable memory of one node; it is a
 *       contiguous range of usable memory. Its 2M level describes each granule remotely unless the
 *       level's nodes are exactly that granule's node ({@link tdmr.check.RemotePamt}), so a TDMR
 *       with granules of two nodes has at least {@code perGiB(2M) > x}: each TDMR is <em>of one
 *       node</em> {@code m}, and lies inside one <em>segment</em> of {@code m} (a maximal range of
 *       contiguous usable memory of node {@code m}). Its 4K and 2M levels lie on node {@code m}'s
 *       memory only; its 1G level too (local), or elsewhere (remote), costing {@code 16·g} bytes for
 *       its {@code g ≥ 1} granules. So {@code L} has {@code t_m} TDMRs of node {@code m}, {@code t_n
 *       ≥ 1}, {@code Σ t_m ≤ K}, and {@code ρ ≤ x / 16} remote 1G levels, {@code ρ_m} of them of
 *       node {@code m}'s TDMRs, whose granules number at most {@code x / 16} in all.
 *   <li><b>Pieces.</b> No PAMT lies in a TDMR (rule D5, no area), and every usable page outside the
 *       TDMRs is PAMT (OS check): the PAMT is exactly the usable memory outside every TDMR, tiled by
 *       levels. Call a <em>piece</em> of node {@code m} a maximal range of node-{@code m} memory
 *       outside every TDMR. A local level lies in one piece of its node; a remote level in one range
 *       of usable memory outside the TDMRs, which holds at most one piece of each segment (two pieces
 *       of one segment are apart by a TDMR), so at most {@code σ_m} pieces of node {@code m}, the
 *       most segments of {@code m} in one island. Every piece holds a level: {@code p_m ≤ 3·t_m -
 *       ρ_m + ρ·σ_m}, and {@code p_m ≥ 1} when {@code t_m ≥ 1} (the 4K level lies in one).
 *   <li><b>Counting pieces.</b> Before any TDMR each segment is one piece; a TDMR, lying in one
 *       piece, leaves 0, 1 or 2 of it: it removes at most one. Segments with memory in a granule
 *       that is not clean ({@code N_m} of them) keep a piece. So {@code p_m ≥ max(N_m, seg_m -
 *       t_m)}; for node {@code n}, {@code T} splits its piece in two (the granules beside it are
 *       outside it), so {@code p_n ≥ max(N_n, seg_n + 2 - t_n)}.
 *   <li><b>PAMT.</b> Node {@code m}'s PAMT {@code out_m} is its usable memory outside the TDMRs:
 *       all of it, {@code M_m}, when {@code t_m = 0}; else at least its memory in granules that are
 *       not clean, {@code F_m}, plus, for {@code n}, {@code max(0, 3 - t_n)} GiB beside {@code T}
 *       ({@link ModuleFamilyRestrictions#granulesLeftOutBesideInnerTdmr}, node {@code n}'s TDMRs
 *       being the only ones that can hold them); at least the 4K and 2M levels of {@code t_m} TDMRs
 *       of 1 GiB, and, when that is more than the rest, a clean granule of node {@code m} besides
 *       {@code F_m}; and when all of node {@code m}'s TDMRs have remote levels, at least {@code M_m}
 *       less their granules, {@code x / 16 - (ρ - ρ_m)} GiB at most. A TDMR lies in one <em>clean
 *       run</em> of its node (a maximal range of contiguous clean granules of it), so {@code out_m}
 *       is at least {@code M_m} less the {@code t_m} largest of them. Each TDMR holds a clean
 *       granule, so {@code out_m ≤ M_m - t_m} GiB, or the counts admit no layout.
 * </ol>
 *
 * The bound is the least ({@code Σ out_m}, {@code Σ t_m}) over the counts that pass (2), or none.
 * It asks nothing of either model and holds for every layout of the family, so where it rules the
 * run out the restriction is not named. On the Dell R650 map within 2 TDMRs node 0 has five
 * islands below 2 GiB and its run from 4 GiB; one TDMR of node 0 and one of node 1 leave node 0
 * seven pieces for four levels, two of node 0 leave node 1's 16 GiB and a GiB beside {@code T}:
 * 18.46 GiB, above the optimum's 17.46 GiB (16 bytes remote). On the Lenovo SR950 map node 0's
 * clean memory lies in two runs, [1G, 2G) and [4G, 9G): with {@code T} inside node 1's run, node 0's
 * one TDMR leaves one of them out, and node 1 all but {@code T}'s GiB (its 1G level is the remote
 * one): 17.74 GiB, above the optimum's 17.67 GiB. {@code AreaFreeInnerTdmrTest}
 * derives it by hand and checks it against {@code ExhaustiveSearch}.
 */
final class AreaFreeInnerTdmr {
  /** Beyond this TDMR limit the counts are not enumerated (the bound is for tight limits). */
  private static final int MOST_TDMRS = 4;
  private static final long GIB_PAGES = ByteSize.GiB / ByteSize.PAGE;

  private final Instance instance;
  private final Map<Integer, NodeMemory> nodes;

  AreaFreeInnerTdmr(Instance instance) {
    this.instance = instance;
    this.nodes = applies() ? byNode() : Map.of();
  }

  /** The least score a layout of the kind has: PAMT in pages, then TDMRs. */
  record Least(long pamtPages, int tdmrs) {}

  /** One node's memory: {@code M_m}, {@code F_m}, its least clean granule, {@code seg_m}, {@code N_m}, {@code σ_m}. */
  private static final class NodeMemory {
    long pages;
    long inUncleanGranules;
    long leastCleanGranule = Long.MAX_VALUE;
    int segments;
    int fixedSegments;
    int mostSegmentsInAnIsland;
    /** The node's clean runs (maximal ranges of contiguous clean granules of it), largest first, in pages. */
    final List<Long> cleanRuns = new ArrayList<>();

    /** The most memory {@code t} TDMRs of the node can hold: its {@code t} largest clean runs. */
    long mostCovered(int t) {
      return cleanRuns.stream().limit(t).mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Whether a layout with a TDMR inside {@code run} could beat {@code found} (true where the bound
   * does not apply): unless none has less remote PAMT than {@code found} ({@link #least} at one
   * byte less is empty) and those with as much rank no better in PAMT, then TDMRs (areas are 0).
   */
  boolean couldBeat(Cell run, Optional<LayoutScore> found) {
    if (found.isEmpty() || nodes.isEmpty() || found.get().uncoveredBytes() > instance.deadMemory()
        || run.kind() != Kind.PLAIN || !instance.atoms().get(run.firstAtom()).usable()) {
      return true;
    }
    long remote = found.get().remotePamtBytes();
    if (remote >= instance.perGiBBytes(PageSize.SIZE_2M)) {
      return true;
    }
    if (least(run, remote - 1).isPresent()) {
      return true;
    }
    Optional<Least> least = least(run, remote);
    long pages = found.get().pamtBytes() / ByteSize.PAGE;
    return least.isPresent() && (least.get().pamtPages() < pages
        || least.get().pamtPages() == pages && least.get().tdmrs() < found.get().tdmrs());
  }

  /**
   * The least (PAMT, TDMRs) of a layout with a TDMR inside {@code run} and at most {@code x} bytes
   * of remote PAMT (0 ≤ x below the 2M level's bytes per GiB), by the counts of the class comment;
   * empty when none passes them.
   */
  Optional<Least> least(Cell run, long x) {
    if (x < 0 || nodes.isEmpty()) {
      return Optional.empty();
    }
    long perGiB = instance.perGiBBytes(PageSize.SIZE_1G);
    int inner = run.nodes().get(0);
    List<Integer> order = new ArrayList<>(nodes.keySet());
    Least best = null;
    for (int remoteLevels = 0; remoteLevels <= Math.min(x / perGiB, instance.limits().maxTdmrs()); remoteLevels++) {
      Count c = new Count(order, inner, remoteLevels, x / perGiB);
      c.assign(0, 0, 0, 0);
      if (c.best != null && (best == null || c.best.pamtPages() < best.pamtPages()
          || c.best.pamtPages() == best.pamtPages() && c.best.tdmrs() < best.tdmrs())) {
        best = c.best;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The enumeration of {@code t_m} and {@code ρ_m} for one total {@code ρ}. */
  private final class Count {
    private final List<Integer> order;
    private final int inner;
    private final int remoteLevels;
    private final long remoteGranules;
    Least best;

    Count(List<Integer> order, int inner, int remoteLevels, long remoteGranules) {
      this.order = order;
      this.inner = inner;
      this.remoteLevels = remoteLevels;
      this.remoteGranules = remoteGranules;
    }

    void assign(int i, int tdmrs, int donors, long pamt) {
      if (i == order.size()) {
        if (donors == remoteLevels && (best == null || pamt < best.pamtPages()
            || pamt == best.pamtPages() && tdmrs < best.tdmrs())) {
          best = new Least(pamt, tdmrs);
        }
        return;
      }
      int node = order.get(i);
      for (int t = node == inner ? 1 : 0; tdmrs + t <= instance.limits().maxTdmrs(); t++) {
        for (int r = 0; r <= t && donors + r <= remoteLevels; r++) {
          long out = outside(node, t, r);
          if (out >= 0) {
            assign(i + 1, tdmrs + t, donors + r, pamt + out);
          }
        }
      }
    }

    /** The least PAMT on {@code node} with {@code t} TDMRs of it, {@code r} of them with remote levels; -1 when none. */
    private long outside(int node, int t, int r) {
      NodeMemory m = nodes.get(node);
      boolean isInner = node == inner;
      long pieces = Math.max(m.fixedSegments, m.segments + (isInner ? 2 : 0) - t);
      if (t >= 1) {
        pieces = Math.max(pieces, 1);
      }
      if (pieces > 3L * t - r + (long) remoteLevels * m.mostSegmentsInAnIsland) {
        return -1;
      }
      if (t == 0) {
        return m.pages;
      }
      // Each of the t TDMRs holds a clean granule of the node, 1 GiB of its memory.
      long out = m.inUncleanGranules + (isInner ? Math.max(0, 3 - t) * GIB_PAGES : 0);
      long levels = t * (instance.levelPages(1, PageSize.SIZE_4K) + instance.levelPages(1, PageSize.SIZE_2M));
      if (out < levels) {
        if (m.leastCleanGranule == Long.MAX_VALUE) {
          return -1;
        }
        out = Math.max(levels, m.inUncleanGranules + m.leastCleanGranule);
      }
      out = Math.max(out, m.pages - m.mostCovered(t));
      if (r == t) {
        long granules = remoteGranules - (remoteLevels - r);
        out = Math.max(out, m.pages - granules * GIB_PAGES);
      }
      return out <= m.pages - t * GIB_PAGES ? out : -1;
    }
  }

  /** Whether the setting of the class comment holds (the found layout's own conditions aside). */
  private boolean applies() {
    Policy p = instance.policy();
    return instance.moduleFamily() && p.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
        && p.holes() == Policy.Holes.MEMLIST && instance.limits().maxReservedPerTdmr() == 0
        && instance.limits().maxTdmrs() <= MOST_TDMRS && instance.impossibilities().isEmpty()
        && instance.cells().stream().allMatch(c -> c.nodes().size() <= 1);
  }

  /** Each node's memory, segments and islands. */
  private Map<Integer, NodeMemory> byNode() {
    Map<Integer, NodeMemory> out = new TreeMap<>();
    boolean[] clean = new boolean[instance.cells().size()];
    Cell previousClean = null;
    for (Cell c : instance.cells()) {
      clean[c.index()] = instance.atoms().subList(c.firstAtom(), c.endAtom()).stream()
          .noneMatch(instance::needsReservedArea);
      if (!clean[c.index()] || !c.holdsMemory()) {
        previousClean = null;
        continue;
      }
      NodeMemory m = out.computeIfAbsent(c.nodes().get(0), k -> new NodeMemory());
      long pages = c.kind() == Kind.PLAIN ? c.sizeGiB() * GIB_PAGES : usablePages(c);
      m.leastCleanGranule = Math.min(m.leastCleanGranule, c.kind() == Kind.PLAIN ? GIB_PAGES : pages);
      boolean joins = previousClean != null && previousClean.range().end() == c.range().start()
          && previousClean.nodes().equals(c.nodes());
      if (joins) {
        m.cleanRuns.set(m.cleanRuns.size() - 1, m.cleanRuns.get(m.cleanRuns.size() - 1) + pages);
      } else {
        m.cleanRuns.add(pages);
      }
      previousClean = c;
    }
    out.values().forEach(m -> m.cleanRuns.sort(Comparator.reverseOrder()));
    List<AddressRange> islands = instance.islands();
    Map<Integer, Integer> segmentsInIsland = new TreeMap<>();
    int island = -1;
    int at = 0;
    Atom previous = null;
    boolean fixed = false;
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      NodeMemory m = out.computeIfAbsent(a.node(), k -> new NodeMemory());
      m.pages += a.pages();
      if (!clean[a.cell()]) {
        m.inUncleanGranules += a.pages();
      }
      while (islands.get(at).end() <= a.range().start()) {
        at++;
      }
      if (at != island) {
        island = at;
        segmentsInIsland.clear();
      }
      boolean joins = previous != null && previous.node() == a.node() && previous.range().end() == a.range().start();
      if (!joins) {
        m.segments++;
        int inIsland = segmentsInIsland.merge(a.node(), 1, Integer::sum);
        m.mostSegmentsInAnIsland = Math.max(m.mostSegmentsInAnIsland, inIsland);
        fixed = false;
      }
      if (!clean[a.cell()] && !fixed) {
        m.fixedSegments++;
        fixed = true;
      }
      previous = a;
    }
    return out;
  }

  private long usablePages(Cell c) {
    return instance.atoms().subList(c.firstAtom(), c.endAtom()).stream()
        .filter(Atom::usable).mapToLong(Atom::pages).sum();
  }
}
