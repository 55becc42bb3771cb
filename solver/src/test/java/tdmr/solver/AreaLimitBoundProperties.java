package tdmr.solver;

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
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaLimitBound} against the exhaustive search (which shares nothing with it) on tiny maps of
 * granules with holes of 4 KiB, small islands and empty granules, with 0 to 2 reserved areas per
 * TDMR, module family, coverage {@code all}: the best layout's PAMT is never ruled out, and it has at
 * least the TDMRs the bound says every layout with its PAMT has.
 */
class AreaLimitBoundProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 25, seed = "20261205")
  void theBestLayoutMeetsTheBound(@ForAll("holedMaps") Case c) {
    Optional<BestLayout> best = BestLayout.of(c.map(), c.limits(), c.policy(), c);
    if (best.isEmpty()) {
      return;
    }
    BestLayout b = best.get();
    AreaLimitBound bound = new AreaLimitBound(b.instance(), new ModuleFamilyBounds(b.instance(), false));
    long raised = bound.raise(Math.max(1, b.pages() - 40));
    Statistics.label("raised to the best").collect(raised == b.pages());
    assertTrue(raised <= b.pages(), "raised to " + raised + " above the best: " + b.what());
    assertEquals(b.pages(), bound.raise(b.pages()), "the best layout's PAMT ruled out: " + b.what());
    long tdmrs = bound.leastTdmrs(b.pages());
    Statistics.label("TDMRs bound").collect(tdmrs == b.tdmrs() ? "at the best" : "below");
    assertTrue(tdmrs <= b.tdmrs(), "TDMR bound " + tdmrs + " above the best: " + b.what());
  }

  /**
   * Granules from 1 GiB up, two or three of them, each empty, full of memory, full but for one or
   * two holes of 4 KiB (8 and 16 MiB into it), or holding an island of 4 KiB or 4 MiB 8 MiB above its
   * start; 0 to 2 reserved areas and 1 to 3 TDMRs, under both holes policies.
   */
  @Provide
  Arbitrary<Case> holedMaps() {
    Arbitrary<Integer> granule = Arbitraries.of(0, 1, 2, 2, 3, 3, 4, 5);
    Arbitrary<List<Integer>> granules = granule.list().ofMinSize(2).ofMaxSize(3);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> areas = Arbitraries.integers().between(0, 2);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(granules, tdmrs, areas, holes).as((gs, t, a, h) -> {
      List<long[]> ranges = new ArrayList<>();
      for (int i = 0; i < gs.size(); i++) {
        long s = (1 + i) * G;
        switch (gs.get(i)) {
          case 1 -> ranges.add(new long[] {s, s + G});
          case 2 -> {
            ranges.add(new long[] {s, s + 8 * M});
            ranges.add(new long[] {s + 8 * M + 4 * K, s + G});
          }
          case 3 -> {
            ranges.add(new long[] {s, s + 8 * M});
            ranges.add(new long[] {s + 8 * M + 4 * K, s + 16 * M});
            ranges.add(new long[] {s + 16 * M + 4 * K, s + G});
          }
          case 4 -> ranges.add(new long[] {s + 8 * M, s + 8 * M + 4 * K});
          case 5 -> ranges.add(new long[] {s + 8 * M, s + 12 * M});
          default -> { }
        }
      }
      if (ranges.isEmpty()) {
        ranges.add(new long[] {G, 2 * G});
      }
      // Touching ranges are one block.
      List<MemoryBlock> blocks = new ArrayList<>();
      long[] open = ranges.get(0).clone();
      for (long[] r : ranges.subList(1, ranges.size())) {
        if (r[0] == open[1]) {
          open[1] = r[1];
        } else {
          blocks.add(new MemoryBlock(open[0], open[1], 0));
          open = r.clone();
        }
      }
      blocks.add(new MemoryBlock(open[0], open[1], 0));
      TdxLimits limits = new TdxLimits(t, a, 16, 16, 16, false, 52);
      Policy p = new Policy(h, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("holed", blocks), limits, p);
    });
  }
}
