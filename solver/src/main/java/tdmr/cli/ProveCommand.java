package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
import java.util.Optional;
import java.io.PrintWriter;
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
import tdmr.check.RemotePamt;
import tdmr.solver.Engine;
import tdmr.solver.DeadlineGuard;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.BoundsFirst;
import tdmr.solver.Infeasibility;
import tdmr.solver.KernelFamilyClaim;
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
        "Asks whether a layout of the family (--family module: every layout the TDX module accepts; kernel:"
            + " each TDMR's PAMT one contiguous chunk of the kernel's sizes) fits at most --max-tdmrs TDMRs with at"
            + " most --max-rsvd reserved areas each, and what the least PAMT is at that limit. FEASIBLE comes with"
            + " a witness layout that passed the TDX module's checks; INFEASIBLE with the reasons the engine gives"
            + " (Z3's minimal set of facts, where Z3 implements the family).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:FEASIBLE (a witness layout is printed)",
      "1:INFEASIBLE (the explanation is printed)",
      "2:bad input or usage",
      "3:UNKNOWN (the time limit stopped the solver before a proof)",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr prove dmesg.txt                       within 64 TDMRs, 16 areas each",
      "  tdmr prove dmesg.txt --max-tdmrs 2 --max-rsvd 8",
      "  tdmr prove dmesg.txt --max-rsvd 15 --json",
      "  tdmr prove dmesg.txt --max-rsvd 15 --family kernel   the kernel family only"
    })
