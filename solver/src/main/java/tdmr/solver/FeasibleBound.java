package tdmr.solver;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import tdmr.mem.ByteSize;

/**
 * A {@code FEASIBLE} answer says its proven PAMT bound, when it has one, and how far its layout lies
 * above it, in one sentence worded alike for every engine and every way to a {@code FEASIBLE}
 * answer (a tier stopped by the time limit, a layout built by filling islands, the union of a
 * split, a layout held when the deadline struck). {@link DeadlineGuard}, which every engine a
 * command runs is wrapped in, adds it; other answers pass unchanged.
 */
final class FeasibleBound {
  private FeasibleBound() {}

  /** {@code r} with {@link #sentence} as its last message when it is {@code FEASIBLE} with a bound. */
  static EngineResult stated(EngineResult r) {
    if (r.status() != Status.FEASIBLE || r.pamtBoundBytes().isEmpty() || r.pamtBytes().isEmpty()) {
      return r;
    }
    List<String> messages = new ArrayList<>(r.messages());
    messages.add(sentence(r.pamtBytes().getAsLong(), r.pamtBoundBytes().getAsLong(), r.restrictions()));
    return new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(), messages,
        r.solveMillis(), r.modelVariables(), r.modelConstraints(), r.uncoveredBytes(), r.kernelFailure(),
        r.infeasibility(), r.details(), r.question());
  }

  /**
   * {@code proven PAMT bound: B bytes (...); this layout is G bytes (...), P % of the bound, above
   * it}, or {@code ...; this layout's PAMT meets it}; the bound's restrictions, when it holds only
   * among some layouts of the family, named.
   */
  static String sentence(long pamtBytes, long boundBytes, List<String> restrictions) {
    String among = restrictions.isEmpty() ? "" : " (among the layouts in which " + String.join("; ", restrictions) + ")";
    long gap = pamtBytes - boundBytes;
    if (gap <= 0) {
      return "proven PAMT bound%s: %s; this layout's PAMT meets it".formatted(among, ByteSize.exact(boundBytes));
    }
    String share = boundBytes > 0 ? ", %s %% of the bound,".formatted(percent(gap, boundBytes)) : "";
    return "proven PAMT bound%s: %s; this layout is %s%s above it".formatted(among, ByteSize.exact(boundBytes),
        ByteSize.exact(gap), share);
  }

  /** {@code 100 · part / whole} to two significant digits, without an exponent: {@code 0.0023}. */
  private static String percent(long part, long whole) {
    BigDecimal p = BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
        .divide(BigDecimal.valueOf(whole), new MathContext(2));
    return p.stripTrailingZeros().toPlainString();
  }
}
