package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@link IslandsFilledTogether} on level sizes and islands derived by hand: the most islands whose
 * stretches disjoint groups of levels fill exactly, within the padding, after the mandatory parts.
 */
class IslandsFilledTogetherTest {
  private static List<long[]> islands(long... pages) {
    return java.util.Arrays.stream(pages).mapToObj(p -> new long[] {p}).toList();
  }

  /**
   * Levels of 2, 1 and 1 pages, no padding, islands of 1, 1, 2 and 3 pages: {1}, {1}, {2} take
   * every level; 3 pages would need 2 + 1, so four islands never (they hold 7 pages, the levels 4).
   */
  @Test
  void eachLevelFillsOneIsland() {
    assertEquals(OptionalInt.of(3), IslandsFilledTogether.most(new long[] {2, 1, 1}, 0, new long[0], islands(1, 1, 2, 3)));
  }

  /** A part that must be filled (3 pages, by 2 + 1) leaves one level of 1 page: one island of 1. */
  @Test
  void mandatoryPartsTakeTheirLevelsFirst() {
    assertEquals(OptionalInt.of(1), IslandsFilledTogether.most(new long[] {2, 1, 1}, 0, new long[] {3}, islands(1, 1, 2)));
  }

  /** A level of 2 pages fills 3 only padded by a page: with padding 1, yes; with 0, no. */
  @Test
  void paddingIsShared() {
    assertEquals(OptionalInt.of(1), IslandsFilledTogether.most(new long[] {2}, 1, new long[0], islands(3)));
    assertEquals(OptionalInt.of(0), IslandsFilledTogether.most(new long[] {2}, 0, new long[0], islands(3)));
    // Two islands of 3 by two levels of 2 need 2 pages of padding: with 1, only one.
    assertEquals(OptionalInt.of(1), IslandsFilledTogether.most(new long[] {2, 2}, 1, new long[0], islands(3, 3)));
  }

  /** An island of two stretches (an optional gap between) is filled only when both are. */
  @Test
  void everyStretchOfAnIslandIsFilled() {
    assertEquals(OptionalInt.of(0), IslandsFilledTogether.most(new long[] {2}, 0, new long[0], List.of(new long[] {2, 1})));
    assertEquals(OptionalInt.of(1), IslandsFilledTogether.most(new long[] {2, 1}, 0, new long[0], List.of(new long[] {2, 1})));
  }

  /** The islands of the low TDMR of the seed-7 sweep's {@code fragmented-16} map, node 0 (class comment). */
  private static final long[] FRAGMENTED_16 = {3663, 5064, 314, 215, 20, 7870, 36, 123, 11, 4432, 12270, 1909, 18352,
      4569, 259, 1};

  /**
   * The class comment's example: the high 62 GiB run cut into {@code a} and {@code 62 - a} GiB.
   * With {@code a = 10}: 1 (a 1G level) and 20 (the 2M level of 20 pages), no third. With {@code a
   * = 2} (levels 2048, 4, 1, 2048, 4, 1, 61 440, 120, 1): 1 by a 1G level, 11 only by 4 + 4 + 1 + 1
   * + 1 and 123 only by 120 + 1 + 1 + 1, each taking all three 1G levels: one island. Never three,
   * for any {@code a}.
   */
  @Test
  void theLowTdmrOfFragmented16FillsAtMostTwoIslands() {
    assertEquals(OptionalInt.of(2), IslandsFilledTogether.most(levels(10), 0, new long[0], islands(FRAGMENTED_16)));
    assertEquals(OptionalInt.of(1), IslandsFilledTogether.most(levels(2), 0, new long[0], islands(FRAGMENTED_16)));
    for (long a = 1; a <= 61; a++) {
      OptionalInt most = IslandsFilledTogether.most(levels(a), 0, new long[0], islands(FRAGMENTED_16));
      assertTrue(most.isPresent() && most.getAsInt() <= 2, "a = " + a + ": " + most);
    }
  }

  /** Levels of TDMRs of 2, {@code a} and {@code 62 - a} GiB (16-byte entries). */
  private static long[] levels(long a) {
    long b = 62 - a;
    return new long[] {2048, 4, 1, 1024 * a, 2 * a, 1, 1024 * b, 2 * b, 1};
  }
}
