package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.RefereeClaims;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * CP-SAT's reserved-areas tier minimised over the TDMR sets of {@link
 * tdmr.solver.GranulesLeftOut#setsAtBound} (PAMT at the per-node bound with granules left out of
 * every TDMR, one TDMR per run): by hand on a small map, and against {@link ExhaustiveSearch} on
 * runs of 2 or 3 GiB whose end granules hold little memory.
 */
class AreasOverTdmrSetsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final long PAGE = 4 * K;
  private static final Policy MODULE = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  /**
   * One block {@code [2G - 4M, 3G)} of node 0: 1 024 pages below 2 GiB, then a whole granule. One
   * TDMR over both granules needs 2 · 1 026 + 1 = 2 053 pages of levels; the TDMR {@code [2G, 3G)}
   * needs 1 024 + 2 + 1 = 1 027, and its 4K level (1 024 pages) fills the memory below 2 GiB
   * exactly, so that granule is left out of every TDMR: 1 027 pages, 1 TDMR. The 2M and 1G levels
   * then lie inside the TDMR (no other memory is left), in a reserved area: 1 area, and none can be
   * saved. The areas tier is minimised over the one TDMR set at that bound.
   */
  @Test
  void granuleBelowTheTdmrFilledByItsFourKLevel() {
    MemoryMap map = MemoryMap.ofBlocks("4M below 2G", List.of(new MemoryBlock(2 * G - 1024 * PAGE, 3 * G, 0)));
    EngineResult r = new CpSatEngine().solve(map, TdxLimits.DEFAULT, MODULE, new SolveOptions(60, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, MODULE, layout));
    LayoutScore s = LayoutScore.of(map, TdxLimits.DEFAULT, MODULE, layout);
    assertEquals(1027 * PAGE, s.pamtBytes());
    assertEquals(1, s.tdmrs());
    assertEquals(1, s.reservedAreas());
    assertEquals(new AddressRange(2 * G, 3 * G), layout.tdmrs().get(0).range());
    assertTrue(r.details().stream().anyMatch(d -> d.contains("every layout left has one of 1 set of TDMRs")),
        r.details().toString());
  }

  /** A map, its limits and policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  /**
   * Runs of whole granules with a little memory below and above them (so a TDMR's 4K level can fill
   * an end granule left out), and a hole of a page or two inside that an area must reserve:
   * CP-SAT's claim equals the referee's best in every ranked tier, or names a restriction and is
   * not better than it.
   */
  @Property(tries = 20, seed = "20261204")
  void areasOverTdmrSetsHoldAgainstTheReferee(@ForAll("runsWithSmallEnds") Case c) {
    EngineResult r = new CpSatEngine().solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    boolean sets = r.details().stream().anyMatch(d -> d.contains("every layout left has one of"));
    Statistics.label("areas over TDMR sets").collect(sets);
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), c + "\n" + r.details());
  }

  @Provide
  Arbitrary<Case> runsWithSmallEnds() {
    Arbitrary<Long> below = Arbitraries.of(0L, 1L, 3L, 1023L, 1024L, 1025L, 1027L);
    Arbitrary<Long> above = Arbitraries.of(0L, 1L, 2L, 1024L, 1026L);
    Arbitrary<Integer> wholeGiB = Arbitraries.integers().between(1, 2);
    Arbitrary<Long> holeAt = Arbitraries.of(-1L, 0L, 5L, 1000L);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 3),
            Arbitraries.integers().between(1, 3))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.MEMLIST, Policy.Holes.CMR);
    return Combinators.combine(below, above, wholeGiB, holeAt, limits, holes).as((b, a, n, hole, l, h) -> {
      long start = 2 * G - b * PAGE;
      long end = (2 + n) * G + a * PAGE;
      List<MemoryBlock> blocks = new ArrayList<>();
      if (hole < 0) {
        blocks.add(new MemoryBlock(start, end, 0));
      } else {
        // A one-page hole inside the first whole granule, not convertible: every TDMR over it reserves it.
        long at = 2 * G + hole * PAGE;
        if (at > start) {
          blocks.add(new MemoryBlock(start, at, 0));
        }
        blocks.add(new MemoryBlock(at + PAGE, end, 0));
      }
      MemoryMap map = MemoryMap.ofBlocks("%d pages below 2G, %d GiB, %d above, hole %d".formatted(b, n, a, hole),
          blocks);
      return new Case(map, l, new Policy(h, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
          Policy.Family.MODULE));
    });
  }
}
