package tdmr.solver.cpsat;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.CandidateTdmr;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Policy;

/**
 * The CP-SAT encoding of one {@link Problem}. Sizes are counted in 4 KiB pages.
 *
 * <p>A TDMR is a literal per candidate run of cells, so alignment (rule B4), order and
 * non-overlap (B2, B3) and the HKID limit (B5) hold by construction: candidates are built from
 * 1 GiB aligned cells below the HKID limit, and at most one chosen candidate may hold each cell.
 * The PAMT chunk of the TDMR that starts at cell {@code i} is placed by one literal per (allowed
 * memory atom, side); its size is the chosen candidate's kernel chunk, so PAMT sizes per level
 * (rules D2/D3, Dynamic PAMT included) follow from the TDMR size exactly. Reserved areas are
 * counted by scanning atoms in address order: an area starts wherever a reserved piece follows a
 * non-reserved piece or a TDMR base.
 */
final class TdmrModel {
  private final Problem problem;
  private final CpModel model = new CpModel();
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final List<CandidateTdmr> candidates;

  /** One literal per candidate TDMR: the TDMR is in the layout. */
  private final List<BoolVar> used = new ArrayList<>();
  /** Per cell: some chosen TDMR covers it. */
  private final List<BoolVar> covered = new ArrayList<>();
  /** Per cell: a chosen TDMR starts at it. */
  private final List<LinearExpr> startsHere = new ArrayList<>();
  /** Per cell: a chosen TDMR starts at it, as a literal. */
  private final List<BoolVar> startLiteral = new ArrayList<>();
  /** Per memory atom: kept as TDX memory (always, under coverage all). Null for gaps. */
  private final List<BoolVar> kept = new ArrayList<>();
  /** Per atom: the whole atom is reserved (a hole, memory left out, or memory filled by chunks). */
  private final List<BoolVar> whole = new ArrayList<>();
  /** Per atom and side: some chunk is stacked against that end. Constant false for gaps. */
  private final List<BoolVar[]> stacked = new ArrayList<>();
  /** Per atom and side: pages of chunks stacked against that end. */
  private final List<LinearExprBuilder[]> stackPages = new ArrayList<>();
  /** Per atom: number of reserved areas that start inside it. */
  private final List<IntVar> areaStarts = new ArrayList<>();
  /** Placement literals of the chunk of the TDMR starting at a cell. */
  private final List<Placement> placements = new ArrayList<>();

  /** The chunk of the TDMR starting at {@code cell} sits against {@code side} of {@code atom}. */
  private record Placement(int cell, int atom, Side side, BoolVar literal, IntVar pages) {}

  /** Atoms with more pages than this never constrain chunk placement ({@link #pamtPagesUpperBound}). */
  private final long roomyPages;

  private LinearExpr pamtPages;
  private LinearExpr tdmrCount;
  private LinearExpr areaCount;
  private LinearExpr keptPages;

  TdmrModel(Problem problem) {
    this.problem = problem;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.candidates = problem.candidates();
    this.roomyPages = pamtPagesUpperBound();
    createVariables();
    tdmrsTileTheCells();
    atMostMaxTdmrs();
    memoryIsCovered();
    pamtChunksArePlaced();
    reservedAreasAreCounted();
    reservedAreasPerTdmrWithinLimit();
    objectiveTerms();
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
    for (CandidateTdmr c : candidates) {
      used.add(model.newBoolVar("tdmr_c%d_%d".formatted(c.firstCell(), c.endCell())));
    }
    for (Cell k : cells) {
      covered.add(model.newBoolVar("covered_c" + k.index()));
    }
    for (Atom a : atoms) {
      String suffix = "_a" + a.index();
      kept.add(a.memory() ? model.newBoolVar("kept" + suffix) : null);
      whole.add(model.newBoolVar("whole" + suffix));
      stacked.add(new BoolVar[] {model.newBoolVar("low" + suffix), model.newBoolVar("high" + suffix)});
      stackPages.add(new LinearExprBuilder[] {LinearExpr.newBuilder(), LinearExpr.newBuilder()});
      areaStarts.add(model.newIntVar(0, 2, "areas" + suffix));
    }
  }

