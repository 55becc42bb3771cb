package tdmr.bench.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How each kernel construction of a sweep ({@code greedy}, {@code greedy-cmr}, {@code
 * greedy-merge}, {@code greedy-fit}) does against the referee, CP-SAT: per map origin, on how many
 * of the maps where CP-SAT found a layout the construction finds one too; its PAMT over CP-SAT's
 * proven optimum; the maps where it finds one and CP-SAT does not; and, for greedy-fit, every map
 * where it falls short, with the kernel's failure line.
 */
public final class ConstructionTable {
  /** The kernel constructions, in the order the table lists them. */
  public static final List<String> CONSTRUCTIONS = List.of("greedy", "greedy-cmr", "greedy-merge", "greedy-fit");
  /** The engine whose layouts decide that a layout exists. */
  public static final String REFEREE = "cpsat";
  /** The construction whose shortfalls are listed map by map. */
  public static final String CANDIDATE = "greedy-fit";
  /** How far above the optimum the candidate's PAMT may be (issue #15: 0.1%) before its map is listed. */
  public static final double PAMT_TOLERANCE = 0.001;

  private final Map<String, List<SweepRow>> byMap;
  private final String family;

  /**
   * @param byMap every row of the sweep, by map (in map order)
   * @param family the layout family CP-SAT solved in ({@code kernel} or {@code module}), for the headings
   */
  public ConstructionTable(Map<String, List<SweepRow>> byMap, String family) {
    this.byMap = byMap;
    this.family = family;
  }

  /** The constructions that ran in the sweep, in table order. */
  public List<String> constructions() {
    return CONSTRUCTIONS.stream()
        .filter(c -> byMap.values().stream().anyMatch(rs -> row(rs, c).isPresent()))
        .toList();
  }

  /** Maps of an origin (all origins for null) where CP-SAT found a layout. */
  private List<List<SweepRow>> refereeHasLayout(String origin) {
    return byMap.values().stream()
        .filter(rs -> origin == null || rs.get(0).origin().equals(origin))
        .filter(rs -> row(rs, REFEREE).map(SweepRow::hasLayout).orElse(false))
        .toList();
  }

  /** Of the maps of {@code origin} (null: all) where CP-SAT found a layout, those where {@code construction} did too. */
  public int succeedsWhereRefereeDoes(String construction, String origin) {
    return (int) refereeHasLayout(origin).stream()
        .filter(rs -> row(rs, construction).map(SweepRow::hasLayout).orElse(false)).count();
  }

  /** Maps of {@code origin} (null: all) where CP-SAT found a layout. */
  public int refereeLayouts(String origin) {
    return refereeHasLayout(origin).size();
  }

  /** Maps where the construction found a layout and CP-SAT did not (outside its family, or CP-SAT stopped). */
  public List<String> succeedsWithoutReferee(String construction) {
    List<String> out = new ArrayList<>();
    byMap.forEach((map, rs) -> {
      if (row(rs, construction).map(SweepRow::hasLayout).orElse(false)
          && row(rs, REFEREE).map(r -> !r.hasLayout()).orElse(false)) {
        out.add(map + " (cpsat " + row(rs, REFEREE).get().status() + ")");
      }
    });
    return out;
  }

  /** Construction PAMT over CP-SAT's proven optimum, per map where both exist, in map order. */
  public Map<String, Double> pamtOverOptimum(String construction) {
    Map<String, Double> out = new LinkedHashMap<>();
    byMap.forEach((map, rs) -> {
      Optional<SweepRow> c = row(rs, construction).filter(SweepRow::hasLayout);
      Optional<SweepRow> opt = row(rs, REFEREE).filter(r -> r.status().equals("OPTIMAL"));
      if (c.isPresent() && opt.isPresent() && opt.get().pamtBytes().getAsLong() > 0) {
        out.put(map, c.get().pamtBytes().getAsLong() / (double) opt.get().pamtBytes().getAsLong());
      }
    });
    return out;
  }

  /** Maps where the construction's PAMT is more than {@code tolerance} (0.001: 0.1%) above CP-SAT's proven optimum. */
  public Map<String, Double> aboveOptimum(String construction, double tolerance) {
    Map<String, Double> out = new LinkedHashMap<>();
    pamtOverOptimum(construction).forEach((map, ratio) -> {
      if (ratio > 1 + tolerance) {
        out.put(map, ratio);
      }
    });
    return out;
  }

