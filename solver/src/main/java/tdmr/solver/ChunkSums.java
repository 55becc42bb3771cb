package tdmr.solver;

import java.util.Optional;
import tdmr.mem.ByteSize;
import tdmr.tdx.PageSize;

/**
 * What sums of kernel chunks can be: the arithmetic of the kernel family's PAMT, which has no
 * padding, so that its pages pin down how many TDMRs a layout has and which memory its chunks can
 * fill exactly.
 *
 * <h2>The chunk's size</h2>
 *
 * The chunk of an {@code N} GiB TDMR has {@link Instance#chunkPages}{@code (N)} pages, its three
 * levels rounded up to pages. When the 4K and 2M levels cost whole pages per GiB ({@link
 * Instance#perGiBBytes}: 4 MiB and 8 KiB with 16-byte entries) and the 1G level's bytes per GiB
 * divide a page ({@code h} GiB per page: 256 with 16-byte entries), that is {@code a·N + ⌈N/h⌉}
 * with {@code a} the first two levels' pages per GiB (1026). {@link #of} checks this form and gives
 * no arithmetic otherwise (odd entry sizes; the Dynamic PAMT bitmap, 8 pages per GiB, keeps it, with
 * {@code a} = 10).
 *
 * <h2>Which counts of chunks sum to P pages</h2>
 *
 * Let {@code k} chunks of TDMRs of {@code N_1 .. N_k} GiB sum to {@code P} pages, with {@code S =
 * ΣN_i} and {@code q = Σ⌈N_i/h⌉}. Then {@code P = a·S + q}; {@code q ≥ k} (each term is at least 1)
 * and {@code q < S/h + k} (each term is less than {@code N_i/h + 1}), so {@code q - ⌊S/h⌋ ≤ k ≤
 * q}; and {@code S ≥ k}. Since {@code a·S ≤ P}, {@code q < P/(a·h) + k}: when {@code K + P/(a·h) <
 * a} for the most chunks {@code K} counted, {@code q < a}, so {@code q = P mod a} and {@code S = P
 * div a} are determined by {@code P}. {@link #counts} gives the range of {@code k} these conditions
 * leave: every count of chunks summing to {@code P} lies in it (it may hold counts no sum has: the
 * conditions are necessary, not sufficient). Where {@code q} is not determined, every count from 1
 * to {@code K} is kept. E.g. {@code P} = 2 054 = 2·1026 + 2: two 1 GiB TDMRs, and never one (one
 * TDMR of {@code S} = 2 GiB has {@code q} = 1); {@code P} = 2 053: one TDMR of 2 GiB.
 */
final class ChunkSums {
  private final long a;
  private final long h;

  private ChunkSums(long a, long h) {
    this.a = a;
    this.h = h;
  }

  /** The arithmetic of {@code instance}'s chunk sizes, when they have the form of the class comment. */
  static Optional<ChunkSums> of(Instance instance) {
    long k4 = instance.perGiBBytes(PageSize.SIZE_4K);
    long k2 = instance.perGiBBytes(PageSize.SIZE_2M);
    long g1 = instance.perGiBBytes(PageSize.SIZE_1G);
    if (k4 % ByteSize.PAGE != 0 || k2 % ByteSize.PAGE != 0 || g1 <= 0 || ByteSize.PAGE % g1 != 0) {
      return Optional.empty();
    }
    ChunkSums sums = new ChunkSums((k4 + k2) / ByteSize.PAGE, ByteSize.PAGE / g1);
    // The form, checked against the sizes the engines use, over the first bands of the 1G level.
    for (long n = 1; n <= 3 * sums.h + 1; n++) {
      if (instance.chunkPages(n) != sums.chunkPages(n)) {
        return Optional.empty();
      }
    }
    return Optional.of(sums);
  }

  /** {@code a·N + ⌈N/h⌉}: the chunk of an {@code n} GiB TDMR. */
  long chunkPages(long n) {
    return a * n + (n + h - 1) / h;
  }

  /**
   * The counts {@code k} of at most {@code most} chunks that may sum to exactly {@code pages}: a
   * range {@code [min, max]} (class comment), empty when no count may.
   */
  Optional<long[]> counts(long pages, long most) {
    if (pages <= 0 || most <= 0) {
      return Optional.empty();
    }
    if (most + pages / (a * h) >= a) {
      return Optional.of(new long[] {1, most});
    }
    long q = pages % a;
    long s = pages / a;
    long min = Math.max(1, q - s / h);
    long max = Math.min(Math.min(q, s), most);
    return min <= max ? Optional.of(new long[] {min, max}) : Optional.empty();
  }
}
