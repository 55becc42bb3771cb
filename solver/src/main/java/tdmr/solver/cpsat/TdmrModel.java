package tdmr.solver.cpsat;

import static tdmr.mem.ByteSize.PAGE;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.util.Domain;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Side;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;

/**
 * The CP-SAT encoding of one {@link Problem}. Sizes are counted in 4 KiB pages.
 *
 * <p>TDMRs are encoded by their boundaries, not by one literal per candidate run of cells (there
 * are quadratically many): per cell, {@code start} (a TDMR begins here), {@code end} (a TDMR ends
 * here) and {@code cont} (this cell and the next are in the same TDMR). A cell is covered by
 * exactly one TDMR or none: {@code covered[k] = start[k] + cont[k-1] = end[k] + cont[k]}. Every
 * assignment of these literals is exactly one set of disjoint candidate runs (a run starts at a
 * {@code start}, continues over {@code cont} and stops at the first {@code end}), so alignment
 * (rule B4), order and non-overlap (B2, B3) and the HKID limit (B5) hold by construction, as
 * candidates are built from 1 GiB aligned cells below the HKID limit. A TDMR's size in GiB is
 * carried along it from its end back to its start ({@code suffix[k]}), which gives the chunk of
 * the TDMR starting at each cell; the reserved areas are counted forward from its start ({@code
 * run[k]}). The PAMT chunk of the TDMR that starts at cell {@code i} is placed by one literal per
 * (allowed memory atom, side); its size is the kernel's chunk for the TDMR's size ({@link
 * Problem#levelBytesPerGiB}), so PAMT sizes per level (rules D2/D3, Dynamic PAMT included) follow from
 * the TDMR size exactly. Reserved areas are counted by scanning atoms in address order: an area
 * starts wherever a reserved piece follows a non-reserved piece or a TDMR base.
 */
final class TdmrModel {
  private final Problem problem;
  private final CpModel model = new CpModel();
  private final List<Cell> cells;
  private final List<Atom> atoms;

  /** The variables of each cell, by cell index. */
  private final List<CellVars> cellVars = new ArrayList<>();
  /** The variables of each atom, by atom index. */
  private final List<AtomVars> atomVars = new ArrayList<>();

  /**
   * The variables of one cell.
   *
   * @param start a chosen TDMR starts at the cell
   * @param end a chosen TDMR ends with the cell
   * @param cont the cell and the next one are in the same chosen TDMR ({@code null} for the last cell)
   * @param suffix GiB from the cell's start to the end of the TDMR covering it (0 when uncovered)
   * @param startSize the size in GiB of the TDMR starting at the cell, 0 when none does
   * @param covered some chosen TDMR covers the cell
   */
  record CellVars(Cell cell, BoolVar start, BoolVar end, BoolVar cont, IntVar suffix, IntVar startSize,
      BoolVar covered) {}

  /**
   * The variables of one atom.
   *
   * @param kept the memory atom is kept as TDX memory (always, under coverage all); {@code null} for gaps
   * @param whole the whole atom is reserved (a hole, memory left out, or memory filled by chunks)
   * @param stacked per side (low, high): some chunk is stacked against that end; constant false for gaps
   * @param stackPages per side: pages of the chunks stacked against that end
   * @param areaStarts the number of reserved areas that start inside the atom
   */
  record AtomVars(Atom atom, BoolVar kept, BoolVar whole, BoolVar[] stacked, LinearExprBuilder[] stackPages,
      IntVar areaStarts) {}

  /** Placement literals of the chunk of the TDMR starting at a cell. */
  private final List<Placement> placements = new ArrayList<>();

  /** The chunk of the TDMR starting at {@code cell} sits against {@code side} of {@code atom}. */
  record Placement(int cell, int atom, Side side, BoolVar literal, IntVar pages) {}

