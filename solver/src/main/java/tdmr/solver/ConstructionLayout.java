package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.time.Deadline;

/**
 * The best layout of the kernel constructions ({@link GreedyEngine#constructionLayouts}: the Linux
 * greedy, greedy-fit, greedy-merge) that lies in a {@link Problem}'s family, as a decision of it: a
 * layout an exact engine of that family holds before it searches, an upper bound on every tier
 * and, where it meets {@link PamtLowerBound}, a proof of those tiers without a search.
 *
 * <p>A construction's layout is of the kernel family, but the problem searches that family under
 * restrictions ({@link Problem#KERNEL_FAMILY_RESTRICTIONS}, {@link
 * Problem#NODE_LOCAL_RESTRICTION}), and a claim of the engine is about the restricted family. So
 * the layout is read as a decision: each TDMR must be a run of cells (base and end on cell edges,
 * first and last cell holding memory), or the layout is not used. The TDMRs alone decide the PAMT
 * bytes and the number of TDMRs; each chunk stays in the memory atom that holds it where the node
 * allows it and it still has room, else it goes where the family allows it ({@link #placeChunk}).
 * The decision is then built by {@link Problem#buildLayout}, as every engine's is: chunks stacked
 * against an end of their atom in TDMR order, reserved areas merged where they touch. That layout,
 * which can differ from the construction's in where chunks sit and so in its areas, must pass
 * {@link LayoutVerifier}; it is the one the engine uses, and what its answer shows. {@code what}
 * names it for an answer's messages.
 *
 * <p>Only under coverage {@code all}, where every memory atom is covered and none is dropped.
 */
public record ConstructionLayout(Decision decision, Layout layout, String what) {

