package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import tdmr.solver.Problem.Cell;

/**
 * The best split of a problem's cells into TDMRs when TDMRs do not interact: a shortest path by
 * dynamic programming. A state is the first memory cell not covered yet and the number of TDMRs
 * used so far; a step is one TDMR from that cell, with a cost of PAMT pages and reserved areas given
 * by the caller ({@link Steps}). Paths cover every cell holding memory (cells without memory may be
 * bridged by a TDMR or left between two), use at most {@code maxTdmrs} TDMRs, and are compared by
 * PAMT, then TDMRs, then areas; ties keep the first found, so the result is deterministic.
 *
 * <p>Used twice: for a relaxation whose least PAMT bounds every layout of the family from below
 * ({@link PamtLowerBound}), and for the quick starting layout of the CP-SAT engine, where each TDMR
 * keeps its own chunk. The work is one call of {@link Steps#from} per memory cell that some path
 * reaches, plus one update per step and TDMR count. The steps are kept, so that {@link
 * #stepsOnPaths} can also look at the paths backwards from the end.
 */
public final class CellPartition {
  /** The TDMRs a problem allows from one start cell. */
  @FunctionalInterface
  public interface Steps {
    /** Reports every allowed TDMR {@code [start, end)} to {@code sink}; {@code start} holds memory. */
    void from(int start, StepSink sink);
  }

  /** Receives one allowed TDMR. */
  @FunctionalInterface
  public interface StepSink {
    /**
     * One allowed TDMR: cells {@code [start, end)} where cell {@code end - 1} holds memory, its PAMT
     * pages and reserved areas, and a number the caller wants back with it ({@code tag}).
     */
    void step(int end, long pamtPages, int areas, int tag);
  }

  /** One TDMR of the best path. */
  public record Part(int start, int end, int tag) {}

  /** The best path: its totals and its TDMRs in address order. */
  public record Best(long pamtPages, int tdmrs, long areas, List<Part> parts) {}

  private static final long NONE = Long.MAX_VALUE;

  private final int n;
  private final int maxTdmrs;
  /** Per cell: the first cell at or after it holding memory ({@code n} when none). */
  private final int[] nextMemory;
  /** Per state (memory cell or {@code n}) and TDMR count: least PAMT from the first cell to here. */
  private final long[][] forward;
  private final long[][] forwardAreas;
  private final int[][] from;
  private final int[][] end;
  private final int[][] tag;
  /** Per start cell: the ends and PAMT pages of its steps, as reported. */
  private final int[][] stepEnds;
  private final long[][] stepPamt;
  /** Per state: least PAMT from here to the last cell using at most t TDMRs; built on first use. */
  private long[][] backwardAtMost;

  /** Runs the forward pass over {@code problem}'s cells. */
  public CellPartition(Problem problem, Steps steps) {
    List<Cell> cells = problem.cells();
    this.n = cells.size();
    // No split has more TDMRs than cells holding memory; this keeps the tables small under a huge limit.
    int memoryCells = (int) cells.stream().filter(Cell::holdsMemory).count();
    this.maxTdmrs = Math.min(problem.limits().maxTdmrs(), Math.max(1, memoryCells));
    this.nextMemory = new int[n + 1];
    nextMemory[n] = n;
    for (int k = n - 1; k >= 0; k--) {
      nextMemory[k] = cells.get(k).holdsMemory() ? k : nextMemory[k + 1];
    }
    this.forward = new long[n + 1][];
    this.forwardAreas = new long[n + 1][];
    this.from = new int[n + 1][];
    this.end = new int[n + 1][];
    this.tag = new int[n + 1][];
    this.stepEnds = new int[n][];
    this.stepPamt = new long[n][];
    int first = nextMemory[0];
    if (first == n) {
      return;
    }
    reach(first);
    forward[first][0] = 0;
    List<long[]> found = new ArrayList<>();
    for (int s = first; s < n; s = nextMemory[s + 1]) {
      if (forward[s] == null) {
        continue;
      }
      int start = s;
      found.clear();
      steps.from(start, (e, pamt, areas, stepTag) -> {
        found.add(new long[] {e, pamt});
        relax(start, e, pamt, areas, stepTag);
      });
      stepEnds[s] = found.stream().mapToInt(x -> (int) x[0]).toArray();
      stepPamt[s] = found.stream().mapToLong(x -> x[1]).toArray();
    }
  }

  private void relax(int start, int e, long stepPamt, int stepAreas, int stepTag) {
    int next = nextMemory[e];
    reach(next);
    long[] here = forward[start];
    long[] hereAreas = forwardAreas[start];
    long[] there = forward[next];
    long[] thereAreas = forwardAreas[next];
    for (int t = 0; t < maxTdmrs; t++) {
      if (here[t] == NONE) {
        continue;
      }
      long p = here[t] + stepPamt;
      long a = hereAreas[t] + stepAreas;
      if (p < there[t + 1] || p == there[t + 1] && a < thereAreas[t + 1]) {
        there[t + 1] = p;
        thereAreas[t + 1] = a;
        from[next][t + 1] = start;
        end[next][t + 1] = e;
        tag[next][t + 1] = stepTag;
      }
    }
  }

