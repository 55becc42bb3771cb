package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * Both exact engines' module-family models leave out TDMRs lying wholly inside a run of whole GiB
 * of one block without reaching its ends, and name that restriction ({@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}) unless {@link ModuleFamilyRestrictions#innerTdmrCouldBeat}
 * shows that no such layout beats the optimum, or a second solve over the runs cut into granules
 * ({@link InnerTdmrRuns}) proves the answer without it. Checked here against {@link
 * ExhaustiveSearch}, which enumerates every TDMR set, those inside runs included: on hand-made maps
 * where the only or the cheapest layouts have such a TDMR (the second solve finds and proves them),
 * on one where the optimum is derived by hand (no second solve is needed), and on tiny generated
 * maps with a run of 3 or 4 GiB, where a claim naming no restriction must equal the referee in
 * every ranked tier.
 */
class InnerTdmrClaimsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final List<Engine> ENGINES = List.of(new CpSatEngine(), new Z3Engine());

  @Test
  void aRunOfFourGibIsProvenWithoutNamingTdmrsInsideIt() {
    // One block [1G, 5G): one TDMR over it, 4 · 1024 + 4 · 2 + 1 = 4105 pages of PAMT, which lie
    // inside it in one reserved area. A layout with a TDMR inside the run has three TDMRs over it,
    // 4107 pages at least (ModuleFamilyBoundsTest), so the restriction cannot matter.
    MemoryMap map = MemoryMap.ofBlocks("four", List.of(new MemoryBlock(G, 5 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3);
    LayoutScore expected = new LayoutScore(0, 0, 4105 * 4096, 1, 1);
    assertTrue(expected.sameRank(new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score(), MODULE));
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertEquals(List.of(), r.restrictions(), e.name() + ": " + r.messages());
      assertTrue(expected.sameRank(LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()), MODULE), e.name());
    }
  }

  @Test
  void underPamtAnyRemotePamtDoesNotKeepTheRestrictionNamed() {
    // Node 0 [1G, 4G), node 1 [4G + 4K, 7G), PAMT anywhere: one TDMR [1G, 7G), 6 · 1026 + 1 = 6157
    // pages on one node, so some of it describes the other node remotely, which PAMT any does not
    // rank. A TDMR inside the run [1G, 4G) puts three TDMRs over 6 GiB: 6159 pages at least.
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(G, 4 * G, 0), new MemoryBlock(4 * G + 4 * K, 7 * G, 1)));
    Policy any = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3);
    LayoutScore referee = new ExhaustiveSearch(map, limits, any).best().orElseThrow().score();
    assertEquals(6157 * 4096, referee.pamtBytes());
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, limits, any, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      LayoutScore got = LayoutScore.of(map, limits, any, r.layout().orElseThrow());
      assertTrue(got.remotePamtBytes() > 0, e.name() + ": " + got);
      assertTrue(referee.sameRank(got, any), e.name() + ": " + got + " vs " + referee);
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), e.name() + ": " + r.restrictions());
    }
  }

  @Test
  void theOnlyLayoutWithATdmrInsideARunIsProvenOverTheRunCutIntoGranules() {
    // ModuleFamilyBoundsTest.theOnlyLayoutMayHaveATdmrInsideARun: three one-page islands above 1G, a
    // block from 2G to 3078 pages past 5G, no reserved area: the one layout is [2G, 3G), [3G, 4G),
    // [4G, 5G), all PAMT outside them: the three 1G levels (1 page each) fill the islands, the 4K
    // and 2M levels (3 · (1024 + 2) = 3078 pages) the block's tail past 5G; 3 · 1027 = 3081 pages.
    // Neither model holds [3G, 4G) over the run [2G, 5G) left whole, so the first solve says
    // INFEASIBLE and names the restriction; the second, over the run cut into granules
    // (InnerTdmrRuns), proves the layout optimal without it.
    MemoryMap map = MemoryMap.ofBlocks("inner", List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(G + 20 * K, G + 24 * K, 0),
        new MemoryBlock(2 * G, 5 * G + 3078 * 4 * K, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(0);
    LayoutScore expected = new LayoutScore(0, 0, 3081 * 4096, 3, 0);
    assertTrue(expected.sameRank(new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score(), MODULE));
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), e.name() + ": " + r.restrictions());
      assertTrue(expected.sameRank(LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()), MODULE), e.name());
    }
  }

  /**
   * The map above with one reserved area per TDMR, asked only for the price of the limits (as
   * {@code prove} and {@code frontier} ask). The islands hold 4 holes, so no TDMR with one area
   * covers their granule: they are PAMT, three one-page pieces, the 1G levels of three TDMRs.
   * Without a TDMR inside the run, the third is [5G, 6G), without memory (all hole, one area): 1027 +
   * 2053 + 1027 = 4107 pages, the first solve's price, a bound CP-SAT's own search proved, so named
   * with the restriction it holds under. The referee's [2G, 3G), [3G, 4G), [4G, 5G), each holding
   * its other levels in one area, has 3 · 1027 = 3081 pages; the second solve, over the run cut into
   * granules, proves that price without the restriction.
   */
  @Test
  void cpSatsPriceOfTheLimitsIsProvenOverTheRunCutIntoGranules() {
    MemoryMap map = MemoryMap.ofBlocks("inner", List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(G + 20 * K, G + 24 * K, 0),
        new MemoryBlock(2 * G, 5 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(1);
    assertEquals(3081 * 4096, new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score().pamtBytes());
    EngineResult r = new CpSatEngine().solve(map, limits, MODULE, new SolveOptions(60, 1, 0, Deadline.none(), true));
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(OptionalLong.of(3081 * 4096), r.pamtBytes());
    assertEquals(OptionalLong.of(3081 * 4096), r.pamtBoundBytes());
    assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), r.messages().toString());
  }

  /**
   * Islands of 2 and 3 pages above 1G and a run [2G, 6G), one reserved area per TDMR. A TDMR over
   * [1G, 2G) holds three holes, more than one area, so the islands are PAMT: the 2 M level of a 1 GiB
   * TDMR (2 pages) fills the first; the second takes two 1G levels, one padded by a page, as no
   * level has 3 pages (4K levels are 1024 pages per GiB, 2M levels 2 per GiB). One TDMR over the run
   * (4096 + 8 + 1 pages) has one 1G level to give: so two TDMRs, [2G, 3G) and [3G, 6G), 1027 + 3079
   * + 1 = 4107 pages, their 4K levels and the 3 GiB TDMR's 2M level side by side in one area of the
   * second: 1 area. {@link ModuleFamilyBounds#leastPamtPagesWithInnerTdmr} is 4105 + 2 = 4107 pages
   * too (three TDMRs over the run pay two more 1G-level pages than one), so that bound cannot rule a
   * TDMR inside the run out. Within 2 TDMRs one can: it leaves a granule beside it out of every
   * TDMR, 262 144 pages of PAMT ({@link ModuleFamilyRestrictions#granulesLeftOutBesideInnerTdmr});
   * within 3 it cannot. Both engines' claims and the referee agree at 2 TDMRs.
   */
  @Test
  void withinTwoTdmrsATdmrInsideARunLeavesAGranuleOut() {
    MemoryMap map = MemoryMap.ofBlocks("islands", List.of(new MemoryBlock(G + 4 * K, G + 12 * K, 0),
        new MemoryBlock(G + 16 * K, G + 28 * K, 0), new MemoryBlock(2 * G, 6 * G, 0)));
    LayoutScore expected = new LayoutScore(0, 0, 4107 * 4096, 2, 1);
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(1);
    TdxLimits three = two.withMaxTdmrs(3);
    assertTrue(expected.sameRank(new ExhaustiveSearch(map, two, MODULE).best().orElseThrow().score(), MODULE));
    assertEquals(List.of(), ModuleFamilyRestrictions.runsWhereInnerTdmrCouldBeat(Instance.of(map, two, MODULE),
        Optional.of(expected)));
    assertEquals(1, ModuleFamilyRestrictions.runsWhereInnerTdmrCouldBeat(Instance.of(map, three, MODULE),
        Optional.of(expected)).size());
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, two, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertEquals(List.of(), r.restrictions(), e.name() + ": " + r.messages());
      assertTrue(expected.sameRank(LayoutScore.of(map, two, MODULE, r.layout().orElseThrow()), MODULE), e.name());
    }
  }

  /** A tiny case: the map, the limits and the policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 8, seed = "20261204")
  void cpSatClaimsHoldAgainstTheReferee(@ForAll("runMaps") Case c) {
    holdsAgainstTheReferee(new CpSatEngine(), c);
  }

  @Property(tries = 8, seed = "20261204")
  void z3ClaimsHoldAgainstTheReferee(@ForAll("runMaps") Case c) {
    holdsAgainstTheReferee(new Z3Engine(), c);
  }

  @Property(tries = 10, seed = "20261204")
  void cpSatClaimsHoldAgainstTheRefereeWithoutIslands(@ForAll("plainRunMaps") Case c) {
    holdsAgainstTheReferee(new CpSatEngine(), c);
  }

  @Property(tries = 10, seed = "20261204")
  void z3ClaimsHoldAgainstTheRefereeWithoutIslands(@ForAll("plainRunMaps") Case c) {
    holdsAgainstTheReferee(new Z3Engine(), c);
  }

  private static void holdsAgainstTheReferee(Engine engine, Case c) {
    EngineResult r = engine.solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    boolean inner = r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN);
    Statistics.label("status").collect(r.status(), inner ? "inner named" : "inner not named",
        r.restrictions().isEmpty() ? "whole family" : "restricted");
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), engine.name() + " " + c);
  }

  /**
   * Islands of 1 to 3 pages above 1G (1 GiB TDMRs' 1G levels fill one page, 2M levels two), then a
   * block of node 0 or 1 from 2G over a run of 3 GiB, ending 0, 1 or 3078 pages past 5G (three 1 GiB
   * TDMRs' 4K and 2M levels), 1 to 3 TDMRs, 0 to 2 areas, every policy.
   */
  @Provide
  Arbitrary<Case> runMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(1L, 1L, 2L, 3L).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(4);
    Arbitrary<Long> tail = Arbitraries.of(0L, 1L, 3078L);
    Arbitrary<TdxLimits> limits = TinyCaseArbitraries.tinyLimits();
    Arbitrary<Policy> policy = TinyCaseArbitraries.moduleFamilyPolicies();
    return Combinators.combine(islands, nodes, tail, limits, policy)
        .as((pages, ns, t, l, p) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G + 4 * K;
          for (int i = 0; i < pages.size(); i++) {
            blocks.add(new MemoryBlock(cursor, cursor + pages.get(i) * 4 * K, ns[i]));
            cursor += (pages.get(i) + 1) * 4 * K;
          }
          blocks.add(new MemoryBlock(2 * G, 5 * G + t * 4 * K, ns[3]));
          return new Case(MemoryMap.of("tiny", blocks, blocks.stream().map(MemoryBlock::range).toList()), l, p);
        });
  }

  /**
   * A block of node 0 or 1 from 0, 1 or 16 pages above 1G over a run of 3 or 4 GiB, ending 0 to 2
   * pages past it, then maybe a block of either node up to the next GiB, touching it or a page
   * apart: maps whose optima cover the run with one or two TDMRs, so that the restriction is
   * mostly not named; 1 to 3 TDMRs, 0 to 2 areas, every policy.
   */
  @Provide
  Arbitrary<Case> plainRunMaps() {
    Arbitrary<Long> start = Arbitraries.of(0L, 1L, 16L);
    Arbitrary<Integer> runGiB = Arbitraries.integers().between(3, 4);
    Arbitrary<Long> tail = Arbitraries.of(0L, 1L, 2L);
    Arbitrary<Integer> after = Arbitraries.of(-1, 0, 1);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(2);
    Arbitrary<TdxLimits> limits = TinyCaseArbitraries.tinyLimits();
    Arbitrary<Policy> policy = TinyCaseArbitraries.moduleFamilyPolicies();
    return Combinators.combine(start, runGiB, tail, after, nodes, limits, policy)
        .as((a, run, t, gap, ns, l, p) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long end = (1 + run) * G + t * 4 * K;
          blocks.add(new MemoryBlock(G + a * 4 * K, end, ns[0]));
          if (gap >= 0 && (gap > 0 || ns[1] != ns[0])) {
            blocks.add(new MemoryBlock(end + gap * 4 * K, (2 + run) * G, ns[1]));
          }
          return new Case(MemoryMap.of("tiny", blocks, blocks.stream().map(MemoryBlock::range).toList()), l, p);
        });
  }
}
