package tdmr.greedy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
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
import tdmr.tdx.ReservedArea;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * greedy-fit: a TDMR construction of the kernel's shape (one contiguous 4K/2M/1G PAMT chunk per
 * TDMR, on the TDMR's node) that splits a TDMR at a 1 GiB boundary when it runs out of reserved
 * areas, merges TDMRs when it runs out of TDMRs, and stacks each PAMT chunk against a hole so it
 * costs no reserved area. {@code docs/greedy-fit.md} describes it for kernel developers.
 *
 * <p>The steps follow {@code construct_tdmrs}: the memory list ({@link LinuxGreedy#memoryList});
 * {@code fill_out_tdmrs} with splits and merges ({@link FitTdmrs}); {@code tdmrs_set_up_pamt_all}
 * with hole-side placement ({@link HoleSidePlacement}); {@code tdmrs_populate_rsvd_areas_all}, where
 * a hole and the chunks stacked against it (or touching chunks) form one area. When a chunk finds
 * no room, the bounded repair runs the steps once more with one reserved area per TDMR kept free
 * of holes for PAMT. Everything is deterministic; the cost is {@code O(B log B)} for B blocks.
 */
public final class GreedyFit implements KernelConstruction {
  public static final String NAME = "greedy-fit";
  /** At most this many TDMRs are cut for PAMT room before greedy-fit gives up. */
  static final int REPAIR_SPLITS = 8;
  /** At most this many TDMRs are kept back from the merge pass for those repair splits. */
  static final int REPAIR_RESERVE = 2;

  private final Policy.Holes holes;
  private final Policy.PamtPlacementPolicy pamt;

  /**
   * greedy-fit with holes from the memory list (mainline's rule) or from the CMRs, and PAMT chunks
   * on their TDMR's node ({@code node-local}) or, when the node has no room, on another node as
   * mainline's allocator falls back ({@code any}).
   */
  public GreedyFit(Policy.Holes holes, Policy.PamtPlacementPolicy pamt) {
    this.holes = Objects.requireNonNull(holes, "holes");
    this.pamt = Objects.requireNonNull(pamt, "pamt");
  }

  /** greedy-fit with node-local PAMT chunks. */
  public GreedyFit(Policy.Holes holes) {
    this(holes, Policy.PamtPlacementPolicy.NODE_LOCAL);
  }

  /** greedy-fit under a policy's holes and PAMT placement. */
  public static GreedyFit forPolicy(Policy policy) {
    return new GreedyFit(policy.holes(), policy.pamt());
  }

  @Override
  public String name() {
    return NAME;
  }

  public Policy.Holes holes() {
    return holes;
  }

  @Override
  public GreedyResult construct(MemoryMap map, TdxLimits limits) {
    List<MemoryBlock> memlist = LinuxGreedy.memoryList(map.blocks());
    List<String> log = new ArrayList<>();
    if (memlist.isEmpty()) {
      return failed(Cause.EMPTY_MEMORY_LIST, OptionalInt.empty(), Optional.empty(), List.of(), log);
    }
    if (holes == Policy.Holes.CMR) {
      for (MemoryBlock b : memlist) {
        if (!map.cmrs().covers(b.range())) {
          return failed(Cause.MEMORY_OUTSIDE_CMRS, OptionalInt.empty(), Optional.of(b.range()), List.of(), log);
        }
      }
    }
    HoleIndex holeIndex = new HoleIndex(holes == Policy.Holes.CMR
        ? map.cmrs().cmrs() : memlist.stream().map(MemoryBlock::range).toList());
    GreedyResult first = attempt(memlist, holeIndex, limits, limits.maxReservedPerTdmr(), limits.maxTdmrs(), log);
    if (first instanceof GreedyResult.Built) {
      return first;
    }
    // Bounded repair: build again with fewer TDMRs for the merge pass to aim at (leaving TDMRs for
    // the PAMT repair to split), then with one reserved area per TDMR kept free of holes.
    for (int budget = limits.maxReservedPerTdmr(); budget >= Math.max(1, limits.maxReservedPerTdmr() - 1); budget--) {
      for (int reserve = budget == limits.maxReservedPerTdmr() ? 1 : 0; reserve <= REPAIR_RESERVE; reserve++) {
        int target = limits.maxTdmrs() - reserve;
        if (target < 1) {
          break;
        }
        List<String> retry = new ArrayList<>(log);
        retry.add("no layout with at most %d holes and %d TDMRs before PAMT placement: building again with at most %d and %d"
            .formatted(limits.maxReservedPerTdmr(), limits.maxTdmrs(), budget, target));
        GreedyResult again = attempt(memlist, holeIndex, limits, budget, target, retry);
        if (again instanceof GreedyResult.Built) {
          return again;
        }
      }
    }
    return first;
  }

  /** One pass of the three steps with {@code budget} reserved areas per TDMR for holes. */
  private GreedyResult attempt(
      List<MemoryBlock> memlist, HoleIndex holeIndex, TdxLimits limits, int budget, int targetTdmrs,
      List<String> prefix) {
    List<String> log = new ArrayList<>(prefix);
    FitTdmrs fitTdmrs = new FitTdmrs(memlist, holeIndex, budget, targetTdmrs, pamt, limits);
    FitTdmrs.Outcome fill = fitTdmrs.fillOut();
    reportSplitsAndJoins(fill, memlist, limits, budget, log);
    if (fill.overloadedGranule() != null) {
      // No cut helps: one granule alone has more holes than areas. The failure names it as the
      // smallest TDMR that could hold its memory.
      AddressRange g = fill.overloadedGranule();
      log.add("TDMR [0x%x, 0x%x) holds %d holes, more than %d reserved areas, and cannot be split"
          .formatted(g.start(), g.end(), holeIndex.count(g.start(), g.end()), budget));
      List<AddressRange> asFar = new ArrayList<>(fill.tdmrs());
      asFar.add(g);
      return failed(Cause.RESERVED_AREAS_EXHAUSTED, OptionalInt.of(asFar.size() - 1), Optional.empty(),
          partial(asFar, memlist), log);
    }
    if (fill.pamtTooLarge() >= 0) {
      long g = fill.pamtTooLarge();
      int node = LinuxGreedy.tdmrNode(memlist, g).orElseThrow();
      log.add("TDMR [0x%x, 0x%x): node %d has no block large enough for its PAMT, and no TDMR before it reaches it"
          .formatted(g, g + Tdmr.ALIGNMENT, node));
      List<AddressRange> asFar = new ArrayList<>(fill.tdmrs());
      asFar.add(new AddressRange(g, g + Tdmr.ALIGNMENT));
      return failed(Cause.PAMT_ALLOCATION, OptionalInt.of(asFar.size() - 1), Optional.empty(), partial(asFar, memlist), log);
    }
    List<AddressRange> ranges = new ArrayList<>(fill.tdmrs());
    if (ranges.size() > limits.maxTdmrs()) {
      log.add("%d TDMRs needed after joining runs of memory, %d allowed".formatted(ranges.size(), limits.maxTdmrs()));
      return failed(Cause.TDMRS_EXHAUSTED, OptionalInt.empty(), Optional.of(ranges.get(limits.maxTdmrs())),
          partial(ranges.subList(0, limits.maxTdmrs()), memlist), log);
    }
    HoleSidePlacement.Outcome placed = new HoleSidePlacement(memlist, holeIndex, ranges, pamt, limits).place();
    for (int repair = 0; placed.unplaced() >= 0 && repair < REPAIR_SPLITS && ranges.size() < limits.maxTdmrs(); repair++) {
      // Bounded repair: cut the TDMR whose chunk found no room next to its first hole, so that a
      // part of it has a reserved area to spare, and place all chunks again.
      AddressRange t = ranges.get(placed.unplaced());
      List<AddressRange> parts = fitTdmrs.splitForRoom(t);
      if (parts.isEmpty()) {
        break;
      }
      log.add("TDMR [0x%x, 0x%x): no room for its PAMT next to a hole: split at 0x%x"
          .formatted(t.start(), t.end(), parts.get(1).start()));
      ranges.remove(placed.unplaced());
      ranges.addAll(placed.unplaced(), parts);
      placed = new HoleSidePlacement(memlist, holeIndex, ranges, pamt, limits).place();
    }
    if (placed.unplaced() >= 0) {
      AddressRange t = ranges.get(placed.unplaced());
      int node = LinuxGreedy.tdmrNode(memlist, t.start()).orElseThrow();
      log.add("TDMR [0x%x, 0x%x): no room for its %d KB PAMT on node %d, next to a hole or with a reserved area to spare"
          .formatted(t.start(), t.end(), PamtSizing.chunkBytes(t.size(), limits) / 1024, node));
      return failed(Cause.PAMT_ALLOCATION, OptionalInt.of(placed.unplaced()), Optional.empty(), partial(ranges, memlist), log);
    }
    int paidTotal = 0;
    for (int p : placed.paidAreas()) {
      paidTotal += p;
    }
    log.add("PAMTs of %d TDMRs placed next to holes, %d in reserved areas of their own"
        .formatted(ranges.size() - paidTotal, paidTotal));
    // Mainline's warning, last, so that greedy-fit's own lines come first (explain counts on it).
    if (reachingLimit(ranges.size(), limits)) {
      log.add("consumed TDMRs reaching limit: %d used out of %d".formatted(ranges.size(), limits.maxTdmrs()));
    }
    return build(memlist, holeIndex, ranges, placed.bases(), limits, log);
  }

  /** Reserved areas (holes and touching chunks merged), the limit check, and the layout. */
  private GreedyResult build(
      List<MemoryBlock> memlist, HoleIndex holeIndex, List<AddressRange> ranges, long[] bases, TdxLimits limits,
      List<String> log) {
    int n = ranges.size();
    Pamt[] pamts = new Pamt[n];
    List<List<ReservedAreaUse>> uses = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      pamts[k] = Pamt.kernelChunk(bases[k], ranges.get(k).size(), limits);
      List<ReservedAreaUse> u = new ArrayList<>();
      holeIndex.holes(ranges.get(k).start(), ranges.get(k).end()).forEach(h -> u.add(ReservedAreaUse.hole(h)));
      uses.add(u);
    }
    for (int k = 0; k < n; k++) {
      AddressRange chunk = AddressRange.ofSize(bases[k], pamts[k].totalBytes());
      uses.get(holder(ranges, chunk.start())).add(ReservedAreaUse.pamt(chunk, k));
    }
    List<GreedyTdmr> built = new ArrayList<>(n);
    List<Tdmr> tdmrs = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      AddressRange t = ranges.get(k);
      List<ReservedAreaUse> u = uses.get(k);
      u.sort(Comparator.comparingLong((ReservedAreaUse x) -> x.range().start()));
      int node = LinuxGreedy.tdmrNode(memlist, t.start()).orElseThrow();
      built.add(new GreedyTdmr(k, t, node, false, Optional.of(pamts[k]), u));
      tdmrs.add(new Tdmr(t.start(), t.size(), pamts[k], mergedAreas(t, u)));
    }
    for (int k = 0; k < n; k++) {
      // Placement leaves every TDMR within the limit; this is the kernel's own check, kept.
      if (tdmrs.get(k).reservedCount() > limits.maxReservedPerTdmr()) {
        return failed(Cause.RESERVED_AREAS_EXHAUSTED, OptionalInt.of(k), Optional.empty(), built, log);
      }
    }
    Layout layout = new Layout(tdmrs);
    return new GreedyResult.Built(layout, built, Headroom.of(layout, limits), log);
  }

  /** The TDMR holding {@code address} (chunks lie wholly inside one TDMR). */
  private static int holder(List<AddressRange> ranges, long address) {
    int lo = 0;
    int hi = ranges.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (ranges.get(mid).start() <= address) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Holes and chunk pieces sorted by start, touching ones joined into one area each. */
  static List<ReservedArea> mergedAreas(AddressRange tdmr, List<ReservedAreaUse> sortedUses) {
    List<ReservedArea> areas = new ArrayList<>();
    long start = -1;
    long end = -1;
    for (ReservedAreaUse u : sortedUses) {
      AddressRange r = u.range();
      if (start >= 0 && r.start() <= end) {
        end = Math.max(end, r.end());
        continue;
      }
      if (start >= 0) {
        areas.add(new ReservedArea(start - tdmr.start(), end - start));
      }
      start = r.start();
      end = r.end();
    }
    if (start >= 0) {
      areas.add(new ReservedArea(start - tdmr.start(), end - start));
    }
    return areas;
  }

  private static void reportSplitsAndJoins(
      FitTdmrs.Outcome fill, List<MemoryBlock> memlist, TdxLimits limits, int budget, List<String> log) {
    for (FitTdmrs.Split s : fill.splits()) {
      AddressRange w = s.wanted();
      if (s.reason() == FitTdmrs.SplitReason.HOLES) {
        log.add("TDMR [0x%x, 0x%x): %d holes, more than %d reserved areas: split at 0x%x"
            .formatted(w.start(), w.end(), s.holes(), budget, s.at()));
      } else {
        int node = LinuxGreedy.tdmrNode(memlist, w.start()).orElseThrow();
        log.add("TDMR [0x%x, 0x%x): PAMT of %d KB larger than any block of node %d: split at 0x%x"
            .formatted(w.start(), w.end(), PamtSizing.chunkBytes(w.size(), limits) / 1024, node, s.at()));
      }
    }
    for (FitTdmrs.Join j : fill.joins()) {
      log.add("joined to fit the TDMR limit: one TDMR spans [0x%x, 0x%x), %s without memory"
          .formatted(j.gap().start(), j.gap().end(), ByteSize.human(j.gap().size())));
    }
  }

  /** The TDMRs as far as they were built, without PAMTs. */
  private static List<GreedyTdmr> partial(List<AddressRange> ranges, List<MemoryBlock> memlist) {
    List<GreedyTdmr> out = new ArrayList<>(ranges.size());
    for (int k = 0; k < ranges.size(); k++) {
      out.add(new GreedyTdmr(k, ranges.get(k), LinuxGreedy.tdmrNode(memlist, ranges.get(k).start()).orElse(-1),
          false, Optional.empty(), List.of()));
    }
    return out;
  }

  /** The failure with its lines: the kernel's own line for it where the kernel prints one, then the error number. */
  static GreedyResult.Failed failed(
      Cause cause, OptionalInt tdmr, Optional<AddressRange> range, List<GreedyTdmr> tdmrs, List<String> log) {
    GreedyResult.Failed failure = new GreedyResult.Failed(cause, tdmr, range, tdmrs, List.of(), List.of());
    if (cause.loggedByKernel()) {
      log.add(failure.failureLine());
    }
    log.add("module initialization failed (%d)".formatted(cause.errno().value()));
    return new GreedyResult.Failed(cause, tdmr, range, tdmrs, List.of(), log);
  }

  /** Mainline's warning condition: fewer than {@code TDMR_NR_WARN} TDMRs left unused. */
  private static boolean reachingLimit(int tdmrs, TdxLimits limits) {
    return limits.maxTdmrs() - tdmrs < LinuxGreedy.TDMR_NR_WARN;
  }

  @Override
  public List<String> explain(MemoryMap map, TdxLimits limits, GreedyResult result) {
    boolean built = result instanceof GreedyResult.Built
        || ((GreedyResult.Failed) result).cause() == Cause.MODULE_REJECTED;
    return FitExplanation.explain(limits, result, NAME,
        FitExplanation.mainlineTail(result, built && reachingLimit(result.tdmrs().size(), limits)));
  }
}
