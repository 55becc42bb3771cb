package tdmr.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.greedy.GreedyExplanation;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.triage.Triage;

/**
 * What {@code tdmr diagnose} adds to a triage from the memory map in the same log: for a layout
 * failure, whether the kernel's construction replayed on that map fails the same way and whether
 * a layout within the module's limits exists (CP-SAT); on success, whether the logged PAMT size
 * matches the replay.
 */
final class LayoutAnalysis {
  private final MemoryMap map;
  private final String logName;
  private final TdxLimits limits;
  private final SolveOptions options;
  private final PrintWriter err;

  LayoutAnalysis(MemoryMap map, String logName, TdxLimits limits, SolveOptions options, PrintWriter err) {
    this.map = map;
    this.logName = logName.equals("<stdin>") ? "dmesg.txt" : logName;
    this.limits = limits;
    this.options = options;
    this.err = err;
  }

  /** Sentences for people; empty when the outcome is not about the layout. */
  List<String> analyse(Triage triage) {
    if (triage.outcome().isLayoutFailure()) {
      return failure(triage);
    }
    if (triage.outcome().tdxUp() && triage.pamtKb().isPresent()) {
      return pamtCheck(triage.pamtKb().getAsLong());
    }
    return List.of();
  }

  private List<String> failure(Triage triage) {
    List<String> out = new ArrayList<>();
    EngineResult greedy = run("greedy");
    if (greedy.status() == Status.UNKNOWN) {
      out.add("The time limit stopped the replay of the kernel's construction on the memory map in this log"
          + " (--time-limit).");
    } else if (greedy.status().hasLayout()) {
      out.add("Replayed on the memory map in this log, the kernel's construction succeeds (%s, %d KiB"
          .formatted(Count.of(greedy.layout().get().size(), "TDMR"), greedy.pamtBytes().getAsLong() / 1024)
          + " of PAMT), so this map is not the one the kernel saw: the log's map is incomplete or"
          + " differs (see `tdmr map` on this log).");
    } else {
      GreedyResult.Failed failed = greedy.kernelFailure().orElseThrow();
      Optional<AddressRange> replayed = failed.failingTdmrRange();
      boolean same = replayed.isPresent() && replayed.equals(triage.failedTdmr());
      out.add((same
              ? "Replayed on the memory map in this log, the kernel's construction fails the same way: "
              : "Replayed on the memory map in this log, the kernel's construction fails: ")
          + failed.failureLine() + (same ? "" : " (the log names another TDMR"
              + " or none; the log's map may be incomplete)."));
      out.addAll(new GreedyExplanation(map, limits, LinuxGreedy.mainline()).summary(failed));
    }
    out.addAll(optimum());
    return out;
  }

  /** What CP-SAT says about the same map under the same limits (kernel policy). */
  private List<String> optimum() {
    EngineResult r;
    try {
      r = run("cpsat");
    } catch (IllegalArgumentException unavailable) {
      return List.of("No optimising engine is available in this build (" + unavailable.getMessage() + ").");
    } catch (LinkageError nativeLibrary) {
      // OR-Tools ships native code; a machine it cannot load on still gets the rest of the answer.
      return List.of("The optimiser could not run on this machine (" + nativeLibrary.getMessage() + ").");
    }
    return switch (r.status()) {
      case OPTIMAL, FEASIBLE -> {
        Layout l = r.layout().get();
        yield List.of(
            ("A layout within the module's limits exists (cpsat, %s): %s, at most %d reserved areas in"
                    + " one TDMR (limit %d), %d KiB of PAMT. The machine can run TDX; the kernel's simple"
                    + " construction is what fails.")
                .formatted(r.status().name().toLowerCase(java.util.Locale.ROOT), Count.of(l.size(), "TDMR"), l.maxReservedPerTdmr(),
                    limits.maxReservedPerTdmr(), r.pamtBytes().getAsLong() / 1024),
            "To see both layouts, and to list the TDMRs:",
            "  tdmr render %s --solver greedy,cpsat -o layout.html".formatted(logName),
            "  tdmr plan %s --solver cpsat".formatted(logName));
      }
      case INFEASIBLE -> {
        List<String> out = new ArrayList<>();
        out.add("cpsat proves that no layout within the module's limits covers this map (under the kernel's"
            + " rules for holes and PAMT placement):");
        r.infeasibility().ifPresent(why -> out.addAll(why.facts()));
        out.add("Try the CMR-holes rule, or find the least memory to give up (memmap=) so that a layout exists:");
        out.add("  tdmr plan %s --solver cpsat --holes cmr".formatted(logName));
        out.add("  tdmr fix %s".formatted(logName));
        yield out;
      }
      case UNKNOWN, FAILED -> List.of("cpsat found no answer within %.0f s; give it longer:"
          .formatted(options.timeLimitSeconds()), "  tdmr plan %s --solver cpsat --time-limit 600".formatted(logName));
    };
  }

  private List<String> pamtCheck(long loggedKb) {
    EngineResult greedy = run("greedy");
    if (greedy.status() == Status.UNKNOWN) {
      return List.of("The time limit stopped the replay of the kernel's construction before the logged PAMT"
          + " size could be checked (--time-limit).");
    }
    if (!greedy.status().hasLayout()) {
      return List.of("The kernel's construction replayed on the map in this log fails ("
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
      return List.of(
          "The logged %d KiB of PAMT is exactly what the kernel's construction gives on the map in this log:"
              .formatted(loggedKb)
              + " %s (%s), so this map is the one the kernel used.".formatted(Count.of(l.size(), "TDMR"), tdmrs));
    }
    return List.of(
        ("The logged %d KiB of PAMT differs from the %d KiB the kernel's construction gives on the map in this"
                + " log (%s: %s), by %d KiB; the kernel saw a different memory map (for a log without e820"
                + " lines, tdmr takes the CMRs as the TDX memory).")
            .formatted(loggedKb, predictedKb, Count.of(l.size(), "TDMR"), tdmrs, Math.abs(loggedKb - predictedKb)));
  }

  private EngineResult run(String name) {
    Engine engine = Engines.select(name).get(0);
    try (Progress p = Progress.start(err, "tdmr diagnose: " + name + " solving", Terminal.stderrIsTerminal())) {
      // The greedy replay first, then the optimiser with what is left of the command's time.
      return engine.solve(map, limits, Policy.DEFAULT, options.withDeadline(options.deadline().share(name.equals("greedy") ? 2 : 1)));
    }
  }
}
