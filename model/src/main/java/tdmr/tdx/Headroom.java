package tdmr.tdx;

import java.util.Objects;

/**
 * How close a layout is to the module's limits: TDMRs used of the maximum, and reserved areas used
 * in the tightest TDMR (the one with the most; the first of those) of the maximum per TDMR.
 *
 * @param tdmrs TDMRs in the layout
 * @param maxTdmrs the module's MAX_TDMRS
 * @param tightestTdmr index of the TDMR with the most reserved areas
 * @param reservedInTightest reserved areas of that TDMR
 * @param maxReservedPerTdmr the module's MAX_RESERVED_PER_TDMR
 */
public record Headroom(int tdmrs, int maxTdmrs, int tightestTdmr, int reservedInTightest, int maxReservedPerTdmr) {

  /** The headroom of a layout of at least one TDMR under the limits. */
  public static Headroom of(Layout layout, TdxLimits limits) {
    Objects.requireNonNull(limits, "limits");
    if (layout.tdmrs().isEmpty()) {
      throw new IllegalArgumentException("a layout without TDMRs has no headroom");
    }
    int tightest = 0;
    for (int i = 1; i < layout.size(); i++) {
      if (layout.tdmrs().get(i).reservedCount() > layout.tdmrs().get(tightest).reservedCount()) {
        tightest = i;
      }
    }
    return new Headroom(layout.size(), limits.maxTdmrs(), tightest, layout.tdmrs().get(tightest).reservedCount(),
        limits.maxReservedPerTdmr());
  }

  /** TDMRs the module would still accept. */
  public int tdmrsLeft() {
    return maxTdmrs - tdmrs;
  }

  /** Reserved areas the tightest TDMR could still take. */
  public int reservedLeft() {
    return maxReservedPerTdmr - reservedInTightest;
  }
}
