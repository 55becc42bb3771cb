package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Module-family layouts that CP-SAT's model once left out and that its claims once failed to name
 * (found by comparing Z3 with {@link ExhaustiveSearch}): PAMT levels straddling the edge where two
 * blocks touch (over one edge, over two, under PAMT node-local), and a padded chain of 1 GiB
 * filling the last GiB of a run outside every TDMR. Each is written by hand, passes the validator,
 * and scores what is derived here; since 2026-12-05 the model holds them all, so CP-SAT reaches
 * that score and names no restriction that would leave the layout out. Sizes in 4 KiB pages: a
 * TDMR of {@code n} GiB needs {@code 1024·n} pages of 4K level, {@code 2·n} of 2M level and 1 of
 * 1G level.
 */
class ModuleFamilyRefereeTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Path DIR = Path.of("src/test/resources/family");

  private static EngineResult cpsat(MemoryMap map, TdxLimits limits, Policy policy) {
    return new CpSatEngine().solve(map, limits, policy, new SolveOptions(60, 1, 0));
  }

  /**
   * Block A = [1G + 4K, 1G + 12K) (node 0, 2 pages) touches block B = [1G + 12K, 3G) (node 1). One
   * TDMR [1G, 3G) needs 2048 + 4 + 1 = 2053 pages (8 409 088 bytes). Under PAMT {@code any} and one
   * area per TDMR, its 2M level (4 pages) covers A and B's first 2 pages, stacked on the hole [1G, 1G
   * + 4K), and the 1G and 4K levels follow it: one area [1G, 1G + 2054 pages). Without straddling,
   * A must be filled by levels that fit in 2 pages (only the 1G level, padded: one page more) or
   * lie outside the hole's area (a second area). {@link ExhaustiveSearch} agrees.
   */
  @Test
  void aLevelStraddlingTwoTouchingBlocksSavesAnArea() throws Exception {
    MemoryMap map = MapReader.read(DIR.resolve("straddling-level.json"));
    Policy any = Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    TdxLimits oneArea = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    long base = G + 4 * K;
    Pamt pamt = new Pamt(new PamtRange(base + 5 * 4 * K, 2048 * 4 * K), new PamtRange(base, 4 * 4 * K),
        new PamtRange(base + 4 * 4 * K, 4 * K));
    Layout straddling = new Layout(List.of(new Tdmr(G, 2 * G, pamt, List.of(new ReservedArea(0, 2054 * 4 * K)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, oneArea, any, straddling));
    // Remote (reported, not ranked under PAMT any): the 2M level lies on nodes 0 and 1, so it
    // describes the granule [2G, 3G) (node 1 only) remotely: 8 KiB.
    LayoutScore hand = new LayoutScore(0, 8 * K, 2053 * 4 * K, 1, 1);
    assertEquals(hand, LayoutScore.of(map, oneArea, any, straddling));
    assertEquals(hand, new ExhaustiveSearch(map, oneArea, any).best().orElseThrow().score());
    for (int areas = 1; areas <= 2; areas++) {
      TdxLimits limits = oneArea.withMaxReservedPerTdmr(areas);
      EngineResult r = cpsat(map, limits, any);
      assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
      LayoutScore got = LayoutScore.of(map, limits, any, r.layout().orElseThrow());
      assertTrue(got.sameRank(hand, any), areas + " areas: " + got);
      assertNamesNoStraddling(r);
    }
  }

  /**
   * Found by a generated case (seed 777): blocks of one page at 1G + 4K (node 0) and 1G + 8K (node
   * 1), then node 0 to 3G; CMRs are the blocks, holes {@code cmr}, PAMT {@code any}, one TDMR and
   * one area. TDMR [1G, 3G) needs 2053 pages; its one area must hold the hole [1G, 1G + 4K) and all
   * its PAMT, so both one-page blocks are PAMT: the 1G level (1 page) fills the first, the 2M level
   * (4 pages) straddles from the second into the third block, the 4K level follows. Without
   * straddling the second block needs a second one-page level, which one TDMR does not have: CP-SAT
   * answered 1 GiB ([1G, 2G) with its levels filling [2G, 3G)) as optimal without naming it.
   */
  @Test
  void oneTdmrFillsTwoOnePageBlocksOnlyByStraddling() throws Exception {
    MemoryMap map = MapReader.read(DIR.resolve("straddling-one-page-blocks.json"));
    Policy any = new Policy(Policy.Holes.CMR, Policy.PamtPlacementPolicy.ANY, Policy.Coverage.ALL, Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    long base = G + 4 * K;
    Pamt pamt = new Pamt(new PamtRange(base + 5 * 4 * K, 2048 * 4 * K), new PamtRange(base + 4 * K, 4 * 4 * K),
        new PamtRange(base, 4 * K));
    Layout straddling = new Layout(List.of(new Tdmr(G, 2 * G, pamt, List.of(new ReservedArea(0, 2054 * 4 * K)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, any, straddling));
    // Remote (not ranked under PAMT any): the 2M level on nodes 1 and 0 describes [2G, 3G) (node 0) remotely.
    LayoutScore hand = new LayoutScore(0, 8 * K, 2053 * 4 * K, 1, 1);
    assertEquals(hand, LayoutScore.of(map, limits, any, straddling));
    assertTrue(new ExhaustiveSearch(map, limits, any).best().orElseThrow().score().sameRank(hand, any));
    EngineResult r = cpsat(map, limits, any);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    LayoutScore got = LayoutScore.of(map, limits, any, r.layout().orElseThrow());
    assertTrue(got.sameRank(hand, any), got.toString());
    assertNamesNoStraddling(r);
  }

  /**
   * Found by the audit of 2026-12-05: A = [1G + 4K, 1G + 12K) (node 1, 2 pages) touches B = [1G +
   * 12K, 1G + 16K) (node 0, 1 page), which touches C = [1G + 16K, 3G) (node 1); one CMR, holes
   * {@code memlist}, PAMT {@code any}, up to 3 TDMRs and 3 areas. One TDMR [1G, 3G) needs 2048 + 4
   * + 1 = 2053 pages; its 2M level (4 pages) covers A, B and C's first page (over both edges),
   * stacked on the hole [1G, 1G + 4K), and the 4K and 1G levels follow: one area. With levels over
   * one edge at most, A and B (3 pages) are filled only by the 1G level padded or with a second
   * area (CP-SAT answered 2 areas). Remote (not ranked): the 2M level lies on nodes 0 and 1 and
   * describes [2G, 3G) (node 1 only) remotely: 8 KiB.
   */
  @Test
  void aLevelOverTwoEdgesCoversTheBlockBetween() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G + 4 * K, G + 12 * K, 1),
        new MemoryBlock(G + 12 * K, G + 16 * K, 0), new MemoryBlock(G + 16 * K, 3 * G, 1));
    MemoryMap map = MemoryMap.of("two-edges", blocks, List.of(new AddressRange(G + 4 * K, 3 * G)));
    Policy any = Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(3);
    long base = G + 4 * K;
    Pamt pamt = new Pamt(new PamtRange(base + 4 * 4 * K, 2048 * 4 * K), new PamtRange(base, 4 * 4 * K),
        new PamtRange(base + 2052 * 4 * K, 4 * K));
    Layout overTwo = new Layout(List.of(new Tdmr(G, 2 * G, pamt, List.of(new ReservedArea(0, 2054 * 4 * K)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, any, overTwo));
    LayoutScore hand = new LayoutScore(0, 8 * K, 2053 * 4 * K, 1, 1);
    assertEquals(hand, LayoutScore.of(map, limits, any, overTwo));
    assertTrue(new ExhaustiveSearch(map, limits, any).best().orElseThrow().score().sameRank(hand, any));
    EngineResult r = cpsat(map, limits, any);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertTrue(LayoutScore.of(map, limits, any, r.layout().orElseThrow()).sameRank(hand, any));
    assertNamesNoStraddling(r);
  }

  /**
   * Found by the audit of 2026-12-05, under PAMT node-local: A = [1G + 4K, 1G + 8K) (node 0, 1
   * page) touches B = [1G + 8K, 1G + 32K) (node 1, 6 pages), which touches C = [1G + 32K, 2G) (node
   * 0); one CMR, holes {@code cmr}, up to 3 TDMRs and 2 areas. One TDMR [1G, 2G) needs 1024 + 2 + 1
   * = 1027 pages: the 1G level fills A, the 2M level B's first 2 pages, the 4K level B's last 4
   * pages and C's first 1020, one area [1G, 1G + 4K + 1027 pages). The 4K level lies on nodes 0 and
   * 1, and the TDMR's one granule holds memory of both: no remote PAMT. Without it, A and B (7
   * pages) would need 4 pages of padding or a TDMR more. {@link ExhaustiveSearch} agrees.
   */
  @Test
  void aLevelOnTwoNodesDescribesAGranuleOfBothLocally() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 8 * K, G + 32 * K, 1), new MemoryBlock(G + 32 * K, 2 * G, 0));
    MemoryMap map = MemoryMap.of("two-nodes", blocks, List.of(new AddressRange(G + 4 * K, 2 * G)));
    Policy local = new Policy(Policy.Holes.CMR, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL,
        Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(2);
    long base = G + 4 * K;
    Pamt pamt = new Pamt(new PamtRange(base + 3 * 4 * K, 1024 * 4 * K), new PamtRange(base + 4 * K, 2 * 4 * K),
        new PamtRange(base, 4 * K));
    Layout onTwo = new Layout(List.of(new Tdmr(G, G, pamt, List.of(new ReservedArea(0, 1028 * 4 * K)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, local, onTwo));
    LayoutScore hand = new LayoutScore(0, 0, 1027 * 4 * K, 1, 1);
    assertEquals(hand, LayoutScore.of(map, limits, local, onTwo));
    assertEquals(hand, new ExhaustiveSearch(map, limits, local).best().orElseThrow().score());
    EngineResult r = cpsat(map, limits, local);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(hand, LayoutScore.of(map, limits, local, r.layout().orElseThrow()));
    assertNamesNoStraddling(r);
  }

  private static void assertNamesNoStraddling(EngineResult r) {
    assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.STRADDLING), r.restrictions().toString());
    assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.STRADDLING_INTO_FILL), r.restrictions().toString());
  }

  /**
   * Block A = [1G + 4K, 1G + 8K) (node 0) touches B = [1G + 8K, 4G) (node 1); one TDMR and one area
   * under the default policy (PAMT node-local). TDMR [0, 3G) covers A and B up to 3G with one area
   * (the hole [0, 1G + 4K)); its levels (3072 + 6 + 1 pages), the 4K level padded, fill [3G, 4G)
   * outside it on node 1, which describes both of its memory granules locally: 1 GiB of PAMT, no
   * remote. Every other layout with one TDMR and one area has more PAMT or remote PAMT: a TDMR
   * reaching 4G must stack its levels on the hole, over A (node 0, remote for the granule [2G, 3G)),
   * and one ending at 2G leaves 2 GiB to fill.
   */
  @Test
  void aPaddedChainOfOneGibSavesATdmrsArea() throws Exception {
    MemoryMap map = MapReader.read(DIR.resolve("padded-chain.json"));
    Policy module = Policy.KERNEL.withFamily(Policy.Family.MODULE);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1).withMaxReservedPerTdmr(1);
    long top = 4 * G;
    Pamt pamt = new Pamt(new PamtRange(3 * G, G - 7 * 4 * K), new PamtRange(top - 7 * 4 * K, 6 * 4 * K),
        new PamtRange(top - 4 * K, 4 * K));
    Layout padded = new Layout(List.of(new Tdmr(0, 3 * G, pamt, List.of(new ReservedArea(0, G + 4 * K)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, module, padded));
    LayoutScore hand = new LayoutScore(0, 0, G, 1, 1);
    assertEquals(hand, LayoutScore.of(map, limits, module, padded));
    assertEquals(hand, new ExhaustiveSearch(map, limits, module).best().orElseThrow().score());
    EngineResult r = cpsat(map, limits, module);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, module, r.layout().orElseThrow()));
    // The model holds such chains now: it finds the layout and names no restriction for it.
    assertEquals(hand, LayoutScore.of(map, limits, module, r.layout().orElseThrow()));
    assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.CHAINS), r.restrictions().toString());
  }
  /**
   * Blocks L1 = [1G + 4K, 1G + 8K) and L2 = [1G + 12K, 1G + 20K) (node 0, 1 and 2 pages) and A =
   * [2G, 3G) (node 0) touching B = [3G, 4G) (node 1); one TDMR, default areas and policy (PAMT
   * node-local). A TDMR holding memory holds memory of one node only or of both, and the memory it
   * leaves out (B, or A) must be PAMT: a level on node 1 or over the edge at 3G then describes a
   * granule of node 0 remotely, and a TDMR over both nodes' granules is described remotely by any
   * level. So remote 0 needs a TDMR without memory, 1 GiB with levels of 1024, 2 and 1 pages, and
   * all 4 runs of memory PAMT: L1 only by the 1G level, L2 then only by the 2M level, so A and B one
   * run filled by the 4K level, padded, over the edge at 3G (a level over a joint into padded fills
   * on both sides). PAMT 2 GiB + 3 pages, 1 TDMR, its 1 area. {@link ExhaustiveSearch} agrees.
   */
  @Test
  void aPaddedLevelOverAJointFillsBothBlocks() {
    List<MemoryBlock> blocks = List.of(new MemoryBlock(G + 4 * K, G + 8 * K, 0),
        new MemoryBlock(G + 12 * K, G + 20 * K, 0), new MemoryBlock(2 * G, 3 * G, 0), new MemoryBlock(3 * G, 4 * G, 1));
    MemoryMap map = MemoryMap.of("fill-bridge", blocks, blocks.stream().map(MemoryBlock::range).toList());
    Policy module = Policy.KERNEL.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1);
    Pamt pamt = new Pamt(new PamtRange(2 * G, 2 * G), new PamtRange(G + 12 * K, 8 * K), new PamtRange(G + 4 * K, 4 * K));
    Layout filled = new Layout(List.of(new Tdmr(4 * G, G, pamt, List.of(new ReservedArea(0, G)))));
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, module, filled));
    LayoutScore hand = new LayoutScore(0, 0, 2 * G + 12 * K, 1, 1);
    assertEquals(hand, LayoutScore.of(map, limits, module, filled));
    assertEquals(hand, new ExhaustiveSearch(map, limits, module).best().orElseThrow().score());
    EngineResult r = cpsat(map, limits, module);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, module, r.layout().orElseThrow()));
    assertEquals(hand, LayoutScore.of(map, limits, module, r.layout().orElseThrow()));
    assertNamesNoStraddling(r);
  }
}
