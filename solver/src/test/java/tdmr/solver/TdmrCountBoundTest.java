package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link TdmrCountBound} on maps whose values are derived by hand. In pages of 4 KiB, a TDMR of N
 * GiB needs 1024·N pages of 4K level, 2·N of 2M level and ceil(N / 256) of 1G level (16-byte
 * entries; {@code L = 1026}).
 */
class TdmrCountBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  private static TdmrCountBound bound(MemoryMap map, TdxLimits limits) {
    return new TdmrCountBound(Instance.of(map, limits, MODULE));
  }

  @Test
  void tdx331NeedsFiveTdmrsAtItsLeastPamt() throws Exception {
    // Runs A = [0, 2G) (1 911 MiB), B = [4G, 448G - 32M) (444 granules), C = [512G, 960G) (448) and
    // D = [1T, 1T + 2G) (2): n = 896. P = 916 223 = 893 · 1026 + 5: three granules are left out
    // (the four smallest, 888 + 992 + 1 023 + 1 024 MiB, exceed P), the TDMRs cover exactly the
    // other 893, and their 1G levels have at most 5 pages. Covering a granule of each run needs 1 +
    // 2 + 2 + 1 = 6, so A or D is left out wholly, and with it one more granule. D's 524 288 pages
    // are filled by the 4K levels of 511 or 512 GiB of TDMRs (the 2M and 1G levels and padding make
    // at most 2 · 893 + 5 = 1 791 pages), A's 489 216 by those of 477 GiB (476 · 1 024 = 487 424
    // leaves 1 792). The other small run has one TDMR (1 page), B and C two pages of 1G level each:
    // one TDMR, or two of at most 256 GiB. With one of B and C split (188..256 GiB and the rest) and
    // the other whole, the subset sums are at most 258, 444 to 450, or at least 635: none is 477,
    // 511 or 512. Five TDMRs do it: [4G, 260G) and [512G, 768G) fill D with their 4K levels.
    TdmrCountBound b = bound(RealMaps.read(RealMaps.SEAMCALL_331), TdxLimits.DEFAULT);
    assertEquals(OptionalLong.of(5), b.leastTdmrs(916_223));
  }

  @Test
  void tdx331StartsFromFiveTdmrsWhoseFourKLevelsFillTheRunAtOneTib() throws Exception {
    // The first start leaves the run at 1 TiB out (its 524 288 pages are 512 GiB of 4K level, so the
    // finer levels have nothing left to fill) and one granule of B, the 992 MiB one at its top: five
    // TDMRs over the other 893 GiB, none over a granule without memory, none over 256 GiB (the 1G
    // levels' 5 pages), some of them of 512 GiB together. It is the only one: the other cut, the run
    // at 0 left out wholly, has no layout, since no levels of its TDMRs fill that run's 489 216
    // pages (AreaCountBoundTest.tdx331NeedsThreeAreasWithFiveTdmrsAtItsLeastPamt derives why).
    List<List<long[]>> starts = bound(RealMaps.read(RealMaps.SEAMCALL_331), TdxLimits.DEFAULT).startingTdmrs(916_223, 2);
    assertEquals(1, starts.size());
    List<long[]> first = starts.get(0);
    assertEquals(5, first.size());
    long covered = 0;
    List<Long> sizes = new java.util.ArrayList<>();
    for (long[] t : first) {
      boolean insideRun = t[0] >= 0 && t[1] <= 2 || t[0] >= 4 && t[1] <= 447 || t[0] >= 512 && t[1] <= 960;
      assertTrue(insideRun, t[0] + ".." + t[1]);
      assertTrue(t[1] - t[0] <= 256);
      covered += t[1] - t[0];
      sizes.add(t[1] - t[0]);
    }
    assertEquals(893, covered);
    boolean fills = false;
    for (int mask = 0; mask < 1 << 5; mask++) {
      long sum = 0;
      for (int i = 0; i < 5; i++) {
        sum += (mask & 1 << i) != 0 ? sizes.get(i) : 0;
      }
      fills |= sum == 512;
    }
    assertTrue(fills, sizes.toString());
  }

  @Test
  void anIslandFilledByTheFourKLevelOfOneGibSplitsARun() {
    // [1G, 3G) and [4G, 6G), and an island of 4 MiB (1 024 pages) at 7G: n = 5. At P = 4 107 = 4 ·
    // 1026 + 3 one granule is left out (two hold 1 024 + 262 144 pages, more than P), and the
    // TDMRs' 1G levels have at most 3 pages. Covering all but one full granule would need 1 + 1 + 1
    // and leave 262 144 pages to PAMT; so the island is left out, filled by the 4K level of a 1 GiB
    // TDMR (the finer levels make at most 2 · 4 + 3 pages): one run split in two, 3 TDMRs.
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, 3 * G, 0), new MemoryBlock(4 * G, 6 * G, 0),
        new MemoryBlock(7 * G, 7 * G + 4 * M, 0)));
    TdmrCountBound b = bound(map, TdxLimits.DEFAULT);
    assertEquals(OptionalLong.of(3), b.leastTdmrs(4107));
    // [1G, 2G), [2G, 3G), [4G, 6G): 4 · 1026 + 3 = 4 107 pages, and the
    // 4K level of [1G, 2G) fills the island.
  }

  @Test
  void roomToLeaveOutAnotherGranuleSaysNothing() {
    // [1G, 2G) and two islands of 4 KiB: at 1 027 pages both islands may be left out (2 pages of
    // memory), or one of them covered: nothing pins the TDMRs down.
    MemoryMap map = MemoryMap.ofBlocks("islands", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(3 * G, 3 * G + 4 * K, 0), new MemoryBlock(5 * G, 5 * G + 4 * K, 0)));
    assertEquals(OptionalLong.empty(), bound(map, TdxLimits.DEFAULT).leastTdmrs(1027 + 1026));
  }

  @Test
  void theMemmapHostsNodeOneNeedsThreeTdmrsAtItsLeastPamt() throws Exception {
    // Node 1 of the seed-7 sweep's memmap-14 alone: 256 memory granules, 261 633 = 1026 · 255 + 3
    // pages of PAMT leave exactly one out (two hold far more), with 3 pages for the 1G levels and
    // padding. Two TDMRs, one each side of the granule left out, leave 1 page of padding, and no
    // granule's memory is covered by their levels then (ModuleFamilyBoundsTest derives why for the
    // granules with a hole of 512 pages or more; the others hold more than 261 633 pages): at least
    // 3 TDMRs, as the layout FilledStart builds has (LeftOutGranulesTest).
    tdmr.mem.MemoryMap map;
    try (var in = TdmrCountBoundTest.class.getResourceAsStream("/memmap/memmap-14-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-14", in.readAllBytes());
    }
    tdmr.mem.MemoryMap node1 = new tdmr.mem.MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 1).toList(),
        map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
    Instance instance = Instance.of(node1, TdxLimits.DEFAULT, Policy.KERNEL.withFamily(Policy.Family.MODULE));
    assertEquals(java.util.OptionalLong.of(3), new TdmrCountBound(instance).leastTdmrs(261_633));
  }
}
