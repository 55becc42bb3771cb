package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/** The cut of runs into granules that {@link InnerTdmrRuns} solves over, and which runs it cuts. */
class InnerTdmrRunsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  @Test
  void aCutRunIsOneCellAndOneAtomPerGranuleOfOneSegment() {
    // One block [1G + 4K, 5G + 8K): a head in the MIXED cell [1G, 2G), the run [2G, 5G), a tail of
    // 2 pages in the MIXED cell [5G, 6G). Cut, the run is three PLAIN cells of 1 GiB, and the
    // segment has five atoms: two places at its ends and two at each of its four inner boundaries.
    MemoryMap map = MemoryMap.ofBlocks("one", List.of(new MemoryBlock(G + 4 * K, 5 * G + 8 * K, 0)));
    Instance whole = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    assertEquals(List.of(Kind.MIXED, Kind.PLAIN, Kind.MIXED), whole.cells().stream().map(Cell::kind).toList());
    Instance cut = Instance.of(map, TdxLimits.DEFAULT, MODULE, Deadline.none(), Set.of(new AddressRange(2 * G, 5 * G)));
    assertEquals(List.of(Kind.MIXED, Kind.PLAIN, Kind.PLAIN, Kind.PLAIN, Kind.MIXED),
        cut.cells().stream().map(Cell::kind).toList());
    assertEquals(List.of(new AddressRange(3 * G, 4 * G)), List.of(cut.cells().get(2).range()));
    assertEquals(1, cut.segments().size());
    assertEquals(5, cut.segments().get(0).atomCount());
    assertEquals(2 + 2 * 4, cut.places().size());
  }

  @Test
  void everyRunWhereATdmrInsideCouldMatterIsCutOrNone() {
    // Runs [2G, 5G) (3 GiB) and [7G, 28G) (21 GiB). Without an optimum (an INFEASIBLE answer) a TDMR
    // inside either could make a layout exist. Together they exceed the budget of 16 GiB, and the
    // second run left whole would keep the restriction named: no cut. With the second run 13 GiB
    // ([7G, 20G)), 16 GiB in all: both are cut.
    EngineResult infeasible = new EngineResult("test", Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of(), 0, 0, 0, 0);
    MemoryMap over = MemoryMap.ofBlocks("over", List.of(new MemoryBlock(G + 4 * K, 5 * G, 0),
        new MemoryBlock(6 * G + 4 * K, 28 * G, 0)));
    assertEquals(Set.of(), InnerTdmrRuns.runsToCut(over, TdxLimits.DEFAULT, MODULE, Deadline.none(), infeasible));
    MemoryMap within = MemoryMap.ofBlocks("within", List.of(new MemoryBlock(G + 4 * K, 5 * G, 0),
        new MemoryBlock(6 * G + 4 * K, 20 * G, 0)));
    assertEquals(Set.of(new AddressRange(2 * G, 5 * G), new AddressRange(7 * G, 20 * G)),
        InnerTdmrRuns.runsToCut(within, TdxLimits.DEFAULT, MODULE, Deadline.none(), infeasible));
  }
}
