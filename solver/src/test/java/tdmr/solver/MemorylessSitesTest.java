package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.MemorylessSite;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Where {@link Instance#memorylessSites} lets TDMRs without TDX memory lie, derived by hand from its
 * rule: per area cost, the granules nearest the memory outside it (above first) until {@code
 * maxTdmrs} are offered in all, and a cell without memory inside the memory when fewer than {@code
 * maxTdmrs} granules of at most its cost lie outside.
 */
class MemorylessSitesTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  /**
   * Memory in granules 1 and 3 ({@code [1G, 1G+8M)} and {@code [3G, 4G)}), HKID limit 4 GiB, CMRs
   * over the blocks and over granule 2 (so {@code [2G, 4G)} is one merged CMR): granule 2 is a cell
   * without memory, wholly convertible; granule 0 lies below the memory outside every CMR; nothing
   * lies above (the HKID limit).
   */
  private static final MemoryMap GAP_INSIDE = MemoryMap.of("gap-inside",
      List.of(new MemoryBlock(G, G + 8 * M, 0), new MemoryBlock(3 * G, 4 * G, 0)),
      List.of(new AddressRange(G, G + 8 * M), new AddressRange(2 * G, 3 * G), new AddressRange(3 * G, 4 * G)));

  private static final TdxLimits HKID_4G = new TdxLimits(3, 1, 16, 16, 16, false, 32);

  private static final Policy MEMLIST = Policy.DEFAULT;
  private static final Policy CMR = Policy.DEFAULT.withHoles(Policy.Holes.CMR);

  @Test
  void underMemlistEveryGranuleCostsAnAreaAndTheOneBelowComesFirst() {
    // Every granule without memory costs 1 area; outside: only [0, 1G), so fewer than 3 and the
    // cell of the gap is offered too.
    Instance i = Instance.of(GAP_INSIDE, HKID_4G, MEMLIST);
    int gapCell = cellAt(i, 2 * G);
    assertEquals(List.of(new MemorylessSite(-1, 1, List.of(new AddressRange(0, G))),
        new MemorylessSite(gapCell, 1, List.of(new AddressRange(2 * G, 3 * G)))), i.memorylessSites());
  }

  @Test
  void underCmrTheConvertibleGapCostsNoArea() {
    // Granule 0 is outside every CMR: 1 area; granule 2 is convertible: 0, and no granule of cost 0
    // lies outside, so its cell is offered.
    Instance i = Instance.of(GAP_INSIDE, HKID_4G, CMR);
    int gapCell = cellAt(i, 2 * G);
    assertEquals(List.of(new MemorylessSite(-1, 1, List.of(new AddressRange(0, G))),
        new MemorylessSite(gapCell, 0, List.of(new AddressRange(2 * G, 3 * G)))), i.memorylessSites());
    // No area allowed: only the convertible gap is left.
    Instance none = Instance.of(GAP_INSIDE, HKID_4G.withMaxReservedPerTdmr(0), CMR);
    assertEquals(List.of(new MemorylessSite(gapCell, 0, List.of(new AddressRange(2 * G, 3 * G)))),
        none.memorylessSites());
  }

  @Test
  void enoughGranulesAboveLeaveTheGapOut() {
    // HKID limit 8 GiB: granules 4 to 7 lie above the memory, outside every CMR, 1 area each; the 3
    // nearest are offered, so under memlist neither granule 0 nor the gap is (any TDMR without
    // memory there moves to a free one of them).
    TdxLimits limits = new TdxLimits(3, 1, 16, 16, 16, false, 33);
    Instance i = Instance.of(GAP_INSIDE, limits, MEMLIST);
    assertEquals(List.of(new MemorylessSite(-1, 1,
        List.of(new AddressRange(4 * G, 5 * G), new AddressRange(5 * G, 6 * G), new AddressRange(6 * G, 7 * G)))),
        i.memorylessSites());
  }

  private static int cellAt(Instance i, long address) {
    return i.cells().stream().filter(c -> c.range().start() == address).findFirst().orElseThrow().index();
  }
}
