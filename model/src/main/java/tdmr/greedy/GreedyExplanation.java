package tdmr.greedy;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Headroom;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Explains a greedy outcome so a person can act on it: on failure, what ran out and what took it
 * (every hole and PAMT piece of the failing TDMR, with the firmware types and CMR coverage of each
 * hole) and whether the CMR-holes patch would have succeeded; on success, the headroom left.
 */
public final class GreedyExplanation {
  private static final long FIRST_MB = 1L << 20;
  private final MemoryMap map;
  private final TdxLimits limits;
  private final LinuxGreedy greedy;

  public GreedyExplanation(MemoryMap map, TdxLimits limits, LinuxGreedy greedy) {
    this.map = map;
    this.limits = limits;
    this.greedy = greedy;
  }

  /** Lines for people (no kernel prefix), explaining {@code result} of {@code greedy} on the map. */
  public List<String> explain(GreedyResult result) {
    if (result instanceof GreedyResult.Built built) {
      return headroom(built);
    }
    return lines((GreedyResult.Failed) result, true);
  }

  /**
   * The explanation of a failure in sentences, without the list of every reserved area the failing
   * TDMR asked for.
   */
  public List<String> summary(GreedyResult.Failed failed) {
    return lines(failed, false);
  }

  private List<String> lines(GreedyResult.Failed failed, boolean everyArea) {
    List<String> out = new ArrayList<>();
    switch (failed.stage()) {
      case MEMORY_LIST -> out.add("The memory list was rejected before any TDMR was built.");
      case FILL_OUT_TDMRS -> explainTdmrsExhausted(out);
      case PAMT_ALLOCATION -> explainPamtAllocation(failed, out);
      case RESERVED_AREAS -> explainReservedAreas(failed, out, everyArea);
      case MODULE_CONFIG -> out.add(failed.failureLine());
    }
    if (greedy.holes() == Policy.Holes.MEMLIST
        && failed.stage() != GreedyResult.Stage.MEMORY_LIST
        && failed.stage() != GreedyResult.Stage.MODULE_CONFIG) {
      out.add(cmrVariantVerdict());
    }
    return out;
  }

  /** TDMRs used of the maximum, and reserved areas used of the maximum in the tightest TDMR. */
  public List<String> headroom(GreedyResult.Built built) {
    Headroom h = built.headroom();
    GreedyTdmr tightest = built.tdmrs().get(h.tightestTdmr());
    return List.of(
        "Headroom: %d of %d TDMRs used.".formatted(h.tdmrs(), h.maxTdmrs()),
        "Headroom: %d of %d reserved areas used in the tightest TDMR, %s (%s)."
            .formatted(h.reservedInTightest(), h.maxReservedPerTdmr(), tightest, breakdown(tightest)));
  }

  private void explainTdmrsExhausted(List<String> out) {
    int needed = LinuxGreedy.fillOutTdmrs(LinuxGreedy.memoryList(map.blocks()), Integer.MAX_VALUE).size();
    out.add(
        "The memory list needs %d TDMRs (one per block whose 1 GiB-rounded end lies past the previous TDMR); the module allows %d."
            .formatted(needed, limits.maxTdmrs()));
  }

  private void explainPamtAllocation(GreedyResult.Failed failed, List<String> out) {
    GreedyTdmr t = failed.tdmrs().get(failed.failingTdmr().orElseThrow());
    long chunk = tdmr.tdx.PamtSizing.chunkBytes(t.range().size(), limits);
    out.add(
        "%s (%s): no free range of %d bytes (%s) for its PAMT on node %d or any other node (PAMT placement: %s)."
            .formatted(t, ByteSize.human(t.range().size()), chunk, ByteSize.human(chunk), t.node(),
                greedy.placement().name()));
  }

  private void explainReservedAreas(GreedyResult.Failed failed, List<String> out, boolean everyArea) {
    GreedyTdmr t = failed.tdmrs().get(failed.failingTdmr().orElseThrow());
    out.add(
        "%s (%s, node %d) needs %d reserved areas (%s); the module allows %d%s"
            .formatted(t, ByteSize.human(t.range().size()), t.node(), t.reservedUses().size(), breakdown(t),
                limits.maxReservedPerTdmr(), everyArea ? ":" : "."));
    int k = 1;
    for (ReservedAreaUse u : everyArea ? t.reservedUses() : List.<ReservedAreaUse>of()) {
      String what =
          u.kind() == ReservedAreaUse.Kind.HOLE
              ? "hole  %s; e820: %s; %s%s".formatted(size(u.range()), firmwareTypes(u.range()), cmrCoverage(u.range()),
                  u.range().start() < FIRST_MB ? "; the first MiB is never TDX memory" : "")
              : "PAMT of TDMR %d  %s".formatted(u.pamtOwner(), size(u.range()));
      String over = k > limits.maxReservedPerTdmr() ? "  <- over the limit" : "";
      out.add("  %2d  %-34s %s%s".formatted(k, u.range(), what, over));
      k++;
    }
    List<ReservedAreaUse> convertibleHoles = t.reservedUses().stream()
        .filter(u -> u.kind() == ReservedAreaUse.Kind.HOLE && map.cmrs().covers(u.range()))
        .toList();
    if (!convertibleHoles.isEmpty()) {
      out.add(("%s inside a CMR: convertible memory the firmware keeps for itself, which mainline Linux reserves"
              + " only because it takes holes from the memory list.")
          .formatted(Count.of(convertibleHoles.size(), "hole lies", "holes lie")));
    }
  }

  private String cmrVariantVerdict() {
    GreedyResult cmr = greedy.withHoles(Policy.Holes.CMR).construct(map, limits);
    if (cmr instanceof GreedyResult.Built b) {
      Headroom h = b.headroom();
      GreedyTdmr tightest = b.tdmrs().get(h.tightestTdmr());
      return ("With --holes cmr (holes from the CMRs, the unmerged patch \"Reduce TDMR's reserved areas by using CMRs"
              + " to find memory holes\") the construction succeeds: %s, at most %d of %d reserved areas"
              + " (%s), %d KiB of PAMT.")
          .formatted(Count.of(h.tdmrs(), "TDMR", "TDMRs"), h.reservedInTightest(), h.maxReservedPerTdmr(), tightest,
              b.pamtBytes() / 1024);
    }
    List<String> m = cmr.messages();
    return "With --holes cmr (holes from the CMRs) the construction fails too: " + String.join(" / ", m);
  }

  /** The e820 types of the firmware entries that share bytes with {@code hole}. */
  private String firmwareTypes(AddressRange hole) {
    return ReservedAreaFacts.e820Types(map, hole).map(types -> String.join(", ", types)).orElse("no e820 in the input");
  }

  private String cmrCoverage(AddressRange hole) {
    return switch (ReservedAreaFacts.cmrCoverage(map, hole)) {
      case INSIDE -> "inside a CMR";
      case PARTLY -> "partly inside a CMR";
      case OUTSIDE -> "outside the CMRs";
    };
  }

  /** {@code 2 holes, 1 PAMT piece}. */
  private static String breakdown(GreedyTdmr t) {
    return Count.of(count(t, ReservedAreaUse.Kind.HOLE), "hole", "holes") + ", "
        + Count.of(count(t, ReservedAreaUse.Kind.PAMT), "PAMT piece", "PAMT pieces");
  }

  private static long count(GreedyTdmr t, ReservedAreaUse.Kind kind) {
    return t.reservedUses().stream().filter(u -> u.kind() == kind).count();
  }

  private static String size(AddressRange r) {
    return ByteSize.human(r.size());
  }
}