  /**
   * The best layout (by {@code problem}'s objective) that a kernel construction gives within the
   * problem's family, built and verified as above; empty when none does, under coverage {@code
   * max}, or when {@code deadline} passes first.
   */
  public static Optional<ConstructionLayout> find(Problem problem, Deadline deadline) {
    if (problem.policy().coverage() != Policy.Coverage.ALL) {
      return Optional.empty();
    }
    ConstructionLayout best = null;
    LayoutScore bestScore = null;
    for (EngineResult built : GreedyEngine.constructionLayouts(problem.map(), problem.limits(), problem.policy(),
        deadline)) {
      Optional<ConstructionLayout> read = read(problem, built.layout().orElseThrow(), built.solver());
      if (read.isEmpty()) {
        continue;
      }
      LayoutScore score = LayoutScore.of(problem.map(), problem.limits(), problem.policy(), read.get().layout());
      if (best == null || score.betterThan(bestScore, problem.policy())) {
        best = read.get();
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code layout} (of {@code construction}) as a decision of {@code problem}, built and verified; empty when it is none. */
  static Optional<ConstructionLayout> read(Problem problem, Layout layout, String construction) {
    Optional<Decision> decision = decisionOf(problem, layout);
    if (decision.isEmpty()) {
      return Optional.empty();
    }
    Layout built;
    try {
      built = problem.buildLayout(decision.get());
    } catch (IllegalArgumentException outsideFamily) {
      // Two TDMRs on one cell, memory no TDMR covers: not a layout of the family.
      return Optional.empty();
    }
    if (!LayoutVerifier.failures(problem.map(), problem.limits(), problem.policy(), built).isEmpty()) {
      return Optional.empty();
    }
    String name = construction.equals("greedy") ? "the Linux greedy" : "the kernel construction " + construction;
    String what = (built.equals(layout) ? "the layout of " : "a layout with the TDMRs of ") + name;
    return Optional.of(new ConstructionLayout(decision.get(), built, what));
  }

  /**
   * The decision of {@code layout}'s TDMRs, each a candidate of {@code problem}, with a place for
   * each chunk ({@link #placeChunk}); empty when a TDMR is not a run of cells or a chunk has no place.
   */
  private static Optional<Decision> decisionOf(Problem problem, Layout layout) {
    List<Cell> cells = problem.cells();
    long[] room = new long[problem.atoms().size()];
    for (Atom a : problem.atoms()) {
      room[a.index()] = a.range().size();
    }
    List<TdmrChoice> choices = new ArrayList<>();
    for (Tdmr t : layout.tdmrs()) {
      int first = cellStartingAt(cells, t.base());
      int end = t.end() == lastEnd(cells) ? cells.size() : cellStartingAt(cells, t.end());
      int candidate = first < 0 || end < 0 ? -1 : problem.candidateIndex(first, end);
      if (candidate < 0) {
        return Optional.empty();
      }
      Optional<TdmrChoice> choice = placeChunk(problem, problem.candidate(candidate), t, room);
      if (choice.isEmpty()) {
        return Optional.empty();
      }
      choices.add(choice.get());
    }
    return Optional.of(new Decision(choices, List.of()));
  }

  /**
   * Where the chunk of {@code candidate} goes, taking its bytes from {@code room}: into the atom
   * that holds the construction's chunk of {@code t}, against its nearer end, when the node allows it and
   * it has room; otherwise into the roomiest atom the node allows that has room, preferring one
   * against a required hole (a chunk there costs no reserved area), on that side. Empty when none has room.
   */
  private static Optional<TdmrChoice> placeChunk(Problem problem, Problem.CandidateTdmr candidate, Tdmr t,
      long[] room) {
    Cell start = problem.cells().get(candidate.firstCell());
    long bytes = candidate.pamtBytes();
    AddressRange chunk = new AddressRange(t.pamt().fourK().base(), t.pamt().fourK().base() + t.pamt().totalBytes());
    Optional<Atom> own = t.pamt().isContiguousChunk() ? atomHolding(problem.atoms(), chunk) : Optional.empty();
    if (own.isPresent() && problem.mayHoldChunk(start, own.get()) && room[own.get().index()] >= bytes) {
      AddressRange a = own.get().range();
      room[own.get().index()] -= bytes;
      Side side = chunk.start() - a.start() <= a.end() - chunk.end() ? Side.LOW : Side.HIGH;
      return Optional.of(new TdmrChoice(candidate.index(), own.get().index(), side));
    }
    Atom best = null;
    for (Atom a : problem.atoms()) {
      if (!problem.mayHoldChunk(start, a) || room[a.index()] < bytes) {
        continue;
      }
      boolean free = problem.freeSide(a).isPresent();
      boolean bestFree = best != null && problem.freeSide(best).isPresent();
      if (best == null || free && !bestFree || free == bestFree && room[a.index()] > room[best.index()]) {
        best = a;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    room[best.index()] -= bytes;
    return Optional.of(new TdmrChoice(candidate.index(), best.index(), problem.freeSide(best).orElse(Side.LOW)));
  }

  private static long lastEnd(List<Cell> cells) {
    return cells.isEmpty() ? -1 : cells.get(cells.size() - 1).range().end();
  }

  /** The index of the cell starting at {@code address}, or -1 (cells are in address order and touch). */
  private static int cellStartingAt(List<Cell> cells, long address) {
    int lo = 0;
    int hi = cells.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long start = cells.get(mid).range().start();
      if (start == address) {
        return mid;
      }
      if (start < address) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  /** The atom that holds all of {@code range}, if one does (atoms are in address order and touch). */
  private static Optional<Atom> atomHolding(List<Atom> atoms, AddressRange range) {
    int lo = 0;
    int hi = atoms.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AddressRange r = atoms.get(mid).range();
      if (range.start() < r.start()) {
        hi = mid - 1;
      } else if (range.start() >= r.end()) {
        lo = mid + 1;
      } else {
        return range.end() <= r.end() ? Optional.of(atoms.get(mid)) : Optional.empty();
      }
    }
    return Optional.empty();
  }
}
