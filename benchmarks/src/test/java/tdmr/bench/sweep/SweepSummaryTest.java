package tdmr.bench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class SweepSummaryTest {

  private static SweepRow row(String map, String engine, String status, long pamt, int tdmrs, int reserved, long ms) {
    OptionalLong p = status.equals("OPTIMAL") || status.equals("FEASIBLE") ? OptionalLong.of(pamt) : OptionalLong.empty();
    return new SweepRow(map, "test", 3, 1L << 31, 4, engine, status, p, OptionalLong.empty(),
        tdmrs, reserved, ms, 0, 0, status.equals("FAILED") ? "TDMR [0x0, 0x80000000): reserved areas exhausted." : "");
  }

  // Four maps, up to three engines:
  //   a: greedy FEASIBLE 110 bytes, 3 TDMRs, 5 reserved; cpsat OPTIMAL 100, 2 TDMRs, 4 reserved
  //   b: greedy FAILED;               cpsat OPTIMAL 200, 1 TDMR, 16 reserved
  //   c: greedy FAILED;               cpsat INFEASIBLE
  //   d: greedy FAILED;               cpsat INFEASIBLE; greedy-cmr FEASIBLE 300, 2 TDMRs, 3 reserved
  private final List<SweepRow> rows = List.of(
      row("a", "greedy", "FEASIBLE", 110, 3, 5, 1),
      row("a", "cpsat", "OPTIMAL", 100, 2, 4, 40),
      row("b", "greedy", "FAILED", 0, 0, 0, 2),
      row("b", "cpsat", "OPTIMAL", 200, 1, 16, 400),
      row("c", "greedy", "FAILED", 0, 0, 0, 3),
      row("c", "cpsat", "INFEASIBLE", 0, 0, 0, 4000),
      row("d", "greedy", "FAILED", 0, 0, 0, 1),
      row("d", "greedy-cmr", "FEASIBLE", 300, 2, 3, 1),
      row("d", "cpsat", "INFEASIBLE", 0, 0, 0, 5));
  private final SweepSummary summary = new SweepSummary(rows, TdxLimits.DEFAULT, Policy.Holes.MEMLIST);

  @Test
  void countsGreedySuccessesAndMapsWhereOnlyAnotherEngineFindsALayout() {
    assertEquals(4, summary.mapCount());
    assertEquals(1, summary.greedySuccesses());
    assertEquals(4, summary.greedyRuns());
    assertEquals(List.of("b"), summary.greedyFailsButLayoutExists());
    assertEquals(List.of("d"), summary.greedyFailsOnlyCmrHolesHelp());
    assertEquals(List.of("c", "d"), summary.provenInfeasible());
  }

  @Test
  void underTheCmrHolesPolicyEveryEngineSolvesTheSameProblem() {
    SweepSummary cmr = new SweepSummary(rows, TdxLimits.DEFAULT, Policy.Holes.CMR);
    assertEquals(List.of("b", "d"), cmr.greedyFailsButLayoutExists());
    assertEquals(List.of(), cmr.greedyFailsOnlyCmrHolesHelp());
    assertTrue(cmr.markdown("").contains("| greedy (with the CMR-holes patch) succeeds | 1 of 4 maps (25.0%) |"));
  }

  @Test
  void pamtRatioIsGreedyOverProvenOptimumWhereBothExist() {
    // only map a has both: 110 / 100
    assertEquals(Map.of("a", 1.1), summary.pamtRatios());
  }

  @Test
  void headroomIsTheLimitMinusWhatTheLayoutUses() {
    assertEquals(List.of(64L - 3), summary.tdmrHeadroom("greedy"));
    assertEquals(List.of(16L - 5), summary.reservedHeadroom("greedy"));
    assertEquals(List.of(64L - 2, 64L - 1), summary.tdmrHeadroom("cpsat"));
    assertEquals(List.of(16L - 3), summary.reservedHeadroom("greedy-cmr"));
    assertEquals(List.of(16L - 4, 0L), summary.reservedHeadroom("cpsat"));
  }

  @Test
  void percentilesUseTheNearestRank() {
    // nearest rank: p50 of 4 values is the 2nd, p90 and p99 the 4th, p25 the 1st
    List<Long> v = List.of(10L, 20L, 30L, 40L);
    assertEquals(20, SweepSummary.percentile(v, 50));
    assertEquals(40, SweepSummary.percentile(v, 90));
    assertEquals(40, SweepSummary.percentile(v, 99));
    assertEquals(10, SweepSummary.percentile(v, 25));
    assertEquals(List.of(5L, 40L, 400L, 4000L), summary.solveMillis("cpsat"));
    assertEquals(40, SweepSummary.percentile(summary.solveMillis("cpsat"), 50));
  }

  @Test
  void statusCountsListEveryStatus() {
    assertEquals(Map.of("OPTIMAL", 0, "FEASIBLE", 1, "INFEASIBLE", 0, "FAILED", 3, "UNKNOWN", 0, "ERROR", 0, "SKIPPED", 0),
        summary.statusCounts("greedy"));
    assertEquals(Map.of("OPTIMAL", 2, "FEASIBLE", 0, "INFEASIBLE", 2, "FAILED", 0, "UNKNOWN", 0, "ERROR", 0, "SKIPPED", 0),
        summary.statusCounts("cpsat"));
  }

  @Test
  void markdownStatesTheHeadlineNumbers() {
    String md = summary.markdown("Ran on a test.");
    assertTrue(md.contains("| greedy (mainline) succeeds | 1 of 4 maps (25.0%) |"), md);
    assertTrue(md.contains("| greedy fails although a layout exists under the same rules (holes memlist) | 1 map |"), md);
    assertTrue(md.contains("| greedy fails; only the CMR-holes greedy finds a layout | 1 map |"), md);
    assertTrue(md.contains("| proven to have no layout under the same rules (within the solvers' layout family) | 2 maps |"), md);
    assertTrue(md.contains("| PAMT greedy / optimal | median 1.1000, p90 1.1000, max 1.1000 over 1 map with a proven optimum |"), md);
    assertTrue(md.contains("| greedy | 0 | 1 | 0 | 3 | 0 | 0 | 0 |"), md);
    assertTrue(md.contains("| cpsat | 40 | 4000 | 4000 | 4000 |"), md);
    assertTrue(md.contains("| b | 3 | 4 | TDMR [0x0, 0x80000000): reserved areas exhausted. | cpsat OPTIMAL | 200 B (cpsat) |"), md);
    assertTrue(md.contains("| d | 3 | 4 | TDMR [0x0, 0x80000000): reserved areas exhausted. | greedy-cmr FEASIBLE | 300 B (greedy-cmr) |"), md);
  }

  @Test
  void csvQuotesTextWithCommasAndLeavesMissingNumbersEmpty() {
    String csv = ResultsCsv.write(List.of(rows.get(2), rows.get(1)));
    assertEquals(ResultsCsv.HEADER + "\n"
        + "b,test,3,2147483648,4,greedy,FAILED,,,0,0,2,0,0,\"TDMR [0x0, 0x80000000): reserved areas exhausted.\"\n"
        + "a,test,3,2147483648,4,cpsat,OPTIMAL,100,,2,4,40,0,0,\n", csv);
  }

  @Test
  void chartsAreSvgWithOneSeriesPerEngine() {
    Map<String, String> charts = SweepCharts.all(rows, summary);
    assertEquals(List.of("feasibility.svg", "pamt-ratio.svg", "solve-time.svg"), List.copyOf(charts.keySet()));
    for (String svg : charts.values()) {
      assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
      assertTrue(svg.endsWith("</svg>\n"));
    }
    // All four maps have 4 holes in their fullest kernel TDMR: one bucket "0-4 (n=4)"; the greedy
    // solves 1 of 4, some engine under the memlist rules 2 of 4 (a, b; d only with CMR holes).
    assertTrue(charts.get("feasibility.svg").contains(">0-4<") && charts.get("feasibility.svg").contains(">(n=4)<"));
    assertTrue(charts.get("feasibility.svg").contains("<title>greedy 0-4 (n=4): 25.0%</title>"));
    assertTrue(charts.get("feasibility.svg").contains("<title>some engine, same rules 0-4 (n=4): 50.0%</title>"));
    assertTrue(charts.get("solve-time.svg").contains(">cpsat (4)<"));
  }
}
