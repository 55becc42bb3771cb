package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.Predicate;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Side;
import tdmr.solver.explain.Reason;
import tdmr.tdx.Policy;

/**
 * The Z3 formulas of one {@link Problem}: Boolean variables, the module's rules by group as
 * Boolean, cardinality and pseudo-Boolean constraints, and the objectives as weighted soft
 * constraints. Formulas are either background (definitions of helper variables, which always hold)
 * or belong to a named {@link Reason} group, so the same formulas go into an {@code Optimize} when
 * optimising and into tracked {@code Solver}s when explaining.
 *
 * <p>The encoding is written for Z3's SAT core and grows with the number of TDMRs the {@link Scope}
 * offers, never with their product with the cells they span:
 *
 * <ul>
 *   <li><b>TDMRs as runs of cells.</b> Per cell: a TDMR starts here, ends here, covers it, and
 *       continues into the next cell. Per start cell {@code f} a chain {@code reaches[f][k]} ("the
 *       TDMR starting at f covers cell k"), each link one clause; the TDMR of cells {@code [f, e)}
 *       is {@code reaches[f][e-1] ∧ ends[e-1]}. TDMRs are disjoint and on cell edges by
 *       construction (rules B2 to B5).
 *   <li><b>Reserved areas, each start of one a Boolean</b>, in address order. "At most R areas per
 *       TDMR" is one cardinality constraint per TDMR the scope offers when they are few, or else a
 *       unary counter along the address line, reset where a TDMR starts, that may not pass R: a
 *       few clauses per place and area, however many TDMRs span each place.
 *   <li><b>PAMT chunks placed per start cell</b> (one TDMR starts there at most): an atom and a side.
 *       A chunk's size depends on where its TDMR ends, which matters only in atoms where the chunks
 *       that may go there could overflow it or fill it exactly; only there do placements meet TDMR
 *       ends in pseudo-Boolean sums of pages (rule D4 and fills), and for overflows only once a
 *       model overflows the atom. Atoms with room for every chunk at once form a pool per node,
 *       where only the number of chunks and the stacks used count.
 *   <li><b>Objectives with small weights.</b> PAMT pages are affine in TDMR size per level ({@code
 *       ceil(N · bytesPerGiB / 4096)}): the whole pages are a weight on each covered cell, and the
 *       rounding is one page per level and threshold a TDMR's length passes (one page per TDMR up to
 *       256 GiB with the default entry sizes), so the search never weighs a TDMR by its hundreds of
 *       thousands of pages.
 * </ul>
 *
 * <p>Reserved areas are counted as the module sees them: the connected components of reserved
 * pieces inside a TDMR. Scanning a TDMR's atoms in address order, an area starts at an atom's low
 * end when a reserved piece is there (the whole atom, or a stack of chunks) and the piece before,
 * in the same TDMR, is not reserved up to its end; and at a stack against an atom's high end when
 * the atom is not wholly reserved (free memory lies below the stack).
 */
final class Z3Model {
  /**
   * The TDMRs a model offers: per start cell (holding memory), the ends (one past the last cell,
   * whose last cell holds memory) in ascending order; empty for a cell where no TDMR may start.
   * A scope that leaves out TDMRs is a restriction the engine must justify (a proven bound).
   */
  @FunctionalInterface
  interface Scope {
    int[] ends(int startCell);
  }

  /**
   * Equivalent encodings and searches, chosen for speed; tests force each to check that they agree.
   *
   * @param areaLimit how rule C1's limit is stated (see {@link #countAreasPerTdmr})
   * @param lazyFits whether the exact D4 sums of atoms that chunks cannot fill wait for a model
   *     that overflows them (see {@link #chunksFitByCount})
   * @param sharedBounds whether the engine starts from the solver-neutral bounds of {@code
   *     PamtLowerBound} (coverage {@code all}); without them Z3 proves every tier alone, which tests
   *     use to check the bounds with a proof that does not share them
   */
  record Encoding(AreaLimit areaLimit, boolean lazyFits, boolean sharedBounds) {
    /** What the engine uses: the smaller form of the area limit, lazy sums, the shared bounds. */
    static final Encoding FAST = new Encoding(AreaLimit.SMALLER, true, true);
  }

  /** The two forms of the area limit, or whichever is smaller for the model at hand. */
  enum AreaLimit {
    SMALLER,
    PER_TDMR,
    COUNTER
  }

  private final Context ctx;
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final List<BoolExpr> background = new ArrayList<>();
  private final Map<Reason, List<BoolExpr>> groups = new LinkedHashMap<>();
  /** Whether chunks might fill a memory atom exactly (false is a proof that they cannot). */
  private final Predicate<Atom> mayBeFilled;
  private final Encoding encoding;

  /** Per cell: the allowed ends of TDMRs starting there (empty: none starts there). */
  private final int[][] ends;
  /** Per cell: a TDMR starts / ends (its last cell) / covers / continues into the next cell. */
  private final BoolExpr[] starts;
  private final BoolExpr[] endsAt;
  private final BoolExpr[] covered;
  private final BoolExpr[] continues;
  /** Per start cell f: reaches[f][k - f] = the TDMR starting at f covers cell k. */
  private final BoolExpr[][] reaches;
  /** Per start cell f: tdmr[f][i] = the TDMR is cells [f, ends[f][i]). */
  private final BoolExpr[][] tdmr;
  /** Per start cell: its chunk goes to the pool of its node (null without a pool). */
  private final BoolExpr[] inPool;
  /** The stacks of every pool, in address order. */
  private final List<Pooled> pooled = new ArrayList<>();
  /** Chunk placements per start cell, and per memory atom. */
  private final Map<Integer, List<Placement>> placementsFrom = new LinkedHashMap<>();
  private final Map<Integer, List<Placement>> placementsIn = new LinkedHashMap<>();
  /** Per atom: the whole atom is reserved. */
  private final BoolExpr[] wholeReserved;
  /** Memory atoms whose chunks are held to their pages exactly (the others by count, see chunksFitByCount). */
  private final Set<Integer> fits = new HashSet<>();
  /** Per start cell and atom: the chunk is in the atom, either side. */
  private final Map<List<Integer>, BoolExpr> placedIn = new HashMap<>();
  /** Per memory atom: chunks fill it exactly. */
  private final BoolExpr[] filled;
  /** Per memory atom: a LOW (HIGH) stack of chunks is there. */
  private final BoolExpr[] lowStack;
  private final BoolExpr[] highStack;
  /** Per memory atom: left out of TDX memory (coverage max only; false otherwise). */
  private final BoolExpr[] dropped;
  /** Per atom: a reserved area starts at its low end / at its high stack. */
  private final BoolExpr[] startsLow;
  private final BoolExpr[] startsHigh;
  /** Pages per GiB of TDMR that every level pays whole (the linear part of the PAMT). */
  private final long wholePagesPerGiB;
  /** Per level: bytes per GiB beyond whole pages (its rounding), 0 when it rounds nothing. */
  private final long[] remainders;

