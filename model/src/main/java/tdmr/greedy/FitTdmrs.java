package tdmr.greedy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * {@code fill_out_tdmrs} as {@link GreedyFit} does it: TDMRs that cover exactly the 1 GiB granules
 * holding memory, split at a 1 GiB boundary where one would need more reserved areas for its holes
 * than allowed (or a PAMT chunk larger than its node's largest block), and made to span the
 * smallest gaps of empty address space while there are more TDMRs than the module allows.
 *
 * <p><b>Split pass</b> (one pass over the memory list, like the kernel's): consecutive blocks whose
 * 1 GiB-rounded ranges overlap or touch form a <em>run</em>; a run is cut into TDMRs from its start,
 * each as long as possible: it ends before the 1 GiB granule in which its {@code (budget+1)}-th
 * hole starts, and before its PAMT chunk outgrows the largest block of its node. Taking the longest
 * TDMR each time gives the fewest TDMRs for the run, because a TDMR that meets its limits still
 * meets them when shortened (a sub-range has no more holes and a smaller chunk).
 *
 * <p><b>Merge pass</b> (only when there are more TDMRs than {@code max_tdmrs}): neighbouring runs
 * are joined across the empty GiB between them, cheapest gap first (each empty GiB a TDMR covers
 * costs 4 MiB of PAMT), and the joined range is cut again the same way; a join is kept when it
 * needs fewer TDMRs than the two runs did. Without the reserved-area limit, joining across the k
 * smallest gaps is the least PAMT any k joins can cost.
 *
 * <p>Cost: the split pass is linear in blocks plus two binary searches per TDMR; each join cuts
 * the joined range again, from the last TDMR of the left run on.
 */
final class FitTdmrs {
  private static final long G = Tdmr.ALIGNMENT;
  /** TDMRs never reach this many GiB: addresses stay below 2^52. */
  private static final long MAX_GIB = 1L << 22;

  /** Why a TDMR ends where it does rather than at the end of its run. */
  enum SplitReason {
    /** The next granule would bring more holes than the budget of reserved areas. */
    HOLES,
    /** The TDMR's PAMT chunk would outgrow its node's largest memory block. */
    PAMT_SIZE
  }

  /** A TDMR starting at {@code wanted.start()} could not reach {@code wanted.end()}: it ends at {@code at}. */
  record Split(AddressRange wanted, long at, SplitReason reason, int holes) {}

  /** One TDMR spans {@code gap}, address space without memory between two runs. */
  record Join(AddressRange gap) {}

  /**
   * The outcome: the TDMRs in address order, how they came about, and when it failed, why.
   *
   * @param overloadedGranule a 1 GiB granule with more holes than the budget (no split helps), or null
   * @param pamtTooLarge a TDMR start whose node cannot hold even a 1 GiB TDMR's chunk, or -1
   */
  record Outcome(
      List<AddressRange> tdmrs, List<Split> splits, List<Join> joins, AddressRange overloadedGranule,
      long pamtTooLarge) {}

  private final List<MemoryBlock> memlist;
  private final long[] blockEnds;
  private final HoleIndex holes;
  private final int budget;
  private final int targetTdmrs;
  private final TdxLimits limits;
  private final Map<Integer, Long> largestBlock = new HashMap<>();
  private final Map<Integer, Long> maxGiBOfNode = new HashMap<>();
  private final Policy.PamtPlacementPolicy pamt;
  /** The key of {@link #largestBlock} under PAMT placement any. */
  private static final int ANY_NODE = -1;

  /**
   * @param budget reserved areas a TDMR may spend on holes
   * @param targetTdmrs the merge pass joins runs until at most this many TDMRs remain
   */
  FitTdmrs(
      List<MemoryBlock> memlist, HoleIndex holes, int budget, int targetTdmrs, Policy.PamtPlacementPolicy pamt,
      TdxLimits limits) {
    this.memlist = memlist;
    this.holes = holes;
    this.budget = budget;
    this.targetTdmrs = targetTdmrs;
    this.pamt = pamt;
    this.limits = limits;
    this.blockEnds = new long[memlist.size()];
    for (int i = 0; i < memlist.size(); i++) {
      MemoryBlock b = memlist.get(i);
      blockEnds[i] = b.end();
      // With PAMT placement any, a chunk may go to the largest block of any node.
      largestBlock.merge(pamt == Policy.PamtPlacementPolicy.ANY ? ANY_NODE : b.node(), b.size(), Math::max);
    }
  }

  /** Both passes. */
  Outcome fillOut() {
    List<Run> runs = new ArrayList<>();
    List<Join> joins = new ArrayList<>();
    int i = 0;
    while (i < memlist.size()) {
      long runStart = ByteSize.alignDown(memlist.get(i).start(), G);
      long runEnd = ByteSize.alignUp(memlist.get(i).end(), G);
      int j = i + 1;
      while (j < memlist.size() && (ByteSize.alignDown(memlist.get(j).start(), G) <= runEnd
          || !goodStart(ByteSize.alignDown(memlist.get(j).start(), G)))) {
        // A block whose granule no TDMR can start at (its node cannot hold a chunk) joins the run
        // before it, across the empty space between them.
        runEnd = Math.max(runEnd, ByteSize.alignUp(memlist.get(j).end(), G));
        j++;
      }
      Run run = cut(runStart, runEnd);
      if (run.failure != null) {
        // Some granule of this run cannot start a TDMR: a TDMR of a run before may still reach
        // over the empty space and cover it (looking back at most JOIN_WINDOW - 1 runs).
        for (int back = 1; back < JOIN_WINDOW && back <= runs.size(); back++) {
          Run from = runs.get(runs.size() - back);
          Run joined = cut(from.start, runEnd);
          if (joined.failure == null) {
            for (int k = runs.size() - back; k < runs.size(); k++) {
              long gapEnd = k + 1 < runs.size() ? runs.get(k + 1).start : runStart;
              joins.add(new Join(new AddressRange(runs.get(k).end, gapEnd)));
            }
            runs.subList(runs.size() - back, runs.size()).clear();
            run = joined;
            break;
          }
        }
      }
      if (run.failure != null) {
        return failure(runs, run.failure);
      }
      runs.add(run);
      i = j;
    }
    if (runs.stream().mapToInt(r -> r.tdmrs.size()).sum() > targetTdmrs) {
      runs = join(runs, joins);
    }
    List<AddressRange> tdmrs = new ArrayList<>();
    List<Split> splits = new ArrayList<>();
    for (Run r : runs) {
      tdmrs.addAll(r.tdmrs);
      splits.addAll(r.splits);
    }
    return new Outcome(tdmrs, splits, joins, null, -1);
  }

  private static Outcome failure(List<Run> done, Outcome partial) {
    List<AddressRange> tdmrs = new ArrayList<>();
    done.forEach(r -> tdmrs.addAll(r.tdmrs));
    tdmrs.addAll(partial.tdmrs());
    return new Outcome(tdmrs, partial.splits(), List.of(), partial.overloadedGranule(), partial.pamtTooLarge());
  }

  /** A range of granules cut into TDMRs (or the reason it cannot be). */
  private static final class Run {
    final long start;
    final long end;
    final List<AddressRange> tdmrs;
    final List<Split> splits;
    final Outcome failure;

    Run(long start, long end, List<AddressRange> tdmrs, List<Split> splits, Outcome failure) {
      this.start = start;
      this.end = end;
      this.tdmrs = tdmrs;
      this.splits = splits;
      this.failure = failure;
    }
  }

  /**
   * Cuts {@code [start, end)} (1 GiB aligned, starting in a granule with memory) into the fewest
   * TDMRs that meet the limits; a TDMR never starts or ends in granules without memory.
   *
   * <p>The cut is the jump-game greedy: the {@linkplain #reach reach} of a start is how far a TDMR
   * starting there may go; while the current TDMR cannot reach {@code end}, the next one starts at
   * the first granule within the current reach whose own reach is furthest, and the current one
   * ends there (the current TDMR, whose reach fell short, stays small, which leaves room on its
   * node). Every start is looked at once, and only where the reach can grow: the last granule
   * before a block or a hole ends (below it the reach's node and holes are the same, and a later
   * start reaches further); the first granule of that stretch reaching as far is then found by
   * binary search.
   */
  private Run cut(long start, long end) {
    List<AddressRange> tdmrs = new ArrayList<>();
    List<Split> splits = new ArrayList<>();
    long a = start;
    long r = reach(a, end);
    if (r <= a) {
      return new Run(start, end, tdmrs, splits, cannotStart(a, tdmrs, splits));
    }
    long scanned = a;
    while (r < end) {
      long q = memoryGranuleAtOrAbove(r);
      long best = -1;
      long bestReach = r;
      long stretchStart = scanned + G;
      long bestStretchStart = -1;
      for (long p : starts(scanned, q)) {
        long rp = reach(p, end);
        if (rp > bestReach) {
          best = p;
          bestReach = rp;
          bestStretchStart = stretchStart;
        }
        stretchStart = p + G;
      }
      if (best < 0) {
        return new Run(start, end, tdmrs, splits, cannotStart(q, tdmrs, splits));
      }
      best = earliestReaching(bestStretchStart, best, bestReach, end);
      splits.add(new Split(new AddressRange(a, end), best, holeCut(a, end) == r ? SplitReason.HOLES : SplitReason.PAMT_SIZE,
          holes.count(a, end)));
      tdmrs.add(new AddressRange(a, memoryEndAtOrBelow(best)));
      scanned = q;
      a = best;
      r = bestReach;
    }
    tdmrs.add(new AddressRange(a, memoryEndAtOrBelow(end)));
    return new Run(start, end, tdmrs, splits, null);
  }

  /**
   * The first memory granule in {@code [lo, hi]} from which a TDMR reaches {@code target} ({@code
   * hi} does). Within one stretch between two looked-at starts the reach only grows with the start,
   * so a binary search finds it; starting there keeps the TDMR before it, whose reach fell short,
   * as small as possible, which leaves room on its node.
   */
  private long earliestReaching(long lo, long hi, long target, long end) {
    long low = lo / G;
    long high = hi / G;
    while (low < high) {
      long mid = (low + high) >>> 1;
      long g = memoryGranuleAtOrAbove(mid * G);
      if (g <= hi && reach(g, end) >= target) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return memoryGranuleAtOrAbove(low * G);
  }

  /** Why no TDMR can start at granule {@code g}: too many holes in it, or no block of its node holds a chunk. */
  private Outcome cannotStart(long g, List<AddressRange> tdmrs, List<Split> splits) {
    if (holeCut(g, g + G) <= g) {
      return new Outcome(tdmrs, splits, List.of(), new AddressRange(g, g + G), -1);
    }
    return new Outcome(tdmrs, splits, List.of(), null, g);
  }

  /**
   * How far a TDMR starting at granule {@code a} may reach, at most {@code end}: before its
   * {@code (budget+1)}-th hole, and no further than its node's largest block can hold its chunk;
   * {@code a} itself when no TDMR can start there.
   */
  private long reach(long a, long end) {
    long byHoles = holeCut(a, end);
    long maxGiB = maxGiB(LinuxGreedy.tdmrNode(memlist, a).orElseThrow());
    long byPamt = maxGiB >= (end - a) / G ? end : a + maxGiB * G;
    return Math.max(a, Math.min(byHoles, byPamt));
  }

  /**
   * The granules in {@code (lo, hi]} holding memory where a TDMR's reach may be larger than at any
   * granule below it: the last granule of each block and of each hole, and {@code hi}; ascending.
   */
  private List<Long> starts(long lo, long hi) {
    int firstBlock = SortedEnds.firstEndingAfter(blockEnds, lo);
    int endBlock = firstBlock;
    while (endBlock < memlist.size() && memlist.get(endBlock).start() <= hi) {
      endBlock++;
    }
    int firstHole = holes.firstEndingAfter(lo);
    int endHole = firstHole;
    while (endHole < holes.size() && holes.start(endHole) <= hi) {
      endHole++;
    }
    long[] candidates = new long[2 * (endBlock - firstBlock) + (endHole - firstHole) + 1];
    int n = 0;
    for (int i = firstBlock; i < endBlock; i++) {
      candidates[n++] = ByteSize.alignDown(memlist.get(i).end() - 1, G);
      candidates[n++] = ByteSize.alignDown(memlist.get(i).start(), G);
    }
    for (int i = firstHole; i < endHole; i++) {
      if (holes.end(i) != HoleIndex.ABOVE_ALL) {
        candidates[n++] = ByteSize.alignDown(holes.end(i) - 1, G);
      }
    }
    candidates[n++] = hi;
    // Ascending and without repeats, in (lo, hi]: a primitive sort instead of a set of boxed longs.
    Arrays.sort(candidates, 0, n);
    List<Long> starts = new ArrayList<>();
    long previous = lo;
    for (int i = 0; i < n && candidates[i] <= hi; i++) {
      long p = candidates[i];
      if (p > previous) {
        previous = p;
        if (memoryGranuleAtOrAbove(p) == p) {
          starts.add(p);
        }
      }
    }
    return starts;
  }


  /**
   * The furthest 1 GiB boundary {@code b <= end} such that {@code [a, b)} has at most {@code budget}
   * holes: the boundary at or below the start of the {@code (budget+1)}-th hole from {@code a}. At
   * most {@code a} when the granule at {@code a} alone has too many.
   */
  private long holeCut(long a, long end) {
    long k = (long) holes.firstEndingAfter(a) + budget;
    if (k >= holes.size() || holes.start((int) k) >= end) {
      return end;
    }
    return ByteSize.alignDown(holes.start((int) k), G);
  }

  /** The end of the last granule with memory below {@code b}, at most {@code b}. */
  private long memoryEndAtOrBelow(long b) {
    int i = SortedEnds.firstEndingAfter(blockEnds, b);
    // Block i ends after b; when it starts below b, b is inside memory.
    if (i < memlist.size() && memlist.get(i).start() < b) {
      return b;
    }
    return Math.min(b, ByteSize.alignUp(blockEnds[i - 1], G));
  }

  /** The start of the first granule at or above {@code b} that holds memory ({@code MAX_VALUE} if none). */
  private long memoryGranuleAtOrAbove(long b) {
    int i = SortedEnds.firstEndingAfter(blockEnds, b);
    return i < memlist.size() ? Math.max(b, ByteSize.alignDown(memlist.get(i).start(), G)) : Long.MAX_VALUE;
  }

  /** True when a TDMR may start at granule {@code g}: its node ({@code tdmr_get_nid}) can hold a chunk. */
  private boolean goodStart(long g) {
    return maxGiB(LinuxGreedy.tdmrNode(memlist, g).orElseThrow()) > 0;
  }

  /** The most GiB a TDMR may have for its kernel-sized chunk to fit the node's largest block. */
  long maxGiB(int node) {
    int key = pamt == Policy.PamtPlacementPolicy.ANY ? ANY_NODE : node;
    return maxGiBOfNode.computeIfAbsent(key, n -> {
      long room = largestBlock.getOrDefault(n, 0L);
      long lo = 0;
      long hi = MAX_GIB;
      while (lo < hi) {
        long mid = (lo + hi + 1) >>> 1;
        if (PamtSizing.chunkBytes(mid * G, limits) <= room) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    });
  }

  /**
   * The repair when a TDMR's chunk finds no room: {@code t} cut in two at a 1 GiB boundary next to
   * its first hole after its first granule (below the hole, or above it when the hole starts in the
   * first granule), or after its first granule when no hole follows, so that one part has fewer
   * holes and a reserved area to spare; empty for a TDMR of one granule.
   */
  List<AddressRange> splitForRoom(AddressRange t) {
    int i = holes.firstEndingAfter(t.start());
    if (i < holes.size() && holes.start(i) <= t.start()) {
      i++;
    }
    long s = t.start() + G;
    if (i < holes.size() && holes.start(i) < t.end()) {
      s = ByteSize.alignDown(holes.start(i), G);
      if (s <= t.start()) {
        s = holes.end(i) >= t.end() ? t.end() : ByteSize.alignUp(holes.end(i), G);
      }
    }
    if (s >= t.end()) {
      return List.of();
    }
    return List.of(new AddressRange(t.start(), memoryEndAtOrBelow(s)),
        new AddressRange(memoryGranuleAtOrAbove(s), t.end()));
  }

  /**
   * A candidate join of the runs {@code first} to {@code last} (live, consecutive) into one range,
   * costing the empty GiB between them; stale when any of them changed since.
   */
  private record Candidate(long gapGiB, int first, int last, int runs, long stamp) {}

  /**
   * Joins neighbouring runs while the TDMRs are too many: cheapest candidate first, a candidate
   * being up to {@link #JOIN_WINDOW} consecutive runs cut again as one range; it is kept when that
   * needs fewer TDMRs than the runs apart. A window that saves nothing is offered again one run
   * wider on each side (the bounded part of the search: a join can pay off only together with a
   * neighbouring one).
   */
  private List<Run> join(List<Run> runs, List<Join> joins) {
    int n = runs.size();
    Run[] run = runs.toArray(new Run[0]);
    int[] next = new int[n];
    int[] prev = new int[n];
    long[] stamp = new long[n];
    for (int k = 0; k < n; k++) {
      next[k] = k + 1 < n ? k + 1 : -1;
      prev[k] = k - 1;
    }
    PriorityQueue<Candidate> heap = new PriorityQueue<>((x, y) -> x.gapGiB != y.gapGiB
        ? Long.compare(x.gapGiB, y.gapGiB) : x.runs != y.runs ? Integer.compare(x.runs, y.runs) : Integer.compare(x.first, y.first));
    for (int k = 0; k + 1 < n; k++) {
      heap.add(new Candidate(gapGiB(run[k], run[k + 1]), k, k + 1, 2, stamp[k] + stamp[k + 1]));
    }
    long clock = 0;
    int total = runs.stream().mapToInt(r -> r.tdmrs.size()).sum();
    while (total > targetTdmrs && !heap.isEmpty()) {
      Candidate c = heap.poll();
      if (!live(c, run, next, stamp)) {
        continue;
      }
      List<Run> window = new ArrayList<>();
      for (int k = c.first; ; k = next[k]) {
        window.add(run[k]);
        if (k == c.last) {
          break;
        }
      }
      Run joined = cutJoined(window);
      if (joined == null) {
        // Offered again one run wider on either side, as long as the window stays small.
        if (c.runs < JOIN_WINDOW && next[c.last] >= 0) {
          int wider = next[c.last];
          heap.add(new Candidate(c.gapGiB + gapGiB(run[c.last], run[wider]), c.first, wider, c.runs + 1,
              c.stamp + stamp[wider]));
        }
        if (c.runs < JOIN_WINDOW && prev[c.first] >= 0) {
          int wider = prev[c.first];
          heap.add(new Candidate(c.gapGiB + gapGiB(run[wider], run[c.first]), wider, c.last, c.runs + 1,
              c.stamp + stamp[wider]));
        }
        continue;
      }
      for (int k = c.first; k != c.last; k = next[k]) {
        joins.add(new Join(new AddressRange(run[k].end, run[next[k]].start)));
      }
      total -= window.stream().mapToInt(r -> r.tdmrs.size()).sum() - joined.tdmrs.size();
      for (int k = next[c.first]; ; k = next[k]) {
        run[k] = null;
        if (k == c.last) {
          break;
        }
      }
      run[c.first] = joined;
      stamp[c.first] = ++clock * (n + 1);
      next[c.first] = next[c.last];
      if (next[c.last] >= 0) {
        prev[next[c.last]] = c.first;
      }
      if (prev[c.first] >= 0) {
        int p = prev[c.first];
        heap.add(new Candidate(gapGiB(run[p], joined), p, c.first, 2, stamp[p] + stamp[c.first]));
      }
      if (next[c.first] >= 0) {
        int q = next[c.first];
        heap.add(new Candidate(gapGiB(joined, run[q]), c.first, q, 2, stamp[c.first] + stamp[q]));
      }
    }
    List<Run> out = new ArrayList<>();
    for (Run r : run) {
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  /** Runs joined at most this many at a time. */
  static final int JOIN_WINDOW = 4;

  private static long gapGiB(Run left, Run right) {
    return (right.start - left.end) / G;
  }

  /** True when every run of the candidate is still there, consecutive and unchanged. */
  private static boolean live(Candidate c, Run[] run, int[] next, long[] stamp) {
    long sum = 0;
    int count = 0;
    for (int k = c.first; k >= 0 && run[k] != null; k = next[k]) {
      sum += stamp[k];
      count++;
      if (k == c.last) {
        return count == c.runs && sum == c.stamp;
      }
      if (count >= c.runs) {
        return false;
      }
    }
    return false;
  }

  /**
   * The runs of {@code window} as one range cut again, or null when that needs as many TDMRs as
   * they do apart. The TDMRs of the first run before its last one are cut the same either way.
   */
  private Run cutJoined(List<Run> window) {
    Run left = window.get(0);
    Run right = window.get(window.size() - 1);
    int apart = window.stream().mapToInt(r -> r.tdmrs.size()).sum();
    // The jump-game cut of the left run chose its last start for the reach it had up to the run's
    // end; starts before that saw no reach capped by the end, so they stay.
    AddressRange last = left.tdmrs.get(Math.max(0, left.tdmrs.size() - 2));
    Run tail = cut(last.start(), right.end);
    if (tail.failure != null || Math.max(0, left.tdmrs.size() - 2) + tail.tdmrs.size() >= apart) {
      return null;
    }
    List<AddressRange> tdmrs = new ArrayList<>(left.tdmrs.subList(0, Math.max(0, left.tdmrs.size() - 2)));
    tdmrs.addAll(tail.tdmrs);
    List<Split> splits = new ArrayList<>();
    for (Split s : left.splits) {
      if (s.wanted().start() < last.start()) {
        splits.add(s);
      }
    }
    splits.addAll(tail.splits);
    return new Run(left.start, right.end, tdmrs, splits, null);
  }
}
