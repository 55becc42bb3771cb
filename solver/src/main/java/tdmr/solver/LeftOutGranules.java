package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;

/**
 * TDMR sets that leave one memory granule out of every TDMR, with the chains of PAMT levels that
 * fill its memory, for {@link FilledStart} to finish (the other levels placed, the reserved areas
 * found, the validator run). On hosts of 256 GiB per node a TDMR's 4K level is nearly a granule, so
 * leaving out a granule whose holes leave fewer pages of memory than the node's levels saves its
 * 1026 whole pages: the optimum of such hosts (the sweep's "memmap" maps) often does.
 *
 * <p>It is a construction, not a search, and claims nothing. For each TDMR of {@link
 * ModuleFamilyBounds#tdmrs} (one per run of memory granules sharing a node) and each granule
 * {@code g} in it: the TDMR is cut into the parts below and above {@code g}, one of those parts
 * perhaps cut once more (which makes its 4K level two, of any split, at one page of 1G level), or
 * twice where no single cut keeps each TDMR within the area limit ({@link #cutTwice}). The
 * memory of {@code g} falls into stretches of contiguous memory: one sealed inside {@code g} takes
 * levels that fill it exactly (the last padded when they fall short); one that goes on below {@code
 * g} (above it) takes levels stacked down from its top (up from its bottom), the last reaching past
 * the granule's edge into the memory of the TDMR beside it, where it is reserved at that TDMR's end.
 * The levels of a chain are chosen (each level to one stretch at most, only levels that may lie on
 * {@code g}'s node under PAMT {@code node-local}) so that the padding is least and then the chains
 * reaching into a TDMR are fewest; the candidates are returned cheapest first (PAMT, then TDMRs,
 * then such chains). Granules holding as much memory as one TDMR per run has levels are skipped,
 * and the search gives up after {@link #MOST_WORK} steps in all (big hosts with many cut
 * positions).
 *
 * <h2>Why the chains reaching into a TDMR are counted</h2>
 *
 * The layouts tie in PAMT and TDMRs between many granules and cuts; they differ in reserved areas
 * (the tier after TDMRs). A chain that reaches past {@code g}'s edge lies partly inside the TDMR
 * beside it, where it must be reserved: an area of its own, unless it happens to touch a hole at
 * that TDMR's end. A stretch whose levels fill it exactly or fall short (the last padded up to its
 * end) stays inside {@code g} and needs none. So among the choices and cuts of least PAMT the
 * construction prefers the fewest reaching chains, and keeps looking at further cuts of a granule
 * (and at further granules of the same PAMT) while its best still has one. On node 1 of the seed-7
 * sweep's {@code memmap-14} the first granule of least PAMT (340) needs both its chains to reach
 * out (13 areas), where granule 383 with the TDMRs {@code [258G, 342G)}, {@code [342G, 383G)} and
 * {@code [384G, 514G)} fills its 219 480 pages below the hole exactly (the 4K levels of the first
 * and third TDMR, the 2M levels of the second and third and two 1G levels) and only the chain
 * above reaches out: 12 areas, the bound of {@link AreasWithKnownTdmrs} ({@code
 * LeftOutGranulesTest}).
 */
final class LeftOutGranules {
  /** The most steps one choice of levels for the stretches takes; past them it gives up. */
  private static final int MOST_STEPS = 20_000;
  /** The most steps all choices take together; past them no more candidates are tried. */
  private static final long MOST_WORK = 2_000_000;

  private final Instance instance;
  /** Steps taken by all choices so far. */
  private long work;

  LeftOutGranules(Instance instance) {
    this.instance = instance;
  }

  /** A level placed by a chain: its TDMR's index in {@link Candidate#tdmrs}, its level and range. */
  record Chained(LevelToPlace level, PamtRange range) {}

  /**
   * One candidate: its TDMRs (sorted, disjoint), the levels its chains place, its PAMT pages (every
   * level at its least size, plus the padding), and how many of its chains reach past the granule
   * into a TDMR (each an area there, class comment).
   */
  record Candidate(List<AddressRange> tdmrs, List<Chained> chained, long pamtPages, int reaching, boolean withinLimit) {
    /**
     * Cheapest first: those whose TDMRs each hold at most the area limit's runs of holes (the
     * others need islands filled, which may fail), then PAMT, TDMRs, chains reaching into a TDMR.
     */
    static final Comparator<Candidate> CHEAPEST = Comparator.comparing((Candidate c) -> !c.withinLimit())
        .thenComparingLong(Candidate::pamtPages).thenComparingInt(c -> c.tdmrs().size())
        .thenComparingInt(Candidate::reaching);

