package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
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

  @Property(tries = 60, seed = "20261203")
  void optimumEqualsExhaustiveSearch(@ForAll("tinyCases") Case c) {
    assertSameOptimum(new CpSatEngine(), c);
  }

  /** The sequential objective (used for big models) reaches the same lexicographic optimum. */
  @Property(tries = 40, seed = "20261203")
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

  /**
   * Maps with several holes inside one GiB, where chunks can stack against holes, fill islands or
   * go to the pool of {@link PlacementSlots} (with at most 3 TDMRs a pool needs only 3 atoms).
   */
  @Property(tries = 150, seed = "20261203")
  void optimumEqualsExhaustiveSearchOnHoleyMaps(@ForAll("holeyCases") Case c) {
    Problem p = Problem.of(c.map(), c.limits(), c.policy());
    PlacementSlots slots = new PlacementSlots(p, Optional.of(new PamtLowerBound(p)));
    Statistics.label("pool").collect(p.cells().stream().anyMatch(cell -> cell.holdsMemory() && !slots.pool(cell).isEmpty()));
    assertSameOptimum(new CpSatEngine(), c);
  }

  /**
   * The relaxation of {@link PamtLowerBound} never cuts the family's optimum off: its PAMT and TDMR
   * bounds are at most the optimum's, the optimum's TDMRs are among those it keeps, and it claims
   * infeasibility only where the brute force finds nothing.
   */
  @Property(tries = 150, seed = "20261203")
  void lowerBoundNeverCutsTheOptimumOff(@ForAll("holeyOrTinyCases") Case c) {
    Problem p = Problem.of(c.map(), c.limits(), c.policy());
    PamtLowerBound bound = new PamtLowerBound(p);
    Optional<ExhaustiveFamilySearch.Score> expected =
        new ExhaustiveFamilySearch(c.map(), c.limits(), c.policy()).best();
    Statistics.label("bound").collect(bound.infeasibility().isPresent() ? "infeasible" : "bound");
    if (bound.infeasibility().isPresent()) {
      assertTrue(expected.isEmpty(), bound.infeasibility().get() + " but " + expected);
      return;
    }
    if (expected.isEmpty()) {
      return;
    }
    long optimum = expected.get().pamtBytes() / 4096;
    assertTrue(bound.leastPamtPages().getAsLong() <= optimum, bound.leastPamtPages() + " > " + optimum);
    assertTrue(bound.fewestTdmrs(optimum).getAsInt() <= expected.get().tdmrs());
    Layout layout = new CpSatEngine().solve(c.map(), c.limits(), c.policy(), new SolveOptions(20, 1, 0))
        .layout().orElseThrow();
    for (Tdmr t : layout.tdmrs()) {
      int first = cellStarting(p, t.range().start());
      int end = cellStarting(p, t.range().end());
      assertTrue(Arrays.stream(bound.endsWithin(first, optimum, c.limits().maxTdmrs())).anyMatch(e -> e == end),
          t.range() + " is not kept by the bound");
    }
  }

  /** The quick starting layout, when there is one, is valid and no better than the optimum. */
  @Property(tries = 60, seed = "20261203")
  void startingLayoutIsValidAndNotBetterThanTheOptimum(@ForAll("holeyOrTinyCases") Case c) {
    Problem p = Problem.of(c.map(), c.limits(), c.policy());
    Optional<Problem.Decision> start =
        new StartingLayout(p, new PlacementSlots(p, Optional.of(new PamtLowerBound(p)))).find();
    Statistics.label("start").collect(start.isPresent());
    if (start.isEmpty()) {
      return;
    }
    Layout layout = p.buildLayout(start.get());
    LayoutVerifier.requireValid(c.map(), c.limits(), c.policy(), layout);
    ExhaustiveFamilySearch.Score best = new ExhaustiveFamilySearch(c.map(), c.limits(), c.policy()).best().orElseThrow();
    assertTrue(best.compareTo(new ExhaustiveFamilySearch.Score(layout.pamtBytes(), layout.size(),
        layout.reservedAreaCount())) <= 0);
  }

  /** The index of the cell starting at {@code address}, or the cell count at the end of the last. */
  private static int cellStarting(Problem p, long address) {
    for (Problem.Cell cell : p.cells()) {
      if (cell.range().start() == address) {
        return cell.index();
      }
    }
    return p.cells().size();
  }

  @Property(tries = 60, seed = "20261203")
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
  Arbitrary<Case> holeyOrTinyCases() {
    return Arbitraries.oneOf(tinyCases(), holeyCases());
  }

  /**
   * One or two GiB from 1 GiB up, cut by 2 to 5 holes of 4 KiB to 64 MiB into islands, some of
   * them exactly one or two chunks long, on one or two nodes.
   */
  @Provide
  Arbitrary<Case> holeyCases() {
    Arbitrary<Long> island = Arbitraries.of(4 * K, 4108 * K, 8212 * K, 8216 * K, 12 * M, 100 * M, 300 * M);
    Arbitrary<Long> hole = Arbitraries.of(4 * K, 2 * M, 64 * M);
    Arbitrary<List<Long>> islands = island.list().ofMinSize(2).ofMaxSize(5);
    Arbitrary<List<Long>> holes = hole.list().ofSize(5);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(6);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 4))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Arbitraries.of(
        Policy.DEFAULT, Policy.DEFAULT.withPamt(Policy.PamtPlacementPolicy.ANY));
    Arbitrary<Boolean> secondGiB = Arbitraries.of(false, true);
    return Combinators.combine(islands, holes, nodes, limits, policy, secondGiB).as((is, hs, ns, l, p, two) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = G;
      for (int i = 0; i < is.size(); i++) {
        blocks.add(new MemoryBlock(cursor, cursor + is.get(i), ns[i]));
        cursor += is.get(i) + hs.get(i);
      }
      // The rest of the GiB (and the next one) is memory of the last node.
      long end = two ? 3 * G : 2 * G;
      if (cursor < end) {
        blocks.add(new MemoryBlock(cursor, end, ns[5]));
      }
      return new Case(MemoryMap.ofBlocks("holey", blocks), l, p);
    });
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
