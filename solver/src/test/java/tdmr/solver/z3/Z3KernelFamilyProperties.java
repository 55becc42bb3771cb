package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.RefereeClaims;
import tdmr.solver.SolveOptions;
import tdmr.solver.TinyCaseArbitraries;
import tdmr.solver.TinyCaseArbitraries.TinyCase;
import tdmr.tdx.Policy;

/**
 * On tiny generated maps of at most 2 GiB of memory ({@link TinyCaseArbitraries#tinyKernelCases}),
 * Z3's kernel-family answer holds against the exhaustive search ({@link ExhaustiveSearch}, whose
 * kernel family has TDMRs on any 1 GiB boundaries, also without TDX memory, and no restriction of
 * the models): an optimum naming no restriction is the referee's, one naming some is no worse than
 * the referee's best among the layouts meeting them, an {@code INFEASIBLE} has none ({@link
 * RefereeClaims}). Few tries on small maps: the referee's kernel family is slow on maps of 3 GiB
 * (the CP-SAT property, {@code CpSatFamilyProperties}, draws those).
 */
class Z3KernelFamilyProperties {
  @Property(tries = 8, seed = "20261207")
  void z3sKernelFamilyHoldsAgainstTheExhaustiveSearch(@ForAll("tinyKernelCases") TinyCase c) {
    EngineResult r = new Z3Engine().solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    Statistics.label("status").collect(r.status());
    Statistics.label("restricted").collect(!r.restrictions().isEmpty());
    assertEquals(Policy.Family.KERNEL, r.family(), c.toString());
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), c.toString());
  }

  @Provide
  Arbitrary<TinyCase> tinyKernelCases() {
    return TinyCaseArbitraries.tinyKernelCases(1);
  }
}
