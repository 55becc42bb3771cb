package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
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

/**
 * The referee: the best layout of a tiny map by exhaustive search, in either family ({@link
 * Policy.Family}), under every holes, PAMT and coverage policy, written from the module's rules and
 * the OS check and sharing no code with the engines (only {@link PamtSizing} for the sizes and the
 * validator, which checks every witness). Maps must be tiny (a few GiB, a handful of blocks, at most
 * two or three TDMRs): the work grows exponentially.
 *
 * <p>Positions are 4 KiB pages. The line is cut into <em>items</em> at every block edge, merged-CMR
 * edge and 1 GiB boundary: memory atoms and gap pieces. The search enumerates the TDMR sets, then,
 * per set, a <em>pattern</em> (for every memory atom: PAMT at its low end, at its high end, both,
 * neither, or the whole atom, and whether the rest is kept or given up), then which PAMT piece goes
 * into which maximal run of PAMT, then how each run's pieces are laid in it. Call a maximal run of
 * touching PAMT pieces a chain, and a <em>node edge</em> an atom edge inside a chain between memory
 * of two nodes. The score of a layout depends only on which pages are PAMT (coverage, PAMT bytes,
 * reserved areas), on the TDMRs, and on the set of nodes each piece lies on (remote bytes); so what
 * it enumerates is every layout up to moves that keep the PAMT pages and every piece's nodes or make
 * them better. It relies on these lemmas, none of which is a restriction of the families:
 *
 * <ol>
 *   <li><b>Window.</b> A TDMR's 4K level (module) or chunk (kernel) needs contiguous memory of its
 *       size, so no TDMR exceeds {@code maxGiB}, the largest size whose 4K level or chunk fits the
 *       largest run of contiguous convertible memory (of one block, kernel). Every TDMR of a layout
 *       therefore lies within {@code maxGiB} granules of memory, which bounds the window below and
 *       above. Module family: a TDMR beyond every memory block and CMR holds neither memory nor
 *       CMRs, so it is wholly reserved (one area under both holes policies) whatever its place, and
 *       shrinking it to 1 GiB keeps its levels valid (they only have to be at least the minimum);
 *       so {@code maxTdmrs} trailing granules past the last block and CMR stand for all of them.
 *   <li><b>Slide.</b> If neither end of a chain is at an event point (block edge, merged-CMR edge or
 *       1 GiB boundary), sliding it down by one page keeps coverage, PAMT, TDMRs and areas: the
 *       page below it is memory of the same block, CMR and granule, so usable memory of the same
 *       TDMR (coverage {@code all}), which joins the chain's run; the top page, of the same granule
 *       as the page above it, which is usable memory, becomes usable and shrinks the run without
 *       splitting it. A piece's nodes change only where one of its ends crosses a node edge: sliding
 *       down, a piece gains a node only if it starts at a node edge, and loses one if it ends just
 *       above one. So a chain within one node's memory slides, repeatedly, until an end is anchored
 *       at an event point (then, within every atom, PAMT lies only against its low end, its high
 *       end, or covers it wholly); a chain with both ends free across nodes slides down (or up)
 *       without loss until an end is anchored or a boundary between two of its pieces lies on a node
 *       edge. The search takes such chains as laid down and up from one of their node edges. Under
 *       coverage {@code max} the same holds once the given-up memory is taken as holes (lemma 4).
 *   <li><b>Padding.</b> Lay a chain's pieces outward from an anchored end (or, free at both ends,
 *       from the node edge of lemma 2). If a padded piece's far end is not on a node edge or the
 *       chain's other anchored end, moving one page of its padding to the next piece outward keeps
 *       every piece's nodes (the page stays in memory of the same node) and everything else; at a
 *       free end the padding can be dropped, which only lowers PAMT. So some optimal layout pads a
 *       piece only to bring its far end onto a node edge or the chain's anchored other end; the
 *       search tries, for each piece in each order, its minimum size and every such far end. A chain
 *       within one node's memory needs padding only to fill a run fixed at both ends, and which piece
 *       carries it changes nothing.
 *   <li><b>Coverage max.</b> Memory given up (in no usable part and no PAMT) next to usable memory
 *       of the same atom could be made usable without adding a reserved area, and next to a module
 *       level it could be covered by padding that level; so in an optimum, within an atom, the memory
 *       outside PAMT is either all usable or all given up.
 *   <li><b>Reserved areas.</b> Given the reserved set of a TDMR, its fewest areas are its maximal
 *       runs; an optional gap (convertible, holes {@code cmr}) is reserved exactly when reserved
 *       pieces of the same TDMR touch it on both sides.
 *   <li><b>TDMRs without memory (kernel family).</b> A TDMR {@code T} of {@code n} GiB overlapping
 *       no memory block covers nothing and holds no PAMT; its chunk lies in memory elsewhere (in
 *       another TDMR's reserved part, or in memory outside every TDMR, where it may fill an island
 *       exactly). What {@code T} adds to the score is one TDMR, {@code chunk(n)} pages and its own
 *       reserved areas, which depend only on the CMRs under it; nothing else depends on its place.
 *       <em>Place.</em> Let {@code [lowEdge, highEdge)} be the granules spanned by the blocks and
 *       merged CMRs. Every granule outside it is outside every CMR, so a {@code T} with a granule
 *       there has at least one area (a required gap); moved above everything, after the last other
 *       TDMR, it is wholly one required gap, one area, and overlaps nothing: no worse. The TDMRs
 *       over memory end within {@code maxGiB} granules of {@code highEdge} (lemma 1) and at most
 *       {@code maxTdmrs} TDMRs of at most {@code maxGiB} GiB each (their chunks fit one block, lemma
 *       1) are moved, so this needs {@code (maxTdmrs + 1) maxGiB} granules between {@code highEdge}
 *       and the HKID limit; the search then enumerates {@code T} at every place inside {@code
 *       [lowEdge, highEdge)} like any other TDMR and takes the rest above everything. Without that
 *       room the window is every granule below the HKID limit (at most 64 GiB, else the search
 *       refuses the map) and {@code T} is enumerated at every place in it. <em>Size.</em> The
 *       TDMRs above everything are not enumerated by size: each is a piece of unknown size until
 *       the pieces are assigned to runs; then, per run, the sizes are those with the fewest pages
 *       for which the run's chunks fill it exactly (fixed at both ends: a kernel chunk has no
 *       padding) or reach into the atom at its free end: the pattern fixes the TDMRs, the areas and
 *       which atoms are given up, so fewer pages is better, except where the atom at the free end
 *       is given up (coverage {@code max}): there each page more of PAMT is a page less given up,
 *       and coverage comes first, so the most pages that stay inside the atom.
 *       <em>Which.</em> A chunk in a run with a free end in memory kept usable, all of whose atoms
 *       lie in TDMRs, can go with its TDMR: laid last at that end and removed, its pages become
 *       usable memory of the TDMRs they lie in and the run only shortens at its free end (no new
 *       reserved run), so the layout without that TDMR is valid, covers as much and has less PAMT;
 *       the search skips such assignments. <em>Count.</em> At most the TDMR limit less the other
 *       TDMRs, and none when the area limit is 0; each TDMR set is searched with every count (the
 *       counts share its patterns), the set of TDMRs above everything alone last. So the search terminates without a bound on PAMT,
 *       under coverage {@code max} (where a chunk of such a TDMR may turn memory given up into PAMT
 *       and lower the first tier) and where no layout exists as well; where a best layout is known,
 *       each such TDMR's {@code chunk(1 GiB)} pages and one area enter the lower bounds that prune.
 * </ol>
 *
 * <p>The score of every witness is recomputed by {@link LayoutScore#of} and the witness passes
 * {@link LayoutVerifier}; a mismatch is a bug in this class and throws.
 */
public final class ExhaustiveSearch {
  private static final long PAGE = 4096;
  /** Pages per GiB. */
  private static final long G = 1L << 18;

  /** The best layout and its score. */
  public record Result(LayoutScore score, Layout layout) {}

  private enum State {
    EMPTY, LOW, HIGH, BOTH, FULL;

