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
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FixedTdmrsAreaBound}, {@link FilledIslandsPamtBound} and {@link FilledStart} on tiny maps of islands between holes, module
 * family, coverage {@code all}, PAMT {@code any}: by hand on one granule, and against the exhaustive
 * search (which shares nothing with them) on generated ones.
 */
class FixedTdmrsAreaBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy ANY = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  /**
   * {@code [1G, 2G)}: 16 MiB of memory, then three 4 KiB holes around two islands of 3 pages each,
   * then memory to 2 GiB; one CMR over the granule. A 1 GiB TDMR's levels have 1024, 2 and 1 pages
   * (16-byte entries), 1027 in all, and the TDMR holds 3 runs of holes.
   */
  private static MemoryMap twoIslandsOfThreePages() {
    long hole = 4 * K;
    long island = 12 * K;
    long a = G + 16 * M;
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G, a, 0),
        new MemoryBlock(a + hole, a + hole + island, 0),
        new MemoryBlock(a + 2 * hole + island, a + 2 * hole + 2 * island, 0),
        new MemoryBlock(a + 3 * hole + 2 * island, 2 * G, 0));
    return MemoryMap.of("two islands", blocks, List.of(new AddressRange(G, 2 * G)));
  }

  @Test
  void islandsFilledExactlyByTheLeastLevelsAtTheLeastPamt() {
    Instance instance = Instance.of(twoIslandsOfThreePages(), TdxLimits.DEFAULT, ANY);
    FixedTdmrsAreaBound bound = new FixedTdmrsAreaBound(instance, List.of(new AddressRange(G, 2 * G)), false);
    // No padding: only the 2M and 1G levels together (2 + 1 pages) fill an island, so one island
    // is filled and 3 - 1 areas are left.
    assertEquals(2, bound.leastAreas(1027));
    // Two pages of padding: the second island needs a level with 3 - 1 = 2 pages of padding after the
    // first took 2 + 1 (or 1 and 2 pages when they share the two levels): 3 in all, too many.
    assertEquals(2, bound.leastAreas(1029));
    // Three pages of padding: the 2M level padded by 1 and the 1G level padded by 2 fill both.
    assertEquals(1, bound.leastAreas(1030));
    // Below the levels' least sizes no layout has these TDMRs: nothing is known.
    assertEquals(0, bound.leastAreas(1026));
  }

  @Test
  void theSearchWithThatTdmrFindsTheBound() {
    MemoryMap map = twoIslandsOfThreePages();
    AddressRange tdmr = new AddressRange(G, 2 * G);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, TdxLimits.DEFAULT.withMaxTdmrs(2), ANY)
        .onlyTdmrs(t -> t.equals(List.of(tdmr))).best().orElseThrow();
    assertEquals(1027 * 4096L, best.score().pamtBytes());
    assertEquals(2, best.score().reservedAreas());
  }

  /**
   * FilledStart at 2 areas per TDMR: the one TDMR's 3 runs need one island filled, and the 2M and 1G
   * levels fill one exactly, so the layout has the least PAMT (1027 pages) and 2 areas.
   */
  @Test
  void filledStartFillsAnIslandExactly() {
    MemoryMap map = twoIslandsOfThreePages();
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(2);
    Layout layout = new FilledStart(Instance.of(map, limits, ANY)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, ANY, layout));
    assertEquals(1027 * 4096L, layout.pamtBytes());
    assertEquals(1, layout.size());
    assertEquals(2, layout.reservedAreaCount());
  }

  /**
   * One TDMR of one area: its 3 runs need both islands filled. With the levels' least sizes (1024,
   * 2, 1 pages) and padding s: both islands of 3 pages need disjoint sets, {2M} padded by 1 and {1G}
   * padded by 2 (or the other way, 3 as well), so s >= 3: no layout below 1027 + 3 = 1030 pages,
   * which the exhaustive search confirms is the least.
   */
  @Test
  void filledIslandsRaiseThePamtBoundToTheSearchsLeast() {
    MemoryMap map = twoIslandsOfThreePages();
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    Instance instance = Instance.of(map, limits, ANY);
    assertEquals(1030, new FilledIslandsPamtBound(instance, false).raise(1027));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, ANY).best().orElseThrow();
    assertEquals(1030 * 4096L, best.score().pamtBytes());
  }

  /** No layout has less PAMT than the raised bound (from the covering bound of ModuleFamilyBounds). */
  @Property(tries = 30, seed = "20261208")
  void noLayoutBeatsTheRaisedPamtBound(@ForAll("islandMaps") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), ANY);
    java.util.OptionalLong covering = new ModuleFamilyBounds(instance, false).leastPamtPages();
    if (covering.isEmpty()) {
      return;
    }
    long raised = new FilledIslandsPamtBound(instance, false).raise(covering.getAsLong());
    Statistics.label("raised").collect(raised > covering.getAsLong());
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), ANY).best();
    best.ifPresent(b -> assertTrue(b.score().pamtBytes() >= raised * 4096,
        "PAMT below the raised bound " + raised + ": " + c + "\n" + b.layout()));
  }

  /**
   * The best layout (least PAMT, then fewest TDMRs) has at least the TDMRs {@link
   * FilledIslandsPamtBound#raiseTdmrs} gives at its PAMT, and its TDMRs are one of the sets {@link
   * TdmrSetsAtPamt} lists there when it lists them, and one of those {@link TdmrSetsWithoutRoom}
   * visits when it visits all.
   */
  @Property(tries = 30, seed = "20261209")
  void noLayoutHasFewerTdmrsThanTheRaisedBound(@ForAll("islandMaps") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), ANY);
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), ANY).best();
    if (best.isEmpty()) {
      return;
    }
    long pages = best.get().score().pamtBytes() / 4096;
    int tdmrs = best.get().score().tdmrs();
    long raised = new FilledIslandsPamtBound(instance, false).raiseTdmrs(pages, 1);
    Statistics.label("raised").collect(raised > 1);
    Statistics.label("binds").collect(raised == tdmrs);
    assertTrue(tdmrs >= raised, "TDMRs below the raised bound " + raised + ": " + c + "\n" + best.get().layout());
    List<String> own = best.get().layout().tdmrs().stream()
        .map(t -> t.base() / G + "-" + (t.base() + t.size()) / G).toList();
    Optional<List<TdmrSetsAtPamt.TdmrSet>> sets = TdmrSetsAtPamt.of(instance, pages, tdmrs);
    if (sets.isPresent()) {
      assertTrue(sets.get().stream().anyMatch(set -> text(set).equals(own)),
          "the best layout's TDMRs " + own + " are in no set listed: " + c);
    }
    boolean[] seen = {false};
    boolean all = TdmrSetsWithoutRoom.visit(instance, pages, tdmrs, set -> {
      seen[0] |= text(set).equals(own);
      return true;
    });
    Statistics.label("visited").collect(all);
    assertTrue(!all || seen[0], "the best layout's TDMRs " + own + " are in no set visited: " + c);
  }

  private static List<String> text(TdmrSetsAtPamt.TdmrSet set) {
    return set.tdmrs().stream().map(t -> t[0] + "-" + t[1]).toList();
  }

  /** The best layout has at least the areas {@link AreaCountBound} gives at its PAMT and TDMR count. */
  @Property(tries = 30, seed = "20261210")
  void noLayoutHasFewerAreasThanTheCount(@ForAll("islandMaps") Case c) {
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), ANY).best();
    if (best.isEmpty()) {
      return;
    }
    long areas = new AreaCountBound(Instance.of(c.map(), c.limits(), ANY))
        .leastAreas(best.get().score().pamtBytes() / 4096, best.get().score().tdmrs());
    Statistics.label("binds").collect(areas == best.get().score().reservedAreas());
    assertTrue(best.get().score().reservedAreas() >= areas,
        "areas below the count " + areas + ": " + c + "\n" + best.get().layout());
  }

  /**
   * The map of {@link #twoIslandsOfThreePages} and a full granule [2G, 3G) after it (memory
   * contiguous across 2 GiB), one area per TDMR, at most 3 TDMRs, PAMT anywhere. One TDMR over both
   * granules has levels of 2048, 4 and 1 pages (2053) and 3 runs of holes: within 1 area it must
   * fill both islands of 3 pages with disjoint levels, and with 2054 pages its padding is 1; only the
   * 1-page level fits an island, so it is ruled out. Two TDMRs over 2 GiB of memory can only be
   * [1G, 2G) and [2G, 3G): 1024 + 2 + 1 pages each (2054, no padding), and each pair of 2M and 1G
   * levels fills an island of the low one. So at 2054 pages that is the only set of 2 TDMRs, and
   * there is none of 1; the best layout has 2054 pages and 2 TDMRs, its areas those of that set.
   */
  @Test
  void filledIslandSetsAtThePamtAndTdmrCount() {
    List<MemoryBlock> blocks = new ArrayList<>(twoIslandsOfThreePages().blocks());
    MemoryBlock last = blocks.remove(blocks.size() - 1);
    blocks.add(new MemoryBlock(last.start(), 3 * G, 0));
    MemoryMap map = MemoryMap.of("two islands and a granule", blocks, List.of(new AddressRange(G, 3 * G)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(1);
    FilledIslandsPamtBound bound = new FilledIslandsPamtBound(Instance.of(map, limits, ANY), false);
    List<AddressRange> pair = List.of(new AddressRange(G, 2 * G), new AddressRange(2 * G, 3 * G));
    assertEquals(Optional.of(List.of(pair)), bound.setsWith(2054, 2, 32));
    assertEquals(Optional.of(List.of()), bound.setsWith(2054, 1, 32));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, ANY).best().orElseThrow();
    assertEquals(2054 * 4096L, best.score().pamtBytes());
    assertEquals(2, best.score().tdmrs());
    assertEquals(best.score().reservedAreas(), new ExhaustiveSearch(map, limits, ANY).onlyTdmrs(pair::equals)
        .best().orElseThrow().score().reservedAreas());
  }

  /**
   * The least areas over the sets of {@link FilledIslandsPamtBound#setsWith} at the best layout's
   * PAMT and TDMR count, each searched with its TDMRs fixed, are the best layout's areas (the
   * exhaustive search does not share the sets' restriction).
   */
  @Property(tries = 30, seed = "20261210")
  void theLeastAreasOverTheFilledIslandSetsAreTheBest(@ForAll("islandMaps") Case c) {
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), ANY).best();
    Statistics.label("has a layout").collect(best.isPresent());
    if (best.isEmpty()) {
      return;
    }
    long pages = best.get().score().pamtBytes() / 4096;
    Optional<List<List<AddressRange>>> sets = new FilledIslandsPamtBound(Instance.of(c.map(), c.limits(), ANY), false)
        .setsWith(pages, best.get().score().tdmrs(), 32);
    Statistics.label("sets").collect(sets.map(s -> s.size() >= 3 ? "3+" : String.valueOf(s.size())).orElse("none"));
    if (sets.isEmpty()) {
      return;
    }
    String what = c + "\n" + best.get().layout() + "\nsets " + sets.get();
    long least = Long.MAX_VALUE;
    for (List<AddressRange> set : sets.get()) {
      Optional<ExhaustiveSearch.Result> with = new ExhaustiveSearch(c.map(), c.limits(), ANY)
          .onlyTdmrs(set::equals).best();
      // The set's best layout may have more PAMT than the best's: then it has none at that PAMT.
      if (with.isPresent() && with.get().score().pamtBytes() == pages * 4096) {
        least = Math.min(least, with.get().score().reservedAreas());
      }
    }
    assertEquals(best.get().score().reservedAreas(), least, what);
  }

  record Case(MemoryMap map, TdxLimits limits) {}

  /**
   * The best layout has at least the areas the bound gives for its TDMRs and PAMT; a layout
   * FilledStart builds passes the validator and costs no less than the best.
   */
  @Property(tries = 30, seed = "20261207")
  void noLayoutBeatsTheBoundWithItsTdmrs(@ForAll("islandMaps") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), ANY);
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), ANY).best();
    Statistics.label("has a layout").collect(best.isPresent());
    Optional<Layout> built = new FilledStart(instance).find();
    Statistics.label("filled start").collect(built.isPresent());
    if (built.isPresent()) {
      assertEquals(List.of(), LayoutVerifier.failures(c.map(), c.limits(), ANY, built.get()), c.toString());
      assertTrue(best.isPresent() && best.get().score().pamtBytes() <= built.get().pamtBytes(), c.toString());
    }
    if (best.isEmpty()) {
      return;
    }
    List<AddressRange> tdmrs = best.get().layout().tdmrs().stream()
        .map(t -> new AddressRange(t.base(), t.base() + t.size())).toList();
    long areas = new FixedTdmrsAreaBound(instance, tdmrs, false).leastAreas(best.get().score().pamtBytes() / 4096);
    Statistics.label("bound binds").collect(areas == best.get().score().reservedAreas());
    assertTrue(best.get().score().reservedAreas() >= areas,
        "areas below the bound " + areas + ": " + c + "\n" + best.get().layout());
  }

  /**
   * One or two GiB from 1 GiB up: two to four islands of 1 to 4 pages or 4 MiB between 4 KiB
   * holes, then memory to the end, one CMR over everything; 1 to 3 TDMRs and 1 to 3 areas.
   */
  @Provide
  Arbitrary<Case> islandMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(4 * K, 8 * K, 12 * K, 16 * K, 4 * M).list().ofMinSize(2).ofMaxSize(4);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 3),
        Arbitraries.integers().between(1, 3)).as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Integer> span = Arbitraries.integers().between(1, 2);
    return Combinators.combine(islands, limits, span).as((is, l, giB) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = G;
      blocks.add(new MemoryBlock(cursor, cursor + 16 * M, 0));
      cursor += 16 * M + 4 * K;
      for (long island : is) {
        blocks.add(new MemoryBlock(cursor, cursor + island, 0));
        cursor += island + 4 * K;
      }
      blocks.add(new MemoryBlock(cursor, (1 + giB) * G, 0));
      return new Case(MemoryMap.of("islands", blocks, List.of(new AddressRange(G, (1 + giB) * G))), l);
    });
  }
}
