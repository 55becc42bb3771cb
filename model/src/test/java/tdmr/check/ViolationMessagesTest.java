package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tdmr.check.TwoTdmrMachine.CMRS_WITH_SPARE;
import static tdmr.check.TwoTdmrMachine.GiB;
import static tdmr.check.TwoTdmrMachine.LAYOUT;
import static tdmr.check.TwoTdmrMachine.MiB;
import static tdmr.check.TwoTdmrMachine.PAMT_CHUNK;
import static tdmr.check.TwoTdmrMachine.PAMT_OFFSET;
import static tdmr.check.TwoTdmrMachine.SPARE;
import static tdmr.check.TwoTdmrMachine.TDMR0;
import static tdmr.check.TwoTdmrMachine.TDMR1;
import static tdmr.check.TwoTdmrMachine.with;
import static tdmr.check.TwoTdmrMachine.withLevel;
import static tdmr.check.TwoTdmrMachine.withReserved;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * What {@code tdmr check} tells a person about a violation beyond its status: which bytes are not
 * convertible, how large a PAMT must be, in sizes a person reads (and unsigned, since fields may
 * come from a binary file). The fixture is {@link TwoTdmrMachine} with its spare CMR [2.5G, 3G).
 */
class ViolationMessagesTest {
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT;

  private static List<Violation> violations(Layout layout, TdxLimits limits) {
    return new ModuleValidator(CMRS_WITH_SPARE, limits).allViolations(layout);
  }

  private static Violation only(Layout layout, Rule rule) {
    List<Violation> of = violations(layout, LIMITS).stream().filter(v -> v.rule() == rule).toList();
    assertEquals(1, of.size(), () -> "one " + rule + " violation expected: " + violations(layout, LIMITS));
    return of.get(0);
  }

  @Test
  void aPamtOutsideTheCmrsNamesTheBytesThatAreNotConvertible() {
    // TDMR 1's PAMT_4K [3G - 4M, 3G + 4M) runs 4 MiB past the spare CMR's end at 3 GiB.
    Violation v = only(with(1, withLevel(TDMR1, PageSize.SIZE_4K, 3 * GiB - 4 * MiB, 8 * MiB)), Rule.D6_PAMT_IN_CMRS);
    assertEquals("TDMR 1 [0x100000000, 0x180000000): PAMT_4K [0xbfc00000, 0xc0400000) is not inside one CMR"
        + " (not convertible: [0xc0000000, 0xc0400000)) (rule D6)", v.message());
  }