    boolean lowEnd() {
      return this == LOW || this == BOTH || this == FULL;
    }

    boolean highEnd() {
      return this == HIGH || this == BOTH || this == FULL;
    }
  }

  /** A piece of the line between consecutive cut points. */
  private record Item(int index, long start, long end, boolean memory, int node, int block, boolean convertible,
      boolean excluded) {
    long size() {
      return end - start;
    }

    long granule() {
      return start / G;
    }

    /** Memory that no layout may cover or hold PAMT in: outside CMRs or above the HKID limit. */
    boolean dead() {
      return memory && (!convertible || excluded);
    }
  }

  /**
   * A PAMT piece: one level (module) or one chunk (kernel) of TDMR {@code tdmr}; {@code req} its
   * pages, or for the chunk of a TDMR without memory above everything ({@code variable}, lemma 6)
   * the pages of a 1 GiB TDMR's chunk, the least it can have.
   */
  private record Piece(int tdmr, PageSize level, long req, boolean variable) {}

  /**
   * A maximal run of PAMT that pieces tile (split at block edges in the kernel family).
   *
   * @param atoms the memory atoms it touches, in order
   * @param fixedPages pages of the atoms it covers wholly
   * @param freeStart its start is inside its first atom (that atom's high part)
   * @param freeEnd its end is inside its last atom (that atom's low part)
   */
  /** A run's pieces laid out: remote bytes, its pages [start, end), pieces (indexes) in address order, their sizes. */
  private record Tiling(long remote, long start, long end, int[] order, long[] sizes) {}

  private record Unit(List<Integer> atoms, long fixedPages, boolean freeStart, boolean freeEnd) {
    boolean fixed() {
      return !freeStart && !freeEnd;
    }
  }

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final boolean module;
  private final List<Item> items = new ArrayList<>();
  private final List<Integer> memoryAtoms = new ArrayList<>();
  private final long windowLo;
  private final long windowHi;
  private final int maxGiB;
  private final Comparator<LayoutScore> order;
  /**
   * Kernel family: the granules {@code [lowEdge, highEdge)} (in pages) spanned by the blocks and
   * merged CMRs; TDMRs without memory inside them are enumerated, those with a granule outside are
   * placed above everything (lemma 6) when {@link #roomAbove}.
   */
  private final long lowEdge;
  private final long highEdge;
  /** Kernel family: whether the HKID limit leaves room for lemma 6's TDMRs above everything. */
  private final boolean roomAbove;
  /** Kernel family: the pages of the chunk of an {@code n} GiB TDMR, by {@code n} up to {@link #maxGiB}. */
  private final long[] chunkPages;

  private Result best;
  /** Which TDMR sets the search tries (all unless {@link #onlyTdmrs} or {@link #meeting} says otherwise). */
  private Predicate<List<AddressRange>> keep = tdmrs -> true;
  /** Which layouts the search keeps (all unless {@link #meeting} says otherwise). */
  private Predicate<Layout> keepLayout = layout -> true;

  // Per TDMR set.
  private List<long[]> tdmrs;
  /** TDMRs without memory above everything (lemma 6), after {@link #tdmrs}; their sizes are picked per run. */
  private int outer;
  private int[] tdmrOfItem;
  /** The pieces searched: {@link #allPieces} but the chunks of TDMRs above everything beyond {@link #outer}. */
  private List<Piece> pieces;
  /** Every piece of the set, the chunks of the most TDMRs above everything last. */
  private List<Piece> allPieces;
  /** The pieces of the TDMRs in {@link #tdmrs}. */
  private int fixedPieces;
  private List<List<Set<Integer>>> granuleNodes;
  private State[] states;
  private boolean[] dropped;

  /** At most this many TDMRs: the TDMR sets grow exponentially with the limit. */
  public static final int MOST_TDMRS = 4;

  public ExhaustiveSearch(MemoryMap map, TdxLimits limits, Policy policy) {
    if (limits.maxTdmrs() > MOST_TDMRS) {
      throw new IllegalArgumentException("the exhaustive search is for at most " + MOST_TDMRS + " TDMRs");
    }
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    this.module = policy.family() == Policy.Family.MODULE;
    this.order = LayoutScore.order(policy);
    long hkid = limits.hkidLimit() / PAGE;
    long lastMemory = map.blocks().isEmpty() ? 0 : map.blocks().get(map.blocks().size() - 1).end() / PAGE;
    long firstMemory = map.blocks().isEmpty() ? 0 : map.blocks().get(0).start() / PAGE;
    long lastCmr = map.cmrs().merged().isEmpty() ? 0
        : map.cmrs().merged().get(map.cmrs().merged().size() - 1).end() / PAGE;
    this.maxGiB = largestTdmr();
    long firstCmr = map.cmrs().merged().isEmpty() ? firstMemory : map.cmrs().merged().get(0).start() / PAGE;
    this.lowEdge = alignDown(Math.min(firstMemory, firstCmr));
    this.highEdge = alignUp(Math.max(lastMemory, lastCmr));
    this.roomAbove = !module && alignDown(hkid) >= highEdge + ((long) limits.maxTdmrs() + 1) * maxGiB * G;
    this.chunkPages = new long[maxGiB + 1];
    for (int n = 1; n <= maxGiB && !module; n++) {
      chunkPages[n] = PamtSizing.chunkBytes((long) n << 30, limits) / PAGE;
    }
    long lo;
    long hi;
    if (module) {
      lo = 0;
      hi = alignUp(Math.max(lastMemory, lastCmr)) + (long) limits.maxTdmrs() * G;
    } else if (roomAbove) {
      lo = Math.max(0, Math.min(alignDown(firstMemory) - maxGiB * G, lowEdge));
      hi = Math.max(alignUp(lastMemory) + maxGiB * G, highEdge);
    } else {
      // Lemma 6 without room above: TDMRs without memory anywhere below the HKID limit.
      if (alignDown(hkid) / G > 64) {
        throw new IllegalArgumentException("the kernel family's exhaustive search needs room for TDMRs without"
            + " memory below the HKID limit, or a limit of at most 64 GiB");
      }
      lo = 0;
      hi = alignDown(hkid);
    }
    this.windowLo = lo;
    this.windowHi = Math.min(hi, alignDown(hkid));
    cutItems(hkid);
  }

  /**
   * Limits the search to the layouts whose TDMRs (in address order) {@code keep} accepts, module
   * family only: the best layout of a kind, for tests of a lower bound on that kind of layout
   * (e.g. those with a TDMR wholly inside a run of whole GiB). Returns this search.
   */
  public ExhaustiveSearch onlyTdmrs(Predicate<List<AddressRange>> keep) {
    if (!module) {
      throw new IllegalArgumentException("only the module family's search can be limited to some TDMR sets");
    }
    this.keep = keep;
    return this;
  }

  /**
   * Limits the search, in either family, to the layouts whose TDMRs (in address order) {@code
   * tdmrs} accepts and that {@code layouts} accepts: the best layout meeting the restrictions a
   * claim names ({@link RestrictedLayouts}). The search still enumerates one representative of each
   * class of layouts its lemmas make alike and filters those, so the best it keeps meets both, and
   * is the best of all layouts meeting them only where every such layout has a representative, no
   * worse, meeting them too ({@link RestrictedLayouts} argues where). The TDMR sets are filtered
   * before their layouts are searched, in the kernel family also the sets extended over empty
   * granules, the TDMRs without memory above everything given as 1 GiB each at their places for
   * that size (their sizes are picked later, lemma 6; the layouts are filtered with their real
   * sizes); the bounds that prune the search hold for every layout, so they hold for the filtered
   * ones. Returns this search.
   */
  public ExhaustiveSearch meeting(Predicate<List<AddressRange>> tdmrs, Predicate<Layout> layouts) {
    this.keep = tdmrs;
    this.keepLayout = layouts;
    return this;
  }

