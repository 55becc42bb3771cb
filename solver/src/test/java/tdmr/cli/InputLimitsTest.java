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
 * Inputs over 64 MiB (a TDMR_INFO binary: 2 MiB) are refused before reading (a regular file, by its
 * size; a device, at once) or while reading (a pipe that never ends), with the limit in the message
 * (issue #17: a 3 GB file and /dev/zero were internal errors after tens of seconds and gigabytes).
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

  /** A device given by its path is not read at all: /dev/zero never ends, and no device is a map. */
  @Test
  void aDeviceIsRefusedWithoutReadingIt() {
    assumeTrue(Files.isReadable(Path.of("/dev/zero")), "no /dev/zero on this machine");
    CliRun run = CliRun.of("map", "/dev/zero");
    assertEquals(2, run.exit());
    assertEquals("/dev/zero: is a character device, not a file: it is not read (it may never end); give a file, or pipe"
        + " the input in; tdmr reads inputs of at most 64 MiB; a kernel log of one boot is far smaller (journalctl -k -b)\n",
        run.err());
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

  /**
   * The module takes 64 TDMRs; 100 000 TDMR_INFO entries took minutes to check, and were refused only
   * after reading all 51 MB. A TDMR_INFO of more than 4096 entries (2 MiB) is refused by its size.
   */
  @Test
  void aTdmrInfoFileOfMoreEntriesThanAnyLayoutIsRefusedByItsSize() throws Exception {
    Path info = dir.resolve("many.bin");
    try (RandomAccessFile f = new RandomAccessFile(info.toFile(), "rw")) {
      f.setLength(100_000L * 512);
    }
    CliRun run = CliRun.of("check", info.toString(), "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString());
    assertEquals(2, run.exit(), run.err());
    assertEquals(info + ": is 48.83 MiB (51200000 bytes); a TDMR_INFO binary read here holds at most 4096 entries of 512 bytes"
        + " (2 MiB); the TDX module accepts at most 64\n", run.err());
  }

  /** Piped in, its size is unknown: it is read up to the TDMR_INFO limit, which the message names. */
  @Test
  void aPipedTdmrInfoIsReadOnlyUpToItsLimit() {
    byte[] entries = new byte[4097 * 512];
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = TdmrCommand.run(new String[] {"check", "-", "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString()},
        new java.io.ByteArrayInputStream(entries), new ByteArrayOutputStream(), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, exit);
    assertEquals("<stdin>: more than 2 MiB of input; a TDMR_INFO binary read here holds at most 4096 entries of 512 bytes (2 MiB);"
        + " the TDX module accepts at most 64\n", err.toString(StandardCharsets.UTF_8));
  }

  /**
   * A JSON layout is held to the limit of every input, not to TDMR_INFO's: 3 MiB of it is read and
   * checked (an empty TDMR list, which the module refuses by rule A4: exit 1, not a size error).
   */
  @Test
  void aJsonLayoutMayBeLargerThanATdmrInfo() throws Exception {
    Path layout = dir.resolve("layout.json");
    Files.writeString(layout, "{" + " ".repeat(3 << 20) + "\"tdmrs\": []}");
    CliRun run = CliRun.of("check", layout.toString(), "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString());
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("rule A4"), run.out());
  }
}
