package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.Expr;
import com.microsoft.z3.IntExpr;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.MemoryBlock;
import tdmr.solver.Problem;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.CandidateTdmr;
import tdmr.solver.Problem.Cell;
import tdmr.solver.Problem.Side;
import tdmr.solver.explain.Reason;
import tdmr.tdx.Policy;

/**
 * The Z3 formulas of one {@link Problem}: variables, the module's rules by group, and the
 * lexicographic objective terms. Formulas are either background (definitions of the counting
 * variables, which always hold) or belong to a named {@link Reason} group, so the same formulas can
 * go into an {@code Optimize} when optimising and into tracked {@code Solver}s when explaining.
 *
 * <p>Units are chosen so that rules hold by construction: TDMRs are the problem's candidates (whole
 * cells, 1 GiB aligned: rule B4; below the HKID limit: B5), chunk sizes and atom sizes are counted
 * in 4 KiB pages (rule D1), and a chunk is one of the kernel's contiguous PAMT chunks (D2).
 *
 * <p>Reserved areas are counted as the module sees them: the connected components of reserved
 * pieces inside a TDMR. Scanning a TDMR's atoms in address order, a new area starts at a reserved
 * piece unless the piece before it, in the same TDMR, is reserved up to its end.
 */
final class Z3Model {
  private final Context ctx;
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final List<CandidateTdmr> candidates;
  private final List<BoolExpr> background = new ArrayList<>();
  private final Map<Reason, List<BoolExpr>> groups = new LinkedHashMap<>();

  /** {@code x[c]}: candidate TDMR c is in the layout. */
  private final BoolExpr[] chosen;
  /** Cell k lies in some TDMR. */
  private final BoolExpr[] covered;
  /** A TDMR starts at cell k. */
  private final BoolExpr[] tdmrStarts;
  /** Chunk placements per candidate: atom and side. */
  private final Map<Integer, List<Placement>> placements = new LinkedHashMap<>();
  /** Per atom: the whole atom is reserved. */
  private final BoolExpr[] wholeReserved;
  /** Per memory atom: a LOW (HIGH) stack of chunks is there. */
  private final BoolExpr[] lowStack;
  private final BoolExpr[] highStack;
  /** Per memory atom: left out of TDX memory (coverage max only; false otherwise). */
  private final BoolExpr[] dropped;
  /** Per atom: reserved areas that start inside it. */
  private final IntExpr[] areaStarts;
  /** Per cell: reserved areas of the current TDMR from its first cell through cell k. */
  private final IntExpr[] areasSoFar;

  private int variables;

  /** One possible chunk position. */
  record Placement(int candidate, int atom, Side side, BoolExpr var) {}

  Z3Model(Context ctx, Problem problem) {
    this.ctx = ctx;
    this.problem = problem;
    this.cells = problem.cells();
    this.atoms = problem.atoms();
    this.candidates = problem.candidates();
    this.chosen = new BoolExpr[candidates.size()];
    this.covered = new BoolExpr[cells.size()];
    this.tdmrStarts = new BoolExpr[cells.size()];
    this.wholeReserved = new BoolExpr[atoms.size()];
    this.lowStack = new BoolExpr[atoms.size()];
    this.highStack = new BoolExpr[atoms.size()];
    this.dropped = new BoolExpr[atoms.size()];
    this.areaStarts = new IntExpr[atoms.size()];
    this.areasSoFar = new IntExpr[cells.size()];

    tdmrGeometry();
    pamtPlacement();
    convertibleMemoryAndCoverage();
    reservedAreas();
  }

  // ---- rule groups, in the module's order -------------------------------------------------

