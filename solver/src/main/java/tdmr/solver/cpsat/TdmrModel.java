package tdmr.solver.cpsat;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearArgument;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.Instance.Segment;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * The CP-SAT encoding of one {@link Instance}, in either layout family. Sizes are 4 KiB pages, TDMR
 * sizes whole GiB. Each method below encodes one group of rules and is named after it.
 *
 * <h2>TDMRs: any 1 GiB boundaries, encoded per cell</h2>
 *
 * Per cell {@code k} of {@code L} GiB: {@code a} GiB at its start covered by the TDMR covering its
 * first granule, {@code b} GiB at its end covered by the TDMR covering its last granule, {@code
 * whole} when one TDMR covers all of it, and {@code cont[k]} when one TDMR covers both sides of the
 * boundary after it. A TDMR starts at the cell's start ({@code startA}: its first granule is covered
 * and not from the cell before) or inside it ({@code startB}: a second TDMR covers its last {@code b}
 * GiB). So a cell holds at most one TDMR boundary strictly inside: {@link CellVars} documents why
 * that is a restriction of this model, named in its claims. Alignment (rule B4), order and
 * disjointness (B2, B3) and the HKID limit (B5) hold by construction. A TDMR's size is carried from
 * its end back to its start ({@code reach}).
 *
 * <h2>PAMT: stacks in segments</h2>
 *
 * Every PAMT piece (a level in the module family, a chunk in the kernel family) lies in a stack
 * against one end of a memory atom; a stack may run past its atom's end into the next atoms of its
 * segment (contiguous memory of one block in one merged CMR). This loses no layout: by the slide
 * argument of {@code ExhaustiveSearch}, some optimal layout has every maximal run of PAMT touching a
 * block, CMR or 1 GiB edge at one of its ends, i.e. an atom's end; only a piece straddling the edge
 * between two touching blocks is left out (named in the claims when the map has such an edge). A
 * stack's pages are its pieces' minimums plus its padding (module family only; it only pays where the
 * stack then fills an atom exactly).
 *
 * <h2>Reserved areas</h2>
 *
 * Per memory atom: {@code lam} pages covered by PAMT from its low end, {@code eta} from its high end,
 * {@code full} when they cover it all, {@code given} when the rest is given up (coverage {@code
 * max}). An area starts at a reserved position whose predecessor is not reserved in the same TDMR:
 * at an atom's low end, at the start of its high stack inside it, at a TDMR's base. Per cell the
 * starts are split between the TDMR of its first part and that of its last part and summed along
 * each TDMR ({@code areasSoFar}), which must stay within the limit (rule C1).
 */
final class TdmrModel {
  private static final long G = Instance.GIB_PAGES;

  final Instance instance;
  final CpModel model = new CpModel();
  final List<CellVars> cells = new ArrayList<>();
  final List<AtomVars> atoms = new ArrayList<>();
  final List<StackVars> stacks = new ArrayList<>();
  final List<Slot> slots = new ArrayList<>();
  final List<PieceVars> pieces = new ArrayList<>();
  final List<AddressRange> memorylessGranules;
  /** Per cell boundary k | k+1: one TDMR covers both sides. */
  final List<BoolVar> cont = new ArrayList<>();
  private final long deadlineNanos;
  private final int limit;

  LinearExpr uncoveredPages;
  LinearExpr remoteBytes;
  LinearExpr pamtPages;
  LinearExpr tdmrCount;
  LinearExpr areaCount;

  /**
   * The TDMR variables of one cell.
   *
   * <p>Why at most one boundary strictly inside a run: a run is a stretch of whole GiB of one block
   * (or without memory), and the TDMRs inside it other than the ones reaching in from its ends hold
   * no hole; they only ever help by lending their levels to fill memory between holes elsewhere or
   * by keeping a neighbour small. This model leaves them out; {@code ExhaustiveSearch} does not, and
   * the claim names the restriction where a run could hold such a TDMR.
   *
   * @param whole one TDMR covers the whole cell
   * @param aCovered its first granule is covered
   * @param bCovered its last granule is covered
   * @param a GiB at its start covered by the TDMR of its first granule
   * @param b GiB at its end covered by the TDMR of its last granule
   * @param reach GiB from the cell's start to the end of the TDMR of its first granule
   * @param startA a TDMR starts at the cell's start
   * @param startB a second TDMR starts inside the cell (covering its last {@code b} GiB)
   * @param lastReserved the cell's last page is reserved (PAMT, a hole or memory given up)
   * @param areasA area starts in the first TDMR's part of the cell
   * @param areasB area starts in the second TDMR's part
   * @param areasSoFar areas of the TDMR covering the cell's last granule, from its base to the
   *     cell's end
   */
  record CellVars(Cell cell, BoolVar whole, BoolVar aCovered, BoolVar bCovered, IntVar a, IntVar b, IntVar reach,
      BoolVar startA, BoolVar startB, BoolVar lastReserved, LinearExprBuilder areasA, LinearExprBuilder areasB,
      IntVar areasSoFar) {}

  /**
   * The reserved state of one atom. Gaps use only {@code reserved}.
   *
   * @param lam pages covered by PAMT from the low end
   * @param eta pages covered by PAMT from the high end
   * @param full PAMT covers the whole atom
   * @param given the memory not covered by PAMT is given up (coverage max)
   * @param lowReserved the first page is reserved
   * @param highReserved the last page is reserved
   * @param uncovered pages of it given up
   */
  record AtomVars(Atom atom, IntVar lam, IntVar eta, BoolVar full, BoolVar given, BoolVar lowReserved,
      BoolVar highReserved, IntVar uncovered) {}

  /** Which end of an atom a stack is against. */
  enum Side {
    LOW,
    HIGH
  }

  /** One stack: {@code pages} of PAMT against {@code side} of {@code atom}, of which {@code padding} pad its pieces. */
  record StackVars(int index, Atom atom, Side side, IntVar pages, BoolVar used, IntVar padding) {}

