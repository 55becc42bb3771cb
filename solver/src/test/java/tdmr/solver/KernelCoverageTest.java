package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link KernelCoverage} on maps whose values are derived by hand (pages of 4 KiB; the chunk of an
 * N GiB TDMR, N ≤ 256, has 1026·N + 1 pages), the tiny one checked against {@link ExhaustiveSearch}.
 */
class KernelCoverageTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE_ANY =
      Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);

  private static KernelCoverage coverage(MemoryMap map, TdxLimits limits) {
    Instance instance = Instance.of(map, limits, MODULE_ANY);
    return new KernelCoverage(instance, new KernelChunks(instance, true));
  }

  private static MemoryMap islandAt2G(long islandPages) {
    return MemoryMap.ofBlocks("island", List.of(new MemoryBlock(1024 * K, G, 0),
        new MemoryBlock(2 * G, 2 * G + islandPages * 4 * K, 0)));
  }

  /**
   * [1M, 1G) and an island at 2G. Of 1027 pages, the chunk of a 1 GiB TDMR: one TDMR over granule 0
   * whose chunk fills the island, which then lies in no TDMR, has 1027 pages; granule 0 (261 888
   * pages) is always covered, and 1 GiB of TDMR has at least 1027 pages, so nothing has fewer. Of
   * 1028 pages (1026 + 2: no chunks sum to it, a 1 GiB chunk has one page of rounding) the island is
   * never all PAMT, so its granule is covered too: two TDMRs of 1 GiB, 2054 pages, or one over [0,
   * 3G), 3079. The referee agrees on both.
   */
  @Test
  void anIslandNoChunksSumToIsCovered() {
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    KernelCoverage fillable = coverage(islandAt2G(1027), two);
    assertTrue(fillable.mayCover(1027, 1));
    assertFalse(fillable.mayCover(1026, 1));
    assertEquals(1027, new ExhaustiveSearch(islandAt2G(1027), two, Policy.KERNEL).best().orElseThrow()
        .score().pamtBytes() / 4096);

    KernelCoverage unfillable = coverage(islandAt2G(1028), two);
    for (long p = 1; p < 2054; p++) {
      assertFalse(unfillable.mayCover(p, 1), "P = " + p);
      assertFalse(unfillable.mayCover(p, 2), "P = " + p);
    }
    assertTrue(unfillable.mayCover(2054, 2));
    assertFalse(unfillable.mayCover(3078, 1));
    assertTrue(unfillable.mayCover(3079, 1));
    assertEquals(2054, new ExhaustiveSearch(islandAt2G(1028), two, Policy.KERNEL).best().orElseThrow()
        .score().pamtBytes() / 4096);
  }

  /**
   * The Supermicro X12DAi (blocks [1M, 1662M+200K), [1748M-4K, 1784M), [4G, 130G), [130G, 258G)).
   * The 9 217-page block in granule 1 is no sum of chunks (1026·8 + 1009 would need 1009 chunks of 8
   * GiB in all), so granule 1 is covered; granule 0 holds 261 888 pages and each granule above 4G
   * 262 144. Below 261 888 pages all 256 granules are covered: two TDMRs need 256 GiB, 1026·256 + 2
   * = 262 658 pages, so the 261 632 pages of tdx#391's better layout (two TDMRs of 1 and 254 GiB)
   * are out of reach here. One TDMR spans 1G to 258G at least (granule 0 left out; leaving out one
   * more granule would take 262 144 pages more), 257 GiB, 1026·257 + 2 = 263 684 pages: none has
   * 262 658 or fewer. (From 261 888 pages on, two TDMRs may leave granule 0 out as far as this bound
   * knows: {@link ChunkSums} rules those values out, 1026·255 + q with q ≥ 258 chunks.)
   */
  @Test
  void theX12DAiCoversEveryGranuleBelowItsOptimum() throws Exception {
    KernelCoverage x12 = coverage(RealMaps.read("e820-2socket-icelake-supermicro-X12DAi-N6-linuxhw.txt"),
        TdxLimits.DEFAULT);
    assertFalse(x12.mayCover(261_632, 2));
    assertFalse(x12.mayCover(261_887, 2));
    assertTrue(x12.mayCover(262_658, 2));
    assertFalse(x12.mayCover(262_657, 1));
    assertFalse(x12.mayCover(262_658, 1));
    assertFalse(x12.mayCover(263_683, 1));
    assertTrue(x12.mayCover(263_684, 1));
    assertEquals(262_658, x12.leastPages(256, 2));
  }
}
