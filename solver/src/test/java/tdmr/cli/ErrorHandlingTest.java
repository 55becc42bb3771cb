package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import tdmr.parse.RealMaps;

/** Exit statuses and messages: bad input and usage exit 2 without a stack trace, bugs exit 70. */
class ErrorHandlingTest {
  @TempDir Path dir;

  private static void assertNoStackTrace(CliRun run) {
    assertFalse(run.err().contains("\tat "), run.err());
    assertFalse(run.err().contains("Exception in"), run.err());
  }

  /** Without a command: the usage, on standard error, and exit 2 (HelpAndVersionTest has the why). */
  @Test
  void bareTdmrPrintsUsage() {
    CliRun run = CliRun.of();
    assertEquals(TdmrCommand.EXIT_INPUT, run.exit());
    assertTrue(run.err().startsWith("Compute, check and optimise"), run.err());
    assertTrue(run.err().contains("map "), run.err());
    assertNoStackTrace(run);
  }

  @Test
  void missingFileIsBadInput() {
    String missing = dir.resolve("nope.txt").toString();
    CliRun run = CliRun.of("map", missing);
    assertEquals(2, run.exit());
    assertEquals(missing + ": no such file\n", run.err());
    assertNoStackTrace(run);
  }

  @Test
  void directoryIsBadInput() {
    // map reads every file under a directory (many hosts); one without files is bad input.
    CliRun run = CliRun.of("map", dir.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains(dir + ": a directory without files"), run.err());
    // A command that reads one map says a directory is not one.
    CliRun prove = CliRun.of("prove", dir.toString());
    assertEquals(2, prove.exit());
    assertTrue(prove.err().contains("is a directory"), prove.err());
  }

  @Test
  void logWithoutAMapIsBadInputNamingTheFile() {
    String file = RealMaps.path(RealMaps.GNR_415_NO_MAP).toString();
    CliRun run = CliRun.of("map", file);
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith(file + ": no memory map in this input"), run.err());
    assertEquals("", run.out());
    // The operator of the GNR host of canonical/tdx#415 (a log of TDX lines only) learns what to
    // collect: fix says so too, and diagnose, which gives its own advice, quotes the problem alone.
    CliRun fix = CliRun.of("fix", file);
    assertEquals(2, fix.exit());
    assertTrue(fix.err().contains("; the boot's whole kernel log has one (journalctl -k -b > dmesg.txt), or collect"
        + " one on the host with sudo tdmr gather -o host.txt"), fix.err());
    CliRun diagnose = CliRun.of("diagnose", file);
    assertTrue(diagnose.flatOut().contains("no memory map in this input (no BIOS-e820, memblock 'node N:' or TDX CMR"
        + " lines). Collect what tdmr needs"), diagnose.out());
  }

  @Test
  void badLineIsReportedWithItsNumber() throws Exception {
    Path log = dir.resolve("bad.txt");
    Files.writeString(log, "[    0.0] Linux version 6.8\n[    0.0] BIOS-e820: [mem 0x100000-0x7fffffff]\n");
    CliRun run = CliRun.of("map", log.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith(log + ":2: malformed BIOS-e820 line"), run.err());
    assertNoStackTrace(run);
  }

  @Test
  void binaryFileIsBadInput() throws Exception {
    Path bin = dir.resolve("tdmr_info.bin");
    Files.write(bin, new byte[] {0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00});
    CliRun run = CliRun.of("map", bin.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("binary input"), run.err());
  }

  @Test
  void unknownOptionIsAUsageErrorWithAHint() {
    CliRun run = CliRun.of("map", "--bogus", "x");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("Unknown option: '--bogus'"), run.err());
    assertTrue(run.err().contains("Try 'tdmr map --help' for usage."), run.err());
    assertFalse(run.err().contains("Usage:"), run.err());
  }

  /** A first word that is no command is named as one, with the commands, as {@code tdmr help bogus} does. */
  @Test
  void anUnknownCommandIsNamedWithTheCommands() {
    CliRun run = CliRun.of("pln", "x.txt");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("tdmr: unknown command 'pln' (commands: map, plan, check, fix,"), run.err());
    assertTrue(run.err().contains("Did you mean: tdmr plan"), run.err());
    assertFalse(run.err().contains("Unmatched argument"), run.err());
    // An unknown option before any command stays an unknown option.
    assertTrue(CliRun.of("--bogus").err().contains("Unknown option: '--bogus'"));
  }

  @Test
  void missingArgumentIsAUsageError() {
    CliRun run = CliRun.of("map");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("Missing required parameter: 'INPUT'"), run.err());
  }

  /** A command with a bug. */
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("invariant broken");
    }
  }

  @Test
  void unexpectedExceptionIsAnInternalErrorInOneLine() {
    // Assumes TDMR_DEBUG is not set in the test environment (it only adds the stack trace).
    CliRun run = CliRun.withExtraCommand("boom", new Boom(), "boom");
    assertEquals(70, run.exit());
    assertTrue(run.err().startsWith("tdmr: internal error: java.lang.IllegalStateException: invariant broken"), run.err());
    if (System.getenv("TDMR_DEBUG") == null) {
      assertEquals(1, run.err().lines().count(), run.err());
    }
  }

  /** A command whose input does not fit in the heap. */
  @Command(name = "hog")
  static final class Hog implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Test
  void runningOutOfHeapIsExitTwoWithALargerHeapNotAStackTrace() {
    // Before the fix the Error escaped picocli: the JVM printed a stack trace and exited 1 ("no").
    // It is no bug (no input reaches exit 70, issue #17): the heap that ran out and a larger one.
    CliRun run = CliRun.withExtraCommand("hog", new Hog(), "hog");
    assertEquals(2, run.exit());
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    assertTrue(run.err().startsWith("tdmr: out of memory: this input and these options need more than the Java heap of "
        + heapMb + " MiB"), run.err());
    java.util.regex.Matcher suggested = java.util.regex.Pattern.compile("TDMR_JAVA_OPTS=-Xmx(\\d+)m").matcher(run.err());
    assertTrue(suggested.find(), run.err());
    assertTrue(Long.parseLong(suggested.group(1)) > heapMb, run.err());
    assertNoStackTrace(run);
  }

  /** A command that cannot start a thread (under ulimit -v, a solver's threads). */
  @Command(name = "threads")
  static final class NoThreads implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
    }
  }

  @Test
  void runningOutOfMemoryOutsideTheHeapIsNotCalledAHeapProblem() {
    CliRun run = CliRun.withExtraCommand("threads", new NoThreads(), "threads");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("tdmr: out of memory outside the Java heap (unable to create native thread: "),
        run.err());
    assertTrue(!run.err().contains("-Xmx"), run.err());
    assertNoStackTrace(run);
  }

  @Test
  void helpDescriptionsReadAsParagraphsNotRaggedLines() {
    // Descriptions written as hard-wrapped ~95-column lines were re-wrapped by picocli at 80
    // columns into "... and prints the" / "TDX memory blocks ..." stubs. A ragged stub is a short
    // unindented line whose sentence goes on in lower case on the next line.
    for (String command : List.of("map", "plan", "check", "fix", "prove", "frontier", "render", "diagnose")) {
      List<String> lines = CliRun.of(command, "--help").out().lines().toList();
      for (int i = 0; i + 1 < lines.size(); i++) {
        String line = lines.get(i);
        String next = lines.get(i + 1);
        boolean unindented = !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
        boolean continues = !next.isEmpty() && Character.isLowerCase(next.charAt(0));
        assertFalse(unindented && continues && line.length() < 60, command + " --help, line " + (i + 1) + ": " + line);
      }
    }
  }
}
