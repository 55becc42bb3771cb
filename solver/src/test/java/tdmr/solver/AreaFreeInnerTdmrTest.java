package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaFreeInnerTdmr}: the bound by hand on a map shaped like the Dell R650's (islands of node
 * 0 below 2 GiB, node 0's run, node 1 touching it), met by {@link ExhaustiveSearch}'s best layout
 * with a TDMR inside the run (the referee limited to such TDMR sets), and the restriction no longer
 * named for the referee's optimum, which has 16 bytes of remote PAMT.
 */
class AreaFreeInnerTdmrTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits TWO = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(0);

  /** Node 0: 16 MiB at 1G + 4K (its granule holds a hole) and the run [2G, 5G); node 1: [5G, 6G). */
  private static final MemoryMap ISLAND_RUN_AND_NODE_1 = MemoryMap.ofBlocks("island, run and node 1", List.of(
      new MemoryBlock(G + 4 * K, G + 4 * K + 16 * M, 0), new MemoryBlock(2 * G, 5 * G, 0),
      new MemoryBlock(5 * G, 6 * G, 1)));

  /**
   * Within 2 TDMRs and no area. No TDMR holds [1G, 2G) (holes), so the island is PAMT. Node 1's one
   * GiB cannot have a TDMR of its own (its levels would need node 1's memory outside it), so it is
   * PAMT of a level describing another node's granules: at least 16 bytes of remote PAMT, one 1G
   * level of a 1 GiB TDMR. The optimum has that: [2G, 3G) and [3G, 5G), the first's 1G level over
   * node 1, the other five levels in the island (1024 + 2 + 2048 + 4 + 1 pages of 4096): 16M + 1G of
   * PAMT. With a TDMR T inside the run, [3G, 4G): no TDMR of node 1 either, so no layout without
   * remote PAMT; with 16 bytes, one more TDMR of node 0 leaves a GiB beside T out, and node 1: 16M +
   * 2G (e.g. [2G, 3G), T's 1G level over [4G, 6G)); T alone leaves 2 GiB beside it and node 1. So
   * the bound is (16M + 2G, 2 TDMRs) at 16 bytes, none below, and T cannot beat the optimum.
   */
  @Test
  void withinTwoTdmrsATdmrInsideTheRunLeavesAGranuleBesideItAndNode1Out() {
    Instance instance = Instance.of(ISLAND_RUN_AND_NODE_1, TWO, MODULE);
    Cell run = instance.cells().stream().filter(c -> c.kind() == Kind.PLAIN && c.sizeGiB() >= 3).findFirst().orElseThrow();
    AreaFreeInnerTdmr bound = new AreaFreeInnerTdmr(instance);
    assertEquals(Optional.empty(), bound.least(run, 15));
    long pages = (16 * M + 2 * G) / 4096;
    assertEquals(Optional.of(new AreaFreeInnerTdmr.Least(pages, 2)), bound.least(run, 16));

    ExhaustiveSearch referee = new ExhaustiveSearch(ISLAND_RUN_AND_NODE_1, TWO, MODULE);
    LayoutScore optimum = referee.best().orElseThrow().score();
    assertTrue(new LayoutScore(0, 16, 16 * M + G, 2, 0).sameRank(optimum, MODULE), optimum.toString());
    LayoutScore inner = referee.onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > 2 * G && t.end() < 5 * G))
        .best().orElseThrow().score();
    assertTrue(new LayoutScore(0, 16, 16 * M + 2 * G, 2, 0).sameRank(inner, MODULE), inner.toString());

    assertFalse(bound.couldBeat(run, Optional.of(optimum)));
    assertEquals(List.of(), ModuleFamilyRestrictions.runsWhereInnerTdmrCouldBeat(instance, Optional.of(optimum)));
    // An optimum with more PAMT than the bound, or more remote PAMT, could be beaten.
    assertTrue(bound.couldBeat(run, Optional.of(new LayoutScore(0, 16, 16 * M + 2 * G + 4 * K, 2, 0))));
    assertTrue(bound.couldBeat(run, Optional.of(new LayoutScore(0, 32, G, 2, 0))));
  }
}
