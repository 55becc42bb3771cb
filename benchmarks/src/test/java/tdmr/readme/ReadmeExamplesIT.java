package tdmr.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example of README.md and checks the exit status the README gives for it, so the
 * README cannot drift from the program. An example is a line {@code $ COMMAND  # exit N} inside a
 * code block (a line ending in a backslash goes on on the next line); the examples run in order in
 * one bash session ({@code set -o pipefail}, so {@code tdmr ... | tail -4} is tdmr's status), in a
 * scratch directory that links the repository's {@code bin}, {@code model}, {@code solver} and
 * {@code benchmarks} (files the examples write stay there), with {@code tdmr} and {@code
 * tdmr-bench} being {@code bin/tdmr} and {@code bin/tdmr-bench}. It runs after {@code package}
 * (failsafe), when both jars exist.
 */
class ReadmeExamplesIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern EXAMPLE = Pattern.compile("^\\$ (.*?)\\s+# exit (\\d+)\\b.*$");

  /** One example: where it is in the README, what it runs and the status the README documents. */
  record Example(int line, String command, int exit) {}

  /** The examples of a README, in order; a {@code $ } line without {@code # exit N} is an error. */
  static List<Example> examples(List<String> readme) {
    List<Example> out = new ArrayList<>();
    boolean inBlock = false;
    for (int i = 0; i < readme.size(); i++) {
      String line = readme.get(i);
      if (line.startsWith("```")) {
        inBlock = !inBlock;
        continue;
      }
      if (!inBlock || !line.startsWith("$ ")) {
        continue;
      }
      int first = i + 1;
      StringBuilder joined = new StringBuilder(line);
      while (joined.toString().endsWith("\\") && i + 1 < readme.size()) {
        String head = joined.substring(0, joined.length() - 1).stripTrailing();
        joined.setLength(0);
        joined.append(head).append(' ').append(readme.get(++i).strip());
      }
      Matcher m = EXAMPLE.matcher(joined.toString());
      assertTrue(m.matches(), "README.md:%d: an example must end with its exit status, e.g. '$ tdmr plan  # exit 1': %s"
          .formatted(first, joined));
      out.add(new Example(first, m.group(1), Integer.parseInt(m.group(2))));
    }
    return out;
  }

  @Test
  void everyReadmeExampleExitsAsDocumented(@TempDir Path scratch) throws Exception {
    List<Example> examples = examples(Files.readAllLines(REPO.resolve("README.md")));
    assertTrue(examples.size() >= 10, "README examples found: " + examples);
    for (String dir : List.of("bin", "model", "solver", "benchmarks")) {
      Files.createSymbolicLink(scratch.resolve(dir), REPO.resolve(dir));
    }
    Files.createDirectories(scratch.resolve("docs"));
    Path tools = Files.createDirectories(scratch.resolve(".path"));
    Files.createSymbolicLink(tools.resolve("tdmr"), REPO.resolve("bin/tdmr"));
    Files.createSymbolicLink(tools.resolve("tdmr-bench"), REPO.resolve("bin/tdmr-bench"));

    StringBuilder script = new StringBuilder("set -o pipefail\ncd '%s'\nexport PATH='%s':\"$PATH\"\n"
        .formatted(scratch, tools));
    for (int k = 0; k < examples.size(); k++) {
      script.append("{ %s\n} > .out.%d 2> .err.%d < /dev/null\necho $? > .exit.%d\n"
          .formatted(examples.get(k).command(), k, k, k));
    }
    Path file = scratch.resolve(".readme-examples.sh");
    Files.writeString(file, script);
    Process bash = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true)
        .redirectOutput(scratch.resolve(".bash.log").toFile()).start();
    // A safety net against a hung example, not a measurement.
    assertTrue(bash.waitFor(30, TimeUnit.MINUTES), "the README examples finished");

    List<String> wrong = new ArrayList<>();
    for (int k = 0; k < examples.size(); k++) {
      Example e = examples.get(k);
      int exit = Integer.parseInt(read(scratch.resolve(".exit." + k)).strip());
      String err = read(scratch.resolve(".err." + k));
      if (exit != e.exit() || err.contains("internal error") || err.contains("Exception")) {
        wrong.add("README.md:%d: $ %s exited %d, the README says %d%n%s%s".formatted(e.line(), e.command(), exit,
            e.exit(), tail(read(scratch.resolve(".out." + k))), tail(err)));
      }
    }
    assertEquals(List.of(), wrong, String.join("\n", wrong));
  }

  @Test
  void anExampleWithoutItsStatusIsRefused() {
    assertThrows(AssertionError.class, () -> examples(List.of("```", "$ tdmr plan", "```")));
    assertEquals(List.of(new Example(2, "tdmr check a.json --map b.txt", 1)),
        examples(List.of("```console", "$ tdmr check a.json \\", "    --map b.txt  # exit 1: the module says no", "```")));
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size())) + (lines.isEmpty() ? "" : "\n");
  }
}
