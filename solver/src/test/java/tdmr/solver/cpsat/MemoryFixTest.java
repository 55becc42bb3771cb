package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Tdx135MapFixture;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class MemoryFixTest {
  private static final SolveOptions OPTIONS = new SolveOptions(30, 1, 0);

  @Test
  void tdx135UnderDefaultLimitsNeedsNoFix() {
    MemoryFix fix = MemoryFix.find(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL, OPTIONS);
    assertTrue(fix.alreadyHasLayout());
    assertTrue(fix.reduced().isEmpty());
    assertTrue(fix.giveUp().isEmpty());
  }

  @Test
  void tdx135WithFourteenAreasGivesUpTwoFourKibIslands() {
    // TDMR [1G,2G) has 16 hole areas; 14 allowed, so two islands must go, each merging two holes.
    // The only 4 KiB islands are [0x64158000, 0x64159000) and [0x6f7ff000, 0x6f800000); every
    // other island is at least 8 KiB ([0x619e0000, 0x619e2000)). So the least loss is 8 KiB.
    // In the kernel family (fix's default): the module family has a layout with 14 areas (issue #11).
    MemoryFix fix = MemoryFix.find(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxReservedPerTdmr(14),
        Policy.KERNEL.withFamily(Policy.Family.KERNEL), OPTIONS);
    assertFalse(fix.alreadyHasLayout());
    assertEquals(Status.INFEASIBLE, fix.full().status());
    assertEquals(Status.OPTIMAL, fix.reduced().orElseThrow().status());
    assertEquals(List.of(new AddressRange(0x64158000L, 0x64159000L), new AddressRange(0x6f7ff000L, 0x6f800000L)),
        fix.giveUp());
    assertEquals(8 * ByteSize.KiB, fix.reduced().orElseThrow().uncoveredBytes());
  }

  @Test
  void memmapParameterUsesTheLargestExactUnit() {
    assertEquals("memmap=4K$0x64158000", MemoryFix.memmapParameter(new AddressRange(0x64158000L, 0x64159000L)));
    assertEquals("memmap=2M$0x40000000", MemoryFix.memmapParameter(AddressRange.ofSize(0x40000000L, 2 * ByteSize.MiB)));
    assertEquals("memmap=3G$0x100000000", MemoryFix.memmapParameter(AddressRange.ofSize(0x100000000L, 3 * ByteSize.GiB)));
    assertEquals("memmap=1028K$0x0", MemoryFix.memmapParameter(AddressRange.ofSize(0, 1028 * ByteSize.KiB)));
  }
}
