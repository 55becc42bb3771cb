package tdmr.solver;

import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;

/**
 * Which memory the kernel family's PAMT chunks can fill wholly. A kernel-family layout gives each
 * TDMR one chunk of exactly {@link Instance#chunkPages} pages (no padding), lying in one block of
 * usable memory ({@link Instance#islands}: one island). Under coverage {@code all} every page of
 * usable memory lies in a TDMR outside its reserved areas or is PAMT; PAMT lies only in usable
 * memory and outside the non-reserved part of every TDMR. So memory that is all PAMT and bounded
 * by memory that is not (an island filled wholly, or the island's part a reserved area holds) is a
 * union of whole chunks: its pages are a sum of chunk sizes, one chunk per TDMR. Two consequences
 * the bounds use:
 *
 * <ul>
 *   <li>memory of {@code p} pages is filled wholly by chunks of a layout with {@code P} pages of
 *       PAMT only if {@code p} is a sum of some of its chunk sizes and {@code P - p} of the others
 *       ({@link #mayFill}: each at least the chunk of a 1 GiB TDMR, and sums by {@link
 *       ChunkSums}' arithmetic where it holds);
 *   <li>an island with fewer pages than the chunk of a 1 GiB TDMR holds no chunk, so none of its
 *       memory is PAMT: every granule it touches lies in a TDMR ({@link #mustBeCovered}).
 * </ul>
 */
final class KernelChunks {
  private final Instance instance;
  private final Optional<ChunkSums> sums;
  private final List<AddressRange> tinyIslands;

  KernelChunks(Instance instance) {
    this.instance = instance;
    this.sums = ChunkSums.of(instance);
    long least = leastChunkPages();
    this.tinyIslands = instance.islands().stream().filter(i -> i.size() / ByteSize.PAGE < least).toList();
  }

  /** The chunk of a 1 GiB TDMR, the smallest chunk. */
  long leastChunkPages() {
    return instance.chunkPages(1);
  }

  /**
   * Whether the chunks of a layout with {@code pamtPages} pages of PAMT and at most {@code most}
   * TDMRs may fill exactly {@code pages} pages (class comment): some {@code j} of its {@code T}
   * chunks sum to {@code pages} and the other {@code T - j} to the rest of its PAMT (none when
   * nothing is left), for counts {@link #tdmrCounts} allows; without the arithmetic, {@code pages}
   * and the rest are each 0 or at least one chunk.
   */
  boolean mayFill(long pages, long pamtPages, long most) {
    long rest = pamtPages - pages;
    if (most <= 0 || pages < leastChunkPages() || rest < 0) {
      return false;
    }
    if (sums.isEmpty()) {
      return rest == 0 || rest >= leastChunkPages();
    }
    Optional<long[]> layouts = sums.get().counts(pamtPages, most);
    Optional<long[]> filling = sums.get().counts(pages, most);
    if (layouts.isEmpty() || filling.isEmpty()) {
      return false;
    }
    for (long t = layouts.get()[0]; t <= layouts.get()[1]; t++) {
      for (long j = filling.get()[0]; j <= Math.min(t, filling.get()[1]); j++) {
        if (rest == 0 ? j == t : j < t && restMaySum(rest, t - j)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether exactly {@code count} chunks may sum to {@code pages} ({@link ChunkSums#counts}). */
  private boolean restMaySum(long pages, long count) {
    Optional<long[]> counts = sums.orElseThrow().counts(pages, count);
    return counts.isPresent() && counts.get()[1] == count;
  }

  /**
   * The counts of TDMRs (at most {@code most}) whose chunks may sum to exactly {@code pages}, as
   * {@code [min, max]} ({@link ChunkSums#counts}; every count from 1 without the arithmetic); empty
   * when no layout of the kernel family has that PAMT.
   */
  Optional<long[]> tdmrCounts(long pages, long most) {
    return sums.isPresent() ? sums.get().counts(pages, most) : Optional.of(new long[] {1, most});
  }

  /** Whether {@code granule} touches an island too small for any chunk, so that a TDMR holds it. */
  boolean mustBeCovered(AddressRange granule) {
    return tinyIslands.stream().anyMatch(granule::overlaps);
  }
}
