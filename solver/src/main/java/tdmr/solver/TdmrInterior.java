package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;

/**
 * What lies inside one TDMR, for the bounds that fill islands with PAMT levels ({@link
 * FixedTdmrsAreaBound}, {@link FilledIslandsPamtBound}): the runs of space it must reserve, the
 * islands of usable memory between consecutive runs, and the NUMA nodes its levels may lie on
 * without describing any of its granules remotely.
 *
 * @param runs the runs of must-reserve space (holes, memory outside the CMRs, dead memory) inside
 *     the TDMR; a gap the TDMR may leave unreserved is no run but cuts the memory into stretches
 * @param islands the usable memory between two consecutive runs, in address order
 */
record TdmrInterior(int runs, List<TdmrInterior.Island> islands) {
  /**
   * An island between two runs: its usable pages, whether it is one stretch of contiguous memory
   * (a PAMT level lies in one stretch), and the nodes of its memory.
   */
  record Island(long pages, boolean oneStretch, List<Integer> nodes) {}

  /** The runs and islands of the TDMR {@code t}. */
  static TdmrInterior of(Instance instance, AddressRange t) {
    List<Island> islands = new ArrayList<>();
    int runs = 0;
    boolean inRun = false;
    long pages = 0;
    int stretches = 0;
    boolean inStretch = false;
    List<Integer> nodes = new ArrayList<>();
    for (Atom a : instance.atoms()) {
      if (a.range().end() <= t.start() || a.range().start() >= t.end()) {
        continue;
      }
      if (a.usable()) {
        if (!inStretch) {
          stretches++;
          inStretch = true;
        }
        pages += a.range().intersect(t).size() / ByteSize.PAGE;
        if (!nodes.contains(a.node())) {
          nodes.add(a.node());
        }
        inRun = false;
      } else if (instance.needsReservedArea(a)) {
        if (!inRun) {
          if (runs > 0 && stretches > 0) {
            islands.add(new Island(pages, stretches == 1, List.copyOf(nodes)));
          }
          if (runs == 0 || stretches > 0) {
            runs++;
          }
        }
        inRun = true;
        pages = 0;
        stretches = 0;
        inStretch = false;
        nodes.clear();
      } else {
        // A gap the TDMR may leave unreserved: it cuts the memory into stretches.
        inStretch = false;
      }
    }
    return new TdmrInterior(runs, List.copyOf(islands));
  }

  /** The nodes a level of TDMR {@code t} may lie on without describing any of its granules remotely. */
  static List<Integer> localNodes(Instance instance, AddressRange t) {
    List<Integer> out = new ArrayList<>();
    for (int n : instance.nodes()) {
      boolean local = true;
      for (Cell c : instance.cells()) {
        if (c.range().start() < t.end() && t.start() < c.range().end() && instance.lacksNode(c, n)) {
          local = false;
          break;
        }
      }
      if (local) {
        out.add(n);
      }
    }
    return out;
  }
}
