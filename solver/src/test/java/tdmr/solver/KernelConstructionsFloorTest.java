package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A host of more nodes than the TDMR limit, in miniature (tdmr-bench's manynodes-200 has 203 blocks
 * and 64 TDMRs): three nodes of 1.5 GiB back to back from 1 MiB (node 0 to 0x60000000, node 1 to
 * 0xc0000000, node 2 to 0x120000000), one CMR, at most 2 TDMRs, PAMT node-local. Granules: g0 holds
 * node 0, g1 nodes 0 and 1, g2 node 1, g3 and g4 node 2.
 *
 * <p>The Linux greedy starts a TDMR for each block whose end rounded up to 1 GiB lies past the
 * previous TDMR (ends 2, 3, 5 GiB): 3 TDMRs, over the limit, so it fails. A kernel-family layout has
 * one PAMT chunk per TDMR, on one node; a TDMR holding g0 has its chunk on node 0 (else g0 is
 * described remotely), which has no memory in g2-g4, so at 2 TDMRs covering all memory some
 * granule is described remotely: at least one GiB's levels, 16 bytes per 4K page (4 194 304), per
 * 2M page (8 192) and per 1G page (16): 4 202 512 bytes. [0, 2G) on node 0 and [2G, 5G) on node 2
 * (g2 remote) have that, greedy-merge's layout; greedy-fit's one 5 GiB TDMR on node 0 describes
 * g2-g4 remotely, 12 607 536 bytes. PAMT of greedy-merge's: 2 GiB TDMR 2048 + 4 + 1 pages, 3 GiB
 * TDMR 3072 + 6 + 1, 5132 pages in all.
 */
class KernelConstructionsFloorTest {
  private static final TdxLimits TWO = TdxLimits.DEFAULT.withMaxTdmrs(2);
  private static final long ONE_GIB_OF_LEVELS = 4_194_304 + 8_192 + 16;
  private static MemoryMap map;

  @BeforeAll
  static void read() throws Exception {
    map = MapReader.read(Path.of("src/test/resources/family/three-nodes-two-tdmrs.json"));
    assertEquals(Status.FAILED, new GreedyEngine().solve(map, TWO, Policy.DEFAULT, SolveOptions.DEFAULT).status());
  }

  @Test
  void theConstructionsBestByTheObjectiveIsGreedyMerges() {
    EngineResult r = GreedyEngine.constructionsLayout(map, TWO, Policy.DEFAULT, Deadline.none()).orElseThrow();
    assertEquals("greedy-merge", r.solver());
    LayoutScore score = LayoutScore.of(map, TWO, Policy.DEFAULT, r.layout().orElseThrow());
    assertEquals(ONE_GIB_OF_LEVELS, score.remotePamtBytes());
    assertEquals(5132 * 4096L, score.pamtBytes());
    assertEquals(2, score.tdmrs());
  }

  /**
   * An exact engine whose searches find nothing in time (the kernel family's and the module
   * family's, as on manynodes-200, where the model was still being built at the time limit): the
   * answer is the constructions' layout, never UNKNOWN.
   */
  @Test
  void aSearchWithNothingInTimeAnswersTheConstructionsLayout() {
    EngineResult unknown = new EngineResult("fake", Status.UNKNOWN, Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of("time limit, while the model was being built"), 1, 0, 0, 0)
        .withQuestion(Question.of(Policy.Family.MODULE));
    Engine searchesInVain = new KernelFamilyFloorTest.Fake(o -> unknown, o -> unknown);
    EngineResult r = KernelFamilyFloor.of(searchesInVain).solve(map, TWO, Policy.DEFAULT, SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(List.of(), LayoutVerifier.failures(map, TWO, Policy.DEFAULT, r.layout().orElseThrow()));
    assertEquals(ONE_GIB_OF_LEVELS, LayoutScore.of(map, TWO, Policy.DEFAULT, r.layout().orElseThrow()).remotePamtBytes());
    assertEquals(OptionalLong.empty(), r.pamtBoundBytes());
    assertTrue(r.messages().get(r.messages().size() - 1)
        .startsWith("the answer is the layout of the kernel construction greedy-merge"), r.messages().toString());
  }
}