  /**
   * Rules A4, B2, B3 (B4, B5 hold by construction). A4: the layout has at least one and at most
   * MAX_TDMRS TDMRs. B2/B3: TDMRs are sorted and do not overlap, so no cell lies in two TDMRs; the
   * TDMR order is the address order of the chosen candidates.
   */
  private void tdmrGeometry() {
    for (CandidateTdmr c : candidates) {
      chosen[c.index()] = bool("tdmr[0x%x,0x%x)".formatted(c.range().start(), c.range().end()));
    }
    for (Cell k : cells) {
      List<BoolExpr> over = new ArrayList<>();
      List<BoolExpr> from = new ArrayList<>();
      for (CandidateTdmr c : candidates) {
        if (c.firstCell() <= k.index() && k.index() < c.endCell()) {
          over.add(chosen[c.index()]);
        }
        if (c.firstCell() == k.index()) {
          from.add(chosen[c.index()]);
        }
      }
      covered[k.index()] = bool("covered@0x%x".formatted(k.range().start()));
      tdmrStarts[k.index()] = bool("starts@0x%x".formatted(k.range().start()));
      hard(ctx.mkEq(covered[k.index()], or(over)));
      hard(ctx.mkEq(tdmrStarts[k.index()], or(from)));
      // B3: at most one TDMR over any cell.
      if (over.size() > 1) {
        hard(ctx.mkAtMost(over.toArray(BoolExpr[]::new), 1));
      }
    }
    // A4: 1 <= number of TDMRs <= MAX_TDMRS.
    BoolExpr[] all = chosen.clone();
    if (all.length > 0) {
      hard(ctx.mkOr(all));
      grouped(new Reason.MaxTdmrs(problem.limits().maxTdmrs()), ctx.mkAtMost(all, problem.limits().maxTdmrs()));
    }
  }

  /**
   * Rules D4, D5, D6 and the OS's PAMT allocation. Each TDMR has one PAMT chunk (the kernel's 4K,
   * 2M, 1G levels back to back), stacked against one end of a memory atom it may use (on the
   * TDMR's node under node-local). D4: the chunks in one atom do not overlap, so their pages fit
   * in the atom. D6: atoms of kept TDX memory lie inside CMRs. D5: a chunk piece is reserved in
   * the TDMR holding it, which {@link #reservedAreas()} counts.
   */
  private void pamtPlacement() {
    Map<Integer, List<ArithExpr<IntSort>>> pagesPerAtom = new LinkedHashMap<>();
    Map<Integer, List<BoolExpr>> low = new LinkedHashMap<>();
    Map<Integer, List<BoolExpr>> high = new LinkedHashMap<>();
    Map<Integer, List<BoolExpr>> placedPerNode = new LinkedHashMap<>();
    for (CandidateTdmr c : candidates) {
      List<Placement> ps = new ArrayList<>();
      for (Atom a : atoms) {
        if (!problem.mayHoldChunk(c, a) || a.pages() < c.pamtPages()) {
          continue;
        }
        for (Side s : Side.values()) {
          BoolExpr v =
              bool(
                  "pamt[0x%x,0x%x)@0x%x.%s"
                      .formatted(c.range().start(), c.range().end(), a.range().start(), s.name().toLowerCase()));
          ps.add(new Placement(c.index(), a.index(), s, v));
          // A chunk belongs to a chosen TDMR.
          hard(ctx.mkImplies(v, chosen[c.index()]));
          pagesPerAtom.computeIfAbsent(a.index(), i -> new ArrayList<>()).add(ite(v, c.pamtPages()));
          (s == Side.LOW ? low : high).computeIfAbsent(a.index(), i -> new ArrayList<>()).add(v);
        }
      }
      placements.put(c.index(), ps);
      // Exactly one place for the chunk of a chosen TDMR.
      BoolExpr[] vs = ps.stream().map(Placement::var).toArray(BoolExpr[]::new);
      BoolExpr once = vs.length == 0 ? ctx.mkFalse() : ctx.mkAnd(ctx.mkOr(vs), ctx.mkAtMost(vs, 1));
      int node = problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY ? -1 : c.node();
      placedPerNode
          .computeIfAbsent(node, n -> new ArrayList<>())
          .add(ctx.mkImplies(chosen[c.index()], once));
    }
    placedPerNode.forEach((node, fs) -> grouped(new Reason.PamtRoom(node), and(fs)));
    Map<Integer, List<BoolExpr>> roomPerNode = new LinkedHashMap<>();
    for (Atom a : atoms) {
      if (!a.memory()) {
        lowStack[a.index()] = ctx.mkFalse();
        highStack[a.index()] = ctx.mkFalse();
        continue;
      }
      lowStack[a.index()] = or(low.getOrDefault(a.index(), List.of()));
      highStack[a.index()] = or(high.getOrDefault(a.index(), List.of()));
      List<ArithExpr<IntSort>> pages = pagesPerAtom.get(a.index());
      if (pages != null && pages.size() > 1) {
        // D4: the stacks of one atom fit in it, so no two chunks overlap.
        int node = problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY ? -1 : a.node();
        roomPerNode
            .computeIfAbsent(node, n -> new ArrayList<>())
            .add(ctx.mkLe(sum(pages), ctx.mkInt(a.pages())));
      }
    }
    roomPerNode.forEach((node, fs) -> grouped(new Reason.PamtRoom(node), and(fs)));
  }

