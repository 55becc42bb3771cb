package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.Policy;

/**
 * A lower bound on the PAMT of a layout without remote PAMT, within the TDMR limit {@code K}, that
 * has a TDMR wholly inside a run of node {@code n} without reaching the run's ends ({@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}): what the TDMR limit leaves to the other nodes.
 *
 * <p><b>Why.</b> Take a map where every granule holding TDX memory holds memory of one node only
 * (else the bound is not taken), and such a layout that gives up no coverable memory. A TDMR holding
 * a granule with memory of node {@code m} describes it remotely from any level overlapping memory of
 * another node ({@link tdmr.check.RemotePamt}), so each TDMR holds memory granules of one node at
 * most, <em>its node</em>, and keeps its levels there, or holds none (<em>memoryless</em>, levels
 * anywhere). A node {@code m} with no TDMR of its own has all its usable memory, {@code M_m},
 * outside every TDMR: PAMT, in levels that can only be a memoryless TDMR's, so there is one. The
 * TDMR {@code T} inside the run is of node {@code n}, and so is any TDMR holding a granule beside it
 * (those lie in the run); with {@code t} TDMRs of node {@code n}, at least {@code 3 - t} of those
 * two granules are in no TDMR ({@link ModuleFamilyRestrictions#granulesLeftOutBesideInnerTdmr}), 1
 * GiB of PAMT each. With {@code s} other nodes given TDMRs and the {@code u} others not, {@code t +
 * s + (u > 0 ? 1 : 0) ≤ K}, and the PAMT is at least {@code max(0, 3 - t)} GiB plus the {@code u}
 * smallest {@code M_m} of the other nodes. The bound is the least of that over every {@code t ≥ 1}
 * and {@code s} within the limit, or none (the largest long) when none fits. On the 4-socket
 * Westmere-EX map (nodes of 31.93, 32, 32 and 32 GiB) within 2 TDMRs: 2 GiB and three other nodes,
 * at least 97.93 GiB, above the optimum's 96.05; within 3: 2 GiB and two other nodes, 65.93 GiB,
 * above 64.17.
 */
final class InnerTdmrNodeBudget {
  private final Instance instance;

  InnerTdmrNodeBudget(Instance instance) {
    this.instance = instance;
  }

  /**
   * The bound in pages for a TDMR inside {@code run} (a PLAIN cell), or 0 when it is not taken
   * (PAMT {@code any}, which does not rank remote PAMT, or a granule with memory of two nodes).
   */
  long leastPamtPages(Cell run) {
    if (instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL || !granulesOfOneNode()) {
      return 0;
    }
    int node = run.nodes().get(0);
    List<Long> others = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : usablePagesByNode().entrySet()) {
      if (e.getKey() != node && e.getValue() > 0) {
        others.add(e.getValue());
      }
    }
    others.sort(null);
    int most = instance.limits().maxTdmrs();
    long best = Long.MAX_VALUE;
    for (int t = 1; t <= most; t++) {
      for (int s = 0; s <= Math.min(others.size(), most - t); s++) {
        int unserved = others.size() - s;
        if (unserved > 0 && t + s + 1 > most) {
          continue;
        }
        long pages = Math.max(0, 3 - t) * (ByteSize.GiB / ByteSize.PAGE);
        for (int k = 0; k < unserved; k++) {
          pages += others.get(k);
        }
        best = Math.min(best, pages);
      }
    }
    return best;
  }

  /**
   * Whether every granule of the window holding TDX memory holds memory of one node only: every
   * cell does (a PLAIN cell is one block's memory; a MIXED cell is one granule).
   */
  private boolean granulesOfOneNode() {
    return instance.cells().stream().allMatch(c -> c.nodes().size() <= 1);
  }

  /** Each node's usable memory in the window, in pages. */
  private Map<Integer, Long> usablePagesByNode() {
    Map<Integer, Long> out = new TreeMap<>();
    for (Atom a : instance.atoms()) {
      if (a.usable()) {
        out.merge(a.node(), a.pages(), Long::sum);
      }
    }
    return out;
  }
}
