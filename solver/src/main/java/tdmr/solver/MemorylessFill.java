package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A construction of layouts with TDMRs without memory, for {@link NodeSplit} where the TDMR limit
 * binds (class comment there, step 3): some groups take fewer TDMRs and leave whole memory granules
 * out of every TDMR, and TDMRs without memory lend their three PAMT levels, padded (rule D2), to
 * fill exactly the left-out memory. A level of a TDMR without memory describes no memory, so it is
 * remote to no granule wherever it lies; a left-out granule is outside every TDMR, in TDX memory and
 * (checked) inside a CMR, so a level may fill it.
 *
 * <p>The steps: per group shape and per set of the group's whole memory granules left out (few
 * granules only), the engine solves the group's map without that memory at a few TDMR limits around
 * the one the group has in the union ({@link #tasks}), as long as time allows; an allocation picks one option per group
 * with the least score tiers (uncovered, remote PAMT, PAMT) such that the groups' TDMRs and one TDMR
 * without memory per three left-out runs fit the limit ({@link #allocate}); the TDMRs without memory
 * go to 1 GiB granules that hold no TDX memory and no other TDMR, each all one reserved area, with
 * their levels over the left-out runs ({@link #lenders}). It is a heuristic: it proves nothing, and
 * every layout it builds is offered only when {@link LayoutVerifier} accepts it on the whole map.
 */
final class MemorylessFill {
  /** Groups with more whole memory granules than this only leave out sets of at most two. */
  private static final int FEW_GRANULES = 4;

  /** Groups with more whole memory granules than this leave none out (too many solves). */
  private static final int MOST_GRANULES = 12;

  /** The most options of one group the allocation weighs. */
  private static final int MOST_OPTIONS = 256;

  /** One way for a group to be laid out: its TDMRs (with their PAMT) and the memory it leaves out. */
  record Option(Layout layout, List<AddressRange> leftOut, long uncovered, long remote, long pamt) {
    int tdmrs() {
      return layout.size();
    }

    Option shifted(long delta) {
      return new Option(NodeSplit.shift(layout, delta), leftOut.stream()
          .map(r -> new AddressRange(r.start() + delta, r.end() + delta)).toList(), uncovered, remote, pamt);
    }
  }

  private MemorylessFill() {}

  /**
   * A layout of {@code map} with TDMRs without memory that {@link LayoutVerifier} accepts, built from
   * the groups {@code parts} ({@code known}: each group's layout in the union, or empty); empty when
   * none is found before {@code deadline}.
   */
  static Optional<Layout> layout(NodeSplit.Solver whole, MemoryMap map, List<NodeSplit.Part> parts,
      List<Optional<Layout>> known, TdxLimits limits, Policy policy, SolveOptions options, Deadline deadline,
      List<String> details) {
    Map<Object, NodeSplit.Part> reps = new LinkedHashMap<>();
    for (NodeSplit.Part p : parts) {
      reps.putIfAbsent(key(p), p);
    }
    Map<Object, List<Option>> found = new HashMap<>();
    List<Task> tasks = new ArrayList<>();
    for (NodeSplit.Part rep : reps.values()) {
      found.put(key(rep), new ArrayList<>());
      tasks.addAll(tasks(rep, parts, known, found.get(key(rep))));
    }
    tasks.sort(Comparator.comparingInt(Task::priority));
    for (int i = 0; i < tasks.size() && deadline.remainingSeconds() > 0; i++) {
      double left = deadline.remainingSeconds();
      Deadline share = Deadline.in(Math.min(left, Math.max(1.0, left / (tasks.size() - i))));
      Task t = tasks.get(i);
      solve(whole, t, limits, policy, options.withDeadline(share)).ifPresent(found.get(key(t.rep()))::add);
    }
    List<List<Option>> perGroup = new ArrayList<>();
    for (int g = 0; g < parts.size(); g++) {
      NodeSplit.Part p = parts.get(g);
      List<Option> own = new ArrayList<>();
      known.get(g).ifPresent(l -> own.add(option(p.map(), limits, policy, l, List.of())));
      long delta = p.windowStart() - reps.get(key(p)).windowStart();
      found.get(key(p)).forEach(o -> own.add(o.shifted(delta)));
      if (own.isEmpty()) {
        details.add("no layout with TDMRs without memory: %s has no layout in time".formatted(p.name()));
        return Optional.empty();
      }
      perGroup.add(own);
    }
    Optional<List<Option>> chosen = allocate(perGroup, limits.maxTdmrs());
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    List<Tdmr> tdmrs = new ArrayList<>();
    List<AddressRange> leftOut = new ArrayList<>();
    for (Option o : chosen.get()) {
      tdmrs.addAll(o.layout().tdmrs());
      leftOut.addAll(o.leftOut());
    }
    if (leftOut.isEmpty()) {
      return Optional.empty();
    }
    List<AddressRange> leftOutRuns = AddressRange.union(leftOut);
    Optional<List<Tdmr>> lenders = lenders(map, tdmrs, leftOutRuns, limits);
    if (lenders.isEmpty()) {
      return Optional.empty();
    }
    tdmrs.addAll(lenders.get());
    tdmrs.sort(Comparator.comparingLong(Tdmr::base));
    Layout layout = new Layout(tdmrs);
    List<String> failures = LayoutVerifier.failures(map, limits, policy, layout);
    if (!failures.isEmpty()) {
      details.add("a layout with %d TDMRs without memory is no layout of the map (%s)"
          .formatted(lenders.get().size(), String.join("; ", failures)));
      return Optional.empty();
    }
    details.add("a layout with %d TDMRs without memory (their levels fill %d left-out runs of memory, %s)"
        .formatted(lenders.get().size(), leftOutRuns.size(),
            ByteSize.human(leftOutRuns.stream().mapToLong(AddressRange::size).sum())));
    return Optional.of(layout);
  }

  /** Groups alike share their options: a group's shape, or the group itself when it has none. */
  private static Object key(NodeSplit.Part p) {
    return p.shape() == null ? p : p.shape();
  }

  /** One solve of a group's map without the memory of {@code set}, within {@code k} TDMRs. */
  private record Task(NodeSplit.Part rep, List<AddressRange> set, int k, int priority) {}

  /**
   * The solves for group {@code rep}'s options (leaving out all its memory needs none: added to
   * {@code free}). With {@code least} and {@code most} the fewest and most TDMRs a group of its shape
   * has in the union: its whole map within one TDMR fewer and one more (first when the union has no
   * layout for it); without each set of its whole memory granules (every subset
   * when it has at most {@link #FEW_GRANULES}, else sets of at most two; none when it has more than
   * {@link #MOST_GRANULES}) within one TDMR fewer than {@code most}, at least one (smaller sets
   * first). The whole map's validation judges the layouts.
   */
  private static List<Task> tasks(NodeSplit.Part rep, List<NodeSplit.Part> parts, List<Optional<Layout>> known,
      List<Option> free) {
    int least = Integer.MAX_VALUE;
    int most = 0;
    Set<Integer> have = new HashSet<>();
    for (int g = 0; g < parts.size(); g++) {
      NodeSplit.Part q = parts.get(g);
      if (key(q).equals(key(rep)) && known.get(g).isPresent()) {
        Layout l = known.get(g).get();
        least = Math.min(least, l.size());
        most = Math.max(most, l.size());
        have.add(l.size());
      }
    }
    if (most == 0) {
      least = 1;
      most = 1;
    }
    List<Task> out = new ArrayList<>();
    for (int k = Math.max(1, least - 1); k <= most + 1; k++) {
      if (!have.contains(k)) {
        out.add(new Task(rep, List.of(), k, have.isEmpty() ? 0 : 1));
      }
    }
    List<AddressRange> granules = wholeGranules(rep.map());
    if (granules.size() > MOST_GRANULES) {
      return out;
    }
    for (List<AddressRange> set : leftOutSets(granules)) {
      if (without(rep.map().blocks(), set).isEmpty()) {
        free.add(new Option(new Layout(List.of()), runs(set), 0, 0, set.size() * ByteSize.GiB));
        continue;
      }
      for (int k = Math.max(1, least - 1); k <= Math.max(1, most - 1); k++) {
        out.add(new Task(rep, set, k, 1 + set.size()));
      }
    }
    return out;
  }

  /**
   * The engine's layout for {@code t}, when it has one, no TDMR of it holds left-out memory and it
   * has no remote PAMT on the group's map without that memory.
   */
  private static Optional<Option> solve(NodeSplit.Solver whole, Task t, TdxLimits limits, Policy policy,
      SolveOptions options) {
    MemoryMap m = t.set().isEmpty() ? t.rep().map() : new MemoryMap(t.rep().map().source() + " (granules left out)",
        without(t.rep().map().blocks(), t.set()), t.rep().map().cmrs(), t.rep().map().firmwareMap(),
        t.rep().map().facts(), t.rep().map().notes());
    EngineResult r = whole.solve(m, limits.withMaxTdmrs(t.k()), policy, options.withIncumbent(Incumbent.NONE));
    if (r.family() != Policy.Family.MODULE || r.layout().isEmpty() || r.layout().get().tdmrs().stream()
        .anyMatch(tdmr -> t.set().stream().anyMatch(s -> tdmr.range().overlaps(s)))) {
      return Optional.empty();
    }
    Option o = option(m, limits, policy, r.layout().get(), t.set());
    return o.remote() == 0 ? Optional.of(o) : Optional.empty();
  }

  /** {@code layout} of {@code map} leaving {@code set} out: its score there, the left-out memory counted as PAMT. */
  private static Option option(MemoryMap map, TdxLimits limits, Policy policy, Layout layout, List<AddressRange> set) {
    LayoutScore s = LayoutScore.of(map, limits, policy, layout);
    long leftOut = set.stream().mapToLong(AddressRange::size).sum();
    return new Option(layout, runs(set), s.uncoveredBytes(), s.remotePamtBytes(), s.pamtBytes() + leftOut);
  }

  /** The 1 GiB granules all TDX memory of {@code map} and inside its CMRs. */
  static List<AddressRange> wholeGranules(MemoryMap map) {
    List<AddressRange> memory = AddressRange.union(map.blocks().stream().map(MemoryBlock::range).toList());
    Set<Long> seen = new LinkedHashSet<>();
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : memory) {
      for (long g = ByteSize.alignUp(r.start(), ByteSize.GiB); g + ByteSize.GiB <= r.end(); g += ByteSize.GiB) {
        AddressRange granule = AddressRange.ofSize(g, ByteSize.GiB);
        if (map.cmrs().covers(granule) && seen.add(g)) {
          out.add(granule);
        }
      }
    }
    return out;
  }

  /** The non-empty sets of {@code granules} a group may leave out (see {@link #tasks}). */
  private static List<List<AddressRange>> leftOutSets(List<AddressRange> granules) {
    List<List<AddressRange>> out = new ArrayList<>();
    int n = granules.size();
    if (n <= FEW_GRANULES) {
      for (int mask = 1; mask < 1 << n; mask++) {
        List<AddressRange> set = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if ((mask >> i & 1) != 0) {
            set.add(granules.get(i));
          }
        }
        out.add(set);
      }
      return out;
    }
    for (int i = 0; i < n; i++) {
      out.add(List.of(granules.get(i)));
      for (int j = i + 1; j < n; j++) {
        out.add(List.of(granules.get(i), granules.get(j)));
      }
    }
    return out;
  }

  /** {@code blocks} without the memory in {@code cuts}, each piece on its block's node. */
  private static List<MemoryBlock> without(List<MemoryBlock> blocks, List<AddressRange> cuts) {
    List<MemoryBlock> out = new ArrayList<>();
    for (MemoryBlock b : blocks) {
      for (AddressRange r : AddressRange.minus(List.of(b.range()), cuts)) {
        out.add(new MemoryBlock(r, b.node()));
      }
    }
    return out;
  }

  /** Granules joined into runs where they touch (a level may fill a run; touching granules share a CMR). */
  private static List<AddressRange> runs(List<AddressRange> granules) {
    return AddressRange.union(granules);
  }

  /**
   * One option per group with the least tiers (uncovered, remote PAMT, PAMT, then TDMRs) such that
   * the groups' TDMRs and one TDMR without memory per three left-out runs fit within {@code limit};
   * a dynamic programme over (TDMRs used, runs left out). Empty when nothing fits.
   */
  static Optional<List<Option>> allocate(List<List<Option>> perGroup, int limit) {
    int maxRuns = 3 * limit;
    int states = (limit + 1) * (maxRuns + 1);
    long[][] best = new long[states][];
    best[0] = new long[] {0, 0, 0};
    int[][] choice = new int[perGroup.size()][states];
    for (int g = 0; g < perGroup.size(); g++) {
      long[][] next = new long[states][];
      for (int s = 0; s < states; s++) {
        if (best[s] == null) {
          continue;
        }
        int t = s / (maxRuns + 1);
        int f = s % (maxRuns + 1);
        List<Option> opts = perGroup.get(g).subList(0, Math.min(MOST_OPTIONS, perGroup.get(g).size()));
        for (int i = 0; i < opts.size(); i++) {
          Option o = opts.get(i);
          int t2 = t + o.tdmrs();
          int f2 = f + o.leftOut().size();
          if (t2 > limit || f2 > maxRuns || t2 + (f2 + 2) / 3 > limit) {
            continue;
          }
          int s2 = t2 * (maxRuns + 1) + f2;
          long[] v = {best[s][0] + o.uncovered(), best[s][1] + o.remote(), best[s][2] + o.pamt()};
          if (next[s2] == null || Arrays.compare(v, next[s2]) < 0) {
            next[s2] = v;
            choice[g][s2] = s * MOST_OPTIONS + i;
          }
        }
      }
      best = next;
    }
    int end = -1;
    for (int s = 0; s < states; s++) {
      if (best[s] != null && (end < 0 || Arrays.compare(best[s], best[end]) < 0
          || Arrays.equals(best[s], best[end]) && total(s, maxRuns) < total(end, maxRuns))) {
        end = s;
      }
    }
    if (end < 0) {
      return Optional.empty();
    }
    Option[] out = new Option[perGroup.size()];
    for (int g = perGroup.size() - 1; g >= 0; g--) {
      int c = choice[g][end];
      out[g] = perGroup.get(g).get(c % MOST_OPTIONS);
      end = c / MOST_OPTIONS;
    }
    return Optional.of(List.of(out));
  }

  /** TDMRs of a state: the groups' and one without memory per three runs. */
  private static int total(int state, int maxRuns) {
    int f = state % (maxRuns + 1);
    return state / (maxRuns + 1) + (f + 2) / 3;
  }

  /**
   * TDMRs without memory whose levels fill exactly {@code runs} (one per three runs; a TDMR with
   * fewer runs splits its largest run between levels): each 1 GiB, in the lowest granules holding
   * no TDX memory and no TDMR of {@code taken}, all one reserved area when the limits allow one.
   * Empty when a level would be smaller than the module's minimum.
   */
  static Optional<List<Tdmr>> lenders(MemoryMap map, List<Tdmr> taken, List<AddressRange> runs, TdxLimits limits) {
    List<AddressRange> busy = new ArrayList<>();
    taken.forEach(t -> busy.add(t.range()));
    map.blocks().forEach(b -> busy.add(b.range()));
    busy.sort(AddressRange.ORDER);
    List<Tdmr> out = new ArrayList<>();
    long base = 0;
    for (int i = 0; i < runs.size(); i += 3) {
      base = freeGranule(busy, base);
      Optional<Pamt> pamt = levels(runs.subList(i, Math.min(runs.size(), i + 3)), limits);
      if (pamt.isEmpty()) {
        return Optional.empty();
      }
      List<ReservedArea> areas = limits.maxReservedPerTdmr() > 0 ? List.of(new ReservedArea(0, ByteSize.GiB))
          : List.of();
      out.add(new Tdmr(base, ByteSize.GiB, pamt.get(), areas));
      base += ByteSize.GiB;
    }
    return Optional.of(out);
  }

  /** The lowest 1 GiB granule from {@code from} that overlaps no range of {@code busy}. */
  private static long freeGranule(List<AddressRange> busy, long from) {
    long g = from;
    for (AddressRange r : busy) {
      if (r.end() <= g) {
        continue;
      }
      if (r.start() >= g + ByteSize.GiB) {
        break;
      }
      g = ByteSize.alignUp(r.end(), ByteSize.GiB);
    }
    return g;
  }

  /**
   * A 1 GiB TDMR's three levels over one to three runs: with three, the largest run to the 4K level;
   * with fewer, the last run's end split off for the 2M and 1G levels at their least sizes.
   */
  private static Optional<Pamt> levels(List<AddressRange> runs, TdxLimits limits) {
    long r2m = PamtSizing.levelBytes(ByteSize.GiB, PageSize.SIZE_2M, limits);
    long r1g = PamtSizing.levelBytes(ByteSize.GiB, PageSize.SIZE_1G, limits);
    long r4k = PamtSizing.levelBytes(ByteSize.GiB, PageSize.SIZE_4K, limits);
    List<AddressRange> pieces = new ArrayList<>(runs);
    pieces.sort(Comparator.comparingLong(AddressRange::size).reversed());
    if (pieces.size() == 1) {
      AddressRange r = pieces.get(0);
      pieces = List.of(new AddressRange(r.start(), r.end() - r2m - r1g), AddressRange.ofSize(r.end() - r2m - r1g, r2m),
          AddressRange.ofSize(r.end() - r1g, r1g));
    } else if (pieces.size() == 2) {
      AddressRange r = pieces.get(1);
      pieces = List.of(pieces.get(0), new AddressRange(r.start(), r.end() - r1g), AddressRange.ofSize(r.end() - r1g, r1g));
    }
    if (pieces.get(0).size() < r4k || pieces.get(1).size() < r2m || pieces.get(2).size() < r1g) {
      return Optional.empty();
    }
    return Optional.of(new Pamt(range(pieces.get(0)), range(pieces.get(1)), range(pieces.get(2))));
  }

  private static PamtRange range(AddressRange r) {
    return new PamtRange(r.start(), r.size());
  }
}
