package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.solver.Engine;
import tdmr.solver.Engines;
import tdmr.solver.Frontier;
import tdmr.solver.FrontierPoint;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr frontier}: the least reserved-area limit for each TDMR limit, each point proven. */
@Command(
    name = "frontier",
    mixinStandardHelpOptions = true,
    header = "For each max TDMRs 1..64, the least max reserved areas per TDMR that admits a layout.",
    description =
        "Each row is proven: a layout exists at that reserved-area limit and none at one less,"
            + " and its PAMT is the least at that point. Layouts: TDMRs on 1 GiB boundaries, each TDMR's"
            + " PAMT one contiguous chunk of the kernel's sizes. Rows with the same answer are joined"
            + " (2..64).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every point proven",
      "2:bad input or usage",
      "3:a time limit left some point unknown",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr frontier dmesg.txt",
      "  tdmr frontier dmesg.txt --up-to 8 --json"
    })
final class FrontierCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand root;

  @Spec CommandSpec spec;

  @Mixin MapInput input;

  @Option(names = "--up-to", paramLabel = "N", defaultValue = "64",
      description = "Largest max TDMRs to show (default ${DEFAULT-VALUE}, the module's MAX_TDMRS).")
  int upTo;

  @Option(names = "--solver", paramLabel = "NAMES",
      completionCandidates = SolverNames.Proving.class,
      description = "Exact engines that prove the points, in order; the next is asked when one runs out of time;"
          + " engines that do not implement the --family are left out (default z3,cpsat for the kernel family,"
          + " cpsat,z3 for the module family, where cpsat is the faster).")
  String solver;

  @Option(names = "--json", description = "Print {\"points\": [{\"maxTdmrs\", \"leastMaxReservedPerTdmr\", \"pamtBytes\", \"status\", \"provedBy\"}, ...]}.")
  boolean json;

  @Mixin PolicyOptions policyOptions;

  /** Only these two limits: the frontier varies the TDMR and reserved-area limits itself. */
  @Mixin LimitOptions.DynamicPamt dynamicPamt;

  @Mixin LimitOptions.HkidStartBit hkidStartBit;

  @Mixin BudgetOptions budget;

  @Override
  public Integer call() throws Exception {
    if (upTo < 1 || upTo > TdxLimits.DEFAULT.maxTdmrs()) {
      // Each point is a search of its own: the module's 64 TDMRs bound the question and the work.
      throw new OptionValueException("--up-to must be within 1..%d (the module's MAX_TDMRS), got %d"
          .formatted(TdxLimits.DEFAULT.maxTdmrs(), upTo));
    }
    TdxLimits limits = LimitOptions.limits(dynamicPamt, hkidStartBit);
    SolveOptions solve = budget.solveOptions();
    Policy policy = policyOptions.policy();
    List<Engine> engines = exactEngines(policy.family());
    MemoryMap map = input.read(root);
    List<FrontierPoint> points;
    try (Progress p = Progress.start(spec.commandLine().getErr(), "tdmr frontier: solving up to " + upTo + " TDMRs",
        Terminal.stderrIsTerminal())) {
      points = new Frontier(engines, solve).compute(map, limits, policy, upTo);
    }

    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(LayoutJson.pretty(jsonDocument(policy, points)));
    } else {
      out.printf("Limit frontier of %s%n  (%s)%n", map.source(), policy.describe());
      table(points).forEach(out::println);
      java.util.Set<String> restrictions = new java.util.LinkedHashSet<>();
      points.forEach(p -> restrictions.addAll(p.restrictions()));
      if (!restrictions.isEmpty()) {
        out.println(Prose.fold("The proofs hold among the layouts of the " + policy.family().text()
            + " family in which " + String.join("; ", restrictions) + "."));
      }
    }
    out.flush();
    return points.stream().anyMatch(p -> p.status() == Status.UNKNOWN) ? 3 : 0;
  }

  /**
   * The engines of {@code --solver} that prove the policy's family; unknown ones, the greedy (which
   * proves nothing) and a list without a prover of the family are usage errors.
   */
  private List<Engine> exactEngines(Policy.Family family) {
    List<Engine> engines;
    try {
      engines = Engines.select(solver != null ? solver : family == Policy.Family.KERNEL ? "z3,cpsat" : "cpsat,z3");
    } catch (IllegalArgumentException e) {
      throw new OptionValueException(e.getMessage());
    }
    if (engines.stream().anyMatch(e -> e.name().startsWith("greedy"))) {
      throw new OptionValueException("the frontier needs exact engines (z3, cpsat); the greedy proves nothing");
    }
    List<Engine> provers = engines.stream().filter(e -> e.proves(family)).toList();
    if (provers.isEmpty()) {
      throw new OptionValueException("none of %s implements the %s family; cpsat does"
          .formatted(solver, family.text()));
    }
    return provers;
  }

  /** Rows of at most 80 columns; consecutive points with the same answer share a row. */
  static List<String> table(List<FrontierPoint> points) {
    List<String> rows = new ArrayList<>();
    rows.add("%-10s %-13s %-28s %s".formatted("max TDMRs", "min reserved", "least PAMT there", "proved by"));
    int i = 0;
    while (i < points.size()) {
      int j = i;
      while (j + 1 < points.size() && points.get(j + 1).sameAnswer(points.get(i))) {
        j++;
      }
      FrontierPoint p = points.get(i);
      String n = i == j ? Integer.toString(p.maxTdmrs()) : p.maxTdmrs() + ".." + points.get(j).maxTdmrs();
      String reserved;
      String pamt;
      switch (p.status()) {
        case OPTIMAL, FEASIBLE -> {
          reserved = Integer.toString(p.minReserved().getAsInt());
          long bytes = p.pamtBytes().getAsLong();
          pamt = "%d (%s)%s".formatted(bytes, ByteSize.human(bytes), p.status() == Status.FEASIBLE ? " best found" : "");
        }
        case INFEASIBLE -> {
          reserved = "none";
          pamt = "no layout at any limit";
        }
        default -> {
          reserved = "unknown";
          pamt = "time limit";
        }
      }
      rows.add("%-10s %-13s %-28s %s".formatted(n, reserved, pamt, p.provedBy()));
      i = j + 1;
    }
    return rows;
  }

  private static ObjectNode jsonDocument(Policy policy, List<FrontierPoint> points) {
    ObjectNode root = JsonContract.document("frontier");
    root.put("family", policy.family().text());
    ArrayNode array = root.putArray("points");
    for (FrontierPoint p : points) {
      ObjectNode o = array.addObject();
      o.put("maxTdmrs", p.maxTdmrs());
      LayoutJson.putOrNull(o, "leastMaxReservedPerTdmr",
          p.minReserved().isPresent() ? OptionalLong.of(p.minReserved().getAsInt()) : OptionalLong.empty());
      LayoutJson.putOrNull(o, "pamtBytes", p.pamtBytes());
      LayoutJson.putOrNull(o, "remotePamtBytes", p.remotePamtBytes());
      o.put("status", p.status().name());
      ArrayNode restrictions = o.putArray("restrictions");
      p.restrictions().forEach(restrictions::add);
      o.put("provedBy", p.provedBy());
    }
    return root;
  }
}
