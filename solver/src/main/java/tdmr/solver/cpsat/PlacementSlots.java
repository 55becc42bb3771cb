package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Side;
import tdmr.tdx.Policy;

/**
 * Where the model lets the PAMT chunk of the TDMR starting at each cell go: which (memory atom,
 * side) slots get a placement literal, and whether the chunk may instead go to the <em>pool</em>.
 * Every layout of the family can be moved, without adding a reserved area to any TDMR, into one
 * that uses only these, so leaving the other slots out of the model keeps it exact.
 *
 * <p>The moves, all under the same TDMRs (so PAMT and TDMR count are unchanged):
 *
 * <ul>
 *   <li><b>One side.</b> A memory atom with a <em>free side</em> (a required hole of the same cell
 *       touches it, see {@link Problem#freeSide}) needs no slot on its other side. Moving every
 *       chunk of the atom to the free side keeps the atom's fill, so it stays wholly reserved or
 *       not; its other stack empties, which never adds an area (an emptied stack loses its own
 *       area or hands it to the piece it touched); and chunks against the free side touch a hole
 *       that is reserved anyway.
 *   <li><b>The pool</b> (coverage {@code all} only). Take the memory atoms of a node (of all nodes
 *       under PAMT {@code any}) that have a free side and that chunks cannot fill ({@link
 *       Problem#mayBeFilled}). When there are at least {@code maxTdmrs} of them, the {@code
 *       maxTdmrs} largest form the node's pool, and {@code m} is the smallest pool atom's size.
 *       Any chunk of at most {@code m} pages that sits in an atom that cannot be filled can move to
 *       a pool atom that holds no other chunk: the other chunks, fewer than {@code maxTdmrs}, leave
 *       one untouched; the chunk fits there (it is no larger than {@code m}); it cannot fill the
 *       atom; it stacks against a reserved hole; and the atom it left was not wholly reserved
 *       before and is not after. So the model needs one "pooled" literal per start cell instead of
 *       a slot per such atom, with no page accounting (pool atoms are never shared), and slots
 *       only in atoms that may be filled and, for chunks larger than {@code m}, in atoms larger
 *       than {@code m}. A pooled chunk gets a pool atom of its node when the layout is read.
 *   <li><b>Roomy atoms</b> (without a pool). An atom larger than every layout's total PAMT is never
 *       full; under coverage {@code all}, when one of the start cell's node touches a required hole
 *       of its cell, that one slot stands for all the node's roomy slots.
 * </ul>
 */
final class PlacementSlots {
  /** A chunk stacked against {@code side} of memory atom {@code atom}. */
  record Slot(int atom, Side side) {}

  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  /** Per cell: one past the last cell a TDMR starting there may reach. */
  private final int[] lastEnd;
  /** Atoms larger than this never fill up: no layout has more PAMT pages. */
  private final long roomyPages;
  /** Per pool scope ({@link #scope}): the pool atoms, largest first. */
  private final Map<Integer, List<Atom>> pools = new HashMap<>();
  private final boolean[] fillable;
  /** Per pool scope: pages of its largest atom that chunks may fill (scopes follow {@link Problem#mayHoldChunk}). */
  private final Map<Integer, Long> largestFillable = new HashMap<>();
  /** {@link #slots} per start cell, computed once: the engine counts them, then the model uses them. */
  private final Map<Integer, List<Slot>> slotsOfStart = new HashMap<>();
  private final boolean fillsAggregated;
  private final Optional<PamtLowerBound> bound;

