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
  private final SweepSummary summary = new SweepSummary(rows, TdxLimits.DEFAULT, Policy.Holes.MEMLIST, 10);

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
    SweepSummary cmr = new SweepSummary(rows, TdxLimits.DEFAULT, Policy.Holes.CMR, 10);
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
    assertTrue(md.contains("| cpsat | 4 | 0 | 40 | 4000 | 4000 | 4000 |"), md);
    assertTrue(md.contains("| b | 3 | 4 | TDMR [0x0, 0x80000000): reserved areas exhausted. | cpsat OPTIMAL | 200 B (cpsat) |"), md);
    assertTrue(md.contains("| d | 3 | 4 | TDMR [0x0, 0x80000000): reserved areas exhausted. | greedy-cmr FEASIBLE | 300 B (greedy-cmr) |"), md);
  }

  // Time-outs, all four maps in one fragmentation bucket:
  //   a: cpsat OPTIMAL;    z3 UNKNOWN (time limit, no layout)
  //   b: cpsat OPTIMAL;    z3 FEASIBLE (time limit, layout without proof)
  //   c: cpsat INFEASIBLE; z3 INFEASIBLE
  //   d: cpsat UNKNOWN;    z3 UNKNOWN (no engine answered)
  private final List<SweepRow> timeOutRows = List.of(
      row("a", "cpsat", "OPTIMAL", 100, 2, 4, 40),
      row("a", "z3", "UNKNOWN", 0, 0, 0, 10_020),
      row("b", "cpsat", "OPTIMAL", 200, 1, 3, 50),
      row("b", "z3", "FEASIBLE", 210, 2, 3, 10_030),
      row("c", "cpsat", "INFEASIBLE", 0, 0, 0, 5),
      row("c", "z3", "INFEASIBLE", 0, 0, 0, 70),
      row("d", "cpsat", "UNKNOWN", 0, 0, 0, 10_010),
      row("d", "z3", "UNKNOWN", 0, 0, 0, 10_040));

  @Test
  void aTimeOutIsNeitherNoLayoutNorASolveTime() {
    SweepSummary s = new SweepSummary(timeOutRows, TdxLimits.DEFAULT, Policy.Holes.MEMLIST, 10);
    assertEquals(3, s.timeOuts("z3").size());
    assertEquals(1, s.timeOuts("cpsat").size());
    // z3 finished one solve (70 ms); its three time-outs sort after it, so from p50 on the percentile is one
    assertEquals("70", s.solveTimePercentile("z3", 25));
    assertEquals(">10 s", s.solveTimePercentile("z3", 50));
    assertEquals("50", s.solveTimePercentile("cpsat", 75));
    assertEquals(">10 s", s.solveTimePercentile("cpsat", 100));
    String md = s.markdown("");
    assertTrue(md.contains("| z3: the time limit (10 s) struck before a proof (not \"no layout\") | 3 maps: 2 without a layout, 1 with an unproven one |"), md);
    assertTrue(md.contains("| cpsat: the time limit (10 s) struck before a proof (not \"no layout\") | 1 map: 1 without a layout, 0 with an unproven one |"), md);
    assertTrue(md.contains("| z3 | 4 | 3 | >10 s | >10 s | >10 s | >10 s |"), md);
    // by origin: cpsat proved a, b, c; z3 proved c
    assertTrue(md.contains("| test | 4 | 3 | 40 | >10 s | >10 s | 1 | >10 s | >10 s | >10 s |"), md);
    // maps with a layout per origin, with the time-outs without one apart
    assertTrue(md.contains("| test | 4 | 2 (+1 timed out) | 1 (+2 timed out) | 2 |"), md);
  }

  @Test
  void chartsDrawTimeOutsApartFromNoLayoutAndFromSolveTimes() {
    SweepSummary s = new SweepSummary(timeOutRows, TdxLimits.DEFAULT, Policy.Holes.MEMLIST, 10);
    Map<String, String> charts = SweepCharts.all(timeOutRows, s, 10);
    String feasibility = charts.get("feasibility.svg");
    // z3 has a layout on b (25%); a and d (50%) are pale on top, not part of "no layout"
    assertTrue(feasibility.contains("<title>z3 0-4 (n=4): 25.0%</title>"), feasibility);
    assertTrue(feasibility.contains("<title>z3 0-4 (n=4): 50.0% time limit, no answer</title>"), feasibility);
    assertTrue(feasibility.contains("<title>cpsat 0-4 (n=4): 25.0% time limit, no answer</title>"), feasibility);
    // some engine: a layout on a and b; c is proven to have none; only d is unanswered
    assertTrue(feasibility.contains("<title>some engine, same rules 0-4 (n=4): 50.0%</title>"), feasibility);
    assertTrue(feasibility.contains("<title>some engine, same rules 0-4 (n=4): 25.0% time limit, no answer</title>"), feasibility);
    assertTrue(feasibility.contains(">pale: time limit, no<"), feasibility);
    String time = charts.get("solve-time.svg");
    // one measured z3 solve; three time-outs as crosses on the 10 s line
    assertTrue(time.contains(">z3 (1)<"), time);
    assertTrue(time.contains(">z3 time-out (3)<"), time);
    assertTrue(time.contains(">cpsat time-out (1)<"), time);
    assertTrue(time.contains(">time limit 10 s<"), time);
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
    Map<String, String> charts = SweepCharts.all(rows, summary, 10);
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
