package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * What an exact engine's answer on a tiny map claims, held against {@link ExhaustiveSearch}'s best
 * on the same question: a layout is valid and no better than the referee's (so the referee has
 * one); {@code INFEASIBLE} is right or names a restriction; otherwise the answer is {@code
 * OPTIMAL}, and one naming no restriction ranks the same as the referee's best. The referee
 * properties of both engines ask exactly this.
 */
public final class RefereeClaims {
  private RefereeClaims() {}

  /**
   * Asserts that {@code r} holds against {@code expected} (the referee's best for {@code map},
   * {@code limits}, {@code policy}, empty when no layout exists); {@code what} describes the case in
   * a failure.
   */
  public static void hold(EngineResult r, Optional<ExhaustiveSearch.Result> expected, MemoryMap map, TdxLimits limits,
      Policy policy, String what) {
    String said = what + "\n" + r.messages() + "\nreferee " + expected.map(ExhaustiveSearch.Result::layout)
        + "\n" + r.solver() + " " + r.layout();
    boolean restricted = !r.restrictions().isEmpty();
    if (r.layout().isPresent()) {
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, policy, r.layout().get()), said);
      LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().get());
      assertTrue(expected.isPresent(), "a layout the referee did not find: " + said);
      assertTrue(LayoutScore.order(policy).compare(expected.get().score(), got) <= 0,
          "beats the referee's best: " + got + " vs " + expected.get().score() + "\n" + said);
    }
    if (r.status() == Status.INFEASIBLE) {
      assertTrue(restricted || expected.isEmpty(), "INFEASIBLE without naming a restriction: " + said);
      return;
    }
    assertEquals(Status.OPTIMAL, r.status(), said);
    if (!restricted) {
      LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
      assertTrue(expected.get().score().sameRank(got, policy),
          "unrestricted OPTIMAL " + got + " but the referee has " + expected.get().score() + "\n" + said);
    }
  }
}
