package tdmr.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.boot.LowMemoryCaution;
import tdmr.greedy.GreedyExplanation;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.fix.GiveUpSearch;
import tdmr.solver.fix.GreedyFix;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.triage.LogCompleteness;
import tdmr.triage.Triage;

/**
 * What {@code tdmr diagnose} adds to a triage from the memory map in the same log: for a layout
 * failure, whether the kernel's construction replayed on that map fails the same way, what an
 * operator can do (the least memory to give up with {@code memmap=} for the running kernel, a kernel
 * with the CMR-holes patch) and, as information, whether a layout within the module's limits exists
 * (CP-SAT); on success, whether the logged PAMT size matches the replay. A map that does not
 * describe the whole machine (cut short, or CMRs taken as memory) is analysed for what it shows, and
 * the words say so.
 */
final class LayoutAnalysis {
  /**
   * The analysis and, for a layout failure, the remedies in the order an operator tries them.
   *
   * @param remedies empty when the triage's own advice stands
   * @param memmap the boot parameters that make the running kernel's construction succeed, when found
   */
  record Findings(List<String> analysis, List<String> remedies, List<String> memmap) {
    static final Findings NONE = new Findings(List.of(), List.of(), List.of());

    Findings(List<String> analysis, List<String> remedies) {
      this(analysis, remedies, List.of());
    }
  }

  private final MemoryMap map;
  private final boolean partial;
  private final boolean cmrsAsMemory;
  private final String logName;
  /** The what-if's boot parameters ({@code --memmap}, {@code --cmdline}), empty without one. */
  private final String whatIf;
  private final TdxLimits limits;
  private final SolveOptions options;
  private final Host host;

  /**
   * @param completeness what the log lacks; a map cut short or taken from the CMRs is partial
   * @param logWords how the user named the log and any what-if options, for the commands suggested
   * @param whatIf the boot parameters {@code map} was replayed with ({@code memmap=4K$0x64158000 ...}),
   *     empty when it is the log's own map: the analysis then answers what the host would do with them
   */
  LayoutAnalysis(MemoryMap map, List<LogCompleteness.Note> completeness, String logWords, String whatIf,
      TdxLimits limits, SolveOptions options, Host host) {
    this.map = map;
    this.whatIf = whatIf;
    this.partial = LogCompleteness.mapIsPartial(completeness);
    this.cmrsAsMemory = completeness.stream().anyMatch(n -> n.check() == LogCompleteness.Check.CMRS_WITHOUT_RAM);
    this.logName = logWords;
    this.limits = limits;
    this.options = options;
    this.host = host;
  }

  Findings analyse(Triage triage) {
    if (triage.outcome().isLayoutFailure()) {
      return failure(triage);
    }
    if (triage.outcome().tdxUp() && !whatIf.isEmpty()) {
      return new Findings(whatIfReplay(), List.of());
    }
    if (triage.outcome().tdxUp() && triage.pamtKb().isPresent()) {
      return new Findings(pamtCheck(triage.pamtKb().getAsLong()), List.of());
    }
    return Findings.NONE;
  }

  /** "With the what-if (memmap=...), " before a replay's sentence; empty without a what-if. */
  private String withWhatIf() {
    return whatIf.isEmpty() ? "" : "With the what-if (%s), ".formatted(whatIf);
  }

  /** A host whose TDX came up, asked what the same kernel would do with other boot parameters. */
  private List<String> whatIfReplay() {
    EngineResult greedy = run("greedy");
    if (greedy.status() == Status.UNKNOWN) {
      return List.of(withWhatIf() + "the time limit stopped the replay of the kernel's construction (--time-limit).");
    }
    if (greedy.status().hasLayout()) {
      return List.of(withWhatIf() + "the kernel's construction replayed on %s still succeeds (%s).".formatted(scope(),
          headroom(greedy)));
    }
    return List.of(withWhatIf() + "the kernel's construction replayed on %s fails: %s".formatted(scope(),
        greedy.kernelFailure().map(GreedyResult.Failed::failureLine).orElse(greedy.status().name())));
  }

  private String scope() {
    return partial ? "the part of the memory map in this log" : "the memory map in this log";
  }

