package tdmr.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Test fixture: one in-process run of {@code tdmr} with captured standard output and error.
 *
 * @param exit the exit status
 * @param out what the command printed on standard output
 * @param err what it printed on standard error
 */
public record CliRun(int exit, String out, String err) {
  /**
   * Standard output with every run of white space made one space: human output is folded to 80
   * columns, so a sentence may span lines; tests of what it says compare flattened text ({@link #flat(String)}).
   */
  public String flatOut() {
    return flat(out);
  }

  /** {@code text} with every run of white space made one space, trimmed. */
  public static String flat(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  /** Runs {@code tdmr args...} with empty standard input. */
  public static CliRun of(String... args) {
    return withStdin("", args);
  }

  /** Runs {@code tdmr args...} with {@code stdin} as standard input. */
  public static CliRun withStdin(String stdin, String... args) {
    return capture(stdin, (in, out, err) -> TdmrCommand.run(args, in, out, err));
  }

  /** Runs {@code args} on the configured command line with one extra subcommand (for error paths). */
  static CliRun withExtraCommand(String name, Object command, String... args) {
    return capture(
        "",
        (in, out, err) -> {
          CommandLine cl = TdmrCommand.commandLine(in, out, err);
          cl.addSubcommand(name, command);
          // Streams reach only the subcommands present when they are set.
          cl.setOut(cl.getOut());
          cl.setErr(cl.getErr());
          return TdmrCommand.execute(cl, args);
        });
  }

  private interface Execution {
    int run(InputStream in, PrintStream out, PrintStream err);
  }

  private static CliRun capture(String stdin, Execution execution) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = execution.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
    }
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
