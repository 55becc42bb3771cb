package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/** The OS check on layouts the module would reject or that sit at the edges of the address space. */
class OsCoverageEdgesTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  @Test
  void memoryStaysCoveredByUsableMemoryThatAPamtOverlaps() {
    // TDX memory [1M, 1G), [1.5G, 2G), [4G, 6G). One TDMR [0, 6G) reserving [2G, 4G), its PAMT in its
    // own usable memory at 512 MiB (rule D5 is the module's business): every block is usable TDMR
    // memory, so nothing is uncovered, and the PAMT lies in TDX memory.
    MemoryMap map = MemoryMap.ofBlocks("three", List.of(new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(GiB + GiB / 2, 2 * GiB, 0), new MemoryBlock(4 * GiB, 6 * GiB, 0)));
    Tdmr t = new Tdmr(0, 6 * GiB, Pamt.kernelChunk(512 * MiB, 6 * GiB, TdxLimits.DEFAULT),
        List.of(new ReservedArea(2 * GiB, 2 * GiB)));
    OsCoverageCheck.Verdict v = new OsCoverageCheck(map, Policy.Holes.CMR).check(new Layout(List.of(t)));
    assertEquals(List.of(), v.uncoveredMemory());
    assertEquals(List.of(), v.problems());
  }

  @Test
  void anEmptyMemoryBlockSplitsNoGap() {
    // Blocks [1M, 1G), an empty one at 1.25G, and [1.5G, 2G); TDMR [0, 2G) reserving only [0, 1M)
    // leaves the gap [1G, 1.5G) usable: one O3 problem for the whole gap (holes memlist).
    MemoryMap map = MemoryMap.ofBlocks("empty block", List.of(new MemoryBlock(MiB, GiB, 0),
        new MemoryBlock(GiB + GiB / 4, GiB + GiB / 4, 0), new MemoryBlock(GiB + GiB / 2, 2 * GiB, 0)));
    Tdmr t = new Tdmr(0, 2 * GiB, Pamt.kernelChunk(512 * MiB, 2 * GiB, TdxLimits.DEFAULT),
        List.of(new ReservedArea(0, MiB)));
    OsCoverageCheck.Verdict v = new OsCoverageCheck(map, Policy.Holes.MEMLIST).check(new Layout(List.of(t)));
    assertEquals(1, v.problems().size(), v.problems()::toString);
    OsCoverageCheck.Problem p = v.problems().get(0);
    assertEquals(Rule.O3_GAPS_RESERVED, p.rule());
    assertEquals(new AddressRange(GiB, GiB + GiB / 2), p.range());
    assertEquals(p.message(), p.toString());
  }

  @Test
  void aTdmrMayEndAtTheTopOfTheSixtyThreeBitAddressSpace() {
    // A TDMR read from a binary file, [2^62, 2^63 - 1), over memory [2^62, 2^62 + 1G), its PAMT
    // levels one page each at the start of that memory: the memory is covered.
    long base = 1L << 62;
    MemoryMap map = MemoryMap.ofBlocks("high", List.of(new MemoryBlock(base, base + GiB, 0)));
    Pamt pamt = new Pamt(new PamtRange(base, 4096), new PamtRange(base + 4096, 4096), new PamtRange(base + 8192, 4096));
    Tdmr t = new Tdmr(base, Long.MAX_VALUE - base, pamt, List.of());
    OsCoverageCheck.Verdict v = new OsCoverageCheck(map, Policy.Holes.CMR).check(new Layout(List.of(t)));
    assertEquals(List.of(), v.uncoveredMemory());
    assertTrue(v.holds(Policy.Coverage.ALL));
  }

  @Test
  void aReservedAreaPastTwoToTheSixtyThreeReservesNothing() {
    // TDMR 1 [4G, 6G) of the two-TDMR machine with an extra area at offset 2^63 - 1 - 2G: base +
    // offset wraps past 2^63 (the module reports it, C6), and the OS check leaves the memory usable.
    Tdmr t = TwoTdmrMachine.withReserved(TwoTdmrMachine.TDMR1,
        new ReservedArea(TwoTdmrMachine.PAMT_OFFSET, TwoTdmrMachine.PAMT_CHUNK),
        new ReservedArea(Long.MAX_VALUE - 2 * GiB, 4096));
    OsCoverageCheck.Verdict v = new OsCoverageCheck(TwoTdmrMachine.MAP, Policy.Holes.MEMLIST)
        .check(TwoTdmrMachine.with(1, t));
    assertTrue(v.holds(Policy.Coverage.ALL), v.failures(Policy.Coverage.ALL)::toString);
  }
}
