package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import tdmr.tdx.Layout;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/** The validator on arbitrary raw fields, on layouts built to pass, and on single mutations of them. */
class ModuleValidatorPropertiesTest {
  private final ModuleValidator validator = new ModuleValidator(TwoTdmrMachine.CMRS_WITH_SPARE, TdxLimits.DEFAULT);

  @Property(tries = 300, seed = "20261203")
  void firstViolationIsTheHeadOfAllViolations(@ForAll("layouts") Layout layout) {
    List<Violation> all = validator.allViolations(layout);
    Optional<Violation> first = validator.firstViolation(layout);
    assertEquals(all.isEmpty() ? Optional.empty() : Optional.of(all.get(0)), first);
  }

  @Property(tries = 300, seed = "20261203")
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

  @Property(tries = 200, seed = "20261203")
  void layoutsBuiltToObeyEveryRulePass(@ForAll("valid") ValidLayouts.Case c) {
    assertEquals(List.of(), new ModuleValidator(c.cmrs(), TdxLimits.DEFAULT).allViolations(c.layout()));
  }

  @Property(tries = 200, seed = "20261203")
  void misalignedAreaIsReportedAsC5AtItsSlot(@ForAll("valid") ValidLayouts.Case c, @ForAll @IntRange(max = 1000) int pick) {
    List<int[]> slots = slots(c.layout());
    Assume.that(!slots.isEmpty());
    int[] at = slots.get(pick % slots.size());
    Tdmr t = c.layout().tdmrs().get(at[0]);
    List<ReservedArea> areas = new ArrayList<>(t.reserved());
    ReservedArea a = areas.get(at[1]);
    areas.set(at[1], new ReservedArea(a.offset() + 0x800, a.size()));
    Layout broken = TwoTdmrMachine.with(c.layout(), at[0], new Tdmr(t.base(), t.size(), t.pamt(), areas));
    // Earlier TDMRs and slots are untouched and the moved area still starts after its predecessor,
    // so the first failure is C5 on this slot: TDX_INVALID_RESERVED_IN_TDMR + i + (j << 8).
    Violation v = new ModuleValidator(c.cmrs(), TdxLimits.DEFAULT).firstViolation(broken).orElseThrow();
    assertEquals(Rule.C5_RESERVED_4K_ALIGNED, v.rule(), v::toString);
    assertEquals(0xC0000A2000000000L + at[0] + ((long) at[1] << 8), v.code(), v::toString);
  }

  @Property(tries = 200, seed = "20261203")
  void swappedAreasAreReportedAsC3AtTheSecondSlot(@ForAll("valid") ValidLayouts.Case c, @ForAll @IntRange(max = 1000) int pick) {
    List<int[]> pairs = slots(c.layout()).stream()
        .filter(s -> s[1] + 1 < c.layout().tdmrs().get(s[0]).reserved().size()).toList();
    Assume.that(!pairs.isEmpty());
    int[] at = pairs.get(pick % pairs.size());
    Tdmr t = c.layout().tdmrs().get(at[0]);
    List<ReservedArea> areas = new ArrayList<>(t.reserved());
    Collections.swap(areas, at[1], at[1] + 1);
    Layout broken = TwoTdmrMachine.with(c.layout(), at[0], new Tdmr(t.base(), t.size(), t.pamt(), areas));
    // Slot j now holds the later area (fine against j - 1); slot j + 1 starts below it: C3,
    // TDX_NON_ORDERED_RESERVED_IN_TDMR + i + ((j + 1) << 8).
    Violation v = new ModuleValidator(c.cmrs(), TdxLimits.DEFAULT).firstViolation(broken).orElseThrow();
    assertEquals(Rule.C3_RESERVED_SORTED, v.rule(), v::toString);
    assertEquals(0xC0000A2100000000L + at[0] + ((long) (at[1] + 1) << 8), v.code(), v::toString);
  }

  /** Every (TDMR, slot) pair of the layout. */
  private static List<int[]> slots(Layout layout) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < layout.size(); i++) {
      for (int j = 0; j < layout.tdmrs().get(i).reserved().size(); j++) {
        out.add(new int[] {i, j});
      }
    }
    return out;
  }

  @Provide
  Arbitrary<ValidLayouts.Case> valid() {
    return ValidLayouts.cases();
  }
}
