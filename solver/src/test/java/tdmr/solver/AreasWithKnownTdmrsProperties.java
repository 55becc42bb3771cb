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
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreasWithKnownTdmrs} over the sets {@link TdmrSetsAtPamt} finds, and so {@link
 * AreaCountBound}, against the exhaustive search (which shares nothing with them) on tiny maps
 * whose granules hold so little memory that the least PAMT may leave some out of every TDMR: the
 * best layout has at least the areas the bound gives at its PAMT and TDMR count, never fewer (a
 * bound above the optimum would be a false claim). Module family, coverage {@code all}; PAMT {@code
 * any} on one node, or {@code node-local} with the granules on two nodes in turn (the bound ignores
 * nodes, which only take layouts away).
 */
class AreasWithKnownTdmrsProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 60, seed = "20261207")
  void theBestLayoutHasAtLeastTheBoundsAreas(@ForAll("leftOutMaps") Case c) {
    Optional<BestLayout> best = BestLayout.of(c.map(), c.limits(), c.policy(), c);
    if (best.isEmpty()) {
      return;
    }
    Instance instance = best.get().instance();
    long pages = best.get().pages();
    int tdmrs = best.get().tdmrs();
    int areas = best.get().areas();
    String what = best.get().what();
    Optional<List<TdmrSetsAtPamt.TdmrSet>> sets = TdmrSetsAtPamt.of(instance, pages, tdmrs);
    Statistics.label("sets known").collect(sets.isPresent());
    if (sets.isPresent()) {
      long least = Long.MAX_VALUE;
      for (TdmrSetsAtPamt.TdmrSet set : sets.get()) {
        OptionalLong bound = new AreasWithKnownTdmrs(instance).leastAreas(set, pages);
        if (bound.isPresent()) {
          least = Math.min(least, bound.getAsLong());
        }
      }
      // The best layout is one of those the sets take in, so some set has a layout.
      assertTrue(least != Long.MAX_VALUE, "no set has a layout: " + what);
      Statistics.label("bound with known TDMRs").collect(least);
      Statistics.label("it binds").collect(least == areas);
      assertTrue(areas >= least, "areas below the bound with known TDMRs " + least + ": " + what);
    }
    long bound = new AreaCountBound(instance).leastAreas(pages, tdmrs);
    assertTrue(areas >= bound, "areas below AreaCountBound's " + bound + ": " + what);
  }

  /**
   * The same with an area limit of 1 or 2 per TDMR, so that TDMR sets whose TDMRs hold more runs of
   * holes than that must fill islands with PAMT, and {@link AreaCountBound} leaves out the sets
   * {@link FilledIslandsPamtBound#mayMeetLimit} rules out: still never above the best layout.
   */
  @Property(tries = 60, seed = "20261205")
  void theBestLayoutUnderATightAreaLimitHasAtLeastTheBoundsAreas(@ForAll("tightLimitMaps") Case c) {
    Optional<BestLayout> best = BestLayout.of(c.map(), c.limits(), c.policy(), c);
    if (best.isEmpty()) {
      return;
    }
    Instance instance = best.get().instance();
    long pages = best.get().pages();
    int tdmrs = best.get().tdmrs();
    int areas = best.get().areas();
    long bound = new AreaCountBound(instance).leastAreas(pages, tdmrs);
    Statistics.label("it binds").collect(bound == areas);
    assertTrue(areas >= bound, "areas below AreaCountBound's " + bound + ": " + best.get().what());
  }

  @Provide
  Arbitrary<Case> tightLimitMaps() {
    return Combinators.combine(leftOutMaps(), Arbitraries.integers().between(1, 2))
        .as((c, r) -> new Case(c.map(), c.limits().withMaxReservedPerTdmr(r), c.policy()));
  }

  /**
   * The same on maps whose first granule holds small islands between holes of 4 KiB, so that the
   * levels of TDMRs of various sizes fill them: one level fills one island, and the padding is
   * shared.
   */
  @Property(tries = 30, seed = "20261205")
  void theBestLayoutHasAtLeastTheBoundsAreasAmongIslands(@ForAll("islandMaps") Case c) {
    theBestLayoutHasAtLeastTheBoundsAreas(c);
    // And at least the PAMT FilledIslandsPamtBound raises the covering bound to (TDMR sets of the
    // same signature, here cuts of the memory after the islands in either order, tested once).
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    if (best.isPresent()) {
      Instance instance = Instance.of(c.map(), c.limits(), c.policy());
      long covering = new ModuleFamilyBounds(instance, false).leastPamtPages().orElse(0);
      long raised = new FilledIslandsPamtBound(instance, false).raise(covering);
      Statistics.label("raised").collect(raised > covering);
      assertTrue(best.get().score().pamtBytes() / 4096 >= raised, "PAMT below the raised bound " + raised + ": " + c);
    }
  }

  /**
   * {@code [1G, 1G+16M)}, then two to four islands of 1 to 3 pages between holes of 4 KiB, then
   * memory to 2G, and memory over one or two more GiB; one CMR over all; 1 to 3 TDMRs of 1 to 3
   * areas each.
   */
  @Provide
  Arbitrary<Case> islandMaps() {
    Arbitrary<List<Integer>> islands = Arbitraries.integers().between(1, 3).list().ofMinSize(2).ofMaxSize(4);
    Arbitrary<Integer> moreGiB = Arbitraries.integers().between(1, 2);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> areas = Arbitraries.integers().between(1, 3);
    return Combinators.combine(islands, moreGiB, tdmrs, areas).as((is, more, t, r) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      blocks.add(new MemoryBlock(G, G + 16 * M, 0));
      long cursor = G + 16 * M + 4 * K;
      for (int pages : is) {
        blocks.add(new MemoryBlock(cursor, cursor + pages * 4 * K, 0));
        cursor += pages * 4 * K + 4 * K;
      }
      blocks.add(new MemoryBlock(cursor, (2 + more) * G, 0));
      Policy p = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL,
          Policy.Family.MODULE);
      return new Case(MemoryMap.of("islands " + is, blocks, List.of(new AddressRange(G, (2 + more) * G))),
          TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r), p);
    });
  }

  /**
   * Two or three GiB from 1 GiB up; in each granule one or two blocks of 4 KiB to 8 MiB (about a
   * 1 GiB TDMR's 4K level, 1024 pages, and either side of it) at its start, its end or 16 MiB in,
   * under both holes policies, CMRs over the blocks or over everything, all on node 0 or the
   * granules on nodes 0 and 1 in turn; 1 to 3 TDMRs, 16 areas.
   */
  @Provide
  Arbitrary<Case> leftOutMaps() {
    Arbitrary<Long> size = Arbitraries.of(4 * K, 8 * K, M, 4 * M, 4 * M + 8 * K, 8 * M);
    Arbitrary<Integer> where = Arbitraries.integers().between(0, 2);
    Arbitrary<List<long[]>> granule = Combinators.combine(size, where).as((s, w) -> new long[] {s, w})
        .list().ofMinSize(1).ofMaxSize(2);
    Arbitrary<List<List<long[]>>> granules = granule.list().ofMinSize(2).ofMaxSize(3);
    Arbitrary<TdxLimits> limits = Arbitraries.integers().between(1, 3).map(t -> TdxLimits.DEFAULT.withMaxTdmrs(t));
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    Arbitrary<Boolean> wideCmr = Arbitraries.of(false, true);
    Arbitrary<Boolean> twoNodes = Arbitraries.of(false, true);
    return Combinators.combine(granules, limits, holes, wideCmr, twoNodes).as((gs, l, h, wide, two) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      for (int g = 0; g < gs.size(); g++) {
        long base = (1 + g) * G;
        boolean[] taken = new boolean[3];
        for (long[] b : gs.get(g)) {
          int slot = (int) b[1];
          if (taken[slot]) {
            continue;
          }
          taken[slot] = true;
          // Slots: the granule's start, 16 MiB in, its end.
          long start = slot == 0 ? base : slot == 1 ? base + 16 * M : base + G - b[0];
          blocks.add(new MemoryBlock(start, start + b[0], two ? g % 2 : 0));
        }
      }
      blocks.sort(java.util.Comparator.comparingLong(MemoryBlock::start));
      List<AddressRange> cmrs = wide
          ? List.of(new AddressRange(G, (1 + gs.size()) * G))
          : blocks.stream().map(MemoryBlock::range).toList();
      Policy p = new Policy(h, two ? Policy.PamtPlacementPolicy.NODE_LOCAL : Policy.PamtPlacementPolicy.ANY,
          Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.of("left out", blocks, cmrs), l, p);
    });
  }
}