    /** Whether nothing is left to gain over it: within the limit, at {@code pages}, no chain reaching out. */
    boolean best(long pages) {
      return withinLimit && pamtPages == pages && reaching == 0;
    }

    /** The memory the chains take. */
    List<AddressRange> taken() {
      return chained.stream().map(c -> c.range().range()).toList();
    }
  }

  /** A stretch of {@code g}'s memory: its range, and whether memory goes on below or above it. */
  private record Stretch(AddressRange range, long reachBelow, long reachAbove) {
    long pages() {
      return range.size() / ByteSize.PAGE;
    }

    boolean sealed() {
      return reachBelow == 0 && reachAbove == 0;
    }
  }

  /** The candidates, cheapest first, at most {@code most}. */
  List<Candidate> candidates(List<AddressRange> perRun, int most) {
    List<Candidate> out = new ArrayList<>();
    List<AddressRange> stretches = stretches();
    // First each granule with its TDMR cut around it only; then, where that pads and a cut more
    // (one page of 1G level) could still be cheaper than the best so far, with a cut more.
    List<Runnable> withCuts = new ArrayList<>();
    // The cheapest candidate so far (CHEAPEST's order).
    Candidate[] cheapest = {null};
    // Leaving out a granule costs at least its memory, as PAMT: those holding as many pages as all
    // the levels of one TDMR per run are not worth it.
    long covering = unpadded(perRun);
    for (int t = 0; t < perRun.size(); t++) {
      AddressRange run = perRun.get(t);
      for (long g = run.start(); g < run.end(); g += ByteSize.GiB) {
        instance.deadline().check();
        AddressRange granule = new AddressRange(g, g + ByteSize.GiB);
        List<Stretch> parts = stretchesIn(granule, stretches, perRun);
        if (parts.isEmpty() || parts.stream().mapToLong(Stretch::pages).sum() >= covering) {
          continue;
        }
        List<List<AddressRange>> sets = cuts(perRun, t, granule);
        java.util.Optional<Candidate> uncut = chains(sets.get(0), parts, granule);
        uncut.ifPresent(c -> {
          out.add(c);
          cheapest[0] = cheaper(cheapest[0], c);
        });
        if (uncut.isPresent() && uncut.get().pamtPages() == unpadded(sets.get(0)) && uncut.get().withinLimit()
            || sets.size() == 1) {
          // A cut costs a page of 1G level more than the unpadded uncut TDMRs.
          continue;
        }
        long cutCost = unpadded(sets.get(1));
        withCuts.add(() -> {
          // A cut set has at least cutCost pages and one TDMR more than the uncut: worth trying while
          // that could beat the cheapest so far, or tie with it and reach out less.
          if (cheapest[0] != null && cheapest[0].withinLimit() && (cutCost > cheapest[0].pamtPages()
              || cutCost == cheapest[0].pamtPages() && cheapest[0].reaching() == 0)) {
            return;
          }
          Candidate best = null;
          for (List<AddressRange> tdmrs : sets.subList(1, sets.size())) {
            instance.deadline().check();
            if (work > MOST_WORK) {
              break;
            }
            if (!withinLimit(tdmrs)) {
              // The uncut TDMRs (added above, within the limit or not) are cheaper than this.
              continue;
            }
            java.util.Optional<Candidate> c = chains(tdmrs, parts, granule);
            if (c.isPresent() && (best == null || Candidate.CHEAPEST.compare(c.get(), best) < 0)) {
              best = c.get();
              if (best.best(cutCost)) {
                break;
              }
            }
          }
          if (best != null) {
            out.add(best);
            cheapest[0] = cheaper(cheapest[0], best);
          }
        });
      }
    }
    withCuts.forEach(Runnable::run);
    out.sort(Candidate.CHEAPEST);
    return out.subList(0, Math.min(most, out.size()));
  }

  private static Candidate cheaper(Candidate a, Candidate b) {
    return a == null || Candidate.CHEAPEST.compare(b, a) < 0 ? b : a;
  }

  /**
   * The must-reserve atoms (holes, memory outside the CMRs, dead memory) in address order, each as
   * {@code start, end, run}: {@code run} numbers the runs of them, a run being those with no usable
   * memory between them. A TDMR's runs ({@link TdmrInterior#runs}) are the runs with such an atom
   * inside it; counted here by a binary search, as the cut search asks it of many TDMRs.
   */
  private long[][] holes;

  /** Whether each TDMR of {@code tdmrs} holds at most the area limit's runs of holes. */
  private boolean withinLimit(List<AddressRange> tdmrs) {
    for (AddressRange t : tdmrs) {
      if (runsIn(t) > instance.limits().maxReservedPerTdmr()) {
        return false;
      }
    }
    return true;
  }

