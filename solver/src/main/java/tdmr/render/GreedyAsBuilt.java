package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.GreedyTdmr;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.PamtPlacement;
import tdmr.greedy.ReservedAreaUse;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The TDMRs of a failed kernel construction as they stood when it failed, so a picture can show
 * the failing TDMR with every reserved area it asked for, or the TDMRs that fit before the kernel
 * ran out of them.
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
        GreedyResult replay = new LinuxGreedy(holes, PamtPlacement.kernel()).construct(map, limits);
        Optional<Layout> asBuilt = of(replay);
        if (asBuilt.isPresent()) {
          row = row.withAsBuilt(asBuilt.get(), failingAreas(replay));
        }
      }
      rows.add(row);
    }
    return rows;
  }

  /** The reserved areas the failing TDMR asked for, in the kernel's order; empty when none failed. */
  private static List<AddressRange> failingAreas(GreedyResult result) {
    if (result instanceof GreedyResult.Failed failed && failed.failingTdmr().isPresent()) {
      return failed.tdmrs().get(failed.failingTdmr().getAsInt()).reservedUses().stream()
          .map(ReservedAreaUse::range)
          .toList();
    }
    return List.of();
  }

  /**
   * The TDMRs of a failed construction as they stood: for lack of reserved areas, complete with
   * PAMTs and every area asked for; for lack of TDMRs, the TDMRs that fit, before any PAMT (drawn
   * without one).
   */
  static Optional<Layout> of(GreedyResult result) {
    if (!(result instanceof GreedyResult.Failed failed)) {
      return Optional.empty();
    }
    List<Tdmr> tdmrs = new ArrayList<>();
    if (failed.stage() == GreedyResult.Stage.FILL_OUT_TDMRS) {
      PamtRange none = new PamtRange(0, 0);
      for (GreedyTdmr t : failed.tdmrs()) {
        tdmrs.add(new Tdmr(t.range().start(), t.range().size(), new Pamt(none, none, none), List.of()));
      }
    } else if (failed.stage() == GreedyResult.Stage.RESERVED_AREAS) {
      for (GreedyTdmr t : failed.tdmrs()) {
        if (t.pamt().isEmpty()) {
          return Optional.empty();
        }
        tdmrs.add(t.toTdmr());
      }
    }
    return tdmrs.isEmpty() ? Optional.empty() : Optional.of(new Layout(tdmrs));
  }
}
