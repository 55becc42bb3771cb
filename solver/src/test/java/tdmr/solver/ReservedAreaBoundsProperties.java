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
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link ReservedAreaBounds} against the exhaustive search (which shares nothing with it) on tiny
 * maps of islands between holes, module family, coverage {@code all}: no layout has fewer areas per
 * TDMR than the areas bound (the search finds none at one less), and the least PAMT at the limits
 * is at least the price bound; the best layout has at least the areas {@link AreaCountBound} says
 * every layout with its PAMT has; a layout {@link IslandFill} builds costs no less than the search's
 * best. PAMT {@code any}, so that PAMT is the search's first tier.
 */
class ReservedAreaBoundsProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 25, seed = "20261204")
  void noLayoutBeatsTheBounds(@ForAll("islandMaps") Case c) {
    ReservedAreaBounds bounds = new ReservedAreaBounds(Instance.of(c.map(), c.limits(), c.policy()));
    int n = c.limits().maxTdmrs();
    int least = bounds.leastMaxReserved(n);
    Statistics.label("areas bound").collect(least);
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    Instance instance = Instance.of(c.map(), c.limits(), c.policy());
    Optional<tdmr.tdx.Layout> built = new IslandFill(instance, bounds).cheapest(n, c.limits().maxReservedPerTdmr());
    Statistics.label("island fill").collect(built.isPresent());
    if (built.isPresent()) {
      // It passed the validator; the search, which sees every layout, finds one at least as cheap.
      assertTrue(best.isPresent() && best.get().score().pamtBytes() <= built.get().pamtBytes(),
          "IslandFill's " + built.get() + " against " + best.map(ExhaustiveSearch.Result::layout) + "\n" + c);
    }
    if (best.isPresent()) {
      String what = c + "\n" + best.get().layout() + "\n" + bounds;
      assertTrue(best.get().layout().maxReservedPerTdmr() >= least, "areas below the bound " + least + ": " + what);
      long price = bounds.leastPamtPages(n, c.limits().maxReservedPerTdmr()) * 4096;
      Statistics.label("price binds").collect(price > 0);
      assertTrue(best.get().score().pamtBytes() >= price, "PAMT below the price bound " + price + ": " + what);
      // Every layout with the best's PAMT has at least the count bound's areas in all; the best has
      // the fewest of those with its PAMT and TDMRs.
      long areas = new AreaCountBound(instance).leastAreas(best.get().score().pamtBytes() / 4096);
      Statistics.label("area count bound binds").collect(areas == best.get().score().reservedAreas());
      assertTrue(best.get().score().reservedAreas() >= areas, "areas below the count bound " + areas + ": " + what);
      assertAreasAtLeastWithItsTdmrs(instance, best.get(), what);
    }
    if (least > 0) {
      TdxLimits below = c.limits().withMaxReservedPerTdmr(least - 1);
      Optional<ExhaustiveSearch.Result> under = new ExhaustiveSearch(c.map(), below, c.policy()).best();
      assertTrue(under.isEmpty(), "a layout with " + (least - 1) + " areas: " + under.map(ExhaustiveSearch.Result::layout)
          + "\n" + c + "\n" + bounds);
    }
  }

  /**
   * The best layout has at least the areas {@link AreaCountBound} says every layout with its PAMT
   * and at most its TDMRs has (the filled islands limited by the levels of those TDMRs).
   */
  private static void assertAreasAtLeastWithItsTdmrs(Instance instance, ExhaustiveSearch.Result best, String what) {
    long pages = best.score().pamtBytes() / 4096;
    AreaCountBound count = new AreaCountBound(instance);
    long withTdmrs = count.leastAreas(pages, best.score().tdmrs());
    Statistics.label("levels limit the filled islands").collect(withTdmrs > count.leastAreas(pages));
    assertTrue(best.score().reservedAreas() >= withTdmrs,
        "areas below the count bound with " + best.score().tdmrs() + " TDMRs, " + withTdmrs + ": " + what);
  }

  /**
   * Islands of one and two pages, which only the 1G and 2M levels fit: the best layout has at
   * least the areas {@link AreaCountBound} derives with the levels of its TDMRs.
   */
  @Property(tries = 60, seed = "20261206")
  void fewLevelsFillFewIslands(@ForAll("smallIslandMaps") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), c.policy());
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    Statistics.label("has a layout").collect(best.isPresent());
    best.ifPresent(b -> assertAreasAtLeastWithItsTdmrs(instance, b, c + "\n" + b.layout()));
  }

  /**
   * {@link BoundsFirst} answers {@code INFEASIBLE} without asking the engine exactly when the areas
   * bound exceeds the limit, with the bound's reasoning ({@link AreaShortfall}), and then the
   * exhaustive search finds no layout at those limits either.
   */
  @Property(tries = 25, seed = "20261205")
  void boundsFirstRulesOutOnlyWhatTheSearchFindsImpossible(@ForAll("islandMaps") Case generated) {
    ReservedAreaBounds bounds = new ReservedAreaBounds(Instance.of(generated.map(), generated.limits(),
        generated.policy()));
    int n = generated.limits().maxTdmrs();
    // Just below the bound when it says anything (the case's own limit otherwise).
    int least = bounds.leastMaxReserved(n);
    Case c = least > 0 ? new Case(generated.map(), generated.limits().withMaxReservedPerTdmr(least - 1),
        generated.policy()) : generated;
    int r = c.limits().maxReservedPerTdmr();
    boolean ruledOut = r < bounds.leastMaxReserved(n);
    Statistics.label("ruled out by the bound").collect(ruledOut);
    Engine unasked = new Engine() {
      @Override
      public String name() {
        return "unasked";
      }

      @Override
      public boolean proves(Policy.Family family) {
        return true;
      }

      @Override
      public EngineResult solve(tdmr.mem.MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
        assertTrue(!ruledOut, "the engine was asked at limits the bound rules out: " + c);
        return new EngineResult("unasked", Status.UNKNOWN, Optional.empty(), java.util.OptionalLong.empty(),
            java.util.OptionalLong.empty(), List.of(), 0, 0, 0, 0);
      }
    };
    EngineResult answer = new BoundsFirst(unasked).solve(c.map(), c.limits(), c.policy(), SolveOptions.DEFAULT);
    if (!ruledOut) {
      assertTrue(answer.status() != Status.INFEASIBLE, "INFEASIBLE without the bound: " + c);
      return;
    }
    assertEquals(Status.INFEASIBLE, answer.status(), c.toString());
    AreaShortfall why = answer.infeasibility().flatMap(Infeasibility::areaShortfall).orElseThrow();
    assertEquals(bounds.leastMaxReserved(n), why.leastMaxReserved(), c.toString());
    assertEquals(n, why.maxTdmrs());
    assertEquals(r, why.maxReserved());
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    assertTrue(best.isEmpty(), "the bound ruled out " + best.map(ExhaustiveSearch.Result::layout) + "\n" + c);
  }

  /**
   * One or two GiB from 1 GiB up: two to five islands of 4 KiB to 12 MiB (some a 1 GiB TDMR's 4K
   * level long or longer) between holes of 4 KiB to 2 MiB, then memory to the end, under both holes
   * policies, CMRs over the blocks or over everything; 1 to 3 TDMRs and 0 to 4 areas.
   */
  @Provide
  Arbitrary<Case> islandMaps() {
    return islandMaps(Arbitraries.of(4 * K, 8 * K, 64 * K, 4096 * K, 12 * M), 2, 0);
  }

  /** As {@link #islandMaps} with islands of 4 or 8 KiB only, three to five of them, and 1 or 2 areas at least. */
  @Provide
  Arbitrary<Case> smallIslandMaps() {
    return islandMaps(Arbitraries.of(4 * K, 8 * K), 3, 1);
  }

  private Arbitrary<Case> islandMaps(Arbitrary<Long> island, int fewestIslands, int fewestAreas) {
    Arbitrary<Long> hole = Arbitraries.of(4 * K, 2 * M);
    Arbitrary<List<Long>> islands = island.list().ofMinSize(fewestIslands).ofMaxSize(5);
    Arbitrary<List<Long>> holes = hole.list().ofSize(6);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(fewestAreas, 4))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy.Holes> holesPolicy = Arbitraries.of(Policy.Holes.values());
    Arbitrary<Boolean> wideCmr = Arbitraries.of(false, true);
    Arbitrary<Integer> span = Arbitraries.integers().between(1, 2);
    return Combinators.combine(islands, holes, limits, holesPolicy, wideCmr, span)
        .as((is, hs, l, h, wide, giB) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G;
          blocks.add(new MemoryBlock(cursor, cursor + 16 * M, 0));
          cursor += 16 * M + hs.get(5);
          for (int i = 0; i < is.size(); i++) {
            blocks.add(new MemoryBlock(cursor, cursor + is.get(i), 0));
            cursor += is.get(i) + hs.get(i);
          }
          blocks.add(new MemoryBlock(cursor, (1 + giB) * G, 0));
          List<AddressRange> cmrs = wide
              ? List.of(new AddressRange(G, (1 + giB) * G))
              : blocks.stream().map(MemoryBlock::range).toList();
          Policy p = new Policy(h, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
          return new Case(MemoryMap.of("islands", blocks, cmrs), l, p);
        });
  }
}
