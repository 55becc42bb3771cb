package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaFreeNodeBound}: the bound by hand on a two-node map, met by {@link ExhaustiveSearch}'s
 * optimum (which enumerates every TDMR set, those wholly inside a run too), and both engines' price
 * of the limits there, which no longer names {@link ModuleFamilyRestrictions#INSIDE_A_RUN}.
 */
class AreaFreeNodeBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits NO_AREAS = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(0);

  /**
   * Node 0: [1G, 1G + 64M) and [1G + 128M, 3G), so the granule [1G, 2G) holds a hole; node 1: the
   * run [3G, 6G), of 3 GiB, touching node 0's block.
   */
  private static final MemoryMap NODE_WITHOUT_HOLES = MemoryMap.ofBlocks("node 1 without holes", List.of(
      new MemoryBlock(G, G + 64 * M, 0), new MemoryBlock(G + 128 * M, 3 * G, 0), new MemoryBlock(3 * G, 6 * G, 1)));

  @Test
  void aNodeWithoutHolesLeavesAGranuleOutForItsLevels() {
    // Node 0: the granule [1G, 2G) holds the hole [1G + 64M, 1G + 128M), so no TDMR without areas
    // holds it: its 64 + 896 MiB = 245 760 pages are PAMT, more than a 1 GiB TDMR's three levels
    // (1024 + 2 + 1 = 1027 pages), so F_0 = 245 760 bounds node 0. Node 1: no hole, F_1 = 0; a
    // TDMR over its memory keeps its levels on node 1 outside every TDMR, so at least one of its
    // granules is out, 262 144 pages (all three, 786 432, otherwise). 245 760 + 262 144 = 507 904.
    Instance instance = Instance.of(NODE_WITHOUT_HOLES, NO_AREAS, MODULE);
    assertEquals(1027, instance.levelsPages(1));
    assertEquals(Optional.of(507_904L), boxed(new AreaFreeNodeBound(instance).leastPamtPages()));
    // Met: [2G, 3G) with its 4K level padded over [1G + 128M, 2G) and its 2M and 1G levels over
    // [1G, 1G + 64M), and [3G, 5G) with its levels in [5G, 6G). A TDMR inside the run, [4G, 5G),
    // leaves [3G, 4G) and [5G, 6G) out: 2 GiB, more.
    ExhaustiveSearch.Result best = new ExhaustiveSearch(NODE_WITHOUT_HOLES, NO_AREAS, MODULE).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes());
    assertEquals(507_904L * 4096, best.score().pamtBytes());
  }

  @Test
  void appliesOnlyWithoutAreasAndUnderNodeLocal() {
    assertTrue(new AreaFreeNodeBound(Instance.of(NODE_WITHOUT_HOLES, NO_AREAS.withMaxReservedPerTdmr(1), MODULE))
        .leastPamtPages().isEmpty());
    assertTrue(new AreaFreeNodeBound(Instance.of(NODE_WITHOUT_HOLES, NO_AREAS,
        MODULE.withPamt(Policy.PamtPlacementPolicy.ANY))).leastPamtPages().isEmpty());
  }

  /** {@link #NODE_WITHOUT_HOLES} with node 1's run 17 GiB long, [3G, 20G): past what a second solve cuts. */
  private static final MemoryMap LONG_RUN = MemoryMap.ofBlocks("node 1 with a long run", List.of(
      new MemoryBlock(G, G + 64 * M, 0), new MemoryBlock(G + 128 * M, 3 * G, 0), new MemoryBlock(3 * G, 20 * G, 1)));

  @Test
  void enginesPriceTheLimitWithoutNamingATdmrInsideARun() {
    // As above, node 0 pays its 245 760 pages and node 1, without a hole, a GiB for its levels:
    // 507 904 pages, met by [2G, 3G) and [3G, 19G) with its levels padded over [19G, 20G). Node 1's
    // run of 17 GiB is longer than InnerTdmrRuns cuts (16 GiB), so before the bound both engines'
    // price named a TDMR inside it; the bound holds for every layout, so now neither does.
    assertEquals(Optional.of(507_904L), boxed(new AreaFreeNodeBound(Instance.of(LONG_RUN, NO_AREAS, MODULE))
        .leastPamtPages()));
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(LONG_RUN, NO_AREAS, MODULE, SolveOptions.DEFAULT.stoppingAfterPamt());
      assertTrue(r.pamtProvenLeast(), e.name() + ": " + r.messages());
      assertEquals(507_904L * 4096, r.layout().orElseThrow().pamtBytes(), e.name());
      assertEquals(0, LayoutScore.of(LONG_RUN, NO_AREAS, MODULE, r.layout().orElseThrow()).remotePamtBytes(), e.name());
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), e.name() + ": " + r.restrictions());
    }
  }

  private static Optional<Long> boxed(java.util.OptionalLong v) {
    return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
  }
}
