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
 *       memory is PAMT: every granule it touches lies in a TDMR; and an island whose pages are no
 *       sum of chunks ({@link ChunkSums#counts}) is never all PAMT, so a granule holding it wholly
 *       lies in a TDMR ({@link #mustBeCovered}).
 * </ul>
 */
final class KernelChunks {
  private final Instance instance;
  private final Optional<ChunkSums> sums;
  private final List<AddressRange> tinyIslands;
  /** Islands whose pages no chunks of at most {@code maxTdmrs} TDMRs sum to (none without the arithmetic). */
  private final List<AddressRange> unfillableIslands;
  /**
   * Whether the PAMT given to {@link #mayFill} and {@link #edgeAreaAbove} is a layout's exactly, or
   * only at least its PAMT: then both answer for every layout with at most that PAMT, and only
   * ever allow more (or charge less) as it grows, as an argument over all PAMT below a value needs.
   */
  private final boolean exactPamt;

  /**
   * @param exactPamt whether the PAMT {@link #mayFill} and {@link #edgeAreaAbove} are given is
   *     a layout's exactly, or an upper bound on it
   */
  KernelChunks(Instance instance, boolean exactPamt) {
    this.instance = instance;
    this.exactPamt = exactPamt;
    this.sums = ChunkSums.of(instance);
    long least = leastChunkPages();
    this.tinyIslands = instance.islands().stream().filter(i -> i.size() / ByteSize.PAGE < least).toList();
    long most = instance.limits().maxTdmrs();
    this.unfillableIslands = sums.isEmpty() ? List.of() : instance.islands().stream()
        .filter(i -> i.size() / ByteSize.PAGE >= least && sums.get().counts(i.size() / ByteSize.PAGE, most).isEmpty())
        .toList();
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
   * and the rest are each 0 or at least one chunk. Unless the PAMT is exact ({@link #exactPamt}):
   * then a layout with at most {@code pamtPages} pages may, when {@code pages} are at most that and
   * a sum of at most {@code most} chunks.
   */
  boolean mayFill(long pages, long pamtPages, long most) {
    long rest = pamtPages - pages;
    if (most <= 0 || pages < leastChunkPages() || rest < 0) {
      return false;
    }
    if (!exactPamt) {
      // At most pamtPages: only that the pages are a sum of at most `most` chunks.
      return sums.isEmpty() || sums.get().counts(pages, most).isPresent();
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

  /**
   * Whether a layout with {@code pamtPages} pages of PAMT and at most {@code most} TDMRs that leaves
   * {@code granule} out of every TDMR has a reserved area at the start of the TDMR over the next
   * granule that holds no hole: an area the count of runs of holes does not count ({@link
   * AreaCountBound}). Let island {@code I} start inside {@code granule} and reach past its end
   * {@code b}, and let the next granule be one no such layout leaves out (its usable memory exceeds
   * the PAMT, or it touches an island too small for any chunk): a TDMR {@code Y} holds it and starts
   * at {@code b}. The granule's part of {@code I}, {@code [I.start, b)}, is all PAMT; the maximal run
   * {@code U} of PAMT holding it is a union of whole chunks inside {@code I}. Either {@code U} ends
   * at {@code b}, so {@code [I.start, b)} is filled exactly by chunks; or {@code U} holds page
   * {@code b}, inside {@code Y}, which is then in a reserved area of {@code Y} starting at {@code
   * b}; that area holds a hole only if it reaches {@code I}'s end, and then all of {@code I} is PAMT,
   * filled exactly by chunks. So when neither {@code [I.start, b)} nor {@code I} may be filled
   * ({@link #mayFill}), {@code Y} has an area holding no hole, at its start: distinct granules left
   * out give distinct TDMRs' first areas.
   */
  boolean edgeAreaAbove(AddressRange granule, long pamtPages, long most) {
    long b = granule.end();
    AddressRange next = new AddressRange(b, b + ByteSize.GiB);
    if (usablePages(next) <= pamtPages && !mustBeCovered(next)) {
      return false;
    }
    for (AddressRange i : instance.islands()) {
      if (i.start() >= granule.start() && i.start() < b && i.end() > b) {
        return !mayFill((b - i.start()) / ByteSize.PAGE, pamtPages, most)
            && !mayFill(i.size() / ByteSize.PAGE, pamtPages, most);
      }
    }
    return false;
  }

  /** Pages of usable memory in {@code range}. */
  private long usablePages(AddressRange range) {
    long pages = 0;
    for (Instance.Atom a : instance.atoms()) {
      if (a.usable() && a.range().overlaps(range)) {
        pages += (Math.min(a.range().end(), range.end()) - Math.max(a.range().start(), range.start())) / ByteSize.PAGE;
      }
    }
    return pages;
  }

  /**
   * Whether a TDMR holds {@code granule} in every layout (class comment): it touches an island too
   * small for any chunk, or holds wholly an island no chunks sum to.
   */
  boolean mustBeCovered(AddressRange granule) {
    return tinyIslands.stream().anyMatch(granule::overlaps) || unfillableIslands.stream().anyMatch(granule::contains);
  }
}
