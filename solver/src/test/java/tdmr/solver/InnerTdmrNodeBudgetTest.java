package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link InnerTdmrNodeBudget}: the bound by hand, met by {@link ExhaustiveSearch}'s best layout
 * with a TDMR inside the run (the referee limited to such TDMR sets), and CP-SAT's optimum on a
 * map whose run is longer than {@link InnerTdmrRuns} cuts, which no longer names {@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}.
 */
class InnerTdmrNodeBudgetTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits TWO = TdxLimits.DEFAULT.withMaxTdmrs(2);

  /** Node 0: the run [1G, 4G); node 1: 8 MiB at 5G; node 2: 16 MiB at 6G. */
  private static final MemoryMap THREE_NODES = MemoryMap.ofBlocks("three nodes", List.of(
      new MemoryBlock(G, 4 * G, 0), new MemoryBlock(5 * G, 5 * G + 8 * M, 1), new MemoryBlock(6 * G, 6 * G + 16 * M, 2)));

  @Test
  void withinTwoTdmrsATdmrInsideTheRunLeavesTheOtherNodesToATdmrWithoutMemory() {
    // The TDMR inside [1G, 4G) is node 0's; within 2 TDMRs, node 1 or 2 given a TDMR leaves the
    // other one's memory to a TDMR without memory, a third. So t = 1 TDMR of node 0, and one without
    // memory: the two granules beside it, 2 × 262 144 pages, and nodes 1 and 2 all PAMT, 2 048 +
    // 4 096 pages: 530 432.
    Instance instance = Instance.of(THREE_NODES, TWO, MODULE);
    assertEquals(530_432L, new InnerTdmrNodeBudget(instance).leastPamtPages(run(instance)));
    // Met: [2G, 3G) with its levels in [1G, 2G) and [3G, 4G), padded, and a TDMR without memory
    // whose levels fill nodes 1 and 2; no layout with a TDMR inside the run and no remote PAMT has less.
    ExhaustiveSearch.Result inner = new ExhaustiveSearch(THREE_NODES, TWO, MODULE)
        .onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > G && t.end() < 4 * G)).best().orElseThrow();
    assertEquals(0, inner.score().remotePamtBytes());
    assertEquals(530_432L * 4096, inner.score().pamtBytes());
    // PAMT any does not rank remote PAMT: no bound.
    assertEquals(0, new InnerTdmrNodeBudget(Instance.of(THREE_NODES, TWO, MODULE.withPamt(Policy.PamtPlacementPolicy.ANY)))
        .leastPamtPages(run(instance)));
  }

  /**
   * Node 0: the run [1G, 18G) of 17 GiB; nodes 1 and 2: about 1.5 GiB each, in granules they share
   * with no other node ([19G + 4K, 20G + 512M) and [21G + 4K, 22G + 512M)).
   */
  private static final MemoryMap LONG_RUN = MemoryMap.ofBlocks("long run", List.of(
      new MemoryBlock(G, 18 * G, 0), new MemoryBlock(19 * G + 4 * K, 20 * G + 512 * M, 1),
      new MemoryBlock(21 * G + 4 * K, 22 * G + 512 * M, 2)));

  @Test
  void enginesOptimumNoLongerNamesATdmrInsideTheRun() {
    // Within 2 TDMRs a TDMR inside node 0's run costs 2 GiB and nodes 1 and 2 (393 215 pages
    // each): 1 310 718 pages. The optimum keeps nodes 1 and 2 as PAMT of a TDMR without memory too,
    // but covers node 0 whole: less. Node 0's run is longer than InnerTdmrRuns cuts (16 GiB), and
    // the optimum's PAMT is above the 1 GiB a granule left out beside such a TDMR costs, so before
    // this bound CP-SAT named it.
    Instance instance = Instance.of(LONG_RUN, TWO, MODULE);
    assertEquals(2 * 262_144L + 2 * 393_215L, new InnerTdmrNodeBudget(instance).leastPamtPages(run(instance)));
    // CP-SAT only: Z3 does not prove this map's PAMT tier within a minute.
    for (Engine e : List.of(new CpSatEngine())) {
      EngineResult r = e.solve(LONG_RUN, TWO, MODULE, SolveOptions.DEFAULT);
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      LayoutScore score = LayoutScore.of(LONG_RUN, TWO, MODULE, r.layout().orElseThrow());
      assertEquals(0, score.remotePamtBytes(), e.name());
      assertTrue(score.pamtBytes() > G && score.pamtBytes() < 1_310_718L * 4096, e.name() + ": " + score);
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN), e.name() + ": " + r.restrictions());
    }
  }

  private static Cell run(Instance instance) {
    return instance.cells().stream().filter(c -> c.kind() == Kind.PLAIN && c.nodes().equals(List.of(0)))
        .findFirst().orElseThrow();
  }
}