  /**
   * Rule E1 and the OS's coverage. E1: the non-reserved part of a TDMR lies in CMRs, so memory not
   * inside CMRs is never kept TDX memory (the problem lists it as impossible under coverage all).
   * Coverage all: every block lies in TDMRs. Coverage max: memory of an uncovered cell, and memory
   * outside CMRs, is left out; chunks only go into kept memory.
   */
  private void convertibleMemoryAndCoverage() {
    boolean max = problem.policy().coverage() == Policy.Coverage.MAX;
    Map<Integer, List<BoolExpr>> coveragePerBlock = new LinkedHashMap<>();
    for (Atom a : atoms) {
      if (!a.memory()) {
        dropped[a.index()] = ctx.mkFalse();
        continue;
      }
      BoolExpr cell = covered[a.cell()];
      if (max) {
        dropped[a.index()] = bool("dropped@0x%x".formatted(a.range().start()));
        hard(ctx.mkImplies(ctx.mkNot(cell), dropped[a.index()]));
        if (a.mustDrop()) {
          hard(dropped[a.index()]);
        }
      } else {
        dropped[a.index()] = ctx.mkFalse();
        coveragePerBlock.computeIfAbsent(a.block(), b -> new ArrayList<>()).add(cell);
      }
    }
    for (List<Placement> ps : placements.values()) {
      for (Placement p : ps) {
        // PAMTs are carved out of kept TDX memory.
        hard(ctx.mkImplies(p.var(), ctx.mkNot(dropped[p.atom()])));
        hard(ctx.mkImplies(p.var(), covered[atoms.get(p.atom()).cell()]));
      }
    }
    List<MemoryBlock> blocks = problem.map().blocks();
    coveragePerBlock.forEach((b, fs) -> grouped(new Reason.BlockCoverage(blocks.get(b)), and(fs)));
  }