  private int variables;

  /** One possible chunk position: the chunk of the TDMR starting at cell {@code start}. */
  record Placement(int start, int atom, Side side, BoolExpr var) {}

  /** A stack of a pool atom: used or not. */
  record Pooled(int atom, Side side, BoolExpr used) {}

  /**
   * The formulas of {@code problem} over the TDMRs {@code scope} offers; {@code mayBeFilled} says
   * which memory atoms chunks might fill exactly ({@link Problem#mayBeFilled}, or a proven
   * refinement): the others are never wholly reserved by chunks.
   */
  Z3Model(Context ctx, Problem problem, Scope scope, Predicate<Atom> mayBeFilled, Encoding encoding) {
    this.encoding = encoding;
    this.ctx = ctx;
    this.problem = problem;
    this.mayBeFilled = mayBeFilled;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    int n = cells.size();
    this.ends = new int[n][];
    for (Cell k : cells) {
      ends[k.index()] = k.holdsMemory() ? scope.ends(k.index()) : new int[0];
    }
    this.starts = new BoolExpr[n];
    this.endsAt = new BoolExpr[n];
    this.covered = new BoolExpr[n];
    this.continues = new BoolExpr[n];
    this.reaches = new BoolExpr[n][];
    this.tdmr = new BoolExpr[n][];
    this.inPool = new BoolExpr[n];
    this.wholeReserved = new BoolExpr[atoms.size()];
    this.filled = new BoolExpr[atoms.size()];
    this.lowStack = new BoolExpr[atoms.size()];
    this.highStack = new BoolExpr[atoms.size()];
    this.dropped = new BoolExpr[atoms.size()];
    this.startsLow = new BoolExpr[atoms.size()];
    this.startsHigh = new BoolExpr[atoms.size()];
    long[] perGiB = Problem.levelBytesPerGiB(problem.limits());
    long whole = 0;
    this.remainders = new long[perGiB.length];
    for (int l = 0; l < perGiB.length; l++) {
      whole += perGiB[l] / PAGE;
      remainders[l] = perGiB[l] % PAGE;
    }
    this.wholePagesPerGiB = whole;

    // Stated in the order the counting needs: reserved areas (C) count the chunk stacks of D and
    // the left-out memory of E.
    tdmrsAreRunsOfCells();
    pamtChunksLieInTdxMemory();
    memoryIsConvertibleAndCovered();
    reservedAreasPerTdmr();
  }

  // ---- rule groups -------------------------------------------------------------------------

  /**
   * Rules A4, B2, B3, B4, B5 and the family's TDMR shape. TDMRs are runs of cells from a start
   * cell to an end cell, both holding memory (so on 1 GiB boundaries below the HKID limit: B4,
   * B5); a cell is covered when a TDMR starts there or the TDMR of the cell before continues, and a
   * TDMR only starts where none continues (sorted and disjoint: B2, B3). A4: at least one and at
   * most MAX_TDMRS TDMRs.
   */
  private void tdmrsAreRunsOfCells() {
    int n = cells.size();
    for (Cell k : cells) {
      int i = k.index();
      String at = "@0x%x".formatted(k.range().start());
      boolean mayStart = ends[i].length > 0;
      boolean mayEnd = k.holdsMemory();
      starts[i] = mayStart ? bool("starts" + at) : ctx.mkFalse();
      endsAt[i] = mayEnd ? bool("ends" + at) : ctx.mkFalse();
      BoolExpr before = i == 0 ? ctx.mkFalse() : continues[i - 1];
      covered[i] = define("covered" + at, or(starts[i], before));
      // B2/B3: a TDMR starts only where the one before has ended.
      if (mayStart && i > 0) {
        background.add(ctx.mkImplies(starts[i], ctx.mkNot(before)));
      }
      if (mayEnd) {
        background.add(ctx.mkImplies(endsAt[i], covered[i]));
      }
      continues[i] = i == n - 1 ? ctx.mkFalse() : define("continues" + at, ctx.mkAnd(covered[i], ctx.mkNot(endsAt[i])));
      if (i == n - 1) {
        // The last cell ends any TDMR that covers it.
        background.add(ctx.mkImplies(covered[i], endsAt[i]));
      }
    }
    for (Cell k : cells) {
      int s = k.index();
      if (ends[s].length == 0) {
        continue;
      }
      int reach = ends[s][ends[s].length - 1];
      reaches[s] = new BoolExpr[reach - s];
      reaches[s][0] = starts[s];
      for (int c = s + 1; c < reach; c++) {
        reaches[s][c - s] = define("reaches@0x%x@0x%x".formatted(k.range().start(), cells.get(c).range().start()),
            ctx.mkAnd(reaches[s][c - s - 1], continues[c - 1]));
      }
      tdmr[s] = new BoolExpr[ends[s].length];
      for (int e = 0; e < ends[s].length; e++) {
        int last = ends[s][e] - 1;
        tdmr[s][e] = define("tdmr[0x%x,0x%x)".formatted(k.range().start(), cells.get(last).range().end()),
            ctx.mkAnd(reaches[s][last - s], endsAt[last]));
      }
      // The TDMR starting here ends at one of the ends the scope offers.
      background.add(ctx.mkImplies(starts[s], ctx.mkOr(tdmr[s])));
    }
    List<BoolExpr> all = new ArrayList<>();
    for (BoolExpr s : starts) {
      if (!s.isFalse()) {
        all.add(s);
      }
    }
    background.add(or(all));
    if (all.size() > problem.limits().maxTdmrs()) {
      grouped(new Reason.MaxTdmrs(problem.limits().maxTdmrs()), ctx.mkAtMost(array(all), problem.limits().maxTdmrs()));
    }
  }

