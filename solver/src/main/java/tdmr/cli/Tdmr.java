package tdmr.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tdmr} root command: lists the subcommands and the exit codes. */
@Command(
    name = "tdmr",
    mixinStandardHelpOptions = true,
    version = "tdmr 0.1.0",
    header = "Compute, check and optimise the TDMR/PAMT layout of an Intel TDX host.",
    subcommands = {CompletionCommand.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:the answer is no (the kernel would fail, a layout is invalid, a map is proven infeasible)",
      "2:bad input or usage",
      "3:unknown (a time limit stopped the solver before a proof)",
      "70:internal error"
    })
public final class Tdmr implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line in-process; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Tdmr());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