  /** Where chunks may go ({@link PlacementSlots}). */
  private final PlacementSlots slots;
  /** Atoms with more pages than this never constrain chunk placement. */
  private final long roomyPages;
  /** Per start cell that may pool its chunk: the literal saying it does. */
  private final Map<Integer, BoolVar> pooled = new HashMap<>();
  /** With fills aggregated: per start cell, the literal saying its chunk is in a fill, and its pages. */
  private final Map<Integer, FillChunk> fillChunks = new HashMap<>();
  /** With fills aggregated: per pool scope, the pages of the chunks in fills. */
  private final Map<Integer, LinearExprBuilder> fillPagesOfScope = new HashMap<>();

  record FillChunk(BoolVar literal, IntVar chunkPages) {}

  private LinearExpr pamtPages;
  private LinearExpr tdmrCount;
  private LinearExpr areaCount;
  private LinearExpr keptPages;
  /** Rounded level pages per (cell, bytes per GiB); see {@link #roundedLevelPages}. */
  private final Map<LevelOfStart, IntVar> roundedPages = new HashMap<>();

  /** A PAMT level (by its bytes per GiB) of the chunk of the TDMR starting at a cell. */
  private record LevelOfStart(int cell, long bytesPerGiB) {}

  /** Thrown when the time limit strikes before the model is complete. */
  static final class TimeLimitWhileBuilding extends RuntimeException {
    TimeLimitWhileBuilding() {
      super("time limit while building the CP-SAT model", null, false, false);
    }
  }

  /**
   * Builds the model; throws {@link TimeLimitWhileBuilding} when the problem's deadline ({@link
   * Problem#deadline()}) passes first (the chunk placements, quadratic in the map's size, take the time).
   */
  TdmrModel(Problem problem, PlacementSlots slots) {
    this.problem = problem;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.slots = slots;
    this.roomyPages = slots.roomyPages();
    createVariables();
    checkDeadline();
    tdmrsTileTheCells();
    atMostMaxTdmrs();
    memoryIsCovered();
    checkDeadline();
    pamtChunksArePlaced();
    checkDeadline();
    reservedAreasAreCounted();
    checkDeadline();
    reservedAreasPerTdmrWithinLimit();
    objectiveTerms();
    checkDeadline();
  }

  private void checkDeadline() {
    if (problem.deadline().expired()) {
      throw new TimeLimitWhileBuilding();
    }
  }

  CpModel model() {
    return model;
  }

  LinearExpr pamtPages() {
    return pamtPages;
  }

  LinearExpr tdmrCount() {
    return tdmrCount;
  }

  LinearExpr areaCount() {
    return areaCount;
  }

  LinearExpr keptPages() {
    return keptPages;
  }

  private void createVariables() {
    long giBToEnd = 0;
    long[] giBFrom = new long[cells.size()];
    for (int k = cells.size() - 1; k >= 0; k--) {
      giBToEnd += cells.get(k).sizeGiB();
      giBFrom[k] = giBToEnd;
    }
    for (Cell k : cells) {
      String name = "_c" + k.index();
      BoolVar covered = model.newBoolVar("covered" + name);
      BoolVar start = model.newBoolVar("start" + name);
      BoolVar end = model.newBoolVar("end" + name);
      BoolVar cont = k.index() + 1 < cells.size() ? model.newBoolVar("cont" + name) : null;
      IntVar suffix = model.newIntVar(0, giBFrom[k.index()], "suffix_gib" + name);
      IntVar startSize = model.newIntVar(0, k.holdsMemory() ? giBFrom[k.index()] : 0, "start_gib" + name);
      cellVars.add(new CellVars(k, start, end, cont, suffix, startSize, covered));
    }
    for (Atom a : atoms) {
      String name = "_a" + a.index();
      atomVars.add(new AtomVars(a, a.memory() ? model.newBoolVar("kept" + name) : null, model.newBoolVar("whole" + name),
          new BoolVar[] {model.newBoolVar("low" + name), model.newBoolVar("high" + name)},
          new LinearExprBuilder[] {LinearExpr.newBuilder(), LinearExpr.newBuilder()},
          model.newIntVar(0, 2, "areas" + name)));
    }
  }