  /**
   * Rules D4, D5, D6 and the OS's PAMT allocation. Each TDMR has one PAMT chunk (the kernel's 4K,
   * 2M, 1G levels back to back), stacked against one end of a memory atom it may use (on the
   * TDMR's node under node-local) and no larger than the atom. D4: the chunks in one atom do not
   * overlap, so their pages fit in the atom; where they can fill it exactly, {@code filled} says
   * whether they do (which makes the atom reserved, see {@link #reservedAreasPerTdmr}). D5: a chunk
   * is reserved in the TDMR holding it, which the reserved areas count.
   *
   * <p>Roomy atoms form a pool per node (see {@link #pool}): there the model only says how many
   * chunks go to the pool and which stacks are used, since any assignment of the chunks to the
   * used stacks fits. Elsewhere each chunk has a Boolean per atom and side.
   */
  private void pamtChunksLieInTdxMemory() {
    Map<Integer, List<BoolExpr>> placedPerNode = new LinkedHashMap<>();
    Map<Integer, List<Atom>> pools = new LinkedHashMap<>();
    Map<Integer, List<BoolExpr>> inPoolPerNode = new LinkedHashMap<>();
    for (Cell k : cells) {
      int s = k.index();
      if (ends[s].length == 0) {
        continue;
      }
      int node = roomNode(k.node());
      List<Atom> pool = pools.computeIfAbsent(node, n -> pool(k));
      long smallest = chunkPages(s, 0);
      List<Placement> ps = new ArrayList<>();
      for (Atom a : atoms) {
        if (!problem.mayHoldChunk(k, a) || a.pages() < smallest || pool.contains(a)) {
          continue;
        }
        for (Side side : Side.values()) {
          BoolExpr v = bool("pamt@0x%x.in@0x%x.%s".formatted(k.range().start(), a.range().start(), side.name().toLowerCase()));
          Placement p = new Placement(s, a.index(), side, v);
          ps.add(p);
          placementsIn.computeIfAbsent(a.index(), i -> new ArrayList<>()).add(p);
          // The chunk fits the atom: a TDMR whose chunk is larger (it reaches the last cell of the
          // first end with a chunk too large) does not put it there.
          for (int e = 0; e < ends[s].length; e++) {
            if (chunkPages(s, e) > a.pages()) {
              background.add(ctx.mkImplies(v, ctx.mkNot(reaches[s][ends[s][e] - 1 - s])));
              break;
            }
          }
        }
      }
      placementsFrom.put(s, ps);
      List<BoolExpr> choices = new ArrayList<>(ps.stream().map(Placement::var).toList());
      if (!pool.isEmpty()) {
        inPool[s] = bool("pamt@0x%x.in-pool".formatted(k.range().start()));
        choices.add(inPool[s]);
        inPoolPerNode.computeIfAbsent(node, n -> new ArrayList<>()).add(inPool[s]);
      }
      // A chunk only for a TDMR starting here, and one place at most: at most one of the places
      // and "no TDMR starts here".
      List<BoolExpr> atMostOne = new ArrayList<>(choices);
      atMostOne.add(ctx.mkNot(starts[s]));
      background.add(ctx.mkAtMost(array(atMostOne), 1));
      // At least one place for the chunk of a TDMR starting here.
      placedPerNode.computeIfAbsent(node, x -> new ArrayList<>()).add(ctx.mkImplies(starts[s], or(choices)));
    }
    inPoolPerNode.forEach((node, inPool) -> placedPerNode.get(node).add(poolStacks(pools.get(node), inPool)));
    placedPerNode.forEach((node, fs) -> grouped(new Reason.PamtRoom(node), and(fs)));
    for (Atom a : atoms) {
      int i = a.index();
      filled[i] = ctx.mkFalse();
      if (lowStack[i] != null) {
        continue;
      }
      List<Placement> in = placementsIn.getOrDefault(i, List.of());
      lowStack[i] = or(in.stream().filter(p -> p.side() == Side.LOW).map(Placement::var).toList());
      highStack[i] = or(in.stream().filter(p -> p.side() == Side.HIGH).map(Placement::var).toList());
      if (in.isEmpty()) {
        continue;
      }
      long most = mostPagesIn(in, a);
      boolean overflows = most > a.pages();
      boolean fillable = most >= a.pages() && mayBeFilled.test(a);
      if (fillable) {
        PagesIn pages = pagesIn(a, in);
        filled[i] = define("filled@0x%x".formatted(a.range().start()), pages.atLeast(a.pages()));
        if (overflows) {
          background.add(pages.atMost(a.pages()));
          fits.add(i);
        }
      } else if (overflows) {
        chunksFitByCount(a, in);
        if (!encoding.lazyFits()) {
          chunksFit(List.of(i));
        }
      }
    }
  }

