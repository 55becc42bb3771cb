package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.JsonContract;

/** {@code tdmr help [COMMAND]}, {@code --version} and the man pages under docs/man. */
class HelpAndVersionTest {
  @Test
  void helpCommandShowsTheSameUsageAsTheOption() {
    CliRun help = CliRun.of("help", "plan");
    assertEquals(0, help.exit(), help.err());
    assertEquals(CliRun.of("plan", "--help").out(), help.out());
    assertTrue(CliRun.of("help").out().contains("Usage: tdmr"), "without COMMAND: tdmr's usage");
  }

  @Test
  void noCommandIsAUsageErrorWithTheUsageOnStandardError() {
    CliRun run = CliRun.of();
    assertEquals(TdmrCommand.EXIT_INPUT, run.exit(), "a script that lost its command word must not pass");
    assertEquals("", run.out());
    assertTrue(run.err().contains("Usage: tdmr") && run.err().contains("Commands:"), run.err());
  }

  @Test
  void theRootUsageFitsEightyColumns() {
    for (String line : CliRun.of("--help").out().lines().toList()) {
      assertTrue(line.length() <= 80, line.length() + " columns: " + line);
    }
  }

  @Test
  void noUsageLineBreaksAnOptionInTwo() {
    // render's "-o=FILE.svg|FILE.html" was broken after "FILE." at 80 columns.
    for (String command : List.of("map", "plan", "check", "fix", "prove", "frontier", "diagnose", "gather", "render",
        "completion")) {
      List<String> lines = CliRun.of(command, "--help").out().lines().toList();
      List<String> usage = lines.stream().dropWhile(l -> !l.startsWith("Usage: "))
          .takeWhile(l -> l.startsWith("Usage: ") || l.startsWith(" ")).toList();
      assertTrue(!usage.isEmpty(), command);
      for (String line : usage) {
        assertTrue(line.length() <= 80 && (!line.endsWith(".") || line.endsWith("...")), command + ": " + line);
      }
    }
  }

  @Test
  void versionNamesTdmrItsCommitTheSolverLibrariesAndJava() {
    CliRun run = CliRun.of("--version");
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals(3, lines.size(), run.out());
    // The version every JSON document carries, and the commit git describes (or "unknown").
    assertTrue(lines.get(0).matches("tdmr " + java.util.regex.Pattern.quote(JsonContract.tdmrVersion())
        + " \\(commit ([0-9a-f]{7,40}(-modified)?|unknown)\\)"), lines.get(0));
    // The versions of the libraries on the classpath, as they report themselves.
    com.google.ortools.Loader.loadNativeLibraries();
    String orTools = com.google.ortools.init.OrToolsVersion.getVersionString();
    assertTrue(lines.get(1).startsWith("OR-Tools " + orTools + ", Z3 "), lines.get(1) + " vs " + orTools);
    assertTrue(com.microsoft.z3.Version.getString().startsWith(lines.get(1).replaceAll(".*Z3 ", "")),
        lines.get(1) + " vs " + com.microsoft.z3.Version.getString());
    assertTrue(lines.get(2).startsWith("Java " + System.getProperty("java.version")), lines.get(2));
    // Every command says the same.
    assertEquals(run.out(), CliRun.of("plan", "--version").out());
  }

  @Test
  void manPagesUnderDocsAreWhatThePicocliModelGenerates(@TempDir Path dir) throws Exception {
    ManPages.write(dir);
    Path docs = Path.of("..", "docs", "man");
    List<String> generated = names(dir);
    assertEquals(generated, names(docs),
        "docs/man is stale: run  java -cp solver/target/tdmr.jar tdmr.cli.ManPages docs/man");
    for (String name : generated) {
      assertEquals(Files.readString(dir.resolve(name)), Files.readString(docs.resolve(name)),
          name + " is stale: run  java -cp solver/target/tdmr.jar tdmr.cli.ManPages docs/man");
    }
    assertTrue(generated.contains("tdmr-plan.adoc") && generated.contains("tdmr.adoc"), generated.toString());
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adoc")).sorted().toList();
    }
  }
}
