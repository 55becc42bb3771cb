package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import tdmr.solver.Engines;

/** The completion script is generated from the command line and completes in a real bash. */
class CompletionCommandTest {

  static String completionScript() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = TdmrCommand.run(new String[] {"completion"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * What bash offers when a person has typed {@code words} (the last one partly) and presses TAB,
   * in {@code dir}: COMP_WORDS and COMP_CWORD set as bash sets them, then the function the script
   * registered for tdmr.
   */
  private static List<String> complete(Path dir, String... words) throws Exception {
    Path bash = Path.of("/bin/bash");
    assumeTrue(Files.isExecutable(bash), "no /bin/bash on this machine");
    Path script = dir.resolve("tdmr-completion.bash");
    Files.writeString(script, completionScript());
    StringBuilder quoted = new StringBuilder();
    for (String w : words) {
      quoted.append(" '").append(w).append('\'');
    }
    String line = String.join(" ", words);
    String probe = """
        cd '%s'
        source '%s'
        COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE='%s'; COMP_POINT=${#COMP_LINE}
        fn=$(complete -p tdmr | sed -E 's/.*-F ([^ ]+).*/\\1/')
        $fn tdmr '%s' '%s'
        printf '%%s\\n' "${COMPREPLY[@]}"
        """.formatted(dir, script, quoted, words.length - 1, line, words[words.length - 1],
            words.length > 1 ? words[words.length - 2] : "");
    // Outside a real completion bash says "compopt: not currently executing completion function".
    Process p = new ProcessBuilder(bash.toString(), "-c", probe)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bash finished");
    String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return reply.lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
  }

  @Test
  void bashCompletesSubcommandNamesFromTheGeneratedScript(@TempDir Path dir) throws Exception {
    assertEquals(List.of("completion"), complete(dir, "tdmr", "comp"));
  }

  @Test
  void policyValuesAreCompletedAsTheParserAcceptsThem(@TempDir Path dir) throws Exception {
    assertEquals(List.of("cmr", "memlist"), complete(dir, "tdmr", "plan", "--holes", ""));
    assertEquals(List.of("any", "node-local"), complete(dir, "tdmr", "render", "--pamt", ""));
    assertEquals(List.of("all", "max"), complete(dir, "tdmr", "check", "--coverage", ""));
  }

  @Test
  void solverNamesComeFromTheEngineRegistry(@TempDir Path dir) throws Exception {
    List<String> expected = new ArrayList<>(Engines.names());
    expected.add(Engines.ALL);
    assertEquals(expected.stream().sorted().toList(), complete(dir, "tdmr", "plan", "--solver", ""));
    // fix --for takes the greedy constructions (each replayed as the judge) and "layout".
    List<String> targets = new ArrayList<>(Engines.names().stream().filter(n -> n.startsWith("greedy")).toList());
    targets.add("layout");
    assertEquals(targets.stream().sorted().toList(), complete(dir, "tdmr", "fix", "--for", ""));
    // The frontier proves points: the greedy variants are not offered.
    assertTrue(complete(dir, "tdmr", "frontier", "--solver", "").stream().noneMatch(n -> n.startsWith("greedy")));
  }

  @Test
  void inputsAndMapsAreCompletedAsFileNames(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("dmesg-host1.txt"), "");
    Files.writeString(dir.resolve("layout.json"), "");
    assertEquals(List.of("dmesg-host1.txt"), complete(dir, "tdmr", "plan", "dm"));
    assertEquals(List.of("dmesg-host1.txt"), complete(dir, "tdmr", "diagnose", "dm"));
    assertEquals(List.of("layout.json"), complete(dir, "tdmr", "check", "la"));
    assertEquals(List.of("dmesg-host1.txt"), complete(dir, "tdmr", "check", "layout.json", "--map", "dm"));
  }

  /**
   * Every value the completion offers, for every option of every command, is one the parser
   * accepts: for an option with a converter, picocli would otherwise offer its enum constants
   * ({@code MEMLIST}), which the converter rejects.
   */
  @Test
  void everyOfferedValueParses() {
    CommandLine root = TdmrCommand.commandLine(System.in, System.out, System.err);
    List<String> checked = new ArrayList<>();
    TdmrCommand.everyCommand(root, sub -> {
      for (OptionSpec o : sub.getCommandSpec().options()) {
        if (o.completionCandidates() == null) {
          continue;
        }
        for (String value : o.completionCandidates()) {
          String[] args = {o.longestName(), value};
          try {
            new CommandLine(sub.getCommandSpec().userObject()).parseArgs(args);
          } catch (CommandLine.MissingParameterException missing) {
            // Only the command's required arguments are missing: the value itself parsed.
          } catch (CommandLine.ParameterException e) {
            fail("%s %s %s: %s".formatted(sub.getCommandName(), o.longestName(), value, e.getMessage()));
          }
          checked.add(sub.getCommandName() + " " + o.longestName() + " " + value);
        }
      }
    });
    assertTrue(checked.contains("plan --holes memlist"), checked.toString());
    assertFalse(checked.stream().anyMatch(c -> c.endsWith(" MEMLIST") || c.endsWith(" NODE_LOCAL")), checked.toString());
  }

  @Test
  void everyOfferedSolverNameSelectsAnEngine() {
    for (String name : new SolverNames()) {
      assertFalse(Engines.select(name).isEmpty(), name);
    }
  }
}
