package tdmr.solver;

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
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Both exact engines, which answer the module family node by node where {@link NodeSplit} allows,
 * against {@link ExhaustiveSearch} (which solves the whole map and shares none of the split's
 * reasoning) on tiny two-node maps: node 0 has a few blocks of 1 to 6 pages just above 1 GiB and
 * maybe a large block to 2 GiB; node 1 the same from 2 or 3 GiB (so a granule without memory may lie
 * between them), or, in one case in five, a block inside node 0's last granule (a granule of both
 * nodes: not split). Every holes and coverage policy, PAMT mostly {@code node-local}, the module
 * family mostly and the kernel family (never split), 2 or 3 TDMRs, 1 to 3 areas. An {@code OPTIMAL}
 * or {@code INFEASIBLE} without restrictions must equal the referee in every ranked tier, one with
 * restrictions may be beaten by it but never beat it, and no layout beats the referee.
 */
class NodeSplitProperties {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 20, seed = "20261204")
  void nodeByNodeAnswersHoldAgainstTheReferee(@ForAll("twoNodeMaps") Case c) {
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
      boolean split = r.messages().stream().anyMatch(m -> m.contains("node by node"));
      boolean restricted = !r.restrictions().isEmpty();
      Statistics.label(engine.name()).collect(r.status(), split ? "node by node" : "whole",
          restricted ? "restricted" : "whole family");
      String what = engine.name() + " " + c + "\n" + r.messages() + "\n" + r.details() + "\nreferee "
          + expected.map(ExhaustiveSearch.Result::layout) + "\ngot " + r.layout();
      if (split) {
        assertTrue(c.policy().family() == Policy.Family.MODULE
            && c.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL, what);
      }
      RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), what);
    }
  }

  @Provide
  Arbitrary<Case> twoNodeMaps() {
    Arbitrary<List<Long>> small = Arbitraries.of(1L, 1L, 2L, 4L, 6L).list().ofMinSize(0).ofMaxSize(2);
    Arbitrary<Integer> shape = Arbitraries.integers().between(0, 4);
    Arbitrary<Boolean> large0 = Arbitraries.of(true, true, false);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(2, 3), Arbitraries.integers().between(1, 3))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
    Arbitrary<Policy> policy = Combinators.combine(
            Arbitraries.of(Policy.Holes.values()),
            Arbitraries.of(Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.PamtPlacementPolicy.NODE_LOCAL,
                Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.PamtPlacementPolicy.ANY),
            Arbitraries.of(Policy.Coverage.values()),
            Arbitraries.of(Policy.Family.MODULE, Policy.Family.MODULE, Policy.Family.MODULE, Policy.Family.KERNEL))
        .as(Policy::new);
    Arbitrary<Boolean> wideCmr = Arbitraries.of(false, true);
    return Combinators.combine(small, small, shape, large0, limits, policy, wideCmr)
        .as((pages0, pages1, s, big0, l, p, wide) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long end0 = place(blocks, G + 4 * K, pages0, 0);
          if (big0 || blocks.isEmpty()) {
            blocks.add(new MemoryBlock(end0 + 4 * K, 2 * G, 0));
          }
          if (s == 0) {
            // A granule of both nodes: node 1's memory starts inside node 0's last granule.
            MemoryBlock last = blocks.remove(blocks.size() - 1);
            long cut = last.end() - 8 * K;
            if (cut > last.start()) {
              blocks.add(new MemoryBlock(last.start(), cut, 0));
            }
            blocks.add(new MemoryBlock(cut, 3 * G, 1));
          } else {
            long base = s == 1 ? 3 * G : 2 * G;
            long end1 = place(blocks, base + 4 * K, pages1, 1);
            blocks.add(new MemoryBlock(end1 + 4 * K, base + G, 1));
          }
          List<AddressRange> cmrs = wide
              ? List.of(new AddressRange(blocks.get(0).start(), blocks.get(blocks.size() - 1).end()))
              : blocks.stream().map(MemoryBlock::range).toList();
          return new Case(MemoryMap.of("two nodes", blocks, cmrs), l, p);
        });
  }

  /** Blocks of {@code pages} pages on {@code node} from {@code start}, a page apart; the end of the last. */
  private static long place(List<MemoryBlock> blocks, long start, List<Long> pages, int node) {
    long cursor = start;
    for (long n : pages) {
      blocks.add(new MemoryBlock(cursor, cursor + n * 4 * K, node));
      cursor += (n + 1) * 4 * K;
    }
    return cursor;
  }
}
