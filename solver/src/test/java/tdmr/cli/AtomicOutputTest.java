package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.check.TdmrInfoCodec;
import tdmr.parse.RealMaps;

/**
 * Files are written whole or not at all (issue #17): {@code render -o} and {@code plan --tdmr-info}
 * write a temporary file next to the target and rename it when complete, so a full disk leaves the
 * old file untouched and no partial file behind. A full disk is a small tmpfs, mounted when the
 * tests run as root (as in CI); elsewhere those tests are skipped.
 */
class AtomicOutputTest {
  private static final String MAP = RealMaps.path(RealMaps.EMR_135).toString();

  @TempDir Path dir;
  private Path mounted;

  /** A 64 KiB tmpfs under the temporary directory, or a skipped test. */
  private Path smallDisk() throws Exception {
    Path disk = Files.createDirectory(dir.resolve("disk"));
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString())
        .redirectErrorStream(true).start();
    String why = new String(mount.getInputStream().readAllBytes());
    assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + why);
    mounted = disk;
    return disk;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      new ProcessBuilder("umount", mounted.toString()).start().waitFor();
    }
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Fills the disk to within {@code room} bytes. */
  private static void fill(Path disk, int room) throws IOException {
    Path filler = disk.resolve("filler");
    byte[] chunk = new byte[1024];
    try (var out = Files.newOutputStream(filler)) {
      while (Files.getFileStore(disk).getUsableSpace() > room) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // Full already.
    }
  }

  @Test
  void renderOnAFullDiskKeepsTheOldPictureAndLeavesNoPart() throws Exception {
    Path disk = smallDisk();
    Path picture = disk.resolve("layout.html");
    byte[] old = "<html>the picture of last week</html>\n".getBytes();
    Files.write(picture, old);
    // The self-contained HTML page of the example is far larger than 64 KiB.
    CliRun run = CliRun.of("render", MAP, "--solver", "greedy", "-o", picture.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().startsWith(picture + ": cannot write the picture: No space left on device; nothing written"),
        run.err());
    assertArrayEquals(old, Files.readAllBytes(picture));
    assertEquals(List.of("layout.html"), names(disk));
  }

  @Test
  void tdmrInfoOnAFullDiskKeepsTheOldFile() throws Exception {
    Path disk = smallDisk();
    Path info = disk.resolve("tdmr_info.bin");
    byte[] old = new byte[TdmrInfoCodec.ENTRY_BYTES];
    Files.write(info, old);
    fill(disk, 256);
    CliRun run = CliRun.of("plan", MAP, "--holes", "cmr", "--tdmr-info", info.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("cannot write the TDMR_INFO file: No space left on device; nothing written"), run.err());
    assertArrayEquals(old, Files.readAllBytes(info));
    assertEquals(List.of("filler", "tdmr_info.bin"), names(disk));
  }

  @Test
  void aMissingDirectoryIsBadInputAndNothingIsWritten() {
    Path picture = dir.resolve("no-such-dir").resolve("layout.svg");
    CliRun run = CliRun.of("render", MAP, "--solver", "greedy", "-o", picture.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("cannot write the picture: no such directory; nothing written"), run.err());
  }

  @Test
  void aWrittenFileReplacesTheOldOneWhole() throws Exception {
    Path info = dir.resolve("tdmr_info.bin");
    Files.write(info, new byte[] {1, 2, 3});
    CliRun run = CliRun.of("plan", MAP, "--holes", "cmr", "--tdmr-info", info.toString());
    assertEquals(0, run.exit(), run.err());
    // One TDMR [0, 2 GiB) under CMR holes: one 512-byte entry.
    assertEquals(TdmrInfoCodec.ENTRY_BYTES, Files.size(info));
    assertEquals(List.of("tdmr_info.bin"), names(dir));
  }

  /**
   * A symbolic link to a file is followed: the file it names gets the layout and the link stays a
   * link (renaming over the link would have cut it off from the file it shared).
   */
  @Test
  void aLinkToAFileStaysALinkAndTheFileGetsTheLayout() throws Exception {
    Path real = Files.write(dir.resolve("real.bin"), new byte[] {1, 2, 3});
    Path link = Files.createSymbolicLink(dir.resolve("link.bin"), real.getFileName());
    CliRun run = CliRun.of("plan", MAP, "--holes", "cmr", "--tdmr-info", link.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
    // One TDMR [0, 2 GiB) under CMR holes: one 512-byte entry, in the file the link names.
    assertEquals(TdmrInfoCodec.ENTRY_BYTES, Files.size(real));
    assertEquals(List.of("link.bin", "real.bin"), names(dir));
  }

  /**
   * A target that is no regular file (a named pipe here; /dev/full, /dev/stdout alike) is written
   * into, never renamed over: as root, renaming over /dev/full replaced the device with a file.
   */
  @Test
  void aNamedPipeIsWrittenIntoAndStaysAPipe() throws Exception {
    Path fifo = dir.resolve("tdmr_info.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available here");
    ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fifo reader");
      t.setDaemon(true);
      return t;
    });
    try {
      // Opening a pipe to read waits for its writer; the daemon thread cannot keep the JVM alive.
      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
        try {
          return Files.readAllBytes(fifo);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, reader);
      CliRun run = CliRun.of("plan", MAP, "--holes", "cmr", "--tdmr-info", fifo.toString());
      assertEquals(0, run.exit(), run.err());
      BasicFileAttributes attributes = Files.readAttributes(fifo, BasicFileAttributes.class);
      assertTrue(attributes.isOther(), "the pipe was replaced by a file");
      assertFalse(attributes.isRegularFile());
      assertEquals(TdmrInfoCodec.ENTRY_BYTES, read.get().length);
      assertEquals(List.of("tdmr_info.fifo"), names(dir));
    } finally {
      reader.shutdownNow();
    }
  }
}
