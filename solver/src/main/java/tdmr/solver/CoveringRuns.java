package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Policy;

/**
 * TDMRs for {@link FilledStart} where the TDMR limit binds: every memory granule covered by at most
 * {@code k} TDMRs, each over a run of consecutive memory granules (the granules without memory
 * between them included), the runs chosen so that their levels' minima sum to the least. Under PAMT
 * {@code node-local} the granules of a run must share a node, on which its levels can then lie
 * without remote PAMT ({@link tdmr.check.RemotePamt}). A dynamic program over the memory granules in
 * address order: the least sum for the first {@code i} granules in {@code j} runs.
 *
 * <p>These are the TDMRs of {@link LeftOutPamtBound}'s sets of runs that leave no granule out: where
 * its bound at {@code k} is met by such a set (on the sweeps' hosts of 1.5 GiB nodes, nodes 0 and 1
 * within 2 TDMRs: {@code [0, 5G)} on node 0 and {@code [5G, 7G)} on node 1, 5 131 + 2 053 = 7 184
 * pages), a layout of these TDMRs with their levels at their minima meets the PAMT tier's bound, and
 * {@link BuiltOptimum} or an engine's tiers can prove it without a search for it. A construction,
 * not a claim: {@link FilledStart} builds the layout and the validator checks it.
 */
final class CoveringRuns {
  /** The most memory granules it takes (the program is quadratic in them): a group of small nodes has a few. */
  static final int MOST_GRANULES = 512;

  private CoveringRuns() {}

  /**
   * The TDMRs (whole GiB, in address order) of the cheapest cover of {@code instance}'s memory
   * granules by at most {@code most} runs; empty when no such cover exists (under {@code
   * node-local}, more runs without a common node than {@code most}) or the map has more than
   * {@link #MOST_GRANULES} memory granules.
   */
  static Optional<List<AddressRange>> within(Instance instance, int most) {
    boolean nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
    TreeMap<Long, Set<Integer>> byGranule = new TreeMap<>();
    for (MemoryBlock b : instance.map().blocks()) {
      for (long g = ByteSize.alignDown(b.start(), ByteSize.GiB); g < b.end(); g += ByteSize.GiB) {
        byGranule.computeIfAbsent(g / ByteSize.GiB, x -> new TreeSet<>()).add(b.node());
      }
    }
    List<Long> granules = List.copyOf(byGranule.keySet());
    List<Set<Integer>> nodes = List.copyOf(byGranule.values());
    int n = granules.size();
    if (n == 0 || n > MOST_GRANULES || most < 1) {
      return Optional.empty();
    }
    int runs = Math.min(most, n);
    // least[j][i]: the least levels' pages covering granules 0..i-1 with j runs; from[j][i] the
    // first granule of the last of those runs.
    long[][] least = new long[runs + 1][n + 1];
    int[][] from = new int[runs + 1][n + 1];
    for (long[] row : least) {
      java.util.Arrays.fill(row, Long.MAX_VALUE);
    }
    least[0][0] = 0;
    for (int i = 1; i <= n; i++) {
      // Runs ending at granule i-1, longest last: their common nodes only shrink as they grow.
      Set<Integer> common = new TreeSet<>(nodes.get(i - 1));
      for (int s = i - 1; s >= 0; s--) {
        if (s < i - 1) {
          common.retainAll(nodes.get(s));
        }
        if (nodeLocal && common.isEmpty()) {
          break;
        }
        long pages = instance.levelsPages(granules.get(i - 1) - granules.get(s) + 1);
        for (int j = 1; j <= runs; j++) {
          if (least[j - 1][s] != Long.MAX_VALUE && least[j - 1][s] + pages < least[j][i]) {
            least[j][i] = least[j - 1][s] + pages;
            from[j][i] = s;
          }
        }
      }
    }
    int bestJ = -1;
    for (int j = 1; j <= runs; j++) {
      if (least[j][n] != Long.MAX_VALUE && (bestJ < 0 || least[j][n] < least[bestJ][n])) {
        bestJ = j;
      }
    }
    if (bestJ < 0) {
      return Optional.empty();
    }
    List<AddressRange> out = new ArrayList<>();
    for (int j = bestJ, i = n; j > 0; j--) {
      int s = from[j][i];
      out.add(0, new AddressRange(granules.get(s) * ByteSize.GiB, (granules.get(i - 1) + 1) * ByteSize.GiB));
      i = s;
    }
    return Optional.of(out);
  }
}
