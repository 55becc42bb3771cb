package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.parse.ShellWord;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.Infeasibility;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.cpsat.MemoryFix;
import tdmr.solver.fix.GreedyFix;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * {@code tdmr fix}: the least TDX memory to give up so that a construction succeeds: the kernel's
 * own ({@code --for greedy}, {@code greedy-cmr}, other registered greedy constructions) or some
 * layout of the planner's family ({@code --for layout}).
 */
@Command(
    name = "fix",
    mixinStandardHelpOptions = true,
    header = "Find the least TDX memory to give up (with memmap=) so that the kernel's TDMR construction succeeds.",
    description = {
      "Reads INPUT (kernel log, /proc/iomem or JSON map; '-' for standard input; without INPUT the bundled"
          + " example of canonical/tdx#135) and replays the kernel's TDMR construction on it. If the"
          + " construction fails, it finds the least memory to give up (whole memory blocks, or the parts of"
          + " blocks before their first or after their last 1 GiB boundary) so that the construction succeeds,"
          + " judging every candidate by replaying the construction on the map the kernel would see, and prints"
          + " it as ranges and as memmap=SIZE$ADDRESS boot parameters, with the kernel's messages then.",
      "--for greedy (default) answers for mainline Linux, --for greedy-cmr for a kernel with the CMR-holes"
          + " patch, --for layout for any layout of the planner's family (each TDMR's PAMT one contiguous"
          + " chunk; CP-SAT), which no stock kernel builds.",
      HostRunner.HELP
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:nothing to give up, or giving up the listed memory makes the construction succeed",
      "1:giving up memory does not help",
      "2:bad input or usage",
      "3:a time limit stopped the search before an answer",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr fix dmesg.txt                     what the running kernel needs (memmap=)",
      "  tdmr fix dmesg.txt --for greedy-cmr    ... a kernel with the CMR-holes patch",
      "  tdmr fix dmesg.txt --for layout        ... any layout of the planner's family",
      "  tdmr fix dmesg.txt --json > fix.json && tdmr check fix.json --map dmesg.txt",
      "  tdmr plan dmesg.txt --memmap '4K$0x64158000'    check a fix by replaying it",
      "  tdmr fix logs/                         every host under logs/, and a summary"
    })
final class FixCommand implements Callable<Integer> {
  /** {@code --for} value that asks for a layout of the planner's family rather than a kernel's construction. */
  static final String LAYOUT = "layout";

  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Mixin MapInputs inputs;

  @Mixin WhatIfOptions whatIf;

  @Option(names = "--for", paramLabel = "greedy|greedy-cmr|layout", completionCandidates = SolverNames.FixTargets.class,
      description = "Whose success to buy: the mainline kernel's construction (greedy, the default), a kernel with"
          + " the CMR-holes patch (greedy-cmr; the default with --holes cmr), another registered greedy"
          + " construction, or any layout of the planner's family (layout).")
  String target;

  /** With {@code --for layout} the gaps to reserve; given alone, {@code --holes cmr} means {@code --for greedy-cmr}. */
  @Mixin PolicyOptions.Holes holes;

  /** With {@code --for layout}: where PAMTs may go (the kernel's constructions always use node-local). */
  @Mixin PolicyOptions.Pamt pamt;

  @Mixin PolicyOptions.FamilyForFix family;

  @Mixin LimitOptions limitOptions;

  @Mixin BudgetOptions budget;

  @Mixin VerboseOption verbose;

  @Mixin JobsOption jobs;

  @Option(names = "--json",
      description = "Print {\"status\", \"giveUp\", \"giveUpBytes\", \"memmap\", \"layout\", ...}; status is HAS_LAYOUT,"
          + " FIXED, NOT_FIXABLE, UNKNOWN or FIX_UNKNOWN; exit status as without it. tdmr check reads it as a layout.")
  boolean json;

  /** What the command decided, the {@code "status"} of {@code --json}. */
  enum Outcome {
    /** The construction succeeds (or a layout covers all TDX memory): nothing to give up. */
    HAS_LAYOUT(0),
    /** It fails (proven); giving up {@code giveUp} makes it succeed. */
    FIXED(0),
    /** Giving up memory does not help (proven). */
    NOT_FIXABLE(1),
    /** The time limit stopped the first solve: whether a layout covers all memory is unknown. */
    UNKNOWN(3),
    /** It fails, but the limit stopped the search for what to give up before any answer. */
    FIX_UNKNOWN(3);