  /**
   * B2/B3: chosen TDMRs are disjoint runs of cells. Counted as a flow along the cells: the number
   * of chosen TDMRs holding cell {@code k} is the number that started at or before {@code k} minus
   * those that ended at or before it, and it must be 0 or 1 ({@code covered[k]}).
   */
  private void tdmrsTileTheCells() {
    List<LinearExprBuilder> starters = new ArrayList<>();
    List<LinearExprBuilder> enders = new ArrayList<>();
    for (int k = 0; k <= cells.size(); k++) {
      starters.add(LinearExpr.newBuilder());
      enders.add(LinearExpr.newBuilder());
    }
    for (CandidateTdmr c : candidates) {
      starters.get(c.firstCell()).add(used.get(c.index()));
      enders.get(c.endCell()).add(used.get(c.index()));
    }
    for (int k = 0; k < cells.size(); k++) {
      LinearExpr starts = starters.get(k).build();
      startsHere.add(starts);
      BoolVar startLit = model.newBoolVar("starts_c" + k);
      model.addEquality(startLit, starts);
      startLiteral.add(startLit);
      // covered[k] = covered[k-1] + starts[k] - ends[k]
      LinearExprBuilder flow = LinearExpr.newBuilder().add(covered.get(k)).addTerm(starts, -1).add(enders.get(k).build());
      if (k > 0) {
        flow.addTerm(covered.get(k - 1), -1);
      }
      model.addEquality(flow, 0);
    }
    // Every TDMR ends by the last cell.
    LinearExprBuilder last = LinearExpr.newBuilder().add(covered.get(cells.size() - 1)).addTerm(enders.get(cells.size()).build(), -1);
    model.addEquality(last, 0);
  }

  /** A4: at least one and at most {@code max_tdmrs} TDMRs. */
  private void atMostMaxTdmrs() {
    tdmrCount = LinearExpr.sum(used.toArray(new BoolVar[0]));
    model.addLinearConstraint(tdmrCount, 1, problem.limits().maxTdmrs());
  }