  private CellVars ofCell(int k) {
    return cellVars.get(k);
  }

  private AtomVars ofAtom(int a) {
    return atomVars.get(a);
  }

  /**
   * {@link tdmr.check.Rule#B2_TDMRS_SORTED B2}/{@link tdmr.check.Rule#B3_TDMRS_DISJOINT B3}: chosen TDMRs are disjoint runs of cells that start and end in cells holding memory.
   * Each covered cell is entered exactly once (a TDMR starts at it, or the previous cell's TDMR
   * continues into it) and left exactly once (its TDMR ends with it, or continues into the next
   * cell); an uncovered cell is neither. Runs starting or ending in a cell without memory would
   * only cover more holes and pay more PAMT, so they are outside the family ({@link Problem}).
   *
   * <p>The size of each TDMR is carried from its last cell back to its first: {@code suffix[k]}
   * is the GiB from cell {@code k} to the end of its TDMR, so {@code startSize[k]} (the suffix
   * where a TDMR starts, else 0) is the size of the TDMR starting at {@code k}.
   */
  private void tdmrsTileTheCells() {
    int n = cells.size();
    for (int k = 0; k < n; k++) {
      Cell cell = cells.get(k);
      BoolVar in = ofCell(k).covered();
      LinearExprBuilder entered = LinearExpr.newBuilder().add(ofCell(k).start());
      LinearExprBuilder left = LinearExpr.newBuilder().add(ofCell(k).end());
      if (k > 0) {
        entered.add(ofCell(k - 1).cont());
      }
      if (k + 1 < n) {
        left.add(ofCell(k).cont());
      }
      model.addEquality(entered, in);
      model.addEquality(left, in);
      if (!cell.holdsMemory()) {
        model.addEquality(ofCell(k).start(), 0);
        model.addEquality(ofCell(k).end(), 0);
      }
      IntVar suf = ofCell(k).suffix();
      if (k + 1 < n) {
        model.addEquality(LinearExpr.newBuilder().add(suf).addTerm(ofCell(k + 1).suffix(), -1), cell.sizeGiB())
            .onlyEnforceIf(ofCell(k).cont());
      }
      model.addEquality(suf, cell.sizeGiB()).onlyEnforceIf(ofCell(k).end());
      model.addEquality(suf, 0).onlyEnforceIf(in.not());
      model.addEquality(ofCell(k).startSize(), suf).onlyEnforceIf(ofCell(k).start());
      model.addEquality(ofCell(k).startSize(), 0).onlyEnforceIf(ofCell(k).start().not());
    }
    // Redundant: the TDMRs partition the covered cells, so their sizes add up to the covered GiB.
    LinearExprBuilder sizes = LinearExpr.newBuilder();
    for (int k = 0; k < n; k++) {
      sizes.add(ofCell(k).startSize()).addTerm(ofCell(k).covered(), -cells.get(k).sizeGiB());
    }
    model.addEquality(sizes, 0);
  }

  /** {@link tdmr.check.Rule#A4_TDMR_COUNT A4}: at least one and at most {@code max_tdmrs} TDMRs. */
  private void atMostMaxTdmrs() {
    tdmrCount = LinearExpr.sum(cellVars.stream().map(CellVars::start).toArray(BoolVar[]::new));
    model.addLinearConstraint(tdmrCount, 1, problem.limits().maxTdmrs());
  }

