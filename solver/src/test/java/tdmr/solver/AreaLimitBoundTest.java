package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaLimitBound} on a map whose values are derived by hand. In pages of 4 KiB, a TDMR of
 * {@code n} GiB has levels of 1024·n, 2·n and 1 pages (16-byte entries).
 */
class AreaLimitBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  /**
   * [1G, 3G) with a hole of 4 KiB 8 MiB into each granule, one reserved area per TDMR. One TDMR of 2
   * GiB would have the covering bound, 2048 + 4 + 1 = 2053 pages, but it holds two runs of holes:
   * neither escapes (its granule holds 262 143 pages of memory, far more than the PAMT, so it is not
   * left out) and the island between them (about 1 GiB) is too large to fill, so every layout has 2
   * areas at that PAMT, and with one per TDMR 2 TDMRs, whose levels cover the 2 GiB with 2·1026
   * pages and have a 1G level each: 2054 pages, e.g. [1G, 2G) and [2G, 3G) with each TDMR's levels
   * against its hole.
   */
  @Test
  void twoRunsOfHolesWithOneAreaPerTdmrNeedTwoTdmrs() {
    MemoryMap map = MemoryMap.ofBlocks("two holes", List.of(new MemoryBlock(G, G + 8 * M, 0),
        new MemoryBlock(G + 8 * M + 4 * K, 2 * G + 8 * M, 0), new MemoryBlock(2 * G + 8 * M + 4 * K, 3 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1).withMaxTdmrs(4);
    Instance instance = Instance.of(map, limits, MODULE);
    ModuleFamilyBounds covering = new ModuleFamilyBounds(instance, false);
    assertEquals(OptionalLong.of(2053), covering.leastPamtPages());
    AreaLimitBound bound = new AreaLimitBound(instance, covering);
    assertEquals(2, bound.leastTdmrs(2053));
    assertEquals(2054, bound.raise(2053));
    assertEquals(2054, bound.raise(2054));
    // The tiers together, and the exhaustive search (which shares nothing with the bound).
    assertEquals(2054, new TierBounds(instance).pamtPages(new TierBounds.Proven(true, false, OptionalLong.empty(),
        OptionalLong.empty())).orElseThrow().value());
    assertEquals(2054 * 4 * K, new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score().pamtBytes());
    // With two areas per TDMR one TDMR holds both runs (and its levels against one of them).
    Instance two = Instance.of(map, limits.withMaxReservedPerTdmr(2), MODULE);
    assertEquals(2053, new AreaLimitBound(two, new ModuleFamilyBounds(two, false)).raise(2053));
  }
}
