package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tdmr} works from any directory and through a symlink (as when it is linked into
 * ~/bin): it finds the jar next to itself, or names the exact jar it misses and how to build it.
 */
class LauncherTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @Test
  void launcherFindsTheJarFromAnotherDirectoryThroughASymlink(@TempDir Path dir) throws Exception {
    Path launcher = REPO.resolve("bin/tdmr");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash on this machine");
    assertTrue(Files.isExecutable(launcher), launcher + " is executable");
    Path link = dir.resolve("tdmr");
    Files.createSymbolicLink(link, launcher);
    Process p = new ProcessBuilder(link.toString(), "--version").directory(dir.toFile()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Path jar = REPO.resolve("solver/target/tdmr.jar");
    if (Files.isRegularFile(jar)) {
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.startsWith("tdmr "), out);
    } else {
      // Before `mvn package` the launcher must say which jar it looked for: the repository's.
      assertEquals(2, p.exitValue(), out);
      assertTrue(out.contains(jar + " is missing"), out);
    }
  }
}
