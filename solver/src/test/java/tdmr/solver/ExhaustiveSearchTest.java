package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The referee on maps whose optimum is derived by hand. Sizes in pages of 4 KiB: a 1 GiB TDMR needs
 * 1024 pages of 4K level, 2 of 2M level and 1 of 1G level (1027 in all, 4206592 bytes).
 */
class ExhaustiveSearchTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final long ONE_GIB_PAMT = 1027 * 4096;

  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final Policy KERNEL = Policy.KERNEL.withFamily(Policy.Family.KERNEL);

  /** The module's limits but 3 TDMRs, which the exhaustive search can enumerate. */
  private static final TdxLimits THREE = TdxLimits.DEFAULT.withMaxTdmrs(3);

  private static Optional<ExhaustiveSearch.Result> best(MemoryMap map, TdxLimits limits, Policy policy) {
    return new ExhaustiveSearch(map, limits, policy).best();
  }

  @Test
  void aWholeGranuleOfMemoryNeedsOneAreaForItsPamt() {
    // No hole inside [1G, 2G): wherever the levels go inside the TDMR, they cost one area.
    MemoryMap map = MemoryMap.ofBlocks("plain", List.of(new MemoryBlock(G, 2 * G, 0)));
    for (Policy p : List.of(MODULE, KERNEL)) {
      assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 1), best(map, THREE, p).orElseThrow().score(), p.toString());
    }
  }

  @Test
  void levelsAgainstAHoleCostNoArea() {
    // The 4 KiB hole [1G, 1G + 4K) is reserved anyway; the PAMT stacked on it shares its area.
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(new MemoryBlock(G + 4 * K, 2 * G, 0)));
    for (Policy p : List.of(MODULE, KERNEL)) {
      assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 1), best(map, THREE, p).orElseThrow().score(), p.toString());
    }
  }


  @Test
  void theOneGiBLevelFillsAFourKiBIslandAndMergesTwoHoles() {
    // Module: the 1G level (1 page) fills the island, so the two holes around it are one area,
    // and the other levels stack against holes: 2 areas. The kernel's 1027-page chunk cannot.
    MemoryMap map = FourKiBIslandMap.of();
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 2), best(map, THREE, MODULE).orElseThrow().score());
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 3), best(map, THREE, KERNEL).orElseThrow().score());
    TdxLimits two = THREE.withMaxReservedPerTdmr(2);
    assertTrue(best(map, two, MODULE).isPresent());
    assertTrue(best(map, two, KERNEL).isEmpty(), "no kernel-shaped layout has 2 areas");
  }

  @Test
  void underCoverageMaxTheKernelGivesUpTheIsland() {
    Policy max = KERNEL.withCoverage(Policy.Coverage.MAX);
    assertEquals(new LayoutScore(4096, 0, ONE_GIB_PAMT, 1, 2),
        best(FourKiBIslandMap.of(), THREE.withMaxReservedPerTdmr(2), max).orElseThrow().score());
  }

  @Test
  void paddedLevelsFillASixtyFourKiBIsland() {
    // A 64 KiB (16-page) island between holes: with 3 areas allowed nothing is filled (1027 pages);
    // with 2 the 2M and 1G levels (2 + 1 pages) fill it, padded by 13 pages: 1024 + 16 = 1040.
    MemoryMap map = MemoryMap.ofBlocks("island64", List.of(
        new MemoryBlock(M, 512 * M, 0),
        new MemoryBlock(512 * M + 64 * K, 512 * M + 128 * K, 0),
        new MemoryBlock(513 * M, G, 0)));
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 3), best(map, THREE, MODULE).orElseThrow().score());
    assertEquals(new LayoutScore(0, 0, 1040 * 4096, 1, 2),
        best(map, THREE.withMaxReservedPerTdmr(2), MODULE).orElseThrow().score());
  }

  @Test
  void holesInsideACmrNeedNoAreaUnderCmrHoles() {
    // The CMR spans both holes around the island: only [0, 1M) must be reserved, and the PAMT
    // stacks against it.
    MemoryMap island = FourKiBIslandMap.of();
    MemoryMap map = MemoryMap.of("cmr", island.blocks(), List.of(new AddressRange(M, G)));
    Policy cmr = MODULE.withHoles(Policy.Holes.CMR);
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 1), best(map, THREE, cmr).orElseThrow().score());
  }

  @Test
  void aTdmrWithoutMemoryLendsItsLevelsToFillIslands() {
    // Four 4 KiB islands between five 4 KiB holes, after [0, 1M) and A: 6 holes. Only a 1G level
    // (1 page) fits an island, and each TDMR has one. With 4 areas, two islands must be filled: a
    // second TDMR over [1G, 2G) without memory (1 area, all reserved) gives the second 1G level.
    long base = 256 * M;
    List<MemoryBlock> blocks = new java.util.ArrayList<>(List.of(new MemoryBlock(M, base, 0)));
    for (int i = 0; i < 4; i++) {
      long s = base + 4 * K + 8 * K * i;
      blocks.add(new MemoryBlock(s, s + 4 * K, 0));
    }
    blocks.add(new MemoryBlock(base + 40 * K, G, 0));
    MemoryMap map = MemoryMap.ofBlocks("islands", blocks);
    TdxLimits limits = THREE.withMaxTdmrs(2).withMaxReservedPerTdmr(4);
    ExhaustiveSearch.Result r = best(map, limits, MODULE).orElseThrow();
    assertEquals(new LayoutScore(0, 0, 2 * ONE_GIB_PAMT, 2, 5), r.score());
    Layout layout = r.layout();
    assertEquals(G, layout.tdmrs().get(1).size());
    assertTrue(best(map, limits, KERNEL).isEmpty());
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 5),
        best(map, limits.withMaxReservedPerTdmr(5), MODULE).orElseThrow().score());
  }

  /**
   * Two islands of exactly a 1 GiB TDMR's chunk (1027 pages, 4108 KiB) in the granule [1G, 2G),
   * which memory fills from its first byte to its last, each between 2 MiB holes:
   * {@link #twoChunkIslands}. Kernel family, holes memlist, coverage all, 2 areas per TDMR.
   *
   * <p>Derivation. Every layout covers [1G, 2G) (coverage all: memory outside every TDMR is PAMT,
   * and 1 GiB of memory is more than any chunk a tiny layout has there). A TDMR over memory holds
   * [1G, 2G), so it is [1G, 2G) (chunk 1027 pages) or reaches over empty granules (2 GiB or more:
   * chunk 2053 pages or more, which fills neither island). The four holes are reserved in that TDMR;
   * a chunk filling an island exactly merges the two holes around it into one area, and one
   * elsewhere is an area or lies against a hole. So [1G, 2G) alone has at least 3 areas (its chunk
   * fills at most one island): over the limit of 2. A second TDMR over memory does not exist (no
   * other granule holds memory). A TDMR without memory, e.g. [2G, 3G) (wholly reserved: 1 area),
   * has a 1027-page chunk that fills the other island: [1G, 2G) then has 2 areas (holes, island,
   * holes, twice), [2G, 3G) has 1. So the optimum has 2 TDMRs, 2054 pages of PAMT and 3 areas, and
   * one of its TDMRs covers no TDX memory; among layouts whose every TDMR covers TDX memory there
   * is none. With 3 areas per TDMR, [1G, 2G) alone (1027 pages, 3 areas) is the optimum.
   */
  @Test
  void aTdmrWithoutMemoryLendsItsChunkToFillAnIslandInTheKernelFamily() {
    MemoryMap map = twoChunkIslands();
    TdxLimits limits = THREE.withMaxTdmrs(2).withMaxReservedPerTdmr(2);
    ExhaustiveSearch.Result r = best(map, limits, KERNEL).orElseThrow();
    assertEquals(new LayoutScore(0, 0, 2 * ONE_GIB_PAMT, 2, 3), r.score());
    assertEquals(1, r.layout().tdmrs().stream()
        .filter(t -> map.blocks().stream().noneMatch(b -> b.range().overlaps(t.range()))).count(), r.layout().toString());
    RestrictedLayouts.Where where = new RestrictedLayouts.Where(map, limits, KERNEL);
    assertTrue(RestrictedLayouts.of(List.of(ModuleFamilyRestrictions.KERNEL_TDMRS_HOLD_MEMORY)).best(where).isEmpty());
    assertEquals(new LayoutScore(0, 0, ONE_GIB_PAMT, 1, 3),
        best(map, limits.withMaxReservedPerTdmr(3), KERNEL).orElseThrow().score());
  }

  /** Blocks [1G, 1G+256M), [1G+258M, +4108K), [1G+264M, 1G+512M), [1G+514M, +4108K), [1G+520M, 2G), node 0. */
  static MemoryMap twoChunkIslands() {
    long chunk = 4108 * K;
    return MemoryMap.ofBlocks("two-chunk-islands", List.of(
        new MemoryBlock(G, G + 256 * M, 0),
        new MemoryBlock(G + 258 * M, G + 258 * M + chunk, 0),
        new MemoryBlock(G + 264 * M, G + 512 * M, 0),
        new MemoryBlock(G + 514 * M, G + 514 * M + chunk, 0),
        new MemoryBlock(G + 520 * M, 2 * G, 0)));
  }
}