  /**
   * Rule C1 with MAX_RESERVED_PER_TDMR, and the holes every TDMR must reserve (rule E1 for
   * non-convertible gaps; the kernel's memlist for every gap). A TDMR has at most the limit of
   * reserved areas; its areas are the connected components of its reserved pieces: holes, left-out
   * memory, chunk stacks, and optional convertible gaps the layout chooses to reserve (allowed by
   * rule C: reserved areas may cover convertible memory).
   */
  private void reservedAreas() {
    Map<Integer, List<BoolExpr>> holesPerCell = new LinkedHashMap<>();
    for (Atom a : atoms) {
      BoolExpr whole = bool("reserved@0x%x".formatted(a.range().start()));
      wholeReserved[a.index()] = whole;
      if (!a.memory()) {
        if (problem.mustReserve(a)) {
          holesPerCell.computeIfAbsent(a.cell(), k -> new ArrayList<>()).add(whole);
        }
        continue;
      }
      // A memory atom is wholly reserved when left out (a new gap), or when its chunk stacks fill it.
      ArithExpr<IntSort> used = sum(stackPages(a.index()));
      BoolExpr full = ctx.mkEq(used, ctx.mkInt(a.pages()));
      BoolExpr mustWhenDropped = problem.mustReserveDropped(a) ? dropped[a.index()] : ctx.mkFalse();
      hard(ctx.mkImplies(ctx.mkOr(full, mustWhenDropped), whole));
      hard(ctx.mkImplies(ctx.mkAnd(ctx.mkNot(full), ctx.mkNot(dropped[a.index()])), ctx.mkNot(whole)));
    }
    for (Map.Entry<Integer, List<BoolExpr>> e : holesPerCell.entrySet()) {
      Cell k = cells.get(e.getKey());
      grouped(new Reason.GranuleHoles(k.range(), e.getValue().size(), problem.policy().holes()), and(e.getValue()));
    }
    for (Atom a : atoms) {
      int i = a.index();
      Cell k = cells.get(a.cell());
      BoolExpr firstOfTdmr = i == k.firstAtom() ? tdmrStarts[k.index()] : ctx.mkFalse();
      BoolExpr reservedToEndBefore =
          i == 0 ? ctx.mkFalse() : ctx.mkOr(wholeReserved[i - 1], highStack[i - 1]);
      BoolExpr joinsPrevious = ctx.mkAnd(ctx.mkNot(firstOfTdmr), reservedToEndBefore);
      // Whole atom: one piece. Otherwise a LOW stack (joins the piece before) and a HIGH stack
      // (always after free memory of this atom).
      Expr<IntSort> starts =
          ctx.<IntSort>mkITE(
              wholeReserved[i],
              ite(ctx.mkNot(joinsPrevious), 1),
              ctx.mkAdd(ite(ctx.mkAnd(lowStack[i], ctx.mkNot(joinsPrevious)), 1), ite(highStack[i], 1)));
      areaStarts[i] = intVar("areas-from@0x%x".formatted(a.range().start()));
      hard(ctx.mkEq(areaStarts[i], starts));
    }
    int limit = problem.limits().maxReservedPerTdmr();
    for (Cell k : cells) {
      List<ArithExpr<IntSort>> here = new ArrayList<>();
      for (int i = k.firstAtom(); i < k.endAtom(); i++) {
        here.add(areaStarts[i]);
      }
      ArithExpr<IntSort> before = k.index() == 0 ? ctx.mkInt(0) : areasSoFar[k.index() - 1];
      areasSoFar[k.index()] = intVar("areas-through@0x%x".formatted(k.range().start()));
      hard(
          ctx.mkEq(areasSoFar[k.index()], ctx.mkAdd(ctx.mkITE(tdmrStarts[k.index()], ctx.mkInt(0), before), sum(here))));
      // The count only grows along a TDMR, so bounding it at every cell bounds the whole TDMR.
      grouped(
          new Reason.ReservedLimit(k.range(), limit),
          ctx.mkImplies(covered[k.index()], ctx.mkLe(areasSoFar[k.index()], ctx.mkInt(limit))));
    }
  }

  // ---- objective terms ---------------------------------------------------------------------

