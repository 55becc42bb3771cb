package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Policy;

/**
 * A layout found within fewer TDMRs is an upper bound for more: merged into a point that found
 * worse (seen on the tdvf map under load: 63 TDMRs "at most 1" area, 64 TDMRs "at most 5").
 */
class FrontierPointTest {
  private static FrontierPoint point(int n, Status status, Integer least, int atMost, int atLeast, long pamt,
      Long bound, String by) {
    return new FrontierPoint(n, status, least == null ? OptionalInt.empty() : OptionalInt.of(least),
        OptionalInt.of(atMost), atLeast, OptionalLong.of(pamt), bound == null ? OptionalLong.empty()
        : OptionalLong.of(bound), OptionalInt.of(1), List.of(by.split("\\+")), 1, OptionalLong.of(0), List.of());
  }

  @Test
  void aLayoutWithinFewerTdmrsIsAnUpperBoundForMore() {
    FrontierPoint at63 = point(63, Status.FEASIBLE, 1, 1, 1, 54_251_520, null, "cpsat");
    FrontierPoint at64 = point(64, Status.UNKNOWN, null, 5, 0, 25_690_112, null, "z3");
    FrontierPoint merged = at64.merge(at63.layoutOnlyAt(64), Policy.DEFAULT);
    assertEquals(64, merged.maxTdmrs());
    assertEquals(Status.UNKNOWN, merged.status());
    assertEquals(OptionalInt.of(1), merged.reservedAtMost());
    assertEquals(OptionalLong.of(54_251_520), merged.pamtBytes());
    // What 64 TDMRs proved stays; the proofs at 63 say nothing about 64.
    assertEquals(0, merged.reservedAtLeast());
    assertEquals(OptionalInt.empty(), merged.minReserved());
  }

  private static FrontierPoint withRemote(FrontierPoint p, long remote) {
    return new FrontierPoint(p.maxTdmrs(), p.status(), p.minReserved(), p.reservedAtMost(), p.reservedAtLeast(),
        p.pamtBytes(), p.pamtBoundBytes(), p.tdmrsUsed(), p.provers(), p.solves(), OptionalLong.of(remote),
        p.restrictions());
  }

  /**
   * Two unproven answers at one limit with as many areas: under PAMT node-local (module family) the
   * layout with less remote PAMT is the point's, though it has more PAMT; under PAMT any the cheaper.
   * A bound the layout with remote PAMT meets is not stated: a layout with less remote PAMT may need more.
   */
  @Test
  void underNodeLocalTheLayoutWithLessRemotePamtIsThePoints() {
    Policy nodeLocal = Policy.DEFAULT.withFamily(Policy.Family.MODULE);
    Policy any = nodeLocal.withPamt(Policy.PamtPlacementPolicy.ANY);
    FrontierPoint local = withRemote(point(3, Status.FEASIBLE, 1, 1, 1, 120, null, "cpsat"), 0);
    FrontierPoint remote = withRemote(point(2, Status.FEASIBLE, 1, 1, 1, 100, 100L, "z3"), 64).layoutOnlyAt(3);
    assertEquals(OptionalLong.of(120), local.merge(remote, nodeLocal).pamtBytes());
    assertEquals(OptionalLong.of(0), local.merge(remote, nodeLocal).remotePamtBytes());
    assertEquals(OptionalLong.of(100), local.merge(remote, any).pamtBytes());

    FrontierPoint cheapRemote = withRemote(point(3, Status.FEASIBLE, 1, 1, 1, 100, 100L, "z3"), 64);
    FrontierPoint merged = cheapRemote.merge(withRemote(point(3, Status.FEASIBLE, 1, 1, 1, 130, null, "cpsat"), 64),
        nodeLocal);
    assertEquals(Status.FEASIBLE, merged.status());
    assertEquals(OptionalLong.empty(), merged.pamtBoundBytes());
    assertEquals(Status.OPTIMAL, cheapRemote.merge(withRemote(point(3, Status.FEASIBLE, 1, 1, 1, 130, null, "cpsat"),
        64), any).status());
  }

  @Test
  void aProvenPointKeepsItsAnswerAndABoundMeetsACheaperLayout() {
    FrontierPoint optimal = point(3, Status.OPTIMAL, 2, 2, 2, 100, 100L, "cpsat");
    assertEquals(optimal, optimal.merge(point(2, Status.OPTIMAL, 2, 2, 2, 100, 100L, "z3").layoutOnlyAt(3), Policy.DEFAULT));
    // The limit proven at 3 (2 areas), the PAMT not: a layout within 2 TDMRs with 2 areas meets the bound.
    FrontierPoint feasible = point(3, Status.FEASIBLE, 2, 2, 2, 120, 90L, "cpsat");
    FrontierPoint merged = feasible.merge(point(2, Status.OPTIMAL, 2, 2, 2, 90, 90L, "cpsat+bounds").layoutOnlyAt(3), Policy.DEFAULT);
    assertEquals(Status.OPTIMAL, merged.status());
    assertEquals(OptionalLong.of(90), merged.pamtBytes());
    assertEquals("cpsat", merged.provedBy());
  }
  private static FrontierPoint restricted(FrontierPoint p, String... why) {
    return new FrontierPoint(p.maxTdmrs(), p.status(), p.minReserved(), p.reservedAtMost(), p.reservedAtLeast(),
        p.pamtBytes(), p.pamtBoundBytes(), p.tdmrsUsed(), p.provers(), p.solves(), p.remotePamtBytes(), List.of(why));
  }

  /**
   * The merged point names the restrictions of the proofs it states, not of every answer merged: here
   * the second answer's lower limit (2 areas, over the first's 1) and its PAMT bound (95 B, over the
   * first's 80 B at the same area limit) are the ones stated, so only its restriction is named. Of two
   * equal lower limits, the one proven without restrictions is stated.
   */
  @Test
  void aMergedPointNamesOnlyTheRestrictionsOfTheProofsItStates() {
    FrontierPoint first = restricted(point(3, Status.UNKNOWN, null, 3, 1, 100, 80L, "cpsat"), "R1");
    FrontierPoint second = restricted(point(3, Status.UNKNOWN, null, 3, 2, 110, 95L, "z3"), "R2");
    FrontierPoint merged = first.merge(second, Policy.DEFAULT);
    assertEquals(2, merged.reservedAtLeast());
    assertEquals(OptionalLong.of(95), merged.pamtBoundBytes());
    assertEquals(OptionalLong.of(100), merged.pamtBytes());
    assertEquals(List.of("R2"), merged.restrictions());

    FrontierPoint unrestricted = point(3, Status.UNKNOWN, null, 4, 2, 100, null, "bounds");
    FrontierPoint lowerOnly = restricted(point(3, Status.UNKNOWN, null, 4, 2, 120, null, "cpsat"), "R1");
    assertEquals(List.of(), lowerOnly.merge(unrestricted, Policy.DEFAULT).restrictions());
    // A layout carries no restriction: merging one in names only what the proofs rest on.
    assertEquals(List.of("R1"), first.merge(point(2, Status.UNKNOWN, null, 3, 0, 90, null, "z3").layoutOnlyAt(3),
        Policy.DEFAULT).restrictions());
  }
}
