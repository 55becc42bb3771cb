package tdmr.solver;

import java.util.Optional;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The best layout {@link ExhaustiveSearch} finds on a tiny map, with the counts the bound
 * properties compare against: its PAMT pages, TDMRs and reserved areas, the instance the bounds
 * are asked on, and a description for failure messages.
 */
record BestLayout(Layout layout, Instance instance, long pages, int tdmrs, int areas, String what) {
  /** The best layout, or empty when the map has none; counts "has a layout" in jqwik's statistics. */
  static Optional<BestLayout> of(MemoryMap map, TdxLimits limits, Policy policy, Object label) {
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(map, limits, policy).best();
    Statistics.label("has a layout").collect(best.isPresent());
    return best.map(b -> new BestLayout(b.layout(), Instance.of(map, limits, policy), b.score().pamtBytes() / 4096,
        b.score().tdmrs(), b.score().reservedAreas(), label + "\n" + b.layout()));
  }
}
