package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FilledStart} with {@link LeftOutGranules}: layouts that leave a granule out of every TDMR,
 * its memory filled by chains of PAMT levels, on maps whose optimum does so (values derived by hand
 * in {@link ModuleFamilyBoundsTest}).
 */
class LeftOutGranulesTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  private static Layout built(MemoryMap map, TdxLimits limits) {
    Layout layout = new FilledStart(Instance.of(map, limits, MODULE)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, layout));
    return layout;
  }

  @Test
  void twoChainsFillTheGranuleBetweenTwoTdmrsWithTheLeastPadding() {
    // Granule 2 holds 1500 pages from its start and 500 up to its end. TDMRs [1G, 2G) and [3G, 4G)
    // (levels of 1024, 2 and 1 pages each): below, one 4K level and the four finer levels (1030
    // pages) padded by 470, reaching down into nothing; above, the other 4K level, reaching 524 pages
    // into [3G, 4G): 2054 + 470 pages, the referee's optimum (ModuleFamilyBoundsTest).
    MemoryMap map = MemoryMap.ofBlocks("two chains", List.of(new MemoryBlock(G, 2 * G + 1500 * 4 * K, 0),
        new MemoryBlock(3 * G - 500 * 4 * K, 4 * G, 0)));
    Layout layout = built(map, TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals((2054 + 470) * 4096, layout.pamtBytes());
    assertEquals(2, layout.size());
  }

  @Test
  void theMemmapHostsNodesMeetTheirBounds() throws Exception {
    // memmap-14 of the seed-7 sweep, each node alone (as NodeSplit solves it): node 1 leaves out a
    // granule with a hole of 512 pages or more and three TDMRs, 261 633 pages; node 0 leaves out
    // granule 1, filled by the 4K level of [4G, 258G) and a 1G level, 261 632 pages: both the
    // per-node bounds of ModuleFamilyBounds, so no layout of either node has less PAMT.
    MemoryMap map;
    try (var in = LeftOutGranulesTest.class.getResourceAsStream("/memmap/memmap-14-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-14", in.readAllBytes());
    }
    long[] expected = {261_632, 261_633};
    int[] tdmrs = {2, 3};
    for (int node = 0; node <= 1; node++) {
      int n = node;
      MemoryMap part = new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == n).toList(),
          map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
      Layout layout = built(part, TdxLimits.DEFAULT);
      assertEquals(expected[node] * 4096, layout.pamtBytes(), "node " + node);
      assertEquals(tdmrs[node], layout.size(), "node " + node);
      AddressRange covered = new AddressRange(layout.tdmrs().get(0).base(), layout.tdmrs().get(layout.size() - 1).end());
      long gib = layout.tdmrs().stream().mapToLong(t -> t.size()).sum() / G;
      assertTrue(gib < covered.size() / G || node == 0, "node 1 leaves a granule out");
    }
  }
}
