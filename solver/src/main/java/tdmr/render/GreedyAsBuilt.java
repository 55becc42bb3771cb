package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.GreedyTdmr;
import tdmr.greedy.ReservedAreaUse;
import tdmr.mem.AddressRange;
import tdmr.solver.EngineResult;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Tdmr;

/**
 * The TDMRs of a failed kernel construction as they stood when it failed, so a picture can show
 * the failing TDMR with every reserved area it asked for, or the TDMRs that fit before the kernel
 * ran out of them.
 */
public final class GreedyAsBuilt {
  private GreedyAsBuilt() {}

  /**
   * Picture rows for engine results: each layout, or each failure; a failed greedy row also shows
   * the TDMRs as the kernel left them when it failed.
   */
  public static List<LabelledLayout> rows(List<EngineResult> results) {
    List<LabelledLayout> rows = new ArrayList<>();
    for (EngineResult r : results) {
      LabelledLayout row = LabelledLayout.from(r);
      Optional<Layout> asBuilt = r.kernelFailure().flatMap(GreedyAsBuilt::of);
      if (asBuilt.isPresent()) {
        row = row.withAsBuilt(asBuilt.get(), failingAreas(r.kernelFailure().orElseThrow()));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The reserved areas the failing TDMR asked for, in the kernel's order; empty when none failed. */
  private static List<AddressRange> failingAreas(GreedyResult.Failed failed) {
    if (failed.failingTdmr().isPresent()) {
      return failed.tdmrs().get(failed.failingTdmr().getAsInt()).reservedUses().stream()
          .map(ReservedAreaUse::range)
          .toList();
    }
    return List.of();
  }

  /**
   * The TDMRs of a failed construction as they stood: for lack of reserved areas (or the module's
   * rejection), complete with PAMTs and every area asked for; for lack of TDMRs, the TDMRs that
   * fit, before any PAMT (drawn without one); nothing for the other failures.
   */
  static Optional<Layout> of(GreedyResult.Failed failed) {
    List<Tdmr> tdmrs = new ArrayList<>();
    switch (failed.stage()) {
      case FILL_OUT_TDMRS -> {
        PamtRange none = new PamtRange(0, 0);
        for (GreedyTdmr t : failed.tdmrs()) {
          tdmrs.add(new Tdmr(t.range().start(), t.range().size(), new Pamt(none, none, none), List.of()));
        }
      }
      case RESERVED_AREAS, MODULE_CONFIG -> {
        for (GreedyTdmr t : failed.tdmrs()) {
          if (t.pamt().isEmpty()) {
            return Optional.empty();
          }
          tdmrs.add(t.toTdmr());
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    return tdmrs.isEmpty() ? Optional.empty() : Optional.of(new Layout(tdmrs));
  }
}
