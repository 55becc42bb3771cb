package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tdmr.parse.RealMaps;

/**
 * A number too large for its field is bad input (exit 2, file, line and field) in every command
 * that reads a log; issue #17 found each of these to be an internal error (exit 70).
 */
class BadNumbersCliTest {
  @TempDir Path dir;

  private Path logWith(String extraLine) throws Exception {
    Path log = dir.resolve("host.txt");
    Files.writeString(log, RealMaps.text(RealMaps.EMR_135) + extraLine + "\n");
    return log;
  }

  private static int linesOf(String text) {
    return (int) text.lines().count();
  }

  @ParameterizedTest
  @ValueSource(strings = {"map", "plan", "prove", "fix", "frontier", "diagnose", "render"})
  void pamtTotalOfTwentyDigitsIsBadInputInEveryCommand(String command) throws Exception {
    Path log = logWith("[   99.1] virt/tdx: 99999999999999999999 KB allocated for PAMT");
    int line = linesOf(RealMaps.text(RealMaps.EMR_135)) + 1;
    CliRun run = command.equals("render")
        ? CliRun.of(command, log.toString(), "-o", dir.resolve("x.svg").toString())
        : CliRun.of(command, log.toString());
    assertEquals(2, run.exit(), run.err());
    assertEquals(log + ":" + line + ": PAMT size in KB 99999999999999999999 is out of range (0..4398046511104)\n", run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  @Test
  void diagnoseRefusesAStatusOfSeventeenHexDigits() throws Exception {
    Path log = logWith("[   99.1] virt/tdx: SEAMCALL (0x0000000000000022) failed: 0x1c000050500000000");
    CliRun run = CliRun.of("diagnose", log.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(": SEAMCALL status 0x1c000050500000000 does not fit in 64 bits"), run.err());
  }

  @Test
  void diagnoseRefusesAnErrnoBeyondAnInt() throws Exception {
    Path log = logWith("[   99.1] virt/tdx: module initialization failed (-99999999999)");
    CliRun run = CliRun.of("diagnose", log.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(": errno -99999999999 is out of range (-4095..4095)"), run.err());
  }
}
