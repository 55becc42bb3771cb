package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link NodeAreaBound} on maps of nodes of 1.5 GiB, whose values are derived by hand (pages of 4
 * KiB; a TDMR of N GiB has 1024·N + 2·N + ceil(N / 256) pages of PAMT), and against {@link
 * ExhaustiveSearch}, which shares none of its reasoning: the bound never exceeds the referee's
 * least reserved areas at the referee's PAMT.
 */
class NodeAreaBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE);

  private static NodeAreaBound bound(MemoryMap map, Policy policy) {
    return new NodeAreaBound(Instance.of(map, TdxLimits.DEFAULT, policy));
  }

  /** Node 0 [1G, 2.5G), node 1 [2.5G, 4G) and, with {@code three}, node 2 [4G, 5.5G). */
  private static MemoryMap nodes(boolean three) {
    List<MemoryBlock> blocks = new java.util.ArrayList<>(List.of(new MemoryBlock(G, 2 * G + 512 * M, 0),
        new MemoryBlock(2 * G + 512 * M, 4 * G, 1)));
    if (three) {
      blocks.add(new MemoryBlock(4 * G, 5 * G + 512 * M, 2));
    }
    return MemoryMap.ofBlocks(three ? "three nodes" : "two nodes", blocks);
  }

  /** The referee's least areas, after checking that the bound at the referee's PAMT does not exceed them. */
  private static int refereeAreas(MemoryMap map, int maxTdmrs, long bound) {
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(maxTdmrs);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes());
    long pages = best.score().pamtBytes() / ByteSize.PAGE;
    long atReferee = new NodeAreaBound(Instance.of(map, limits, MODULE)).leastAreas(pages);
    assertEquals(bound, atReferee, "the bound at the referee's PAMT of " + pages + " pages");
    assertTrue(atReferee <= best.score().reservedAreas(), best.layout().toString());
    return best.score().reservedAreas();
  }

  @Test
  void twoTouchingNodesShareOneAreaAcrossTheirEdge() {
    // Granules [1G, 2G) of node 0 and [3G, 4G) of node 1: each node's levels lie on it, in a
    // reserved area; one area across 2.5G holds both. Least PAMT: TDMRs [1G, 3G) and [3G, 4G)
    // (a TDMR over all three granules has no node in all of them), 2053 + 1027 = 3080 pages.
    assertEquals(1, bound(nodes(false), MODULE).leastAreas(3080));
    assertEquals(1, refereeAreas(nodes(false), 2, 1));
  }

  @Test
  void threeTouchingNodesNeedTwoAreas() {
    // One area touching all three nodes would hold node 1's 1.5 GiB wholly, all of it PAMT: more
    // than the 3080 + 2053 = 5133 pages of the least PAMT. So two areas.
    // (Three TDMRs over 5 GiB are too many for the referee in a unit test.)
    assertEquals(2, bound(nodes(true), MODULE).leastAreas(5133));
  }

  @Test
  void aHoleOnANodeOfTwoPiecesIsCountedAndTheNodeIsNot() {
    // Node 0 [1G, 1G+16M) and [1G+16M+4K, 2.5G): the 4 KiB hole is a run inside node 0's own
    // granule (an area), and node 0 now has two pieces (its demand is not counted); node 1's
    // levels need an area on node 1, which reaches the hole only through node 0's second piece
    // (about 1.5 GiB): 2 areas.
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(G + 16 * M + 4 * K, 2 * G + 512 * M, 0), new MemoryBlock(2 * G + 512 * M, 4 * G, 1)));
    assertEquals(2, bound(map, MODULE).leastAreas(3080));
    assertEquals(2, refereeAreas(map, 2, 2));
  }

  /** Node 0 [1G, 2.5G) with holes of 4 KiB around an island of {@code island} pages at 1G + 16M; node 1 [2.5G, 4G). */
  private static MemoryMap islandBetweenHoles(long island) {
    long a = G + 16 * M;
    long b = a + 4 * K;
    long c = b + island * 4 * K;
    return MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, a, 0), new MemoryBlock(b, c, 0),
        new MemoryBlock(c + 4 * K, 2 * G + 512 * M, 0), new MemoryBlock(2 * G + 512 * M, 4 * G, 1)));
  }

  @Test
  void anIslandNoSumOfLevelsFillsKeepsItsHolesApart() {
    // Least PAMT 3080 pages (TDMRs [1G, 3G) and [3G, 4G), as in the two-node map). Node 0 has
    // memory in 2 granules, so its levels belong to TDMRs of 2 GiB in all: 1024·g, 2·g and 1 page
    // for a TDMR of g GiB. 1 000 pages is no sum of those (the 4K levels have 1 024 or 2 048, the
    // others 6 at most in all), so the island is not all PAMT and the two holes need an area each;
    // node 1's levels a third (node 0's memory between the second hole and node 1 is 1.5 GiB).
    // 1 026 pages is a 1 GiB TDMR's 4K and 2M levels: the island may be filled and both holes lie in
    // one area: 2.
    assertEquals(java.util.OptionalLong.of(3080),
        new ModuleFamilyBounds(Instance.of(islandBetweenHoles(1000), TdxLimits.DEFAULT, MODULE), true).leastPamtPages());
    assertEquals(3, bound(islandBetweenHoles(1000), MODULE).leastAreas(3080));
    assertEquals(2, bound(islandBetweenHoles(1026), MODULE).leastAreas(3080));
    // At one page more than the least PAMT nothing is known of the levels' sizes: 2.
    assertEquals(2, bound(islandBetweenHoles(1000), MODULE).leastAreas(3081));
    assertEquals(3, refereeAreas(islandBetweenHoles(1000), 2, 3));
  }

  /**
   * Where the TDMR limit binds: node 0 has {@code [1G, 2G)} with the 1 000-page island between two
   * 4 KiB holes at 1G + 16M, and {@code [3G, 4.5G)}; node 1 {@code [4.5G, 6G)}. Memory granules 1
   * and 3 are node 0's, 4 both nodes', 5 node 1's: one TDMR per run of granules sharing a node is 3
   * TDMRs. Within 2, covering every granule: {@code [1G, 5G)} (node 0) and {@code [5G, 6G)}, or
   * {@code [1G, 4G)} and {@code [4G, 6G)} (node 1), both 4 096 + 8 + 1 + 1 024 + 2 + 1 = 3 072 + 6 +
   * 1 + 2 048 + 4 + 1 = 5 132 pages; leaving a granule out costs its memory, 4 096 pages and more,
   * on top of the levels of a TDMR over what is left. So at 5 132 pages every level is unpadded and
   * node 0's levels belong to TDMRs within {@code [1G, 5G)}, 4 GiB: 1 000 pages is no sum of their
   * levels (4K levels of 1 024 pages and more, the others 12 pages at most in all), the island is
   * not all PAMT, and the two holes need an area each, node 1's levels a third (node 0's 1.5 GiB
   * lies between them and the holes): 3. Without the TDMR limit nothing bounds the levels' sizes at
   * that PAMT (it is above the least, 4 107): the island may be filled, 2. (The referee's check of
   * this regime is {@code LeftOutPamtBoundTest}'s property: its maps are small enough.)
   */
  @Test
  void anIslandNoUnpaddedLevelsFillWithinTheTdmrLimit() {
    long a = G + 16 * M;
    long b = a + 4 * K;
    long c = b + 1000 * 4 * K;
    MemoryMap map = MemoryMap.ofBlocks("island within the limit", List.of(new MemoryBlock(G, a, 0),
        new MemoryBlock(b, c, 0), new MemoryBlock(c + 4 * K, 2 * G, 0), new MemoryBlock(3 * G, 4 * G + 512 * M, 0),
        new MemoryBlock(4 * G + 512 * M, 6 * G, 1)));
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    assertEquals(java.util.OptionalLong.of(5132), LeftOutPamtBound.leastPages(map, two));
    assertTrue(LeftOutPamtBound.unpaddedAt(map, two, 5132));
    assertEquals(3, new NodeAreaBound(Instance.of(map, two, MODULE)).leastAreas(5132));
    assertEquals(2, bound(map, MODULE).leastAreas(5132));
  }

  @Test
  void nothingIsKnownWhenAGranuleCouldBeLeftOutOrUnderOtherPolicies() {
    // 262 144 pages would fill a whole granule: it might lie outside every TDMR.
    assertEquals(0, bound(nodes(true), MODULE).leastAreas(262_144));
    assertEquals(0, bound(nodes(true), MODULE.withPamt(Policy.PamtPlacementPolicy.ANY)).leastAreas(5133));
    assertEquals(0, bound(nodes(true), MODULE.withCoverage(Policy.Coverage.MAX)).leastAreas(5133));
    assertEquals(0, bound(nodes(true), Policy.DEFAULT.withFamily(Policy.Family.KERNEL)).leastAreas(5133));
  }

  @Test
  void nodesOfOneGranuleEachNeedAnAreaEach() {
    // Nodes of 1 GiB each at 1G, 2G and 3G: the boundaries 2G and 3G are walls (the granules on
    // either side hold memory of no common node), so no TDMR, and no area, crosses them: each
    // node's levels need an area of their own, 3. (The referee agrees, in 85 s: too slow to run here.)
    MemoryMap map = MemoryMap.ofBlocks("granules", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(2 * G, 3 * G, 1), new MemoryBlock(3 * G, 4 * G, 2)));
    assertEquals(3, bound(map, MODULE).leastAreas(3 * 1027));
  }

  @Test
  void eightNodesOfOneAndAHalfGibNeedSevenAreas() throws Exception {
    // The sweep's manynodes-8 map: node 0 [1M, 2G) with holes, then [4G, 5.5G); nodes 1..7 of 1.5
    // GiB each from 5.5G, touching. Its least PAMT is 14 373 pages (ModuleFamilyBounds). Runs of
    // holes below 4G, each starting or ending inside a granule of about 0.9-1 GiB of memory:
    // [0, 1M), [0x7198d000, 0x719d2000), [0x76007000, 0x777ff000), [0x77800000, 4G); the islands
    // between them hold 1.8 GiB, 17 973 pages (more than all PAMT) and one page: 3 areas. Node 0 has
    // pieces below and above 4G (not counted); nodes 1..7 have granules of their own and one piece
    // each, in a row above node 0's: an area meets two of them at most (a third would hold a whole
    // node's 393 216 pages): 4 areas. In all 7, the optimum CP-SAT proves.
    MemoryMap map;
    try (var in = NodeAreaBoundTest.class.getResourceAsStream("/manynodes/manynodes-8.txt")) {
      map = tdmr.parse.MapReader.readBytes("manynodes-8", in.readAllBytes());
    }
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    assertEquals(java.util.OptionalLong.of(14_373), new ModuleFamilyBounds(instance, true).leastPamtPages());
    assertEquals(7, new NodeAreaBound(instance).leastAreas(14_373));
  }
}
