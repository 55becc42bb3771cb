package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The validator compares only the pairs of TDMRs whose PAMTs or ranges overlap (D4, D5) and finds
 * a range's CMR by binary search (D6, E1); the former validator compared all pairs and scanned all
 * CMRs ({@link AllPairsModuleValidator}). Both must list the same violations in the same order, on
 * raw fields and on crowded layouts where PAMTs, TDMRs and CMRs overlap and touch often.
 */
class ModuleValidatorAllPairsTest {
  private static final long GiB = 1L << 30;

  @Property(tries = 400, seed = "20261204")
  void rawLayoutsGetTheSameViolations(@ForAll("raw") Layout layout, @ForAll("cmrs") ConvertibleMemory cmrs) {
    assertSame(cmrs, TdxLimits.DEFAULT, layout);
  }

  @Property(tries = 400, seed = "20261204")
  void crowdedLayoutsGetTheSameViolations(@ForAll("crowded") Layout layout, @ForAll("cmrs") ConvertibleMemory cmrs) {
    assertSame(cmrs, TdxLimits.DEFAULT.withMaxTdmrs(100), layout);
    assertSame(cmrs, TdxLimits.DEFAULT.withMaxTdmrs(8).withDynamicPamt(true), layout);
  }

  @Test
  void copiesOfOneTdmrStopAtTheSameThousandViolations() {
    Tdmr t = new Tdmr(GiB, GiB, new Pamt(new PamtRange(GiB, 0x400000), new PamtRange(GiB + 0x400000, 0x2000),
        new PamtRange(GiB + 0x402000, 0x1000)), List.of(new ReservedArea(0, 0x403000)));
    Layout copies = new Layout(Collections.nCopies(400, t));
    ConvertibleMemory cmrs = new ConvertibleMemory(List.of(new AddressRange(0, 4 * GiB)));
    List<Violation> all = assertSame(cmrs, TdxLimits.DEFAULT.withMaxTdmrs(1000), copies);
    assertEquals(ModuleValidator.MAX_VIOLATIONS, all.size());
  }

  /**
   * 20 000 TDMRs of 1 GiB, each with its PAMT at its start, reserved: valid by rules B–E (PAMT sizes
   * from the entry sizes, rule D2), so no violation. Comparing all pairs took about a minute here.
   */
  @Test
  void twentyThousandTdmrsEachHoldingItsOwnPamtPass() {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(20_000);
    long pamt4k = roundUpToPage((GiB >>> 12) * limits.entrySize(PageSize.SIZE_4K));
    long pamt2m = roundUpToPage((GiB >>> 21) * limits.entrySize(PageSize.SIZE_2M));
    long pamt1g = roundUpToPage(limits.entrySize(PageSize.SIZE_1G));
    List<Tdmr> tdmrs = new ArrayList<>();
    for (long k = 1; k <= 20_000; k++) {
      long base = k * GiB;
      tdmrs.add(new Tdmr(base, GiB, new Pamt(new PamtRange(base, pamt4k), new PamtRange(base + pamt4k, pamt2m),
          new PamtRange(base + pamt4k + pamt2m, pamt1g)), List.of(new ReservedArea(0, pamt4k + pamt2m + pamt1g))));
    }
    ConvertibleMemory cmrs = new ConvertibleMemory(List.of(new AddressRange(GiB, 20_001 * GiB)));
    assertEquals(List.of(), new ModuleValidator(cmrs, limits).allViolations(new Layout(tdmrs)));
  }

  private static List<Violation> assertSame(ConvertibleMemory cmrs, TdxLimits limits, Layout layout) {
    List<Violation> expected = new AllPairsModuleValidator(cmrs, limits).allViolations(layout);
    List<Violation> actual = new ModuleValidator(cmrs, limits).allViolations(layout);
    assertEquals(expected, actual);
    return actual;
  }

  private static long roundUpToPage(long bytes) {
    return (bytes + 4095) & ~4095L;
  }

  @Provide
  Arbitrary<Layout> raw() {
    return RawLayouts.layouts();
  }

  /**
   * Up to 40 TDMRs on a small grid: bases and sizes of whole GiB among few values, PAMTs of 4 KiB
   * multiples near GiB boundaries (some unaligned, some empty, some past 2^63), a few reserved
   * areas; so TDMRs repeat and overlap, and PAMTs overlap each other and usable memory.
   */
  @Provide
  Arbitrary<Layout> crowded() {
    Arbitrary<Long> gib = Arbitraries.longs().between(0, 12).map(n -> n * GiB);
    Arbitrary<Long> pamtBase = Arbitraries.oneOf(
        Combinators.combine(gib, Arbitraries.longs().between(0, 8)).as((g, k) -> g + k * 0x1000),
        Arbitraries.of(0x800L, Long.MIN_VALUE, -0x2000L, 5 * GiB - 0x1000));
    Arbitrary<Long> pamtSize = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 4).map(k -> k * 0x1000),
        Arbitraries.longs().between(1, 3).map(k -> k * GiB),
        Arbitraries.of(0x400000L, 0x1800L));
    Arbitrary<PamtRange> pamt = Combinators.combine(pamtBase, pamtSize).as(PamtRange::new);
    Arbitrary<ReservedArea> area = Combinators.combine(
        Arbitraries.longs().between(0, 3).map(k -> k * GiB / 2),
        Arbitraries.longs().between(0, 3).map(k -> k * GiB / 2 + (k == 3 ? 0x1000 : 0)))
        .as(ReservedArea::new);
    Arbitrary<List<ReservedArea>> areas = area.list().ofMaxSize(3)
        .filter(l -> l.isEmpty() || !l.get(l.size() - 1).isNull());
    Arbitrary<Tdmr> tdmr = Combinators.combine(gib, Arbitraries.longs().between(0, 4).map(n -> n * GiB),
        pamt, pamt, pamt, areas)
        .as((base, size, p4, p2, p1, rsvd) -> new Tdmr(base, size, new Pamt(p4, p2, p1), rsvd));
    return tdmr.list().ofMinSize(1).ofMaxSize(40).map(Layout::new);
  }

  /** No CMR, one, or several on the same grid, some touching (they merge), some with gaps. */
  @Provide
  Arbitrary<ConvertibleMemory> cmrs() {
    return Arbitraries.longs().between(0, 12).set().ofMaxSize(8).map(points -> {
      List<Long> sorted = new ArrayList<>(points);
      Collections.sort(sorted);
      List<AddressRange> ranges = new ArrayList<>();
      for (int k = 0; k + 1 < sorted.size(); k++) {
        if (k % 3 != 2) {
          ranges.add(new AddressRange(sorted.get(k) * GiB, sorted.get(k + 1) * GiB));
        }
      }
      return new ConvertibleMemory(ranges);
    });
  }
}
