package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LevelGroups} on levels whose groups are found by hand. */
class LevelGroupsTest {
  /**
   * The levels of [258G, 314G), [314G, 400G) and [400G, 513G) (4K levels of 1024 pages per GiB, 2M
   * levels of 2, 1G levels of 1), no padding: 57 519 pages are filled only as 57 344 + 172 + 1 + 1
   * + 1 (57 519 = 56 · 1024 + 175, and of the 2M levels only 172 leaves an odd 3 for the 1G levels),
   * leaving 88 064, 115 712, 112 and 226, which reach past 139 010 pages only with both 4K levels
   * (115 712 + 112 + 226 falls short): so 57 631 pages more (56 · 1024 + 287, which 57 344 + 112 +
   * 172 + 1 + 1 + 1 fills alone) cannot be filled too: both need the only 4K level of 56 GiB.
   */
  @Test
  void aRangeFilledAndOneReachedPastLeaveNoLevelsForAThird() {
    List<Long> levels = List.of(57_344L, 112L, 1L, 88_064L, 172L, 1L, 115_712L, 226L, 1L);
    assertTrue(LevelGroups.exist(levels, 0, new long[] {57_519}, new long[] {139_010}));
    assertFalse(LevelGroups.exist(levels, 0, new long[] {57_519, 57_631}, new long[] {139_010}));
    assertTrue(LevelGroups.exist(levels, 0, new long[] {57_631}, new long[] {139_010}));
  }

  /** Levels of 10 and 5 pages: 12 pages filled take 2 of padding; reaching past 4 takes the 5. */
  @Test
  void paddingIsSharedBetweenTheGroups() {
    List<Long> levels = List.of(10L, 5L);
    assertTrue(LevelGroups.exist(levels, 2, new long[] {12}, new long[] {4}));
    assertFalse(LevelGroups.exist(levels, 1, new long[] {12}, new long[] {4}));
    // Reaching past 5 with the 5 alone takes a page of padding; with the 10 none.
    assertTrue(LevelGroups.exist(levels, 0, new long[0], new long[] {5}));
    assertFalse(LevelGroups.exist(levels, 0, new long[] {10}, new long[] {5}));
    assertTrue(LevelGroups.exist(levels, 1, new long[] {10}, new long[] {5}));
  }
}
