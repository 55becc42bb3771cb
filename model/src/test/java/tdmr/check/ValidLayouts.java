package tdmr.check;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Random layouts that obey every module rule by construction, with their CMRs.
 *
 * <p>TDMRs of 1–4 GiB, 1 GiB aligned, 0–2 GiB apart (touching allowed, rule B3). Each has up to 15
 * sorted, 4 KiB-granular reserved areas that may touch (C1–C6). Every TDMR range is convertible,
 * as a chain of touching CMRs split at random 4 KiB boundaries (E1 merges them), except "fully
 * reserved" TDMRs, which get no CMR at all (E2). All PAMTs sit back to back in one extra CMR above
 * the last TDMR, outside every TDMR (D4 touching allowed, D5, D6, D7), each level of the kernel's size (D1, D2).
 */
final class ValidLayouts {
  private static final long GiB = 1L << 30;

  /** A layout that passes, and the CMRs it passes against. */
  record Case(Layout layout, ConvertibleMemory cmrs) {}

  private record TdmrShape(long gapGiB, long sizeGiB, boolean fullyReserved, List<Long> cuts, List<Long> cmrCuts) {}

  private ValidLayouts() {}

  static Arbitrary<Case> cases() {
    Arbitrary<List<Long>> pages = Arbitraries.longs().between(0, (1L << 18) - 1).list().ofMaxSize(30);
    Arbitrary<TdmrShape> shapes = Combinators.combine(
            Arbitraries.longs().between(0, 2), Arbitraries.longs().between(1, 4),
            Arbitraries.of(false, false, false, true), pages, pages.map(l -> l.subList(0, Math.min(l.size(), 4))))
        .as(TdmrShape::new);
    return shapes.list().ofMinSize(1).ofMaxSize(5).map(ValidLayouts::build);
  }

  private static Case build(List<TdmrShape> shapes) {
    List<long[]> geometry = new ArrayList<>();
    long cursor = 0;
    for (TdmrShape s : shapes) {
      long base = cursor + s.gapGiB() * GiB;
      geometry.add(new long[] {base, s.sizeGiB() * GiB});
      cursor = base + s.sizeGiB() * GiB;
    }
    long pool = cursor + GiB;
    long poolCursor = pool;
    List<Tdmr> tdmrs = new ArrayList<>();
    List<AddressRange> cmrs = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      TdmrShape s = shapes.get(i);
      long base = geometry.get(i)[0];
      long size = geometry.get(i)[1];
      Pamt pamt = Pamt.kernelChunk(poolCursor, size, TdxLimits.DEFAULT);
      poolCursor += pamt.totalBytes();
      List<ReservedArea> areas = s.fullyReserved() ? List.of(new ReservedArea(0, size)) : areas(s.cuts(), size);
      tdmrs.add(new Tdmr(base, size, pamt, areas));
      if (!s.fullyReserved()) {
        long start = base;
        for (long cut : s.cmrCuts().stream().map(p -> p * PAGE * s.sizeGiB()).distinct().sorted().toList()) {
          if (cut > 0) {
            cmrs.add(new AddressRange(start, base + cut));
            start = base + cut;
          }
        }
        cmrs.add(new AddressRange(start, base + size));
      }
    }
    cmrs.add(new AddressRange(pool, poolCursor));
    return new Case(new Layout(tdmrs), new ConvertibleMemory(cmrs));
  }

  /** Page offsets taken in pairs as [start, end) areas, sorted; at most 15, touching kept. */
  private static List<ReservedArea> areas(List<Long> cuts, long size) {
    long pagesInTdmr = size / PAGE;
    List<Long> sorted = cuts.stream().map(p -> p * (pagesInTdmr >> 18)).sorted().toList();
    List<ReservedArea> areas = new ArrayList<>();
    for (int k = 0; k + 1 < sorted.size() && areas.size() < 15; k += 2) {
      long start = sorted.get(k);
      long end = sorted.get(k + 1);
      if (end > start) {
        areas.add(new ReservedArea(start * PAGE, (end - start) * PAGE));
      }
    }
    return areas;
  }
}
