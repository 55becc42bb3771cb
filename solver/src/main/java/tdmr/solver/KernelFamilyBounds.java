package tdmr.solver;

import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;

/**
 * Lower bounds on each tier the kernel family ranks (coverage, PAMT bytes, TDMRs, reserved areas;
 * not remote PAMT, {@link LayoutScore#ranksRemotePamt}) that hold for every layout of the kernel
 * family ({@link Policy.Family#KERNEL}: each TDMR's PAMT one chunk of exactly {@link
 * Instance#chunkPages} pages in one block, TDMRs on any 1 GiB boundaries, the chunk on any node),
 * under coverage {@code all}; and a proof that no layout of the family exists, where these bounds
 * rule out every layout within the limits. None of them uses a restriction of the engines' model
 * ({@link Problem#KERNEL_FAMILY_RESTRICTIONS}): an optimum that meets them in every tier, or an
 * {@code INFEASIBLE} they prove, holds for the whole family ({@link KernelFamilyClaim}).
 *
 * <h2>What they combine</h2>
 *
 * Every kernel-family layout is a module-family layout under PAMT {@code any} (its chunk is one way
 * to place the three levels), so each bound {@link TierBounds} derives for that family holds for
 * it; this class takes them from the module family's instance of the map under PAMT {@code any}.
 * The kernel family has no padding and one piece per TDMR, which gives more:
 *
 * <ul>
 *   <li><b>the TDMRs a PAMT allows</b>: chunks summing to {@code P} pages are of a count {@link
 *       ChunkSums#counts} bounds (e.g. 2 054 pages are two 1 GiB TDMRs, never one);
 *   <li><b>the TDMRs' GiB</b>: {@link KernelCoverage#mayCover}, the granules a layout with {@code P}
 *       pages must cover (those holding more usable memory than {@code P}, or an island no chunks
 *       sum to) and the least GiB {@code T} TDMRs need for that, whose chunks have at least so many
 *       pages;
 *   <li><b>the areas</b>: {@link AreaCountBound#ofKernelChunks}, the count of runs of holes less
 *       those escaping through granules left out and the islands filled, where only islands a sum
 *       of chunk sizes fills count, at most one per TDMR, and granules touching an island too small
 *       for any chunk never escape; and {@link AreaCountBound#leastAreasInOneTdmr}, the areas of the
 *       one TDMR holding a granule that cannot be left out.
 * </ul>
 *
 * A layout with {@code P} pages and {@code T} TDMRs exists only if {@code T} is among the counts
 * for {@code P}, the areas bound is at most {@code T} times the area limit, the one-TDMR bound
 * at most the limit, and {@code T} TDMRs whose chunks have {@code P} pages can cover what they must
 * ({@link #mayHave}). The area bounds for every layout with at most {@code P}
 * pages ({@link AreaCountBound#ofKernelChunksUpTo}: which islands chunks may fill without the
 * exact PAMT's arithmetic) only fall as {@code P} grows, so where neither allows a layout at the
 * largest PAMT {@code T} TDMRs can have ({@code T} chunks of the largest TDMR whose chunk fits in a
 * segment of usable memory), no layout of {@code T} TDMRs exists ({@link #noLayout}). (The bounds
 * at an exact PAMT do not fall monotonically: an island of 1 027 pages may be filled by the chunk
 * of a layout with 1 027 pages and one TDMR, not by one with 1 028.)
 */
public final class KernelFamilyBounds {
  /**
   * The most PAMT values tried above the module family's bound before the PAMT tier gives up (each
   * costs a few knapsacks over the runs; most values are ruled out by {@link ChunkSums} alone).
   */
  static final long MOST_PAMT_STEPS = 1 << 16;

  private final Instance instance;
  private final KernelChunks chunks;
  private final AreaCountBound areas;
  private final KernelCoverage coverage;
  /** The area bounds for every layout with at most a PAMT, which fall as it grows ({@link #noLayout}). */
  private final AreaCountBound areasUpTo;

  /**
   * @param moduleAny the module family's instance of the map under PAMT {@code any}, the kernel
   *     family's limits and holes and coverage policies
   */
  public KernelFamilyBounds(Instance moduleAny) {
    if (!moduleAny.moduleFamily() || moduleAny.policy().pamt() != Policy.PamtPlacementPolicy.ANY) {
      throw new IllegalArgumentException("the bounds are derived over the module family under PAMT any");
    }
    this.instance = moduleAny;
    this.chunks = new KernelChunks(moduleAny, true);
    this.areas = AreaCountBound.ofKernelChunks(moduleAny);
    this.coverage = new KernelCoverage(moduleAny, chunks);
    this.areasUpTo = AreaCountBound.ofKernelChunksUpTo(moduleAny);
  }

