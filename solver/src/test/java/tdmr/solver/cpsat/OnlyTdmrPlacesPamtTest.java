package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * CP-SAT's PAMT tier at {@code --max-tdmrs 1}, proven over the places of the only TDMR that {@link
 * tdmr.solver.OnlyTdmrPlaces} leaves (the TDMR fixed at each), as Z3's prover does; by hand and
 * against {@link ExhaustiveSearch}. In pages of 4 KiB a TDMR of N GiB needs 1 024·N pages of 4K
 * level, 2·N of 2M level and ceil(N / 256) of 1G level.
 */
class OnlyTdmrPlacesPamtTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final long PAGE = 4 * K;
  private static final Policy ANY = new Policy(Policy.Holes.CMR, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL,
      Policy.Family.MODULE);

  /**
   * An island of 4 pages at {@code 1G + 4K} and a block {@code [2G, 6G)}, one node, one TDMR, two
   * areas. The TDMR {@code [2G, 6G)} needs 4 096 + 8 + 1 = 4 105 pages and leaves the island out,
   * which PAMT must fill exactly: the 8-page 2M level and the 4K level are larger, so the 1G level
   * padded from 1 page to 4 fills it, 4 108 pages. A TDMR holding the island too spans at least
   * {@code [1G, 6G)}: 5 120 + 10 + 1 = 5 131. A TDMR without memory leaves all 4 GiB out. So 4 108,
   * the TDMR {@code [2G, 6G)}; its 4K and 2M levels lie inside it in one area at its end.
   */
  @Test
  void islandLeftOutFilledByThePaddedOneGLevel() {
    MemoryMap map = MemoryMap.ofBlocks("island and 4 GiB", List.of(new MemoryBlock(G + PAGE, G + 5 * PAGE, 0),
        new MemoryBlock(2 * G, 6 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(2);
    EngineResult r = new CpSatEngine().solve(map, limits, ANY, new SolveOptions(60, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages() + " " + r.details());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, ANY, layout));
    LayoutScore s = LayoutScore.of(map, limits, ANY, layout);
    assertEquals(4_108 * PAGE, s.pamtBytes());
    assertEquals(new AddressRange(2 * G, 6 * G), layout.tdmrs().get(0).range());
    assertTrue(r.details().stream().anyMatch(d -> d.contains("proven with the only TDMR fixed at each place")),
        r.details().toString());
    LayoutScore expected = new ExhaustiveSearch(map, limits, ANY).best().orElseThrow().score();
    assertTrue(expected.sameRank(s, ANY), expected + " " + s);
  }
}
