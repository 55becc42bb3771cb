package tdmr.solver;

import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;

/**
 * Within a limit of exactly three TDMRs, whether a layout with a TDMR wholly inside a run of whole
 * GiB without reaching the run's ends ({@link ModuleFamilyRestrictions#INSIDE_A_RUN}) can have at
 * most {@code B} pages of PAMT while giving up no coverable memory.
 *
 * <p><b>Why.</b> Let {@code T = [a, b)} lie inside the usable run {@code R = [r, s)}. If a granule
 * beside {@code T} ({@code [a - 1G, a)} or {@code [b, b + 1G)}, both in {@code R}) is in no TDMR,
 * its 1 GiB of memory is PAMT. Otherwise they lie in two other TDMRs, which touch {@code T} (they
 * may not overlap it, rule B3): with three TDMRs these are all, {@code [x, a)}, {@code T}, {@code
 * [b, y)}, one contiguous span of {@code N = y - x} GiB. The usable memory outside it is PAMT, and
 * the three TDMRs' levels are at least, level by level, the {@code ceil(N · perGiB / 4 KiB)} pages
 * the sizes sum to and one page per TDMR ({@link Instance#levelPages}, rounded up per TDMR). So
 * such a layout with at most {@code B} pages needs {@code B ≥ 1 GiB}, or a span {@code [x, y)} with
 * {@code x ≤ s - 3G}, {@code y ≥ r + 3G}, {@code y - x ≥ 3 GiB}, whose levels' least pages and
 * whose memory outside are each at most {@code B}. Both decrease as the span moves to take in
 * memory, so for each end {@code y} the widest span whose levels fit ({@code N_max} GiB) is the one
 * to try. On canonical/tdx#381 (one island below 2 GiB and three of about 62 GiB up to 193 GiB) at
 * three TDMRs the optimum has 194 943 pages: spans of at most 190 GiB fit that, and any of them
 * leaves out at least 1 GiB less 1 MiB of memory below 1 GiB or a GiB at the top.
 */
final class FlankedInnerTdmr {
  private final Instance instance;
  /** The window's first granule's address, and its usable pages per granule. */
  private final long start;
  private final long[] usable;

  FlankedInnerTdmr(Instance instance) {
    this.instance = instance;
    long lo = instance.cells().isEmpty() ? 0 : instance.cells().get(0).range().start();
    long hi = instance.cells().isEmpty() ? 0 : instance.cells().get(instance.cells().size() - 1).range().end();
    this.start = ByteSize.alignDown(lo, ByteSize.GiB);
    int granules = (int) ((ByteSize.alignUp(hi, ByteSize.GiB) - start) / ByteSize.GiB);
    this.usable = new long[granules];
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      for (long g = ByteSize.alignDown(a.range().start(), ByteSize.GiB); g < a.range().end(); g += ByteSize.GiB) {
        long from = Math.max(g, a.range().start());
        long to = Math.min(g + ByteSize.GiB, a.range().end());
        usable[(int) ((g - start) / ByteSize.GiB)] += (to - from) / ByteSize.PAGE;
      }
    }
  }

  /**
   * Whether a layout of at most three TDMRs, one of them inside {@code run}, that gives up no
   * coverable memory can have at most {@code most} pages of PAMT (true when the limit is not three:
   * the argument needs the three TDMRs to be all).
   */
  boolean canHaveAtMost(Cell run, long most) {
    if (instance.limits().maxTdmrs() != 3 || most >= ByteSize.GiB / ByteSize.PAGE) {
      return true;
    }
    long widest = 0;
    while (widest < usable.length && leastLevelPages(widest + 1) <= most) {
      widest++;
    }
    if (widest < 3) {
      return false;
    }
    long[] below = new long[usable.length + 1];
    for (int g = 0; g < usable.length; g++) {
      below[g + 1] = below[g] + usable[g];
    }
    int r = (int) ((run.range().start() - start) / ByteSize.GiB);
    int s = (int) ((run.range().end() - start) / ByteSize.GiB);
    for (int y = r + 3; y <= usable.length; y++) {
      int x = (int) Math.max(0, y - widest);
      if (x > s - 3) {
        continue;
      }
      long outside = below[x] + below[usable.length] - below[y];
      if (outside <= most) {
        return true;
      }
    }
    return false;
  }

  /** The least pages of the levels of three TDMRs of {@code giB} GiB together. */
  private long leastLevelPages(long giB) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      pages += Math.max(instance.levelPages(giB, level), 3);
    }
    return pages;
  }
}