    final int exitCode;

    Outcome(int exitCode) {
      this.exitCode = exitCode;
    }

    static Outcome of(MemoryFix fix) {
      if (fix.alreadyHasLayout()) {
        return HAS_LAYOUT;
      }
      if (fix.full().status() == Status.UNKNOWN) {
        return UNKNOWN;
      }
      // MemoryFix solves again with coverage max only after the first solve proved INFEASIBLE.
      Status reduced = fix.reduced().orElseThrow().status();
      if (reduced.hasLayout()) {
        return FIXED;
      }
      return reduced == Status.UNKNOWN ? FIX_UNKNOWN : NOT_FIXABLE;
    }

    static Outcome of(GreedyFix fix) {
      if (fix.search().isEmpty()) {
        return HAS_LAYOUT;
      }
      return switch (fix.search().get().status()) {
        case OPTIMAL, FEASIBLE -> FIXED;
        case INFEASIBLE -> NOT_FIXABLE;
        default -> FIX_UNKNOWN;
      };
    }
  }

  @Override
  public Integer call() throws Exception {
    limitOptions.limits();
    budget.solveOptions();
    String construction = construction();
    if (!construction.equals(LAYOUT)) {
      engine(construction); // an unknown --for is a usage error before any input is read
    }
    return new HostRunner(spec, tdmr, json, jobs.count()).run(inputs.arguments, HostRunner.BUNDLED, this::fix);
  }

  /** The fix for one host; the time limit bounds each host's search. */
  private HostResult fix(Host host) throws Exception {
    TdxLimits limits = limitOptions.limits();
    SolveOptions options = budget.solveOptions();
    String construction = construction();
    Optional<Engine> engine = construction.equals(LAYOUT) ? Optional.empty() : Optional.of(engine(construction));
    MemoryMap map = whatIf.apply(host.readMap());
    limits = LimitOptions.usefulFor(limits, map, host.err(), "tdmr fix");
    if (engine.isPresent()) {
      GreedyFix fix;
      try (Progress p = host.progress("tdmr fix: searching")) {
        fix = GreedyFix.find(map, engine.get(), limits, options);
      }
      Outcome outcome = Outcome.of(fix);
      GreedyFixReport report = new GreedyFixReport(map, limits, fix, outcome, whatIf.parameters());
      if (json) {
        host.document(report.json());
      } else {
        PrintWriter folded = FoldingWriter.over(host.out());
        folded.print(report.text(replayWords(host, construction)));
        folded.flush();
      }
      return report.summary();
    }
    return layoutFix(host, map, limits, options);
  }

  /** The construction {@code --for} names, checked against {@code --holes}. */
  private String construction() {
    boolean holesGiven = spec.commandLine().getParseResult().hasMatchedOption("--holes");
    Policy.Holes h = holes.value();
    if (target == null) {
      return h == Policy.Holes.CMR ? "greedy-cmr" : "greedy";
    }
    if (target.equals("greedy") && h == Policy.Holes.CMR) {
      throw new OptionValueException(
          "--for greedy takes holes from the memory list, as mainline Linux does; for a kernel with the CMR-holes patch use --for greedy-cmr");
    }
    if (target.equals("greedy-cmr") && holesGiven && h == Policy.Holes.MEMLIST) {
      throw new OptionValueException("--for greedy-cmr takes holes from the CMRs; drop --holes memlist");
    }
    return target;
  }

  /** The registered greedy construction of that name; anything else is a usage error. */
  private Engine engine(String name) {
    List<String> greedies = Engines.names().stream().filter(n -> n.startsWith("greedy")).toList();
    if (!greedies.contains(name)) {
      throw new OptionValueException("--for %s: expected %s or %s".formatted(name, String.join(", ", greedies), LAYOUT));
    }
    return Engines.byName(name).orElseThrow();
  }

  /** INPUT and the what-if options as the user typed them, for the commands suggested next. */
  private String inputWords(Host host) {
    return (host.bundled() ? "" : " " + ShellWord.of(host.name())) + whatIf.asArguments();
  }

