package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.JsonContract;
import tdmr.parse.RealMaps;

/**
 * The JSON contract (docs/json.md) holds: every {@code --json} document of every command, on every
 * real map of the test resources, validates against its schema in docs/schema (the one its
 * {@code "schema"} field names), including the {@code error/2} lines of the inputs that cannot be
 * read. Several inputs go through one run each (NDJSON), as a fleet would use them; the maps
 * without a memory map (#415's log, #391's CMR-only excerpt where a command needs blocks) answer
 * with an error line, which is validated too. Each schema that exists is used at least once.
 */
class JsonSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCHEMAS = Path.of("..", "docs", "schema").toAbsolutePath().normalize();
  /** The schemas read from docs/schema by their file: IRIs (so "common.schema.json#/$defs/range" resolves beside them). */
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemas((String iri) -> iri.startsWith("file:") ? read(Path.of(java.net.URI.create(iri))) : null));
  private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();
  private static final Set<String> USED = java.util.Collections.synchronizedSet(new TreeSet<>());
  private static final java.util.concurrent.atomic.AtomicInteger RUNS_OVER_REAL_MAPS = new java.util.concurrent.atomic.AtomicInteger();

  /** Every real map, by path: one run of a command answers for all of them. */
  private static List<String> realMaps() {
    return RealMaps.all().stream().map(n -> RealMaps.path(n).toString()).toList();
  }

  @Test
  void mapPlanDiagnoseAndFixOnEveryRealMap() throws Exception {
    List<String> maps = realMaps();
    for (List<String> command : List.of(
        List.of("map"),
        // The module family (the default) ends FEASIBLE at its time limit on the biggest maps: a
        // document of the same schema, so a short limit checks as much.
        List.of("plan", "--solver", "greedy,cpsat", "--time-limit", "5"),
        List.of("plan", "--solver", "greedy-cmr", "--holes", "cmr"),
        List.of("diagnose"),
        List.of("fix", "--time-limit", "20"))) {
      List<String> args = new ArrayList<>(command);
      args.add("--json");
      args.addAll(maps);
      CliRun run = CliRun.of(args.toArray(String[]::new));
      List<JsonNode> docs = ndjson(run);
      assertEquals(maps.size(), docs.size(), String.join(" ", command) + ": one line per map");
      for (int i = 0; i < docs.size(); i++) {
        assertEquals(maps.get(i), docs.get(i).get("source").asText(), "input order");
        assertValid(docs.get(i), command.get(0) + " " + maps.get(i));
      }
    }
    RUNS_OVER_REAL_MAPS.incrementAndGet();
  }

  @Test
  void checkProveAndFrontierOnEveryRealMapWithALayout(@TempDir Path dir) throws Exception {
    List<String> layouts = new ArrayList<>();
    List<String> mapsOfLayouts = new ArrayList<>();
    for (String map : realMaps()) {
      CliRun plan = CliRun.of("plan", "--json", map);
      if (plan.exit() == 2) {
        continue; // no memory map in this input: nothing to check
      }
      JsonNode doc = JSON.readTree(plan.out());
      assertValid(doc, "plan " + map);
      CliRun prove = CliRun.of("prove", "--json", "--time-limit", "5", map);
      assertValid(JSON.readTree(prove.out()), "prove " + map);
      if (doc.get("results").get(0).get("tdmrs").isNull()) {
        continue; // the kernel's construction fails: no layout to check
      }
      Path layout = dir.resolve("layout-" + layouts.size() + ".json");
      Files.writeString(layout, plan.out());
      layouts.add(layout.toString());
      mapsOfLayouts.add(map);
    }
    assertTrue(layouts.size() >= 10, "layouts to check: " + layouts);
    // Layouts and maps paired in order; check reads plan --json as a layout.
    List<String> paired = new ArrayList<>(List.of("check", "--json"));
    paired.addAll(layouts);
    mapsOfLayouts.forEach(m -> {
      paired.add("--map");
      paired.add(m);
    });
    CliRun check = CliRun.of(paired.toArray(String[]::new));
    assertEquals(0, check.exit(), check.err());
    for (JsonNode doc : ndjson(check)) {
      assertValid(doc, "check " + doc.get("layout").asText());
      assertTrue(doc.get("ok").asBoolean(), doc.toString());
    }

    String emr = RealMaps.path(RealMaps.EMR_135).toString();
    CliRun infeasible = CliRun.of("prove", "--json", "--max-rsvd", "15", "--family", "kernel", emr);
    assertEquals(1, infeasible.exit(), infeasible.err());
    assertValid(JSON.readTree(infeasible.out()), "prove --max-rsvd 15");
    CliRun frontier = CliRun.of("frontier", "--json", "--up-to", "3", emr);
    assertValid(JSON.readTree(frontier.out()), "frontier");
    CliRun layoutFix = CliRun.of("fix", "--json", "--for", "layout", "--max-rsvd", "15", emr);
    assertValid(JSON.readTree(layoutFix.out()), "fix --for layout");
    CliRun broken = CliRun.of("check", "--json", Path.of("src/test/resources/check/two-tdmr-layout-broken.json").toString(),
        "--map", Path.of("src/test/resources/check/two-tdmr-map.json").toString());
    assertEquals(1, broken.exit(), broken.err());
    assertValid(JSON.readTree(broken.out()), "check of a broken layout");
    RUNS_OVER_REAL_MAPS.incrementAndGet();
  }

  /** #135 by hand: the kernel's TDMR [0, 2 GiB) asks for 18 reserved areas (17 holes, 1 PAMT piece) of 16. */
  @Test
  void theKernelsFailureIsInFieldsWithEveryReservedArea() throws Exception {
    CliRun run = CliRun.of("plan", "--json", RealMaps.path(RealMaps.EMR_135).toString());
    JsonNode failure = JSON.readTree(run.out()).get("results").get(0).get("kernelFailure");
    assertEquals("RESERVED_AREAS_EXHAUSTED", failure.get("cause").asText());
    assertEquals(-28, failure.get("errno").asInt());
    assertEquals("C1", failure.get("rule").asText());
    JsonNode tdmr = failure.get("failingTdmr");
    assertEquals("0x0", tdmr.get("start").asText());
    assertEquals("0x80000000", tdmr.get("end").asText());
    JsonNode areas = tdmr.get("reservedAreas");
    assertEquals(18, areas.size());
    int holes = 0;
    int inside = 0;
    for (JsonNode a : areas) {
      boolean hole = a.get("kind").asText().equals("HOLE");
      holes += hole ? 1 : 0;
      inside += hole && a.get("cmrCoverage").asText().equals("INSIDE") ? 1 : 0;
      assertEquals(a.get("number").asInt() > 16, a.get("overLimit").asBoolean(), a.toString());
    }
    assertEquals(17, holes);
    // The first MiB and the hole from the first CMR's end (0x6f800000) to 2 GiB are outside; 15 lie inside a CMR.
    assertEquals(15, inside);
    // The log's e820 table: [0, 0x9f000) usable, [0x9f000, 1 MiB) reserved, [0x5d169000, 0x5d22b000) ACPI data.
    assertEquals("[\"usable\",\"reserved\"]", areas.get(0).get("e820Types").toString(), areas.get(0).toString());
    assertEquals("OUTSIDE", areas.get(0).get("cmrCoverage").asText());
    assertEquals("0x5d169000", areas.get(1).get("start").asText());
    assertEquals("[\"ACPI data\"]", areas.get(1).get("e820Types").toString(), areas.get(1).toString());
  }

  /** After the two runs over the real maps: every schema file was used (a schema no test reads can drift). */
  @AfterAll
  static void everySchemaFileIsUsed() throws IOException {
    if (RUNS_OVER_REAL_MAPS.get() < 2) {
      return; // one test run alone (-Dtest=JsonSchemaTest#...)
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(SCHEMAS)) {
      list.map(p -> p.getFileName().toString()).filter(n -> !n.equals("common.schema.json")).forEach(files::add);
    }
    assertEquals(files, USED);
  }

  private static void assertValid(JsonNode document, String what) {
    String schema = document.path("schema").asText();
    assertTrue(schema.endsWith("/" + JsonContract.SCHEMA_VERSION), what + ": schema " + schema);
    String file = schema.substring(0, schema.indexOf('/')) + ".schema.json";
    Schema s = LOADED.computeIfAbsent(file, f -> REGISTRY.getSchema(SchemaLocation.of(SCHEMAS.resolve(f).toUri().toString())));
    USED.add(file);
    List<Error> errors = s.validate(document.toString(), InputFormat.JSON);
    assertEquals(List.of(), errors.stream().map(Error::toString).toList(), what + ": " + document);
    assertFalse(document.toString().contains("\"pamtKb\""), what);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> ndjson(CliRun run) {
    List<JsonNode> docs = new ArrayList<>();
    for (String line : run.out().lines().toList()) {
      try {
        docs.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException("not one JSON document per line: " + line, e);
      }
    }
    return docs;
  }
}