  /**
   * D4 for an atom that no chunks can fill, first as a count: no more chunks than the atom holds
   * of the smallest ones. The exact sum of pages ({@link #chunksFit}) is added where a model
   * overflows the atom anyway (an overflow is rare: the search puts chunks where they save areas,
   * seldom several into one small atom), so most atoms never need the Booleans that tie placements
   * to TDMR lengths. A physical fact, never the thing to relax, so it is background: an explanation
   * names the node's PAMT duty.
   */
  private void chunksFitByCount(Atom a, List<Placement> in) {
    List<Integer> from = in.stream().map(Placement::start).distinct().toList();
    long smallest = from.stream().mapToLong(s -> chunkPages(s, 0)).min().orElse(1);
    long most = a.pages() / smallest;
    if (most < from.size()) {
      background.add(ctx.mkAtMost(array(from.stream().map(s -> placedIn(s, a, in)).toList()), (int) most));
    }
  }

  /**
   * D4 exactly for {@code atoms}: the chunks placed in each fit in its pages. Returns the new
   * constraints (empty for atoms that have them already); see {@link #chunksFitByCount}.
   */
  List<BoolExpr> chunksFit(List<Integer> overflowing) {
    int before = background.size();
    for (int i : overflowing) {
      if (fits.add(i)) {
        background.add(pagesIn(atoms.get(i), placementsIn.getOrDefault(i, List.of())).atMost(atoms.get(i).pages()));
      }
    }
    // The sums' helper definitions and the sums themselves.
    return List.copyOf(background.subList(before, background.size()));
  }

  /**
   * The constraints a model still breaks among those stated lazily (the exact D4 sums of {@link
   * #chunksFit}): empty when its decision is a layout.
   */
  List<BoolExpr> repairs(Model m) {
    return chunksFit(overflowing(decision(m)));
  }

  /** The memory atoms whose chunks in {@code decision} take more pages than they have. */
  List<Integer> overflowing(Problem.Decision decision) {
    Map<Integer, Long> load = new LinkedHashMap<>();
    for (Problem.TdmrChoice c : decision.tdmrs()) {
      load.merge(c.chunkAtom(), problem.candidate(c.candidate()).pamtPages(), Long::sum);
    }
    List<Integer> out = new ArrayList<>();
    load.forEach((atom, pages) -> {
      if (pages > atoms.get(atom).pages()) {
        out.add(atom);
      }
    });
    return out;
  }

  /**
   * The pool of the node of start cell {@code start} (all memory under PAMT {@code any}): the
   * memory atoms that may hold the chunks of TDMRs starting on that node and hold all of them at
   * once, the largest each start's TDMR may have, without ever being filled exactly (more room
   * than that, or {@link #mayBeFilled} rules a fill out). In a pool atom a chunk's size never
   * matters, and a stack never joins two areas (the atom's other end stays free memory): only
   * which stacks are used counts.
   */
  private List<Atom> pool(Cell start) {
    List<Integer> starters = new ArrayList<>();
    for (Cell k : cells) {
      if (ends[k.index()].length > 0 && roomNode(k.node()) == roomNode(start.node())) {
        starters.add(k.index());
      }
    }
    long most = mostChunkPages(starters, Long.MAX_VALUE);
    List<Atom> pool = new ArrayList<>();
    for (Atom a : atoms) {
      if (problem.mayHoldChunk(start, a) && (a.pages() > most || a.pages() == most && !mayBeFilled.test(a))) {
        pool.add(a);
      }
    }
    return pool;
  }

  /**
   * The stacks of a node's pool: each used stack holds at least one of the chunks sent to the pool
   * ({@code inPool}), and they go to used stacks only; so there are at least one and at most as
   * many used stacks as chunks in the pool. A used stack lies in kept memory.
   */
  private BoolExpr poolStacks(List<Atom> pool, List<BoolExpr> inPool) {
    List<BoolExpr> used = new ArrayList<>();
    for (Atom a : pool) {
      int i = a.index();
      lowStack[i] = bool("pool@0x%x.low".formatted(a.range().start()));
      highStack[i] = bool("pool@0x%x.high".formatted(a.range().start()));
      for (BoolExpr stack : new BoolExpr[] {lowStack[i], highStack[i]}) {
        used.add(stack);
        pooled.add(new Pooled(i, stack == lowStack[i] ? Side.LOW : Side.HIGH, stack));
      }
    }
    List<BoolExpr> counted = new ArrayList<>(used);
    inPool.forEach(x -> counted.add(ctx.mkNot(x)));
    return ctx.mkAnd(
        ctx.mkImplies(or(inPool), or(used)),
        ctx.mkImplies(or(used), or(inPool)),
        ctx.mkAtMost(array(counted), inPool.size()));
  }

  /**
   * Rule E1 and the OS's coverage. E1: the non-reserved part of a TDMR lies in CMRs, so memory not
   * inside CMRs is never kept TDX memory (the problem lists it as impossible under coverage all).
   * Coverage all: every block lies in TDMRs. Coverage max: memory of an uncovered cell, and memory
   * outside CMRs, is left out; chunks only go into kept memory; a TDMR keeps the first memory of
   * its first cell (so the node-local PAMT node stays the kernel's choice).
   */
  private void memoryIsConvertibleAndCovered() {
    boolean max = problem.policy().coverage() == Policy.Coverage.MAX;
    Map<Integer, List<BoolExpr>> coveragePerBlock = new LinkedHashMap<>();
    for (Atom a : atoms) {
      if (!a.memory()) {
        dropped[a.index()] = ctx.mkFalse();
        continue;
      }
      BoolExpr cell = covered[a.cell()];
      if (max) {
        dropped[a.index()] = bool("dropped@0x%x".formatted(a.range().start()));
        background.add(ctx.mkImplies(ctx.mkNot(cell), dropped[a.index()]));
        if (a.mustDrop()) {
          background.add(dropped[a.index()]);
        }
      } else {
        dropped[a.index()] = ctx.mkFalse();
        coveragePerBlock.computeIfAbsent(a.block(), b -> new ArrayList<>()).add(cell);
      }
    }
    if (max) {
      for (List<Placement> ps : placementsIn.values()) {
        for (Placement p : ps) {
          // PAMTs are carved out of kept TDX memory.
          background.add(ctx.mkImplies(p.var(), ctx.mkNot(dropped[p.atom()])));
        }
      }
      for (Pooled p : pooled) {
        background.add(ctx.mkImplies(p.used(), ctx.mkAnd(ctx.mkNot(dropped[p.atom()]), covered[atoms.get(p.atom()).cell()])));
      }
      // The kernel's tdmr_get_nid picks the node of the first TDX block ending after the TDMR base;
      // keeping the first memory of a TDMR's first cell keeps that the node the problem assigns.
      for (Cell k : cells) {
        if (ends[k.index()].length > 0) {
          background.add(ctx.mkImplies(starts[k.index()], ctx.mkNot(dropped[problem.nodeAtom(k).index()])));
        }
      }
    }
    List<MemoryBlock> blocks = problem.map().blocks();
    coveragePerBlock.forEach((b, fs) -> grouped(new Reason.BlockCoverage(blocks.get(b)), and(fs)));
  }

