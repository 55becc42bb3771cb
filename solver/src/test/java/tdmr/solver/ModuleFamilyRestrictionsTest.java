package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
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
}
