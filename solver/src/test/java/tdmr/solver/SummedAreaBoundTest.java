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
   * runs beyond one per granule, 3 levels, t = min(1, 2) = 1 TDMR over them. An area joining the
   * two granules would hold the 822 MiB of memory between 4G + 302M and 5G + 100M, all PAMT: a
   * level of its own, so no join is free (joinable 0) and the TDMR has at least 4 - 3 + max(1, 2 -
   * 0) = 3 areas: 1 and 2 areas are ruled out. With 3, [4G, 6G) has 6 runs and 5 islands (four of
   * 98 MiB, one of 822 MiB), and its 3 levels (8 MiB, 16 KiB, 4 KiB at least) fill three islands,
   * padded: 6 - 3 = 3. The exhaustive search agrees on both.
   */
  @Test
  void oneTdmrOfTwoAreasIsRuledOutByTheGranulesTogether() {
    MemoryMap map = twoGranules();
    ReservedAreaBounds bounds = new ReservedAreaBounds(Instance.of(map, ONE, MODULE));
    assertEquals(3, bounds.leastMaxReserved(1));
    AreaShortfall why = bounds.shortfall(1, 2).orElseThrow();
    AreaShortfall.Granules granules = assertInstanceOf(AreaShortfall.Granules.class, why);
    assertEquals(6, granules.runs());
    assertEquals(2, granules.granules());
    assertEquals(3, granules.levels());
    assertEquals(0, granules.joinable());
    assertTrue(new ExhaustiveSearch(map, ONE.withMaxReservedPerTdmr(2), MODULE).best().isEmpty());
    assertTrue(new ExhaustiveSearch(map, ONE.withMaxReservedPerTdmr(3), MODULE).best().isPresent());
  }

  /**
   * Two granules, {@code [4G, 5G)} and {@code [5G, 6G)}, with holes of 2 MiB at 100 and 200 MiB into
   * each and one of 4 MiB over the boundary {@code [5G - 2M, 5G + 2M)}: 3 runs per granule, and
   * no TDX memory between the first granule's last run and the second's first.
   */
  private static MemoryMap touchingGranules() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(4 * G, 4 * G + 100 * M, 0),
        new MemoryBlock(4 * G + 102 * M, 4 * G + 200 * M, 0), new MemoryBlock(4 * G + 202 * M, 5 * G - 2 * M, 0),
        new MemoryBlock(5 * G + 2 * M, 5 * G + 100 * M, 0), new MemoryBlock(5 * G + 102 * M, 5 * G + 200 * M, 0),
        new MemoryBlock(5 * G + 202 * M, 6 * G, 0));
    return MemoryMap.of("two granules touching at a hole", blocks, List.of(new AddressRange(4 * G, 6 * G)));
  }

  /**
   * By hand, 1 TDMR: S = 2 + 2 = 4, 3 levels, and the pair touches (the hole over 5G is one run of
   * [4G, 6G), joinable 1): 4 - 3 + max(1, 2 - 1) = 2 areas at least, not 3. [4G, 6G) has 5 runs
   * and 4 islands, each at least 98 MiB: its 3 levels fill three, 5 - 3 = 2 areas. The exhaustive
   * search finds that layout: the join over the hole is not counted against it.
   */
  @Test
  void granulesTouchingAtAHoleShareAnArea() {
    MemoryMap map = touchingGranules();
    ReservedAreaBounds bounds = new ReservedAreaBounds(Instance.of(map, ONE, MODULE));
    assertEquals(2, bounds.leastMaxReserved(1));
    AreaShortfall.Granules granules = assertInstanceOf(AreaShortfall.Granules.class,
        bounds.shortfall(1, 1).orElseThrow());
    assertEquals(1, granules.joinable());
    assertTrue(new ExhaustiveSearch(map, ONE.withMaxReservedPerTdmr(2), MODULE).best().isPresent());
  }
}