  /** Which TDMR a slot is. */
  enum Part {
    /** The TDMR starting at a cell's start. */
    A,
    /** The TDMR starting inside a cell. */
    B,
    /** A TDMR holding no TDX memory, above every block (module family). */
    MEMORYLESS
  }

  /** A TDMR of the model: where it starts (or which memoryless granule), whether it exists, its size. */
  record Slot(int index, int cell, Part part, BoolVar used, IntVar sizeGiB, int areasIfMemoryless) {}

  /** A PAMT piece (level or chunk) of a slot and the stacks it may go to. */
  record PieceVars(int index, Slot slot, PageSize level, LinearExpr pages, long mostPages, IntVar remote,
      List<Placement> placements) {}

  /** Piece in stack: {@code at} and the pages it adds to the stack. */
  record Placement(StackVars stack, BoolVar at, IntVar pages) {}

  /** Thrown when the time limit strikes before the model is complete. */
  static final class TimeLimitWhileBuilding extends RuntimeException {
    TimeLimitWhileBuilding() {
      super("time limit while building the CP-SAT model", null, false, false);
    }
  }

  TdmrModel(Instance instance, long deadlineNanos) {
    this.instance = instance;
    this.deadlineNanos = deadlineNanos;
    this.limit = instance.limits().maxReservedPerTdmr();
    this.memorylessGranules = instance.moduleFamily() ? instance.memorylessGranules() : List.of();
    tdmrsAreRunsOfGranules();
    tdmrSizes();
    atMostMaxTdmrs();
    stacksOfPamt();
    pamtPiecesAreSizedAndPlaced();
    memoryIsCovered();
    reservedAreasAreCounted();
    reservedAreasPerTdmrWithinLimit();
    remotePamt();
    objectiveTerms();
  }

  long variableCount() {
    return model.model().getVariablesCount();
  }

  long constraintCount() {
    return model.model().getConstraintsCount();
  }