  private void reach(int s) {
    if (forward[s] == null) {
      forward[s] = new long[maxTdmrs + 1];
      Arrays.fill(forward[s], NONE);
      forwardAreas[s] = new long[maxTdmrs + 1];
      from[s] = new int[maxTdmrs + 1];
      end[s] = new int[maxTdmrs + 1];
      tag[s] = new int[maxTdmrs + 1];
    }
  }

  /** The best path, or empty when no path covers every memory cell within the TDMR limit. */
  public Optional<Best> best() {
    long[] last = forward[n];
    if (last == null) {
      return Optional.empty();
    }
    int best = -1;
    for (int t = 1; t <= maxTdmrs; t++) {
      // t ascends, so among equal PAMT the fewest TDMRs win.
      if (last[t] != NONE && (best < 0 || last[t] < last[best])) {
        best = t;
      }
    }
    if (best < 0) {
      return Optional.empty();
    }
    List<Part> parts = new ArrayList<>();
    int at = n;
    for (int t = best; t > 0; t--) {
      parts.add(new Part(from[at][t], end[at][t], tag[at][t]));
      at = from[at][t];
    }
    Collections.reverse(parts);
    return Optional.of(new Best(last[best], best, forwardAreas[n][best], List.copyOf(parts)));
  }

  /** The fewest TDMRs of a path with at most {@code pamtPages} PAMT, if any path has so little. */
  public OptionalInt fewestTdmrs(long pamtPages) {
    long[] last = forward[n];
    if (last != null) {
      for (int t = 1; t <= maxTdmrs; t++) {
        if (last[t] <= pamtPages) {
          return OptionalInt.of(t);
        }
      }
    }
    return OptionalInt.empty();
  }

  /** The fewest areas of any path within the TDMR limit, whatever its PAMT and TDMRs. */
  public OptionalLong fewestAreasOfAnyPath() {
    long[] last = forward[n];
    long best = NONE;
    if (last != null) {
      for (int t = 1; t <= maxTdmrs; t++) {
        if (last[t] != NONE) {
          best = Math.min(best, forwardAreas[n][t]);
        }
      }
    }
    return best == NONE ? OptionalLong.empty() : OptionalLong.of(best);
  }

  /**
   * The fewest areas of a path with exactly {@code tdmrs} TDMRs, when the least PAMT of such paths
   * is {@code pamtPages}; empty when it is not.
   */
  public OptionalLong areasOfLeastPamt(int tdmrs, long pamtPages) {
    long[] last = forward[n];
    if (last == null || tdmrs < 1 || tdmrs > maxTdmrs || last[tdmrs] != pamtPages) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(forwardAreas[n][tdmrs]);
  }

  /**
   * The ends of the steps from {@code start} that lie on some path with at most {@code pamtPages}
   * PAMT and at most {@code tdmrs} TDMRs; empty when {@code start} is on no such path.
   */
  public int[] stepsOnPaths(int start, long pamtPages, int tdmrsAtMost) {
    if (stepEnds[start] == null) {
      return new int[0];
    }
    int tdmrs = Math.min(tdmrsAtMost, maxTdmrs);
    buildBackward();
    long[] before = forward[start];
    int[] out = new int[stepEnds[start].length];
    int count = 0;
    for (int i = 0; i < stepEnds[start].length; i++) {
      long[] after = backwardAtMost[nextMemory[stepEnds[start][i]]];
      if (after == null) {
        continue;
      }
      for (int t = 0; t < tdmrs; t++) {
        if (before[t] != NONE && after[tdmrs - 1 - t] != NONE
            && before[t] + stepPamt[start][i] + after[tdmrs - 1 - t] <= pamtPages) {
          out[count++] = stepEnds[start][i];
          break;
        }
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** Least PAMT from each state to the end with at most t TDMRs, by the kept steps, last state first. */
  private void buildBackward() {
    if (backwardAtMost != null) {
      return;
    }
    long[][] exact = new long[n + 1][];
    exact[n] = new long[maxTdmrs + 1];
    Arrays.fill(exact[n], NONE);
    exact[n][0] = 0;
    for (int s = n - 1; s >= 0; s--) {
      if (stepEnds[s] == null) {
        continue;
      }
      long[] mine = new long[maxTdmrs + 1];
      Arrays.fill(mine, NONE);
      for (int i = 0; i < stepEnds[s].length; i++) {
        long[] after = exact[nextMemory[stepEnds[s][i]]];
        if (after == null) {
          continue;
        }
        for (int t = 0; t < maxTdmrs; t++) {
          if (after[t] != NONE) {
            mine[t + 1] = Math.min(mine[t + 1], after[t] + stepPamt[s][i]);
          }
        }
      }
      exact[s] = mine;
    }
    backwardAtMost = new long[n + 1][];
    for (int s = 0; s <= n; s++) {
      if (exact[s] == null) {
        continue;
      }
      long[] atMost = exact[s].clone();
      for (int t = 1; t <= maxTdmrs; t++) {
        atMost[t] = Math.min(atMost[t], atMost[t - 1]);
      }
      backwardAtMost[s] = atMost;
    }
  }
}
