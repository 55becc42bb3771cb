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
        // The module family (the default): one TDMR [0, 2G) with 4K and 2M levels of 2 * (4096 + 8)
        // KiB and one 4 KiB 1G level, 8212 KiB, the least any cover of [0, 2G) needs; its 4 KiB
        // 1G level fills the island [0x64158000, 0x64159000) so 16 areas suffice
        // (solver/src/test/resources/check/emr-135-one-tdmr-split-pamt.json).
        assertEquals(8409088, r.get("pamtBytes").asLong());
      }
    }
    assertTrue(z3, run.out());
  }
}
