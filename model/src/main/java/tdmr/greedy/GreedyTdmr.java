package tdmr.greedy;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * One TDMR as the greedy built it, with the bookkeeping a person needs to understand the outcome.
 *
 * @param index position in the TDMR list
 * @param range the TDMR's range
 * @param node the NUMA node {@code tdmr_get_nid} picked for its PAMT
 * @param nodeFallback true when no block ended after the base and the kernel fell back to node 0
 * @param pamt its PAMT chunk, empty when construction failed before it was placed
 * @param reservedUses every reserved area the kernel adds, in the kernel's order (holes, then PAMT
 *     pieces by owner); may be longer than the limit when this TDMR is the one that failed; empty
 *     when construction failed before reserved areas were computed
 */
public record GreedyTdmr(
    int index,
    AddressRange range,
    int node,
    boolean nodeFallback,
    Optional<Pamt> pamt,
    List<ReservedAreaUse> reservedUses) {

  public GreedyTdmr {
    reservedUses = List.copyOf(reservedUses);
  }

  /** The TDMR_INFO entry: reserved areas sorted by offset ("TDX requires reserved areas listed in address ascending order"). */
  public Tdmr toTdmr() {
    List<ReservedArea> areas = new java.util.ArrayList<>(reservedUses.size());
    for (ReservedAreaUse u : reservedUses) {
      areas.add(new ReservedArea(u.range().start() - range.start(), u.range().size()));
    }
    areas.sort(Comparator.comparingLong(ReservedArea::offset));
    return new Tdmr(
        range.start(),
        range.size(),
        pamt.orElseThrow(() -> new IllegalStateException(this + " has no PAMT")),
        areas);
  }

  @Override
  public String toString() {
    return "TDMR " + range;
  }
}
