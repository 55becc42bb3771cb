package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.RealMaps;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Tdx135MapFixture;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The CP-SAT engine on every real map of the repository. */
class CpSatRealMapsTest {
  /** Every real map but tdx#415, a failure report without a memory map (RealMapsParseTest checks it is refused). */
  static Stream<String> realMaps() {
    return RealMaps.all().stream().filter(n -> !n.equals(RealMaps.GNR_415_NO_MAP));
  }

  @Test
  void parsedTdx135MapEqualsTheHandTranscription() throws InputException {
    MemoryMap parsed = RealMaps.read(RealMaps.EMR_135);
    MemoryMap hand = Tdx135MapFixture.map();
    assertEquals(hand.blocks(), parsed.blocks());
    assertEquals(hand.cmrs(), parsed.cmrs());
  }

  @Test
  void greedyFailsOnTdx135WhereTheOptimumExists() {
    // The kernel builds one TDMR [0, 2G) for the first block and needs 17 areas there.
    MemoryMap map = Tdx135MapFixture.map();
    assertEquals(Status.FAILED, new GreedyEngine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT).status());
    assertEquals(Status.OPTIMAL,
        new CpSatEngine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(30, 1, 0)).status());
  }

  /** Every real map: proven either way, and never worse than the greedy where the greedy succeeds. */
  @ParameterizedTest
  @MethodSource("realMaps")
  void everyRealMapIsProvenEitherWay(String file) throws InputException {
    MemoryMap map = RealMaps.read(file);
    for (Policy policy : List.of(Policy.KERNEL, Policy.KERNEL.withHoles(Policy.Holes.CMR))) {
      EngineResult r = new CpSatEngine().solve(map, TdxLimits.DEFAULT, policy, new SolveOptions(60, 1, 0));
      assertTrue(r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE, file + ": " + r.messages());
      EngineResult greedy = new GreedyEngine().solve(map, TdxLimits.DEFAULT, policy, SolveOptions.DEFAULT);
      if (greedy.status() == Status.FEASIBLE && GreedyComparison.nodeLocal(map, greedy.layout().orElseThrow())) {
        assertEquals(Status.OPTIMAL, r.status(), file + ": " + r.messages());
        assertTrue(r.pamtBytes().getAsLong() <= greedy.pamtBytes().getAsLong(),
            "%s %s: optimum %d > greedy %d".formatted(file, policy.holes(), r.pamtBytes().getAsLong(),
                greedy.pamtBytes().getAsLong()));
      }
    }
  }
}
