package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.check.RemotePamt;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;

/**
 * A quick layout of the module family ({@link Policy.Family#MODULE}) for maps whose granules hold
 * more holes than a TDMR has reserved areas (a fragmented low gigabyte), where neither the Linux
 * greedy nor the kernel family has a layout and an engine's first search must already fill the
 * memory between holes ("islands") with PAMT. It is a construction, not a search, and claims
 * nothing: an engine starts from it (an incumbent to beat), and it is handed out only after it passed
 * the validator.
 *
 * <p>For given TDMRs: every TDMR's three levels at their least size; a TDMR holding {@code r} runs of
 * gaps it must reserve against a limit of {@code R} areas needs {@code r - R} of its islands filled
 * with PAMT, which merges the runs around each. Island by island it takes the one whose best set of
 * levels (of any TDMR whose memory that island's node holds, under PAMT {@code node-local}) leaves
 * the least room: exactly-sized levels cost no PAMT beyond their least; otherwise the last level is
 * padded to the island's end. A second try gives each island one level (the largest that fits),
 * which leaves levels for more islands when they are few. Then every island that levels left fill
 * exactly is filled too (one area less, no PAMT more). The levels left are stacked against a hole inside their TDMR's
 * neighbour (they join that hole's area), else at the start of memory with room (an area of their
 * own). The TDMRs tried are one per run of memory granules sharing a node ({@link
 * ModuleFamilyBounds#tdmrs}), and those with each TDMR over the limit cut around its granules with
 * gaps, and those with 1 GiB cut off an end of the largest TDMR ({@link #oneGibCutOff}); the best
 * valid layout by {@link LayoutScore} is returned.
 */
public final class FilledStart {
  private final Instance instance;

  public FilledStart(Instance instance) {
    this.instance = instance;
  }


  /** A memory atom between two runs of one TDMR. */
  private record Island(int tdmr, Atom atom) {}

