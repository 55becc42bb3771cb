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
 * one); the answer is {@code OPTIMAL} or {@code INFEASIBLE}; and against the referee's best among
 * the layouts meeting the restrictions the claim names ({@link RestrictedLayouts}, the referee's
 * best itself when it meets them, none named): an {@code INFEASIBLE} claim has no such layout, an
 * {@code OPTIMAL} one is no worse than it, and ranks the same as it where the filtered search is
 * exact for every restriction named ({@link RestrictedLayouts.Restricted#exact}) and the claim's
 * layout meets them. So a model that applies a restriction it does not name is caught wherever the
 * referee's best meeting the named ones beats it. The referee properties of both engines ask
 * exactly this.
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
    RestrictedLayouts.Where where = new RestrictedLayouts.Where(map, limits, policy);
    RestrictedLayouts.Restricted named = RestrictedLayouts.of(r.restrictions());
    // The referee's best stands for the best meeting the restrictions where it meets them, and where
    // the claim's layout ranks the same as it (no layout meeting them is better, and the claim is not
    // worse): only claims worse than the referee's best, or INFEASIBLE ones, need the filtered search.
    boolean asGood = expected.isPresent() && r.layout().isPresent()
        && expected.get().score().sameRank(LayoutScore.of(map, limits, policy, r.layout().get()), policy);
    Optional<ExhaustiveSearch.Result> meeting = expected.isEmpty() || asGood
        || named.allows(where, expected.get().layout()) ? expected : named.best(where);
    said += "\nreferee meeting the restrictions named " + meeting.map(m -> m.score() + " " + m.layout());
    if (r.layout().isPresent()) {
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, policy, r.layout().get()), said);
      LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().get());
      assertTrue(expected.isPresent(), "a layout the referee did not find: " + said);
      assertTrue(LayoutScore.order(policy).compare(expected.get().score(), got) <= 0,
          "beats the referee's best: " + got + " vs " + expected.get().score() + "\n" + said);
    }
    if (r.status() == Status.INFEASIBLE) {
      assertTrue(meeting.isEmpty(), "INFEASIBLE, but the referee has a layout meeting the restrictions named: " + said);
      return;
    }
    assertEquals(Status.OPTIMAL, r.status(), said);
    LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
    assertTrue(meeting.isPresent() || !named.exact() || !named.allows(where, r.layout().get()),
        "referee error: the filtered search found no layout meeting the restrictions named, the claim's does: " + said);
    if (meeting.isEmpty()) {
      return;
    }
    assertTrue(LayoutScore.order(policy).compare(got, meeting.get().score()) <= 0,
        "OPTIMAL " + got + " but the referee has " + meeting.get().score()
            + " meeting the restrictions named: a restriction the model applies without naming it\n" + said);
    if (named.exact() && named.allows(where, r.layout().get())) {
      assertTrue(meeting.get().score().sameRank(got, policy),
          "OPTIMAL " + got + " but the referee has " + meeting.get().score() + " (the filtered search is exact here)\n"
              + said);
    }
  }
}
