package tdmr.solver;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The limits and policies the module-family referee properties draw their tiny maps' questions
 * from, written once: few enough TDMRs and areas that {@link ExhaustiveSearch} stays quick and the
 * limits bind, and every holes, PAMT and coverage policy.
 */
public final class TinyCaseArbitraries {
  private TinyCaseArbitraries() {}

  /** 1 to 3 TDMRs and 0 to 2 reserved areas per TDMR, the module's other limits as by default. */
  public static Arbitrary<TdxLimits> tinyLimits() {
    return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 2))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
  }

  /** Every holes, PAMT placement and coverage policy, in the module family. */
  public static Arbitrary<Policy> moduleFamilyPolicies() {
    return Combinators.combine(Arbitraries.of(Policy.Holes.values()),
            Arbitraries.of(Policy.PamtPlacementPolicy.values()), Arbitraries.of(Policy.Coverage.values()))
        .as((h, p, c) -> new Policy(h, p, c, Policy.Family.MODULE));
  }
}
