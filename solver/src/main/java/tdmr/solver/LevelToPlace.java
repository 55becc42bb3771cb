package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
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

  /**
   * The layout of {@code tdmrs} with the levels a construction placed ({@code placed[t][level]}),
   * each TDMR's reserved areas derived by {@link ReservedAreas}; not yet validated.
   */
  static Layout layout(Instance instance, List<AddressRange> tdmrs, PamtRange[][] placed) {
    List<ReservedAreas.Placed> withPamt = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      withPamt.add(new ReservedAreas.Placed(tdmrs.get(t), new Pamt(placed[t][PageSize.SIZE_4K.ordinal()],
          placed[t][PageSize.SIZE_2M.ordinal()], placed[t][PageSize.SIZE_1G.ordinal()])));
    }
    return new ReservedAreas(instance.map(), instance.policy().holes()).layout(withPamt, List.of());
  }
}