final class ProveCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand root;

  @Spec CommandSpec spec;

  @Mixin MapInput input;

  @Option(names = "--json",
      description = "Print {\"status\", \"maxTdmrs\", \"maxReserved\", \"policy\", \"family\", \"pamtBytes\","
          + " \"tdmrs\" (the witness), \"explanation\", \"explanationMinimal\", \"areaShortfall\" (the reserved-area bound's"
          + " reasoning when it proves INFEASIBLE), \"messages\"}; exit status as without it.")
  boolean json;

  @Mixin PolicyOptions policyOptions;

  @Mixin LimitOptions limitOptions;

  @Option(names = "--solver", paramLabel = "NAME", completionCandidates = SolverNames.Proving.class,
      description = "The exact engine that proves: cpsat or z3 (default: z3 for the kernel family, which also shrinks"
          + " an infeasible answer to a minimal set of facts; cpsat for the module family, the faster there).")
  String solver;

  /** Only the time limit: prove runs one deterministic worker. */
  @Mixin BudgetOptions.TimeLimit timeLimit;

  @Override
  public Integer call() throws Exception {
    TdxLimits limits = limitOptions.limits();
    // The question is existence and the price of the limits: fewer TDMRs or areas are not asked for.
    SolveOptions solve = timeLimit.solveOptions().stoppingAfterPamt();
    Policy policy = policyOptions.policy();
    MemoryMap map = input.read(root);
    limits = LimitOptions.usefulFor(limits, map, spec.commandLine().getErr(), "tdmr prove");
    Engine engine = prover(policy.family(), solver);
    EngineResult r;
    try (Progress p = Progress.start(spec.commandLine().getErr(), "tdmr prove: " + engine.name() + " solving",
        Terminal.stderrIsTerminal())) {
      r = new BoundsFirst(DeadlineGuard.of(engine)).solve(map, limits, policy, solve);
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
    String family = r.family().claim();
    switch (r.status()) {
      case OPTIMAL, FEASIBLE -> {
        out.printf("FEASIBLE: %s admits a layout of %s with %s (%s).%n", map.source(), family, limitsText,
            policy.describe());
        out.printf("Witness found by %s, checked against the TDX module's TDH.SYS.CONFIG rules and the OS coverage rule:%n",
            r.solver());
        printLayout(out, r.layout().orElseThrow());
        long pamt = r.layout().get().pamtBytes();
        long remote = new RemotePamt(map, limits).bytes(r.layout().get());
        out.printf("PAMT %d bytes (%s)%s%s.%n", pamt, ByteSize.human(pamt),
            remote > 0 ? ", %d bytes of it remote".formatted(remote) : "",
            r.pamtProvenLeast()
                ? ", the least any layout of " + family + " needs within these limits (the price of the limits)"
                : ", the best found, not proven the least" + bound(r));
        restrictionsLine(r).ifPresent(out::println);
        if (r.uncoveredBytes() > 0) {
          out.printf("TDX memory left out (coverage max): %s.%n", ByteSize.human(r.uncoveredBytes()));
        }
      }
      case INFEASIBLE -> {
        out.printf("INFEASIBLE: no layout of %s of %s has %s (%s), because:%n", map.source(), family, limitsText,
            policy.describe());
        if (r.infeasibility().isPresent()) {
          r.infeasibility().get().facts().forEach(f -> out.println("  - " + f));
          r.infeasibility().get().remark().ifPresent(remark -> out.println("  " + remark));
        } else {
          out.println("  - " + r.solver() + " searched every layout of the family and found none (it names no"
              + " smaller set of facts).");
        }
        if (r.infeasibility().flatMap(Infeasibility::areaShortfall).isPresent()) {
          out.println("Proven by counting (the reserved-area bound), without a search: it holds for every layout of"
              + " the module family, with no model restriction.");
        } else {
          out.printf("Proven by %s.%n", r.solver());
        }
        restrictionsLine(r).ifPresent(out::println);
      }
      default -> {
        out.printf("UNKNOWN: %s stopped before a proof (%s).%n", r.solver(), String.join("; ", r.messages()));
        out.println("Try a longer --time-limit.");
      }
    }
    out.flush();
    return r.status().exitCode();
  }

  /**
   * The engine that proves the family: {@code name} when given (cpsat or z3), else Z3 for the kernel
   * family (it shrinks an infeasible answer to a minimal set of facts) and CP-SAT for the module
   * family (Z3 implements it too, but is slower there).
   */
  private static Engine prover(Policy.Family family, String name) {
    String chosen = name != null ? name : family == Policy.Family.KERNEL ? Z3Engine.NAME : "cpsat";
    if (!chosen.equals(Z3Engine.NAME) && !chosen.equals("cpsat")) {
      throw new OptionValueException("prove needs an exact engine: --solver cpsat or z3, not '%s'".formatted(chosen));
    }
    try {
      return chosen.equals(Z3Engine.NAME) && family == Policy.Family.KERNEL ? Z3Engine.explaining()
          : Engines.select(chosen).get(0);
    } catch (IllegalArgumentException e) {
      throw new OptionValueException(e.getMessage());
    }
  }

  /**
   * The restrictions a proof holds under, or, for a kernel-family proof that the kernel family's
   * own bounds make hold for the whole family, why none can matter ({@link KernelFamilyClaim}).
   */
  private static java.util.Optional<String> restrictionsLine(EngineResult r) {
    if (r.restrictions().isEmpty()) {
      return r.messages().stream().filter(KernelFamilyClaim::wholeFamily).findFirst()
          .map(m -> Character.toUpperCase(m.charAt(0)) + m.substring(1) + ".");
    }
    return java.util.Optional.of("The proof holds among the layouts of that family in which "
        + String.join("; ", r.restrictions()) + ".");
  }

  private static String bound(EngineResult r) {
    return r.pamtBoundBytes().isPresent()
        ? " (no layout needs less than %d bytes)".formatted(r.pamtBoundBytes().getAsLong()) : "";
  }

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
    // Both verdicts hold for this family, up to the model restrictions named in "restrictions".
    o.put("family", r.family().text());
    ArrayNode restrictions = o.putArray("restrictions");
    r.restrictions().forEach(restrictions::add);
    Optional<Layout> layout = r.layout();
    JsonContract.putOrNull(o, "pamtBytes", layout.isPresent() ? OptionalLong.of(layout.get().pamtBytes()) : OptionalLong.empty());
    if (layout.isPresent()) {
      o.put("pamtProvenLeast", r.pamtProvenLeast());
      o.put("remotePamtBytes", new RemotePamt(map, limits).bytes(layout.get()));
      LayoutJson.putOrNull(o, "pamtBoundBytes", r.pamtBoundBytes());
      o.put("uncoveredBytes", r.uncoveredBytes());
      o.set("tdmrs", LayoutJson.tdmrsTree(layout.get()));
    } else {
      o.putNull("pamtProvenLeast");
      o.putNull("pamtBoundBytes");
      o.putNull("uncoveredBytes");
      o.putNull("tdmrs");
      o.putNull("remotePamtBytes");
    }
    if (r.status() == Status.INFEASIBLE) {
      ArrayNode explanation = o.putArray("explanation");
      r.infeasibility().ifPresent(why -> why.facts().forEach(explanation::add));
      o.put("explanationMinimal", r.infeasibility().map(Infeasibility::minimal).orElse(false));
    } else {
      o.putNull("explanation");
      o.putNull("explanationMinimal");
    }
    o.set("areaShortfall", r.infeasibility().flatMap(Infeasibility::areaShortfall)
        .map(EngineResultJson::areaShortfall).orElse(null));
    ArrayNode messages = o.putArray("messages");
    r.messages().forEach(m -> messages.add(m.strip()));
    return o;
  }


  private static void printLayout(PrintWriter out, Layout layout) {
    for (var t : layout.tdmrs()) {
      long pamt = t.pamt().totalBytes();
      out.printf(
          "  %s %s: PAMT %s (%d KiB), %s%n",
          t,
          ByteSize.human(t.size()),
          t.pamt().ranges(),
          pamt / 1024,
          Count.of(t.reservedCount(), "reserved area"));
    }
  }
}