  PlacementSlots(Problem problem, Optional<PamtLowerBound> bound) {
    this.problem = problem;
    this.bound = bound;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.lastEnd = new int[cells.size()];
    int lastMemoryEnd = 0;
    for (Cell c : cells) {
      if (c.holdsMemory()) {
        lastMemoryEnd = c.index() + 1;
      }
    }
    for (Cell c : cells) {
      lastEnd[c.index()] = bound.isPresent() ? bound.get().lastEnd(c.index()) : lastMemoryEnd;
    }
    long total = 0;
    for (Cell c : cells) {
      total += problem.pamtBytes(c.range().size()) / 4096;
    }
    this.roomyPages = total;
    this.fillable = new boolean[atoms.size()];
    Map<Integer, List<Atom>> candidates = new HashMap<>();
    for (Atom a : atoms) {
      fillable[a.index()] = bound.isPresent() ? bound.get().mayBeFilled(a) : problem.mayBeFilled(a);
      if (fillable[a.index()]) {
        largestFillable.merge(scope(a.node()), a.pages(), Math::max);
      }
      if (a.memory() && !a.mustDrop() && !fillable[a.index()] && problem.freeSide(a).isPresent()) {
        candidates.computeIfAbsent(scope(a.node()), k -> new ArrayList<>()).add(a);
      }
    }
    int size = problem.limits().maxTdmrs();
    if (problem.policy().coverage() == Policy.Coverage.ALL) {
      for (Map.Entry<Integer, List<Atom>> e : candidates.entrySet()) {
        if (e.getValue().size() >= size) {
          List<Atom> pool = new ArrayList<>(e.getValue());
          pool.sort(Comparator.comparingLong(Atom::pages).reversed().thenComparingInt(Atom::index));
          pools.put(e.getKey(), List.copyOf(pool.subList(0, size)));
        }
      }
    }
    this.fillsAggregated = problem.policy().coverage() == Policy.Coverage.ALL;
  }

  /**
   * Whether fills are aggregated (coverage {@code all}): a chunk that helps fill an atom exactly is
   * only marked "in a fill", and per pool scope the pages of the filled atoms must equal the pages
   * of the chunks in fills; slots never fill their atom. That is a relaxation, as it leaves open
   * which chunk fills which atom ({@link FillAssignment} decides that afterwards, or finds that it
   * cannot), and it removes the slots that only fills needed: with a pool, a chunk in an atom that
   * is not filled can move to the pool, so fillable atoms need slots only for chunks larger than
   * {@code m}, like every other atom.
   */
  boolean fillsAggregated() {
    return fillsAggregated;
  }

  /**
   * Whether the chunk of a TDMR starting at {@code start} may help fill some atom: fills are
   * aggregated and its scope has an atom that chunks may fill, at least as large as the chunk.
   */
  boolean mayFill(Cell start) {
    if (!fillsAggregated || !start.holdsMemory() || lastEnd(start) <= start.index()) {
      return false;
    }
    return largestFillable.getOrDefault(scope(start), 0L) >= smallestChunk(start);
  }

  /** The relaxation the slots were cut with, under coverage {@code all}. */
  Optional<PamtLowerBound> bound() {
    return bound;
  }

  /** Whether chunks may fill memory atom {@code atom} exactly ({@link Problem#mayBeFilled}). */
  boolean fillable(Atom atom) {
    return fillable[atom.index()];
  }

  /** The pool scope of the chunks of TDMRs starting at {@code start}. */
  int scope(Cell start) {
    return scope(start.node());
  }

  /** The pool scope of the chunks that memory atom {@code atom} may hold. */
  int scope(Atom atom) {
    return scope(atom.node());
  }

  /** A model with every slot, for when the relaxation of {@link #fillsAggregated} fails. */
  PlacementSlots withoutAggregatedFills() {
    return new PlacementSlots(this, false);
  }

  private PlacementSlots(PlacementSlots other, boolean fillsAggregated) {
    this.problem = other.problem;
    this.bound = other.bound;
    this.cells = other.cells;
    this.atoms = other.atoms;
    this.lastEnd = other.lastEnd;
    this.roomyPages = other.roomyPages;
    this.pools.putAll(other.pools);
    this.fillable = other.fillable;
    this.largestFillable.putAll(other.largestFillable);
    this.fillsAggregated = fillsAggregated;
  }

  /** Atoms larger than this can hold every chunk of any layout at both ends at once. */
  long roomyPages() {
    return roomyPages;
  }

