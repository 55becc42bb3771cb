package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * When an optimum meets a lower bound derived for the whole family in every tier, so that neither
 * engine names a restriction ({@link ModuleFamilyRestrictions#meetsFamilyBounds}); values by hand.
 */
class ModuleFamilyRestrictionsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  private static LayoutScore score(long pamtPages, int tdmrs, int areas) {
    return new LayoutScore(0, 0, pamtPages * 4096, tdmrs, areas);
  }

  @Test
  void anOptimumAtEveryBoundNamesNoRestriction() {
    // One block [1G + 4K, 5G): every layout covers its granules (each holds far more memory than the
    // 4 · 1026 + 1 = 4105 pages of one TDMR over them), so PAMT is at least 4105 pages, TDMRs at
    // least 1, and the TDMR over [1G, 2G) holds the hole [1G, 1G + 4K): at least 1 area.
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(new MemoryBlock(G + 4 * K, 5 * G, 0)));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    assertTrue(ModuleFamilyRestrictions.meetsFamilyBounds(instance, score(4105, 1, 1)));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(instance, score(4105, 1, 2)));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(instance, score(4105, 2, 1)));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(instance, score(4106, 1, 1)));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(instance,
        new LayoutScore(4096, 0, 4105 * 4096, 1, 1)));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(instance,
        new LayoutScore(0, 4096, 4105 * 4096, 1, 1)));
  }

  @Test
  void anAreaOnlyNodeAreaBoundForcesIsProvenUnderNodeLocalOnly() {
    // One block [1G, 5G): the one TDMR's PAMT lies inside it in 1 area. Under PAMT node-local with
    // no remote PAMT, NodeAreaBound sees that node 0's levels lie in its memory, all in TDMRs, so in
    // a reserved area: 1. Under PAMT any no bound says a layout needs one (the bounds know no hole
    // here), so there the optimum's areas tier is the model's proof.
    MemoryMap map = MemoryMap.ofBlocks("four", List.of(new MemoryBlock(G, 5 * G, 0)));
    Instance nodeLocal = Instance.of(map, TdxLimits.DEFAULT, MODULE.withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL));
    assertTrue(ModuleFamilyRestrictions.meetsFamilyBounds(nodeLocal, score(4105, 1, 1)));
    Instance any = Instance.of(map, TdxLimits.DEFAULT, MODULE.withPamt(Policy.PamtPlacementPolicy.ANY));
    assertFalse(ModuleFamilyRestrictions.meetsFamilyBounds(any, score(4105, 1, 1)));
  }
  @Test
  void aTdmrWithoutMemoryCanFillAGranuleTheOthersLeaveOut() {
    // Node 0: 1500 pages at 1 MiB and [1G, 2G); node 1: [2G, 3G), touching node 0 at 2 GiB (an edge of
    // two nodes on a GiB boundary, no granule holding both). The least PAMT: granule 0 left out, its
    // 1500 pages filled by [1G, 2G)'s levels padded (covering it would cost 2 · 1026 + 1 = 2053), and
    // node 1's 1027: 2527 pages. A layout with a TDMR without memory does not pay 1027 pages on top of
    // that: [1G, 2G)'s levels (1027 pages) and the 2M level of [3G, 4G) padded to 472 pages and its
    // 1G level (1 page) fill the 1500 pages; its 4K level (1024 pages) lies in [1G, 2G), one area, and
    // node 1's 1027 pages in [2G, 3G), one area; [3G, 4G) is all gap, one area: 1500 + 1024 + 1027 =
    // 3551 pages, below 2527 + 1027. So the least PAMT with a TDMR without memory is not the least
    // PAMT plus its levels (a level straddling the edge could lie in such a TDMR, which the bound
    // once ruled out wrongly: ModuleFamilyBounds#leastPamtPagesWithMemoryless).
    long p = 4 * K;
    long m = 1024 * K;
    MemoryMap map = MemoryMap.ofBlocks("edge", List.of(new MemoryBlock(m, m + 1500 * p, 0),
        new MemoryBlock(G, 2 * G, 0), new MemoryBlock(2 * G, 3 * G, 1)));
    Policy policy = MODULE.withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, policy);
    assertEquals(2527, new ModuleFamilyBounds(instance, true).leastPamtPages().getAsLong());
    Layout withoutMemory = new ReservedAreas(map, policy.holes()).layout(List.of(
        new ReservedAreas.Placed(new AddressRange(G, 2 * G),
            new Pamt(new PamtRange(m, 1024 * p), new PamtRange(m + 1024 * p, 2 * p), new PamtRange(m + 1026 * p, p))),
        new ReservedAreas.Placed(new AddressRange(2 * G, 3 * G),
            new Pamt(new PamtRange(2 * G, 1024 * p), new PamtRange(2 * G + 1024 * p, 2 * p),
                new PamtRange(2 * G + 1026 * p, p))),
        new ReservedAreas.Placed(new AddressRange(3 * G, 4 * G),
            new Pamt(new PamtRange(G, 1024 * p), new PamtRange(m + 1027 * p, 472 * p), new PamtRange(m + 1499 * p, p)))),
        List.of());
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, policy, withoutMemory));
    assertTrue(new LayoutScore(0, 0, 3551 * p, 3, 3).sameRank(LayoutScore.of(map, TdxLimits.DEFAULT, policy,
        withoutMemory), policy));
    assertTrue(new ModuleFamilyBounds(instance, true).leastPamtPagesWithMemoryless(1027).getAsLong() <= 3551);
  }
}