  /**
   * {@link tdmr.check.Rule#O1_TDX_MEMORY_COVERED O1}: every byte of TDX memory is covered (coverage {@code all}); under coverage {@code
   * max} a memory atom is either kept and covered, or left out. Memory outside CMRs or above the
   * HKID limit is always left out (rules E1, B5). Under node-local placement the first memory atom
   * of a TDMR's first cell must be kept, so the kernel's {@code tdmr_get_nid} still finds that node.
   */
  private void memoryIsCovered() {
    boolean all = problem.policy().coverage() == Policy.Coverage.ALL;
    LinearExprBuilder keptSum = LinearExpr.newBuilder();
    for (Atom a : atoms) {
      if (!a.memory()) {
        continue;
      }
      BoolVar k = ofAtom(a.index()).kept();
      if (a.mustDrop()) {
        model.addEquality(k, 0);
      } else if (all) {
        model.addEquality(k, 1);
      }
      model.addImplication(k, ofCell(a.cell()).covered());
      keptSum.addTerm(k, a.pages());
    }
    for (Cell c : cells) {
      if (c.holdsMemory() && c.firstAtom() < c.endAtom()) {
        Atom first = problem.nodeAtom(c);
        model.addLessOrEqual(ofCell(c.index()).start(), ofAtom(first.index()).kept());
      }
    }
    keptPages = keptSum.build();
  }

  /**
   * {@link tdmr.check.Rule#D2_PAMT_SIZE D2}/{@link tdmr.check.Rule#D3_DYNAMIC_PAMT_SIZE D3}: each TDMR's chunk has the kernel's size for the TDMR; D5/D6 and the node rule: it lies
   * in one kept memory atom (TDX memory, inside CMRs) on the TDMR's node under node-local, stacked
   * against one end of the atom; D4: stacks in an atom do not overlap, so all PAMTs are disjoint.
   * The slots offered, and the pool, are those of {@link PlacementSlots}, which keep the model exact.
   *
   * <p>An atom larger than {@link PlacementSlots#roomyPages()} ("roomy") can hold every chunk of
   * every layout at both ends at once and can never be filled, so it needs no page accounting: its
   * placements are pure literals. Only the small ("tight") atoms get page variables. A pooled chunk
   * needs neither: it only has to be no larger than the smallest pool atom.
   */
  private void pamtChunksArePlaced() {
    long roomy = roomyPages;
    List<List<BoolVar>> stackMembers = new ArrayList<>();
    for (int a = 0; a < 2 * atoms.size(); a++) {
      stackMembers.add(new ArrayList<>());
    }
    for (Cell cell : cells) {
      if (!cell.holdsMemory()) {
        continue;
      }
      checkDeadline();
      long largestChunk = slots.largestChunk(cell);
      IntVar chunkPages = null;
      LinearExprBuilder choices = LinearExpr.newBuilder();
      OptionalLong poolLimit = slots.poolLimit(cell);
      if (poolLimit.isPresent()) {
        BoolVar in = model.newBoolVar("pooled_c" + cell.index());
        chunkPages = chunkPagesVariable(cell, largestChunk);
        model.addLessOrEqual(chunkPages, poolLimit.getAsLong()).onlyEnforceIf(in);
        pooled.put(cell.index(), in);
        choices.add(in);
      }
      if (slots.mayFill(cell)) {
        // The relaxation of PlacementSlots#fillsAggregated: in some fill, pages counted per scope.
        if (chunkPages == null) {
          chunkPages = chunkPagesVariable(cell, largestChunk);
        }
        BoolVar inFill = model.newBoolVar("in_fill_c" + cell.index());
        IntVar pages = model.newIntVar(0, largestChunk, "fill_pages_c" + cell.index());
        model.addEquality(pages, chunkPages).onlyEnforceIf(inFill);
        model.addEquality(pages, 0).onlyEnforceIf(inFill.not());
        fillChunks.put(cell.index(), new FillChunk(inFill, chunkPages));
        fillPagesOfScope.computeIfAbsent(slots.scope(cell), k -> LinearExpr.newBuilder()).add(pages);
        choices.add(inFill);
      }
      long roomiest = poolLimit.orElse(0);
      for (PlacementSlots.Slot slot : slots.slots(cell)) {
        Atom a = atoms.get(slot.atom());
        roomiest = Math.max(roomiest, a.pages());
        // Unnamed: there can be many placements, and names would cost more than the model.
        BoolVar at = model.newBoolVar("");
        IntVar pages = null;
        if (a.pages() <= roomy) {
          if (chunkPages == null) {
            chunkPages = chunkPagesVariable(cell, largestChunk);
          }
          pages = model.newIntVar(0, Math.min(largestChunk, a.pages()), "");
          model.addEquality(pages, chunkPages).onlyEnforceIf(at);
          model.addEquality(pages, 0).onlyEnforceIf(at.not());
          ofAtom(a.index()).stackPages()[slot.side().ordinal()].add(pages);
        }
        model.addImplication(at, ofAtom(a.index()).kept());
        stackMembers.get(2 * a.index() + slot.side().ordinal()).add(at);
        choices.add(at);
        placements.add(new Placement(cell.index(), a.index(), slot.side(), at, pages));
      }
      model.addEquality(choices, ofCell(cell.index()).start());
      tdmrFitsItsChunk(cell, roomiest);
    }
    if (slots.fillsAggregated()) {
      // The filled atoms of each scope have exactly the pages of the chunks in fills there.
      Map<Integer, LinearExprBuilder> filledPages = new HashMap<>();
      for (Atom a : atoms) {
        if (a.memory() && slots.fillable(a)) {
          filledPages.computeIfAbsent(slots.scope(a), k -> LinearExpr.newBuilder()).addTerm(ofAtom(a.index()).whole(), a.pages());
        }
      }
      Set<Integer> scopes = new HashSet<>(filledPages.keySet());
      scopes.addAll(fillPagesOfScope.keySet());
      for (int scope : scopes) {
        LinearExprBuilder filled = filledPages.getOrDefault(scope, LinearExpr.newBuilder());
        LinearExprBuilder chunks = fillPagesOfScope.getOrDefault(scope, LinearExpr.newBuilder());
        model.addEquality(filled, chunks);
      }
    }
    for (Atom a : atoms) {
      BoolVar[] st = ofAtom(a.index()).stacked();
      // A stack exists exactly when some chunk is in it.
      for (int s = 0; s < 2; s++) {
        List<BoolVar> members = stackMembers.get(2 * a.index() + s);
        for (BoolVar m : members) {
          model.addImplication(m, st[s]);
        }
        model.addLessOrEqual(st[s], LinearExpr.sum(members.toArray(new BoolVar[0])));
      }
      if (a.memory() && a.pages() <= roomy) {
        // D4: the two stacks of an atom do not overlap.
        LinearExpr both = LinearExpr.newBuilder()
            .add(ofAtom(a.index()).stackPages()[0].build())
            .add(ofAtom(a.index()).stackPages()[1].build())
            .build();
        model.addLessOrEqual(both, a.pages());
      }
    }
  }

