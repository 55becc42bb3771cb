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

  @Test
  void theMemmapHostsNodeOneReachesIntoOneTdmrOnly() throws Exception {
    // Node 1 of memmap-14 (seed 7): 11 memmap holes (one per granule) and the tail above its CMR
    // [0x8070000000, 514G). Granule 383 holds 219 480 pages below its hole (from 383G up to
    // 0x5ff5958000) and 38 956 above it (0x5ff67d4000 up to 384G). With the TDMRs [258G, 299G),
    // [299G, 383G) and [384G, 514G) (levels 41 984 + 82 + 1, 86 016 + 168 + 1 and 133 120 + 260 + 1
    // pages: 261 633, no padding) the pages below are filled exactly by 86 016 + 133 120 + 260 + 82
    // + 1 + 1 = 219 480, and only the chain above (41 984 + 168 + 1 pages) reaches into [384G,
    // 514G): the ten holes and the tail inside TDMRs and that chain, 12 areas, where leaving out
    // granule 340 (the first of least PAMT) makes both its chains reach out (13).
    MemoryMap map;
    try (var in = LeftOutGranulesTest.class.getResourceAsStream("/memmap/memmap-14-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-14", in.readAllBytes());
    }
    MemoryMap node1 = new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 1).toList(),
        map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
    Layout layout = built(node1, TdxLimits.DEFAULT);
    assertEquals(261_633 * 4096L, layout.pamtBytes());
    assertEquals(3, layout.size());
    assertEquals(12, layout.reservedAreaCount());
  }

  @Test
  void aRunOverTheAreaLimitIsCutWhereItsLevelsFillTheGranuleLeftOut() throws Exception {
    // Node 0 of memmap-32 (seed 7): [0, 2G) holds the first MiB (not TDX memory), an ACPI run from
    // 0x768bb000 and the hole from 0x77800000 with one usable page between them; the run [4G, 258G)
    // holds 19 memmap holes and the tail above its CMR (0x406e000000): 20 runs, over the limit of
    // 16, so one TDMR over it has no layout. Its top granule holds 188 416 = 184 · 1024 pages, the 4K
    // level of a 184 GiB TDMR exactly: granule 257 left out, [4G, 73G) (holes at 35.9, 37.7 and
    // 69.5 GiB) and [73G, 257G) (the other 16) are within the limit, and PAMT is 2048 + 4 + 1 + 69 ·
    // 1026 + 1 + 184 · 1026 + 1 = 261 633 pages, the node's bound (FilledIslandsPamtBound raises the
    // covering 261 632 by one). Areas: 2 in [0, 2G) (the usable page filled by a 1G level merges the
    // ACPI run with the hole above it), 3 and 16: 21.
    MemoryMap map;
    try (var in = LeftOutGranulesTest.class.getResourceAsStream("/memmap/memmap-32-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-32", in.readAllBytes());
    }
    MemoryMap node0 = new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 0).toList(),
        map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
    Layout layout = built(node0, TdxLimits.DEFAULT);
    assertEquals(261_633 * 4096L, layout.pamtBytes());
    assertEquals(3, layout.size());
    assertEquals(21, layout.reservedAreaCount());
  }
}