  /** The runs of must-reserve atoms inside {@code t}. */
  private int runsIn(AddressRange t) {
    if (holes == null) {
      List<long[]> out = new ArrayList<>();
      long run = 0;
      boolean memorySince = true;
      for (Atom a : instance.atoms()) {
        if (a.usable()) {
          memorySince = true;
        } else if (instance.needsReservedArea(a)) {
          if (memorySince) {
            run++;
          }
          memorySince = false;
          out.add(new long[] {a.range().start(), a.range().end(), run});
        }
      }
      holes = out.toArray(new long[0][]);
    }
    int lo = 0;
    int hi = holes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (holes[mid][1] <= t.start()) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int count = 0;
    long last = -1;
    for (int i = lo; i < holes.length && holes[i][0] < t.end(); i++) {
      if (holes[i][2] != last) {
        count++;
        last = holes[i][2];
      }
    }
    return count;
  }

  /** Pages of the levels of {@code tdmrs} at their least. */
  private long unpadded(List<AddressRange> tdmrs) {
    return LevelToPlace.largestFirst(instance, tdmrs).stream().mapToLong(LevelToPlace::pages).sum();
  }

  /**
   * The TDMR sets with granule {@code g} of TDMR {@code t} left out: its parts below and above, and
   * each of them cut once more at every GiB.
   */
  private List<List<AddressRange>> cuts(List<AddressRange> perRun, int t, AddressRange g) {
    AddressRange run = perRun.get(t);
    List<AddressRange> parts = new ArrayList<>();
    if (run.start() < g.start()) {
      parts.add(new AddressRange(run.start(), g.start()));
    }
    if (g.end() < run.end()) {
      parts.add(new AddressRange(g.end(), run.end()));
    }
    List<List<AddressRange>> out = new ArrayList<>();
    out.add(with(perRun, t, parts));
    boolean within = withinLimit(out.get(0));
    for (int p = 0; p < parts.size(); p++) {
      AddressRange part = parts.get(p);
      for (long c = part.start() + ByteSize.GiB; c < part.end(); c += ByteSize.GiB) {
        List<AddressRange> cut = new ArrayList<>(parts);
        cut.remove(p);
        cut.add(new AddressRange(part.start(), c));
        cut.add(new AddressRange(c, part.end()));
        out.add(with(perRun, t, cut));
        within |= withinLimit(out.get(out.size() - 1));
      }
    }
    if (!within) {
      out.addAll(cutTwice(perRun, t, parts));
    }
    return out;
  }

  /**
   * The sets with one part of {@code parts} (the TDMR {@code t} of {@code perRun} less the granule
   * left out) cut into three, each within the area limit, and the other part kept, when that is
   * within it too: where the runs of holes below the granule need three TDMRs, one cut is never
   * within the limit. On node 1 of the seed-1 sweep's {@code memmap-64} (33 runs below the top
   * granule, 16 areas per TDMR) {@code [258G, 314G)}, {@code [314G, 400G)} and {@code [400G, 513G)}
   * fill the 57 519 pages between the top granule's hole and the tail above the CMR exactly (the 4K
   * level of the first, the 2M level of the second and the three 1G levels).
   */
  private List<List<AddressRange>> cutTwice(List<AddressRange> perRun, int t, List<AddressRange> parts) {
    List<List<AddressRange>> out = new ArrayList<>();
    int limit = instance.limits().maxReservedPerTdmr();
    for (int p = 0; p < parts.size(); p++) {
      AddressRange part = parts.get(p);
      List<AddressRange> others = new ArrayList<>(parts);
      others.remove(p);
      if (!withinLimit(others)) {
        continue;
      }
      for (long a = part.start() + ByteSize.GiB; a < part.end(); a += ByteSize.GiB) {
        instance.deadline().check();
        if (runsIn(new AddressRange(part.start(), a)) > limit) {
          break;
        }
        for (long b = a + ByteSize.GiB; b < part.end(); b += ByteSize.GiB) {
          if (runsIn(new AddressRange(a, b)) > limit) {
            break;
          }
          if (runsIn(new AddressRange(b, part.end())) > limit) {
            continue;
          }
          List<AddressRange> cut = new ArrayList<>(others);
          cut.add(new AddressRange(part.start(), a));
          cut.add(new AddressRange(a, b));
          cut.add(new AddressRange(b, part.end()));
          out.add(with(perRun, t, cut));
        }
      }
    }
    return out;
  }

