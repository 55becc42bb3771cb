package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/**
 * {@code tdmr diagnose} on the real host logs, checked against what the logs themselves say (see
 * TdxLogTriageTest for the decoding) and against the exit-status contract: 0 up, 1 not up, 2 bad input.
 */
class DiagnoseCommandTest {
  private static String real(String name) {
    return RealMaps.path(name).toString();
  }

  @Test
  void seamcallFailureIsDecodedAndNotBlamedOnTheLayout() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.SEAMCALL_331));
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().startsWith("TDX did not come up: the TDX module refused a SEAMCALL."), run.out());
    assertTrue(run.out().contains("0x22 = TDH.SYS.RD"), run.out());
    assertTrue(run.out().contains("0xc000050500000000 ="), run.out());
    assertTrue(run.out().contains("TDX_SYS_NOT_READY"), run.out());
    assertTrue(run.out().contains("0x9100000100000008 = MAX_TDMRS"), run.out());
    assertTrue(run.out().contains("This is not a memory-layout problem"), run.out());
    assertFalse(run.out().contains("Layout analysis"), run.out());
    // Every line but the one naming the (long) log path fits an 80-column terminal.
    assertTrue(run.out().lines().filter(l -> !l.startsWith("Log: ")).allMatch(l -> l.length() <= 80),
        "fits 80 columns:\n" + run.out());
  }

  @Test
  void failureLogWithoutAMapSaysWhichLinesToCollect() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.GNR_415_NO_MAP));
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("TDMR [0x40000000, 0x80000000)"), run.out());
    assertTrue(run.out().contains("no memory map in this input"), run.out());
    assertTrue(run.out().contains("journalctl -k -b"), run.out());
    assertTrue(run.out().contains("BIOS-e820:"), run.out());
    assertTrue(run.out().contains("virt/tdx: CMR:"), run.out());
  }

  @Test
  void successExitsZero() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.CMR_TWICE_285));
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("TDX came up."), run.out());
    assertTrue(run.out().contains("1050636 KB"), run.out());
  }

  @Test
  void standardInputIsTheDefault() {
    CliRun run = CliRun.withStdin(RealMaps.text(RealMaps.SEAMCALL_331), "diagnose");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("Log: <stdin>"), run.out());
  }

  @Test
  void jsonCarriesTheDecodedFacts() throws Exception {
    CliRun run = CliRun.of("diagnose", "--json", real(RealMaps.SEAMCALL_331));
    assertEquals(1, run.exit(), run.err());
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertEquals("SEAMCALL_FAILED", j.get("outcome").asText());
    assertFalse(j.get("tdxUp").asBoolean());
    assertEquals("0x22", j.at("/seamcall/leaf").asText());
    assertEquals("TDH.SYS.RD", j.at("/seamcall/leafName").asText());
    assertEquals("TDX_SYS_NOT_READY", j.at("/seamcall/statusName").asText());
    assertEquals("MAX_TDMRS", j.at("/seamcall/field").asText());
    assertEquals("0x9100000100000008", j.at("/seamcall/registers/RDX").asText());
    assertEquals(4, j.get("cmrs").size());
    assertEquals(-5, j.get("errno").asInt());
  }

  @Test
  void missingFileIsBadInput() {
    CliRun run = CliRun.of("diagnose", "/nonexistent/dmesg.txt");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("/nonexistent/dmesg.txt: no such file"), run.err());
  }
}
