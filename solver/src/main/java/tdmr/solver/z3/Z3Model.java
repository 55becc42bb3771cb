package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
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
 * The Z3 formulas of one {@link Problem}: Boolean variables, the module's rules by group as
 * Boolean and pseudo-Boolean constraints, and the objectives as weighted soft constraints. Formulas
 * are either background (definitions of helper variables, which always hold) or belong to a named
 * {@link Reason} group, so the same formulas go into an {@code Optimize} when optimising and into
 * tracked {@code Solver}s when explaining.
 *
 * <p>Units are chosen so that rules hold by construction: TDMRs are the problem's candidates (whole
 * cells, 1 GiB aligned: rule B4; below the HKID limit: B5), chunk and atom sizes are counted in
 * 4 KiB pages (rule D1), and a chunk is one of the kernel's contiguous PAMT chunks (D2).
 *
 * <p>Reserved areas are counted as the module sees them: the connected components of reserved
 * pieces inside a TDMR. Scanning a TDMR's atoms in address order, an area starts at an atom's low
 * end when a reserved piece is there (the whole atom, or a stack of chunks) and the piece before,
 * in the same TDMR, is not reserved up to its end; and at a stack against an atom's high end when
 * the atom is not wholly reserved (free memory lies below the stack). Each start is one Boolean, so
 * "at most R areas" is a cardinality constraint, which Z3 solves natively.
 */
final class Z3Model {
  private final Context ctx;
  private final Problem problem;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final List<CandidateTdmr> candidates;
  private final List<BoolExpr> background = new ArrayList<>();
  private final Map<Reason, List<BoolExpr>> groups = new LinkedHashMap<>();

  /** Candidate TDMR c is in the layout. */
  private final BoolExpr[] chosen;
  /** Cell k lies in some TDMR. */
  private final BoolExpr[] covered;
  /** A TDMR starts at cell k. */
  private final BoolExpr[] tdmrStarts;
  /** Chunk placements per candidate: atom and side. */
  private final Map<Integer, List<Placement>> placements = new LinkedHashMap<>();
  /** Placements per memory atom. */
  private final Map<Integer, List<Placement>> placementsIn = new LinkedHashMap<>();
  /** Per atom: the whole atom is reserved. */
  private final BoolExpr[] wholeReserved;
  /** Per memory atom: a LOW (HIGH) stack of chunks is there. */
  private final BoolExpr[] lowStack;
  private final BoolExpr[] highStack;
  /** Per memory atom: left out of TDX memory (coverage max only; false otherwise). */
  private final BoolExpr[] dropped;
  /** Per atom: a reserved area starts at its low end / at its high stack. */
  private final BoolExpr[] startsLow;
  private final BoolExpr[] startsHigh;

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
    this.startsLow = new BoolExpr[atoms.size()];
    this.startsHigh = new BoolExpr[atoms.size()];

