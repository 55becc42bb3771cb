package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;

/**
 * TDMR sets for {@link FilledStart} to build with, chosen by the lower bounds of the module family
 * ({@link Policy.Family#MODULE}) under coverage {@code all}: {@link #of}. At the least PAMT {@code
 * P} the bounds allow ({@link ModuleFamilyBounds}, raised by {@link FilledIslandsPamtBound}) and the
 * least TDMR count {@code T} at {@code P} ({@link TdmrCountBound}, {@link
 * FilledIslandsPamtBound#raiseTdmrs}), where PAMT leaves no room to spare every layout has one of the
 * sets {@link TdmrSetsWithoutRoom} visits; each set's reserved areas are bounded by {@link
 * AreaCountBound#leastAreasOf}. A layout built with a set of the least such bound that meets it meets
 * every tier's bound, and is then proven the optimum by the engines without a search.
 *
 * <p>This class only chooses what to build: nothing is claimed from it. Where the cut of a large TDMR
 * decides the size of its small levels, the right cut makes them fill an island exactly: on node 0
 * of a two-socket host of 192 GiB per node whose granule 1 holds 17 runs of holes, at {@code P} =
 * 196 995 pages and 3 TDMRs, the set [0, 2G), [4G, 186G), [186G, 194G) has 2M levels of 364 and 16
 * pages, which with 1G levels fill the islands of 364 and 17 pages: 15 areas, its bound (the TDMRs
 * per run and 1 GiB peels give 16 or 17).
 */
final class LeastAreaSets {
  /** The most sets {@link TdmrSetsWithoutRoom} may visit before none is chosen (each is bounded). */
  private static final int MOST_VISITED = 400;

  /** The most steps of the first visit, at the covering bound. */
  private static final long PROBE_STEPS = 20_000;

  /** The most steps of the visit ({@link TdmrSetsWithoutRoom}). */
  private static final long MOST_STEPS = 100_000;

  private LeastAreaSets() {}

  /**
   * Up to {@code most} TDMR sets of the least area bound at the least PAMT and TDMR count, least
   * first (in the order visited among equals); empty when the bounds are not known, PAMT leaves room
   * to spare, or the sets are too many.
   */
  static List<List<AddressRange>> of(Instance instance, int most) {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty()) {
      return List.of();
    }
    boolean nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
    OptionalLong covering = new ModuleFamilyBounds(instance, nodeLocal).leastPamtPages();
    if (covering.isEmpty()) {
      return List.of();
    }
    if (!TdmrSetsWithoutRoom.visit(instance, covering.getAsLong(), instance.limits().maxTdmrs(), PROBE_STEPS, set -> true)) {
      // Not the regime at the covering bound (or too many sets): the bounds below are not worth
      // their time (a second and more on hosts of a TiB).
      return List.of();
    }
    FilledIslandsPamtBound filled = new FilledIslandsPamtBound(instance, nodeLocal);
    long pages = filled.raise(covering.getAsLong());
    long tdmrs = filled.raiseTdmrs(pages, new TdmrCountBound(instance).leastTdmrs(pages).orElse(1));
    AreaCountBound areas = new AreaCountBound(instance);
    record Bounded(List<long[]> tdmrs, long least) {}
    List<Bounded> sets = new ArrayList<>();
    boolean all = TdmrSetsWithoutRoom.visit(instance, pages, tdmrs, MOST_STEPS, set -> {
      if (instance.deadline().expired()) {
        return false;
      }
      sets.add(new Bounded(set.tdmrs(), areas.leastAreasOf(set, pages)));
      return sets.size() < MOST_VISITED;
    });
    if (!all) {
      return List.of();
    }
    List<List<AddressRange>> out = new ArrayList<>();
    sets.stream().filter(b -> b.least() != Long.MAX_VALUE).sorted(Comparator.comparingLong(Bounded::least)).limit(most)
        .forEach(b -> out.add(b.tdmrs().stream().map(t -> new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB)).toList()));
    return out;
  }
}
