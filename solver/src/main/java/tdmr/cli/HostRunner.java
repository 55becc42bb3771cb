package tdmr.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import tdmr.parse.InputException;
import tdmr.parse.JsonContract;

/**
 * Runs a command once per host input, in one JVM: several at once ({@code --jobs}), the answers
 * printed in input order. With one input the command behaves exactly as it always did. With
 * several, each answer is a block headed {@code ==> NAME <==} (text) or one line of NDJSON
 * ({@code --json}); an input that cannot be read is reported for itself (exit 2, its message on
 * standard error, a {@code "schema": "error/2"} line in NDJSON) and the others go on; text ends with
 * a summary table ({@link HostSummary}). The exit status is the most serious of the inputs'
 * ({@link #overall}).
 */
final class HostRunner {
  /** The paragraph of each such command's help that says how several inputs are answered. */
  static final String HELP = "Several INPUTs (files, directories of them, '-') are answered in one run, --jobs at a"
      + " time and printed in input order: text gives a block per input headed '==> INPUT <==' and a closing summary"
      + " table (host, exit, outcome, reason, PAMT, fix); --json gives one JSON object per line (NDJSON), each with"
      + " its exitCode. An input that cannot be read is reported for itself (exit 2) and the others go on. The exit"
      + " status is the most serious of the inputs': 70, then 2, 3, 1, 0.";

  /** A command's answer for one host. */
  @FunctionalInterface
  interface Answer {
    HostResult answer(Host host) throws Exception;
  }

  /** One host's finished answer, buffered until its turn to be printed. */
  private record Done(HostInputs.Input input, HostResult result, String out, String err, Optional<ObjectNode> document) {}

  /** How far ahead of the printed answers work may run, per job (bounds the buffered output). */
  private static final int AHEAD_PER_JOB = 4;

  private final CommandLine.Model.CommandSpec spec;
  private final TdmrCommand root;
  private final boolean json;
  private final int jobs;

  HostRunner(CommandLine.Model.CommandSpec spec, TdmrCommand root, boolean json, int jobs) {
    this.spec = spec;
    this.root = root;
    this.json = json;
    this.jobs = jobs;
  }

  /**
   * Runs {@code answer} on the hosts the arguments name; without arguments on the one input
   * {@code fallback} ({@link #BUNDLED} or standard input). Returns the command's exit status.
   */
  int run(List<Path> arguments, HostInputs.Input fallback, Answer answer) throws Exception {
    if (arguments.isEmpty()) {
      return alone(fallback, answer);
    }
    List<HostInputs.Input> inputs = HostInputs.expand(arguments);
    if (!HostInputs.many(arguments)) {
      return alone(inputs.get(0), answer);
    }
    return many(inputs, answer);
  }

  /** No INPUT: the bundled example. */
  static final HostInputs.Input BUNDLED = new HostInputs.Input("the bundled example", null, Optional.empty());

  /** No INPUT: standard input. */
  static final HostInputs.Input STDIN = new HostInputs.Input(InputSource.STDIN, Path.of(InputSource.STDIN), Optional.empty());

