package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.CandidateTdmr;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Layout;
import tdmr.tdx.Tdmr;

/**
 * A quick layout of the family to start CP-SAT from (a solution hint), so that big maps get a
 * FEASIBLE answer early. It is only a hint: the model decides optimality, and a hint that turns
 * out invalid is simply not given.
 *
 * <p>TDMRs are grown left to right over the cells while the holes inside, plus one area for a
 * chunk that finds no hole to stack on, stay within the reserved-area limit and while the TDMR's
 * chunk fits into one memory atom inside it that its node allows; first without
 * bridging cells that hold no memory, and bridging them if that needs too many TDMRs. Each chunk
 * goes into its own TDMR, on its node, stacked against a hole when one is adjacent.
 */
final class StartingLayout {
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;

  StartingLayout(Problem problem) {
    this.problem = problem;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
  }

  /** A valid decision covering all coverable memory, or empty when this simple method finds none. */
  Optional<Decision> find() {
    for (boolean bridge : new boolean[] {false, true}) {
      Optional<Decision> d = partition(bridge).flatMap(this::placeChunks);
      if (d.isPresent() && withinLimits(d.get())) {
        return d;
      }
    }
    return Optional.empty();
  }

  /** Pieces reserved whenever covered: required holes, and memory that can never be covered. */
  private boolean reservedHole(Atom a) {
    return a.memory() ? a.mustDrop() && problem.mustReserveDropped(a) : problem.mustReserve(a);
  }

  /**
   * Counts the areas formed by the reserved holes of a run of cells, one cell at a time, so that
   * growing a TDMR over n cells costs one pass over their atoms.
   */
  private final class HoleAreas {
    private int areas;
    private boolean inArea;

    /** The areas of the run after extending it by {@code cell}. */
    int extend(Cell cell) {
      for (int a = cell.firstAtom(); a < cell.endAtom(); a++) {
        boolean r = reservedHole(atoms.get(a));
        if (r && !inArea) {
          areas++;
        }
        inArea = r;
      }
      return areas;
    }
  }

  private Optional<List<CandidateTdmr>> partition(boolean bridge) {
    int limit = problem.limits().maxReservedPerTdmr() - 1;
    List<CandidateTdmr> chosen = new ArrayList<>();
    int k = 0;
    while (k < cells.size()) {
      if (!cells.get(k).holdsMemory()) {
        k++;
        continue;
      }
      if (problem.nodeAtom(cells.get(k)).mustDrop()) {
        // tdmr_get_nid would see other memory than the cell's node: not a start of the family.
        return Optional.empty();
      }
      CandidateTdmr best = null;
      HoleAreas holes = new HoleAreas();
      long roomiest = 0;
      for (int e = k + 1; e <= cells.size(); e++) {
        Cell last = cells.get(e - 1);
        if (!bridge && !last.holdsMemory()) {
          break;
        }
        // The hole areas only grow with the run, so the first run over the limit ends the search.
        if (holes.extend(last) > limit) {
          break;
        }
        for (int a = last.firstAtom(); a < last.endAtom(); a++) {
          if (problem.mayHoldChunk(cells.get(k), atoms.get(a))) {
            roomiest = Math.max(roomiest, atoms.get(a).range().size());
          }
        }
        int c = problem.candidateIndex(k, e);
        // placeChunks looks for room inside the TDMR: grow it only while its chunk fits there.
        if (c >= 0 && problem.candidate(c).pamtBytes() < roomiest) {
          best = problem.candidate(c);
        }
      }
      if (best == null) {
        return Optional.empty();
      }
      chosen.add(best);
      k = best.endCell();
    }
    if (chosen.isEmpty() || chosen.size() > problem.limits().maxTdmrs()) {
      return Optional.empty();
    }
    return Optional.of(chosen);
  }

  private Optional<Decision> placeChunks(List<CandidateTdmr> tdmrs) {
    long[][] used = new long[atoms.size()][2];
    List<TdmrChoice> choices = new ArrayList<>();
    for (CandidateTdmr t : tdmrs) {
      TdmrChoice choice = null;
      int first = cells.get(t.firstCell()).firstAtom();
      int end = cells.get(t.endCell() - 1).endAtom();
      for (int pass = 0; pass < 2 && choice == null; pass++) {
        for (int a = first; a < end && choice == null; a++) {
          Atom atom = atoms.get(a);
          if (!problem.mayHoldChunk(t, atom)
              || used[a][0] + used[a][1] + t.pamtBytes() >= atom.range().size()) {
            continue;
          }
          // Pass 0: only against a hole of the same TDMR; pass 1: anywhere (a standalone area).
          boolean holeBelow = a > first && reservedHole(atoms.get(a - 1));
          boolean holeAbove = a + 1 < end && reservedHole(atoms.get(a + 1));
          if (pass == 1 || holeBelow) {
            choice = new TdmrChoice(t.index(), a, Side.LOW);
          } else if (holeAbove) {
            choice = new TdmrChoice(t.index(), a, Side.HIGH);
          }
        }
      }
      if (choice == null) {
        return Optional.empty();
      }
      used[choice.chunkAtom()][choice.side().ordinal()] += t.pamtBytes();
      choices.add(choice);
    }
    List<Integer> dropped = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.mustDrop()) {
        dropped.add(a.index());
      }
    }
    return Optional.of(new Decision(choices, dropped));
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