  /**
   * Redundant: the chunk of a TDMR starting at {@code cell} lies in one allowed memory atom (or a
   * pool atom), so the TDMR is at most as large as the largest TDMR whose chunk fits into the
   * roomiest such atom ({@code roomiest} pages). Chunk sizes grow with the TDMR size, so that size
   * is found by bisection. The TDMR also ends no later than the necessary conditions of {@link
   * tdmr.solver.PamtLowerBound} allow ({@link PlacementSlots#lastEnd}). Stated as {@code startSize ≤
   * most · start}, it lets the search bound the number of TDMRs from the GiB to cover (see {@link
   * #tdmrsTileTheCells}) before any placement is fixed.
   */
  private void tdmrFitsItsChunk(Cell cell, long roomiest) {
    IntVar size = ofCell(cell.index()).startSize();
    long lo = 0;
    long hi = size.getDomain().max();
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      if (problem.pamtBytes(mid * ByteSize.GiB) / PAGE <= roomiest) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    int lastEnd = slots.lastEnd(cell);
    long reach = lastEnd <= cell.index() ? 0
        : (cells.get(lastEnd - 1).range().end() - cell.range().start()) / ByteSize.GiB;
    lo = Math.min(lo, reach);
    model.addLessOrEqual(LinearExpr.newBuilder().add(size).addTerm(ofCell(cell.index()).start(), -lo), 0);
    if (lo == 0) {
      model.addEquality(ofCell(cell.index()).start(), 0);
    }
  }

