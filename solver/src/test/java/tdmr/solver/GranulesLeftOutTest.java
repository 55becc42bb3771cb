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
   * Two runs of node 0, 2 GiB and 257 GiB, 2 GiB apart: one TDMR over both would cover 261 GiB
   * (with one granule left out, 260 GiB: 266 760 pages of levels), more than the node's bound, so
   * each run has its own TDMR: at least 2.
   */
  @Test
  void runsOfOneNodeAreNotJoined() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("two runs", List.of(new MemoryBlock(0, 2 * G, 0),
        new MemoryBlock(4 * G, 261 * G, 0))), TdxLimits.DEFAULT, MODULE);
    ModuleFamilyBounds b = bounds(instance);
    assertEquals(OptionalLong.of(2), new GranulesLeftOut(instance).leastTdmrsAtBound(b));
  }

  /**
   * Node 0 of a multi-socket host: low memory [0, 0x765bf000) (484 799 pages = 473 · 1024 + 447,
   * in two granules) and 510 GiB from 4 GiB, PAMT at 523 263 pages (the levels of one 510 GiB TDMR,
   * 510 · 1026 + 2, and one page). Left out whole, the low memory must be filled by levels of the
   * TDMRs over the 510 GiB within a slack of at most a page: a 4K level of 473 GiB (484 352 pages,
   * the only 4K level that is not too large or too small) leaves 447 pages, which no 2M level (2
   * pages per GiB of 37, 473 or 510 GiB) with 1G pages makes up; with one TDMR even less. No
   * layout leaves it out: a TDMR covers part of it.
   */
  @Test
  void lowMemoryNoLevelsFillIsNotLeftOutWhole() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("node 0", List.of(new MemoryBlock(0, 0x765bf000L, 0),
        new MemoryBlock(4 * G, 514 * G, 0))), TdxLimits.DEFAULT, MODULE);
    GranulesLeftOut leftOut = new GranulesLeftOut(instance);
    ModuleFamilyBounds b = bounds(instance);
    List<Integer> low = b.runs().get(0).pieces().get(0);
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 2));
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 1));
  }

  /**
   * As above with low memory of exactly 473 · 4 MiB (484 352 pages): two TDMRs of 473 and 37 GiB
   * have 473 · 1026 + 2 + 37 · 1026 + 1 = 523 263 pages of levels, and the 473 GiB TDMR's 4K level
   * fills the low memory exactly, so it may be left out whole; one TDMR of 510 GiB cannot fill it.
   */
  @Test
  void lowMemoryOneFourKLevelFillsMayBeLeftOutWhole() {
    Instance instance = Instance.of(MemoryMap.ofBlocks("node 0", List.of(new MemoryBlock(0, 473 * 0x400000L, 0),
        new MemoryBlock(4 * G, 514 * G, 0))), TdxLimits.DEFAULT, MODULE);
    GranulesLeftOut leftOut = new GranulesLeftOut(instance);
    ModuleFamilyBounds b = bounds(instance);
    List<Integer> low = b.runs().get(0).pieces().get(0);
    assertTrue(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 2));
    assertFalse(leftOut.mayBeLeftOutWhole(b, low, 0, 523_263, 1));
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
