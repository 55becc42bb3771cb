package tdmr.solver.cpsat;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Anchor;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Joint;
import tdmr.solver.Instance.Kind;
import tdmr.solver.Instance.Place;
import tdmr.solver.Instance.Segment;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * The CP-SAT encoding of one {@link Instance}, in either layout family. Sizes are 4 KiB pages, TDMR
 * sizes whole GiB. The constructor adds one group of constraints per rule, each in a method named
 * after it and citing {@link tdmr.check.Rule}; the variables are grouped in records per cell, atom,
 * place, TDMR slot and PAMT piece. {@link SolutionLayout} reads a solution back into a layout.
 *
 * <h2>TDMRs (rules B2 to B5)</h2>
 *
 * Per cell: {@code whole} (one TDMR covers all of it), {@code first} and {@code last} (its first and
 * last granule are covered), and in a run of two or more GiB ({@link Cell#cuttable}) the GiB {@code
 * a} at its start covered by the TDMR of its first granule and {@code b} at its end covered by the
 * TDMR of its last granule. {@code cont[k]} says one TDMR covers both sides of the edge after cell
 * k. A TDMR starts at a cell's start ({@code startA}) or inside a run ({@code startB}), so a run
 * holds at most one TDMR boundary strictly inside, or two around an uncovered middle: a TDMR lying
 * wholly inside a run of memory without touching its ends is outside the model ({@link
 * Restrictions}). Bases and sizes are whole GiB, TDMRs are ordered and disjoint by construction, and
 * the window lies below the HKID limit.
 *
 * <h2>PAMT (rules D2 to D6)</h2>
 *
 * Each TDMR is a <em>slot</em>: the one starting at a cell's start, the one starting inside a run,
 * and (module family) TDMRs without memory, which are interchangeable and counted by one integer
 * per site of {@link Instance#memorylessSites}.
 * A slot's pieces (three levels, or one chunk) have at least their minimum size, a linear function
 * of the TDMR's size (the 1G level rounded up per 256 GiB). Each piece lies at one place ({@link
 * Place}): places in <em>tight</em> segments (an atom the PAMT of a layout could fill, or a chain
 * could cross a TDMR boundary in) carry the pages of their chain; places in <em>roomy</em> segments
 * (every atom larger than any layout's PAMT) never interact, so a piece only says "in a roomy place
 * of node n" (a pool), and a roomy place says whether it holds a chain. Module family: a chain may
 * be padded, but only where its atom is then full or, from an end of a run of whole GiB, where it
 * then ends exactly at the far end of the run's part outside every TDMR (a padded chain with a free
 * end can shed the padding and change nothing else), and a roomy atom may be filled by padded
 * pieces, as may the part of a roomy run of whole GiB outside every TDMR ({@link MiddleFill}; see
 * {@link Restrictions}). A piece may also lie over a <em>bridge</em> ({@link BridgeVars}): the edge
 * where two segments touch ({@link Joint}), or a run of such edges around tight segments it covers,
 * as the first piece of the chains against the edge on both sides, on both nodes; or over a <em>fill
 * bridge</em>, a run of such edges between roomy segments whose memory beside the edges is filled
 * by padded pieces, the piece serving as the piece of those fills.
 *
 * <h2>Reserved areas (rules C1, D5, E1 and the holes policy)</h2>
 *
 * Per atom: whether its first and last page are reserved and whether it is wholly reserved; a chain
 * against its high end starts an area inside it unless the atom is full. An area starts where a
 * reserved page follows one that is not reserved in the same TDMR (or the TDMR's base). The starts
 * in a cell go to the TDMR of its first granule or the one of its last, and are summed along each
 * TDMR, which must stay within the limit.
 */
final class ModuleModel {
  static final long G = Instance.GIB_PAGES;

  final Instance instance;
  final CpModel model = new CpModel();
  final List<CellVars> cells = new ArrayList<>();
  final List<AtomVars> atoms = new ArrayList<>();
  final List<PlaceVars> places = new ArrayList<>();
  final List<BridgeVars> bridges = new ArrayList<>();
  final List<SlotVars> slots = new ArrayList<>();
  final List<PieceVars> pieces = new ArrayList<>();
  /** Per cell edge k | k+1: one TDMR covers both sides. */
  final List<BoolVar> cont = new ArrayList<>();
  /** Roomy places and roomy fills per node (-1 for all nodes under PAMT {@code any}). */
  final Map<Integer, PoolVars> pools = new TreeMap<>();
  /** TDMRs without memory (module family); null when there can be none. */
  final MemorylessVars memoryless;
  final List<Instance.MemorylessSite> memorylessSites;
  /** Per segment: whether its places carry pages. */
  final boolean[] tightSegment;

  private final int limit;
  private final long mostStack;
  private final boolean module;
  private final boolean nodeLocal;

  LinearExpr uncoveredPages;
  LinearExpr remoteBytes;
  LinearExpr pamtPages;
  LinearExpr tdmrCount;
  LinearExpr areaCount;

  /**
   * The TDMR variables of one cell ({@code a = b = whole · L} where the cell cannot be cut).
   *
   * @param areasA area starts in the part covered by the TDMR of the cell's first granule
   * @param areasB area starts in the part covered by a TDMR starting inside the cell
   * @param areasSoFar areas of the TDMR covering the cell's last granule, from its base to the
   *     cell's end
   * @param lastReserved the cell's last page is reserved
   */
  record CellVars(Cell cell, BoolVar whole, BoolVar first, BoolVar last, IntVar a, IntVar b, IntVar reach,
      BoolVar startA, BoolVar startB, BoolVar lastReserved, LinearExprBuilder areasA, LinearExprBuilder areasB,
      IntVar areasSoFar) {}

  /**
   * The reserved state of one atom; for gaps only the three reserved literals (all equal where the
   * gap is reserved whole).
   *
   * @param lowReserved its first page is reserved
   * @param highReserved its last page is reserved
   * @param full it is wholly reserved (PAMT, given up or a reserved gap)
   * @param pamtFull memory wholly covered by PAMT (false for gaps)
   * @param given memory whose pages outside PAMT are given up (coverage {@code max})
   * @param lam pages of PAMT from its low end (tight segments)
   * @param eta pages of PAMT from its high end (tight segments)
   * @param interior an area starts strictly inside it: a chain against its high end that does not
   *     reach its low end's reserved part
   * @param uncovered pages of it given up
   */
  record AtomVars(Atom atom, Literal lowReserved, Literal highReserved, Literal full, BoolVar pamtFull,
      BoolVar given, IntVar lam, IntVar eta, BoolVar interior, IntVar uncovered) {}

  /**
   * One place: whether a chain is anchored there and, in tight segments, its pages (pieces plus
   * padding), what it holds and how many pieces.
   */
  record PlaceVars(Place place, boolean tight, BoolVar used, IntVar pages, IntVar padding,
      LinearExprBuilder contents, LinearExprBuilder members) {}

  /** Which TDMR a slot is. */
  enum Part {
    /** The TDMR starting at a cell's start. */
    A,
    /** The TDMR starting inside a run. */
    B
  }

  /** A TDMR of the model: where it starts, whether it exists, its size, its PAMT pieces. */
  record SlotVars(int index, int cell, Part part, Literal used, IntVar sizeGiB, List<PieceVars> pieces) {}

  /**
   * A PAMT piece of a slot: a level, or the kernel chunk ({@code level == null}).
   *
   * @param pages its minimum pages, from the slot's size
   * @param mostPages the most {@code pages} can be
   * @param placements its placements at tight places
   * @param pool per node: the piece is at a roomy place of that node
   * @param fill per node: the piece helps fill a roomy atom of that node (module family)
   * @param fillPages per node: its pages when it does, else 0
   */
  record PieceVars(int index, SlotVars slot, PageSize level, LinearExpr pages, long mostPages, IntVar remote,
      List<Placement> placements, Map<Integer, BoolVar> pool, Map<Integer, BoolVar> fill,
      Map<Integer, IntVar> fillPages, List<Straddle> straddles) {}

  /** A piece at a tight place: {@code at}, and the pages it adds there. */
  record Placement(PlaceVars place, BoolVar at, IntVar pages) {}

  /**
   * A <em>bridge</em>: one piece over the edges of a run of consecutive {@link Joint}s, from the top
   * of the segment below the first to the bottom of the segment above the last, covering the tight
   * segments between wholly (a piece longer than a roomy segment would be padded to fill it, which
   * the model leaves out: {@link Restrictions}). Its part below the first edge is the first piece of
   * the chain at the high end of the segment below, its part above the last edge the first piece of
   * the chain at the low end of the segment above; where a side is tight that chain's padding goes
   * on it, so its part there is its share plus that padding.
   *
   * <p>No bridge lies over one joint between two roomy segments: a piece {@code S} over such an edge
   * {@code e} can move wholly below it, with the pieces of its run below shifted down by its part
   * above and those above shifted down to {@code e}, and no tier gets worse, when neither atom beside
   * {@code e} is wholly PAMT (else it is a fill bridge, or can become one: {@link #fillBridges}): the run has a free end in
   * each, and without padding (a free end sheds it) it is shorter than either atom (roomy: larger
   * than any layout's unpadded PAMT), so it stays in the atom below, in the last granule of a run
   * (chains in roomy runs are shorter than 1 GiB), meeting no other chain and no TDMR boundary; the
   * pages it takes there were usable memory of the TDMR holding its area, and those it frees above
   * become usable memory of theirs. PAMT bytes and TDMRs are unchanged; the reserved pages below
   * {@code e} stay one run, and above it the run shrinks or goes (one area fewer at most); {@code S}
   * lies on one node instead of two, which describes no more remotely ({@link
   * tdmr.check.RemotePamt}). So on real maps, whose blocks touch between two large nodes, the model
   * does not grow.
   *
   * @param first the first joint
   * @param last the last joint
   * @param middlePages the pages of the segments between, which it covers
   * @param below the place at the high end of the segment below the first joint
   * @param above the place at the low end of the segment above the last joint
   * @param used a piece lies over it
   * @param belowPages its share of its minimum pages below the first edge
   * @param abovePages its share above the last edge
   * @param contents the pages of the pieces that may lie over it, each where it does
   * @param members their literals (and counts of pieces of TDMRs without memory)
   * @param nodes the nodes of the segments it lies on
   * @param fill a <em>fill bridge</em> (module family): its sides and the segments between are roomy,
   *     the atoms beside its edges wholly PAMT ({@code pamtFull}, or a run's filled part outside every
   *     TDMR reaching the edge) and the segments between filled whole; its piece is padded into them
   *     like a fill's pieces, so its shares and {@code middlePages} are 0 and the places are unused
   */
  record BridgeVars(int index, Joint first, Joint last, long middlePages, PlaceVars below, PlaceVars above,
      BoolVar used, IntVar belowPages, IntVar abovePages, LinearExprBuilder contents, LinearExprBuilder members,
      List<Integer> nodes, boolean fill) {}

  /** A piece over a bridge: {@code at}, and its pages when it is. */
  record Straddle(BridgeVars bridge, BoolVar at, IntVar pages) {}

  /**
   * The roomy places of one node: the pieces in them, and the roomy atoms filled with padded
   * pieces (module family).
   */
  record PoolVars(int node, List<PlaceVars> places, List<AtomVars> fillable, List<MiddleFill> middles,
      LinearExprBuilder members, LinearExprBuilder fillMembers, LinearExprBuilder fillPieces) {}

  /**
   * The part of a roomy run of whole GiB that no TDMR covers (its middle between the parts {@code
   * a} and {@code b}, or one end of it), filled exactly by padded pieces of the pool (module family).
   *
   * @param atom the run
   * @param cell the run's cell
   * @param filled the part is filled
   * @param pages its pages when filled, else 0
   */
  record MiddleFill(AtomVars atom, CellVars cell, BoolVar filled, IntVar pages) {}

  /**
   * TDMRs without memory (module family): how many, how many on each site of {@link
   * Instance#memorylessSites} (its granules are interchangeable), and where each kind of their
   * pieces goes, counted (they are interchangeable).
   */
  record MemorylessVars(IntVar count, List<IntVar> onSite, Map<PageSize, Map<Integer, IntVar>> atPlace,
      Map<PageSize, Map<Integer, IntVar>> inPool, Map<PageSize, Map<Integer, IntVar>> inFill,
      Map<PageSize, Map<Integer, IntVar>> atBridge) {}

  ModuleModel(Instance instance) {
    this.instance = instance;
    this.limit = instance.limits().maxReservedPerTdmr();
    this.module = instance.moduleFamily();
    this.nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
    this.mostStack = instance.mostUnpaddedPamtPages();
    this.memorylessSites = module ? instance.memorylessSites() : List.of();
    this.tightSegment = new boolean[instance.segments().size()];
    tdmrsAreSortedDisjointRunsOfGranules();
    if (!module) {
      everyTdmrHoldsMemory();
    }
    tdmrSlotsAndSizes();
    this.memoryless = memorylessTdmrs();
    atMostMaxTdmrs();
    atomsAndPlaces();
    pamtLevelsHaveTheirMinimumSize();
    eachPamtPieceLiesAtOnePlace();
    pamtRangesAreDisjoint();
    tdxMemoryIsCovered();
    // Places whose run chainsPaddedToTdmr did not reach pad only a full atom.
    paddedToTdmr.values().forEach(l -> model.addEquality(l, 0));
    reservedAreasAreCounted();
    reservedAreasPerTdmrWithinLimit();
    remotePamt();
    objectiveTerms();
  }

  /**
   * How many placements of PAMT pieces at tight places {@link #eachPamtPieceLiesAtOnePlace} will
   * create on {@code instance}, known before the model is built: one per TDMR slot's piece and
   * tight place with room for the piece's least size (a slot per cell holding memory, another per
   * cell a boundary may cut). Each is a literal, a page count and three constraints, the bulk of a
   * big model: on maps of about 1 000 {@code memmap=} holes every segment is tight, and 500 to 1 800
   * cells with 3 000 to 4 200 places make 4.6 to 18 million.
   */
  static long placementCount(Instance instance) {
    boolean[] tight = tightSegments(instance);
    boolean module = instance.moduleFamily();
    long slots = 0;
    for (Cell c : instance.cells()) {
      slots += (!module || c.holdsMemory() ? 1 : 0) + (c.cuttable() ? 1 : 0);
    }
    long perSlot = 0;
    for (PageSize level : instance.pieceLevels()) {
      long least = instance.piecePages(1, level);
      for (Place p : instance.places()) {
        if (tight[p.segment()] && p.room() >= least) {
          perSlot++;
        }
      }
    }
    return slots * perSlot;
  }

  long variableCount() {
    return model.model().getVariablesCount();
  }

  long constraintCount() {
    return model.model().getConstraintsCount();
  }

  private void checkDeadline() {
    instance.deadline().check();
  }

  // ---- TDMRs ----------------------------------------------------------------------------------

  /**
   * {@link tdmr.check.Rule#B2_TDMRS_SORTED B2}, {@link tdmr.check.Rule#B3_TDMRS_DISJOINT B3},
   * {@link tdmr.check.Rule#B4_TDMR_1G_ALIGNED B4}, {@link tdmr.check.Rule#B5_TDMR_BELOW_HKID B5}:
   * TDMRs are disjoint runs of whole granules of the window. Per cell, the parts its first and last
   * TDMR cover and the links to its neighbours. In the module family a TDMR only bridges a cell
   * without memory, never starts or ends in it ({@link Instance}).
   */
  private void tdmrsAreSortedDisjointRunsOfGranules() {
    List<Cell> cs = instance.cells();
    for (int k = 0; k + 1 < cs.size(); k++) {
      cont.add(model.newBoolVar("cont_c" + k));
    }
    for (Cell c : cs) {
      checkDeadline();
      long len = c.sizeGiB();
      String s = "_c" + c.index();
      boolean cuttable = c.cuttable() && !(module && c.kind() == Kind.EMPTY);
      BoolVar whole = model.newBoolVar("whole" + s);
      BoolVar first = cuttable ? model.newBoolVar("first" + s) : whole;
      BoolVar last = cuttable ? model.newBoolVar("last" + s) : whole;
      IntVar a = model.newIntVar(0, len, "a" + s);
      IntVar b = model.newIntVar(0, len, "b" + s);
      IntVar reach = model.newIntVar(0, Math.min(instance.largestTdmrGiB(), giBFrom(c.index())), "reach" + s);
      BoolVar startA = model.newBoolVar("start_a" + s);
      BoolVar startB = model.newBoolVar("start_b" + s);
      BoolVar lastReserved = model.newBoolVar("last_reserved" + s);
      IntVar soFar = model.newIntVar(0, limit, "areas_so_far" + s);
      CellVars v = new CellVars(c, whole, first, last, a, b, reach, startA, startB, lastReserved,
          LinearExpr.newBuilder(), LinearExpr.newBuilder(), soFar);
      cells.add(v);
      Literal enter = enter(c.index());
      Literal leave = leave(c.index());
      model.addImplication(enter, first);
      model.addImplication(leave, last);
      // startA: its first granule is covered and not from the cell before.
      model.addBoolOr(new Literal[] {first.not(), enter, startA});
      model.addImplication(startA, first);
      model.addImplication(startA, enter.not());
      if (cuttable) {
        model.addGreaterOrEqual(a, 1).onlyEnforceIf(first);
        model.addEquality(a, 0).onlyEnforceIf(first.not());
        model.addGreaterOrEqual(b, 1).onlyEnforceIf(last);
        model.addEquality(b, 0).onlyEnforceIf(last.not());
        model.addEquality(a, len).onlyEnforceIf(whole);
        model.addEquality(b, len).onlyEnforceIf(whole);
        model.addLessOrEqual(LinearExpr.newBuilder().add(a).add(b), len).onlyEnforceIf(whole.not());
        model.addLessOrEqual(a, len - 1).onlyEnforceIf(whole.not());
        model.addLessOrEqual(b, len - 1).onlyEnforceIf(whole.not());
        // startB: a TDMR starts inside the run and covers its last granule.
        model.addBoolOr(new Literal[] {last.not(), whole, startB});
        model.addImplication(startB, last);
        model.addImplication(startB, whole.not());
      } else {
        model.addEquality(LinearExpr.term(a, 1), LinearExpr.term(whole, len));
        model.addEquality(LinearExpr.term(b, 1), LinearExpr.term(whole, len));
        model.addEquality(startB, 0);
      }
      if (module && c.kind() == Kind.EMPTY) {
        model.addImplication(whole, enter);
        model.addImplication(whole, leave);
      }
    }
  }

  private Literal enter(int k) {
    return k > 0 ? cont.get(k - 1) : model.falseLiteral();
  }

  private Literal leave(int k) {
    return k + 1 < instance.cells().size() ? cont.get(k) : model.falseLiteral();
  }

  /**
   * Kernel family: every TDMR covers TDX memory (as every TDMR Linux builds does). A TDMR starting
   * in a cell without memory continues until it reaches one with memory.
   */
  private void everyTdmrHoldsMemory() {
    int n = cells.size();
    BoolVar[] ahead = new BoolVar[n + 1];
    ahead[n] = model.newBoolVar("memory_ahead_end");
    model.addEquality(ahead[n], 0);
    for (int k = n - 1; k >= 0; k--) {
      CellVars v = cells.get(k);
      BoolVar here = model.newBoolVar("memory_ahead_c" + k);
      if (v.cell().holdsMemory()) {
        model.addEquality(here, v.first());
      } else {
        model.addEquality(here, and("bridges_to_memory_c" + k, v.whole(), leave(k), ahead[k + 1]));
        model.addImplication(v.startB(), leave(k));
        model.addImplication(v.startB(), ahead[k + 1]);
      }
      model.addImplication(v.startA(), here);
      ahead[k] = here;
    }
  }

  /** GiB from the start of cell {@code k} to the end of the window. */
  private long giBFrom(int k) {
    long sum = 0;
    for (int i = k; i < instance.cells().size(); i++) {
      sum += instance.cells().get(i).sizeGiB();
    }
    return sum;
  }

  /**
   * TDMR sizes, carried from each TDMR's end back to its start: {@code reach[k]} is {@code a[k]}, or
   * {@code L + reach[k+1]} when one TDMR covers cell k whole and continues. The TDMR starting at
   * cell k's start has {@code reach[k]} GiB; the one starting inside it {@code b[k]}, plus {@code
   * reach[k+1]} when it continues. No TDMR exceeds {@link Instance#largestTdmrGiB} (its 4K level or
   * chunk must fit a segment).
   */
  private void tdmrSlotsAndSizes() {
    int n = cells.size();
    for (int k = n - 1; k >= 0; k--) {
      checkDeadline();
      CellVars v = cells.get(k);
      Literal leave = leave(k);
      BoolVar wholeOn = and("whole_on_c" + k, v.whole(), leave);
      if (k + 1 < n) {
        model.addEquality(LinearExpr.newBuilder().add(v.reach()).addTerm(cells.get(k + 1).reach(), -1),
            v.cell().sizeGiB()).onlyEnforceIf(wholeOn);
      }
      model.addEquality(v.reach(), v.a()).onlyEnforceIf(wholeOn.not());
    }
    for (CellVars v : cells) {
      int k = v.cell().index();
      long most = Math.min(instance.largestTdmrGiB(), giBFrom(k));
      if (module && !v.cell().holdsMemory()) {
        model.addEquality(v.startA(), 0);
      } else {
        IntVar size = model.newIntVar(0, most, "size_a_c" + k);
        model.addEquality(size, v.reach()).onlyEnforceIf(v.startA());
        model.addEquality(size, 0).onlyEnforceIf(v.startA().not());
        slots.add(new SlotVars(slots.size(), k, Part.A, v.startA(), size, new ArrayList<>()));
      }
      boolean cuttable = v.first() != v.whole();
      if (cuttable) {
        IntVar size = model.newIntVar(0, most, "size_b_c" + k);
        Literal leave = leave(k);
        if (k + 1 < n) {
          BoolVar on = and("b_on_c" + k, v.startB(), leave);
          model.addEquality(LinearExpr.newBuilder().add(size).addTerm(v.b(), -1)
              .addTerm(cells.get(k + 1).reach(), -1), 0).onlyEnforceIf(on);
        }
        model.addEquality(LinearExpr.newBuilder().add(size).addTerm(v.b(), -1), 0)
            .onlyEnforceIf(new Literal[] {v.startB(), leave.not()});
        model.addEquality(size, 0).onlyEnforceIf(v.startB().not());
        slots.add(new SlotVars(slots.size(), k, Part.B, v.startB(), size, new ArrayList<>()));
      }
    }
  }

  /**
   * TDMRs without TDX memory (module family), each of 1 GiB on a granule of a site of {@link
   * Instance#memorylessSites} (which argues that no other granule could do better), counted per
   * site. {@link tdmr.check.Rule#B3_TDMRS_DISJOINT B3}: a site inside the window is an EMPTY cell,
   * which a TDMR over the cells covers whole or not at all; TDMRs without memory lie there only when
   * none does.
   */
  private MemorylessVars memorylessTdmrs() {
    if (memorylessSites.isEmpty()) {
      return null;
    }
    List<IntVar> onSite = new ArrayList<>();
    LinearExprBuilder all = LinearExpr.newBuilder();
    int most = 0;
    for (Instance.MemorylessSite site : memorylessSites) {
      int size = site.granules().size();
      IntVar on = model.newIntVar(0, size, "memoryless_s" + onSite.size());
      if (site.insideWindow()) {
        model.addEquality(on, 0).onlyEnforceIf(cells.get(site.cell()).whole());
      }
      onSite.add(on);
      all.add(on);
      most += size;
    }
    IntVar count = model.newIntVar(0, Math.min(most, instance.limits().maxTdmrs()), "memoryless");
    model.addEquality(count, all);
    return new MemorylessVars(count, onSite, new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
  }

  /** {@link tdmr.check.Rule#A4_TDMR_COUNT A4}: at least one and at most {@code max_tdmrs} TDMRs. */
  private void atMostMaxTdmrs() {
    LinearExprBuilder count = LinearExpr.newBuilder();
    for (SlotVars s : slots) {
      count.add(s.used());
    }
    if (memoryless != null) {
      count.add(memoryless.count());
    }
    tdmrCount = count.build();
    model.addLinearConstraint(tdmrCount, 1, instance.limits().maxTdmrs());
  }

  // ---- atoms and places ---------------------------------------------------------------------------

  /**
   * The variables of every atom and place. A segment is tight when one of its atoms is no larger
   * than the unpadded PAMT of some layout ({@link Instance#mostUnpaddedPamtPages}), or is a run a
   * TDMR boundary may cut no more than that many pages from its ends (a chain could cross it).
   */
  private void atomsAndPlaces() {
    boolean[] tightness = tightSegments(instance);
    System.arraycopy(tightness, 0, tightSegment, 0, tightness.length);
    for (Atom a : instance.atoms()) {
      checkDeadline();
      String s = "_a" + a.index();
      if (!a.memory()) {
        BoolVar r = model.newBoolVar("reserved" + s);
        atoms.add(new AtomVars(a, r, r, r, null, null, null, null, null, null));
        continue;
      }
      if (a.dead()) {
        BoolVar one = model.newBoolVar("dead" + s);
        model.addEquality(one, 1);
        IntVar unc = model.newIntVar(a.pages(), a.pages(), "uncovered" + s);
        atoms.add(new AtomVars(a, one, one, one, null, one, null, null, null, unc));
        continue;
      }
      BoolVar low = model.newBoolVar("low_reserved" + s);
      BoolVar high = model.newBoolVar("high_reserved" + s);
      BoolVar full = model.newBoolVar("reserved_whole" + s);
      BoolVar pamtFull = model.newBoolVar("pamt_full" + s);
      BoolVar given = model.newBoolVar("given" + s);
      BoolVar interior = model.newBoolVar("interior_start" + s);
      IntVar unc = model.newIntVar(0, a.pages(), "uncovered" + s);
      boolean tight = tightSegment[a.segment()];
      IntVar lam = tight ? model.newIntVar(0, a.pages(), "lam" + s) : null;
      IntVar eta = tight ? model.newIntVar(0, a.pages(), "eta" + s) : null;
      if (!tight && !module) {
        // Kernel family: chunks fill nothing exactly that is larger than all of them together.
        model.addEquality(pamtFull, 0);
      }
      atoms.add(new AtomVars(a, low, high, full, pamtFull, given, lam, eta, interior, unc));
    }
    for (Place p : instance.places()) {
      String s = "_p" + p.index();
      boolean tight = tightSegment[p.segment()];
      BoolVar used = model.newBoolVar("used" + s);
      IntVar pages = null;
      IntVar padding = null;
      if (tight) {
        pages = model.newIntVar(0, p.room(), "pages" + s);
        padding = model.newIntVar(0, module ? p.room() : 0, "padding" + s);
        model.addGreaterOrEqual(pages, 1).onlyEnforceIf(used);
        model.addEquality(pages, 0).onlyEnforceIf(used.not());
        model.addEquality(padding, 0).onlyEnforceIf(used.not());
      }
      PlaceVars v = new PlaceVars(p, tight, used, pages, padding, LinearExpr.newBuilder(), LinearExpr.newBuilder());
      places.add(v);
      if (!tight) {
        pool(p.segment()).places().add(v);
      }
    }
    if (module) {
      for (Segment seg : instance.segments()) {
        if (!tightSegment[seg.index()]) {
          for (Atom a : instance.atomsOf(seg)) {
            pool(seg.index()).fillable().add(atoms.get(a.index()));
            CellVars c = cells.get(a.cell());
            if (c.cell().cuttable()) {
              long most = (c.cell().sizeGiB() - 1) * G;
              MiddleFill f = new MiddleFill(atoms.get(a.index()), c, model.newBoolVar("middle_filled_a" + a.index()),
                  model.newIntVar(0, most, "middle_filled_pages_a" + a.index()));
              pool(seg.index()).middles().add(f);
              middleFills.put(a.index(), f);
            }
          }
        }
      }
    }
    long mostPiece = 0;
    for (PageSize level : instance.pieceLevels()) {
      mostPiece = Math.max(mostPiece, instance.piecePages(instance.largestTdmrGiB(), level));
    }
    List<Joint> js = instance.joints();
    for (int f = 0; f < js.size(); f++) {
      long middle = 0;
      for (int l = f; l < js.size(); l++) {
        if (l > f) {
          int between = js.get(l).below();
          // Consecutive joints around a tight segment, which an unpadded piece may cover whole.
          if (js.get(l - 1).above() != between || !tightSegment[between]) {
            break;
          }
          middle += instance.segments().get(between).pages();
          if (middle >= mostPiece) {
            break;
          }
        }
        Joint first = js.get(f);
        Joint last = js.get(l);
        if (f == l && !tightSegment[first.below()] && !tightSegment[first.above()]) {
          // Between two roomy segments a piece over the edge loses nothing: see BridgeVars.
          continue;
        }
        String s = "_j" + f + "_" + l;
        bridges.add(new BridgeVars(bridges.size(), first, last, middle,
            places.get(instance.segments().get(first.below()).endPlace() - 1),
            places.get(instance.segments().get(last.above()).firstPlace()), model.newBoolVar("bridged" + s),
            model.newIntVar(0, mostPiece, "bridge_below" + s), model.newIntVar(0, mostPiece, "bridge_above" + s),
            LinearExpr.newBuilder(), LinearExpr.newBuilder(), instance.nodesOf(first.below(), last.above()), false));
      }
    }
    if (module) {
      fillBridges();
    }
  }

  /**
   * The fill bridges ({@link BridgeVars#fill}): one per run of consecutive joints whose segments are
   * all roomy, crossing at most {@link #fillBridgeJoints} joints. They hold every layout with a piece
   * {@code S} over such a run reaching into a fill: the segments between are covered whole by {@code
   * S}, so filled; at each side the atom at the edge is wholly PAMT (then a fill bridge) or holds the
   * chain against the edge, whose first piece {@code S} is. Such a side can be given up: {@code S}
   * lies in a fill run (the segments between, or the other side's filled memory), of roomy atoms or
   * a run's part outside every TDMR, each larger than any layout's unpadded PAMT, so the pieces of
   * that run can be re-padded to fill it with {@code S} wholly inside; the chain's other pieces
   * shift to the edge and its far end frees pages that were PAMT into the usable memory of the TDMR
   * holding its area (a roomy atom not wholly PAMT is no given-up memory next to PAMT in an optimum:
   * that could be padding). PAMT bytes fall or stay, TDMRs stay, the reserved run there shrinks or
   * goes, and {@code S} lies on fewer nodes, which describes no more remotely. Without its chain
   * sides {@code S} is a fill bridge, or a fill's piece of one segment (both sides given up, one
   * segment between). Where neither side is filled and no segment lies between, the chain bridges'
   * argument applies ({@link BridgeVars}). Left out: runs of joints with tight segments ({@link
   * Restrictions}).
   */
  private void fillBridges() {
    List<Joint> js = instance.joints();
    int longest = fillBridgeJoints(instance);
    for (int f = 0; f < js.size(); f++) {
      Joint first = js.get(f);
      if (tightSegment[first.below()]) {
        continue;
      }
      for (int l = f; l < js.size() && l - f < longest; l++) {
        Joint last = js.get(l);
        if (l > f && js.get(l - 1).above() != last.below() || tightSegment[last.above()]) {
          break;
        }
        String s = "_fj" + f + "_" + l;
        IntVar none = model.newConstant(0);
        bridges.add(new BridgeVars(bridges.size(), first, last, 0,
            places.get(instance.segments().get(first.below()).endPlace() - 1),
            places.get(instance.segments().get(last.above()).firstPlace()), model.newBoolVar("fill_bridged" + s),
            none, none, LinearExpr.newBuilder(), LinearExpr.newBuilder(),
            instance.nodesOf(first.below(), last.above()), true));
      }
    }
  }

  /**
   * The most joints a fill bridge of {@code instance} crosses: all of them on maps of at most 12
   * joints (every real map), else 3, so that maps of many touching nodes keep a small model; a
   * longer one covers at least 3 roomy segments whole ({@link Restrictions} names it where that much
   * PAMT could beat an answer).
   */
  static int fillBridgeJoints(Instance instance) {
    int joints = instance.joints().size();
    return joints <= 12 ? joints : 3;
  }

  /**
   * Per segment of {@code instance}: whether it is tight (its places carry pages), as {@link
   * #atomsAndPlaces} defines it.
   */
  static boolean[] tightSegments(Instance instance) {
    // Kernel family under coverage max: an atom given up keeps its chains (no padding can replace
    // them), and what it gives up is the rest, so every chain needs its pages.
    boolean allTight = !instance.moduleFamily() && instance.policy().coverage() == Policy.Coverage.MAX;
    long mostStack = instance.mostUnpaddedPamtPages();
    boolean[] out = new boolean[instance.segments().size()];
    for (Segment seg : instance.segments()) {
      boolean tight = allTight;
      for (Atom a : instance.atomsOf(seg)) {
        Cell c = instance.cells().get(a.cell());
        tight |= a.pages() <= mostStack || c.cuttable() && G <= mostStack;
      }
      out[seg.index()] = tight;
    }
    return out;
  }

  /** The pool of segment {@code s}'s node (of all nodes under PAMT {@code any}). */
  private PoolVars pool(int segment) {
    int node = nodeLocal ? instance.segments().get(segment).node() : -1;
    return pools.computeIfAbsent(node, n -> new PoolVars(n, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        LinearExpr.newBuilder(), LinearExpr.newBuilder(), LinearExpr.newBuilder()));
  }

  // ---- PAMT ----------------------------------------------------------------------------------------

  /**
   * {@link tdmr.check.Rule#D2_PAMT_SIZE D2}, {@link tdmr.check.Rule#D3_DYNAMIC_PAMT_SIZE D3}: each
   * piece of a slot has at least its level's minimum for the slot's size (module family; more is
   * padding, counted at its place), or exactly the kernel's chunk (kernel family). Levels whose
   * bytes per GiB are a whole number of pages are linear in the size; the others ({@code ceil(N /
   * 256)} pages for the 1G level) get one rounded variable, at least one page per TDMR.
   */
  private void pamtLevelsHaveTheirMinimumSize() {
    for (SlotVars slot : slots) {
      checkDeadline();
      long mostGiB = slot.sizeGiB().getDomain().max();
      for (PageSize level : instance.pieceLevels()) {
        LinearExpr pages = piecePages(slot, level);
        long most = instance.piecePages(mostGiB, level);
        long remoteMost = nodeLocal ? instance.piecePerGiBBytes(level) * mostGiB : 0;
        IntVar remote = model.newIntVar(0, remoteMost, "remote_s" + slot.index() + "_" + levelName(level));
        PieceVars p = new PieceVars(pieces.size(), slot, level, pages, most, remote, new ArrayList<>(),
            new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>());
        pieces.add(p);
        slot.pieces().add(p);
      }
    }
  }

  static String levelName(PageSize level) {
    return level == null ? "chunk" : level.label();
  }

  /** Minimum pages of piece {@code level} ({@code null}: the chunk) of {@code slot}. */
  private LinearExpr piecePages(SlotVars slot, PageSize level) {
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
    // Redundant: a TDMR is at least 1 GiB, so each of its levels has a page.
    model.addGreaterOrEqual(q, slot.used());
    return LinearExpr.term(q, 1);
  }

  /**
   * {@link tdmr.check.Rule#D6_PAMT_IN_CMRS D6} and {@link tdmr.check.Rule#O2_PAMT_IN_TDX_MEMORY O2}:
   * every piece of an existing TDMR lies at exactly one place of convertible TDX memory: a tight
   * place (with its pages), a roomy place of some node (the pool), or in a roomy atom it fills
   * (module family). A kernel chunk lies in one segment, so in one block.
   */
  private void eachPamtPieceLiesAtOnePlace() {
    for (PieceVars p : pieces) {
      checkDeadline();
      long least = instance.piecePages(1, p.level());
      LinearExprBuilder somewhere = LinearExpr.newBuilder();
      for (PlaceVars pl : places) {
        if (!pl.tight() || pl.place().room() < least) {
          continue;
        }
        BoolVar at = model.newBoolVar("");
        IntVar pages = model.newIntVar(0, Math.min(p.mostPages(), pl.place().room()), "");
        model.addEquality(pages, p.pages()).onlyEnforceIf(at);
        model.addEquality(pages, 0).onlyEnforceIf(at.not());
        model.addImplication(at, pl.used());
        pl.contents().add(pages);
        pl.members().add(at);
        p.placements().add(new Placement(pl, at, pages));
        somewhere.add(at);
      }
      for (PoolVars pool : pools.values()) {
        if (!pool.places().isEmpty()) {
          BoolVar in = model.newBoolVar("pool_" + p.index() + "_n" + pool.node());
          p.pool().put(pool.node(), in);
          pool.members().add(in);
          somewhere.add(in);
        }
        if (!pool.fillable().isEmpty()) {
          BoolVar in = model.newBoolVar("fill_" + p.index() + "_n" + pool.node());
          IntVar pages = model.newIntVar(0, p.mostPages(), "fill_pages_" + p.index() + "_n" + pool.node());
          model.addEquality(pages, p.pages()).onlyEnforceIf(in);
          model.addEquality(pages, 0).onlyEnforceIf(in.not());
          p.fill().put(pool.node(), in);
          p.fillPages().put(pool.node(), pages);
          pool.fillMembers().add(in);
          pool.fillPieces().add(pages);
          somewhere.add(in);
        }
      }
      for (BridgeVars j : bridges) {
        if (p.mostPages() < j.middlePages() + 1) {
          continue;
        }
        BoolVar at = model.newBoolVar("straddles_" + p.index() + "_b" + j.index());
        IntVar pages = model.newIntVar(0, p.mostPages(), "straddle_pages_" + p.index() + "_b" + j.index());
        model.addEquality(pages, p.pages()).onlyEnforceIf(at);
        model.addEquality(pages, 0).onlyEnforceIf(at.not());
        j.contents().add(pages);
        j.members().add(at);
        p.straddles().add(new Straddle(j, at, pages));
        somewhere.add(at);
      }
      model.addEquality(somewhere, p.slot().used());
    }
    if (memoryless != null) {
      memorylessPiecesLieAtPlaces();
    }
    aPieceMayLieOverAJoint();
    for (PlaceVars pl : places) {
      if (pl.tight()) {
        model.addEquality(pl.pages(), pl.contents().add(pl.padding()).build());
        // A chain is pieces: padding alone is no PAMT (it would reserve memory nothing describes).
        model.addGreaterOrEqual(pl.members().build(), 1).onlyEnforceIf(pl.used());
      }
    }
    for (PoolVars pool : pools.values()) {
      // A used roomy place holds a piece, and the pool's pieces lie at used places.
      LinearExpr members = pool.members().build();
      LinearExprBuilder used = LinearExpr.newBuilder();
      for (PlaceVars pl : pool.places()) {
        used.add(pl.used());
      }
      LinearExpr usedPlaces = used.build();
      model.addLessOrEqual(usedPlaces, members);
      BoolVar any = model.newBoolVar("pool_used_n" + pool.node());
      model.addGreaterOrEqual(members, 1).onlyEnforceIf(any);
      model.addEquality(members, 0).onlyEnforceIf(any.not());
      model.addGreaterOrEqual(usedPlaces, 1).onlyEnforceIf(any);
      // Each run of filled roomy atoms holds a piece, and the pieces in fills lie in filled atoms.
      // Touching atoms of one segment filled together are one run: a piece may cross the granule
      // boundary between them (counting atoms instead cost the Dell R650 a level per boundary and
      // gave a false least remote PAMT when few TDMRs made its low block roomy).
      LinearExpr fillers = pool.fillMembers().build();
      LinearExprBuilder filled = LinearExpr.newBuilder();
      LinearExprBuilder runs = LinearExpr.newBuilder();
      AtomVars before = null;
      for (AtomVars v : pool.fillable()) {
        filled.add(v.pamtFull());
        runs.add(v.pamtFull());
        if (before != null && before.atom().segment() == v.atom().segment()
            && before.atom().index() + 1 == v.atom().index()) {
          runs.addTerm(and("filled_together_a" + v.atom().index(), before.pamtFull(), v.pamtFull()), -1);
        }
        before = v;
      }
      for (MiddleFill f : pool.middles()) {
        filled.add(f.filled());
        runs.add(f.filled());
        // A part at the run's end joins the filled atom beside it in the segment into one run.
        Atom a = f.atom().atom();
        AtomVars below = fillableNeighbour(pool, a, -1);
        if (below != null) {
          runs.addTerm(and("middle_joins_below_a" + a.index(), f.filled(), f.cell().first().not(), below.pamtFull()), -1);
        }
        AtomVars above = fillableNeighbour(pool, a, 1);
        if (above != null) {
          runs.addTerm(and("middle_joins_above_a" + a.index(), f.filled(), f.cell().last().not(), above.pamtFull()), -1);
        }
      }
      fillBridgesServeTheirRuns(pool, runs, filled);
      LinearExpr filledAtoms = filled.build();
      model.addLessOrEqual(runs.build(), fillers);
      BoolVar anyFill = model.newBoolVar("fill_used_n" + pool.node());
      model.addGreaterOrEqual(fillers, 1).onlyEnforceIf(anyFill);
      model.addEquality(fillers, 0).onlyEnforceIf(anyFill.not());
      model.addGreaterOrEqual(filledAtoms, 1).onlyEnforceIf(anyFill);
    }
  }

  /**
   * {@link tdmr.check.Rule#D6_PAMT_IN_CMRS D6} and {@link tdmr.check.Rule#D4_PAMTS_DISJOINT D4} over
   * joints: at most one piece lies over each joint's edge; a piece over a bridge has at least one
   * page on each side (its share there, or on a tight side the padding of that side's chain, which
   * goes on it) and covers the segments between, which hold no chain; its parts are the first
   * pieces of the chains against the edges on both sides, so those chains exist and hold them.
   */
  private void aPieceMayLieOverAJoint() {
    List<LinearExprBuilder> overJoint = new ArrayList<>();
    for (int i = 0; i < instance.joints().size(); i++) {
      overJoint.add(LinearExpr.newBuilder());
    }
    for (BridgeVars j : bridges) {
      model.addEquality(j.members().build(), j.used());
      for (int i = j.first().index(); i <= j.last().index(); i++) {
        overJoint.get(i).add(j.used());
      }
      if (j.fill()) {
        fillBridgeFillsItsSegments(j);
        continue;
      }
      model.addEquality(LinearExpr.newBuilder().add(j.belowPages()).add(j.abovePages())
          .addTerm(j.used(), j.middlePages()), j.contents().build());
      sideOfJoint(j.below(), j.belowPages(), j.used(), j.first().below());
      sideOfJoint(j.above(), j.abovePages(), j.used(), j.last().above());
      for (int seg = j.first().above(); seg < j.last().above(); seg++) {
        for (PlaceVars pl : places.subList(instance.segments().get(seg).firstPlace(),
            instance.segments().get(seg).endPlace())) {
          model.addImplication(j.used(), pl.used().not());
        }
        bridgedSegments.computeIfAbsent(seg, k -> new ArrayList<>()).add(j.used());
      }
    }
    for (LinearExprBuilder b : overJoint) {
      model.addLessOrEqual(b.build(), 1);
    }
  }

  /** Per tight segment between the joints of a bridge: the literals of the bridges covering it. */
  private final Map<Integer, List<BoolVar>> bridgedSegments = new HashMap<>();

  /** Per roomy segment: the fill bridges over the joint at its low end, at its high end, and over both. */
  private final Map<Integer, List<BoolVar>> fillCrossedLow = new HashMap<>();
  private final Map<Integer, List<BoolVar>> fillCrossedHigh = new HashMap<>();
  private final Map<Integer, List<BoolVar>> fillCrossedWhole = new HashMap<>();

  /** The pages of the pieces over fill bridges, which lie in the fills' pages. */
  private final LinearExprBuilder fillBridgePieces = LinearExpr.newBuilder();

  /**
   * {@link tdmr.check.Rule#D4_PAMTS_DISJOINT D4} and {@link tdmr.check.Rule#D6_PAMT_IN_CMRS D6} for a
   * fill bridge: the atoms beside its edges are wholly PAMT and the segments between are filled
   * whole, so its piece, padded, lies in the fills' pages (it serves as their piece: {@link
   * #eachPamtPieceLiesAtOnePlace}).
   */
  private void fillBridgeFillsItsSegments(BridgeVars j) {
    List<Segment> segs = instance.segments();
    model.addImplication(j.used(), edgeFilled(segs.get(j.first().below()), false));
    model.addImplication(j.used(), edgeFilled(segs.get(j.last().above()), true));
    fillCrossedHigh.computeIfAbsent(j.first().below(), k -> new ArrayList<>()).add(j.used());
    fillCrossedLow.computeIfAbsent(j.last().above(), k -> new ArrayList<>()).add(j.used());
    for (int i = j.first().index() + 1; i <= j.last().index(); i++) {
      int between = instance.joints().get(i).below();
      for (Atom a : instance.atomsOf(segs.get(between))) {
        model.addImplication(j.used(), atoms.get(a.index()).pamtFull());
      }
      fillCrossedLow.computeIfAbsent(between, k -> new ArrayList<>()).add(j.used());
      fillCrossedHigh.computeIfAbsent(between, k -> new ArrayList<>()).add(j.used());
      fillCrossedWhole.computeIfAbsent(between, k -> new ArrayList<>()).add(j.used());
    }
    fillBridgePieces.add(j.contents().build());
  }

  /**
   * A literal for "the atom at segment {@code seg}'s low ({@code low}) or high end is wholly PAMT
   * of a roomy fill": the atom is filled, or it is a run whose filled part outside every TDMR
   * reaches that end.
   */
  private Literal edgeFilled(Segment seg, boolean low) {
    AtomVars v = atoms.get(low ? seg.firstAtom() : seg.endAtom() - 1);
    MiddleFill f = middleFills.get(v.atom().index());
    if (f == null) {
      return v.pamtFull();
    }
    Literal open = low ? f.cell().first().not() : f.cell().last().not();
    String s = (low ? "_low_s" : "_high_s") + seg.index();
    return or("edge_filled" + s, v.pamtFull(), and("edge_part_filled" + s, f.filled(), open));
  }

  private void sideOfJoint(PlaceVars side, IntVar share, BoolVar used, int segment) {
    model.addImplication(used, side.used());
    if (side.tight()) {
      side.contents().add(share);
      side.members().add(used);
      model.addGreaterOrEqual(LinearExpr.newBuilder().add(share).add(side.padding()), 1).onlyEnforceIf(used);
    } else {
      // A roomy chain never meets another: only that the place holds it counts.
      model.addGreaterOrEqual(share, 1).onlyEnforceIf(used);
      pool(segment).members().add(used);
    }
  }

  /**
   * The runs of filled memory of {@code pool} that a fill bridge's piece lies in need no other piece:
   * per roomy segment of the pool, the run at its low end when the joint there is crossed by a fill
   * bridge, likewise at its high end, one run when both are crossed and the segment is filled whole
   * (two bridges from its ends meeting in it, or one covering it). A segment covered by one fill
   * bridge holds no other piece, so its atoms do not count as room for the pool's pieces.
   */
  private void fillBridgesServeTheirRuns(PoolVars pool, LinearExprBuilder runs, LinearExprBuilder room) {
    for (Segment seg : instance.segments()) {
      int s = seg.index();
      if (tightSegment[s] || pool(s) != pool) {
        continue;
      }
      List<BoolVar> low = fillCrossedLow.getOrDefault(s, List.of());
      List<BoolVar> high = fillCrossedHigh.getOrDefault(s, List.of());
      low.forEach(b -> runs.addTerm(b, -1));
      high.forEach(b -> runs.addTerm(b, -1));
      if (!low.isEmpty() && !high.isEmpty()) {
        List<Literal> whole = new ArrayList<>();
        whole.add(or("fill_crossed_low_s" + s, low.toArray(Literal[]::new)));
        whole.add(or("fill_crossed_high_s" + s, high.toArray(Literal[]::new)));
        for (Atom a : instance.atomsOf(seg)) {
          whole.add(atoms.get(a.index()).pamtFull());
        }
        runs.add(and("fill_crossed_one_run_s" + s, whole.toArray(Literal[]::new)));
      }
      for (BoolVar b : fillCrossedWhole.getOrDefault(s, List.of())) {
        room.addTerm(b, -seg.atomCount());
      }
    }
  }

  /** The atom beside {@code a} ({@code step} -1 below, 1 above) in its segment, when it is in {@code pool}. */
  private AtomVars fillableNeighbour(PoolVars pool, Atom a, int step) {
    Segment seg = instance.segments().get(a.segment());
    int i = a.index() + step;
    if (i < seg.firstAtom() || i >= seg.endAtom()) {
      return null;
    }
    AtomVars v = atoms.get(i);
    return pool.fillable().contains(v) ? v : null;
  }

  /**
   * The pieces of the TDMRs without memory, counted per kind and place: each of the {@code count}
   * TDMRs has one piece of each level, of the minimum for 1 GiB (plus padding at its place).
   */
  private void memorylessPiecesLieAtPlaces() {
    IntVar count = memoryless.count();
    for (PageSize level : instance.pieceLevels()) {
      long pages = instance.piecePages(1, level);
      LinearExprBuilder all = LinearExpr.newBuilder();
      Map<Integer, IntVar> at = new HashMap<>();
      for (PlaceVars pl : places) {
        if (!pl.tight() || pl.place().room() < pages) {
          continue;
        }
        IntVar c = model.newIntVar(0, count.getDomain().max(), "memoryless_" + level.label() + "_p" + pl.place().index());
        model.addLessOrEqual(c, LinearExpr.term(pl.used(), count.getDomain().max()));
        pl.contents().addTerm(c, pages);
        pl.members().add(c);
        at.put(pl.place().index(), c);
        all.add(c);
      }
      Map<Integer, IntVar> inPool = new HashMap<>();
      Map<Integer, IntVar> inFill = new HashMap<>();
      for (PoolVars pool : pools.values()) {
        if (!pool.places().isEmpty()) {
          IntVar c = model.newIntVar(0, count.getDomain().max(), "memoryless_" + level.label() + "_pool_n" + pool.node());
          pool.members().add(c);
          inPool.put(pool.node(), c);
          all.add(c);
        }
        if (!pool.fillable().isEmpty()) {
          IntVar c = model.newIntVar(0, count.getDomain().max(), "memoryless_" + level.label() + "_fill_n" + pool.node());
          pool.fillMembers().add(c);
          pool.fillPieces().addTerm(c, pages);
          inFill.put(pool.node(), c);
          all.add(c);
        }
      }
      Map<Integer, IntVar> atBridge = new HashMap<>();
      for (BridgeVars j : bridges) {
        if (pages < j.middlePages() + 1) {
          continue;
        }
        IntVar c = model.newIntVar(0, 1, "memoryless_" + level.label() + "_b" + j.index());
        j.contents().addTerm(c, pages);
        j.members().add(c);
        atBridge.put(j.index(), c);
        all.add(c);
      }
      memoryless.atBridge().put(level, atBridge);
      model.addEquality(all, count);
      memoryless.atPlace().put(level, at);
      memoryless.inPool().put(level, inPool);
      memoryless.inFill().put(level, inFill);
    }
  }

  /**
   * {@link tdmr.check.Rule#D4_PAMTS_DISJOINT D4}: in each tight segment the chains at its places
   * do not overlap, and what they cover of each atom from its two ends ({@code lam}, {@code eta})
   * follows: a chain at the segment's low end covers its first atoms and may run into the next ones,
   * likewise from the high end; a chain at a boundary between atoms stays in its atom. Padding pads
   * only a chain whose atom it fills. Roomy places never meet each other, but a roomy atom filled by
   * padded pieces holds no chain (the pieces in it are the fill's).
   */
  private void pamtRangesAreDisjoint() {
    for (Segment seg : instance.segments()) {
      checkDeadline();
      if (tightSegment[seg.index()]) {
        chainsOfSegment(seg);
      } else if (module) {
        for (Atom a : instance.atomsOf(seg)) {
          BoolVar filled = atoms.get(a.index()).pamtFull();
          model.addImplication(filled, placeAt(a, true).used().not());
          model.addImplication(filled, placeAt(a, false).used().not());
        }
      }
    }
  }

  private void chainsOfSegment(Segment seg) {
    List<PlaceVars> ps = places.subList(seg.firstPlace(), seg.endPlace());
    for (int i = 0; i < ps.size(); i++) {
      for (int j = i + 1; j < ps.size(); j++) {
        // end(i) <= start(j) when both hold a chain.
        LinearExprBuilder e = LinearExpr.newBuilder();
        long constant = 0;
        Place pi = ps.get(i).place();
        Place pj = ps.get(j).place();
        if (pi.anchor().growsUp()) {
          e.add(ps.get(i).pages());
          constant += pi.offset();
        } else {
          constant += pi.offset();
        }
        if (pj.anchor().growsUp()) {
          constant -= pj.offset();
        } else {
          e.add(ps.get(j).pages());
          constant -= pj.offset();
        }
        model.addLessOrEqual(e, -constant).onlyEnforceIf(new Literal[] {ps.get(i).used(), ps.get(j).used()});
      }
    }
    List<Atom> in = instance.atomsOf(seg);
    int m = in.size();
    PlaceVars low = ps.get(0);
    PlaceVars high = ps.get(ps.size() - 1);
    for (int j = 0; j < m; j++) {
      Atom a = in.get(j);
      AtomVars v = atoms.get(a.index());
      LinearExprBuilder lam = LinearExpr.newBuilder();
      LinearExprBuilder eta = LinearExpr.newBuilder();
      if (j > 0) {
        lam.add(ps.get(2 * j).pages());
      }
      if (j < m - 1) {
        eta.add(ps.get(2 * j + 1).pages());
      }
      // What the chain at the segment's low end covers of this atom: 0, part of it, or all of it.
      lam.add(covered(low.pages(), a.offset(), a.pages(), "low_in_a" + a.index()));
      // A piece over a bridge covers a segment between its joints whole (its places then hold nothing).
      for (BoolVar b : bridgedSegments.getOrDefault(seg.index(), List.of())) {
        lam.addTerm(b, a.pages());
      }
      long fromHigh = seg.pages() - (a.offset() + a.pages());
      eta.add(covered(high.pages(), fromHigh, a.pages(), "high_in_a" + a.index()));
      model.addEquality(v.lam(), lam);
      model.addEquality(v.eta(), eta);
      model.addLessOrEqual(LinearExpr.newBuilder().add(v.lam()).add(v.eta()), a.pages());
    }
    // Padding pads a chain only where it fills the chain's atom, or (module family) where it ends
    // exactly at the far end of its run's part outside every TDMR (else it could be shed).
    for (PlaceVars pl : ps) {
      AtomVars home = atoms.get(pl.place().atom());
      Cell cell = instance.cells().get(home.atom().cell());
      if (module && cell.cuttable()) {
        BoolVar fills = model.newBoolVar("pads_to_tdmr_p" + pl.place().index());
        paddedToTdmr.put(pl.place().index(), fills);
        model.addEquality(pl.padding(), 0).onlyEnforceIf(new Literal[] {home.pamtFull().not(), fills.not()});
      } else {
        model.addEquality(pl.padding(), 0).onlyEnforceIf(home.pamtFull().not());
      }
    }
  }

  /**
   * Per tight place whose chain starts in a run of two or more GiB (module family): the chain is
   * padded to end exactly where the run's part outside every TDMR ends ({@link #middleGivenUp}).
   */
  private final Map<Integer, BoolVar> paddedToTdmr = new HashMap<>();

  /**
   * {@code max(0, min(x - skip, most))} as an expression: the pages of an atom {@code skip} pages
   * away that a chain of {@code x} pages from the same end covers, when it has at most {@code most}.
   */
  private LinearExpr covered(IntVar x, long skip, long most, String name) {
    long hi = x.getDomain().max();
    if (hi <= skip) {
      return LinearExpr.constant(0);
    }
    if (skip == 0 && hi <= most) {
      return LinearExpr.term(x, 1);
    }
    IntVar out = model.newIntVar(0, most, name);
    BoolVar reaches = model.newBoolVar(name + "_reaches");
    BoolVar passes = model.newBoolVar(name + "_passes");
    model.addGreaterOrEqual(x, skip + 1).onlyEnforceIf(reaches);
    model.addLessOrEqual(x, skip).onlyEnforceIf(reaches.not());
    model.addGreaterOrEqual(x, skip + most).onlyEnforceIf(passes);
    model.addLessOrEqual(x, skip + most - 1).onlyEnforceIf(passes.not());
    model.addImplication(passes, reaches);
    model.addEquality(out, 0).onlyEnforceIf(reaches.not());
    model.addEquality(out, most).onlyEnforceIf(passes);
    model.addEquality(LinearExpr.newBuilder().add(out).addTerm(x, -1), -skip)
        .onlyEnforceIf(new Literal[] {reaches, passes.not()});
    return LinearExpr.term(out, 1);
  }

  // ---- coverage ----------------------------------------------------------------------------------

  /**
   * {@link tdmr.check.Rule#O1_TDX_MEMORY_COVERED O1}: every byte of TDX memory is in a TDMR's usable
   * part or in PAMT; under coverage {@code max} the rest is given up. Within an atom, the memory
   * outside PAMT is either all usable or all given up (given-up memory next to usable memory of the
   * same atom could be usable without adding an area; module family: given-up memory next to PAMT
   * could be padding instead, which covers more). Memory outside every TDMR is PAMT or given up; in
   * a run cut around an uncovered middle that middle may also be given up alone.
   */
  private void tdxMemoryIsCovered() {
    boolean all = instance.policy().coverage() == Policy.Coverage.ALL;
    LinearExprBuilder unc = LinearExpr.newBuilder();
    for (AtomVars v : atoms) {
      Atom a = v.atom();
      if (!a.memory()) {
        continue;
      }
      unc.add(v.uncovered());
      if (a.dead()) {
        continue;
      }
      checkDeadline();
      CellVars c = cells.get(a.cell());
      boolean tight = v.lam() != null;
      // Wholly reserved: wholly PAMT, or given up.
      model.addBoolOr(new Literal[] {v.full().not(), v.pamtFull(), v.given()});
      model.addImplication(v.pamtFull(), v.full());
      model.addImplication(v.given(), v.full());
      model.addImplication(v.pamtFull(), v.given().not());
      if (tight) {
        LinearExpr inPamt = LinearExpr.newBuilder().add(v.lam()).add(v.eta()).build();
        model.addEquality(inPamt, a.pages()).onlyEnforceIf(v.pamtFull());
        model.addLessOrEqual(inPamt, a.pages() - 1).onlyEnforceIf(v.pamtFull().not());
        // Given up: what PAMT does not cover of it.
        model.addEquality(LinearExpr.newBuilder().add(v.uncovered()).add(v.lam()).add(v.eta()), a.pages())
            .onlyEnforceIf(v.given());
        if (module) {
          model.addEquality(v.lam(), 0).onlyEnforceIf(v.given());
          model.addEquality(v.eta(), 0).onlyEnforceIf(v.given());
        }
      } else {
        model.addEquality(v.uncovered(), a.pages()).onlyEnforceIf(v.given());
        if (module) {
          placeAt(a, true).ifUsedThen(v.given().not());
          placeAt(a, false).ifUsedThen(v.given().not());
        }
      }
      if (all) {
        model.addEquality(v.given(), 0);
      }
      Literal middleGiven = middleGivenUp(c, v);
      if (middleGiven == null) {
        model.addEquality(v.uncovered(), 0).onlyEnforceIf(v.given().not());
      }
      // Outside every TDMR: wholly PAMT or given up.
      if (!c.cell().cuttable()) {
        model.addBoolOr(new Literal[] {c.whole(), v.full()});
      }
    }
    uncoveredPages = unc.build();
  }

  /**
   * A run of memory cut around an uncovered middle ({@code a + b < L}): the middle is in no TDMR, so
   * it is PAMT or given up. Returns the literal "the middle alone is given up" (its pages then
   * uncovered, the parts in TDMRs usable), or null when the atom is not such a run.
   */
  private Literal middleGivenUp(CellVars c, AtomVars v) {
    Atom a = v.atom();
    if (!c.cell().cuttable()) {
      return null;
    }
    long len = c.cell().sizeGiB();
    String s = "_a" + a.index();
    BoolVar middle = model.newBoolVar("middle_uncovered" + s);
    LinearExpr ab = LinearExpr.newBuilder().add(c.a()).add(c.b()).build();
    // middle <=> !whole && a + b <= L - 1
    model.addLessOrEqual(ab, len - 1).onlyEnforceIf(middle);
    model.addImplication(middle, c.whole().not());
    model.addGreaterOrEqual(ab, len).onlyEnforceIf(new Literal[] {middle.not(), c.whole().not()});
    BoolVar alone = model.newBoolVar("middle_given" + s);
    model.addImplication(alone, middle);
    model.addImplication(alone, v.given().not());
    model.addImplication(alone, v.pamtFull().not());
    if (instance.policy().coverage() == Policy.Coverage.ALL) {
      model.addEquality(alone, 0);
    }
    // Given up alone: exactly the middle's pages (the chains stay in the TDMRs' parts).
    LinearExprBuilder middlePages = LinearExpr.newBuilder().add(v.uncovered())
        .addTerm(c.a(), G).addTerm(c.b(), G);
    model.addEquality(middlePages, len * G).onlyEnforceIf(alone);
    model.addEquality(v.uncovered(), 0).onlyEnforceIf(new Literal[] {v.given().not(), alone.not()});
    if (v.lam() != null) {
      model.addLessOrEqual(LinearExpr.newBuilder().add(v.lam()).addTerm(c.a(), -G), 0).onlyEnforceIf(alone);
      model.addLessOrEqual(LinearExpr.newBuilder().add(v.eta()).addTerm(c.b(), -G), 0).onlyEnforceIf(alone);
      // Otherwise the middle lies in PAMT: the atom is full, or a chain from one end covers it.
      BoolVar lamCovers = model.newBoolVar("lam_covers_middle" + s);
      model.addGreaterOrEqual(LinearExpr.newBuilder().add(v.lam()).addTerm(c.b(), G), len * G).onlyEnforceIf(lamCovers);
      BoolVar etaCovers = model.newBoolVar("eta_covers_middle" + s);
      model.addGreaterOrEqual(LinearExpr.newBuilder().add(v.eta()).addTerm(c.a(), G), len * G).onlyEnforceIf(etaCovers);
      model.addBoolOr(new Literal[] {middle.not(), alone, v.full(), lamCovers, etaCovers});
      chainsPaddedToTdmr(c, v, middle);
    } else {
      MiddleFill f = middleFills.get(a.index());
      if (f == null) {
        model.addBoolOr(new Literal[] {middle.not(), alone, v.full()});
      } else {
        model.addBoolOr(new Literal[] {middle.not(), alone, v.full(), f.filled()});
        middleFilledByPadding(f, middle, alone);
      }
    }
    middleUncovered.put(a.index(), new BoolVar[] {middle, alone});
    return alone;
  }

  /**
   * A chain from an end of a run, in a tight segment, padded so that it ends exactly at the far end
   * of the run's part outside every TDMR ({@code [a, L - b)} GiB, at least 1 GiB): that part is all
   * PAMT, so the padding cannot be shed (the pieces may fall short of it, as when a left-out granule
   * at the run's end is filled by one TDMR's levels). The chain covers the TDMR's part between it
   * and the run's end, if any, as {@code lamCovers} does. A chain from the low end then covers
   * {@code (L - b)} GiB of the run, one from the high end {@code (L - a)} GiB.
   */
  private void chainsPaddedToTdmr(CellVars c, AtomVars v, BoolVar middle) {
    Atom a = v.atom();
    long len = c.cell().sizeGiB();
    PlaceVars low = placeAt(a, true).place;
    PlaceVars high = placeAt(a, false).place;
    BoolVar up = paddedToTdmr.remove(low.place().index());
    if (up != null && low.place().atom() == a.index()) {
      model.addImplication(up, middle);
      model.addEquality(LinearExpr.newBuilder().add(v.lam()).addTerm(c.b(), G), len * G).onlyEnforceIf(up);
    } else if (up != null) {
      model.addEquality(up, 0);
    }
    BoolVar down = paddedToTdmr.remove(high.place().index());
    if (down != null && high.place().atom() == a.index()) {
      model.addImplication(down, middle);
      model.addEquality(LinearExpr.newBuilder().add(v.eta()).addTerm(c.a(), G), len * G).onlyEnforceIf(down);
    } else if (down != null) {
      model.addEquality(down, 0);
    }
  }

  /**
   * A roomy run's part outside every TDMR ({@code [a, L - b)} GiB, at least 1 GiB) filled exactly by
   * pieces of the pool padded to its size. Every chain of such a segment without padding is shorter
   * than 1 GiB ({@link Instance#mostUnpaddedPamtPages}), so the pieces fit and reach no further; the
   * chains at the run's ends lie in the TDMRs' parts; when the whole run is outside, it is the
   * atom's own fill ({@code pamtFull}).
   */
  private void middleFilledByPadding(MiddleFill f, BoolVar middle, BoolVar alone) {
    CellVars c = f.cell();
    AtomVars v = f.atom();
    Atom a = v.atom();
    long len = c.cell().sizeGiB();
    model.addImplication(f.filled(), middle);
    model.addImplication(f.filled(), alone.not());
    model.addImplication(f.filled(), v.full().not());
    model.addBoolOr(new Literal[] {f.filled().not(), c.first(), c.last()});
    model.addEquality(LinearExpr.newBuilder().add(f.pages()).addTerm(c.a(), G).addTerm(c.b(), G), len * G)
        .onlyEnforceIf(f.filled());
    model.addEquality(f.pages(), 0).onlyEnforceIf(f.filled().not());
    // Redundant: the part is at least 1 GiB.
    model.addGreaterOrEqual(LinearExpr.newBuilder().add(f.pages()).addTerm(f.filled(), -G), 0);
    // A chain at an end of the run inside the filled part would be part of the fill.
    model.addBoolOr(new Literal[] {f.filled().not(), c.first(), placeAt(a, true).used().not()});
    model.addBoolOr(new Literal[] {f.filled().not(), c.last(), placeAt(a, false).used().not()});
  }

  /** Per cuttable memory atom: {uncovered middle, middle alone given up}. */
  final Map<Integer, BoolVar[]> middleUncovered = new HashMap<>();

  /** Per cuttable memory atom of a roomy segment (module family): its part outside every TDMR, filled. */
  final Map<Integer, MiddleFill> middleFills = new HashMap<>();

  /** The place at atom {@code a}'s low ({@code low}) or high end. */
  private PlaceRef placeAt(Atom a, boolean low) {
    Segment seg = instance.segments().get(a.segment());
    int j = a.index() - seg.firstAtom();
    int m = seg.atomCount();
    int idx;
    if (low) {
      idx = j == 0 ? seg.firstPlace() : seg.firstPlace() + 2 * j;
    } else {
      idx = j == m - 1 ? seg.endPlace() - 1 : seg.firstPlace() + 2 * j + 1;
    }
    return new PlaceRef(places.get(idx));
  }

  /** A place, for short implications. */
  private final class PlaceRef {
    private final PlaceVars place;

    PlaceRef(PlaceVars place) {
      this.place = place;
    }

    void ifUsedThen(Literal l) {
      model.addImplication(place.used(), l);
    }

    BoolVar used() {
      return place.used();
    }
  }

  // ---- reserved areas ------------------------------------------------------------------------------

  /**
   * {@link tdmr.check.Rule#D5_PAMT_NOT_IN_USABLE_MEMORY D5}, {@link
   * tdmr.check.Rule#E1_USABLE_MEMORY_IN_CMRS E1} and {@link tdmr.check.Rule#O3_GAPS_RESERVED O3}:
   * which pages are reserved (PAMT, memory given up, gaps the holes policy or the CMRs require, and
   * convertible gaps by choice), and where areas start. Scanning cells in address order, an area
   * starts at an atom's first page when it is reserved and the page before is not reserved in the
   * same TDMR, inside a memory atom where a chain against its high end starts, and at a TDMR base
   * inside a run when the page there is reserved.
   */
  private void reservedAreasAreCounted() {
    Literal previousLast = model.falseLiteral();
    for (CellVars c : cells) {
      checkDeadline();
      for (int i = c.cell().firstAtom(); i < c.cell().endAtom(); i++) {
        atomReservedEnds(atoms.get(i), c);
      }
      BoolVar joinedIn = and("joined_in_c" + c.cell().index(), previousLast, enter(c.cell().index()));
      if (c.first() == c.whole()) {
        areasOfWholeCell(c, joinedIn);
      } else {
        areasOfCutRun(c, joinedIn);
      }
      previousLast = c.lastReserved();
    }
  }

  /** Defines an atom's reserved ends, wholeness and interior start from its PAMT and coverage. */
  private void atomReservedEnds(AtomVars v, CellVars c) {
    Atom a = v.atom();
    String s = "_a" + a.index();
    if (!a.memory()) {
      BoolVar r = (BoolVar) v.full();
      if (instance.mustReserve(a)) {
        if (c.first() == c.whole()) {
          model.addEquality(r, c.whole());
        } else {
          // A required gap in a cut run: reserved wherever covered; its ends follow the parts.
          model.addEquality(r, c.whole());
        }
      } else {
        model.addImplication(r, c.whole());
      }
      return;
    }
    if (a.dead()) {
      return;
    }
    BoolVar low = (BoolVar) v.lowReserved();
    BoolVar high = (BoolVar) v.highReserved();
    BoolVar lamPos;
    BoolVar etaPos;
    if (v.lam() != null) {
      lamPos = positive(v.lam(), "lam_pos" + s);
      etaPos = positive(v.eta(), "eta_pos" + s);
    } else {
      lamPos = placeAt(a, true).used();
      etaPos = placeAt(a, false).used();
    }
    model.addEquality(low, or("low_or" + s, lamPos, v.full()));
    model.addEquality(high, or("high_or" + s, etaPos, v.full()));
    model.addEquality(v.interior(), and("interior_and" + s, etaPos, v.full().not()));
  }

  /** A cell one TDMR covers whole (or none): area starts of its atoms in order, all in part A. */
  private void areasOfWholeCell(CellVars c, BoolVar joinedIn) {
    Literal previous = joinedIn;
    Literal last = model.falseLiteral();
    boolean firstAtom = true;
    for (int i = c.cell().firstAtom(); i < c.cell().endAtom(); i++) {
      AtomVars v = atoms.get(i);
      String s = "_a" + i;
      Literal joined = firstAtom ? joinedIn : previous;
      firstAtom = false;
      c.areasA().add(and("opens" + s, v.lowReserved(), joined.not(), c.whole()));
      if (v.interior() != null) {
        c.areasA().add(and("opens_inside" + s, v.interior(), c.whole()));
      }
      previous = v.highReserved();
      last = v.highReserved();
    }
    model.addEquality(c.lastReserved(), last);
  }

  /**
   * A run (one atom) that may hold a TDMR boundary inside: whole, or its first part [0, a) in one
   * TDMR and its last part [L - b, L) in another, with an uncovered middle when {@code a + b < L}.
   * A chain from the low end may run past the first part, one from the high end past the last
   * part's base; the page at that base starts an area of the second TDMR when it is reserved.
   */
  private void areasOfCutRun(CellVars c, BoolVar joinedIn) {
    AtomVars v = atoms.get(c.cell().firstAtom());
    Atom a = v.atom();
    String s = "_a" + a.index();
    long len = c.cell().sizeGiB();
    Literal split = c.whole().not();
    if (!a.memory()) {
      BoolVar r = (BoolVar) v.full();
      if (instance.mustReserve(a)) {
        // First part: reserved when covered; last part: its base starts an area.
        c.areasA().add(and("opens_a" + s, c.first(), joinedIn.not()));
        c.areasB().add(c.startB());
        model.addEquality(c.lastReserved(), c.last());
      } else {
        // An optional gap only joins two reserved neighbours in the same TDMR, so never at a cut.
        c.areasA().add(and("opens_a" + s, r, joinedIn.not()));
        model.addEquality(c.lastReserved(), r);
      }
      return;
    }
    // Whole: one TDMR, as any cell.
    c.areasA().add(and("opens" + s, v.lowReserved(), joinedIn.not(), c.first()));
    c.areasA().add(and("opens_inside_whole" + s, v.interior(), c.whole()));
    model.addEquality(c.lastReserved(), v.highReserved());
    if (v.lam() == null) {
      // Roomy: chains never reach a part's end (they are shorter than 1 GiB); the base of the last
      // part is reserved only when the whole atom is.
      c.areasB().add(and("opens_base" + s, c.startB(), v.full()));
      c.areasB().add(and("opens_inside_b" + s, c.startB(), v.interior()));
      return;
    }
    // Tight: where do the chains end, relative to the parts' ends?
    BoolVar lamReachesB = model.newBoolVar("lam_reaches_b" + s);
    LinearExpr lamOverB = LinearExpr.newBuilder().add(v.lam()).addTerm(c.b(), G).build();
    model.addGreaterOrEqual(lamOverB, len * G + 1).onlyEnforceIf(lamReachesB);
    model.addLessOrEqual(lamOverB, len * G).onlyEnforceIf(lamReachesB.not());
    BoolVar etaReachesB = model.newBoolVar("eta_reaches_b" + s);
    LinearExpr etaMinusB = LinearExpr.newBuilder().add(v.eta()).addTerm(c.b(), -G).build();
    model.addGreaterOrEqual(etaMinusB, 0).onlyEnforceIf(etaReachesB);
    model.addLessOrEqual(etaMinusB, -1).onlyEnforceIf(etaReachesB.not());
    BoolVar etaInA = model.newBoolVar("eta_starts_in_a" + s);
    LinearExpr etaOverA = LinearExpr.newBuilder().add(v.eta()).addTerm(c.a(), G).build();
    model.addGreaterOrEqual(etaOverA, len * G + 1).onlyEnforceIf(etaInA);
    model.addLessOrEqual(etaOverA, len * G).onlyEnforceIf(etaInA.not());
    BoolVar etaPos = positive(v.eta(), "eta_pos" + s);
    // The high chain starts inside the first part, or strictly inside the last part.
    c.areasA().add(and("opens_inside_a" + s, split, c.first(), etaInA, v.full().not()));
    c.areasB().add(and("opens_inside_b" + s, c.startB(), etaPos, etaReachesB.not(), v.full().not()));
    // The last part's base is reserved: a chain covers it, or the atom is wholly reserved.
    BoolVar baseReserved = or("base_reserved" + s, lamReachesB, etaReachesB, v.full());
    c.areasB().add(and("opens_base" + s, c.startB(), baseReserved));
  }

  /**
   * {@link tdmr.check.Rule#C1_RESERVED_SLOTS C1}: at most {@code max_reserved_per_tdmr} areas in
   * every TDMR, summed along it: the TDMR covering a cell's last granule has {@code areasSoFar}
   * areas up to the cell's end; one that ends inside a cell has its total checked there. A TDMR
   * without memory needs its own areas within the limit.
   */
  private void reservedAreasPerTdmrWithinLimit() {
    LinearExprBuilder total = LinearExpr.newBuilder();
    IntVar previous = null;
    for (CellVars c : cells) {
      Literal enter = enter(c.cell().index());
      LinearExpr inA = c.areasA().build();
      LinearExpr inB = c.areasB().build();
      total.add(inA).add(inB);
      if (previous != null) {
        model.addEquality(LinearExpr.newBuilder().add(c.areasSoFar()).addTerm(previous, -1)
            .add(LinearExpr.term(inA, -1)), 0).onlyEnforceIf(new Literal[] {c.whole(), enter});
        model.addLessOrEqual(LinearExpr.newBuilder().add(previous).add(inA), limit)
            .onlyEnforceIf(new Literal[] {c.whole().not(), enter});
      }
      model.addEquality(c.areasSoFar(), inA).onlyEnforceIf(new Literal[] {c.whole(), enter.not()});
      model.addLessOrEqual(inA, limit).onlyEnforceIf(new Literal[] {c.whole().not(), enter.not()});
      model.addEquality(c.areasSoFar(), inB).onlyEnforceIf(c.whole().not());
      previous = c.areasSoFar();
    }
    if (memoryless != null) {
      // Each has its site's areas (at most the limit: Instance#memorylessSites offers no other).
      for (int i = 0; i < memorylessSites.size(); i++) {
        total.addTerm(memoryless.onSite().get(i), memorylessSites.get(i).areas());
      }
    }
    areaCount = total.build();
    // Redundant: every area lies in one TDMR, which has at most the limit.
    model.addLessOrEqual(LinearExpr.newBuilder().add(areaCount).add(LinearExpr.term(tdmrCount, -limit)), 0);
  }

  // ---- remote PAMT ---------------------------------------------------------------------------------

  /**
   * The node-local tier ({@link tdmr.check.RemotePamt}): a piece on node n of a TDMR describes
   * remotely, at its bytes per GiB, every granule of the TDMR holding memory but none of node n; a
   * piece over a joint lies on both its nodes and describes remotely every granule lacking memory of
   * either. Those granules are counted along each TDMR per node (and per pair of nodes of a joint)
   * like its size; a piece's remote bytes are at least its nodes' count times its bytes per GiB
   * (equal where they are minimised).
   */
  private void remotePamt() {
    LinearExprBuilder total = LinearExpr.newBuilder();
    if (!nodeLocal) {
      for (PieceVars p : pieces) {
        model.addEquality(p.remote(), 0);
      }
      remoteBytes = total.build();
      return;
    }
    int n = cells.size();
    List<List<Integer>> nodes = new ArrayList<>();
    for (int node : instance.nodes()) {
      nodes.add(List.of(node));
    }
    for (BridgeVars j : bridges) {
      if (!nodes.contains(j.nodes())) {
        nodes.add(j.nodes());
      }
    }
    IntVar[][] lacking = new IntVar[n + 1][nodes.size()];
    for (int j = 0; j < nodes.size(); j++) {
      lacking[n][j] = model.newIntVar(0, 0, "lack_end_n" + j);
    }
    for (int k = n - 1; k >= 0; k--) {
      checkDeadline();
      CellVars c = cells.get(k);
      BoolVar wholeOn = and("whole_on_lack_c" + k, c.whole(), leave(k));
      long most = Math.min(instance.largestTdmrGiB(), giBFrom(k));
      for (int j = 0; j < nodes.size(); j++) {
        long per = instance.lacksAny(c.cell(), nodes.get(j)) ? 1 : 0;
        IntVar l = model.newIntVar(0, most, "lack_c" + k + "_n" + nodeName(nodes.get(j)));
        model.addEquality(LinearExpr.newBuilder().add(l).addTerm(lacking[k + 1][j], -1).addTerm(c.a(), -per), 0)
            .onlyEnforceIf(wholeOn);
        model.addEquality(LinearExpr.newBuilder().add(l).addTerm(c.a(), -per), 0).onlyEnforceIf(wholeOn.not());
        lacking[k][j] = l;
      }
    }
    for (SlotVars slot : slots) {
      CellVars c = cells.get(slot.cell());
      for (int j = 0; j < nodes.size(); j++) {
        List<Integer> node = nodes.get(j);
        IntVar lack;
        if (slot.part() == Part.A) {
          lack = lacking[slot.cell()][j];
        } else {
          long per = instance.lacksAny(c.cell(), node) ? 1 : 0;
          lack = model.newIntVar(0, slot.sizeGiB().getDomain().max(),
              "lack_b_c" + slot.cell() + "_n" + nodeName(node));
          model.addEquality(LinearExpr.newBuilder().add(lack).addTerm(lacking[slot.cell() + 1][j], -1)
              .addTerm(c.b(), -per), 0).onlyEnforceIf(leave(slot.cell()));
          model.addEquality(LinearExpr.newBuilder().add(lack).addTerm(c.b(), -per), 0)
              .onlyEnforceIf(leave(slot.cell()).not());
        }
        for (PieceVars p : slot.pieces()) {
          long perGiB = instance.piecePerGiBBytes(p.level());
          LinearExpr onNode = onNode(p, node);
          long big = perGiB * lack.getDomain().max();
          // remote >= perGiB * lack - big * (1 - onNode)
          model.addGreaterOrEqual(LinearExpr.newBuilder().add(p.remote()).addTerm(lack, -perGiB)
              .add(LinearExpr.term(onNode, -big)), -big);
        }
      }
    }
    for (PieceVars p : pieces) {
      total.add(p.remote());
    }
    remoteBytes = total.build();
  }

  private static String nodeName(List<Integer> nodes) {
    return nodes.stream().map(String::valueOf).reduce((x, y) -> x + "_" + y).orElse("");
  }

  /**
   * 1 when piece {@code p} lies on exactly the nodes {@code nodes} (one node, or the two of a joint
   * it lies over), else 0.
   */
  private LinearExpr onNode(PieceVars p, List<Integer> nodes) {
    LinearExprBuilder b = LinearExpr.newBuilder();
    for (Straddle s : p.straddles()) {
      if (s.bridge().nodes().equals(nodes)) {
        b.add(s.at());
      }
    }
    if (nodes.size() != 1) {
      return b.build();
    }
    int node = nodes.get(0);
    for (Placement pl : p.placements()) {
      if (instance.segments().get(pl.place().place().segment()).node() == node) {
        b.add(pl.at());
      }
    }
    BoolVar in = p.pool().get(node);
    if (in != null) {
      b.add(in);
    }
    BoolVar fill = p.fill().get(node);
    if (fill != null) {
      b.add(fill);
    }
    return b.build();
  }

  // ---- objective -----------------------------------------------------------------------------------

  /**
   * The tiers' expressions: uncovered pages, remote bytes, PAMT pages, TDMRs, areas. PAMT is every
   * piece's minimum plus the padding of tight chains plus, per roomy atom filled with padded pieces,
   * the atom less the minimums of the pieces in it. Redundant: the TDMRs' sizes add up to the GiB
   * the cells have covered.
   */
  private void objectiveTerms() {
    LinearExprBuilder pamt = LinearExpr.newBuilder();
    for (PieceVars p : pieces) {
      pamt.add(p.pages());
    }
    for (PlaceVars pl : places) {
      if (pl.tight()) {
        pamt.add(pl.padding());
      }
    }
    for (PoolVars pool : pools.values()) {
      for (AtomVars v : pool.fillable()) {
        pamt.addTerm(v.pamtFull(), v.atom().pages());
      }
      for (MiddleFill f : pool.middles()) {
        pamt.add(f.pages());
      }
      pamt.add(LinearExpr.term(pool.fillPieces().build(), -1));
    }
    pamt.add(LinearExpr.term(fillBridgePieces.build(), -1));
    if (memoryless != null) {
      long perTdmr = 0;
      for (PageSize level : instance.pieceLevels()) {
        perTdmr += instance.piecePages(1, level);
      }
      pamt.addTerm(memoryless.count(), perTdmr);
    }
    pamtPages = pamt.build();
    LinearExprBuilder sizes = LinearExpr.newBuilder();
    for (SlotVars s : slots) {
      sizes.add(s.sizeGiB());
    }
    for (CellVars c : cells) {
      IntVar covered = model.newIntVar(0, c.cell().sizeGiB(), "covered_gib_c" + c.cell().index());
      model.addEquality(covered, c.a()).onlyEnforceIf(c.whole());
      model.addEquality(covered, LinearExpr.newBuilder().add(c.a()).add(c.b()).build()).onlyEnforceIf(c.whole().not());
      sizes.addTerm(covered, -1);
    }
    model.addEquality(sizes, 0);
  }

  // ---- literal helpers -----------------------------------------------------------------------------

  private final Map<IntVar, BoolVar> positives = new HashMap<>();

  /** A literal equal to {@code x > 0}. */
  private BoolVar positive(IntVar x, String name) {
    return positives.computeIfAbsent(x, k -> {
      BoolVar b = model.newBoolVar(name);
      model.addGreaterOrEqual(x, 1).onlyEnforceIf(b);
      model.addEquality(x, 0).onlyEnforceIf(b.not());
      return b;
    });
  }

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
