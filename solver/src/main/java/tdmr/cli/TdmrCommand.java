package tdmr.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import tdmr.mem.Count;
import tdmr.parse.InputException;
import tdmr.solver.NativeMemory;

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
      GatherCommand.class,
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
      "  sudo tdmr gather -o host.txt        All tdmr needs from a host, in one file",
      "  tdmr plan dmesg.txt                 The layout Linux builds from this map",
      "  tdmr plan dmesg.txt --solver all    ... and the best layout (CP-SAT, Z3)",
      "  tdmr render dmesg.txt -o map.html   A picture of the map and its layouts",
      "  tdmr check layout.json --map dmesg.txt",
      "",
      "INPUT is a kernel log, /proc/iomem or a JSON map ('-' reads standard input).",
      "'tdmr help COMMAND' (or 'tdmr COMMAND --help') shows each command's options and examples.",
      "Shell completion: source <(tdmr completion)"
    })
public final class TdmrCommand implements java.util.concurrent.Callable<Integer> {
  /** Exit status for bad input or usage. */
  public static final int EXIT_INPUT = 2;
  /** Exit status for a bug (an unexpected exception). */
  public static final int EXIT_INTERNAL = 70;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;
  private final StandardOutput stdout;

  private TdmrCommand(InputStream stdin, StandardOutput stdout) {
    this.stdin = stdin;
    this.stdout = stdout;
  }

