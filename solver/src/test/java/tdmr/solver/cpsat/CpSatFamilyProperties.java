package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * On tiny generated maps, the CP-SAT optimum equals a brute-force search over the same family, and
 * is never worse than the Linux greedy.
 */
class CpSatFamilyProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  /** A tiny case: the map, the limits and the PAMT placement policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 60)
  void optimumEqualsExhaustiveSearch(@ForAll("tinyCases") Case c) {
    assertSameOptimum(new CpSatEngine(), c);
  }

  /** The sequential objective (used for big models) reaches the same lexicographic optimum. */
  @Property(tries = 40)
  void sequentialObjectiveEqualsExhaustiveSearch(@ForAll("tinyCases") Case c) {
    assertSameOptimum(new CpSatEngine(true), c);
  }

  private static void assertSameOptimum(CpSatEngine engine, Case c) {
    EngineResult r = engine.solve(c.map(), c.limits(), c.policy(), new SolveOptions(20, 1, 0));
    Statistics.label("status").collect(r.status());
    Optional<ExhaustiveFamilySearch.Score> expected =
        new ExhaustiveFamilySearch(c.map(), c.limits(), c.policy()).best();
    if (expected.isEmpty()) {
      assertEquals(Status.INFEASIBLE, r.status(), r.messages().toString());
      return;
    }
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(expected.get(),
        new ExhaustiveFamilySearch.Score(layout.pamtBytes(), layout.size(), layout.reservedAreaCount()),
        c.map().blocks() + " " + r.messages());
    assertEquals(layout.pamtBytes(), r.pamtBoundBytes().getAsLong());
  }

  @Property(tries = 60)
  void optimumIsNeverWorseThanTheGreedyAndInfeasibleOnlyWhereItFails(@ForAll("tinyCases") Case c) {
    EngineResult greedy = new GreedyEngine().solve(c.map(), c.limits(), c.policy(), SolveOptions.DEFAULT);
    Statistics.label("greedy").collect(greedy.status());
    // The kernel only prefers the TDMR's node and falls back to any node when it is full; compare
    // such a layout with the optimum under placement "any".
    Policy policy = greedy.layout().map(l -> GreedyComparison.nodeLocal(c.map(), l)).orElse(true)
        ? c.policy() : c.policy().withPamt(Policy.PamtPlacementPolicy.ANY);
    EngineResult cpsat = new CpSatEngine().solve(c.map(), c.limits(), policy, new SolveOptions(20, 1, 0));
    if (greedy.status() == Status.FEASIBLE) {
      // The kernel's TDMRs are runs of cells and its chunks can be moved to a stack end of the atom
      // they lie in without adding an area, so the family holds a layout at least as good.
      assertEquals(Status.OPTIMAL, cpsat.status(), c + " greedy " + greedy.layout());
      assertTrue(cpsat.pamtBytes().getAsLong() <= greedy.pamtBytes().getAsLong(),
          cpsat.pamtBytes() + " > greedy " + greedy.pamtBytes());
    }
    if (cpsat.status() == Status.INFEASIBLE) {
      assertEquals(Status.FAILED, greedy.status());
    }
  }

  @Provide
  Arbitrary<Case> tinyCases() {
    // Lengths that make chunks (4108 KiB per 1 GiB TDMR, 8212 KiB per 2 GiB) fill islands exactly.
    Arbitrary<Long> length = Arbitraries.of(4 * K, M, 4108 * K, 8212 * K, 8216 * K, 64 * M, 300 * M, 700 * M, G + 8 * M);
    Arbitrary<Long> gap = Arbitraries.of(4 * K, M, 4108 * K, 64 * M, 500 * M);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(5);
    Arbitrary<List<Long>> lengths = length.list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<List<Long>> gaps = gap.list().ofSize(4);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 8))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Arbitraries.of(
        Policy.DEFAULT, Policy.DEFAULT.withPamt(Policy.PamtPlacementPolicy.ANY));
    return Combinators.combine(lengths, gaps, nodes, limits, policy).as((ls, gs, ns, l, p) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = M;
      for (int i = 0; i < ls.size(); i++) {
        long end = cursor + ls.get(i);
        if (end > 3 * G) {
          break;
        }
        blocks.add(new MemoryBlock(cursor, end, ns[i]));
        cursor = end + gs.get(i);
      }
      return new Case(MemoryMap.ofBlocks("tiny", blocks), l, p);
    });
  }
}
