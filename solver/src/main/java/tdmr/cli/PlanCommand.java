package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.check.TdmrInfoCodec;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.parse.ShellWord;
import tdmr.solver.CrossCheck;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr plan}: runs one or more engines on a memory map and shows their layouts. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    header = "Build the TDMR/PAMT layout for a memory map: what Linux does (greedy) or the best one (cpsat, z3).",
    description = {
      "Reads INPUT (dmesg text, /proc/iomem or a JSON map; '-' for standard input; without"
            + " INPUT the bundled example of canonical/tdx#135, an Emerald Rapids host whose kernel"
            + " failed) and runs the chosen engines. --solver greedy replays the Linux kernel's"
            + " construction with its messages.",
      HostRunner.HELP
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:an engine built a layout (with several engines, one is enough; ask --solver greedy alone whether"
          + " the kernel succeeds)",
      "1:no engine built one, and each answered (the kernel would fail, the map is proven infeasible)",
      "2:bad input or usage",
      "3:no engine built one, and a time limit stopped at least one before an answer",
      "70:internal error (also: --cross-check found the engines disagreeing)"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr plan                                  the bundled canonical/tdx#135 log",
      "  tdmr plan dmesg.txt --solver all           greedy, then the best (cpsat, z3)",
      "  tdmr plan dmesg.txt --holes cmr            a kernel with the CMR-holes patch",
      "  tdmr plan dmesg.txt --memmap '4K$0x64158000'   booted with that memmap=",
      "  tdmr plan dmesg.txt --solver cpsat --json > plan.json",
      "  tdmr plan dmesg.txt --solver cpsat --family kernel   the kernel family's best",
      "  tdmr plan dmesg.txt --tdmr-info tdmr_info.bin",
      "  tdmr plan a.txt b.txt --json               one JSON line per host (NDJSON)",
      "See it: tdmr render dmesg.txt --solver all -o layout.html"
    })
final class PlanCommand implements Callable<Integer> {
  static final String EXAMPLE =
      "examples/tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt";

  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Mixin MapInputs inputs;

  @Mixin EngineOptions engineOptions;

  @Mixin WhatIfOptions whatIf;

  @Mixin ColorOption color;

  @Mixin VerboseOption verbose;

  @Mixin JobsOption jobs;

  @Option(names = "--json", description = "Print {\"results\": [...]} with the shared TDMR JSON.")
  boolean json;

  @Option(names = "--cross-check",
      description = "Check the engines against each other (use with --solver all): every layout verifies, CP-SAT and"
          + " Z3 prove the same optimum or infeasibility, neither is worse than the greedy. A disagreement is a bug: exit 70.")
  boolean crossCheck;

  @Option(names = "--tdmr-info", paramLabel = "FILE",
      description = "Write the first built layout as TDMR_INFO entries (the module's binary format).")
  Path tdmrInfo;

  @Override
  public Integer call() throws Exception {
    // Bad option values are usage errors before any input is read.
    engineOptions.solveOptions();
    engineOptions.engines();
    engineOptions.limits();
    if (tdmrInfo != null && HostInputs.many(inputs.arguments)) {
      throw new OptionValueException("--tdmr-info writes one layout: give one INPUT");
    }
    return new HostRunner(spec, tdmr, json, jobs.count()).run(inputs.arguments, HostRunner.BUNDLED, this::plan);
  }

  /** The engines' answers for one host; the time limit bounds each host's work. */
  private HostResult plan(Host host) throws Exception {
    // The host's deadline starts first: loading the solvers' native libraries counts too.
    SolveOptions options = engineOptions.solveOptions();
    List<Engine> engines = engineOptions.engines();
    TdxLimits limits = engineOptions.limits();
    MemoryMap map = whatIf.apply(host.readMap());
    limits = LimitOptions.usefulFor(limits, map, host.err(), "tdmr plan");
    Policy policy = engineOptions.policy();

    List<EngineResult> results = new ArrayList<>();
    for (int i = 0; i < engines.size(); i++) {
      Engine engine = engines.get(i);
      try (Progress p = host.progress("tdmr plan: " + engine.name() + " solving")) {
        // --time-limit bounds the whole command: each engine may take an equal share of what is left.
        results.add(engine.solve(map, limits, policy, options.withDeadline(options.deadline().share(engines.size() - i))));
      }
    }

    Optional<CrossCheck.Report> check =
        crossCheck ? Optional.of(CrossCheck.compare(map, limits, policy, results, CrossCheck.provers(engines, policy)))
            : Optional.empty();
    PrintWriter out = host.out();
    if (json) {
      ObjectNode document = jsonDocument(map, limits, policy, results, whatIf.parameters());
      check.ifPresent(c -> document.set("crossCheck", crossCheckJson(c)));
      host.document(document);
    } else {
      out.print(new PlanText(map, limits, policy, verbose).render(results, color.terminal(),
          (host.bundled() ? "" : ShellWord.of(host.name())) + whatIf.asArguments()));
      check.ifPresent(c -> c.lines().forEach(out::println));
    }
    out.flush();
    if (check.isPresent() && !check.get().passed()) {
      host.err().println("tdmr plan: the engines disagree; this is a bug in one of them, please report it");
      return summary(host, map, limits, policy, results, TdmrCommand.EXIT_INTERNAL);
    }

    if (tdmrInfo != null) {
      Optional<Layout> layout = results.stream().flatMap(r -> r.layout().stream()).findFirst();
      if (layout.isPresent()) {
        try {
          // Whole or not at all: a TDMR_INFO cut short is a whole number of entries, a valid smaller layout.
          AtomicFile.write(tdmrInfo, TdmrInfoCodec.encode(layout.get()));
        } catch (IllegalArgumentException tooManySlots) {
          // Limits raised past the module's 16 slots: the layout cannot be written in its format.
          host.err().println("tdmr plan: cannot write %s: %s".formatted(tdmrInfo, tooManySlots.getMessage()));
          return summary(host, map, limits, policy, results, TdmrCommand.EXIT_INPUT);
        } catch (IOException e) {
          // A directory or a missing parent is the user's to fix (exit 2), not a bug (exit 70).
          throw new InputException(tdmrInfo.toString(), 0,
              "cannot write the TDMR_INFO file: %s; nothing written".formatted(AtomicFile.reason(e)));
        }
      } else {
        host.err().println("tdmr plan: no engine built a layout; %s not written".formatted(tdmrInfo));
      }
    }
    return summary(host, map, limits, policy, results, exitStatus(results));
  }

