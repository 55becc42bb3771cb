package tdmr.solver.z3;

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
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.RefereeClaims;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * On tiny generated maps (the generator of CP-SAT's family properties, module family only), Z3's
 * module-family answer equals the exhaustive search's (which shares none of the encoding's
 * restrictions): the same status, for an optimum the same score in every tier, and a layout the
 * validator accepts; where the claim names a restriction, the exhaustive search may do better, never
 * worse, and its best among the layouts meeting the restrictions named no better ({@link
 * tdmr.solver.RefereeClaims}). Statistics count the restricted answers.
 */
class Z3ModuleFamilyProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  /** A tiny case: the map, the limits and the policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 12, seed = "20261204")
  void z3AgreesWithTheExhaustiveSearch(@ForAll("tinyCases") Case c) {
    EngineResult r = new Z3Engine().solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    Statistics.label("status").collect(r.status());
    Statistics.label("restricted").collect(!r.restrictions().isEmpty());
    // How often the proof went through the shared bounds and the TDMRs they fix (the referee shares neither).
    Statistics.label("TDMRs fixed by the bounds").collect(r.details().stream().anyMatch(d -> d.startsWith("TDMRs fixed")));
    assertEquals(Policy.Family.MODULE, r.family(), c.toString());
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), c.toString());
  }

  @Provide
  Arbitrary<Case> tinyCases() {
    Arbitrary<Long> island = Arbitraries.of(4 * K, 8 * K, 64 * K, 4108 * K, 4096 * K, 12 * M, 300 * M);
    Arbitrary<Long> hole = Arbitraries.of(0L, 4 * K, 2 * M, 64 * M);
    Arbitrary<List<Long>> islands = island.list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<List<Long>> holes = hole.list().ofSize(5);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(6);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 4))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Combinators.combine(
            Arbitraries.of(Policy.Holes.values()), Arbitraries.of(Policy.PamtPlacementPolicy.values()),
            Arbitraries.of(Policy.Coverage.values()), Arbitraries.just(Policy.Family.MODULE))
        .as(Policy::new);
    Arbitrary<Integer> span = Arbitraries.integers().between(1, 2);
    Arbitrary<Boolean> cmrOverHoles = Arbitraries.of(false, true);
    return Combinators.combine(islands, holes, nodes, limits, policy, span, cmrOverHoles)
        .as((is, hs, ns, l, p, two, wide) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G + hs.get(4);
          for (int i = 0; i < is.size(); i++) {
            long end = cursor + is.get(i);
            int node = ns[i];
            if (!blocks.isEmpty() && blocks.get(blocks.size() - 1).end() == cursor
                && blocks.get(blocks.size() - 1).node() == node) {
              node = 1 - node;
            }
            blocks.add(new MemoryBlock(cursor, end, node));
            cursor = end + hs.get(i);
          }
          long end = (1 + two) * G + G;
          if (cursor < end) {
            int node = ns[5];
            if (blocks.get(blocks.size() - 1).end() == cursor && blocks.get(blocks.size() - 1).node() == node) {
              node = 1 - node;
            }
            blocks.add(new MemoryBlock(cursor, end, node));
          }
          List<AddressRange> cmrs = wide
              ? List.of(new AddressRange(blocks.get(0).start(), blocks.get(blocks.size() - 1).end()))
              : blocks.stream().map(MemoryBlock::range).toList();
          return new Case(MemoryMap.of("tiny", blocks, cmrs), l, p);
        });
  }
}