  /** Whether the bounds apply: coverage {@code all} (layouts may not give memory up). */
  public boolean applies() {
    return instance.policy().coverage() == Policy.Coverage.ALL;
  }

  /**
   * Whether the bounds leave room for a kernel-family layout with exactly {@code pages} pages of
   * PAMT and {@code tdmrs} TDMRs (class comment: the counts, the areas, the coverage); false proves
   * that none exists.
   */
  boolean mayHave(long pages, long tdmrs) {
    Optional<long[]> counts = chunks.tdmrCounts(pages, instance.limits().maxTdmrs());
    if (counts.isEmpty() || tdmrs < counts.get()[0] || tdmrs > counts.get()[1]) {
      return false;
    }
    long limit = instance.limits().maxReservedPerTdmr();
    return areas.leastAreas(pages, tdmrs) <= tdmrs * limit && areas.leastAreasInOneTdmr(pages, tdmrs) <= limit
        && coverage.mayCover(pages, tdmrs);
  }

  /** The fewest TDMRs, at least {@code from}, {@link #mayHave} allows at {@code pages}; empty when none. */
  OptionalLong leastTdmrs(long pages, long from) {
    Optional<long[]> counts = chunks.tdmrCounts(pages, instance.limits().maxTdmrs());
    if (counts.isEmpty()) {
      return OptionalLong.empty();
    }
    for (long t = Math.max(from, counts.get()[0]); t <= counts.get()[1]; t++) {
      if (mayHave(pages, t)) {
        return OptionalLong.of(t);
      }
    }
    return OptionalLong.empty();
  }

  /**
   * A lower bound on the reserved areas, summed over the TDMRs, of every kernel-family layout with
   * {@code pages} pages of PAMT and at most {@code tdmrs} TDMRs: the larger of the two area bounds.
   */
  long leastAreas(long pages, long tdmrs) {
    return Math.max(areas.leastAreas(pages, tdmrs), areas.leastAreasInOneTdmr(pages, tdmrs));
  }

