package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnginesTest {
  @Test
  void greedyIsRegisteredByNameAndRunsUnderAll() {
    assertEquals("greedy", Engines.byName("greedy").orElseThrow().name());
    assertEquals("greedy-cmr", Engines.byName("greedy-cmr").orElseThrow().name());
    assertTrue(Engines.all().stream().anyMatch(e -> e.name().equals("greedy")));
    assertTrue(Engines.all().stream().noneMatch(e -> e.name().equals("greedy-cmr")));
  }

  @Test
  void theKernelVariantsAreRegisteredByNameButNotRunUnderAll() {
    assertEquals("greedy-merge", Engines.byName("greedy-merge").orElseThrow().name());
    assertEquals("greedy-fit", Engines.byName("greedy-fit").orElseThrow().name());
    assertTrue(Engines.all().stream().noneMatch(e -> e.name().startsWith("greedy-")));
  }

  @Test
  void aCommaSeparatedListRunsEachEngineOnceInTheOrderGiven() {
    assertEquals(
        java.util.List.of("greedy-cmr", "greedy"),
        Engines.select("greedy-cmr, greedy,greedy").stream().map(Engine::name).toList());
  }

  @Test
  void unknownSolverNamesTheAvailableOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Engines.select("gurobi"));
    assertTrue(e.getMessage().startsWith("unknown solver 'gurobi' (available in this build: greedy, greedy-cmr"),
        e.getMessage());
  }
}
