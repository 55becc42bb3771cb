package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tdmr.check.TwoTdmrMachine.CMRS_WITH_SPARE;
import static tdmr.check.TwoTdmrMachine.GiB;
import static tdmr.check.TwoTdmrMachine.KiB;
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
 * The module's checks at their boundaries, where one comparison decides which rule (or none) a
 * layout breaks, and the sentences that name the other TDMR or slot. Expected rules and statuses
 * follow docs/tdx-module-rules.md; the fixture is {@link TwoTdmrMachine}.
 */
class ModuleValidatorEdgesTest {
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT;
  /** KeyID bits from 8 GiB (HKID start bit 33). */
  private static final TdxLimits KEY_IDS_FROM_8_GIB = new TdxLimits(64, 16, 16, 16, 16, false, 33);

  private static List<Violation> all(Layout layout, TdxLimits limits) {
    return new ModuleValidator(CMRS_WITH_SPARE, limits).allViolations(layout);
  }

  private static List<String> rules(Layout layout, TdxLimits limits) {
    return all(layout, limits).stream().map(v -> v.rule().id()).toList();
  }

  private static Tdmr fullyReserved(long base) {
    // A 1 GiB TDMR that reserves all of itself, its PAMT in the spare CMR: only rules B and C apply.
    return new Tdmr(base, GiB, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of(new ReservedArea(0, GiB)));
  }

  @Test
  void aTdmrWithThePreviousOnesBaseOverlapsItRatherThanBeingUnsorted() {
    // B2 asks each base to be at least the previous one's: equal passes B2 and breaks B3.
    Layout layout = new Layout(List.of(TDMR0, fullyReserved(0)));
    assertEquals(List.of("B3"), rules(layout, LIMITS));
    assertEquals("TDMR 1 [0x0, 0x40000000) overlaps TDMR 0 [0x0, 0x80000000) (rule B3)", all(layout, LIMITS).get(0).message());
  }

  @Test
  void anUnsortedTdmrNamesTheOneBeforeIt() {
    Layout layout = new Layout(List.of(TDMR0, TDMR1, fullyReserved(2 * GiB)));
    assertEquals("TDMR 2 [0x80000000, 0xc0000000) starts below TDMR 1 [0x100000000, 0x180000000); TDMRs must be"
        + " sorted by base (rule B2)", all(layout, LIMITS).get(0).message());
  }

  @Test
  void aTdmrEndingExactlyWhereKeyIdBitsStartPasses() {
    // [7G, 8G) with KeyIDs from 8 GiB: its last byte is 8G - 1 (rule B5 tests base + size - 1).
    Layout layout = new Layout(List.of(TDMR0, TDMR1, fullyReserved(7 * GiB)));
    assertEquals(List.of(), all(layout, KEY_IDS_FROM_8_GIB));
    assertEquals(List.of("B5"), rules(new Layout(List.of(TDMR0, TDMR1, fullyReserved(8 * GiB))), KEY_IDS_FROM_8_GIB));
  }

