package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The engines agree on generated maps: every layout verifies, CP-SAT and Z3 reach the same
 * optimum or both prove infeasibility, and neither is beaten by the greedy.
 */
class CrossCheckProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final SolveOptions OPTIONS = new SolveOptions(20, 1, 0);

  /** One generated instance. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 40, seed = "20261203")
  void enginesAgreeOnSmallMaps(@ForAll("smallCases") Case c) {
    check(c);
  }

  @Property(tries = 12, seed = "20261203")
  void enginesAgreeOnMediumMaps(@ForAll("mediumCases") Case c) {
    check(c);
  }

  private static void check(Case c) {
    CrossCheck.Report report = CrossCheck.run(c.map(), c.limits(), c.policy(), OPTIONS);
    report.results().forEach(r -> Statistics.label(r.solver()).collect(r.status()));
    assertTrue(report.passed(), c + "\n" + String.join("\n", report.lines()));
  }

  @Provide
  Arbitrary<Case> smallCases() {
    // Lengths include one and two PAMT chunks (4108, 8212, 8216 KiB), which can fill an island
    // exactly and so merge the holes around it.
    Arbitrary<Long> length = Arbitraries.of(4 * K, M, 4108 * K, 8212 * K, 8216 * K, 64 * M, 300 * M, 700 * M, G + 8 * M);
    Arbitrary<Long> gap = Arbitraries.of(4 * K, M, 64 * M, 500 * M, 2 * G);
    return cases(length, gap, 5, 4 * G, Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 5));
  }

  /** Up to 8 blocks below 128 GiB: a few dozen cells and candidate TDMRs, like the real servers. */
  @Provide
  Arbitrary<Case> mediumCases() {
    Arbitrary<Long> length = Arbitraries.of(M, 8212 * K, 64 * M, 700 * M, 3 * G, 20 * G + 4 * M, 60 * G);
    Arbitrary<Long> gap = Arbitraries.of(4 * K, 2 * M, 100 * M, G, 5 * G);
    return cases(length, gap, 8, 128 * G, Arbitraries.integers().between(2, 10), Arbitraries.integers().between(2, 16));
  }

  private static Arbitrary<Case> cases(
      Arbitrary<Long> length,
      Arbitrary<Long> gap,
      int maxBlocks,
      long below,
      Arbitrary<Integer> maxTdmrs,
      Arbitrary<Integer> maxReserved) {
    Arbitrary<List<Long>> lengths = length.list().ofMinSize(1).ofMaxSize(maxBlocks);
    Arbitrary<List<Long>> gaps = gap.list().ofSize(maxBlocks);
    Arbitrary<List<Integer>> nodeSteps = Arbitraries.integers().between(0, 1).list().ofSize(maxBlocks);
    Arbitrary<TdxLimits> limits =
        Combinators.combine(maxTdmrs, maxReserved)
            .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy =
        Combinators.combine(
                Arbitraries.of(Policy.Holes.class),
                Arbitraries.of(Policy.PamtPlacementPolicy.class),
                Arbitraries.of(Policy.Coverage.class))
            .as((h, p, c) -> new Policy(h, p, c, Policy.Family.KERNEL));
    Arbitrary<Boolean> oneCmr = Arbitraries.of(true, false);
    return Combinators.combine(lengths, gaps, nodeSteps, limits, policy, oneCmr)
        .as((ls, gs, steps, l, p, spanning) -> new Case(map(ls, gs, steps, below, spanning), l, p));
  }

  /**
   * Blocks from 1 MiB up, nodes ascending; the CMRs are either the blocks themselves or one CMR
   * spanning them all (so every gap is convertible and the cmr hole policy differs from memlist).
   */
  private static MemoryMap map(List<Long> lengths, List<Long> gaps, List<Integer> nodeSteps, long below, boolean spanning) {
    List<MemoryBlock> blocks = new ArrayList<>();
    long cursor = M;
    int node = 0;
    for (int i = 0; i < lengths.size(); i++) {
      long end = cursor + lengths.get(i);
      if (end > below) {
        break;
      }
      node += nodeSteps.get(i);
      blocks.add(new MemoryBlock(cursor, end, node));
      cursor = end + gaps.get(i);
    }
    if (!spanning) {
      return MemoryMap.ofBlocks("generated", blocks);
    }
    AddressRange all = new AddressRange(blocks.get(0).start(), blocks.get(blocks.size() - 1).end());
    return MemoryMap.of("generated-one-cmr", blocks, List.of(all));
  }
}
