package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import static tdmr.check.TwoTdmrMachine.chunk;
import static tdmr.check.TwoTdmrMachine.with;
import static tdmr.check.TwoTdmrMachine.withGeometry;
import static tdmr.check.TwoTdmrMachine.withLevel;
import static tdmr.check.TwoTdmrMachine.withPamt;
import static tdmr.check.TwoTdmrMachine.withReserved;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * One layout per rule that breaks that rule alone, with the status the module would return.
 *
 * <p>Expected codes are derived from the module's error codes (docs/tdx-module-rules.md): code = base + b0 +
 * (b1 << 8) + (b2 << 16); PAMT levels are 4K = 0, 2M = 1, 1G = 2.
 */
class ModuleValidatorTest {
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT;

  private static ModuleValidator validator(TdxLimits limits) {
    return new ModuleValidator(CMRS_WITH_SPARE, limits);
  }

  /** Asserts the layout breaks exactly one rule, with this status. */
  private static Violation assertAlone(Layout layout, TdxLimits limits, String hexCode, String rule) {
    List<Violation> all = validator(limits).allViolations(layout);
    assertEquals(1, all.size(), () -> "expected one violation, got " + all);
    Violation v = all.get(0);
    assertEquals(hexCode, v.hexCode(), v::toString);
    assertEquals(rule, v.rule().id(), v::toString);
    assertEquals(v, validator(limits).firstViolation(layout).orElseThrow());
    return v;
  }

  private static Violation assertAlone(Layout layout, String hexCode, String rule) {
    return assertAlone(layout, LIMITS, hexCode, rule);
  }

  private static Violation assertFirst(Layout layout, TdxLimits limits, String hexCode, String rule) {
    Violation v = validator(limits).firstViolation(layout).orElseThrow();
    assertEquals(hexCode, v.hexCode(), v::toString);
    assertEquals(rule, v.rule().id(), v::toString);
    return v;
  }

  private static void assertPasses(Layout layout, TdxLimits limits) {
    List<Violation> all = validator(limits).allViolations(layout);
    assertTrue(all.isEmpty(), () -> "expected no violation, got " + all);
  }

  @Nested
  class LayoutsThatObeyEveryRule {
    @Test
    void twoTdmrLayoutWithPamtsInReservedAreasPasses() {
      assertPasses(LAYOUT, LIMITS);
      // The spare CMR is not needed: the layout also passes against the blocks' own CMRs.
      assertTrue(new ModuleValidator(TwoTdmrMachine.MAP.cmrs(), LIMITS).accepts(LAYOUT));
    }

    @Test
    void touchingTdmrsPass() {
      // TDMR [2 GiB, 3 GiB) starts exactly where TDMR 0 ends (rule B3 allows touching). It is fully
      // reserved (E2) and its PAMT sits in the spare CMR inside its own reserved area.
      Tdmr middle = new Tdmr(2 * GiB, GiB, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of(new ReservedArea(0, GiB)));
      assertPasses(new Layout(List.of(TDMR0, middle, TDMR1)), LIMITS);
    }

    @Test
    void touchingReservedAreasPass() {
      // [0, 1 MiB) and [1 MiB, 1 MiB + 4 KiB) touch; the module never requires merging (rule C4).
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(MiB, 4 * KiB),
          new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      assertPasses(with(0, t), LIMITS);
    }

    @Test
    void areasAtOffsetZeroAndEndingAtTdmrEndPass() {
      Tdmr t = withReserved(TDMR1, new ReservedArea(0, 4 * KiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK),
          new ReservedArea(2 * GiB - 4 * KiB, 4 * KiB));
      assertPasses(with(1, t), LIMITS);
    }

    @Test
    void fullyReservedTdmrOutsideCmrsPassesE2() {
      // [8 GiB, 9 GiB) has no CMR at all; fully reserved, only rules B and C apply to it.
      Tdmr outside = new Tdmr(8 * GiB, GiB, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of(new ReservedArea(0, GiB)));
      assertPasses(new Layout(List.of(TDMR0, TDMR1, outside)), LIMITS);
    }

