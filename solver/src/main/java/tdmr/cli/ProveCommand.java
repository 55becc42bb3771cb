package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
import java.util.Optional;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.solver.DeadlineGuard;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr prove}: proves that a layout exists under the limits, or explains why none does. */
@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    header = "Prove whether any layout fits the limits: a validated witness, or why none exists.",
    description =
        "Asks Z3 whether a layout (TDMRs on 1 GiB boundaries, each TDMR's PAMT one contiguous"
            + " chunk of the kernel's sizes) fits at most --max-tdmrs TDMRs with at most --max-rsvd"
            + " reserved areas each. FEASIBLE comes with a witness layout that passed the TDX module's"
            + " checks; INFEASIBLE comes with a minimal set of facts about the map that cannot all hold.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:FEASIBLE (a witness layout is printed)",
      "1:INFEASIBLE (the explanation is printed)",
      "2:bad input or usage",
      "3:UNKNOWN (the time limit stopped Z3 before a proof)",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr prove dmesg.txt                       within 64 TDMRs, 16 areas each",
      "  tdmr prove dmesg.txt --max-tdmrs 2 --max-rsvd 8",
      "  tdmr prove dmesg.txt --max-rsvd 15 --json"
    })
final class ProveCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand root;

  @Spec CommandSpec spec;

  @Mixin MapInput input;

  @Option(names = "--json",
      description = "Print {\"status\", \"maxTdmrs\", \"maxReserved\", \"policy\", \"family\", \"pamtBytes\","
          + " \"tdmrs\" (the witness), \"explanation\", \"explanationMinimal\", \"messages\"}; exit status as without it.")
  boolean json;

  @Mixin PolicyOptions policyOptions;

  @Mixin LimitOptions limitOptions;

  /** Only the time limit: the Z3 engine has no worker threads or seed to set. */
  @Mixin BudgetOptions.TimeLimit timeLimit;

  @Override
  public Integer call() throws Exception {
    TdxLimits limits = limitOptions.limits();
    SolveOptions solve = timeLimit.solveOptions();
    Policy policy = policyOptions.policy();
    MemoryMap map = input.read(root);
    limits = LimitOptions.usefulFor(limits, map, spec.commandLine().getErr(), "tdmr prove");
    EngineResult r;
    try (Progress p = Progress.start(spec.commandLine().getErr(), "tdmr prove: z3 solving", Terminal.stderrIsTerminal())) {
      r = DeadlineGuard.of(Z3Engine.explaining()).solve(map, limits, policy, solve);
    }

    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(LayoutJson.pretty(jsonDocument(map, limits, policy, r)));
      out.flush();
      return r.status().exitCode();
    }
    PrintWriter out = FoldingWriter.over(spec.commandLine().getOut());
    String limitsText =
        "at most %s and at most %s per TDMR"
            .formatted(Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"));
    switch (r.status()) {
      case OPTIMAL, FEASIBLE -> {
        out.printf("FEASIBLE: %s admits a layout with %s (%s).%n", map.source(), limitsText, policy.describe());
        out.println("Witness found by z3, checked against the TDX module's TDH.SYS.CONFIG rules and the OS coverage rule:");
        printLayout(out, r.layout().orElseThrow());
        long pamt = r.layout().get().pamtBytes();
        out.printf(
            "PAMT %d bytes (%s)%s.%n",
            pamt,
            ByteSize.human(pamt),
            r.status() == Status.OPTIMAL ? ", the least any layout of the kernel's shape needs" : ", the best found before the time limit");
        if (r.uncoveredBytes() > 0) {
          out.printf("TDX memory left out (coverage max): %s.%n", ByteSize.human(r.uncoveredBytes()));
        }
      }
      case INFEASIBLE -> {
        // The proof covers only the kernel's shape: a layout that splits a TDMR's PAMT levels apart
        // (rule D7) can need fewer reserved areas, so the claim names its family.
        out.printf(
            "INFEASIBLE: no layout of %s of the kernel's shape (%s) has %s (%s), because:%n",
            map.source(), KERNEL_SHAPE, limitsText, policy.describe());
        r.infeasibility().ifPresent(why -> {
          why.facts().forEach(f -> out.println("  - " + f));
          why.remark().ifPresent(remark -> out.println("  " + remark));
        });
        out.println("Proven by z3. Layouts that split a TDMR's PAMT levels apart (the module allows it, rule D7) are outside this proof.");
      }
      default -> {
        out.printf("UNKNOWN: z3 stopped before a proof (%s).%n", String.join("; ", r.messages()));
        out.println("Try a longer --time-limit.");
      }
    }
    out.flush();
    return r.status().exitCode();
  }

  /** The layout family Z3 decides (see the README, "Proofs"). */
  static final String KERNEL_SHAPE = "TDMRs on 1 GiB boundaries, each TDMR's PAMT one contiguous chunk";

  /**
   * The verdict for programs. Status is FEASIBLE for both of the engine's layout answers; whether the
   * PAMT is proven least is {@code pamtProvenLeast}.
   */
  static ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, Policy policy, EngineResult r) {
    ObjectNode o = JsonContract.document("prove");
    o.put("source", map.source());
    o.put("status", r.status().hasLayout() ? "FEASIBLE" : r.status().name());
    o.put("maxTdmrs", limits.maxTdmrs());
    o.put("maxReservedPerTdmr", limits.maxReservedPerTdmr());
    o.set("limits", JsonContract.limits(limits));
    o.set("policy", JsonContract.policy(policy));
    // Both verdicts hold only for this family (rule D7 allows split PAMT levels outside it).
    o.put("family", KERNEL_SHAPE);
    Optional<Layout> layout = r.layout();
    JsonContract.putOrNull(o, "pamtBytes", layout.isPresent() ? OptionalLong.of(layout.get().pamtBytes()) : OptionalLong.empty());
    if (layout.isPresent()) {
      o.put("pamtProvenLeast", r.status() == Status.OPTIMAL);
      o.put("uncoveredBytes", r.uncoveredBytes());
      o.set("tdmrs", LayoutJson.tdmrsTree(layout.get()));
    } else {
      o.putNull("pamtProvenLeast");
      o.putNull("uncoveredBytes");
      o.putNull("tdmrs");
    }
    if (r.status() == Status.INFEASIBLE) {
      ArrayNode explanation = o.putArray("explanation");
      r.infeasibility().ifPresent(why -> why.facts().forEach(explanation::add));
      o.put("explanationMinimal", r.infeasibility().map(Infeasibility::minimal).orElse(false));
    } else {
      o.putNull("explanation");
      o.putNull("explanationMinimal");
    }
    ArrayNode messages = o.putArray("messages");
    r.messages().forEach(m -> messages.add(m.strip()));
    return o;
  }


  private static void printLayout(PrintWriter out, Layout layout) {
    for (var t : layout.tdmrs()) {
      long pamt = t.pamt().totalBytes();
      out.printf(
          "  %s %s: PAMT [0x%x, 0x%x) (%d KiB), %s%n",
          t,
          ByteSize.human(t.size()),
          t.pamt().fourK().base(),
          t.pamt().fourK().base() + pamt,
          pamt / 1024,
          Count.of(t.reservedCount(), "reserved area"));
    }
  }
}