  /** The best layout, or empty when no layout of the family exists. */
  public Optional<Result> best() {
    best = null;
    if (policy.coverage() == Policy.Coverage.ALL && memoryOutsideWindow() > 0) {
      return Optional.empty();
    }
    List<List<long[]>> sets = new ArrayList<>();
    tdmrSets(windowLo / G, new ArrayList<>(), sets);
    // Each set with every count of TDMRs above everything (lemma 6), which share its patterns; the
    // set of those alone last: its bounds are weak under coverage max, the others' layouts prune it.
    List<Candidate> candidates = new ArrayList<>();
    boolean above = !module && roomAbove && limits.maxReservedPerTdmr() > 0;
    for (List<long[]> set : sets) {
      candidates.add(new Candidate(set, 0, above ? limits.maxTdmrs() - set.size() : 0));
    }
    search(candidates);
    if (above) {
      search(List.of(new Candidate(List.of(), 1, limits.maxTdmrs())));
    }
    return Optional.ofNullable(best);
  }

  /** Searches {@code candidates} best bound first, in the kernel family also their extensions. */
  private void search(List<Candidate> candidates) {
    List<Object[]> ranked = new ArrayList<>();
    for (Candidate c : candidates) {
      ranked.add(new Object[] {c, lowerBound(c)});
    }
    ranked.sort((a, b) -> order.compare((LayoutScore) a[1], (LayoutScore) b[1]));
    for (Object[] r : ranked) {
      if (best != null && order.compare(best.score(), (LayoutScore) r[1]) <= 0) {
        break;
      }
      searchSet((Candidate) r[0]);
    }
    if (!module) {
      for (Object[] r : ranked) {
        extend((Candidate) r[0], (LayoutScore) r[1]);
      }
    }
  }

  /**
   * TDMR sets: TDMRs in address order, granules {@code [start, end)}, and (kernel family) {@code
   * leastOuter} to {@code mostOuter} TDMRs without memory above them all, whose sizes the search
   * picks (lemma 6); searched together, since they share the patterns of the memory atoms.
   */
  private record Candidate(List<long[]> tdmrs, int leastOuter, int mostOuter) {}

  /**
   * Kernel family: the core set {@code core} (every TDMR starting and ending in a granule holding
   * memory, or a TDMR without memory, which is not extended: lemma 6) with its TDMRs extended over empty granules, by ever more GiB in total, until the PAMT
   * of the extension alone rules out beating the best found. Extending changes only the chunk sizes
   * (empty granules describe nothing, cover nothing, hold no PAMT), so every tier but PAMT keeps its
   * bound and PAMT grows by at least {@code chunk(1 GiB)} per GiB.
   */
  private void extend(Candidate candidate, LayoutScore coreBound) {
    long perGiB = PamtSizing.chunkBytes(1L << 30, limits) - PamtSizing.levelBytes(1L << 30, PageSize.SIZE_1G, limits);
    List<long[]> core = candidate.tdmrs();
    int n = core.size();
    long[] leftRoom = new long[n];
    long[] rightRoom = new long[n];
    for (int t = 0; t < n; t++) {
      if (!holdsMemory(core.get(t)[0], core.get(t)[1])) {
        // A TDMR without memory is enumerated at every size already (lemma 6).
        continue;
      }
      long lo = t == 0 ? windowLo / G : core.get(t - 1)[1];
      long hi = t + 1 == n ? windowHi / G : core.get(t + 1)[0];
      leftRoom[t] = emptyRun(core.get(t)[0] - 1, -1, lo);
      rightRoom[t] = emptyRun(core.get(t)[1], +1, hi);
    }
    for (long total = 1; ; total++) {
      LayoutScore lb = new LayoutScore(coreBound.uncoveredBytes(), coreBound.remotePamtBytes(),
          coreBound.pamtBytes() + total * perGiB, coreBound.tdmrs(), 0);
      if (best != null && order.compare(best.score(), lb) <= 0) {
        return;
      }
      List<List<long[]>> found = new ArrayList<>();
      extensions(core, 0, total, new long[2 * n], leftRoom, rightRoom, found);
      if (found.isEmpty()) {
        return;
      }
      for (List<long[]> set : found) {
        Candidate c = new Candidate(set, candidate.leastOuter(), candidate.mostOuter());
        if (best == null || order.compare(best.score(), lowerBound(c)) > 0) {
          searchSet(c);
        }
      }
    }
  }

  /**
   * Whether {@link #keep} accepts TDMR set {@code set} with {@code outer} TDMRs above everything,
   * taken as 1 GiB each at their places for that size (lemma 6: the predicates of {@link
   * RestrictedLayouts} do not tell TDMRs without memory above everything apart by size or place).
   */
  private boolean kept(List<long[]> set, int outer) {
    List<AddressRange> ranges = new ArrayList<>(
        set.stream().map(t -> new AddressRange(t[0] * G * PAGE, t[1] * G * PAGE)).toList());
    long base = outerBase(set);
    for (int j = 0; j < outer; j++) {
      ranges.add(new AddressRange((base + j * G) * PAGE, (base + (j + 1) * G) * PAGE));
    }
    return keep.test(ranges);
  }

  /** Where the TDMRs above everything start (pages): after the map's CMRs and blocks and after {@code set}. */
  private long outerBase(List<long[]> set) {
    long base = highEdge;
    if (!set.isEmpty()) {
      base = Math.max(base, set.get(set.size() - 1)[1] * G);
    }
    return base;
  }

  /** Granules without memory from {@code g} on in direction {@code step}, stopping at {@code limit}. */
  private long emptyRun(long g, int step, long limit) {
    long count = 0;
    while ((step > 0 ? g < limit : g >= limit) && !holdsMemory(g, g + 1)) {
      count++;
      g += step;
    }
    return count;
  }

  private void extensions(List<long[]> core, int k, long left, long[] ext, long[] leftRoom, long[] rightRoom,
      List<List<long[]>> out) {
    int n = core.size();
    if (k == 2 * n) {
      if (left == 0) {
        List<long[]> set = new ArrayList<>();
        for (int t = 0; t < n; t++) {
          set.add(new long[] {core.get(t)[0] - ext[2 * t], core.get(t)[1] + ext[2 * t + 1]});
        }
        for (int t = 1; t < n; t++) {
          if (set.get(t)[0] < set.get(t - 1)[1]) {
            return;
          }
        }
        for (long[] t : set) {
          if (t[1] - t[0] > maxGiB) {
            return;
          }
        }
        out.add(set);
      }
      return;
    }
    int t = k / 2;
    long room = k % 2 == 0 ? leftRoom[t] : rightRoom[t];
    for (long e = 0; e <= Math.min(room, left); e++) {
      ext[k] = e;
      extensions(core, k + 1, left - e, ext, leftRoom, rightRoom, out);
    }
    ext[k] = 0;
  }

  /** TDX memory at or above the window's end (the HKID limit): no layout covers it. */
  private long memoryOutsideWindow() {
    long pages = 0;
    for (MemoryBlock b : map.blocks()) {
      long e = b.end() / PAGE;
      long s = Math.max(b.start() / PAGE, windowHi);
      if (e > s) {
        pages += e - s;
      }
    }
    return pages;
  }

  // ---- geometry -----------------------------------------------------------------------------

  private static long alignUp(long pages) {
    return (pages + G - 1) / G * G;
  }

  private static long alignDown(long pages) {
    return pages / G * G;
  }

  /** The largest TDMR in GiB whose 4K level (module) or chunk (kernel) fits contiguous memory. */
  private int largestTdmr() {
    long longest = 0;
    List<MemoryBlock> blocks = map.blocks();
    long runStart = -1;
    long runEnd = -1;
    for (MemoryBlock b : blocks) {
      for (AddressRange c : map.cmrs().merged()) {
        AddressRange in = b.range().intersect(c);
        if (in.isEmpty()) {
          continue;
        }
        long s = in.start() / PAGE;
        long e = in.end() / PAGE;
        if (module && s == runEnd) {
          runEnd = e;
        } else {
          runStart = s;
          runEnd = e;
        }
        longest = Math.max(longest, runEnd - runStart);
      }
    }
    int n = 0;
    while (n < 4096 && pagesOf(n + 1) <= longest) {
      n++;
    }
    return Math.max(n, 1);
  }

