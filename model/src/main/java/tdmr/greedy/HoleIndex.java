package tdmr.greedy;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;

/**
 * The holes of the whole address line, as {@code tdmr_populate_rsvd_holes} finds them inside any
 * TDMR: the gaps between the ranges of the hole source (the memory list, or the CMRs with the
 * CMR-holes patch), including the gap below the first range and the one above the last. A TDMR
 * {@code [a, b)} must reserve exactly the gaps that intersect it, each clipped to the TDMR.
 *
 * <p>Gaps are sorted and disjoint, so both their starts and their ends ascend, and the gaps
 * intersecting a range are one run of indices: counting them is two binary searches.
 */
final class HoleIndex {
  /** End of the gap above the last range: beyond every TDMR. */
  static final long ABOVE_ALL = Long.MAX_VALUE;

  private final long[] starts;
  private final long[] ends;

  /** The gaps of sorted, non-overlapping {@code ranges}; touching ranges leave no gap between them. */
  HoleIndex(List<AddressRange> ranges) {
    List<long[]> gaps = new ArrayList<>();
    long prevEnd = 0;
    for (AddressRange r : ranges) {
      if (r.isEmpty()) {
        continue;
      }
      if (r.start() > prevEnd) {
        gaps.add(new long[] {prevEnd, r.start()});
      }
      prevEnd = Math.max(prevEnd, r.end());
    }
    gaps.add(new long[] {prevEnd, ABOVE_ALL});
    starts = new long[gaps.size()];
    ends = new long[gaps.size()];
    for (int i = 0; i < gaps.size(); i++) {
      starts[i] = gaps.get(i)[0];
      ends[i] = gaps.get(i)[1];
    }
  }

  /** Index of the first gap that ends after {@code address} (the first one a TDMR based there meets). */
  int firstEndingAfter(long address) {
    return SortedEnds.firstEndingAfter(ends, address);
  }

  /** Number of gaps starting before {@code address}. */
  int startingBefore(long address) {
    int lo = 0;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The number of holes a TDMR {@code [a, b)} must reserve. */
  int count(long a, long b) {
    return Math.max(0, startingBefore(b) - firstEndingAfter(a));
  }

  int size() {
    return starts.length;
  }

  long start(int i) {
    return starts[i];
  }

  long end(int i) {
    return ends[i];
  }

  /** The holes of TDMR {@code [a, b)}, clipped to it, ascending. */
  List<AddressRange> holes(long a, long b) {
    List<AddressRange> out = new ArrayList<>();
    for (int i = firstEndingAfter(a); i < starts.length && starts[i] < b; i++) {
      out.add(new AddressRange(Math.max(starts[i], a), Math.min(ends[i], b)));
    }
    return out;
  }

  /**
   * Answers {@link #gapStartsAt} and {@link #gapEndsAt} for addresses that ascend (the pieces of a
   * memory list in address order) by walking the gaps once: amortised constant time per question
   * instead of a binary search. An address below the previous one is answered by binary search.
   */
  final class Scan {
    private int byEnd;
    private int byStart;
    private long lastEnd = Long.MIN_VALUE;
    private long lastStart = Long.MIN_VALUE;

    /** As {@link HoleIndex#gapEndsAt}. */
    boolean gapEndsAt(long address) {
      if (address < lastEnd) {
        return HoleIndex.this.gapEndsAt(address);
      }
      lastEnd = address;
      while (byEnd < ends.length && ends[byEnd] < address) {
        byEnd++;
      }
      return byEnd < ends.length && ends[byEnd] == address;
    }

    /** As {@link HoleIndex#gapStartsAt}. */
    boolean gapStartsAt(long address) {
      if (address < lastStart) {
        return HoleIndex.this.gapStartsAt(address);
      }
      lastStart = address;
      while (byStart < starts.length && starts[byStart] < address) {
        byStart++;
      }
      return byStart < starts.length && starts[byStart] == address;
    }
  }

  /** A scan from the lowest address. */
  Scan scan() {
    return new Scan();
  }

  /** True when a gap starts exactly at {@code address} (memory there is followed by a hole). */
  boolean gapStartsAt(long address) {
    int i = startingBefore(address);
    return i < starts.length && starts[i] == address;
  }

  /** True when a gap ends exactly at {@code address} (memory there follows a hole). */
  boolean gapEndsAt(long address) {
    int i = firstEndingAfter(address - 1);
    return i < ends.length && ends[i] == address;
  }
}
