package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * The TDMRs that the reserved-area limit forces, and the PAMT they cost, for the module family
 * ({@link Policy.Family#MODULE}) when no coverable memory is given up: {@link #leastTdmrs} and
 * {@link #raise}. Solver-neutral; {@link TierBounds} takes both.
 *
 * <h2>TDMRs</h2>
 *
 * Every layout with {@code P} pages of PAMT has at least {@code A(P)} reserved areas summed over its
 * TDMRs ({@link AreaCountBound}'s count of the runs of holes that neither escape through granules
 * left out nor merge over islands filled with PAMT, argued there for every such layout), and each
 * TDMR has at most {@code R} of them (the area limit). So it has at least {@code ceil(A(P) / R)}
 * TDMRs.
 *
 * <h2>PAMT</h2>
 *
 * Let {@code W} be the pages per GiB of the levels whose size per GiB is whole pages (1024 + 2 with
 * 16-byte entries: the 4K and 2M levels), and {@code r} the number of the other levels (the 1G
 * level). A TDMR of {@code n} GiB has at least {@code n·W} pages of the whole levels and at least one
 * page of each other level (a level has at least {@code ceil(n·p / 4096)} pages, rule D2). Let a
 * layout with {@code T} TDMRs leave {@code l} memory granules out of every TDMR: their memory is all
 * PAMT, at least {@code S_l} pages (the {@code l} smallest granules' memory summed), and its TDMRs
 * are disjoint and cover the other {@code N - l} memory granules, so their whole levels have at
 * least {@code W·(N - l)} pages. PAMT ranges are disjoint: {@code P ≥ max(S_l, W·(N - l) + r·T)}. With
 * {@code T ≥ ceil(A(P) / R)}: a value {@code P} below {@code min over l of max(S_l, W·(N - l) +
 * r·ceil(A(P) / R))}, or whose {@code ceil(A(P) / R)} exceeds the TDMR limit, has no layout.
 *
 * <p>On the sweeps' memmap hosts (nodes of 256 GiB with 48 to 64 {@code memmap=} holes, each node
 * solved alone) leaving out one granule is the least PAMT, {@code 255·1026 + T} pages, and the
 * covering bound takes {@code T = 3}; but the holes' runs need 57 to 62 areas at that PAMT, so 4
 * TDMRs: 261 634 pages, one more than the covering bound ({@code AreaLimitBoundTest}).
 */
final class AreaLimitBound {
  /** The most values {@link #raise} rules out, one page at a time, before it stops. */
  static final int MOST_RAISED = 64;

  private final Instance instance;
  private final AreaCountBound areas;
  /** {@code W}, {@code r}: the whole pages per GiB of the whole levels, the number of the others. */
  private final long wholePerGiB;
  private final int rounded;
  /** {@code S_l} for {@code l = 0..}: the memory of the {@code l} smallest memory granules, summed. */
  private final long[] leftOut;

  AreaLimitBound(Instance instance, ModuleFamilyBounds bounds) {
    this.instance = instance;
    this.areas = new AreaCountBound(instance);
    long whole = 0;
    int other = 0;
    for (PageSize level : instance.pieceLevels()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole += p / 4096;
      } else {
        other++;
      }
    }
    this.wholePerGiB = whole;
    this.rounded = other;
    List<Long> granules = new ArrayList<>();
    for (ModuleFamilyBounds.Run run : bounds.runs()) {
      for (int i = run.firstCell(); i <= run.lastCell(); i++) {
        Cell c = instance.cells().get(i);
        for (long g = 0; g < c.sizeGiB(); g++) {
          granules.add(bounds.granulePages(c));
        }
      }
    }
    granules.sort(null);
    this.leftOut = new long[granules.size() + 1];
    for (int l = 0; l < granules.size(); l++) {
      leftOut[l + 1] = leftOut[l] + granules.get(l);
    }
  }

  /**
   * The fewest TDMRs of a layout with {@code pamtPages} pages of PAMT that gives up no coverable
   * memory ({@code ceil(A(P) / R)}, class comment); 0 when nothing is known.
   */
  long leastTdmrs(long pamtPages) {
    long limit = instance.limits().maxReservedPerTdmr();
    if (limit <= 0) {
      return 0;
    }
    // The count alone (an "enough" of 0 skips the search over TDMR sets): a bound for every layout.
    long least = areas.leastAreas(pamtPages, instance.limits().maxTdmrs(), 0);
    return (least + limit - 1) / limit;
  }

  /**
   * The least value from {@code pamtPages} on that the class comment does not rule out, or the value
   * {@link #MOST_RAISED} pages above it (every value below is ruled out); {@code pamtPages} itself
   * when nothing is known.
   */
  long raise(long pamtPages) {
    if (instance.limits().maxReservedPerTdmr() <= 0 || wholePerGiB == 0) {
      return pamtPages;
    }
    long p = pamtPages;
    while (p < pamtPages + MOST_RAISED && !instance.deadline().expired() && ruledOut(p)) {
      p++;
    }
    return p;
  }

  /** Whether no layout has {@code p} pages of PAMT (class comment). */
  private boolean ruledOut(long p) {
    long tdmrs = leastTdmrs(p);
    if (tdmrs > instance.limits().maxTdmrs()) {
      return true;
    }
    int n = leftOut.length - 1;
    for (int l = 0; l <= n && leftOut[l] <= p; l++) {
      if (wholePerGiB * (n - l) + rounded * tdmrs <= p) {
        return false;
      }
    }
    return true;
  }
}
