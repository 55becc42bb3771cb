package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory of host inputs walked while it changes: a file that vanishes during the walk (a
 * collector rotating logs, another program's temporary file) is no input, and a part that cannot
 * be read is reported for itself; neither is "the directory cannot be read". `tdmr map /tmp` said
 * "/tmp: cannot read the directory: no such directory" when a file under /tmp vanished mid-walk.
 */
class HostInputsTest {
  @Test
  void filesUnderADirectoryInPathOrderWithoutHiddenOnes(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("b.txt"), "x");
    Files.createDirectories(dir.resolve("a"));
    Files.writeString(dir.resolve("a/host.txt"), "x");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/config"), "x");
    Files.writeString(dir.resolve(".b.txt.swp"), "x");
    List<HostInputs.Input> inputs = HostInputs.expand(List.of(dir));
    assertEquals(List.of(dir.resolve("a/host.txt"), dir.resolve("b.txt")), inputs.stream().map(HostInputs.Input::path).toList());
    assertTrue(inputs.stream().allMatch(i -> i.problem().isEmpty()));
  }

  @Test
  void aFileThatVanishesDuringTheWalkIsNoInput(@TempDir Path dir) throws IOException {
    HostInputs.Walk walk = new HostInputs.Walk(dir);
    Path gone = dir.resolve("rotated.log");
    walk.visitFileFailed(gone, new NoSuchFileException(gone.toString()));
    assertEquals(List.of(), walk.found());
  }

  @Test
  void anUnreadablePartIsReportedForItself(@TempDir Path dir) throws IOException {
    HostInputs.Walk walk = new HostInputs.Walk(dir);
    Path locked = dir.resolve("locked");
    walk.visitFileFailed(locked, new AccessDeniedException(locked.toString()));
    assertEquals(1, walk.found().size());
    assertEquals(locked + ": cannot read: permission denied", walk.found().get(0).problem().orElseThrow().getMessage());
    // The directory itself unreadable is the directory's problem.
    assertThrows(AccessDeniedException.class, () -> walk.visitFileFailed(dir, new AccessDeniedException(dir.toString())));
  }
}