  /** Pages of the 4K level (module) or the chunk (kernel) of an {@code n} GiB TDMR. */
  private long pagesOf(long n) {
    long bytes = module ? PamtSizing.levelBytes(n << 30, PageSize.SIZE_4K, limits) : PamtSizing.chunkBytes(n << 30, limits);
    return bytes / PAGE;
  }

  private void cutItems(long hkid) {
    TreeSet<Long> cuts = new TreeSet<>();
    cuts.add(windowLo);
    cuts.add(windowHi);
    for (long g = windowLo; g <= windowHi; g += G) {
      cuts.add(g);
    }
    for (MemoryBlock b : map.blocks()) {
      cuts.add(b.start() / PAGE);
      cuts.add(b.end() / PAGE);
    }
    for (AddressRange c : map.cmrs().merged()) {
      cuts.add(c.start() / PAGE);
      cuts.add(c.end() / PAGE);
    }
    cuts.add(hkid);
    Long prev = null;
    for (long c : cuts) {
      if (c < windowLo || c > windowHi) {
        continue;
      }
      if (prev != null && c > prev) {
        addItem(prev, c, hkid);
      }
      prev = c;
    }
  }

  private void addItem(long s, long e, long hkid) {
    int block = -1;
    List<MemoryBlock> blocks = map.blocks();
    for (int b = 0; b < blocks.size(); b++) {
      if (blocks.get(b).start() / PAGE <= s && e <= blocks.get(b).end() / PAGE) {
        block = b;
      }
    }
    boolean convertible = map.cmrs().covers(new AddressRange(s * PAGE, e * PAGE));
    Item item = new Item(items.size(), s, e, block >= 0, block >= 0 ? blocks.get(block).node() : -1, block,
        convertible, e > hkid);
    items.add(item);
    if (item.memory()) {
      memoryAtoms.add(item.index());
    }
  }

  /** Whether atoms {@code a} and {@code b = a + 1} are contiguous memory one chain may cross. */
  private boolean contiguous(Item a, Item b) {
    return a.memory() && b.memory() && a.end() == b.start() && !a.dead() && !b.dead();
  }

  // ---- TDMR sets -------------------------------------------------------------------------------

  private void tdmrSets(long g, List<long[]> chosen, List<List<long[]>> out) {
    if (!chosen.isEmpty()) {
      out.add(List.copyOf(chosen));
    }
    if (chosen.size() == limits.maxTdmrs()) {
      return;
    }
    long last = windowHi / G;
    for (long s = g; s < last; s++) {
      for (long e = s + 1; e <= last && e - s <= maxGiB; e++) {
        if (!module && !(holdsMemory(s, s + 1) && holdsMemory(e - 1, e)) && !memorylessPlace(s, e)) {
          continue;
        }
        chosen.add(new long[] {s, e});
        tdmrSets(e, chosen, out);
        chosen.remove(chosen.size() - 1);
      }
    }
  }

  /**
   * Kernel family: whether granules {@code [s, e)} are a place lemma 6 enumerates for a TDMR without
   * memory: no memory, and within the blocks' and CMRs' granules (or anywhere in the window without
   * room above).
   */
  private boolean memorylessPlace(long s, long e) {
    return !holdsMemory(s, e) && (!roomAbove || s * G >= lowEdge && e * G <= highEdge);
  }

  /** Whether granules {@code [s, e)} hold TDX memory. */
  private boolean holdsMemory(long s, long e) {
    for (MemoryBlock b : map.blocks()) {
      if (b.start() / PAGE < e * G && b.end() / PAGE > s * G) {
        return true;
      }
    }
    return false;
  }

  /** Sound lower bound of every layout on this TDMR set. */
  private LayoutScore lowerBound(Candidate set) {
    prepare(set);
    long remote = 0;
    long pamt = 0;
    for (Piece p : pieces.subList(0, fixedPieces + set.leastOuter())) {
      pamt += p.req();
      long least = Long.MAX_VALUE;
      for (int node : map.nodes()) {
        least = Math.min(least, remoteOf(p, Set.of(node)));
      }
      remote += map.nodes().isEmpty() ? 0 : least;
    }
    long dead = 0;
    long outside = 0;
    for (int a : memoryAtoms) {
      Item i = items.get(a);
      if (i.dead()) {
        dead += i.size();
      } else if (tdmrOfItem[a] < 0) {
        outside += i.size();
      }
    }
    long uncovered = dead;
    if (policy.coverage() == Policy.Coverage.ALL) {
      pamt = Math.max(pamt, outside);
    }
    long aboveWindow = memoryOutsideWindow();
    return new LayoutScore((uncovered + aboveWindow) * PAGE, remote, pamt * PAGE,
        set.tdmrs().size() + set.leastOuter(), set.leastOuter());
  }

  private void prepare(Candidate candidate) {
    List<long[]> set = candidate.tdmrs();
    tdmrs = set;
    outer = candidate.leastOuter();
    tdmrOfItem = new int[items.size()];
    Arrays.fill(tdmrOfItem, -1);
    for (Item i : items) {
      for (int t = 0; t < set.size(); t++) {
        if (i.start() >= set.get(t)[0] * G && i.end() <= set.get(t)[1] * G) {
          tdmrOfItem[i.index()] = t;
        }
      }
    }
    pieces = new ArrayList<>();
    granuleNodes = new ArrayList<>();
    for (int t = 0; t < set.size(); t++) {
      long bytes = (set.get(t)[1] - set.get(t)[0]) << 30;
      if (module) {
        for (PageSize level : PageSize.values()) {
          pieces.add(new Piece(t, level, PamtSizing.levelBytes(bytes, level, limits) / PAGE, false));
        }
      } else {
        pieces.add(new Piece(t, null, PamtSizing.chunkBytes(bytes, limits) / PAGE, false));
      }
      List<Set<Integer>> nodes = new ArrayList<>();
      for (long g = set.get(t)[0]; g < set.get(t)[1]; g++) {
        Set<Integer> here = new TreeSet<>();
        for (MemoryBlock b : map.blocks()) {
          if (b.range().overlaps(new AddressRange(g << 30, (g + 1) << 30))) {
            here.add(b.node());
          }
        }
        if (!here.isEmpty()) {
          nodes.add(here);
        }
      }
      granuleNodes.add(nodes);
    }
    for (int j = 0; j < candidate.mostOuter(); j++) {
      pieces.add(new Piece(set.size() + j, null, chunkPages[1], true));
      granuleNodes.add(List.of());
    }
    pieces.sort(Comparator.comparingLong(Piece::req).reversed().thenComparingInt(Piece::tdmr));
    // The chunks of the TDMRs above everything come last (the least chunk, the highest TDMRs), so
    // the search takes the first pieces for each count of them.
    fixedPieces = pieces.size() - candidate.mostOuter();
    for (int i = fixedPieces; i < pieces.size(); i++) {
      if (!pieces.get(i).variable()) {
        throw new IllegalStateException("a chunk smaller than a 1 GiB TDMR's");
      }
    }
    allPieces = pieces;
    int nodes = map.blocks().stream().mapToInt(MemoryBlock::node).max().orElse(0) + 1;
    remoteOnNode = new long[pieces.size()][nodes];
    for (int i = 0; i < pieces.size(); i++) {
      for (int n = 0; n < nodes; n++) {
        remoteOnNode[i][n] = remoteOf(pieces.get(i), Set.of(n));
      }
    }
  }

  /** Remote bytes of a piece whose memory lies on {@code nodes} (RemotePamt's definition). */
  private long remoteOf(Piece p, Set<Integer> nodes) {
    long remote = 0;
    for (PageSize level : p.level() != null ? List.of(p.level()) : List.of(PageSize.values())) {
      long perGiB = PamtSizing.moduleMinimum(1L << 30, level, limits);
      for (Set<Integer> g : granuleNodes.get(p.tdmr())) {
        if (!g.containsAll(nodes)) {
          remote += perGiB;
        }
      }
    }
    return remote;
  }

