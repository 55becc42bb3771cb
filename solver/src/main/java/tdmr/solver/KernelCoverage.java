package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.ByteSize;
import tdmr.tdx.PageSize;

/**
 * How much TDMR a kernel-family layout with a given PAMT must have, under coverage {@code all}:
 * the least GiB its TDMRs need to cover what they must ({@link #mayCover}).
 *
 * <h2>What a layout with P pages of PAMT covers</h2>
 *
 * Under coverage {@code all} every page of usable memory lies in a TDMR outside its reserved areas
 * or is PAMT. A TDMR covers whole granules, so the usable memory of a granule left out of every
 * TDMR is all PAMT, and PAMT ranges are disjoint: the granules left out hold at most {@code P}
 * usable pages together. A granule that {@link KernelChunks#mustBeCovered} (it touches an island
 * too small for any chunk, or holds wholly one no chunks sum to) is never left out.
 *
 * <h2>The GiB that covers it</h2>
 *
 * {@code T} TDMRs are at most {@code T} disjoint runs of granules, {@code S} GiB in all. Walk the
 * <em>items</em> in address order: each PLAIN cell (a run of granules alike, {@code u} usable
 * pages each) and each MIXED granule holding usable memory. Relax the layout: an item is
 * <em>absent</em> (all its granules left out, paying all their pages) or <em>present</em>, as if a
 * run of TDMR passed over all of it, continuing the run over the gap before it (paying the gap's
 * GiB) or starting one. Each present granule counts 1 GiB, less one for each granule left out
 * inside present items, which may be any granules not bound to be covered, the fewest usable pages
 * first, within the pages not paid for absent items. That is never more than the layout's {@code
 * S}: where the layout leaves out part of an item, its runs over that item start and end inside
 * it, which the relaxation may do at the item's edges (starting no more runs), and it counts only
 * the granules covered; where it leaves out all of an item, the item is absent. A dynamic program
 * over the items gives, for each count of runs, the least such GiB by the pages paid for absent
 * items (a Pareto front, merged by taking the lesser of both where it grows too long, which only
 * lowers it).
 *
 * <p>The chunks of TDMRs of {@code N_1 .. N_T} GiB have {@code P = Σ_i Σ_level ⌈N_i · b / 4096⌉}
 * pages ({@code b} the level's bytes per GiB, {@link Instance#perGiBBytes}), and per level {@code
 * Σ_i ⌈N_i · b / 4096⌉ ≥ max(⌈S · b / 4096⌉, T · ⌈b / 4096⌉)} (ceilings are subadditive, and each
 * TDMR has at least 1 GiB). So a layout exists only if that sum at the least {@code S} is at most
 * {@code P}.
 *
 * <p>E.g. on the Supermicro X12DAi (blocks [1M, 1662M+200K), [1748M-4K, 1784M), [4G, 258G)) granule
 * 1 holds wholly the 9 217-page block, which no chunks sum to (1026·S + k, k ≤ S TDMRs), so it is
 * covered; the granules above 4G hold 262 144 pages each, granule 0 261 888. With one TDMR and
 * fewer than 262 144 + 261 888 pages the run spans 1G to 258G at least (granule 0 left out) or 0 to
 * 258G, at least 257 GiB, 1026·257 + 2 pages: more.
 */
final class KernelCoverage {
  /** The longest Pareto front kept per state of the dynamic program before it is merged. */
  static final int MOST_FRONT = 256;

  private final Instance instance;
  private final KernelChunks chunks;
  /** The items in address order. */
  private final List<Item> items;
  /** Per usable pages of a granule that may be left out, ascending: pages, granules, and their running sums. */
  private final long[] leftOutPages;
  private final long[] leftOutCount;
  private final long[] costBefore;
  private final long[] countBefore;
  /** Per count of runs: the final Pareto front of (pages paid for absent items, least GiB). */
  private final Map<Long, List<long[]>> fronts = new HashMap<>();

  /**
   * {@code count} consecutive granules from GiB {@code first}, each holding {@code usable} pages of
   * usable memory; {@code covered} when they are bound to be covered ({@link KernelChunks#mustBeCovered}).
   */
  private record Item(long first, long count, long usable, boolean covered) {
    long end() {
      return first + count;
    }
  }

  KernelCoverage(Instance instance, KernelChunks chunks) {
    this.instance = instance;
    this.chunks = chunks;
    this.items = findItems();
    List<Item> optional = items.stream().filter(i -> !i.covered()).sorted(Comparator.comparingLong(Item::usable)).toList();
    int n = optional.size();
    leftOutPages = new long[n];
    leftOutCount = new long[n];
    costBefore = new long[n + 1];
    countBefore = new long[n + 1];
    for (int i = 0; i < n; i++) {
      leftOutPages[i] = optional.get(i).usable();
      leftOutCount[i] = optional.get(i).count();
      costBefore[i + 1] = saturatedAdd(costBefore[i], saturatedMultiply(leftOutPages[i], leftOutCount[i]));
      countBefore[i + 1] = countBefore[i] + leftOutCount[i];
    }
  }

