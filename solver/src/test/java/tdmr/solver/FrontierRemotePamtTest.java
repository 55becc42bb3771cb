package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Under PAMT node-local the frontier ranks remote PAMT before PAMT bytes, as {@code plan} does: a
 * layout found within fewer TDMRs, with less PAMT but more of it remote, is not the best at a larger
 * TDMR limit. Before 2026-12-05 it was taken as the best there, and the PAMT bound the engine proved
 * for the layouts with the least remote PAMT then lay above it: {@code frontier --up-to 3} on the
 * Westmere-EX map stopped with an internal error.
 */
class FrontierRemotePamtTest {
  private static final long GiB = 1L << 30;
  private static final long KiB = 1L << 10;
  /** Nodes 0, 1 and 2 hold [1G, 2G), [2G, 3G) and [3G, 4G): one granule each. */
  private static final MemoryMap THREE_NODES = MemoryMap.ofBlocks("three nodes", List.of(
      new MemoryBlock(GiB, 2 * GiB, 0), new MemoryBlock(2 * GiB, 3 * GiB, 1), new MemoryBlock(3 * GiB, 4 * GiB, 2)));
  private static final Policy NODE_LOCAL = Policy.DEFAULT.withFamily(Policy.Family.MODULE);

  /**
   * The engine's answers, whatever the reserved-area limit from 1 on (0: INFEASIBLE): with at most n
   * TDMRs, min(n, 3) TDMRs, the first covering the granules the others do not, each TDMR's three
   * levels stacked at the bottom of its first granule in one reserved area. Exact sizes by the rules
   * (4K level 4 MiB per GiB, 2M level 8 KiB per GiB, 1G level 4 KiB per started 256 GiB):
   * <ul>
   *   <li>1 TDMR of 3 GiB: 12 MiB + 24 KiB + 4 KiB = 12 611 584 bytes, all on node 0, so the granules
   *       of nodes 1 and 2 are described remotely by every level: 2 · (4 MiB + 8 KiB + 16 B) = 8 405 024
   *       bytes of remote PAMT (RemotePamt counts the module's unrounded 16 bytes per GiB at the 1G level);
   *   <li>2 TDMRs, [1G, 3G) on node 0 and [3G, 4G) on node 2: 8 409 088 + 4 206 592 = 12 615 680 bytes,
   *       4 202 512 of them remote (granule 1 from node 0);
   *   <li>3 TDMRs, one per node: 3 · 4 206 592 = 12 619 776 bytes, none remote.
   * </ul>
   * Each answer claims its PAMT proven least ({@code OPTIMAL}, bound = PAMT): these are the engine's
   * words; what the test checks is that the frontier takes each limit's own answer, not the cheaper
   * layout with more remote PAMT that a smaller limit found.
   */
  private static final class PerNodeEngine implements Engine {
    @Override
    public String name() {
      return "per-node";
    }

    @Override
    public boolean proves(Policy.Family family) {
      return true;
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      if (limits.maxReservedPerTdmr() < 1) {
        return new EngineResult(name(), Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);
      }
      int k = Math.min(limits.maxTdmrs(), 3);
      List<Tdmr> tdmrs = new ArrayList<>();
      long base = GiB;
      for (int i = 0; i < k; i++) {
        long granules = i == 0 ? 3 - (k - 1) : 1;
        tdmrs.add(stacked(base, granules));
        base += granules * GiB;
      }
      Layout layout = new Layout(tdmrs);
      return new EngineResult(name(), Status.OPTIMAL, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
          OptionalLong.of(layout.pamtBytes()), List.of(), 0, 0, 0, 0);
    }

    /** A TDMR of {@code granules} GiB at {@code base}, its levels stacked from its base in one area. */
    private static Tdmr stacked(long base, long granules) {
      long fourK = 4096 * KiB * granules;
      long twoM = 8 * KiB * granules;
      long oneG = 4 * KiB;
      Pamt pamt = new Pamt(new PamtRange(base, fourK), new PamtRange(base + fourK, twoM),
          new PamtRange(base + fourK + twoM, oneG));
      return new Tdmr(base, granules * GiB, pamt, List.of(new ReservedArea(base, fourK + twoM + oneG)));
    }
  }

  @Test
  void eachLimitKeepsTheLayoutWithTheLeastRemotePamtThere() {
    List<FrontierPoint> points = new Frontier(List.of(new PerNodeEngine()), SolveOptions.DEFAULT)
        .compute(THREE_NODES, TdxLimits.DEFAULT, NODE_LOCAL, 3);
    long[] pamt = {12_611_584, 12_615_680, 12_619_776};
    long[] remote = {8_405_024, 4_202_512, 0};
    for (int n = 1; n <= 3; n++) {
      FrontierPoint p = points.get(n - 1);
      assertEquals(Status.OPTIMAL, p.status(), "n=" + n);
      assertEquals(OptionalInt.of(1), p.minReserved(), "n=" + n);
      assertEquals(OptionalLong.of(pamt[n - 1]), p.pamtBytes(), "n=" + n);
      assertEquals(OptionalLong.of(remote[n - 1]), p.remotePamtBytes(), "n=" + n);
    }
  }
}
