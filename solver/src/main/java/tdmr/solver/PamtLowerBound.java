package tdmr.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.Cell;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;

/**
 * Necessary conditions on single TDMRs of the family under coverage {@code all}, and what they
 * imply for whole layouts: a lower bound on PAMT and on the number of TDMRs, the TDMRs that can be
 * part of a layout at a given PAMT, and a proof of infeasibility when no split of the memory meets
 * them. An engine may add these as redundant constraints; none removes a layout of the family.
 *
 * <p>A TDMR of cells {@code [start, end)} can only be part of a layout when
 *
 * <ul>
 *   <li>its chunk fits into the largest memory atom that may hold it (node policy), and
 *   <li>its reserved holes form at most {@code maxReservedPerTdmr} <em>clusters</em>. A required
 *       hole is reserved whenever its TDMR covers it. Two of them can share an area only if every
 *       piece between them is reserved, and a memory atom is wholly reserved only when chunks fill
 *       it exactly, which {@link Problem#mayBeFilled} rules out for most atoms. So a memory atom
 *       that cannot be filled separates the holes on its two sides into different areas, and the
 *       TDMR has at least as many areas as such clusters.
 * </ul>
 *
 * Both conditions only get harder as the TDMR grows, so each start cell has a last end ({@link
 * #lastEnd}). Dropping everything else (where chunks go, the areas they add, what they fill)
 * leaves TDMRs that do not interact; their best splits are shortest paths ({@link CellPartition}).
 */
public final class PamtLowerBound {
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  /** Per cell: one past the last cell a TDMR starting there may reach (the cell itself when none). */
  private final int[] lastEnd;
  /** Per atom: a required hole (reserved whenever covered). */
  private final boolean[] requiredHole;
  /** Per atom: memory that chunks cannot fill, so it is never wholly reserved. */
  private final boolean[] separator;
  private final CellPartition paths;
  private final OptionalLong leastPamtPages;

  /** Computes the bound; only meaningful under coverage {@code all}. */
  public PamtLowerBound(Problem problem) {
    this.problem = problem;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.lastEnd = new int[cells.size()];
    for (int k = 0; k < cells.size(); k++) {
      lastEnd[k] = k;
    }
    this.requiredHole = new boolean[atoms.size()];
    this.separator = new boolean[atoms.size()];
    for (Atom a : atoms) {
      requiredHole[a.index()] = !a.memory() && problem.mustReserve(a);
      separator[a.index()] = a.memory() && !problem.mayBeFilled(a);
    }
    refineFillable();
    Arrays.fill(lastEnd, 0);
    for (int k = 0; k < cells.size(); k++) {
      lastEnd[k] = k;
    }
    this.paths = new CellPartition(problem, this::allowed);
    Optional<CellPartition.Best> best = paths.best();
    this.leastPamtPages = best.isPresent() ? OptionalLong.of(best.get().pamtPages()) : OptionalLong.empty();
  }

  /** The least PAMT pages of any layout of the family, or empty when the conditions allow none. */
  public OptionalLong leastPamtPages() {
    return leastPamtPages;
  }

  /**
   * The TDMRs of the relaxation's best split (least PAMT, then fewest TDMRs, then fewest hole
   * clusters), as cell runs; empty when there is none.
   */
  public Optional<List<CellPartition.Part>> bestSplit() {
    return paths.best().map(CellPartition.Best::parts);
  }

  /**
   * Whether {@code layout} has the least PAMT, then the fewest TDMRs, then the fewest reserved areas
   * that this bound allows: then it is optimal in the family, whatever else a search could find.
   */
  public boolean isMetBy(Layout layout) {
    long pages = layout.pamtBytes() / ByteSize.PAGE;
    return leastPamtPages.isPresent() && pages == leastPamtPages.getAsLong()
        && fewestTdmrs(pages).orElse(-1) == layout.size()
        && fewestAreas(pages, layout.size()).orElse(-1) == layout.reservedAreaCount();
  }

  /** Whether {@code layout} has the least PAMT this bound allows: then no layout of the family has less. */
  public boolean meetsLeastPamt(Layout layout) {
    return leastPamtPages.isPresent() && layout.pamtBytes() / ByteSize.PAGE == leastPamtPages.getAsLong();
  }

