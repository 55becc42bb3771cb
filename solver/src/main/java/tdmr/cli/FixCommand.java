package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.parse.MapJson;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.cpsat.MemoryFix;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/** {@code tdmr fix}: the least TDX memory to give up so that a legal layout exists. */
@Command(
    name = "fix",
    mixinStandardHelpOptions = true,
    header = "Find the least TDX memory to give up (with memmap=) so that a TDMR layout exists under the limits.",
    description =
        "Reads INPUT (kernel log, /proc/iomem or JSON map; '-' for standard input) and asks the"
            + " CP-SAT planner for a layout covering all TDX memory. If none exists, it finds the least"
            + " memory to leave out (in whole pieces of memory blocks within one GiB, or runs of whole"
            + " GiB) and prints it as ranges and as memmap=SIZE$ADDRESS kernel parameters, with the"
            + " layout that then exists. Claims are about layouts in which each TDMR's PAMT is one"
            + " contiguous chunk, as the kernel allocates it.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the map has a layout, or giving up the listed memory gives it one",
      "1:no layout exists even when memory is given up",
      "2:bad input or usage",
      "3:a time limit stopped the solver before an answer",
      "70:internal error"
    },
    footer = {
      "%nExamples:",
      "  tdmr fix dmesg.txt",
      "  tdmr fix dmesg.txt --holes cmr --time-limit 300",
      "  tdmr fix dmesg.txt --max-rsvd 15 --json"
    })
final class FixCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INPUT", description = "Kernel log, /proc/iomem or JSON map; '-' reads standard input.")
  String input;

  @Mixin PolicyOptions.Holes holes;

  @Mixin PolicyOptions.Pamt pamt;

  @Mixin PolicyOptions.FamilyForFix family;

  @Mixin LimitOptions limitOptions;

  @Mixin BudgetOptions budget;

  @Option(names = "--json",
      description = "Print {\"status\", \"giveUp\", \"giveUpBytes\", \"memmap\", \"layout\", \"messages\"}; status is"
          + " HAS_LAYOUT, FIXED, NOT_FIXABLE, UNKNOWN or FIX_UNKNOWN; exit status as without it.")
  boolean json;

  /** What the command decided, the {@code "status"} of {@code --json}. */
  enum Outcome {
    /** A layout covers all TDX memory; nothing to give up. */
    HAS_LAYOUT(0),
    /** No layout covers all TDX memory (proven); giving up {@code giveUp} yields one. */
    FIXED(0),
    /** No layout exists even when memory is given up (proven). */
    NOT_FIXABLE(1),
    /** The time limit stopped the first solve: whether a layout covers all memory is unknown. */
    UNKNOWN(3),
    /** No layout covers all memory (proven), but the time limit stopped the search for what to give up. */
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
  }

  @Override
  public Integer call() throws Exception {
    TdxLimits limits = limitOptions.limits();
    SolveOptions options = budget.solveOptions();
    MemoryMap map = tdmr.input(input).readMap();
    // Coverage is the question fix answers, not an option: all first, then max if that is infeasible.
    Policy policy = new Policy(holes.value(), pamt.value(), Policy.Coverage.MAX, family.value());
    MemoryFix fix;
    try (Progress p = Progress.start(spec.commandLine().getErr(), "tdmr fix: cpsat solving", Terminal.stderrIsTerminal())) {
      fix = MemoryFix.find(map, limits, policy, options);
    } catch (UnsatisfiedLinkError e) {
      spec.commandLine().getErr().println("tdmr fix: " + e.getMessage());
      return TdmrCommand.EXIT_INPUT;
    }

    Outcome outcome = Outcome.of(fix);
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(LayoutJson.pretty(jsonDocument(map, limits, fix, outcome)));
      out.flush();
      return outcome.exitCode;
    }
    PrintWriter out = FoldingWriter.over(spec.commandLine().getOut());
    out.printf("%s: %s, %s per TDMR, holes %s, PAMT %s, family %s%n", map.source(), Count.of(limits.maxTdmrs(), "TDMR"),
        Count.of(limits.maxReservedPerTdmr(), "reserved area"), holes.value().text(), pamt.value().text(),
        family.value().text());
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
    return outcome.exitCode;
  }

  /** Why no layout covers all TDX memory: the facts of the first solve's proof. */
  private static List<String> whyNoLayout(MemoryFix fix) {
    return fix.full().infeasibility().map(Infeasibility::facts).orElse(List.of());
  }

  private ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, MemoryFix fix, Outcome outcome) {
    ObjectNode o = JsonContract.document("fix");
    o.put("source", map.source());
    o.put("status", outcome.name());
    o.put("maxTdmrs", limits.maxTdmrs());
    o.put("maxReserved", limits.maxReservedPerTdmr());
    ObjectNode policy = o.putObject("policy");
    policy.put("holes", holes.value().text());
    policy.put("pamt", pamt.value().text());
    o.put("family", family.value().text());
    ArrayNode giveUp = o.putArray("giveUp");
    o.put("giveUpBytes", fix.giveUp().stream().mapToLong(AddressRange::size).sum());
    if (outcome == Outcome.FIXED) {
      // OPTIMAL: CP-SAT proved no smaller loss (in whole atoms) gives a layout.
      o.put("giveUpProvenLeast", fix.reduced().orElseThrow().status() == Status.OPTIMAL);
    }
    ArrayNode memmap = o.putArray("memmap");
    for (AddressRange r : fix.giveUp()) {
      ObjectNode range = giveUp.addObject();
      range.put("start", MapJson.hex(r.start()));
      range.put("end", MapJson.hex(r.end()));
      range.put("size", MapJson.hex(r.size()));
      memmap.add(MemoryFix.memmapParameter(r));
    }
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
    return o;
  }

  private static void printGiveUp(PrintWriter out, MemoryFix fix, EngineResult reduced) {
    long bytes = fix.giveUp().stream().mapToLong(AddressRange::size).sum();
    out.printf("%nGive up %s of TDX memory (%s) in %s:%n", ByteSize.human(bytes),
        reduced.status() == Status.OPTIMAL ? "proven the least" : "the least found before the time limit, not proven",
        Count.of(fix.giveUp().size(), "range"));
    for (AddressRange r : fix.giveUp()) {
      out.printf("  %s %s%n", r, ByteSize.human(r.size()));
    }
    out.printf("%nKernel command line:%n ");
    for (AddressRange r : fix.giveUp()) {
      out.print(" " + MemoryFix.memmapParameter(r));
    }
    out.println();
    out.println("In /etc/default/grub write each $ as \\\\\\$ (GRUB_CMDLINE_LINUX=\"memmap=4K\\\\\\$0x...\");");
    out.println("typed at the GRUB prompt it is \\$.");
  }

  private static void printLayout(PrintWriter out, EngineResult r) {
    Layout layout = r.layout().orElseThrow();
    out.printf("%nLayout (%s, %d KB PAMT, %s, %s):%n", r.status(), layout.pamtBytes() / 1024,
        Count.of(layout.size(), "TDMR"), Count.of(layout.reservedAreaCount(), "reserved area"));
    for (Tdmr t : layout.tdmrs()) {
      AddressRange pamt = new AddressRange(t.pamt().fourK().base(), t.pamt().oneG().end());
      out.printf("  TDMR %s %s: PAMT %s %d KB, %s%n", t.range(), ByteSize.human(t.size()), pamt,
          pamt.size() / 1024, Count.of(t.reservedCount(), "reserved area"));
    }
    if (r.modelVariables() > 0) {
      out.printf("  model: %d variables, %d constraints%n", r.modelVariables(), r.modelConstraints());
    }
  }
}
