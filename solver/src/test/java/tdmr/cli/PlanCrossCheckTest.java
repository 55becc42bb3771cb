package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PlanCrossCheckTest {
  /**
   * The bundled canonical/tdx#135 with every engine: the greedy fails as its kernel did, Z3 builds
   * the two-TDMR layout (8413184 bytes), so the plan succeeds and the engines are consistent.
   */
  @Test
  void allEnginesOnTheExampleAreConsistent() {
    CliRun run = CliRun.of("plan", "--solver", "all", "--cross-check");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("cross-check passed: greedy, "), run.out());
    assertTrue(run.out().contains("z3"), run.out());
  }

  @Test
  void jsonCarriesTheCrossCheckVerdictAndZ3Result() throws Exception {
    CliRun run = CliRun.of("plan", "--solver", "all", "--cross-check", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertTrue(root.get("crossCheck").get("passed").asBoolean(), run.out());
    boolean z3 = false;
    for (JsonNode r : root.get("results")) {
      if (r.get("solver").asText().equals("z3")) {
        z3 = true;
        assertEquals("OPTIMAL", r.get("status").asText());
        assertEquals(8413184, r.get("pamtBytes").asLong());
      }
    }
    assertTrue(z3, run.out());
  }
}
