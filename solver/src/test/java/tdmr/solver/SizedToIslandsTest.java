package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Node 0 of the seed-7 sweep's {@code fragmented-16} map, where the reserved-areas tier is settled
 * by TDMRs sized so that their levels fill islands: {@link AreaCountBound} over the TDMR sets at the
 * PAMT and TDMR count (a lower bound) and {@link FilledStart} (a layout that meets it).
 *
 * <p>The map by hand: a run of 2 GiB below 4 GiB whose memory lies between 18 runs of holes ({@code
 * [0, 1M)}, 15 small reserved or ACPI ranges, {@code [0x61aee000, 0x6f7ff000)} and {@code [0x6f800000,
 * 2G)}; the 17 islands between them: 338 313 pages above 1 MiB, then 3663, 5064, 314, 215, 20, 7870,
 * 36, 123, 11, 4432, 12 270, 1909, 18 352, 4569, 259 and 1), and a run of 62 GiB from 4 GiB whose
 * last granule ends in 96 MiB outside the CMRs. Covering bound: 2048 + 4 + 1 and 63 488 + 124 + 1,
 * 65 666 pages; with 16 areas one TDMR over the low run must fill two islands, which one per run
 * with one page of padding cannot (a 1G level fills the island of 1; no other sum of 2048, 4, 1,
 * 63 488, 124, 1 comes within a page of an island), nor can it without padding: 65 667 pages and 3
 * TDMRs ({@link FilledIslandsPamtBound}).
 *
 * <p>At 65 667 pages and 3 TDMRs, with no padding left, the TDMRs are either the low run cut at 1
 * GiB ({@code [0, 1G)} with one run of holes, {@code [1G, 2G)} with 17) and the high run whole, or
 * the low run whole and the high run cut into {@code a} and {@code 62 - a} GiB. Every TDMR over the
 * high run's last granule reserves its end. The first: 1 + 17 + 1 runs, and of {@code [1G, 2G)}'s
 * islands only the 1-page one can be filled (levels 1024, 2, 1, 1024, 2, 1, 63 488, 124, 1), so 18
 * areas. The second: 18 + 0 + 1 runs, and at most 2 islands filled, so 17. (The levels 2048, 4, 1,
 * {@code 1024a}, {@code 2a}, 1, {@code 1024(62 - a)}, {@code 2(62 - a)}, 1 have no padding; the
 * 2M and 1G levels sum to 131, so only the islands of 1, 11, 20, 36 and 123 pages can be filled, as
 * every larger island less any sum of 4K levels is above 131 pages; no three of those five are
 * sums of disjoint groups of the small levels for any {@code a}, which an enumeration of the 61 cuts
 * written apart from the code confirms.) {@code a = 10} reaches 17: the 1G level of the low TDMR in
 * the island of 1 page, the 2M level of the 10 GiB TDMR (20 pages) in the island of 20.
 */
class SizedToIslandsTest {
  private static final Policy NODE_LOCAL = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  private static MemoryMap map() throws Exception {
    try (var in = SizedToIslandsTest.class.getResourceAsStream("/fragmented/fragmented-16-seed7-node0.txt")) {
      return tdmr.parse.MapReader.readBytes("fragmented-16-seed7-node0", in.readAllBytes());
    }
  }

  @Test
  void thePamtAndTdmrTiersAre65667PagesAnd3Tdmrs() throws Exception {
    Instance instance = Instance.of(map(), TdxLimits.DEFAULT, NODE_LOCAL);
    assertEquals(65_666, new ModuleFamilyBounds(instance, true).leastPamtPages().getAsLong());
    FilledIslandsPamtBound filled = new FilledIslandsPamtBound(instance, true);
    assertEquals(65_667, filled.raise(65_666));
    assertEquals(3, filled.raiseTdmrs(65_667, 2));
  }

  @Test
  void everyLayoutAtThosePamtAndTdmrsHasAtLeast17Areas() throws Exception {
    Instance instance = Instance.of(map(), TdxLimits.DEFAULT, NODE_LOCAL);
    assertEquals(17, new AreaCountBound(instance).leastAreas(65_667, 3));
  }

  @Test
  void theLayoutBuiltHasThem() throws Exception {
    MemoryMap map = map();
    Layout layout = new FilledStart(Instance.of(map, TdxLimits.DEFAULT, NODE_LOCAL)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, NODE_LOCAL, layout));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, NODE_LOCAL, layout);
    assertEquals(65_667 * 4096L, score.pamtBytes());
    assertEquals(0, score.remotePamtBytes());
    assertEquals(3, score.tdmrs());
    assertEquals(17, score.reservedAreas());
  }
}
