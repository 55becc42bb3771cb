package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** TDMR sets near a module-family cut whose kernel chunks can fill the segments left out ({@link KernelCutStarts}). */
class KernelCutStartsTest {
  /**
   * canonical/tdx#331 (blocks [1M, 1912M), [4G, 447G+992M), [512G, 960G), [1024G, 1026G)): the cut
   * [0, 2G), [4G, 260G), [260G, 447G), [512G, 766G), [766G, 960G) leaves the 2 GiB block at 1024G,
   * 524 288 pages, wholly outside every TDMR (the others each lie partly inside one). The chunk of
   * an N GiB TDMR is 1026·N + 1 pages for N ≤ 256 (4 MiB and 8 KiB per GiB, one 1G-level page) and
   * 1026·N + 2 for 257 ≤ N ≤ 512, so k chunks of TDMRs of at most 256 GiB, S GiB together, have
   * 1026·S + k pages. 524 288 = 1026·511 + 2: exactly two such chunks fill the block, of TDMRs
   * summing to 511 GiB, so 255 and 256 GiB (a 257 GiB TDMR adds 2 pages, and 1026·S + 3 misses).
   * The cut's sizes are 2, 256, 187, 254, 194 GiB: none. Its four shifts: 259G gives 255, 188 (with
   * 254, 194), no 256; 261G gives 257, 186; 765G gives 256 with 253, 195, no 255; 767G gives 256
   * and 255, 193: the only one.
   */
  @Test
  void onTdx331OnlyTheShiftThatMakesA255GiBTdmrNextToThe256GiBOneFillsTheBlockAt1024G() throws Exception {
    Instance moduleAny = Instance.of(RealMaps.read("tdx-fail-seamcall-4cmr-canonical-tdx-331.txt"), TdxLimits.DEFAULT,
        Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY));
    List<long[]> cut = List.of(new long[] {0, 2}, new long[] {4, 260}, new long[] {260, 447}, new long[] {512, 766},
        new long[] {766, 960});
    assertFalse(KernelCutStarts.chunksCanFillSegmentsLeftOut(moduleAny, cut));
    assertEquals(4, KernelCutStarts.shiftedByOneGiB(cut).size());
    List<List<long[]>> near = KernelCutStarts.near(moduleAny, List.of(cut), 8);
    assertEquals(1, near.size());
    assertEquals("[[0, 2], [4, 260], [260, 447], [512, 767], [767, 960]]",
        near.get(0).stream().map(Arrays::toString).toList().toString());
  }
}
