package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;

/**
 * A lower bound on the PAMT of every layout of the module family ({@link Policy.Family#MODULE})
 * under coverage {@code all} within the reserved-area limit: {@link #raise}. It starts from a lower
 * bound {@code B} (of {@link ModuleFamilyBounds} or the reserved-area price) and rules out, one page
 * at a time, each PAMT {@code P} at which no set of TDMRs a layout can have keeps every TDMR
 * within the limit ({@link TdmrSetsWithoutRoom} where PAMT leaves no room to spare,
 * else {@link TdmrSetsAtPamt}). It matters on maps with one granule holding more holes than a
 * TDMR has areas (a fragmented low gigabyte): at {@code B} the TDMRs are those of the least levels,
 * whose levels must then fill islands between holes exactly, and few islands are a sum of them.
 *
 * <h2>Why a TDMR set is ruled out at {@code P}</h2>
 *
 * Take a layout with exactly {@code P} pages of PAMT, at most {@code T} TDMRs, all coverable memory
 * covered; its TDMRs are one of the sets {@link TdmrSetsAtPamt#of} lists (or a layout with the same
 * PAMT, TDMR count and no more areas has them, the window's argument there). In a TDMR {@code t},
 * take its runs ({@link FixedTdmrsAreaBound}: maximal ranges of non-usable atoms holding one it must
 * reserve) and the islands between consecutive runs. As there, {@code t} has at least {@code r_t -
 * f_t} areas with {@code f_t} its islands all PAMT (filled), so within the limit {@code R} it fills
 * at least {@code r_t - R} of its islands. A filled island of one stretch of memory is covered
 * exactly by the levels inside it (a level is one range of TDX memory inside CMRs, rules D6 and O2,
 * and the island is bounded by gaps or memory outside CMRs); those levels are the set's levels, of at
 * least their least sizes, and all levels exceed their least sizes by at most the set's padding
 * {@code P - sum of least sizes} in all. So the islands filled take disjoint sets of levels whose
 * least sizes sum to at most their capacity and at least their capacity less their padding, with
 * the paddings summing to at most the set's. Under {@code node-local} with no remote PAMT a level
 * lies only on a node every memory granule of its TDMR holds (as in {@link FixedTdmrsAreaBound}), and
 * a set with a TDMR that has no such node has remote PAMT. If no choice of islands and level sets
 * meets every TDMR's quota, no layout has that set at {@code P}.
 * (An island cut by a gap the TDMR may leave unreserved counts as fillable without levels; levels
 * that fill memory left out of every TDMR are not taken from the pool: both only loosen the test.)
 * A search that runs out of its step budget (per set, and for all sets of one {@link #raise}) takes
 * the set as possible.
 *
 * <p>If every set is ruled out at {@code P}, no layout has exactly {@code P} pages; so when all of
 * {@code B, B+1, ..., B+k-1} are ruled out, every layout has at least {@code B+k}. It stops at the
 * first {@code P} with a set it cannot rule out (at once when no TDMR of {@link
 * ModuleFamilyBounds#tdmrs} holds more runs than the limit), when {@link TdmrSetsAtPamt} cannot list the sets
 * (or lists more than {@link #MOST_SETS}), after {@link #MOST_RAISE} pages, or at the deadline.
 *
 * <h2>The TDMR count at a fixed PAMT: {@link #raiseTdmrs}</h2>
 *
 * The same test bounds the TDMRs tier once PAMT is fixed at {@code P}: {@link TdmrSetsAtPamt#of}
 * with at most {@code k} TDMRs lists the sets of every layout with PAMT {@code P} and at most {@code
 * k} TDMRs (up to the window's argument, which keeps the TDMR count), so when each is ruled out as
 * above, every layout with PAMT {@code P} has at least {@code k + 1} TDMRs. Starting from a known
 * lower bound {@code k}, it rises while that holds. On the sweeps' {@code fragmented-16} maps at their
 * least PAMT (one page above the covering bound) the only 3-TDMR set is one per run of granules,
 * whose levels (2048, 4, 1; 63 488, 124, 1 pages on node 0) with one page of padding fill one of the
 * four islands the low TDMR needs (the one of 1 page): at least 4 TDMRs, which a layout has. On
 * node 0 of a host of 192 GiB per node whose granule 1 holds 17 runs of holes (16 areas per TDMR),
 * one page above the covering bound the only set of 2 TDMRs is one per run with 1 page of padding
 * ({@link TdmrSetsWithoutRoom}), and no island between the holes is a sum of its levels (2 048, 4,
 * 1, 194 560, 380 and 1 pages) within that page: at least 3 TDMRs.
 */
