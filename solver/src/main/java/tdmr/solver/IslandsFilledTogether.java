package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;

/**
 * The most islands that the PAMT levels of a known set of TDMRs can fill at once: {@link #most}.
 * With the TDMRs known ({@link TdmrSetsAtPamt.TdmrSet}) each level has a known least size, and all
 * levels together exceed those by at most the set's padding {@code σ}. An island all PAMT (every
 * stretch of its memory filled exactly by the levels lying in it) merges the runs of holes around it
 * into one reserved area, so the count bounds the areas a layout with those TDMRs saves that way
 * ({@link AreasWithKnownTdmrs}).
 *
 * <h2>Why no layout fills more</h2>
 *
 * A level is one range of TDX memory inside CMRs (rules D6 and O2), so it lies in one stretch of
 * contiguous usable memory; PAMT ranges are disjoint. A stretch all PAMT is therefore covered
 * exactly by the levels lying in it, at least one of them, and the levels of distinct stretches are
 * distinct. So the stretches of the islands a layout fills, together with the parts that must be
 * all PAMT anyway ({@code mandatory}: memory left out of every TDMR), are filled by disjoint groups
 * of levels, a group's least pages {@code m_i} at most its stretch's pages {@code s_i}, and the
 * shortfalls {@code s_i - m_i} (padding of the group's levels) at most {@code σ} together: exactly
 * what {@link TdmrSetsAtPamt#fillTogether} tests (and answers "maybe" when its search is too long,
 * which only raises the count). The sets of islands that pass that test are closed under taking
 * subsets (drop a group), so a depth-first search that adds an island only when the test still
 * passes visits every passing set and finds the largest.
 *
 * <p>The levels ignore nodes (under {@code node-local} a level lies only on a node of its TDMR's
 * memory), which only lets more islands pass: the count stays an upper bound.
 *
 * <p>Example: the low 2 GiB of the seed-7 sweep's {@code fragmented-16} map, node 0 alone (a 2 GiB
 * run below 4 GiB and a 62 GiB run above). At its least PAMT, one page above the covering bound, a
 * set of 3 TDMRs that covers the low run with one TDMR cuts the high run in two, {@code a} and
 * {@code 62 - a} GiB, with no padding: levels of 2048, 4, 1, {@code 1024a}, {@code 2a}, 1, {@code
 * 1024(62 - a)}, {@code 2(62 - a)}, 1 pages. The islands of its low TDMR below 131 pages hold 1, 11,
 * 20, 36 and 123 pages; every larger one (215 to 18 352 pages, and the 338 313 pages above 1 MiB) is no sum of those levels. With
 * {@code a = 10}: 1 (a 1G level) and 20 ({@code 2a}) at once, but no third: 11 would need 4 + 1 +
 * 1 + ... from the two 1G levels and the 4 left (at most 6), and 36 and 123 need more than the levels
 * left sum to below them. So 2, for every {@code a} at most 2 ({@code IslandsFilledTogetherTest}).
 */
public final class IslandsFilledTogether {
  /** The most steps of the search (islands tried plus the steps of its fill tests) before it gives up. */
  static final long MOST_STEPS = 200_000;

  private final long[] levels;
  private final long padding;
  private final long[] mandatory;
  private final List<long[]> islands;
  private final long[] steps = new long[1];
  private int best;

  private IslandsFilledTogether(long[] levels, long padding, long[] mandatory, List<long[]> islands) {
    this.levels = levels;
    this.padding = padding;
    this.mandatory = mandatory;
    this.islands = new ArrayList<>(islands);
    // Small islands first: a large count is found early, which cuts more branches.
    this.islands.sort(Comparator.comparingLong(IslandsFilledTogether::pages));
  }

  /**
   * The most of {@code islands} (each the pages of its stretches) whose stretches, with the parts
   * {@code mandatory}, disjoint groups of the levels of {@code levels} least pages can fill within
   * {@code padding} together (class comment); empty when the search took more than {@link
   * #MOST_STEPS} steps or even {@code mandatory} alone cannot be filled.
   */
  public static OptionalInt most(long[] levels, long padding, long[] mandatory, List<long[]> islands) {
    IslandsFilledTogether search = new IslandsFilledTogether(levels, padding, mandatory, islands);
    if (!TdmrSetsAtPamt.fillTogether(levels, padding, mandatory, search.steps)) {
      return OptionalInt.empty();
    }
    try {
      search.from(0, mandatory, 0);
    } catch (GiveUp e) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(search.best);
  }

  private static long pages(long[] stretches) {
    long sum = 0;
    for (long s : stretches) {
      sum += s;
    }
    return sum;
  }

  /** Thrown when the search takes more than {@link #MOST_STEPS} steps. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  /** The search from island {@code i} on, with {@code parts} (mandatory and chosen) filled, {@code count} islands chosen. */
  private void from(int i, long[] parts, int count) {
    if (++steps[0] > MOST_STEPS) {
      throw new GiveUp();
    }
    best = Math.max(best, count);
    if (i == islands.size() || count + islands.size() - i <= best) {
      return;
    }
    long[] island = islands.get(i);
    long[] with = java.util.Arrays.copyOf(parts, parts.length + island.length);
    System.arraycopy(island, 0, with, parts.length, island.length);
    if (TdmrSetsAtPamt.fillTogether(levels, padding, with, steps)) {
      from(i + 1, with, count + 1);
    }
    if (steps[0] > MOST_STEPS) {
      throw new GiveUp();
    }
    from(i + 1, parts, count);
  }
}
