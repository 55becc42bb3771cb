package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** Every exact engine's coverage-max answer lists the memory it leaves out, range by range. */
class LeftOutMemoryTest {
  private static final long GiB = 1L << 30;

  /**
   * One block [1 GiB, 3 GiB) on node 0, HKID start bit 31: [2 GiB, 3 GiB) lies at or above the HKID
   * limit 2^31, where no TDMR and no PAMT may lie (rule B5), so every layout leaves it out; TDMR
   * [1 GiB, 2 GiB) covers the rest, its levels in one reserved area of its own (no memory outside
   * it below the limit could hold them). Both engines, in both families, name that range.
   */
  @Test
  void everyEngineNamesTheRangeItLeavesOut() {
    MemoryMap map = MemoryMap.ofBlocks("above-hkid", List.of(new MemoryBlock(GiB, 3 * GiB, 0)));
    TdxLimits limits = new TdxLimits(64, 16, 16, 16, 16, false, 31);
    List<String> leftOut = List.of("left out 1 GiB of TDX memory:", "  [0x80000000, 0xc0000000) 1 GiB");
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      for (Policy.Family family : Policy.Family.values()) {
        Policy policy = Policy.DEFAULT.withFamily(family).withCoverage(Policy.Coverage.MAX);
        EngineResult r = engine.solve(map, limits, policy, new SolveOptions(60, 1, 0));
        String which = engine.name() + ", " + family + ": " + r.messages();
        assertEquals(Status.OPTIMAL, r.status(), which);
        assertEquals(GiB, r.uncoveredBytes(), which);
        assertTrue(Collections.indexOfSubList(r.messages(), leftOut) >= 0, which);
      }
    }
  }
}
