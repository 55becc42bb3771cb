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
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * {@link TdmrSetsWithoutRoom} and the areas bound over its sets ({@link AreasWithKnownTdmrs} with
 * levels filling left-out parts together, and so {@link AreaCountBound}) against the exhaustive
 * search, which shares nothing with them, on tiny maps of full granules and islands about the size
 * of a 1 GiB TDMR's 4K level, so that the least PAMT leaves some out of every TDMR and often no
 * room to spare: when the visit is complete, the TDMRs of the best layout are among the sets it
 * visited, and the best layout has at least the areas the bound gives at its PAMT and TDMR count
 * (a bound above the optimum would be a false claim). Module family, coverage {@code all}, PAMT
 * {@code any}; 1G-level entries of 16 or 2 048 bytes (a page per started 2 GiB, so that rounding
 * matters on a few GiB, as 256 GiB do on real hosts).
 */
class TdmrSetsWithoutRoomProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 120, seed = "20261205")
  void theBestLayoutsTdmrsAreVisitedAndItsAreasMeetTheBound(@ForAll("tinyMaps") Case c) {
    Optional<BestLayout> best = BestLayout.of(c.map(), c.limits(), c.policy(), c);
    if (best.isEmpty()) {
      return;
    }
    Instance instance = best.get().instance();
    long pages = best.get().pages();
    int tdmrs = best.get().tdmrs();
    int areas = best.get().areas();
    String what = best.get().what();
    List<long[]> own = new ArrayList<>();
    for (Tdmr t : best.get().layout().tdmrs()) {
      own.add(new long[] {t.base() / G, (t.base() + t.size()) / G});
    }
    boolean[] seen = {false};
    long[] least = {Long.MAX_VALUE};
    AreasWithKnownTdmrs bound = new AreasWithKnownTdmrs(instance);
    boolean all = TdmrSetsWithoutRoom.visit(instance, pages, tdmrs, set -> {
      seen[0] |= same(set.tdmrs(), own);
      bound.leastAreas(set, pages).ifPresent(b -> least[0] = Math.min(least[0], b));
      return true;
    });
    Statistics.label("no room to spare").collect(all);
    if (all) {
      assertTrue(seen[0], "the best layout's TDMRs were not visited: " + what);
      assertTrue(least[0] != Long.MAX_VALUE, "no visited set has a layout: " + what);
      Statistics.label("bound").collect(least[0] == areas ? "at the best" : "below");
      assertTrue(areas >= least[0], "areas below the bound " + least[0] + ": " + what);
    }
    long count = new AreaCountBound(instance).leastAreas(pages, tdmrs);
    assertTrue(areas >= count, "areas below AreaCountBound's " + count + ": " + what);
  }

  private static boolean same(List<long[]> a, List<long[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i)[0] != b.get(i)[0] || a.get(i)[1] != b.get(i)[1]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Granules from 1 GiB up, three to five of them, each empty, full of memory or holding an island
   * of 4 KiB, 8 KiB, 4 MiB, 4 MiB + 4 KiB, 4 MiB + 8 KiB or 8 MiB + 8 KiB at its start, 8 MiB in
   * or at its end; under both holes policies, with 1 to 3 TDMRs.
   */
  @Provide
  Arbitrary<Case> tinyMaps() {
    Arbitrary<Long> size = Arbitraries.of(0L, G, G, 4 * K, 8 * K, 4 * M, 4 * M, 4 * M + 4 * K, 4 * M + 8 * K,
        8 * M + 8 * K);
    Arbitrary<Integer> where = Arbitraries.integers().between(0, 2);
    Arbitrary<long[]> granule = Combinators.combine(size, where).as((s, w) -> new long[] {s, w});
    Arbitrary<List<long[]>> granules = granule.list().ofMinSize(3).ofMaxSize(5);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> oneGibEntry = Arbitraries.of(16, 2048);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(granules, tdmrs, oneGibEntry, holes).as((gs, t, e, h) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      for (int i = 0; i < gs.size(); i++) {
        long base = (1 + i) * G;
        long s = gs.get(i)[0];
        long w = gs.get(i)[1];
        if (s == G) {
          blocks.add(new MemoryBlock(base, base + G, 0));
        } else if (s > 0) {
          long start = w == 0 ? base : w == 1 ? base + 8 * M : base + G - s;
          blocks.add(new MemoryBlock(start, start + s, 0));
        }
      }
      if (blocks.isEmpty()) {
        blocks.add(new MemoryBlock(G, 2 * G, 0));
      }
      // Blocks that touch are one block.
      List<MemoryBlock> merged = new ArrayList<>();
      for (MemoryBlock b : blocks) {
        MemoryBlock last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (last != null && last.range().end() == b.range().start()) {
          merged.set(merged.size() - 1, new MemoryBlock(last.range().start(), b.range().end(), 0));
        } else {
          merged.add(b);
        }
      }
      TdxLimits limits = new TdxLimits(t, 16, 16, 16, e, false, 52);
      Policy p = new Policy(h, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
      return new Case(MemoryMap.ofBlocks("tiny", merged), limits, p);
    });
  }
}
