package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.parse.JsonContract;
import tdmr.parse.RealMaps;

/** Every command's {@code --json} document starts with the contract's envelope (docs/json.md). */
class JsonEnvelopeTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();
  private static final String CHECK = "src/test/resources/check/";

  static List<List<String>> commands() {
    return List.of(
        List.of("map", EMR_135),
        List.of("plan", EMR_135),
        List.of("check", CHECK + "two-tdmr-layout.json", "--map", CHECK + "two-tdmr-map.json"),
        List.of("fix", EMR_135),
        List.of("prove", EMR_135),
        List.of("frontier", EMR_135, "--up-to", "1"),
        List.of("diagnose", EMR_135));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void documentNamesTheTdmrVersionAndItsSchema(List<String> command) throws Exception {
    String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--json")).toArray(String[]::new);
    CliRun run = CliRun.of(args);
    assertTrue(run.exit() == 0 || run.exit() == 1, run.err());
    JsonNode doc = new ObjectMapper().readTree(run.out());
    assertEquals(JsonContract.tdmrVersion(), doc.get("tdmrVersion").asText(), run.out());
    assertEquals(command.get(0) + "/" + JsonContract.SCHEMA_VERSION, doc.get("schema").asText(), run.out());
  }
}