    @Test
    void pamtAndUsableMemoryAcrossTouchingCmrsPass() {
      // CMRs split at 0x7F400000, inside TDMR 0's PAMT_4K and inside its usable memory; touching
      // CMRs act as one (rule E1, is_area_in_cmr).
      ConvertibleMemory split = new ConvertibleMemory(List.of(
          new AddressRange(MiB, 0x40000000L), new AddressRange(0x40000000L, 0x7F400000L),
          new AddressRange(0x7F400000L, 2 * GiB), new AddressRange(4 * GiB, 6 * GiB)));
      assertTrue(new ModuleValidator(split, LIMITS).accepts(LAYOUT));
    }

    @Test
    void pamtOneGLevelOfOnePagePasses() {
      // 32 bytes needed, 4 KiB given: an over-sized PAMT is accepted (rule D2).
      assertPasses(LAYOUT, LIMITS);
      assertEquals(0x1000L, LAYOUT.tdmrs().get(0).pamt().oneG().size());
    }
  }

  @Nested
  class CallLevelRules {
    @Test
    void emptyLayoutViolatesA4() {
      // TDX_OPERAND_INVALID 0xC000010000000000 | RDX (2) = 0xC000010000000002.
      assertAlone(new Layout(List.of()), "0xC000010000000002", "A4");
    }

    @Test
    void moreTdmrsThanTheModuleSupportsViolatesA4() {
      assertAlone(LAYOUT, LIMITS.withMaxTdmrs(1), "0xC000010000000002", "A4");
    }

    @Test
    void dynamicPamtWithHkidStartAbove48ViolatesA7() {
      // TDX_OPERAND_INVALID | R8 (8) = 0xC000010000000008. DEFAULT has HKID start bit 52.
      assertAlone(LAYOUT, LIMITS.withDynamicPamt(true), "0xC000010000000008", "A7");
    }

    @Test
    void dynamicPamtWithHkidStart48Passes() {
      assertPasses(LAYOUT, new TdxLimits(64, 16, 16, 16, 16, true, 48));
    }
  }

  @Nested
  class TdmrGeometry {
    @Test
    void baseAndSizeOverflowViolatesB1() {
      // 4 GiB + (2^64 - 4 GiB) = 2^64 wraps. TDX_INVALID_TDMR, b0 = 1: 0xC0000A0000000001.
      assertAlone(with(1, withGeometry(TDMR1, 4 * GiB, -4 * GiB)), "0xC0000A0000000001", "B1");
    }

    @Test
    void unsortedTdmrsViolateB2() {
      // TDMR 1 (base 0) starts below TDMR 0 (base 4 GiB). TDX_NON_ORDERED_TDMR, b0 = 1.
      assertAlone(new Layout(List.of(TDMR1, TDMR0)), "0xC0000A0100000001", "B2");
    }

    @Test
    void overlappingTdmrsViolateB3() {
      // [1 GiB, 2 GiB) starts inside TDMR 0 [0, 2 GiB). Fully reserved with its PAMT in the spare
      // CMR, so B3 is its only problem. TDX_NON_ORDERED_TDMR, b0 = 1.
      Tdmr inside = new Tdmr(GiB, GiB, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of(new ReservedArea(0, GiB)));
      assertAlone(new Layout(List.of(TDMR0, inside)), "0xC0000A0100000001", "B3");
    }

    @Test
    void sizeNotMultipleOfOneGibViolatesB4() {
      // [4 GiB, 6 GiB - 2 MiB): everything else still fits. TDX_INVALID_TDMR, b0 = 1.
      assertAlone(with(1, withGeometry(TDMR1, 4 * GiB, 2 * GiB - 2 * MiB)), "0xC0000A0000000001", "B4");
    }

    @Test
    void baseNotMultipleOfOneGibViolatesB4() {
      // TDMR 0 moved to [2 MiB, 2 GiB): base misaligned. The PAMT area's offset shifts by 2 MiB so it
      // stays reserved, and the usable rest lies in the CMR [1 MiB, 2 GiB). TDX_INVALID_TDMR, b0 = 0.
      Tdmr t = new Tdmr(2 * MiB, 2 * GiB - 2 * MiB, TDMR0.pamt(),
          List.of(new ReservedArea(PAMT_OFFSET - 2 * MiB, PAMT_CHUNK)));
      assertAlone(with(0, t), "0xC0000A0000000000", "B4");
    }

