package tdmr.solver.cpsat;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.PartialVariableAssignment;
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
import tdmr.solver.Watchdog;
import tdmr.solver.cpsat.TdmrModel.AtomVars;
import tdmr.solver.cpsat.TdmrModel.CellVars;
import tdmr.solver.cpsat.TdmrModel.FillChunk;
import tdmr.solver.cpsat.TdmrModel.Placement;

/**
 * What goes into a {@link TdmrModel}'s solve and what comes out of it, in the family's terms: a
 * decision (TDMRs, their chunks' slots, memory left out) or a previous solution as the solver's
 * hint, and the decision a solution holds. The model itself only states the rules.
 */
final class TdmrModelSolution {
  private final CpModel model;
  private final Problem problem;
  private final PlacementSlots slots;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final List<CellVars> cellVars;
  private final List<AtomVars> atomVars;
  private final List<Placement> placements;
  private final Map<Integer, BoolVar> pooled;
  private final Map<Integer, FillChunk> fillChunks;

  /** The solution's fills cannot be given to its chunks exactly; the full model must decide. */
  static final class FillsNotRealizable extends RuntimeException {
    FillsNotRealizable() {
      super("the aggregated fills of the solution have no exact assignment", null, false, false);
    }
  }

  TdmrModelSolution(TdmrModel m) {
    this.model = m.model();
    this.problem = m.problem();
    this.slots = m.slots();
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.cellVars = m.cellVars();
    this.atomVars = m.atomVars();
    this.placements = m.placements();
    this.pooled = m.pooled();
    this.fillChunks = m.fillChunks();
  }

  /** Hints the solver with a previous solution (the next stage starts from it). */
  void hintFrom(CpSolver solver) {
    model.clearHints();
    for (CellVars c : cellVars) {
      for (BoolVar b : new BoolVar[] {c.start(), c.end(), c.cont(), c.covered()}) {
        if (b != null) {
          model.addHint(b, solver.booleanValue(b));
        }
      }
    }
    for (Placement p : placements) {
      model.addHint(p.literal(), solver.booleanValue(p.literal()));
    }
    for (BoolVar p : pooled.values()) {
      model.addHint(p, solver.booleanValue(p));
    }
    for (FillChunk f : fillChunks.values()) {
      model.addHint(f.literal(), solver.booleanValue(f.literal()));
    }
    for (AtomVars a : atomVars) {
      if (a.kept() != null) {
        model.addHint(a.kept(), solver.booleanValue(a.kept()));
      }
    }
  }

  /**
   * Completes the current hint into a value for every variable: one short solve with the hinted
   * variables fixed, which leaves CP-SAT only propagation to do. A complete hint is taken by CP-SAT
   * as its first solution at once, where a partial one must be repaired by search (on a 1 500-cell
   * map it never was within 10 s). Returns false, leaving the hint as it was, when the hinted
   * values are no solution or {@code seconds} pass first.
   */
  boolean completeHint(double seconds) {
    CpSolver solver = new CpSolver();
    solver.getParameters()
        .setMaxTimeInSeconds(Math.max(0.01, seconds))
        .setNumWorkers(1)
        .setFixVariablesToTheirHintedValue(true)
        .setStopAfterFirstSolution(true)
        .setCpModelPresolve(false)
        .setLinearizationLevel(0);
    CpSolverStatus status;
    try (Watchdog w = Watchdog.at(problem.deadline(), solver::stopSearch)) {
      status = solver.solve(model);
    }
    if (status != CpSolverStatus.OPTIMAL && status != CpSolverStatus.FEASIBLE) {
      return false;
    }
    List<Long> values = solver.response().getSolutionList();
    PartialVariableAssignment.Builder hint = model.getBuilder().getSolutionHintBuilder().clear();
    for (int v = 0; v < values.size(); v++) {
      hint.addVars(v).addValues(values.get(v));
    }
    return true;
  }

  /** Hints the solver with a decision of the family (a starting layout). */
  void hint(Decision decision) {
    model.clearHints();
    boolean[] starts = new boolean[cells.size()];
    boolean[] ends = new boolean[cells.size()];
    boolean[] in = new boolean[cells.size()];
    Map<Integer, TdmrChoice> byStart = new HashMap<>();
    for (TdmrChoice c : decision.tdmrs()) {
      CandidateTdmr t = problem.candidate(c.candidate());
      starts[t.firstCell()] = true;
      ends[t.endCell() - 1] = true;
      for (int k = t.firstCell(); k < t.endCell(); k++) {
        in[k] = true;
      }
      byStart.put(t.firstCell(), c);
    }
    for (int k = 0; k < cells.size(); k++) {
      model.addHint(cellVars.get(k).start(), starts[k]);
      model.addHint(cellVars.get(k).end(), ends[k]);
      model.addHint(cellVars.get(k).covered(), in[k]);
      if (k + 1 < cells.size()) {
        model.addHint(cellVars.get(k).cont(), in[k] && !ends[k]);
      }
    }
    // The decision's chunk as the model offers it: its slot, else the atom's other side (only one
    // side of an atom with a free side is offered), else the pool.
    Map<Integer, Placement> hinted = new HashMap<>();
    for (Placement p : placements) {
      TdmrChoice c = byStart.get(p.cell());
      if (c != null && c.chunkAtom() == p.atom()
          && (c.side() == p.side() || !hinted.containsKey(p.cell()))) {
        hinted.put(p.cell(), p);
      }
    }
    for (Placement p : placements) {
      model.addHint(p.literal(), hinted.get(p.cell()) == p);
    }
    for (Map.Entry<Integer, BoolVar> p : pooled.entrySet()) {
      model.addHint(p.getValue(), byStart.containsKey(p.getKey()) && !hinted.containsKey(p.getKey()));
    }
    for (FillChunk f : fillChunks.values()) {
      model.addHint(f.literal(), false);
    }
    Set<Integer> dropped = new HashSet<>(decision.droppedAtoms());
    for (Atom a : atoms) {
      if (a.memory()) {
        model.addHint(atomVars.get(a.index()).kept(), !dropped.contains(a.index()));
      }
    }
  }

