package tdmr.solver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * One instance of the layout problem as an optimising engine reads it, for both layout families
 * ({@link Policy.Family}): the address line cut into cells and atoms, the segments of contiguous
 * memory PAMT may lie in and the places PAMT is stacked at, and the PAMT sizes. It depends on no
 * solver: the CP-SAT model ({@code tdmr.solver.cpsat.ModuleModel}) encodes it, and a Z3 encoding can
 * encode the same objects. Sizes are 4 KiB pages unless a name says GiB.
 *
 * <h2>Cells and atoms</h2>
 *
 * <ul>
 *   <li><b>Cells</b> cut the <em>window</em> into runs of whole 1 GiB granules. A granule with a
 *       block edge or a merged-CMR edge strictly inside is a {@link Kind#MIXED} cell of its own;
 *       between such granules, a maximal run of granules wholly inside one block and one merged
 *       CMR is one {@link Kind#PLAIN} cell, and a maximal run without TDX memory (of one
 *       convertibility) one {@link Kind#EMPTY} cell. TDMR boundaries lie on cell edges or, inside a
 *       PLAIN or EMPTY cell of two or more GiB, on any of its inner GiB boundaries. A PLAIN run
 *       named in {@link #cutRuns} is instead cut into PLAIN cells of 1 GiB each, so that a TDMR
 *       boundary may lie on every GiB boundary inside it ({@link InnerTdmrRuns}).
 *   <li><b>The window</b> runs from the first granule holding TDX memory to the last, below the
 *       HKID limit. In the module family no TDMR needs to reach further: a TDMR that ends or starts
 *       in a granule without TDX memory can give that granule up and keep its three levels, which
 *       are still at least the (smaller) minimum of the smaller TDMR, with the same PAMT bytes, the
 *       same TDMR count and no more reserved areas. TDMRs without any TDX memory are of the module
 *       family too: they may lie on any granule without TDX memory below the HKID limit, below,
 *       inside or above the window ({@link #memorylessSites}). In the kernel family a
 *       TDMR's size fixes its chunk's size, so the window gets one more EMPTY cell on each side
 *       ({@link Cell#extension}) of up to {@link #largestTdmrGiB} granules (never below address 0
 *       nor past the HKID limit), enough for any TDMR of the family.
 *   <li><b>Atoms</b> are the cells' pieces in address order: the TDX memory of one block inside the
 *       cell (cut at merged-CMR edges), or a gap. A PLAIN or EMPTY run is one atom.
 * </ul>
 *
 * <h2>Segments and places</h2>
 *
 * A <b>segment</b> is a maximal run of touching convertible memory atoms of one block: contiguous
 * TDX memory of one NUMA node inside one merged CMR, where PAMT pieces lie (rules D6 and the OS
 * rule), or, in the module family, over the joints between segments (below). A block crosses at most two granule
 * boundaries without a block or CMR edge between them being a cell edge, so a segment has at most
 * three atoms: a head in a MIXED cell, a PLAIN run, a tail in a MIXED cell; or, where the run is
 * cut into granules ({@link #cutRuns}), the head, one atom per granule of the run and the tail.
 *
 * <p>PAMT in a segment lies in <em>chains</em> (maximal runs of touching pieces), each anchored at a
 * <b>place</b> ({@link Place}): the segment's low end (growing up, and it may cover the next atoms),
 * its high end (growing down), or either side of a granule boundary between two of its atoms
 * (staying inside its atom). That loses no layout: a chain touching none of these can slide towards
 * lower addresses one page at a time without changing any tier (the page below it is usable memory
 * of the same TDMR, which it takes, and it frees its top page into the same usable run), until it
 * touches a segment end, another chain or a TDMR boundary; a chain touching a TDMR boundary inside a
 * PLAIN run reserves the same in that TDMR at the run's end; and a chain straddling a granule
 * boundary between atoms can slide down until it touches it from below.
 *
 * <p>Segments of two blocks may touch (blocks are maximal runs of one node, so blocks of two nodes):
 * a <b>joint</b> ({@link Joint}). Rules D6 and the OS rule allow a level over its edge (both sides
 * are TDX memory of one merged CMR), and such a level can save a reserved area without filling
 * either block (a 4-page level over a 2-page block and the next block's first 2 pages, stacked
 * against a hole). A run of PAMT over the edge is anchored there by construction, so the places
 * above lose nothing: it is the chain at the high end of the segment below and the chain at the low
 * end of the segment above, sharing the one level that lies over the edge (at most one can). A level
 * over several consecutive joints covers the segments between them whole. It lies on the nodes of
 * every block it overlaps, and describes remotely every granule of its TDMR lacking memory of one of
 * them ({@link #lacksAny}). The kernel family has no joints: a kernel chunk lies in one block.
 *
 * <h2>PAMT sizes</h2>
 *
 * Module family: each TDMR of N GiB has three levels of at least {@link #levelPages} pages (the
 * module's minimum rounded up to 4 KiB, rules D2/D3), each placed on its own and possibly larger
 * ("padded"). Kernel family: one chunk of exactly {@link #chunkPages} pages. The 4K and 2M levels
 * cost a whole number of pages per GiB with 16-byte entries; the 1G level costs {@code ceil(N /
 * 256)} pages.
 *
 * <h2>Remote PAMT</h2>
 *
 * A level on node n describes remotely every granule of its TDMR that holds TDX memory but none of
 * node n ({@link tdmr.check.RemotePamt}): {@link #lacksNode} says which cells' granules do.
 */
public final class Instance {
  /** Pages per GiB. */
  public static final long GIB_PAGES = ByteSize.GiB / ByteSize.PAGE;

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final Deadline deadline;
  private final List<Cell> cells = new ArrayList<>();
  private final List<Atom> atoms = new ArrayList<>();
  private final List<Segment> segments = new ArrayList<>();
  private final List<Place> places = new ArrayList<>();
  private final List<Joint> joints = new ArrayList<>();
  private final List<AddressRange> excludedMemory = new ArrayList<>();
  private final List<String> impossibilities = new ArrayList<>();
  private final List<Integer> nodes;
  private final Set<AddressRange> cutRuns;
  private int largestTdmrGiB;
  private List<AddressRange> islands;
  private List<MemorylessSite> memorylessSites;

  /** What a cell is made of. */
  public enum Kind {
    /** Granules without TDX memory. */
    EMPTY,
    /** Granules wholly inside one block and one merged CMR (or wholly outside CMRs): one memory atom. */
    PLAIN,
    /** One granule with a block or merged-CMR edge strictly inside: memory and gap atoms in turn. */
    MIXED
  }

  /**
   * A run of whole granules.
   *
   * @param index position in {@link #cells()}
   * @param range the granules, 1 GiB aligned
   * @param kind what it is made of
   * @param firstAtom index of its first atom
   * @param endAtom one past its last atom
   * @param extension an EMPTY cell outside the memory's granules (kernel family only: room for a
   *     TDMR to grow its chunk)
   * @param nodes the nodes of the TDX memory in the cell, ascending (empty for EMPTY cells)
   */
  public record Cell(int index, AddressRange range, Kind kind, int firstAtom, int endAtom, boolean extension,
      List<Integer> nodes) {
    public Cell {
      nodes = List.copyOf(nodes);
    }

    public long sizeGiB() {
      return range.size() / ByteSize.GiB;
    }

    public boolean holdsMemory() {
      return !nodes.isEmpty();
    }

    /**
     * A run of two or more granules of one kind (PLAIN or EMPTY), which a TDMR boundary may cut at
     * any inner GiB boundary; it is one atom.
     */
    public boolean cuttable() {
      return kind != Kind.MIXED && sizeGiB() >= 2;
    }
  }

  /**
   * A piece of one cell: TDX memory of one block, or a gap.
   *
   * @param index position in {@link #atoms()}
   * @param cell the cell holding it
   * @param range its bytes
   * @param memory TDX memory (else a gap)
   * @param node the block's node, -1 for gaps
   * @param block the block's index in the map, -1 for gaps
   * @param convertible whether it lies wholly inside a merged CMR
   * @param segment index in {@link #segments()} of the segment holding it; -1 for gaps and for
   *     memory outside CMRs
   * @param offset pages from its segment's start (0 for gaps)
   */
  public record Atom(int index, int cell, AddressRange range, boolean memory, int node, int block,
      boolean convertible, int segment, long offset) {
    public long pages() {
      return range.size() / ByteSize.PAGE;
    }

    /** Memory no layout can use or put PAMT in: outside every CMR (rules E1, D6). */
    public boolean dead() {
      return memory && !convertible;
    }

    /** Usable memory: TDX memory inside a CMR, which a TDMR covers or PAMT fills. */
    public boolean usable() {
      return memory && convertible;
    }
  }

  /**
   * A maximal run of touching convertible memory atoms of one block.
   *
   * @param index position in {@link #segments()}
   * @param firstAtom its first atom
   * @param endAtom one past its last atom (1 to 3 atoms)
   * @param pages its size
   * @param node its block's node
   * @param firstPlace index in {@link #places()} of its first place
   * @param endPlace one past its last place
   */
  public record Segment(int index, int firstAtom, int endAtom, long pages, int node, int firstPlace, int endPlace) {
    public int atomCount() {
      return endAtom - firstAtom;
    }
  }

  /**
   * Where two segments touch (module family): blocks of two nodes meeting inside one merged CMR (a
   * usable atom lies wholly inside a merged CMR, and merged CMRs are maximal, so two touching usable
   * atoms lie in the same one). One PAMT level may lie over the edge, part in each segment (rules D6
   * and the OS rule hold: it lies in TDX memory inside one merged CMR); it lies on the nodes of both.
   *
   * @param index position in {@link #joints()}
   * @param below the segment ending at the edge
   * @param above the segment starting there
   * @param edge the edge's address
   */
  public record Joint(int index, int below, int above, long edge) {}

  /** Where a chain is anchored, and which way it grows. */
  public enum Anchor {
    /** The segment's low end; the chain grows up and may cover the next atoms of the segment. */
    SEGMENT_LOW,
    /** A granule boundary inside the segment, from below: the chain grows down inside its atom. */
    EDGE_BELOW,
    /** A granule boundary inside the segment, from above: the chain grows up inside its atom. */
    EDGE_ABOVE,
    /** The segment's high end; the chain grows down and may cover the previous atoms. */
    SEGMENT_HIGH;

    /** Whether chains anchored here grow towards higher addresses. */
    public boolean growsUp() {
      return this == SEGMENT_LOW || this == EDGE_ABOVE;
    }
  }

  /**
   * A place a chain of PAMT pieces is anchored at. The places of a segment are in address order of
   * their anchors ({@code SEGMENT_LOW}, then per inner boundary {@code EDGE_BELOW}, {@code
   * EDGE_ABOVE}, then {@code SEGMENT_HIGH}); chains at different places never overlap.
   *
   * @param index position in {@link #places()}
   * @param segment its segment
   * @param anchor which end or boundary
   * @param offset the anchor's pages from the segment's start
   * @param atom the atom the chain starts in (its first page next to the anchor)
   * @param room the most pages a chain may have here: to the segment's other end for the segment's
   *     ends, to the atom's other end at an inner boundary
   */
  public record Place(int index, int segment, Anchor anchor, long offset, int atom, long room) {}

  private Instance(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline, Set<AddressRange> cutRuns) {
    this.map = map;
    this.cutRuns = Set.copyOf(cutRuns);
    this.limits = limits;
    this.policy = policy;
    this.deadline = deadline;
    this.nodes = map.nodes();
  }

  /** Preprocesses one instance, without a deadline. */
  public static Instance of(MemoryMap map, TdxLimits limits, Policy policy) {
    return of(map, limits, policy, Deadline.none());
  }

  /**
   * Preprocesses one instance within {@code deadline}; throws {@link Deadline.Exceeded} when it
   * passes first. The instance carries the deadline ({@link #deadline()}) for the models built on it.
   */
  public static Instance of(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
    return of(map, limits, policy, deadline, Set.of());
  }

  /**
   * Preprocesses one instance within {@code deadline} as {@link #of(MemoryMap, TdxLimits, Policy,
   * Deadline)} does, with each PLAIN run whose range is in {@code cutRuns} (module family) cut into
   * PLAIN cells of 1 GiB, so that the models built on it hold every TDMR over those runs,
   * those wholly inside them included ({@link InnerTdmrRuns}).
   */
  public static Instance of(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline,
      Set<AddressRange> cutRuns) {
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(cutRuns, "cutRuns");
    Instance p = new Instance(map, limits, policy, deadline, cutRuns);
    p.findImpossibilities();
    p.largestTdmrGiB = p.largestTdmr();
    p.cutCells();
    p.islands = p.findIslands();
    p.findSegments();
    return p;
  }

  public MemoryMap map() {
    return map;
  }

  public TdxLimits limits() {
    return limits;
  }

  public Policy policy() {
    return policy;
  }

  /** The deadline of the solve this instance was made for; model builders check it in long loops. */
  public Deadline deadline() {
    return deadline;
  }

  public boolean moduleFamily() {
    return policy.family() == Policy.Family.MODULE;
  }

  /**
   * The PLAIN runs this instance cuts into cells of 1 GiB (module family; empty for {@link
   * #of(MemoryMap, TdxLimits, Policy, Deadline)}), as ranges of the runs the uncut instance has.
   */
  public Set<AddressRange> cutRuns() {
    return cutRuns;
  }

  /** The cells in address order. */
  public List<Cell> cells() {
    return Collections.unmodifiableList(cells);
  }

  /**
   * TDMRs given as lists of whole cells (consecutive indexes, as {@link ModuleFamilyBounds} and the
   * constructions name them), as address ranges: each from its first cell's start to its last
   * cell's end.
   */
  public List<AddressRange> cellSpans(List<List<Integer>> tdmrs) {
    List<AddressRange> out = new ArrayList<>();
    for (List<Integer> t : tdmrs) {
      out.add(new AddressRange(cells.get(t.get(0)).range().start(), cells.get(t.get(t.size() - 1)).range().end()));
    }
    return out;
  }

  /** All atoms in address order. */
  public List<Atom> atoms() {
    return Collections.unmodifiableList(atoms);
  }

  /**
   * The islands: maximal ranges of contiguous usable memory ({@link Atom#usable}), in address order.
   * Touching blocks (of one node or two) and touching CMRs join; memory outside every CMR or above
   * the HKID limit separates. A PAMT level is one range of usable memory (rules O2, D6, D1), so it
   * lies inside one island; {@link IslandCount}, {@link FewTdmrsBound}, {@link TdmrSetsAtPamt},
   * {@link TdmrSetsWithoutRoom} and Z3's one-TDMR places (the last three call them stretches) count
   * levels against them.
   */
  public List<AddressRange> islands() {
    return islands;
  }

  /** {@link #islands}, found once from the atoms. */
  private List<AddressRange> findIslands() {
    List<AddressRange> out = new ArrayList<>();
    long start = -1;
    long end = -1;
    for (Atom a : atoms) {
      if (!a.usable()) {
        continue;
      }
      if (start >= 0 && a.range().start() == end) {
        end = a.range().end();
        continue;
      }
      if (start >= 0) {
        out.add(new AddressRange(start, end));
      }
      start = a.range().start();
      end = a.range().end();
    }
    if (start >= 0) {
      out.add(new AddressRange(start, end));
    }
    return List.copyOf(out);
  }

  /** The segments in address order. */
  public List<Segment> segments() {
    return Collections.unmodifiableList(segments);
  }

  /** The places, by segment and then in address order of their anchors. */
  public List<Place> places() {
    return Collections.unmodifiableList(places);
  }

  /**
   * The joints in address order: where two segments touch (module family only; a kernel chunk lies
   * in one block).
   */
  public List<Joint> joints() {
    return Collections.unmodifiableList(joints);
  }

  /**
   * The nodes a level lies on that runs from segment {@code first} over the joints between to
   * segment {@code last}: their nodes, ascending, distinct.
   */
  public List<Integer> nodesOf(int first, int last) {
    TreeSet<Integer> out = new TreeSet<>();
    for (int s = first; s <= last; s++) {
      out.add(segments.get(s).node());
    }
    return List.copyOf(out);
  }

  /** The atoms of segment {@code s}. */
  public List<Atom> atomsOf(Segment s) {
    return atoms().subList(s.firstAtom(), s.endAtom());
  }

  /** The places of segment {@code s}. */
  public List<Place> placesOf(Segment s) {
    return places().subList(s.firstPlace(), s.endPlace());
  }

  /** The map's NUMA nodes, ascending. */
  public List<Integer> nodes() {
    return nodes;
  }

  /** TDX memory at or above the HKID limit: no TDMR and no PAMT may hold it (rules B5, D1). */
  public List<AddressRange> excludedMemory() {
    return List.copyOf(excludedMemory);
  }

  /**
   * Why no layout covers all TDX memory, one sentence per reason; empty when the input is fine in
   * principle. Under coverage {@code max} these parts are simply uncovered.
   */
  public List<String> impossibilities() {
    return List.copyOf(impossibilities);
  }

  /**
   * Bytes of TDX memory no layout can cover: above the HKID limit or outside every CMR. This is
   * what {@link tdmr.check.OsCoverageCheck} reports as uncovered for every layout, and what both
   * engines count the same way (coverage {@code max}).
   */
  public long deadMemory() {
    long bytes = excludedMemory.stream().mapToLong(AddressRange::size).sum();
    for (Atom a : atoms) {
      if (a.dead()) {
        bytes += a.range().size();
      }
    }
    return bytes;
  }

  /**
   * The largest TDMR, in GiB, any layout of the family can have: its 4K level (module) or chunk
   * (kernel) must fit into a segment, so the largest segment bounds it.
   */
  public int largestTdmrGiB() {
    return largestTdmrGiB;
  }

  // ---- PAMT sizes -------------------------------------------------------------------------------

  /** Pages of one level of an {@code giB} GiB TDMR: the module's minimum rounded up to 4 KiB. */
  public long levelPages(long giB, PageSize level) {
    return PamtSizing.levelBytes(giB * ByteSize.GiB, level, limits) / ByteSize.PAGE;
  }

  /** Pages of the kernel's chunk of an {@code giB} GiB TDMR: the three levels back to back. */
  public long chunkPages(long giB) {
    return PamtSizing.chunkBytes(giB * ByteSize.GiB, limits) / ByteSize.PAGE;
  }

  /**
   * Pages of the three levels of an {@code giB} GiB TDMR, each at its minimum (rule D2): in either
   * family the least PAMT a TDMR of that size has, the same pages as the kernel's chunk.
   */
  public long levelsPages(long giB) {
    return chunkPages(giB);
  }

  /**
   * The module's unrounded bytes of one level per GiB of TDMR ({@link PamtSizing#moduleMinimum}): 4
   * MiB, 8 KiB and 16 bytes with 16-byte entries, 32 KiB for the Dynamic PAMT bitmap. A level of an
   * N GiB TDMR has {@code ceil(N · perGiB / 4096)} pages.
   */
  public long perGiBBytes(PageSize level) {
    return PamtSizing.moduleMinimum(ByteSize.GiB, level, limits);
  }

  /**
   * The PAMT pieces of one TDMR: its three levels (module family) or its chunk (kernel family,
   * the single element {@code null}).
   */
  public List<PageSize> pieceLevels() {
    if (moduleFamily()) {
      return List.of(PageSize.SIZE_4K, PageSize.SIZE_2M, PageSize.SIZE_1G);
    }
    return Collections.singletonList(null);
  }

  /** Pages of piece {@code level} ({@code null}: the kernel chunk) of a {@code giB} GiB TDMR. */
  public long piecePages(long giB, PageSize level) {
    return level == null ? chunkPages(giB) : levelPages(giB, level);
  }

  /** Bytes per GiB of TDMR that piece {@code level} ({@code null}: the chunk, all three) describes. */
  public long piecePerGiBBytes(PageSize level) {
    if (level != null) {
      return perGiBBytes(level);
    }
    long sum = 0;
    for (PageSize l : PageSize.values()) {
      sum += perGiBBytes(l);
    }
    return sum;
  }

  /**
   * An upper bound on the PAMT pages of any layout, padding left out: every TDMR of the window's
   * cells together, as if each were cut into {@code maxTdmrs} TDMRs, and every TDMR without memory
   * the module family allows. Atoms larger than this never fill up with unpadded PAMT.
   */
  public long mostUnpaddedPamtPages() {
    long windowGiB = 0;
    for (Cell c : cells) {
      windowGiB += c.sizeGiB();
    }
    long most = 0;
    for (PageSize level : PageSize.values()) {
      long perGiB = perGiBBytes(level);
      // ceil(N·p/4096) summed over T TDMRs of N_t GiB is at most (sum N·p)/4096 + T.
      most += Math.floorDiv(windowGiB * perGiB, ByteSize.PAGE) + limits.maxTdmrs();
    }
    if (moduleFamily()) {
      // No layout has more than maxTdmrs TDMRs without memory, however many granules are offered.
      most += Math.min(memorylessGranules().size(), limits.maxTdmrs()) * (chunkPages(1) + 1);
    }
    return most;
  }

  // ---- holes ------------------------------------------------------------------------------------

  /**
   * Whether a gap must be reserved wherever a TDMR covers it: every gap under holes {@code memlist};
   * only gaps not wholly convertible under {@code cmr} (rule E1; the others may be reserved when that
   * joins two areas).
   */
  public boolean mustReserve(Atom gap) {
    return policy.holes() == Policy.Holes.MEMLIST || !gap.convertible();
  }

  /**
   * Whether an atom needs a reserved area wherever a TDMR covers it: a gap that {@link #mustReserve},
   * or memory outside every CMR ({@link Atom#dead}, rules E1 and D6); usable memory does not.
   */
  public boolean needsReservedArea(Atom a) {
    return a.memory() ? a.dead() : mustReserve(a);
  }

  // ---- remote PAMT ------------------------------------------------------------------------------

  /**
   * Whether the granules of {@code cell} hold TDX memory but none of node {@code node}: then each
   * GiB of the cell a TDMR covers is described remotely by that TDMR's levels on node {@code node}.
   */
  public boolean lacksNode(Cell cell, int node) {
    return cell.holdsMemory() && !cell.nodes().contains(node);
  }

  /**
   * Whether the granules of {@code cell} hold TDX memory but not of every node of {@code levelNodes}:
   * then a level on those nodes (one over a {@link Joint} lies on two) describes them remotely.
   */
  public boolean lacksAny(Cell cell, List<Integer> levelNodes) {
    return cell.holdsMemory() && !cell.nodes().containsAll(levelNodes);
  }

  // ---- TDMRs without memory (module family) ---------------------------------------------------

  /**
   * Granules a TDMR holding no TDX memory may lie on (module family), all needing the same number
   * of reserved areas ({@link #memorylessAreas}).
   *
   * @param cell the {@link Kind#EMPTY} cell inside the window holding them, whose granules a TDMR
   *     over the cells must then leave alone; -1 for granules outside the window (below or above it)
   * @param areas the reserved areas a TDMR on one of them needs, at most the limit
   * @param granules the granules, 1 GiB each
   */
  public record MemorylessSite(int cell, int areas, List<AddressRange> granules) {
    public MemorylessSite {
      granules = List.copyOf(granules);
    }

    public boolean insideWindow() {
      return cell >= 0;
    }
  }

  /**
   * Where TDMRs holding no TDX memory go (module family): the granules without TDX memory below
   * the HKID limit that can matter, as sites of one area cost each. Such a TDMR only lends its three
   * levels to fill memory between holes; a size beyond 1 GiB would only raise their minimums and
   * cover more granules (a sub-range of a granule run has no more uncovered runs), so 1 GiB is
   * enough. Every TDMR of a layout may be one: where all TDX memory can be PAMT (levels padded to
   * fill the few small blocks), TDMRs without memory describe none of it, so no PAMT is remote
   * ({@code MemorylessTdmrsTest}).
   *
   * <p>Where such a TDMR lies changes only two things: whether it overlaps another TDMR, and the
   * reserved areas it needs (it describes no memory, so no PAMT of it is remote; it holds none, so
   * no PAMT lies in it and no memory depends on it). A granule holding only TDX memory outside every
   * CMR is a cell with memory, which the TDMRs over the cells already cover. Outside the window (below
   * the first granule holding TDX memory or above the last) no other TDMR reaches (a TDMR over the
   * cells never needs to, {@link Instance}), so granules there of equal cost are interchangeable.
   * Hence the sites, which lose no layout:
   *
   * <ul>
   *   <li>Outside the window, per cost in ascending order, the granules nearest the window (above
   *       it first, then below), until {@code maxTdmrs} are offered in all: a layout with a TDMR
   *       without memory on another granule outside has at most {@code maxTdmrs - 1} other TDMRs,
   *       so one of the offered granules of at most that cost is free, and moving the TDMR there
   *       keeps every tier (its areas can only drop). A cost above the limit of areas per TDMR is
   *       never offered.
   *   <li>Inside the window, a {@link Kind#EMPTY} cell of cost {@code c} (all its granules have
   *       one cost: it is one atom, or one granule) when fewer than {@code maxTdmrs} granules of
   *       cost at most {@code c} are offered outside (else, as above, any TDMR there moves out),
   *       with up to {@code maxTdmrs} of its granules (its granules are interchangeable). A TDMR
   *       over the cells covers an EMPTY cell whole or not at all (it never needs to end in one,
   *       {@link Instance}), so the granules of a site inside are free exactly when no such TDMR
   *       bridges its cell.
   * </ul>
   *
   * Until 2026-12-05 only granules above the window were offered, and claims named that
   * restriction; on tiny maps whose memory reaches the HKID limit an exhaustive search found better
   * layouts with such TDMRs below the memory or between it ({@code MemorylessPlacementProperties}).
   */
  public List<MemorylessSite> memorylessSites() {
    if (memorylessSites == null) {
      memorylessSites = List.copyOf(findMemorylessSites());
    }
    return memorylessSites;
  }

  /** The granules of {@link #memorylessSites}, site by site. */
  public List<AddressRange> memorylessGranules() {
    List<AddressRange> out = new ArrayList<>();
    for (MemorylessSite s : memorylessSites()) {
      out.addAll(s.granules());
    }
    return out;
  }

  private List<MemorylessSite> findMemorylessSites() {
    List<MemorylessSite> out = new ArrayList<>();
    if (!moduleFamily() || map.blocks().isEmpty() || cells.isEmpty()) {
      return out;
    }
    int most = limits.maxTdmrs();
    long lo = cells.get(0).range().start();
    long hi = cells.get(cells.size() - 1).range().end();
    long top = ByteSize.alignDown(limits.hkidLimit(), ByteSize.GiB);
    TreeMap<Integer, List<AddressRange>> outside = new TreeMap<>();
    granulesOutside(hi, top, true, outside);
    granulesOutside(0, lo, false, outside);
    // Outside granules offered with each cost or less.
    TreeMap<Integer, Integer> offeredUpTo = new TreeMap<>();
    int offered = 0;
    for (var e : outside.entrySet()) {
      List<AddressRange> g = e.getValue().subList(0, Math.min(e.getValue().size(), most - offered));
      if (!g.isEmpty()) {
        out.add(new MemorylessSite(-1, e.getKey(), g));
      }
      offered += g.size();
      offeredUpTo.put(e.getKey(), offered);
    }
    for (Cell c : cells) {
      if (c.kind() != Kind.EMPTY) {
        continue;
      }
      AddressRange first = new AddressRange(c.range().start(), c.range().start() + ByteSize.GiB);
      int areas = memorylessAreas(first);
      var upTo = offeredUpTo.floorEntry(areas);
      if (areas > limits.maxReservedPerTdmr() || upTo != null && upTo.getValue() >= most) {
        continue;
      }
      List<AddressRange> g = new ArrayList<>();
      for (long s = c.range().start(); s < c.range().end() && g.size() < most; s += ByteSize.GiB) {
        g.add(new AddressRange(s, s + ByteSize.GiB));
      }
      out.add(new MemorylessSite(c.index(), areas, g));
    }
    return out;
  }

  /**
   * Adds to {@code byCost} the granules of {@code [from, to)} (no TDX memory lies there), up to
   * {@code maxTdmrs} of each cost within the limit of areas, nearest {@code from} ({@code up}) or
   * {@code to} first. Between the granules holding a merged-CMR edge, runs of granules are wholly
   * inside a CMR or wholly outside all, of one cost, so the scan jumps from run to run.
   */
  private void granulesOutside(long from, long to, boolean up, Map<Integer, List<AddressRange>> byCost) {
    TreeSet<Long> cuts = new TreeSet<>(List.of(from, to));
    for (AddressRange c : map.cmrs().merged()) {
      for (long e : new long[] {c.start(), c.end()}) {
        for (long g : new long[] {ByteSize.alignDown(e, ByteSize.GiB), ByteSize.alignUp(e, ByteSize.GiB)}) {
          if (g > from && g < to) {
            cuts.add(g);
          }
        }
      }
    }
    List<Long> points = new ArrayList<>(cuts);
    int runs = points.size() - 1;
    for (int i = 0; i < runs; i++) {
      long s = points.get(up ? i : runs - 1 - i);
      long e = points.get(up ? i + 1 : runs - i);
      int areas = memorylessAreas(new AddressRange(s, s + ByteSize.GiB));
      if (areas > limits.maxReservedPerTdmr()) {
        continue;
      }
      List<AddressRange> list = byCost.computeIfAbsent(areas, k -> new ArrayList<>());
      for (int n = 0; n < (e - s) / ByteSize.GiB && list.size() < limits.maxTdmrs(); n++) {
        long g = up ? s + n * ByteSize.GiB : e - (n + 1) * ByteSize.GiB;
        list.add(new AddressRange(g, g + ByteSize.GiB));
      }
    }
  }

  /**
   * Reserved areas a TDMR without TDX memory over {@code granule} needs: 1 under holes {@code
   * memlist} (it is all gap); under {@code cmr} its runs outside every CMR (0 when it is wholly
   * convertible; CMRs are merged).
   */
  public int memorylessAreas(AddressRange granule) {
    if (policy.holes() == Policy.Holes.MEMLIST) {
      return 1;
    }
    return map.cmrs().uncovered(granule).size();
  }

  // ---- preprocessing ----------------------------------------------------------------------------

  private void findImpossibilities() {
    UncoverableMemory.find(map, limits, deadline, impossibilities, excludedMemory);
  }

  /** The largest TDMR whose 4K level (module) or chunk (kernel) fits the largest segment. */
  private int largestTdmr() {
    long longest = 0;
    long hkid = limits.hkidLimit();
    for (MemoryBlock b : map.blocks()) {
      deadline.check();
      for (AddressRange c : map.cmrs().merged()) {
        AddressRange in = b.range().intersect(c);
        if (!in.isEmpty() && in.start() < hkid) {
          longest = Math.max(longest, (Math.min(in.end(), hkid) - in.start()) / ByteSize.PAGE);
        }
      }
    }
    long lo = 0;
    long hi = Math.max(1, hkid / ByteSize.GiB);
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      long pages = moduleFamily() ? levelPages(mid, PageSize.SIZE_4K) : chunkPages(mid);
      if (pages <= longest) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return (int) Math.max(1, Math.min(lo, Integer.MAX_VALUE / 2));
  }

  private void cutCells() {
    List<MemoryBlock> blocks = map.blocks();
    if (blocks.isEmpty()) {
      return;
    }
    long top = ByteSize.alignDown(limits.hkidLimit(), ByteSize.GiB);
    long lo = ByteSize.alignDown(blocks.get(0).start(), ByteSize.GiB);
    long hi = Math.min(ByteSize.alignUp(blocks.get(blocks.size() - 1).end(), ByteSize.GiB), top);
    if (hi <= lo) {
      return;
    }
    long from = lo;
    long to = hi;
    if (!moduleFamily()) {
      from = lo - Math.min(lo / ByteSize.GiB, largestTdmrGiB) * ByteSize.GiB;
      to = hi + Math.min((top - hi) / ByteSize.GiB, largestTdmrGiB) * ByteSize.GiB;
    }
    TreeSet<Long> edges = new TreeSet<>(List.of(lo, hi));
    for (MemoryBlock b : blocks) {
      edges.add(b.start());
      edges.add(b.end());
    }
    for (AddressRange c : map.cmrs().merged()) {
      edges.add(c.start());
      edges.add(c.end());
    }
    long p = from;
    while (p < to) {
      deadline.check();
      Long next = edges.higher(p);
      long e = next == null ? to : Math.min(next, to);
      long runEnd = ByteSize.alignDown(e, ByteSize.GiB);
      boolean extension = p < lo || p >= hi;
      if (runEnd > p) {
        addUniformCell(new AddressRange(p, runEnd), extension);
        p = runEnd;
      } else {
        addMixedCell(new AddressRange(p, Math.min(p + ByteSize.GiB, to)), extension);
        p = Math.min(p + ByteSize.GiB, to);
      }
    }
  }

  private void addEmptyCell(AddressRange range, boolean extension) {
    int index = cells.size();
    int first = atoms.size();
    atoms.add(new Atom(first, index, range, false, -1, -1, map.cmrs().covers(range), -1, 0));
    cells.add(new Cell(index, range, Kind.EMPTY, first, first + 1, extension, List.of()));
  }

  private void addUniformCell(AddressRange range, boolean extension) {
    int blockIndex = blockAt(range.start());
    if (blockIndex < 0) {
      addEmptyCell(range, extension);
      return;
    }
    int index = cells.size();
    int first = atoms.size();
    int node = map.blocks().get(blockIndex).node();
    if (moduleFamily() && range.size() > ByteSize.GiB && cutRuns.contains(range)) {
      for (long g = range.start(); g < range.end(); g += ByteSize.GiB) {
        addUniformCell(new AddressRange(g, g + ByteSize.GiB), extension);
      }
      return;
    }
    atoms.add(new Atom(first, index, range, true, node, blockIndex, map.cmrs().covers(range), -1, 0));
    cells.add(new Cell(index, range, Kind.PLAIN, first, first + 1, false, List.of(node)));
  }

  private void addMixedCell(AddressRange range, boolean extension) {
    int index = cells.size();
    int first = atoms.size();
    long cursor = range.start();
    TreeSet<Integer> cellNodes = new TreeSet<>();
    List<MemoryBlock> blocks = map.blocks();
    for (int b = firstBlockEndingAfter(range.start()); b < blocks.size() && blocks.get(b).start() < range.end(); b++) {
      AddressRange piece = blocks.get(b).range().intersect(range);
      if (piece.isEmpty()) {
        continue;
      }
      if (piece.start() > cursor) {
        addGapAtoms(index, new AddressRange(cursor, piece.start()));
      }
      cellNodes.add(blocks.get(b).node());
      for (AddressRange part : splitAtCmrEdges(piece)) {
        atoms.add(new Atom(atoms.size(), index, part, true, blocks.get(b).node(), b, map.cmrs().covers(part), -1, 0));
      }
      cursor = piece.end();
    }
    if (cursor < range.end()) {
      addGapAtoms(index, new AddressRange(cursor, range.end()));
    }
    Kind kind = cellNodes.isEmpty() ? Kind.EMPTY : Kind.MIXED;
    cells.add(new Cell(index, range, kind, first, atoms.size(), extension, List.copyOf(cellNodes)));
  }

  private void addGapAtoms(int cell, AddressRange range) {
    for (AddressRange part : splitAtCmrEdges(range)) {
      atoms.add(new Atom(atoms.size(), cell, part, false, -1, -1, map.cmrs().covers(part), -1, 0));
    }
  }

  /** {@code range} cut at every merged-CMR edge inside it, so each part is convertible or not as a whole. */
  private List<AddressRange> splitAtCmrEdges(AddressRange range) {
    TreeSet<Long> cuts = new TreeSet<>();
    for (AddressRange c : map.cmrs().merged()) {
      if (c.start() > range.start() && c.start() < range.end()) {
        cuts.add(c.start());
      }
      if (c.end() > range.start() && c.end() < range.end()) {
        cuts.add(c.end());
      }
    }
    List<AddressRange> out = new ArrayList<>();
    long s = range.start();
    for (long c : cuts) {
      out.add(new AddressRange(s, c));
      s = c;
    }
    out.add(new AddressRange(s, range.end()));
    return out;
  }

  /** Numbers the segments, gives each memory atom its segment and offset, and lists the places. */
  private void findSegments() {
    int start = -1;
    for (int i = 0; i <= atoms.size(); i++) {
      Atom a = i < atoms.size() ? atoms.get(i) : null;
      boolean usable = a != null && a.memory() && a.convertible();
      boolean continues = usable && start >= 0 && atoms.get(i - 1).range().end() == a.range().start()
          && atoms.get(i - 1).block() == a.block();
      if (start >= 0 && !continues) {
        addSegment(start, i);
        start = -1;
      }
      if (usable && start < 0) {
        start = i;
      }
    }
    if (!moduleFamily()) {
      return;
    }
    for (int s = 0; s + 1 < segments.size(); s++) {
      long end = atoms.get(segments.get(s).endAtom() - 1).range().end();
      if (atoms.get(segments.get(s + 1).firstAtom()).range().start() == end) {
        joints.add(new Joint(joints.size(), s, s + 1, end));
      }
    }
  }

  private void addSegment(int first, int end) {
    if (end - first > 3 && cutRuns.isEmpty()) {
      throw new IllegalStateException("a segment of %d atoms at %s".formatted(end - first, atoms.get(first).range()));
    }
    int index = segments.size();
    long offset = 0;
    for (int i = first; i < end; i++) {
      Atom a = atoms.get(i);
      atoms.set(i, new Atom(a.index(), a.cell(), a.range(), true, a.node(), a.block(), true, index, offset));
      offset += a.pages();
    }
    long pages = offset;
    int firstPlace = places.size();
    places.add(new Place(places.size(), index, Anchor.SEGMENT_LOW, 0, first, pages));
    for (int i = first + 1; i < end; i++) {
      Atom below = atoms.get(i - 1);
      Atom above = atoms.get(i);
      places.add(new Place(places.size(), index, Anchor.EDGE_BELOW, above.offset(), below.index(), below.pages()));
      places.add(new Place(places.size(), index, Anchor.EDGE_ABOVE, above.offset(), above.index(), above.pages()));
    }
    places.add(new Place(places.size(), index, Anchor.SEGMENT_HIGH, pages, end - 1, pages));
    segments.add(new Segment(index, first, end, pages, atoms.get(first).node(), firstPlace, places.size()));
  }

  private int blockAt(long address) {
    int b = firstBlockEndingAfter(address);
    return b < map.blocks().size() && map.blocks().get(b).start() <= address ? b : -1;
  }

  /** Index of the first block whose end lies after {@code address} (the block count when none does). */
  private int firstBlockEndingAfter(long address) {
    List<MemoryBlock> blocks = map.blocks();
    int lo = 0;
    int hi = blocks.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (blocks.get(mid).end() <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** One line describing the instance size, for details and benchmarks. */
  public String describe() {
    long plain = cells.stream().filter(c -> c.kind() == Kind.PLAIN).count();
    long mixed = cells.stream().filter(c -> c.kind() == Kind.MIXED).count();
    return "%d cells (%d plain, %d mixed), %d atoms, %d segments, %d places, %d joints".formatted(cells.size(), plain,
        mixed, atoms.size(), segments.size(), places.size(), joints.size());
  }

  /** The usable pages of a cell ({@link Atom#usable}): of each of its granules for a PLAIN cell, which is one atom. */
  public long usablePages(Cell c) {
    long pages = 0;
    for (int i = c.firstAtom(); i < c.endAtom(); i++) {
      Atom a = atoms().get(i);
      if (a.usable()) {
        pages += a.pages();
      }
    }
    return pages;
  }
}