  /**
   * Whether the coverage leaves room for a kernel-family layout with exactly {@code pages} pages of
   * PAMT and {@code tdmrs} TDMRs (class comment); false proves that none exists.
   */
  boolean mayCover(long pages, long tdmrs) {
    if (tdmrs < 1 || items.isEmpty()) {
      return true;
    }
    long least = Long.MAX_VALUE;
    for (long[] e : front(tdmrs)) {
      if (e[0] <= pages) {
        least = Math.min(least, Math.max(0, e[1] - mostLeftOut(pages - e[0])));
      }
    }
    return least != Long.MAX_VALUE && leastPages(least, tdmrs) <= pages;
  }

  /** The most granules that may be left out, the fewest usable pages first, within {@code pages}. */
  private long mostLeftOut(long pages) {
    int lo = 0;
    int hi = leftOutPages.length;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (costBefore[mid] <= pages) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    long count = countBefore[lo];
    if (lo < leftOutPages.length) {
      count += Math.min(leftOutCount[lo], (pages - costBefore[lo]) / leftOutPages[lo]);
    }
    return count;
  }

  /** The Pareto front of (pages paid for absent items, least GiB) of at most {@code tdmrs} runs. */
  private List<long[]> front(long tdmrs) {
    return fronts.computeIfAbsent(tdmrs, this::walk);
  }

  /**
   * The dynamic program of the class comment: per count of runs started and whether the last item
   * is inside a run, the front after each item.
   */
  private List<long[]> walk(long tdmrs) {
    int most = (int) Math.min(tdmrs, items.size());
    List<List<List<long[]>>> state = emptyStates(most);
    state.get(0).set(0, List.of(new long[] {0, 0}));
    long previousEnd = items.get(0).first();
    for (Item item : items) {
      instance.deadline().check();
      long gap = item.first() - previousEnd;
      List<List<List<long[]>>> next = emptyStates(most);
      for (int j = 0; j <= most; j++) {
        for (int inside = 0; inside < 2; inside++) {
          List<long[]> from = state.get(j).get(inside);
          if (from.isEmpty()) {
            continue;
          }
          if (!item.covered()) {
            add(next, j, 0, from, saturatedMultiply(item.count(), item.usable()), 0);
          }
          if (inside == 1) {
            add(next, j, 1, from, 0, gap + item.count());
          }
          if (j < most) {
            add(next, j + 1, 1, from, 0, item.count());
          }
        }
      }
      state = next;
      previousEnd = item.end();
    }
    List<long[]> all = new ArrayList<>();
    for (List<List<long[]>> s : state) {
      for (List<long[]> f : s) {
        all.addAll(f);
      }
    }
    return pareto(all);
  }

  private static List<List<List<long[]>>> emptyStates(int most) {
    List<List<List<long[]>>> out = new ArrayList<>();
    for (int j = 0; j <= most; j++) {
      out.add(new ArrayList<>(List.of(List.of(), List.of())));
    }
    return out;
  }

  /** Adds {@code from}, each entry paying {@code pages} more and counting {@code giB} more, to a state of {@code to}. */
  private static void add(List<List<List<long[]>>> to, int j, int inside, List<long[]> from, long pages, long giB) {
    List<long[]> merged = new ArrayList<>(to.get(j).get(inside));
    for (long[] e : from) {
      merged.add(new long[] {saturatedAdd(e[0], pages), e[1] + giB});
    }
    to.get(j).set(inside, pareto(merged));
  }

  /**
   * The entries no other beats in both (fewer pages paid, fewer GiB), by pages ascending; past
   * {@link #MOST_FRONT} entries, neighbours are merged into the lesser of both, which only lowers
   * the bound.
   */
  private static List<long[]> pareto(List<long[]> entries) {
    List<long[]> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    List<long[]> out = new ArrayList<>();
    for (long[] e : sorted) {
      if (out.isEmpty() || e[1] < out.get(out.size() - 1)[1]) {
        out.add(e);
      }
    }
    while (out.size() > MOST_FRONT) {
      List<long[]> halved = new ArrayList<>();
      for (int i = 0; i < out.size(); i += 2) {
        long[] low = out.get(i);
        long[] high = out.get(Math.min(i + 1, out.size() - 1));
        halved.add(new long[] {low[0], high[1]});
      }
      out = halved;
    }
    return out;
  }

  /** The fewest pages the chunks of {@code tdmrs} TDMRs of {@code giB} GiB in all can have (class comment). */
  long leastPages(long giB, long tdmrs) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      long b = instance.perGiBBytes(level);
      pages += Math.max(ceilPages(giB * b), tdmrs * ceilPages(b));
    }
    return pages;
  }

  private static long ceilPages(long bytes) {
    return (bytes + ByteSize.PAGE - 1) / ByteSize.PAGE;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private static long saturatedMultiply(long a, long b) {
    return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }

  /**
   * The items, cell by cell: a PLAIN cell holding usable memory is one item (its one atom spans its
   * granules), a MIXED cell holding usable memory is one granule.
   */
  private List<Item> findItems() {
    List<Item> out = new ArrayList<>();
    for (Instance.Cell c : instance.cells()) {
      long usable = instance.usablePages(c);
      if (usable == 0) {
        continue;
      }
      long first = c.range().start() / ByteSize.GiB;
      if (c.kind() == Instance.Kind.PLAIN) {
        out.add(new Item(first, c.sizeGiB(), usable / c.sizeGiB(), false));
      } else {
        out.add(new Item(first, 1, usable, chunks.mustBeCovered(c.range())));
      }
    }
    return List.copyOf(out);
  }
}