  /**
   * Whether no kernel-family layout exists within the limits: for every count {@code T} up to the
   * TDMR limit, {@link #mayHave} rules out {@code T} TDMRs at the most PAMT they can have, and so at
   * every PAMT (class comment). False when the bounds do not apply or leave room.
   */
  boolean noLayout() {
    if (!applies()) {
      return false;
    }
    long largest = largestChunkPages();
    if (largest == 0) {
      return false;
    }
    for (long t = 1; t <= instance.limits().maxTdmrs(); t++) {
      if (roomAtMost(t * largest, t)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the area bounds for layouts with at most {@code pages} pages of PAMT ({@link
   * AreaCountBound#ofKernelChunksUpTo}) leave room for {@code tdmrs} TDMRs (the limits of {@link
   * #mayHave} without what holds at one PAMT only: the counts of {@link ChunkSums}, and which
   * islands the chunks of exactly that PAMT may fill).
   */
  private boolean roomAtMost(long pages, long tdmrs) {
    long limit = instance.limits().maxReservedPerTdmr();
    return areasUpTo.leastAreas(pages, tdmrs) <= tdmrs * limit
        && areasUpTo.leastAreasInOneTdmr(pages, tdmrs) <= limit;
  }

  /**
   * The chunk of the largest TDMR whose chunk fits in one segment (a chunk lies in one block of
   * usable memory, so in one segment): the most PAMT one TDMR of the family can have; 0 without
   * segments.
   */
  private long largestChunkPages() {
    long room = instance.segments().stream().mapToLong(Instance.Segment::pages).max().orElse(0);
    if (room < chunks.leastChunkPages()) {
      return 0;
    }
    long n = 1;
    while (instance.chunkPages(2 * n) <= room) {
      n *= 2;
    }
    for (long step = n / 2; step > 0; step /= 2) {
      if (instance.chunkPages(n + step) <= room) {
        n += step;
      }
    }
    return instance.chunkPages(n);
  }

  /**
   * Whether {@code found}, a valid kernel-family layout's score, meets a lower bound in every tier
   * the kernel family ranks, so that no layout of the family ranks better:
   *
   * <ol>
   *   <li>coverage: nothing but what no layout covers is uncovered (coverage {@code all});
   *   <li>PAMT: every value from the module family's bound ({@link TierBounds#pamtPages}, for that
   *       family under PAMT {@code any}) up to {@code found}'s is ruled out by {@link #mayHave} for
   *       every TDMR count, within {@link #MOST_PAMT_STEPS} values;
   *   <li>TDMRs: no fewer TDMRs are allowed at that PAMT by {@link #mayHave}, nor by {@link
   *       TierBounds#tdmrs} where the PAMT is the module family's bound (then every module-family
   *       layout with that PAMT is one of that family's PAMT optima, the layouts that bound is
   *       about);
   *   <li>reserved areas: {@link #leastAreas}, and {@link TierBounds#reservedAreas} where the PAMT
   *       and the TDMRs are the module family's bounds (the layouts it is about, likewise).
   * </ol>
   */
  boolean meets(LayoutScore found) {
    if (!applies() || found.uncoveredBytes() > instance.deadMemory() || found.pamtBytes() % ByteSize.PAGE != 0) {
      return false;
    }
    long pages = found.pamtBytes() / ByteSize.PAGE;
    if (leastPamtPages().orElse(Long.MAX_VALUE) != pages) {
      return false;
    }
    OptionalLong tdmrs = leastTdmrs(pages);
    if (tdmrs.isEmpty() || tdmrs.getAsLong() != found.tdmrs()) {
      return false;
    }
    return found.reservedAreas() == leastAreas(pages, found.tdmrs(), found.reservedAreas());
  }

  /**
   * The PAMT tier's lower bound for every kernel-family layout covering all memory (coverage {@code
   * all}): the least value from the module family's bound ({@link TierBounds#pamtPages}, for that
   * family under PAMT {@code any}) up that {@link #mayHave} allows for some TDMR count, within
   * {@link #MOST_PAMT_STEPS} values; empty when the bounds do not apply, none is found within those
   * steps, or the instance's deadline passes.
   */
  public OptionalLong leastPamtPages() {
    if (!applies()) {
      return OptionalLong.empty();
    }
    long floor = moduleFloor();
    for (long p = floor; p <= floor + MOST_PAMT_STEPS; p++) {
      if (instance.deadline().expired()) {
        return OptionalLong.empty();
      }
      if (leastTdmrs(p, 1).isPresent()) {
        return OptionalLong.of(p);
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The TDMR tier's lower bound for every kernel-family layout with exactly {@code pages} pages of
   * PAMT (coverage {@code all}): the fewest {@link #mayHave} allows, from {@link TierBounds#tdmrs}
   * where {@code pages} is the module family's bound (then every module-family layout with that PAMT
   * is one of that family's PAMT optima, the layouts that bound is about); empty when none is
   * allowed or the bounds do not apply.
   */
  public OptionalLong leastTdmrs(long pages) {
    if (!applies()) {
      return OptionalLong.empty();
    }
    return leastTdmrs(pages, Math.max(1, moduleTdmrs(pages)));
  }

  /**
   * The reserved-area tier's lower bound for every kernel-family layout with exactly {@code pages}
   * pages of PAMT and {@code tdmrs} TDMRs (coverage {@code all}): {@link #leastAreas}, and {@link
   * TierBounds#reservedAreas} where the PAMT and the TDMRs are the module family's bounds (the
   * layouts it is about); {@code found} is the best value known, which no bound exceeds.
   */
  public long leastAreas(long pages, long tdmrs, long found) {
    long least = leastAreas(pages, tdmrs);
    if (pages == moduleFloor() && moduleTdmrs(pages) == tdmrs) {
      TierBounds module = new TierBounds(instance);
      TierBounds.Proven proven = module.provenBy(coveringAll()).withPamt(pages).withTdmrs((int) tdmrs);
      least = Math.max(least, module.reservedAreas(proven, found).map(TierBounds.Bound::value).orElse(0L));
    }
    return least;
  }

  /** The module family's PAMT bound under PAMT {@code any}, covering all memory (at least 1). */
  private long moduleFloor() {
    if (moduleFloor < 0) {
      TierBounds module = new TierBounds(instance);
      moduleFloor = module.pamtPages(module.provenBy(coveringAll())).map(TierBounds.Bound::value).orElse(1L);
    }
    return moduleFloor;
  }

  private long moduleFloor = -1;

  /** The module family's TDMR bound at {@code pages} when that is its PAMT bound, else 1. */
  private long moduleTdmrs(long pages) {
    if (pages != moduleFloor()) {
      return 1;
    }
    TierBounds module = new TierBounds(instance);
    TierBounds.Proven proven = module.provenBy(coveringAll()).withPamt(pages);
    return module.tdmrs(proven).map(TierBounds.Bound::value).orElse(1L);
  }

  /** A score giving up nothing coverable: what the tiers before PAMT prove under coverage {@code all}. */
  private LayoutScore coveringAll() {
    return new LayoutScore(instance.deadMemory(), 0, 0, 0, 0);
  }
}
