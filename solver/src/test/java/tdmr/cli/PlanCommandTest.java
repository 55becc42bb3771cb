package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.check.TdmrInfoCodec;
import tdmr.parse.RealMaps;
import tdmr.tdx.Layout;

class PlanCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Without INPUT: the bundled canonical/tdx#135 log, failing as its kernel did (exit 1). */
  @Test
  void bundledExampleFailsLikeItsKernelWithExitOne() {
    CliRun run = CliRun.of("plan");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.flatOut().contains(
        "virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."
            + " virt/tdx: module initialization failed (-28)"), run.out());
    assertTrue(run.flatOut().contains("needs 18 reserved areas (17 holes, 1 PAMT piece); the module allows 16:"), run.out());
    assertTrue(run.out().contains("With --holes cmr"), run.out());
  }

  /** CMR holes: TDMR [0, 2G) keeps 3 areas; its 2 GiB PAMT is 8 MiB + 16 KiB + 4 KiB = 8212 KB = 8409088 bytes. */
  @Test
  void cmrHolesBuildTheExampleAndPrintTheTableAndTotal() {
    CliRun run = CliRun.of("plan", "--holes", "cmr");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("virt/tdx: 8212 KB allocated for PAMT\nvirt/tdx: module initialized\n"), run.out());
    // The row: TDMR [0, 2 GiB), node 0, 3 of 16 reserved areas, its 8.02 MiB PAMT chunk at 1 MiB.
    assertTrue(run.out().contains("0  [0x0, 0x80000000)  2 GiB     0      3/16  8.02 MiB  0x100000"), run.out());
    assertTrue(run.out().contains("PAMT total: 8409088 bytes (8.02 MiB, 8212 KiB) in 1 TDMR; remote PAMT 0 bytes\n"),
        run.out());
  }

  /** Dynamic PAMT: 2^19 pages of TDMR [0, 2G) at one bit each = 64 KiB, + 16 KiB (2M) + 4 KiB (1G) = 84 KB. */
  @Test
  void dynamicPamtShrinksTheExamplesPamtToEightyFourKb() {
    CliRun run = CliRun.of("plan", "--holes", "cmr", "--dpamt");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("virt/tdx: 84 KB allocated for PAMT\n"), run.out());
  }

  @Test
  void jsonCarriesStatusPamtBytesTdmrsAndMessages() throws Exception {
    CliRun run = CliRun.of("plan", "--holes", "cmr", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode result = JSON.readTree(run.out()).get("results").get(0);
    assertEquals("greedy-cmr", result.get("solver").asText());
    assertEquals("FEASIBLE", result.get("status").asText());
    assertEquals(8409088, result.get("pamtBytes").asLong());
    JsonNode tdmr = result.get("tdmrs").get(0);
    // One TDMR over the first 2 GiB, its 4K PAMT 8 MiB at 1 MiB (the kernel's log: 8212 KB in all).
    assertEquals("0x0", tdmr.get("start").asText());
    assertEquals("0x80000000", tdmr.get("end").asText());
    assertEquals(2L << 30, tdmr.get("sizeBytes").asLong());
    assertEquals("0x100000", tdmr.get("pamt").get("4k").get("start").asText());
    assertEquals("0x900000", tdmr.get("pamt").get("4k").get("end").asText());
    assertEquals(8L << 20, tdmr.get("pamt").get("4k").get("sizeBytes").asLong());
    assertEquals(3, tdmr.get("reserved").size());
    assertEquals("virt/tdx: 8212 KB allocated for PAMT", result.get("messages").get(0).asText());
  }

  @Test
  void failedJsonHasNoTdmrsAndANullPamtTotal() throws Exception {
    CliRun run = CliRun.of("plan", "--json");
    assertEquals(1, run.exit());
    JsonNode result = JSON.readTree(run.out()).get("results").get(0);
    assertEquals("FAILED", result.get("status").asText());
    assertTrue(result.get("pamtBytes").isNull());
    assertTrue(result.get("tdmrs").isNull());
    assertTrue(result.get("uncoveredBytes").isNull(), "no layout covers or leaves out anything: " + result);
  }

  /** Dynamic PAMT on the example: 64 + 16 + 4 = 84 KiB, said once, not "(84 KiB, 84 KiB)". */
  @Test
  void aPamtTotalUnderOneMibIsSaidOnceInKib() {
    CliRun run = CliRun.of("plan", "--holes", "cmr", "--dpamt");
    assertTrue(run.out().contains("PAMT total: 86016 bytes (84 KiB) in 1 TDMR;"), run.out());
  }

  /** The README log (CMRs only): 5 TDMRs, 4202516 KB as its kernel printed; TDMR_INFO is 5 x 512 bytes. */
  @Test
  void tdmrInfoFileHoldsTheLayoutInTheModulesFormat(@TempDir Path dir) throws Exception {
    Path info = dir.resolve("tdmr_info.bin");
    CliRun run = CliRun.of("plan", RealMaps.path(RealMaps.README_1TIB).toString(), "--tdmr-info", info.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("virt/tdx: 4202516 KB allocated for PAMT"), run.out());
    assertEquals(5 * 512, Files.size(info));
    Layout layout = TdmrInfoCodec.read(info);
    assertEquals(4202516L * 1024, layout.pamtBytes());
  }

  @Test
  void severalEnginesEndWithASideBySideSummary() {
    CliRun run = CliRun.of("plan", "--solver", "greedy,greedy-cmr");
    assertEquals(0, run.exit(), run.err()); // greedy-cmr built a layout
    assertTrue(run.out().contains("\nSummary\n"), run.out());
    assertTrue(run.out().contains("greedy      FAILED"), run.out());
    assertTrue(run.out().contains("greedy-cmr  FEASIBLE"), run.out());
  }

  @Test
  void unknownSolverIsAUsageErrorNamingTheAvailableOnes() {
    CliRun run = CliRun.of("plan", "--solver", "gurobi");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("unknown solver 'gurobi' (available in this build: greedy"), run.err());
  }

  @Test
  void badLimitsAndHolesAreUsageErrors() {
    assertEquals(2, CliRun.of("plan", "--max-tdmrs", "0").exit());
    assertEquals(2, CliRun.of("plan", "--holes", "e820").exit());
    assertEquals(2, CliRun.of("plan", "--time-limit", "0").exit());
  }

  @Test
  void missingInputFileIsAnInputError() {
    CliRun run = CliRun.of("plan", "/nonexistent/dmesg.txt");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("/nonexistent/dmesg.txt"), run.err());
  }

  /** --max-rsvd 18 lets the greedy through (18 areas); the module's binary format has 16 slots. */
  @Test
  void raisedLimitsBuildAndTdmrInfoRefusesMoreThanSixteenSlots(@TempDir Path dir) {
    Path info = dir.resolve("x.bin");
    CliRun run = CliRun.of("plan", "--max-rsvd", "18", "--tdmr-info", info.toString());
    assertEquals(2, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("18/18"), run.out());
    assertTrue(run.err().contains("TDMR_INFO has 16 slots"), run.err());
  }

  @Test
  void tdmrInfoPathThatCannotBeWrittenIsBadInputNotABug(@TempDir Path dir) {
    // A directory, and a file in a directory that does not exist: both used to exit 70.
    String map = RealMaps.path(RealMaps.README_1TIB).toString(); // greedy builds a layout for it
    CliRun intoDirectory = CliRun.of("plan", map, "--tdmr-info", dir.toString());
    assertEquals(2, intoDirectory.exit(), intoDirectory.err());
    assertTrue(intoDirectory.err().startsWith(dir + ": cannot write the TDMR_INFO file"), intoDirectory.err());
    String missing = dir.resolve("no/such/dir/x.bin").toString();
    CliRun intoMissing = CliRun.of("plan", map, "--tdmr-info", missing);
    assertEquals(2, intoMissing.exit(), intoMissing.err());
    assertEquals(missing + ": cannot write the TDMR_INFO file: no such directory; nothing written\n", intoMissing.err());
  }
}
