package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * {@link AreaFreeLayout} and {@link ReservedAreaBounds}' PAMT bound at 0 areas on a hand-made map,
 * against {@link ExhaustiveSearch}.
 */
class AreaFreeLayoutTest {
  private static final long M = 1024 * 1024;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits NO_AREAS = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(0);

  /**
   * {@code [1G, 2G)} with a hole of 2 MiB at 100 MiB into it, then memory of the same block to
   * {@code 3G}: the granule {@code [2G, 3G)} is the only one without a hole.
   */
  private static MemoryMap holeBelowPlainGranule() {
    return MemoryMap.of("a hole below a plain granule", List.of(new MemoryBlock(G, G + 100 * M, 0),
        new MemoryBlock(G + 102 * M, 3 * G, 0)), List.of(new AddressRange(G, 3 * G)));
  }

  /**
   * By hand, 1 TDMR and 0 areas: a TDMR without areas holds no hole (holes memlist) and no PAMT, so
   * it lies in {@code [2G, 3G)}, the only clean run, and the other 100 + 922 MiB of memory is all
   * PAMT: at least 1022 MiB = 261 632 pages. The construction meets it: the TDMR {@code [2G, 3G)},
   * its 1G level (1 page at least) padded to fill {@code [1G, 1G + 100M)}, its 2M level (2 pages)
   * and its 4K level (1 024 pages) padded to fill {@code [1G + 102M, 2G)}. The exhaustive search
   * finds no cheaper layout with 0 areas.
   */
  @Test
  void memoryOutsideTheCleanGranuleIsAllPamt() {
    MemoryMap map = holeBelowPlainGranule();
    Instance instance = Instance.of(map, NO_AREAS, MODULE);
    assertEquals(261_632, new ReservedAreaBounds(instance).leastPamtPages(1, 0));
    Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, NO_AREAS, MODULE, built));
    assertEquals(0, built.maxReservedPerTdmr());
    assertEquals(1022 * M, built.pamtBytes());
    assertEquals(2 * G, built.tdmrs().get(0).base());
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, NO_AREAS, MODULE).best().orElseThrow();
    assertEquals(1022 * M, best.score().pamtBytes());
  }
}