public final class FilledIslandsPamtBound {
  /** The most pages the bound is raised by. */
  static final int MOST_RAISE = 8;

  /**
   * The most search steps per TDMR set before it is taken as possible (the seed-7 sweep's {@code
   * fragmented-17}, node 0: some of the 384 sets at one page below its least PAMT take more than 5 000).
   */
  private static final int MOST_STEPS = 50_000;

  /** The most search steps of one {@link #raise} over all sets, after which a set is taken as possible. */
  private static final int MOST_TOTAL_STEPS = 2_000_000;

  /** Steps taken so far by {@link #raise}'s searches. */
  private long totalSteps;

  /**
   * The most steps of one {@link TdmrSetsWithoutRoom} visit (a fraction of its own cap: on hosts of
   * a TiB and more the visit would otherwise spend a second or more before it gives up).
   */
  private static final long MOST_VISIT_STEPS = 100_000;

  /**
   * The most TDMR sets with distinct {@link #signature}s tested at one PAMT before the bound stops
   * rising (384 on the seed-7 sweep's {@code fragmented-17}, node 0, one page below its least PAMT).
   */
  private static final int MOST_SETS = 512;

  private final Instance instance;
  private final boolean noRemotePamt;
  /** The most steps of all {@link #mayMeetLimit} searches together, after which a set is taken as possible. */
  private final long mostTotalSteps;
  /** {@link TdmrInterior#of} per TDMR range, computed once (the sets share most of their TDMRs). */
  private final java.util.Map<AddressRange, TdmrInterior> interiors = new java.util.HashMap<>();
  /** {@link TdmrInterior#localNodes} per TDMR range, computed once. */
  private final java.util.Map<AddressRange, List<Integer>> localNodes = new java.util.HashMap<>();
  /** {@link #mayMeetLimit}'s answer per {@link #signature}: sets of equal signature pose the same test. */
  private final java.util.Map<String, Boolean> answers = new java.util.HashMap<>();

  /**
   * {@code noRemotePamt} when the layouts have no remote PAMT (under {@code node-local}, the remote
   * tier proven 0), so that levels lie on their TDMR's nodes.
   */
  public FilledIslandsPamtBound(Instance instance, boolean noRemotePamt) {
    this(instance, noRemotePamt, MOST_TOTAL_STEPS);
  }

  private FilledIslandsPamtBound(Instance instance, boolean noRemotePamt, long mostTotalSteps) {
    this.instance = instance;
    this.noRemotePamt = noRemotePamt;
    this.mostTotalSteps = mostTotalSteps;
  }

  /**
   * A bound for {@link #mayMeetLimit} alone over many sets (as {@link AreaCountBound} asks it, with
   * levels on any node): no cap on the steps of all searches together (each set keeps its own cap,
   * {@link #MOST_STEPS}), so that no set is taken as possible merely for coming late; the caller
   * watches the deadline.
   */
  static FilledIslandsPamtBound forEachSet(Instance instance) {
    return new FilledIslandsPamtBound(instance, false, Long.MAX_VALUE);
  }

  private TdmrInterior interior(AddressRange range) {
    return interiors.computeIfAbsent(range, r -> TdmrInterior.of(instance, r));
  }

  private List<Integer> nodesOf(AddressRange range) {
    return localNodes.computeIfAbsent(range, r -> TdmrInterior.localNodes(instance, r));
  }

