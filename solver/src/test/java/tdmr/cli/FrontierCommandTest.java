package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FrontierCommandTest {
  /**
   * The bundled canonical/tdx#135: one TDMR [0, 2G) needs 17 areas and 4104·2 + 4 = 8212 KiB of
   * PAMT; two or more need 16 (granule [1G, 2G) alone) and 2·4108 = 8216 KiB (see FrontierTest for
   * the derivation). Rows 2..64 are one row.
   */
  @Test
  void tableJoinsTheRowsWithTheSameAnswer() {
    CliRun run = CliRun.of("frontier");
    assertEquals(0, run.exit(), run.err());
    String[] lines = run.out().split("\n");
    // The title (map, then policy on its own line), the header, two rows and the restrictions the
    // kernel family's proofs hold under.
    assertTrue(lines[5].startsWith("The proofs hold among the layouts of the kernel family in which TDMR boundaries"),
        run.out());
    assertTrue(lines[3].matches("1 +17 +8409088 \\(8\\.02 MiB\\) +z3"), lines[3]);
    assertTrue(lines[4].matches("2\\.\\.64 +16 +8413184 \\(8\\.02 MiB\\) +z3"), lines[4]);
    for (String line : lines) {
      // The title and the restrictions paragraph are prose, folded to the terminal's width only.
      assertTrue(line.length() <= 80 || line.startsWith("Limit frontier of") || line.startsWith("The proofs hold"), line);
    }
  }

  @Test
  void jsonHasAllSixtyFourPoints() throws Exception {
    CliRun run = CliRun.of("frontier", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode points = new ObjectMapper().readTree(run.out()).get("points");
    assertEquals(64, points.size());
    assertEquals(1, points.get(0).get("maxTdmrs").asInt());
    assertEquals(17, points.get(0).get("leastMaxReservedPerTdmr").asInt());
    assertEquals(8409088, points.get(0).get("pamtBytes").asLong());
    for (int i = 1; i < 64; i++) {
      assertEquals(i + 1, points.get(i).get("maxTdmrs").asInt());
      assertEquals(16, points.get(i).get("leastMaxReservedPerTdmr").asInt());
      assertEquals(8413184, points.get(i).get("pamtBytes").asLong());
    }
  }

  @Test
  void theGreedyCannotProveFrontierPoints() {
    CliRun run = CliRun.of("frontier", "--solver", "greedy");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("the frontier needs exact engines"), run.err());
  }
}