  // ---- patterns ------------------------------------------------------------------------------

  private void searchSet(Candidate set) {
    outerKept = new boolean[set.mostOuter() + 1];
    boolean any = false;
    for (int m = set.mostOuter(); m >= set.leastOuter(); m--) {
      outerKept[m] = kept(set.tdmrs(), m);
      any |= outerKept[m];
    }
    if (!any) {
      return;
    }
    LayoutScore bound = lowerBound(set);
    setRemoteBound = bound.remotePamtBytes();
    setPamtBound = bound.pamtBytes() / PAGE;
    states = new State[items.size()];
    dropped = new boolean[items.size()];
    Arrays.fill(states, State.EMPTY);
    patterns(0, 0, 0, 0);
  }

  private long setRemoteBound;
  /** Per count of TDMRs above everything, whether {@link #keep} accepts the set with them. */
  private boolean[] outerKept;
  /** Remote bytes of each piece when it lies on one node, by node: the runs within one node's memory. */
  private long[][] remoteOnNode;
  /** The GiB of each TDMR above everything in the layout being scored (lemma 6). */
  private int[] outerGiB = new int[0];
  /** {@link #chunksBetween} by its arguments. */
  private final Map<List<Long>, int[]> chunksMemo = new HashMap<>();
  private static final int[] NONE = new int[0];

  /**
   * The GiB of {@code k} TDMRs (each 1 to {@link #maxGiB}) whose chunks sum to between {@code lo}
   * and {@code hi} pages with the fewest pages ({@code most} false) or the most, or null when none
   * do.
   */
  private int[] chunksBetween(int k, long lo, long hi, boolean most) {
    if (k == 0) {
      return lo <= 0 && hi >= 0 ? NONE : null;
    }
    List<Long> key = List.of((long) k, lo, hi, most ? 1L : 0L);
    int[] known = chunksMemo.get(key);
    if (known != null) {
      return known == NONE ? null : known;
    }
    int[] found = null;
    long bestSum = most ? Long.MIN_VALUE : Long.MAX_VALUE;
    for (int n = 1; n <= maxGiB; n++) {
      long c = chunkPages[n];
      long smallest = c + (k - 1) * chunkPages[1];
      if (smallest > hi || !most && smallest >= bestSum) {
        break;
      }
      int[] rest = chunksBetween(k - 1, lo - c, hi - c, most);
      if (rest == null) {
        continue;
      }
      long sum = c;
      for (int r : rest) {
        sum += chunkPages[r];
      }
      if (most ? sum > bestSum : sum < bestSum) {
        bestSum = sum;
        found = new int[k];
        found[0] = n;
        System.arraycopy(rest, 0, found, 1, rest.length);
      }
    }
    chunksMemo.put(key, found == null ? NONE : found);
    return found;
  }
  private long setPamtBound;

  /**
   * Chooses the state of memory atom {@code k} and on; {@code fullPages} and {@code parts} (pages of
   * whole atoms, number of partial parts so far) bound the PAMT from below, {@code droppedPages} the
   * uncovered memory.
   */
  private void patterns(int k, long fullPages, int parts, long droppedPages) {
    if (best != null) {
      long pamtLb = Math.max(setPamtBound, fullPages + parts);
      LayoutScore lb = new LayoutScore((droppedPages + deadPages()) * PAGE, setRemoteBound, pamtLb * PAGE,
          tdmrs.size() + outer, outer);
      if (order.compare(best.score(), lb) <= 0) {
        return;
      }
    }
    if (k == memoryAtoms.size()) {
      evaluatePattern();
      return;
    }
    int a = memoryAtoms.get(k);
    Item item = items.get(a);
    boolean inTdmr = tdmrOfItem[a] >= 0;
    boolean max = policy.coverage() == Policy.Coverage.MAX;
    if (item.dead()) {
      if (!max) {
        return;
      }
      states[a] = State.EMPTY;
      dropped[a] = true;
      patterns(k + 1, fullPages, parts, droppedPages);
      dropped[a] = false;
      return;
    }
    for (State s : State.values()) {
      if ((s == State.LOW || s == State.HIGH) && item.size() < 2 || s == State.BOTH && item.size() < 3) {
        continue;
      }
      if (s != State.FULL && !inTdmr && !max) {
        continue;
      }
      states[a] = s;
      int partsHere = s == State.BOTH ? 2 : s == State.LOW || s == State.HIGH ? 1 : 0;
      if (s == State.FULL) {
        dropped[a] = false;
        patterns(k + 1, fullPages + item.size(), parts, droppedPages);
        continue;
      }
      for (boolean d : new boolean[] {false, true}) {
        if (d && !max || !d && !inTdmr) {
          continue;
        }
        dropped[a] = d;
        patterns(k + 1, fullPages, parts + partsHere, droppedPages + (d ? (s == State.EMPTY ? item.size() : 1) : 0));
      }
    }
    states[a] = State.EMPTY;
    dropped[a] = false;
  }

  private long deadPages() {
    long pages = memoryOutsideWindow();
    for (int a : memoryAtoms) {
      if (items.get(a).dead()) {
        pages += items.get(a).size();
      }
    }
    return pages;
  }

  private void evaluatePattern() {
    List<Unit> units = units();
    if (units == null || units.size() > allPieces.size()) {
      return;
    }
    int[] areas = areas();
    int total = 0;
    for (int n : areas) {
      if (n > limits.maxReservedPerTdmr()) {
        return;
      }
      total += n;
    }
    int least = outer;
    for (int m = least; m < outerKept.length; m++) {
      if (!outerKept[m] || units.size() > fixedPieces + m) {
        continue;
      }
      // Each TDMR above everything is one reserved area (lemma 6).
      outer = m;
      pieces = allPieces.subList(0, fixedPieces + m);
      new Assignment(units, total + m).run();
    }
    outer = least;
    pieces = allPieces;
  }

  /** The maximal PAMT runs the pattern makes, or null when one has two free ends (not canonical). */
  private List<Unit> units() {
    List<Unit> out = new ArrayList<>();
    List<Integer> atoms = null;
    long fixed = 0;
    boolean freeStart = false;
    for (int k = 0; k < memoryAtoms.size(); k++) {
      int a = memoryAtoms.get(k);
      Item item = items.get(a);
      State s = states[a];
      if (!s.lowEnd() && !s.highEnd()) {
        continue;
      }
      boolean continues = atoms != null && k > 0 && memoryAtoms.get(k - 1) == a - 1
          && contiguous(items.get(a - 1), item) && states[a - 1].highEnd() && s.lowEnd()
          && (module || items.get(a - 1).block() == item.block());
      if (s.lowEnd() && !continues && atoms != null) {
        // The previous run ended at the previous atom's high end.
        out.add(new Unit(atoms, fixed, freeStart, false));
        atoms = null;
      }
      if (s == State.FULL) {
        if (atoms == null) {
          atoms = new ArrayList<>();
          fixed = 0;
          freeStart = false;
        }
        atoms.add(a);
        fixed += item.size();
        continue;
      }
      if (s.lowEnd()) {
        // LOW or BOTH: a run ends inside this atom.
        if (atoms == null) {
          atoms = new ArrayList<>();
          fixed = 0;
          freeStart = false;
        }
        atoms.add(a);
        Unit unit = new Unit(atoms, fixed, freeStart, true);
        if (freeStart && !crossesNodes(unit)) {
          // Free at both ends within one node's memory: it slides to an anchor (lemma 2).
          return null;
        }
        out.add(unit);
        atoms = null;
      } else if (atoms != null) {
        out.add(new Unit(atoms, fixed, freeStart, false));
        atoms = null;
      }
      if (s.highEnd()) {
        // HIGH or BOTH: a run starts inside this atom.
        atoms = new ArrayList<>(List.of(a));
        fixed = 0;
        freeStart = true;
      }
    }
    if (atoms != null) {
      out.add(new Unit(atoms, fixed, freeStart, false));
    }
    return out;
  }