  /** Reads the decision of a solved model; call only after a status with a solution. */
  Decision decision(CpSolver solver) {
    Map<Integer, Placement> chunkOfStart = new HashMap<>();
    for (Placement p : placements) {
      if (solver.booleanValue(p.literal())) {
        chunkOfStart.put(p.cell(), p);
      }
    }
    Map<Integer, PlacementSlots.Slot> poolSlots = poolSlots(solver, chunkOfStart);
    poolSlots.putAll(fillSlots(solver));
    List<TdmrChoice> choices = new ArrayList<>();
    for (int k = 0; k < cells.size(); k++) {
      if (!solver.booleanValue(cellVars.get(k).start())) {
        continue;
      }
      int last = k;
      while (!solver.booleanValue(cellVars.get(last).end())) {
        last++;
      }
      int candidate = problem.candidateIndex(k, last + 1);
      Placement chosen = chunkOfStart.get(k);
      PlacementSlots.Slot slot = chosen != null ? new PlacementSlots.Slot(chosen.atom(), chosen.side()) : poolSlots.get(k);
      if (candidate < 0 || slot == null) {
        throw new IllegalStateException("CP-SAT solution has no candidate TDMR or no PAMT at cell "
            + cells.get(k).range());
      }
      choices.add(new TdmrChoice(candidate, slot.atom(), slot.side()));
    }
    List<Integer> dropped = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && !solver.booleanValue(atomVars.get(a.index()).kept())) {
        dropped.add(a.index());
      }
    }
    return new Decision(choices, dropped);
  }

  /**
   * Gives each pooled chunk, in address order, the first atom of its pool that no other chunk uses,
   * against the atom's free side. There is always one: a pool has {@code maxTdmrs} atoms and there
   * are fewer other chunks ({@link PlacementSlots}).
   */
  private Map<Integer, PlacementSlots.Slot> poolSlots(CpSolver solver, Map<Integer, Placement> chunkOfStart) {
    Set<Integer> used = new HashSet<>();
    for (Placement p : chunkOfStart.values()) {
      used.add(p.atom());
    }
    Map<Integer, PlacementSlots.Slot> out = new HashMap<>();
    for (int k = 0; k < cells.size(); k++) {
      BoolVar in = pooled.get(k);
      if (in == null || !solver.booleanValue(in)) {
        continue;
      }
      Atom free = slots.pool(cells.get(k)).stream()
          .filter(a -> !used.contains(a.index()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("pool exhausted"));
      used.add(free.index());
      out.put(k, new PlacementSlots.Slot(free.index(), problem.freeSide(free).orElseThrow()));
    }
    return out;
  }

  /**
   * With fills aggregated, gives the chunks in fills to the filled atoms of their scope ({@link
   * FillAssignment}), each stacked from the atom's low end.
   *
   * @throws FillsNotRealizable when some scope has no exact assignment
   */
  private Map<Integer, PlacementSlots.Slot> fillSlots(CpSolver solver) {
    Map<Integer, List<FillAssignment.Hole>> filled = new HashMap<>();
    Map<Integer, List<FillAssignment.Chunk>> inFills = new HashMap<>();
    if (fillChunks.isEmpty()) {
      return Map.of();
    }
    for (Atom a : atoms) {
      if (a.memory() && slots.fillable(a) && solver.booleanValue(atomVars.get(a.index()).whole())) {
        filled.computeIfAbsent(slots.scope(a), k -> new ArrayList<>()).add(new FillAssignment.Hole(a.index(), a.pages()));
      }
    }
    for (Map.Entry<Integer, FillChunk> e : fillChunks.entrySet()) {
      if (solver.booleanValue(e.getValue().literal())) {
        Cell cell = cells.get(e.getKey());
        inFills.computeIfAbsent(slots.scope(cell), k -> new ArrayList<>())
            .add(new FillAssignment.Chunk(cell.index(), solver.value(e.getValue().chunkPages())));
      }
    }
    Map<Integer, PlacementSlots.Slot> out = new HashMap<>();
    Set<Integer> scopes = new HashSet<>(filled.keySet());
    scopes.addAll(inFills.keySet());
    for (int scope : scopes) {
      Map<Integer, Integer> given = FillAssignment.assign(filled.getOrDefault(scope, List.of()),
          inFills.getOrDefault(scope, List.of())).orElseThrow(FillsNotRealizable::new);
      given.forEach((cell, atom) -> out.put(cell, new PlacementSlots.Slot(atom, Side.LOW)));
    }
    return out;
  }
}
