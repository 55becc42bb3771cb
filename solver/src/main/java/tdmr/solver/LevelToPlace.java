package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.PageSize;

/**
 * One PAMT level a construction ({@link IslandFill}, {@link FilledStart}) has yet to place: its
 * TDMR's index, its level, and its least pages.
 */
record LevelToPlace(int tdmr, PageSize level, long pages) {
  /**
   * Every level of {@code tdmrs} at its least size, largest first (an island takes the largest level
   * that fits it); a list the caller may change.
   */
  static List<LevelToPlace> largestFirst(Instance instance, List<AddressRange> tdmrs) {
    List<LevelToPlace> levels = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      long giB = tdmrs.get(t).size() / ByteSize.GiB;
      for (PageSize level : instance.pieceLevels()) {
        levels.add(new LevelToPlace(t, level, instance.levelPages(giB, level)));
      }
    }
    levels.sort(Comparator.comparingLong(LevelToPlace::pages).reversed());
    return levels;
  }
}
