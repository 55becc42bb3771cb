package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
 * {@link TdmrCountBound} against the exhaustive search (which shares nothing with it) on tiny maps
 * of full granules and small islands the 4K level of a 1 GiB TDMR can fill, module family, coverage
 * {@code all}, PAMT {@code any} (PAMT is the search's first tier, TDMRs its second): the best layout
 * has at least the TDMRs the bound says every layout with its PAMT has, and with one TDMR fewer than
 * the bound the search finds no layout with that PAMT. The 1G level's entries are 16 bytes or 2 048
 * (a page per started 2 GiB, so that its rounding matters on a few GiB, as 256 GiB do on real hosts).
 */
class TdmrCountBoundProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 150, seed = "20261204")
  void noLayoutWithThePamtHasFewerTdmrs(@ForAll("tinyMaps") Case c) {
    assertBoundHolds(c);
  }

  /** As {@link #noLayoutWithThePamtHasFewerTdmrs} on islands that PAMT must fill, apart from a run to split. */
  @Property(tries = 30, seed = "20261205")
  void anIslandApartSplitsTheRunOnlyAsMuchAsTheSearchDoes(@ForAll("islandApart") Case c) {
    assertBoundHolds(c);
  }

  private static void assertBoundHolds(Case c) {
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    Statistics.label("has a layout").collect(best.isPresent());
    if (best.isEmpty()) {
      return;
    }
    long pages = best.get().score().pamtBytes() / 4096;
    OptionalLong least = new TdmrCountBound(Instance.of(c.map(), c.limits(), c.policy())).leastTdmrs(pages);
    int tdmrs = best.get().score().tdmrs();
    Statistics.label("bound").collect(least.isPresent() ? "at " + (least.getAsLong() == tdmrs ? "the best" : "below")
        + (least.getAsLong() > 1 ? ", above 1" : "") : "none");
    if (least.isEmpty()) {
      return;
    }
    String what = c + "\n" + best.get().layout() + "\nbound " + least.getAsLong();
    assertTrue(least.getAsLong() <= tdmrs, "the best layout has fewer TDMRs than the bound: " + what);
    if (least.getAsLong() >= 2) {
      TdxLimits fewer = c.limits().withMaxTdmrs((int) least.getAsLong() - 1);
      Optional<ExhaustiveSearch.Result> under = new ExhaustiveSearch(c.map(), fewer, c.policy()).best();
      assertTrue(under.isEmpty() || under.get().score().pamtBytes() > pages * 4096,
          "a layout with fewer TDMRs than the bound at its PAMT: " + under.map(ExhaustiveSearch.Result::layout) + "\n" + what);
    }
  }

  /**
   * As {@link #noLayoutWithThePamtHasFewerTdmrs} on a middle granule left out between two parts
   * (its memory from its start and up to its end, a hole between), which the levels of the TDMRs on
   * both sides must cover ({@link ModuleFamilyBounds#leastTdmrsLeavingOneGranule}).
   */
  @Property(tries = 30, seed = "20261205")
  void aGranuleLeftOutBetweenTwoPartsTakesLevelsFromBothSides(@ForAll("middleGranule") Case c) {
    assertBoundHolds(c);
  }

  /**
   * [1G, 2G + x) and [3G - y, 3G + r GiB): granule 2 holds x pages from its start and y up to its
   * end; 1G-level entries of 16 or 2 048 bytes, 2 or 3 TDMRs.
   */
  @Provide
  Arbitrary<Case> middleGranule() {
    Arbitrary<Long> side = Arbitraries.of(1L, 500L, 1024L, 1026L, 1030L, 1500L, 2048L, 2060L);
    Arbitrary<Integer> run = Arbitraries.integers().between(1, 2);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(2, 3);
    Arbitrary<Integer> oneGibEntry = Arbitraries.of(16, 2048);
    return Combinators.combine(side, side, run, tdmrs, oneGibEntry).as((x, y, r, t, e) -> {
      List<MemoryBlock> blocks = List.of(new MemoryBlock(G, 2 * G + x * 4 * K, 0),
          new MemoryBlock(3 * G - y * 4 * K, (3 + r) * G, 0));
      TdxLimits limits = new TdxLimits(t, 16, 16, 16, e, false, 52);
      Policy p = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("middle granule", blocks), limits, p);
    });
  }

  /**
   * An island of 4 KiB to 8 MiB + 8 KiB at 1 GiB + 8 MiB, no memory in [2G, 3G), then a run of 1 to
   * 3 GiB from 3 GiB; 1G-level entries of 16, 1 024 or 2 048 bytes, 2 or 3 TDMRs.
   */
  @Provide
  Arbitrary<Case> islandApart() {
    Arbitrary<Long> island = Arbitraries.of(4 * K, 4 * M, 4 * M + 4 * K, 4 * M + 8 * K, 8 * M, 8 * M + 8 * K);
    Arbitrary<Integer> run = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(2, 3);
    Arbitrary<Integer> oneGibEntry = Arbitraries.of(16, 1024, 2048);
    return Combinators.combine(island, run, tdmrs, oneGibEntry).as((i, r, t, e) -> {
      List<MemoryBlock> blocks = List.of(new MemoryBlock(G + 8 * M, G + 8 * M + i, 0), new MemoryBlock(3 * G, (3 + r) * G, 0));
      TdxLimits limits = new TdxLimits(t, 16, 16, 16, e, false, 52);
      Policy p = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("island apart", blocks), limits, p);
    });
  }

  /**
   * Granules from 1 GiB up, three or four of them, each empty, full of memory or holding an island
   * of 4 KiB, 4 MiB, 4 MiB + 4 KiB or 8 MiB 8 MiB above its start; under both holes policies, with 1
   * to 3 TDMRs.
   */
  @Provide
  Arbitrary<Case> tinyMaps() {
    Arbitrary<Long> granule = Arbitraries.of(0L, G, G, 4 * K, 4 * M, 4 * M, 4 * M + 4 * K, 8 * M);
    Arbitrary<List<Long>> granules = granule.list().ofMinSize(3).ofMaxSize(4);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> oneGibEntry = Arbitraries.of(16, 2048);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(granules, tdmrs, oneGibEntry, holes).as((gs, t, e, h) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      for (int i = 0; i < gs.size(); i++) {
        long start = (1 + i) * G;
        long size = gs.get(i);
        if (size == G) {
          blocks.add(new MemoryBlock(start, start + G, 0));
        } else if (size > 0) {
          blocks.add(new MemoryBlock(start + 8 * M, start + 8 * M + size, 0));
        }
      }
      if (blocks.isEmpty()) {
        blocks.add(new MemoryBlock(G, 2 * G, 0));
      }
      TdxLimits limits = new TdxLimits(t, 16, 16, 16, e, false, 52);
      Policy p = new Policy(h, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("tiny", blocks), limits, p);
    });
  }
}
