package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link LeftOutIslands} through {@link FilledStart}: an island left out of every TDMR and filled
 * exactly by the levels of TDMRs cut from a run of whole GiB to fit it, one of them wholly inside
 * the run, which both engines' models leave out ({@link ModuleFamilyRestrictions#INSIDE_A_RUN}); the
 * engines answer the built layout. Values derived by hand. Sizes in 4 KiB pages: a TDMR of {@code
 * n} GiB needs {@code 1024·n} pages of 4K level, {@code 2·n} of 2M level and {@code ceil(n / 256)}
 * of 1G level.
 */
class LeftOutIslandsTest {
  private static final long K = 1024;
  private static final long P = 4 * K;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  /**
   * An island of 1030 pages at [1M, 1M + 1030 pages), a run [2G, 7G); three TDMRs. Every layout
   * covers the run (a GiB of it left out is 262 144 pages of PAMT): 5 · 1026 = 5130 pages of 4K and
   * 2M level and a 1G page per TDMR over it. Covering the island's granule costs 1026 pages more,
   * so the best leave it out, filled exactly. One TDMR over the run: of its pieces 5120, 10, 1 at
   * most 11 pages fit, padded by 1019. Two, of a and 5 - a GiB: a 4K level fits only at a = 1 (or
   * 4), 1024 pages, and then at most 2 + 1 + 1 more (8 does not fit): padded by 2, 5134 in all.
   * Three, [2G, 3G), [3G, 6G), [6G, 7G): the first's 4K level and the second's 2M level, 1024 + 6,
   * fill it exactly: 5130 + 3 = 5133 pages, the other levels in one area at the run's end. The
   * middle TDMR lies inside the run. (The smallest run where such a TDMR pays; {@link
   * ExhaustiveSearch} did not finish on it within 5 minutes, six granules and three TDMRs: {@code
   * InnerTdmrClaimsTest} compares the engines with it on runs of 3 and 4 GiB.)
   */
  @Test
  void anInnerTdmrsLevelsFillALeftOutIsland() {
    MemoryMap map = MemoryMap.ofBlocks("inner-fill", List.of(new MemoryBlock(M, M + 1030 * P, 0),
        new MemoryBlock(2 * G, 7 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3);
    LayoutScore hand = new LayoutScore(0, 0, 5133 * P, 3, 1);
    Layout built = new FilledStart(Instance.of(map, limits, MODULE)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, built));
    assertEquals(hand, LayoutScore.of(map, limits, MODULE, built));
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
      String what = e.name() + ": " + r.messages();
      assertNotEquals(Status.INFEASIBLE, r.status(), what);
      assertEquals(hand, LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()), what);
    }
  }

  /**
   * Node 0 of the sweep's realistic-2s2n-512GiB-1i (seed 1): memory [1M, 0x76bb8000) (486 072 =
   * 1024 · 474 + 696 pages) and the run [4G, 514G) (510 GiB). As above, the run is covered (510 ·
   * 1026 = 523 260 pages plus the 1G pages) and the island left out (covering a granule of it costs
   * 1026 pages), filled exactly by levels. Its 4K levels must sum to 474 GiB (with 473, the 2M and
   * 1G levels, at most 1020 + 4, do not reach it). Two TDMRs of at most 256 GiB (2 pages of 1G
   * level): no subset of them is 474 GiB. Three pages: two TDMRs, 474 and 36 GiB, then 696 pages
   * of 2M and 1G levels from 948, 72, 2, 1 (no); or three of at most 256 GiB, two of them 474 GiB
   * together and the third 36, then 2M levels of 348 GiB (696 - 0) or 347 (696 - 2 1G pages), which
   * no subset of them makes. So 523 264 pages at least of the layouts that leave the island out
   * whole; the construction's (310, 164, 36 GiB: both 4K levels, the 2M levels of 310 and 36 GiB
   * and all three 1G levels, 4 pages, fill it) has them. (Not the node's optimum: covering granule 0
   * and leaving the run's last granule out gives 523 263, {@link ExactFillBoundTest}.) The engines'
   * restricted optima had 523 884.
   */
  @Test
  void theSweepsNodeWithOneLowIslandLeftOutWholeGetsItsLeastPamt() throws Exception {
    MemoryMap map = MapReader.read(Path.of("src/test/resources/family/realistic-2s2n-512GiB-1i-node0.txt"));
    Policy policy = Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, policy);
    // LeftOutIslands' candidates alone (FilledStart.find now builds the 523 263 of CoveredIslandStart).
    Layout built = null;
    for (LeftOutGranules.Candidate c : new LeftOutIslands(instance).candidates()) {
      java.util.Optional<Layout> l = new FilledStart(instance).with(c.tdmrs(), false, c.chained());
      if (l.isPresent() && (built == null || l.get().pamtBytes() < built.pamtBytes())) {
        built = l.get();
      }
    }
    assertTrue(built != null);
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, policy, built));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, policy, built);
    assertEquals(523_264 * P, score.pamtBytes());
    assertEquals(0, score.remotePamtBytes());
    assertTrue(built.tdmrs().size() >= 3, built.toString());
  }
}
