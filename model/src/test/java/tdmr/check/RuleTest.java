package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rule vocabulary: one ID per rule, the module's error for each module rule, none for the OS's. */
class RuleTest {
  @Test
  void idsAreUniqueAndNameTheirGroup() {
    Set<String> ids = Arrays.stream(Rule.values()).map(Rule::id).collect(Collectors.toSet());
    assertEquals(Rule.values().length, ids.size());
    for (Rule r : Rule.values()) {
      assertTrue(r.name().startsWith(r.id() + "_"), r.name());
      assertEquals(r.id(), r.toString());
    }
  }

  @Test
  void moduleRulesHaveTheModulesErrorAndOsRulesNone() {
    for (Rule r : Rule.values()) {
      assertEquals(!r.id().startsWith("O"), r.isModuleRule(), r.name());
      assertEquals(r.isModuleRule(), r.error().isPresent(), r.name());
    }
    assertEquals(ModuleError.TDX_OPERAND_INVALID, Rule.A4_TDMR_COUNT.error().orElseThrow());
    assertEquals(ModuleError.TDX_NON_ORDERED_TDMR, Rule.B3_TDMRS_DISJOINT.error().orElseThrow());
    assertEquals(ModuleError.TDX_PAMT_OVERLAP, Rule.D5_PAMT_NOT_IN_USABLE_MEMORY.error().orElseThrow());
    assertEquals(ModuleError.TDX_TDMR_OUTSIDE_CMRS, Rule.E1_USABLE_MEMORY_IN_CMRS.error().orElseThrow());
  }

  @Test
  void everyRuleSaysWhatItAsksInAFewWords() {
    for (Rule r : Rule.values()) {
      assertTrue(r.summary().length() > 10, r.name());
    }
  }
}