  /**
   * A lower bound at least {@code least} on the PAMT pages of every layout of the module family
   * under coverage {@code all} within the instance's limits, given that {@code least} is one.
   */
  public long raise(long least) {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty()) {
      return least;
    }
    if (!someTdmrOverLimit()) {
      return least;
    }
    long p = least;
    while (p < least + MOST_RAISE && !instance.deadline().expired() && ruledOut(p)) {
      p++;
    }
    return p;
  }

  /**
   * Whether a TDMR of {@link ModuleFamilyBounds#tdmrs} (one per run of memory granules, the TDMRs of
   * the least levels) holds more runs of holes than the area limit: otherwise that set is not ruled
   * out at the covering bound and nothing is raised, so the sets are not listed (which can take
   * seconds on hosts of 128 GiB and more).
   */
  private boolean someTdmrOverLimit() {
    ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance, noRemotePamt);
    for (List<Integer> t : bounds.tdmrs()) {
      AddressRange range = new AddressRange(instance.cells().get(t.get(0)).range().start(),
          instance.cells().get(t.get(t.size() - 1)).range().end());
      if (interior(range).runs() > instance.limits().maxReservedPerTdmr()) {
        return true;
      }
    }
    return false;
  }

  /**
   * A lower bound at least {@code least} on the TDMRs of every layout of the module family under
   * coverage {@code all} within the instance's limits with exactly {@code pamtPages} pages of PAMT,
   * given that {@code least} is one (the class comment's second part).
   */
  public long raiseTdmrs(long pamtPages, long least) {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty() || !someTdmrOverLimit()) {
      return least;
    }
    long k = Math.max(1, least);
    while (k < instance.limits().maxTdmrs() && k < least + MOST_RAISE && !instance.deadline().expired()
        && ruledOut(pamtPages, k)) {
      k++;
    }
    return Math.max(least, k);
  }

  /**
   * The TDMR sets one of which every layout of the module family under coverage {@code all} within
   * the instance's limits with exactly {@code pages} pages of PAMT and exactly {@code tdmrs} TDMRs
   * (and no remote PAMT when this bound was made for that) has, up to the window's argument: the sets
   * of {@link TdmrSetsAtPamt#of} with {@code tdmrs} TDMRs that are not ruled out, each as byte ranges
   * in address order. Empty when it knows nothing: the preconditions of {@link #raise} fail, no TDMR
   * of {@link ModuleFamilyBounds#tdmrs} holds more runs than the limit (the sets are not listed, as
   * for {@link #raise}), {@link TdmrSetsAtPamt} cannot list the sets, the deadline strikes, or more
   * than {@code most} sets are left.
   *
   * <p><b>Proof</b> that an engine minimising the reserved areas over these sets, each with its
   * TDMRs fixed, has the areas tier's optimum at that PAMT and TDMR count. Take any such layout {@code
   * L}. By the window's argument ({@link TdmrSetsAtPamt}) there is a layout {@code L'} with the same
   * PAMT, the same TDMR count and no more reserved areas (so still within the limit) whose TDMRs are
   * one of the sets {@link TdmrSetsAtPamt#of} lists, of exactly {@code tdmrs} TDMRs. Its set is not
   * ruled out: a set ruled out (a TDMR without a node its levels may lie on when there is no remote
   * PAMT, or no choice of islands and levels keeping every TDMR within the area limit, the class
   * comment) has no layout at {@code pages}. So {@code L'} is a layout with one of the listed sets and
   * at most {@code L}'s areas, and the least over the listed sets is at most every layout's areas;
   * as each listed set's layouts are layouts, it is the optimum. A set whose test runs out of its
   * step budget is kept, which only lists more.
   */
  public Optional<List<List<AddressRange>>> setsWith(long pages, long tdmrs, int most) {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty() || !someTdmrOverLimit()) {
      return Optional.empty();
    }
    Optional<List<TdmrSetsAtPamt.TdmrSet>> sets = TdmrSetsAtPamt.of(instance, pages, instance.limits().maxTdmrs());
    if (sets.isEmpty()) {
      return Optional.empty();
    }
    List<List<AddressRange>> left = new ArrayList<>();
    for (TdmrSetsAtPamt.TdmrSet set : sets.get()) {
      if (set.tdmrs().size() != tdmrs || noRemotePamt && anyTdmrWithoutLocalNode(set)) {
        continue;
      }
      if (instance.deadline().expired()) {
        return Optional.empty();
      }
      if (mayMeetLimit(set)) {
        if (left.size() == most) {
          return Optional.empty();
        }
        left.add(set.tdmrs().stream().map(t -> new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB)).toList());
      }
    }
    return Optional.of(left);
  }

  /** Whether no layout has exactly {@code pages} pages of PAMT (every TDMR set ruled out). */
  boolean ruledOut(long pages) {
    return ruledOut(pages, instance.limits().maxTdmrs());
  }

  /**
   * Whether no layout has exactly {@code pages} pages of PAMT and at most {@code mostTdmrs} TDMRs
   * (every TDMR set ruled out).
   */
  private boolean ruledOut(long pages, long mostTdmrs) {
    // Where PAMT leaves no room to spare the sets are visited one at a time (TdmrSetsWithoutRoom).
    int[] visited = {0};
    boolean[] possible = {false};
    java.util.Set<String> seen = new java.util.HashSet<>();
    boolean all = TdmrSetsWithoutRoom.visit(instance, pages, mostTdmrs, MOST_VISIT_STEPS, set -> {
      if (noRemotePamt && anyTdmrWithoutLocalNode(set) || !seen.add(signature(set))) {
        // Not a layout here, or the same test as a set already ruled out (else the visit would have ended).
        return true;
      }
      possible[0] = ++visited[0] > MOST_SETS || instance.deadline().expired() || mayMeetLimit(set);
      return !possible[0];
    });
    if (possible[0]) {
      return false;
    }
    if (all) {
      return true;
    }
    Optional<List<TdmrSetsAtPamt.TdmrSet>> sets = TdmrSetsAtPamt.of(instance, pages, mostTdmrs);
    if (sets.isEmpty()) {
      return false;
    }
    int tested = 0;
    seen.clear();
    for (TdmrSetsAtPamt.TdmrSet set : sets.get()) {
      if (noRemotePamt && anyTdmrWithoutLocalNode(set)) {
        // Each level of such a TDMR describes one of its granules remotely: not a layout here.
        continue;
      }
      if (!seen.add(signature(set))) {
        // The same test as a set already ruled out (else the loop would have ended).
        continue;
      }
      if (++tested > MOST_SETS || instance.deadline().expired() || mayMeetLimit(set)) {
        return false;
      }
    }
    return true;
  }

  /**
   * What {@link #mayMeetLimit} reads of {@code set}: its TDMRs over the area limit (each range, with
   * its islands and quota), the least pages of every level with the nodes it may lie on (as a
   * multiset), and the padding. Sets with equal signatures pose the same test, so one ruled out
   * rules out the other: TDMRs cut from a run of granules without holes in any order (the sweeps'
   * {@code fragmented-17} maps at their least PAMT) are tested once per multiset of sizes, not once
   * per order, and fewer sets count towards {@link #MOST_SETS}.
   */
  private String signature(TdmrSetsAtPamt.TdmrSet set) {
    StringBuilder over = new StringBuilder();
    List<String> levels = new ArrayList<>();
    for (int t = 0; t < set.tdmrs().size(); t++) {
      long[] g = set.tdmrs().get(t);
      AddressRange range = new AddressRange(g[0] * ByteSize.GiB, g[1] * ByteSize.GiB);
      int need = interior(range).runs() - instance.limits().maxReservedPerTdmr();
      if (need > 0) {
        over.append(g[0]).append('-').append(g[1]).append(';');
      }
      List<Integer> nodes = noRemotePamt ? nodesOf(range) : null;
      for (int k = 0; k < 3 && 3 * t + k < set.levelPages().size(); k++) {
        levels.add(set.levelPages().get(3 * t + k) + "@" + nodes);
      }
    }
    levels.sort(null);
    return over + "|" + levels + "|" + set.padding();
  }

  /** Whether some TDMR of {@code set} has no node that every memory granule of it holds memory of. */
  private boolean anyTdmrWithoutLocalNode(TdmrSetsAtPamt.TdmrSet set) {
    for (long[] t : set.tdmrs()) {
      if (nodesOf(new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB)).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** An island of a TDMR: its TDMR's index in the set, capacity, one stretch or not, nodes. */
  private record Island(int tdmr, long pages, boolean oneStretch, List<Integer> nodes) {}

  /** A level: its least pages and the nodes it may lie on (null: any). */
  private record Level(long pages, List<Integer> nodes) {}

  /**
   * Whether the set's TDMRs might each fill the islands they need (the class comment's test): false
   * only when no layout with exactly the set's PAMT ({@link TdmrSetsAtPamt.TdmrSet#padding} above its
   * least levels) has these TDMRs within the area limit. Asked once per {@link #signature}: a set of
   * the same signature as one tested before gets its answer.
   */
  boolean mayMeetLimit(TdmrSetsAtPamt.TdmrSet set) {
    String key = signature(set);
    Boolean known = answers.get(key);
    if (known == null) {
      known = test(set);
      answers.put(key, known);
    }
    return known;
  }

  /** {@link #mayMeetLimit}'s search for one set. */
  private boolean test(TdmrSetsAtPamt.TdmrSet set) {
    List<AddressRange> tdmrs = new ArrayList<>();
    for (long[] t : set.tdmrs()) {
      tdmrs.add(new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB));
    }
    int[] need = new int[tdmrs.size()];
    List<Island> islands = new ArrayList<>();
    boolean anyNeed = false;
    for (int t = 0; t < tdmrs.size(); t++) {
      TdmrInterior inside = interior(tdmrs.get(t));
      int runs = inside.runs();
      for (TdmrInterior.Island i : inside.islands()) {
        islands.add(new Island(t, i.pages(), i.oneStretch(), i.nodes()));
      }
      need[t] = Math.max(0, runs - instance.limits().maxReservedPerTdmr());
      anyNeed |= need[t] > 0;
    }
    if (!anyNeed) {
      return true;
    }
    List<Level> levels = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      List<Integer> nodes = noRemotePamt ? nodesOf(tdmrs.get(t)) : null;
      for (int k = 0; k < 3 && 3 * t + k < set.levelPages().size(); k++) {
        levels.add(new Level(set.levelPages().get(3 * t + k), nodes));
      }
    }
    islands.removeIf(i -> need[i.tdmr()] == 0);
    if (totalSteps > mostTotalSteps) {
      return true;
    }
    Quotas quotas = new Quotas(islands, levels, need, set.padding());
    boolean met = quotas.met();
    totalSteps += quotas.steps;
    return met;
  }

  /** The search: islands chosen and filled by disjoint sets of levels until every quota is met. */
  private static final class Quotas {
    private final List<Island> islands;
    private final List<Level> levels;
    private final int[] need;
    private final boolean[] used;
    private int steps;
    private boolean exhausted;

    Quotas(List<Island> islands, List<Level> levels, int[] need, long padding) {
      this.islands = new ArrayList<>(islands);
      this.islands.sort(Comparator.comparingInt(Island::tdmr).thenComparingLong(Island::pages));
      this.levels = new ArrayList<>(levels);
      this.levels.sort(Comparator.comparingLong(Level::pages).reversed());
      this.need = need.clone();
      this.used = new boolean[levels.size()];
      this.padding = padding;
    }

    private final long padding;

    boolean met() {
      return search(0, padding) || exhausted;
    }

    private boolean done() {
      for (int n : need) {
        if (n > 0) {
          return false;
        }
      }
      return true;
    }

    /** Whether islands from {@code i} on can meet the quotas left within {@code room} padding. */
    private boolean search(int i, long room) {
      if (done()) {
        return true;
      }
      if (i == islands.size() || exhausted || ++steps > MOST_STEPS) {
        exhausted |= steps > MOST_STEPS;
        return false;
      }
      // The islands left of each TDMR must still cover its quota.
      int[] left = new int[need.length];
      for (int k = i; k < islands.size(); k++) {
        left[islands.get(k).tdmr()]++;
      }
      for (int t = 0; t < need.length; t++) {
        if (need[t] > left[t]) {
          return false;
        }
      }
      Island island = islands.get(i);
      if (need[island.tdmr()] > 0) {
        need[island.tdmr()]--;
        boolean filled = !island.oneStretch() ? search(i + 1, room) : fill(island, 0, 0, room, i);
        need[island.tdmr()]++;
        if (filled) {
          return true;
        }
      }
      return search(i + 1, room);
    }

    /** Whether some non-empty set of unused levels from {@code k} on fills {@code island}, and then the rest works. */
    private boolean fill(Island island, int k, long sum, long room, int i) {
      if (exhausted || ++steps > MOST_STEPS) {
        exhausted = true;
        return false;
      }
      if (sum > 0 && island.pages() - sum <= room && search(i + 1, room - (island.pages() - sum))) {
        return true;
      }
      if (sum + unusedFrom(k, island) < island.pages() - room) {
        // The levels left that may lie there cannot bring the island within the padding left.
        return false;
      }
      for (int j = k; j < levels.size(); j++) {
        Level l = levels.get(j);
        if (used[j] || sum + l.pages() > island.pages() || !mayLie(l, island) || repeats(j, k)) {
          continue;
        }
        used[j] = true;
        boolean ok = fill(island, j + 1, sum + l.pages(), room, i);
        used[j] = false;
        if (ok) {
          return true;
        }
      }
      return false;
    }

    /** The pages of the unused levels from {@code k} on that may lie in {@code island}. */
    private long unusedFrom(int k, Island island) {
      long pages = 0;
      for (int j = k; j < levels.size(); j++) {
        if (!used[j] && mayLie(levels.get(j), island)) {
          pages += levels.get(j).pages();
        }
      }
      return pages;
    }

    /** Whether an unused level before {@code j} (from {@code k}) is interchangeable with it. */
    private boolean repeats(int j, int k) {
      for (int p = k; p < j; p++) {
        if (!used[p] && levels.get(p).pages() == levels.get(j).pages()
            && java.util.Objects.equals(levels.get(p).nodes(), levels.get(j).nodes())) {
          return true;
        }
      }
      return false;
    }

    private static boolean mayLie(Level l, Island island) {
      return l.nodes() == null || island.nodes().stream().anyMatch(l.nodes()::contains);
    }
  }
}
