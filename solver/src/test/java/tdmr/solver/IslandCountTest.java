package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The islands of usable memory and what their count proves about a TDMR wholly inside a run
 * ({@link IslandCount}): counts and conclusions by hand on hand-made maps, and both engines' claims,
 * which no longer name {@link ModuleFamilyRestrictions#INSIDE_A_RUN} there, against {@link
 * ExhaustiveSearch} (which enumerates TDMRs inside runs) within one TDMR.
 */
class IslandCountTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final List<Engine> ENGINES = List.of(new CpSatEngine(), new Z3Engine());

  /**
   * One node: the run [1G, 4G), [4G + 4K, 6G), a one-page island at 6G + 4K and a six-page one at
   * 6G + 12K; no reserved area.
   */
  private static final MemoryMap FOUR_ISLANDS = MemoryMap.ofBlocks("four islands", List.of(
      new MemoryBlock(G, 4 * G, 0), new MemoryBlock(4 * G + 4 * K, 6 * G, 0),
      new MemoryBlock(6 * G + 4 * K, 6 * G + 8 * K, 0), new MemoryBlock(6 * G + 12 * K, 6 * G + 36 * K, 0)));

  /** Node 1: a one-page island at 1G + 4K; node 0: the run [2G, 5G); node 1: two pages at 5G + 4K. */
  private static final MemoryMap THREE_ISLANDS = MemoryMap.ofBlocks("three islands", List.of(
      new MemoryBlock(G + 4 * K, G + 8 * K, 1), new MemoryBlock(2 * G, 5 * G, 0),
      new MemoryBlock(5 * G + 4 * K, 5 * G + 12 * K, 1)));

  @Test
  void touchingBlocksJoinAndGapsSeparate() {
    // [1G, 1G + 4K) and [1G + 4K, 2G) touch (nodes 0 and 1): one island; [2G + 4K, 3G) lies a page
    // apart: a second; [3G, 4G) is outside every CMR (the CMRs are the first three blocks): dead
    // memory, no island, and it cuts [4G, 5G) off from [2G + 4K, 3G): three islands.
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G, G + 4 * K, 0), new MemoryBlock(G + 4 * K, 2 * G, 1),
        new MemoryBlock(2 * G + 4 * K, 3 * G, 1), new MemoryBlock(3 * G, 4 * G, 1),
        new MemoryBlock(4 * G, 5 * G, 1));
    List<AddressRange> cmrs = List.of(new AddressRange(G, 3 * G), new AddressRange(4 * G, 5 * G));
    MemoryMap map = MemoryMap.of("joins", blocks, cmrs);
    IslandCount count = new IslandCount(Instance.of(map, TdxLimits.DEFAULT, MODULE.withCoverage(Policy.Coverage.MAX)));
    assertEquals(List.of(new AddressRange(G, 2 * G), new AddressRange(2 * G + 4 * K, 3 * G),
        new AddressRange(4 * G, 5 * G)), count.islands());
  }

  @Test
  void withinOneTdmrFourIslandsLeaveNoRoomForATdmrInsideTheRun() {
    // FOUR_ISLANDS: islands [1G, 4G), [4G + 4K, 6G), [6G + 4K, 6G + 8K), [6G + 12K, 6G + 36K): 4.
    // One TDMR inside the run [1G, 4G) is [2G, 3G); outside it lie [1G, 2G), [3G, 4G) and the
    // three other islands: five stretches of usable memory in no TDMR, each wholly PAMT, in four
    // islands; the one TDMR has three levels, each in one island, so the islands need four. So no
    // layout within one TDMR that gives up nothing has it, whatever its PAMT or remote PAMT. Within
    // two TDMRs the count proves nothing: only the run's own island starts below its first
    // granule's end 2G, 1 ≤ 6 (a second TDMR above can cover the rest).
    Cell run = run(FOUR_ISLANDS);
    IslandCount one = new IslandCount(Instance.of(FOUR_ISLANDS, TdxLimits.DEFAULT.withMaxTdmrs(1), MODULE));
    assertEquals(4, one.islands().size());
    LayoutScore anything = new LayoutScore(0, 1L << 40, 1L << 40, 1, 16);
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(anything)));
    // Without an optimum, coverage all: no layout with it exists at all.
    assertFalse(one.innerTdmrCouldBeat(run, Optional.empty()));
    // An optimum that gives up coverable memory can be beaten by a layout that gives up less.
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(4096, 0, 0, 1, 0))));
    IslandCount two = new IslandCount(Instance.of(FOUR_ISLANDS, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE));
    assertEquals(4, two.endingAbove(run));
    assertEquals(1, two.startingBelow(run));
    assertTrue(two.innerTdmrCouldBeat(run, Optional.of(anything)));
  }

  @Test
  void withinTwoTdmrsSevenIslandsOnEachSideLeaveNoRoom() {
    // Seven one-page islands below the run [2G, 5G) and seven above it: 15 islands. One TDMR alone
    // inside the run needs 15 levels, of 3. With a second TDMR, that one lies wholly below the one
    // inside the run or wholly above it; the other side's 7 islands and the run's own part there, 8,
    // are in no TDMR and need 8 levels, of 6. So no room within two TDMRs. With six islands above
    // the run: 6 + 1 = 7 > 6, no room either; with five: 5 + 1 = 6 levels can fill them, room.
    Cell run = run(sevenAndSeven(7));
    IslandCount seven = new IslandCount(Instance.of(sevenAndSeven(7), TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE));
    assertEquals(15, seven.islands().size());
    assertEquals(8, seven.endingAbove(run));
    assertEquals(8, seven.startingBelow(run));
    LayoutScore anything = new LayoutScore(0, 1L << 40, 1L << 40, 2, 32);
    assertFalse(seven.innerTdmrCouldBeat(run, Optional.of(anything)));
    assertFalse(new IslandCount(Instance.of(sevenAndSeven(6), TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE))
        .innerTdmrCouldBeat(run, Optional.of(anything)));
    assertTrue(new IslandCount(Instance.of(sevenAndSeven(5), TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE))
        .innerTdmrCouldBeat(run, Optional.of(anything)));
    assertTrue(new IslandCount(Instance.of(sevenAndSeven(7), TdxLimits.DEFAULT.withMaxTdmrs(3), MODULE))
        .innerTdmrCouldBeat(run, Optional.of(anything)));
  }

  @Test
  void withinOneTdmrThreeIslandsMakeATdmrInsideTheRunAllPamt() {
    // THREE_ISLANDS: islands [1G + 4K, 1G + 8K), [2G, 5G), [5G + 4K, 5G + 12K): 3, usable memory
    // 1 + 786 432 + 2 pages = 3G + 12K. A layout of one TDMR [3G, 4G) inside the run needs a level
    // in each island, so the run's island has one level only, which holds [2G, 3G) and [4G, 5G)
    // and so all of [2G, 5G): all usable memory is PAMT, 3G + 12K, and the TDMR is reserved, 1
    // area. The TDMR's granules hold node 0's memory only; the two node-1 islands hold two of its
    // levels, which describe them remotely: at least the 1G level's 16 bytes and the 2M level's
    // 8 KiB per GiB, 8 208 bytes. It cannot beat an optimum of 3G + 12K, 1 TDMR, 1 area and at most
    // 8 208 bytes of remote PAMT; it could beat one with 2 areas, or with more remote PAMT, and,
    // without an optimum, exist.
    Cell run = run(THREE_ISLANDS);
    IslandCount one = new IslandCount(Instance.of(THREE_ISLANDS, TdxLimits.DEFAULT.withMaxTdmrs(1), MODULE));
    assertEquals(3, one.islands().size());
    assertEquals(3 * G + 12 * K, one.usableBytes());
    assertEquals(8208, one.remoteOfOneTdmrInside(run));
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 0, 3 * G + 12 * K, 1, 1))));
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 8208, 3 * G + 12 * K, 1, 1))));
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 4096, 16 * K * K, 1, 1))));
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 8208, 3 * G + 12 * K, 1, 2))));
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 8209, 16 * K * K, 1, 1))));
    assertTrue(one.innerTdmrCouldBeat(run, Optional.empty()));
  }

  @Test
  void withinOneTdmrMemoryOfAnotherNodeMakesATdmrInsideTheRunRemote() {
    // A one-page island of node 0 at 1G + 4K, the run [2G, 5G) of node 0 and node 1's [5G, 6G)
    // touching it: 2 islands, [1G + 4K, 1G + 8K) and [2G, 6G). One TDMR inside the run, [3G, 4G),
    // holds node 0's memory only; node 1's memory lies outside it, so it is PAMT, in a level of that
    // TDMR lying on node 1, which describes the TDMR's granule remotely: at least the 1G level's
    // 16 bytes. An optimum without remote PAMT cannot be beaten by it, whatever its PAMT; one with
    // 16 bytes can.
    MemoryMap map = MemoryMap.ofBlocks("two nodes", List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(2 * G, 5 * G, 0), new MemoryBlock(5 * G, 6 * G, 1)));
    Cell run = run(map);
    IslandCount one = new IslandCount(Instance.of(map, TdxLimits.DEFAULT.withMaxTdmrs(1), MODULE));
    assertEquals(2, one.islands().size());
    assertEquals(16, one.remoteOfOneTdmrInside(run));
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 0, 4 * G, 1, 3))));
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 16, 4 * G, 1, 3))));
    // The referee's optimum has no remote PAMT (a TDMR without memory whose levels fill both
    // islands); both engines' claims equal it without naming the TDMR inside the run.
    LayoutScore best = agreeWithTheReferee(map, TdxLimits.DEFAULT.withMaxTdmrs(1));
    assertEquals(0, best.remotePamtBytes());
    // PAMT any does not rank remote PAMT: no conclusion.
    IslandCount any = new IslandCount(Instance.of(map, TdxLimits.DEFAULT.withMaxTdmrs(1),
        MODULE.withPamt(Policy.PamtPlacementPolicy.ANY)));
    assertTrue(any.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 0, 4 * G, 1, 3))));
  }

  /**
   * FOUR_ISLANDS within one TDMR without reserved areas. A TDMR holds no hole, so it lies in
   * [1G, 4G) or [5G, 6G) (the granule [4G, 5G) holds one). Over [1G, 4G) it leaves [4G + 4K, 6G)
   * (524 287 pages) and the islands of 1 and 6 pages to PAMT; its levels (4K: at least 3 072 pages,
   * 2M: 6, 1G: 1) fill them only as 1G level in the one-page island, 2M level in the six-page one,
   * 4K level padded over the rest: 524 294 pages, 0 areas. Any other TDMR leaves more to PAMT.
   * That is more than 2 GiB, so the PAMT bounds of {@link ModuleFamilyRestrictions} do not rule a
   * TDMR inside the run out; the island count does, and both engines' claims equal the referee's.
   */
  @Test
  void fourIslandsWithinOneTdmrAgreeWithTheReferee() {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(0);
    LayoutScore best = agreeWithTheReferee(FOUR_ISLANDS, limits);
    assertTrue(new LayoutScore(0, 0, 524_294 * 4096L, 1, 0).sameRank(best, MODULE), best.toString());
    Instance instance = Instance.of(FOUR_ISLANDS, limits, MODULE);
    long below = ModuleFamilyRestrictions.beatenOnlyBelow(instance, Optional.of(best));
    assertTrue(ModuleFamilyRestrictions.granulesLeftOutBesideInnerTdmr(instance) * G <= below);
    long least = new ModuleFamilyBounds(instance, true).leastPamtPagesWithInnerTdmr(run(FOUR_ISLANDS)).orElseThrow();
    assertTrue(least * 4096 <= below, least + " pages");
  }

  /**
   * THREE_ISLANDS within one TDMR, PAMT node-local. A TDMR with memory of one node leaves the other
   * node's memory to PAMT on that node, describing the TDMR's granules remotely, and one with
   * memory of both has levels on one node each describing the other's granules; so with no remote
   * PAMT the TDMR holds no memory, and all usable memory is PAMT: a 1 GiB TDMR, wholly reserved (1
   * area), whose 1G level (1 page) and 2M level (2 pages) fill node 1's islands and whose 4K level
   * fills the run, 3G + 12K. A TDMR inside the run cannot beat it (above); both engines' claims
   * equal the referee's.
   */
  @Test
  void threeIslandsWithinOneTdmrAgreeWithTheReferee() {
    LayoutScore best = agreeWithTheReferee(THREE_ISLANDS, TdxLimits.DEFAULT.withMaxTdmrs(1));
    assertTrue(new LayoutScore(0, 0, 3 * G + 12 * K, 1, 1).sameRank(best, MODULE), best.toString());
  }

  /**
   * THREE_ISLANDS within one TDMR without reserved areas: a TDMR inside the run [2G, 5G) holds no
   * level, so the run's island needs one on each side of it and each node-1 island one: 4 levels,
   * of 3. No such layout exists (the referee limited to such TDMRs finds none), whatever the
   * optimum; with one area allowed the count alone does not rule it out (above).
   */
  @Test
  void withoutReservedAreasThreeIslandsLeaveNoRoomForATdmrInsideTheRun() {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(0);
    Cell run = run(THREE_ISLANDS);
    IslandCount none = new IslandCount(Instance.of(THREE_ISLANDS, limits, MODULE));
    assertFalse(none.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 1L << 40, 1L << 40, 1, 0))));
    assertFalse(none.innerTdmrCouldBeat(run, Optional.empty()));
    assertTrue(new IslandCount(Instance.of(THREE_ISLANDS, limits.withMaxReservedPerTdmr(1), MODULE))
        .innerTdmrCouldBeat(run, Optional.empty()));
    assertEquals(Optional.empty(), new ExhaustiveSearch(THREE_ISLANDS, limits, MODULE)
        .onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > 2 * G && t.end() < 5 * G)).best());
  }

  /**
   * Node 0: 8 MiB at 1G + 4K (its granule holds a hole) and the run [4G, 7G); node 1: [7G, 8G),
   * touching the run: 2 islands, usable U = 4G + 8M.
   */
  private static final MemoryMap RUN_BESIDE_NODE_1 = MemoryMap.ofBlocks("run beside node 1", List.of(
      new MemoryBlock(G + 4 * K, G + 4 * K + 8 * K * K, 0), new MemoryBlock(4 * G, 7 * G, 0),
      new MemoryBlock(7 * G, 8 * G, 1)));

  /**
   * RUN_BESIDE_NODE_1 within one TDMR without reserved areas. A TDMR holds no hole, so it lies in
   * [4G, 8G) and holds one node's granules (one of each node: its 4K level describes one of them
   * remotely, 4 MiB). A TDMR of node 1 leaves node 0's memory to levels on node 0, remote; one of
   * node 0 leaves [7G, 8G) to a level of it on node 1, which describes its g granules remotely, 16
   * bytes each at least (1G level). So the least remote PAMT is 16 bytes, g = 1, and the PAMT all
   * usable memory but that GiB, 3G + 8M: e.g. [4G, 5G) with its 4K level padded over the 8 MiB
   * island, its 2M level over [5G, 7G) and its 1G level over [7G, 8G). A TDMR inside the run,
   * [5G, 6G), does as well and no better (4K level in the island, 2M level over [4G, 5G), 1G level
   * over [6G, 8G)): c = 16 bytes per GiB, and its score is at least (16, U - 1 GiB, 1 TDMR, 0
   * areas), which the optimum meets. Until 2026-12-06 the count compared only remote PAMT (16 is
   * not less than 16) and the restriction stayed named.
   */
  @Test
  void withinOneTdmrATdmrInsideTheRunPaysEachOfItsGranulesRemotely() {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(0);
    Cell run = run(RUN_BESIDE_NODE_1);
    IslandCount one = new IslandCount(Instance.of(RUN_BESIDE_NODE_1, limits, MODULE));
    assertEquals(2, one.islands().size());
    assertEquals(16, one.remoteOfOneTdmrInside(run));
    LayoutScore optimum = new LayoutScore(0, 16, 3 * G + 8 * K * K, 1, 0);
    ExhaustiveSearch referee = new ExhaustiveSearch(RUN_BESIDE_NODE_1, limits, MODULE);
    assertTrue(optimum.sameRank(referee.best().orElseThrow().score(), MODULE));
    LayoutScore inner = referee.onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > 4 * G && t.end() < 7 * G))
        .best().orElseThrow().score();
    assertTrue(optimum.sameRank(inner, MODULE), inner.toString());
    assertFalse(one.innerTdmrCouldBeat(run, Optional.of(optimum)));
    // An optimum with a page more PAMT, or more remote PAMT, could be beaten by it.
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 16, 3 * G + 8 * K * K + 4 * K, 1, 0))));
    assertTrue(one.innerTdmrCouldBeat(run, Optional.of(new LayoutScore(0, 32, G, 1, 0))));
  }

  /** Both engines' claims name no TDMR inside a run and equal the referee's optimum, which it returns. */
  private static LayoutScore agreeWithTheReferee(MemoryMap map, TdxLimits limits) {
    LayoutScore referee = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score();
    Instance instance = Instance.of(map, limits, MODULE);
    assertEquals(List.of(), ModuleFamilyRestrictions.runsWhereInnerTdmrCouldBeat(instance, Optional.of(referee)));
    for (Engine e : ENGINES) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), e.name() + ": " + r.restrictions());
      LayoutScore got = LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow());
      assertTrue(referee.sameRank(got, MODULE), e.name() + ": " + got + " vs " + referee);
    }
    return referee;
  }

  /** The run [2G, 5G) of {@code map}. */
  private static Cell run(MemoryMap map) {
    return Instance.of(map, TdxLimits.DEFAULT, MODULE).cells().stream()
        .filter(c -> c.kind() == Kind.PLAIN && c.sizeGiB() >= 3).findFirst().orElseThrow();
  }

  /** Seven one-page islands above 1G, the run [2G, 5G), then {@code above} one-page islands above 5G. */
  private static MemoryMap sevenAndSeven(int above) {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      blocks.add(new MemoryBlock(G + (2 * i + 1) * 4 * K, G + (2 * i + 2) * 4 * K, 0));
    }
    blocks.add(new MemoryBlock(2 * G, 5 * G, 0));
    for (int i = 0; i < above; i++) {
      blocks.add(new MemoryBlock(5 * G + (2 * i + 1) * 4 * K, 5 * G + (2 * i + 2) * 4 * K, 0));
    }
    return MemoryMap.ofBlocks("seven and " + above, blocks);
  }
}