  /**
   * The summary line: each engine's status, why the first that built nothing failed (the kernel's
   * failure, or the first fact of a proof), the PAMT of the first layout, and {@code tdmr fix} when
   * the kernel's construction fails.
   */
  private HostResult summary(Host host, MemoryMap map, TdxLimits limits, Policy policy, List<EngineResult> results,
      int exitCode) {
    String outcome = results.size() == 1 ? results.get(0).status().name()
        : String.join(",", results.stream().map(r -> r.solver() + ":" + r.status().name()).toList());
    String reason = results.stream().filter(r -> !r.status().hasLayout()).findFirst().map(PlanCommand::reason).orElse("");
    java.util.OptionalLong pamt = results.stream().filter(r -> r.status().hasLayout()).findFirst()
        .map(EngineResult::pamtBytes).orElse(java.util.OptionalLong.empty());
    // The same tdmr fix as the text's first next step: the failed construction, this run's limits and policy.
    String fix = new PlanText(map, limits, policy).kernelFix(results, (host.bundled() ? "" : ShellWord.of(host.name())) + whatIf.asArguments())
        .orElse("");
    return new HostResult(exitCode, outcome, reason, pamt, fix);
  }

  private static String reason(EngineResult r) {
    if (r.kernelFailure().isPresent()) {
      return r.solver() + ": " + r.kernelFailure().get().failureLine().replaceFirst("^initialization failed: ", "");
    }
    if (r.infeasibility().isPresent() && !r.infeasibility().get().facts().isEmpty()) {
      return r.solver() + ": " + r.infeasibility().get().facts().get(0);
    }
    return r.solver() + ": " + r.status().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** 0 when some engine built a layout; otherwise 3 if a time limit left any answer unknown, else 1. */
  static int exitStatus(List<EngineResult> results) {
    if (results.stream().anyMatch(r -> r.status().hasLayout())) {
      return 0;
    }
    return results.stream().anyMatch(r -> r.status() == Status.UNKNOWN) ? 3 : 1;
  }

  private static ObjectNode crossCheckJson(CrossCheck.Report report) {
    ObjectNode o = LayoutJson.newObject();
    o.put("passed", report.passed());
    ArrayNode failures = o.putArray("failures");
    report.failures().forEach(failures::add);
    ArrayNode notes = o.putArray("notes");
    report.notes().forEach(notes::add);
    return o;
  }

  /** {@code plan --json} of a map read without boot parameters ({@link #jsonDocument(MemoryMap, TdxLimits, Policy, List, List)}). */
  static ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, Policy policy, List<EngineResult> results) {
    return jsonDocument(map, limits, policy, results, List.of());
  }

  /**
   * {@code plan --json}: the map's source, the boot parameters the map was replayed with
   * ({@code --memmap}, {@code --cmdline}; {@code "memmap"}, as {@code fix --json} writes them, so
   * that {@code tdmr check} replays them on the map before it checks a layout built on them) and
   * every engine's result (docs/schema/plan.schema.json).
   */
  static ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, Policy policy, List<EngineResult> results,
      List<String> memmap) {
    ObjectNode root = JsonContract.document("plan");
    root.put("source", map.source());
    root.set("limits", JsonContract.limits(limits));
    root.set("policy", JsonContract.policy(policy));
    ArrayNode parameters = root.putArray("memmap");
    memmap.forEach(parameters::add);
    ArrayNode array = root.putArray("results");
    EngineResultJson json = new EngineResultJson(map, limits);
    results.forEach(r -> array.add(json.tree(r)));
    root.putNull("crossCheck");
    return root;
  }

}
