package tdmr.solver;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The preprocessed, solver-neutral instance that every optimising engine (CP-SAT, Z3) reads: the
 * address line cut into cells and atoms, the candidate TDMRs with their PAMT chunk sizes and NUMA
 * nodes, and the reasons an input can have no layout at all.
 *
 * <h2>The layout family</h2>
 *
 * Engines search this family, and their {@code OPTIMAL}/{@code INFEASIBLE} claims are about it:
 *
 * <ul>
 *   <li>TDMRs are unions of consecutive {@linkplain Cell cells}; every TDMR starts and ends in a
 *       cell that holds memory. So TDMR bases and ends are on 1 GiB boundaries (rule B4) and
 *       TDMRs are sorted and disjoint (B2, B3) by construction.
 *   <li>Each TDMR's PAMT is ONE contiguous chunk laid out as the kernel does ({@link
 *       tdmr.tdx.Pamt#kernelChunk}: 4K, 2M, 1G levels back to back, kernel sizes). A kernel could
 *       adopt such a layout by changing only where it puts TDMR boundaries and PAMT chunks. (Splitting
 *       the three levels apart, which rule D7 allows, can sometimes do better; it is out of scope.)
 *   <li>A chunk lies inside one memory {@linkplain Atom atom} (a TDX memory block clipped to one
 *       cell), stacked against the atom's low end or its high end. Chunks in the same stack sit back
 *       to back in TDMR order.
 *   <li>Every cell holding kept memory lies in a TDMR, even where chunks fill all of that memory
 *       (which the OS check would let lie outside every TDMR, as it is PAMT then).
 * </ul>
 *
 * <h2>Why the model can be small</h2>
 *
 * <ul>
 *   <li>PAMT bytes depend only on TDMR sizes ({@link PamtSizing#chunkBytes}: 4104·N + 4 KiB for an
 *       N GiB TDMR, N ≤ 256), so the objective is a function of the TDMR set; where chunks go only
 *       decides whether the reserved-area limit holds.
 *   <li>Every cell holding TDX memory is covered (coverage {@code all}; a restriction, as memory
 *       that chunks fill wholly needs no TDMR) and chunks lie in TDX memory, so every chunk lies
 *       inside some TDMR and must be inside reserved areas there (rule D5); chunks never overlap
 *       holes.
 *   <li>The reserved areas of a TDMR are the connected components (touching counts) of its reserved
 *       atoms and chunk pieces: scanning the atoms in address order, an area starts wherever a
 *       reserved piece follows a non-reserved one or the TDMR base. A chunk stacked next to a
 *       reserved hole costs nothing; chunks that fill a whole atom make it reserved, merging the
 *       holes on both sides.
 *   <li>Only 1 GiB boundaries where something changes can matter for TDMR boundaries. A granule is
 *       <em>plain</em> when it lies wholly inside one block and one merged CMR; a maximal run of
 *       plain granules of the same block is one cell, as is a maximal run of granules without
 *       memory. Why a boundary strictly inside a plain run {@code [r0, r1)} is not searched: moving
 *       it to {@code r0} moves whole GiB from one TDMR to its touching neighbour. Up to 256 GiB per
 *       TDMR the PAMT bytes are affine in the size ({@code 4104·N + 4} KiB), so the total is
 *       unchanged; no hole is added or removed, because the run holds none; and the second TDMR's
 *       node stays the run's block node, because that block is still the first one ending after
 *       {@code r0}. What can change is whether the grown chunk still fits where it was, which
 *       matters only when a chunk exactly fills a small island, and (above 256 GiB) the 1G level's
 *       4 KiB rounding. Layouts that need such a boundary are outside the family. In exchange the
 *       model has a handful of cells on a 12 TiB machine, never one per GiB.
 *   <li>A TDMR that started or ended in a cell without memory would cover more holes and pay more
 *       PAMT; candidates start and end in cells that hold memory. (A restriction: its larger chunk
 *       may fill an island exactly, merging the holes around it, which can make a layout fit
 *       tight limits.)
 * </ul>
 *
 * <h2>Coverage {@code max}</h2>
 *
 * Memory is left out in whole memory atoms; a left-out atom becomes a gap (reserved under holes
 * {@code memlist} and when not convertible, optional otherwise, see {@link #mustReserveDropped}).
 * Chunks go only into kept atoms, and the first memory atom of a TDMR's first cell ({@link
 * #nodeAtom}) is kept, so that the kernel's {@code tdmr_get_nid} still gives the TDMR that cell's
 * node once the rest is given up with {@code memmap=}.
 *
 * <h2>How an engine uses it</h2>
 *
 * Choose candidates whose cell runs are disjoint and together cover every cell holding kept
 * memory (at most {@code maxTdmrs}); for each, choose a memory atom with {@link #mayHoldChunk} and a
 * side; keep the chunks of each atom's two stacks within the atom; count areas per TDMR as above
 * (a required hole is reserved whenever its cell is covered, see {@link #mustReserve}; an optional
 * one may be reserved); then hand the choices to {@link #buildLayout}, which places the chunks and
 * computes the sorted, merged reserved areas the same way for every engine.
 */
public final class Problem {
  /**
   * What this instance leaves out of the kernel family ({@link Policy.Family#KERNEL}), in words: an
   * {@code OPTIMAL} or {@code INFEASIBLE} answer of an engine that reads it holds only among the
   * layouts that meet these too. Each can lose a better layout (issue #11: a boundary inside a plain
   * run, or a chunk reaching past its atom, can save PAMT or an area; and memory that chunks fill
   * wholly is PAMT, not TDX memory the OS check asks to cover, so a granule whose memory they fill
   * may lie outside every TDMR, which the model never lets happen: on a map of [1 MiB, 1 GiB) and
   * an island of exactly one 1 GiB TDMR's chunk at 2 GiB, the TDMR [0, 1 GiB) with its chunk in the
   * island has half the PAMT of the model's optimum, {@code KernelFamilyClaimTest}; and a TDMR
   * that ends over granules without memory has a larger chunk, which may fill an island exactly
   * and merge the holes around it, so under tight limits a layout may exist only with such a TDMR),
   * so every answer names them.
   */
  public static final List<String> KERNEL_FAMILY_RESTRICTIONS = List.of(
      "TDMR boundaries lie only on the 1 GiB boundaries where the memory map changes",
      "each TDMR's PAMT chunk lies inside one piece of memory (a memory block cut at 1 GiB boundaries, or a run"
          + " of whole GiB), stacked against its low or high end",
      "every 1 GiB granule holding TDX memory lies in a TDMR, also where PAMT chunks fill all of its memory",
      "every TDMR starts and ends in a 1 GiB granule holding TDX memory");

  /**
   * Under {@code --pamt node-local}, what the instance also requires: PAMT on another node is legal
   * in the kernel family (remote PAMT is reported there, not ranked: {@link
   * LayoutScore#ranksRemotePamt}), but the instance offers each chunk only on the node the kernel
   * picks for its TDMR.
   */
  public static final String NODE_LOCAL_RESTRICTION =
      "each TDMR's PAMT chunk lies on the NUMA node the kernel picks for the TDMR (that of its first memory block)";

  /**
   * Under {@code --coverage max}, what the instance also requires (see "Coverage max" above): memory
   * is given up in whole atoms, never one holding a chunk, nor the first memory atom of a TDMR's
   * first cell ({@link #nodeAtom}). A restriction, named since 2026-12-06: giving up that first atom
   * can merge the holes around it into one reserved area, and the kernel then picks the TDMR's node
   * from the next block it keeps. On blocks [1G+8K, 2G) on node 0 and [3G+4K, 3G+8K), [3G+16K, 4G)
   * on node 1, 2 TDMRs of 1 area each, PAMT {@code node-local}, holes {@code memlist}, both engines
   * claimed OPTIMAL with [3G, 4G) left out (1 GiB - 12 KiB uncovered), where giving up only the 4 KiB
   * block at 3G+4K lets [3G, 4G) cover the rest with its chunk against the merged hole on node 1
   * (4 KiB uncovered; {@code ExhaustiveSearch}, {@code RestrictedLayouts}).
   */
  public static final String COVERAGE_MAX_RESTRICTION =
      "memory is given up only in whole pieces (a memory block cut at 1 GiB boundaries, or a run of whole GiB)"
          + " holding no PAMT chunk, and never the first piece of memory of a TDMR";

  /** The question this instance's engines answer: the kernel family, up to its restrictions. */
  public static Question kernelQuestion(Policy policy) {
    List<String> restrictions = new ArrayList<>(KERNEL_FAMILY_RESTRICTIONS);
    if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
      restrictions.add(NODE_LOCAL_RESTRICTION);
    }
    if (policy.coverage() == Policy.Coverage.MAX) {
      restrictions.add(COVERAGE_MAX_RESTRICTION);
    }
    return new Question(Policy.Family.KERNEL, restrictions);
  }

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  /** The solve's deadline: preprocessing and every model built on this problem check it in their loops. */
  private final Deadline deadline;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  /** Candidate TDMRs, built only when {@link #candidates()} is called. */
  private List<CandidateTdmr> candidates;
  /** Per cell: how many cells before it hold memory (one more entry for the end). */
  private int[] memoryCellsBefore;
  /** The cells that hold memory, in address order. */
  private int[] memoryCells;
  private final List<AddressRange> excludedMemory;
  private final List<String> impossibilities;
  /**
   * {@link #largestAtomPages} per node of a start cell (per {@link #ANY_NODE} when chunks may go
   * anywhere); made in one pass over the atoms when first asked for.
   */
  private Map<Integer, Long> largestAtomOfNode;
  /** {@link #levelBytesPerGiB(TdxLimits)} of the limits. */
  private final long[] levelBytesPerGiB;

  /** What a cell is made of. */
  public enum CellKind {
    /** Granules without any TDX memory: one gap atom. */
    EMPTY,
    /** A run of granules wholly inside one block with no block or CMR edge inside: one memory atom. */
    PLAIN,
    /** One granule with a block or CMR edge strictly inside: memory and gap atoms alternate. */
    MIXED
  }

  /**
   * A run of 1 GiB granules that TDMR boundaries never split; its edges are the candidate TDMR
   * boundaries.
   *
   * @param index position in {@link #cells()}
   * @param range the granules, 1 GiB aligned
   * @param firstAtom index of its first atom in {@link #atoms()}
   * @param endAtom one past its last atom
   * @param node the node {@code tdmr_get_nid} gives a TDMR starting at this cell (node of the first
   *     block that ends after the cell's start), or -1 when the cell holds no memory
   */
  public record Cell(int index, AddressRange range, CellKind kind, int firstAtom, int endAtom, int node) {
    public long sizeGiB() {
      return range.size() / ByteSize.GiB;
    }

    public boolean holdsMemory() {
      return node >= 0;
    }
  }

  /**
   * A piece of the address line inside one cell: either TDX memory of one block, or a gap between
   * blocks.
   *
   * @param index position in {@link #atoms()} (address order)
   * @param cell the cell holding it
   * @param memory true for TDX memory, false for a gap
   * @param node the block's NUMA node (memory), -1 for gaps
   * @param block index of the block in the map (memory), -1 for gaps
   * @param convertible whether the whole atom lies inside merged CMRs; memory that is not can
   *     never be covered ({@link #mustDrop()})
   */
  public record Atom(
      int index, int cell, AddressRange range, boolean memory, int node, int block, boolean convertible) {

    /** Memory that no layout can cover: not wholly convertible (rule E1/D6). */
    public boolean mustDrop() {
      return memory && !convertible;
    }

    /** Size in 4 KiB pages (all atom edges are page aligned). */
    public long pages() {
      return range.size() / PAGE;
    }
  }

  /**
   * A TDMR the family allows: cells {@code [firstCell, endCell)}.
   *
   * @param pamtBytes the kernel's chunk for this size ({@link PamtSizing#chunkBytes})
   * @param node the node its chunk must be on under {@code node-local} ({@code tdmr_get_nid})
   */
  public record CandidateTdmr(int index, int firstCell, int endCell, AddressRange range, long pamtBytes, int node) {
    public long pamtPages() {
      return pamtBytes / PAGE;
    }
  }

  /** Which end of a memory atom a chunk is stacked against. */
  public enum Side {
    LOW,
    HIGH
  }

  /**
   * An engine's decision for one TDMR: which candidate, and where its chunk goes.
   *
   * @param candidate index in {@link #candidates()}
   * @param chunkAtom the memory atom holding the chunk
   * @param side the end of the atom the chunk's stack is against
   */
  public record TdmrChoice(int candidate, int chunkAtom, Side side) {}

  /**
   * A complete decision: the TDMRs (in any order) and the memory atoms left out (coverage
   * {@code max}).
   */
  public record Decision(List<TdmrChoice> tdmrs, List<Integer> droppedAtoms) {
    public Decision {
      tdmrs = List.copyOf(tdmrs);
      droppedAtoms = List.copyOf(new TreeSet<>(droppedAtoms));
    }
  }

  private static final long GiB = ByteSize.GiB;

  private Problem(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    this.deadline = deadline;
    this.excludedMemory = new ArrayList<>();
    this.impossibilities = new ArrayList<>();
    this.levelBytesPerGiB = levelBytesPerGiB(limits);
    this.cells = new ArrayList<>();
    this.atoms = new ArrayList<>();
  }

  /** Preprocesses one instance, without a deadline. */
  public static Problem of(MemoryMap map, TdxLimits limits, Policy policy) {
    return of(map, limits, policy, Deadline.none());
  }

  /**
   * Preprocesses one instance within {@code deadline}; throws {@link Deadline.Exceeded} when it
   * passes first. Engines pass their solve's deadline, which the problem then carries ({@link #deadline()}).
   */
  public static Problem of(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(deadline, "deadline");
    Problem p = new Problem(map, limits, policy, deadline);
    p.findImpossibilities();
    p.cutCells();
    p.indexMemoryCells();
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

  /**
   * The deadline of the solve this problem was made for. Model builders and searches over the
   * problem call {@code deadline().check()} in their long loops, so that a time limit bounds the
   * whole solve, model building included.
   */
  public Deadline deadline() {
    return deadline;
  }

  /** The cells in address order, from the first block's granule to the last block's. */
  public List<Cell> cells() {
    return Collections.unmodifiableList(cells);
  }

  /** All atoms in address order. */
  public List<Atom> atoms() {
    return Collections.unmodifiableList(atoms);
  }

  /**
   * Candidate TDMRs, ordered by first cell then end cell: every run of cells that starts and ends
   * in a cell holding memory (a TDMR that started or ended in a cell without memory would cover
   * only more holes and pay more PAMT). There are quadratically many; engines that need only some
   * use {@link #candidate(int)} and {@link #candidateIndex(int, int)}, which do not build the list.
   */
  public synchronized List<CandidateTdmr> candidates() {
    if (candidates == null) {
      List<CandidateTdmr> all = new ArrayList<>(candidateCount());
      for (int i = 0; i < candidateCount(); i++) {
        if ((i & 1023) == 0) {
          deadline.check();
        }
        all.add(candidate(i));
      }
      candidates = Collections.unmodifiableList(all);
    }
    return candidates;
  }

  /** Number of candidate TDMRs (the size of {@link #candidates()}). */
  public int candidateCount() {
    long m = memoryCells.length;
    return Math.toIntExact(m * (m + 1) / 2);
  }

  /**
   * The index in {@link #candidates()} of the TDMR of cells {@code [firstCell, endCell)}, or -1
   * when that run is not a candidate (its first or last cell holds no memory, or it is empty).
   */
  public int candidateIndex(int firstCell, int endCell) {
    if (firstCell < 0 || endCell > cells.size() || firstCell >= endCell
        || !cells.get(firstCell).holdsMemory() || !cells.get(endCell - 1).holdsMemory()) {
      return -1;
    }
    int first = memoryCellsBefore[firstCell];
    int last = memoryCellsBefore[endCell - 1];
    return Math.toIntExact(candidatesBefore(first) + (last - first));
  }

  /** The candidate with index {@code index} in {@link #candidates()}, built on the spot. */
  public CandidateTdmr candidate(int index) {
    if (index < 0 || index >= candidateCount()) {
      throw new IndexOutOfBoundsException("candidate " + index + " of " + candidateCount());
    }
    // The first memory cell f with candidatesBefore(f) <= index < candidatesBefore(f + 1).
    int lo = 0;
    int hi = memoryCells.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (candidatesBefore(mid) <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    int last = lo + (int) (index - candidatesBefore(lo));
    Cell first = cells.get(memoryCells[lo]);
    int endCell = memoryCells[last] + 1;
    AddressRange range = new AddressRange(first.range().start(), cells.get(endCell - 1).range().end());
    return new CandidateTdmr(index, first.index(), endCell, range, pamtBytes(range.size()), first.node());
  }

  /** Candidates whose first cell is one of the first {@code f} memory cells. */
  private long candidatesBefore(int f) {
    long m = memoryCells.length;
    return f * m - (long) f * (f - 1) / 2;
  }

  /** TDX memory at or above the HKID limit: no TDMR can hold it (rule B5), so no cell does. */
  public List<AddressRange> excludedMemory() {
    return List.copyOf(excludedMemory);
  }

  /**
   * Why no layout can exist under coverage {@code all}, one sentence per reason; empty when the
   * input is fine in principle. Under coverage {@code max} these parts are simply left out.
   */
  public List<String> impossibilities() {
    return List.copyOf(impossibilities);
  }

  /** The kernel's PAMT chunk size for a TDMR of {@code tdmrSize} bytes. */
  public long pamtBytes(long tdmrSize) {
    return PamtSizing.chunkBytes(tdmrSize, limits);
  }

  /**
   * Whether a gap atom must be reserved whenever a TDMR covers it: every gap under holes
   * {@code memlist}; only gaps not wholly convertible under {@code cmr} (the others may be reserved
   * when that merges two areas, never must).
   */
  public boolean mustReserve(Atom gap) {
    return policy.holes() == Policy.Holes.MEMLIST || !gap.convertible();
  }

  /**
   * Whether a memory atom left out of TDX memory (coverage {@code max}) must be reserved where a
   * TDMR covers it: it becomes a gap between blocks, so the same rule as for gaps applies.
   */
  public boolean mustReserveDropped(Atom memory) {
    return policy.holes() == Policy.Holes.MEMLIST || !memory.convertible();
  }

  /**
   * The module's minimum bytes per GiB of TDMR of each PAMT level (rules D2/D3). {@link
   * PamtSizing#moduleMinimum} is linear in the TDMR size for whole GiB ({@code entries = size >>
   * shift} and the Dynamic PAMT bitmap's {@code entries / 8} are exact), and the kernel rounds each
   * level up to 4 KiB, so an N GiB TDMR's chunk is {@code sum over levels of ceil(N · perGiB /
   * 4096)} pages: exactly {@link PamtSizing#chunkBytes}.
   */
  public static long[] levelBytesPerGiB(TdxLimits limits) {
    PageSize[] levels = PageSize.values();
    long[] perGiB = new long[levels.length];
    for (int i = 0; i < levels.length; i++) {
      perGiB[i] = PamtSizing.moduleMinimum(GiB, levels[i], limits);
    }
    return perGiB;
  }

  /**
   * Whether PAMT chunks of distinct TDMRs could fill memory atom {@code atom} exactly, which makes
   * it wholly reserved and merges the reserved pieces on both sides. False is a proof that they
   * cannot; true only means the arithmetic below does not rule it out.
   *
   * <p>Write each level's bytes per GiB as {@code 4096·q + r}. A chunk of N GiB has {@code N·Q +
   * sum ceil(N·r/4096)} pages ({@code Q = sum q}), so k chunks of G GiB in total have {@code G·Q +
   * S} pages, where per level the rounded parts add up to at least {@code ceil(G·r/4096)} and at
   * most {@code ceil(G·r/4096) + k - 1} (ceilings are subadditive up to one per addend), with
   * {@code k ≤ min(G, maxTdmrs)}. Both ends grow with G, so the G that could match the atom's
   * pages form one interval, found by bisection.
   */
  public boolean mayBeFilled(Atom atom) {
    long span = cells.isEmpty() ? 0 : (cells.get(cells.size() - 1).range().end() - cells.get(0).range().start()) / GiB;
    return mayBeFilled(atom, span, span, limits.maxTdmrs());
  }

  /**
   * {@link #mayBeFilled(Atom)} when the TDMRs whose chunks could go into {@code atom} are known to
   * be at most {@code totalGiB} GiB together, at most {@code largestGiB} GiB each, and at most
   * {@code mostChunks} of them (fewer than {@code maxTdmrs} when other nodes need TDMRs of their
   * own). Then k chunks of G GiB in total need {@code k ≥ ceil(G / largestGiB)}, each adds at least
   * one page per level with a remainder, and {@code G ≤ min(totalGiB, mostChunks · largestGiB)}.
   */
  public boolean mayBeFilled(Atom atom, long totalGiB, long largestGiB, long mostChunks) {
    if (!atom.memory() || atom.mustDrop() || largestGiB < 1 || mostChunks < 1) {
      return false;
    }
    long pages = atom.pages();
    long most = Math.min(totalGiB, mostChunks * largestGiB);
    // The largest G whose fewest pages still fit, and the smallest G whose most pages reach the atom.
    long lo = 0;
    long hi = Math.max(0, most);
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      if (fillPages(mid, largestGiB, mostChunks, false) <= pages) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    long largest = lo;
    lo = 1;
    hi = Math.max(1, largest);
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (fillPages(mid, largestGiB, mostChunks, true) >= pages) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return largest >= 1 && fillPages(lo, largestGiB, mostChunks, true) >= pages && fillPages(lo, largestGiB, mostChunks, false) <= pages;
  }

  /**
   * The fewest or the most pages that chunks of TDMRs of {@code giB} GiB in total, each at most
   * {@code largestGiB}, can have: between {@code ceil(giB / largestGiB)} and {@code min(giB,
   * maxTdmrs)} chunks.
   */
  private long fillPages(long giB, long largestGiB, long chunkLimit, boolean most) {
    long fewestChunks = (giB + largestGiB - 1) / largestGiB;
    long mostChunks = Math.min(giB, chunkLimit);
    long pages = 0;
    for (long perGiB : levelBytesPerGiB) {
      long rem = perGiB % PAGE;
      long rounded = Math.floorDiv(giB * rem + PAGE - 1, PAGE);
      pages += giB * (perGiB / PAGE);
      if (rem == 0) {
        continue;
      }
      pages += most ? rounded + mostChunks - 1 : Math.max(rounded, fewestChunks);
    }
    return pages;
  }


  /**
   * The end of memory atom {@code atom} that touches a required hole of the same cell (reserved
   * whenever the atom is covered), LOW first; empty when neither does. A chunk stacked there adds
   * no reserved area unless it joins pieces that were apart.
   */
  public Optional<Side> freeSide(Atom atom) {
    if (!atom.memory()) {
      return Optional.empty();
    }
    Cell cell = cells.get(atom.cell());
    if (atom.index() > cell.firstAtom() && isRequiredGap(atoms.get(atom.index() - 1))) {
      return Optional.of(Side.LOW);
    }
    if (atom.index() + 1 < cell.endAtom() && isRequiredGap(atoms.get(atom.index() + 1))) {
      return Optional.of(Side.HIGH);
    }
    return Optional.empty();
  }

  private boolean isRequiredGap(Atom a) {
    return !a.memory() && mustReserve(a);
  }

  /** Pages of the PAMT chunk of the TDMR of cells {@code [firstCell, endCell)}. */
  public long chunkPages(int firstCell, int endCell) {
    return pamtBytes(cells.get(endCell - 1).range().end() - cells.get(firstCell).range().start()) / PAGE;
  }

  /**
   * Pages of the largest memory atom that may hold the chunk of a TDMR starting at {@code start}
   * ({@link #mayHoldChunk}), 0 when none may; computed once per node.
   */
  public long largestAtomPages(Cell start) {
    return largestAtomOfNode().getOrDefault(policy.pamt() == Policy.PamtPlacementPolicy.ANY ? ANY_NODE : start.node(), 0L);
  }

  /** The key of {@link #largestAtomOfNode} when the policy lets chunks go into any node's memory. */
  private static final int ANY_NODE = Integer.MIN_VALUE;

  /**
   * One pass over the atoms, keeping those that {@link #mayHoldChunk} accepts for some start:
   * asking each node's question over all atoms would be quadratic on maps with 10 000 nodes.
   */
  private synchronized Map<Integer, Long> largestAtomOfNode() {
    if (largestAtomOfNode == null) {
      Map<Integer, Long> largest = new HashMap<>();
      for (Atom a : atoms) {
        if (a.memory() && !a.mustDrop()) {
          largest.merge(policy.pamt() == Policy.PamtPlacementPolicy.ANY ? ANY_NODE : a.node(), a.pages(), Math::max);
        }
      }
      largestAtomOfNode = largest;
    }
    return largestAtomOfNode;
  }

  /**
   * The memory atom whose block {@code tdmr_get_nid} finds for a TDMR starting at {@code cell}: the
   * cell's first memory atom, or, when that lies outside the CMRs (left out, so the kernel does not
   * see it), the next part of the same block inside them.
   */
  public Atom nodeAtom(Cell cell) {
    Atom first = null;
    for (int a = cell.firstAtom(); a < cell.endAtom(); a++) {
      Atom atom = atoms.get(a);
      if (!atom.memory()) {
        continue;
      }
      if (first == null) {
        first = atom;
      }
      if (atom.block() != first.block()) {
        break;
      }
      if (!atom.mustDrop()) {
        return atom;
      }
    }
    if (first == null) {
      throw new IllegalArgumentException("cell " + cell.range() + " holds no memory");
    }
    return first;
  }

  /** Whether TDMR {@code candidate}'s chunk may go into memory atom {@code atom} (node policy). */
  public boolean mayHoldChunk(CandidateTdmr candidate, Atom atom) {
    return mayHoldChunk(cells.get(candidate.firstCell()), atom);
  }

  /**
   * Whether the chunk of a TDMR whose first cell is {@code start} may go into memory atom {@code
   * atom}: the node policy only looks at the TDMR's node, the node of its first cell.
   */
  public boolean mayHoldChunk(Cell start, Atom atom) {
    if (!atom.memory() || atom.mustDrop()) {
      return false;
    }
    return policy.pamt() == Policy.PamtPlacementPolicy.ANY || atom.node() == start.node();
  }

  /** TDX memory bytes in atoms that cells hold (excluded memory not counted). */
  public long memoryBytes() {
    return atoms.stream().filter(Atom::memory).mapToLong(a -> a.range().size()).sum();
  }

  /** Turns a decision into a concrete layout; see {@link LayoutBuilder}. */
  public Layout buildLayout(Decision decision) {
    return new LayoutBuilder(this).build(decision);
  }

  /**
   * The map without the dropped atoms and the excluded memory: the TDX memory a kernel would have
   * after reserving them (what the OS check of a coverage {@code max} layout runs against).
   */
  public MemoryMap keptMap(List<Integer> droppedAtoms) {
    TreeSet<Integer> dropped = new TreeSet<>(droppedAtoms);
    List<MemoryBlock> kept = new ArrayList<>();
    for (Atom a : atoms) {
      if (!a.memory() || dropped.contains(a.index())) {
        continue;
      }
      MemoryBlock last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
      if (last != null && last.end() == a.range().start() && last.node() == a.node()) {
        kept.set(kept.size() - 1, new MemoryBlock(last.start(), a.range().end(), a.node()));
      } else {
        kept.add(new MemoryBlock(a.range(), a.node()));
      }
    }
    return new MemoryMap(map.source(), kept, map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
  }

  /**
   * The TDX memory a decision leaves out, as ranges in address order, touching ones merged: the
   * dropped atoms and the excluded memory (above the HKID limit). What a coverage {@code max}
   * answer lists, so that the reader can see, and reserve, exactly what is not covered.
   */
  public List<AddressRange> leftOut(List<Integer> droppedAtoms) {
    List<AddressRange> out = new ArrayList<>(excludedMemory);
    for (int a : droppedAtoms) {
      out.add(atoms.get(a).range());
    }
    return AddressRange.union(out);
  }

  // ---- preprocessing ----------------------------------------------------------------------

  /** Memory outside CMRs (rule E1) or above the HKID limit (rule B5) can never be covered. */
  private void findImpossibilities() {
    UncoverableMemory.find(map, limits, deadline, impossibilities, excludedMemory);
  }

  /**
   * Cuts {@code [alignDown(first block), alignUp(last block))} into cells. Every block edge and
   * merged-CMR edge is a breakpoint: a granule with a breakpoint strictly inside is a MIXED cell;
   * between such granules, a run with no breakpoint is uniform and becomes one PLAIN or EMPTY cell,
   * split at breakpoints on granule boundaries (a block or CMR changes there).
   */
  private void cutCells() {
    List<MemoryBlock> blocks = map.blocks();
    if (blocks.isEmpty()) {
      return;
    }
    long hkid = limits.hkidLimit();
    long lo = ByteSize.alignDown(blocks.get(0).start(), GiB);
    long hi = Math.min(ByteSize.alignUp(blocks.get(blocks.size() - 1).end(), GiB), hkid);
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
      deadline.check();
      Long next = edges.higher(p);
      long e = next == null ? hi : Math.min(next, hi);
      long runEnd = ByteSize.alignDown(e, GiB);
      if (runEnd > p) {
        addUniformCell(new AddressRange(p, runEnd));
        p = runEnd;
      } else {
        addMixedCell(new AddressRange(p, Math.min(p + GiB, hi)));
        p = Math.min(p + GiB, hi);
      }
    }
  }

  private void addUniformCell(AddressRange range) {
    int blockIndex = blockAt(range.start());
    int index = cells.size();
    int first = atoms.size();
    boolean convertible = map.cmrs().covers(range);
    if (blockIndex < 0) {
      atoms.add(new Atom(first, index, range, false, -1, -1, convertible));
      cells.add(new Cell(index, range, CellKind.EMPTY, first, first + 1, -1));
    } else {
      int node = map.blocks().get(blockIndex).node();
      atoms.add(new Atom(first, index, range, true, node, blockIndex, convertible));
      cells.add(new Cell(index, range, CellKind.PLAIN, first, first + 1, node));
    }
  }

  private void addMixedCell(AddressRange range) {
    int index = cells.size();
    int first = atoms.size();
    long cursor = range.start();
    int node = -1;
    List<MemoryBlock> blocks = map.blocks();
    // Blocks are sorted: start at the first one ending after the cell's start, stop past its end
    // (a scan from block 0 for every cell was quadratic on maps of thousands of blocks).
    for (int b = firstBlockEndingAfter(range.start()); b < blocks.size() && blocks.get(b).start() < range.end(); b++) {
      AddressRange piece = blocks.get(b).range().intersect(range);
      if (piece.isEmpty()) {
        continue;
      }
      if (piece.start() > cursor) {
        addGapAtom(index, new AddressRange(cursor, piece.start()));
      }
      if (node < 0) {
        node = blocks.get(b).node();
      }
      for (AddressRange part : splitAtCmrEdges(piece)) {
        atoms.add(new Atom(atoms.size(), index, part, true, blocks.get(b).node(), b, map.cmrs().covers(part)));
      }
      cursor = piece.end();
    }
    if (cursor < range.end()) {
      addGapAtom(index, new AddressRange(cursor, range.end()));
    }
    cells.add(new Cell(index, range, node < 0 ? CellKind.EMPTY : CellKind.MIXED, first, atoms.size(), node));
  }

  /**
   * {@code piece} cut at the merged-CMR edges strictly inside it, so that each part lies wholly
   * inside or wholly outside the CMRs: the convertible part of a block piece that a CMR edge cuts
   * may be covered (the rest, left out, is reserved), as every family allows.
   */
  private List<AddressRange> splitAtCmrEdges(AddressRange piece) {
    TreeSet<Long> cuts = new TreeSet<>();
    for (AddressRange c : map.cmrs().merged()) {
      for (long edge : new long[] {c.start(), c.end()}) {
        if (edge > piece.start() && edge < piece.end()) {
          cuts.add(edge);
        }
      }
    }
    List<AddressRange> parts = new ArrayList<>();
    long from = piece.start();
    for (long edge : cuts) {
      parts.add(new AddressRange(from, edge));
      from = edge;
    }
    parts.add(new AddressRange(from, piece.end()));
    return parts;
  }

  private void addGapAtom(int cell, AddressRange range) {
    atoms.add(new Atom(atoms.size(), cell, range, false, -1, -1, map.cmrs().covers(range)));
  }

  /** Index of the first block whose end lies above {@code address} (the number of blocks when none does). */
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

  /** Index of the block holding {@code address}, or -1. */
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

  /** Numbers the cells that hold memory, for {@link #candidateIndex} and {@link #candidate}. */
  private void indexMemoryCells() {
    memoryCellsBefore = new int[cells.size() + 1];
    List<Integer> memory = new ArrayList<>();
    for (Cell c : cells) {
      memoryCellsBefore[c.index()] = memory.size();
      if (c.holdsMemory()) {
        memory.add(c.index());
      }
    }
    memoryCellsBefore[cells.size()] = memory.size();
    memoryCells = memory.stream().mapToInt(Integer::intValue).toArray();
  }

  /** One line describing the instance size, for messages and benchmarks. */
  public String describe() {
    long plain = cells.stream().filter(c -> c.kind() == CellKind.PLAIN).count();
    long mixed = cells.stream().filter(c -> c.kind() == CellKind.MIXED).count();
    return "%d cells (%d plain, %d mixed), %d atoms, %d candidate TDMRs"
        .formatted(cells.size(), plain, mixed, atoms.size(), candidateCount());
  }
}