  /**
   * Rule C1 with MAX_RESERVED_PER_TDMR, and the holes every TDMR must reserve (rule E1 for
   * non-convertible gaps; the kernel's memlist for every gap). A TDMR's areas are the connected
   * components of its reserved pieces: holes, left-out memory, chunk stacks, filled atoms, and
   * convertible gaps the layout may choose to reserve (rule C allows reserved areas over convertible
   * memory; it pays off when it joins two areas). The places where an area can start are counted
   * in address order by a unary counter that restarts with each TDMR; the limit forbids the counter
   * to pass it.
   */
  private void reservedAreasPerTdmr() {
    Map<Integer, List<BoolExpr>> holesPerCell = new LinkedHashMap<>();
    for (Atom a : atoms) {
      int i = a.index();
      if (!a.memory()) {
        if (problem.mustReserve(a)) {
          // Its own Boolean, reserved by its group, so that an explanation can drop the group.
          wholeReserved[i] = bool("hole@0x%x".formatted(a.range().start()));
          holesPerCell.computeIfAbsent(a.cell(), k -> new ArrayList<>()).add(wholeReserved[i]);
        } else {
          wholeReserved[i] = bool("reserved@0x%x".formatted(a.range().start()));
        }
        continue;
      }
      // A memory atom is wholly reserved when chunks fill it, or when it is left out (a new gap,
      // reserved when the policy requires it, optional otherwise).
      boolean mayDrop = !dropped[i].isFalse();
      if (!mayDrop) {
        wholeReserved[i] = filled[i];
        continue;
      }
      BoolExpr whole = bool("reserved@0x%x".formatted(a.range().start()));
      BoolExpr must = problem.mustReserveDropped(a) ? dropped[i] : ctx.mkFalse();
      background.add(ctx.mkImplies(ctx.mkOr(filled[i], must), whole));
      background.add(ctx.mkImplies(ctx.mkAnd(ctx.mkNot(filled[i]), ctx.mkNot(dropped[i])), ctx.mkNot(whole)));
      wholeReserved[i] = whole;
    }
    Policy.Holes kind = problem.policy().holes();
    holesPerCell.forEach((k, hs) -> grouped(new Reason.GranuleHoles(cells.get(k).range(), hs.size(), kind), and(hs)));
    for (Atom a : atoms) {
      int i = a.index();
      Cell k = cells.get(a.cell());
      BoolExpr firstOfTdmr = i == k.firstAtom() ? starts[k.index()] : ctx.mkFalse();
      BoolExpr reservedToEndBefore = i == 0 ? ctx.mkFalse() : or(wholeReserved[i - 1], highStack[i - 1]);
      BoolExpr joinsPrevious = ctx.mkAnd(ctx.mkNot(firstOfTdmr), reservedToEndBefore);
      BoolExpr reservedHere = or(wholeReserved[i], lowStack[i]);
      startsLow[i] = reservedHere.isFalse() ? ctx.mkFalse()
          : define("area-at@0x%x".formatted(a.range().start()), ctx.mkAnd(covered[k.index()], reservedHere, ctx.mkNot(joinsPrevious)));
      startsHigh[i] = !a.memory() || highStack[i].isFalse() ? ctx.mkFalse()
          : define("area-below@0x%x".formatted(a.range().end()),
              ctx.mkAnd(covered[k.index()], highStack[i], ctx.mkNot(wholeReserved[i])));
    }
    countAreasPerTdmr();
  }

  /**
   * Rule C1's limit, in whichever of two equivalent forms is smaller for this model: one
   * cardinality constraint per TDMR the scope offers over the places in its cells ({@link
   * #areasPerTdmrByCardinality}; small when few TDMRs are offered), or one unary counter along the
   * address line ({@link #areasPerTdmrByCounter}; grows with the places only).
   */
  private void countAreasPerTdmr() {
    int limit = problem.limits().maxReservedPerTdmr();
    int[] placesBefore = new int[cells.size() + 1];
    for (Atom a : atoms) {
      placesBefore[a.cell() + 1] += (startsLow[a.index()].isFalse() ? 0 : 1) + (startsHigh[a.index()].isFalse() ? 0 : 1);
    }
    for (int k = 0; k < cells.size(); k++) {
      placesBefore[k + 1] += placesBefore[k];
    }
    long byCardinality = 0;
    for (int s = 0; s < cells.size(); s++) {
      for (int e : ends[s]) {
        int places = placesBefore[e] - placesBefore[s];
        byCardinality += places > limit ? places : 0;
      }
    }
    long byCounter = 3L * placesBefore[cells.size()] * limit;
    AreaLimit form = encoding.areaLimit() != AreaLimit.SMALLER ? encoding.areaLimit()
        : byCardinality <= byCounter ? AreaLimit.PER_TDMR : AreaLimit.COUNTER;
    if (form == AreaLimit.PER_TDMR) {
      areasPerTdmrByCardinality(limit);
    } else {
      areasPerTdmrByCounter(limit);
    }
  }

