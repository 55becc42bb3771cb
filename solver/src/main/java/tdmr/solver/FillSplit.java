package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * TDMRs for {@link FilledStart} on maps whose runs of holes outnumber what {@code max_tdmrs} TDMRs
 * of {@code max_reserved_per_tdmr} areas can reserve apart (about 1 000 {@code memmap=} holes: the
 * kernel family needs more than 64 TDMRs of 16 areas), where each TDMR must fill some of its own
 * islands with its own padded PAMT levels, merging the runs on both sides of each. A construction,
 * not a search, and it claims nothing: {@link FilledStart} builds the layout over these TDMRs and
 * validates it.
 *
 * <p>A shortest path over the cell boundaries: a TDMR runs from the start of a cell holding memory
 * to the end of one (a boundary inside a run of whole GiB only changes the 1G level's rounding);
 * cells without memory may stay outside every TDMR. A TDMR holding {@code r} runs of space to
 * reserve ({@link FilledStart}'s runs) against a limit of {@code R} areas fills its {@code r - R}
 * smallest islands (one memory atom between two runs) with its own levels, at most one level each
 * and at most as many islands as it has levels; each level used fills an island at least its least
 * size, padded to the island's end. The TDMR's price is its levels' least pages plus that padding
 * (the largest levels go into the largest of those islands); the path of least price with at most
 * {@code max_tdmrs} TDMRs is the split (fewest TDMRs on a tie). Under PAMT {@code node-local} a
 * TDMR covers memory of one node only (its levels then describe nothing remotely).
 */
final class FillSplit {
  private final Instance instance;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final int areas;
  private final int levels;
  private final boolean nodeLocal;

  private FillSplit(Instance instance) {
    this.instance = instance;
    this.cells = instance.cells();
    this.atoms = instance.atoms();
    this.areas = instance.limits().maxReservedPerTdmr();
    this.levels = instance.pieceLevels().size();
    this.nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
  }

  /** The split of least price, as TDMR ranges in address order; empty when there is none. */
  static Optional<List<AddressRange>> of(Instance instance) {
    if (instance.cells().isEmpty()) {
      return Optional.empty();
    }
    return new FillSplit(instance).shortestPath();
  }

  private Optional<List<AddressRange>> shortestPath() {
    int n = cells.size();
    int most = instance.limits().maxTdmrs();
    // price[k][i]: the least price of k TDMRs covering all memory of the cells before i.
    long[][] price = new long[most + 1][n + 1];
    int[][] from = new int[most + 1][n + 1];
    for (long[] row : price) {
      Arrays.fill(row, Long.MAX_VALUE);
    }
    price[0][0] = 0;
    for (int s = 0; s < n; s++) {
      if (instance.deadline().expired()) {
        return Optional.empty();
      }
      if (!cells.get(s).holdsMemory()) {
        for (int k = 0; k <= most; k++) {
          relax(price, from, k, s, k, s + 1, 0);
        }
        continue;
      }
      Scan scan = new Scan(s);
      for (int e = s + 1; e <= n && scan.add(cells.get(e - 1)); e++) {
        if (!cells.get(e - 1).holdsMemory()) {
          continue;
        }
        long p = scan.price();
        if (p == Long.MAX_VALUE) {
          continue;
        }
        for (int k = 0; k < most; k++) {
          relax(price, from, k, s, k + 1, e, p);
        }
      }
    }
    int bestK = -1;
    for (int k = 1; k <= most; k++) {
      if (price[k][n] != Long.MAX_VALUE && (bestK < 0 || price[k][n] < price[bestK][n])) {
        bestK = k;
      }
    }
    if (bestK < 0) {
      return Optional.empty();
    }
    List<AddressRange> tdmrs = new ArrayList<>();
    int k = bestK;
    for (int i = n; i > 0; ) {
      int s = from[k][i];
      if (s < 0) {
        // A cell without memory left outside every TDMR.
        i--;
        continue;
      }
      tdmrs.add(new AddressRange(cells.get(s).range().start(), cells.get(i - 1).range().end()));
      i = s;
      k--;
    }
    Collections.reverse(tdmrs);
    return Optional.of(tdmrs);
  }

  /** A step from {@code (k, s)} to {@code (k2, e)}; {@code from} is -1 for a cell skipped. */
  private static void relax(long[][] price, int[][] from, int k, int s, int k2, int e, long step) {
    if (price[k][s] == Long.MAX_VALUE) {
      return;
    }
    long p = price[k][s] + step;
    if (p < price[k2][e]) {
      price[k2][e] = p;
      from[k2][e] = k2 == k ? -1 : s;
    }
  }

  /** The runs and islands of a TDMR from cell {@code first} on, grown cell by cell. */
  private final class Scan {
    private final long start;
    private int node = -1;
    private int runs;
    private boolean memorySince = true;
    private int lastRunAtom = -1;
    private final List<Long> islands = new ArrayList<>();
    private long giB;

    Scan(int first) {
      this.start = cells.get(first).range().start();
    }

    /** Adds cell {@code c}; false when no TDMR from the first cell may reach its end. */
    boolean add(Cell c) {
      giB = (c.range().end() - start) / tdmr.mem.ByteSize.GiB;
      if (giB > instance.largestTdmrGiB()) {
        return false;
      }
      if (nodeLocal) {
        for (int m : c.nodes()) {
          if (node >= 0 && m != node) {
            return false;
          }
          node = m;
        }
      }
      for (int i = c.firstAtom(); i < c.endAtom(); i++) {
        Atom a = atoms.get(i);
        if (a.memory() && !a.dead()) {
          memorySince = true;
        } else if (instance.needsReservedArea(a)) {
          if (memorySince || runs == 0) {
            if (runs > 0 && i - lastRunAtom == 2 && atoms.get(i - 1).usable()) {
              islands.add(atoms.get(i - 1).pages());
            }
            runs++;
          }
          lastRunAtom = i;
          memorySince = false;
        }
      }
      // Runs only grow: past the limit plus one filled island per level, no end is a TDMR.
      return runs <= areas + levels;
    }

    /** The price of the TDMR ending here: least level pages plus padding; MAX_VALUE when none. */
    long price() {
      long least = 0;
      List<Long> sizes = new ArrayList<>();
      for (PageSize level : instance.pieceLevels()) {
        long pages = instance.levelPages(giB, level);
        least += pages;
        sizes.add(pages);
      }
      int needed = runs - areas;
      if (needed <= 0) {
        return least;
      }
      if (needed > islands.size() || needed > sizes.size()) {
        return Long.MAX_VALUE;
      }
      List<Long> chosen = new ArrayList<>(islands);
      Collections.sort(chosen);
      chosen = new ArrayList<>(chosen.subList(0, needed));
      chosen.sort(Collections.reverseOrder());
      sizes.sort(Collections.reverseOrder());
      long padded = least;
      for (long island : chosen) {
        int pick = -1;
        for (int l = 0; l < sizes.size() && pick < 0; l++) {
          if (sizes.get(l) <= island) {
            pick = l;
          }
        }
        if (pick < 0) {
          return Long.MAX_VALUE;
        }
        padded += island - sizes.remove(pick);
      }
      return padded;
    }
  }
}