  /** One past the last cell a TDMR starting at {@code start} may reach ({@code start}: none). */
  int lastEnd(Cell start) {
    return lastEnd[start.index()];
  }

  /** Pages of the chunk of the smallest TDMR starting at {@code start}. */
  long smallestChunk(Cell start) {
    return problem.pamtBytes(start.range().size()) / 4096;
  }

  /** Pages of the chunk of the largest TDMR starting at {@code start} (0 when none may). */
  long largestChunk(Cell start) {
    int end = lastEnd(start);
    if (end <= start.index()) {
      return 0;
    }
    return problem.chunkPages(start.index(), end);
  }

  /** The pool for chunks of TDMRs starting at {@code start}, largest atom first; empty when none. */
  List<Atom> pool(Cell start) {
    return pools.getOrDefault(scope(start.node()), List.of());
  }

  /** The most pages a pooled chunk may have, when {@code start}'s chunk may be pooled at all. */
  OptionalLong poolLimit(Cell start) {
    List<Atom> pool = pool(start);
    if (pool.isEmpty()) {
      return OptionalLong.empty();
    }
    long m = pool.get(pool.size() - 1).pages();
    return smallestChunk(start) <= m ? OptionalLong.of(m) : OptionalLong.empty();
  }

  /** The slots of the chunk of a TDMR starting at {@code start}, in atom order. */
  List<Slot> slots(Cell start) {
    return slotsOfStart.computeIfAbsent(start.index(), k -> List.copyOf(slotsOf(start)));
  }

  private List<Slot> slotsOf(Cell start) {
    List<Slot> out = new ArrayList<>();
    if (!start.holdsMemory() || lastEnd(start) <= start.index()) {
      return out;
    }
    long smallest = smallestChunk(start);
    long largest = largestChunk(start);
    List<Atom> pool = pool(start);
    long m = pool.isEmpty() ? -1 : pool.get(pool.size() - 1).pages();
    Slot roomyFree = pool.isEmpty() ? freeRoomySlot(start) : null;
    for (Atom a : atoms) {
      if (!problem.mayHoldChunk(start, a) || a.pages() < smallest) {
        continue;
      }
      boolean onlyForFills = fillsAggregated || !fillable[a.index()];
      if (m >= 0 && onlyForFills && !(a.pages() > m && largest > m)) {
        continue;
      }
      Optional<Side> free = problem.freeSide(a);
      for (Side side : Side.values()) {
        if (free.isPresent() && free.get() != side) {
          continue;
        }
        if (roomyFree != null && a.pages() > roomyPages && !roomyFree.equals(new Slot(a.index(), side))) {
          continue;
        }
        out.add(new Slot(a.index(), side));
      }
    }
    return out;
  }

  /** Placement literals the model would get: the slots and one pooled (and "in a fill") literal per start cell. */
  long literalCount() {
    long count = 0;
    for (Cell c : cells) {
      count += slots(c).size() + (c.holdsMemory() && poolLimit(c).isPresent() ? 1 : 0)
          + (mayFill(c) ? 1 : 0);
    }
    return count;
  }

  /** Pools are per node under PAMT {@code node-local}, one for all nodes under {@code any}. */
  private int scope(int node) {
    return problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY ? -1 : node;
  }

  /**
   * Under coverage {@code all}, the free side of the first roomy atom on the start cell's node,
   * or null. Such a slot costs no area and never fills, so moving a chunk from any other roomy
   * slot to it never adds an area: the chunk's other roomy slots are not needed.
   */
  private Slot freeRoomySlot(Cell start) {
    if (problem.policy().coverage() != Policy.Coverage.ALL) {
      return null;
    }
    for (Atom a : atoms) {
      if (a.pages() > roomyPages && problem.mayHoldChunk(start, a)) {
        Optional<Side> free = problem.freeSide(a);
        if (free.isPresent()) {
          return new Slot(a.index(), free.get());
        }
      }
    }
    return null;
  }
}
