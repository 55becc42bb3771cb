package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The frontier's time limit bounds all its solves together (issue #17: {@code --time-limit 1
 * --up-to 3} took 29 s when each solve had the whole limit): every solve's deadline lies within the
 * command's, and solves that get no time answer UNKNOWN.
 */
class FrontierBudgetTest {
  /** An exact engine that uses all the time it is given and then answers UNKNOWN. */
  private static final class SlowEngine implements Engine {
    final List<double[]> deadlines = new ArrayList<>();

    @Override
    public String name() {
      return "slow";
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      Deadline d = options.solveDeadline();
      synchronized (deadlines) {
        // When the solve started and when it must end, on one clock.
        deadlines.add(new double[] {System.nanoTime() / 1e9, System.nanoTime() / 1e9 + d.remainingSeconds()});
      }
      while (!d.expired()) {
        Thread.onSpinWait();
      }
      return new EngineResult("slow", Status.UNKNOWN, java.util.Optional.empty(), java.util.OptionalLong.empty(),
          java.util.OptionalLong.empty(), List.of("time limit"), 0, 0, 0, 0);
    }
  }

  @Test
  void everySolveEndsWithinTheCommandsDeadline() throws Exception {
    SlowEngine slow = new SlowEngine();
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    double start = System.nanoTime() / 1e9;
    SolveOptions options = SolveOptions.forCommand(2, 1, 0);
    double commandEnd = start + 2;
    List<FrontierPoint> points = new Frontier(List.of(slow), options)
        .compute(map, TdxLimits.DEFAULT, Policy.KERNEL, 3);

    assertEquals(3, points.size());
    points.forEach(p -> assertEquals(Status.UNKNOWN, p.status(), "n=" + p.maxTdmrs()));
    assertTrue(slow.deadlines.size() >= 2, "each point asks at least once: " + slow.deadlines.size());
    for (double[] d : slow.deadlines) {
      assertTrue(d[1] <= commandEnd + 1e-3, "a solve's deadline lies past the command's by " + (d[1] - commandEnd) + " s");
    }
    // The first point (at the largest limit) may take half of what was left, not all of it.
    double[] first = slow.deadlines.get(0);
    assertTrue(first[1] <= first[0] + (commandEnd - first[0]) / 2 + 1e-3, "the first solve had more than half");
  }
}
