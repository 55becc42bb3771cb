package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * What the reserved-area limit costs in the module family ({@link Policy.Family#MODULE}) under
 * coverage {@code all}: a lower bound on the least max-reserved-areas-per-TDMR of any layout with at
 * most {@code n} TDMRs ({@link #leastMaxReserved}), and a lower bound on the PAMT of any layout
 * within {@code n} TDMRs and {@code R} areas per TDMR ({@link #leastPamtPages}), the price of a tight
 * limit. Solver-neutral: the frontier starts each point's search at the first, and an engine may add
 * the second to its PAMT tier, so that a layout meeting it is proven least without a search. Both
 * are 0 (nothing known) in the kernel family, under coverage {@code max} and when no layout covers
 * all memory.
 *
 * <h2>Runs, islands and pieces</h2>
 *
 * Take a granule {@code g} holding TDX memory with a block or CMR edge inside (a MIXED cell of the
 * {@link Instance}). Its atoms are <em>must-reserve</em> (a gap that {@link Instance#mustReserve},
 * or memory outside every CMR), <em>optional</em> (a convertible gap under holes {@code cmr}) or
 * usable memory. Its <em>runs</em> are its maximal sequences of must-reserve atoms, two of them
 * joined when only optional atoms lie between them (reserving those costs nothing); {@code G_g}
 * counts them. An <em>island</em> is what lies between two consecutive runs (it holds memory), and
 * its capacity is its memory's pages.
 *
 * <p>A TDMR covers whole granules, so any TDMR over {@code g} holds all of {@code g}. Its reserved
 * areas are the maximal runs of its reserved space, which must hold every must-reserve atom and
 * every PAMT piece inside it and, under coverage {@code all}, no other memory. So two runs of
 * {@code g} lie in one area only when the island between them is entirely PAMT (<em>filled</em>),
 * and the TDMR has at least {@code G_g - f} areas, {@code f} the islands of {@code g} filled. A PAMT
 * piece is a contiguous range of TDX memory, so it lies in at most one island, and a filled island
 * holds at least one piece, of at least the piece's minimum size: a level of a TDMR of at least 1
 * GiB has at least {@link Instance#levelPages}{@code (1, level)} pages (padding only adds). With at
 * most {@code n} TDMRs there are at most {@code n} pieces of each level, so the filled islands are
 * matched to distinct pieces that fit them. An island of capacity {@code c} fits the levels whose
 * minimum is at most {@code c}, a prefix of the levels sorted by minimum, so by Hall's theorem a set
 * of islands can be matched exactly when, for each {@code j}, at most {@code n·j} of them fit only
 * the {@code j} smallest levels ({@link Matching}). The most islands that can be filled, {@code
 * F_g(n)}, is found greedily (the matchable sets are those of a transversal matroid), and so is the
 * least memory of any {@code k} of them that can be filled together: the {@code k} smallest islands
 * the greedy accepts in ascending order of capacity.
 *
 * <h2>Memory outside every TDMR</h2>
 *
 * The module family may leave {@code g} out of every TDMR when PAMT fills all its memory. Each of
 * the {@code m_g} stretches of its memory between must-reserve atoms then holds a piece, so that
 * needs {@code m_g ≤ 3n}, and costs all of {@code g}'s memory in PAMT.
 *
 * <h2>The bounds</h2>
 *
 * <ul>
 *   <li><b>Areas.</b> With at most {@code n} TDMRs, if {@code g} cannot be left out ({@code m_g >
 *       3n}), some TDMR has at least {@code G_g - F_g(n)} areas. Under holes {@code memlist}, when
 *       every granule of the window holds a must-reserve atom, every TDMR has at least one (a TDMR
 *       beyond the window holds no memory and is all gap), and a layout has a TDMR (memory needs
 *       one, or PAMT, which belongs to one). The bound is the largest of these.
 *   <li><b>Areas, summed over granules.</b> Let {@code G*} be the granules with runs, {@code S} the
 *       sum of {@code G_g - 1} over them, {@code L} the levels per TDMR. A granule of {@code G*} left
 *       out of every TDMR has all {@code G_g - 1} islands filled; a TDMR {@code T} over {@code h_T}
 *       of them has at least {@code Σ (G_g - f_g) - (h_T - 1)} areas (the runs of each granule not
 *       merged by filled islands lie in distinct areas, and an area, being contiguous, joins two
 *       granules of {@code G*} only where it reaches from one into the next of {@code T}, at most
 *       once per consecutive pair). The filled islands hold distinct levels, at most {@code L·n}. So
 *       the {@code t ≤ min(n, |G*|)} TDMRs over granules of {@code G*} have at least {@code S - L·n +
 *       t} areas together, and one has at least {@code 1 + ceil((S - L·n) / t)}, at least {@code 1 +
 *       ceil((S - L·n) / min(n, |G*|))} when {@code S > L·n} (then some granule of {@code G*} is
 *       covered, so {@code t ≥ 1}). It binds where many granules each hold a few runs: on a 32 GiB
 *       host with about 1 000 {@code memmap=} holes, 998 runs in 32 granules need 26 areas at 64
 *       TDMRs, where no single granule needs more than 16 once the 192 levels fill its islands.
 *   <li><b>Areas, summed, with the joins between granules.</b> The term {@code h_T - 1} above
 *       allows every consecutive pair of {@code T}'s granules of {@code G*} to share an area. An
 *       area joining {@code g} and the next {@code g'} holds everything from {@code g}'s last run to
 *       {@code g'}'s first, so every usable page between them is PAMT (under coverage {@code all}
 *       reserved memory inside a TDMR is PAMT): when there is such memory (the pair does not
 *       <em>touch</em>), it holds a level, which lies in no island of a granule (a level lies
 *       between two runs). A granule left out of every TDMR has each of its {@code m_g} memory
 *       stretches filled by a level of its own, and {@code m_g ≥ G_g - 1}: leaving it out spares
 *       its {@code G_g} runs for {@code m_g} levels, one area more than the levels it takes only
 *       when {@code m_g = G_g - 1} (runs at both of its ends; {@code K} such granules can be left
 *       out, {@code m_g ≤ L·n}). With {@code Z} pairs of consecutive granules of {@code G*} that
 *       touch, the TDMRs over the {@code H} granules covered have at least {@code Σ_covered G_g -
 *       (L·n - Σ_left-out m_g) - min(Z, H - t)} areas (the levels filling islands, joins that do
 *       not touch and left-out stretches are distinct, at most {@code L·n}; the joins that touch
 *       are at most {@code Z} and at most {@code H - t}). Taken at the worst set left out, that is at
 *       least {@code S - L·n + max(t, |G*| - K - Z)}, and some TDMR has at least its ceiling over
 *       {@code t}, least at the largest {@code t}, {@code min(n, |G*|)}. It adds to the bound above
 *       only when {@code n < |G*|}: on canonical/tdx#135 at 1 TDMR, whose granule {@code [0, 1G)}
 *       (one run, the first MiB, then memory into the next granule) cannot share an area with the 16
 *       runs of {@code [1G, 2G)} unless a level fills the memory between, 14 areas, not 13.
 *   <li><b>PAMT.</b> Within {@code R} areas, a granule with {@code G_g > R} needs {@code G_g - R}
 *       filled islands if covered (at least the least memory of that many islands that can be filled
 *       together) or, if it can be left out, all its memory: at least the smaller of the two. The
 *       bound is the largest over granules (each is a necessary condition on its own).
 *   <li><b>PAMT at 0 areas.</b> A TDMR without reserved areas holds no atom that must be reserved
 *       (a gap of the holes policy, memory outside every CMR) and no PAMT (rule D5: PAMT inside a
 *       TDMR lies in its reserved areas). The window's cells are contiguous, so such a TDMR's memory
 *       lies in one maximal run of cells without an atom to reserve (a <em>clean run</em>), and
 *       {@code n} TDMRs reach at most {@code n} of them. Under coverage {@code all} every usable
 *       page outside the TDMRs is PAMT: the PAMT is at least the usable memory less that of the
 *       {@code n} clean runs with the most. On the 1 TiB five-CMR host at 2 TDMRs, 513.58 GiB, which
 *       {@link AreaFreeLayout} meets.
 * </ul>
 *
 * On canonical/tdx#135 ({@code [1G, 2G)}: 16 runs, 15 islands of 4 to 172 264 KiB, four of them at
 * least a 1 GiB TDMR's 4K level of 4 MiB) the areas bound is 14, 10, 7, 4, 2 and 1 for 1, 2, 3, 4, 5
 * and 6 or more TDMRs (14 summed with the granule below, the others from {@code [1G, 2G)} alone),
 * and every value has a layout: the frontier then needs no infeasibility proof.
 */
public final class ReservedAreaBounds {
  /** What lies between two runs of a granule: its memory atoms and their pages (its capacity). */
  record Island(long pages, List<Atom> memory) {}

  /**
   * One granule with runs: {@code G_g}, its islands by capacity ascending, {@code m_g}, its memory
   * pages, and whether usable memory lies before its first run and after its last run.
   */
  record Granule(Cell cell, int runs, List<Island> islands, int memoryStretches, long memoryPages,
      boolean memoryBeforeRuns, boolean memoryAfterRuns) {
    long[] capacities() {
      return islands.stream().mapToLong(Island::pages).toArray();
    }
  }

  private final boolean applies;
  private final boolean everyTdmrReserves;
  private final List<Granule> granules = new ArrayList<>();
  /** {@code Z}: pairs of consecutive granules with runs that touch (no usable memory between their runs). */
  private final int touchingPairs;
  /** The usable memory of the window, in pages. */
  private final long usablePages;
  /** The usable pages of each clean run (class comment, "PAMT at 0 areas"), most first. */
  private final long[] cleanRunPages;
  /** The levels' least pages (a 1 GiB TDMR's), ascending. */
  private final long[] leastLevelPages;

  public ReservedAreaBounds(Instance instance) {
    Policy policy = instance.policy();
    this.applies = instance.moduleFamily() && policy.coverage() == Policy.Coverage.ALL
        && instance.impossibilities().isEmpty();
    this.leastLevelPages = instance.pieceLevels().stream()
        .mapToLong(level -> instance.piecePages(1, level)).sorted().toArray();
    boolean reserves = policy.holes() == Policy.Holes.MEMLIST && !instance.cells().isEmpty();
    int touching = 0;
    // Since the last granule with runs: whether usable memory lay after its last run or in a cell since.
    Boolean memorySince = null;
    for (Cell c : instance.cells()) {
      List<Atom> atoms = instance.atoms().subList(c.firstAtom(), c.endAtom());
      reserves &= atoms.stream().anyMatch(a -> instance.needsReservedArea(a));
      if (c.kind() == Instance.Kind.MIXED && c.holdsMemory()) {
        Granule g = granule(instance, c, atoms);
        granules.add(g);
        if (g.runs() > 0) {
          if (memorySince != null && !memorySince && !g.memoryBeforeRuns()) {
            touching++;
          }
          memorySince = g.memoryAfterRuns();
          continue;
        }
      }
      if (memorySince != null && atoms.stream().anyMatch(Atom::usable)) {
        memorySince = true;
      }
    }
    this.everyTdmrReserves = reserves;
    this.touchingPairs = touching;
    long usable = 0;
    List<Long> clean = new ArrayList<>();
    long run = 0;
    boolean open = false;
    for (Cell c : instance.cells()) {
      List<Atom> atoms = instance.atoms().subList(c.firstAtom(), c.endAtom());
      long memory = atoms.stream().filter(Atom::usable).mapToLong(Atom::pages).sum();
      usable += memory;
      if (atoms.stream().anyMatch(a -> instance.needsReservedArea(a))) {
        if (open) {
          clean.add(run);
        }
        open = false;
        run = 0;
      } else {
        open = true;
        run += memory;
      }
    }
    if (open) {
      clean.add(run);
    }
    this.usablePages = usable;
    this.cleanRunPages = clean.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** Runs, islands and memory stretches of one granule's atoms, in address order. */
  private static Granule granule(Instance instance, Cell cell, List<Atom> atoms) {
    int runs = 0;
    int stretches = 0;
    long memory = 0;
    List<Island> islands = new ArrayList<>();
    boolean inRun = false;
    boolean afterRun = false;
    // The memory atoms since the last must-reserve atom.
    List<Atom> since = new ArrayList<>();
    boolean stretchOpen = false;
    for (Atom a : atoms) {
      if (instance.needsReservedArea(a)) {
        if (!inRun) {
          if (afterRun && !since.isEmpty()) {
            islands.add(new Island(since.stream().mapToLong(Atom::pages).sum(), List.copyOf(since)));
          }
          // A run joins the previous one when only optional gaps lie between them.
          if (!afterRun || !since.isEmpty()) {
            runs++;
          }
          inRun = true;
        }
        afterRun = true;
        since.clear();
        stretchOpen = false;
      } else {
        inRun = false;
        if (a.memory()) {
          memory += a.pages();
          since.add(a);
          if (!stretchOpen) {
            stretches++;
            stretchOpen = true;
          }
        }
      }
    }
    islands.sort(java.util.Comparator.comparingLong(Island::pages));
    boolean before = false;
    for (Atom a : atoms) {
      if (instance.needsReservedArea(a)) {
        break;
      }
      before |= a.memory();
    }
    return new Granule(cell, runs, List.copyOf(islands), stretches, memory, before, runs > 0 && !since.isEmpty());
  }

  /** The granules with runs, in address order. */
  List<Granule> granules() {
    return granules;
  }

  /** The levels' least pages (a 1 GiB TDMR's), ascending. */
  long[] leastLevelPages() {
    return leastLevelPages.clone();
  }

  /** Whether the bounds hold (module family, coverage all, memory that can be covered). */
  boolean applies() {
    return applies;
  }

  /**
   * A lower bound on the max reserved areas per TDMR of every layout of the module family with at
   * most {@code maxTdmrs} TDMRs (0 when nothing is known).
   */
  public int leastMaxReserved(int maxTdmrs) {
    if (!applies) {
      return 0;
    }
    int least = everyTdmrReserves ? 1 : 0;
    for (Granule g : granules) {
      if (!canLeaveOut(g, maxTdmrs)) {
        least = Math.max(least, g.runs() - new Matching(maxTdmrs).fillable(g.capacities()));
      }
    }
    return Math.max(least, summed(maxTdmrs).map(AreaShortfall.Granules::leastMaxReserved).orElse(0));
  }

  /**
   * The bound summed over the granules with runs (the class comment's "Areas, summed over
   * granules"), as a shortfall against {@code maxReserved} 0; empty when it shows nothing ({@code S
   * ≤ L·n}).
   */
  private Optional<AreaShortfall.Granules> summed(int maxTdmrs) {
    int runs = 0;
    int held = 0;
    int sparing = 0;
    long levels = (long) leastLevelPages.length * maxTdmrs;
    for (Granule g : granules) {
      if (g.runs() > 0) {
        runs += g.runs();
        held++;
        // Left out, its runs at both ends: one area more than the levels filling it (class comment).
        if (g.memoryStretches() == g.runs() - 1 && g.memoryStretches() <= levels) {
          sparing++;
        }
      }
    }
    if (held == 0 || runs - held <= levels) {
      return Optional.empty();
    }
    return Optional.of(new AreaShortfall.Granules(runs, held, (int) levels, maxTdmrs, 0,
        Math.min(held, sparing + touchingPairs)));
  }

  /**
   * Why no layout of the module family has at most {@code maxTdmrs} TDMRs and at most {@code
   * maxReserved} areas per TDMR, when this bound shows it ({@code maxReserved < }{@link
   * #leastMaxReserved}): the granule that needs the most areas, or that every TDMR reserves.
   */
  public Optional<AreaShortfall> shortfall(int maxTdmrs, int maxReserved) {
    if (!applies || maxReserved >= leastMaxReserved(maxTdmrs)) {
      return Optional.empty();
    }
    Granule worst = null;
    int most = 0;
    for (Granule g : granules) {
      if (!canLeaveOut(g, maxTdmrs)) {
        int need = g.runs() - new Matching(maxTdmrs).fillable(g.capacities());
        if (need > most) {
          most = need;
          worst = g;
        }
      }
    }
    Optional<AreaShortfall.Granules> summed = summed(maxTdmrs);
    if ((worst == null || most <= maxReserved) && summed.isPresent()
        && summed.get().leastMaxReserved() > maxReserved) {
      AreaShortfall.Granules s = summed.get();
      return Optional.of(new AreaShortfall.Granules(s.runs(), s.granules(), s.levels(), maxTdmrs, maxReserved,
          s.joinable()));
    }
    if (worst == null || most <= maxReserved) {
      return Optional.of(new AreaShortfall.EveryTdmrReserves(maxTdmrs));
    }
    Integer[] fitting = new Integer[leastLevelPages.length];
    Arrays.fill(fitting, 0);
    for (long c : worst.capacities()) {
      int fits = 0;
      while (fits < leastLevelPages.length && leastLevelPages[fits] <= c) {
        fits++;
      }
      if (fits > 0) {
        fitting[fits - 1]++;
      }
    }
    List<Long> least = Arrays.stream(leastLevelPages).map(p -> p * ByteSize.PAGE).boxed().toList();
    return Optional.of(new AreaShortfall.Granule(worst.cell().range(), worst.runs(), List.of(fitting), least,
        new Matching(maxTdmrs).fillable(worst.capacities()), worst.memoryStretches(), maxTdmrs, maxReserved));
  }

  /**
   * A lower bound in 4 KiB pages on the PAMT of every layout of the module family with at most
   * {@code maxTdmrs} TDMRs and at most {@code maxReserved} areas per TDMR (0 when nothing is known).
   */
  public long leastPamtPages(int maxTdmrs, int maxReserved) {
    if (!applies) {
      return 0;
    }
    long least = 0;
    for (Granule g : granules) {
      int needed = g.runs() - maxReserved;
      if (needed <= 0) {
        continue;
      }
      long covered = new Matching(maxTdmrs).leastPages(g.capacities(), needed);
      long leftOut = canLeaveOut(g, maxTdmrs) ? g.memoryPages() : Long.MAX_VALUE;
      long cost = Math.min(covered, leftOut);
      // Neither fits: no layout at these limits (leastMaxReserved says so); nothing to add here.
      if (cost != Long.MAX_VALUE) {
        least = Math.max(least, cost);
      }
    }
    return maxReserved == 0 ? Math.max(least, leastPamtPagesWithoutAreas(maxTdmrs)) : least;
  }

  /** The PAMT at 0 areas (class comment): the usable pages outside the {@code maxTdmrs} largest clean runs. */
  private long leastPamtPagesWithoutAreas(int maxTdmrs) {
    long covered = 0;
    for (int k = 0; k < Math.min(maxTdmrs, cleanRunPages.length); k++) {
      covered += cleanRunPages[cleanRunPages.length - 1 - k];
    }
    return usablePages - covered;
  }

  private boolean canLeaveOut(Granule g, int maxTdmrs) {
    return g.memoryStretches() <= (long) leastLevelPages.length * maxTdmrs;
  }

  /**
   * Islands matched to distinct pieces, {@code n} of each level: an island fits the levels whose
   * least pages are at most its capacity, and a set is matchable exactly when, for each {@code j},
   * at most {@code n·j} of its islands fit only the {@code j} smallest levels.
   */
  private final class Matching {
    private final long perLevel;
    /** Accepted islands by the number of levels they fit (index 1..levels). */
    private final long[] fitting = new long[leastLevelPages.length + 1];

    Matching(int maxTdmrs) {
      this.perLevel = maxTdmrs;
    }

    /** Accepts the island when the accepted ones stay matchable. */
    private boolean accept(long capacity) {
      int fits = 0;
      while (fits < leastLevelPages.length && leastLevelPages[fits] <= capacity) {
        fits++;
      }
      if (fits == 0) {
        return false;
      }
      long atMost = 0;
      for (int j = 1; j <= leastLevelPages.length; j++) {
        atMost += fitting[j] + (j == fits ? 1 : 0);
        if (j >= fits && atMost > perLevel * j) {
          return false;
        }
      }
      fitting[fits]++;
      return true;
    }

    /** The most islands filled together. */
    int fillable(long[] ascending) {
      int n = 0;
      for (long c : ascending) {
        if (accept(c)) {
          n++;
        }
      }
      return n;
    }

    /** The least pages of {@code count} islands filled together; {@link Long#MAX_VALUE} when none. */
    long leastPages(long[] ascending, int count) {
      long sum = 0;
      int n = 0;
      for (long c : ascending) {
        if (n == count) {
          break;
        }
        if (accept(c)) {
          sum += c;
          n++;
        }
      }
      return n == count ? sum : Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "ReservedAreaBounds" + granules.stream()
        .map(g -> "(runs %d, islands %s)".formatted(g.runs(), Arrays.toString(g.capacities()))).toList();
  }
}
