package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class FrontierTest {
  private static final long KiB = 1L << 10;

  /**
   * canonical/tdx#135 (realmaps/tdx-fail-emr-foxcreekpass-...-135.txt), derived by hand. TDX memory lies below 2 GiB: 16 e820 usable ranges above
   * 1 MiB, the first [0x100000, 0x5d169000) reaching across 1 GiB, the other 15 inside
   * [1G, 2G). Under holes memlist a TDMR reserves every stretch it covers outside the blocks:
   *
   * <ul>
   *   <li>[0, 1G) holds one hole, [0, 0x100000);
   *   <li>[1G, 2G) holds 16: the 15 gaps between consecutive blocks after the first, and
   *       [0x6f800000, 2G) after the last block;
   *   <li>so [0, 2G) holds 17.
   * </ul>
   *
   * A PAMT chunk stacked against a hole joins that hole's area. Chunks could merge two holes only
   * by filling a block between them exactly, but the blocks inside [1G, 2G) are 4, 4, 8, 64, 244,
   * 424, 536, 1680, 3276, 3784, 3916, 5580, 8272, 17700 and 172264 KiB, none of them 4108, 8212
   * or 8216 KiB (one or two chunks). One TDMR [0, 2G) therefore
   * needs exactly 17 areas and pays 4104·2 + 4 = 8212 KiB; with two TDMRs [0, 1G) and [1G, 2G) the
   * second needs 16 (the first needs 1) and the PAMT is 2·4108 = 8216 KiB. With 16 areas allowed
   * only the split fits; with 17 the single TDMR is cheaper. More TDMRs cannot help: there are
   * only two granules with memory.
   */
  @Test
  void tdx135FrontierIsSeventeenWithOneTdmrAndSixteenWithMore() throws Exception {
    Frontier f = new Frontier(List.of(new Z3Engine()), SolveOptions.DEFAULT);
    List<FrontierPoint> points = f.compute(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, Policy.DEFAULT, 64);

    assertEquals(64, points.size());
    FrontierPoint one = points.get(0);
    assertEquals(Status.OPTIMAL, one.status());
    assertEquals(OptionalInt.of(17), one.minReserved());
    assertEquals(OptionalLong.of(8212 * KiB), one.pamtBytes());
    for (FrontierPoint p : points.subList(1, 64)) {
      assertEquals(Status.OPTIMAL, p.status(), "n=" + p.maxTdmrs());
      assertEquals(OptionalInt.of(16), p.minReserved(), "n=" + p.maxTdmrs());
      assertEquals(OptionalLong.of(8216 * KiB), p.pamtBytes(), "n=" + p.maxTdmrs());
      assertEquals("z3", p.provedBy());
    }
  }
}
