package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.FourKiBIslandMap;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Z3's module family against the referee ({@link ExhaustiveSearch}, which searches the whole family
 * without restrictions) on the hand-derived maps CP-SAT's module tests use: the same status, the
 * same optimum in every tier, every layout valid, and every answer naming the module family.
 */
class Z3ModuleFamilyTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final TdxLimits THREE = TdxLimits.DEFAULT.withMaxTdmrs(3);

  static void agree(MemoryMap map, TdxLimits limits, Policy policy) {
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(map, limits, policy).best();
    EngineResult r = new Z3Engine().solve(map, limits, policy, new SolveOptions(60, 1, 0));
    String what = map.source() + " " + policy + " " + limits + "\n" + r.messages() + "\nexpected "
        + expected.map(ExhaustiveSearch.Result::layout);
    assertEquals(Policy.Family.MODULE, r.family(), what);
    assertTrue(r.restrictions().isEmpty(), "no restriction applies on these small maps: " + what);
    if (expected.isEmpty()) {
      assertEquals(Status.INFEASIBLE, r.status(), what);
      return;
    }
    assertEquals(Status.OPTIMAL, r.status(), what);
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, policy, r.layout().orElseThrow()), what);
    LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
    assertTrue(expected.get().score().sameRank(got, policy), "got " + got + " want " + expected.get().score() + "\n" + what);
  }

  static List<Policy> policies() {
    List<Policy> out = new ArrayList<>();
    for (Policy.Holes h : Policy.Holes.values()) {
      for (Policy.Coverage c : Policy.Coverage.values()) {
        out.add(new Policy(h, Policy.PamtPlacementPolicy.NODE_LOCAL, c, Policy.Family.MODULE));
      }
    }
    return out;
  }


  @Test
  void plainGranule() {
    for (Policy p : policies()) {
      agree(MemoryMap.ofBlocks("plain", List.of(new MemoryBlock(G, 2 * G, 0))), THREE, p);
    }
  }

  @Test
  void islands() {
    for (Policy p : policies()) {
      agree(FourKiBIslandMap.of(), THREE, p);
      agree(FourKiBIslandMap.of(), THREE.withMaxReservedPerTdmr(2), p);
      MemoryMap cmr = MemoryMap.of("cmr", FourKiBIslandMap.of().blocks(), List.of(new AddressRange(M, G)));
      agree(cmr, THREE.withMaxReservedPerTdmr(1), p);
    }
  }

  @Test
  void paddedFill() {
    MemoryMap map = MemoryMap.ofBlocks("island64", List.of(
        new MemoryBlock(M, 512 * M, 0),
        new MemoryBlock(512 * M + 64 * K, 512 * M + 128 * K, 0),
        new MemoryBlock(513 * M, G, 0)));
    for (Policy p : policies()) {
      agree(map, THREE.withMaxReservedPerTdmr(2), p);
    }
  }

  /** The map CP-SAT's hand cases skip (its known area undercount): TDMRs without memory lend their levels. */
  @Test
  void memorylessTdmrLendsLevels() {
    long base = 256 * M;
    List<MemoryBlock> blocks = new ArrayList<>(List.of(new MemoryBlock(M, base, 0)));
    for (int i = 0; i < 4; i++) {
      long s = base + 4 * K + 8 * K * i;
      blocks.add(new MemoryBlock(s, s + 4 * K, 0));
    }
    blocks.add(new MemoryBlock(base + 40 * K, G, 0));
    MemoryMap map = MemoryMap.ofBlocks("islands", blocks);
    for (Policy p : policies()) {
      agree(map, TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(4), p);
    }
  }

  /**
   * One block of 1 GiB and 1027 pages from 4 GiB: the TDMR [4 GiB, 5 GiB) needs 1024 + 2 + 1 pages
   * of levels (4 MiB, 8 KiB and 4 KiB), which fill the 1027 pages of the next granule exactly, so
   * that granule stays out of every TDMR and no area is needed: 4 206 592 bytes, 1 TDMR, 0 areas.
   * Covering both granules instead costs 2048 + 4 + 1 pages and an area. (Z3 once claimed the
   * 8 409 088 bytes of the latter optimal: its own PAMT bound counted the filled granule twice.)
   */
  @Test
  void granuleLeftOutFilledByPamt() {
    MemoryMap map = MemoryMap.ofBlocks("left-out", List.of(new MemoryBlock(4 * G, 5 * G + 1027 * 4 * K, 0)));
    Policy policy = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
        Policy.Family.MODULE);
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, policy, new SolveOptions(60, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    LayoutScore s = LayoutScore.of(map, TdxLimits.DEFAULT, policy, r.layout().orElseThrow());
    assertEquals(1027 * 4 * K, s.pamtBytes(), r.messages().toString());
    assertEquals(1, s.tdmrs());
    assertEquals(0, s.reservedAreas());
    for (Policy p : policies()) {
      agree(map, THREE, p);
    }
  }

  /**
   * One block of 257 GiB from 4 GiB, node 0. One TDMR over all of it needs 257·1024 + 257·2 + 2 =
   * 263 684 pages of levels. A 256 GiB TDMR needs 262 144 + 512 + 1 = 262 657 pages, and its 4K
   * level (exactly 1 GiB) fills the granule left out at one end of the block, its 2M and 1G levels
   * beside it inside the TDMR (one area there): 1 075 843 072 bytes, 1 TDMR, 1 area. Leaving out two
   * granules would need 524 288 pages of PAMT. (Z3's encoding covered every whole GiB of a run with
   * a TDMR and found 263 684 pages.)
   */
  @Test
  void wholeGiBLeftOutAtTheEndOfARun() {
    MemoryMap map = MemoryMap.ofBlocks("257GiB", List.of(new MemoryBlock(4 * G, 261 * G, 0)));
    Policy policy = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
        Policy.Family.MODULE);
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, policy, new SolveOptions(60, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, policy, layout));
    LayoutScore s = LayoutScore.of(map, TdxLimits.DEFAULT, policy, layout);
    assertEquals(262_657 * 4 * K, s.pamtBytes(), r.messages().toString());
    assertEquals(1, s.tdmrs());
    assertEquals(1, s.reservedAreas());
    assertEquals(256 * G, layout.tdmrs().get(0).range().size());
  }

  /**
   * Node 0 of a generated one-socket host (seed 7's realistic-1s2n-256GiB-5i), without its holes:
   * blocks [1 MiB, 2 GiB) and [4 GiB, 258 GiB). Covering both runs costs 2·1024 + 4 + 1 = 2 053
   * pages for [0, 2 GiB) and 254·1024 + 508 + 1 = 260 605 for the rest, 262 658 in all. Leaving the
   * low granule (1 GiB less its first MiB: 261 888 pages) out of every TDMR, [1 GiB, 2 GiB) needs
   * only 1 027 pages, 261 632 in all, 256 short of the granule: padded, the levels fill it exactly,
   * 261 888 pages, and nothing lies inside a TDMR (0 areas). Any other granule left out holds 262 144
   * pages, more. No whole granule lies at a run's end of the kind {@code runEndCandidates} offers
   * (its levels are padded), so Z3 needs {@code leftOutCandidates}, as CP-SAT starts.
   */
  @Test
  void lowGranuleLeftOutFilledByPaddedLevels() {
    MemoryMap map = MemoryMap.ofBlocks("low-left-out", List.of(new MemoryBlock(M, 2 * G, 0),
        new MemoryBlock(4 * G, 258 * G, 0)));
    Policy policy = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
        Policy.Family.MODULE);
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, policy, new SolveOptions(60, 1, 0));
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, policy, layout));
    LayoutScore s = LayoutScore.of(map, TdxLimits.DEFAULT, policy, layout);
    assertEquals(261_888 * 4 * K, s.pamtBytes(), r.messages().toString());
    assertEquals(2, s.tdmrs());
    assertEquals(0, s.reservedAreas());
  }

  /**
   * Levels over the edge where blocks of two nodes touch, under PAMT {@code any} (where runs of PAMT
   * flow over such edges since 2026-12-05, and Z3 no longer names straddling levels): the maps of
   * {@code ModuleFamilyRefereeTest}, whose optima need a level over one edge (a 4-page 2M level over
   * a 2-page block and the next block's first 2 pages; or over two one-page blocks' edge) or over two
   * edges (over a one-page block between two others). The referee searches them whole.
   */
  @Test
  void levelsOverTouchingBlocksUnderPamtAny() throws Exception {
    Policy any = Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    TdxLimits one = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/family");
    agree(tdmr.parse.MapReader.read(dir.resolve("straddling-level.json")), one, any);
    agree(tdmr.parse.MapReader.read(dir.resolve("straddling-one-page-blocks.json")), one, any.withHoles(Policy.Holes.CMR));
    MemoryMap twoEdges = MemoryMap.of("two-edges", List.of(new MemoryBlock(G + 4 * K, G + 12 * K, 1),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(G + 16 * K, 3 * G, 1)),
        List.of(new AddressRange(G + 4 * K, 3 * G)));
    agree(twoEdges, TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(3), any);
  }
}