    // Stated in the order the counting needs: reserved areas (C) count the chunk stacks of D and
    // the left-out memory of E; the methods below follow the rule list (B, C, D, E).
    tdmrGeometry();
    pamtPlacement();
    convertibleMemoryAndCoverage();
    reservedAreas();
  }

  // ---- rule groups, in the order of the rule list (B, C, D, E) ----------------------------

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
      covered[k.index()] = define("covered@0x%x".formatted(k.range().start()), or(over));
      tdmrStarts[k.index()] = define("starts@0x%x".formatted(k.range().start()), or(from));
      // B3: at most one TDMR over any cell.
      if (over.size() > 1) {
        background.add(ctx.mkAtMost(array(over), 1));
      }
    }
    // A4: 1 <= number of TDMRs <= MAX_TDMRS.
    if (chosen.length > 0) {
      background.add(ctx.mkOr(chosen));
      grouped(new Reason.MaxTdmrs(problem.limits().maxTdmrs()), ctx.mkAtMost(chosen, problem.limits().maxTdmrs()));
    }
  }

  /**
   * Rule C1 with MAX_RESERVED_PER_TDMR, and the holes every TDMR must reserve (rule E1 for
   * non-convertible gaps; the kernel's memlist for every gap). A TDMR has at most the limit of
   * reserved areas; its areas are the connected components of its reserved pieces: holes, left-out
   * memory, chunk stacks, and convertible gaps the layout may choose to reserve (rule C allows
   * reserved areas over convertible memory; it pays off when it joins two areas).
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
      List<Placement> in = placementsIn.getOrDefault(a.index(), List.of());
      BoolExpr full = pagesOf(in) < a.pages() ? ctx.mkFalse() : ctx.mkNot(pagesAtMost(in, a.pages() - 1));
      BoolExpr mustWhenDropped = problem.mustReserveDropped(a) ? dropped[a.index()] : ctx.mkFalse();
      background.add(ctx.mkImplies(ctx.mkOr(full, mustWhenDropped), whole));
      background.add(ctx.mkImplies(ctx.mkAnd(ctx.mkNot(full), ctx.mkNot(dropped[a.index()])), ctx.mkNot(whole)));
    }
    Policy.Holes kind = problem.policy().holes();
    holesPerCell.forEach(
        (k, hs) -> grouped(new Reason.GranuleHoles(cells.get(k).range(), hs.size(), kind), and(hs)));
    for (Atom a : atoms) {
      int i = a.index();
      Cell k = cells.get(a.cell());
      BoolExpr firstOfTdmr = i == k.firstAtom() ? tdmrStarts[k.index()] : ctx.mkFalse();
      BoolExpr reservedToEndBefore = i == 0 ? ctx.mkFalse() : ctx.mkOr(wholeReserved[i - 1], highStack[i - 1]);
      BoolExpr joinsPrevious = ctx.mkAnd(ctx.mkNot(firstOfTdmr), reservedToEndBefore);
      BoolExpr inTdmr = covered[k.index()];
      startsLow[i] =
          define(
              "area-at@0x%x".formatted(a.range().start()),
              ctx.mkAnd(inTdmr, ctx.mkOr(wholeReserved[i], lowStack[i]), ctx.mkNot(joinsPrevious)));
      startsHigh[i] =
          a.memory()
              ? define(
                  "area-below@0x%x".formatted(a.range().end()),
                  ctx.mkAnd(inTdmr, highStack[i], ctx.mkNot(wholeReserved[i])))
              : ctx.mkFalse();
    }
    int limit = problem.limits().maxReservedPerTdmr();
    List<BoolExpr> perTdmr = new ArrayList<>();
    for (CandidateTdmr c : candidates) {
      List<BoolExpr> starts = new ArrayList<>();
      for (int k = c.firstCell(); k < c.endCell(); k++) {
        for (int i = cells.get(k).firstAtom(); i < cells.get(k).endAtom(); i++) {
          starts.add(startsLow[i]);
          if (atoms.get(i).memory()) {
            starts.add(startsHigh[i]);
          }
        }
      }
      if (starts.size() > limit) {
        perTdmr.add(ctx.mkImplies(chosen[c.index()], ctx.mkAtMost(array(starts), limit)));
      }
    }
    grouped(new Reason.ReservedLimit(limit), and(perTdmr));
  }

  /**
   * Rules D4, D5, D6 and the OS's PAMT allocation. Each TDMR has one PAMT chunk (the kernel's 4K,
   * 2M, 1G levels back to back), stacked against one end of a memory atom it may use (on the
   * TDMR's node under node-local). D4: the chunks in one atom do not overlap, so their pages fit
   * in the atom. D6: atoms of kept TDX memory lie inside CMRs. D5: a chunk piece is reserved in
   * the TDMR holding it, which {@link #reservedAreas()} counts.
   */
  private void pamtPlacement() {
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
          Placement p = new Placement(c.index(), a.index(), s, v);
          ps.add(p);
          placementsIn.computeIfAbsent(a.index(), i -> new ArrayList<>()).add(p);
          // A chunk belongs to a chosen TDMR.
          background.add(ctx.mkImplies(v, chosen[c.index()]));
        }
      }
      placements.put(c.index(), ps);
      // Exactly one place for the chunk of a chosen TDMR.
      BoolExpr[] vs = ps.stream().map(Placement::var).toArray(BoolExpr[]::new);
      BoolExpr once = vs.length == 0 ? ctx.mkFalse() : ctx.mkAnd(ctx.mkOr(vs), ctx.mkAtMost(vs, 1));
      placedPerNode.computeIfAbsent(roomNode(c.node()), n -> new ArrayList<>()).add(ctx.mkImplies(chosen[c.index()], once));
    }
    placedPerNode.forEach((node, fs) -> grouped(new Reason.PamtRoom(node), and(fs)));
    for (Atom a : atoms) {
      List<Placement> in = placementsIn.getOrDefault(a.index(), List.of());
      List<BoolExpr> low = new ArrayList<>();
      List<BoolExpr> high = new ArrayList<>();
      for (Placement p : in) {
        (p.side() == Side.LOW ? low : high).add(p.var());
      }
      lowStack[a.index()] = or(low);
      highStack[a.index()] = or(high);
      if (in.size() > 1 && pagesOf(in) > a.pages()) {
        // D4: the stacks of one atom fit in it, so no two chunks overlap. A physical fact, never
        // the thing to relax, so it is background: an explanation names the node's PAMT duty.
        background.add(pagesAtMost(in, a.pages()));
      }
    }
  }

  /**
   * Rule E1 and the OS's coverage. E1: the non-reserved part of a TDMR lies in CMRs, so memory not
   * inside CMRs is never kept TDX memory (the problem lists it as impossible under coverage all).
   * Coverage all: every block lies in TDMRs. Coverage max: memory of an uncovered cell, and memory
   * outside CMRs, is left out; chunks only go into kept memory; a TDMR keeps the first memory of
   * its first cell (so the node-local PAMT node stays the kernel's choice).
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
        background.add(ctx.mkImplies(ctx.mkNot(cell), dropped[a.index()]));
        if (a.mustDrop()) {
          background.add(dropped[a.index()]);
        }
      } else {
        dropped[a.index()] = ctx.mkFalse();
        coveragePerBlock.computeIfAbsent(a.block(), b -> new ArrayList<>()).add(cell);
      }
    }
    for (List<Placement> ps : placements.values()) {
      for (Placement p : ps) {
        // PAMTs are carved out of kept TDX memory.
        background.add(ctx.mkImplies(p.var(), ctx.mkAnd(ctx.mkNot(dropped[p.atom()]), covered[atoms.get(p.atom()).cell()])));
      }
    }
    if (max) {
      // The kernel's tdmr_get_nid picks the node of the first TDX block ending after the TDMR base;
      // keeping the first memory of a TDMR's first cell keeps that the node the problem assigns.
      for (Cell k : cells) {
        if (k.holdsMemory()) {
          Atom first = problem.nodeAtom(k);
          background.add(ctx.mkImplies(tdmrStarts[k.index()], ctx.mkNot(dropped[first.index()])));
        }
      }
    }
    List<MemoryBlock> blocks = problem.map().blocks();
    coveragePerBlock.forEach((b, fs) -> grouped(new Reason.BlockCoverage(blocks.get(b)), and(fs)));
  }

  // ---- objectives, as weighted soft constraints (violating one costs its weight) -------------

  /** A soft constraint: {@code holds} should be true; violating it costs {@code weight}. */
  record Soft(BoolExpr holds, long weight) {}

  /** Memory kept as TDX memory, one page per unit (maximised first under coverage max). */
  List<Soft> keepMemory() {
    List<Soft> out = new ArrayList<>();
    for (Atom a : atoms) {
      if (a.memory() && !a.mustDrop()) {
        out.add(new Soft(ctx.mkNot(dropped[a.index()]), a.pages()));
      }
    }
    return out;
  }

  /** No TDMR: each chosen candidate costs its PAMT pages. */
  List<Soft> leastPamt() {
    List<Soft> out = new ArrayList<>();
    for (CandidateTdmr c : candidates) {
      out.add(new Soft(ctx.mkNot(chosen[c.index()]), c.pamtPages()));
    }
    return out;
  }

  /** Each chosen TDMR costs 1. */
  List<Soft> fewestTdmrs() {
    List<Soft> out = new ArrayList<>();
    for (BoolExpr x : chosen) {
      out.add(new Soft(ctx.mkNot(x), 1));
    }
    return out;
  }

  /** Each reserved area costs 1. */
  List<Soft> fewestReservedAreas() {
    List<Soft> out = new ArrayList<>();
    for (Atom a : atoms) {
      out.add(new Soft(ctx.mkNot(startsLow[a.index()]), 1));
      if (a.memory()) {
        out.add(new Soft(ctx.mkNot(startsHigh[a.index()]), 1));
      }
    }
    return out;
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

  /**
   * Whether a model (say the best one an interrupted optimisation left) satisfies every formula,
   * so that its layout may be trusted before the validator sees it.
   */
  boolean satisfiedBy(Model m) {
    if (!background.stream().allMatch(f -> isTrue(m, f))) {
      return false;
    }
    return groups.values().stream().flatMap(List::stream).allMatch(f -> isTrue(m, f));
  }

  /** Formulas that always hold: definitions of the helper variables. */
  List<BoolExpr> background() {
    return List.copyOf(background);
  }

  /** The named constraint groups, in the order they were stated. */
  Map<Reason, List<BoolExpr>> groups() {
    return groups;
  }

  int variables() {
    return variables;
  }

  long constraints() {
    return background.size() + groups.values().stream().mapToLong(List::size).sum();
  }

  // ---- small builders ----------------------------------------------------------------------

  private boolean isTrue(Model m, BoolExpr e) {
    return m.eval(e, true).isTrue();
  }

  /** The node whose PAMT room a constraint is about: -1 (all memory) under PAMT policy any. */
  private int roomNode(int node) {
    return problem.policy().pamt() == Policy.PamtPlacementPolicy.ANY ? -1 : node;
  }

  private long pagesOf(List<Placement> ps) {
    return ps.stream().mapToLong(p -> candidates.get(p.candidate()).pamtPages()).sum();
  }

  /**
   * The chunks placed by {@code ps} take at most {@code bound} pages: a pseudo-Boolean constraint
   * when the numbers fit Z3's 32-bit coefficients, linear arithmetic otherwise.
   */
  @SuppressWarnings("unchecked")
  private BoolExpr pagesAtMost(List<Placement> ps, long bound) {
    BoolExpr[] lits = ps.stream().map(Placement::var).toArray(BoolExpr[]::new);
    long total = pagesOf(ps);
    if (total <= Integer.MAX_VALUE && bound <= Integer.MAX_VALUE) {
      int[] coeffs = ps.stream().mapToInt(p -> (int) candidates.get(p.candidate()).pamtPages()).toArray();
      return ctx.mkPBLe(coeffs, lits, (int) bound);
    }
    @SuppressWarnings("rawtypes")
    ArithExpr<IntSort>[] terms = new ArithExpr[ps.size()];
    for (int i = 0; i < ps.size(); i++) {
      terms[i] = (ArithExpr<IntSort>) ctx.<IntSort>mkITE(
          lits[i], ctx.mkInt(candidates.get(ps.get(i).candidate()).pamtPages()), ctx.mkInt(0));
    }
    return ctx.mkLe(ctx.mkAdd(terms), ctx.mkInt(bound));
  }

  private void grouped(Reason r, BoolExpr e) {
    groups.computeIfAbsent(r, k -> new ArrayList<>()).add(e);
  }

  private BoolExpr bool(String name) {
    // Every loop of the model creates variables: checking here bounds the building by the deadline.
    problem.deadline().check();
    variables++;
    return ctx.mkBoolConst(name);
  }

  /** A named Boolean equal to {@code value} (names make model dumps readable). */
  private BoolExpr define(String name, BoolExpr value) {
    BoolExpr b = bool(name);
    background.add(ctx.mkEq(b, value));
    return b;
  }

  private static BoolExpr[] array(List<BoolExpr> xs) {
    return xs.toArray(BoolExpr[]::new);
  }

  private BoolExpr or(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkFalse() : xs.size() == 1 ? xs.get(0) : ctx.mkOr(array(xs));
  }

  private BoolExpr and(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkTrue() : xs.size() == 1 ? xs.get(0) : ctx.mkAnd(array(xs));
  }
}