  /**
   * What {@code layout}, which an answer calls {@code which} (for example "the quick layout"),
   * proves by meeting this bound, in the words both engines' answers use: every tier ({@link
   * #isMetBy}), or the least PAMT alone ({@link #meetsLeastPamt}); empty when it meets neither.
   */
  public Optional<String> provenBy(Layout layout, String which) {
    if (isMetBy(layout)) {
      return Optional.of("proven by the lower bounds of PamtLowerBound (least PAMT, then fewest TDMRs and reserved"
          + " areas), which " + which + " meets");
    }
    return meetsLeastPamt(layout)
        ? Optional.of("least PAMT proven by the lower bound of PamtLowerBound, which " + which + " meets")
        : Optional.empty();
  }

  /** The fewest TDMRs any layout with at most {@code pamtPages} PAMT pages can have. */
  public OptionalInt fewestTdmrs(long pamtPages) {
    return paths.fewestTdmrs(pamtPages);
  }

  /**
   * The fewest reserved areas of a layout with {@code pamtPages} PAMT pages and {@code tdmrs} TDMRs,
   * when {@code pamtPages} is the least any layout with that many TDMRs can have: every TDMR has at
   * least as many areas as hole clusters. Empty otherwise.
   */
  public OptionalLong fewestAreas(long pamtPages, int tdmrs) {
    return paths.areasOfLeastPamt(tdmrs, pamtPages);
  }

  /**
   * One past the last cell that a TDMR starting at cell {@code start} may cover, for start cells
   * some split reaches (others report {@code start}: no layout has a TDMR starting there).
   */
  public int lastEnd(int start) {
    return lastEnd[start];
  }

  /**
   * The ends (one past the last cell) of the TDMRs starting at {@code start} that can be part of a
   * layout with at most {@code pamtPages} PAMT pages and at most {@code tdmrs} TDMRs: those on a
   * path of the relaxation within both.
   */
  public int[] endsWithin(int start, long pamtPages, int tdmrs) {
    return paths.stepsOnPaths(start, pamtPages, tdmrs);
  }

  /**
   * Why no layout exists, when the conditions allow none: the fewest TDMRs they need against the
   * module's limit, or the first memory that no TDMR can cover.
   */
  public Optional<String> infeasibility() {
    if (leastPamtPages.isPresent()) {
      return Optional.empty();
    }
    int n = cells.size();
    int[] fewest = new int[n + 1];
    int[] nextMemory = new int[n + 1];
    nextMemory[n] = n;
    for (int k = n - 1; k >= 0; k--) {
      nextMemory[k] = cells.get(k).holdsMemory() ? k : nextMemory[k + 1];
    }
    int unreachable = Integer.MAX_VALUE;
    int stuck = -1;
    // allowed() records how far TDMRs reach; keep lastEnd as the shortest paths left it.
    int[] reached = lastEnd.clone();
    for (int s = n - 1; s >= 0; s--) {
      fewest[s] = unreachable;
      if (!cells.get(s).holdsMemory()) {
        continue;
      }
      List<Integer> ends = new ArrayList<>();
      allowed(s, (e, pamt, areas, tag) -> ends.add(e));
      if (ends.isEmpty()) {
        stuck = s;
      }
      for (int e : ends) {
        int after = nextMemory[e] == n ? 0 : fewest[nextMemory[e]];
        if (after != unreachable) {
          fewest[s] = Math.min(fewest[s], after + 1);
        }
      }
    }
    System.arraycopy(reached, 0, lastEnd, 0, reached.length);
    int first = nextMemory[0];
    int limit = problem.limits().maxReservedPerTdmr();
    if (first < n && fewest[first] != unreachable) {
      return Optional.of(("the required holes need at least %d TDMRs of at most %s each (holes"
          + " separated by memory that PAMT chunks cannot fill exactly never share an area), and the module"
          + " allows %d").formatted(fewest[first], Count.of(limit, "reserved area"), problem.limits().maxTdmrs()));
    }
    Cell cell = cells.get(Math.max(stuck, first));
    return Optional.of(("no TDMR starting at %s can keep its required holes within %s and its PAMT"
        + " chunk (at least %s) within one piece of TDX memory of its node, and no TDMR from before can reach past it")
        .formatted(cell.range(), Count.of(limit, "reserved area"), ByteSize.human(problem.pamtBytes(cell.range().size()))));
  }

