package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.GreedyTdmr;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.PamtPlacement;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The TDMRs of a failed kernel construction as they stood when it failed, so a picture can show
 * the failing TDMR with every reserved area it asked for. Only failures after the PAMTs were placed
 * (reserved areas exhausted) have TDMRs complete enough to draw.
 */
public final class GreedyAsBuilt {
  private GreedyAsBuilt() {}

  /**
   * Picture rows for engine results: each layout, or each failure; a failed greedy row also shows
   * the TDMRs the kernel built before failing (the construction is replayed to get them).
   */
  public static List<LabelledLayout> rows(List<EngineResult> results, MemoryMap map, TdxLimits limits, Policy policy) {
    List<LabelledLayout> rows = new ArrayList<>();
    for (EngineResult r : results) {
      LabelledLayout row = LabelledLayout.from(r);
      if (r.status() == Status.FAILED && r.solver().startsWith("greedy") && row.failure().isPresent()) {
        Policy.Holes holes = r.solver().equals("greedy-cmr") ? Policy.Holes.CMR : policy.holes();
        Optional<Layout> asBuilt = of(new LinuxGreedy(holes, PamtPlacement.kernel()).construct(map, limits));
        if (asBuilt.isPresent()) {
          row = new LabelledLayout(row.label(), asBuilt, row.failure(), row.failedTdmr(), row.notes());
        }
      }
      rows.add(row);
    }
    return rows;
  }

  /** The TDMRs of a construction that failed for lack of reserved areas, as they stood. */
  static Optional<Layout> of(GreedyResult result) {
    if (!(result instanceof GreedyResult.Failed failed) || failed.stage() != GreedyResult.Stage.RESERVED_AREAS) {
      return Optional.empty();
    }
    List<Tdmr> tdmrs = new ArrayList<>();
    for (GreedyTdmr t : failed.tdmrs()) {
      if (t.pamt().isEmpty()) {
        return Optional.empty();
      }
      tdmrs.add(t.toTdmr());
    }
    return tdmrs.isEmpty() ? Optional.empty() : Optional.of(new Layout(tdmrs));
  }
}
