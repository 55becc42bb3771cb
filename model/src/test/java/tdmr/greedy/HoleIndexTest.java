package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;

/**
 * The gaps of a hole source as {@code tdmr_populate_rsvd_holes} meets them: for ranges [1M, 1G)
 * and [2G, 3G) they are [0, 1M) below the first range, [1G, 2G) between them, and [3G, 2^63 - 1)
 * above the last.
 */
class HoleIndexTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final HoleIndex TWO_RANGES =
      new HoleIndex(List.of(new AddressRange(MiB, GiB), new AddressRange(2 * GiB, 3 * GiB)));

  @Test
  void theGapsLieBelowBetweenAndAboveTheRanges() {
    assertEquals(3, TWO_RANGES.size());
    assertEquals(0, TWO_RANGES.start(0));
    assertEquals(MiB, TWO_RANGES.end(0));
    assertEquals(GiB, TWO_RANGES.start(1));
    assertEquals(2 * GiB, TWO_RANGES.end(1));
    assertEquals(3 * GiB, TWO_RANGES.start(2));
    assertEquals(HoleIndex.ABOVE_ALL, TWO_RANGES.end(2));
  }

  @Test
  void aGapStartsWhereMemoryEnds() {
    assertTrue(TWO_RANGES.gapStartsAt(0), "the gap below the first range starts at 0");
    assertTrue(TWO_RANGES.gapStartsAt(GiB));
    assertTrue(TWO_RANGES.gapStartsAt(3 * GiB));
    assertFalse(TWO_RANGES.gapStartsAt(MiB), "memory starts there");
    assertFalse(TWO_RANGES.gapStartsAt(2 * GiB));
    assertFalse(TWO_RANGES.gapStartsAt(GiB + 4096), "inside a gap");
    assertFalse(TWO_RANGES.gapStartsAt(4 * GiB), "past the start of the last gap");
  }

  @Test
  void aGapEndsWhereMemoryStarts() {
    assertTrue(TWO_RANGES.gapEndsAt(MiB));
    assertTrue(TWO_RANGES.gapEndsAt(2 * GiB));
    assertFalse(TWO_RANGES.gapEndsAt(GiB), "memory ends there");
    assertFalse(TWO_RANGES.gapEndsAt(3 * GiB));
    assertFalse(TWO_RANGES.gapEndsAt(GiB + GiB / 2), "inside a gap");
    assertFalse(TWO_RANGES.gapEndsAt(GiB / 2), "inside memory");
  }
}