  /** One input: the command as it always was, its errors handled by the root command. */
  private int alone(HostInputs.Input input, Answer answer) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Host host = new Host(input, root, out, spec.commandLine().getErr(), true);
    HostResult result = answer.answer(host);
    if (json) {
      out.print(JsonContract.pretty(withExitCode(host.document().orElseThrow(), result.exitCode())));
    }
    out.flush();
    return result.exitCode();
  }

  private int many(List<HostInputs.Input> inputs, Answer answer) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, inputs.size()), r -> {
      Thread t = new Thread(r, "tdmr-host-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    List<HostSummary.Row> rows = new ArrayList<>();
    try {
      Deque<Future<Done>> pending = new ArrayDeque<>();
      int next = 0;
      for (int printed = 0; printed < inputs.size(); printed++) {
        while (next < inputs.size() && pending.size() < jobs * AHEAD_PER_JOB) {
          HostInputs.Input input = inputs.get(next++);
          pending.add(pool.submit(() -> answerOne(input, answer)));
        }
        Done done = await(pending.removeFirst());
        print(done, out, err);
        rows.add(new HostSummary.Row(done.input().name(), done.result()));
        if (root.outputFailed()) {
          break; // the reader went away or the disk is full: nothing more can be shown
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (!json && !root.outputFailed()) {
      out.print(HostSummary.table(spec.qualifiedName(), rows));
    }
    out.flush();
    return overall(rows.stream().map(r -> r.result().exitCode()).toList());
  }

  /** Works on one host into buffers; its bad input or bug is its own answer, not the run's end. */
  private Done answerOne(HostInputs.Input input, Answer answer) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Host host = new Host(input, root, new PrintWriter(out), new PrintWriter(err), false);
    try {
      HostResult result = answer.answer(host);
      host.out().flush();
      host.err().flush();
      return new Done(input, result, out.toString(), err.toString(),
          host.document().map(d -> withExitCode(d, result.exitCode())));
    } catch (InputException e) {
      return unanswered(input, TdmrCommand.EXIT_INPUT, HostResult.BAD_INPUT, e.getMessage(), e, err);
    } catch (OptionValueException | CommandLine.ParameterException e) {
      return unanswered(input, TdmrCommand.EXIT_INPUT, HostResult.BAD_INPUT,
          "tdmr %s: %s".formatted(spec.name(), e.getMessage()), null, err);
    } catch (Exception e) {
      if (System.getenv("TDMR_DEBUG") != null) {
        e.printStackTrace(host.err());
        host.err().flush();
      }
      return unanswered(input, TdmrCommand.EXIT_INTERNAL, HostResult.INTERNAL_ERROR,
          "tdmr %s: internal error on %s: %s (set TDMR_DEBUG=1 for the stack trace)".formatted(spec.name(), input.name(), e),
          null, err);
    }
  }

  /** An input without an answer: its message on standard error, its summary line and its NDJSON error line. */
  private static Done unanswered(HostInputs.Input input, int exitCode, String outcome, String message,
      InputException cause, StringWriter err) {
    err.write(message + System.lineSeparator());
    HostResult result = new HostResult(exitCode, outcome, summaryReason(message, cause), OptionalLong.empty(), "");
    return new Done(input, result, "", err.toString(), Optional.of(errorDocument(input, message, result, cause)));
  }

  /**
   * The reason column of an unreadable input: its problem and line, without the file name (the host
   * column has it) and without the advice that follows it (the whole message is on standard error and
   * in the NDJSON line).
   */
  private static String summaryReason(String message, InputException cause) {
    if (cause == null) {
      return message;
    }
    return cause.line() > 0 ? "line %d: %s".formatted(cause.line(), cause.problem()) : cause.problem();
  }

  /** {@code {"tdmrVersion", "schema": "error/2", "source", "error": {...}, "exitCode"}} for an input without an answer. */
  private static ObjectNode errorDocument(HostInputs.Input input, String message, HostResult result,
      InputException cause) {
    ObjectNode o = JsonContract.document("error");
    o.put("source", input.name());
    ObjectNode error = o.putObject("error");
    error.put("kind", result.outcome());
    error.put("message", message);
    if (cause != null) {
      error.put("file", cause.file());
      if (cause.line() > 0) {
        error.put("line", cause.line());
      } else {
        error.putNull("line");
      }
      error.put("problem", cause.problem());
    } else {
      error.putNull("file");
      error.putNull("line");
      error.put("problem", message);
    }
    return withExitCode(o, result.exitCode());
  }

  private void print(Done done, PrintWriter out, PrintWriter err) {
    if (!done.err().isEmpty()) {
      out.flush();
      err.print(done.err());
      err.flush();
    }
    if (json) {
      done.document().ifPresent(d -> out.print(JsonContract.line(d)));
    } else if (!done.out().isEmpty()) {
      out.println("==> " + done.input().name() + " <==");
      out.print(done.out());
      if (!done.out().endsWith("\n")) {
        out.println();
      }
      out.println();
    }
    out.flush();
  }

  private static Done await(Future<Done> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      // Errors (out of memory) end the whole run, as they would with one input.
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  private static ObjectNode withExitCode(ObjectNode document, int exitCode) {
    document.put("exitCode", exitCode);
    return document;
  }

  /**
   * The exit status of a run over several inputs: the most serious of theirs, in the order 70
   * (a bug), 2 (bad input), 3 (unknown), 1 (no), 0; so 0 only when every input answered yes.
   */
  static int overall(List<Integer> statuses) {
    for (int status : List.of(TdmrCommand.EXIT_INTERNAL, TdmrCommand.EXIT_INPUT, 3, 1)) {
      if (statuses.contains(status)) {
        return status;
      }
    }
    return statuses.stream().filter(s -> s != 0).findFirst().orElse(0);
  }
}