  /** Per TDMR the scope offers: when it is in the layout, at most {@code limit} areas start in its cells. */
  private void areasPerTdmrByCardinality(int limit) {
    List<BoolExpr> perTdmr = new ArrayList<>();
    for (int s = 0; s < cells.size(); s++) {
      for (int e = 0; e < ends[s].length; e++) {
        List<BoolExpr> places = new ArrayList<>();
        for (int k = s; k < ends[s][e]; k++) {
          for (int i = cells.get(k).firstAtom(); i < cells.get(k).endAtom(); i++) {
            for (BoolExpr place : new BoolExpr[] {startsLow[i], startsHigh[i]}) {
              if (!place.isFalse()) {
                places.add(place);
              }
            }
          }
        }
        if (places.size() > limit) {
          perTdmr.add(ctx.mkImplies(tdmr[s][e], limit == 0 ? ctx.mkNot(or(places)) : ctx.mkAtMost(array(places), limit)));
        }
      }
    }
    if (!perTdmr.isEmpty()) {
      grouped(new Reason.ReservedLimit(limit), and(perTdmr));
    }
  }

  /**
   * The unary counter: {@code atLeast[v]} after a place means "at least v+1 areas start in this
   * TDMR up to here". It restarts where a TDMR starts (at the first place at or after its first
   * cell), goes up by one where an area starts, and may never pass the limit (the {@link
   * Reason.ReservedLimit} group). Only lower bounds are forced, which is all a limit needs.
   */
  private void areasPerTdmrByCounter(int limit) {
    Reason reason = new Reason.ReservedLimit(limit);
    List<BoolExpr> forbidden = new ArrayList<>();
    BoolExpr[] count = null;
    int lastCell = -1;
    for (Atom a : atoms) {
      for (int side = 0; side < 2; side++) {
        BoolExpr place = side == 0 ? startsLow[a.index()] : startsHigh[a.index()];
        if (place.isFalse()) {
          continue;
        }
        // A TDMR starting in a cell since the last place restarts the count.
        List<BoolExpr> restarts = new ArrayList<>();
        for (int k = lastCell + 1; k <= a.cell(); k++) {
          if (!starts[k].isFalse()) {
            restarts.add(starts[k]);
          }
        }
        lastCell = a.cell();
        BoolExpr restart = or(restarts);
        BoolExpr goesOn = ctx.mkNot(restart);
        if (limit == 0) {
          forbidden.add(ctx.mkNot(place));
          continue;
        }
        BoolExpr[] next = new BoolExpr[limit];
        String at = "areas@0x%x.%s".formatted(a.range().start(), side == 0 ? "low" : "high");
        for (int v = 0; v < limit; v++) {
          next[v] = bool(at + ">" + v);
        }
        background.add(ctx.mkImplies(place, next[0]));
        if (count != null) {
          for (int v = 0; v < limit; v++) {
            background.add(ctx.mkImplies(ctx.mkAnd(goesOn, count[v]), next[v]));
            if (v + 1 < limit) {
              background.add(ctx.mkImplies(ctx.mkAnd(goesOn, place, count[v]), next[v + 1]));
            }
          }
          // C1: one more area after the limit is reached in the same TDMR is not allowed.
          forbidden.add(ctx.mkNot(ctx.mkAnd(goesOn, place, count[limit - 1])));
        }
        count = next;
      }
    }
    if (!forbidden.isEmpty()) {
      grouped(reason, and(forbidden));
    }
  }

  // ---- objectives, as weighted soft constraints (violating one costs its weight) -------------

  /** A soft constraint: {@code holds} should be true; violating it costs {@code weight}. */
  record Soft(BoolExpr holds, long weight) {}

