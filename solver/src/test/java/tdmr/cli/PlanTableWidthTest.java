package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.parse.LayoutJson;
import tdmr.parse.RealMaps;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * plan's TDMR table on an 80-column terminal. canonical/tdx#331's kernel layout has TDMRs up to
 * [0x10000000000, 0x10080000000) (30 characters) and PAMT chunks at addresses of 11 characters
 * (0x100000000 and up): columns of 1, 30, 7 ("444 GiB"), 4 ("node"), 8 ("reserved"), 8 ("1.74 GiB")
 * and 11 characters with 6 gaps of 2 make rows of 81, over the 79 a line may take; without the
 * "PAMT at" column 68. Folding a row would break the table, so the column goes under it.
 */
class PlanTableWidthTest {
  private static String text(MemoryMap map, EngineResult r, int width) {
    return new PlanText(map, TdxLimits.DEFAULT, Policy.DEFAULT).render(List.of(r), new Terminal(false, width), "x");
  }

  @Test
  void aTableTooWideForTheTerminalListsWhereEachPamtLiesUnderIt() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.SEAMCALL_331);
    EngineResult r = new GreedyEngine().solve(map, TdxLimits.DEFAULT, Policy.DEFAULT, SolveOptions.DEFAULT);
    Layout layout = r.layout().orElseThrow();
    assertEquals(4, layout.size());
    String narrow = text(map, r, Prose.WIDTH);
    // The header and a row per TDMR (the prose under the table folds at word boundaries).
    List<String> table = narrow.lines().dropWhile(l -> !l.startsWith("#  TDMR")).limit(1 + layout.size()).toList();
    assertEquals("#  TDMR                               size  node  reserved      PAMT", table.get(0));
    assertTrue(table.stream().allMatch(l -> l.length() <= Prose.WIDTH), String.join("\n", table));
    for (int i = 0; i < layout.size(); i++) {
      assertTrue(narrow.contains("\n  TDMR %d PAMT: one chunk at 0x%x\n".formatted(i,
          layout.tdmrs().get(i).pamt().fourK().base())), narrow);
    }
    // Into a pipe nothing is folded: the column stays.
    String piped = text(map, r, Terminal.UNLIMITED);
    assertTrue(piped.contains("\n#  TDMR                               size  node  reserved      PAMT  PAMT at\n"), piped);
    assertFalse(piped.contains("one chunk at"), piped);
  }

  /**
   * The node column names every node whose memory a TDMR covers. On the Westmere-EX map (memblock
   * lines: node 0 [1 MiB, 0x7b43e000) and [4 GiB, 34 GiB), node 1 [34 GiB, 66 GiB), node 2 to
   * 98 GiB, node 3 to 130 GiB) the layout of two TDMRs [0, 2 GiB) and [4 GiB, 130 GiB) has one TDMR
   * on node 0 and one over nodes 0 to 3 (not "0", the node of its first block alone).
   */
  @Test
  void aTdmrOverSeveralNodesNamesThemAll() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.WESTMERE_EX);
    Path file = Path.of("src/test/resources/check/westmereex-two-tdmrs-across-nodes.json");
    Layout layout = LayoutJson.read(file.toString(), Files.readString(file));
    EngineResult r = new EngineResult("hand", Status.FEASIBLE, Optional.of(layout),
        OptionalLong.of(layout.pamtBytes()), OptionalLong.empty(), List.of(), 0, 0, 0, 0);
    String text = text(map, r, Terminal.UNLIMITED);
    assertTrue(text.contains("\n0  [0x0, 0x80000000)              2 GiB     0 "), text);
    assertTrue(text.contains("\n1  [0x100000000, 0x2080000000)  126 GiB   0-3 "), text);
  }

  @Test
  void aTableThatFitsKeepsItsColumn() throws Exception {
    // canonical/tdx#135 with both 4 KiB islands given up: one TDMR [0, 2G), PAMT at 0x100000 (README).
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    EngineResult r = new GreedyEngine().solve(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(18), Policy.DEFAULT,
        SolveOptions.DEFAULT);
    String narrow = new PlanText(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(18), Policy.DEFAULT)
        .render(List.of(r), new Terminal(false, Prose.WIDTH), "x");
    assertTrue(narrow.contains("\n#  TDMR                size  node  reserved      PAMT  PAMT at\n"), narrow);
    assertTrue(narrow.contains("\n0  [0x0, 0x80000000)  2 GiB     0     18/18  8.02 MiB  0x100000\n"), narrow);
  }
}