  /** Kept TDX memory in pages (maximised first under coverage max). */
  ArithExpr<IntSort> keptPages() {
    List<ArithExpr<IntSort>> terms = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory()) {
        terms.add(ite(ctx.mkNot(dropped[a.index()]), a.pages()));
      }
    }
    return sum(terms);
  }

  /** PAMT pages of the chosen TDMRs. */
  ArithExpr<IntSort> pamtPages() {
    List<ArithExpr<IntSort>> terms = new ArrayList<>();
    for (CandidateTdmr c : candidates) {
      terms.add(ite(chosen[c.index()], c.pamtPages()));
    }
    return sum(terms);
  }

  ArithExpr<IntSort> tdmrCount() {
    List<ArithExpr<IntSort>> terms = new ArrayList<>();
    for (BoolExpr x : chosen) {
      terms.add(ite(x, 1));
    }
    return sum(terms);
  }

  /** Reserved areas over all TDMRs. */
  ArithExpr<IntSort> reservedAreaCount() {
    List<ArithExpr<IntSort>> terms = new ArrayList<>();
    for (Atom a : atoms) {
      terms.add((ArithExpr<IntSort>) ctx.<IntSort>mkITE(covered[a.cell()], areaStarts[a.index()], ctx.mkInt(0)));
    }
    return sum(terms);
  }

  // ---- reading a model ---------------------------------------------------------------------

  /** The decision a satisfying model stands for. */
  Problem.Decision decision(Model m) {
    List<Problem.TdmrChoice> tdmrs = new ArrayList<>();
    for (CandidateTdmr c : candidates) {
      if (!isTrue(m, chosen[c.index()])) {
        continue;
      }
      Placement where =
          placements.get(c.index()).stream()
              .filter(p -> isTrue(m, p.var()))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("Z3 model places no PAMT for " + c.range()));
      tdmrs.add(new Problem.TdmrChoice(c.index(), where.atom(), where.side()));
    }
    List<Integer> left = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && isTrue(m, dropped[a.index()])) {
        left.add(a.index());
      }
    }
    return new Problem.Decision(tdmrs, left);
  }

  long value(Model m, Expr<IntSort> e) {
    return Long.parseLong(m.eval(e, true).toString());
  }

  int variables() {
    return variables;
  }

  private boolean isTrue(Model m, BoolExpr e) {
    return m.eval(e, true).isTrue();
  }

  /** Formulas that always hold: definitions of the helper variables. */
  List<BoolExpr> background() {
    return List.copyOf(background);
  }

  /** The named constraint groups, in the order they were stated. */
  Map<Reason, List<BoolExpr>> groups() {
    return groups;
  }

  // ---- small builders ----------------------------------------------------------------------

  private void hard(BoolExpr e) {
    background.add(e);
  }

  private void grouped(Reason r, BoolExpr e) {
    groups.computeIfAbsent(r, k -> new ArrayList<>()).add(e);
  }

  private List<ArithExpr<IntSort>> stackPages(int atom) {
    List<ArithExpr<IntSort>> out = new ArrayList<>();
    for (List<Placement> ps : placements.values()) {
      for (Placement p : ps) {
        if (p.atom() == atom) {
          out.add(ite(p.var(), candidates.get(p.candidate()).pamtPages()));
        }
      }
    }
    return out;
  }

  private BoolExpr bool(String name) {
    variables++;
    return ctx.mkBoolConst(name);
  }

  private IntExpr intVar(String name) {
    variables++;
    return ctx.mkIntConst(name);
  }

  private ArithExpr<IntSort> ite(BoolExpr b, long value) {
    return (ArithExpr<IntSort>) ctx.<IntSort>mkITE(b, ctx.mkInt(value), ctx.mkInt(0));
  }

  private BoolExpr or(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkFalse() : xs.size() == 1 ? xs.get(0) : ctx.mkOr(xs.toArray(BoolExpr[]::new));
  }

  private BoolExpr and(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkTrue() : xs.size() == 1 ? xs.get(0) : ctx.mkAnd(xs.toArray(BoolExpr[]::new));
  }

  @SuppressWarnings("unchecked")
  private ArithExpr<IntSort> sum(List<ArithExpr<IntSort>> xs) {
    if (xs.isEmpty()) {
      return ctx.mkInt(0);
    }
    if (xs.size() == 1) {
      return xs.get(0);
    }
    return ctx.mkAdd(xs.toArray(ArithExpr[]::new));
  }
}
