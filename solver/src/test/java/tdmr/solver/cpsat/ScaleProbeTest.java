package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class ScaleProbeTest {
  static final long M = 1L << 20, G = 1L << 30;
  @Test
  void probe() {
    List<MemoryBlock> b = new ArrayList<>();
    b.add(new MemoryBlock(M, 2 * G - 300 * M, 0));
    b.add(new MemoryBlock(4 * G, 6 * 1024 * G + 512*M, 0));
    b.add(new MemoryBlock(6 * 1024 * G + 512*M, 12 * 1024 * G - 64 * M, 1));
    
    List<MemoryBlock> c = new ArrayList<>();
    long cur = M;
    int n = Integer.getInteger("n", 60);
    for (int i = 0; i < n; i++) {
      c.add(new MemoryBlock(cur, cur + G + 3 * M * (i + 1), i < n / 2 ? 0 : 1));
      cur = cur + G + 3 * M * (i + 1) + 5 * M;
    }
    run(MemoryMap.ofBlocks("60 holes", c));
  }
  void run(MemoryMap m) {
    for (Policy p : List.of(Policy.DEFAULT)) {
      EngineResult r = new CpSatEngine().solve(m, TdxLimits.DEFAULT.withMaxTdmrs(Integer.getInteger("mt", 64)), p, new SolveOptions(20, Integer.getInteger("t", 1), 0));
      System.out.println(m.source() + " " + r.status() + " " + r.solveMillis() + "ms " + r.messages());
    }
  }
}