  /** Whether a run's atoms lie on more than one node. */
  private boolean crossesNodes(Unit unit) {
    for (int a : unit.atoms()) {
      if (items.get(a).node() != items.get(unit.atoms().get(0)).node()) {
        return true;
      }
    }
    return false;
  }

  /** Reserved areas per TDMR of the pattern (lemma 5). */
  private int[] areas() {
    int[] out = new int[tdmrs.size()];
    for (int t = 0; t < tdmrs.size(); t++) {
      // Per item of the TDMR: a sequence of reserved (R), free (F) and optional (O) pieces.
      StringBuilder seq = new StringBuilder();
      for (Item i : items) {
        if (tdmrOfItem[i.index()] != t) {
          continue;
        }
        if (!i.memory()) {
          seq.append(requiredGap(i) ? 'R' : 'O');
        } else if (i.dead()) {
          seq.append('R');
        } else {
          State s = states[i.index()];
          if (s == State.FULL) {
            seq.append('R');
            continue;
          }
          if (s.lowEnd()) {
            seq.append('R');
          }
          seq.append(dropped[i.index()] ? 'R' : 'F');
          if (s.highEnd()) {
            seq.append('R');
          }
        }
      }
      out[t] = countRuns(seq.toString());
    }
    return out;
  }

  private boolean requiredGap(Item gap) {
    return policy.holes() == Policy.Holes.MEMLIST || !gap.convertible();
  }

