package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link KernelFamilyBounds}, {@link ChunkSums} and the kernel-family mode of {@link
 * AreaCountBound} on maps whose values are derived by hand (pages of 4 KiB; the chunk of an N GiB
 * TDMR, N ≤ 256, has 1026·N + 1 pages: 1024 of 4K level, 2 of 2M level and 1 of 1G level per
 * GiB, the 1G level rounded up), checked against {@link ExhaustiveSearch} where it is tiny.
 */
class KernelFamilyBoundsTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy KERNEL = Policy.KERNEL.withFamily(Policy.Family.KERNEL);
  private static final Policy MODULE_ANY =
      KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);

  private static KernelFamilyBounds bounds(MemoryMap map, TdxLimits limits) {
    return new KernelFamilyBounds(Instance.of(map, limits, MODULE_ANY));
  }

  @Test
  void theChunksPagesPinDownHowManyTdmrsALayoutHas() {
    ChunkSums sums = ChunkSums.of(Instance.of(FourKiBIslandMap.of(), TdxLimits.DEFAULT, MODULE_ANY)).orElseThrow();
    assertEquals(1027, sums.chunkPages(1));
    // 256 GiB: 256 · 1026 + 1; 257 GiB: 257 · 1026 + 2, the 1G level needs a second page.
    assertEquals(262_657, sums.chunkPages(256));
    assertEquals(263_684, sums.chunkPages(257));
    // 2 053 = 2 · 1026 + 1: one TDMR of 2 GiB (q = 1). 2 054 = 2 · 1026 + 2: two of 1 GiB, never
    // one (a single TDMR of 2 GiB has q = 1). 2 055 = 2 · 1026 + 3: three TDMRs need 3 GiB: none.
    assertArrayEquals(new long[] {1, 1}, sums.counts(2053, 64).orElseThrow());
    assertArrayEquals(new long[] {2, 2}, sums.counts(2054, 64).orElseThrow());
    assertEquals(Optional.empty(), sums.counts(2055, 64));
    // A multiple of 1026 has q = 0: no chunks sum to it.
    assertEquals(Optional.empty(), sums.counts(1026 * 5, 64));
    // 262 658 = 256 · 1026 + 2: S = 256 GiB in all, q = 2, so two TDMRs; one is kept too (q - ⌊S/256⌋
    // = 1), though one TDMR of 256 GiB has q = 1: the conditions are necessary, not sufficient.
    assertArrayEquals(new long[] {1, 2}, sums.counts(262_658, 64).orElseThrow());
    // Dynamic PAMT: a = 10 pages per GiB, so q is not pinned down past a few TDMRs: every count.
    Instance dpamt = Instance.of(FourKiBIslandMap.of(), TdxLimits.DEFAULT.withDynamicPamt(true), MODULE_ANY);
    assertArrayEquals(new long[] {1, 64}, ChunkSums.of(dpamt).orElseThrow().counts(2054, 64).orElseThrow());
  }


  /**
   * The 4 KiB island of {@code ExhaustiveSearchTest}: three runs of holes in granule 0 ([0, 1M) and
   * the two holes around the island). The module family fills the island with a 1G level and has 2
   * areas; no chunk (at least 1 027 pages) fits the island, so granule 0 is never left out, and the
   * other island, [1M, 512M) of 130 816 = 127 · 1026 + 514 pages, is no sum of at most 3 chunks (q
   * = 514 would need 514 TDMRs): nothing merges, every kernel-family layout has 3 areas in its
   * TDMR over granule 0. So the optimum, [0, 1G) with 1 027 pages and 3 areas, meets the bounds;
   * and within 2 areas per TDMR no layout exists. The exhaustive search agrees on both.
   */
  @Test
  void noChunkFillsAFourKiBIslandSoTheKernelFamilyNeedsThreeAreas() {
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    KernelFamilyBounds b = bounds(FourKiBIslandMap.of(), three);
    assertTrue(b.mayHave(1027, 1));
    assertEquals(3, b.leastAreas(1027, 1));
    assertEquals(3, b.leastAreas(3 * 130_303, 3));
    LayoutScore optimum = new LayoutScore(0, 0, 1027 * 4096L, 1, 3);
    assertEquals(optimum, new ExhaustiveSearch(FourKiBIslandMap.of(), three, KERNEL).best().orElseThrow().score());
    assertTrue(b.meets(optimum));
    assertFalse(b.meets(new LayoutScore(0, 0, 1027 * 4096L, 1, 2)), "2 areas are below every kernel layout's");
    // The module family's bounds say 2 areas: the old test alone left the restrictions named.
    Instance module = Instance.of(FourKiBIslandMap.of(), three, MODULE_ANY);
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(module, optimum));

    TdxLimits two = three.withMaxReservedPerTdmr(2);
    assertTrue(bounds(FourKiBIslandMap.of(), two).noLayout());
    assertTrue(new ExhaustiveSearch(FourKiBIslandMap.of(), two, KERNEL).best().isEmpty());
    assertFalse(bounds(FourKiBIslandMap.of(), three).noLayout());
  }

  /**
   * An island of exactly one chunk: [1M, 1G) then a 4 KiB hole, 1 027 pages of memory, a 4 KiB
   * hole, memory to 2G. The chunk of a 1 GiB TDMR fills the island and merges its two holes, so a
   * TDMR over granule 0 and one over granule 1 ([0, 1G), [1G, 2G): 2 054 pages) may have 2 areas
   * ([0, 1M) and the merged holes); one TDMR [0, 2G) (2 053 pages) has a chunk of 2 053 pages,
   * which does not fit: 3 areas. The bounds allow both and say so, and the exhaustive search finds
   * the one TDMR with 3 areas as the optimum (PAMT ranks before areas).
   */
  @Test
  void anIslandOfExactlyOneChunkMayBeFilled() {
    long island = 1027 * 4 * K;
    long start = G + 4 * K;
    MemoryMap map = MemoryMap.ofBlocks("chunk-island", List.of(new MemoryBlock(M, G, 0),
        new MemoryBlock(start, start + island, 0), new MemoryBlock(start + island + 4 * K, 2 * G, 0)));
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    KernelFamilyBounds b = bounds(map, three);
    assertEquals(3, b.leastAreas(2053, 1));
    assertEquals(2, b.leastAreas(2054, 2));
    LayoutScore optimum = new ExhaustiveSearch(map, three, KERNEL).best().orElseThrow().score();
    assertEquals(new LayoutScore(0, 0, 2053 * 4096L, 1, 3), optimum);
    assertTrue(b.meets(optimum));
    // Within 2 areas per TDMR the one TDMR is ruled out, and two TDMRs of 1 GiB are not.
    TdxLimits two = three.withMaxReservedPerTdmr(2);
    assertFalse(bounds(map, two).mayHave(2053, 1));
    assertTrue(bounds(map, two).mayHave(2054, 2));
    assertEquals(new LayoutScore(0, 0, 2054 * 4096L, 2, 2), new ExhaustiveSearch(map, two, KERNEL).best()
        .orElseThrow().score());
    assertTrue(bounds(map, two).meets(new LayoutScore(0, 0, 2054 * 4096L, 2, 2)));
  }

  /**
   * canonical/tdx#135 (Tdx135MapFixture): TDX memory in granules 0 and 1 only, 17 runs of holes:
   * [0, 1M) in granule 0, then the 15 gaps between the 16 blocks and the gap above 0x6f800000, all
   * 16 starting in granule 1. The islands between them have 420, 4 425, 16, 1 395, 979, 106, 134, 2,
   * 61, 2 068, 946, 819, 1, 43 066 and 1 pages: four are smaller than any chunk, so granule 1 is
   * never left out, and none of the others is a sum of chunks (4 425 = 4 · 1026 + 321, 1 395 = 1026
   * + 369, 2 068 = 2 · 1026 + 16, 43 066 = 41 · 1026 + 1000: q far above the TDMRs), so no island
   * is filled and the TDMR over granule 1 has 16 areas. Granule 0 holds 1 023 MiB (261 888 pages),
   * more than the PAMT below, so it is not left out either: 17 areas in all. The least PAMT of
   * either family is 2 053 pages (one TDMR of 2 GiB), which would need 17 areas in one TDMR, above
   * the limit of 16; so the kernel family's least PAMT is 2 054 pages (two TDMRs of 1 GiB; 2 055
   * is no sum of chunks), with exactly 2 TDMRs and 17 areas: the engines' optimum, which the claim
   * now says holds for the whole family. Within 15 areas per TDMR the TDMR over granule 1 needs 16
   * whatever the PAMT (granule 0 may then be left out, but not granule 1): no layout.
   */
  @Test
  void tdx135NeedsTwoTdmrsAndSeventeenAreasInTheKernelFamily() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    KernelFamilyBounds b = bounds(map, TdxLimits.DEFAULT);
    assertFalse(b.mayHave(2053, 1));
    assertEquals(17, b.leastAreas(2053, 1));
    assertEquals(java.util.OptionalLong.of(2), b.leastTdmrs(2054, 1));
    assertEquals(17, b.leastAreas(2054, 2));
    assertTrue(b.meets(new LayoutScore(0, 0, 8_413_184L, 2, 17)));
    assertTrue(bounds(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(15)).noLayout());
    assertFalse(b.noLayout());
  }

  /**
   * tdx#135 within one TDMR (the frontier's first point): the kernel family needs 17 areas. Were
   * granule 0 left out (its 261 888 pages of memory all PAMT, a single chunk of at least that many
   * pages, as in a TDMR of 256 GiB or more), run [0, 1M) would escape and the count would say 16.
   * But the island [1M, 0x5d169000) starts in granule 0 and reaches into granule 1, which is never
   * left out (it touches the 4 KiB islands): the one chunk fills neither the island's part in
   * granule 0 (261 888 = 255 · 1026 + 258 pages, no chunk size) nor the whole island (381 033 = 371
   * · 1026 + 387 pages, none either), so it reaches into the TDMR over granule 1, which reserves it
   * in an area holding no hole (KernelChunks#edgeAreaAbove): 16 + 1 = 17 areas in one TDMR, above
   * the limit of 16, whatever the PAMT. With two TDMRs 16 areas per TDMR are enough (above).
   */
  @Test
  void tdx135HasNoLayoutWithinOneTdmr() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    KernelFamilyBounds one = bounds(map, TdxLimits.DEFAULT.withMaxTdmrs(1));
    assertEquals(17, one.leastAreas(262_657, 1));
    assertTrue(one.noLayout());
    assertTrue(bounds(map, TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(17)).mayHave(2053, 1));
  }
}
