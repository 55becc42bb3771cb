package tdmr.solver;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.Policy;

/**
 * A lower bound on the PAMT of the module family's layouts without reserved areas (a limit of 0
 * areas per TDMR) that give up no coverable memory and have no remote PAMT: node by node, the
 * memory no such TDMR may hold, and, on a node whose other memory cannot hold a TDMR's three
 * levels, a granule of its memory left out of every TDMR for them.
 *
 * <p><b>Why.</b> Take such a layout. A TDMR without areas holds no atom the holes policy or the CMRs
 * make it reserve (a <em>must-reserve</em> atom: a gap under holes {@code memlist}, a gap outside
 * the CMRs under {@code cmr}, memory outside every CMR) and no PAMT (rule D5: PAMT inside a TDMR
 * lies in its reserved areas). Every usable page outside the TDMRs is PAMT (the OS check: nothing
 * coverable is given up), and PAMT lies only in usable memory (O2, D6), so the PAMT lying on node
 * {@code n} is exactly node {@code n}'s usable memory outside every TDMR, {@code out_n}, and the
 * layout's PAMT is their sum. Call a granule <em>clean</em> when it holds no must-reserve atom, and
 * <em>of node n</em> when it holds usable memory of node {@code n} only. Then:
 *
 * <ul>
 *   <li>A granule that is not clean lies in no TDMR, so {@code out_n} holds node {@code n}'s memory
 *       in such granules, {@code F_n}.
 *   <li>Without remote PAMT, a level of a TDMR holding a granule of node {@code n} overlaps memory of
 *       node {@code n} only ({@link tdmr.check.RemotePamt}: the granule is described remotely
 *       unless its nodes include every node of the level), outside every TDMR: so when some TDMR
 *       holds a granule of node {@code n}, {@code out_n} holds its three levels, at least those of
 *       a 1 GiB TDMR, {@code L} pages ({@link Instance#levelsPages}). Then when {@code F_n < L}
 *       some clean granule holding memory of node {@code n} is in no TDMR, and all of its node-{@code
 *       n} memory is in {@code out_n} (TDMRs hold whole granules): at least {@code g_n}, the least
 *       node-{@code n} memory of a clean granule.
 *   <li>Otherwise no TDMR holds a granule of node {@code n}: {@code out_n} holds all their memory,
 *       {@code P_n}, too.
 * </ul>
 *
 * So {@code out_n ≥ min(F_n + P_n, F_n ≥ L ? F_n : max(L, F_n + g_n))}, and the PAMT is at least the
 * sum over the nodes. It is what a node without memory that must be left out pays to keep its PAMT
 * local: on the Dell R650 map node 1's 16 GiB are one clean run, so from 3 TDMRs on at 0 areas node
 * 1 leaves a GiB out, and the layout's 2.46 GiB (the 1.46 GiB of node 0's islands below 2 GiB,
 * which hold holes, and that GiB) is the least without remote PAMT. It holds for every layout of
 * the family, whatever a model leaves out (e.g. a TDMR wholly inside a run, {@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}), so a layout meeting it names no restriction.
 */
final class AreaFreeNodeBound {
  private final Instance instance;

  AreaFreeNodeBound(Instance instance) {
    this.instance = instance;
  }

  /** What one node's memory adds up to: {@code F_n}, {@code P_n} and {@code g_n} of the class comment. */
  private static final class NodeMemory {
    long reservedGranulePages;
    long ownGranulePages;
    long leastCleanPages = Long.MAX_VALUE;
  }

  /**
   * The bound in pages, or empty where it does not apply: outside the module family, under PAMT
   * {@code any} (remote PAMT is not ranked, so the layouts beating an optimum may have some), when a
   * TDMR may have reserved areas, or when no layout covers the memory.
   */
  OptionalLong leastPamtPages() {
    if (!instance.moduleFamily() || instance.limits().maxReservedPerTdmr() != 0
        || instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL || !instance.impossibilities().isEmpty()) {
      return OptionalLong.empty();
    }
    long least = instance.levelsPages(1);
    long sum = 0;
    for (NodeMemory m : byNode().values()) {
      long allOut = m.reservedGranulePages + m.ownGranulePages;
      long someIn = m.reservedGranulePages >= least ? m.reservedGranulePages
          : Math.max(least, m.reservedGranulePages + m.leastCleanPages);
      sum += m.ownGranulePages == 0 ? m.reservedGranulePages : Math.min(allOut, someIn);
    }
    return OptionalLong.of(sum);
  }

  /** Each node's memory in granules that are not clean, in clean granules of its own, and its least clean granule. */
  private Map<Integer, NodeMemory> byNode() {
    Map<Integer, NodeMemory> out = new TreeMap<>();
    for (Cell c : instance.cells()) {
      List<Atom> atoms = instance.atoms().subList(c.firstAtom(), c.endAtom());
      boolean clean = atoms.stream().noneMatch(instance::needsReservedArea);
      if (c.kind() == Kind.PLAIN) {
        // Whole GiB of one block: each granule holds 1 GiB of its node's memory.
        Atom a = atoms.get(0);
        if (!a.usable()) {
          continue;
        }
        NodeMemory m = out.computeIfAbsent(a.node(), n -> new NodeMemory());
        if (clean) {
          m.ownGranulePages += a.pages();
          m.leastCleanPages = Math.min(m.leastCleanPages, ByteSize.GiB / ByteSize.PAGE);
        } else {
          m.reservedGranulePages += a.pages();
        }
        continue;
      }
      Map<Integer, Long> pages = new TreeMap<>();
      for (Atom a : atoms) {
        if (a.usable()) {
          pages.merge(a.node(), a.pages(), Long::sum);
        }
      }
      for (Map.Entry<Integer, Long> e : pages.entrySet()) {
        NodeMemory m = out.computeIfAbsent(e.getKey(), n -> new NodeMemory());
        if (!clean) {
          m.reservedGranulePages += e.getValue();
          continue;
        }
        m.leastCleanPages = Math.min(m.leastCleanPages, e.getValue());
        if (pages.size() == 1) {
          m.ownGranulePages += e.getValue();
        }
      }
    }
    return out;
  }
}