  private void checkDeadline() {
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new TimeLimitWhileBuilding();
    }
  }

  // ---- TDMRs ----------------------------------------------------------------------------------

  /**
   * Rules B2-B5: TDMRs are disjoint runs of whole granules. Per cell the first and last part, the
   * links between neighbouring cells, and which families allow what: in the module family no TDMR
   * starts or ends in a cell without memory (a TDMR can always shed such a granule at its ends and
   * keep its levels, which then still meet the smaller minimums); in the kernel family every TDMR
   * holds memory.
   */
  private void tdmrsAreRunsOfGranules() {
    List<Cell> cs = instance.cells();
    for (int k = 0; k + 1 < cs.size(); k++) {
      cont.add(model.newBoolVar("cont_" + k));
    }
    for (Cell c : cs) {
      long len = c.sizeGiB();
      String s = "_c" + c.index();
      BoolVar whole = model.newBoolVar("whole" + s);
      BoolVar aCov = model.newBoolVar("a_cov" + s);
      BoolVar bCov = model.newBoolVar("b_cov" + s);
      IntVar a = model.newIntVar(0, len, "a" + s);
      IntVar b = model.newIntVar(0, len, "b" + s);
      IntVar reach = model.newIntVar(0, Math.min(instance.largestTdmrGiB(), giBFrom(c.index())), "reach" + s);
      BoolVar startA = model.newBoolVar("start_a" + s);
      BoolVar startB = model.newBoolVar("start_b" + s);
      BoolVar lastReserved = model.newBoolVar("last_res" + s);
      IntVar soFar = model.newIntVar(0, limit, "areas_so_far" + s);
      CellVars v = new CellVars(c, whole, aCov, bCov, a, b, reach, startA, startB, lastReserved,
          LinearExpr.newBuilder(), LinearExpr.newBuilder(), soFar);
      cells.add(v);
      Literal enter = c.index() > 0 ? cont.get(c.index() - 1) : model.falseLiteral();
      Literal leave = c.index() + 1 < cs.size() ? cont.get(c.index()) : model.falseLiteral();
      model.addGreaterOrEqual(a, 1).onlyEnforceIf(aCov);
      model.addEquality(a, 0).onlyEnforceIf(aCov.not());
      model.addGreaterOrEqual(b, 1).onlyEnforceIf(bCov);
      model.addEquality(b, 0).onlyEnforceIf(bCov.not());
      model.addEquality(a, len).onlyEnforceIf(whole);
      model.addEquality(b, len).onlyEnforceIf(whole);
      // Two TDMRs in one cell: the second starts strictly inside.
      model.addLessOrEqual(LinearExpr.newBuilder().add(a).add(b), len).onlyEnforceIf(whole.not());
      model.addLessOrEqual(b, len - 1).onlyEnforceIf(whole.not());
      model.addImplication(enter, aCov);
      model.addImplication(leave, bCov);
      // startA: covered first granule not reached from the cell before.
      model.addBoolOr(new Literal[] {aCov.not(), enter, startA});
      model.addImplication(startA, aCov);
      model.addImplication(startA, enter.not());
      // startB: a second TDMR covers the last part.
      model.addBoolOr(new Literal[] {bCov.not(), whole, startB});
      model.addImplication(startB, bCov);
      model.addImplication(startB, whole.not());
      if (c.kind() == Kind.MIXED || len == 1) {
        // One granule: covered whole or not at all.
        model.addEquality(aCov, whole);
        model.addEquality(bCov, whole);
      }
      if (c.kind() == Kind.EMPTY && instance.moduleFamily()) {
        // Module family: a TDMR only bridges a cell without memory, never starts or ends in it.
        model.addEquality(aCov, whole);
        model.addEquality(bCov, whole);
        model.addImplication(whole, enter);
        model.addImplication(whole, leave);
      }
    }
    if (!instance.moduleFamily()) {
      everyTdmrHoldsMemory();
    }
  }

  /** Kernel family: a TDMR starting in a cell reaches a cell holding memory before it ends. */
  private void everyTdmrHoldsMemory() {
    int n = cells.size();
    BoolVar[] memoryAhead = new BoolVar[n];
    for (int k = n - 1; k >= 0; k--) {
      CellVars v = cells.get(k);
      Literal leave = k + 1 < n ? cont.get(k) : model.falseLiteral();
      BoolVar ahead = model.newBoolVar("memory_ahead_c" + k);
      // The TDMR covering this cell's first granule holds memory from here on.
      if (v.cell().holdsMemory()) {
        model.addEquality(ahead, v.aCovered());
      } else if (k + 1 < n) {
        BoolVar throughAndAhead = and("bridge_mem_c" + k, v.whole(), leave, memoryAhead[k + 1]);
        model.addEquality(ahead, throughAndAhead);
      } else {
        model.addEquality(ahead, 0);
      }
      memoryAhead[k] = ahead;
      model.addImplication(v.startA(), ahead);
      if (!v.cell().holdsMemory()) {
        Literal next = k + 1 < n ? memoryAhead[k + 1] : model.falseLiteral();
        model.addBoolOr(new Literal[] {v.startB().not(), leave, model.falseLiteral()});
        model.addImplication(v.startB(), next);
      }
    }
  }

  /** GiB from the start of cell {@code k} to the end of the last cell. */
  private long giBFrom(int k) {
    long sum = 0;
    for (int i = k; i < instance.cells().size(); i++) {
      sum += instance.cells().get(i).sizeGiB();
    }
    return sum;
  }

  /**
   * TDMR sizes: {@code reach[k] = a[k]}, or {@code L + reach[k+1]} when one TDMR covers cell k whole
   * and continues; the TDMR starting at cell k's start has {@code reach[k]} GiB, the one starting
   * inside it {@code b[k]} plus {@code reach[k+1]} when it continues.
   */
  private void tdmrSizes() {
    int n = cells.size();
    for (int k = n - 1; k >= 0; k--) {
      CellVars v = cells.get(k);
      Literal leave = k + 1 < n ? cont.get(k) : model.falseLiteral();
      BoolVar wholeOn = and("whole_on_c" + k, v.whole(), leave);
      if (k + 1 < n) {
        model.addEquality(LinearExpr.newBuilder().add(v.reach()).addTerm(cells.get(k + 1).reach(), -1),
            v.cell().sizeGiB()).onlyEnforceIf(wholeOn);
      }
      model.addEquality(v.reach(), v.a()).onlyEnforceIf(wholeOn.not());
      long most = Math.min(instance.largestTdmrGiB(), giBFrom(k));
      IntVar sizeA = model.newIntVar(0, most, "size_a_c" + k);
      model.addEquality(sizeA, v.reach()).onlyEnforceIf(v.startA());
      model.addEquality(sizeA, 0).onlyEnforceIf(v.startA().not());
      slots.add(new Slot(slots.size(), k, Part.A, v.startA(), sizeA, 0));
      if (v.cell().uniform() && v.cell().sizeGiB() > 1) {
        IntVar sizeB = model.newIntVar(0, most, "size_b_c" + k);
        BoolVar on = and("b_on_c" + k, v.startB(), leave);
        if (k + 1 < n) {
          model.addEquality(LinearExpr.newBuilder().add(sizeB).addTerm(v.b(), -1).addTerm(cells.get(k + 1).reach(), -1), 0)
              .onlyEnforceIf(on);
        }
        model.addEquality(LinearExpr.newBuilder().add(sizeB).addTerm(v.b(), -1), 0)
            .onlyEnforceIf(new Literal[] {v.startB(), leave.not()});
        model.addEquality(sizeB, 0).onlyEnforceIf(v.startB().not());
        slots.add(new Slot(slots.size(), k, Part.B, v.startB(), sizeB, 0));
      } else {
        model.addEquality(v.startB(), 0);
      }
    }
    // At most one per memory atom: each must help fill one (else dropping it only gains), and two
    // that help fill only the same atom can give way to one.
    long memoryAtoms = instance.atoms().stream().filter(Atom::memory).count();
    long memoryless = Math.min(Math.min(memorylessGranules.size(), instance.limits().maxTdmrs() - 1L), memoryAtoms);
    for (int f = 0; f < memoryless; f++) {
      BoolVar used = model.newBoolVar("memoryless_" + f);
      IntVar size = model.newIntVar(0, 1, "memoryless_gib_" + f);
      model.addEquality(size, used);
      slots.add(new Slot(slots.size(), -1, Part.MEMORYLESS, used, size,
          instance.memorylessAreas(memorylessGranules.get(f))));
    }
    // Memoryless TDMRs are interchangeable up to their granule: use them in order.
    Slot previous = null;
    for (Slot s : slots) {
      if (s.part() == Part.MEMORYLESS) {
        if (previous != null) {
          model.addImplication(s.used(), previous.used());
        }
        previous = s;
      }
    }
  }

  /** Rule A4: at least one and at most {@code maxTdmrs} TDMRs. */
  private void atMostMaxTdmrs() {
    LinearExprBuilder count = LinearExpr.newBuilder();
    for (Slot s : slots) {
      count.add(s.used());
    }
    tdmrCount = count.build();
    model.addLinearConstraint(tdmrCount, 1, instance.limits().maxTdmrs());
  }

  // ---- PAMT --------------------------------------------------------------------------------------

  /**
   * Rules D4 and D6 and the OS rule: PAMT lies in TDX memory within one merged CMR and pieces do not
   * overlap. Per segment, a stack against each end of each atom; stacks of a segment are disjoint;
   * {@code lam}/{@code eta} of each atom are what the stacks cover of it from either end.
   */
  private void stacksOfPamt() {
    for (Atom a : instance.atoms()) {
      String s = "_a" + a.index();
      if (!a.memory()) {
        atoms.add(new AtomVars(a, null, null, null, null, null, null, null));
        continue;
      }
      IntVar lam = model.newIntVar(0, a.pages(), "lam" + s);
      IntVar eta = model.newIntVar(0, a.pages(), "eta" + s);
      BoolVar full = model.newBoolVar("full" + s);
      BoolVar given = model.newBoolVar("given" + s);
      BoolVar low = model.newBoolVar("low_res" + s);
      BoolVar high = model.newBoolVar("high_res" + s);
      IntVar uncovered = model.newIntVar(0, a.pages(), "uncovered" + s);
      atoms.add(new AtomVars(a, lam, eta, full, given, low, high, uncovered));
      if (a.dead()) {
        model.addEquality(lam, 0);
        model.addEquality(eta, 0);
        model.addEquality(full, 0);
        model.addEquality(given, 1);
        continue;
      }
      for (Side side : Side.values()) {
        long most = side == Side.LOW ? instance.segments().get(a.segment()).pages() - a.offset() : a.offset() + a.pages();
        IntVar pages = model.newIntVar(0, most, (side == Side.LOW ? "low" : "high") + s);
        BoolVar used = model.newBoolVar((side == Side.LOW ? "low_used" : "high_used") + s);
        IntVar padding = model.newIntVar(0, instance.moduleFamily() ? most : 0, "pad" + s + side);
        model.addGreaterOrEqual(pages, 1).onlyEnforceIf(used);
        model.addEquality(pages, 0).onlyEnforceIf(used.not());
        stacks.add(new StackVars(stacks.size(), a, side, pages, used, padding));
      }
    }
    for (Segment seg : instance.segments()) {
      stacksOfSegment(seg);
    }
  }

  private StackVars stack(int atom, Side side) {
    for (StackVars s : stacks) {
      if (s.atom().index() == atom && s.side() == side) {
        return s;
      }
    }
    throw new IllegalStateException("no stack at atom " + atom);
  }

  /** One segment: disjoint stacks and what they cover of each atom. */
  private void stacksOfSegment(Segment seg) {
    List<Atom> in = instance.atoms().subList(seg.firstAtom(), seg.endAtom());
    int m = in.size();
    StackVars[] low = new StackVars[m];
    StackVars[] high = new StackVars[m];
    for (int i = 0; i < m; i++) {
      low[i] = stack(in.get(i).index(), Side.LOW);
      high[i] = stack(in.get(i).index(), Side.HIGH);
    }
    for (int i = 0; i < m; i++) {
      Atom ai = in.get(i);
      long startI = ai.offset();
      long endI = ai.offset() + ai.pages();
      for (int j = i + 1; j < m; j++) {
        Atom aj = in.get(j);
        // A low stack may pass the next low anchor only when that one is empty.
        model.addLessOrEqual(low[i].pages(), aj.offset() - startI).onlyEnforceIf(low[j].used());
        // Likewise for high stacks, from above.
        model.addLessOrEqual(high[j].pages(), (aj.offset() + aj.pages()) - endI).onlyEnforceIf(high[i].used());
      }
      for (int j = i; j < m; j++) {
        Atom aj = in.get(j);
        model.addLessOrEqual(LinearExpr.newBuilder().add(low[i].pages()).add(high[j].pages()),
            (aj.offset() + aj.pages()) - startI).onlyEnforceIf(new Literal[] {low[i].used(), high[j].used()});
      }
    }
    for (int j = 0; j < m; j++) {
      Atom aj = in.get(j);
      AtomVars v = atoms.get(aj.index());
      LinearExprBuilder lam = LinearExpr.newBuilder();
      LinearExprBuilder eta = LinearExpr.newBuilder();
      for (int i = 0; i <= j; i++) {
        lam.add(clamp(low[i].pages(), aj.offset() - in.get(i).offset(), aj.pages(), "lam_" + i + "_" + aj.index()));
      }
      for (int i = j; i < m; i++) {
        long endI = in.get(i).offset() + in.get(i).pages();
        long endJ = aj.offset() + aj.pages();
        eta.add(clamp(high[i].pages(), endI - endJ, aj.pages(), "eta_" + i + "_" + aj.index()));
      }
      model.addEquality(v.lam(), lam);
      model.addEquality(v.eta(), eta);
      model.addLessOrEqual(LinearExpr.newBuilder().add(v.lam()).add(v.eta()), aj.pages());
    }
  }

  /** {@code max(0, min(x - shift, most))} as a variable (just {@code x} when it cannot leave the range). */
  private LinearArgument clamp(IntVar x, long shift, long most, String name) {
    long hi = x.getDomain().max();
    if (shift == 0 && hi <= most) {
      return x;
    }
    IntVar low = model.newIntVar(-shift, most, name + "_min");
    model.addMinEquality(low, new LinearArgument[] {LinearExpr.affine(x, 1, -shift), LinearExpr.constant(most)});
    IntVar out = model.newIntVar(0, most, name);
    model.addMaxEquality(out, new LinearArgument[] {low, LinearExpr.constant(0)});
    return out;
  }

  /**
   * Rules D2/D3 and D7: each slot's pieces (three levels in the module family, one chunk in the
   * kernel family) are at least the minimum for its size, and each existing piece lies in exactly
   * one stack. A stack holds its pieces' minimums plus its padding, and is used exactly when it holds
   * a piece.
   */
  private void pamtPiecesAreSizedAndPlaced() {
    List<List<Placement>> inStack = new ArrayList<>();
    for (int s = 0; s < stacks.size(); s++) {
      inStack.add(new ArrayList<>());
    }
    for (Slot slot : slots) {
      checkDeadline();
      long mostGiB = slot.sizeGiB().getDomain().max();
      for (PageSize level : instance.pieceLevels()) {
        LinearExpr pages = piecePages(slot, level);
        long most = instance.piecePages(mostGiB, level);
        List<Placement> placements = new ArrayList<>();
        LinearExprBuilder somewhere = LinearExpr.newBuilder();
        for (StackVars st : stacks) {
          if (st.pages().getDomain().max() < instance.piecePages(1, level)) {
            continue;
          }
          BoolVar at = model.newBoolVar("");
          IntVar p = model.newIntVar(0, Math.min(most, st.pages().getDomain().max()), "");
          model.addEquality(p, pages).onlyEnforceIf(at);
          model.addEquality(p, 0).onlyEnforceIf(at.not());
          model.addImplication(at, st.used());
          placements.add(new Placement(st, at, p));
          inStack.get(st.index()).add(placements.get(placements.size() - 1));
          somewhere.add(at);
        }
        model.addEquality(somewhere, slot.used());
        IntVar remote = model.newIntVar(0, remoteBound(level, mostGiB), "remote_p" + pieces.size());
        pieces.add(new PieceVars(pieces.size(), slot, level, pages, most, remote, placements));
      }
    }
    for (StackVars st : stacks) {
      List<Placement> members = inStack.get(st.index());
      LinearExprBuilder sum = LinearExpr.newBuilder();
      LinearExprBuilder count = LinearExpr.newBuilder();
      for (Placement p : members) {
        sum.add(p.pages());
        count.add(p.at());
      }
      sum.add(st.padding());
      model.addEquality(st.pages(), sum);
      model.addLessOrEqual(st.used(), count);
      // Padding pads pieces: a stack without one has none. And it only pays where the stack then
      // reaches something (ExhaustiveSearch, lemma 3): its atom is wholly PAMT.
      model.addEquality(st.padding(), 0).onlyEnforceIf(st.used().not());
      model.addEquality(st.padding(), 0).onlyEnforceIf(atoms.get(st.atom().index()).full().not());
    }
  }

  /** Pages of piece {@code level} of a slot, from its size: whole pages per GiB, or a rounded level. */
  private LinearExpr piecePages(Slot slot, PageSize level) {
    if (level == null) {
      LinearExprBuilder chunk = LinearExpr.newBuilder();
      for (PageSize l : PageSize.values()) {
        chunk.add(piecePages(slot, l));
      }
      return chunk.build();
    }
    long perGiB = instance.perGiBBytes(level);
    if (perGiB % 4096 == 0) {
      return LinearExpr.term(slot.sizeGiB(), perGiB / 4096);
    }
    IntVar size = slot.sizeGiB();
    long most = (size.getDomain().max() * perGiB + 4095) / 4096;
    IntVar q = model.newIntVar(0, most, "level_pages_s" + slot.index() + "_" + level.label());
    model.addGreaterOrEqual(LinearExpr.term(q, 4096), LinearExpr.term(size, perGiB));
    model.addLessOrEqual(LinearExpr.term(q, 4096), LinearExpr.affine(size, perGiB, 4095));
    return LinearExpr.term(q, 1);
  }

  private long remoteBound(PageSize level, long mostGiB) {
    if (instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return 0;
    }
    long perGiB = level == null
        ? instance.perGiBBytes(PageSize.SIZE_4K) + instance.perGiBBytes(PageSize.SIZE_2M) + instance.perGiBBytes(PageSize.SIZE_1G)
        : instance.perGiBBytes(level);
    return perGiB * mostGiB;
  }

  // ---- coverage ----------------------------------------------------------------------------------

  /**
   * The OS rule: every byte of TDX memory is in a TDMR's usable part or in PAMT. Memory of a covered
   * cell is usable unless PAMT or given up; memory outside every TDMR must be PAMT, under coverage
   * {@code max} or given up. Under coverage {@code all} nothing is given up, and a run of whole GiB
   * of memory is covered by TDMRs wholly (a restriction only in principle: leaving a whole GiB of
   * memory to be filled by PAMT needs a gigabyte of PAMT pieces in it).
   */
  private void memoryIsCovered() {
    boolean all = instance.policy().coverage() == Policy.Coverage.ALL;
    LinearExprBuilder unc = LinearExpr.newBuilder();
    for (AtomVars v : atoms) {
      Atom a = v.atom();
      if (!a.memory()) {
        continue;
      }
      CellVars c = cells.get(a.cell());
      // full: PAMT covers it all.
      model.addEquality(LinearExpr.newBuilder().add(v.lam()).add(v.eta()), a.pages()).onlyEnforceIf(v.full());
      model.addLessOrEqual(LinearExpr.newBuilder().add(v.lam()).add(v.eta()), a.pages() - 1).onlyEnforceIf(v.full().not());
      if (!a.dead()) {
        model.addImplication(v.full(), v.given().not());
        // Given up: what PAMT does not cover.
        model.addGreaterOrEqual(LinearExpr.newBuilder().add(v.uncovered()).add(v.lam()).add(v.eta()), a.pages())
            .onlyEnforceIf(v.given());
        model.addEquality(v.uncovered(), 0).onlyEnforceIf(v.given().not());
        if (all) {
          model.addEquality(v.given(), 0);
        } else if (instance.moduleFamily()) {
          // Module family: memory given up next to a level would rather be covered by padding it
          // (ExhaustiveSearch, lemma 4), so an atom is given up only as a whole.
          model.addEquality(v.lam(), 0).onlyEnforceIf(v.given());
          model.addEquality(v.eta(), 0).onlyEnforceIf(v.given());
        }
      } else {
        model.addEquality(v.uncovered(), a.pages());
      }
      unc.add(v.uncovered());
      if (c.cell().kind() == Kind.PLAIN) {
        // Covered wholly, or partly and then given up.
        BoolVar parts = model.newBoolVar("parts_cover_c" + c.cell().index());
        model.addEquality(LinearExpr.newBuilder().add(c.a()).add(c.b()), c.cell().sizeGiB()).onlyEnforceIf(parts);
        model.addBoolOr(new Literal[] {c.whole(), parts, v.given(), v.full()});
        if (all) {
          model.addBoolOr(new Literal[] {c.whole(), parts});
        }
      } else {
        // A MIXED cell: outside every TDMR its memory is PAMT or given up.
        model.addBoolOr(new Literal[] {c.whole(), v.full(), v.given()});
      }
    }
    uncoveredPages = unc.build();
  }

  // ---- reserved areas ------------------------------------------------------------------------------

  /**
   * Rules C and E1, D5 and the holes policy: which positions are reserved and where areas start.
   * Gaps are reserved where covered (holes {@code memlist}, or outside CMRs), or by choice (convertible
   * gaps under {@code cmr}); memory is reserved where PAMT or given up. See {@link CellVars}.
   */
  private void reservedAreasAreCounted() {
    Literal previousLast = model.falseLiteral();
    for (CellVars c : cells) {
      checkDeadline();
      Literal enter = c.cell().index() > 0 ? cont.get(c.cell().index() - 1) : model.falseLiteral();
      BoolVar joinedFromBefore = and("joined_in_c" + c.cell().index(), previousLast, enter);
      if (c.cell().kind() == Kind.MIXED || c.cell().sizeGiB() == 1 && c.cell().kind() != Kind.PLAIN) {
        granuleAreas(c, joinedFromBefore);
      } else {
        runAreas(c, joinedFromBefore);
      }
      previousLast = c.lastReserved();
    }
  }

  /** One granule, covered whole or not: area starts of its atoms in order. */
  private void granuleAreas(CellVars c, BoolVar joinedFromBefore) {
    BoolVar previous = joinedFromBefore;
    BoolVar last = null;
    boolean first = true;
    for (int i = c.cell().firstAtom(); i < c.cell().endAtom(); i++) {
      AtomVars v = atoms.get(i);
      Atom a = v.atom();
      String s = "_a" + a.index();
      BoolVar joined = first ? joinedFromBefore : and("joined" + s, previous, c.whole());
      first = false;
      if (!a.memory()) {
        BoolVar reserved = gapReserved(a, c.whole(), "res" + s);
        c.areasA().add(and("opens" + s, reserved, joined.not()));
        previous = reserved;
        last = reserved;
        continue;
      }
      memoryReserved(v);
      c.areasA().add(and("opens_low" + s, v.lowReserved(), joined.not(), c.whole()));
      c.areasA().add(and("opens_inside" + s, interior(v), c.whole()));
      previous = v.highReserved();
      last = v.highReserved();
    }
    model.addEquality(c.lastReserved(), last);
  }

  /** A run of whole GiB (one atom, memory or gap), possibly cut by one TDMR boundary inside. */
  private void runAreas(CellVars c, BoolVar joinedFromBefore) {
    AtomVars v = atoms.get(c.cell().firstAtom());
    Atom a = v.atom();
    String s = "_a" + a.index();
    if (!a.memory()) {
      if (instance.mustReserve(a)) {
        c.areasA().add(and("opens_a" + s, c.aCovered(), joinedFromBefore.not()));
        c.areasB().add(c.startB());
        model.addEquality(c.lastReserved(), c.bCovered());
      } else {
        BoolVar resA = model.newBoolVar("res_a" + s);
        BoolVar resB = model.newBoolVar("res_b" + s);
        model.addImplication(resA, c.aCovered());
        model.addImplication(resB, c.startB());
        c.areasA().add(and("opens_a" + s, resA, joinedFromBefore.not()));
        c.areasB().add(resB);
        BoolVar last = model.newBoolVar("last" + s);
        model.addEquality(last, resA).onlyEnforceIf(c.whole());
        model.addEquality(last, resB).onlyEnforceIf(c.whole().not());
        model.addEquality(c.lastReserved(), last);
      }
      return;
    }
    memoryReserved(v);
    if (a.dead()) {
      c.areasA().add(and("opens_a" + s, c.aCovered(), joinedFromBefore.not()));
      c.areasB().add(c.startB());
      model.addEquality(c.lastReserved(), 1);
      return;
    }
    c.areasA().add(and("opens_low" + s, v.lowReserved(), joinedFromBefore.not(), c.aCovered()));
    // The second TDMR's base lies b GiB below the run's end; the high stack reaches below it, starts
    // exactly on it, or starts inside the second TDMR's part.
    LinearExpr etaMinusB = LinearExpr.newBuilder().add(v.eta()).addTerm(c.b(), -G).build();
    BoolVar below = model.newBoolVar("eta_below_base" + s);
    model.addGreaterOrEqual(etaMinusB, 1).onlyEnforceIf(below);
    model.addLessOrEqual(etaMinusB, 0).onlyEnforceIf(below.not());
    BoolVar atOrBelow = model.newBoolVar("eta_reaches_base" + s);
    model.addGreaterOrEqual(etaMinusB, 0).onlyEnforceIf(atOrBelow);
    model.addLessOrEqual(etaMinusB, -1).onlyEnforceIf(atOrBelow.not());
    BoolVar lamPast = model.newBoolVar("lam_past_base" + s);
    LinearExpr lamMinusA = LinearExpr.newBuilder().add(v.lam()).addTerm(c.a(), -G).build();
    model.addGreaterOrEqual(lamMinusA, 1).onlyEnforceIf(lamPast);
    model.addLessOrEqual(lamMinusA, 0).onlyEnforceIf(lamPast.not());
    BoolVar inside = interior(v);
    // The high stack's start: in the first TDMR's part when there is no second TDMR or it reaches
    // below the second's base; strictly inside the second's part when it does not reach its base.
    c.areasA().add(and("inside_a" + s, inside, c.aCovered(), or("no_b_or_below" + s, c.startB().not(), below)));
    c.areasB().add(and("inside_b" + s, inside, c.startB(), atOrBelow.not()));
    // The second TDMR's base is reserved (PAMT over it, or the memory given up): an area starts there.
    BoolVar etaOnBase = and("eta_on_base" + s, atOrBelow, positive(v.eta(), "eta_pos" + s));
    BoolVar baseReserved = or("base_res" + s, lamPast, etaOnBase, v.full(), v.given());
    c.areasB().add(and("opens_base" + s, c.startB(), baseReserved));
    model.addEquality(c.lastReserved(), v.highReserved());
  }

  private final java.util.Map<IntVar, BoolVar> positives = new java.util.HashMap<>();

  /** A literal equal to {@code x > 0}. */
  private BoolVar positive(IntVar x, String name) {
    return positives.computeIfAbsent(x, k -> {
      BoolVar b = model.newBoolVar(name);
      model.addGreaterOrEqual(x, 1).onlyEnforceIf(b);
      model.addEquality(x, 0).onlyEnforceIf(b.not());
      return b;
    });
  }

  /** Defines the reserved ends of a memory atom from its PAMT and whether it is given up. */
  private void memoryReserved(AtomVars v) {
    String s = "_a" + v.atom().index();
    BoolVar lamPos = positive(v.lam(), "lam_pos" + s);
    BoolVar etaPos = positive(v.eta(), "eta_pos" + s);
    model.addEquality(v.lowReserved(), or("low_or" + s, lamPos, v.full(), v.given()));
    model.addEquality(v.highReserved(), or("high_or" + s, etaPos, v.full(), v.given()));
  }

  /** An area starts inside the atom: its high stack's start, not touching anything reserved below. */
  private BoolVar interior(AtomVars v) {
    String s = "_a" + v.atom().index();
    return and("interior" + s, positive(v.eta(), "eta_pos" + s), v.full().not(), v.given().not());
  }

  /** A gap atom of a granule: reserved when covered (required) or by choice (optional, only when covered). */
  private BoolVar gapReserved(Atom gap, BoolVar covered, String name) {
    BoolVar r = model.newBoolVar(name);
    if (instance.mustReserve(gap)) {
      model.addEquality(r, covered);
    } else {
      model.addImplication(r, covered);
    }
    return r;
  }

  /**
   * Rule C1: at most {@code max_reserved_per_tdmr} areas in every TDMR, summed along it: the TDMR
   * covering a cell's last granule has {@code areasSoFar} areas up to the cell's end; one that ends
   * inside a cell has its total checked there. Memoryless TDMRs have their own fixed count.
   */
  private void reservedAreasPerTdmrWithinLimit() {
    LinearExprBuilder total = LinearExpr.newBuilder();
    IntVar previous = null;
    for (CellVars c : cells) {
      Literal enter = c.cell().index() > 0 ? cont.get(c.cell().index() - 1) : model.falseLiteral();
      LinearExpr inA = c.areasA().build();
      LinearExpr inB = c.areasB().build();
      total.add(inA).add(inB);
      if (previous != null) {
        model.addEquality(LinearExpr.newBuilder().add(c.areasSoFar()).addTerm(previous, -1).add(LinearExpr.term(inA, -1)), 0)
            .onlyEnforceIf(new Literal[] {c.whole(), enter});
        model.addLessOrEqual(LinearExpr.newBuilder().add(previous).add(inA), limit)
            .onlyEnforceIf(new Literal[] {c.whole().not(), enter});
      }
      model.addEquality(c.areasSoFar(), inA).onlyEnforceIf(new Literal[] {c.whole(), enter.not()});
      model.addLessOrEqual(inA, limit).onlyEnforceIf(new Literal[] {c.whole().not(), enter.not()});
      model.addEquality(c.areasSoFar(), inB).onlyEnforceIf(c.whole().not());
      previous = c.areasSoFar();
    }
    for (Slot s : slots) {
      if (s.part() == Part.MEMORYLESS) {
        if (s.areasIfMemoryless() > limit) {
          model.addEquality(s.used(), 0);
        }
        total.addTerm(s.used(), s.areasIfMemoryless());
      }
    }
    areaCount = total.build();
  }

  // ---- remote PAMT ---------------------------------------------------------------------------------

  /**
   * The node-local tier ({@link tdmr.check.RemotePamt}): a piece on node n of a TDMR costs, per
   * level, its bytes per GiB for every granule of the TDMR holding memory but none of node n. Those
   * granules are carried along each TDMR per node like its size; a piece's remote bytes are at least
   * its node's count times its bytes per GiB (tight, as they are minimised).
   */
  private void remotePamt() {
    LinearExprBuilder total = LinearExpr.newBuilder();
    if (instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL) {
      remoteBytes = total.build();
      return;
    }
    int n = cells.size();
    List<Integer> nodes = instance.nodes();
    // lacking[k][node]: granules from cell k's start to the end of its first TDMR lacking the node.
    IntVar[][] lacking = new IntVar[n][nodes.size()];
    IntVar[][] lackingB = new IntVar[n][nodes.size()];
    for (int k = n - 1; k >= 0; k--) {
      checkDeadline();
      CellVars c = cells.get(k);
      Literal leave = k + 1 < n ? cont.get(k) : model.falseLiteral();
      for (int j = 0; j < nodes.size(); j++) {
        long per = instance.lackingGranules(c.cell(), nodes.get(j));
        long most = Math.min(instance.largestTdmrGiB(), giBFrom(k));
        IntVar l = model.newIntVar(0, most, "lack_c" + k + "_n" + j);
        BoolVar wholeOn = and("whole_on_l_c" + k + "_" + j, c.whole(), leave);
        if (k + 1 < n) {
          model.addEquality(LinearExpr.newBuilder().add(l).addTerm(lacking[k + 1][j], -1).addTerm(c.a(), -per), 0)
              .onlyEnforceIf(wholeOn);
        }
        model.addEquality(LinearExpr.newBuilder().add(l).addTerm(c.a(), -per), 0).onlyEnforceIf(wholeOn.not());
        lacking[k][j] = l;
        IntVar lb = model.newIntVar(0, most, "lack_b_c" + k + "_n" + j);
        BoolVar bOn = and("b_on_l_c" + k + "_" + j, c.startB(), leave);
        if (k + 1 < n) {
          model.addEquality(LinearExpr.newBuilder().add(lb).addTerm(lacking[k + 1][j], -1).addTerm(c.b(), -per), 0)
              .onlyEnforceIf(bOn);
        }
        model.addEquality(LinearExpr.newBuilder().add(lb).addTerm(c.b(), -per), 0).onlyEnforceIf(bOn.not());
        lackingB[k][j] = lb;
      }
    }
    for (PieceVars p : pieces) {
      Slot slot = p.slot();
      if (slot.part() == Part.MEMORYLESS) {
        model.addEquality(p.remote(), 0);
        continue;
      }
      long perGiB = remoteBound(p.level(), 1);
      for (int j = 0; j < nodes.size(); j++) {
        int node = nodes.get(j);
        LinearExprBuilder onNode = LinearExpr.newBuilder();
        for (Placement pl : p.placements()) {
          if (pl.stack().atom().node() == node) {
            onNode.add(pl.at());
          }
        }
        IntVar lack = slot.part() == Part.A ? lacking[slot.cell()][j] : lackingB[slot.cell()][j];
        long big = perGiB * lack.getDomain().max();
        // remote >= perGiB * lack - big * (1 - onNode)
        model.addGreaterOrEqual(
            LinearExpr.newBuilder().add(p.remote()).addTerm(lack, -perGiB).add(LinearExpr.term(onNode.build(), -big)), -big);
      }
      total.add(p.remote());
    }
    remoteBytes = total.build();
  }

  // ---- objective -----------------------------------------------------------------------------------

  /**
   * The tiers' expressions: uncovered pages, remote bytes, PAMT pages, TDMRs, areas. Two redundant
   * equalities give the search the PAMT from the TDMR sizes at once: the stacks hold every piece's
   * minimum plus their padding, and the TDMRs' sizes add up to the GiB the cells have covered.
   */
  private void objectiveTerms() {
    LinearExprBuilder pamt = LinearExpr.newBuilder();
    for (StackVars s : stacks) {
      pamt.add(s.pages());
    }
    pamtPages = pamt.build();
    LinearExprBuilder fromSizes = LinearExpr.newBuilder();
    for (PieceVars p : pieces) {
      fromSizes.add(p.pages());
    }
    for (StackVars s : stacks) {
      fromSizes.add(s.padding());
    }
    model.addEquality(pamtPages, fromSizes);
    // And the stacks cover, atom by atom, exactly their pages; a full atom is all PAMT.
    LinearExprBuilder inAtoms = LinearExpr.newBuilder();
    for (AtomVars v : atoms) {
      if (v.atom().memory()) {
        inAtoms.add(v.lam()).add(v.eta());
        model.addGreaterOrEqual(LinearExpr.newBuilder().add(v.lam()).add(v.eta()).addTerm(v.full(), -v.atom().pages()), 0);
      }
    }
    model.addEquality(pamtPages, inAtoms);
    LinearExprBuilder sizes = LinearExpr.newBuilder();
    for (Slot s : slots) {
      if (s.part() != Part.MEMORYLESS) {
        sizes.add(s.sizeGiB());
      }
    }
    for (CellVars c : cells) {
      // Covered GiB of the cell: a + b, or L once when one TDMR covers it whole (a = b = L).
      IntVar covered = model.newIntVar(0, c.cell().sizeGiB(), "covered_gib_c" + c.cell().index());
      model.addEquality(covered, c.a()).onlyEnforceIf(c.whole());
      model.addEquality(covered, LinearExpr.newBuilder().add(c.a()).add(c.b()).build()).onlyEnforceIf(c.whole().not());
      if (c.cell().kind() == Kind.PLAIN && instance.policy().coverage() == Policy.Coverage.ALL) {
        // Every GiB of a run of memory is covered (memoryIsCovered).
        model.addEquality(covered, c.cell().sizeGiB());
      } else if (c.cell().sizeGiB() == 1) {
        model.addEquality(covered, c.whole());
      }
      // Linear forms of memoryIsCovered, for the relaxation: memory neither all PAMT nor given up is
      // in a covered GiB.
      for (int i = c.cell().firstAtom(); i < c.cell().endAtom(); i++) {
        AtomVars v = atoms.get(i);
        if (v.atom().memory() && !v.atom().dead()) {
          long len = c.cell().kind() == Kind.PLAIN ? c.cell().sizeGiB() : 1;
          model.addGreaterOrEqual(LinearExpr.newBuilder().add(covered).addTerm(v.full(), len).addTerm(v.given(), len), len);
        }
      }
      sizes.addTerm(covered, -1);
    }
    model.addEquality(sizes, 0);
  }

  // ---- literal helpers ------------------------------------------------------------------------------

  /** A literal equal to the conjunction of {@code literals}. */
  BoolVar and(String name, Literal... literals) {
    BoolVar r = model.newBoolVar(name);
    Literal[] clause = new Literal[literals.length + 1];
    for (int i = 0; i < literals.length; i++) {
      model.addImplication(r, literals[i]);
      clause[i] = literals[i].not();
    }
    clause[literals.length] = r;
    model.addBoolOr(clause);
    return r;
  }

  /** A literal equal to the disjunction of {@code literals}. */
  BoolVar or(String name, Literal... literals) {
    BoolVar r = model.newBoolVar(name);
    Literal[] clause = new Literal[literals.length + 1];
    for (int i = 0; i < literals.length; i++) {
      model.addImplication(literals[i], r);
      clause[i] = literals[i];
    }
    clause[literals.length] = r.not();
    model.addBoolOr(clause);
    return r;
  }
}
