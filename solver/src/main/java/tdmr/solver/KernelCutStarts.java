package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import tdmr.mem.ByteSize;

/**
 * TDMR sets for a kernel-family start near the cuts {@link TdmrCountBound#startingTdmrs} makes for
 * the module family. Those cuts let the TDMRs' levels fill the runs of memory left out wholly, but
 * a module-family level may lie apart from its TDMR's other levels; a kernel chunk is the three
 * levels back to back, of exactly its TDMR's size, in one segment of memory (a block's TDX memory
 * in one CMR). A segment wholly outside every TDMR is then all PAMT, so some chunks sum exactly to
 * its pages, which a cut one GiB off misses: on canonical/tdx#331 the cut [0, 2G), [4G, 260G),
 * [260G, 447G), [512G, 766G), [766G, 960G) leaves the 2 GiB block at 1024G (524 288 pages) out,
 * and its chunks (2053, 262 657, 191 863, 260 605, 199 045 pages) have no subset summing to that;
 * with the boundary at 767G instead, the 256 and 255 GiB TDMRs' chunks (262 657 + 261 631) fill it.
 *
 * <p>Candidates only (the conditions are necessary, not sufficient): an engine checks each with
 * the TDMRs fixed, and a start proves nothing.
 */
public final class KernelCutStarts {
  private KernelCutStarts() {}

  /**
   * Up to {@code most} TDMR sets (GiB ranges {@code [start, end)} in address order), each one of
   * {@code cuts} with one boundary between two adjacent TDMRs moved down or up by 1 GiB (each TDMR
   * keeping at least 1 GiB), whose kernel chunks can fill every segment of {@code moduleAny} lying
   * wholly outside its TDMRs ({@link #chunksCanFillSegmentsLeftOut}); in the order of {@code cuts},
   * boundaries low to high, down before up.
   *
   * @param moduleAny the map's instance of the module family under PAMT {@code any} (its segments
   *     and chunk sizes are the kernel family's)
   */
  public static List<List<long[]>> near(Instance moduleAny, List<List<long[]>> cuts, int most) {
    List<List<long[]>> out = new ArrayList<>();
    for (List<long[]> cut : cuts) {
      for (List<long[]> shifted : shiftedByOneGiB(cut)) {
        if (out.size() < most && chunksCanFillSegmentsLeftOut(moduleAny, shifted)) {
          out.add(shifted);
        }
      }
    }
    return out;
  }

  /**
   * Whether, for each segment of {@code moduleAny} lying wholly outside {@code tdmrs}, some of the
   * kernel chunks of {@code tdmrs} sum exactly to its pages (each segment on its own).
   */
  static boolean chunksCanFillSegmentsLeftOut(Instance moduleAny, List<long[]> tdmrs) {
    long[] chunks = tdmrs.stream().mapToLong(t -> moduleAny.chunkPages(t[1] - t[0])).toArray();
    long all = Arrays.stream(chunks).sum();
    for (Instance.Segment segment : moduleAny.segments()) {
      List<Instance.Atom> atoms = moduleAny.atomsOf(segment);
      long start = atoms.get(0).range().start();
      long end = atoms.get(atoms.size() - 1).range().end();
      boolean outside = tdmrs.stream().noneMatch(t -> t[0] * ByteSize.GiB < end && start < t[1] * ByteSize.GiB);
      if (outside && (segment.pages() > all || !someSumTo(chunks, segment.pages()))) {
        return false;
      }
    }
    return true;
  }

  /** {@code tdmrs} with one boundary between adjacent TDMRs moved by 1 GiB, every way that keeps both. */
  static List<List<long[]>> shiftedByOneGiB(List<long[]> tdmrs) {
    List<List<long[]>> out = new ArrayList<>();
    for (int i = 0; i + 1 < tdmrs.size(); i++) {
      long[] low = tdmrs.get(i);
      long[] high = tdmrs.get(i + 1);
      if (low[1] != high[0]) {
        continue;
      }
      for (long move : new long[] {-1, 1}) {
        long boundary = low[1] + move;
        if (boundary <= low[0] || boundary >= high[1]) {
          continue;
        }
        List<long[]> shifted = new ArrayList<>(tdmrs);
        shifted.set(i, new long[] {low[0], boundary});
        shifted.set(i + 1, new long[] {boundary, high[1]});
        out.add(shifted);
      }
    }
    return out;
  }

  /** Whether some of {@code sizes} sum to exactly {@code target} (false from {@link Integer#MAX_VALUE} up). */
  private static boolean someSumTo(long[] sizes, long target) {
    if (target >= Integer.MAX_VALUE) {
      return false;
    }
    BitSet reach = new BitSet((int) target + 1);
    reach.set(0);
    for (long size : sizes) {
      for (int v = size > target ? -1 : reach.previousSetBit((int) (target - size)); v >= 0;
          v = v == 0 ? -1 : reach.previousSetBit(v - 1)) {
        reach.set(v + (int) size);
      }
    }
    return reach.get((int) target);
  }
}
