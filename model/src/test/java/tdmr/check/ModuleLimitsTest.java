package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.TdxLimits;

/**
 * Rule A4 at its edges and {@link ModuleValidator#accepts}: the module takes 1 to MAX_TDMRS TDMRs
 * (RDX), so exactly MAX_TDMRS passes and one more fails with {@code TDX_OPERAND_INVALID | RDX}.
 */
class ModuleLimitsTest {
  private static ModuleValidator validator(int maxTdmrs) {
    return new ModuleValidator(TwoTdmrMachine.MAP.cmrs(), TdxLimits.DEFAULT.withMaxTdmrs(maxTdmrs));
  }

  @Test
  void exactlyMaxTdmrsIsAccepted() {
    // The fixture has 2 TDMRs and obeys every rule.
    assertTrue(validator(2).accepts(TwoTdmrMachine.LAYOUT));
    assertEquals(List.of(), validator(2).allViolations(TwoTdmrMachine.LAYOUT));
  }

  @Test
  void oneTdmrMoreThanMaxTdmrsIsRejectedWithTheRdxOperand() {
    assertFalse(validator(1).accepts(TwoTdmrMachine.LAYOUT));
    Violation v = validator(1).firstViolation(TwoTdmrMachine.LAYOUT).orElseThrow();
    assertEquals(Rule.A4_TDMR_COUNT, v.rule());
    assertEquals(-1, v.tdmrIndex());
    assertEquals(0xC000010000000002L, v.code());
    assertEquals("0xC000010000000002", v.hexCode());
    assertEquals(1, validator(1).allViolations(TwoTdmrMachine.LAYOUT).size(), "only A4 fails");
  }

  @Test
  void anEmptyListIsRejected() {
    Layout none = new Layout(List.of());
    assertFalse(validator(64).accepts(none));
    assertEquals(Rule.A4_TDMR_COUNT, validator(64).firstViolation(none).orElseThrow().rule());
  }

  @Test
  void aBrokenLayoutIsNotAccepted() {
    // TDMR 0 without its reserved areas: [0, 1 MiB) is not convertible (E1), and its PAMT lies in
    // its usable memory (D5, reported first: D runs before E).
    Layout broken = TwoTdmrMachine.with(0, new tdmr.tdx.Tdmr(0, 2 * TwoTdmrMachine.GiB,
        TwoTdmrMachine.TDMR0.pamt(), List.of()));
    assertFalse(validator(64).accepts(broken));
    assertEquals(Rule.D5_PAMT_NOT_IN_USABLE_MEMORY, validator(64).firstViolation(broken).orElseThrow().rule());
  }
}