  /** Memory kept as TDX memory, one page per unit (maximised first under coverage max). */
  List<Soft> keepMemory() {
    List<Soft> out = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && !a.mustDrop()) {
        out.add(new Soft(ctx.mkNot(dropped[a.index()]), a.pages()));
      }
    }
    return out;
  }

  /**
   * PAMT pages, less {@link #pamtPagesAlwaysPaid()}: the whole pages per GiB on each covered cell
   * (left out when the cell is always covered), and for each level that rounds, one page per TDMR
   * and one per threshold its length passes. A TDMR of N GiB then costs exactly its chunk pages,
   * {@code sum over levels ceil(N · bytesPerGiB / 4096)}.
   */
  List<Soft> leastPamt() {
    List<Soft> out = new ArrayList<>();
    boolean max = problem.policy().coverage() == Policy.Coverage.MAX;
    for (Cell k : cells) {
      if (max || !k.holdsMemory()) {
        out.add(new Soft(ctx.mkNot(covered[k.index()]), wholePagesPerGiB * k.sizeGiB()));
      }
    }
    for (Cell k : cells) {
      int s = k.index();
      if (reaches[s] == null) {
        continue;
      }
      for (long r : remainders) {
        if (r == 0) {
          continue;
        }
        out.add(new Soft(ctx.mkNot(starts[s]), 1));
        for (long j = 2; ; j++) {
          long address = k.range().start() + (roundingThreshold(r, j) - 1) * ByteSize.GiB;
          int c = cellAt(address, s);
          if (c < 0 || c - s >= reaches[s].length) {
            break;
          }
          out.add(new Soft(ctx.mkNot(reaches[s][c - s]), 1));
        }
      }
    }
    return out;
  }

  /**
   * The length in GiB from which a TDMR pays the {@code j}-th rounded page of a level with {@code
   * remainder} bytes per GiB beyond whole pages: {@code ceil(N · r / 4096)} counts the {@code j >=
   * 1} with {@code N > (j - 1) · 4096 / r}, that is {@code N >= floor((j - 1) · 4096 / r) + 1}.
   */
  static long roundingThreshold(long remainder, long j) {
    return (j - 1) * PAGE / remainder + 1;
  }

  /** The PAMT pages {@link #leastPamt()} leaves out because every layout pays them. */
  long pamtPagesAlwaysPaid() {
    if (problem.policy().coverage() == Policy.Coverage.MAX) {
      return 0;
    }
    return cells.stream().filter(Cell::holdsMemory).mapToLong(k -> wholePagesPerGiB * k.sizeGiB()).sum();
  }

  /** Each TDMR costs 1. */
  List<Soft> fewestTdmrs() {
    List<Soft> out = new ArrayList<>();
    for (BoolExpr s : starts) {
      if (!s.isFalse()) {
        out.add(new Soft(ctx.mkNot(s), 1));
      }
    }
    return out;
  }

  /** Each reserved area costs 1. */
  List<Soft> fewestReservedAreas() {
    List<Soft> out = new ArrayList<>();
    for (Atom a : atoms) {
      for (BoolExpr place : new BoolExpr[] {startsLow[a.index()], startsHigh[a.index()]}) {
        if (!place.isFalse()) {
          out.add(new Soft(ctx.mkNot(place), 1));
        }
      }
    }
    return out;
  }

  // ---- reading a model ---------------------------------------------------------------------

  /** The decision a satisfying model stands for. */
  Problem.Decision decision(Model m) {
    List<Problem.TdmrChoice> tdmrs = new ArrayList<>();
    Map<Integer, Integer> pooledSoFar = new LinkedHashMap<>();
    for (Cell k : cells) {
      int s = k.index();
      if (ends[s].length == 0 || !isTrue(m, starts[s])) {
        continue;
      }
      int end = -1;
      for (int e = 0; e < ends[s].length; e++) {
        if (isTrue(m, tdmr[s][e])) {
          end = ends[s][e];
        }
      }
      if (end < 0) {
        throw new IllegalStateException("Z3 model starts a TDMR at " + k.range() + " and ends none");
      }
      int candidate = problem.candidateIndex(s, end);
      if (inPool[s] != null && isTrue(m, inPool[s])) {
        // Pool chunks are dealt to the used stacks of their node in address order, the rest to the
        // first: each used stack gets one, and any share fits (see #pool).
        List<Pooled> used = pooled.stream()
            .filter(p -> roomNode(atoms.get(p.atom()).node()) == roomNode(k.node()) && isTrue(m, p.used())).toList();
        int dealt = pooledSoFar.merge(roomNode(k.node()), 1, Integer::sum) - 1;
        Pooled to = used.get(dealt < used.size() ? dealt : 0);
        tdmrs.add(new Problem.TdmrChoice(candidate, to.atom(), to.side()));
        continue;
      }
      Placement where = placementsFrom.get(s).stream()
          .filter(p -> isTrue(m, p.var()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("Z3 model places no PAMT for the TDMR at " + k.range()));
      tdmrs.add(new Problem.TdmrChoice(candidate, where.atom(), where.side()));
    }
    List<Integer> left = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && isTrue(m, dropped[a.index()])) {
        left.add(a.index());
      }
    }
    return new Problem.Decision(tdmrs, left);
  }

  /**
   * Whether a model (say the best one an interrupted optimisation left) satisfies every formula,
   * so that its layout may be trusted before the validator sees it.
   */
  boolean satisfiedBy(Model m) {
    if (!background.stream().allMatch(x -> isTrue(m, x))) {
      return false;
    }
    return groups.values().stream().flatMap(List::stream).allMatch(x -> isTrue(m, x));
  }

  /**
   * Unit constraints that leave out the TDMRs of this model outside {@code narrower} (for a
   * restriction that a proven bound justifies once a tier is settled).
   */
  List<BoolExpr> onlyWithin(Scope narrower) {
    List<BoolExpr> out = new ArrayList<>();
    for (Cell k : cells) {
      int s = k.index();
      if (ends[s].length == 0) {
        continue;
      }
      Set<Integer> keep = Arrays.stream(narrower.ends(s)).boxed().collect(Collectors.toSet());
      for (int e = 0; e < ends[s].length; e++) {
        if (!keep.contains(ends[s][e])) {
          out.add(ctx.mkNot(tdmr[s][e]));
        }
      }
    }
    return out;
  }

  /** Formulas that always hold: definitions of the helper variables. */
  List<BoolExpr> background() {
    return List.copyOf(background);
  }

  /** The named constraint groups, in the order they were stated. */
  Map<Reason, List<BoolExpr>> groups() {
    return groups;
  }

  int variables() {
    return variables;
  }

  long constraints() {
    return background.size() + groups.values().stream().mapToLong(List::size).sum();
  }

  // ---- PAMT pages in one atom --------------------------------------------------------------

  /**
   * The pages of the chunks placed in one atom, as a sum: each start's chunk is its smallest size
   * where it is placed, plus, per longer end the scope offers, the growth to that end where the
   * chunk is placed and its TDMR reaches that far.
   */
  private final class PagesIn {
    private final List<BoolExpr> literals = new ArrayList<>();
    private final List<Long> pages = new ArrayList<>();

    void add(BoolExpr literal, long p) {
      if (p > 0) {
        literals.add(literal);
        pages.add(p);
      }
    }

    BoolExpr atMost(long bound) {
      return compare(bound, true);
    }

    BoolExpr atLeast(long bound) {
      return compare(bound, false);
    }

    @SuppressWarnings("unchecked")
    private BoolExpr compare(long bound, boolean atMost) {
      long total = pages.stream().mapToLong(Long::longValue).sum();
      BoolExpr[] lits = literals.toArray(BoolExpr[]::new);
      if (total <= Integer.MAX_VALUE && bound <= Integer.MAX_VALUE) {
        int[] coeffs = pages.stream().mapToInt(Long::intValue).toArray();
        return atMost ? ctx.mkPBLe(coeffs, lits, (int) bound) : ctx.mkPBGe(coeffs, lits, (int) bound);
      }
      @SuppressWarnings("rawtypes")
      ArithExpr<IntSort>[] terms = new ArithExpr[lits.length];
      for (int i = 0; i < lits.length; i++) {
        terms[i] = (ArithExpr<IntSort>) ctx.<IntSort>mkITE(lits[i], ctx.mkInt(pages.get(i)), ctx.mkInt(0));
      }
      ArithExpr<IntSort> sum = terms.length == 0 ? ctx.mkInt(0) : ctx.mkAdd(terms);
      return atMost ? ctx.mkLe(sum, ctx.mkInt(bound)) : ctx.mkGe(sum, ctx.mkInt(bound));
    }
  }

  /** The chunk of the TDMR starting at {@code s} is in atom {@code a} (either side). */
  private BoolExpr placedIn(int s, Atom a, List<Placement> in) {
    return placedIn.computeIfAbsent(List.of(s, a.index()), key -> {
      List<BoolExpr> vars = in.stream().filter(p -> p.start() == s).map(Placement::var).toList();
      return vars.size() == 1 ? vars.get(0)
          : define("pamt@0x%x.in@0x%x".formatted(cells.get(s).range().start(), a.range().start()), or(vars));
    });
  }

  private PagesIn pagesIn(Atom a, List<Placement> in) {
    PagesIn sum = new PagesIn();
    for (int s : in.stream().map(Placement::start).distinct().toList()) {
      Cell k = cells.get(s);
      BoolExpr here = placedIn(s, a, in);
      long previous = chunkPages(s, 0);
      sum.add(here, previous);
      for (int e = 1; e < ends[s].length; e++) {
        long size = chunkPages(s, e);
        if (size > a.pages()) {
          break;
        }
        int last = ends[s][e] - 1;
        BoolExpr longer = define("pamt@0x%x.in@0x%x.to@0x%x".formatted(k.range().start(), a.range().start(),
            cells.get(last).range().start()), ctx.mkAnd(here, reaches[s][last - s]));
        sum.add(longer, size - previous);
        previous = size;
      }
    }
    return sum;
  }

  /** The most pages the chunks that may go into {@code a} can have together. */
  private long mostPagesIn(List<Placement> in, Atom a) {
    return mostChunkPages(in.stream().map(Placement::start).distinct().toList(), a.pages());
  }

  /**
   * An upper bound on the pages of the chunks of TDMRs starting at {@code starters}, each chunk at
   * most {@code largest} pages: one TDMR per start cell, at its largest chunk; and since the TDMRs
   * are disjoint, at most {@code G} GiB together, where {@code G} spans from the first start cell
   * to the farthest end: {@code G · wholePagesPerGiB} whole pages plus, per level that rounds, at
   * most one page per TDMR and {@code G · remainder / 4096} more ({@code ceil(x) < x + 1}).
   */
  private long mostChunkPages(List<Integer> starters, long largest) {
    if (starters.isEmpty()) {
      return 0;
    }
    long perStart = 0;
    long from = Long.MAX_VALUE;
    long to = 0;
    for (int s : starters) {
      long size = 0;
      for (int e = 0; e < ends[s].length; e++) {
        long pages = chunkPages(s, e);
        if (pages <= largest) {
          size = pages;
        }
      }
      perStart += size;
      from = Math.min(from, cells.get(s).range().start());
      to = Math.max(to, cells.get(ends[s][ends[s].length - 1] - 1).range().end());
    }
    long spanGiB = (to - from) / ByteSize.GiB;
    long bySpan = spanGiB * wholePagesPerGiB;
    for (long r : remainders) {
      if (r > 0) {
        bySpan += starters.size() + spanGiB * r / PAGE;
      }
    }
    return Math.min(perStart, bySpan);
  }

  // ---- small builders ----------------------------------------------------------------------

  private static final long PAGE = ByteSize.PAGE;

  private long chunkPages(int start, int endIndex) {
    return problem.chunkPages(start, ends[start][endIndex]);
  }

  /** The cell holding {@code address}, searching from cell {@code from}; -1 past the last cell. */
  private int cellAt(long address, int from) {
    for (int c = from; c < cells.size(); c++) {
      if (cells.get(c).range().contains(address)) {
        return c;
      }
    }
    return -1;
  }

  private boolean isTrue(Model m, BoolExpr e) {
    return m.eval(e, true).isTrue();
  }

  /** The node whose PAMT room a constraint is about: -1 (all memory) under PAMT policy any. */
  private int roomNode(int node) {
    return problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY ? -1 : node;
  }

  private void grouped(Reason r, BoolExpr e) {
    groups.computeIfAbsent(r, k -> new ArrayList<>()).add(e);
  }

  private BoolExpr bool(String name) {
    // Every loop of the model creates variables: checking here bounds the building by the deadline.
    problem.deadline().check();
    variables++;
    return ctx.mkBoolConst(name);
  }

  /** A named Boolean equal to {@code value} (names make model dumps readable). */
  private BoolExpr define(String name, BoolExpr value) {
    if (value.isFalse() || value.isTrue()) {
      return value;
    }
    BoolExpr b = bool(name);
    background.add(ctx.mkEq(b, value));
    return b;
  }

  private static BoolExpr[] array(List<BoolExpr> xs) {
    return xs.toArray(BoolExpr[]::new);
  }

  private BoolExpr or(BoolExpr a, BoolExpr b) {
    return a.isFalse() ? b : b.isFalse() ? a : ctx.mkOr(a, b);
  }

  private BoolExpr or(List<BoolExpr> xs) {
    List<BoolExpr> live = xs.stream().filter(x -> !x.isFalse()).toList();
    return live.isEmpty() ? ctx.mkFalse() : live.size() == 1 ? live.get(0) : ctx.mkOr(array(live));
  }

  private BoolExpr and(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkTrue() : xs.size() == 1 ? xs.get(0) : ctx.mkAnd(array(xs));
  }
}