  /**
   * INPUT, the what-if options, the construction and the options it answered under, as typed: what
   * {@code tdmr plan} needs to replay the same construction on the same question after the fix.
   */
  private String replayWords(Host host, String construction) {
    StringBuilder words = new StringBuilder(inputWords(host));
    if (!construction.equals("greedy")) {
      words.append(" --solver ").append(construction);
    }
    words.append(limitOptions.asArguments());
    if (holes.value() == Policy.Holes.CMR && !construction.equals("greedy-cmr")) {
      words.append(" --holes cmr");
    }
    if (pamt.value() != Policy.DEFAULT.pamt()) {
      words.append(" --pamt ").append(pamt.value().text());
    }
    return words.toString();
  }

  private HostResult layoutFix(Host host, MemoryMap map, TdxLimits limits, SolveOptions options) {
    // Coverage is the question fix answers, not an option: all first, then max if that is infeasible.
    Policy policy = new Policy(holes.value(), pamt.value(), Policy.Coverage.MAX, family.value());
    MemoryFix fix;
    try (Progress p = host.progress("tdmr fix: cpsat solving")) {
      fix = MemoryFix.find(map, limits, policy, options);
    } catch (UnsatisfiedLinkError e) {
      throw new OptionValueException("--for layout needs CP-SAT, which cannot run here: " + e.getMessage());
    }

    Outcome outcome = Outcome.of(fix);
    HostResult summary = layoutSummary(fix, outcome);
    if (json) {
      host.document(jsonDocument(map, limits, fix, outcome));
      return summary;
    }
    PrintWriter out = FoldingWriter.over(host.out());
    out.printf("%s: %s, %s per TDMR, holes %s, PAMT %s, family %s (--for layout)%n", map.source(),
        Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"), holes.value().text(),
        pamt.value().text(), family.value().text());
    out.println("A layout of the planner's family, which no stock kernel builds; for what the running kernel"
        + " needs: tdmr fix" + inputWords(host) + " --for greedy");
    if (outcome == Outcome.HAS_LAYOUT) {
      out.println("Nothing to give up: a layout covers all TDX memory.");
      printLayout(out, fix.full());
    } else if (outcome == Outcome.UNKNOWN) {
      out.println("Unknown: the time limit stopped the solver before it found a layout or proved there is none.");
      fix.full().messages().forEach(m -> out.println("  " + m));
    } else {
      out.println("No layout covers all TDX memory:");
      whyNoLayout(fix).forEach(m -> out.println("  " + m));
      EngineResult reduced = fix.reduced().orElseThrow();
      if (outcome == Outcome.FIXED) {
        printGiveUp(out, fix, reduced);
        printLayout(out, reduced);
      } else {
        out.println(outcome == Outcome.FIX_UNKNOWN
            ? "Unknown: the time limit stopped the solver before it found what to give up."
            : "Giving up memory does not help: no layout exists even then.");
        reduced.messages().forEach(m -> out.println("  " + m));
      }
    }
    out.flush();
    return summary;
  }

  /** The summary line of {@code --for layout}: why no layout covers all memory, and the memmap= that fixes it. */
  private static HostResult layoutSummary(MemoryFix fix, Outcome outcome) {
    String reason = whyNoLayout(fix).stream().findFirst().orElse("");
    java.util.OptionalLong pamt = switch (outcome) {
      case HAS_LAYOUT -> fix.full().pamtBytes();
      case FIXED -> fix.reduced().orElseThrow().pamtBytes();
      default -> java.util.OptionalLong.empty();
    };
    String memmap = outcome == Outcome.FIXED
        ? String.join(" ", fix.giveUp().stream().map(MemoryFix::memmapParameter).toList()) : "";
    return new HostResult(outcome.exitCode, outcome.name(), reason, pamt, memmap);
  }

  /** Why no layout covers all TDX memory: the facts of the first solve's proof. */
  private static List<String> whyNoLayout(MemoryFix fix) {
    return fix.full().infeasibility().map(Infeasibility::facts).orElse(List.of());
  }

