package tdmr.greedy;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.Count;
import tdmr.tdx.Headroom;
import tdmr.tdx.TdxLimits;

/**
 * Explains an outcome of a kernel variant whose reserved areas may each hold a hole and the PAMT
 * chunks stacked against it ({@link GreedyFit}, {@link GreedyMerge}): the headroom of a layout,
 * counted in the layout's own areas, or what the failure means.
 */
final class FitExplanation {
  private FitExplanation() {}

  /**
   * @param variant the construction's name, as on the command line
   * @param mainlineLines how many of the result's last lines a mainline kernel prints too; the
   *     lines before them are the variant's own (a patched kernel's {@code pr_info})
   */
  static List<String> explain(TdxLimits limits, GreedyResult result, String variant, int mainlineLines) {
    List<String> out = new ArrayList<>();
    int own = result.messages().size() - mainlineLines;
    out.add(own <= 0
        ? "A mainline kernel prints each of these lines too."
        : "The first %s above %s %s's own (pr_info of a patched kernel); the last %s mainline prints too."
            .formatted(own == 1 ? "line" : own + " lines", own == 1 ? "is" : "are", variant,
                mainlineLines == 1 ? "one" : String.valueOf(mainlineLines)));
    if (result instanceof GreedyResult.Built built) {
      out.addAll(headroom(built));
      return out;
    }
    GreedyResult.Failed failed = (GreedyResult.Failed) result;
    switch (failed.stage()) {
      case MEMORY_LIST -> out.add("The memory list was rejected before any TDMR was built.");
      case FILL_OUT_TDMRS -> out.add(
          "No TDMR list of the kernel's shape was found within %s and %s per TDMR: see the line above."
              .formatted(Count.of(limits.maxTdmrs(), "TDMR", "TDMRs"),
                  Count.of(limits.maxReservedPerTdmr(), "reserved area", "reserved areas")));
      case PAMT_ALLOCATION -> out.add(
          "A PAMT chunk found no free memory on its node, next to a hole or in a TDMR with a reserved area to spare.");
      case RESERVED_AREAS -> out.add(
          "A 1 GiB granule holds more holes than a TDMR may reserve; no split at a 1 GiB boundary helps.");
      case MODULE_CONFIG -> out.add(failed.failureLine());
    }
    if (failed.stage() != GreedyResult.Stage.MEMORY_LIST && failed.stage() != GreedyResult.Stage.MODULE_CONFIG) {
      out.add("This construction is a heuristic: its failure does not prove that no layout exists"
          + " (tdmr plan --solver cpsat searches for one, tdmr prove proves it).");
    }
    return out;
  }

  /**
   * How many of the result's last lines a mainline kernel prints too: the two success lines (and
   * {@code consumed TDMRs reaching limit} before them when {@code reachingLimit}), or the failure's
   * own line where the kernel prints one and {@code module initialization failed}.
   */
  static int mainlineTail(GreedyResult result, boolean reachingLimit) {
    int warning = reachingLimit ? 1 : 0;
    if (result instanceof GreedyResult.Built) {
      return 2 + warning;
    }
    GreedyResult.Failed failed = (GreedyResult.Failed) result;
    if (failed.cause() == GreedyResult.Cause.MODULE_REJECTED) {
      return 1 + warning;
    }
    return (failed.cause().loggedByKernel() ? 1 : 0) + 1;
  }

  /** TDMRs used of the maximum, and reserved areas used of the maximum in the tightest TDMR. */
  static List<String> headroom(GreedyResult.Built built) {
    Headroom h = built.headroom();
    return List.of(
        "Headroom: %d of %d TDMRs used.".formatted(h.tdmrs(), h.maxTdmrs()),
        "Headroom: %d of %d reserved areas used in the tightest TDMR, %s."
            .formatted(h.reservedInTightest(), h.maxReservedPerTdmr(), built.layout().tdmrs().get(h.tightestTdmr())));
  }
}
