package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/** The layout JSON format and {@code plan --json} documents as {@code check} reads them. */
class LayoutJsonTest {
  /**
   * TDMR [0x0, 0x80000000) with the kernel's PAMT sizes for 2 GiB: 4K level 2 GiB / 4 KiB * 16 B =
   * 0x800000, 2M level 1024 * 16 = 0x4000, 1G level 2 * 16 = 32 B rounded to 0x1000; one
   * reserved area for the first MiB.
   */
  private static final Tdmr LOW =
      new Tdmr(
          0x0,
          0x80000000L,
          new Pamt(new PamtRange(0x7f000000L, 0x800000), new PamtRange(0x7f800000L, 0x4000), new PamtRange(0x7f804000L, 0x1000)),
          List.of(new ReservedArea(0x0, 0x100000)));

  private static final Tdmr HIGH =
      new Tdmr(
          0x100000000L,
          0x40000000L,
          new Pamt(new PamtRange(0x13f000000L, 0x400000), new PamtRange(0x13f400000L, 0x2000), new PamtRange(0x13f402000L, 0x1000)),
          List.of());

  @Test
  void layoutRoundTrips() throws InputException {
    Layout layout = new Layout(List.of(LOW, HIGH));
    String json = LayoutJson.write(layout);
    assertEquals(layout, LayoutJson.read("l.json", json));
    // LOW's 4K PAMT as a range: 0x7f000000 + 0x800000 = 0x7f800000.
    assertTrue(json.contains("{\"start\": \"0x7f000000\", \"end\": \"0x7f800000\", \"sizeBytes\": 8388608}"), json);
  }

  @Test
  void schemaOnesBaseSizeAndOffsetFormIsStillRead() throws InputException {
    String json =
        """
        {"tdmrs": [{"base": "0x0", "size": "0x80000000",
          "pamt": {"4k": {"base": "0x7f000000", "size": "0x800000"}, "2m": {"base": "0x7f800000", "size": "0x4000"},
                   "1g": {"base": "0x7f804000", "size": "0x1000"}},
          "reserved": [{"offset": "0x0", "size": "0x100000"}]}]}
        """;
    assertEquals(new Layout(List.of(LOW)), LayoutJson.read("l.json", json));
  }

  @Test
  void aRangeEndingBeforeItStartsIsBadInput() {
    String json =
        """
        {"tdmrs": [{"start": "0x80000000", "end": "0x0",
          "pamt": {"4k": {"start": "0x0", "end": "0x0"}, "2m": {"start": "0x0", "end": "0x0"}, "1g": {"start": "0x0", "end": "0x0"}}}]}
        """;
    InputException e = org.junit.jupiter.api.Assertions.assertThrows(InputException.class, () -> LayoutJson.read("l.json", json));
    assertTrue(e.getMessage().contains("tdmrs[0] ends at 0x0, before it starts at 0x80000000"), e.getMessage());
  }

  @Test
  void rawSixtyFourBitFieldsAreKeptForTheValidator() throws InputException {
    // A broken TDMR whose size wraps: the reader holds it, the validator reports rule B1.
    String json =
        """
        {"tdmrs": [{"base": "0xffffffffc0000000", "size": "0xffffffffffffffff",
          "pamt": {"4k": {"base": 0, "size": 0}, "2m": {"base": "0x0", "size": "0x0"}, "1g": {"base": "0x0", "size": "0x0"}}}]}
        """;
    Tdmr t = LayoutJson.read("l.json", json).tdmrs().get(0);
    assertEquals(0xffffffffc0000000L, t.base());
    assertEquals(-1L, t.size());
    assertEquals(List.of(), t.reserved());
  }

  private static String results() {
    return """
        {"results": [
          {"solver": "z3", "status": "UNKNOWN", "messages": []},
          {"solver": "greedy", "status": "FEASIBLE", "pamtBytes": 8409088, "tdmrs": [%s]},
          {"solver": "cpsat", "status": "OPTIMAL", "tdmrs": [%s]}
        ]}
        """
        .formatted(LayoutJson.tdmrTree(LOW), LayoutJson.tdmrTree(HIGH));
  }

  @Test
  void planResultsGiveTheFirstResultWithTdmrsOrTheNamedSolver() throws InputException {
    assertEquals(new Layout(List.of(LOW)), LayoutJson.read("plan.json", results()));
    assertEquals(new Layout(List.of(HIGH)), LayoutJson.read("plan.json", results(), Optional.of("cpsat")));
  }

  @Test
  void namedSolverWithoutLayoutOrMissingIsAnError() {
    InputException none = assertThrows(InputException.class, () -> LayoutJson.read("plan.json", results(), Optional.of("z3")));
    assertEquals(2, none.line());
    assertTrue(none.problem().contains("the z3 result has no layout (status UNKNOWN)"), none.problem());
    InputException missing = assertThrows(InputException.class, () -> LayoutJson.read("plan.json", results(), Optional.of("gurobi")));
    assertTrue(missing.problem().contains("solvers: [z3, greedy, cpsat]"), missing.problem());
  }

  @Test
  void missingPamtLevelNamesTheTdmrAndLine() {
    String json =
        """
        {"tdmrs": [
          {"base": "0x0", "size": "0x40000000",
           "pamt": {"4k": {"base": "0x1000", "size": "0x1000"}, "2m": {"base": "0x2000", "size": "0x1000"}}}
        ]}
        """;
    InputException e = assertThrows(InputException.class, () -> LayoutJson.read("l.json", json));
    assertEquals(3, e.line());
    assertTrue(e.problem().contains("tdmrs[0].pamt has no \"1g\""), e.problem());
  }

  @Test
  void aMapIsNotALayout() {
    InputException e = assertThrows(InputException.class, () -> LayoutJson.read("m.json", "{\"blocks\": []}"));
    assertTrue(e.problem().startsWith("not a layout"), e.problem());
  }
}
