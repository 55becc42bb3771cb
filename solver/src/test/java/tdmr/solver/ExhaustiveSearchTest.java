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
}