  private static List<AddressRange> with(List<AddressRange> perRun, int t, List<AddressRange> parts) {
    List<AddressRange> out = new ArrayList<>(perRun);
    out.remove(t);
    out.addAll(parts);
    out.sort(AddressRange.ORDER);
    return out;
  }

  /**
   * The chains filling {@code parts} with the levels of {@code tdmrs} at the least padding; empty
   * when some stretch gets no level or a chain reaches farther past the granule than memory goes.
   */
  private java.util.Optional<Candidate> chains(List<AddressRange> tdmrs, List<Stretch> parts, AddressRange granule) {
    if (tdmrs.size() > instance.limits().maxTdmrs()) {
      return java.util.Optional.empty();
    }
    List<LevelToPlace> levels = LevelToPlace.largestFirst(instance, tdmrs);
    int node = nodeOf(granule);
    boolean[] mayLie = new boolean[tdmrs.size()];
    for (int t = 0; t < tdmrs.size(); t++) {
      mayLie[t] = mayLieOn(tdmrs.get(t), node);
    }
    List<LevelToPlace> pool = new ArrayList<>(levels.stream().filter(l -> mayLie[l.tdmr()]).toList());
    long all = levels.stream().mapToLong(LevelToPlace::pages).sum();
    if (work > MOST_WORK) {
      return java.util.Optional.empty();
    }
    Choice choice = new Choice(pool, parts);
    choice.search(0);
    work += choice.steps;
    if (choice.best == null) {
      return java.util.Optional.empty();
    }
    List<Chained> chained = new ArrayList<>();
    for (int k = 0; k < parts.size(); k++) {
      List<LevelToPlace> chain = new ArrayList<>();
      for (int i = 0; i < pool.size(); i++) {
        if (choice.best[i] == k) {
          chain.add(pool.get(i));
        }
      }
      if (!place(parts.get(k), chain, chained)) {
        return java.util.Optional.empty();
      }
    }
    return java.util.Optional.of(new Candidate(List.copyOf(tdmrs), chained, all + choice.bestPadding, choice.bestReaching,
        withinLimit(tdmrs)));
  }

  /**
   * Places {@code chain} in stretch {@code s}: sealed, stacked from its bottom, the last level padded
   * to its top; open below, stacked down from its top; open above, stacked up from its bottom. False
   * when the chain reaches past the granule farther than memory goes.
   */
  private static boolean place(Stretch s, List<LevelToPlace> chain, List<Chained> out) {
    long bytes = chain.stream().mapToLong(LevelToPlace::pages).sum() * ByteSize.PAGE;
    long size = s.range().size();
    if (s.sealed() || bytes <= size) {
      long at = s.range().start();
      for (int i = 0; i < chain.size(); i++) {
        long b = i == chain.size() - 1 ? s.range().end() - at : chain.get(i).pages() * ByteSize.PAGE;
        out.add(new Chained(chain.get(i), new PamtRange(at, b)));
        at += b;
      }
      return true;
    }
    long past = bytes - size;
    if (s.reachBelow() >= past) {
      long at = s.range().end();
      for (LevelToPlace l : chain) {
        at -= l.pages() * ByteSize.PAGE;
        out.add(new Chained(l, new PamtRange(at, l.pages() * ByteSize.PAGE)));
      }
      return true;
    }
    if (s.reachAbove() >= past) {
      long at = s.range().start();
      for (LevelToPlace l : chain) {
        out.add(new Chained(l, new PamtRange(at, l.pages() * ByteSize.PAGE)));
        at += l.pages() * ByteSize.PAGE;
      }
      return true;
    }
    return false;
  }

  /**
   * The choice of levels for the stretches with the least padding, and then the fewest open
   * stretches given more pages than they hold (their chain reaches into a TDMR): each level to one
   * stretch or to none; a sealed stretch never gets more than its pages, an open one stops taking
   * levels once it has its pages; every stretch needs a level, the last padded up to its pages.
   */
  private static final class Choice {
    private final List<LevelToPlace> pool;
    private final List<Stretch> parts;
    private final int[] given;
    private final long[] got;
    private final int[] count;
    /** Pages of the levels from each index on. */
    private final long[] suffix;
    private int[] best;
    private long bestPadding = Long.MAX_VALUE;
    private int bestReaching = Integer.MAX_VALUE;
    /** Open stretches given more pages than they hold so far (never fewer as levels are added). */
    private int reaching;
    private int steps;

    Choice(List<LevelToPlace> pool, List<Stretch> parts) {
      this.pool = pool;
      this.parts = parts;
      this.given = new int[pool.size()];
      this.got = new long[parts.size()];
      this.count = new int[parts.size()];
      this.suffix = new long[pool.size() + 1];
      for (int i = pool.size() - 1; i >= 0; i--) {
        suffix[i] = suffix[i + 1] + pool.get(i).pages();
      }
    }

