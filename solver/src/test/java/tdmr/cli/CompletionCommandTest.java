package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void bashCompletesSubcommandNamesFromTheGeneratedScript(@TempDir Path dir) throws Exception {
    Path bash = Path.of("/bin/bash");
    assumeTrue(Files.isExecutable(bash), "no /bin/bash on this machine");
    Path script = dir.resolve("tdmr-completion.bash");
    Files.writeString(script, completionScript());
    // What bash does when a person types "tdmr comp<TAB>": set COMP_WORDS/COMP_CWORD and call the
    // completion function registered for tdmr.
    String probe = """
        source '%s'
        COMP_WORDS=(tdmr comp); COMP_CWORD=1; COMP_LINE='tdmr comp'; COMP_POINT=${#COMP_LINE}
        fn=$(complete -p tdmr | sed -E 's/.*-F ([^ ]+).*/\\1/')
        $fn tdmr comp tdmr
        printf '%%s\\n' "${COMPREPLY[@]}"
        """.formatted(script);
    Process p = new ProcessBuilder(bash.toString(), "-c", probe).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bash finished");
    String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(List.of("completion"), reply.lines().map(String::strip).filter(s -> !s.isEmpty()).toList());
  }
}