  /** Maximal runs of R, where a run of O between two R joins them (and is reserved). */
  private static int countRuns(String seq) {
    char[] c = seq.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 'O') {
        continue;
      }
      int j = i;
      while (j < c.length && c[j] == 'O') {
        j++;
      }
      char fill = i > 0 && c[i - 1] == 'R' && j < c.length && c[j] == 'R' ? 'R' : 'F';
      Arrays.fill(c, i, j, fill);
      i = j - 1;
    }
    int runs = 0;
    for (int i = 0; i < c.length; i++) {
      if (c[i] == 'R' && (i == 0 || c[i - 1] != 'R')) {
        runs++;
      }
    }
    return runs;
  }

  // ---- assignment of pieces to runs ------------------------------------------------------------

  /** Which run each piece goes to, for one pattern. */
  private final class Assignment {
    private final List<Unit> units;
    private final int areas;
    private final int[] unitOf;
    /** Each piece's pages: its required pages, or for a TDMR above everything its chunk at the size picked. */
    private final long[] pages;
    private final long[] reqSum;
    private final int[] count;
    /** Whether each run lies on more than one node (its pieces' order and padding then matter). */
    private final boolean[] crossing;

    Assignment(List<Unit> units, int areas) {
      this.units = units;
      this.areas = areas;
      this.crossing = new boolean[units.size()];
      for (int u = 0; u < units.size(); u++) {
        crossing[u] = crossesNodes(units.get(u));
      }
      this.unitOf = new int[pieces.size()];
      this.pages = new long[pieces.size()];
      for (int i = 0; i < pieces.size(); i++) {
        pages[i] = pieces.get(i).req();
      }
      outerGiB = new int[outer];
      Arrays.fill(outerGiB, 1);
      this.reqSum = new long[units.size()];
      this.count = new int[units.size()];
    }

    void run() {
      assign(0);
    }

    private void assign(int i) {
      if (i == pieces.size()) {
        evaluate();
        return;
      }
      Piece p = pieces.get(i);
      for (int u = 0; u < units.size(); u++) {
        // Identical pieces of the same TDMR size class: keep them in unit order.
        if (i > 0 && sameKind(pieces.get(i - 1), p) && unitOf[i - 1] > u) {
          continue;
        }
        Unit unit = units.get(u);
        long most = mostPages(unit);
        if (reqSum[u] + p.req() > most) {
          continue;
        }
        unitOf[i] = u;
        reqSum[u] += p.req();
        count[u]++;
        assign(i + 1);
        reqSum[u] -= p.req();
        count[u]--;
      }
    }

    private boolean sameKind(Piece a, Piece b) {
      return a.req() == b.req() && a.level() == b.level() && a.variable() == b.variable()
          && granuleNodes.get(a.tdmr()).equals(granuleNodes.get(b.tdmr()));
    }

    /** The most pages a run can hold: its fixed length, or up to its free end's atom. */
    private long mostPages(Unit u) {
      long most = u.fixedPages();
      if (u.freeStart()) {
        most += items.get(u.atoms().get(0)).size() - 1;
      }
      if (u.freeEnd()) {
        most += items.get(u.atoms().get(u.atoms().size() - 1)).size() - 1;
      }
      return most;
    }

    private void evaluate() {
      long[] sums = reqSum.clone();
      if (outer > 0 && !sizeOuterChunks(sums)) {
        return;
      }
      for (int u = 0; u < units.size(); u++) {
        Unit unit = units.get(u);
        if (count[u] == 0 || unit.fixed() && !module && sums[u] != unit.fixedPages()
            || !crossing[u] && !unit.fixed() && sums[u] - unit.fixedPages() < 1) {
          return;
        }
      }
      List<List<Tiling>> options = new ArrayList<>();
      for (int u = 0; u < units.size(); u++) {
        List<Integer> members = new ArrayList<>(count[u]);
        for (int i = 0; i < pieces.size(); i++) {
          if (unitOf[i] == u) {
            members.add(i);
          }
        }
        if (crossing[u]) {
          List<Tiling> ways = new Layings(units.get(u), members).tilings();
          if (ways.isEmpty()) {
            return;
          }
          options.add(ways);
        } else {
          options.add(List.of(plainTiling(units.get(u), members, sums[u])));
        }
      }
      combine(0, options, new Tiling[units.size()]);
    }

    /**
     * Picks the size of each TDMR above everything (lemma 6) from the run its chunk went to: the
     * sizes with the fewest pages of PAMT for which the run's chunks fill it exactly (fixed at both
     * ends) or reach into the atom at its free end, the most where that atom's rest is given up;
     * the pattern fixes every other tier. Sets {@link
     * #pages} and {@link #outerGiB} and adds the chunks' growth to {@code sums}; false when no sizes
     * fit.
     */
    /**
     * Whether the chunk of a TDMR above everything in run {@code unit} can go (lemma 6): the run has
     * a free end in memory kept usable and lies wholly inside TDMRs, so with the chunk laid last at
     * that end, the layout without that TDMR (its chunk's pages usable memory of the TDMRs they lie
     * in, the run shorter at its free end: no new reserved run) is valid and has less PAMT, and
     * fewer TDMRs and no more areas, with the same coverage; it beats every layout of this pattern.
     */
    private boolean removable(Unit unit) {
      if (unit.fixed()) {
        return false;
      }
      int freeAtom = unit.freeEnd() ? unit.atoms().get(unit.atoms().size() - 1) : unit.atoms().get(0);
      return !dropped[freeAtom] && unit.atoms().stream().allMatch(a -> tdmrOfItem[a] >= 0);
    }

    private boolean sizeOuterChunks(long[] sums) {
      for (int u = 0; u < units.size(); u++) {
        List<Integer> vars = new ArrayList<>();
        long fixedReq = 0;
        for (int i = 0; i < pieces.size(); i++) {
          if (unitOf[i] != u) {
            continue;
          }
          if (pieces.get(i).variable()) {
            vars.add(i);
          } else {
            fixedReq += pieces.get(i).req();
          }
        }
        if (vars.isEmpty()) {
          continue;
        }
        Unit unit = units.get(u);
        if (removable(unit)) {
          return false;
        }
        long lo = unit.fixed() ? unit.fixedPages() - fixedReq : unit.fixedPages() + 1 - fixedReq;
        long hi = unit.fixed() ? lo : mostPages(unit) - fixedReq;
        // Where the free end's atom is given up, each page more of PAMT is a page less given up.
        int freeAtom = unit.freeEnd() ? unit.atoms().get(unit.atoms().size() - 1)
            : unit.freeStart() ? unit.atoms().get(0) : -1;
        int[] gib = chunksBetween(vars.size(), lo, hi, freeAtom >= 0 && dropped[freeAtom]);
        if (gib == null) {
          return false;
        }
        sums[u] = fixedReq;
        for (int j = 0; j < vars.size(); j++) {
          int i = vars.get(j);
          pages[i] = chunkPages[gib[j]];
          outerGiB[pieces.get(i).tdmr() - tdmrs.size()] = gib[j];
          sums[u] += pages[i];
        }
      }
      return true;
    }

    /**
     * A run within one node's memory: every order and padding gives its pieces the same nodes, so
     * the pieces go in assignment order at their minimum sizes, the padding of a run fixed at both
     * ends on its last piece (null when a free end would not reach into its atom).
     */
    private Tiling plainTiling(Unit unit, List<Integer> members, long req) {
      long pages = unit.fixed() ? unit.fixedPages() : req;
      if (!unit.fixed() && req - unit.fixedPages() < 1) {
        return null;
      }
      Item first = items.get(unit.atoms().get(0));
      long start = unit.freeStart() ? first.end() - (pages - unit.fixedPages()) : first.start();
      long[] sizes = new long[members.size()];
      int[] order = new int[members.size()];
      long remote = 0;
      for (int j = 0; j < members.size(); j++) {
        order[j] = members.get(j);
        sizes[j] = this.pages[order[j]];
        remote += remoteOnNode[order[j]][first.node()];
      }
      sizes[sizes.length - 1] += pages - req;
      return new Tiling(remote, start, start + pages, order, sizes);
    }

    private void combine(int u, List<List<Tiling>> options, Tiling[] chosen) {
      if (u == units.size()) {
        score(chosen);
        return;
      }
      for (Tiling t : options.get(u)) {
        chosen[u] = t;
        combine(u + 1, options, chosen);
      }
    }

    private void score(Tiling[] chosen) {
      long[] low = new long[items.size()];
      long[] high = new long[items.size()];
      partialParts(chosen, low, high);
      long uncovered = 0;
      for (Item i : items) {
        if (!i.memory()) {
          continue;
        }
        // Partial parts of one atom must leave at least one page between them.
        if (low[i.index()] + high[i.index()] >= i.size() && states[i.index()] != State.FULL) {
          return;
        }
        if (dropped[i.index()]) {
          uncovered += i.size() - low[i.index()] - high[i.index()];
        }
      }
      for (MemoryBlock b : map.blocks()) {
        long e = b.end() / PAGE;
        long s = Math.max(b.start() / PAGE, windowHi);
        if (e > s) {
          uncovered += e - s;
        }
      }
      long pamt = 0;
      long remote = 0;
      for (Tiling t : chosen) {
        pamt += t.end() - t.start();
        remote += t.remote();
      }
      LayoutScore score = new LayoutScore(uncovered * PAGE, remote, pamt * PAGE, tdmrs.size() + outer, areas);
      if (best != null && order.compare(score, best.score()) >= 0) {
        return;
      }
      Layout layout = witness(chosen, low, high);
      LayoutVerifier.requireValid(map, limits, policy, layout);
      LayoutScore check = LayoutScore.of(map, limits, policy, layout);
      if (!check.equals(score)) {
        throw new IllegalStateException("referee scored %s but its witness scores %s: %s".formatted(score, check,
            layout));
      }
      if (!keepLayout.test(layout)) {
        return;
      }
      best = new Result(score, layout);
    }

    /** Pages of PAMT at the low and high end of each atom with a free end of a run in it. */
    private void partialParts(Tiling[] chosen, long[] low, long[] high) {
      for (int u = 0; u < units.size(); u++) {
        Unit unit = units.get(u);
        if (unit.freeEnd()) {
          Item last = items.get(unit.atoms().get(unit.atoms().size() - 1));
          low[last.index()] = chosen[u].end() - last.start();
        }
        if (unit.freeStart()) {
          Item first = items.get(unit.atoms().get(0));
          high[first.index()] = first.end() - chosen[u].start();
        }
      }
    }

    private Set<Integer> nodesOf(long s, long e) {
      Set<Integer> out = new TreeSet<>();
      for (MemoryBlock b : map.blocks()) {
        if (b.start() / PAGE < e && b.end() / PAGE > s) {
          out.add(b.node());
        }
      }
      return out;
    }

    /**
     * The ways worth trying to lay the pieces of a run across nodes (lemma 3): from an anchor
     * outward, each piece at its minimum size or padded so that its far end lies on a node edge
     * inside the run, the last piece of a run fixed at both ends reaching its other end; a run free
     * at both ends is laid down and up from a node edge inside it. Among the ways, those that no
     * other beats in remote bytes and in pages at each free end.
     */
    private final class Layings {
      private final Unit unit;
      private final List<Integer> members;
      private final long[] edges;
      private final Item first;
      private final Item last;

      /** One way to lay a subset of the pieces from a cursor: remote bytes, far end, pieces and their far ends. */
      private record Laying(long remote, long far, int[] bits, long[] ends) {}

      Layings(Unit unit, List<Integer> members) {
        this.unit = unit;
        this.members = members;
        List<Long> found = new ArrayList<>();
        for (int k = 1; k < unit.atoms().size(); k++) {
          Item below = items.get(unit.atoms().get(k - 1));
          Item above = items.get(unit.atoms().get(k));
          if (below.node() != above.node()) {
            found.add(above.start());
          }
        }
        this.edges = found.stream().mapToLong(Long::longValue).toArray();
        this.first = items.get(unit.atoms().get(0));
        this.last = items.get(unit.atoms().get(unit.atoms().size() - 1));
      }

      List<Tiling> tilings() {
        int all = (1 << members.size()) - 1;
        List<Tiling> out = new ArrayList<>();
        if (!unit.freeStart()) {
          long far = unit.fixed() ? last.end() : -1;
          for (Laying l : lay(all, first.start(), +1, far, new HashMap<>())) {
            out.add(tiling(null, first.start(), l));
          }
        } else if (!unit.freeEnd()) {
          for (Laying l : lay(all, last.end(), -1, -1, new HashMap<>())) {
            out.add(tiling(l, last.end(), null));
          }
        } else {
          for (long x : edges) {
            Map<Long, List<Laying>> downMemo = new HashMap<>();
            Map<Long, List<Laying>> upMemo = new HashMap<>();
            for (int down = 1; down < all; down++) {
              for (Laying d : lay(down, x, -1, -1, downMemo)) {
                for (Laying u : lay(all & ~down, x, +1, -1, upMemo)) {
                  out.add(tiling(d, x, u));
                }
              }
            }
          }
        }
        return paretoTilings(out);
      }

      /** The tiling of a downward laying ending at {@code x} and an upward one starting there. */
      private Tiling tiling(Laying down, long x, Laying up) {
        List<Integer> order = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        long start = x;
        long remote = 0;
        if (down != null) {
          start = down.far();
          remote += down.remote();
          long cursor = x;
          for (int j = 0; j < down.bits().length; j++) {
            order.add(0, members.get(down.bits()[j]));
            sizes.add(0, cursor - down.ends()[j]);
            cursor = down.ends()[j];
          }
        }
        long end = x;
        if (up != null) {
          end = up.far();
          remote += up.remote();
          long cursor = x;
          for (int j = 0; j < up.bits().length; j++) {
            order.add(members.get(up.bits()[j]));
            sizes.add(up.ends()[j] - cursor);
            cursor = up.ends()[j];
          }
        }
        return new Tiling(remote, start, end, order.stream().mapToInt(Integer::intValue).toArray(),
            sizes.stream().mapToLong(Long::longValue).toArray());
      }

      /**
       * The ways to lay the pieces of {@code mask} from {@code cursor} in direction {@code dir}, to
       * end at {@code fixedFar} (or, when it is -1, inside the atom at the run's free end).
       */
      private List<Laying> lay(int mask, long cursor, int dir, long fixedFar, Map<Long, List<Laying>> memo) {
        if (mask == 0) {
          boolean ok = fixedFar >= 0 ? cursor == fixedFar
              : dir > 0 ? cursor > last.start() && cursor < last.end() : cursor > first.start() && cursor < first.end();
          return ok ? List.of(new Laying(0, cursor, new int[0], new long[0])) : List.of();
        }
        long key = (long) mask << 40 | cursor;
        List<Laying> known = memo.get(key);
        if (known != null) {
          return known;
        }
        long limit = fixedFar >= 0 ? fixedFar : dir > 0 ? last.end() - 1 : first.start() + 1;
        List<Laying> out = new ArrayList<>();
        for (int b = 0; b < members.size(); b++) {
          if ((mask & 1 << b) == 0 || sameKindBelow(mask, b)) {
            continue;
          }
          Piece p = pieces.get(members.get(b));
          int rest = mask & ~(1 << b);
          long restReq = 0;
          for (int c = 0; c < members.size(); c++) {
            if ((rest & 1 << c) != 0) {
              restReq += pieces.get(members.get(c)).req();
            }
          }
          long natural = cursor + dir * p.req();
          List<Long> fars = new ArrayList<>();
          if (fixedFar >= 0 && rest == 0) {
            fars.add(fixedFar);
          } else {
            fars.add(natural);
            for (long x : edges) {
              if (dir * (x - natural) > 0) {
                fars.add(x);
              }
            }
          }
          for (long far : fars) {
            if (dir * (far - natural) < 0 || dir * (limit - far) < restReq) {
              continue;
            }
            long remote = remoteOf(p, nodesOf(Math.min(cursor, far), Math.max(cursor, far)));
            for (Laying next : lay(rest, far, dir, fixedFar, memo)) {
              int[] bits = new int[next.bits().length + 1];
              long[] ends = new long[bits.length];
              bits[0] = b;
              ends[0] = far;
              System.arraycopy(next.bits(), 0, bits, 1, next.bits().length);
              System.arraycopy(next.ends(), 0, ends, 1, next.ends().length);
              out.add(new Laying(remote + next.remote(), next.far(), bits, ends));
            }
          }
        }
        List<Laying> kept = paretoLayings(out, dir);
        memo.put(key, kept);
        return kept;
      }

      /** Whether an identical piece of a lower bit is also in {@code mask}: lay that one first. */
      private boolean sameKindBelow(int mask, int b) {
        for (int c = 0; c < b; c++) {
          if ((mask & 1 << c) != 0 && sameKind(pieces.get(members.get(c)), pieces.get(members.get(b)))) {
            return true;
          }
        }
        return false;
      }

      /** The layings no other beats in remote bytes and in distance from the anchor. */
      private List<Laying> paretoLayings(List<Laying> all, int dir) {
        List<Laying> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(Laying::remote).thenComparingLong(l -> dir * l.far()));
        List<Laying> kept = new ArrayList<>();
        for (Laying l : sorted) {
          if (kept.isEmpty() || dir * l.far() < dir * kept.get(kept.size() - 1).far()) {
            kept.add(l);
          }
        }
        return kept;
      }

      /** The tilings no other beats in remote bytes and in pages at each free end. */
      private List<Tiling> paretoTilings(List<Tiling> all) {
        List<Tiling> kept = new ArrayList<>();
        for (Tiling t : all) {
          boolean beaten = false;
          for (Tiling o : all) {
            if (o != t && o.remote() <= t.remote() && o.start() >= t.start() && o.end() <= t.end()
                && (o.remote() < t.remote() || o.start() > t.start() || o.end() < t.end() || all.indexOf(o) < all.indexOf(t))) {
              beaten = true;
              break;
            }
          }
          if (!beaten) {
            kept.add(t);
          }
        }
        return kept;
      }
    }

    /** The layout of this pattern and its runs' tilings. */
    private Layout witness(Tiling[] chosen, long[] low, long[] high) {
      long[][] where = new long[pieces.size()][];
      for (Tiling t : chosen) {
        long cursor = t.start();
        for (int j = 0; j < t.order().length; j++) {
          where[t.order()[j]] = new long[] {cursor, t.sizes()[j]};
          cursor += t.sizes()[j];
        }
      }
      List<Tdmr> out = new ArrayList<>();
      for (int t = 0; t < tdmrs.size(); t++) {
        long base = tdmrs.get(t)[0] * G;
        long end = tdmrs.get(t)[1] * G;
        Pamt pamt;
        if (module) {
          PamtRange[] levels = new PamtRange[3];
          for (int i = 0; i < pieces.size(); i++) {
            Piece p = pieces.get(i);
            if (p.tdmr() == t) {
              levels[p.level().ordinal()] = new PamtRange(where[i][0] * PAGE, where[i][1] * PAGE);
            }
          }
          pamt = new Pamt(levels[0], levels[1], levels[2]);
        } else {
          int i = 0;
          while (pieces.get(i).tdmr() != t) {
            i++;
          }
          pamt = Pamt.kernelChunk(where[i][0] * PAGE, (end - base) * PAGE, limits);
        }
        out.add(new Tdmr(base * PAGE, (end - base) * PAGE, pamt, reserved(t, low, high)));
      }
      // Lemma 6: the TDMRs above everything, one after another, each wholly one reserved area.
      long base = outerBase(tdmrs) * PAGE;
      for (int j = 0; j < outer; j++) {
        int i = 0;
        while (pieces.get(i).tdmr() != tdmrs.size() + j) {
          i++;
        }
        long size = (long) outerGiB[j] << 30;
        out.add(new Tdmr(base, size, Pamt.kernelChunk(where[i][0] * PAGE, size, limits),
            List.of(new ReservedArea(0, size))));
        base += size;
      }
      return new Layout(out);
    }

    /** The TDMR's reserved areas: its reserved pieces, with bridging optional gaps, merged. */
    private List<ReservedArea> reserved(int t, long[] low, long[] high) {
      long base = tdmrs.get(t)[0] * G;
      List<long[]> segments = new ArrayList<>();
      List<Character> kinds = new ArrayList<>();
      for (Item i : items) {
        if (tdmrOfItem[i.index()] != t) {
          continue;
        }
        if (!i.memory()) {
          segments.add(new long[] {i.start(), i.end()});
          kinds.add(requiredGap(i) ? 'R' : 'O');
          continue;
        }
        if (i.dead() || states[i.index()] == State.FULL) {
          segments.add(new long[] {i.start(), i.end()});
          kinds.add('R');
          continue;
        }
        long lo = i.start() + low[i.index()];
        long hi = i.end() - high[i.index()];
        if (lo > i.start()) {
          segments.add(new long[] {i.start(), lo});
          kinds.add('R');
        }
        segments.add(new long[] {lo, hi});
        kinds.add(dropped[i.index()] ? 'R' : 'F');
        if (hi < i.end()) {
          segments.add(new long[] {hi, i.end()});
          kinds.add('R');
        }
      }
      List<long[]> reserved = new ArrayList<>();
      for (int k = 0; k < segments.size(); k++) {
        char c = kinds.get(k);
        if (c == 'R') {
          reserved.add(segments.get(k));
        } else if (c == 'O') {
          int j = k;
          while (j + 1 < segments.size() && kinds.get(j + 1) == 'O') {
            j++;
          }
          if (k > 0 && kinds.get(k - 1) == 'R' && j + 1 < segments.size() && kinds.get(j + 1) == 'R') {
            reserved.add(new long[] {segments.get(k)[0], segments.get(j)[1]});
          }
          k = j;
        }
      }
      reserved.sort(Comparator.comparingLong(r -> r[0]));
      List<ReservedArea> areas = new ArrayList<>();
      long[] open = null;
      for (long[] r : reserved) {
        if (open != null && open[1] >= r[0]) {
          open[1] = Math.max(open[1], r[1]);
        } else {
          if (open != null) {
            areas.add(new ReservedArea((open[0] - base) * PAGE, (open[1] - open[0]) * PAGE));
          }
          open = new long[] {r[0], r[1]};
        }
      }
      if (open != null) {
        areas.add(new ReservedArea((open[0] - base) * PAGE, (open[1] - open[0]) * PAGE));
      }
      return areas;
    }
  }
}