    @Test
    void emptyTdmrViolatesB4() {
      // Size 0: PAMT minimums are 0 (D2 passes), no usable memory (E1 passes).
      Tdmr empty = new Tdmr(8 * GiB, 0, Pamt.kernelChunk(SPARE, GiB, LIMITS), List.of());
      assertAlone(new Layout(List.of(TDMR0, TDMR1, empty)), "0xC0000A0000000002", "B4");
    }

    @Test
    void tdmrAboveHkidStartViolatesB5() {
      // HKID start bit 32: addresses from 4 GiB carry KeyID bits, so TDMR 1's base fails HKOK.
      // Its PAMT moves to the spare CMR below 4 GiB. TDX_INVALID_TDMR, b0 = 1.
      TdxLimits keyIdsFrom4GiB = new TdxLimits(64, 16, 16, 16, 16, false, 32);
      Tdmr t = withReserved(withPamt(TDMR1, chunk(SPARE)));
      assertAlone(with(1, t), keyIdsFrom4GiB, "0xC0000A0000000001", "B5");
    }

    @Test
    void tdmrEndingAboveHkidStartViolatesB5() {
      // HKID start bit 33 (8 GiB): TDMR 1 grown to [4 GiB, 10 GiB) ends past it; the rest of it is
      // reserved so E1 holds. TDX_INVALID_TDMR, b0 = 1.
      TdxLimits keyIdsFrom8GiB = new TdxLimits(64, 16, 16, 16, 16, false, 33);
      long size = 6 * GiB;
      Tdmr t = new Tdmr(4 * GiB, size, Pamt.kernelChunk(SPARE, size, LIMITS),
          List.of(new ReservedArea(2 * GiB, 4 * GiB)));
      assertAlone(with(1, t), keyIdsFrom8GiB, "0xC0000A0000000001", "B5");
    }
  }

  @Nested
  class ReservedAreas {
    @Test
    void nullSlotBeforeUsedSlotViolatesC1() {
      // Slot 1 is null (size 0) and slot 2 is not. TDX_NON_ORDERED_RESERVED_IN_TDMR, b0 = 0, b1 = 1:
      // 0xC0000A2100000000 + 0x100.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(0x1234, 0),
          new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      assertAlone(with(0, t), "0xC0000A2100000100", "C1");
    }

    @Test
    void moreAreasThanSlotsIsReportedAsHostFailure() {
      // TDMR 0 lists 2 areas, the limit is 1: TDMR_INFO cannot hold them (no module status).
      Violation v = assertAlone(LAYOUT, LIMITS.withMaxReservedPerTdmr(1), "0x0000000000000000", "C1");
      assertEquals(ModuleError.RESERVED_AREAS_EXHAUSTED, v.error());
      assertEquals(0, v.tdmrIndex());
    }

    @Test
    void offsetPlusSizeOverflowViolatesC2() {
      // 0x7F000000 + (2^64 - 0x7F000000) = 2^64 wraps. TDX_INVALID_RESERVED_IN_TDMR, b0 = 0, b1 = 1.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, -PAMT_OFFSET));
      assertAlone(with(0, t), "0xC0000A2000000100", "C2");
    }

