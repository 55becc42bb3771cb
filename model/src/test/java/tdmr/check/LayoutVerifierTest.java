package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.check.TwoTdmrMachine.GiB;
import static tdmr.check.TwoTdmrMachine.LAYOUT;
import static tdmr.check.TwoTdmrMachine.MAP;
import static tdmr.check.TwoTdmrMachine.MiB;
import static tdmr.check.TwoTdmrMachine.PAMT_CHUNK;
import static tdmr.check.TwoTdmrMachine.PAMT_OFFSET;
import static tdmr.check.TwoTdmrMachine.TDMR0;
import static tdmr.check.TwoTdmrMachine.with;
import static tdmr.check.TwoTdmrMachine.withReserved;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.TdxLimits;

class LayoutVerifierTest {
  @Test
  void validLayoutPasses() {
    assertDoesNotThrow(() -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.KERNEL, LAYOUT));
  }

  @Test
  void moduleViolationAndOsProblemAreBothListed() {
    // No [0, 1 MiB) reserved area: E1 (module) and, under memlist, [0, 1 MiB) usable but not TDX memory (OS).
    Layout layout = with(0, withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.KERNEL, layout));
    assertTrue(e.getMessage().contains("module: TDX_TDMR_OUTSIDE_CMRS 0xC0000A0200000000"), e.getMessage());
    assertTrue(e.getMessage().contains("os: TDMR 0 [0x0, 0x80000000): usable memory [0x0, 0x100000)"), e.getMessage());
  }

  @Test
  void coverageMaxAcceptsUncoveredMemoryOnly() {
    Layout onlyFirst = new Layout(List.of(TDMR0));
    assertThrows(IllegalStateException.class,
        () -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.KERNEL, onlyFirst));
    Policy max = Policy.KERNEL.withCoverage(Policy.Coverage.MAX);
    assertDoesNotThrow(() -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, max, onlyFirst));
    assertEquals(List.of(), LayoutVerifier.failures(MAP, TdxLimits.DEFAULT, max, onlyFirst));
  }

  /**
   * The typed verdicts of the same three layouts: the valid fixture holds; without [0, 1 MiB)
   * reserved, E1 fails in TDMR 0 (TDX_TDMR_OUTSIDE_CMRS, b0 = 0) and O3 fails on [0, 1 MiB); with
   * TDMR 1 left out, TDX memory [4 GiB, 6 GiB) is uncovered (O1), which coverage max allows.
   */
  @Test
  void theVerdictIsTyped() {
    LayoutVerifier.Verification ok = LayoutVerifier.verify(MAP, TdxLimits.DEFAULT, Policy.KERNEL, LAYOUT);
    assertTrue(ok.holds());
    assertEquals(List.of(), ok.failures());

    Layout open = with(0, withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));
    LayoutVerifier.Verification broken = LayoutVerifier.verify(MAP, TdxLimits.DEFAULT, Policy.KERNEL, open);
    assertFalse(broken.holds());
    assertEquals(List.of(Rule.E1_USABLE_MEMORY_IN_CMRS), broken.module().stream().map(Violation::rule).toList());
    assertEquals(0xC0000A0200000000L, broken.module().get(0).code());
    assertEquals(0, broken.module().get(0).tdmrIndex());
    assertEquals(List.of(Rule.O3_GAPS_RESERVED), broken.os().problems().stream().map(OsCoverageCheck.Problem::rule).toList());
    assertEquals(new tdmr.mem.AddressRange(0, MiB), broken.os().problems().get(0).range());
    assertEquals(0, broken.os().problems().get(0).tdmrIndex());

    Layout onlyFirst = new Layout(List.of(TDMR0));
    LayoutVerifier.Verification all = LayoutVerifier.verify(MAP, TdxLimits.DEFAULT, Policy.KERNEL, onlyFirst);
    assertFalse(all.holds());
    assertEquals(List.of(), all.module());
    assertEquals(List.of(new tdmr.mem.AddressRange(4 * GiB, 6 * GiB)), all.os().uncoveredMemory());
    assertEquals(2 * GiB, all.os().uncoveredBytes());
    assertTrue(LayoutVerifier.verify(MAP, TdxLimits.DEFAULT, Policy.KERNEL.withCoverage(Policy.Coverage.MAX), onlyFirst)
        .holds());
  }

  /** Detail bytes are cut to 8 bits as the module casts them; the host-only error has no status. */
  @Test
  void statusCodesAddDetailBytesCutToEightBits() {
    assertEquals(0xC0000A1200030201L, ModuleError.TDX_PAMT_OVERLAP.code(1, 2, 3));
    assertEquals(0xC0000A1200000001L, ModuleError.TDX_PAMT_OVERLAP.code(257, 256, 512));
    assertEquals(0L, ModuleError.RESERVED_AREAS_EXHAUSTED.code(1, 2, 3));
    assertFalse(ModuleError.RESERVED_AREAS_EXHAUSTED.fromModule());
    assertTrue(ModuleError.TDX_INVALID_TDMR.fromModule());
    Violation host = new Violation(ModuleError.RESERVED_AREAS_EXHAUSTED, 0, Rule.C1_RESERVED_SLOTS, 0, "17 areas");
    assertEquals("RESERVED_AREAS_EXHAUSTED (host, no module status): 17 areas", host.toString());
    Violation module = new Violation(ModuleError.TDX_INVALID_TDMR, 0xC0000A0000000003L, Rule.B4_TDMR_1G_ALIGNED, 3, "x");
    assertEquals("TDX_INVALID_TDMR 0xC0000A0000000003: x", module.toString());
  }
}
