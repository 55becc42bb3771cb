package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tdmr.solver.CellPartition;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Layout;
import tdmr.tdx.Tdmr;

/**
 * A quick layout of the family to start CP-SAT from (a solution hint), so that big maps get a good
 * layout at once and CP-SAT's work is the proof. It is only a hint: the model decides optimality,
 * and a hint that turns out invalid is simply not given.
 *
 * <p>It is the best layout of a smaller family, found by dynamic programming over the cells: every
 * TDMR's chunk goes to an atom of the pool of its node ({@link PlacementSlots}: atoms against a
 * hole, one chunk each, never filled) when it is small enough, else into a memory atom inside the
 * TDMR that its node allows. Then TDMRs do not interact (no two chunks share an atom), so the best
 * layout is a shortest path: a state is the first cell holding memory that is not covered yet and
 * the number of TDMRs so far, a step is one TDMR from that cell, and a step's cost is its PAMT,
 * then its reserved areas. A TDMR's areas are its reserved holes (touching ones merged) plus one
 * for a chunk inside it unless the chunk can stack against a hole of the same cell. The result minimises PAMT, then TDMRs, then areas in that
 * family, which on the generated and real maps measured is usually the optimum of the whole family.
 * Its cost is one pass over the atoms of every feasible TDMR (quadratic in the cells at worst, and
 * far less when the reserved-area limit keeps TDMRs short) times the TDMR limit.
 */
final class StartingLayout {
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final PlacementSlots slots;
  /** The tag of a step whose chunk goes to the pool ({@link PlacementSlots}). */
  private static final int POOLED = -1;

  StartingLayout(Problem problem, PlacementSlots slots) {
    this.problem = problem;
    this.slots = slots;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
  }

  /**
   * A valid decision covering all coverable memory, or empty when this method finds none: the
   * shortest path above, or, when that misses the bounds of {@link PamtLowerBound}, the layout of
   * {@link FilledSplit} if it is better.
   */
  Optional<Decision> find() {
    Optional<Decision> own = shortestPath().filter(this::withinLimits);
    Optional<PamtLowerBound> bound = slots.bound();
    if (bound.isEmpty() || bound.get().leastPamtPages().isEmpty()
        || own.isPresent() && bound.get().isMetBy(problem.buildLayout(own.get()))) {
      return own;
    }
    // The relaxation promises better: try its split, filling pieces between holes where it must.
    Optional<Decision> filled = new FilledSplit(problem, slots).find(bound.get()).filter(this::withinLimits);
    if (filled.isEmpty()) {
      return own;
    }
    if (own.isEmpty()) {
      return filled;
    }
    Layout a = problem.buildLayout(own.get());
    Layout b = problem.buildLayout(filled.get());
    boolean filledBetter = b.pamtBytes() < a.pamtBytes() || b.pamtBytes() == a.pamtBytes()
        && (b.size() < a.size() || b.size() == a.size() && b.reservedAreaCount() < a.reservedAreaCount());
    return filledBetter ? filled : own;
  }

  /** Pieces reserved whenever covered: required holes, and memory that can never be covered. */
  private boolean reservedHole(Atom a) {
    return a.memory() ? a.mustDrop() && problem.mustReserveDropped(a) : problem.mustReserve(a);
  }

  /** The best layout in which every TDMR keeps its own chunk, by {@link CellPartition}. */
  private Optional<Decision> shortestPath() {
    Optional<CellPartition.Best> best = new CellPartition(problem, (start, sink) -> {
      Cell startCell = cells.get(start);
      if (problem.nodeAtom(startCell).mustDrop()) {
        // tdmr_get_nid would see other memory than the cell's node: not a start of the family.
        return;
      }
      steps(startCell, problem.largestAtomPages(startCell), sink);
    }).best();
    if (best.isEmpty()) {
      return Optional.empty();
    }
    List<TdmrChoice> choices = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    for (CellPartition.Part part : best.get().parts()) {
      if (part.tag() != POOLED) {
        used.add(part.tag());
      }
    }
    for (CellPartition.Part part : best.get().parts()) {
      int chunkAtom = part.tag();
      if (chunkAtom == POOLED) {
        // A pool atom no other chunk uses: there are maxTdmrs of them, and fewer other chunks.
        chunkAtom = slots.pool(cells.get(part.start())).stream()
            .filter(a -> !used.contains(a.index()))
            .findFirst()
            .orElseThrow()
            .index();
        used.add(chunkAtom);
      }
      Atom atom = atoms.get(chunkAtom);
      Side side = problem.freeSide(atom).orElse(Side.LOW);
      choices.add(new TdmrChoice(problem.candidateIndex(part.start(), part.end()), atom.index(), side));
    }
    List<Integer> dropped = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.mustDrop()) {
        dropped.add(a.index());
      }
    }
    return Optional.of(new Decision(choices, dropped));
  }

  /**
   * The TDMRs from {@code startCell} whose own chunk fits into a memory atom inside them: each with
   * its PAMT pages, its hole areas plus one unless the chunk stacks against a hole, and the atom
   * (the roomiest such atom next to a hole, else the roomiest one) as its tag.
   */
  private void steps(Cell startCell, long largestAllowed, CellPartition.StepSink sink) {
    int limit = problem.limits().maxReservedPerTdmr();
    long poolLimit = slots.poolLimit(startCell).orElse(-1);
    int holeAreas = 0;
    boolean inArea = false;
    long roomiestFree = 0;
    int roomiestFreeAtom = -1;
    long roomiest = 0;
    int roomiestAtom = -1;
    for (int e = startCell.index() + 1; e <= cells.size(); e++) {
      Cell last = cells.get(e - 1);
      for (int a = last.firstAtom(); a < last.endAtom(); a++) {
        Atom atom = atoms.get(a);
        boolean r = reservedHole(atom);
        if (r && !inArea) {
          holeAreas++;
        }
        inArea = r;
        if (problem.mayHoldChunk(startCell, atom)) {
          if (problem.freeSide(atom).isPresent() && atom.pages() > roomiestFree) {
            roomiestFree = atom.pages();
            roomiestFreeAtom = a;
          }
          if (atom.pages() > roomiest) {
            roomiest = atom.pages();
            roomiestAtom = a;
          }
        }
      }
      // Hole areas and chunks only grow with the TDMR: past either limit, stop.
      long chunk = problem.chunkPages(startCell.index(), e);
      if (holeAreas > limit || chunk >= largestAllowed) {
        return;
      }
      if (!last.holdsMemory()) {
        continue;
      }
      // Strictly smaller than the atom, so that the chunk never fills it (which would merge areas).
      if (chunk <= poolLimit) {
        sink.step(e, chunk, holeAreas, POOLED);
      } else if (chunk < roomiestFree && holeAreas <= limit) {
        sink.step(e, chunk, holeAreas, roomiestFreeAtom);
      } else if (chunk < roomiest && holeAreas + 1 <= limit) {
        sink.step(e, chunk, holeAreas + 1, roomiestAtom);
      }
    }
  }

  private boolean withinLimits(Decision d) {
    try {
      Layout layout = problem.buildLayout(d);
      for (Tdmr t : layout.tdmrs()) {
        if (t.reservedCount() > problem.limits().maxReservedPerTdmr()) {
          return false;
        }
      }
      return true;
    } catch (IllegalArgumentException outsideFamily) {
      return false;
    }
  }
}
