package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.RealMaps;

/**
 * Many hosts in one run: several INPUTs (files, directories, '-') give one block (text) or one
 * NDJSON line per input in input order, a bad input is reported for itself (exit 2) while the others
 * are answered, text ends with a summary table, and the exit status is the most serious one. The
 * expected outcomes come from the logs themselves: canonical/tdx#135 logs "reserved areas
 * exhausted", #331 a failed SEAMCALL; the QEMU map has no TDX lines at all.
 */
class ManyHostsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMR = RealMaps.path(RealMaps.EMR_135).toString();
  private static final String SEAMCALL = RealMaps.path(RealMaps.SEAMCALL_331).toString();
  private static final String QEMU = RealMaps.path(RealMaps.QEMU_4NUMA).toString();
  private static final String MISSING = "no-such-host-log.txt";

  @Test
  void textGivesABlockPerHostInInputOrderAndASummaryTable() {
    CliRun run = CliRun.of("diagnose", SEAMCALL, MISSING, EMR, "--jobs", "2");
    // The bad input is the most serious status of the three (1, 2, 1).
    assertEquals(2, run.exit(), run.err());
    List<String> headers = run.out().lines().filter(l -> l.startsWith("==> ")).toList();
    assertEquals(List.of("==> " + SEAMCALL + " <==", "==> " + EMR + " <=="), headers, run.out());
    assertTrue(run.err().contains(MISSING), run.err());
    String table = run.out().substring(run.out().indexOf("Summary of tdmr diagnose (3 inputs)"));
    List<String> rows = table.lines().skip(2).toList();
    assertEquals(3, rows.size(), table);
    assertTrue(rows.get(0).startsWith(SEAMCALL) && rows.get(0).contains("SEAMCALL_FAILED"), table);
    assertTrue(rows.get(1).startsWith(MISSING) && rows.get(1).contains(HostResult.BAD_INPUT), table);
    // The fix column holds the boot parameters diagnose found: the README's hand derivation for #135.
    assertTrue(rows.get(2).startsWith(EMR) && rows.get(2).contains("RESERVED_AREAS_EXHAUSTED")
        && rows.get(2).contains("TDMR [0x0, 0x80000000): reserved areas exhausted")
        && rows.get(2).endsWith("memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), table);
    assertTrue(table.lines().skip(1).findFirst().orElseThrow().matches("host +exit +outcome +reason +PAMT +fix"), table);
  }

  /**
   * canonical/tdx#415's log has the kernel's failure but no memory map (no e820, memblock or CMR
   * lines), so `tdmr fix` on it can only say so (exit 2): the fix column says how to collect the map.
   */
  @Test
  void aLayoutFailureWithoutAMapIsToldToCollectOne() {
    String noMap = RealMaps.path(RealMaps.GNR_415_NO_MAP).toString();
    assertEquals(2, CliRun.of("fix", noMap).exit());
    CliRun run = CliRun.of("diagnose", noMap, EMR, "--jobs", "1");
    assertEquals(1, run.exit(), run.err());
    String table = run.out().substring(run.out().indexOf("Summary of tdmr diagnose (2 inputs)"));
    String row = table.lines().skip(2).findFirst().orElseThrow();
    assertTrue(row.startsWith(noMap) && row.contains("RESERVED_AREAS_EXHAUSTED"), table);
    assertTrue(row.endsWith("the log has no memory map: sudo tdmr gather -o host.txt on the host, then tdmr fix host.txt"),
        table);
    assertFalse(row.contains("tdmr fix " + noMap), table);
  }

  @Test
  void jsonIsOneLinePerHostInInputOrder() throws Exception {
    CliRun run = CliRun.of("diagnose", "--json", EMR, MISSING, SEAMCALL);
    assertEquals(2, run.exit(), run.err());
    List<JsonNode> docs = ndjson(run.out());
    assertEquals(3, docs.size(), run.out());
    assertEquals(List.of("diagnose/2", "error/2", "diagnose/2"), docs.stream().map(d -> d.get("schema").asText()).toList());
    assertEquals(List.of(EMR, MISSING, SEAMCALL), docs.stream().map(d -> d.get("source").asText()).toList());
    assertEquals(List.of(1, 2, 1), docs.stream().map(d -> d.get("exitCode").asInt()).toList());
    assertEquals(HostResult.BAD_INPUT, docs.get(1).get("error").get("kind").asText());
    assertEquals(MISSING, docs.get(1).get("error").get("file").asText());
    assertFalse(run.out().contains("Summary of"), "no table in NDJSON");
  }

  @Test
  void aDirectoryGivesItsFilesInPathOrderWithoutHiddenOnes(@TempDir Path dir) throws Exception {
    Files.copy(Path.of(EMR), dir.resolve("b-emr.txt"));
    Files.createDirectories(dir.resolve("a"));
    Files.copy(Path.of(SEAMCALL), dir.resolve("a/seamcall.txt"));
    Files.writeString(dir.resolve(".notes.swp"), "not a log");
    CliRun run = CliRun.of("diagnose", "--json", dir.toString());
    assertEquals(1, run.exit(), run.err());
    assertEquals(List.of(dir.resolve("a/seamcall.txt").toString(), dir.resolve("b-emr.txt").toString()),
        ndjson(run.out()).stream().map(d -> d.get("source").asText()).toList());
  }

  @Test
  void anEmptyDirectoryIsABadInputOfItsOwn(@TempDir Path dir) {
    CliRun run = CliRun.of("map", dir.toString(), QEMU);
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(dir + ": a directory without files"), run.err());
    assertTrue(run.out().contains("==> " + QEMU + " <=="), run.out());
  }

  @Test
  void oneInputPrintsAsAlways() {
    CliRun run = CliRun.of("diagnose", SEAMCALL);
    assertEquals(1, run.exit(), run.err());
    assertFalse(run.out().contains("==> "), run.out());
    assertFalse(run.out().contains("Summary of"), run.out());
  }

  @Test
  void standardInputCountsOnce() {
    CliRun run = CliRun.withStdin("", "map", "-", QEMU, "-");
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("'-' (standard input) can be given only once"), run.err());
  }

  @Test
  void standardInputIsOneOfTheHosts() throws Exception {
    CliRun run = CliRun.withStdin(Files.readString(Path.of(QEMU)), "map", "--json", QEMU, "-");
    assertEquals(0, run.exit(), run.err());
    List<JsonNode> docs = ndjson(run.out());
    assertEquals(2, docs.size());
    // The same map read from a file and from standard input.
    assertEquals(docs.get(0).get("blocks"), docs.get(1).get("blocks"));
  }

  @Test
  void planSummarisesEachEngineAndPointsAtFixWhenTheKernelFails() {
    CliRun run = CliRun.of("plan", EMR, QEMU);
    // #135: the kernel's construction fails (1); the QEMU map: it succeeds (0).
    assertEquals(1, run.exit(), run.err());
    String table = run.out().substring(run.out().indexOf("Summary of tdmr plan (2 inputs)"));
    List<String> rows = table.lines().skip(2).toList();
    assertTrue(rows.get(0).contains("FAILED") && rows.get(0).contains("tdmr fix " + EMR), table);
    assertTrue(rows.get(1).contains("FEASIBLE") && rows.get(1).endsWith("-"), table);
  }

  @Test
  void fixGivesTheBootParametersPerHost() throws Exception {
    CliRun run = CliRun.of("fix", "--json", EMR, QEMU);
    assertEquals(0, run.exit(), run.err());
    List<JsonNode> docs = ndjson(run.out());
    // #135 by hand (README): the two 4 KiB islands at 0x64158000 and 0x6f7ff000 merge four holes into two.
    assertEquals("FIXED", docs.get(0).get("status").asText());
    assertEquals("[\"memmap=4K$0x64158000\",\"memmap=4K$0x6f7ff000\"]", docs.get(0).get("memmap").toString());
    assertEquals("HAS_LAYOUT", docs.get(1).get("status").asText());
    CliRun text = CliRun.of("fix", EMR, QEMU);
    assertTrue(text.out().lines().anyMatch(l -> l.startsWith(EMR) && l.endsWith("memmap=4K$0x64158000 memmap=4K$0x6f7ff000")),
        text.out());
  }

  @Test
  void checkTakesLayoutsAgainstOneMapOrOneMapEach() throws Exception {
    Path dir = Path.of("src/test/resources/check");
    String map = dir.resolve("two-tdmr-map.json").toString();
    String good = dir.resolve("two-tdmr-layout.json").toString();
    String broken = dir.resolve("two-tdmr-layout-broken.json").toString();
    CliRun one = CliRun.of("check", good, broken, "--map", map, "--json");
    assertEquals(1, one.exit(), one.err());
    assertEquals(List.of(0, 1), ndjson(one.out()).stream().map(d -> d.get("exitCode").asInt()).toList());
    CliRun paired = CliRun.of("check", good, broken, "--map", map, "--map", map);
    assertEquals(1, paired.exit(), paired.err());
    assertTrue(paired.out().lines().anyMatch(l -> l.startsWith(broken) && l.contains("REJECTED")
        && l.contains("TDX_TDMR_OUTSIDE_CMRS (rule E1, TDMR 0)")), paired.out());
    CliRun mismatched = CliRun.of("check", good, broken, good, "--map", map, "--map", map);
    assertEquals(2, mismatched.exit());
    assertTrue(mismatched.err().contains("--map is given once"), mismatched.err());
  }

  /**
   * An unreadable input's row gives its problem, not its file name again (the host column has it)
   * nor the advice after it; a long problem is cut, so that the table stays as narrow as its other
   * rows; the whole message stays on standard error and in the NDJSON line.
   */
  @Test
  void anUnreadableInputsRowSaysItsProblemInAFewWords(@TempDir Path dir) throws Exception {
    Path garbage = dir.resolve("garbage.txt");
    Files.writeString(garbage, "garbage line\nfoo\n");
    CliRun run = CliRun.of("check", garbage.toString(), MISSING, "--map", QEMU);
    assertEquals(2, run.exit(), run.err());
    List<String> rows = run.out().substring(run.out().indexOf("Summary of tdmr check (2 inputs)")).lines().skip(2).toList();
    // The file name appears once per row, in the host column.
    assertEquals(1, rows.get(0).split(garbage.toString(), -1).length - 1, rows.get(0));
    assertTrue(rows.get(0).contains("BAD_INPUT  not a layout"), rows.get(0));
    assertTrue(rows.get(1).matches(MISSING + " +2 +BAD_INPUT +no such file +- +-"), rows.get(1));
    // No reason cell is wider than HostSummary.REASON_WIDTH: "PAMT" and "fix" follow within it.
    String heading = run.out().lines().filter(l -> l.startsWith("host ")).findFirst().orElseThrow();
    assertTrue(heading.indexOf("PAMT") - heading.indexOf("reason") <= HostSummary.REASON_WIDTH + 2, heading);
    assertTrue(run.err().contains(garbage + ": not a layout: expected a JSON layout"), run.err());
    JsonNode error = ndjson(CliRun.of("check", "--json", garbage.toString(), MISSING, "--map", QEMU).out()).get(0).get("error");
    assertTrue(error.get("message").asText().startsWith(garbage + ": not a layout: expected"), error.toString());
  }

  /** A reason is cut after a whole word, before trailing punctuation, and says so with "...". */
  @Test
  void aLongReasonIsCutAfterAWord() {
    String shortReason = "TDMR [0x0, 0x80000000): reserved areas exhausted.";
    assertEquals(shortReason, HostSummary.cut(shortReason));
    // 10 words of 6 characters ("word1 " ... "word9 ", "wordX"): 59 characters fit; 65 do not.
    String fits = "abcde ".repeat(9) + "abcde";
    assertEquals(fits, HostSummary.cut(fits));
    String tooLong = "abcde ".repeat(10) + "abcde";
    // 57 characters leave room for "...": nine whole words (53 characters with their spaces) and no comma.
    assertEquals("abcde ".repeat(8) + "abcde...", HostSummary.cut(tooLong));
    assertEquals("abcde ".repeat(8) + "abcde...", HostSummary.cut("abcde ".repeat(8) + "abcde, " + "x".repeat(20)));
  }

  @Test
  void theExitStatusOfManyIsTheMostSerious() {
    assertEquals(0, HostRunner.overall(List.of(0, 0)));
    assertEquals(1, HostRunner.overall(List.of(0, 1, 0)));
    assertEquals(3, HostRunner.overall(List.of(1, 3, 0)));
    assertEquals(2, HostRunner.overall(List.of(3, 2, 1)));
    assertEquals(70, HostRunner.overall(List.of(2, 70, 0)));
  }

  @Test
  void aBadJobsValueIsAUsageError() {
    CliRun run = CliRun.of("map", QEMU, QEMU, "--jobs", "0");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--jobs must be at least 1"), run.err());
  }

  private static List<JsonNode> ndjson(String out) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    for (String line : out.lines().toList()) {
      docs.add(JSON.readTree(line));
    }
    return docs;
  }
}
