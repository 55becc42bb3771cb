package tdmr.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What is not convertible in a range, worked by hand: CMRs [1 MiB, 2 GiB) and [2 GiB, 3 GiB) touch
 * and merge into [1 MiB, 3 GiB); [4 GiB, 6 GiB) stands alone.
 */
class ConvertibleMemoryTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final ConvertibleMemory CMRS = new ConvertibleMemory(List.of(
      new AddressRange(MiB, 2 * GiB), new AddressRange(2 * GiB, 3 * GiB), new AddressRange(4 * GiB, 6 * GiB)));

  @Test
  void touchingCmrsMerge() {
    assertEquals(List.of(new AddressRange(MiB, 3 * GiB), new AddressRange(4 * GiB, 6 * GiB)), CMRS.merged());
  }

  @Test
  void uncoveredPartsOfARangeAcrossEveryCmr() {
    assertEquals(List.of(new AddressRange(0, MiB), new AddressRange(3 * GiB, 4 * GiB), new AddressRange(6 * GiB, 8 * GiB)),
        CMRS.uncovered(new AddressRange(0, 8 * GiB)));
  }

  @Test
  void uncoveredPartsOfRangesStartingInsideBetweenAndAfterTheCmrs() {
    assertEquals(List.of(), CMRS.uncovered(new AddressRange(GiB, 2 * GiB + 512 * MiB)));
    // Starts where the merged CMR ends: that CMR holds none of it.
    assertEquals(List.of(new AddressRange(3 * GiB, 4 * GiB)), CMRS.uncovered(new AddressRange(3 * GiB, 5 * GiB)));
    assertEquals(List.of(new AddressRange(6 * GiB, 7 * GiB)), CMRS.uncovered(new AddressRange(5 * GiB, 7 * GiB)));
    assertEquals(List.of(new AddressRange(7 * GiB, 8 * GiB)), CMRS.uncovered(new AddressRange(7 * GiB, 8 * GiB)));
    assertEquals(List.of(new AddressRange(0, MiB)), CMRS.uncovered(new AddressRange(0, MiB)));
  }

  @Test
  void withoutCmrsEverythingIsUncovered() {
    assertEquals(List.of(new AddressRange(GiB, 2 * GiB)),
        new ConvertibleMemory(List.of()).uncovered(new AddressRange(GiB, 2 * GiB)));
  }
}
