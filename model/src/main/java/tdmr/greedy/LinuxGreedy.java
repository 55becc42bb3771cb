package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.greedy.GreedyResult.Cause;
import tdmr.tdx.Headroom;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * The Linux kernel's TDMR construction ({@code construct_tdmrs} in {@code
 * arch/x86/virt/vmx/tdx/tdx.c}, v6.8 up to the 2026 trees), step for step, with the kernel's
 * messages and error numbers.
 *
 * <p>The steps are those of the kernel's {@code construct_tdmrs}: the memory list ({@link
 * #memoryList}); {@code fill_out_tdmrs}, one pass over the blocks that opens a new 1 GiB-aligned
 * TDMR whenever a block ends past the current one and never merges TDMRs; {@code
 * tdmrs_set_up_pamt_all}, one contiguous chunk per TDMR (4K, 2M, 1G levels, each rounded up to 4
 * KiB) on the node of the first block that ends after the TDMR's base, placed by a {@link
 * PamtPlacement}; {@code tdmrs_populate_rsvd_areas_all}, which gives every hole and every PAMT piece
 * inside a TDMR its own reserved area (holes first, then PAMT pieces, never merged, then sorted by
 * offset). Limits are checked exactly where the kernel checks them.
 *
 * <p>With {@link Policy.Holes#CMR} the holes come from the CMRs instead of the memory list, as in
 * the unmerged patch "x86/virt/tdx: Reduce TDMR's reserved areas by using CMRs to find memory
 * holes" (v8 8.2/9, 2024-12-09). That patch runs the unchanged hole loop over the CMRs as the
 * module reports them; since the loop treats a range starting at the previous end as no gap,
 * touching CMRs give the same holes as merged ones. It also rejects a memory-list block that is not
 * inside the CMRs ({@code -EINVAL}), which this port does too.
 *
 * <p>Cost is linear in blocks plus TDMRs after the memory list is sorted, plus a logarithmic
 * search per PAMT chunk; the kernel's quadratic scans (every block per TDMR, every chunk per TDMR)
 * are replaced by cursors that visit the same elements in the same order.
 */
public final class LinuxGreedy {
  /** The kernel's {@code pr_fmt} for the TDX host code. */
  public static final String LOG_PREFIX = "virt/tdx: ";

  /** {@code TDMR_NR_WARN}: warn when fewer than this many TDMRs are left unused. */
  static final int TDMR_NR_WARN = 4;

  private static final long FIRST_MB = 1L << 20;

  private final Policy.Holes holes;
  private final PamtPlacement placement;

  public LinuxGreedy(Policy.Holes holes, PamtPlacement placement) {
    this.holes = java.util.Objects.requireNonNull(holes, "holes");
    this.placement = java.util.Objects.requireNonNull(placement, "placement");
  }

  /** Mainline Linux: holes from the memory list, PAMTs placed by the {@code alloc_contig_pages} model. */
  public static LinuxGreedy mainline() {
    return new LinuxGreedy(Policy.Holes.MEMLIST, PamtPlacement.kernel());
  }

  /** Mainline plus the unmerged CMR-holes patch. */
  public static LinuxGreedy cmrHoles() {
    return new LinuxGreedy(Policy.Holes.CMR, PamtPlacement.kernel());
  }

  public Policy.Holes holes() {
    return holes;
  }

  public PamtPlacement placement() {
    return placement;
  }

  /** The same construction with the other hole source. */
  public LinuxGreedy withHoles(Policy.Holes h) {
    return new LinuxGreedy(h, placement);
  }

  /**
   * The kernel's memory list from a map's blocks, as {@code build_tdx_memlist} sees memblock:
   * each block page-rounded inwards ({@code PFN_UP}/{@code PFN_DOWN}), clipped to start at 1 MiB
   * ("The first 1MB is not reported as TDX convertible memory"), dropped when empty, and touching
   * blocks of one node merged as {@code memblock_merge_regions} merges them. Blocks a reader
   * produced are already in this form, so this is the identity for them.
   */
  public static List<MemoryBlock> memoryList(List<MemoryBlock> blocks) {
    List<MemoryBlock> out = new ArrayList<>(blocks.size());
    for (MemoryBlock b : blocks) {
      long start = Math.max(ByteSize.alignUp(b.start(), PAGE), FIRST_MB);
      long end = ByteSize.alignDown(b.end(), PAGE);
      if (start >= end) {
        continue;
      }
      if (!out.isEmpty()) {
        MemoryBlock last = out.get(out.size() - 1);
        if (last.end() == start && last.node() == b.node()) {
          out.set(out.size() - 1, new MemoryBlock(last.start(), end, b.node()));
          continue;
        }
      }
      out.add(new MemoryBlock(start, end, b.node()));
    }
    return out;
  }

  /**
   * {@code tdmr_get_nid}: the node of the first memory-list block that ends after the TDMR's base;
   * empty when none does (the kernel then warns and uses node 0). Works for any engine's TDMR.
   */
  public static OptionalInt tdmrNode(List<MemoryBlock> memlist, long tdmrBase) {
    int lo = 0;
    int hi = memlist.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (memlist.get(mid).end() > tdmrBase) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo < memlist.size() ? OptionalInt.of(memlist.get(lo).node()) : OptionalInt.empty();
  }

  /**
   * Runs the construction on one map under the given limits, as {@code construct_tdmrs} does:
   * the memory list, then {@link #fillOutTdmrs}, {@link #setUpPamtAll} and {@link
   * #populateReservedAreasAll}, each stopping the construction where the kernel stops.
   */
  public GreedyResult construct(MemoryMap map, TdxLimits limits) {
    List<MemoryBlock> memlist = memoryList(map.blocks());
    List<String> log = new ArrayList<>();
    if (memlist.isEmpty()) {
      // Cannot happen on a booted system; the kernel would go on with one empty TDMR.
      return failed(Cause.EMPTY_MEMORY_LIST, OptionalInt.empty(), Optional.empty(), List.of(), log);
    }
    if (holes == Policy.Holes.CMR) {
      for (MemoryBlock b : memlist) {
        if (!map.cmrs().covers(b.range())) {
          return failed(Cause.MEMORY_OUTSIDE_CMRS, OptionalInt.empty(), Optional.of(b.range()), List.of(), log);
        }
      }
    }

    List<AddressRange> ranges = fillOutTdmrs(memlist, limits.maxTdmrs());
    if (ranges.size() > limits.maxTdmrs()) {
      List<GreedyTdmr> partial = new ArrayList<>();
      for (int i = 0; i < limits.maxTdmrs(); i++) {
        partial.add(new GreedyTdmr(i, ranges.get(i), -1, false, Optional.empty(), List.of()));
      }
      return failed(Cause.TDMRS_EXHAUSTED, OptionalInt.empty(), Optional.of(ranges.get(limits.maxTdmrs())), partial, log);
    }
    int n = ranges.size();
    if (limits.maxTdmrs() - n < TDMR_NR_WARN) {
      log.add("consumed TDMRs reaching limit: %d used out of %d".formatted(n, limits.maxTdmrs()));
    }

    PamtSetUp setUp = setUpPamtAll(memlist, ranges, limits);
    log.addAll(setUp.warnings());
    if (setUp.failedTdmr().isPresent()) {
      return failed(Cause.PAMT_ALLOCATION, setUp.failedTdmr(), Optional.empty(), setUp.tdmrs(), log);
    }

    List<AddressRange> holeSource =
        holes == Policy.Holes.CMR ? map.cmrs().cmrs() : memlist.stream().map(MemoryBlock::range).toList();
    List<GreedyTdmr> built = populateReservedAreasAll(setUp.tdmrs(), holeSource);
    Optional<GreedyResult.Failed> overLimit = checkReservedAreas(built, limits, log);
    if (overLimit.isPresent()) {
      return overLimit.get();
    }
    Layout layout = new Layout(built.stream().map(GreedyTdmr::toTdmr).toList());
    return new GreedyResult.Built(layout, built, Headroom.of(layout, limits), log);
  }

  /**
   * What {@code tdmrs_set_up_pamt_all} leaves behind.
   *
   * @param tdmrs every TDMR with the node {@code tdmr_get_nid} picked and its PAMT; when allocation
   *     failed, the TDMRs from the failing one on have no PAMT and those after it no node (-1)
   * @param warnings the kernel's warnings, in order (no local node: fallback to node 0)
   * @param failedTdmr the TDMR whose chunk found no room ({@code -ENOMEM}), if any
   */
  public record PamtSetUp(List<GreedyTdmr> tdmrs, List<String> warnings, OptionalInt failedTdmr) {
    public PamtSetUp {
      tdmrs = List.copyOf(tdmrs);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * {@code tdmrs_set_up_pamt_all}: one PAMT chunk per TDMR, in TDMR order, on the node of the first
   * memory-list block that ends after the TDMR's base, placed by this greedy's {@link
   * PamtPlacement}; stops at the first chunk that finds no room.
   */
  public PamtSetUp setUpPamtAll(List<MemoryBlock> memlist, List<AddressRange> ranges, TdxLimits limits) {
    int n = ranges.size();
    int[] nodes = new int[n];
    boolean[] fallback = new boolean[n];
    Pamt[] pamts = new Pamt[n];
    List<String> warnings = new ArrayList<>();
    PamtArena arena = new PamtArena(memlist);
    int cursor = 0;
    for (int i = 0; i < n; i++) {
      AddressRange t = ranges.get(i);
      // tdmr_get_nid: the node of the first block that ends after the TDMR base.
      while (cursor < memlist.size() && memlist.get(cursor).end() <= t.start()) {
        cursor++;
      }
      if (cursor < memlist.size()) {
        nodes[i] = memlist.get(cursor).node();
      } else {
        fallback[i] = true;
        warnings.add(
            "TDMR [0x%x, 0x%x): unable to find local NUMA node for PAMT allocation, fallback to use node 0."
                .formatted(t.start(), t.end()));
      }
      long chunk = PamtSizing.chunkBytes(t.size(), limits);
      OptionalLong base = placement.place(new PamtRequest(i, t, nodes[i], chunk), arena);
      if (base.isPresent() && (base.getAsLong() % PAGE != 0 || !arena.isFree(base.getAsLong(), chunk))) {
        throw new IllegalStateException(
            "PAMT placement %s returned 0x%x for %d bytes, which is not free TDX memory"
                .formatted(placement.name(), base.getAsLong(), chunk));
      }
      if (base.isEmpty()) {
        // alloc_contig_pages() returned NULL: -ENOMEM, no message of its own.
        List<GreedyTdmr> partial = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          partial.add(new GreedyTdmr(j, ranges.get(j), j <= i ? nodes[j] : -1, fallback[j],
              Optional.ofNullable(pamts[j]), List.of()));
        }
        return new PamtSetUp(partial, warnings, OptionalInt.of(i));
      }
      arena.occupy(base.getAsLong(), chunk);
      pamts[i] = Pamt.kernelChunk(base.getAsLong(), t.size(), limits);
    }
    List<GreedyTdmr> placed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      placed.add(new GreedyTdmr(i, ranges.get(i), nodes[i], fallback[i], Optional.of(pamts[i]), List.of()));
    }
    return new PamtSetUp(placed, warnings, OptionalInt.empty());
  }

  /**
   * {@code tdmrs_populate_rsvd_areas_all}: every TDMR (each with its PAMT placed) with every
   * reserved area the kernel adds to it, in the kernel's order: the holes of {@code holeSource}
   * inside it, then the pieces of every PAMT chunk inside it. The limit is not applied here; see
   * {@link #checkReservedAreas}.
   */
  public static List<GreedyTdmr> populateReservedAreasAll(List<GreedyTdmr> tdmrs, List<AddressRange> holeSource) {
    List<AddressRange> ranges = tdmrs.stream().map(GreedyTdmr::range).toList();
    Pamt[] pamts = tdmrs.stream().map(t -> t.pamt().orElseThrow(() -> new IllegalArgumentException(t + " has no PAMT")))
        .toArray(Pamt[]::new);
    List<List<ReservedAreaUse>> uses = reservedAreaUses(ranges, holeSource, pamts);
    List<GreedyTdmr> out = new ArrayList<>(tdmrs.size());
    for (int i = 0; i < tdmrs.size(); i++) {
      GreedyTdmr t = tdmrs.get(i);
      out.add(new GreedyTdmr(t.index(), t.range(), t.node(), t.nodeFallback(), t.pamt(), uses.get(i)));
    }
    return out;
  }

  /**
   * The checks {@code tdmr_add_rsvd_area} makes as it adds each area, TDMR by TDMR: every area 4
   * KiB aligned ({@code -EINVAL}), at most {@code maxReservedPerTdmr} of them ({@code -ENOSPC},
   * "reserved areas exhausted"). Empty when every TDMR passes.
   */
  private static Optional<GreedyResult.Failed> checkReservedAreas(
      List<GreedyTdmr> tdmrs, TdxLimits limits, List<String> log) {
    for (int i = 0; i < tdmrs.size(); i++) {
      List<ReservedAreaUse> u = tdmrs.get(i).reservedUses();
      for (int k = 0; k < u.size(); k++) {
        AddressRange r = u.get(k).range();
        if (r.start() % PAGE != 0 || r.size() % PAGE != 0) {
          // WARN_ON in tdmr_add_rsvd_area; only reachable with CMRs that are not 4 KiB aligned.
          return Optional.of(failed(Cause.RESERVED_AREA_MISALIGNED, OptionalInt.of(i), Optional.of(r), tdmrs, log));
        }
        if (k >= limits.maxReservedPerTdmr()) {
          return Optional.of(failed(Cause.RESERVED_AREAS_EXHAUSTED, OptionalInt.of(i), Optional.empty(), tdmrs, log));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The failure with the kernel's lines: its own line for the failure (made from the failure's
   * fields) where it prints one, then the error number.
   */
  private static GreedyResult.Failed failed(
      Cause cause, OptionalInt tdmr, Optional<AddressRange> range, List<GreedyTdmr> tdmrs, List<String> log) {
    GreedyResult.Failed failure = new GreedyResult.Failed(cause, tdmr, range, tdmrs, List.of(), List.of());
    if (cause.loggedByKernel()) {
      log.add(failure.failureLine());
    }
    log.add("module initialization failed (%d)".formatted(cause.errno().value()));
    return new GreedyResult.Failed(cause, tdmr, range, tdmrs, List.of(), log);
  }

  /**
   * {@code fill_out_tdmrs}: one pass, no look-ahead. Returns the TDMRs; when the list holds more
   * than {@code maxTdmrs} entries, the kernel ran out at entry {@code maxTdmrs} (it stops there, so
   * only the first {@code maxTdmrs + 1} are computed).
   */
  public static List<AddressRange> fillOutTdmrs(List<MemoryBlock> memlist, int maxTdmrs) {
    List<AddressRange> tdmrs = new ArrayList<>();
    long base = 0;
    long end = 0;
    boolean used = false;
    for (MemoryBlock b : memlist) {
      long start = ByteSize.alignDown(b.start(), Tdmr.ALIGNMENT);
      long stop = ByteSize.alignUp(b.end(), Tdmr.ALIGNMENT);
      if (used) {
        if (stop <= end) {
          continue;
        }
        if (start < end) {
          start = end;
        }
        tdmrs.add(new AddressRange(base, end));
        if (tdmrs.size() >= maxTdmrs) {
          // tdmr_idx++ reached max_tdmrs: "TDMRs exhausted"; record the one that did not fit.
          tdmrs.add(new AddressRange(start, stop));
          return tdmrs;
        }
      }
      base = start;
      end = stop;
      used = true;
    }
    if (used) {
      tdmrs.add(new AddressRange(base, end));
    }
    return tdmrs;
  }

  /**
   * Every reserved area {@code tdmr_populate_rsvd_holes} and {@code tdmr_populate_rsvd_pamts} add to
   * each TDMR, in the kernel's order, without the limit (the caller applies it).
   */
  private static List<List<ReservedAreaUse>> reservedAreaUses(
      List<AddressRange> tdmrs, List<AddressRange> holeSource, Pamt[] pamts) {
    int n = tdmrs.size();
    // PAMT chunks by base; placed chunks are disjoint, so their ends ascend too.
    int[] byBase = indicesByChunkBase(pamts);
    long[] chunkEnds = new long[n];
    for (int k = 0; k < n; k++) {
      Pamt p = pamts[byBase[k]];
      chunkEnds[k] = p.fourK().base() + p.totalBytes();
    }

    List<List<ReservedAreaUse>> out = new ArrayList<>(n);
    int cursor = 0;
    for (AddressRange t : tdmrs) {
      List<ReservedAreaUse> uses = new ArrayList<>();
      // Holes: the kernel skips ranges with end < base (note '<'), so start at the first range
      // ending at or after the base; TDMRs ascend, so the cursor only moves forward.
      while (cursor < holeSource.size() && holeSource.get(cursor).end() < t.start()) {
        cursor++;
      }
      long prevEnd = t.start();
      for (int j = cursor; j < holeSource.size(); j++) {
        AddressRange r = holeSource.get(j);
        if (r.start() >= t.end()) {
          break;
        }
        if (r.start() <= prevEnd) {
          prevEnd = r.end();
          continue;
        }
        uses.add(ReservedAreaUse.hole(new AddressRange(prevEnd, r.start())));
        prevEnd = r.end();
      }
      if (prevEnd < t.end()) {
        uses.add(ReservedAreaUse.hole(new AddressRange(prevEnd, t.end())));
      }
      // PAMT pieces: every chunk (this TDMR's included) that overlaps, clipped, one area each,
      // added in TDMR order as the kernel's loop over tdmr_list does.
      int first = SortedEnds.firstEndingAfter(chunkEnds, t.start());
      List<ReservedAreaUse> pieces = new ArrayList<>();
      for (int k = first; k < n; k++) {
        Pamt p = pamts[byBase[k]];
        long pb = p.fourK().base();
        if (pb >= t.end()) {
          break;
        }
        pieces.add(ReservedAreaUse.pamt(
            new AddressRange(Math.max(pb, t.start()), Math.min(chunkEnds[k], t.end())), byBase[k]));
      }
      pieces.sort(Comparator.comparingInt(ReservedAreaUse::pamtOwner));
      uses.addAll(pieces);
      out.add(uses);
    }
    return out;
  }

  /**
   * TDMR indices ordered by their chunk's base. Placed chunks are disjoint and not empty, so their
   * bases are distinct: sorting the bases and finding each chunk's base among them gives its rank.
   */
  private static int[] indicesByChunkBase(Pamt[] pamts) {
    int n = pamts.length;
    long[] bases = new long[n];
    for (int i = 0; i < n; i++) {
      bases[i] = pamts[i].fourK().base();
    }
    long[] sorted = bases.clone();
    Arrays.sort(sorted);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[Arrays.binarySearch(sorted, bases[i])] = i;
    }
    return order;
  }
}
