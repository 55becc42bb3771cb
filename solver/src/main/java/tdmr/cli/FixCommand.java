package tdmr.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.cpsat.MemoryFix;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
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
      "  tdmr fix dmesg.txt --holes cmr --time-limit 300"
    })
final class FixCommand implements Callable<Integer> {
  @ParentCommand Tdmr tdmr;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INPUT", description = "Kernel log, /proc/iomem or JSON map; '-' reads standard input.")
  String input;

  @Option(names = "--holes", paramLabel = "memlist|cmr", defaultValue = "memlist",
      converter = CheckCommand.HolesConverter.class,
      description = "Gaps to reserve: every gap between memory blocks (memlist, mainline Linux) or only non-convertible ones (cmr). Default: ${DEFAULT-VALUE}.")
  Policy.Holes holes;

  @Option(names = "--pamt", paramLabel = "node-local|any", defaultValue = "node-local",
      converter = PlanCommand.PamtConverter.class,
      description = "PAMT on the node the kernel picks for its TDMR (node-local), or anywhere in TDX memory (any). Default: ${DEFAULT-VALUE}.")
  Policy.PamtPlacementPolicy pamt;

  @Option(names = "--max-tdmrs", paramLabel = "N", defaultValue = "64", description = "Module's MAX_TDMRS (default ${DEFAULT-VALUE}).")
  int maxTdmrs;

  @Option(names = "--max-rsvd", paramLabel = "N", defaultValue = "16", description = "Reserved areas per TDMR (default ${DEFAULT-VALUE}).")
  int maxReserved;

  @Option(names = "--dpamt", description = "Dynamic PAMT: the 4K PAMT is a bitmap of one bit per 4 KiB page (HKID bits from bit 48).")
  boolean dynamicPamt;

  @Option(names = "--time-limit", paramLabel = "S", defaultValue = "60", description = "Seconds per solve (default ${DEFAULT-VALUE}).")
  double timeLimit;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "CP-SAT worker threads (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "CP-SAT random seed (default ${DEFAULT-VALUE}).")
  int seed;

  @Override
  public Integer call() throws Exception {
    TdxLimits limits;
    SolveOptions options;
    try {
      TdxLimits d = TdxLimits.DEFAULT;
      limits = new TdxLimits(maxTdmrs, maxReserved, d.pamtEntrySize4k(), d.pamtEntrySize2m(), d.pamtEntrySize1g(),
          dynamicPamt, dynamicPamt ? 48 : d.hkidStartBit());
      options = new SolveOptions(timeLimit, threads, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    MemoryMap map = tdmr.input(input).readMap();
    Policy policy = new Policy(holes, pamt, Policy.Coverage.MAX);
    MemoryFix fix;
    try (Progress p = Progress.start(spec.commandLine().getErr(), "tdmr fix: cpsat solving", Terminal.stderrIsTerminal())) {
      fix = MemoryFix.find(map, limits, policy, options);
    } catch (UnsatisfiedLinkError e) {
      spec.commandLine().getErr().println("tdmr fix: " + e.getMessage());
      return Tdmr.EXIT_INPUT;
    }

    PrintWriter out = FoldingWriter.over(spec.commandLine().getOut());
    out.printf("%s: %d TDMRs, %d reserved areas per TDMR, holes %s, PAMT %s%n", map.source(), limits.maxTdmrs(),
        limits.maxReservedPerTdmr(), text(holes), text(pamt));
    int status;
    if (fix.alreadyHasLayout()) {
      out.println("Nothing to give up: a layout covers all TDX memory.");
      printLayout(out, fix.full());
      status = 0;
    } else if (fix.full().status() == Status.UNKNOWN) {
      out.println("Unknown: the time limit stopped the solver before it found a layout or proved there is none.");
      fix.full().messages().forEach(m -> out.println("  " + m));
      status = 3;
    } else {
      out.println("No layout covers all TDX memory:");
      fix.full().messages().stream().filter(m -> !m.startsWith("`tdmr fix`")).forEach(m -> out.println("  " + m));
      EngineResult reduced = fix.reduced().orElseThrow();
      status = reduced.status().exitCode();
      if (reduced.layout().isPresent()) {
        printGiveUp(out, fix, reduced);
        printLayout(out, reduced);
      } else {
        out.println(reduced.status() == Status.UNKNOWN
            ? "Unknown: the time limit stopped the solver before it found what to give up."
            : "Giving up memory does not help: no layout exists even then.");
        reduced.messages().forEach(m -> out.println("  " + m));
      }
    }
    out.flush();
    return status;
  }

  private static void printGiveUp(PrintWriter out, MemoryFix fix, EngineResult reduced) {
    long bytes = fix.giveUp().stream().mapToLong(AddressRange::size).sum();
    out.printf("%nGive up %s of TDX memory (%s) in %d range%s:%n", ByteSize.human(bytes),
        reduced.status() == Status.OPTIMAL ? "proven the least" : "the least found before the time limit, not proven",
        fix.giveUp().size(), fix.giveUp().size() == 1 ? "" : "s");
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
    out.printf("%nLayout (%s, %d KB PAMT, %d TDMRs, %d reserved areas):%n", r.status(),
        layout.pamtBytes() / 1024, layout.size(), layout.reservedAreaCount());
    for (tdmr.tdx.Tdmr t : layout.tdmrs()) {
      AddressRange pamt = new AddressRange(t.pamt().fourK().base(), t.pamt().oneG().end());
      out.printf("  TDMR %s %s: PAMT %s %d KB, %d reserved area%s%n", t.range(), ByteSize.human(t.size()), pamt,
          pamt.size() / 1024, t.reservedCount(), t.reservedCount() == 1 ? "" : "s");
    }
    List<String> messages = r.messages();
    messages.stream().filter(m -> m.startsWith("model:")).forEach(m -> out.println("  " + m));
  }

  private static String text(Enum<?> e) {
    return e.name().toLowerCase().replace('_', '-');
  }
}
