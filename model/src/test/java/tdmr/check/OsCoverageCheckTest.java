package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.check.TwoTdmrMachine.GiB;
import static tdmr.check.TwoTdmrMachine.LAYOUT;
import static tdmr.check.TwoTdmrMachine.MAP;
import static tdmr.check.TwoTdmrMachine.MiB;
import static tdmr.check.TwoTdmrMachine.PAMT_CHUNK;
import static tdmr.check.TwoTdmrMachine.PAMT_OFFSET;
import static tdmr.check.TwoTdmrMachine.SPARE;
import static tdmr.check.TwoTdmrMachine.TDMR0;
import static tdmr.check.TwoTdmrMachine.with;
import static tdmr.check.TwoTdmrMachine.withLevel;
import static tdmr.check.TwoTdmrMachine.withReserved;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

class OsCoverageCheckTest {
  private static final OsCoverageCheck MEMLIST = new OsCoverageCheck(MAP, Policy.Holes.MEMLIST);

  @Test
  void fixtureLayoutCoversAllMemoryWithPamtsInMemory() {
    OsCoverageCheck.Verdict v = MEMLIST.check(LAYOUT);
    assertEquals(List.of(), v.uncoveredMemory());
    assertEquals(List.of(), v.problems());
    assertTrue(v.holds(Policy.Coverage.ALL));
  }

  @Test
  void memoryOutsideEveryTdmrIsUncoveredButAllowedUnderMax() {
    // Only TDMR 0: the block [4 GiB, 6 GiB) is in no TDMR.
    OsCoverageCheck.Verdict v = MEMLIST.check(new Layout(List.of(TDMR0)));
    assertEquals(List.of(new AddressRange(4 * GiB, 6 * GiB)), v.uncoveredMemory());
    assertEquals(2 * GiB, v.uncoveredBytes());
    assertEquals(List.of(), v.problems());
    assertFalse(v.holds(Policy.Coverage.ALL));
    assertTrue(v.holds(Policy.Coverage.MAX));
    assertTrue(v.uncoveredMessages().get(0).contains("[0x100000000, 0x180000000) (2 GiB)"));
  }

  @Test
  void reservedMemoryThatHoldsNoPamtIsUncovered() {
    // Reserving [1 MiB, 2 MiB) takes that RAM away from TDX.
    Tdmr t = withReserved(TDMR0, new ReservedArea(0, 2 * MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    assertEquals(List.of(new AddressRange(MiB, 2 * MiB)), MEMLIST.check(with(0, t)).uncoveredMemory());
  }

  @Test
  void pamtOutsideTdxMemoryIsAProblemAndItsOldPlaceIsUncovered() {
    // TDMR 0's PAMT_2M moved to the spare CMR at 2.5 GiB, which is not TDX memory; the reserved
    // [0x7F800000, 0x7F804000) where it was now holds nothing.
    OsCoverageCheck.Verdict v = MEMLIST.check(with(0, withLevel(TDMR0, PageSize.SIZE_2M, SPARE, 0x4000)));
    assertEquals(List.of(new AddressRange(0x7F800000L, 0x7F804000L)), v.uncoveredMemory());
    assertEquals(1, v.problems().size());
    assertTrue(v.problems().get(0).message().contains("PAMT_2M [0xa0000000, 0xa0004000)"), v.problems().get(0).message());
    assertEquals(Rule.O2_PAMT_IN_TDX_MEMORY, v.problems().get(0).rule());
    assertFalse(v.holds(Policy.Coverage.MAX));
  }

  @Test
  void unreservedHoleBetweenBlocksFailsMemlistButNotCmrPolicy() {
    // Blocks [1 MiB, 1 GiB) and [1 GiB + 2 MiB, 2 GiB) inside one CMR [1 MiB, 2 GiB): the 2 MiB hole
    // is convertible, so the module accepts it usable; mainline Linux would have reserved it.
    MemoryMap holey = MemoryMap.of("holey",
        List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB + 2 * MiB, 2 * GiB, 0)),
        List.of(new AddressRange(MiB, 2 * GiB)));
    Layout layout = new Layout(List.of(TDMR0));
    OsCoverageCheck.Verdict memlist = new OsCoverageCheck(holey, Policy.Holes.MEMLIST).check(layout);
    assertEquals(1, memlist.problems().size());
    assertTrue(memlist.problems().get(0).message().contains("[0x40000000, 0x40200000) (2 MiB)"), memlist.problems().get(0).message());
    assertEquals(Rule.O3_GAPS_RESERVED, memlist.problems().get(0).rule());
    assertEquals(new tdmr.mem.AddressRange(0x40000000L, 0x40200000L), memlist.problems().get(0).range());
    assertTrue(new OsCoverageCheck(holey, Policy.Holes.CMR).check(layout).holds(Policy.Coverage.ALL));
    // Reserving the hole satisfies memlist too.
    Tdmr reservedHole = withReserved(TDMR0, new ReservedArea(0, MiB), new ReservedArea(GiB, 2 * MiB),
        new ReservedArea(PAMT_OFFSET, PAMT_CHUNK));
    assertTrue(new OsCoverageCheck(holey, Policy.Holes.MEMLIST).check(new Layout(List.of(reservedHole)))
        .holds(Policy.Coverage.ALL));
  }

  @Test
  void problemsStopAtTheCapLikeTheModulesViolations() {
    // 1 500 copies of TDMR 0 over a map with one 2 MiB hole: each copy leaves the hole usable (O3),
    // 1 500 problems in all, of which the verdict lists the first 1 000 (a fuzzed TDMR_INFO of
    // 2 186 copies listed 34 976 and took seconds to print). Coverage is still computed from all.
    MemoryMap holey = MemoryMap.of("holey",
        List.of(new MemoryBlock(MiB, GiB, 0), new MemoryBlock(GiB + 2 * MiB, 2 * GiB, 0)),
        List.of(new AddressRange(MiB, 2 * GiB)));
    Layout copies = new Layout(java.util.Collections.nCopies(1500, TDMR0));
    OsCoverageCheck.Verdict v = new OsCoverageCheck(holey, Policy.Holes.MEMLIST).check(copies);
    assertEquals(1000, OsCoverageCheck.MAX_PROBLEMS);
    assertEquals(1000, v.problems().size());
    assertEquals(999, v.problems().get(999).tdmrIndex());
    assertEquals(List.of(), v.uncoveredMemory());
  }

  @Test
  void failuresListUncoveredMemoryOnlyUnderCoverageAll() {
    OsCoverageCheck.Verdict v = MEMLIST.check(new Layout(List.of(TDMR0)));
    assertEquals(1, v.failures(Policy.Coverage.ALL).size());
    assertEquals(List.of(), v.failures(Policy.Coverage.MAX));
  }
}
