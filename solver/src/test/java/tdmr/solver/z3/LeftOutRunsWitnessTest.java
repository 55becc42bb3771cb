package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Z3's PAMT tier at the bound of {@link tdmr.solver.LeftOutPamtBound}, met with the TDMRs holding
 * memory fixed over the runs of its least set ({@link tdmr.solver.LeftOutPamtBound#leastRunTdmrs}).
 */
class LeftOutRunsWitnessTest {
  private static final long G = 1L << 30;
  private static final long PAGE = 4096;

  /**
   * Three nodes of 2 GiB each, touching: [1G, 3G) node 0, [3G, 5G) node 1, [5G, 7G) node 2; two
   * TDMRs, PAMT node-local, coverage all. Without remote PAMT a TDMR holds one node's granules, and
   * memory left out is PAMT on its own node, of a TDMR over that node or of one without memory
   * (every level of a TDMR holding memory lies on a node all its memory has). Two TDMRs over two
   * nodes leave the third to a third TDMR: too many. So one TDMR over one node, 2 · 1 026 + 1 =
   * 2 053 pages of levels (inside it: the node has no memory left out), and one without memory,
   * its levels, padded, filling the other two nodes' 4 GiB, 1 048 576 pages: 1 050 629 pages.
   * (No TDMR holding memory at all: 6 GiB of PAMT.) The remote tier is 0 (a TDMR without memory
   * describes no granule).
   */
  @Test
  void oneNodeCoveredTheOthersFilledByATdmrWithoutMemory() {
    MemoryMap map = MemoryMap.ofBlocks("three nodes", List.of(new MemoryBlock(G, 3 * G, 0),
        new MemoryBlock(3 * G, 5 * G, 1), new MemoryBlock(5 * G, 7 * G, 2)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2);
    EngineResult r = new Z3Engine().solve(map, limits, Policy.DEFAULT, new SolveOptions(60, 1, 0));
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, Policy.DEFAULT, layout));
    LayoutScore s = LayoutScore.of(map, limits, Policy.DEFAULT, layout);
    assertEquals(0, s.remotePamtBytes());
    assertEquals(1_050_629 * PAGE, s.pamtBytes(), r.messages() + " " + r.details());
    assertEquals(r.pamtBoundBytes().orElseThrow(), s.pamtBytes(), r.details().toString());
    assertTrue(r.details().stream().anyMatch(d -> d.contains("LeftOutPamtBound's least set")), r.details().toString());
  }
}
