package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.solver.CellPartition;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;

/**
 * A layout on the TDMRs of {@link PamtLowerBound}'s best split, when that split needs fills: on
 * maps at the edge of the reserved-area limit, holes separated only by pieces of memory that PAMT
 * chunks can fill exactly may share an area only if those pieces are filled. Per TDMR over the
 * limit, the cheapest such bridges (fewest pieces, then fewest pages) are chosen until its hole
 * areas fit; then the chunks of the split's TDMRs on each node are given to the pieces to fill by
 * an exact subset-sum search ({@link FillAssignment}), and every other chunk goes to the pool.
 * Empty when any step finds nothing; the caller validates what it gets.
 */
final class FilledSplit {
  private final Problem problem;
  private final PlacementSlots slots;
  private final List<Cell> cells;
  private final List<Atom> atoms;

  FilledSplit(Problem problem, PlacementSlots slots) {
    this.problem = problem;
    this.slots = slots;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
  }

  Optional<Decision> find(PamtLowerBound bound) {
    Optional<List<CellPartition.Part>> split = bound.bestSplit();
    if (split.isEmpty()) {
      return Optional.empty();
    }
    int limit = problem.limits().maxReservedPerTdmr();
    Set<Integer> toFill = new HashSet<>();
    for (CellPartition.Part t : split.get()) {
      Optional<List<List<Integer>>> bridges = bridgesNeeded(t, limit);
      if (bridges.isEmpty()) {
        return Optional.empty();
      }
      bridges.get().forEach(toFill::addAll);
    }
    // Chunks per pool scope, and the pieces to fill there.
    Map<Integer, List<FillAssignment.Hole>> holes = new HashMap<>();
    for (int a : toFill) {
      Atom atom = atoms.get(a);
      holes.computeIfAbsent(slots.scope(atom), k -> new ArrayList<>()).add(new FillAssignment.Hole(a, atom.pages()));
    }
    Map<Integer, List<FillAssignment.Chunk>> chunks = new HashMap<>();
    for (CellPartition.Part t : split.get()) {
      chunks.computeIfAbsent(slots.scope(cells.get(t.start())), k -> new ArrayList<>())
          .add(new FillAssignment.Chunk(t.start(), problem.chunkPages(t.start(), t.end())));
    }
    Map<Integer, Integer> filledBy = new HashMap<>();
    for (Map.Entry<Integer, List<FillAssignment.Hole>> e : holes.entrySet()) {
      Optional<Map<Integer, Integer>> given = FillAssignment.assignSome(e.getValue(), chunks.getOrDefault(e.getKey(), List.of()));
      if (given.isEmpty()) {
        return Optional.empty();
      }
      filledBy.putAll(given.get());
    }
    List<TdmrChoice> choices = new ArrayList<>();
    Set<Integer> used = new HashSet<>(toFill);
    for (CellPartition.Part t : split.get()) {
      int candidate = problem.candidateIndex(t.start(), t.end());
      Integer fill = filledBy.get(t.start());
      if (fill != null) {
        choices.add(new TdmrChoice(candidate, fill, Side.LOW));
        continue;
      }
      Cell start = cells.get(t.start());
      OptionalLong m = slots.poolLimit(start);
      if (m.isEmpty() || problem.chunkPages(t.start(), t.end()) > m.getAsLong()) {
        return Optional.empty();
      }
      Optional<Atom> free = slots.pool(start).stream().filter(a -> !used.contains(a.index())).findFirst();
      if (free.isEmpty()) {
        return Optional.empty();
      }
      used.add(free.get().index());
      choices.add(new TdmrChoice(candidate, free.get().index(), problem.freeSide(free.get()).orElseThrow()));
    }
    return Optional.of(new Decision(choices, List.of()));
  }

  /**
   * The bridges TDMR {@code t} needs for its hole areas to fit {@code limit} (each bridge: the
   * fillable pieces between two consecutive required holes), empty when it cannot get there.
   */
  private Optional<List<List<Integer>>> bridgesNeeded(CellPartition.Part t, int limit) {
    int first = cells.get(t.start()).firstAtom();
    int end = cells.get(t.end() - 1).endAtom();
    int areas = 0;
    boolean inArea = false;
    List<List<Integer>> bridges = new ArrayList<>();
    List<Integer> between = null;
    boolean bridgeable = false;
    for (int a = first; a < end; a++) {
      Atom atom = atoms.get(a);
      if (!atom.memory() && problem.mustReserve(atom)) {
        if (!inArea) {
          areas++;
          if (between != null && bridgeable && !between.isEmpty()) {
            bridges.add(between);
          }
        }
        inArea = true;
        between = new ArrayList<>();
        bridgeable = true;
      } else {
        inArea = false;
        if (between != null) {
          if (atom.memory() && slots.fillable(atom)) {
            between.add(a);
          } else if (atom.memory()) {
            bridgeable = false;
          }
        }
      }
    }
    if (areas <= limit) {
      return Optional.of(List.of());
    }
    if (bridges.size() < areas - limit) {
      return Optional.empty();
    }
    bridges.sort(Comparator.<List<Integer>>comparingInt(List::size)
        .thenComparingLong(b -> b.stream().mapToLong(a -> atoms.get(a).pages()).sum())
        .thenComparingInt(b -> b.get(0)));
    return Optional.of(List.copyOf(bridges.subList(0, areas - limit)));
  }
}
