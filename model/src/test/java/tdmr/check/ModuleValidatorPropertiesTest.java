package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tdmr.tdx.Layout;
import tdmr.tdx.TdxLimits;

/** The validator on arbitrary raw fields: total, and its two answers agree. */
class ModuleValidatorPropertiesTest {
  private final ModuleValidator validator = new ModuleValidator(TwoTdmrMachine.CMRS_WITH_SPARE, TdxLimits.DEFAULT);

  @Property(tries = 300)
  void firstViolationIsTheHeadOfAllViolations(@ForAll("layouts") Layout layout) {
    List<Violation> all = validator.allViolations(layout);
    Optional<Violation> first = validator.firstViolation(layout);
    assertEquals(all.isEmpty() ? Optional.empty() : Optional.of(all.get(0)), first);
  }

  @Property(tries = 300)
  void everyViolationCarriesItsErrorsBaseCodeAndARuleInItsSentence(@ForAll("layouts") Layout layout) {
    for (Violation v : validator.allViolations(layout)) {
      // Detail bytes occupy bits 0..23 only.
      assertEquals(v.error().baseCode(), v.code() & ~0xFFFFFFL, v::toString);
      assertTrue(v.message().contains("rule " + v.rule()), v::toString);
    }
  }

  @Provide
  Arbitrary<Layout> layouts() {
    return RawLayouts.layouts();
  }
}