  private Findings failure(Triage triage) {
    List<String> out = new ArrayList<>();
    GreedyFix fix = fixForTheRunningKernel();
    EngineResult greedy = fix.before();
    if (greedy.status() == Status.UNKNOWN) {
      out.add("The time limit stopped the replay of the kernel's construction on %s (--time-limit).".formatted(scope()));
      return new Findings(out, List.of());
    }
    if (greedy.status().hasLayout() && !whatIf.isEmpty()) {
      // The question asked: would these parameters have avoided the failure in the log?
      out.add(withWhatIf() + "the kernel's construction replayed on %s succeeds (%s): these parameters avoid the"
          .formatted(scope(), headroom(greedy)) + " failure in the log%s.".formatted(
              partial ? " as far as the memory in this log shows" : ""));
      String caveat = partial
          ? " The whole map may need more: on the host, `sudo tdmr gather -o host.txt`, then `tdmr fix host.txt`." : "";
      List<String> remedies = new ArrayList<>();
      remedies.add(("For the running kernel, boot with %s (the what-if): replayed on %s, its construction then"
          + " succeeds.%s In /etc/default/grub each $ is written \\\\\\$:").formatted(whatIf, scope(), caveat));
      remedies.add("  GRUB_CMDLINE_LINUX_DEFAULT=\"... %s\"".formatted(GreedyFixReport.grubEscaped(whatIf)));
      return new Findings(out, remedies);
    }
    if (greedy.status().hasLayout()) {
      out.add(partial
          ? "Replayed on %s, the kernel's construction succeeds: the failure lies in memory the log does not show."
              .formatted(scope())
          : "Replayed on the memory map in this log, the kernel's construction succeeds (%s, %d KiB of PAMT), so this"
              .formatted(Count.of(greedy.layout().get().size(), "TDMR"), greedy.pamtBytes().getAsLong() / 1024)
              + " map is not the one the kernel saw: the log's map is incomplete or differs (see `tdmr map` on"
              + " this log).");
      return new Findings(out, List.of());
    }
    GreedyResult.Failed failed = greedy.kernelFailure().orElseThrow();
    Optional<AddressRange> replayed = failed.failingTdmrRange();
    boolean same = replayed.isPresent() && replayed.equals(triage.failedTdmr());
    out.add(withWhatIf() + "%seplayed on %s, the kernel's construction %s: %s".formatted(whatIf.isEmpty() ? "R" : "r", scope(),
        same ? (!whatIf.isEmpty() ? "still fails the same way" : partial ? "already fails the same way" : "fails the same way")
            : "fails", failed.failureLine())
        + (same ? "" : " (the log names another TDMR or none; the log's map may be incomplete)."));
    out.addAll(new GreedyExplanation(map, limits, LinuxGreedy.mainline()).summary(failed));
    Optional<EngineResult> best = optimum(out);
    boolean fixed = fix.search().isPresent() && fix.search().get().status().hasLayout();
    return new Findings(out, remedies(fix, best), fixed ? fix.memmap() : List.of());
  }

  private GreedyFix fixForTheRunningKernel() {
    try (Progress p = host.progress("tdmr diagnose: searching for a memmap= fix")) {
      return GreedyFix.find(map, Engines.byName("greedy").orElseThrow(), limits, options);
    }
  }

