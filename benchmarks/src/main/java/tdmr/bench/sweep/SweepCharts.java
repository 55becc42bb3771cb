package tdmr.bench.sweep;

import static tdmr.mem.ByteSize.GiB;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tdmr.bench.sweep.SvgChart.Axis;
import tdmr.bench.sweep.SvgChart.Bars;
import tdmr.bench.sweep.SvgChart.Point;
import tdmr.bench.sweep.SvgChart.Series;

/** The three figures of a sweep, as SVG text keyed by file name. */
public final class SweepCharts {
  /** Buckets of {@link SweepMap#kernelTdmrHoles()}: around 16, the reserved-area limit, finely. */
  private static final int[][] BUCKETS = {{0, 4}, {5, 8}, {9, 12}, {13, 15}, {16, 16}, {17, 20}, {21, 32}, {33, 64}, {65, Integer.MAX_VALUE}};

  private SweepCharts() {}

  /**
   * {@code feasibility.svg}, {@code pamt-ratio.svg} and {@code solve-time.svg}; {@code
   * timeLimitSeconds} is the sweep's limit per solve, where time-outs are drawn.
   */
  public static Map<String, String> all(List<SweepRow> rows, SweepSummary summary, double timeLimitSeconds) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("feasibility.svg", feasibility(rows, summary));
    out.put("pamt-ratio.svg", pamtRatio(rows, summary));
    out.put("solve-time.svg", solveTime(rows, summary, timeLimitSeconds));
    return out;
  }

  /**
   * Share of maps with a layout per engine (and by some engine under the sweep's rules), by holes in
   * the fullest kernel TDMR. A map on which an engine timed out without a layout is not a map
   * without a layout: it is the pale part on top of the engine's bar (for "some engine", a map no
   * engine answered: none found a layout or proved there is none).
   */
  static String feasibility(List<SweepRow> rows, SweepSummary summary) {
    Map<String, List<SweepRow>> byMap = byMap(rows);
    List<String> categories = new ArrayList<>();
    List<List<List<SweepRow>>> buckets = new ArrayList<>();
    for (int[] b : BUCKETS) {
      List<List<SweepRow>> maps = byMap.values().stream()
          .filter(rs -> rs.get(0).kernelTdmrHoles() >= b[0] && rs.get(0).kernelTdmrHoles() <= b[1]).toList();
      if (!maps.isEmpty()) {
        String range = b[0] == b[1] ? Integer.toString(b[0]) : b[1] == Integer.MAX_VALUE ? ">" + (b[0] - 1) : b[0] + "-" + b[1];
        categories.add(range + " (n=" + maps.size() + ")");
        buckets.add(maps);
      }
    }
    List<Bars> bars = new ArrayList<>();
    for (String engine : summary.engines()) {
      bars.add(new Bars(engine,
          buckets.stream().map(maps -> share(maps, rs -> rs.stream().anyMatch(r -> r.engine().equals(engine) && r.hasLayout()))).toList(),
          buckets.stream().map(maps -> share(maps, rs -> rs.stream().anyMatch(r -> r.engine().equals(engine) && r.timedOut() && !r.hasLayout())))
              .toList()));
    }
    if (summary.engines().size() > 1) {
      // greedy-cmr plays by other rules under the memlist policy; its bar stands on its own
      java.util.function.Predicate<List<SweepRow>> some = rs -> rs.stream().anyMatch(r -> r.hasLayout() && summary.sameRules(r.engine()));
      java.util.function.Predicate<List<SweepRow>> unanswered = rs -> !some.test(rs)
          && rs.stream().noneMatch(r -> r.status().equals("INFEASIBLE") && summary.sameRules(r.engine()))
          && rs.stream().anyMatch(r -> r.timedOut() && summary.sameRules(r.engine()));
      bars.add(new Bars("some engine, same rules", buckets.stream().map(maps -> share(maps, some)).toList(),
          buckets.stream().map(maps -> share(maps, unanswered)).toList()));
    }
    return SvgChart.bars("Maps with a layout, by fragmentation", "holes in the fullest TDMR the kernel draws (memlist gaps, PAMTs not counted)",
        "maps with a valid layout", categories, bars, "time limit, no answer");
  }

  /** Greedy PAMT over optimal PAMT, per map with a proven optimum, against the map's TDX memory. */
  static String pamtRatio(List<SweepRow> rows, SweepSummary summary) {
    Map<String, Double> ratios = summary.pamtRatios();
    Map<String, List<Point>> byOrigin = new LinkedHashMap<>();
    byMap(rows).forEach((map, rs) -> {
      Double ratio = ratios.get(map);
      if (ratio != null) {
        byOrigin.computeIfAbsent(rs.get(0).origin(), k -> new ArrayList<>())
            .add(new Point(rs.get(0).memoryBytes() / (double) GiB, ratio));
      }
    });
    List<Series> series = new ArrayList<>();
    byOrigin.forEach((origin, points) -> series.add(new Series(origin, points)));
    return SvgChart.scatter("PAMT memory: greedy / proven optimum", new Axis("TDX memory of the map (GiB)", true),
        new Axis("greedy PAMT / optimal PAMT (1 = optimal)", false, 1.0), series);
  }

  /**
   * Solve time per map against its number of memory blocks, one series per engine. A time-out is
   * not a solve time: it is drawn as a cross in the engine's colour on the time-limit line.
   */
  static String solveTime(List<SweepRow> rows, SweepSummary summary, double timeLimitSeconds) {
    List<Series> series = new ArrayList<>();
    List<Series> timeOuts = new ArrayList<>();
    double limitMillis = timeLimitSeconds * 1000;
    List<String> engines = summary.engines();
    for (int i = 0; i < engines.size(); i++) {
      String engine = engines.get(i);
      List<SweepRow> ran = rows.stream()
          .filter(r -> r.engine().equals(engine) && !r.status().equals(SweepRow.ERROR) && !r.status().equals(SweepRow.SKIPPED)).toList();
      // A log axis cannot show 0 ms: solves under a millisecond are drawn at 1 ms.
      series.add(new Series(engine, ran.stream().filter(r -> !r.timedOut())
          .map(r -> new Point(Math.max(1, r.blocks()), Math.max(1, r.solveMillis()))).toList(), i, false));
      List<Point> stopped = ran.stream().filter(SweepRow::timedOut).map(r -> new Point(Math.max(1, r.blocks()), limitMillis)).toList();
      if (!stopped.isEmpty()) {
        timeOuts.add(new Series(engine + " time-out", stopped, i, true));
      }
    }
    series.addAll(timeOuts);
    return SvgChart.scatter("Solve time against map size", new Axis("TDX memory blocks", true),
        new Axis("solve time (ms, below 1 ms drawn at 1)", true), series,
        new SvgChart.Reference(limitMillis, "time limit %s s".formatted(SweepSummary.seconds(timeLimitSeconds))));
  }

  private static Map<String, List<SweepRow>> byMap(List<SweepRow> rows) {
    Map<String, List<SweepRow>> out = new LinkedHashMap<>();
    rows.forEach(r -> out.computeIfAbsent(r.map(), k -> new ArrayList<>()).add(r));
    return out;
  }

  private static double share(List<List<SweepRow>> maps, java.util.function.Predicate<List<SweepRow>> test) {
    return 100.0 * maps.stream().filter(test).count() / maps.size();
  }
}
