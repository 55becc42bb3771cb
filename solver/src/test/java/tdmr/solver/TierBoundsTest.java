package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The bounds of each tier on a map whose values are derived by hand: [1G, 2G) holds the blocks
 * [1G, 1G+100M), [1G+100M+4K, 1G+300M) and [1G+300M+8K, 2G), all in one CMR. Under holes memlist
 * the two gaps must be reserved; a 1 GiB TDMR's levels are 1024 (4K), 2 (2M) and 1 (1G) pages.
 */
class TierBoundsTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final MemoryMap MAP = MemoryMap.of("islands", List.of(
          new MemoryBlock(G, G + 100 * M, 0),
          new MemoryBlock(G + 100 * M + 4 * K, G + 300 * M, 0),
          new MemoryBlock(G + 300 * M + 8 * K, 2 * G, 0)),
      List.of(new AddressRange(G, 2 * G)));
  private static final TierBounds.Proven COVERING =
      new TierBounds.Proven(true, false, OptionalLong.empty(), OptionalLong.empty());

  private static TierBounds bounds(TdxLimits limits, Policy policy) {
    return new TierBounds(Instance.of(MAP, limits, policy));
  }

  /**
   * With the default limits nothing must be filled: the least PAMT is one 1 GiB TDMR's levels, 1027
   * pages (the covering bound), and with it one TDMR and two areas (the two gaps, apart).
   */
  @Test
  void defaultLimitsCostTheCoveringTdmrsLevels() {
    TierBounds b = bounds(TdxLimits.DEFAULT, MODULE);
    assertEquals(1027, b.pamtPages(COVERING).orElseThrow().value());
    assertEquals(1, b.tdmrs(COVERING.withPamt(1027)).map(TierBounds.Bound::value).orElse(1L));
    assertEquals(2, b.reservedAreas(COVERING.withPamt(1027).withTdmrs(1), Long.MAX_VALUE).orElseThrow().value());
  }

  /**
   * One TDMR with one area: both gaps lie in one area, so the 200 MiB - 4 KiB island between them
   * is PAMT, 51 199 pages, which the reserved-area limit's price says (and a single 4K level padded
   * to 51 196 pages with the 2M and 1G levels beside it fills it): above the covering bound of 1027.
   * The areas tier is then 1.
   */
  @Test
  void theAreaLimitsPriceLiftsThePamtTierAboveTheCoveringBound() {
    TierBounds b = bounds(TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1), MODULE);
    long island = (200 * M - 4 * K) / (4 * K);
    assertEquals(51_199, island);
    TierBounds.Bound pamt = b.pamtPages(COVERING).orElseThrow();
    assertEquals(island, pamt.value());
    assertEquals(ReservedAreaBounds.class.getSimpleName(), pamt.source());
    assertEquals(1, b.reservedAreas(COVERING.withPamt(island).withTdmrs(1), Long.MAX_VALUE).orElseThrow().value());
  }

  /**
   * The bound a witness states when the time limit struck before the tiers were proven (CP-SAT's
   * layout built by FilledStart, Z3's kept layout): a layout covering all memory with no remote PAMT
   * proves those tiers, so the PAMT tier's bound is the covering one, one 1 GiB TDMR's levels, 1027
   * pages, below a witness of 1100. Past the deadline the searches are cut, ExactFillBound's among
   * them (the granule [1G, 2G) holds less than 1 GiB of memory, so it would try leaving it out,
   * and threw the deadline before), and the bound is still the covering one. A witness below the
   * bound (none is valid) would cap it. Under coverage max a witness giving up memory proves no
   * covering tier: at the default limits the reserved-area price is 0, so no bound.
   */
  @Test
  void aWitnessPastTheDeadlineStatesTheCoveringBound() throws InterruptedException {
    LayoutScore witness = new LayoutScore(0, 0, 1100 * 4096L, 1, 2);
    assertEquals(OptionalLong.of(1027 * 4096L), bounds(TdxLimits.DEFAULT, MODULE).pamtBytesBelow(witness));
    Deadline soon = Deadline.in(0.5);
    Instance late = Instance.of(MAP, TdxLimits.DEFAULT, MODULE, soon);
    while (!soon.expired()) {
      Thread.sleep(20);
    }
    assertEquals(OptionalLong.of(1027 * 4096L), new TierBounds(late).pamtBytesBelow(witness));
    assertEquals(OptionalLong.of(1000 * 4096L),
        new TierBounds(late).pamtBytesBelow(new LayoutScore(0, 0, 1000 * 4096L, 1, 2)));
    LayoutScore givingUp = new LayoutScore(100 * M, 0, 1000 * 4096L, 1, 2);
    assertEquals(OptionalLong.empty(),
        bounds(TdxLimits.DEFAULT, MODULE.withCoverage(Policy.Coverage.MAX)).pamtBytesBelow(givingUp));
  }

  /** Later tiers know nothing until the tiers before them are proven. */
  @Test
  void nothingBeforeTheTiersItNeeds() {
    TierBounds b = bounds(TdxLimits.DEFAULT, MODULE);
    assertEquals(Optional.empty(), b.tdmrs(COVERING));
    assertEquals(Optional.empty(), b.reservedAreas(COVERING, Long.MAX_VALUE));
    TierBounds.Proven givingUp = new TierBounds.Proven(false, false, OptionalLong.of(1027), OptionalLong.empty());
    assertEquals(Optional.empty(), b.covering(givingUp));
    assertEquals(Optional.empty(), b.tdmrs(givingUp));
    // Under coverage max, memory may be given up instead of filling islands: no price is known.
    TierBounds max = bounds(TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1),
        MODULE.withCoverage(Policy.Coverage.MAX));
    assertTrue(max.pamtPages(givingUp).isEmpty());
  }
}
