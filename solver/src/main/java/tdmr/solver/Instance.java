package tdmr.solver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * One instance of the layout problem as every optimising engine reads it, for both layout families
 * ({@link Policy.Family}): the address line cut into cells and atoms, the pieces of contiguous memory
 * PAMT may lie in, the PAMT sizes, and the shared computations of the objective. Sizes are 4 KiB
 * pages, TDMR sizes whole GiB.
 *
 * <h2>The objective ({@link LayoutScore})</h2>
 *
 * Lexicographic: (coverage {@code max}) the fewest uncovered bytes; (PAMT {@code node-local}) the
 * fewest remote PAMT bytes ({@link tdmr.check.RemotePamt}); the fewest PAMT bytes; the fewest TDMRs;
 * the fewest reserved areas. Uncovered memory is what {@link tdmr.check.OsCoverageCheck} reports: TDX
 * memory in no TDMR's usable part and in no PAMT, which always includes memory above the HKID limit
 * and memory outside CMRs ({@link #deadMemory}). An engine scores its layout with {@link
 * LayoutScore#of}, never with its own arithmetic, so two engines agree on a score whenever they
 * agree on a layout.
 *
 * <h2>Geometry</h2>
 *
 * <ul>
 *   <li><b>Cells</b> cut the line from the first granule holding TDX memory to the last, at 1 GiB
 *       boundaries: a granule with a block or merged-CMR edge strictly inside is a {@link
 *       Kind#MIXED} cell; between them, maximal runs of granules wholly inside one block and one
 *       merged CMR ({@link Kind#PLAIN}) or wholly without TDX memory ({@link Kind#EMPTY}) are one
 *       cell each. In the kernel family one more EMPTY cell on each side ({@link Cell#extension})
 *       gives a TDMR room to reach over address space without memory, which changes its chunk's
 *       size; no TDMR exceeds {@link #largestTdmrGiB}, so that room is enough.
 *   <li><b>Atoms</b> are the cells' pieces: TDX memory of one block, or gaps between blocks, cut at
 *       merged-CMR edges. A PLAIN or EMPTY cell is one atom.
 *   <li><b>Segments</b> are maximal runs of touching convertible memory atoms of one block (so of one
 *       node, within one merged CMR): the contiguous memory one chain of PAMT may occupy.
 * </ul>
 *
 * <h2>PAMT pieces</h2>
 *
 * Module family: each TDMR of N GiB has three levels of at least {@link #levelPages(long, PageSize)}
 * pages (the module's minimum rounded up to 4 KiB, rules D2/D3), placed on their own; kernel family:
 * one chunk of exactly {@link #chunkPages(long)} pages. The 4K and 2M levels cost a whole number of
 * pages per GiB with 16-byte entries; the 1G level costs {@code ceil(N / 256)} pages, so PAMT is not
 * affine in the TDMR size.
 *
 * <h2>Remote PAMT</h2>
 *
 * A level lying on node n describes remotely every granule of its TDMR that holds TDX memory but none
 * of node n: {@link #lackingGranules} counts them per cell, and a level's remote bytes are that count
 * summed over the TDMR's cells times {@link #perGiBBytes} of the level.
 */
public final class Instance {
  /** Pages per GiB. */
  public static final long GIB_PAGES = ByteSize.GiB / ByteSize.PAGE;

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final List<Cell> cells = new ArrayList<>();
  private final List<Atom> atoms = new ArrayList<>();
  private final List<Segment> segments = new ArrayList<>();
  private final List<AddressRange> excludedMemory = new ArrayList<>();
  private final List<String> impossibilities = new ArrayList<>();
  private final List<Integer> nodes;
  private final int largestTdmrGiB;

  /** What a cell is made of. */
  public enum Kind {
    /** Granules without TDX memory: one gap atom. */
    EMPTY,
    /** Granules wholly inside one block and one merged CMR (or wholly outside CMRs): one memory atom. */
    PLAIN,
    /** One granule with a block or merged-CMR edge strictly inside: memory and gap atoms alternate. */
    MIXED
  }

  /**
   * A run of whole granules.
   *
   * @param index position in {@link #cells()}
   * @param range the granules, 1 GiB aligned
   * @param firstAtom index of its first atom
   * @param endAtom one past its last atom
   * @param extension an EMPTY cell before the first or after the last memory granule (kernel
   *     family only: room for TDMRs to grow their chunk)
   * @param nodes the nodes of the TDX memory in the cell, ascending
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

    /** A PLAIN or EMPTY run, which a TDMR boundary may cut at any of its inner GiB boundaries. */
    public boolean uniform() {
      return kind != Kind.MIXED;
    }
  }

  /**
   * A piece of one cell: TDX memory of one block, or a gap.
   *
   * @param index position in {@link #atoms()}
   * @param cell the cell holding it
   * @param memory TDX memory (else a gap)
   * @param node the block's node, -1 for gaps
   * @param block the block's index in the map, -1 for gaps
   * @param convertible whether it lies wholly inside a merged CMR
   * @param segment index in {@link #segments()} of the segment holding it; -1 for gaps and for
   *     memory no PAMT may use (outside CMRs)
   * @param offset pages from its segment's start (0 for gaps)
   */
  public record Atom(int index, int cell, AddressRange range, boolean memory, int node, int block,
      boolean convertible, int segment, long offset) {
    public long pages() {
      return range.size() / ByteSize.PAGE;
    }

    /** Memory no layout can cover or put PAMT in: outside every CMR (rules E1, D6). */
    public boolean dead() {
      return memory && !convertible;
    }
  }

  /**
   * A maximal run of touching memory atoms of one block within one merged CMR.
   *
   * @param firstAtom its first atom
   * @param endAtom one past its last atom (atoms in between are all in it)
   * @param pages its size
   * @param node its block's node
   */
  public record Segment(int index, int firstAtom, int endAtom, long pages, int node) {}

  private Instance(MemoryMap map, TdxLimits limits, Policy policy) {
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    this.nodes = map.nodes();
    this.largestTdmrGiB = largestTdmr();
  }

  /** Preprocesses one instance. */
  public static Instance of(MemoryMap map, TdxLimits limits, Policy policy) {
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(policy, "policy");
    Instance p = new Instance(map, limits, policy);
    p.findImpossibilities();
    p.cutCells();
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

  public boolean moduleFamily() {
    return policy.family() == Policy.Family.MODULE;
  }

  public List<Cell> cells() {
    return Collections.unmodifiableList(cells);
  }

  public List<Atom> atoms() {
    return Collections.unmodifiableList(atoms);
  }

  public List<Segment> segments() {
    return Collections.unmodifiableList(segments);
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

  /** Bytes of TDX memory no layout can cover: above the HKID limit or outside every CMR. */
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
   * (kernel) must fit into contiguous TDX memory of one merged CMR (of one block, kernel), so the
   * largest such run bounds it. Every TDMR lies within this many granules of TDX memory.
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
   * The module's unrounded bytes of one level per GiB of TDMR ({@link PamtSizing#moduleMinimum}): 4
   * MiB, 8 KiB and 16 bytes with 16-byte entries, 32 KiB for the Dynamic PAMT bitmap. A level of an
   * N GiB TDMR has {@code ceil(N · perGiB / 4096)} pages.
   */
  public long perGiBBytes(PageSize level) {
    return PamtSizing.moduleMinimum(ByteSize.GiB, level, limits);
  }

  /**
   * The PAMT pieces of one TDMR: its three levels (module family) or its chunk (kernel family,
   * returned as the single element {@code null}).
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

  // ---- holes --------------------------------------------------------------------------------------

  /**
   * Whether a gap must be reserved wherever a TDMR covers it: every gap under holes {@code memlist};
   * only gaps not wholly convertible under {@code cmr} (rule E1; the others may be reserved when that
   * joins two areas).
   */
  public boolean mustReserve(Atom gap) {
    return policy.holes() == Policy.Holes.MEMLIST || !gap.convertible();
  }

  /**
   * Whether memory given up (coverage {@code max}) must be reserved where a TDMR covers it: it is in
   * no usable part by definition, so always.
   */
  public boolean mustReserveGivenUp(Atom memory) {
    return true;
  }

  // ---- remote PAMT ------------------------------------------------------------------------------

  /**
   * Granules of {@code cell} that hold TDX memory but none of node {@code node}; for a run, per GiB
   * of it (multiply by the GiB a TDMR covers of it).
   */
  public long lackingGranules(Cell cell, int node) {
    if (!cell.holdsMemory() || cell.nodes().contains(node)) {
      return 0;
    }
    return cell.kind() == Kind.MIXED ? 1 : 1;
  }

  // ---- memoryless TDMRs (module family) -----------------------------------------------------------

  /**
   * Where TDMRs holding no TDX memory go (module family): 1 GiB granules above every memory block and
   * below the HKID limit, at most {@code maxTdmrs} of them, wholly convertible ones first under holes
   * {@code cmr} (they may stay usable, needing no reserved area). Such a TDMR lends its three levels
   * to fill memory between holes; its size beyond 1 GiB would only raise their minimums, and a
   * granule without memory elsewhere (between blocks) holds no more than one up here, except that
   * under holes {@code cmr} a wholly convertible one needs no area: {@link #memorylessAreas} says
   * what each costs.
   */
  public List<AddressRange> memorylessGranules() {
    List<AddressRange> out = new ArrayList<>();
    if (map.blocks().isEmpty()) {
      return out;
    }
    long first = ByteSize.alignUp(map.blocks().get(map.blocks().size() - 1).end(), ByteSize.GiB);
    long top = ByteSize.alignDown(limits.hkidLimit(), ByteSize.GiB);
    int most = limits.maxTdmrs();
    if (policy.holes() == Policy.Holes.CMR) {
      for (AddressRange c : map.cmrs().merged()) {
        for (long g = Math.max(first, ByteSize.alignUp(c.start(), ByteSize.GiB));
            g + ByteSize.GiB <= Math.min(c.end(), top) && out.size() < most; g += ByteSize.GiB) {
          out.add(new AddressRange(g, g + ByteSize.GiB));
        }
      }
    }
    for (long g = first; g + ByteSize.GiB <= top && out.size() < most; g += ByteSize.GiB) {
      AddressRange r = new AddressRange(g, g + ByteSize.GiB);
      if (!out.contains(r)) {
        out.add(r);
      }
    }
    out.sort(AddressRange.ORDER);
    List<AddressRange> cheap = out.stream().filter(r -> memorylessAreas(r) == 0).toList();
    List<AddressRange> dear = out.stream().filter(r -> memorylessAreas(r) != 0).toList();
    List<AddressRange> ordered = new ArrayList<>(cheap);
    ordered.addAll(dear);
    return ordered;
  }

  /**
   * Reserved areas a TDMR without TDX memory over {@code granule} needs: 1 under holes {@code
   * memlist} (it is all gap), and under {@code cmr} one per run outside the CMRs (0 or 1 here, as
   * CMRs are merged and the granule lies above every block).
   */
  public int memorylessAreas(AddressRange granule) {
    if (policy.holes() == Policy.Holes.MEMLIST) {
      return 1;
    }
    return map.cmrs().covers(granule) ? 0 : map.cmrs().uncovered(granule).size();
  }

  // ---- preprocessing ----------------------------------------------------------------------------

  private void findImpossibilities() {
    long hkid = limits.hkidLimit();
    if (map.blocks().isEmpty()) {
      impossibilities.add("the map has no TDX memory, and the module needs at least one TDMR");
    }
    for (MemoryBlock b : map.blocks()) {
      for (AddressRange u : map.cmrs().uncovered(b.range())) {
        impossibilities.add(
            "TDX memory %s (%s, node %d) is not inside any CMR, so no TDMR may cover it (rule E1)"
                .formatted(u, ByteSize.human(u.size()), b.node()));
      }
      if (b.end() > hkid) {
        AddressRange above = new AddressRange(Math.max(b.start(), hkid), b.end());
        excludedMemory.add(above);
        impossibilities.add(
            "TDX memory %s (%s) is at or above the HKID limit 0x%x, so no TDMR may cover it (rule B5)"
                .formatted(above, ByteSize.human(above.size()), hkid));
      }
    }
  }

  /** The largest TDMR whose 4K level (module) or chunk (kernel) fits contiguous convertible memory. */
  private int largestTdmr() {
    long longest = 0;
    long runStart = -1;
    long runEnd = -1;
    for (MemoryBlock b : map.blocks()) {
      for (AddressRange c : map.cmrs().merged()) {
        AddressRange in = b.range().intersect(c);
        if (in.isEmpty()) {
          continue;
        }
        long s = in.start() / ByteSize.PAGE;
        long e = in.end() / ByteSize.PAGE;
        if (policy.family() == Policy.Family.MODULE && s == runEnd) {
          runEnd = e;
        } else {
          runStart = s;
          runEnd = e;
        }
        longest = Math.max(longest, runEnd - runStart);
      }
    }
    long lo = 0;
    long hi = Math.max(1, limits.hkidLimit() / ByteSize.GiB);
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      long pages = policy.family() == Policy.Family.MODULE ? levelPages(mid, PageSize.SIZE_4K) : chunkPages(mid);
      if (pages <= longest) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return (int) Math.max(1, Math.min(lo, Integer.MAX_VALUE));
  }

  private void cutCells() {
    List<MemoryBlock> blocks = map.blocks();
    if (blocks.isEmpty()) {
      return;
    }
    long hkid = limits.hkidLimit();
    long lo = ByteSize.alignDown(blocks.get(0).start(), ByteSize.GiB);
    long hi = Math.min(ByteSize.alignUp(blocks.get(blocks.size() - 1).end(), ByteSize.GiB), ByteSize.alignDown(hkid, ByteSize.GiB));
    if (hi <= lo) {
      return;
    }
    boolean kernel = policy.family() == Policy.Family.KERNEL;
    if (kernel && lo > 0) {
      long room = Math.min(lo / ByteSize.GiB, largestTdmrGiB);
      addEmptyCell(new AddressRange(lo - room * ByteSize.GiB, lo), true);
    }
    TreeSet<Long> edges = new TreeSet<>();
    for (MemoryBlock b : blocks) {
      edges.add(b.start());
      edges.add(b.end());
    }
    for (AddressRange c : map.cmrs().merged()) {
      edges.add(c.start());
      edges.add(c.end());
    }
    long p = lo;
    while (p < hi) {
      Long next = edges.higher(p);
      long e = next == null ? hi : Math.min(next, hi);
      long runEnd = ByteSize.alignDown(e, ByteSize.GiB);
      if (runEnd > p) {
        addUniformCell(new AddressRange(p, runEnd));
        p = runEnd;
      } else {
        addMixedCell(new AddressRange(p, Math.min(p + ByteSize.GiB, hi)));
        p = Math.min(p + ByteSize.GiB, hi);
      }
    }
    long top = ByteSize.alignDown(hkid, ByteSize.GiB);
    if (kernel && hi < top) {
      long room = Math.min((top - hi) / ByteSize.GiB, largestTdmrGiB);
      addEmptyCell(new AddressRange(hi, hi + room * ByteSize.GiB), true);
    }
  }

  private void addEmptyCell(AddressRange range, boolean extension) {
    int index = cells.size();
    int first = atoms.size();
    atoms.add(new Atom(first, index, range, false, -1, -1, map.cmrs().covers(range), -1, 0));
    cells.add(new Cell(index, range, Kind.EMPTY, first, first + 1, extension, List.of()));
  }

  private void addUniformCell(AddressRange range) {
    int blockIndex = blockAt(range.start());
    if (blockIndex < 0) {
      addEmptyCell(range, false);
      return;
    }
    int index = cells.size();
    int first = atoms.size();
    int node = map.blocks().get(blockIndex).node();
    atoms.add(new Atom(first, index, range, true, node, blockIndex, map.cmrs().covers(range), -1, 0));
    cells.add(new Cell(index, range, Kind.PLAIN, first, first + 1, false, List.of(node)));
  }

  private void addMixedCell(AddressRange range) {
    int index = cells.size();
    int first = atoms.size();
    long cursor = range.start();
    TreeSet<Integer> cellNodes = new TreeSet<>();
    List<MemoryBlock> blocks = map.blocks();
    for (int b = 0; b < blocks.size(); b++) {
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
    cells.add(new Cell(index, range, kind, first, atoms.size(), false, List.copyOf(cellNodes)));
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

  /** Numbers the segments and gives each memory atom its segment and offset. */
  private void findSegments() {
    int start = -1;
    long pages = 0;
    for (int i = 0; i <= atoms.size(); i++) {
      Atom a = i < atoms.size() ? atoms.get(i) : null;
      boolean usable = a != null && a.memory() && a.convertible();
      boolean continues = usable && start >= 0 && atoms.get(i - 1).range().end() == a.range().start()
          && atoms.get(i - 1).block() == a.block();
      if (start >= 0 && !continues) {
        segments.add(new Segment(segments.size(), start, i, pages, atoms.get(start).node()));
        start = -1;
      }
      if (usable && start < 0) {
        start = i;
        pages = 0;
      }
      if (usable) {
        atoms.set(i, new Atom(a.index(), a.cell(), a.range(), true, a.node(), a.block(), true, segments.size(), pages));
        pages += a.pages();
      }
    }
  }

  private int blockAt(long address) {
    List<MemoryBlock> blocks = map.blocks();
    int lo = 0;
    int hi = blocks.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      MemoryBlock b = blocks.get(mid);
      if (address < b.start()) {
        hi = mid - 1;
      } else if (address >= b.end()) {
        lo = mid + 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** One line describing the instance size, for messages and benchmarks. */
  public String describe() {
    long plain = cells.stream().filter(c -> c.kind() == Kind.PLAIN).count();
    long mixed = cells.stream().filter(c -> c.kind() == Kind.MIXED).count();
    return "%d cells (%d plain, %d mixed), %d atoms, %d segments".formatted(cells.size(), plain, mixed, atoms.size(),
        segments.size());
  }
}