  /** What an operator can do, in order: memmap= for this kernel, a CMR-holes kernel, then the optimum as information. */
  private List<String> remedies(GreedyFix fix, Optional<EngineResult> best) {
    List<String> out = new ArrayList<>();
    GiveUpSearch.Result r = fix.search().orElseThrow();
    String caveat = partial
        ? " The whole map may need other memory given up: on the host, `sudo tdmr gather -o host.txt`, then"
            + " `tdmr fix host.txt`."
        : "";
    switch (r.status()) {
      case OPTIMAL, FEASIBLE -> {
        out.add(("For the running kernel, boot with %s: it gives up %s of TDX memory (%s), and the kernel's"
                + " construction then succeeds on %s (%s).%s The GRUB syntax, and a replay:")
            .formatted((whatIf.isEmpty() ? "" : whatIf + " (the what-if) and ") + String.join(" ", fix.memmap()),
                ByteSize.human(r.giveUpBytes()) + (whatIf.isEmpty() ? "" : " more"),
                r.status() == Status.OPTIMAL ? "proven the least" : "the least found in the time limit",
                partial ? "the memory in this log" : "this map", headroom(fix.after().orElseThrow()), caveat));
        out.add("  tdmr fix" + logName);
        out.add("  tdmr plan" + logName + memmapOptions(fix.memmap()));
        LowMemoryCaution.of(r.giveUp()).forEach(c -> out.add("  Caution: " + c));
      }
      case INFEASIBLE -> out.add("For the running kernel, no memmap= reservation (whole memory blocks, or their parts"
          + " up to a 1 GiB boundary) makes its construction succeed on %s.".formatted(scope()));
      default -> out.add(("For the running kernel, the search for a memmap= fix stopped at the time limit (at least %s"
          + " must go): `tdmr fix%s --time-limit 600`.").formatted(ByteSize.human(r.boundBytes()), logName));
    }
    EngineResult cmr = run("greedy-cmr");
    out.add(cmr.status().hasLayout()
        ? ("Or boot a kernel with the CMR-holes patch (\"Reduce TDMR's reserved areas by using CMRs to find memory"
            + " holes\"; Ubuntu's 24.04 -intel kernels carry it, per canonical/tdx#415): replayed on %s, its"
            + " construction succeeds (%s) without giving up memory.").formatted(scope(), headroom(cmr))
        : ("A kernel with the CMR-holes patch fails too on %s: %s").formatted(scope(),
            cmr.kernelFailure().map(GreedyResult.Failed::failureLine).orElse(cmr.status().name())));
    best.ifPresent(b -> out.add(("For information (kernel and module developers): a layout %s within the module's"
        + " limits exists for %s (cpsat, %s: %s, at most %s in one TDMR, %d KiB of PAMT), which the"
        + " kernel's one-pass construction does not find (see the layout analysis).")
        .formatted(KERNEL_FAMILY, partial ? "the memory in this log" : "this map", claim(b),
            Count.of(b.layout().get().size(), "TDMR"),
            Count.of(b.layout().get().maxReservedPerTdmr(), "reserved area"),
            b.pamtBytes().getAsLong() / 1024)));
    return out;
  }

  private static String memmapOptions(List<String> memmap) {
    StringBuilder s = new StringBuilder();
    memmap.forEach(p -> s.append(" --memmap '").append(p.substring("memmap=".length())).append('\''));
    return s.toString();
  }

  /** {@code 1 TDMR, 16 of 16 reserved areas in the fullest, 8212 KiB of PAMT}. */
  private String headroom(EngineResult built) {
    Layout l = built.layout().orElseThrow();
    return "%s, %d of %d reserved areas in the fullest, %d KiB of PAMT".formatted(Count.of(l.size(), "TDMR"),
        l.maxReservedPerTdmr(), limits.maxReservedPerTdmr(), l.pamtBytes() / 1024);
  }

  /** What CP-SAT says about the same map under the same limits (kernel policy and family); the result when it built a layout. */
  private Optional<EngineResult> optimum(List<String> out) {
    EngineResult r;
    try {
      r = run("cpsat");
    } catch (IllegalArgumentException unavailable) {
      out.add("No optimising engine is available in this build (" + unavailable.getMessage() + ").");
      return Optional.empty();
    } catch (LinkageError nativeLibrary) {
      // OR-Tools ships native code; a machine it cannot load on still gets the rest of the answer.
      out.add("The optimiser could not run on this machine (" + nativeLibrary.getMessage() + ").");
      return Optional.empty();
    }
    switch (r.status()) {
      case OPTIMAL, FEASIBLE -> {
        Layout l = r.layout().get();
        out.add(("%s %s within the module's limits exists (cpsat, %s): %s, at most %s in one TDMR (limit"
                + " %d), %d KiB of PAMT. %s")
            .formatted(partial ? "For the memory in this log, a layout" : "A layout", KERNEL_FAMILY,
                claim(r), Count.of(l.size(), "TDMR"),
                Count.of(l.maxReservedPerTdmr(), "reserved area"),
                limits.maxReservedPerTdmr(), r.pamtBytes().getAsLong() / 1024,
                partial ? "Whether the whole machine has one needs its whole memory map."
                    : "The machine can run TDX; the kernel's simple construction is what fails."));
        out.add("To see both layouts, and to list the TDMRs:");
        out.add("  tdmr render%s --solver greedy,cpsat --family kernel -o layout.html".formatted(logName));
        out.add("  tdmr plan%s --solver cpsat --family kernel".formatted(logName));
        return Optional.of(r);
      }
      case INFEASIBLE -> {
        out.add("cpsat proves that no layout of the kernel's shape (each TDMR's PAMT one chunk) within the module's"
            + " limits covers %s (under the kernel's rules for holes and PAMT placement):"
            .formatted(partial ? "the memory in this log" : "this map"));
        r.infeasibility().ifPresent(why -> out.addAll(why.facts()));
        return Optional.empty();
      }
      default -> {
        out.add("cpsat found no answer within %.0f s; give it longer:".formatted(options.timeLimitSeconds()));
        out.add("  tdmr plan%s --solver cpsat --family kernel --time-limit 600".formatted(logName));
        return Optional.empty();
      }
    }
  }