  /**
   * OS rule: every byte of TDX memory is covered (coverage {@code all}); under coverage {@code
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
      BoolVar k = kept.get(a.index());
      if (a.mustDrop()) {
        model.addEquality(k, 0);
      } else if (all) {
        model.addEquality(k, 1);
      }
      model.addImplication(k, covered.get(a.cell()));
      keptSum.addTerm(k, a.pages());
    }
    for (Cell c : cells) {
      if (c.holdsMemory() && c.firstAtom() < c.endAtom()) {
        Atom first = problem.nodeAtom(c);
        model.addLessOrEqual(startsHere.get(c.index()), kept.get(first.index()));
      }
    }
    keptPages = keptSum.build();
  }

  /**
   * D2/D3: each TDMR's chunk has the kernel's size for the TDMR; D5/D6 and the node rule: it lies
   * in one kept memory atom (TDX memory, inside CMRs) on the TDMR's node under node-local, stacked
   * against one end of the atom; D4: stacks in an atom do not overlap, so all PAMTs are disjoint.
   *
   * <p>An atom larger than {@link #pamtPagesUpperBound()} ("roomy") can hold every chunk of every
   * layout at both ends at once and can never be filled, so it needs no page accounting: its
   * placements are pure literals. Only the small ("tight") atoms get page variables.
   */
  private void pamtChunksArePlaced() {
    List<LinearExprBuilder> chunkPagesOfStart = new ArrayList<>();
    long[] smallestChunkOfStart = new long[cells.size()];
    long[] largestChunkOfStart = new long[cells.size()];
    for (int k = 0; k < cells.size(); k++) {
      chunkPagesOfStart.add(LinearExpr.newBuilder());
      smallestChunkOfStart[k] = Long.MAX_VALUE;
    }
    for (CandidateTdmr c : candidates) {
      chunkPagesOfStart.get(c.firstCell()).addTerm(used.get(c.index()), c.pamtPages());
      smallestChunkOfStart[c.firstCell()] = Math.min(smallestChunkOfStart[c.firstCell()], c.pamtPages());
      largestChunkOfStart[c.firstCell()] = Math.max(largestChunkOfStart[c.firstCell()], c.pamtPages());
    }
    long roomy = roomyPages;
    List<List<BoolVar>> stackMembers = new ArrayList<>();
    for (int a = 0; a < 2 * atoms.size(); a++) {
      stackMembers.add(new ArrayList<>());
    }
    for (Cell cell : cells) {
      CandidateTdmr representative = firstCandidateStartingAt(cell.index());
      if (representative == null) {
        continue;
      }
      IntVar chunkPages = model.newIntVar(0, largestChunkOfStart[cell.index()], "chunk_pages_c" + cell.index());
      model.addEquality(chunkPages, chunkPagesOfStart.get(cell.index()));
      LinearExprBuilder choices = LinearExpr.newBuilder();
      Placement free = freeRoomySlot(representative);
      for (Atom a : atoms) {
        if (!problem.mayHoldChunk(representative, a) || a.pages() < smallestChunkOfStart[cell.index()]) {
          continue;
        }
        for (Side side : Side.values()) {
          if (free != null && a.pages() > roomy && (free.atom() != a.index() || free.side() != side)) {
            continue;
          }
          String name = "pamt_c%d_a%d_%s".formatted(cell.index(), a.index(), side);
          BoolVar at = model.newBoolVar(name);
          IntVar pages = null;
          if (a.pages() <= roomy) {
            pages = model.newIntVar(0, Math.min(largestChunkOfStart[cell.index()], a.pages()), name + "_pages");
            model.addEquality(pages, chunkPages).onlyEnforceIf(at);
            model.addEquality(pages, 0).onlyEnforceIf(at.not());
            stackPages.get(a.index())[side.ordinal()].add(pages);
          }
          model.addImplication(at, kept.get(a.index()));
          stackMembers.get(2 * a.index() + side.ordinal()).add(at);
          choices.add(at);
          placements.add(new Placement(cell.index(), a.index(), side, at, pages));
        }
      }
      model.addEquality(choices, startsHere.get(cell.index()));
    }
    for (Atom a : atoms) {
      BoolVar[] st = stacked.get(a.index());
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
            .add(stackPages.get(a.index())[0].build())
            .add(stackPages.get(a.index())[1].build())
            .build();
        model.addLessOrEqual(both, a.pages());
      }
    }
  }

  /**
   * Under coverage {@code all}, the first roomy atom side on the candidate's node that touches a
   * required hole of the same cell, or null. Such a slot is always free: the hole is reserved (its
   * cell is covered), in the same TDMR, and a roomy atom needs no capacity. Moving a chunk from any
   * other roomy slot to it never adds an area (emptying a roomy stack removes at most its own
   * area; roomy atoms are never filled), so the chunk's other roomy slots are left out of the model.
   * Tight atoms keep all their slots: a chunk there may fill an island, or compete for room.
   */
  private Placement freeRoomySlot(CandidateTdmr representative) {
    if (problem.policy().coverage() != Policy.Coverage.ALL) {
      return null;
    }
    for (Atom a : atoms) {
      if (a.pages() <= roomyPages || !problem.mayHoldChunk(representative, a)) {
        continue;
      }
      Cell cell = cells.get(a.cell());
      if (a.index() > cell.firstAtom() && isRequiredHole(atoms.get(a.index() - 1))) {
        return new Placement(representative.firstCell(), a.index(), Side.LOW, null, null);
      }
      if (a.index() + 1 < cell.endAtom() && isRequiredHole(atoms.get(a.index() + 1))) {
        return new Placement(representative.firstCell(), a.index(), Side.HIGH, null, null);
      }
    }
    return null;
  }

  private boolean isRequiredHole(Atom a) {
    return !a.memory() && problem.mustReserve(a);
  }

  /**
   * No layout has more PAMT than one TDMR per cell: chunk sizes are subadditive in the TDMR size
   * (each level is a 4 KiB round-up of a linear function), so merging cells never adds pages.
   */
  private long pamtPagesUpperBound() {
    long total = 0;
    for (Cell c : cells) {
      total += problem.pamtBytes(c.range().size()) / 4096;
    }
    return total;
  }

  private CandidateTdmr firstCandidateStartingAt(int cell) {
    for (CandidateTdmr c : candidates) {
      if (c.firstCell() == cell) {
        return c;
      }
    }
    return null;
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
      BoolVar w = whole.get(a.index());
      BoolVar cov = covered.get(a.cell());
      model.addImplication(w, cov);
      if (!a.memory()) {
        if (problem.mustReserve(a)) {
          model.addEquality(w, cov);
        }
        continue;
      }
      BoolVar k = kept.get(a.index());
      if (a.pages() > roomyPages) {
        // Roomy atoms are never filled by chunks.
        model.addBoolOr(new Literal[] {w.not(), k.not()});
      } else {
        LinearExpr stacks = LinearExpr.newBuilder()
            .add(stackPages.get(a.index())[0].build())
            .add(stackPages.get(a.index())[1].build())
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
      BoolVar w = whole.get(a.index());
      BoolVar[] st = stacked.get(a.index());
      BoolVar joined;
      if (a.index() == 0) {
        joined = model.newBoolVar("joined" + suffix);
        model.addEquality(joined, 0);
      } else {
        int prev = a.index() - 1;
        BoolVar highEndReserved = or("reserved_high_a" + prev, whole.get(prev), stacked.get(prev)[1]);
        Cell cell = cells.get(a.cell());
        if (cell.firstAtom() == a.index()) {
          // A TDMR base cuts any area (areas are clipped per TDMR).
          joined = and("joined" + suffix, highEndReserved, startLiteral.get(cell.index()).not(), covered.get(cell.index()));
        } else {
          joined = and("joined" + suffix, highEndReserved);
        }
      }
      LinearExprBuilder starts = LinearExpr.newBuilder().add(and("opens_whole" + suffix, w, joined.not()));
      if (a.memory()) {
        starts.add(and("opens_low" + suffix, st[0], joined.not(), w.not()));
        starts.add(and("opens_high" + suffix, st[1], w.not()));
      }
      model.addEquality(areaStarts.get(a.index()), starts);
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

  /** C1: at most {@code max_reserved_per_tdmr} areas in every chosen TDMR. */
  private void reservedAreasPerTdmrWithinLimit() {
    // prefix[k] = areas starting in cells before k.
    List<IntVar> prefix = new ArrayList<>();
    long bound = 2L * atoms.size();
    IntVar zero = model.newConstant(0);
    prefix.add(zero);
    for (Cell c : cells) {
      IntVar next = model.newIntVar(0, bound, "areas_before_c" + (c.index() + 1));
      LinearExprBuilder sum = LinearExpr.newBuilder().add(prefix.get(c.index()));
      for (int a = c.firstAtom(); a < c.endAtom(); a++) {
        sum.add(areaStarts.get(a));
      }
      model.addEquality(next, sum);
      prefix.add(next);
    }
    for (CandidateTdmr c : candidates) {
      model.addLessOrEqual(
              LinearExpr.newBuilder().add(prefix.get(c.endCell())).addTerm(prefix.get(c.firstCell()), -1),
              problem.limits().maxReservedPerTdmr())
          .onlyEnforceIf(used.get(c.index()));
    }
    areaCount = LinearExpr.term(prefix.get(cells.size()), 1);
  }

  private void objectiveTerms() {
    LinearExprBuilder pamt = LinearExpr.newBuilder();
    for (CandidateTdmr c : candidates) {
      pamt.addTerm(used.get(c.index()), c.pamtPages());
    }
    pamtPages = pamt.build();
  }

  /** Number of variables and constraints of the model. */
  long variableCount() {
    return model.model().getVariablesCount();
  }

  long constraintCount() {
    return model.model().getConstraintsCount();
  }

  /** Hints the solver with a previous solution (the next stage starts from it). */
  void hintFrom(CpSolver solver) {
    model.clearHints();
    for (BoolVar u : used) {
      model.addHint(u, solver.booleanValue(u));
    }
    for (Placement p : placements) {
      model.addHint(p.literal(), solver.booleanValue(p.literal()));
    }
    for (BoolVar k : kept) {
      if (k != null) {
        model.addHint(k, solver.booleanValue(k));
      }
    }
  }

  /** Hints the solver with a decision of the family (a starting layout). */
  void hint(Decision decision) {
    model.clearHints();
    Set<Integer> chosen = new HashSet<>();
    Map<Integer, TdmrChoice> byStart = new HashMap<>();
    for (TdmrChoice c : decision.tdmrs()) {
      chosen.add(c.candidate());
      byStart.put(candidates.get(c.candidate()).firstCell(), c);
    }
    for (CandidateTdmr c : candidates) {
      model.addHint(used.get(c.index()), chosen.contains(c.index()));
    }
    for (Placement p : placements) {
      TdmrChoice c = byStart.get(p.cell());
      model.addHint(p.literal(), c != null && c.chunkAtom() == p.atom() && c.side() == p.side());
    }
    Set<Integer> dropped = new HashSet<>(decision.droppedAtoms());
    for (Atom a : atoms) {
      if (a.memory()) {
        model.addHint(kept.get(a.index()), !dropped.contains(a.index()));
      }
    }
  }

  /** Reads the decision of a solved model; call only after a status with a solution. */
  Decision decision(CpSolver solver) {
    List<TdmrChoice> choices = new ArrayList<>();
    for (CandidateTdmr c : candidates) {
      if (!solver.booleanValue(used.get(c.index()))) {
        continue;
      }
      Placement chosen = null;
      for (Placement p : placements) {
        if (p.cell() == c.firstCell() && solver.booleanValue(p.literal())) {
          chosen = p;
        }
      }
      if (chosen == null) {
        throw new IllegalStateException("CP-SAT solution places no PAMT for " + c.range());
      }
      choices.add(new TdmrChoice(c.index(), chosen.atom(), chosen.side()));
    }
    List<Integer> dropped = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && !solver.booleanValue(kept.get(a.index()))) {
        dropped.add(a.index());
      }
    }
    return new Decision(choices, dropped);
  }
}
