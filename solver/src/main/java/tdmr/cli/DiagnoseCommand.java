package tdmr.cli;

import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.parse.Bundle;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;
import tdmr.parse.ShellWord;
import tdmr.parse.TextLines;
import tdmr.solver.SolveOptions;
import tdmr.tdx.TdxLimits;
import tdmr.triage.BootLog;
import tdmr.triage.LogCompleteness;
import tdmr.triage.TdxLogTriage;
import tdmr.triage.Triage;

/**
 * {@code tdmr diagnose}: reads a host's kernel log and says, in plain words, whether TDX came up,
 * what went wrong if not, and what to do; for a layout failure it also analyses the memory map
 * found in the same log.
 */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    header = "Say what happened to TDX on a host, from its kernel log, and what to do next.",
    description = {
      "Reads the TDX lines of a kernel log (dmesg, journalctl -k) and tells whether TDX came up. If it"
          + " did not, it says why in plain words: TDX off in the BIOS, no TDX module, a SEAMCALL the"
          + " module refused (leaf, status and metadata field decoded), or the kernel's TDMR layout"
          + " running out of TDMRs or reserved areas; and it says plainly when the memory layout is not"
          + " the problem.",
      "For a layout failure it rebuilds the layout from the memory map in the same log; on success it"
          + " checks the logged PAMT size against the map.",
      HostRunner.HELP
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:TDX came up",
      "1:TDX did not come up, or the log does not show that it did",
      "2:bad input or usage (also an empty log: without root, dmesg prints nothing)",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo dmesg | tdmr diagnose",
      "  journalctl -k -b | tdmr diagnose -",
      "  tdmr diagnose saved-dmesg.txt",
      "  tdmr diagnose --json saved-dmesg.txt     (for scripts and fleets)",
      "  tdmr diagnose logs/ --jobs 4             every log under logs/, and a summary",
      "  tdmr diagnose --json logs/ > fleet.ndjson   one JSON line per host"
    })
final class DiagnoseCommand implements Callable<Integer> {
  /** How {@code /proc/iomem} lines start (as {@code MapReader} detects them). */
  private static final Pattern IOMEM_LINE = Pattern.compile("^[0-9a-fA-F]++-[0-9a-fA-F]++ : ");

  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "DMESG",
      arity = "0..*",
      description = "Kernel logs to read (files, directories of them); '-' or nothing reads standard input.")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  /** The budget of the whole command: the greedy's replay and the CP-SAT solve that analyses a layout failure. */
  @Mixin BudgetOptions budget;

  @Mixin ColorOption color;

  @Mixin WhatIfOptions whatIf;

  @Mixin JobsOption jobs;

  @Override
  public Integer call() throws Exception {
    if ((inputs.isEmpty() || inputs.size() == 1 && InputSource.isStdin(inputs.get(0))) && tdmr.stdinIsTerminal()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("tdmr diagnose: give a kernel log, or pipe one in:");
      err.println("  sudo dmesg | tdmr diagnose");
      err.println("  tdmr diagnose saved-dmesg.txt");
      err.flush();
      return TdmrCommand.EXIT_INPUT;
    }
    budget.solveOptions(); // a bad --time-limit, --threads or --seed is a usage error before any input is read
    return new HostRunner(spec, tdmr, json, jobs.count()).run(inputs, HostRunner.STDIN, this::diagnose);
  }

  /** The diagnosis of one host's log; the time limit bounds each log's analysis. */
  private HostResult diagnose(Host host) throws Exception {
    SolveOptions options = budget.solveOptions();
    InputSource source = host.source();
    String text = source.text();
    requireKernelLog(source.name(), text);
    Optional<Bundle> bundle = Bundle.isBundle(text) ? Optional.of(Bundle.read(source.name(), text)) : Optional.empty();
    Triage triage;
    if (bundle.isPresent()) {
      // A bundle's kernel log, with its /proc/cmdline and /proc/cpuinfo for what the log lacks.
      Bundle b = bundle.get();
      BootLog boot = BootLog.scan(b.kernelLog())
          .completedBy(b.commandLine(), b.cpuField("vendor_id"), b.cpuField("model name"));
      triage = TdxLogTriage.of(source.name(), b.kernelLog(), boot);
    } else {
      triage = TdxLogTriage.of(source.name(), TextLines.of(source.name(), text));
    }
    Diagnosis.MapInLog mapInLog = mapIn(source.name(), text);
    List<LogCompleteness.Note> completeness =
        LogCompleteness.check(triage.boot(), triage.cmrs(), mapInLog.map(), bundle);
    if (mapInLog.map().isPresent()) {
      mapInLog = new Diagnosis.MapInLog(Optional.of(whatIf.apply(mapInLog.map().get())), Optional.empty());
    }
    LayoutAnalysis.Findings findings = LayoutAnalysis.Findings.NONE;
    if (mapInLog.map().isPresent()) {
      String logWords = " " + (source.name().equals("<stdin>") ? "dmesg.txt" : ShellWord.of(source.name())) + whatIf.asArguments();
      findings = new LayoutAnalysis(mapInLog.map().get(), completeness, logWords, whatIf.kernelParameters(),
          TdxLimits.DEFAULT, options, host)
          .analyse(triage);
    }
    List<String> whatToDo = findings.remedies().isEmpty() ? triage.whatToDo() : findings.remedies();
    Diagnosis diagnosis = new Diagnosis(source.name(), completeness, triage, mapInLog, findings.analysis(), whatToDo);
    if (json) {
      host.document(DiagnosisJson.tree(diagnosis));
    } else {
      host.out().print(new DiagnosisText(color.terminal()).render(diagnosis));
    }
    return diagnosis.summary(findings.memmap());
  }

  /**
   * An empty input or a map that is not a log would otherwise read as "no TDX lines", that is "TDX
   * is not enabled in the BIOS": a confident wrong answer. Empty input is common, since a non-root
   * {@code dmesg} prints nothing to the pipe ("Operation not permitted" goes to its stderr).
   */
  private static void requireKernelLog(String name, String text) throws InputException {
    String first = TextLines.firstContentLine(text);
    if (first == null) {
      throw new InputException(
          name, 0, "empty input: no kernel log to diagnose (without root, dmesg prints nothing; use sudo dmesg)");
    }
    if (first.startsWith("{")) {
      throw new InputException(name, 1, "this is a JSON file, not a kernel log; diagnose reads dmesg or journalctl -k output");
    }
    if (IOMEM_LINE.matcher(first).find()) {
      throw new InputException(name, 1, "this is /proc/iomem, not a kernel log; diagnose reads dmesg or journalctl -k output");
    }
  }

  /**
   * The memory map in the same log, or why there is none. A log without a usable map is not bad
   * input here: people often save only the TDX lines, and the triage stands on its own. A log of
   * two different maps is (as for {@code tdmr map}): it is several boots, and which boot's outcome
   * the user asks about is theirs to say ({@code journalctl -k -b 0}).
   */
  private static Diagnosis.MapInLog mapIn(String name, String text) throws InputException {
    try {
      return new Diagnosis.MapInLog(Optional.of(MapReader.read(name, text)), Optional.empty());
    } catch (InputException e) {
      if (e.isTwoMaps()) {
        throw e;
      }
      return new Diagnosis.MapInLog(Optional.empty(),
          Optional.of(e.line() > 0 ? "line %d: %s".formatted(e.line(), e.problem()) : e.problem()));
    }
  }
}
