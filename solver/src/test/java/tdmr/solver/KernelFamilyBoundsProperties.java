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
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link KernelFamilyBounds} against the exhaustive search (which shares nothing with it) on tiny
 * maps whose islands are about the size of kernel chunks (1 026 to 2 055 pages: sums of chunks or
 * just not) or far smaller: the kernel family's best layout is never ruled out by the bounds ({@link
 * KernelFamilyBounds#mayHave} at its PAMT and TDMRs, which is what keeps {@link
 * KernelFamilyBounds#meets} from accepting a worse layout), has at least the areas they give, in
 * all and in its fullest TDMR, and where they say no layout exists the search finds none.
 */
class KernelFamilyBoundsProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 25, seed = "20261206")
  void theBoundsNeverRuleOutTheBestKernelLayout(@ForAll("chunkIslandMaps") Case c) {
    Instance moduleAny = Instance.of(c.map(), c.limits(),
        c.policy().withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY));
    KernelFamilyBounds bounds = new KernelFamilyBounds(moduleAny);
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    boolean none = bounds.noLayout();
    Statistics.label("no layout proven").collect(none);
    if (best.isEmpty()) {
      return;
    }
    String what = best.get().score() + " " + c;
    assertTrue(!none, "no layout proven, yet the search finds " + what);
    long pages = best.get().score().pamtBytes() / 4096;
    int tdmrs = best.get().score().tdmrs();
    assertTrue(bounds.mayHave(pages, tdmrs), "the best layout ruled out: " + what);
    long areas = bounds.leastAreas(pages, tdmrs);
    Statistics.label("areas bound binds").collect(areas == best.get().score().reservedAreas());
    assertTrue(areas <= best.get().score().reservedAreas(), "areas bound " + areas + " above " + what);
    long inOne = AreaCountBound.ofKernelChunks(moduleAny).leastAreasInOneTdmr(pages, tdmrs);
    assertTrue(inOne <= fullestTdmr(best.get().layout()), "one-TDMR bound " + inOne + " above " + what);
    Statistics.label("claim about the whole family").collect(bounds.meets(best.get().score()));
  }

  private static int fullestTdmr(Layout layout) {
    return layout.tdmrs().stream().mapToInt(t -> t.reserved().size()).max().orElse(0);
  }

  /**
   * [1M, 1G) or [1M, 1G - 8K) (so that granule 0 holds a hole of its own), then in granule 1 one
   * to three islands between holes of 4 KiB, of 1, 16, 1 026, 1 027, 1 028, 2 053, 2 054 or 2 055
   * pages, then memory to 2G; one node; 1 to 3 TDMRs of 1 to 3 areas each; both holes policies,
   * coverage {@code all}, kernel family (tries and map size kept small: the search takes seconds on
   * some of these).
   */
  @Provide
  Arbitrary<Case> chunkIslandMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(1L, 16L, 1026L, 1027L, 1028L, 2053L, 2054L, 2055L)
        .list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<Boolean> lowHole = Arbitraries.of(false, true);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 3),
        Arbitraries.integers().between(1, 3)).as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Arbitraries.of(Policy.Holes.values())
        .map(h -> Policy.KERNEL.withFamily(Policy.Family.KERNEL).withHoles(h).withCoverage(Policy.Coverage.ALL));
    return Combinators.combine(islands, lowHole, limits, policy).as((is, low, l, p) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      blocks.add(new MemoryBlock(M, low ? G - 8 * K : G, 0));
      long cursor = G + 16 * M;
      blocks.add(new MemoryBlock(G, cursor, 0));
      for (long pages : is) {
        cursor += 4 * K;
        blocks.add(new MemoryBlock(cursor, cursor + pages * 4 * K, 0));
        cursor += pages * 4 * K;
      }
      blocks.add(new MemoryBlock(cursor + 4 * K, 2 * G, 0));
      return new Case(MemoryMap.ofBlocks("chunk-islands", blocks), l, p);
    });
  }

  /**
   * The same where an island starts in granule 0 and reaches into granule 1, whose 4 KiB island
   * keeps it in a TDMR: granule 0 holds so little memory (1 026 to 2 054 pages) that a layout may
   * leave it out, and then its part of the island is filled exactly by chunks or a chunk reaches
   * into the TDMR over granule 1, which reserves it in an area of its own ({@link
   * KernelChunks#edgeAreaAbove}).
   */
  @Property(tries = 30, seed = "20261206")
  void theBoundsNeverRuleOutTheBestKernelLayoutOverAGranuleEdge(@ForAll("crossingMaps") Case c) {
    theBoundsNeverRuleOutTheBestKernelLayout(c);
  }

  /**
   * [1G - x, 1G + y) with x of 1 026, 1 027, 2 048 or 2 054 pages and y of 1, 1 027 or 4 096, a
   * hole of 4 KiB, an island of one page, a hole of 4 KiB, memory to 2G, and a third granule of
   * memory or none; 1 to 3 TDMRs of 1 to 3 areas each; both holes policies, coverage {@code all},
   * kernel family.
   */
  @Provide
  Arbitrary<Case> crossingMaps() {
    Arbitrary<Long> below = Arbitraries.of(1026L, 1027L, 2048L, 2054L);
    Arbitrary<Long> above = Arbitraries.of(1L, 1027L, 4096L);
    Arbitrary<Boolean> third = Arbitraries.of(false, true);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 3),
        Arbitraries.integers().between(1, 3)).as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Arbitraries.of(Policy.Holes.values())
        .map(h -> Policy.KERNEL.withFamily(Policy.Family.KERNEL).withHoles(h).withCoverage(Policy.Coverage.ALL));
    return Combinators.combine(below, above, third, limits, policy).as((x, y, more, l, p) -> {
      long top = G + y * 4 * K;
      List<MemoryBlock> blocks = List.of(new MemoryBlock(G - x * 4 * K, top, 0),
          new MemoryBlock(top + 4 * K, top + 8 * K, 0), new MemoryBlock(top + 12 * K, more ? 3 * G : 2 * G, 0));
      return new Case(MemoryMap.ofBlocks("crossing", blocks), l, p);
    });
  }
}
