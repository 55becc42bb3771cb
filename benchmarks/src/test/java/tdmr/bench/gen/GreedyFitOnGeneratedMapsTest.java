package tdmr.bench.gen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The goal of greedy-fit on the benchmark generators' maps: wherever CP-SAT finds a layout of the
 * kernel family, greedy-fit finds one too, and where CP-SAT proves its layout optimal, greedy-fit's
 * PAMT is within 0.1% of it. Maps come from every family of the sweep (realistic machines,
 * fragmented low memory, many NUMA nodes, {@code memmap=} holes) at the sweep's sizes up to 65
 * blocks, under the module's limits and under tighter ones, with either hole source.
 */
class GreedyFitOnGeneratedMapsTest {
  private static final SolveOptions OPTIONS = new SolveOptions(5, 1, 0);
  private static final List<Integer> SIZES = List.of(4, 8, 12, 14, 15, 16, 17, 20, 32, 48, 62, 63, 64, 65);
  private static final List<TdxLimits> LIMITS = List.of(
      TdxLimits.DEFAULT,
      TdxLimits.DEFAULT.withMaxTdmrs(4),
      TdxLimits.DEFAULT.withMaxTdmrs(2),
      TdxLimits.DEFAULT.withMaxReservedPerTdmr(6),
      TdxLimits.DEFAULT.withMaxTdmrs(4).withMaxReservedPerTdmr(4));

  /** One map with the limits and policy it is solved under. */
  record Case(String name, MemoryMap map, TdxLimits limits, Policy policy) {
    @Override
    public String toString() {
      return "%s, %d TDMRs, %d areas, holes %s".formatted(name, limits.maxTdmrs(), limits.maxReservedPerTdmr(), policy.holes());
    }
  }

  @Property(tries = 40, seed = "1515")
  void greedyFitSucceedsWhereCpSatFindsAKernelFamilyLayout(@ForAll("cases") Case c) {
    EngineResult cp = Engines.byName("cpsat").orElseThrow().solve(c.map(), c.limits(), c.policy(), OPTIONS);
    EngineResult fit = Engines.byName("greedy-fit").orElseThrow().solve(c.map(), c.limits(), c.policy(), OPTIONS);
    Statistics.collect(cp.status(), fit.status());
    if (!cp.status().hasLayout()) {
      return;
    }
    assertTrue(fit.status().hasLayout(), () -> c + "\n" + String.join("\n", fit.messages()));
    if (cp.status() == Status.OPTIMAL) {
      long optimum = cp.pamtBytes().getAsLong();
      long mine = fit.pamtBytes().getAsLong();
      assertTrue(mine <= optimum + optimum / 1000, () -> c + ": greedy-fit " + mine + " bytes of PAMT, optimum " + optimum);
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<SyntheticMachine> machine = Combinators.combine(
            Arbitraries.integers().between(0, 3), Arbitraries.of(SIZES), Arbitraries.longs())
        .as((family, n, seed) -> switch (family) {
          case 0 -> MapGenerator.realistic(seed);
          case 1 -> MapGenerator.fragmented(n, seed);
          case 2 -> MapGenerator.manyNodes(n, seed);
          default -> MapGenerator.memmapFragmented(n, seed);
        });
    return Combinators.combine(machine, Arbitraries.of(LIMITS), Arbitraries.of(Policy.Holes.class))
        .as((m, limits, holes) -> new Case(m.spec().label(), m.memoryMap(), limits, Policy.KERNEL.withFamily(Policy.Family.KERNEL).withHoles(holes)));
  }
}
