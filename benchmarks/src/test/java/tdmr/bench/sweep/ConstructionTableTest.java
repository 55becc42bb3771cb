package tdmr.bench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class ConstructionTableTest {

  private static SweepRow row(String map, String origin, String engine, String status, long pamt) {
    OptionalLong p = status.equals("OPTIMAL") || status.equals("FEASIBLE") ? OptionalLong.of(pamt) : OptionalLong.empty();
    return new SweepRow(map, origin, 3, 1L << 31, 4, engine, status, p, OptionalLong.empty(), 1, 1, 1, 0, 0,
        status.equals("FAILED") ? "virt/tdx: initialization failed: TDMRs exhausted." : "");
  }

  // Three maps:
  //   r (real):       cpsat OPTIMAL 100; greedy FAILED;   greedy-fit FEASIBLE 100
  //   s (memmap):     cpsat OPTIMAL 200; greedy FEASIBLE 210; greedy-fit FAILED
  //   t (memmap):     cpsat INFEASIBLE;  greedy FAILED;   greedy-fit FEASIBLE 300 (outside CP-SAT's family)
  private final List<SweepRow> rows = List.of(
      row("r", "real", "greedy", "FAILED", 0),
      row("r", "real", "greedy-fit", "FEASIBLE", 100),
      row("r", "real", "cpsat", "OPTIMAL", 100),
      row("s", "memmap", "greedy", "FEASIBLE", 210),
      row("s", "memmap", "greedy-fit", "FAILED", 0),
      row("s", "memmap", "cpsat", "OPTIMAL", 200),
      row("t", "memmap", "greedy", "FAILED", 0),
      row("t", "memmap", "greedy-fit", "FEASIBLE", 300),
      row("t", "memmap", "cpsat", "INFEASIBLE", 0));
  private final ConstructionTable table =
      new SweepSummary(rows, TdxLimits.DEFAULT, Policy.Holes.MEMLIST, 10, Policy.Family.KERNEL).constructionTable();

  @Test
  void countsSuccessesAmongTheMapsWhereCpSatFoundALayoutPerOrigin() {
    assertEquals(List.of("greedy", "greedy-fit"), table.constructions());
    assertEquals(1, table.refereeLayouts("real"));
    assertEquals(1, table.refereeLayouts("memmap"));
    assertEquals(0, table.succeedsWhereRefereeDoes("greedy", "real"));
    assertEquals(1, table.succeedsWhereRefereeDoes("greedy", "memmap"));
    assertEquals(1, table.succeedsWhereRefereeDoes("greedy-fit", "real"));
    assertEquals(0, table.succeedsWhereRefereeDoes("greedy-fit", "memmap"));
    assertEquals(1, table.succeedsWhereRefereeDoes("greedy-fit", null));
  }

  @Test
  void pamtIsOverTheProvenOptimumAndShortfallsNameTheFailure() {
    assertEquals(Map.of("s", 1.05), table.pamtOverOptimum("greedy"));
    assertEquals(Map.of("r", 1.0), table.pamtOverOptimum("greedy-fit"));
    assertEquals(Map.of("s", "virt/tdx: initialization failed: TDMRs exhausted."), table.shortfalls("greedy-fit"));
    assertEquals(List.of("t (cpsat INFEASIBLE)"), table.succeedsWithoutReferee("greedy-fit"));
  }

  /** greedy's 210 over the optimum 200 is 5% above it, past 0.1%; greedy-fit's 100 over 100 is not. */
  @Test
  void mapsMoreThanATenthOfAPercentAboveTheOptimumAreListed() {
    assertEquals(Map.of("s", 1.05), table.aboveOptimum("greedy", ConstructionTable.PAMT_TOLERANCE));
    assertEquals(Map.of(), table.aboveOptimum("greedy-fit", ConstructionTable.PAMT_TOLERANCE));
    assertTrue(table.markdown().contains("greedy-fit's PAMT is more than 0.1% above CP-SAT's proven optimum on 0 maps."),
        table.markdown());
  }

  @Test
  void theSectionSaysWhichFamilyCpSatSearched() {
    String md = table.markdown();
    assertTrue(md.contains("## Kernel constructions against CP-SAT (kernel family)"), md);
    assertTrue(md.contains("| greedy-fit | 1 / 1 | 0 / 1 | 1 / 2 |"), md);
    assertTrue(md.contains("greedy-fit fails on 1 map where CP-SAT found a layout:\n- s: virt/tdx: initialization failed: TDMRs exhausted."), md);
  }
}
