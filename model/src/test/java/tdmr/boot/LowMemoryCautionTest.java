package tdmr.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;

/** Cautions about memory given up below 4 GiB: the kernel's default load address, and how much goes. */
class LowMemoryCautionTest {
  @Test
  void theFourKibIslandsOfCanonicalTdx135NeedNoCaution() {
    assertEquals(List.of(), LowMemoryCaution.of(List.of(
        new AddressRange(0x64158000L, 0x64159000L), new AddressRange(0x6f7ff000L, 0x6f800000L))));
  }

  @Test
  void aBlockOverSixteenMibAndGibibytesBelowFourGibAreSaid() {
    // [1 MiB, 0xa4235000) holds 0x1000000 and is 0xa4135000 bytes = 2.56 GiB, all below 4 GiB.
    List<String> c = LowMemoryCaution.of(List.of(new AddressRange(0x100000L, 0xa4235000L)));
    assertEquals(2, c.size(), c.toString());
    assertTrue(c.get(0).startsWith("[0x100000, 0xa4235000) covers 0x1000000, where the kernel image is loaded"), c.get(0));
    assertTrue(c.get(1).startsWith("the fix gives up 2.56 GiB below 4 GiB"), c.get(1));
  }

  @Test
  void memoryAboveFourGibIsNoConcern() {
    assertEquals(List.of(), LowMemoryCaution.of(List.of(new AddressRange(0x100000000L, 0x1100000000L))));
  }

  @Test
  void twoHundredFiftySixMibBelowFourGibIsTheEdge() {
    // Exactly 256 MiB away from 16 MiB: no caution; one page more: one.
    AddressRange r = new AddressRange(0x20000000L, 0x30000000L);
    assertEquals(List.of(), LowMemoryCaution.of(List.of(r)));
    assertEquals(1, LowMemoryCaution.of(List.of(new AddressRange(0x20000000L, 0x30001000L))).size());
  }
}
