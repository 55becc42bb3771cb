package tdmr.cli;

import java.nio.file.Path;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import tdmr.parse.InputException;

/** The {@code tdmr} root command: lists the subcommands and the exit codes. */
@Command(
    name = "tdmr",
    mixinStandardHelpOptions = true,
    versionProvider = TdmrVersion.class,
    header = "Compute, check and optimise the TDMR/PAMT layout of an Intel TDX host.",
    subcommands = {
      MapCommand.class,
      PlanCommand.class,
      CheckCommand.class,
      FixCommand.class,
      ProveCommand.class,
      FrontierCommand.class,
      RenderCommand.class,
      DiagnoseCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:the answer is no (the kernel would fail, a layout is invalid, a map is proven infeasible)",
      "2:bad input or usage",
      "3:unknown (a time limit stopped the solver before a proof)",
      "70:internal error"
    },
    footerHeading = "%nStart here:%n",
    footer = {
      "  sudo dmesg | tdmr diagnose          Did TDX come up on this host? If not, why?",
      "  tdmr plan dmesg.txt                 The layout Linux builds from this map",
      "  tdmr plan dmesg.txt --solver all    ... and the best layout (CP-SAT, Z3)",
      "  tdmr render dmesg.txt -o map.html   A picture of the map and its layouts",
      "  tdmr check layout.json --map dmesg.txt",
      "",
      "INPUT is a kernel log, /proc/iomem or a JSON map ('-' reads standard input).",
      "'tdmr help COMMAND' (or 'tdmr COMMAND --help') shows each command's options and examples.",
      "Shell completion: source <(tdmr completion)"
    })
public final class TdmrCommand implements Runnable {
  /** Exit status for bad input or usage. */
  public static final int EXIT_INPUT = 2;
  /** Exit status for a bug (an unexpected exception). */
  public static final int EXIT_INTERNAL = 70;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;

  private TdmrCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The INPUT argument of a subcommand: a path, or {@code -} for the standard input this command
   * line was run with. Subcommands reach it through {@code @ParentCommand TdmrCommand tdmr}.
   */
  public InputSource input(String argument) {
    return new InputSource(argument, stdin);
  }

  /** The INPUT argument as picocli typed it (a {@code Path}, so that the shell completes file names). */
  public InputSource input(Path argument) {
    return input(argument.toString());
  }

  /** True when {@code -} reads a terminal: this process's own standard input, and nothing piped in. */
  public boolean stdinIsTerminal() {
    return stdin == System.in && Terminal.stdinIsTerminal();
  }

  /** Runs the command line in-process with this process's standard input; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  /** Runs the command line in-process; returns the exit status. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return execute(commandLine(in, out, err), args);
  }

  /**
   * Executes a configured command line. Running out of heap is an {@link Error}, which picocli does
   * not hand to the execution exception handler: without this the JVM prints a stack trace and
   * exits 1, which would read as a "no" answer. It is not bad input either, so it exits 70 with a
   * message saying how to give the JVM more memory.
   */
  static int execute(CommandLine cl, String[] args) {
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      PrintWriter err = cl.getErr();
      err.println(
          "tdmr: out of memory (Java heap limit %d MiB); the input is too large for this heap: run with more, e.g. TDMR_JAVA_OPTS=-Xmx4g"
              .formatted(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
      err.flush();
      return EXIT_INTERNAL;
    }
  }

  /** The configured command line, before execution (tests add commands to it). */
  static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new TdmrCommand(in));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(TdmrCommand::usageError);
    cl.setExecutionExceptionHandler(TdmrCommand::executionError);
    everyCommand(cl, sub -> sub.getCommandSpec().versionProvider(cl.getCommandSpec().versionProvider()));
    return cl;
  }

  /** Calls {@code action} on every subcommand, at any depth ({@code tdmr plan -V} shows tdmr's version). */
  static void everyCommand(CommandLine cl, java.util.function.Consumer<CommandLine> action) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      action.accept(sub);
      everyCommand(sub, action);
    }
  }

  /** Bad options or arguments: the message and where to find the usage, never the whole help. */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("tdmr: " + ex.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '%s --help' for usage.".formatted(cmd.getCommandSpec().qualifiedName()));
    err.flush();
    return EXIT_INPUT;
  }

  /**
   * Bad input is the user's to fix: its message (file, line, problem) and exit 2. Anything else is
   * a bug: one line and exit 70, with the stack trace only when {@code TDMR_DEBUG} is set.
   */
  private static int executionError(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (ex instanceof CommandLine.ParameterException usage) {
      // Option values validated after parsing (so that options stay fields, in a fixed order).
      return usageError(usage, new String[0]);
    }
    if (ex instanceof OptionValueException badValue) {
      return usageError(new CommandLine.ParameterException(cmd, badValue.getMessage()), new String[0]);
    }
    PrintWriter err = cmd.getErr();
    if (ex instanceof InputException input) {
      err.println(input.getMessage());
      err.flush();
      return EXIT_INPUT;
    }
    if (System.getenv("TDMR_DEBUG") != null) {
      err.println("tdmr: internal error: " + ex);
      ex.printStackTrace(err);
    } else {
      err.println("tdmr: internal error: " + ex + " (set TDMR_DEBUG=1 for the stack trace)");
    }
    err.flush();
    return EXIT_INTERNAL;
  }
}
