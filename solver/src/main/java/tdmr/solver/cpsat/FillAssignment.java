package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gives the chunks that a solution put "in a fill" to the atoms it filled, so that the chunks of
 * each atom add up to its pages exactly ({@link PlacementSlots#fillsAggregated}): a small exact
 * subset-sum search, largest atoms and chunks first. It gives up after {@link #MAX_STEPS} steps,
 * which the caller treats like "no assignment".
 */
final class FillAssignment {
  /** More than any real case needs (a handful of fills, at most {@code maxTdmrs} chunks). */
  static final int MAX_STEPS = 1_000_000;

  /** A chunk to place: the start cell of its TDMR and its pages. */
  record Chunk(int startCell, long pages) {}

  /** An atom to fill: its index and pages. */
  record Hole(int atom, long pages) {}

  private final List<Hole> atoms;
  private final List<Chunk> chunks;
  private final int[] owner;
  /** Whether every chunk must be used ({@link #assign}) or some may be left over ({@link #assignSome}). */
  private final boolean useAll;
  private int steps;

  private FillAssignment(List<Hole> atoms, List<Chunk> chunks, boolean useAll) {
    this.useAll = useAll;
    this.atoms = new ArrayList<>(atoms);
    this.atoms.sort(Comparator.comparingLong(Hole::pages).reversed().thenComparingInt(Hole::atom));
    this.chunks = new ArrayList<>(chunks);
    this.chunks.sort(Comparator.comparingLong(Chunk::pages).reversed().thenComparingInt(Chunk::startCell));
    this.owner = new int[chunks.size()];
    java.util.Arrays.fill(owner, -1);
  }

  /**
   * The atom each chunk's start cell goes to, or empty when the chunks cannot fill the atoms
   * exactly (or the search gave up).
   */
  static Optional<Map<Integer, Integer>> assign(List<Hole> atoms, List<Chunk> chunks) {
    return new FillAssignment(atoms, chunks, true).run();
  }

  /**
   * Like {@link #assign}, but chunks may be left over: the atom each used chunk's start cell goes
   * to (unused chunks are not in the map), or empty when the atoms cannot all be filled exactly.
   */
  static Optional<Map<Integer, Integer>> assignSome(List<Hole> atoms, List<Chunk> chunks) {
    return new FillAssignment(atoms, chunks, false).run();
  }

  private Optional<Map<Integer, Integer>> run() {
    if (!fill(0)) {
      return Optional.empty();
    }
    Map<Integer, Integer> out = new HashMap<>();
    for (int i = 0; i < chunks.size(); i++) {
      if (owner[i] >= 0) {
        out.put(chunks.get(i).startCell(), atoms.get(owner[i]).atom());
      }
    }
    return Optional.of(out);
  }

  /** Fills atoms {@code a..} with the chunks not used yet; every chunk must be used. */
  private boolean fill(int a) {
    if (a == atoms.size()) {
      if (!useAll) {
        return true;
      }
      for (int o : owner) {
        if (o < 0) {
          return false;
        }
      }
      return true;
    }
    return pick(a, 0, atoms.get(a).pages());
  }

  /** Chooses chunks from index {@code from} on for atom {@code a}, {@code left} pages still to fill. */
  private boolean pick(int a, int from, long left) {
    if (++steps > MAX_STEPS) {
      return false;
    }
    if (left == 0) {
      return fill(a + 1);
    }
    for (int i = from; i < chunks.size(); i++) {
      if (owner[i] >= 0 || chunks.get(i).pages() > left) {
        continue;
      }
      owner[i] = a;
      if (pick(a, i + 1, left - chunks.get(i).pages())) {
        return true;
      }
      owner[i] = -1;
      if (steps > MAX_STEPS) {
        return false;
      }
    }
    return false;
  }
}