    @Test
    void unsortedAreasViolateC3() {
      // Slot 1 (offset 0) below slot 0 (offset 0x7F000000). NON_ORDERED_RESERVED, b0 = 0, b1 = 1.
      Tdmr t = withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK), new ReservedArea(0, MiB));
      assertAlone(with(0, t), "0xC0000A2100000100", "C3");
    }

    @Test
    void overlappingAreasViolateC4() {
      // Slot 1 [0xFF000, 0x100000+...) starts before slot 0 [0, 0x100000) ends. b0 = 0, b1 = 1.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(MiB - 4 * KiB, 8 * KiB),
          new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      assertAlone(with(0, t), "0xC0000A2100000100", "C4");
    }

    @Test
    void sizeNotMultipleOf4KibViolatesC5() {
      // Slot 1 size 0x805800. TDX_INVALID_RESERVED_IN_TDMR, b0 = 0, b1 = 1.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK + 0x800));
      assertAlone(with(0, t), "0xC0000A2000000100", "C5");
    }

    @Test
    void offsetNotMultipleOf4KibViolatesC5() {
      Tdmr t = withReserved(TDMR0, new ReservedArea(0x800, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      // Slot 0. b0 = 0, b1 = 0.
      assertAlone(with(0, t), "0xC0000A2000000000", "C5");
    }

    @Test
    void areaPastTdmrEndViolatesC6() {
      // Slot 2 [2 GiB - 4 KiB, 2 GiB + 4 KiB) leaves TDMR 0. b0 = 0, b1 = 2: 0xC0000A2000000200.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK),
          new ReservedArea(2 * GiB - 4 * KiB, 8 * KiB));
      assertAlone(with(0, t), "0xC0000A2000000200", "C6");
    }

    @Test
    void baseplusOffsetOverflowViolatesC6() {
      // TDMR 1 base 4 GiB + offset (2^64 - 4 GiB) wraps, though offset + size does not (C2 passes).
      // b0 = 1, b1 = 1: 0xC0000A2000000101.
      Tdmr t = withReserved(TDMR1, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK), new ReservedArea(-4 * GiB, 4 * KiB));
      assertAlone(with(1, t), "0xC0000A2000000101", "C6");
    }
  }

  @Nested
  class PamtShapeAndSize {
    // TDX_INVALID_PAMT 0xC0000A1000000000, b0 = TDMR, b1 = level (4K 0, 2M 1, 1G 2).

    /**
     * Every D1 sub-condition on every level of TDMR 1, with HKID start bit 33 (KeyIDs from 8 GiB).
     * Expected: TDX_INVALID_PAMT + b0 (1) + level << 8, i.e. 4K 0xC0000A1000000001, 2M
     * 0xC0000A1000000101, 1G 0xC0000A1000000201.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tdmr.check.ModuleValidatorTest#d1Cases")
    void eachShapeConditionOnEachLevelViolatesD1(PageSize level, String condition, long base, long size, String hex) {
      TdxLimits keyIdsFrom8GiB = new TdxLimits(64, 16, 16, 16, 16, false, 33);
      assertAlone(with(1, withLevel(TDMR1, level, base, size)), keyIdsFrom8GiB, hex, "D1");
    }

    @Test
    void oneGOverflowViolatesD1() {
      long base = TDMR0.pamt().oneG().base();
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, base, -base)), "0xC0000A1000000200", "D1");
    }

    @Test
    void twoMBaseNotMultipleOf4KibViolatesD1() {
      long base = TDMR1.pamt().twoM().base();
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_2M, base + 0x800, 0x4000)), "0xC0000A1000000101", "D1");
    }

    @Test
    void fourKSizeNotMultipleOf4KibViolatesD1() {
      long base = TDMR1.pamt().fourK().base();
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_4K, base, 0x800800L)), "0xC0000A1000000001", "D1");
    }

    @Test
    void pamtBaseWithKeyIdBitsViolatesD1() {
      // HKID start bit 33 (8 GiB): PAMT_1G at 8 GiB carries a KeyID. b0 = 0, b1 = 2.
      TdxLimits keyIdsFrom8GiB = new TdxLimits(64, 16, 16, 16, 16, false, 33);
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 8 * GiB, 0x1000)), keyIdsFrom8GiB,
          "0xC0000A1000000200", "D1");
    }

    @Test
    void pamtEndWithKeyIdBitsViolatesD1() {
      // [8 GiB - 4 KiB, 8 GiB + 4 KiB): base is fine, base + size - 1 is not. b0 = 0, b1 = 2.
      TdxLimits keyIdsFrom8GiB = new TdxLimits(64, 16, 16, 16, 16, false, 33);
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 8 * GiB - 0x1000, 0x2000)), keyIdsFrom8GiB,
          "0xC0000A1000000200", "D1");
    }

    @Test
    void emptyPamtAtZeroWrapsAndViolatesD1NotD2() {
      // base 0, size 0: the module tests base + size - 1 = 2^64 - 1 for KeyID bits (rule D1).
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_2M, 0, 0)), "0xC0000A1000000100", "D1");
    }

    @Test
    void fourKTooSmallViolatesD2() {
      // 2 GiB needs 8 MiB (0x800000) of PAMT_4K; 0x7FF000 is one page short. b0 = 0, b1 = 0.
      long base = TDMR0.pamt().fourK().base();
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_4K, base, 0x7FF000L)), "0xC0000A1000000000", "D2");
    }

    @Test
    void twoMTooSmallViolatesD2() {
      // 2 GiB needs 16 KiB (0x4000) of PAMT_2M. b0 = 1, b1 = 1.
      long base = TDMR1.pamt().twoM().base();
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_2M, base, 0x3000L)), "0xC0000A1000000101", "D2");
    }

    @Test
    void emptyOneGViolatesD2() {
      // 2 GiB needs 32 bytes of PAMT_1G; size 0 at an aligned non-zero base passes D1. b0 = 0, b1 = 2.
      long base = TDMR0.pamt().oneG().base();
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, base, 0)), "0xC0000A1000000200", "D2");
    }

    @Test
    void largerEntrySizeRaisesTheMinimum() {
      // 32-byte 2M entries: 1024 entries * 32 = 32 KiB > the 16 KiB given. b0 = 0, b1 = 1 (first TDMR).
      TdxLimits wide2m = new TdxLimits(64, 16, 16, 32, 16, false, 52);
      List<Violation> all = validator(wide2m).allViolations(LAYOUT);
      assertEquals(List.of("0xC0000A1000000100", "0xC0000A1000000101"), all.stream().map(Violation::hexCode).toList());
    }

    @Test
    void dynamicPamtBitmapTooSmallViolatesD3() {
      // DPAMT: PAMT_4K is a bitmap of S/2^15 = 64 KiB for 2 GiB; 60 KiB is short. b0 = 0, b1 = 0.
      TdxLimits dpamt = new TdxLimits(64, 16, 16, 16, 16, true, 48);
      long base = TDMR0.pamt().fourK().base();
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_4K, base, 60 * KiB)), dpamt, "0xC0000A1000000000", "D3");
      assertPasses(with(0, withLevel(TDMR0, PageSize.SIZE_4K, base, 64 * KiB)), dpamt);
    }
  }

  @Nested
  class PamtsDisjoint {
    // TDX_PAMT_OVERLAP 0xC0000A1200000000, b0 = TDMR being checked, b1 = its level, b2 = other TDMR.

    @Test
    void pamtOverlappingEarlierTdmrsPamtViolatesD4() {
      // TDMR 1's PAMT_2M at 0x7F000000 lies in TDMR 0's PAMT_4K (inside TDMR 0's reserved area,
      // so D5 holds). b0 = 1, b1 = 1 (2M), b2 = 0: 0xC0000A1200000101.
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_2M, PAMT_OFFSET, 0x4000)), "0xC0000A1200000101", "D4");
    }

    @Test
    void sharedOneGRangeViolatesD4() {
      // Both TDMRs name the same PAMT_1G page. b0 = 1, b1 = 2, b2 = 0: 0xC0000A1200000201.
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_1G, TDMR0.pamt().oneG().base(), 0x1000)),
          "0xC0000A1200000201", "D4");
    }

    @Test
    void ownTwoMOverlappingOwnOneGViolatesD4() {
      // TDMR 0: 2M [0x7F800000, 0x7F804000), 1G moved to 0x7F803000. b0 = 0, b1 = 1 (2M), b2 = 0:
      // 0xC0000A1200000000 + 0x100.
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, PAMT_OFFSET + 0x803000L, 0x1000)),
          "0xC0000A1200000100", "D4");
    }

    @Test
    void ownFourKOverlappingOwnOneGViolatesD4() {
      // TDMR 1: 1G inside its own 4K range. b0 = 1, b1 = 0 (4K), b2 = 1: 0xC0000A1200010001.
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_1G, 4 * GiB + PAMT_OFFSET, 0x1000)),
          "0xC0000A1200010001", "D4");
    }

    @Test
    void ownFourKOverlappingOwnTwoMViolatesD4() {
      // TDMR 0: 2M inside its own 4K range. b0 = 0, b1 = 0, b2 = 0: 0xC0000A1200000000.
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_2M, PAMT_OFFSET + 0x1000, 0x4000)),
          "0xC0000A1200000000", "D4");
    }

    @Test
    void touchingPamtsPass() {
      // The fixture's levels touch (4K end = 2M base, 2M end = 1G base).
      assertTrue(TDMR0.pamt().isContiguousChunk());
      assertPasses(LAYOUT, LIMITS);
    }
  }

  @Nested
  class PamtsOutsideUsableMemory {
    @Test
    void pamtInOwnUsableMemoryViolatesD5() {
      // TDMR 0's PAMT_1G at 256 MiB: convertible, but usable memory of TDMR 0.
      // b0 = 0, b1 = 2 (1G), b2 = 0: 0xC0000A1200000200.
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 256 * MiB, 0x1000)), "0xC0000A1200000200", "D5");
    }

    @Test
    void pamtInEarlierTdmrsUsableMemoryViolatesD5() {
      // TDMR 1's PAMT_1G at 256 MiB, in TDMR 0's usable memory. Checked at i = 1, j = 0:
      // b0 = 1, b1 = 2, b2 = 0: 0xC0000A1200000201.
      Violation v = assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_1G, 256 * MiB, 0x1000)),
          "0xC0000A1200000201", "D5");
      assertEquals(1, v.tdmrIndex());
    }

    @Test
    void pamtInLaterTdmrsUsableMemoryViolatesD5() {
      // TDMR 0's PAMT_1G at 4.25 GiB, in TDMR 1's usable memory. Found while checking i = 1 (j = 0,
      // j's PAMTs against i's usable memory): b0 = 0 (owner), b1 = 2, b2 = 1: 0xC0000A1200010200.
      Violation v = assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_1G, 4 * GiB + 256 * MiB, 0x1000)),
          "0xC0000A1200010200", "D5");
      assertEquals(1, v.tdmrIndex());
    }

    @Test
    void pamtInsideAnotherTdmrsReservedAreaPasses() {
      // TDMR 1's 1G level moved into a second reserved area of TDMR 0, beside TDMR 0's PAMT.
      Tdmr t0 = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK + 0x1000));
      Tdmr t1 = withLevel(TDMR1, PageSize.SIZE_1G, PAMT_OFFSET + PAMT_CHUNK, 0x1000);
      assertPasses(new Layout(List.of(t0, t1)), LIMITS);
    }
  }

  @Nested
  class ConvertibleMemoryRules {
    @Test
    void pamtOutsideCmrsViolatesD6() {
      // TDMR 0's PAMT_2M at 3 GiB: in no TDMR, in no CMR. TDX_PAMT_OUTSIDE_CMRS, b0 = 0, b1 = 1:
      // 0xC0000A1100000100.
      assertAlone(with(0, withLevel(TDMR0, PageSize.SIZE_2M, 3 * GiB, 0x4000)), "0xC0000A1100000100", "D6");
    }

    @Test
    void pamtStraddlingCmrEndViolatesD6() {
      // PAMT_4K of TDMR 1 [3 GiB - 4 MiB, 3 GiB + 4 MiB) runs off the spare CMR. b0 = 1, b1 = 0.
      assertAlone(with(1, withLevel(TDMR1, PageSize.SIZE_4K, 3 * GiB - 4 * MiB, 8 * MiB)), "0xC0000A1100000001", "D6");
    }

    @Test
    void usableMemoryOutsideCmrsViolatesE1() {
      // Without the [0, 1 MiB) reserved area TDMR 0's usable memory starts at 0, below the CMR.
      // TDX_TDMR_OUTSIDE_CMRS, b0 = 0: 0xC0000A0200000000.
      Tdmr t = withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      assertAlone(with(0, t), "0xC0000A0200000000", "E1");
    }

    @Test
    void usableMemoryAcrossNonTouchingCmrsViolatesE1() {
      // TDMR [2 GiB, 3 GiB) reserving only [2 GiB, 2.5 GiB): usable [2.5 GiB, 3 GiB) is the spare CMR,
      // fine; reserving nothing leaves the hole [2 GiB, 2.5 GiB) usable. b0 = 1: 0xC0000A0200000001.
      Tdmr ok = new Tdmr(2 * GiB, GiB, Pamt.kernelChunk(4 * GiB + PAMT_OFFSET + PAMT_CHUNK, GiB, LIMITS),
          List.of(new ReservedArea(0, SPARE - 2 * GiB)));
      Tdmr t1 = withReserved(TDMR1, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK + 0x403000));
      assertPasses(new Layout(List.of(TDMR0, ok, t1)), LIMITS);
      assertAlone(new Layout(List.of(TDMR0, withReserved(ok), t1)), "0xC0000A0200000001", "E1");
    }
  }

  @Nested
  class ModuleOrder {
    @Test
    void geometryIsCheckedBeforeReservedAreas() {
      // B4 (size) and C1 (null slot) in TDMR 1: B comes first. TDX_INVALID_TDMR, b0 = 1.
      Tdmr t = new Tdmr(4 * GiB, 2 * GiB - 2 * MiB, TDMR1.pamt(),
          List.of(new ReservedArea(0, 0), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));
      assertFirst(with(1, t), LIMITS, "0xC0000A0000000001", "B4");
      assertEquals(List.of("B4", "C1"), rules(with(1, t)));
    }

    @Test
    void earlierTdmrWinsOverEarlierRule() {
      // TDMR 0 breaks E1 (checked last), TDMR 1 breaks B1 (checked first): TDMR 0 is reported.
      Layout layout = new Layout(List.of(withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)),
          withGeometry(TDMR1, 4 * GiB, -4 * GiB)));
      assertFirst(layout, LIMITS, "0xC0000A0200000000", "E1");
      assertEquals(List.of("E1", "B1"), rules(layout));
    }

    @Test
    void pamtShapesAreCheckedOneGFirst() {
      // 4K size and 1G base both misaligned: the module checks 1G first. b0 = 0, b1 = 2.
      Tdmr t = withLevel(withLevel(TDMR0, PageSize.SIZE_4K, PAMT_OFFSET, 0x800800L),
          PageSize.SIZE_1G, PAMT_OFFSET + 0x804800L, 0x1000);
      assertFirst(with(0, t), LIMITS, "0xC0000A1000000200", "D1");
    }

    @Test
    void tooSmallOneGBeatsMisalignedFourK() {
      // D2 on 1G and D1 on 4K: level order (1G, 2M, 4K) decides, not the sub-rule.
      Tdmr t = withLevel(withLevel(TDMR0, PageSize.SIZE_4K, PAMT_OFFSET, 0x800800L),
          PageSize.SIZE_1G, PAMT_OFFSET + 0x804000L, 0);
      assertFirst(with(0, t), LIMITS, "0xC0000A1000000200", "D2");
    }

    @Test
    void pamtOverlapIsCheckedBeforeUsableMemory() {
      // TDMR 1: 1G shares TDMR 0's 1G page (D4, level 2) and 4K sits in TDMR 0's usable memory
      // (D5, level 0). D4 runs first whatever the levels: b0 = 1, b1 = 2, b2 = 0.
      Tdmr t = withLevel(withLevel(TDMR1, PageSize.SIZE_1G, TDMR0.pamt().oneG().base(), 0x1000),
          PageSize.SIZE_4K, 256 * MiB, 0x800000L);
      assertFirst(with(1, t), LIMITS, "0xC0000A1200000201", "D4");
    }

    @Test
    void usableMemoryChecksInterleaveByEarlierTdmr() {
      // While checking TDMR 1: j = 0 (TDMR 1's PAMTs against TDMR 0, then TDMR 0's PAMTs against
      // TDMR 1) comes before j = 1 (TDMR 1's PAMTs against itself). TDMR 1's 4K is in its own usable
      // memory (1, 0, 1) and TDMR 0's 1G is in TDMR 1's usable memory (0, 2, 1): the latter is
      // reported, 0xC0000A1200010200.
      Layout layout = new Layout(List.of(
          withLevel(TDMR0, PageSize.SIZE_1G, 4 * GiB + 256 * MiB, 0x1000),
          withLevel(TDMR1, PageSize.SIZE_4K, 4 * GiB + 512 * MiB, 0x800000L)));
      assertFirst(layout, LIMITS, "0xC0000A1200010200", "D5");
      assertEquals(List.of("0xC0000A1200010200", "0xC0000A1200010001"), codes(layout));
    }

    @Test
    void usableMemoryChecksUseLevelOrderFourKFirst() {
      // TDMR 0's 1G and 4K both in its own usable memory: 4K (level 0) is reported first.
      Tdmr t = withLevel(withLevel(TDMR0, PageSize.SIZE_1G, 256 * MiB, 0x1000),
          PageSize.SIZE_4K, 512 * MiB, 0x800000L);
      assertFirst(with(0, t), LIMITS, "0xC0000A1200000000", "D5");
    }

    @Test
    void pamtCmrCheckPrecedesUsableMemoryCmrCheck() {
      // TDMR 0: PAMT_2M outside CMRs (D6) and [0, 1 MiB) usable (E1): D6 first. b0 = 0, b1 = 1.
      Tdmr t = withLevel(withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)),
          PageSize.SIZE_2M, 3 * GiB, 0x4000);
      assertFirst(with(0, t), LIMITS, "0xC0000A1100000100", "D6");
      assertEquals(List.of("D6", "E1"), rules(with(0, t)));
    }

    @Test
    void reservedSlotsAreCheckedInSlotOrder() {
      // Slot 1 misaligned (C5) and slot 2 out of order (C3): slot 1 first, b1 = 1.
      Tdmr t = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(2 * MiB, 0x800),
          new ReservedArea(MiB + 4 * KiB, 4 * KiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
      assertFirst(with(0, t), LIMITS, "0xC0000A2000000100", "C5");
    }

    @Test
    void callOperandsComeBeforeTdmrs() {
      Layout layout = with(1, withGeometry(TDMR1, 4 * GiB, -4 * GiB));
      assertFirst(layout, LIMITS.withMaxTdmrs(1), "0xC000010000000002", "A4");
    }

    @Test
    void allViolationsStartWithTheFirstAndKeepModuleOrder() {
      List<Tdmr> tdmrs = new ArrayList<>(LAYOUT.tdmrs());
      tdmrs.set(0, withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK))); // E1 on TDMR 0
      tdmrs.set(1, withLevel(TDMR1, PageSize.SIZE_2M, 3 * GiB, 0x4000)); // D6 on TDMR 1
      Layout layout = new Layout(tdmrs);
      assertEquals(List.of("0xC0000A0200000000", "0xC0000A1100000101"), codes(layout));
      assertEquals(validator(LIMITS).allViolations(layout).get(0), validator(LIMITS).firstViolation(layout).orElseThrow());
    }

    private List<String> rules(Layout layout) {
      return validator(LIMITS).allViolations(layout).stream().map(v -> v.rule().id()).toList();
    }

    private List<String> codes(Layout layout) {
      return validator(LIMITS).allViolations(layout).stream().map(Violation::hexCode).toList();
    }
  }

  @Test
  void messageNamesTdmrRangeLevelAndRule() {
    Violation v = validator(LIMITS).firstViolation(with(0, withLevel(TDMR0, PageSize.SIZE_2M, 3 * GiB, 0x4000))).orElseThrow();
    assertTrue(v.message().contains("TDMR 0 [0x0, 0x80000000)"), v.message());
    assertTrue(v.message().contains("PAMT_2M [0xc0000000, 0xc0004000)"), v.message());
    assertTrue(v.message().contains("rule D6"), v.message());
    assertEquals(ModuleError.TDX_PAMT_OUTSIDE_CMRS, v.error());
  }

  static Stream<Arguments> d1Cases() {
    Map<PageSize, String> hex = Map.of(
        PageSize.SIZE_4K, "0xC0000A1000000001",
        PageSize.SIZE_2M, "0xC0000A1000000101",
        PageSize.SIZE_1G, "0xC0000A1000000201");
    List<Arguments> cases = new ArrayList<>();
    for (PageSize level : PageSize.values()) {
      long base = TDMR1.pamt().level(level).base();
      long size = TDMR1.pamt().level(level).size();
      String h = hex.get(level);
      cases.add(Arguments.of(level, "base + size overflows", base, -base, h));
      cases.add(Arguments.of(level, "base not 4 KiB aligned", base + 0x800, size, h));
      cases.add(Arguments.of(level, "size not 4 KiB aligned", base, size + 0x800, h));
      cases.add(Arguments.of(level, "base has KeyID bits", 8 * GiB, size, h));
      cases.add(Arguments.of(level, "end has KeyID bits", 8 * GiB - 0x1000, size + 0x1000, h));
    }
    return cases.stream();
  }
}
