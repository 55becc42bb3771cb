package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/**
 * Standard output is checked (issue #17): a full disk is exit 2 naming standard output, never exit 0
 * with part of a document written; a reader that went away ({@code | head -1}) ends the command
 * quietly with its own status.
 */
class OutputErrorsTest {
  private static final String MAP = RealMaps.path(RealMaps.EMR_135).toString();

  /** Runs tdmr with {@code out} as standard output; returns the exit status and standard error. */
  private static CliRun runTo(OutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = TdmrCommand.run(args, new ByteArrayInputStream(new byte[0]), out, e);
    }
    return new CliRun(exit, "", err.toString(StandardCharsets.UTF_8));
  }

  private static FileOutputStream devFull() throws IOException {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full on this machine");
    return new FileOutputStream("/dev/full");
  }

  @Test
  void mapToAFullDiskIsExitTwo() throws IOException {
    try (FileOutputStream full = devFull()) {
      CliRun run = runTo(full, "map", MAP);
      assertEquals(2, run.exit());
      assertTrue(run.err().startsWith("tdmr: cannot write standard output: No space left on device"), run.err());
    }
  }

  @Test
  void planJsonToAFullDiskIsExitTwoNotTheAnswer() throws IOException {
    try (FileOutputStream full = devFull()) {
      // plan --holes cmr succeeds (exit 0 when its output is written).
      CliRun run = runTo(full, "plan", MAP, "--holes", "cmr", "--json");
      assertEquals(2, run.exit());
      assertTrue(run.err().contains("cannot write standard output"), run.err());
    }
  }

  @Test
  void aFullDiskSaysHowMuchWasWrittenNotHowMuchWasPrinted() throws IOException {
    try (FileOutputStream full = devFull()) {
      // /dev/full takes nothing: the message must not count the bytes the command printed.
      CliRun run = runTo(full, "map", MAP);
      assertTrue(run.err().endsWith("the output is incomplete (0 bytes written before the failing write)\n"), run.err());
    }
    // A disk that fills after 300 bytes: the writes that completed are counted, the failing one not
    // (plan writes its report in one piece, so none completed).
    FillsAfter disk = new FillsAfter(300);
    CliRun run = runTo(disk, "plan", MAP);
    assertEquals(2, run.exit());
    assertTrue(run.err().matches("(?s)tdmr: cannot write standard output: No space left on device; the output is"
        + " incomplete \\((\\d+) bytes written before the failing write\\)\n"), run.err());
    long counted = Long.parseLong(run.err().replaceAll("(?s).*\\((\\d+) bytes.*", "$1"));
    assertEquals(disk.taken, counted, run.err());
  }

  /** A disk with room for {@code room} bytes: a write that does not fit fails whole. */
  private static final class FillsAfter extends OutputStream {
    private long room;
    private long taken;

    FillsAfter(long room) {
      this.room = room;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > room) {
        throw new IOException("No space left on device");
      }
      room -= len;
      taken += len;
    }
  }

  /** What a pipe does when its reader has gone: every write fails with EPIPE. */
  private static final class ClosedPipe extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("Broken pipe");
    }
  }

  @Test
  void aClosedPipeEndsQuietlyWithTheCommandsStatus() {
    CliRun map = runTo(new ClosedPipe(), "map", MAP);
    assertEquals(0, map.exit());
    assertEquals("", map.err());
    // The bundled example fails like its kernel: exit 1, the answer, whether or not anyone reads it.
    CliRun plan = runTo(new ClosedPipe(), "plan");
    assertEquals(1, plan.exit());
    assertEquals("", plan.err());
  }
}