  private ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, MemoryFix fix, Outcome outcome) {
    ObjectNode o = JsonContract.document("fix");
    o.put("source", map.source());
    o.put("for", LAYOUT);
    o.put("status", outcome.name());
    o.put("maxTdmrs", limits.maxTdmrs());
    o.put("maxReservedPerTdmr", limits.maxReservedPerTdmr());
    o.set("limits", JsonContract.limits(limits));
    // The keys of the greedy's fix document too (GreedyFixReport), null where this search has no such value.
    o.put("family", family.value().text());
    o.putNull("giveUpScope");
    o.putNull("searchStatus");
    ObjectNode policy = o.putObject("policy");
    policy.put("holes", holes.value().text());
    policy.put("pamt", pamt.value().text());
    policy.put("family", family.value().text());
    GreedyFixReport.giveUpJson(o, fix.giveUp(), range -> null, whatIf.parameters());
    o.putNull("giveUpBoundBytes");
    if (outcome == Outcome.FIXED) {
      // OPTIMAL: CP-SAT proved no smaller loss (in whole atoms) gives a layout.
      o.put("giveUpProvenLeast", fix.reduced().orElseThrow().status() == Status.OPTIMAL);
    } else {
      o.putNull("giveUpProvenLeast");
    }
    o.putNull("replayedChoices");
    o.putNull("before");
    o.putNull("after");
    Optional<EngineResult> withLayout = switch (outcome) {
      case HAS_LAYOUT -> Optional.of(fix.full());
      case FIXED -> fix.reduced();
      default -> Optional.empty();
    };
    if (withLayout.isPresent()) {
      EngineResult r = withLayout.get();
      Layout layout = r.layout().orElseThrow();
      ObjectNode l = o.putObject("layout");
      l.put("status", r.status().name());
      l.put("pamtBytes", layout.pamtBytes());
      l.set("tdmrs", LayoutJson.tdmrsTree(layout));
    } else {
      o.putNull("layout");
    }
    ArrayNode messages = o.putArray("messages");
    if (outcome == Outcome.HAS_LAYOUT || outcome == Outcome.UNKNOWN) {
      fix.full().messages().forEach(messages::add);
    } else {
      whyNoLayout(fix).forEach(messages::add);
    }
    fix.reduced().ifPresent(r -> r.messages().forEach(messages::add));
    o.set("notes", JsonContract.strings(map.notes()));
    return o;
  }

  private void printGiveUp(PrintWriter out, MemoryFix fix, EngineResult reduced) {
    long bytes = fix.giveUp().stream().mapToLong(AddressRange::size).sum();
    out.printf("%nGive up %s of TDX memory in %s (%s):%n", ByteSize.human(bytes), Count.of(fix.giveUp().size(), "range"),
        reduced.status() == Status.OPTIMAL
            ? "OPTIMAL: proven the least among giving up whole pieces of memory blocks between 1 GiB boundaries"
            : "FEASIBLE: the least found before the time limit, not proven");
    for (AddressRange r : fix.giveUp()) {
      out.printf("  %s %s%n", r, ByteSize.human(r.size()));
    }
    GreedyFixReport.cautions(out, fix.giveUp());
    out.println();
    GreedyFixReport.bootParameters(out, whatIf.parameters(), fix.giveUp().stream().map(MemoryFix::memmapParameter).toList());
  }

  private void printLayout(PrintWriter out, EngineResult r) {
    Layout layout = r.layout().orElseThrow();
    out.printf("%nLayout (%s, %s, PAMT %s, %s):%n", r.status(), Count.of(layout.size(), "TDMR"),
        ByteSize.exact(layout.pamtBytes()), Count.of(layout.reservedAreaCount(), "reserved area"));
    // What the status claims, in the engine's words (the family and its restrictions); the memory
    // left out, which the engine lists after the claim's first line (a heading and its ranges), is
    // the memory given up, listed above; the restrictions' sentence follows it.
    boolean leftOut = false;
    for (String m : r.messages()) {
      leftOut = m.startsWith("left out ") || leftOut && m.startsWith("  ");
      if (!leftOut) {
        out.println("  " + m);
      }
    }
    for (Tdmr t : layout.tdmrs()) {
      out.printf("  TDMR %s %s: PAMT %s %d KiB, %s%n", t.range(), ByteSize.human(t.size()), t.pamt().ranges(),
          t.pamt().totalBytes() / 1024, Count.of(t.reservedCount(), "reserved area"));
    }
    verbose.details(r).forEach(d -> out.println("  " + d));
  }
}
