package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link ReservedAreaBounds}' areas bound summed over granules ({@link AreaShortfall.Granules}) on a
 * hand-made map where no single granule rules the limit out, against {@link ExhaustiveSearch}.
 */
class SummedAreaBoundTest {
  private static final long M = 1024 * 1024;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits ONE = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);

  /**
   * Two granules, {@code [4G, 5G)} and {@code [5G, 6G)}, each with three holes of 2 MiB at 100, 200
   * and 300 MiB into it: 3 runs and 2 islands of 98 MiB (each holds every level of a 1 GiB TDMR) per
   * granule, and 4 stretches of memory per granule.
   */
  private static MemoryMap twoGranules() {
    List<MemoryBlock> blocks = new java.util.ArrayList<>();
    long at = 4 * G;
    for (long g = 4 * G; g < 6 * G; g += G) {
      for (long hole = 100 * M; hole <= 300 * M; hole += 100 * M) {
        blocks.add(new MemoryBlock(at, g + hole, 0));
        at = g + hole + 2 * M;
      }
    }
    blocks.add(new MemoryBlock(at, 6 * G, 0));
    return MemoryMap.of("two granules of three holes", blocks, List.of(new AddressRange(4 * G, 6 * G)));
  }

  /**
   * By hand, 1 TDMR: each granule alone needs 3 - 2 = 1 area (its 2 islands take 2 of the 3
   * levels), and it cannot be left out (4 stretches, 3 levels). Summed: S = (3 - 1) + (3 - 1) = 4
   * runs beyond one per granule, 3 levels, t = min(1, 2) = 1 TDMR over them: at least 1 + ceil((4 -
   * 3) / 1) = 2 areas, so 1 area is ruled out; the exhaustive search finds no layout there either.
   */
  @Test
  void oneTdmrOfOneAreaIsRuledOutByTheGranulesTogether() {
    MemoryMap map = twoGranules();
    ReservedAreaBounds bounds = new ReservedAreaBounds(Instance.of(map, ONE, MODULE));
    assertEquals(2, bounds.leastMaxReserved(1));
    AreaShortfall why = bounds.shortfall(1, 1).orElseThrow();
    AreaShortfall.Granules granules = assertInstanceOf(AreaShortfall.Granules.class, why);
    assertEquals(6, granules.runs());
    assertEquals(2, granules.granules());
    assertEquals(3, granules.levels());
    assertTrue(new ExhaustiveSearch(map, ONE, MODULE).best().isEmpty());
  }
}
