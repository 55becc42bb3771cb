package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The TDMRs of layouts at the per-node PAMT bound when granules are left out, on maps whose numbers
 * are derived by hand (16-byte entries: 1026 whole pages of 4K and 2M levels per GiB, and one 1G
 * page per started 256 GiB).
 */
class GranulesLeftOutTest {
  private static final long G = 1L << 30;
  private static final long MiB = 1L << 20;
  private static final Policy MODULE = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  private static ModuleFamilyBounds bounds(Instance instance) {
    return new ModuleFamilyBounds(instance, true);
  }

  /**
   * 257 GiB of node 0 from 4 GiB: a 256 GiB TDMR (262 657 pages of levels, the 4K level's 262 144
   * filling the granule left out) at either end; no TDMR can reach a GiB further (263 684 pages).
   */
  @Test
  void oneRunOf257GiB() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("257", List.of(new MemoryBlock(4 * G, 261 * G, 0))),
        TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = bounds(instance);
    assertEquals(Map.of(0, 262_657L), b.leastPamtPagesPerNode());
    GranulesLeftOut leftOut = new GranulesLeftOut(instance);
    assertEquals(OptionalLong.of(1), leftOut.leastTdmrsAtBound(b));
    assertEquals(Set.of(List.of(new AddressRange(5 * G, 261 * G)), List.of(new AddressRange(4 * G, 260 * G))),
        Set.copyOf(leftOut.tdmrSetsAtBound(b, 16).orElseThrow()));
    assertEquals(List.of(new AddressRange(4 * G, 260 * G)), leftOut.tdmrs(b.tdmrs()));
  }

  /**
   * Two runs of node 0, [1 MiB, 2 GiB) and 257 GiB from 4 GiB: one TDMR over both would cover
   * [0, 261 GiB) (with one granule left out, 260 GiB: 260 · 1026 + 2 = 266 760 pages of levels; two
   * left out leave out more memory, at least 261 888 + 262 144 pages), more than the node's bound,
   * which is at most the 2 053 + 263 684 = 265 737 pages of the TDMRs [0, 2G) and [4G, 261G); so
   * each run has its own TDMR: at least 2.
   */
  @Test
  void runsOfOneNodeAreNotJoined() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("two runs", List.of(new MemoryBlock(MiB, 2 * G, 0),
        new MemoryBlock(4 * G, 261 * G, 0))), TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = bounds(instance);
    assertEquals(OptionalLong.of(2), new GranulesLeftOut(instance).leastTdmrsAtBound(b));
  }

  /**
   * Node 0 of a multi-socket host: low memory [1 MiB, 0x766bf000) (484 799 pages = 473 · 1024 +
   * 447, in two granules; what counts is its pages, not where they lie) and 510 GiB from 4 GiB,
   * PAMT at 523 263 pages (the levels of one 510 GiB TDMR, 510 · 1026 + 2, and one page). Left
   * out whole, the low memory must be filled by levels of the TDMRs over the 510 GiB within a slack
   * of at most a page: a 4K level of 473 GiB (484 352 pages, the only 4K level that is not too
   * large or too small) leaves 447 pages, which no 2M level (2 pages per GiB of 37, 473 or 510 GiB)
   * with 1G pages makes up; with one TDMR even less. No layout leaves it out: a TDMR covers part
   * of it.
   */
  @Test
  void lowMemoryNoLevelsFillIsNotLeftOutWhole() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("node 0", List.of(new MemoryBlock(MiB, 0x766bf000L, 0),
        new MemoryBlock(4 * G, 514 * G, 0))), TdxLimits.DEFAULT, MODULE);
    GranulesLeftOut leftOut = new GranulesLeftOut(instance);
    ModuleFamilyBounds b = bounds(instance);
    List<Integer> low = b.runs().get(0).pieces().get(0);
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 2));
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 1));
  }

  /**
   * As above with low memory of exactly 473 · 4 MiB (484 352 pages, from 1 MiB): two TDMRs of 473
   * and 37 GiB have 473 · 1026 + 2 + 37 · 1026 + 1 = 523 263 pages of levels, and the 473 GiB TDMR's 4K level
   * fills the low memory exactly, so it may be left out whole; one TDMR of 510 GiB cannot fill it.
   */
  @Test
  void lowMemoryOneFourKLevelFillsMayBeLeftOutWhole() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("node 0", List.of(new MemoryBlock(MiB, MiB + 473 * 0x400000L, 0),
        new MemoryBlock(4 * G, 514 * G, 0))), TdxLimits.DEFAULT, MODULE);
    GranulesLeftOut leftOut = new GranulesLeftOut(instance);
    ModuleFamilyBounds b = bounds(instance);
    List<Integer> low = b.runs().get(0).pieces().get(0);
    assertTrue(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 2));
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 1));
  }

  /**
   * A host of 2 TiB on one node: low memory in five islands from 1 MiB to 0x6f800000 (261 888
   * pages in granule 0, 191 998 in granule 1), and 2 045.75 GiB from 4 GiB (the top granule holds
   * 188 416 pages). Covering all 2 048 memory granules needs B = 2 053 + 2 046 · 1 026 + 8 = 2 101 257
   * pages; the bound leaves 8 granules out, 8 · 1 026 pages less: 2 093 049, with two TDMRs, one per
   * run. The sets: the low TDMR [0, 2G) (2 053 pages) with a high TDMR of 2 038 GiB (2 090 996
   * pages), leaving out i granules at the bottom of the high run and 8 - i at its top, at least one
   * (8 full granules are 2 097 152 pages, more than the bound): 8 sets; the low TDMR [0, 1G) or [1G,
   * 2G) (1 027 pages, granule 1 or 0 left out) with a high TDMR of 2 039 GiB (2 092 022 pages),
   * leaving out 7: with granule 1 (191 998 pages) also the 7 full bottom granules fit (2 027 006
   * pages), 8 sets; with granule 0 (261 888 pages) only sets with the top granule (2 023 168
   * pages), 7 sets. 23 in all, more than the 16 both engines took before.
   */
  @Test
  void twoTebibyteHostHas23SetsAtItsBound() {
    long low = 0x6f800000L;
    Instance instance = Instance.of(MemoryMap.ofBlocks("2 TiB", List.of(new MemoryBlock(0x100000, 0x5364f000L, 0),
        new MemoryBlock(0x536d6000L, 0x5382b000L, 0), new MemoryBlock(0x53900000L, 0x539bd000L, 0),
        new MemoryBlock(0x53a4d000L, 0x6efe9000L, 0), new MemoryBlock(0x6f7ff000L, low, 0),
        new MemoryBlock(4 * G, 0x2006e000000L, 0))), TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = bounds(instance);
    assertEquals(Map.of(0, 2_093_049L), b.leastPamtPagesPerNode());
    List<List<AddressRange>> sets = new GranulesLeftOut(instance).setsAtBound(b, 2_093_049, 2,
        GranulesLeftOut.MOST_TDMR_SETS).orElseThrow().sets();
    assertEquals(23, sets.size());
    assertEquals(8, sets.stream().filter(t -> t.get(0).equals(new AddressRange(0, 2 * G))).count());
    assertEquals(8, sets.stream().filter(t -> t.get(0).equals(new AddressRange(0, G))).count());
    assertEquals(7, sets.stream().filter(t -> t.get(0).equals(new AddressRange(G, 2 * G))).count());
    assertTrue(sets.contains(List.of(new AddressRange(0, 2 * G), new AddressRange(4 * G, 2042 * G))));
    assertTrue(sets.contains(List.of(new AddressRange(0, G), new AddressRange(11 * G, 2050 * G))));
    assertEquals(Optional.empty(), new GranulesLeftOut(instance).setsAtBound(b, 2_093_049, 2, 16));
  }

  /** Without granules worth leaving out nothing is claimed at the bound that the shared bounds do not already say. */
  @Test
  void smallHostHasOneSetCoveringEverything() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("8", List.of(new MemoryBlock(4 * G, 12 * G, 0))),
        TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = bounds(instance);
    assertEquals(Optional.of(List.of(List.of(new AddressRange(4 * G, 12 * G)))),
        new GranulesLeftOut(instance).tdmrSetsAtBound(b, 16));
  }
}
