package tdmr.check;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/** Random layouts of raw 64-bit fields, as a TDMR_INFO binary file could hold them. */
final class RawLayouts {
  private RawLayouts() {}

  /** 1 to 6 TDMRs, 0 to 16 reserved slots each, the last slot (if any) non-null. */
  static Arbitrary<Layout> layouts() {
    Arbitrary<Long> raw = Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(0, 1L << 40),
        Arbitraries.longs().between(0, 16).map(n -> n << 30),
        Arbitraries.of(0L, -1L, Long.MIN_VALUE, 4096L));
    Arbitrary<PamtRange> ranges = Combinators.combine(raw, raw).as(PamtRange::new);
    Arbitrary<ReservedArea> areas = Combinators.combine(raw, raw).as(ReservedArea::new);
    Arbitrary<List<ReservedArea>> slots = areas.list().ofMaxSize(16)
        // The codec drops null slots after the last used one (the module ignores them).
        .filter(l -> l.isEmpty() || !l.get(l.size() - 1).isNull());
    Arbitrary<Tdmr> tdmrs = Combinators.combine(raw, raw, ranges, ranges, ranges, slots)
        .as((base, size, p4, p2, p1, rsvd) -> new Tdmr(base, size, new Pamt(p4, p2, p1), rsvd));
    return tdmrs.list().ofMinSize(1).ofMaxSize(6).map(Layout::new);
  }
}
