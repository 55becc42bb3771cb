package tdmr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tdmr} as people run it, in a separate process (issue #17): a JVM that cannot start
 * under {@code ulimit -v} is exit 2 with one line, crash reports stay out of the current directory,
 * a full disk is exit 2, a closed pipe ends quietly, closed standard input is "no input".
 *
 * <p>These tests live in this module because its tests run after {@code solver/target/tdmr.jar} is
 * built in the reactor ({@code mvn verify}); without the jar (a {@code mvn test} from scratch) they
 * are skipped with that reason.
 */
class LauncherTest {
  private static Path root;
  private static Path tdmr;
  private static Path map;

  @TempDir Path cwd;

  /** One run: exit status, standard output and error. */
  private record Run(int exit, String out, String err) {}

  @BeforeAll
  static void findLauncher() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("bin/tdmr")) && Files.isDirectory(d.resolve("solver"))) {
        root = d;
        break;
      }
    }
    assumeTrue(root != null, "bin/tdmr not found above " + Path.of("").toAbsolutePath());
    assumeTrue(Files.isRegularFile(root.resolve("solver/target/tdmr.jar")),
        "solver/target/tdmr.jar is not built (these tests run in mvn verify, after the solver's package phase)");
    tdmr = root.resolve("bin/tdmr");
    map = root.resolve("model/src/test/resources/realmaps/tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt");
  }

  /** Runs {@code script} with bash in the temporary directory, $T being bin/tdmr and $M the #135 log. */
  private Run bash(String script) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(cwd.toFile());
    pb.environment().put("T", tdmr.toString());
    pb.environment().put("M", map.toString());
    pb.environment().remove("TDMR_JAVA_OPTS");
    Path out = cwd.resolve(".out");
    Path err = cwd.resolve(".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    int exit = pb.start().waitFor();
    Run r = new Run(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @AfterEach
  void noCrashReportInTheCurrentDirectory() throws IOException {
    try (Stream<Path> files = Files.list(cwd)) {
      List<String> reports = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")).toList();
      assertEquals(List.of(), reports);
    }
  }

  @Test
  void aJvmThatCannotStartIsExitTwoWithOneLine() throws Exception {
    Run r = bash("ulimit -v 300000; \"$T\" map \"$M\"");
    assertEquals(2, r.exit(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("tdmr: the Java VM cannot start within the address-space limit (ulimit -v 300000 KiB)"),
        r.err());
  }

  @Test
  void underFourGigabytesOfAddressSpaceEveryEngineRuns() throws Exception {
    Run r = bash("ulimit -v 4000000; \"$T\" plan \"$M\" --solver all");
    // The greedy fails as the kernel did, CP-SAT and Z3 find the two-TDMR layout: exit 0.
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("== cpsat: OPTIMAL"), r.out());
    assertTrue(r.out().contains("== z3: OPTIMAL"), r.out());
  }

  /**
   * Under 1 GB the VM starts but a solver's native library may not map (OR-Tools' loader then
   * returned as if it had loaded, and the first native call was an internal error, exit 70), or a
   * solver's thread may not start (reported as the Java heap running out, with -Xmx advice).
   */
  @Test
  void aSolverWhoseNativeLibraryCannotMapIsNotAvailableNotAnInternalError() throws Exception {
    for (String solver : List.of("cpsat", "z3")) {
      Run r = bash("ulimit -v 1000000; \"$T\" plan \"$M\" --solver " + solver + " --time-limit 10");
      assertTrue(List.of(0, 2, 3).contains(r.exit()), solver + ": exit " + r.exit() + "\n" + r.err());
      assertTrue(!r.err().contains("internal error") && !r.err().contains("\tat "), r.err());
      if (r.exit() == 2) {
        // Either the library did not map, or a solver thread could not start: both name the limit.
        assertTrue(r.err().startsWith("tdmr: solver '" + solver + "' is not available on this machine: ")
            || r.err().startsWith("tdmr: out of memory outside the Java heap"), r.err());
        assertTrue(r.err().contains("1000000 KiB (ulimit -v)"), r.err());
      }
    }
  }

  @Test
  void aJavaOptionTheVmRefusesIsExitTwo() throws Exception {
    Run r = bash("TDMR_JAVA_OPTS=-XX:+NoSuchOptionAtAll \"$T\" map \"$M\"");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().startsWith("tdmr: the Java VM cannot start with TDMR_JAVA_OPTS='-XX:+NoSuchOptionAtAll'"), r.err());
  }

  @Test
  void aFullDiskIsExitTwo() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full on this machine");
    Run r = bash("\"$T\" map \"$M\" > /dev/full");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().startsWith("tdmr: cannot write standard output: No space left on device"), r.err());
  }

  @Test
  void aClosedPipeEndsQuietly() throws Exception {
    Run r = bash("\"$T\" map \"$M\" | head -1; echo \"status ${PIPESTATUS[0]}\"");
    assertEquals("Memory map of " + map + "\nstatus 0\n", r.out());
    assertEquals("", r.err());
  }

  @Test
  void closedStandardInputIsNoInput() throws Exception {
    Run r = bash("\"$T\" map - <&-");
    assertEquals(2, r.exit(), r.err());
    assertEquals("<stdin>: no input: standard input is closed (give a file, or pipe a log in)\n", r.err());
  }
}
