package tdmr.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/tdmr-bench}: lists its subcommands. */
@Command(
    name = "tdmr-bench",
    mixinStandardHelpOptions = true,
    version = "tdmr-bench 0.1.0",
    header = "Benchmarks of the tdmr engines: greedy against optimum over real and generated maps.",
    description = "JMH microbenchmarks run with `tdmr-bench jmh [JMH options]` (see benchmarks/README.md).",
    subcommands = {SweepCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements java.util.concurrent.Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * {@code tdmr-bench} without a command is a usage error, as {@code tdmr} without one: the usage
   * goes to standard error and the exit status is 2, so that a script that lost its command word
   * does not pass.
   */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new BenchMain());
    // Anything a command throws is a bug or an unwritable output directory: one line, exit 70.
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("tdmr-bench: " + e);
      return 70;
    });
    int status = cl.execute(args);
    if (cl.getOut().checkError()) {
      // System.out keeps no reason; a full disk under `> out.txt` must still not exit 0.
      cl.getErr().println("tdmr-bench: cannot write standard output");
      cl.getErr().flush();
      status = 2;
    }
    System.exit(status);
  }
}
