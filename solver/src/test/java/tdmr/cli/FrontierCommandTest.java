package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.solver.FrontierPoint;
import tdmr.solver.Status;
import tdmr.tdx.Policy.PamtPlacementPolicy;

class FrontierCommandTest {
  /**
   * The bundled canonical/tdx#135: one TDMR [0, 2G) needs 17 areas and 4104·2 + 4 = 8212 KiB of
   * PAMT; two or more need 16 (granule [1G, 2G) alone) and 2·4108 = 8216 KiB (see FrontierTest for
   * the derivation). Rows 2..64 are one row.
   */
  @Test
  void tableJoinsTheRowsWithTheSameAnswer() {
    CliRun run = CliRun.of("frontier", "--family", "kernel");
    assertEquals(0, run.exit(), run.err());
    String[] lines = run.out().split("\n");
    // The title (map, then policy on its own line), the header and two rows; no restriction of the
    // model follows, as every proof holds for the whole kernel family (KernelFamilyBoundsTest: one
    // TDMR needs 17 areas, more need 16 in the TDMR over granule 1).
    assertEquals(5, lines.length, run.out());
    assertTrue(lines[3].matches("1 +17 +8409088 \\(8\\.02 MiB\\) +z3"), lines[3]);
    assertTrue(lines[4].matches("2\\.\\.64 +16 +8413184 \\(8\\.02 MiB\\) +z3"), lines[4]);
    for (String line : lines) {
      // The title and the restrictions paragraph are prose, folded to the terminal's width only.
      assertTrue(line.length() <= 80 || line.startsWith("Limit frontier of") || line.startsWith("The proofs hold")
          || line.startsWith("* "), line);
    }
  }

  @Test
  void jsonHasAllSixtyFourPoints() throws Exception {
    CliRun run = CliRun.of("frontier", "--json", "--family", "kernel");
    assertEquals(0, run.exit(), run.err());
    JsonNode points = new ObjectMapper().readTree(run.out()).get("points");
    assertEquals(64, points.size());
    assertEquals(1, points.get(0).get("maxTdmrs").asInt());
    assertEquals(17, points.get(0).get("leastMaxReservedPerTdmr").asInt());
    assertEquals(8409088, points.get(0).get("pamtBytes").asLong());
    for (int i = 1; i < 64; i++) {
      assertEquals(i + 1, points.get(i).get("maxTdmrs").asInt());
      assertEquals(16, points.get(i).get("leastMaxReservedPerTdmr").asInt());
      assertEquals(8413184, points.get(i).get("pamtBytes").asLong());
    }
  }

  /**
   * Without {@code --family} the frontier is the module family's (issue #11). Issue #11 gives
   * layouts of #135 that pass {@code tdmr check} with exactly sized levels (solver/src/test/resources
   * /family): one TDMR with 15 areas, two with 12, eleven with 6; the frontier is at most those.
   */
  @Test
  void theDefaultFrontierIsTheModuleFamilys() throws Exception {
    CliRun run = CliRun.of("frontier", "--json", "--up-to", "11");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = new ObjectMapper().readTree(run.out());
    assertEquals("module", doc.get("family").asText(), run.out());
    JsonNode points = doc.get("points");
    assertEquals(11, points.size());
    assertTrue(points.get(0).get("maxReservedPerTdmrAtMost").asInt() <= 15, points.get(0).toString());
    assertTrue(points.get(1).get("maxReservedPerTdmrAtMost").asInt() <= 12, points.get(1).toString());
    assertTrue(points.get(10).get("maxReservedPerTdmrAtMost").asInt() <= 6, points.get(10).toString());
    CliRun text = CliRun.of("frontier", "--up-to", "2");
    assertTrue(text.flatOut().contains("family module)"), text.out());
  }

