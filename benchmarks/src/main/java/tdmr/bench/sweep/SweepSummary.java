package tdmr.bench.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The numbers a kernel maintainer asks of a sweep: how often the greedy succeeds, where it fails
 * although a layout exists, how much PAMT it wastes against the proven optimum, how close it gets
 * to the TDMR and reserved-area limits, and how long each engine takes.
 *
 * <p>"Optimum" is the least PAMT among rows with status {@code OPTIMAL} (a solver's proof). Every
 * engine solves under the sweep's holes policy except {@code greedy-cmr}, which always reserves
 * only non-convertible holes (the unmerged CMR patch); so "a layout exists under the same rules"
 * counts only the other engines, and maps that only {@code greedy-cmr} solves are counted apart.
 * Percentiles use the nearest-rank method (the smallest value with at least p% of the values at
 * or below it).
 */
public final class SweepSummary {
  /** The engine name of the mainline kernel greedy. */
  public static final String GREEDY = "greedy";
  /** The engine name of the greedy with the CMR-holes patch, whatever the sweep's policy. */
  public static final String GREEDY_CMR = "greedy-cmr";
  /** Statuses in the order the tables show them. */
  public static final List<String> STATUSES = List.of("OPTIMAL", "FEASIBLE", "INFEASIBLE", "FAILED", "UNKNOWN", SweepRow.ERROR, SweepRow.SKIPPED);

  private final List<SweepRow> rows;
  private final TdxLimits limits;
  private final Policy.Holes holes;
  private final Map<String, List<SweepRow>> byMap = new LinkedHashMap<>();
  private final List<String> engines;
  private final double timeLimitSeconds;
  private final Policy.Family family;

  /** A summary of a sweep run with {@code timeLimitSeconds} per solve (where time-outs stopped), in the kernel family. */
  public SweepSummary(List<SweepRow> rows, TdxLimits limits, Policy.Holes holes, double timeLimitSeconds) {
    this(rows, limits, holes, timeLimitSeconds, Policy.Family.KERNEL);
  }

  /** A summary of a sweep whose optimising engines searched {@code family}. */
  public SweepSummary(List<SweepRow> rows, TdxLimits limits, Policy.Holes holes, double timeLimitSeconds, Policy.Family family) {
    this.family = family;
    this.timeLimitSeconds = timeLimitSeconds;
    this.rows = List.copyOf(rows);
    this.limits = limits;
    this.holes = holes;
    LinkedHashSet<String> e = new LinkedHashSet<>();
    for (SweepRow r : rows) {
      byMap.computeIfAbsent(r.map(), k -> new ArrayList<>()).add(r);
      e.add(r.engine());
    }
    this.engines = List.copyOf(e);
  }

  public int mapCount() {
    return byMap.size();
  }

  public List<String> engines() {
    return engines;
  }

  /** Maps on which the greedy returned a layout. */
  public int greedySuccesses() {
    return (int) byMap.values().stream().filter(rs -> row(rs, GREEDY).map(SweepRow::hasLayout).orElse(false)).count();
  }

  /** Maps on which the greedy ran. */
  public int greedyRuns() {
    return (int) byMap.values().stream().filter(rs -> row(rs, GREEDY).isPresent()).count();
  }

  /** True when the engine solves under the sweep's holes policy (all but greedy-cmr under memlist). */
  public boolean sameRules(String engine) {
    return holes == Policy.Holes.CMR || !engine.equals(GREEDY_CMR);
  }

  /** Maps where the greedy gave no layout but another engine did under the same rules, in map order. */
  public List<String> greedyFailsButLayoutExists() {
    List<String> out = new ArrayList<>();
    byMap.forEach((map, rs) -> {
      if (greedyFailed(rs) && rs.stream().anyMatch(r -> r.hasLayout() && sameRules(r.engine()))) {
        out.add(map);
      }
    });
    return out;
  }

  /** Maps where only the CMR-holes greedy found a layout (nothing under the sweep's rules), in map order. */
  public List<String> greedyFailsOnlyCmrHolesHelp() {
    List<String> out = new ArrayList<>();
    byMap.forEach((map, rs) -> {
      if (greedyFailed(rs) && rs.stream().noneMatch(r -> r.hasLayout() && sameRules(r.engine()))
          && rs.stream().anyMatch(SweepRow::hasLayout)) {
        out.add(map);
      }
    });
    return out;
  }

  private static boolean greedyFailed(List<SweepRow> rowsOfMap) {
    return row(rowsOfMap, GREEDY).map(r -> !r.hasLayout()).orElse(false);
  }

  /** Maps an exact engine proved to have no layout under the sweep's rules, in map order. */
  public List<String> provenInfeasible() {
    List<String> out = new ArrayList<>();
    byMap.forEach((map, rs) -> {
      if (rs.stream().anyMatch(r -> r.status().equals("INFEASIBLE") && sameRules(r.engine()))) {
        out.add(map);
      }
    });
    return out;
  }

  /** The proven-optimal row with the least PAMT of a map, if any engine proved optimality. */
  public Optional<SweepRow> optimum(String map) {
    return byMap.getOrDefault(map, List.of()).stream()
        .filter(r -> r.status().equals("OPTIMAL") && r.pamtBytes().isPresent())
        .min(Comparator.comparingLong(r -> r.pamtBytes().getAsLong()));
  }

  /** Greedy PAMT bytes divided by optimal PAMT bytes, for each map where both exist, in map order. */
  public Map<String, Double> pamtRatios() {
    Map<String, Double> out = new LinkedHashMap<>();
    byMap.forEach((map, rs) -> {
      Optional<SweepRow> greedy = row(rs, GREEDY).filter(SweepRow::hasLayout);
      Optional<SweepRow> best = optimum(map);
      if (greedy.isPresent() && best.isPresent() && best.get().pamtBytes().getAsLong() > 0) {
        out.put(map, greedy.get().pamtBytes().getAsLong() / (double) best.get().pamtBytes().getAsLong());
      }
    });
    return out;
  }

  /** Unused TDMRs ({@code maxTdmrs - used}) of the engine's layouts, one per map with a layout. */
  public List<Long> tdmrHeadroom(String engine) {
    return rowsOf(engine).stream().filter(SweepRow::hasLayout).map(r -> (long) (limits.maxTdmrs() - r.tdmrs())).toList();
  }

  /** Unused reserved areas in the fullest TDMR of the engine's layouts, one per map with a layout. */
  public List<Long> reservedHeadroom(String engine) {
    return rowsOf(engine).stream().filter(SweepRow::hasLayout)
        .map(r -> (long) (limits.maxReservedPerTdmr() - r.maxReserved())).toList();
  }

  /** How many rows of the engine have each status, in {@link #STATUSES} order. */
  public Map<String, Integer> statusCounts(String engine) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String s : STATUSES) {
      out.put(s, (int) rowsOf(engine).stream().filter(r -> r.status().equals(s)).count());
    }
    return out;
  }

  /** Rows of the engine that the time limit stopped before a proof ({@link SweepRow#timedOut()}). */
  public List<SweepRow> timeOuts(String engine) {
    return rowsOf(engine).stream().filter(SweepRow::timedOut).toList();
  }

  /**
   * Nearest-rank percentile of the engine's solve times (errors and skipped maps excluded) where
   * a time-out counts as longer than any solve: {@code ">10 s"} when the percentile falls on one.
   */
  public String solveTimePercentile(String engine, double p) {
    List<SweepRow> ran = rowsOf(engine).stream()
        .filter(r -> !r.status().equals(SweepRow.ERROR) && !r.status().equals(SweepRow.SKIPPED))
        .sorted(Comparator.comparing(SweepRow::timedOut).thenComparingLong(SweepRow::solveMillis)).toList();
    if (ran.isEmpty()) {
      return "-";
    }
    SweepRow at = ran.get(Math.max(0, (int) Math.ceil(p / 100.0 * ran.size()) - 1));
    return at.timedOut() ? ">" + seconds(timeLimitSeconds) + " s" : Long.toString(at.solveMillis());
  }

  /** Seconds as the command line takes them: {@code 10}, {@code 2.5}. */
  public static String seconds(double s) {
    return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
  }

  /** Solve times of the engine's rows (errors and skipped maps excluded), ascending. */
  public List<Long> solveMillis(String engine) {
    return rowsOf(engine).stream().filter(r -> !r.status().equals(SweepRow.ERROR) && !r.status().equals(SweepRow.SKIPPED))
        .map(SweepRow::solveMillis).sorted().toList();
  }

  /** Nearest-rank percentile of ascending values; 0 for an empty list. */
  public static long percentile(List<Long> ascending, double p) {
    if (ascending.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * ascending.size());
    return ascending.get(Math.max(0, rank - 1));
  }

  /** Nearest-rank percentile of unsorted doubles; NaN for an empty collection. */
  public static double percentileOf(java.util.Collection<Double> values, double p) {
    List<Double> sorted = values.stream().sorted().toList();
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** The kernel constructions against CP-SAT. */
  public ConstructionTable constructionTable() {
    return new ConstructionTable(byMap, family.text());
  }

  /** The summary as Markdown; {@code preamble} (what was run, on which machine) goes first. */
  public String markdown(String preamble) {
    StringBuilder md = new StringBuilder("# tdmr-bench sweep\n\n").append(preamble).append("\n\n");
    md.append("## Headline\n\n| question | answer |\n|---|---|\n");
    int runs = greedyRuns();
    if (runs > 0) {
      // under --holes cmr the engine named greedy takes the CMR holes too: it is then the patched kernel
      String which = holes == Policy.Holes.MEMLIST ? "greedy (mainline)" : "greedy (with the CMR-holes patch)";
      md.append("| %s succeeds | %d of %d maps (%s) |\n".formatted(which, greedySuccesses(), runs, percent(greedySuccesses(), runs)));
    } else {
      md.append("| greedy succeeds | greedy not run |\n");
    }
    String rules = "holes " + holes.name().toLowerCase(Locale.ROOT);
    md.append("| greedy fails although a layout exists under the same rules (%s) | %s |\n".formatted(rules, maps(greedyFailsButLayoutExists().size())));
    if (holes == Policy.Holes.MEMLIST && engines.contains(GREEDY_CMR)) {
      md.append("| greedy fails; only the CMR-holes greedy finds a layout | %s |\n".formatted(maps(greedyFailsOnlyCmrHolesHelp().size())));
    }
    md.append("| proven to have no layout under the same rules (within the solvers' layout family) | %s |\n".formatted(maps(provenInfeasible().size())));
    for (String engine : engines) {
      List<SweepRow> out = timeOuts(engine);
      if (!out.isEmpty()) {
        long without = out.stream().filter(r -> !r.hasLayout()).count();
        md.append("| %s: the time limit (%s s) struck before a proof (not \"no layout\") | %s: %d without a layout, %d with an unproven one |\n"
            .formatted(engine, seconds(timeLimitSeconds), maps(out.size()), without, out.size() - without));
      }
    }
    Map<String, Double> ratios = pamtRatios();
    if (ratios.isEmpty()) {
      md.append("| PAMT greedy / optimal | no map with both a greedy layout and a proven optimum |\n");
    } else {
      md.append(String.format(Locale.ROOT, "| PAMT greedy / optimal | median %.4f, p90 %.4f, max %.4f over %s with a proven optimum |\n",
          percentileOf(ratios.values(), 50), percentileOf(ratios.values(), 90),
          percentileOf(ratios.values(), 100), maps(ratios.size())));
    }
    for (String engine : engines) {
      List<Long> t = tdmrHeadroom(engine).stream().sorted().toList();
      List<Long> r = reservedHeadroom(engine).stream().sorted().toList();
      if (!t.isEmpty()) {
        md.append("| %s headroom: unused TDMRs | min %d, median %d of %d |\n".formatted(engine, t.get(0), percentile(t, 50), limits.maxTdmrs()));
        md.append("| %s headroom: unused reserved areas in the fullest TDMR | min %d, median %d of %d |\n".formatted(
            engine, r.get(0), percentile(r, 50), limits.maxReservedPerTdmr()));
      }
    }
    md.append("\n## Results by map origin (maps with a layout; time-outs without one are not counted as \"no layout\")\n\n| origin | maps |");
    engines.forEach(e -> md.append(' ').append(e).append(" |"));
    md.append(" some engine, same rules |\n|---|---:|");
    engines.forEach(e -> md.append("---:|"));
    md.append("---:|\n");
    Map<String, List<List<SweepRow>>> byOrigin = new LinkedHashMap<>();
    byMap.values().forEach(rs -> byOrigin.computeIfAbsent(rs.get(0).origin(), k -> new ArrayList<>()).add(rs));
    byOrigin.forEach((origin, maps) -> {
      md.append("| ").append(origin).append(" | ").append(maps.size()).append(" |");
      for (String e : engines) {
        long stopped = maps.stream().filter(rs -> row(rs, e).map(r -> r.timedOut() && !r.hasLayout()).orElse(false)).count();
        md.append(' ').append(maps.stream().filter(rs -> row(rs, e).map(SweepRow::hasLayout).orElse(false)).count())
            .append(stopped > 0 ? " (+%d timed out)".formatted(stopped) : "").append(" |");
      }
      md.append(' ').append(maps.stream().filter(rs -> rs.stream().anyMatch(r -> r.hasLayout() && sameRules(r.engine()))).count())
          .append(" |\n");
    });
    md.append(constructionTable().markdown());
    md.append("\n## Status counts\n\n| engine |");
    STATUSES.forEach(s -> md.append(' ').append(s).append(" |"));
    md.append("\n|---|");
    STATUSES.forEach(s -> md.append("---:|"));
    md.append('\n');
    for (String e : engines) {
      md.append("| ").append(e).append(" |");
      statusCounts(e).values().forEach(c -> md.append(' ').append(c).append(" |"));
      md.append('\n');
    }
    md.append("\n## Solve time per map (ms, wall clock, one solver thread per solve)\n\n"
        + "A time-out counts as longer than every solve (`>%s s`), never as its solve time.\n\n".formatted(seconds(timeLimitSeconds))
        + "| engine | solves | time-outs | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (String e : engines) {
      md.append("| %s | %d | %d | %s | %s | %s | %s |\n".formatted(e, solveMillis(e).size(), timeOuts(e).size(),
          solveTimePercentile(e, 50), solveTimePercentile(e, 90), solveTimePercentile(e, 99), solveTimePercentile(e, 100)));
    }
    md.append(byOriginSolveTimes());
    List<String> fails = new ArrayList<>(greedyFailsButLayoutExists());
    fails.addAll(greedyFailsOnlyCmrHolesHelp());
    if (!fails.isEmpty()) {
      md.append("\n## Maps where the greedy fails but a layout exists\n\n"
          + "| map | blocks | holes in fullest kernel TDMR | greedy says | layouts from | least PAMT |\n|---|---:|---:|---|---|---:|\n");
      for (String map : byMap.keySet()) {
        if (!fails.contains(map)) {
          continue;
        }
        List<SweepRow> rs = byMap.get(map);
        SweepRow g = row(rs, GREEDY).orElseThrow();
        List<SweepRow> found = rs.stream().filter(SweepRow::hasLayout).toList();
        SweepRow best = found.stream().min(Comparator.comparingLong(r -> r.pamtBytes().orElse(Long.MAX_VALUE))).orElseThrow();
        String from = String.join(", ", found.stream().map(r -> r.engine() + " " + r.status()).toList());
        md.append("| %s | %d | %d | %s | %s | %s (%s) |\n".formatted(map, g.blocks(), g.kernelTdmrHoles(),
            g.message().replace("|", "\\|"), from,
            best.pamtBytes().isPresent() ? ByteSize.human(best.pamtBytes().getAsLong()) : "-", best.engine()));
      }
    }
    List<String> infeasible = provenInfeasible();
    if (!infeasible.isEmpty()) {
      md.append("\n## Maps proven to have no layout under the same rules\n\n");
      infeasible.forEach(m -> md.append("- ").append(m).append('\n'));
    }
    return md.toString();
  }

  /**
   * Solve times of the optimising engines side by side per map origin: how many maps each proved
   * ({@code OPTIMAL} or {@code INFEASIBLE}) and the median, 95th percentile and maximum of its solve
   * time (time-outs counted as longer than every solve). Empty when no such engine ran.
   */
  private String byOriginSolveTimes() {
    List<String> exact = engines.stream().filter(e -> !e.startsWith(GREEDY)).toList();
    if (exact.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\n## Solve time by map origin (optimising engines; ms)\n\n| origin | maps |");
    exact.forEach(e -> md.append(" %1$s proven | %1$s p50 | %1$s p95 | %1$s max |".formatted(e)));
    md.append("\n|---|---:|").append("---:|---:|---:|---:|".repeat(exact.size())).append('\n');
    Map<String, List<SweepRow>> byOrigin = new LinkedHashMap<>();
    rows.forEach(r -> byOrigin.computeIfAbsent(r.origin(), k -> new ArrayList<>()).add(r));
    byOrigin.forEach((origin, originRows) -> {
      SweepSummary part = new SweepSummary(originRows, limits, holes, timeLimitSeconds);
      md.append("| ").append(origin).append(" | ").append(part.mapCount()).append(" |");
      for (String e : exact) {
        long proven = part.rowsOf(e).stream().filter(r -> r.status().equals("OPTIMAL") || r.status().equals("INFEASIBLE")).count();
        md.append(" %d | %s | %s | %s |".formatted(proven, part.solveTimePercentile(e, 50), part.solveTimePercentile(e, 95),
            part.solveTimePercentile(e, 100)));
      }
      md.append('\n');
    });
    return md.toString();
  }

  private List<SweepRow> rowsOf(String engine) {
    return rows.stream().filter(r -> r.engine().equals(engine)).toList();
  }

  private static Optional<SweepRow> row(List<SweepRow> rowsOfMap, String engine) {
    return rowsOfMap.stream().filter(r -> r.engine().equals(engine)).findFirst();
  }

  private static String maps(int n) {
    return n == 1 ? "1 map" : n + " maps";
  }

  private static String percent(int part, int whole) {
    return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }
}