  /**
   * Lets a TDMR starting at cell {@code s} end only at the cells {@code endsFrom.apply(s)} (one past
   * its last cell), and none start where that is empty. For redundant restrictions that a proof
   * outside the model established ({@link tdmr.solver.PamtLowerBound#endsWithin}).
   */
  void restrictTdmrs(java.util.function.IntFunction<int[]> endsFrom) {
    for (Cell cell : cells) {
      if (!cell.holdsMemory()) {
        continue;
      }
      int[] ends = endsFrom.apply(cell.index());
      if (ends.length == 0) {
        model.addEquality(ofCell(cell.index()).start(), 0);
        continue;
      }
      long[] sizes = new long[ends.length + 1];
      for (int i = 0; i < ends.length; i++) {
        sizes[i] = (cells.get(ends[i] - 1).range().end() - cell.range().start()) / ByteSize.GiB;
      }
      model.addLinearExpressionInDomain(ofCell(cell.index()).startSize(), Domain.fromValues(sizes));
    }
  }

  /** The pages of the chunk of the TDMR starting at {@code cell}, as one variable. */
  private IntVar chunkPagesVariable(Cell cell, long largestChunk) {
    IntVar chunkPages = model.newIntVar(0, largestChunk, "chunk_pages_c" + cell.index());
    model.addEquality(chunkPages, chunkPagesOfStart(cell.index()));
    return chunkPages;
  }

  /**
   * C (counting): which atoms are wholly reserved, and how many areas start in each atom.
   *
   * <p>A gap atom is wholly reserved exactly when a TDMR covers it and the holes policy requires it;
   * a convertible gap under holes {@code cmr} may be reserved to merge two areas. A kept memory atom
   * is wholly reserved exactly when chunks fill it; a left-out one when it is covered and the
   * policy requires its hole. {@code joined[a]} says the piece just below atom {@code a} is
   * reserved and in the same TDMR. The areas starting in atom {@code a} are then {@code whole ∧
   * ¬joined}, plus, when the atom is not wholly reserved, {@code low ∧ ¬joined} and {@code high}.
   * Every one of these is defined exactly (not just bounded), so the count is a function of the
   * TDMRs, the chunk placements and the kept memory, and the search never guesses it.
   */
  private void reservedAreasAreCounted() {
    for (Atom a : atoms) {
      BoolVar w = ofAtom(a.index()).whole();
      BoolVar cov = ofCell(a.cell()).covered();
      model.addImplication(w, cov);
      if (!a.memory()) {
        if (problem.mustReserve(a)) {
          model.addEquality(w, cov);
        }
        continue;
      }
      BoolVar k = ofAtom(a.index()).kept();
      if (slots.fillsAggregated()) {
        // Only chunks in fills fill an atom (counted per scope in pamtChunksArePlaced); stacks in
        // slots never do, and a filled atom has none.
        if (slots.fillable(a)) {
          model.addImplication(w, k);
          model.addImplication(w, ofAtom(a.index()).stacked()[0].not());
          model.addImplication(w, ofAtom(a.index()).stacked()[1].not());
        } else {
          model.addEquality(w, 0);
        }
        if (a.pages() <= roomyPages) {
          LinearExpr stacks = LinearExpr.newBuilder()
              .add(ofAtom(a.index()).stackPages()[0].build())
              .add(ofAtom(a.index()).stackPages()[1].build())
              .build();
          model.addLessOrEqual(stacks, a.pages() - 1);
        }
      } else if (a.pages() > roomyPages) {
        // Roomy atoms are never filled by chunks.
        model.addBoolOr(new Literal[] {w.not(), k.not()});
      } else {
        LinearExpr stacks = LinearExpr.newBuilder()
            .add(ofAtom(a.index()).stackPages()[0].build())
            .add(ofAtom(a.index()).stackPages()[1].build())
            .build();
        model.addEquality(stacks, a.pages()).onlyEnforceIf(new Literal[] {w, k});
        model.addLessOrEqual(stacks, a.pages() - 1).onlyEnforceIf(new Literal[] {w.not(), k});
      }
      if (problem.mustReserveDropped(a)) {
        // Left out but covered: it is a hole now.
        model.addBoolOr(new Literal[] {k, cov.not(), w});
      }
    }
    for (Atom a : atoms) {
      String suffix = "_a" + a.index();
      BoolVar w = ofAtom(a.index()).whole();
      BoolVar[] st = ofAtom(a.index()).stacked();
      BoolVar joined;
      if (a.index() == 0) {
        joined = model.newBoolVar("joined" + suffix);
        model.addEquality(joined, 0);
      } else {
        int prev = a.index() - 1;
        BoolVar highEndReserved = or("reserved_high_a" + prev, ofAtom(prev).whole(), ofAtom(prev).stacked()[1]);
        Cell cell = cells.get(a.cell());
        if (cell.firstAtom() == a.index()) {
          // A TDMR base cuts any area (areas are clipped per TDMR).
          joined = and("joined" + suffix, highEndReserved, ofCell(cell.index()).start().not(), ofCell(cell.index()).covered());
        } else {
          joined = and("joined" + suffix, highEndReserved);
        }
      }
      LinearExprBuilder starts = LinearExpr.newBuilder().add(and("opens_whole" + suffix, w, joined.not()));
      if (a.memory()) {
        starts.add(and("opens_low" + suffix, st[0], joined.not(), w.not()));
        starts.add(and("opens_high" + suffix, st[1], w.not()));
      }
      model.addEquality(ofAtom(a.index()).areaStarts(), starts);
    }
  }

