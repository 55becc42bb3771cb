package tdmr.solver.fix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The search's bounds and pruning lose nothing: on small generated maps, every combination of
 * choices (one per block, {@link GiveUpOption}) is replayed without any bound, and the least that
 * succeeds must be what the search proves least.
 */
class GiveUpSearchPropertyTest {
  private static final long PAGE = 4096;
  private static final long M = 1L << 20;
  private static final long G = 1L << 30;

  @Property(tries = 250, seed = "1315")
  void theSearchFindsWhatEveryCombinationFinds(
      @ForAll("maps") MemoryMap map, @ForAll("limits") TdxLimits limits, @ForAll boolean cmrHoles) {
    Policy.Holes holes = cmrHoles ? Policy.Holes.CMR : Policy.Holes.MEMLIST;
    Construction construction = Construction.linux(holes, limits);
    GiveUpSearch.Result r = GiveUpSearch.run(map, construction, limits, 60);
    long brute = bruteForce(map, construction);
    Statistics.collect(r.status(), brute == 0 ? "nothing" : brute == Long.MAX_VALUE ? "none" : "some");
    if (brute == Long.MAX_VALUE) {
      assertEquals(Status.INFEASIBLE, r.status());
    } else {
      assertEquals(Status.OPTIMAL, r.status());
      assertEquals(brute, r.giveUpBytes(), () -> "search gave up " + r.giveUp());
      assertEquals(true, construction.succeeds(GiveUpSearch.without(map, r.giveUp())));
    }
  }

  /** The least bytes over every combination of choices that the construction accepts. */
  private static long bruteForce(MemoryMap map, Construction construction) {
    List<MemoryBlock> blocks = LinuxGreedy.memoryList(map.blocks());
    List<List<GiveUpOption>> options = blocks.stream().map(GiveUpOption::of).toList();
    int[] pick = new int[blocks.size()];
    long best = Long.MAX_VALUE;
    while (true) {
      List<AddressRange> giveUp = new ArrayList<>();
      long cost = 0;
      for (int i = 0; i < pick.length; i++) {
        GiveUpOption o = options.get(i).get(pick[i]);
        giveUp.addAll(o.giveUp());
        cost += o.cost();
      }
      if (cost < best && construction.succeeds(GiveUpSearch.without(map, giveUp))) {
        best = cost;
      }
      int i = 0;
      while (i < pick.length && ++pick[i] == options.get(i).size()) {
        pick[i] = 0;
        i++;
      }
      if (i == pick.length) {
        return best;
      }
    }
  }

  /**
   * Up to six blocks of one or two nodes below 6 GiB, some small islands and some crossing 1 GiB
   * boundaries, so that islands, edge pieces and whole blocks all matter. CMRs equal the blocks or
   * stretch over small gaps.
   */
  @Provide
  Arbitrary<MemoryMap> maps() {
    Arbitrary<long[]> block = Combinators.combine(
            Arbitraries.longs().between(0, 3 * 65536),   // gap before, in pages (up to 768 MiB)
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(1, 16)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(16_384, 300_000))),
            Arbitraries.integers().between(0, 1))
        .as((gap, size, node) -> new long[] {gap, size, node});
    return Combinators.combine(block.list().ofMinSize(1).ofMaxSize(6), Arbitraries.of(false, true))
        .as((specs, wideCmrs) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = M;
          for (long[] s : specs) {
            long start = cursor + s[0] * PAGE;
            long end = start + s[1] * PAGE;
            blocks.add(new MemoryBlock(start, end, (int) s[2]));
            cursor = end;
          }
          if (!wideCmrs) {
            return MemoryMap.ofBlocks("generated", blocks);
          }
          // One CMR over everything: gaps between blocks are convertible, as firmware reserves often are.
          return MemoryMap.of("generated", blocks, List.of(new AddressRange(M, blocks.get(blocks.size() - 1).end())));
        });
  }

  @Provide
  Arbitrary<TdxLimits> limits() {
    return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(3, 6))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
  }
}
