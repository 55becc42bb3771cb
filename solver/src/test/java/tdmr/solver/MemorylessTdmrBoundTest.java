package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * {@link LeftOutPamtBound#leastWithMemoryless}, the bound with which {@link NodeSplit} rules out a
 * TDMR holding no TDX memory (its step 3), with the per-group tables of {@link
 * LeftOutPamtBound#holding} (enumerated) and {@link LeftOutPamtBound#coarse} (any group size):
 * values derived by hand, and against {@link ExhaustiveSearch} (which shares no restriction and no
 * code with them) limited to the layouts with such a TDMR, on a map where it is not useful and on
 * one where it is the only layout without remote PAMT. In pages of 4 KiB with 16-byte entries, an
 * N GiB TDMR's levels have at least 1024·N + 2·N + ceil(16·N / 4096) pages: 1 027 for 1 GiB, 2 053
 * for 2, 4 105 for 4; a full granule holds 262 144 pages.
 */
class MemorylessTdmrBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final long GRANULE = 262_144;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE)
      .withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
  private static final List<Engine> ENGINES = List.of(new CpSatEngine(), new Z3Engine());

  /** Node 0 holds [1G, 2G) and [4G, 5G), 2 GiB apart; node 1 holds [5G, 6G). */
  private static final MemoryBlock LOW = new MemoryBlock(G, 2 * G, 0);
  private static final MemoryBlock HIGH = new MemoryBlock(4 * G, 5 * G, 0);
  private static final MemoryBlock NODE_1 = new MemoryBlock(5 * G, 6 * G, 1);
  private static final MemoryMap GAP = MemoryMap.ofBlocks("gap", List.of(LOW, HIGH, NODE_1));
  private static final MemoryMap GAP_NODE_0 = MemoryMap.ofBlocks("gap, node 0", List.of(LOW, HIGH));
  private static final MemoryMap GAP_NODE_1 = MemoryMap.ofBlocks("gap, node 1", List.of(NODE_1));

  private static boolean holdsMemory(AddressRange tdmr, MemoryMap map) {
    return map.blocks().stream().anyMatch(b -> !b.range().intersect(tdmr).isEmpty());
  }

  private static boolean someTdmrWithoutMemory(List<AddressRange> tdmrs, MemoryMap map) {
    return tdmrs.stream().anyMatch(t -> !holdsMemory(t, map));
  }

  private static boolean withoutMemory(Layout layout, MemoryMap map) {
    return layout.tdmrs().stream().map(Tdmr::range).anyMatch(t -> !holdsMemory(t, map));
  }

  /**
   * Node 0 of {@code GAP}: 2 memory granules in 2 clusters, 2 GiB apart. Covering within 1 TDMR
   * holding memory: it spans [1G, 5G), 4 105 pages (both tables); within 2, the enumeration has two
   * 1 GiB TDMRs, 2 · 1 027 = 2 054, the coarse table the minima of 2 GiB, 2 053 (one rounded 1G
   * page for both). Leaving a granule out: all its 262 144 pages are PAMT; within 0 TDMRs both.
   * Node 1: one granule, 1 027 covered, 262 144 left out.
   */
  @Test
  void tablesByHand() {
    TdxLimits limits = TdxLimits.DEFAULT;
    LeftOutPamtBound.Holding coarse = LeftOutPamtBound.coarse(GAP_NODE_0, limits).orElseThrow();
    assertArrayEquals(new long[] {Long.MAX_VALUE, 4105, 2053}, coarse.covering());
    assertArrayEquals(new long[] {2 * GRANULE, GRANULE}, coarse.leavingOut());
    LeftOutPamtBound.Holding enumerated = LeftOutPamtBound.holding(GAP_NODE_0, limits).orElseThrow();
    assertEquals(4105, enumerated.covering(1));
    assertEquals(2054, enumerated.covering(2));
    assertEquals(2054, enumerated.covering(5));
    assertEquals(2 * GRANULE, enumerated.leavingOut(0));
    assertEquals(GRANULE, enumerated.leavingOut(1));
    LeftOutPamtBound.Holding node1 = LeftOutPamtBound.coarse(GAP_NODE_1, limits).orElseThrow();
    assertEquals(1027, node1.covering(1));
    assertEquals(GRANULE, node1.leavingOut(0));
  }

  /**
   * {@code GAP} within 3 TDMRs, by hand: a layout with a TDMR without memory has at most 2 holding
   * memory. One per node: node 0's spans the gap (4 105 pages), node 1's has 1 027, and no granule
   * is left out, so the TDMR without memory adds its own 1 027: 6 159. Two for node 0 and none for
   * node 1: node 1's 262 144 pages are PAMT. So 6 159 with either table; without the memoryless
   * TDMR's own levels it would be 5 132, less than [1G, 5G) and [5G, 6G) with a 1 GiB TDMR beyond the
   * memory, which has 6 159. The referee (for 2 TDMRs, as 3 take it minutes) checks the same case
   * on node 0 alone: one TDMR holding memory, [1G, 5G), and one without, 4 105 + 1 027 = 5 132 pages,
   * the bound; leaving a granule out costs 262 144.
   */
  @Test
  void aTdmrWithoutMemoryAddsItsLevelsWhenNoGranuleIsLeftOut() {
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    for (boolean coarse : List.of(true, false)) {
      List<LeftOutPamtBound.Holding> groups = List.of(
          (coarse ? LeftOutPamtBound.coarse(GAP_NODE_0, three) : LeftOutPamtBound.holding(GAP_NODE_0, three)).orElseThrow(),
          (coarse ? LeftOutPamtBound.coarse(GAP_NODE_1, three) : LeftOutPamtBound.holding(GAP_NODE_1, three)).orElseThrow());
      assertEquals(OptionalLong.of(6159), LeftOutPamtBound.leastWithMemoryless(groups, 3, three), "coarse " + coarse);
    }
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    for (boolean coarse : List.of(true, false)) {
      LeftOutPamtBound.Holding node0 = (coarse ? LeftOutPamtBound.coarse(GAP_NODE_0, two)
          : LeftOutPamtBound.holding(GAP_NODE_0, two)).orElseThrow();
      assertEquals(OptionalLong.of(5132), LeftOutPamtBound.leastWithMemoryless(List.of(node0), 2, two), "coarse " + coarse);
    }
    ExhaustiveSearch.Result referee = new ExhaustiveSearch(GAP_NODE_0, two, MODULE)
        .onlyTdmrs(t -> someTdmrWithoutMemory(t, GAP_NODE_0)).best().orElseThrow();
    assertEquals(0, referee.score().remotePamtBytes());
    assertEquals(5132 * 4 * K, referee.score().pamtBytes(), referee.layout().toString());
  }

  /**
   * {@code GAP} within 2 TDMRs: with a TDMR without memory, one TDMR holds memory, so one node's
   * granules are all left out: at best node 0's TDMR [1G, 5G) (4 105 pages) and node 1's granule
   * filled with PAMT (262 144, the TDMR without memory's levels padded), 266 249 pages, which the
   * referee limited to such layouts finds. The best layout of all is the nodes' union, [1G, 5G)
   * and [5G, 6G), 5 132 pages: both engines prove it without naming the restriction.
   */
  @Test
  void withinTheUnionsTdmrsAGroupWithoutATdmrRulesItOut() {
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    for (boolean coarse : List.of(true, false)) {
      List<LeftOutPamtBound.Holding> groups = List.of(
          (coarse ? LeftOutPamtBound.coarse(GAP_NODE_0, two) : LeftOutPamtBound.holding(GAP_NODE_0, two)).orElseThrow(),
          (coarse ? LeftOutPamtBound.coarse(GAP_NODE_1, two) : LeftOutPamtBound.holding(GAP_NODE_1, two)).orElseThrow());
      assertEquals(OptionalLong.of(4105 + GRANULE), LeftOutPamtBound.leastWithMemoryless(groups, 2, two),
          "coarse " + coarse);
    }
    ExhaustiveSearch.Result memoryless = new ExhaustiveSearch(GAP, two, MODULE)
        .onlyTdmrs(t -> someTdmrWithoutMemory(t, GAP)).best().orElseThrow();
    assertEquals((4105 + GRANULE) * 4 * K, memoryless.score().pamtBytes(), memoryless.layout().toString());
    ExhaustiveSearch.Result best = new ExhaustiveSearch(GAP, two, MODULE).best().orElseThrow();
    assertEquals((4105 + 1027) * 4 * K, best.score().pamtBytes());
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(GAP, two, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages() + r.details());
      assertEquals(List.of(), r.restrictions(), e.name() + ": " + r.details());
      LayoutScore s = LayoutScore.of(GAP, two, MODULE, r.layout().orElseThrow());
      assertTrue(best.score().sameRank(s, MODULE), e.name() + ": " + s + " vs " + best.score());
    }
  }

  /**
   * Node 0 holds 16 MiB at 1G, node 1 16 MiB at 3G; within 1 TDMR. A TDMR holding one node's memory
   * can put its levels only on that node, so the other node's granule, left out, could be filled
   * only remotely; a TDMR over both describes one remotely. So the only layouts without remote PAMT
   * have one TDMR without memory whose levels, padded, fill both granules' memory: 2 · 4 096 = 8 192
   * pages, which the bound gives (each group within 0 TDMRs leaves its 4 096 pages out) and the
   * referee finds. Both engines answer that layout, with a TDMR without memory.
   */
  @Test
  void whereOnlyATdmrWithoutMemoryAvoidsRemotePamtTheBoundMeetsIt() {
    MemoryMap map = MemoryMap.ofBlocks("two nodes apart", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(3 * G, 3 * G + 16 * M, 1)));
    TdxLimits one = TdxLimits.DEFAULT.withMaxTdmrs(1);
    List<LeftOutPamtBound.Holding> groups = List.of(
        LeftOutPamtBound.coarse(MemoryMap.ofBlocks("node 0", List.of(map.blocks().get(0))), one).orElseThrow(),
        LeftOutPamtBound.coarse(MemoryMap.ofBlocks("node 1", List.of(map.blocks().get(1))), one).orElseThrow());
    assertEquals(OptionalLong.of(8192), LeftOutPamtBound.leastWithMemoryless(groups, 1, one));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, one, MODULE).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes());
    assertEquals(8192 * 4 * K, best.score().pamtBytes());
    assertTrue(withoutMemory(best.layout(), map), best.layout().toString());
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, one, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages() + r.details());
      Layout layout = r.layout().orElseThrow();
      assertEquals(List.of(), LayoutVerifier.failures(map, one, MODULE, layout));
      assertTrue(best.score().sameRank(LayoutScore.of(map, one, MODULE, layout), MODULE), e.name() + ": " + layout);
      assertTrue(withoutMemory(layout, map), e.name() + ": " + layout);
    }
  }

  record Case(List<MemoryBlock> node0, List<MemoryBlock> node1, TdxLimits limits, Policy policy) {
    MemoryMap map() {
      List<MemoryBlock> all = new ArrayList<>(node0);
      all.addAll(node1);
      return MemoryMap.ofBlocks("two nodes", all);
    }
  }

  /**
   * On tiny maps of two nodes in granules of their own, the referee's best layout with a TDMR
   * without memory, when it has no remote PAMT (then it has the least PAMT of such layouts without
   * remote PAMT), has at least the bound, with the enumerated tables and with the coarse ones.
   */
  @Property(tries = 12, seed = "20261205")
  void noLayoutWithATdmrWithoutMemoryBeatsTheBound(@ForAll("twoNodes") Case c) {
    MemoryMap map = c.map();
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(map, c.limits(), c.policy())
        .onlyTdmrs(t -> someTdmrWithoutMemory(t, map)).best();
    boolean remoteFree = best.isPresent() && best.get().score().remotePamtBytes() == 0;
    Statistics.label("best with a TDMR without memory").collect(best.isEmpty() ? "none" : remoteFree
        ? "no remote PAMT" : "remote PAMT");
    if (!remoteFree) {
      return;
    }
    long pamt = best.get().score().pamtBytes() / (4 * K);
    MemoryMap node0 = MemoryMap.ofBlocks("node 0", c.node0());
    MemoryMap node1 = MemoryMap.ofBlocks("node 1", c.node1());
    for (boolean coarse : List.of(true, false)) {
      List<LeftOutPamtBound.Holding> groups = List.of(
          (coarse ? LeftOutPamtBound.coarse(node0, c.limits()) : LeftOutPamtBound.holding(node0, c.limits())).orElseThrow(),
          (coarse ? LeftOutPamtBound.coarse(node1, c.limits()) : LeftOutPamtBound.holding(node1, c.limits())).orElseThrow());
      OptionalLong bound = LeftOutPamtBound.leastWithMemoryless(groups, c.limits().maxTdmrs(), c.limits());
      String what = c + "\n" + best.get().layout() + "\nbound " + bound + (coarse ? " (coarse)" : "");
      assertTrue(bound.isPresent(), "no bound where a layout exists: " + what);
      Statistics.label(coarse ? "coarse bound" : "enumerated bound").collect(bound.getAsLong() == pamt ? "met"
          : "below");
      assertTrue(pamt >= bound.getAsLong(), "PAMT below the bound: " + what);
    }
  }

  /**
   * Node 0: 16 MiB (and 0 or 3 pages) at the start of [1G, 2G), and 16 MiB, all of [3G, 4G) or
   * nothing there; node 1: 16 MiB or all of [4G, 5G) or [5G, 6G). TDMR limit 1 or 2, holes {@code
   * memlist} or {@code cmr}.
   */
  @Provide
  Arbitrary<Case> twoNodes() {
    Arbitrary<Long> pages = Arbitraries.of(0L, 3L);
    Arbitrary<Long> second = Arbitraries.of(0L, 16 * M, G);
    Arbitrary<Long> size1 = Arbitraries.of(16 * M, G);
    Arbitrary<Long> at1 = Arbitraries.of(4 * G, 5 * G);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 2);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(pages, second, size1, at1, tdmrs, holes).as((a, s0, s1, start1, t, h) -> {
      List<MemoryBlock> node0 = new ArrayList<>();
      node0.add(new MemoryBlock(G, G + 16 * M + a * 4 * K, 0));
      if (s0 > 0) {
        node0.add(new MemoryBlock(3 * G, 3 * G + s0, 0));
      }
      return new Case(node0, List.of(new MemoryBlock(start1, start1 + s1, 1)), TdxLimits.DEFAULT.withMaxTdmrs(t),
          MODULE.withHoles(h));
    });
  }
}
