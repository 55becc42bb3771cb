package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.check.Rule;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Headroom;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The kernel's failures as values: which step, which TDMR, the error number, and the TDMRs as the
 * construction left them. Expected values follow the kernel's algorithm by hand.
 */
class KernelFailuresTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static GreedyResult.Failed failed(GreedyResult r) {
    return assertInstanceOf(GreedyResult.Failed.class, r, () -> String.join("\n", r.messages()));
  }

  /** Blocks [2kG, (2k+1)G) for k = 1..m: each opens its own TDMR [2kG, (2k+1)G). */
  private static MemoryMap islands(int m) {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 1; k <= m; k++) {
      blocks.add(new MemoryBlock(2 * k * GiB, (2 * k + 1) * GiB, 0));
    }
    return MemoryMap.ofBlocks("islands", blocks);
  }

  /**
   * With the CMR-holes patch the kernel first checks that every memory-list block lies in the
   * CMRs: [4G, 5G) sticks out of the only CMR [2G, 4.5G), so build_tdx_memlist fails with -EINVAL
   * before any TDMR is built.
   */
  @Test
  void cmrHolesRejectMemoryOutsideTheCmrsWithEinval() {
    MemoryMap map = MemoryMap.of("outside", List.of(new MemoryBlock(2 * GiB, 3 * GiB, 0),
        new MemoryBlock(4 * GiB, 5 * GiB, 0)), List.of(new AddressRange(2 * GiB, 4 * GiB + GiB / 2)));
    GreedyResult.Failed f = failed(LinuxGreedy.cmrHoles().construct(map, TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.MEMORY_OUTSIDE_CMRS, f.cause());
    assertEquals(-22, f.errno().value());
    assertEquals(GreedyResult.Stage.MEMORY_LIST, f.stage());
    assertEquals(Rule.E1_USABLE_MEMORY_IN_CMRS, f.rule());
    assertEquals(Optional.of(new AddressRange(4 * GiB, 5 * GiB)), f.offendingRange());
    assertEquals(OptionalInt.empty(), f.failingTdmr());
    assertEquals(List.of(), f.tdmrs());
    assertEquals(List.of("memory region [0x100000000, 0x140000000) is not TDX convertible memory.",
        "module initialization failed (-22)"), f.messages());
    // Mainline takes holes from the memory list and never looks at the CMRs here.
    assertInstanceOf(GreedyResult.Built.class, LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
  }

  @Test
  void anEmptyMemoryListIsEinval() {
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(MemoryMap.ofBlocks("empty", List.of()),
        TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.EMPTY_MEMORY_LIST, f.cause());
    assertEquals(-22, f.errno().value());
    assertEquals(List.of("no TDX memory: the memory list is empty", "module initialization failed (-22)"), f.messages());
  }

  /**
   * Five islands, four TDMRs allowed: fill_out_tdmrs builds [2G,3G) .. [8G,9G) and runs out on the
   * fifth, [10G, 11G). The four that fit have no PAMT yet (the step never ran).
   */
  @Test
  void tdmrsExhaustedKeepsTheTdmrsThatFit() {
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(islands(5), TdxLimits.DEFAULT.withMaxTdmrs(4)));
    assertEquals(GreedyResult.Cause.TDMRS_EXHAUSTED, f.cause());
    assertEquals(Optional.of(new AddressRange(10 * GiB, 11 * GiB)), f.offendingRange());
    assertEquals(4, f.tdmrs().size());
    for (int k = 0; k < 4; k++) {
      GreedyTdmr t = f.tdmrs().get(k);
      assertEquals(k, t.index());
      assertEquals(new AddressRange((2 * k + 2) * GiB, (2 * k + 3) * GiB), t.range());
      assertTrue(t.pamt().isEmpty());
      assertEquals(List.of(), t.reservedUses());
    }
    assertEquals(Optional.empty(), f.failingTdmrRange());
    assertEquals("initialization failed: TDMRs exhausted.", f.failureLine());
    assertEquals("virt/tdx: initialization failed: TDMRs exhausted.", f.headline());
  }

  /** Exactly MAX_TDMRS TDMRs fit: four islands under a limit of four build. */
  @Test
  void exactlyMaxTdmrsBuild() {
    GreedyResult r = LinuxGreedy.mainline().construct(islands(4), TdxLimits.DEFAULT.withMaxTdmrs(4));
    GreedyResult.Built b = assertInstanceOf(GreedyResult.Built.class, r);
    assertEquals(4, b.layout().size());
    assertEquals(new Headroom(4, 4, b.headroom().tightestTdmr(), b.headroom().reservedInTightest(), 16), b.headroom());
    assertEquals(0, b.headroom().tdmrsLeft());
  }

  /**
   * Two TDMRs: [0, 1G) over the 4 MiB block [1M, 5M) and [4G, 5G) over [4G, 4G+8M). Neither node
   * range holds a 1 GiB TDMR's 1027-page (4 MiB + 12 KiB) chunk: the first allocation fails with
   * -ENOMEM. TDMR 0 has its node and no PAMT; TDMR 1 was never reached (node -1, no PAMT).
   */
  @Test
  void pamtFailureKeepsTheTdmrsWithTheNodesReached() {
    MemoryMap map = MemoryMap.ofBlocks("small", List.of(new MemoryBlock(MiB, 5 * MiB, 0),
        new MemoryBlock(4 * GiB, 4 * GiB + 4 * MiB, 1)));
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    assertEquals(GreedyResult.Cause.PAMT_ALLOCATION, f.cause());
    assertEquals(Rule.O2_PAMT_IN_TDX_MEMORY, f.rule());
    assertEquals(OptionalInt.of(0), f.failingTdmr());
    assertEquals(Optional.of(new AddressRange(0, GiB)), f.failingTdmrRange());
    assertEquals(2, f.tdmrs().size());
    assertEquals(0, f.tdmrs().get(0).node());
    assertTrue(f.tdmrs().get(0).pamt().isEmpty());
    assertEquals(-1, f.tdmrs().get(1).node());
    assertTrue(f.tdmrs().get(1).pamt().isEmpty());
    assertEquals("TDMR [0x0, 0x40000000): no free memory for its PAMT (module initialization failed (-12))",
        f.failureLine());
    assertEquals(f.failureLine(), f.headline(), "the kernel logs no line of its own for it");
  }

  /**
   * [1M, 2G) and [4G, 6G): TDMR 0's chunk (2053 pages) goes to node 0's ZONE_NORMAL [4G, 6G) at 4G,
   * then TDMR 1's 2 GiB chunk (2053 pages) right after it. With room for 1 reserved area per TDMR,
   * TDMR 0 needs 1 (the hole [0, 1M)) and fits, TDMR 1 holds both chunks, as two areas: reserved
   * areas exhausted in TDMR 1. Every TDMR is kept with every area it asked for.
   */
  @Test
  void reservedAreasExhaustedKeepsEveryAreaAskedFor() {
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, 2 * GiB, 0),
        new MemoryBlock(4 * GiB, 6 * GiB, 0)));
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1)));
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, f.cause());
    assertEquals(OptionalInt.of(1), f.failingTdmr());
    assertEquals(2, f.tdmrs().size());
    assertEquals(List.of(ReservedAreaUse.hole(new AddressRange(0, MiB))), f.tdmrs().get(0).reservedUses());
    long chunk = 2053 * 4096L;
    assertEquals(List.of(ReservedAreaUse.pamt(new AddressRange(4 * GiB, 4 * GiB + chunk), 0),
        ReservedAreaUse.pamt(new AddressRange(4 * GiB + chunk, 4 * GiB + 2 * chunk), 1)), f.tdmrs().get(1).reservedUses());
    assertTrue(f.tdmrs().stream().allMatch(t -> t.pamt().isPresent()));
    assertEquals("virt/tdx: initialization failed: TDMR [0x100000000, 0x180000000): reserved areas exhausted.",
        f.headline());
  }

  @Test
  void aFailureIsAboutATdmrOfItsList() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new GreedyResult.Failed(GreedyResult.Cause.PAMT_ALLOCATION, OptionalInt.of(0), Optional.empty(),
            List.of(), List.of(), List.of()));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new GreedyResult.Failed(GreedyResult.Cause.MODULE_REJECTED, OptionalInt.empty(), Optional.empty(),
            List.of(), List.of(), List.of()));
  }

  @Test
  void holesFromTheCmrsAreTheOnlyDifferenceOfTheCmrVariant() {
    assertEquals(Policy.Holes.CMR, LinuxGreedy.cmrHoles().holes());
    assertEquals(Policy.Holes.MEMLIST, LinuxGreedy.cmrHoles().withHoles(Policy.Holes.MEMLIST).holes());
    assertEquals("kernel", LinuxGreedy.cmrHoles().placement().name());
  }

  /**
   * tdmr_get_nid: the node of the first memory-list block that ends after the TDMR's base; none
   * when every block ends at or before it (the kernel then warns and uses node 0).
   */
  @Test
  void tdmrNodeIsTheNodeOfTheFirstBlockEndingAfterTheBase() {
    List<MemoryBlock> memlist = List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB, 3 * GiB, 1),
        new MemoryBlock(4 * GiB, 5 * GiB, 2));
    assertEquals(OptionalInt.of(0), LinuxGreedy.tdmrNode(memlist, 0));
    assertEquals(OptionalInt.of(1), LinuxGreedy.tdmrNode(memlist, GiB), "the first block ends at 1G, not after it");
    assertEquals(OptionalInt.of(1), LinuxGreedy.tdmrNode(memlist, 2 * GiB));
    assertEquals(OptionalInt.of(2), LinuxGreedy.tdmrNode(memlist, 3 * GiB), "a base in a gap takes the next block's node");
    assertEquals(OptionalInt.empty(), LinuxGreedy.tdmrNode(memlist, 5 * GiB));
    assertEquals(OptionalInt.empty(), LinuxGreedy.tdmrNode(List.of(), 0));
  }

  /**
   * The summary of a failure is the explanation without the list of areas: for canonical/tdx#135-like
   * reserved-area exhaustion in TDMR 1 above, one sentence ending with a period, then the CMR-holes
   * verdict.
   */
  @Test
  void theSummaryLeavesTheListOfAreasOut() {
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(new MemoryBlock(MiB, 2 * GiB, 0),
        new MemoryBlock(4 * GiB, 6 * GiB, 0)));
    TdxLimits one = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1);
    GreedyResult.Failed f = failed(LinuxGreedy.mainline().construct(map, one));
    GreedyExplanation why = new GreedyExplanation(map, one, LinuxGreedy.mainline());
    List<String> summary = why.summary(f);
    assertEquals("TDMR [0x100000000, 0x180000000) (2 GiB, node 0) needs 2 reserved areas (0 holes, 2 PAMT pieces);"
        + " the module allows 1.", summary.get(0));
    assertTrue(summary.get(summary.size() - 1).startsWith("With --holes cmr"), summary.toString());
    List<String> full = why.explain(f);
    assertEquals(summary.get(0).replaceAll("\\.$", ":"), full.get(0));
    assertEquals(summary.size() + 2, full.size(), "the full explanation lists both areas");
  }
}