  @Test
  void theGreedyCannotProveFrontierPoints() {
    CliRun run = CliRun.of("frontier", "--solver", "greedy");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("the frontier needs exact engines"), run.err());
  }

  private static FrontierPoint point(int n, Status status, Integer least, Integer atMost, int atLeast, Long pamt,
      Long bound) {
    return new FrontierPoint(n, status, least == null ? OptionalInt.empty() : OptionalInt.of(least),
        atMost == null ? OptionalInt.empty() : OptionalInt.of(atMost), atLeast,
        pamt == null ? OptionalLong.empty() : OptionalLong.of(pamt), bound == null ? OptionalLong.empty() : OptionalLong.of(bound),
        OptionalInt.of(2), List.of("cpsat", "bounds"), 1, OptionalLong.of(0), List.of());
  }

  /**
   * Rows that are not proven whole say so in the row ("at most", "*") and in a note under the table
   * that states what is proven: the least limit, or the layout and the bound below it, and the PAMT
   * bound.
   */
  @Test
  void unprovenRowsSayAtMostOrStarTheirPriceAndTheNotesSayWhatIsProven() {
    List<FrontierPoint> points = List.of(
        point(1, Status.OPTIMAL, 14, 14, 14, 8_540_160L, 8_540_160L),
        point(2, Status.FEASIBLE, 10, 10, 10, 14_450_688L, 14_266_368L),
        point(3, Status.UNKNOWN, null, 10, 7, 14_266_368L, null),
        point(4, Status.UNKNOWN, null, null, 4, null, null));
    List<String> table = FrontierCommand.table(points, PamtPlacementPolicy.NODE_LOCAL);
    assertTrue(table.get(1).matches("1 +14 +8540160 \\(8\\.14 MiB\\) +cpsat\\+bounds"), table.get(1));
    assertTrue(table.get(2).matches("2 +10 +14450688 \\(13\\.78 MiB\\) \\* +cpsat\\+bounds"), table.get(2));
    assertTrue(table.get(3).matches("3 +at most 10 +14266368 \\(13\\.61 MiB\\) \\* +cpsat\\+bounds"), table.get(3));
    assertTrue(table.get(4).matches("4 +unknown +time limit +cpsat\\+bounds"), table.get(4));
    table.forEach(row -> assertTrue(row.length() <= 80, row));
    List<String> notes = FrontierCommand.notes(points);
    assertEquals(List.of(
        "* max TDMRs 2: 10 areas per TDMR proven least; its PAMT is the best found, and no layout there needs less"
            + " than 14266368 bytes (13.61 MiB).",
        "* max TDMRs 3: a layout with 10 areas per TDMR; fewer than 7 proven impossible, 7 to 9 not decided"
            + " before the time limit; its PAMT is the best found, with no lower bound proven.",
        "* max TDMRs 4: no layout found before the time limit; none has fewer than 4 areas per TDMR."), notes);
  }

  /**
   * Where some point's layout has remote PAMT, the table shows it in a column and says why a point's
   * PAMT may exceed that of fewer TDMRs (the Westmere-EX map's points 1 and 2 under node-local).
   */
  @Test
  void remotePamtGetsAColumnAndTheReasonItRanksFirst() {
    FrontierPoint one = point(1, Status.OPTIMAL, 0, 0, 0, 70_786_473_984L, 70_786_473_984L);
    FrontierPoint two = point(2, Status.OPTIMAL, 0, 0, 0, 135_210_983_424L, 135_210_983_424L);
    List<FrontierPoint> points = List.of(remote(one, 134_726_624L), remote(two, 32));
    List<String> table = FrontierCommand.table(points, PamtPlacementPolicy.NODE_LOCAL);
    assertTrue(table.get(0).matches("max TDMRs +min reserved +least PAMT there +remote PAMT +proved by"), table.get(0));
    assertTrue(table.get(1).matches("1 +0 +70786473984 \\(65\\.93 GiB\\) +128\\.49 MiB +cpsat\\+bounds"), table.get(1));
    assertTrue(table.get(2).matches("2 +0 +135210983424 \\(125\\.93 GiB\\) +32 B +cpsat\\+bounds"), table.get(2));
    table.subList(0, 3).forEach(row -> assertTrue(row.length() <= 80, row));
    assertTrue(table.get(3).startsWith("Remote PAMT (PAMT on another node than the memory it describes) ranks before"),
        table.get(3));
    // Under PAMT any remote PAMT is not ranked: the column stays, the sentence says it is only shown.
    List<String> any = FrontierCommand.table(points, PamtPlacementPolicy.ANY);
    assertEquals(table.subList(0, 3), any.subList(0, 3));
    assertTrue(any.get(3).startsWith("Remote PAMT (PAMT on another node than the memory it describes) is shown, not"
        + " ranked"), any.get(3));
    assertFalse(any.get(3).contains("ranks before PAMT bytes"), any.get(3));
    // Without remote PAMT anywhere, no column and no sentence.
    assertEquals(2, FrontierCommand.table(List.of(one), PamtPlacementPolicy.NODE_LOCAL).size());
  }

  private static FrontierPoint remote(FrontierPoint p, long bytes) {
    return new FrontierPoint(p.maxTdmrs(), p.status(), p.minReserved(), p.reservedAtMost(), p.reservedAtLeast(),
        p.pamtBytes(), p.pamtBoundBytes(), p.tdmrsUsed(), p.provers(), p.solves(), OptionalLong.of(bytes),
        p.restrictions());
  }

  /** One area is "1 area"; a single undecided limit is named alone, not as a range "2 to 2". */
  @Test
  void notesCountOneAreaAndASingleUndecidedLimit() {
    List<FrontierPoint> points = List.of(
        point(1, Status.UNKNOWN, null, 1, 0, 67_252_224L, null),
        point(2, Status.UNKNOWN, null, 3, 2, 67_252_224L, null),
        point(3, Status.UNKNOWN, null, null, 1, null, null),
        point(4, Status.FEASIBLE, 1, 1, 1, 67_252_224L, 67_248_128L));
    List<String> notes = FrontierCommand.notes(points);
    assertEquals(List.of(
        "* max TDMRs 1: a layout with 1 area per TDMR; fewer not decided before the time limit; its PAMT is the"
            + " best found, with no lower bound proven.",
        "* max TDMRs 2: a layout with 3 areas per TDMR; fewer than 2 proven impossible, 2 not decided before the"
            + " time limit; its PAMT is the best found, with no lower bound proven.",
        "* max TDMRs 3: no layout found before the time limit; none has fewer than 1 area per TDMR.",
        "* max TDMRs 4: 1 area per TDMR proven least; its PAMT is the best found, and no layout there needs less"
            + " than 67248128 bytes (64.13 MiB)."), notes);
  }
}
