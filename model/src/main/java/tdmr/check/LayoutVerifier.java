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

  /** Every module violation (prefixed {@code module:}) and OS problem (prefixed {@code os:}), in order. */
  public static List<String> failures(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    List<String> failures = new ArrayList<>();
    for (Violation v : new ModuleValidator(map.cmrs(), limits).allViolations(layout)) {
      failures.add("module: " + v);
    }
    for (String problem : new OsCoverageCheck(map, policy.holes()).check(layout).failures(policy.coverage())) {
      failures.add("os: " + problem);
    }
    return failures;
  }
}
