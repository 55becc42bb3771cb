package tdmr.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} run headless, the way a person would open a rendered page: it prints
 * the DOM after scripts ran, or saves a screenshot. Tests skip (with this reason) when the browser
 * is absent; CI installs it ({@code .ci/run}).
 */
final class HeadlessChromium {
  static final String MISSING =
      "chromium is not installed (apt-get install -y chromium); .ci/run installs it before the tests";

  private final Path executable;

  private HeadlessChromium(Path executable) {
    this.executable = executable;
  }

  /** The browser on PATH ({@code chromium}, then {@code chromium-browser}), if there is one. */
  static Optional<HeadlessChromium> find() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(new HeadlessChromium(p));
        }
      }
    }
    return Optional.empty();
  }

  /** The page's DOM as the browser built it (after its scripts ran). */
  String dumpDom(Path page) throws IOException, InterruptedException {
    return run(page, List.of("--dump-dom"), Optional.empty());
  }

  /**
   * The page's DOM after its scripts ran in a window of {@code width} × {@code height} pixels. The
   * browser takes the DOM once the page's virtual time budget has run out rather than right at the
   * load event, which leaves more room for a script that waits for the page to get focus (the
   * picture checker does). That room is observed (no dump before focus in 100 runs under load 8),
   * not guaranteed by Chromium; a checker still waiting says so in its output.
   */
  String dumpDom(Path page, int width, int height) throws IOException, InterruptedException {
    return run(page, List.of("--dump-dom", "--virtual-time-budget=5000", "--window-size=" + width + "," + height),
        Optional.empty());
  }

  /** Saves a PNG screenshot of the page, {@code width} × {@code height} pixels. */
  void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
    run(page, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        "--hide-scrollbars"), Optional.of(png));
  }

  private String run(Path page, List<String> extra, Optional<Path> expectedFile)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("tdmr-chromium-");
    List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile));
    cmd.addAll(extra);
    cmd.add(page.toAbsolutePath().toUri().toString());
    Path stdout = Files.createTempFile("tdmr-chromium-", ".out");
    Path stderr = Files.createTempFile("tdmr-chromium-", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    // A safety net against a hung browser, not a measurement.
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish: " + String.join(" ", cmd));
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || expectedFile.map(f -> !Files.isRegularFile(f)).orElse(false)) {
      throw new IOException("chromium failed (exit %d): %s%n%s"
          .formatted(p.exitValue(), String.join(" ", cmd), Files.readString(stderr, StandardCharsets.UTF_8)));
    }
    return out;
  }
}
