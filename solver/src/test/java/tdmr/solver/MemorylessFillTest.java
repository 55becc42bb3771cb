package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * {@link MemorylessFill}: on a map of more one-granule nodes than TDMRs, the optimum derived by
 * hand and by {@link ExhaustiveSearch} (which shares no code with it) is a layout with a TDMR
 * without memory, and the construction builds one of its score.
 *
 * <p>Three nodes, each one granule of its own: [1G, 2G), [3G, 4G), [5G, 6G), within 2 TDMRs, PAMT
 * node-local. In pages of 4 KiB with 16-byte entries a 1 GiB TDMR's levels take 1 024 + 1 + 1 = 1 027
 * pages; a granule holds 262 144. Without remote PAMT every TDMR holding memory holds one node's
 * (no node has memory in two granules), so at most two nodes are in TDMRs and the third's granule,
 * left out, must be PAMT on its own node, which only a level describing no memory may be: a level
 * of a TDMR holding another node's memory describes it remotely. So a layout without remote PAMT
 * has a TDMR without memory, hence one TDMR holding memory: one node covered (1 027 pages) and two
 * granules filled by the padded levels (2 · 262 144), 525 315 pages, 2 TDMRs; two TDMRs without
 * memory would leave all three granules out (786 432 pages).
 */
class MemorylessFillTest {
  private static final long G = 1L << 30;
  private static final long PAGE = 4096;
  private static final long OPTIMUM_PAGES = 1027 + 2 * 262_144;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE)
      .withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
  private static final TdxLimits TWO = TdxLimits.DEFAULT.withMaxTdmrs(2);
  private static final MemoryMap THREE_NODES = MemoryMap.ofBlocks("three one-granule nodes", List.of(
      new MemoryBlock(G, 2 * G, 0), new MemoryBlock(3 * G, 4 * G, 1), new MemoryBlock(5 * G, 6 * G, 2)));

  @Test
  void theRefereesOptimumHasATdmrWithoutMemoryAndTheHandValue() {
    ExhaustiveSearch.Result best = new ExhaustiveSearch(THREE_NODES, TWO, MODULE).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes(), best.layout().toString());
    assertEquals(OPTIMUM_PAGES * PAGE, best.score().pamtBytes(), best.layout().toString());
  }

  @Test
  void theConstructionBuildsAnOptimumWithCpSat() {
    SolveOptions options = new SolveOptions(60, 1, 0);
    List<NodeSplit.Part> parts = NodeSplit.parts(THREE_NODES, TWO, MODULE, options).orElseThrow();
    assertEquals(3, parts.size());
    List<Optional<Layout>> known = parts.stream().map(p -> Optional.<Layout>empty()).toList();
    List<String> details = new ArrayList<>();
    CpSatEngine engine = new CpSatEngine();
    Layout layout = MemorylessFill.layout((m, l, p, o) -> engine.solve(m, l, p, o), THREE_NODES, parts, known, TWO,
        MODULE, options, Deadline.in(60), details).orElseThrow(() -> new AssertionError(details));
    assertEquals(List.of(), LayoutVerifier.failures(THREE_NODES, TWO, MODULE, layout));
    LayoutScore s = LayoutScore.of(THREE_NODES, TWO, MODULE, layout);
    assertEquals(0, s.remotePamtBytes(), layout.toString());
    assertEquals(OPTIMUM_PAGES * PAGE, s.pamtBytes(), layout.toString());
    assertEquals(2, s.tdmrs());
  }

  /** Both engines answer with a layout of the optimum's PAMT, never claiming a worse one optimal. */
  @Test
  void bothEnginesAnswerTheOptimumsPamt() {
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(THREE_NODES, TWO, MODULE, new SolveOptions(30, 1, 0));
      assertNotEquals(Status.INFEASIBLE, r.status(), e.name());
      Layout layout = r.layout().orElseThrow();
      assertEquals(List.of(), LayoutVerifier.failures(THREE_NODES, TWO, MODULE, layout));
      LayoutScore s = LayoutScore.of(THREE_NODES, TWO, MODULE, layout);
      assertEquals(0, s.remotePamtBytes(), e.name() + ": " + layout);
      assertEquals(OPTIMUM_PAGES * PAGE, s.pamtBytes(), e.name() + ": " + r.messages() + r.details());
      assertTrue(r.pamtBoundBytes().isEmpty() || r.pamtBoundBytes().getAsLong() <= OPTIMUM_PAGES * PAGE,
          e.name() + ": bound " + r.pamtBoundBytes());
    }
  }
}