  @Test
  void anEmptyPamtOutsideTheCmrsHasNoBytesToName() {
    // TDMR 0's PAMT_1G of size 0 at 3.5 GiB: too small (D2) and outside every CMR (D6), with no
    // byte that is not convertible.
    Violation v = only(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 3 * GiB + GiB / 2, 0)), Rule.D6_PAMT_IN_CMRS);
    assertEquals("TDMR 0 [0x0, 0x80000000): PAMT_1G [0xe0000000, 0xe0000000) is not inside one CMR (rule D6)",
        v.message());
  }

  @Test
  void usableMemoryOutsideTheCmrsNamesEveryPartAndItsNonConvertibleBytes() {
    // A TDMR [2G, 4G) reserving only [3G + 1M, 3G + 2M): usable [2G, 3G + 1M) holds the spare CMR
    // [2.5G, 3G) with [2G, 2.5G) and [3G, 3G + 1M) around it; usable [3G + 2M, 4G) is in no CMR.
    // Its PAMT sits in the spare CMR; this test reads only the E1 sentence.
    Tdmr middle = new Tdmr(2 * GiB, 2 * GiB, Pamt.kernelChunk(SPARE, 2 * GiB, LIMITS),
        List.of(new ReservedArea(GiB + MiB, MiB)));
    Violation v = only(new Layout(List.of(TDMR0, middle, TDMR1)), Rule.E1_USABLE_MEMORY_IN_CMRS);
    assertEquals("TDMR 1 [0x80000000, 0x100000000): usable (non-reserved) memory"
        + " [0x80000000, 0xc0100000) (not convertible: [0x80000000, 0xa0000000), [0xc0000000, 0xc0100000)),"
        + " [0xc0200000, 0x100000000) (not convertible: [0xc0200000, 0x100000000))"
        + " is not inside one CMR; reserve it or shrink the TDMR (rule E1)", v.message());
  }

  @Test
  void usableMemoryFromAddressZeroIsNamedToo() {
    // TDMR 0 without its [0, 1M) area: the CMR starts at 1 MiB.
    Violation v = only(with(0, withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK))),
        Rule.E1_USABLE_MEMORY_IN_CMRS);
    assertEquals("TDMR 0 [0x0, 0x80000000): usable (non-reserved) memory [0x0, 0x7f000000)"
        + " (not convertible: [0x0, 0x100000)) is not inside one CMR; reserve it or shrink the TDMR (rule E1)",
        v.message());
  }

  @Test
  void aTooSmallPamtSaysWhatItNeedsInBinaryUnits() {
    // 2 GiB needs 8 MiB of PAMT_4K (2^19 pages * 16 bytes); 0x400000 bytes is half of it.
    long base = TDMR0.pamt().fourK().base();
    Violation v = only(with(0, withLevel(TDMR0, PageSize.SIZE_4K, base, 0x400000L)), Rule.D2_PAMT_SIZE);
    assertEquals("TDMR 0 [0x0, 0x80000000): PAMT_4K (base 0x7f000000, size 0x400000): 4 MiB is smaller than"
        + " the 8 MiB PAMT needs for a TDMR of 2 GiB (rule D2)", v.message());
  }

  @Test
  void aTooSmallBitmapSaysItIsTheDynamicPamtBitmap() {
    // Dynamic PAMT: 2 GiB needs a bitmap of 2^19 bits = 64 KiB; 60 KiB is short.
    TdxLimits dpamt = new TdxLimits(64, 16, 16, 16, 16, true, 48);
    long base = TDMR0.pamt().fourK().base();
    List<Violation> all = violations(with(0, withLevel(TDMR0, PageSize.SIZE_4K, base, 60 * 1024)), dpamt);
    assertEquals(1, all.size(), all::toString);
    assertEquals("TDMR 0 [0x0, 0x80000000): PAMT_4K (base 0x7f000000, size 0xf000): 60 KiB is smaller than"
        + " the 64 KiB Dynamic PAMT bitmap needs for a TDMR of 2 GiB (rule D3)", all.get(0).message());
  }

  @Test
  void sizesPastTwoToTheSixtyThreeArePrintedUnsigned() {
    // A TDMR of 2^63 bytes at 0 (a binary file can hold it; B5 rejects it): PAMT_4K needs
    // 2^63 / 2^12 * 16 = 2^55 bytes = 32 PiB, and the TDMR's size does not fit a signed long.
    Tdmr huge = new Tdmr(0, Long.MIN_VALUE, TDMR0.pamt(), TDMR0.reserved());
    Violation v = violations(new Layout(List.of(huge)), LIMITS).stream()
        .filter(x -> x.rule() == Rule.D2_PAMT_SIZE && x.code() == x.error().code(0, 0, 0)).findFirst().orElseThrow();
    assertEquals("TDMR 0 [0x0, 0x8000000000000000): PAMT_4K (base 0x7f000000, size 0x800000): 8 MiB is smaller"
        + " than the 32 PiB PAMT needs for a TDMR of 0x8000000000000000 bytes (rule D2)", v.message());
  }

  @Test
  void aMinimumPastTwoToTheSixtyFourSaturatesSoNoPamtIsLargeEnough() {
    // 1 MiB entries for 4K pages: a TDMR of 2^63 bytes needs 2^51 * 2^20 = 2^71 bytes, which no
    // 64-bit size reaches; the minimum saturates at 2^64 - 1 rather than wrapping to 0.
    TdxLimits wide = new TdxLimits(64, 16, 1 << 20, 16, 16, false, 52);
    Tdmr huge = new Tdmr(0, Long.MIN_VALUE, TDMR0.pamt(), TDMR0.reserved());
    Violation v = violations(new Layout(List.of(huge)), wide).stream()
        .filter(x -> x.rule() == Rule.D2_PAMT_SIZE && x.code() == x.error().code(0, 0, 0)).findFirst().orElseThrow();
    assertEquals("TDMR 0 [0x0, 0x8000000000000000): PAMT_4K (base 0x7f000000, size 0x800000): 8 MiB is smaller"
        + " than the 0xffffffffffffffff bytes PAMT needs for a TDMR of 0x8000000000000000 bytes (rule D2)", v.message());
  }

  @Test
  void theFixtureHasNothingToSay() {
    assertEquals(List.of(), violations(LAYOUT, LIMITS));
  }

  @Test
  void aMinimumThatJustFitsSixtyFourBitsIsNotSaturated() {
    // 1 MiB entries: a TDMR of (2^44 - 1) pages needs (2^44 - 1) * 2^20 = 2^64 - 2^20 bytes, the
    // largest multiple of 2^20 below 2^64; it is printed as it is, not as 2^64 - 1.
    TdxLimits wide = new TdxLimits(64, 16, 1 << 20, 16, 16, false, 52);
    Tdmr huge = new Tdmr(0, ((1L << 44) - 1) << 12, TDMR0.pamt(), TDMR0.reserved());
    Violation v = violations(new Layout(List.of(huge)), wide).stream()
        .filter(x -> x.rule() == Rule.D2_PAMT_SIZE && x.code() == x.error().code(0, 0, 0)).findFirst().orElseThrow();
    assertEquals("TDMR 0 [0x0, 0xfffffffffff000): PAMT_4K (base 0x7f000000, size 0x800000): 8 MiB is smaller"
        + " than the 0xfffffffffff00000 bytes PAMT needs for a TDMR of 64.00 PiB (rule D2)", v.message());
  }
}
