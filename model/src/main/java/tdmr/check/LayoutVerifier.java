package tdmr.check;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The one call every engine makes before a layout leaves the program: the module's rules
 * ({@link ModuleValidator}, all violations) and the OS's ({@link OsCoverageCheck}, where coverage
 * {@code max} allows uncovered memory but nothing else).
 */
public final class LayoutVerifier {
  private LayoutVerifier() {}

  /**
   * Throws {@link IllegalStateException} listing every module violation and OS problem of the
   * layout; an engine that returns such a layout has a bug.
   */
  public static void requireValid(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    List<String> failures = failures(map, limits, policy, layout);
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "layout of %d TDMRs for %s fails verification:%n  %s"
              .formatted(layout.size(), map.source(), String.join(System.lineSeparator() + "  ", failures)));
    }
  }

  /**
   * The verdict on a layout.
   *
   * @param module every module violation, in the module's order (the first is what TDH.SYS.CONFIG returns)
   * @param os the OS's verdict
   * @param coverage the coverage policy the OS verdict is read under
   */
  public record Verification(List<Violation> module, OsCoverageCheck.Verdict os, Policy.Coverage coverage) {
    public Verification {
      module = List.copyOf(module);
    }

    /** True when the module accepts the layout and the OS has all it needs. */
    public boolean holds() {
      return module.isEmpty() && os.holds(coverage);
    }

    /** Every failure in one sentence, for people: module violations, then OS problems. */
    public List<String> failures() {
      List<String> failures = new ArrayList<>();
      module.forEach(v -> failures.add("module: " + v));
      os.failures(coverage).forEach(p -> failures.add("os: " + p));
      return failures;
    }
  }

  /** The module's and the OS's verdicts on {@code layout}. */
  public static Verification verify(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    return new Verification(
        new ModuleValidator(map.cmrs(), limits).allViolations(layout),
        new OsCoverageCheck(map, policy.holes()).check(layout),
        policy.coverage());
  }

  /** Every failure of {@link #verify}, one sentence each, for people. */
  public static List<String> failures(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    return verify(map, limits, policy, layout).failures();
  }
}
