package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs over 64 MiB are refused before reading (a regular file) or while reading (a pipe or a
 * device that never ends), with the limit in the message (issue #17: a 3 GB file and /dev/zero were
 * internal errors after tens of seconds and gigabytes).
 */
class InputLimitsTest {
  @TempDir Path dir;

  @Test
  void aFileOverTheLimitIsRefusedBeforeReading() throws Exception {
    Path huge = dir.resolve("huge.log");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: 3 GiB that take no disk
    }
    CliRun run = CliRun.of("map", huge.toString());
    assertEquals(2, run.exit());
    assertEquals(huge + ": is 3 GiB (3221225472 bytes); tdmr reads inputs of at most 64 MiB; a kernel log of one boot is far smaller"
        + " (journalctl -k -b)\n", run.err());
  }

  @Test
  void aDeviceThatNeverEndsIsRefusedAtTheLimit() {
    assumeTrue(Files.isReadable(Path.of("/dev/zero")), "no /dev/zero on this machine");
    CliRun run = CliRun.of("map", "/dev/zero");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("/dev/zero: more than 64 MiB of input; tdmr reads inputs of at most 64 MiB"), run.err());
  }

  @Test
  void standardInputThatNeverEndsIsRefusedAtTheLimit() {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 'x';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'x');
        return len;
      }
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = TdmrCommand.run(new String[] {"diagnose", "-"}, endless, new ByteArrayOutputStream(),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("<stdin>: more than 64 MiB of input"), err.toString());
  }

  @Test
  void aFileNameThatIsNoPathIsBadInput() {
    CliRun run = CliRun.of("map", "bad\0name");
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("Nul character not allowed"), run.err());
  }

  /** The module takes 64 TDMRs; 100 000 TDMR_INFO entries took minutes to check. */
  @Test
  void aTdmrInfoOfMoreEntriesThanAnyLayoutIsRefused() throws Exception {
    Path info = dir.resolve("many.bin");
    try (RandomAccessFile f = new RandomAccessFile(info.toFile(), "rw")) {
      f.setLength(100_000L * 512);
    }
    CliRun run = CliRun.of("check", info.toString(), "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString());
    assertEquals(2, run.exit(), run.err());
    assertEquals(info + ": TDMR_INFO binary of 100000 entries; tdmr reads at most 4096 (the TDX module accepts at most 64)\n",
        run.err());
  }
}