  /**
   * The best valid layout of the TDMRs tried, without remote PAMT under {@code node-local}; empty
   * outside the module family, under coverage {@code max}, or when no construction passes the
   * validator.
   */
  public Optional<Layout> find() {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty() || instance.cells().isEmpty()) {
      return Optional.empty();
    }
    boolean nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
    List<List<Integer>> runs = new ModuleFamilyBounds(instance, nodeLocal).tdmrs();
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    List<AddressRange> perRun = ranges(runs);
    List<List<AddressRange>> sets = new ArrayList<>();
    sets.add(perRun);
    List<AddressRange> cut = cutOverLimit(perRun);
    List<List<AddressRange>> cutOff = List.of();
    if (!cut.equals(perRun)) {
      sets.add(cut);
      cutOff = oneGibCutOff(perRun);
      sets.addAll(cutOff);
    }
    Optional<Layout> best = Optional.empty();
    LayoutScore bestScore = null;
    for (List<AddressRange> tdmrs : sets) {
      for (boolean oneLevelEach : new boolean[] {false, true}) {
        if (instance.deadline().expired()) {
          return best;
        }
        if (oneLevelEach && cutOff.contains(tdmrs)) {
          // Those sets are tried for their small levels' exact fills only.
          continue;
        }
        Optional<Layout> l = with(tdmrs, oneLevelEach);
        if (l.isEmpty()) {
          continue;
        }
        LayoutScore s = LayoutScore.of(instance.map(), instance.limits(), instance.policy(), l.get());
        if (bestScore == null || s.betterThan(bestScore, instance.policy())) {
          best = l;
          bestScore = s;
        }
      }
    }
    return best;
  }

  /**
   * {@code tdmrs} with 1 GiB cut off the high end, and then the low end, of the largest TDMR (when it
   * has 2 GiB or more): a TDMR of 1 GiB brings levels of a few pages (2 and 1 with 16-byte entries)
   * that can fill small islands between holes exactly, for one page more of 1G level. On node 0 of
   * a two-socket host of 128 GiB per node whose granule 1 holds islands of 1 and 7 pages, the 2M
   * levels of 4 and 2 pages and a 1G level fill the 7 pages: the least areas at the least PAMT.
   */
  private List<List<AddressRange>> oneGibCutOff(List<AddressRange> tdmrs) {
    int largest = 0;
    for (int t = 1; t < tdmrs.size(); t++) {
      if (tdmrs.get(t).size() > tdmrs.get(largest).size()) {
        largest = t;
      }
    }
    AddressRange r = tdmrs.get(largest);
    if (r.size() < 2 * ByteSize.GiB) {
      return List.of();
    }
    List<List<AddressRange>> out = new ArrayList<>();
    for (long cut : new long[] {r.end() - ByteSize.GiB, r.start() + ByteSize.GiB}) {
      List<AddressRange> set = new ArrayList<>(tdmrs.subList(0, largest));
      set.add(new AddressRange(r.start(), cut));
      set.add(new AddressRange(cut, r.end()));
      set.addAll(tdmrs.subList(largest + 1, tdmrs.size()));
      out.add(set);
    }
    return out;
  }

  /** Whole-cell TDMRs as address ranges. */
  private List<AddressRange> ranges(List<List<Integer>> tdmrs) {
    List<AddressRange> out = new ArrayList<>();
    for (List<Integer> t : tdmrs) {
      out.add(new AddressRange(instance.cells().get(t.get(0)).range().start(),
          instance.cells().get(t.get(t.size() - 1)).range().end()));
    }
    return out;
  }

  /**
   * {@code tdmrs} with each TDMR holding more runs than the area limit cut at the edges of its
   * granules with gaps to reserve (MIXED cells holding such a gap become TDMRs of their own).
   */
  private List<AddressRange> cutOverLimit(List<AddressRange> tdmrs) {
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange t : tdmrs) {
      if (runs(t).size() <= instance.limits().maxReservedPerTdmr()) {
        out.add(t);
        continue;
      }
      long from = t.start();
      for (Cell c : instance.cells()) {
        if (c.range().start() < t.start() || c.range().end() > t.end() || c.kind() != Instance.Kind.MIXED
            || instance.atoms().subList(c.firstAtom(), c.endAtom()).stream().noneMatch(this::mustReserve)) {
          continue;
        }
        if (from < c.range().start()) {
          out.add(new AddressRange(from, c.range().start()));
        }
        out.add(c.range());
        from = c.range().end();
      }
      if (from < t.end()) {
        out.add(new AddressRange(from, t.end()));
      }
    }
    return out;
  }

  /**
   * The layout with exactly {@code tdmrs} (sorted, disjoint, whole GiB), when the construction
   * gives one that passes the validator (and has no remote PAMT under {@code node-local}). With
   * {@code oneLevelEach} every filled island takes one level (padded), which keeps levels for more
   * islands when they are few; otherwise the set of levels that leaves the least room.
   */
  Optional<Layout> with(List<AddressRange> tdmrs, boolean oneLevelEach) {
    List<LevelToPlace> pool = LevelToPlace.largestFirst(instance, tdmrs);
    PamtRange[][] placed = new PamtRange[tdmrs.size()][PageSize.values().length];
    List<Atom> filled = new ArrayList<>();
    List<Island> left = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      List<List<Atom>> runs = runs(tdmrs.get(t));
      int needed = runs.size() - instance.limits().maxReservedPerTdmr();
      List<Island> islands = islands(t, runs);
      for (int k = 0; k < needed; k++) {
        if (!fillOne(islands, pool, tdmrs, placed, filled, oneLevelEach, false)) {
          return Optional.empty();
        }
      }
      left.addAll(islands);
    }
    // Each island the levels left fill exactly saves an area at no PAMT.
    while (fillOne(left, pool, tdmrs, placed, filled, false, true)) {
      // Fills until none is left.
    }
    if (!stack(pool, tdmrs, placed, filled)) {
      return Optional.empty();
    }
    List<ReservedAreas.Placed> withPamt = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      withPamt.add(new ReservedAreas.Placed(tdmrs.get(t), new Pamt(placed[t][PageSize.SIZE_4K.ordinal()],
          placed[t][PageSize.SIZE_2M.ordinal()], placed[t][PageSize.SIZE_1G.ordinal()])));
    }
    Layout layout = new ReservedAreas(instance.map(), instance.policy().holes()).layout(withPamt, List.of());
    if (!LayoutVerifier.failures(instance.map(), instance.limits(), instance.policy(), layout).isEmpty()
        || nodeLocal() && new RemotePamt(instance.map(), instance.limits()).bytes(layout) > 0) {
      return Optional.empty();
    }
    return Optional.of(layout);
  }

  private boolean nodeLocal() {
    return instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
  }

  /**
   * Fills the island of {@code islands} whose best set of levels from {@code pool} (the largest
   * level that fits, with {@code oneLevelEach}) leaves the least room (fewest levels on a tie), the
   * last level padded to the island's end ({@code exactOnly}: only sets that fill it exactly); false
   * when no set fits any island.
   */
  private boolean fillOne(List<Island> islands, List<LevelToPlace> pool, List<AddressRange> tdmrs, PamtRange[][] placed,
      List<Atom> filled, boolean oneLevelEach, boolean exactOnly) {
    Island best = null;
    List<LevelToPlace> bestSet = null;
    long bestRoom = Long.MAX_VALUE;
    for (Island i : islands) {
      List<LevelToPlace> fitting = pool.stream().filter(l -> l.pages() <= i.atom().pages() && mayHold(tdmrs, l, i.atom()))
          .toList();
      List<LevelToPlace> set = oneLevelEach ? fitting.stream().limit(1).toList() : new SubsetSum(fitting, i.atom().pages()).best();
      if (set.isEmpty()) {
        continue;
      }
      long room = i.atom().pages() - set.stream().mapToLong(LevelToPlace::pages).sum();
      if (exactOnly && room > 0) {
        continue;
      }
      if (room < bestRoom || room == bestRoom && set.size() < bestSet.size()) {
        best = i;
        bestSet = set;
        bestRoom = room;
      }
    }
    if (best == null) {
      return false;
    }
    islands.remove(best);
    filled.add(best.atom());
    long at = best.atom().range().start();
    for (int k = 0; k < bestSet.size(); k++) {
      LevelToPlace l = bestSet.get(k);
      pool.remove(l);
      long bytes = k == bestSet.size() - 1 ? best.atom().range().end() - at : l.pages() * ByteSize.PAGE;
      placed[l.tdmr()][l.level().ordinal()] = new PamtRange(at, bytes);
      at += bytes;
    }
    return true;
  }

  /**
   * The subset of levels with the largest sum at most a capacity (ties: fewer levels), by a
   * depth-first search over the levels largest first, cut off after {@link #MOST_STEPS} steps.
   */
  private static final class SubsetSum {
    private static final int MOST_STEPS = 2_000;
    private final List<LevelToPlace> levels;
    private final long capacity;
    private final long[] suffix;
    private List<LevelToPlace> best = List.of();
    private long bestSum;
    private int steps;

    SubsetSum(List<LevelToPlace> levels, long capacity) {
      this.levels = levels;
      this.capacity = capacity;
      this.suffix = new long[levels.size() + 1];
      for (int i = levels.size() - 1; i >= 0; i--) {
        suffix[i] = suffix[i + 1] + levels.get(i).pages();
      }
    }

    List<LevelToPlace> best() {
      search(0, 0, new ArrayList<>());
      return best;
    }

    private void search(int i, long sum, List<LevelToPlace> chosen) {
      if (sum > bestSum || sum == bestSum && !chosen.isEmpty() && chosen.size() < best.size()) {
        best = List.copyOf(chosen);
        bestSum = sum;
      }
      if (i == levels.size() || bestSum == capacity || sum + suffix[i] <= bestSum || ++steps > MOST_STEPS) {
        return;
      }
      LevelToPlace l = levels.get(i);
      if (sum + l.pages() <= capacity) {
        chosen.add(l);
        search(i + 1, sum + l.pages(), chosen);
        chosen.remove(chosen.size() - 1);
      }
      // Levels of the same size are interchangeable: skip to the next size when leaving this one out.
      int j = i + 1;
      while (j < levels.size() && levels.get(j).pages() == l.pages()) {
        j++;
      }
      search(j, sum, chosen);
    }
  }

  /**
   * Places the levels left, largest first, each against a hole inside one TDMR with it (it joins
   * that hole's area) in the roomiest such memory atom, else at the start of the roomiest memory
   * atom (an area of its own); false when one finds no room.
   */
  private boolean stack(List<LevelToPlace> pool, List<AddressRange> tdmrs, PamtRange[][] placed, List<Atom> filled) {
    List<Atom> atoms = instance.atoms();
    // Per atom: the free range [lo, hi) and whether it grows up from a hole below.
    List<long[]> spots = new ArrayList<>();
    List<Atom> spotAtoms = new ArrayList<>();
    for (int i = 0; i < atoms.size(); i++) {
      Atom a = atoms.get(i);
      if (!a.memory() || a.dead() || filled.contains(a)) {
        continue;
      }
      boolean below = i > 0 && holeAt(atoms.get(i - 1)) && sameTdmr(tdmrs, atoms.get(i - 1), a);
      boolean above = i + 1 < atoms.size() && holeAt(atoms.get(i + 1)) && sameTdmr(tdmrs, atoms.get(i + 1), a);
      spots.add(new long[] {a.range().start(), a.range().end(), below ? 1 : above ? -1 : 0});
      spotAtoms.add(a);
    }
    for (LevelToPlace l : pool) {
      long bytes = l.pages() * ByteSize.PAGE;
      int chosen = -1;
      for (int s = 0; s < spots.size(); s++) {
        long[] spot = spots.get(s);
        if (spot[1] - spot[0] < bytes || !mayHold(tdmrs, l, spotAtoms.get(s))) {
          continue;
        }
        if (chosen < 0 || Math.abs(spot[2]) > Math.abs(spots.get(chosen)[2])
            || Math.abs(spot[2]) == Math.abs(spots.get(chosen)[2])
                && spot[1] - spot[0] > spots.get(chosen)[1] - spots.get(chosen)[0]) {
          chosen = s;
        }
      }
      if (chosen < 0) {
        return false;
      }
      long[] spot = spots.get(chosen);
      long base = spot[2] >= 0 ? spot[0] : spot[1] - bytes;
      placed[l.tdmr()][l.level().ordinal()] = new PamtRange(base, bytes);
      if (spot[2] >= 0) {
        spot[0] += bytes;
      } else {
        spot[1] -= bytes;
      }
    }
    return true;
  }

  /** Whether {@code a} and {@code b} lie in one TDMR of {@code tdmrs}. */
  private static boolean sameTdmr(List<AddressRange> tdmrs, Atom a, Atom b) {
    for (AddressRange t : tdmrs) {
      if (t.start() <= a.range().start() && a.range().end() <= t.end() && t.start() <= b.range().start()
          && b.range().end() <= t.end()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether level {@code l} may lie in {@code atom}: under PAMT {@code node-local}, only on a node
   * every memory granule of its TDMR holds memory of (else it would describe memory remotely).
   */
  private boolean mayHold(List<AddressRange> tdmrs, LevelToPlace l, Atom atom) {
    if (!nodeLocal()) {
      return true;
    }
    AddressRange t = tdmrs.get(l.tdmr());
    for (Cell c : instance.cells()) {
      if (c.range().start() < t.end() && t.start() < c.range().end() && instance.lacksNode(c, atom.node())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The runs of {@code tdmr}: maximal sequences of its atoms that are not usable memory and hold a
   * gap or memory it must reserve (two joined when only gaps it may leave unreserved lie between),
   * each as its atoms, in address order.
   */
  private List<List<Atom>> runs(AddressRange tdmr) {
    List<List<Atom>> runs = new ArrayList<>();
    List<Atom> current = null;
    boolean memorySince = true;
    for (Atom a : instance.atoms()) {
      if (a.range().end() <= tdmr.start() || a.range().start() >= tdmr.end()) {
        continue;
      }
      if (a.memory() && !a.dead()) {
        memorySince = true;
      } else if (mustReserve(a)) {
        if (memorySince || current == null) {
          current = new ArrayList<>();
          runs.add(current);
        }
        current.add(a);
        memorySince = false;
      }
    }
    return runs;
  }

  /** The islands of TDMR {@code t} between its consecutive runs that are one memory atom. */
  private List<Island> islands(int t, List<List<Atom>> runs) {
    List<Island> out = new ArrayList<>();
    for (int r = 0; r + 1 < runs.size(); r++) {
      int from = last(runs.get(r)).index() + 1;
      int to = runs.get(r + 1).get(0).index();
      List<Atom> between = instance.atoms().subList(from, to);
      if (between.size() == 1 && between.get(0).memory() && !between.get(0).dead()) {
        out.add(new Island(t, between.get(0)));
      }
    }
    return out;
  }

  private static Atom last(List<Atom> run) {
    return run.get(run.size() - 1);
  }

  private boolean mustReserve(Atom a) {
    return a.memory() ? a.dead() : instance.mustReserve(a);
  }

  private boolean holeAt(Atom a) {
    return mustReserve(a);
  }
}
