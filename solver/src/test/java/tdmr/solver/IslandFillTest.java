package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * IslandFill on canonical/tdx#135 at the module-family frontier derived in ReservedAreaBoundsTest:
 * at each point from 2 TDMRs on it builds a layout with the least areas and exactly the least PAMT
 * (in KiB: 13 932, 32 300, 206 780, 213 840 and 217 756), which passes the validator. At 5 TDMRs the
 * fifth 4K level shares the 172 264 KiB island with the fourth; at 6 every level sits in an island.
 */
class IslandFillTest {
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  @Test
  void tdx135LayoutsMeetThePriceAtEachPoint() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    IslandFill fill = new IslandFill(instance, new ReservedAreaBounds(instance));
    int[][] points = {{2, 10, 13_932}, {3, 7, 32_300}, {4, 4, 206_780}, {5, 2, 213_840}, {6, 1, 217_756},
        {64, 1, 217_756}};
    for (int[] p : points) {
      Optional<Layout> l = fill.cheapest(p[0], p[1]);
      assertTrue(l.isPresent(), "n=" + p[0]);
      TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(p[0]).withMaxReservedPerTdmr(p[1]);
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, l.get()), "n=" + p[0]);
      assertEquals(p[1], l.get().maxReservedPerTdmr(), "n=" + p[0]);
      assertEquals(p[2] * 1024L, l.get().pamtBytes(), "n=" + p[0]);
    }
    assertEquals(6, fill.cheapest(64, 1).orElseThrow().size());
  }

  @Test
  void oneTdmrCannotBeBuiltThisWay() throws Exception {
    Instance instance = Instance.of(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, MODULE);
    // [0, 1G) and [1G, 2G) hold memory: the construction needs a TDMR for each.
    assertEquals(Optional.empty(), new IslandFill(instance, new ReservedAreaBounds(instance)).cheapest(1, 14));
  }
}