  /**
   * The family the optimiser answers about here ({@link Policy#KERNEL}), named in every claim: the
   * module family's optimum may differ (on canonical/tdx#135 it has one TDMR where this has two).
   */
  private static final String KERNEL_FAMILY = "of " + Policy.Family.KERNEL.claim();

  /** The optimiser's claim: {@code optimal in that family}, saying when the model's restrictions apply to it. */
  private static String claim(EngineResult r) {
    if (r.status() == Status.FEASIBLE) {
      return "the best found, not proven optimal";
    }
    if (r.status() != Status.OPTIMAL) {
      return r.status().name().toLowerCase(java.util.Locale.ROOT);
    }
    return r.restrictions().isEmpty() ? "optimal in that family"
        : "optimal in that family under its model's restrictions, listed by `tdmr plan --solver cpsat --family kernel`";
  }

  private List<String> pamtCheck(long loggedKb) {
    EngineResult greedy = run("greedy");
    if (greedy.status() == Status.UNKNOWN) {
      return List.of("The time limit stopped the replay of the kernel's construction before the logged PAMT"
          + " size could be checked (--time-limit).");
    }
    if (!greedy.status().hasLayout()) {
      return List.of("The kernel's construction replayed on %s fails (".formatted(scope())
          + greedy.kernelFailure().orElseThrow().failureLine() + "), yet the kernel succeeded: the log's map"
          + " is not the one the kernel saw.");
    }
    Layout l = greedy.layout().get();
    long predictedKb = greedy.pamtBytes().getAsLong() / 1024;
    StringBuilder tdmrs = new StringBuilder();
    for (var t : l.tdmrs()) {
      tdmrs.append(tdmrs.length() == 0 ? "" : ", ").append(t.range());
    }
    if (predictedKb == loggedKb) {
      return List.of(cmrsAsMemory
          ? ("The logged %d KiB of PAMT is what the kernel's construction gives when the TDX memory is taken to be"
              + " the CMRs: %s (%s). That is consistent with the log, not proof of the map the kernel used.")
              .formatted(loggedKb, Count.of(l.size(), "TDMR"), tdmrs)
          : partial
              ? ("The logged %d KiB of PAMT is what the kernel's construction gives on %s: %s (%s).")
                  .formatted(loggedKb, scope(), Count.of(l.size(), "TDMR"), tdmrs)
              : ("The logged %d KiB of PAMT is exactly what the kernel's construction gives on the map in this log:"
                  + " %s (%s), so this map is the one the kernel used.").formatted(loggedKb, Count.of(l.size(), "TDMR"), tdmrs));
    }
    return List.of(
        ("The logged %d KiB of PAMT differs from the %d KiB the kernel's construction gives on %s (%s: %s), by %d KiB;"
                + " the kernel saw a different memory map%s.")
            .formatted(loggedKb, predictedKb, scope(), Count.of(l.size(), "TDMR"), tdmrs, Math.abs(loggedKb - predictedKb),
                partial ? " (the log's map is not the whole machine's)" : ""));
  }

  private EngineResult run(String name) {
    Engine engine = Engines.select(name).get(0);
    try (Progress p = host.progress("tdmr diagnose: " + name + " solving")) {
      // The greedy replay first, then the optimiser with what is left of the command's time.
      return engine.solve(map, limits, Policy.KERNEL, options.withDeadline(options.deadline().share(name.equals("greedy") ? 2 : 1)));
    }
  }
}