  /** A literal equal to the conjunction of {@code literals}. */
  private BoolVar and(String name, Literal... literals) {
    BoolVar r = model.newBoolVar(name);
    Literal[] clause = new Literal[literals.length + 1];
    for (int i = 0; i < literals.length; i++) {
      model.addImplication(r, literals[i]);
      clause[i] = literals[i].not();
    }
    clause[literals.length] = r;
    model.addBoolOr(clause);
    return r;
  }

  /** A literal equal to the disjunction of {@code literals}. */
  private BoolVar or(String name, Literal... literals) {
    BoolVar r = model.newBoolVar(name);
    Literal[] clause = new Literal[literals.length + 1];
    for (int i = 0; i < literals.length; i++) {
      model.addImplication(literals[i], r);
      clause[i] = literals[i];
    }
    clause[literals.length] = r.not();
    model.addBoolOr(clause);
    return r;
  }

  /**
   * {@link tdmr.check.Rule#C1_RESERVED_SLOTS C1}: at most {@code max_reserved_per_tdmr} areas in every chosen TDMR. {@code run[k]} counts the
   * areas starting in the cells of cell {@code k}'s TDMR from its first cell up to {@code k}; an
   * area cut by a TDMR base counts again in the next TDMR, because an area starts at every base
   * that reserved pieces follow ({@link #reservedAreasAreCounted}).
   */
  private void reservedAreasPerTdmrWithinLimit() {
    int limit = problem.limits().maxReservedPerTdmr();
    LinearExprBuilder total = LinearExpr.newBuilder();
    IntVar previous = null;
    for (Cell c : cells) {
      LinearExprBuilder inCell = LinearExpr.newBuilder();
      for (int a = c.firstAtom(); a < c.endAtom(); a++) {
        inCell.add(ofAtom(a).areaStarts());
        total.add(ofAtom(a).areaStarts());
      }
      LinearExpr here = inCell.build();
      IntVar run = model.newIntVar(0, limit, "areas_in_tdmr_c" + c.index());
      model.addEquality(run, here).onlyEnforceIf(ofCell(c.index()).start());
      if (previous != null) {
        model.addEquality(LinearExpr.newBuilder().add(run).addTerm(previous, -1).addTerm(here, -1), 0)
            .onlyEnforceIf(ofCell(c.index() - 1).cont());
      }
      previous = run;
    }
    areaCount = total.build();
    // Redundant: every area is counted in exactly one TDMR, and each TDMR has at most the limit.
    model.addLessOrEqual(LinearExpr.newBuilder().add(areaCount).addTerm(tdmrCount, -limit), 0);
  }