    void search(int i) {
      if (++steps > MOST_STEPS || bestPadding == 0 && bestReaching == 0) {
        return;
      }
      long missing = 0;
      for (int k = 0; k < parts.size(); k++) {
        missing += Math.max(0, parts.get(k).pages() - got[k]);
      }
      // The levels left can lower the padding by at most their pages; reaching never falls.
      long leastPadding = Math.max(0, missing - suffix[i]);
      if (leastPadding > bestPadding || leastPadding == bestPadding && reaching >= bestReaching) {
        return;
      }
      if (i == pool.size()) {
        long padding = 0;
        for (int k = 0; k < parts.size(); k++) {
          if (count[k] == 0) {
            return;
          }
          padding += Math.max(0, parts.get(k).pages() - got[k]);
        }
        if (padding < bestPadding || padding == bestPadding && reaching < bestReaching) {
          bestPadding = padding;
          bestReaching = reaching;
          best = given.clone();
        }
        return;
      }
      long l = pool.get(i).pages();
      // Levels of one size are interchangeable: each goes to a stretch no earlier than the one before.
      int from = i > 0 && pool.get(i - 1).pages() == l ? given[i - 1] : 0;
      if (from < 0) {
        given[i] = -1;
        search(i + 1);
        return;
      }
      for (int k = from; k < parts.size(); k++) {
        Stretch s = parts.get(k);
        if (got[k] >= s.pages() || s.sealed() && got[k] + l > s.pages()) {
          continue;
        }
        given[i] = k;
        boolean reaches = got[k] + l > s.pages();
        got[k] += l;
        count[k]++;
        reaching += reaches ? 1 : 0;
        search(i + 1);
        reaching -= reaches ? 1 : 0;
        got[k] -= l;
        count[k]--;
      }
      given[i] = -1;
      search(i + 1);
    }
  }

  /**
   * The stretches of memory inside {@code granule}, each with how far memory goes on below and above
   * it inside a TDMR of {@code tdmrs}; empty when memory crosses the granule from edge to edge (it
   * is too large to fill) or the granule holds no memory.
   */
  private List<Stretch> stretchesIn(AddressRange granule, List<AddressRange> stretches, List<AddressRange> tdmrs) {
    List<Stretch> out = new ArrayList<>();
    for (AddressRange s : stretches) {
      AddressRange in = s.intersect(granule);
      if (in.isEmpty()) {
        continue;
      }
      if (s.start() < granule.start() && s.end() > granule.end()) {
        return List.of();
      }
      long below = s.start() < granule.start() && inTdmr(tdmrs, granule.start() - 1) ? granule.start() - s.start() : 0;
      long above = s.end() > granule.end() && inTdmr(tdmrs, granule.end()) ? s.end() - granule.end() : 0;
      if (below == 0 && s.start() < granule.start() || above == 0 && s.end() > granule.end()) {
        // Memory goes on into no TDMR: not filled here.
        return List.of();
      }
      out.add(new Stretch(in, below, above));
    }
    return out;
  }

  private static boolean inTdmr(List<AddressRange> tdmrs, long address) {
    return tdmrs.stream().anyMatch(t -> t.contains(address));
  }

  /** Maximal runs of touching usable memory atoms of one block, in address order. */
  private List<AddressRange> stretches() {
    List<AddressRange> out = new ArrayList<>();
    Atom last = null;
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      if (last != null && last.block() == a.block() && out.get(out.size() - 1).end() == a.range().start()) {
        AddressRange prev = out.remove(out.size() - 1);
        out.add(new AddressRange(prev.start(), a.range().end()));
      } else {
        out.add(a.range());
      }
      last = a;
    }
    return out;
  }

  /** The node of the memory in {@code granule} (the first atom's). */
  private int nodeOf(AddressRange granule) {
    for (Atom a : instance.atoms()) {
      if (a.usable() && a.range().overlaps(granule)) {
        return a.node();
      }
    }
    return -1;
  }

  /**
   * Whether a level of TDMR {@code tdmr} may lie on node {@code node}: always under PAMT {@code any};
   * under {@code node-local}, only when every memory granule of the TDMR holds memory of that node.
   */
  private boolean mayLieOn(AddressRange tdmr, int node) {
    if (instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return true;
    }
    for (Cell c : instance.cells()) {
      if (c.range().start() < tdmr.end() && tdmr.start() < c.range().end() && instance.lacksNode(c, node)) {
        return false;
      }
    }
    return true;
  }
}
