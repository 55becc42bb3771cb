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
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FlankedInnerTdmr}: by hand on a one-node map, against {@link ExhaustiveSearch}'s best
 * layout with a TDMR inside the run (the referee limited to such TDMR sets).
 */
class FlankedInnerTdmrTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  private static final TdxLimits THREE = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(2);

  /** The run [1G, 4G), and 64 MiB at 5G. */
  private static final MemoryMap RUN_AND_ISLAND = MemoryMap.ofBlocks("run and island", List.of(
      new MemoryBlock(G, 4 * G, 0), new MemoryBlock(5 * G, 5 * G + 64 * M, 0)));

  @Test
  void threeTdmrsAroundOneInsideTheRunSpanAllTheMemory() {
    // The best layout: [1G, 4G) and [5G, 6G), levels of 3 and 1 GiB: 3072 + 6 + 1 and 1024 + 2 + 1
    // pages, 4 106. A TDMR inside [1G, 4G) is [2G, 3G); a granule beside it out of every TDMR is
    // 262 144 pages of PAMT; else the other two TDMRs touch it, [x, 2G) and [3G, y) with x ≤ 1G,
    // and the 16 384 pages at 5G are PAMT unless y ≥ 6G: 5 GiB of levels, 5120 + 10 + 3 = 5 133
    // pages (3 TDMRs of at least one 1G page each). Spans whose levels fit 4 106 pages are at most
    // 3 GiB (1026 · 4 + 3 = 4 107): [1G, 4G) leaves the island out.
    Instance instance = Instance.of(RUN_AND_ISLAND, THREE, MODULE);
    FlankedInnerTdmr flanked = new FlankedInnerTdmr(instance);
    Cell run = instance.cells().stream().filter(c -> c.kind() == Kind.PLAIN).findFirst().orElseThrow();
    assertFalse(flanked.canHaveAtMost(run, 4_106));
    assertFalse(flanked.canHaveAtMost(run, 5_132));
    assertTrue(flanked.canHaveAtMost(run, 5_133));
    ExhaustiveSearch.Result inner = new ExhaustiveSearch(RUN_AND_ISLAND, THREE, MODULE)
        .onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > G && t.end() < 4 * G)).best().orElseThrow();
    assertEquals(5_133L * 4096, inner.score().pamtBytes());
    // Not taken at other limits: with four TDMRs one more may cover [5G, 6G) alone.
    assertTrue(new FlankedInnerTdmr(Instance.of(RUN_AND_ISLAND, THREE.withMaxTdmrs(4), MODULE)).canHaveAtMost(run, 0));
  }
}