  /**
   * Rules out more fills, by what the TDMRs allowed so far can give a scope (a node under PAMT
   * {@code node-local}, all memory under {@code any}): the chunks in a scope's atoms come from TDMRs
   * starting in its cells, which are disjoint, so together they span at most from the scope's
   * first start cell to the farthest end any of them reaches, and each is at most the longest of
   * them ({@link Problem#mayBeFilled(Atom, long, long, long)}). Fewer fillable atoms shorten the TDMRs,
   * which can rule out more fills: repeated while anything changes, a few rounds at most.
   */
  private void refineFillable() {
    boolean any = problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY;
    for (int round = 0; round < 4; round++) {
      Map<Integer, long[]> reach = new HashMap<>();
      for (Cell c : cells) {
        if (!c.holdsMemory()) {
          continue;
        }
        allowed(c.index(), (e, pamt, areas, tag) -> { });
        if (lastEnd[c.index()] <= c.index()) {
          continue;
        }
        long end = cells.get(lastEnd[c.index()] - 1).range().end();
        long[] r = reach.computeIfAbsent(any ? -1 : c.node(), k -> new long[] {Long.MAX_VALUE, 0, 0});
        r[0] = Math.min(r[0], c.range().start());
        r[1] = Math.max(r[1], end);
        r[2] = Math.max(r[2], end - c.range().start());
      }
      Map<Integer, Long> chunks = mostChunksPerScope(any);
      boolean changed = false;
      for (Atom a : atoms) {
        if (!a.memory() || separator[a.index()]) {
          continue;
        }
        int scope = any ? -1 : a.node();
        long[] r = reach.get(scope);
        if (r == null || !problem.mayBeFilled(a, (r[1] - r[0]) / ByteSize.GiB, r[2] / ByteSize.GiB,
            chunks.getOrDefault(scope, (long) problem.limits().maxTdmrs()))) {
          separator[a.index()] = true;
          changed = true;
        }
      }
      if (!changed) {
        return;
      }
    }
  }

  /**
   * The most chunks a scope's atoms can get (under PAMT {@code node-local}, where chunks stay on
   * their TDMR's node): {@code maxTdmrs} less the fewest TDMRs that every split starts in the other
   * scopes, each found by a shortest path that counts only the TDMRs starting in that scope. Only
   * computed when some atom is still fillable, for at most 64 scopes.
   */
  private Map<Integer, Long> mostChunksPerScope(boolean any) {
    Map<Integer, Long> out = new HashMap<>();
    if (any) {
      return out;
    }
    Set<Integer> scopes = new HashSet<>();
    Set<Integer> fillable = new HashSet<>();
    for (Cell c : cells) {
      if (c.holdsMemory()) {
        scopes.add(c.node());
      }
    }
    for (Atom a : atoms) {
      if (a.memory() && !separator[a.index()]) {
        fillable.add(a.node());
      }
    }
    if (fillable.isEmpty() || scopes.size() > 64) {
      return out;
    }
    Map<Integer, Long> fewest = new HashMap<>();
    for (int scope : scopes) {
      CellPartition counting = new CellPartition(problem, (start, sink) -> allowed(start,
          (e, pamt, areas, tag) -> sink.step(e, 0, cells.get(start).node() == scope ? 1 : 0, 0)));
      fewest.put(scope, counting.fewestAreasOfAnyPath().orElse(0));
    }
    long all = fewest.values().stream().mapToLong(Long::longValue).sum();
    for (int scope : fillable) {
      out.put(scope, problem.limits().maxTdmrs() - (all - fewest.getOrDefault(scope, 0L)));
    }
    return out;
  }

  /**
   * Whether chunks may fill memory atom {@code atom} exactly, by the arithmetic of {@link
   * Problem#mayBeFilled(Atom, long, long, long)} and the TDMRs this bound allows.
   */
  public boolean mayBeFilled(Atom atom) {
    return atom.memory() && !separator[atom.index()];
  }

  private void allowed(int start, CellPartition.StepSink sink) {
    // Every pass of this bound (its shortest paths, the refinement of fills) asks once per start
    // cell: on 10 000-node maps they take seconds, and a solve stops at its deadline.
    problem.deadline().check();
    Cell startCell = cells.get(start);
    long largest = problem.largestAtomPages(startCell);
    int limit = problem.limits().maxReservedPerTdmr();
    int clusters = 0;
    boolean inCluster = false;
    for (int e = start + 1; e <= cells.size(); e++) {
      Cell last = cells.get(e - 1);
      for (int a = last.firstAtom(); a < last.endAtom(); a++) {
        if (requiredHole[a]) {
          if (!inCluster) {
            clusters++;
          }
          inCluster = true;
        } else if (separator[a]) {
          inCluster = false;
        }
        // Optional gaps and fillable memory may or may not be reserved: they neither add nor cut.
      }
      long chunk = problem.chunkPages(start, e);
      if (clusters > limit || chunk > largest) {
        return;
      }
      lastEnd[start] = Math.max(lastEnd[start], e);
      if (last.holdsMemory()) {
        sink.step(e, chunk, clusters, 0);
      }
    }
  }
}