  /**
   * The objective's PAMT pages: per level, {@code ceil(N · bytesPerGiB / 4096)} pages for an N GiB
   * TDMR. A level whose bytes per GiB are a whole number of pages costs the same per covered GiB
   * whatever the TDMRs are, so it is summed over covered cells (exact, and a tight bound for the
   * search); the others per TDMR from its size.
   */
  private void objectiveTerms() {
    LinearExprBuilder pamt = LinearExpr.newBuilder();
    for (long bytes : Problem.levelBytesPerGiB(problem.limits())) {
      if (bytes % PAGE == 0) {
        for (Cell c : cells) {
          pamt.addTerm(ofCell(c.index()).covered(), bytes / PAGE * c.sizeGiB());
        }
      } else {
        for (Cell c : cells) {
          if (c.holdsMemory()) {
            pamt.add(roundedLevelPages(c.index(), bytes));
          }
        }
      }
    }
    pamtPages = pamt.build();
  }

  /** Pages of the chunk of the TDMR starting at cell {@code k} (0 when none starts there). */
  private LinearExpr chunkPagesOfStart(int k) {
    LinearExprBuilder pages = LinearExpr.newBuilder();
    for (long bytes : Problem.levelBytesPerGiB(problem.limits())) {
      if (bytes % PAGE == 0) {
        pages.addTerm(ofCell(k).startSize(), bytes / PAGE);
      } else {
        pages.add(roundedLevelPages(k, bytes));
      }
    }
    return pages.build();
  }

  /**
   * {@code ceil(startSize[k] · bytesPerGiB / 4096)}, one variable per cell and level, shared by the
   * objective and the chunk placement.
   */
  private IntVar roundedLevelPages(int k, long bytesPerGiB) {
    return roundedPages.computeIfAbsent(new LevelOfStart(k, bytesPerGiB), key -> {
      IntVar size = ofCell(k).startSize();
      long most = Math.floorDiv(size.getDomain().max() * bytesPerGiB + PAGE - 1, PAGE);
      IntVar q = model.newIntVar(0, most, "level_pages_c%d_%d".formatted(k, bytesPerGiB));
      LinearExpr bytes = LinearExpr.term(size, bytesPerGiB);
      model.addGreaterOrEqual(LinearExpr.term(q, PAGE), bytes);
      model.addLessOrEqual(LinearExpr.term(q, PAGE), LinearExpr.affine(size, bytesPerGiB, PAGE - 1));
      if (bytesPerGiB > 0) {
        // Redundant (a TDMR is at least 1 GiB), but it gives the search the per-TDMR cost at once.
        model.addGreaterOrEqual(q, ofCell(k).start());
      }
      return q;
    });
  }

  /** Number of variables and constraints of the model. */
  long variableCount() {
    return model.model().getVariablesCount();
  }

  long constraintCount() {
    return model.model().getConstraintsCount();
  }

  Problem problem() {
    return problem;
  }

  PlacementSlots slots() {
    return slots;
  }

  List<Placement> placements() {
    return placements;
  }

  Map<Integer, BoolVar> pooled() {
    return pooled;
  }

  Map<Integer, FillChunk> fillChunks() {
    return fillChunks;
  }

  List<CellVars> cellVars() {
    return cellVars;
  }

  List<AtomVars> atomVars() {
    return atomVars;
  }
}