  /** Maps where CP-SAT found a layout and {@code construction} did not, with its failure line. */
  public Map<String, String> shortfalls(String construction) {
    Map<String, String> out = new LinkedHashMap<>();
    for (List<SweepRow> rs : refereeHasLayout(null)) {
      row(rs, construction).filter(r -> !r.hasLayout()).ifPresent(r -> out.put(r.map(), r.message()));
    }
    return out;
  }

  /** The section as Markdown; empty when no construction or no referee ran. */
  public String markdown() {
    List<String> constructions = constructions();
    if (constructions.isEmpty() || byMap.values().stream().noneMatch(rs -> row(rs, REFEREE).isPresent())) {
      return "";
    }
    List<String> origins = byMap.values().stream().map(rs -> rs.get(0).origin()).distinct().toList();
    StringBuilder md = new StringBuilder("\n## Kernel constructions against CP-SAT (%s family)\n\n".formatted(family));
    md.append(("Each cell: maps where the construction builds a layout / maps where CP-SAT found a layout of the %s"
        + " family. PAMT over the optimum: over the maps where CP-SAT proved its layout optimal. greedy-cmr always"
        + " takes the CMR holes, a weaker rule than a memlist sweep's, so it may succeed where CP-SAT under memlist"
        + " finds nothing.\n\n").formatted(family));
    md.append("| construction |");
    origins.forEach(o -> md.append(' ').append(o).append(" |"));
    md.append(" all | PAMT / optimum: median, max | builds a layout where CP-SAT has none |\n|---|");
    origins.forEach(o -> md.append("---:|"));
    md.append("---:|---|---|\n");
    for (String c : constructions) {
      md.append("| ").append(c).append(" |");
      for (String o : origins) {
        md.append(" %d / %d |".formatted(succeedsWhereRefereeDoes(c, o), refereeLayouts(o)));
      }
      md.append(" %d / %d |".formatted(succeedsWhereRefereeDoes(c, null), refereeLayouts(null)));
      Map<String, Double> ratios = pamtOverOptimum(c);
      md.append(ratios.isEmpty() ? " - |" : String.format(Locale.ROOT, " %.5f, %.5f (%d maps) |",
          SweepSummary.percentileOf(ratios.values(), 50), SweepSummary.percentileOf(ratios.values(), 100), ratios.size()));
      List<String> beyond = succeedsWithoutReferee(c);
      md.append(beyond.isEmpty() ? " none |" : " " + (beyond.size() == 1 ? "1 map" : beyond.size() + " maps") + " |");
      md.append('\n');
    }
    for (String c : constructions) {
      List<String> beyond = succeedsWithoutReferee(c);
      if (!beyond.isEmpty()) {
        md.append("\n%s builds a layout where CP-SAT has none on: %s.\n".formatted(c, String.join(", ", beyond)));
      }
    }
    if (constructions.contains(CANDIDATE)) {
      Map<String, String> missed = shortfalls(CANDIDATE);
      md.append("\n%s fails on %s where CP-SAT found a layout%s\n".formatted(CANDIDATE,
          missed.size() == 1 ? "1 map" : missed.size() + " maps", missed.isEmpty() ? "." : ":"));
      missed.forEach((map, line) -> md.append("- ").append(map).append(": ").append(line.replace("|", "\\|")).append('\n'));
      Map<String, Double> over = aboveOptimum(CANDIDATE, PAMT_TOLERANCE);
      md.append(String.format(Locale.ROOT, "\n%s's PAMT is more than %.1f%% above CP-SAT's proven optimum on %s%s\n", CANDIDATE,
          100 * PAMT_TOLERANCE, over.size() == 1 ? "1 map" : over.size() + " maps", over.isEmpty() ? "." : ":"));
      over.forEach((map, ratio) -> md.append(String.format(Locale.ROOT, "- %s: %.5f\n", map, ratio)));
    }
    return md.toString();
  }

  private static Optional<SweepRow> row(List<SweepRow> rowsOfMap, String engine) {
    return rowsOfMap.stream().filter(r -> r.engine().equals(engine)).findFirst();
  }
}
