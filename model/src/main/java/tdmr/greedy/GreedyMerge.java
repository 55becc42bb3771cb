package tdmr.greedy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import tdmr.tdx.ReservedArea;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * greedy-merge: a model of Intel's pre-upstream TDMR construction of 2021 ({@code
 * arch/x86/kernel/cpu/tdx/tdmr-common.c} in the intel/tdx tree; kernel-greedy.md §7.3), which
 * merges neighbouring TDMR ranges when there are more than {@code max_tdmrs} of them and then
 * spreads all {@code max_tdmrs} TDMRs over the ranges.
 *
 * <p>The rule implemented, step by step:
 *
 * <ol>
 *   <li><b>TDMR ranges.</b> Walking the memory list, a block extends the current range when it is
 *       on the same node and its first 1 GiB granule is already in the range; a block on another
 *       node opens a new range (one GiB higher when its first granule is already covered, so no
 *       granule is in two ranges); a block on the same node that shares no granule opens a new
 *       range, even when it touches the last one.
 *   <li><b>Merging</b> while there are more ranges than {@code max_tdmrs}: node by node (ascending
 *       id), the highest pair of neighbouring ranges of that node is merged, touching pairs before
 *       pairs with empty address space between them; then the same across nodes. A merge over
 *       empty address space prints the original's warning that PAMT may be wasted on the hole.
 *   <li><b>Distributing</b> {@code max_tdmrs} TDMRs over the ranges in proportion to their GiB
 *       (each range at least one, at most one per GiB), each range cut into equal TDMRs on 1 GiB
 *       boundaries, the first ones one GiB longer when it does not divide. Unlike mainline this
 *       uses every TDMR the module offers, which spreads holes thin.
 *   <li><b>PAMT pools.</b> Each TDMR picks the block with the largest part inside it; one pool per
 *       picked block holds the PAMT chunks of all TDMRs that picked it, back to back in TDMR order,
 *       allocated on the block's node by the same {@code alloc_contig_pages} model as mainline
 *       ({@link KernelPamtPlacement}; the original's per-type {@code pamt_alloc} is not modelled).
 *   <li><b>Reserved areas</b> as mainline's {@code tdmr_populate_rsvd_holes} (one per hole), plus
 *       one per pool piece inside the TDMR: a pool is one allocation, which is why the original
 *       pooled the chunks ("reduce consumption of TDMR's reserved areas for PAMTs").
 * </ol>
 */
public final class GreedyMerge implements KernelConstruction {
  public static final String NAME = "greedy-merge";
  private static final long G = Tdmr.ALIGNMENT;

  private final Policy.Holes holes;

  public GreedyMerge(Policy.Holes holes) {
    this.holes = Objects.requireNonNull(holes, "holes");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** A 1 GiB-aligned range of granules and the node of the blocks that opened it. */
  private record Range(long start, long end, int node) {
    long gib() {
      return (end - start) / G;
    }
  }

  @Override
  public GreedyResult construct(MemoryMap map, TdxLimits limits) {
    List<MemoryBlock> memlist = LinuxGreedy.memoryList(map.blocks());
    List<String> log = new ArrayList<>();
    if (memlist.isEmpty()) {
      return GreedyFit.failed(Cause.EMPTY_MEMORY_LIST, OptionalInt.empty(), Optional.empty(), List.of(), log);
    }
    if (holes == Policy.Holes.CMR) {
      for (MemoryBlock b : memlist) {
        if (!map.cmrs().covers(b.range())) {
          return GreedyFit.failed(Cause.MEMORY_OUTSIDE_CMRS, OptionalInt.empty(), Optional.of(b.range()), List.of(), log);
        }
      }
    }
    List<Range> ranges = shrink(tdmrRanges(memlist), limits.maxTdmrs(), log);
    List<AddressRange> tdmrs = distribute(ranges, limits.maxTdmrs());
    if (tdmrs.size() > limits.maxTdmrs()) {
      // The original WARNs here (more TDMRs distributed than the array holds).
      List<GreedyTdmr> fit = new ArrayList<>();
      for (int k = 0; k < limits.maxTdmrs(); k++) {
        fit.add(new GreedyTdmr(k, tdmrs.get(k), -1, false, Optional.empty(), List.of()));
      }
      return GreedyFit.failed(Cause.TDMRS_EXHAUSTED, OptionalInt.empty(), Optional.of(tdmrs.get(limits.maxTdmrs())), fit, log);
    }
    HoleIndex holeIndex = new HoleIndex(holes == Policy.Holes.CMR
        ? map.cmrs().cmrs() : memlist.stream().map(MemoryBlock::range).toList());
    return pamtsAndReservedAreas(memlist, holeIndex, tdmrs, limits, log);
  }

  /** Step 1: the TDMR ranges of the memory list. */
  private static List<Range> tdmrRanges(List<MemoryBlock> memlist) {
    List<Range> out = new ArrayList<>();
    for (MemoryBlock b : memlist) {
      long start = ByteSize.alignDown(b.start(), G);
      long end = ByteSize.alignUp(b.end(), G);
      Range last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && b.node() == last.node() && start < last.end()) {
        out.set(out.size() - 1, new Range(last.start(), Math.max(last.end(), end), last.node()));
        continue;
      }
      if (last != null && start < last.end()) {
        // Another node's block whose first granule the previous range already covers.
        start = last.end();
        if (start >= end) {
          continue;
        }
      }
      out.add(new Range(start, end, b.node()));
    }
    return out;
  }

  /** Step 2: merges neighbouring ranges until at most {@code target} remain. */
  private static List<Range> shrink(List<Range> ranges, int target, List<String> log) {
    List<Range> list = new ArrayList<>(ranges);
    List<Integer> nodes = list.stream().map(Range::node).distinct().sorted().toList();
    for (int node : nodes) {
      if (shrinkOnNode(list, OptionalInt.of(node), target, log)) {
        return list;
      }
    }
    shrinkOnNode(list, OptionalInt.empty(), target, log);
    return list;
  }

  /** Merges pairs of {@code node} (or of any nodes), touching ones first; true once at most {@code target} remain. */
  private static boolean shrinkOnNode(List<Range> list, OptionalInt node, int target, List<String> log) {
    for (boolean acrossGaps : new boolean[] {false, true}) {
      while (list.size() > target && mergeHighestPair(list, node, acrossGaps, log)) {
        // one pair merged per call, as in the original
      }
    }
    return list.size() <= target;
  }

  /** Merges the highest mergeable pair; false when there is none. */
  private static boolean mergeHighestPair(List<Range> list, OptionalInt node, boolean acrossGaps, List<String> log) {
    for (int i = list.size() - 1; i >= 1; i--) {
      Range tr = list.get(i);
      Range prev = list.get(i - 1);
      if (node.isPresent() && tr.node() != node.getAsInt()) {
        continue;
      }
      if (node.isPresent() && prev.node() != tr.node()) {
        return false;
      }
      if (!acrossGaps && prev.end() < tr.start()) {
        continue;
      }
      if (prev.end() < tr.start()) {
        log.add(("Merge TDMR ranges with hole: [0x%x, 0x%x], [0x%x, 0x%x] -> [0x%x, 0x%x].  PAMT may be wasted"
                + " for the hole.").formatted(prev.start(), prev.end(), tr.start(), tr.end(), prev.start(), tr.end()));
      }
      list.set(i - 1, new Range(prev.start(), tr.end(), prev.node()));
      list.remove(i);
      return true;
    }
    return false;
  }

  /** Step 3: {@code maxTdmrs} TDMRs spread over the ranges by their GiB. */
  private static List<AddressRange> distribute(List<Range> ranges, int maxTdmrs) {
    long remainGiB = ranges.stream().mapToLong(Range::gib).sum();
    long remainTdmrs = maxTdmrs;
    List<AddressRange> out = new ArrayList<>();
    for (Range r : ranges) {
      long n = r.gib() * remainTdmrs / remainGiB;
      n = Math.min(Math.max(n, 1), r.gib());
      long each = r.gib() / n;
      long extra = r.gib() % n;
      long at = r.start();
      for (long k = 0; k < n; k++) {
        long gib = each + (k < extra ? 1 : 0);
        out.add(new AddressRange(at, at + gib * G));
        at += gib * G;
      }
      remainGiB -= r.gib();
      remainTdmrs -= n;
    }
    return out;
  }

  /** Steps 4 and 5. */
  private static GreedyResult pamtsAndReservedAreas(
      List<MemoryBlock> memlist, HoleIndex holeIndex, List<AddressRange> tdmrs, TdxLimits limits, List<String> log) {
    int n = tdmrs.size();
    long[] blockEnds = memlist.stream().mapToLong(MemoryBlock::end).toArray();
    Map<Integer, List<Integer>> users = new java.util.TreeMap<>();
    for (int k = 0; k < n; k++) {
      users.computeIfAbsent(largestBlockInside(memlist, blockEnds, tdmrs.get(k)), b -> new ArrayList<>()).add(k);
    }
    long[] bases = new long[n];
    List<ReservedAreaUse> pools = new ArrayList<>();
    PamtArena arena = new PamtArena(memlist);
    PamtPlacement allocator = PamtPlacement.kernel();
    for (var e : users.entrySet()) {
      MemoryBlock block = memlist.get(e.getKey());
      long poolBytes = e.getValue().stream().mapToLong(k -> PamtSizing.chunkBytes(tdmrs.get(k).size(), limits)).sum();
      int first = e.getValue().get(0);
      OptionalLong base = allocator.place(new PamtRequest(first, tdmrs.get(first), block.node(), poolBytes), arena);
      if (base.isEmpty()) {
        List<GreedyTdmr> asFar = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          asFar.add(new GreedyTdmr(k, tdmrs.get(k), LinuxGreedy.tdmrNode(memlist, tdmrs.get(k).start()).orElse(0), false,
              Optional.empty(), List.of()));
        }
        return GreedyFit.failed(Cause.PAMT_ALLOCATION, OptionalInt.of(first), Optional.empty(), asFar, log);
      }
      arena.occupy(base.getAsLong(), poolBytes);
      pools.add(ReservedAreaUse.pamt(AddressRange.ofSize(base.getAsLong(), poolBytes), first));
      long at = base.getAsLong();
      for (int k : e.getValue()) {
        bases[k] = at;
        at += PamtSizing.chunkBytes(tdmrs.get(k).size(), limits);
      }
    }
    pools.sort(Comparator.comparing(ReservedAreaUse::range));
    List<GreedyTdmr> built = new ArrayList<>(n);
    List<Tdmr> layout = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      AddressRange t = tdmrs.get(k);
      List<ReservedAreaUse> uses = new ArrayList<>();
      holeIndex.holes(t.start(), t.end()).forEach(h -> uses.add(ReservedAreaUse.hole(h)));
      for (ReservedAreaUse pool : pools) {
        if (pool.range().overlaps(t)) {
          uses.add(ReservedAreaUse.pamt(pool.range().intersect(t), pool.pamtOwner()));
        }
      }
      Pamt pamt = Pamt.kernelChunk(bases[k], t.size(), limits);
      built.add(new GreedyTdmr(k, t, LinuxGreedy.tdmrNode(memlist, t.start()).orElse(0), false, Optional.of(pamt), uses));
      if (uses.size() > limits.maxReservedPerTdmr()) {
        for (int j = k + 1; j < n; j++) {
          AddressRange later = tdmrs.get(j);
          built.add(new GreedyTdmr(j, later, LinuxGreedy.tdmrNode(memlist, later.start()).orElse(0), false,
              Optional.of(Pamt.kernelChunk(bases[j], later.size(), limits)), List.of()));
        }
        return GreedyFit.failed(Cause.RESERVED_AREAS_EXHAUSTED, OptionalInt.of(k), Optional.empty(), built, log);
      }
      List<ReservedArea> areas = new ArrayList<>();
      for (ReservedAreaUse u : uses) {
        areas.add(new ReservedArea(u.range().start() - t.start(), u.range().size()));
      }
      areas.sort(Comparator.comparingLong(ReservedArea::offset));
      layout.add(new Tdmr(t.start(), t.size(), pamt, areas));
    }
    Layout result = new Layout(layout);
    return new GreedyResult.Built(result, built, Headroom.of(result, limits), log);
  }

  /**
   * Index of the block with the largest part inside {@code t} (the first such); block 0 when none
   * is inside, as the original falls back to the first block (with a WARN).
   */
  private static int largestBlockInside(List<MemoryBlock> memlist, long[] blockEnds, AddressRange t) {
    int best = 0;
    long bestBytes = 0;
    for (int i = SortedEnds.firstEndingAfter(blockEnds, t.start()); i < memlist.size(); i++) {
      MemoryBlock b = memlist.get(i);
      if (b.start() >= t.end()) {
        break;
      }
      long inside = b.range().intersect(t).size();
      if (inside > bestBytes) {
        bestBytes = inside;
        best = i;
      }
    }
    return best;
  }

  @Override
  public List<String> explain(MemoryMap map, TdxLimits limits, GreedyResult result) {
    // The 'Merge TDMR ranges with hole' lines are the 2021 tree's own (printed with the prefix 'tdx: ').
    return FitExplanation.explain(limits, result, NAME, FitExplanation.mainlineTail(result, false));
  }
}