  /**
   * {@code tdmr} without a command is a usage error: the usage goes to standard error and the exit
   * status is {@value #EXIT_INPUT}, so that a script that lost its command word does not pass.
   */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return EXIT_INPUT;
  }

  /**
   * The INPUT argument of a subcommand: a path, or {@code -} for the standard input this command
   * line was run with. Subcommands reach it through {@code @ParentCommand TdmrCommand tdmr}.
   */
  public InputSource input(String argument) {
    return new InputSource(argument, stdin, stdin == System.in && InputSource.stdinClosedAtStart());
  }

  /** The INPUT argument as picocli typed it (a {@code Path}, so that the shell completes file names). */
  public InputSource input(Path argument) {
    return input(argument.toString());
  }

  /** True once standard output could not be written (the reader went away, the disk is full): more output is lost. */
  boolean outputFailed() {
    return stdout != null && stdout.failure().isPresent();
  }

  /** True when {@code -} reads a terminal: this process's own standard input, and nothing piped in. */
  public boolean stdinIsTerminal() {
    return stdin == System.in && Terminal.stdinIsTerminal();
  }

  /** Runs the command line in-process with this process's standard input; returns the exit status. */
  public static int run(String[] args, OutputStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  /**
   * Runs the command line in-process; returns the exit status. Everything the command prints goes
   * to {@code out} as UTF-8 through a {@link StandardOutput}, which keeps the first write error.
   */
  public static int run(String[] args, InputStream in, OutputStream out, PrintStream err) {
    return execute(commandLine(in, out, err), args);
  }

  /**
   * Executes a configured command line, then looks at how its output went. An error writing
   * standard output (a full disk) is exit 2 naming it, whatever the command answered: a document cut
   * short must not pass for an answer. A reader that went away ({@code | head -1}) is not an error:
   * the command's own status stands and nothing is said.
   *
   * <p>Running out of heap is an {@link Error}, which picocli does not hand to the execution
   * exception handler: without this the JVM prints a stack trace and exits 1, which would read as a
   * "no" answer. It is exit 2, with the heap that ran out and one that would be larger; any other
   * error is a bug (exit 70).
   */
  static int execute(CommandLine cl, String[] args) {
    int status;
    long started = System.nanoTime();
    try {
      status = cl.execute(args);
    } catch (OutOfMemoryError e) {
      status = outOfMemory(cl.getErr(), e);
    } catch (StackOverflowError | InternalError | LinkageError e) {
      cl.getErr().println("tdmr: internal error: " + e + " (set TDMR_DEBUG=1 for the stack trace)");
      if (System.getenv("TDMR_DEBUG") != null) {
        e.printStackTrace(cl.getErr());
      }
      cl.getErr().flush();
      status = EXIT_INTERNAL;
    }
    cl.getOut().flush();
    if (Boolean.getBoolean("tdmr.timing")) {
      // For benchmarks/fleet-sizes.sh: how long the command itself took, JVM start-up aside.
      cl.getErr().println("tdmr: timing: %d ms from the command's start to its end".formatted(
          (System.nanoTime() - started) / 1_000_000));
      cl.getErr().flush();
    }
    StandardOutput stdout = ((TdmrCommand) cl.getCommand()).stdout;
    if (stdout != null && stdout.failure().isPresent() && !stdout.readerClosed() && status != EXIT_INTERNAL) {
      cl.getErr().println("tdmr: cannot write standard output: %s; the output is incomplete (%s written before the failing write)"
          .formatted(stdout.failure().get().getMessage(), Count.of(stdout.written(), "byte")));
      cl.getErr().flush();
      return EXIT_INPUT;
    }
    return status;
  }

  /**
   * Out of memory. Out of heap: the heap's size, and a larger one to ask for (twice as large, but no
   * more than three quarters of the machine), or, when the machine has no more, a smaller input or
   * limits. Under {@code ulimit -v} the launcher sizes the heap from the limit, so the limit is what
   * to raise. Out of memory outside the heap (threads, native memory): the limit, or the machine.
   */
  private static int outOfMemory(PrintWriter err, OutOfMemoryError e) {
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    long machineMb = physicalMemoryMb();
    OptionalLong addressSpace = NativeMemory.addressSpaceLimit();
    String what = String.valueOf(e.getMessage());
    boolean heap = what.contains("Java heap space") || what.contains("GC overhead") || what.contains("array size");
    if (!heap) {
      err.println(addressSpace.isPresent()
          ? ("tdmr: out of memory outside the Java heap (%s) within the address-space limit of %d KiB (ulimit -v);"
              + " raise it, e.g. ulimit -v %d").formatted(what, addressSpace.getAsLong() >> 10,
                  Math.max(4_000_000, 2 * (addressSpace.getAsLong() >> 10)))
          : "tdmr: out of memory outside the Java heap (%s); this machine (%d MiB) has no more to give"
              .formatted(what, machineMb));
    } else if (addressSpace.isPresent()) {
      err.println(("tdmr: out of memory: this input and these options need more than the Java heap of %d MiB, which"
          + " the address-space limit of %d KiB (ulimit -v) allows; raise it, e.g. ulimit -v %d")
          .formatted(heapMb, addressSpace.getAsLong() >> 10, Math.max(4_000_000, 2 * (addressSpace.getAsLong() >> 10))));
    } else {
      long suggestMb = Math.min(2 * heapMb, machineMb * 3 / 4);
      if (suggestMb > heapMb * 5 / 4) {
        err.println(("tdmr: out of memory: this input and these options need more than the Java heap of %d MiB;"
            + " run with a larger heap, e.g. TDMR_JAVA_OPTS=-Xmx%dm (this machine has %d MiB)")
            .formatted(heapMb, suggestMb, machineMb));
      } else {
        err.println(("tdmr: out of memory: this input and these options need more than the Java heap of %d MiB, and"
            + " this machine (%d MiB) has little more to give; use a smaller input, or lower --max-tdmrs/--max-rsvd")
            .formatted(heapMb, machineMb));
      }
    }
    err.flush();
    return EXIT_INPUT;
  }

  private static long physicalMemoryMb() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() >> 20;
    }
    return Runtime.getRuntime().maxMemory() >> 19;
  }

  /** The configured command line, before execution (tests add commands to it). */
  static CommandLine commandLine(InputStream in, OutputStream out, PrintStream err) {
    StandardOutput stdout = new StandardOutput(out);
    CommandLine cl = new CommandLine(new TdmrCommand(in, stdout));
    cl.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
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
    err.println("tdmr: " + unknownCommand(ex).orElse(ex.getMessage()));
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '%s --help' for usage.".formatted(cmd.getCommandSpec().qualifiedName()));
    err.flush();
    return EXIT_INPUT;
  }

  /**
   * {@code tdmr bogus}: a first word that is no command is said so, with the commands (as {@code tdmr
   * help bogus} says it), rather than picocli's "Unmatched argument at index 0".
   */
  private static java.util.Optional<String> unknownCommand(CommandLine.ParameterException ex) {
    CommandLine cmd = ex.getCommandLine();
    if (!(ex instanceof CommandLine.UnmatchedArgumentException unmatched) || cmd.getParent() != null
        || cmd.getSubcommands().isEmpty() || unmatched.getUnmatched().isEmpty()
        || unmatched.getUnmatched().get(0).startsWith("-")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("unknown command '%s' (commands: %s)".formatted(unmatched.getUnmatched().get(0),
        String.join(", ", cmd.getSubcommands().keySet())));
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
