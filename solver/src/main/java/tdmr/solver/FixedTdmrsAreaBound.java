package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.TdmrInterior.Island;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the reserved areas, summed over all TDMRs, of every layout of the module family
 * ({@link Policy.Family#MODULE}) under coverage {@code all} whose TDMRs are exactly a given set and
 * whose PAMT is {@code P} pages: {@link #leastAreas}. An engine uses it once its tiers have fixed
 * the TDMRs (Z3 when {@link ModuleFamilyBounds#tdmrs} are the only TDMRs left at the PAMT and TDMR
 * bounds); a layout meeting it is then proven least without a search.
 *
 * <h2>Runs and islands of a TDMR</h2>
 *
 * Walk the atoms inside a TDMR in address order. A <em>run</em> is a maximal sequence of atoms that
 * are not usable memory (convertible TDX memory) holding a gap the TDMR must reserve ({@link
 * Instance#mustReserve}) or memory outside every CMR; two such sequences with only gaps the TDMR may
 * leave unreserved between them count as one. An <em>island</em> is what lies between two
 * consecutive runs of the TDMR; its capacity is the pages of its memory.
 *
 * <h2>Why every such layout has at least {@code sum_t r_t - F} areas</h2>
 *
 * Every atom of a run lies in a reserved area of the TDMR (rules C1, E1 and the holes policy). The
 * areas are disjoint and sorted, so two runs share an area only when everything between them is
 * reserved; under coverage {@code all} reserved memory inside a TDMR is PAMT (no other TDMR overlaps
 * it, and every page of TDX memory is PAMT or in a TDMR's non-reserved part), so the island between
 * them is all PAMT: <em>filled</em>. Merging runs across {@code f_t} filled islands leaves at least
 * {@code r_t - f_t} areas in a TDMR of {@code r_t} runs, and {@code F = sum_t f_t}.
 *
 * <p>{@code F} is at most the most islands that can be filled together. A PAMT level is one range of
 * TDX memory inside CMRs (rules D6 and O2), and a run is a gap or memory outside every CMR, so a
 * level lies inside at most one island, and a filled island is exactly covered by the levels inside
 * it: its capacity is the sum of their sizes (an island whose memory is cut by a gap the TDMR leaves
 * unreserved is only counted, see below). Each level has at least its least size ({@link
 * Instance#levelPages} of its TDMR's GiB), so the <em>padding</em> of all levels together is {@code
 * s = P - sum of the least sizes} (no TDMR beyond the given ones holds a level). Hence the filled
 * islands take disjoint sets of levels whose least sizes sum to their capacity minus their padding,
 * with at most {@code s} padding in all; with {@code s = 0} each filled island is exactly a sum of
 * least sizes. Under PAMT {@code node-local} with no remote PAMT (the remote tier proven 0), a level
 * lies only on a node every memory granule of its TDMR holds memory of ({@link
 * tdmr.check.RemotePamt}: else it describes a granule remotely), so it can go into an island only
 * when one of the island's nodes is such a node. {@link #leastAreas} finds the most islands that
 * can be filled so by a search over the islands, each with a set of the levels left that fits it;
 * when the search runs out of its step budget it counts every island that some set fits on its own
 * (more, so still a bound).
 *
 * <p>On the fragmented maps of the module-family sweep (one 2 GiB TDMR over 17 or 18 runs, the 3
 * TDMRs at their least PAMT, so {@code s = 0}) few islands are a sum of the nine least sizes, and
 * the bound is the areas of the layout found: the tier is proven without a search.
 */
public final class FixedTdmrsAreaBound {
  /** The most search steps before the bound falls back to counting islands one by one. */
  private static final int MOST_STEPS = 200_000;

  private final Instance instance;
  private final List<AddressRange> tdmrs;
  private final boolean localOnly;

  /**
   * The bound for layouts whose TDMRs are exactly {@code tdmrs} (sorted, disjoint, whole GiB);
   * {@code noRemotePamt} when the layouts have no remote PAMT (under {@code node-local}, the remote
   * tier proven 0), so that levels lie on their TDMR's nodes.
   */
  public FixedTdmrsAreaBound(Instance instance, List<AddressRange> tdmrs, boolean noRemotePamt) {
    this.instance = instance;
    this.tdmrs = List.copyOf(tdmrs);
    this.localOnly = noRemotePamt;
  }

  /** A level's least pages and the nodes it may lie on (null: any). */
  private record Level(long pages, List<Integer> nodes) {}

  /**
   * The least reserved areas of every layout of the module family under coverage {@code all} with
   * exactly these TDMRs and {@code pamtPages} pages of PAMT; 0 when nothing is known (another
   * family or coverage, memory no layout covers, or PAMT below the TDMRs' least levels: no such
   * layout).
   */
  public long leastAreas(long pamtPages) {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty()) {
      return 0;
    }
    List<Level> levels = new ArrayList<>();
    long least = 0;
    for (AddressRange t : tdmrs) {
      List<Integer> nodes = localOnly ? TdmrInterior.localNodes(instance, t) : null;
      for (PageSize level : instance.pieceLevels()) {
        long pages = instance.levelPages(t.size() / ByteSize.GiB, level);
        least += pages;
        levels.add(new Level(pages, nodes));
      }
    }
    long slack = pamtPages - least;
    if (slack < 0) {
      return 0;
    }
    long runs = 0;
    List<Island> islands = new ArrayList<>();
    for (AddressRange t : tdmrs) {
      TdmrInterior inside = TdmrInterior.of(instance, t);
      runs += inside.runs();
      islands.addAll(inside.islands());
    }
    long filled = new MostFilled(islands, levels, slack).most();
    return Math.max(0, runs - filled);
  }

  /** The most islands filled together by disjoint sets of levels within the padding allowed. */
  private static final class MostFilled {
    private final List<Island> islands;
    private final List<Level> levels;
    private final boolean[] used;
    private final long slack;
    private int steps;
    private boolean exhausted;

    MostFilled(List<Island> islands, List<Level> levels, long slack) {
      this.islands = new ArrayList<>(islands);
      this.islands.sort(Comparator.comparingLong(Island::pages));
      this.levels = new ArrayList<>(levels);
      this.levels.sort(Comparator.comparingLong(Level::pages).reversed());
      this.used = new boolean[levels.size()];
      this.slack = slack;
    }

    long most() {
      int found = search(0, slack);
      if (!exhausted) {
        return found;
      }
      // Out of steps: every island some set of levels fits on its own, at most one per level.
      long alone = 0;
      for (Island i : islands) {
        if (!i.oneStretch() || fits(i, 0, 0, slack, new int[] {0})) {
          alone++;
        }
      }
      return Math.min(alone, levels.size() + islands.stream().filter(i -> !i.oneStretch()).count());
    }

    /** The most islands from {@code i} on filled with the levels not used, within {@code padding}. */
    private int search(int i, long padding) {
      if (i == islands.size() || exhausted) {
        return 0;
      }
      Island island = islands.get(i);
      int best = search(i + 1, padding);
      if (!island.oneStretch()) {
        // Cut by a gap the TDMR may leave unreserved: counted as fillable without taking levels.
        return Math.max(best, 1 + search(i + 1, padding));
      }
      best = Math.max(best, tryFill(island, 0, 0, padding, i));
      return best;
    }

    /**
     * The most islands if {@code island} is filled by a non-empty set of the unused levels from
     * index {@code k} on (plus those chosen, summing to {@code sum}), then the islands after it.
     */
    private int tryFill(Island island, int k, long sum, long padding, int i) {
      if (++steps > MOST_STEPS) {
        exhausted = true;
        return 0;
      }
      int best = 0;
      if (sum > 0 && island.pages() - sum <= padding) {
        best = 1 + search(i + 1, padding - (island.pages() - sum));
      }
      for (int j = k; j < levels.size() && !exhausted; j++) {
        Level l = levels.get(j);
        if (used[j] || sum + l.pages() > island.pages() || !mayLie(l, island)) {
          continue;
        }
        // Levels of one size and the same nodes are interchangeable: take the first unused one only.
        if (j > k && sameAsAnUnusedBefore(j, k)) {
          continue;
        }
        used[j] = true;
        best = Math.max(best, tryFill(island, j + 1, sum + l.pages(), padding, i));
        used[j] = false;
      }
      return best;
    }

    private boolean sameAsAnUnusedBefore(int j, int k) {
      Level l = levels.get(j);
      for (int p = k; p < j; p++) {
        if (!used[p] && levels.get(p).pages() == l.pages() && java.util.Objects.equals(levels.get(p).nodes(), l.nodes())) {
          return true;
        }
      }
      return false;
    }

    /** Whether some non-empty set of the levels from {@code k} on fits {@code island} within {@code padding}. */
    private boolean fits(Island island, int k, long sum, long padding, int[] count) {
      if (sum > 0 && island.pages() - sum <= padding) {
        return true;
      }
      if (++count[0] > MOST_STEPS) {
        // No answer in time: assume it fits (a larger count keeps the bound valid).
        return true;
      }
      for (int j = k; j < levels.size(); j++) {
        Level l = levels.get(j);
        if (sum + l.pages() <= island.pages() && mayLie(l, island) && fits(island, j + 1, sum + l.pages(), padding, count)) {
          return true;
        }
      }
      return false;
    }

    private static boolean mayLie(Level l, Island island) {
      return l.nodes() == null || island.nodes().stream().anyMatch(l.nodes()::contains);
    }
  }
}