  @Test
  void anEmptyPamtAtTheKeyIdBoundaryBreaksD1() {
    // Size 0 at exactly 8 GiB: base + size - 1 is below 8 GiB, but the base itself carries a KeyID.
    // TDX_INVALID_PAMT, b0 = 0, b1 = 2 (1G).
    Violation v = all(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 8 * GiB, 0)), KEY_IDS_FROM_8_GIB).get(0);
    assertEquals("D1", v.rule().id());
    assertEquals("0xC0000A1000000200", v.hexCode());
  }

  @Test
  void trailingNullSlotsAreFineAndLeaveTheUsableMemoryDefined() {
    // TDMR 0 with a null slot after its two areas: C1 allows null slots at the end.
    Tdmr trailing = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK),
        new ReservedArea(0, 0));
    assertEquals(List.of(), all(with(0, trailing), LIMITS));
    // Without [0, 1M) its usable memory leaves the CMRs: E1 is still checked behind the null slot.
    Tdmr outside = withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK), new ReservedArea(0, 0));
    assertEquals(List.of("E1"), rules(with(0, outside), LIMITS));
  }

  @Test
  void aNullSlotBeforeAUsedOneNamesBothSlots() {
    Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(0, 0), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    assertEquals("TDMR 0 [0x0, 0x80000000): reserved slot 1 is null (size 0) but slot 2 is not; null slots must"
        + " come last (rule C1)", all(with(0, t), LIMITS).get(0).message());
  }

  @Test
  void twoAreasAtTheSameOffsetOverlapRatherThanBeingUnsorted() {
    // C3 asks offsets to ascend or stay equal; equal offsets break C4. b0 = 0, b1 = 1.
    Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    Violation v = all(with(0, t), LIMITS).get(0);
    assertEquals("C4", v.rule().id());
    assertEquals("0xC0000A2100000100", v.hexCode());
    assertEquals("TDMR 0 [0x0, 0x80000000): reserved area 1 +0x0..+0x100000 overlaps reserved area 0"
        + " +0x0..+0x100000 (rule C4)", v.message());
  }

  @Test
  void anUnsortedAreaNamesTheOneBeforeIt() {
    Tdmr t = withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK), new ReservedArea(0, MiB));
    assertEquals("TDMR 0 [0x0, 0x80000000): reserved area 1 +0x0..+0x100000 starts below reserved area 0"
        + " +0x7f000000..+0x7f805000; areas must be sorted by offset (rule C3)", all(with(0, t), LIMITS).get(0).message());
  }

  @Test
  void usableMemoryIsLeftUncheckedBehindOverlappingOrUnsortedAreas() {
    // TDMR 0 without [0, 1M) would break E1, but its areas overlap (C4) or are unsorted (C3): its
    // usable memory is not defined, so neither D5 nor E1 is checked against it.
    Tdmr overlapping = withReserved(TDMR0, new ReservedArea(MiB, MiB), new ReservedArea(MiB, MiB),
        new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    assertEquals(List.of("C4"), rules(with(0, overlapping), LIMITS));
    Tdmr unsorted = withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK), new ReservedArea(MiB, MiB));
    assertEquals(List.of("C3"), rules(with(0, unsorted), LIMITS));
  }

  @Test
  void anAreaEndingAtTwoToTheSixtyFourMinusOneDoesNotOverflow() {
    // Slot 0 at offset 0 of size 2^64 - 1: offset + size fits 64 bits (C2 holds); the size is not a
    // multiple of 4 KiB (C5). TDX_INVALID_RESERVED_IN_TDMR, b0 = 1, b1 = 0.
    Violation v = all(with(1, withReserved(TDMR1, new ReservedArea(0, -1L))), LIMITS).get(0);
    assertEquals("C5", v.rule().id());
    assertEquals("0xC0000A2000000001", v.hexCode());
  }

  @Test
  void aTdmrEndingAtTwoToTheSixtyFourMinusOneDoesNotOverflow() {
    // Base 2^64 - 1 GiB, size 1 GiB - 1: base + size = 2^64 - 1 fits (B1 holds); the size is not a
    // multiple of 1 GiB (B4), and the TDMR carries KeyID bits (B5).
    Tdmr top = new Tdmr(-GiB, GiB - 1, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of());
    List<String> rules = rules(new Layout(List.of(TDMR0, TDMR1, top)), LIMITS);
    assertEquals(List.of("B4", "B5"), rules.subList(0, 2));
  }

  @Test
  void aPamtInAnotherTdmrsUsableMemoryNamesThatTdmr() {
    // TDMR 1's PAMT_1G at 256 MiB, in TDMR 0's usable memory.
    Violation v = all(with(1, withLevel(TDMR1, PageSize.SIZE_1G, 256 * MiB, 4 * KiB)), LIMITS).get(0);
    assertEquals("TDMR 1 [0x100000000, 0x180000000): PAMT_1G [0x10000000, 0x10001000) overlaps usable (non-reserved)"
        + " memory [0x100000, 0x7f000000) of TDMR 0 [0x0, 0x80000000) (rule D5)", v.message());
  }

  @Test
  void aPamtInItsOwnTdmrsUsableMemorySaysSo() {
    Violation v = all(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 256 * MiB, 4 * KiB)), LIMITS).get(0);
    assertEquals("TDMR 0 [0x0, 0x80000000): PAMT_1G [0x10000000, 0x10001000) overlaps its own usable (non-reserved)"
        + " memory [0x100000, 0x7f000000) (rule D5)", v.message());
  }

  @Test
  void tooManyAreasInALaterTdmrHaveNoStatusCode() {
    // TDMR 1 lists 2 areas with room for 1: the host cannot write it, so there is no module status
    // (code 0, not the detail bytes of TDMR 1), and the sentence says so. TDMR 0 also lists 2.
    TdxLimits one = LIMITS.withMaxReservedPerTdmr(1);
    Tdmr t1 = withReserved(TDMR1, new ReservedArea(0, 4 * KiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    Violation v = all(with(1, t1), one).get(1);
    assertEquals(ModuleError.RESERVED_AREAS_EXHAUSTED, v.error());
    assertEquals(1, v.tdmrIndex());
    assertEquals(0L, v.code());
    assertEquals("RESERVED_AREAS_EXHAUSTED (host, no module status): TDMR 1 [0x100000000, 0x180000000) lists 2"
        + " reserved areas; TDMR_INFO has only 1 slot (rule C1)", v.toString());
  }

  @Test
  void theFixturePasses() {
    assertEquals(List.of(), all(LAYOUT, LIMITS));
  }

  @Test
  void allViolationsStopAtTheCapWithTheFirstInTheModulesOrder() {
    // 27 copies of TDMR 1: each copy i >= 1 breaks B3 once and D4 three times per earlier copy (each
    // of its levels overlaps that copy's same level): 26 + 3 * (1 + ... + 26) = 1079 violations,
    // of which the first 1000 are listed.
    Layout copies = new Layout(java.util.Collections.nCopies(27, TDMR1));
    List<Violation> all = all(copies, LIMITS);
    assertEquals(ModuleValidator.MAX_VIOLATIONS, all.size());
    assertEquals("B3", all.get(0).rule().id());
    assertEquals(1, all.get(0).tdmrIndex());
  }
}
