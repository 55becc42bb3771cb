package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.check.RemotePamt;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link CoveringRuns}, the TDMRs {@link FilledStart} tries where one TDMR per run of granules
 * breaks the TDMR limit: by hand, the built layout checked by the validator and its PAMT against
 * {@link LeftOutPamtBound}'s bound (which it meets, so the PAMT tier needs no search).
 */
class CoveringRunsTest {
  private static final long M = 1024 * 1024;
  private static final long G = 1024 * M;
  private static final long PAGE = 4096;
  private static final Policy POLICY = Policy.DEFAULT;

  /** The three levels' minima in pages of a module TDMR of {@code giB} GiB (the module's sizing rule). */
  private static long levels(long giB, TdxLimits limits) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      pages += (PamtSizing.moduleMinimum(giB * G, level, limits) + PAGE - 1) / PAGE;
    }
    return pages;
  }

  /**
   * A host of small nodes as the sweeps' manynodes maps, nodes 0 and 1 alone: node 0 has {@code [0,
   * 2G)} (from 1 MiB) and {@code [4G, 5.5G)}, node 1 {@code [5.5G, 7G)}. Memory granules 0, 1, 4 hold
   * node 0's memory, 5 both nodes', 6 node 1's. One TDMR per run of granules sharing a node is 2
   * TDMRs ({@code [0, 2G)}, {@code [4G, 6G)}) and one for granule 6, or the like: 3. Within 2, the
   * runs must share a node: {0, 1, 4} and {5, 6} (5 GiB and 2 GiB) or {0, 1, 4, 5} and {6} (6 GiB
   * and 1 GiB), both 5 120 + 10 + 1 + 2 048 + 4 + 1 = 6 144 + 12 + 1 + 1 024 + 2 + 1 = 7 184 pages;
   * within 1 no run covers all (granule 0 holds node 0's memory only, granule 6 node 1's).
   */
  private static MemoryMap twoSmallNodes() {
    return MemoryMap.of("nodes 0 and 1 of 1.5 GiB hosts", List.of(new MemoryBlock(M, 2 * G, 0),
        new MemoryBlock(4 * G, 5 * G + G / 2, 0), new MemoryBlock(5 * G + G / 2, 7 * G, 1)),
        List.of(new AddressRange(M, 2 * G), new AddressRange(4 * G, 7 * G)));
  }

  @Test
  void runsSharingANodeWithinTheLimitAtTheLeastLevels() {
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    Instance instance = Instance.of(twoSmallNodes(), two, POLICY);
    List<AddressRange> tdmrs = CoveringRuns.within(instance, 2).orElseThrow();
    assertEquals(2, tdmrs.size());
    assertEquals(0, tdmrs.get(0).start());
    assertEquals(7 * G, tdmrs.get(1).end());
    assertEquals(tdmrs.get(0).end(), tdmrs.get(1).start());
    long pages = levels(tdmrs.get(0).size() / G, two) + levels(tdmrs.get(1).size() / G, two);
    assertEquals(7184, pages);
    assertEquals(levels(5, two) + levels(2, two), levels(6, two) + levels(1, two), "the hand argument's tie");
    assertEquals(Optional.empty(), CoveringRuns.within(instance, 1));
  }

  /**
   * {@link FilledStart} builds the layout of those TDMRs: valid, without remote PAMT, at 7 184 pages,
   * which is {@link LeftOutPamtBound}'s bound within 2 TDMRs (so no layout has less PAMT).
   */
  @Test
  void theBuiltLayoutMeetsThePamtBound() {
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    MemoryMap map = twoSmallNodes();
    Layout layout = new FilledStart(Instance.of(map, two, POLICY)).find().orElseThrow();
    assertTrue(LayoutVerifier.failures(map, two, POLICY, layout).isEmpty());
    assertEquals(0, new RemotePamt(map, two).bytes(layout));
    assertEquals(2, layout.size());
    assertEquals(7184 * PAGE, layout.pamtBytes());
    assertEquals(OptionalLong.of(7184), LeftOutPamtBound.leastPages(map, two));
  }
}
