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
import tdmr.mem.Count;
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
    header = "For each max TDMRs 1..64, the least max reserved areas per TDMR that admits a layout, and its price in PAMT.",
    description =
        "A row is proven when a layout exists at its reserved-area limit and none at one less (an engine's proof,"
            + " or in the module family a count of the islands between holes that the TDMRs' PAMT levels can fill);"
            + " its PAMT is the least any layout of the --family needs there (the price of the limit), or, marked *,"
            + " the best found, with the proven lower bound in the notes below the table. A row not proven in the"
            + " --time-limit says \"at most\" the best layout found. Rows with the same answer are joined (2..64).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every point's least reserved-area limit proven (a PAMT marked * is the best found)",
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

  @Option(names = "--json", description = "Print {\"source\", \"family\", \"policy\", \"dynamicPamt\", \"hkidStartBit\", \"points\": [{\"maxTdmrs\","
      + " \"leastMaxReservedPerTdmr\", \"maxReservedPerTdmrAtMost\", \"maxReservedPerTdmrAtLeast\", \"pamtBytes\","
      + " \"pamtBoundBytes\", \"pamtProvenLeast\", \"remotePamtBytes\", \"tdmrsUsed\", \"status\", \"restrictions\","
      + " \"provedBy\", \"fewerRuledOutBy\" (the reserved-area bound's reasoning for one area less, when it"
      + " proves the point's lower limit)}, ...]}.")
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
      out.print(LayoutJson.pretty(jsonDocument(map, limits, policy, points)));
    } else {
      out.printf("Limit frontier of %s%n  (%s)%n", map.source(), policy.describe());
      table(points, policy.pamt()).forEach(out::println);
      notes(points).forEach(out::println);
      whyNoFewer(points).forEach(out::println);
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

  /**
   * Rows of at most 80 columns; consecutive points with the same answer share a row. A row whose
   * least limit or price is not proven says "at most" or marks its PAMT with {@code *}, and {@link
   * #notes} says what is proven there.
   */
  static List<String> table(List<FrontierPoint> points, Policy.PamtPlacementPolicy placement) {
    boolean remote = hasRemotePamt(points);
    List<String> rows = new ArrayList<>();
    rows.add(remote ? ROW_REMOTE.formatted("max TDMRs", "min reserved", "least PAMT there", "remote PAMT", "proved by")
        : ROW.formatted("max TDMRs", "min reserved", "least PAMT there", "proved by"));
    for (Row row : rows(points)) {
      FrontierPoint p = row.point();
      String reserved;
      String pamt;
      if (p.status() == Status.INFEASIBLE) {
        reserved = "none";
        pamt = "no layout at any limit";
      } else if (p.reservedAtMost().isEmpty()) {
        reserved = "unknown";
        pamt = "time limit";
      } else {
        reserved = p.minReserved().isPresent() ? Integer.toString(p.minReserved().getAsInt())
            : "at most " + p.reservedAtMost().getAsInt();
        long bytes = p.pamtBytes().getAsLong();
        pamt = "%d (%s)%s".formatted(bytes, ByteSize.human(bytes), p.pamtProvenLeast() ? "" : " *");
      }
      rows.add(remote ? ROW_REMOTE.formatted(row.tdmrs(), reserved, pamt,
              p.remotePamtBytes().isPresent() ? ByteSize.human(p.remotePamtBytes().getAsLong()) : "", p.provedBy())
          : ROW.formatted(row.tdmrs(), reserved, pamt, p.provedBy()));
    }
    if (remote && placement == Policy.PamtPlacementPolicy.NODE_LOCAL) {
      rows.add(Prose.fold("Remote PAMT (PAMT on another node than the memory it describes) ranks before PAMT bytes"
          + " under PAMT node-local: where the TDMR limit forces a TDMR over two nodes' memory, a point's PAMT is the"
          + " least among the layouts with the least remote PAMT, and may exceed the PAMT of a point with fewer"
          + " TDMRs; --pamt any ranks PAMT bytes alone."));
    } else if (remote) {
      rows.add(Prose.fold("Remote PAMT (PAMT on another node than the memory it describes) is shown, not ranked:"
          + " under PAMT any a point's PAMT is the least PAMT bytes wherever they lie; --pamt node-local ranks"
          + " remote PAMT first."));
    }
    return rows;
  }

  /** Whether some point's layout has remote PAMT: then the table shows it in a column of its own. */
  private static boolean hasRemotePamt(List<FrontierPoint> points) {
    return points.stream().anyMatch(p -> p.remotePamtBytes().orElse(0) > 0);
  }

  private static final String ROW = "%-10s %-13s %-30s %s";
  /** With a remote PAMT column: narrower columns keep the rows of one prover within 80 columns. */
  private static final String ROW_REMOTE = "%-9s %-12s %-28s %-11s %s";

  /** Consecutive points with the same answer, and their TDMR limits as printed ({@code 2..64}). */
  private record Row(String tdmrs, FrontierPoint point) {}

  private static List<Row> rows(List<FrontierPoint> points) {
    List<Row> rows = new ArrayList<>();
    int i = 0;
    while (i < points.size()) {
      int j = i;
      while (j + 1 < points.size() && points.get(j + 1).sameAnswer(points.get(i))) {
        j++;
      }
      FrontierPoint p = points.get(i);
      rows.add(new Row(i == j ? Integer.toString(p.maxTdmrs()) : p.maxTdmrs() + ".." + points.get(j).maxTdmrs(), p));
      i = j + 1;
    }
    return rows;
  }

  /**
   * What is proven on the rows the table cannot state whole: the price not proven least ({@code *}),
   * or the least limit not proven ("at most", "unknown"); empty when every row is proven.
   */
  static List<String> notes(List<FrontierPoint> points) {
    List<String> notes = new ArrayList<>();
    for (Row row : rows(points)) {
      FrontierPoint p = row.point();
      if (p.status() == Status.OPTIMAL || p.status() == Status.INFEASIBLE) {
        continue;
      }
      String at = "max TDMRs " + row.tdmrs();
      String reserved;
      if (p.minReserved().isPresent()) {
        reserved = "%s per TDMR proven least".formatted(Count.of(p.minReserved().getAsInt(), "area"));
      } else if (p.reservedAtMost().isPresent()) {
        int most = p.reservedAtMost().getAsInt();
        int least = p.reservedAtLeast();
        String open = least == most - 1 ? String.valueOf(least) : "%d to %d".formatted(least, most - 1);
        reserved = "a layout with %s per TDMR; %s".formatted(Count.of(most, "area"),
            least > 0
                ? "fewer than %d proven impossible, %s not decided before the time limit".formatted(least, open)
                : "fewer not decided before the time limit");
      } else {
        reserved = "no layout found before the time limit" + (p.reservedAtLeast() > 0
            ? "; none has fewer than %s per TDMR".formatted(Count.of(p.reservedAtLeast(), "area")) : "");
      }
      String pamt = "";
      if (p.pamtBytes().isPresent() && !p.pamtProvenLeast()) {
        pamt = p.pamtBoundBytes().isPresent()
            ? "; its PAMT is the best found, and no layout there needs less than %d bytes (%s)".formatted(
                p.pamtBoundBytes().getAsLong(), ByteSize.human(p.pamtBoundBytes().getAsLong()))
            : "; its PAMT is the best found, with no lower bound proven";
      }
      notes.add(Prose.fold("* %s: %s%s.".formatted(at, reserved, pamt)));
    }
    return notes;
  }

  /**
   * Why no fewer areas, on the rows whose least limit the reserved-area bound proves: its reasoning
   * in one line each (the bound counts; no search is needed). Empty when no row has it.
   */
  static List<String> whyNoFewer(List<FrontierPoint> points) {
    List<String> lines = new ArrayList<>();
    for (Row row : rows(points)) {
      FrontierPoint p = row.point();
      if (p.fewerRuledOutBy().isEmpty() || p.minReserved().isEmpty()
          || p.minReserved().getAsInt() != p.fewerRuledOutBy().get().leastMaxReserved()) {
        continue;
      }
      if (lines.isEmpty()) {
        lines.add("Why no fewer areas (counted, no search needed):");
      }
      lines.add(Prose.fold("  max TDMRs %s: %s.".formatted(row.tdmrs(),
          // A joined row's reasoning is that of its first TDMR limit, which holds for the others too.
          p.fewerRuledOutBy().get().summary())));
    }
    return lines;
  }

  private static ObjectNode jsonDocument(MemoryMap map, TdxLimits limits, Policy policy, List<FrontierPoint> points) {
    ObjectNode root = JsonContract.document("frontier");
    root.put("source", map.source());
    root.put("family", policy.family().text());
    root.set("policy", JsonContract.policy(policy));
    // The limits the frontier does not vary (it varies maxTdmrs and maxReservedPerTdmr itself).
    root.put("dynamicPamt", limits.dynamicPamt());
    root.put("hkidStartBit", limits.hkidStartBit());
    ArrayNode array = root.putArray("points");
    for (FrontierPoint p : points) {
      ObjectNode o = array.addObject();
      o.put("maxTdmrs", p.maxTdmrs());
      JsonContract.putOrNull(o, "leastMaxReservedPerTdmr", p.minReserved());
      JsonContract.putOrNull(o, "maxReservedPerTdmrAtMost", p.reservedAtMost());
      o.put("maxReservedPerTdmrAtLeast", p.reservedAtLeast());
      JsonContract.putOrNull(o, "pamtBytes", p.pamtBytes());
      JsonContract.putOrNull(o, "pamtBoundBytes", p.pamtBoundBytes());
      if (p.pamtBytes().isPresent()) {
        o.put("pamtProvenLeast", p.pamtProvenLeast());
      } else {
        o.putNull("pamtProvenLeast");
      }
      JsonContract.putOrNull(o, "remotePamtBytes", p.remotePamtBytes());
      JsonContract.putOrNull(o, "tdmrsUsed", p.tdmrsUsed());
      o.put("status", p.status().name());
      ArrayNode restrictions = o.putArray("restrictions");
      p.restrictions().forEach(restrictions::add);
      o.put("provedBy", p.provedBy());
      o.set("fewerRuledOutBy", p.fewerRuledOutBy().map(EngineResultJson::areaShortfall).orElse(null));
    }
    return root;
  }
}
