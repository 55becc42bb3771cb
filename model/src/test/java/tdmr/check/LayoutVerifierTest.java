package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.check.TwoTdmrMachine.LAYOUT;
import static tdmr.check.TwoTdmrMachine.MAP;
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
    assertDoesNotThrow(() -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, LAYOUT));
  }

  @Test
  void moduleViolationAndOsProblemAreBothListed() {
    // No [0, 1 MiB) reserved area: E1 (module) and, under memlist, [0, 1 MiB) usable but not TDX memory (OS).
    Layout layout = with(0, withReserved(TDMR0, new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, layout));
    assertTrue(e.getMessage().contains("module: TDX_TDMR_OUTSIDE_CMRS 0xC0000A0200000000"), e.getMessage());
    assertTrue(e.getMessage().contains("os: TDMR 0 [0x0, 0x80000000): usable memory [0x0, 0x100000)"), e.getMessage());
  }

  @Test
  void coverageMaxAcceptsUncoveredMemoryOnly() {
    Layout onlyFirst = new Layout(List.of(TDMR0));
    assertThrows(IllegalStateException.class,
        () -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, onlyFirst));
    Policy max = Policy.DEFAULT.withCoverage(Policy.Coverage.MAX);
    assertDoesNotThrow(() -> LayoutVerifier.requireValid(MAP, TdxLimits.DEFAULT, max, onlyFirst));
    assertEquals(List.of(), LayoutVerifier.failures(MAP, TdxLimits.DEFAULT, max, onlyFirst));
  }
}
