package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Both exact engines against {@link ExhaustiveSearch} on tiny maps of two nodes in granules of their
 * own whose optima together may need more TDMRs than the limit allows, so that {@link NodeSplit}
 * shares the limit ({@link TdmrBudget}). Node 0 has 16 MiB (and a few pages) at the start of the
 * granules [1G, 2G) and [3G, 4G): alone, two 1 GiB TDMRs (2 054 pages) beat one TDMR over both and
 * the gap between (3 081 pages) and one TDMR whose levels fill the other granule's 4 096 pages or
 * more. Node 1 has 8 or 16 MiB at [4G, 5G) or [5G, 6G) (room for its own levels): one TDMR. TDMR limit 2 (the limit binds) or 3, holes {@code memlist} or
 * {@code cmr}, coverage {@code all}, PAMT {@code node-local}, the module family. An {@code OPTIMAL}
 * without restrictions must equal the referee in every tier, one with restrictions may be beaten
 * by it but never beat it.
 */
class TdmrBudgetProperties {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 10, seed = "20261205")
  void sharedLimitAnswersHoldAgainstTheReferee(@ForAll("twoGroups") Case c) {
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
      boolean shared = r.details().stream().anyMatch(d -> d.contains("the limit shared"));
      Statistics.label(engine.name()).collect(r.status(), shared ? "limit shared" : "not shared",
          r.restrictions().isEmpty() ? "whole family" : "restricted");
      String what = engine.name() + " " + c + "\n" + r.messages() + "\n" + r.details() + "\nreferee "
          + expected.map(ExhaustiveSearch.Result::layout) + "\ngot " + r.layout();
      assertEquals(Status.OPTIMAL, r.status(), what);
      RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), engine.name() + " " + c + "\n" + r.details());
    }
  }

  @Provide
  Arbitrary<Case> twoGroups() {
    Arbitrary<Long> pages = Arbitraries.of(0L, 1L, 3L);
    Arbitrary<Long> node1 = Arbitraries.of(8 * 1024 * K, 16 * 1024 * K, 16 * 1024 * K + 8 * K);
    Arbitrary<Long> at1 = Arbitraries.of(4 * G, 5 * G);
    Arbitrary<Integer> tdmrs = Arbitraries.of(2, 2, 3);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(pages, pages, node1, at1, tdmrs, holes).as((a, b, size1, start1, t, h) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long mib16 = 16 * 1024 * K;
      blocks.add(new MemoryBlock(G, G + mib16 + a * 4 * K, 0));
      blocks.add(new MemoryBlock(3 * G, 3 * G + mib16 + b * 4 * K, 0));
      blocks.add(new MemoryBlock(start1, start1 + size1, 1));
      Policy p = new Policy(h, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("two groups", blocks), TdxLimits.DEFAULT.withMaxTdmrs(t), p);
    });
  }
}
