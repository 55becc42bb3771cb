package tdmr.greedy;

/** Binary search over the ascending end addresses of sorted, disjoint ranges. */
final class SortedEnds {
  private SortedEnds() {}

  /** Index of the first range whose end lies above {@code address}; {@code ends.length} if none. */
  static int firstEndingAfter(long[] ends, long address) {
    int lo = 0;
    int hi = ends.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] > address) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
