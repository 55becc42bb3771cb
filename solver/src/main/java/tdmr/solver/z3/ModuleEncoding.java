package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.IntExpr;
import com.microsoft.z3.IntNum;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Segment;
import tdmr.solver.ReservedAreas;
import tdmr.solver.explain.Reason;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;

/**
 * The Z3 formulas of one {@link Instance}, in either layout family: Booleans for the structure
 * (which granules TDMRs cover, where PAMT pieces go, where reserved areas start) and integers for
 * sizes (TDMR GiB, PAMT pages, padding, pages covered at each end of each memory atom). Written
 * from the module's rules and the OS check, independently of the CP-SAT model. Formulas are
 * background (definitions) or belong to a named {@link Reason} group.
 *
 * <h2>TDMRs</h2>
 *
 * Per cell: its first granule is covered ({@code covA}), its last granule is covered ({@code
 * covB}), one TDMR boundary lies strictly inside it ({@code split}, at {@code pos} GiB; only in a
 * uniform run of 2 GiB or more), and the TDMR covering its last granule continues into the next
 * cell ({@code cont}). Without a split one TDMR covers the whole cell or none does. A TDMR is
 * named by where it starts: at a cell's start, or at the split inside it; a chain of Booleans per
 * start says which cells it reaches, and its size in GiB is the sum of the parts. The TDX module's
 * rules B2-B5 hold by construction. Restriction, named in every claim: at most one TDMR boundary
 * strictly inside each uniform run.
 *
 * <h2>PAMT</h2>
 *
 * Every piece (a level in the module family, the kernel's chunk in the kernel family) goes to one
 * stack, against the low or the high end of a memory atom of a segment (contiguous convertible
 * memory of one block). Stacks grow into neighbouring atoms of the segment: per atom, {@code lo}
 * and {@code hi} pages are covered from its ends, or it is {@code full}, and an integer flow along
 * the segment says how many assigned pages a run of PAMT still has to place. So every run of PAMT
 * is exactly the pieces assigned to it plus their padding (module family; the kernel's chunks are
 * exact). Runs of PAMT flow along a segment and, under PAMT {@code any}, on over the edges where
 * segments touch ({@link Flow}); under {@code node-local} one piece may lie over the edges of a run
 * of touching segments ({@link Bridge}), on the nodes of all of them, and the runs on both sides
 * flow into it. Restrictions, named: no run of PAMT crosses a TDMR boundary
 * inside a run of whole GiB with TDMRs on both sides; memory of a run of whole GiB is covered by a
 * TDMR, except whole GiB at one end of the run beside a TDMR's end, left out of every TDMR and
 * filled by the run of PAMT from the run's end (which may reach on into that TDMR, as its area).
 *
 * <h2>Reserved areas</h2>
 *
 * Places where an area can start are Booleans in address order (an atom's low end, the start of its
 * high part, a TDMR's base inside a run); a unary counter, restarted where a TDMR starts, keeps each
 * TDMR within the limit (rule C1).
 */
final class ModuleEncoding {
  private static final long G = Instance.GIB_PAGES;
  private static final long PAGE = ByteSize.PAGE;

  private final Context ctx;
  private final Instance instance;
  private final List<Cell> cells;
  private final List<Atom> atoms;
  private final boolean module;
  private final int mostMemoryless;
  private final boolean max;
  private final List<BoolExpr> background = new ArrayList<>();
  private final Map<Reason, List<BoolExpr>> groups = new LinkedHashMap<>();
  private int variables;

  // ---- TDMR geometry, per cell
  private final BoolExpr[] covA;
  private final BoolExpr[] covB;
  private final BoolExpr[] split;
  private final IntExpr[] pos;
  private final BoolExpr[] cont;
  private final BoolExpr[] startA;
  private final BoolExpr[] startIn;

  /** A TDMR of the model: where it starts, whether it exists, its size, and which cells it reaches. */
  static final class Slot {
    final int index;
    final int cell;
    /** Starts at the cell's start (A), at the split inside it (IN), or is a TDMR without memory (on {@code granule}). */
    final Start start;
    final AddressRange granule;
    BoolExpr exists;
    IntExpr giB;
    ArithExpr<IntSort> memoryGiB;
    /** Per cell from {@code cell} on: the TDMR covers the cell's first part / its last part. */
    final List<BoolExpr> inA = new ArrayList<>();
    final List<BoolExpr> inB = new ArrayList<>();
    /** Per cell from {@code cell} on: GiB of the TDMR in it. */
    final List<ArithExpr<IntSort>> giBIn = new ArrayList<>();

    Slot(int index, int cell, Start start, AddressRange granule) {
      this.index = index;
      this.cell = cell;
      this.start = start;
      this.granule = granule;
    }
  }

  enum Start { A, IN, MEMORYLESS }

  /** One PAMT piece: a level of a TDMR (module family) or its chunk ({@code level} null, kernel family). */
  record Piece(int index, Slot slot, PageSize level, IntExpr pages) {}

  /** A stack against one end of a memory atom. */
  record Stack(int index, int atom, boolean low, IntExpr padding) {}

  /**
   * A <em>bridge</em> (under PAMT {@code node-local}): one piece over the edges of a run of
   * consecutive {@link Instance.Joint}s, from the top of the segment below the first to the bottom
   * of the segment above the last, covering the segments between whole. {@link #bridges()} argues
   * that bridges lose no layout of the family, and how remote PAMT is counted for them.
   *
   * @param index position in {@link #bridges}
   * @param first the first joint
   * @param last the last joint
   * @param middlePages the pages of the segments between, which it covers
   * @param nodes the nodes of the segments it lies on ({@link Instance#nodesOf})
   * @param used a piece lies over it
   * @param below its pages below the first edge (the top of the segment below)
   * @param above its pages above the last edge (the bottom of the segment above)
   * @param padding the pages it has beyond its piece's
   */
  record Bridge(int index, Instance.Joint first, Instance.Joint last, long middlePages, List<Integer> nodes,
      BoolExpr used, IntExpr below, IntExpr above, IntExpr padding) {}

  private final List<Slot> slots = new ArrayList<>();
  private final List<Piece> pieces = new ArrayList<>();
  private final List<Stack> stacks = new ArrayList<>();
  /** Per piece and stack: the piece is in the stack (absent: not allowed). */
  private final Map<List<Integer>, BoolExpr> inStack = new LinkedHashMap<>();
  private final List<ArithExpr<IntSort>> stackPages = new ArrayList<>();
  /** Per stack: the Booleans of the pieces that may be in it. */
  private final List<List<BoolExpr>> byStack = new ArrayList<>();
  private final List<Bridge> bridges = new ArrayList<>();
  /** Per piece and bridge: the piece lies over it. */
  private final Map<List<Integer>, BoolExpr> onBridge = new LinkedHashMap<>();

  // ---- memory atoms
  private final IntExpr[] lo;
  private final IntExpr[] hi;
  private final BoolExpr[] full;
  private final BoolExpr[] given;
  private final BoolExpr[] lowRes;
  private final BoolExpr[] highRes;
  private final BoolExpr[] optionalGap;

  // ---- objective terms
  private final List<ArithExpr<IntSort>> uncovered = new ArrayList<>();
  private final List<ArithExpr<IntSort>> remote = new ArrayList<>();
  private final List<ArithExpr<IntSort>> pamt = new ArrayList<>();
  private final List<BoolExpr> areaStarts = new ArrayList<>();
  private final List<ArithExpr<IntSort>> fixedAreas = new ArrayList<>();

  /** The encoding with every TDMR without memory that {@link Instance#memorylessSites} offers. */
  ModuleEncoding(Context ctx, Instance instance) {
    this(ctx, instance, Integer.MAX_VALUE);
  }

  /**
   * The encoding with at most {@code mostMemoryless} TDMRs without memory on each site of {@link
   * Instance#memorylessSites} (its first granules): the caller proves that no layout it asks about
   * has more in all.
   */
  ModuleEncoding(Context ctx, Instance instance, int mostMemoryless) {
    this.mostMemoryless = mostMemoryless;
    this.ctx = ctx;
    this.instance = instance;
    this.cells = instance.cells();
    this.atoms = instance.atoms();
    this.module = instance.moduleFamily();
    this.max = instance.policy().coverage() == Policy.Coverage.MAX;
    int n = cells.size();
    covA = new BoolExpr[n];
    covB = new BoolExpr[n];
    split = new BoolExpr[n];
    pos = new IntExpr[n];
    cont = new BoolExpr[n];
    startA = new BoolExpr[n];
    startIn = new BoolExpr[n];
    int m = atoms.size();
    lo = new IntExpr[m];
    hi = new IntExpr[m];
    full = new BoolExpr[m];
    given = new BoolExpr[m];
    lowRes = new BoolExpr[m];
    highRes = new BoolExpr[m];
    optionalGap = new BoolExpr[m];
    tdmrsAreRunsOfGranules();
    pamtPieces();
    memoryIsCovered();
    remotePamt();
    reservedAreas();
  }

  // ---- TDMRs ---------------------------------------------------------------------------------

  /**
   * Rules A4, B2-B5: TDMRs as runs of whole granules. See the class comment; a TDMR may not exceed
   * {@link Instance#largestTdmrGiB} (its 4K level or chunk fits no memory otherwise).
   */
  private void tdmrsAreRunsOfGranules() {
    int n = cells.size();
    for (Cell k : cells) {
      int i = k.index();
      String at = "@0x%x".formatted(k.range().start());
      boolean splittable = k.cuttable();
      covA[i] = bool("covA" + at);
      if (splittable) {
        covB[i] = bool("covB" + at);
        split[i] = bool("split" + at);
        pos[i] = integer("pos" + at, 1, k.sizeGiB() - 1);
        background.add(ctx.mkImplies(ctx.mkNot(split[i]), ctx.mkAnd(ctx.mkEq(covA[i], covB[i]), ctx.mkEq(pos[i], ctx.mkInt(1)))));
        background.add(ctx.mkImplies(split[i], ctx.mkOr(covA[i], covB[i])));
      } else {
        covB[i] = covA[i];
        split[i] = ctx.mkFalse();
      }
      cont[i] = i == n - 1 ? ctx.mkFalse() : bool("cont" + at);
    }
    for (int i = 0; i < n - 1; i++) {
      background.add(ctx.mkImplies(cont[i], ctx.mkAnd(covB[i], covA[i + 1])));
    }
    for (int i = 0; i < n; i++) {
      BoolExpr before = i == 0 ? ctx.mkFalse() : cont[i - 1];
      startA[i] = define("startA@0x%x".formatted(cells.get(i).range().start()), ctx.mkAnd(covA[i], ctx.mkNot(before)));
      startIn[i] = split[i].isFalse() ? ctx.mkFalse()
          : define("startIn@0x%x".formatted(cells.get(i).range().start()), ctx.mkAnd(split[i], covB[i]));
    }
    for (int i = 0; i < n; i++) {
      addSlot(i, Start.A);
      if (!startIn[i].isFalse()) {
        addSlot(i, Start.IN);
      }
    }
    if (module) {
      memorylessSlots();
    }
    List<BoolExpr> all = slots.stream().map(s -> s.exists).toList();
    background.add(ctx.mkOr(all.toArray(BoolExpr[]::new)));
    int limit = instance.limits().maxTdmrs();
    if (all.size() > limit) {
      grouped(new Reason.MaxTdmrs(limit), ctx.mkAtMost(all.toArray(BoolExpr[]::new), limit));
    }
  }

  /**
   * TDMRs without memory, each of 1 GiB on a granule of a site of {@link Instance#memorylessSites}
   * (which argues that no other granule could do better), at most {@code mostMemoryless} per site:
   * a site's granules are interchangeable, so a layout with at most that many such TDMRs uses the
   * first ones of each site, in order. Rule B3: a site inside the window is a cell without memory,
   * whose granules are free only where no TDMR over the cells covers any part of it (one that ends
   * in it can give those granules up, {@link Instance}).
   */
  @SuppressWarnings("unchecked")
  private void memorylessSlots() {
    for (Instance.MemorylessSite site : instance.memorylessSites()) {
      BoolExpr previous = null;
      List<AddressRange> granules = site.granules();
      for (AddressRange g : granules.subList(0, Math.min(granules.size(), mostMemoryless))) {
        instance.deadline().check();
        Slot s = new Slot(slots.size(), -1, Start.MEMORYLESS, g);
        s.exists = bool("memoryless@0x%x".formatted(g.start()));
        s.giB = ctx.mkInt(1);
        s.memoryGiB = ctx.mkInt(0);
        if (previous != null) {
          background.add(ctx.mkImplies(s.exists, previous));
        } else if (site.insideWindow()) {
          background.add(ctx.mkImplies(s.exists, ctx.mkNot(ctx.mkOr(covA[site.cell()], covB[site.cell()]))));
        }
        previous = s.exists;
        fixedAreas.add((ArithExpr<IntSort>) ctx.mkITE(s.exists, ctx.mkInt(site.areas()), ctx.mkInt(0)));
        slots.add(s);
      }
    }
  }

  /** A TDMR starting at cell {@code k} (at its start, or at its split), with its reach and size. */
  @SuppressWarnings("unchecked")
  private void addSlot(int k, Start start) {
    Slot s = new Slot(slots.size(), k, start, null);
    Cell first = cells.get(k);
    String at = "tdmr@0x%x%s".formatted(first.range().start(), start == Start.IN ? "+" : "");
    s.exists = start == Start.A ? startA[k] : startIn[k];
    long largest = instance.largestTdmrGiB();
    // The first cell.
    if (start == Start.A) {
      s.inA.add(startA[k]);
      s.inB.add(define(at + ".inB@0", ctx.mkAnd(startA[k], ctx.mkNot(split[k]))));
      s.giBIn.add(split[k].isFalse() ? (ArithExpr<IntSort>) ctx.mkITE(startA[k], ctx.mkInt(first.sizeGiB()), ctx.mkInt(0))
          : (ArithExpr<IntSort>) ctx.mkITE(startA[k], ctx.mkITE(split[k], pos[k], ctx.mkInt(first.sizeGiB())), ctx.mkInt(0)));
    } else {
      s.inA.add(ctx.mkFalse());
      s.inB.add(startIn[k]);
      s.giBIn.add((ArithExpr<IntSort>) ctx.mkITE(startIn[k], ctx.mkSub(ctx.mkInt(first.sizeGiB()), pos[k]), ctx.mkInt(0)));
    }
    // The fewest GiB a TDMR from here has once it reaches a cell: 1 in its first cell, then every
    // cell in between whole, then 1 in the cell reached.
    long fewest = 1;
    int c = k + 1;
    for (; c < cells.size() && fewest + 1 <= largest; c++) {
      Cell cell = cells.get(c);
      BoolExpr a = define(at + ".inA@0x%x".formatted(cell.range().start()), ctx.mkAnd(s.inB.get(s.inB.size() - 1), cont[c - 1]));
      BoolExpr b = split[c].isFalse() ? a : define(at + ".inB@0x%x".formatted(cell.range().start()), ctx.mkAnd(a, ctx.mkNot(split[c])));
      s.inA.add(a);
      s.inB.add(b);
      s.giBIn.add(split[c].isFalse() ? (ArithExpr<IntSort>) ctx.mkITE(a, ctx.mkInt(cell.sizeGiB()), ctx.mkInt(0))
          : (ArithExpr<IntSort>) ctx.mkITE(a, ctx.mkITE(split[c], pos[c], ctx.mkInt(cell.sizeGiB())), ctx.mkInt(0)));
      fewest += cell.sizeGiB();
    }
    // It cannot reach past its last reachable cell.
    if (c - 1 < cells.size() - 1) {
      background.add(ctx.mkImplies(s.inB.get(s.inB.size() - 1), ctx.mkNot(cont[c - 1])));
    }
    s.giB = integer(at + ".GiB", 0, largest);
    background.add(ctx.mkEq(s.giB, sum(s.giBIn)));
    List<ArithExpr<IntSort>> mem = new ArrayList<>();
    for (int j = 0; j < s.giBIn.size(); j++) {
      if (cells.get(k + j).holdsMemory()) {
        mem.add(s.giBIn.get(j));
      }
    }
    s.memoryGiB = sum(mem);
    if (!module) {
      // Kernel family: every TDMR holds TDX memory (its chunk is sized by the TDMR it serves).
      background.add(ctx.mkImplies(s.exists, ctx.mkGe(s.memoryGiB, ctx.mkInt(1))));
    }
    slots.add(s);
  }

  // ---- PAMT ------------------------------------------------------------------------------------

  /**
   * Rules D2, D3 (sizes), D4 (disjoint), D6 and O2 (in convertible TDX memory): every piece of an
   * existing TDMR in exactly one stack; its pages the module's minimum for the TDMR's size (the
   * kernel's chunk in the kernel family); runs of PAMT exactly their pieces plus padding.
   */
  @SuppressWarnings("unchecked")
  private void pamtPieces() {
    List<PageSize> levels = instance.pieceLevels();
    for (Slot s : slots) {
      instance.deadline().check();
      for (PageSize level : levels) {
        long most = level == null ? instance.chunkPages(instance.largestTdmrGiB()) : instance.levelPages(instance.largestTdmrGiB(), level);
        String name = "pages.%d.%s".formatted(s.index, level == null ? "chunk" : level.name());
        IntExpr pages = integer(name, 0, Math.max(most, instance.piecePages(1, level)));
        List<ArithExpr<IntSort>> parts = new ArrayList<>();
        for (PageSize l : level == null ? List.of(PageSize.values()) : List.of(level)) {
          long perGiB = instance.perGiBBytes(l);
          long whole = perGiB / PAGE;
          long remainder = perGiB % PAGE;
          parts.add((ArithExpr<IntSort>) ctx.mkMul(ctx.mkInt(whole), s.giB));
          if (remainder > 0) {
            // ceil(N · r / 4096): 4096·R >= N·r > 4096·(R - 1).
            IntExpr rounded = integer(name + ".round." + l.name(), 0, most);
            ArithExpr<IntSort> nr = (ArithExpr<IntSort>) ctx.mkMul(ctx.mkInt(remainder), s.giB);
            background.add(ctx.mkGe(ctx.mkMul(ctx.mkInt(PAGE), rounded), nr));
            background.add(ctx.mkLt(ctx.mkSub(ctx.mkMul(ctx.mkInt(PAGE), rounded), ctx.mkInt(PAGE)), nr));
            parts.add(rounded);
          }
        }
        if (s.start == Start.MEMORYLESS) {
          background.add(ctx.mkEq(pages, ctx.mkITE(s.exists, ctx.mkInt(instance.piecePages(1, level)), ctx.mkInt(0))));
        } else {
          background.add(ctx.mkEq(pages, sum(parts)));
        }
        pieces.add(new Piece(pieces.size(), s, level, pages));
      }
    }
    for (Atom a : atoms) {
      if (a.segment() < 0) {
        continue;
      }
      for (boolean low : new boolean[] {true, false}) {
        // Padding only pays where a run of PAMT ends at both ends against something, so only on a
        // run of full atoms, whose pieces are all in its first atom's low stack, or on the run
        // filling the part of a run of whole GiB outside every TDMR, at either end (see anchors()).
        boolean padded = module && (low || cells.get(a.cell()).cuttable());
        IntExpr padding = padded
            ? integer((low ? "pad@0x%x" : "padHigh@0x%x").formatted(a.range().start()), 0,
                flowOf(a.segment()).pages())
            : ctx.mkInt(0);
        stacks.add(new Stack(stacks.size(), a.index(), low, padding));
      }
    }
    bridges();
    List<List<ArithExpr<IntSort>>> pagesByBridge = new ArrayList<>();
    List<List<BoolExpr>> byBridge = new ArrayList<>();
    bridges.forEach(b -> {
      pagesByBridge.add(new ArrayList<>());
      byBridge.add(new ArrayList<>());
    });
    List<BoolExpr> placed = new ArrayList<>();
    Map<Integer, List<ArithExpr<IntSort>>> shares = new LinkedHashMap<>();
    stacks.forEach(x -> byStack.add(new ArrayList<>()));
    List<List<ArithExpr<IntSort>>> pagesByStack = new ArrayList<>();
    stacks.forEach(x -> pagesByStack.add(new ArrayList<>()));
    for (Piece p : pieces) {
      instance.deadline().check();
      long least = instance.piecePages(1, p.level());
      List<BoolExpr> choices = new ArrayList<>();
      for (Stack st : stacks) {
        Atom a = atoms.get(st.atom());
        if (flowOf(a.segment()).pages() < least) {
          continue;
        }
        BoolExpr x = bool("piece.%d.%s@0x%x.%s".formatted(p.slot().index, p.level() == null ? "chunk" : p.level().name(),
            a.range().start(), st.low() ? "low" : "high"));
        inStack.put(List.of(p.index(), st.index()), x);
        choices.add(x);
        byStack.get(st.index()).add(x);
        // The piece's pages in this stack: all of them when it is there, none otherwise; and a
        // piece's pages over all stacks are its pages (linear, for the arithmetic to see).
        IntExpr y = integer("pages.%d@0x%x.%s".formatted(p.index(), a.range().start(), st.low() ? "low" : "high"), 0,
            upper(p));
        background.add(ctx.mkImplies(x, ctx.mkEq(y, p.pages())));
        background.add(ctx.mkImplies(ctx.mkNot(x), ctx.mkEq(y, ctx.mkInt(0))));
        pagesByStack.get(st.index()).add(y);
        shares.computeIfAbsent(p.index(), k -> new ArrayList<>()).add(y);
      }
      for (Bridge b : bridges) {
        BoolExpr x = bool("piece.%d.%s@bridge%d".formatted(p.slot().index, p.level().name(), b.index()));
        onBridge.put(List.of(p.index(), b.index()), x);
        choices.add(x);
        byBridge.get(b.index()).add(x);
        IntExpr y = integer("pages.%d@bridge%d".formatted(p.index(), b.index()), 0, upper(p));
        background.add(ctx.mkImplies(x, ctx.mkEq(y, p.pages())));
        background.add(ctx.mkImplies(ctx.mkNot(x), ctx.mkEq(y, ctx.mkInt(0))));
        pagesByBridge.get(b.index()).add(y);
        shares.computeIfAbsent(p.index(), k -> new ArrayList<>()).add(y);
      }
      background.add(ctx.mkEq(sum(shares.getOrDefault(p.index(), List.of())),
          choices.isEmpty() ? ctx.mkInt(0) : p.pages()));
      List<BoolExpr> atMostOne = new ArrayList<>(choices);
      atMostOne.add(ctx.mkNot(p.slot().exists));
      background.add(ctx.mkAtMost(atMostOne.toArray(BoolExpr[]::new), 1));
      placed.add(ctx.mkImplies(p.slot().exists, or(choices)));
    }
    grouped(new Reason.PamtRoom(-1), and(placed));
    aPieceMayLieOverAJoint(byBridge, pagesByBridge);
    for (Stack st : stacks) {
      List<ArithExpr<IntSort>> terms = new ArrayList<>(pagesByStack.get(st.index()));
      terms.add(st.padding());
      stackPages.add(sum(terms));
      // Every placed piece is in one stack: the PAMT is the stacks' pages (which lets the solver
      // see at once that PAMT covers what the stacks must cover).
      pamt.add(stackPages.get(stackPages.size() - 1));
      if (module && (st.low() || cells.get(atoms.get(st.atom()).cell()).cuttable())) {
        background.add(ctx.mkImplies(ctx.mkNot(or(byStack.get(st.index()))), ctx.mkEq(st.padding(), ctx.mkInt(0))));
      }
    }
    runsOfPamt();
    anchors();
  }

  /**
   * The bridges, under PAMT {@code node-local} in the module family: one per run of consecutive
   * joints (where runs of PAMT do not flow over edges, {@link Flow}). Nothing of the family is left
   * out. A level overlapping two touching blocks is contiguous TDX memory of one merged CMR (rules
   * D6, O2), so it lies over the edges of a run of consecutive joints, from the top of the segment
   * below the first to the bottom of the segment above the last, and covers the segments between
   * whole; at most one level lies over each edge (D4). The rest of the PAMT in the segment below is
   * a run ending at the bridge's part there (or not touching it), anchored as every other run of the
   * segment; so is the PAMT of the segment above. The level lies on the nodes of all those segments
   * and describes remotely every granule of its TDMR whose memory lacks one of them ({@link
   * Instance#lacksAny}, {@link tdmr.check.RemotePamt}). It may be padded (the padding lies in it, on
   * the same nodes). Its parts flow into the segments' runs ({@link #runsOfPamt}): its part above
   * the last edge enters the segment above at its bottom, its part below the first edge leaves the
   * segment below at its top, and each segment between is entered whole.
   */
  private void bridges() {
    if (!module || instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return;
    }
    List<Instance.Joint> js = instance.joints();
    List<Segment> segs = instance.segments();
    for (int f = 0; f < js.size(); f++) {
      long middle = 0;
      for (int l = f; l < js.size() && (l == f || js.get(l - 1).above() == js.get(l).below()); l++) {
        if (l > f) {
          middle += segs.get(js.get(l).below()).pages();
        }
        Instance.Joint first = js.get(f);
        Instance.Joint last = js.get(l);
        long belowPages = segs.get(first.below()).pages();
        long abovePages = segs.get(last.above()).pages();
        String name = "bridge@0x%x-0x%x".formatted(first.edge(), last.edge());
        bridges.add(new Bridge(bridges.size(), first, last, middle, instance.nodesOf(first.below(), last.above()),
            bool(name), integer(name + ".below", 0, belowPages), integer(name + ".above", 0, abovePages),
            integer(name + ".padding", 0, belowPages + middle + abovePages)));
      }
    }
  }

  /**
   * Rules D4 and D6 over joints: a bridge holds at most one piece, and has at least one page on each
   * side when it does, none otherwise; its pages are its piece's plus its padding; at most one
   * bridge lies over each joint's edge. Its pages are PAMT.
   */
  private void aPieceMayLieOverAJoint(List<List<BoolExpr>> byBridge, List<List<ArithExpr<IntSort>>> pagesByBridge) {
    List<List<BoolExpr>> overJoint = new ArrayList<>();
    instance.joints().forEach(j -> overJoint.add(new ArrayList<>()));
    for (Bridge b : bridges) {
      List<BoolExpr> xs = byBridge.get(b.index());
      background.add(ctx.mkEq(b.used(), or(xs)));
      if (xs.size() > 1) {
        background.add(ctx.mkAtMost(xs.toArray(BoolExpr[]::new), 1));
      }
      background.add(ctx.mkImplies(b.used(), ctx.mkAnd(ctx.mkGe(b.below(), ctx.mkInt(1)),
          ctx.mkGe(b.above(), ctx.mkInt(1)))));
      background.add(ctx.mkImplies(ctx.mkNot(b.used()), ctx.mkAnd(ctx.mkEq(b.below(), ctx.mkInt(0)),
          ctx.mkEq(b.above(), ctx.mkInt(0)), ctx.mkEq(b.padding(), ctx.mkInt(0)))));
      List<ArithExpr<IntSort>> in = new ArrayList<>(pagesByBridge.get(b.index()));
      in.add(b.padding());
      background.add(ctx.mkEq(bridgePages(b), sum(in)));
      pamt.add(bridgePages(b));
      for (int i = b.first().index(); i <= b.last().index(); i++) {
        overJoint.get(i).add(b.used());
      }
    }
    for (List<BoolExpr> over : overJoint) {
      if (over.size() > 1) {
        background.add(ctx.mkAtMost(over.toArray(BoolExpr[]::new), 1));
      }
    }
  }

  /** The pages of bridge {@code b}: its parts on both sides and the segments between. */
  @SuppressWarnings("unchecked")
  private ArithExpr<IntSort> bridgePages(Bridge b) {
    return (ArithExpr<IntSort>) ctx.mkAdd(b.below(), b.above(),
        ctx.mkITE(b.used(), ctx.mkInt(b.middlePages()), ctx.mkInt(0)));
  }

  /**
   * The pages of bridges at the bottom of segment {@code seg}: the part above the last edge of one
   * ending there, or the whole segment when one lies over it.
   */
  @SuppressWarnings("unchecked")
  private ArithExpr<IntSort> bridgedFromBelow(int seg) {
    List<ArithExpr<IntSort>> xs = new ArrayList<>();
    for (Bridge b : bridges) {
      if (b.last().above() == seg) {
        xs.add(b.above());
      } else if (b.first().above() <= seg && seg < b.last().above()) {
        xs.add((ArithExpr<IntSort>) ctx.mkITE(b.used(), ctx.mkInt(instance.segments().get(seg).pages()), ctx.mkInt(0)));
      }
    }
    return sum(xs);
  }

  /** The pages of bridges at the top of segment {@code seg}: the part below the first edge of one starting there. */
  private ArithExpr<IntSort> bridgedFromAbove(int seg) {
    List<ArithExpr<IntSort>> xs = new ArrayList<>();
    for (Bridge b : bridges) {
      if (b.first().below() == seg) {
        xs.add(b.below());
      }
    }
    return sum(xs);
  }

  /** The most pages a piece can have (its TDMR at the largest size). */
  private long upper(Piece p) {
    long most = p.slot().start == Start.MEMORYLESS ? 1 : instance.largestTdmrGiB();
    return instance.piecePages(most, p.level());
  }

  /**
   * Symmetry: the pieces of a run of PAMT are all in the stack it starts from: the low stack of an
   * atom that no run enters from below, or the high stack of an atom that is not full. Any layout
   * can move its pieces there without changing a page. Padding (lemma 3 of {@code
   * ExhaustiveSearch}: a run with a free end gains nothing from padding) only on the low stack of a
   * full atom, or on a run filling exactly the part of a run of whole GiB outside every TDMR: the
   * low stack up to the split when the part below it is left out, the high stack from the split to
   * the atom's end, or on into the next atoms of the segment, when the part above it is (the pieces
   * may fall short of that part, as when one TDMR's levels fill a granule left out at the run's end;
   * until 2026-12-05 that run had to end at the atom's end, which left out the block's tail in the
   * next granule filled with it: {@code LeftOutRunEndTest}).
   */
  private void anchors() {
    for (Stack st : stacks) {
      Atom a = atoms.get(st.atom());
      int i = a.index();
      Cell k = cells.get(a.cell());
      int c = k.index();
      BoolExpr used = or(byStack.get(st.index()));
      BoolExpr padded = ctx.mkGe(st.padding(), ctx.mkInt(1));
      if (st.low()) {
        boolean first = i == instance.segments().get(a.segment()).firstAtom();
        if (!first) {
          background.add(ctx.mkImplies(used, ctx.mkNot(ctx.mkAnd(highRes[i - 1], lowRes[i]))));
        }
        if (module) {
          BoolExpr fillsBelowSplit = k.cuttable()
              ? ctx.mkAnd(split[c], ctx.mkNot(covA[c]), ctx.mkEq(lo[i], lowerPart(k))) : ctx.mkFalse();
          background.add(ctx.mkImplies(padded, ctx.mkOr(full[i], fillsBelowSplit)));
          if (!first) {
            background.add(ctx.mkImplies(padded, ctx.mkNot(ctx.mkAnd(highRes[i - 1], lowRes[i]))));
          }
        }
      } else {
        background.add(ctx.mkImplies(used, ctx.mkNot(full[i])));
        if (module && k.cuttable()) {
          // The run may go on past the run's end into the next atoms of the segment (a left-out
          // part filled together with the block's tail in the next granule): padding is then
          // fixed at both ends where that tail is full, and where it is not it could be shed.
          background.add(ctx.mkImplies(padded, ctx.mkAnd(split[c], ctx.mkNot(covB[c]),
              ctx.mkEq(hi[i], upperPart(k)), ctx.mkGe(stackPages.get(st.index()), hi[i]))));
        }
      }
    }
  }

  /**
   * Per segment, in address order: the pages covered at each end of each atom ({@code lo}, {@code
   * hi}) or the whole atom ({@code full}), and the flow of assigned pages along each run of PAMT, so
   * that every run is exactly the pages of the stacks anchored in it. Partial parts of one atom
   * leave at least one page between them (else the atom is full).
   */
  @SuppressWarnings("unchecked")
  private void runsOfPamt() {
    Map<Integer, int[]> stackOf = new LinkedHashMap<>();
    for (Stack st : stacks) {
      stackOf.computeIfAbsent(st.atom(), k -> new int[2])[st.low() ? 0 : 1] = st.index();
    }
    for (Flow seg : flows()) {
      ArithExpr<IntSort> out = null;
      BoolExpr previousHigh = null;
      for (int i = seg.firstAtom(); i < seg.endAtom(); i++) {
        Atom a = atoms.get(i);
        long pages = a.pages();
        String at = "@0x%x".formatted(a.range().start());
        lo[i] = integer("lo" + at, 0, pages);
        hi[i] = integer("hi" + at, 0, pages);
        full[i] = bool("full" + at);
        background.add(ctx.mkImplies(full[i], ctx.mkAnd(ctx.mkEq(lo[i], ctx.mkInt(pages)), ctx.mkEq(hi[i], ctx.mkInt(0)))));
        background.add(ctx.mkImplies(ctx.mkNot(full[i]), ctx.mkLe(ctx.mkAdd(lo[i], hi[i]), ctx.mkInt(pages - 1))));
        lowRes[i] = define("lowRes" + at, ctx.mkGe(lo[i], ctx.mkInt(1)));
        highRes[i] = define("highRes" + at, ctx.mkOr(full[i], ctx.mkGe(hi[i], ctx.mkInt(1))));
        int[] st = stackOf.get(i);
        ArithExpr<IntSort> low = stackPages.get(st[0]);
        ArithExpr<IntSort> high = stackPages.get(st[1]);
        ArithExpr<IntSort> in;
        if (out == null) {
          in = bridgedFromBelow(a.segment());
        } else {
          BoolExpr joined = ctx.mkAnd(previousHigh, lowRes[i]);
          in = (ArithExpr<IntSort>) ctx.mkITE(joined, out, ctx.mkInt(0));
          // A run that does not continue into this atom has placed all its pages.
          background.add(ctx.mkImplies(ctx.mkNot(joined), ctx.mkEq(out, ctx.mkInt(0))));
        }
        long segPages = seg.pages();
        IntExpr next = integer("flow" + at, -segPages, segPages);
        background.add(ctx.mkImplies(full[i], ctx.mkEq(next, ctx.mkSub(ctx.mkAdd(in, low, high), ctx.mkInt(pages)))));
        background.add(ctx.mkImplies(ctx.mkNot(full[i]),
            ctx.mkAnd(ctx.mkEq(lo[i], ctx.mkAdd(in, low)), ctx.mkEq(next, ctx.mkSub(high, hi[i])))));
        out = next;
        previousHigh = highRes[i];
      }
      if (out != null) {
        // The run reaching the flow's top has placed all its pages but a bridge's part there.
        background.add(ctx.mkEq(ctx.mkAdd(out, bridgedFromAbove(atoms.get(seg.endAtom() - 1).segment())), ctx.mkInt(0)));
      }
    }
    // No run of PAMT crosses a TDMR boundary inside a run of whole GiB (a restriction, named): with
    // a TDMR on both sides of the split, each end's run stays on its side. A side outside every
    // TDMR is all PAMT (memoryIsCovered), and the run filling it may reach into the TDMR beside it.
    for (Cell k : cells) {
      if (split[k.index()].isFalse()) {
        continue;
      }
      Atom a = atoms.get(k.firstAtom());
      if (lo[a.index()] == null) {
        continue;
      }
      int i = a.index();
      background.add(ctx.mkImplies(split[k.index()], ctx.mkAnd(ctx.mkNot(full[i]),
          ctx.mkImplies(covA[k.index()], ctx.mkLe(lo[i], lowerPart(k))),
          ctx.mkImplies(covB[k.index()], ctx.mkLe(hi[i], upperPart(k))))));
    }
  }

  /** Pages of the part of split cell {@code k} below its split. */
  private ArithExpr<IntSort> lowerPart(Cell k) {
    return ctx.mkMul(ctx.mkInt(G), pos[k.index()]);
  }

  /** Pages of the part of split cell {@code k} above its split. */
  private ArithExpr<IntSort> upperPart(Cell k) {
    return ctx.mkMul(ctx.mkInt(G), ctx.mkSub(ctx.mkInt(k.sizeGiB()), pos[k.index()]));
  }

  /**
   * Whether the memory of split cell {@code k} outside every TDMR is all PAMT: the part above the
   * split when only the part below is covered, or the other way round (each part whole GiB at a
   * TDMR's end, left out of every TDMR and filled by the run of PAMT from the cell's end, which may
   * reach on into the TDMR: it is then that TDMR's reserved area at its end or base).
   */
  private BoolExpr sideLeftOutIsPamt(Cell k) {
    int c = k.index();
    int i = k.firstAtom();
    return ctx.mkAnd(split[c], ctx.mkOr(
        ctx.mkAnd(ctx.mkNot(covB[c]), ctx.mkGe(hi[i], upperPart(k))),
        ctx.mkAnd(ctx.mkNot(covA[c]), ctx.mkGe(lo[i], lowerPart(k)))));
  }

  // ---- coverage ------------------------------------------------------------------------------

  /**
   * The OS check (O1) and rule E1. Coverage all: memory of a mixed granule is in a TDMR or wholly
   * PAMT; a run of whole GiB of memory is in TDMRs (a restriction, named). Coverage max: memory in
   * no TDMR is PAMT or given up; given-up memory is reserved where a TDMR covers it.
   */
  @SuppressWarnings("unchecked")
  private void memoryIsCovered() {
    Map<Integer, List<BoolExpr>> perBlock = new LinkedHashMap<>();
    for (Atom a : atoms) {
      if (!a.memory() || a.dead()) {
        continue;
      }
      int i = a.index();
      Cell k = cells.get(a.cell());
      BoolExpr inTdmr = ctx.mkAnd(covA[k.index()], covB[k.index()]);
      BoolExpr covered = split[k.index()].isFalse() ? ctx.mkOr(inTdmr, full[i])
          : ctx.mkOr(inTdmr, full[i], sideLeftOutIsPamt(k));
      if (max) {
        given[i] = bool("given@0x%x".formatted(a.range().start()));
        background.add(ctx.mkImplies(ctx.mkNot(covered), ctx.mkOr(given[i], full[i])));
        // Given up only where it is not in a TDMR's usable memory... it is reserved there.
        IntExpr unc = integer("uncovered@0x%x".formatted(a.range().start()), 0, a.pages());
        background.add(ctx.mkEq(unc, ctx.mkITE(ctx.mkAnd(given[i], ctx.mkNot(full[i])),
            ctx.mkSub(ctx.mkInt(a.pages()), ctx.mkAdd(lo[i], hi[i])), ctx.mkInt(0))));
        uncovered.add(unc);
      } else {
        given[i] = ctx.mkFalse();
        perBlock.computeIfAbsent(a.block(), b -> new ArrayList<>()).add(covered);
      }
    }
    List<MemoryBlock> blocks = instance.map().blocks();
    perBlock.forEach((b, fs) -> grouped(new Reason.BlockCoverage(blocks.get(b)), and(fs)));
  }

  // ---- remote PAMT -----------------------------------------------------------------------------

  /**
   * Under PAMT node-local: per piece, the bytes of PAMT it holds for granules of its TDMR that hold
   * TDX memory but none of the node it lies on ({@link tdmr.check.RemotePamt}); a segment is one
   * block, so a piece lies on its segment's node.
   */
  @SuppressWarnings("unchecked")
  private void remotePamt() {
    if (instance.policy().pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL || instance.nodes().size() <= 1) {
      // With one node no PAMT is remote.
      return;
    }
    for (Piece p : pieces) {
      if (p.slot().start == Start.MEMORYLESS) {
        continue;
      }
      long perGiB = 0;
      for (PageSize l : p.level() == null ? List.of(PageSize.values()) : List.of(p.level())) {
        perGiB += instance.perGiBBytes(l);
      }
      Map<List<Integer>, List<BoolExpr>> onNodes = new LinkedHashMap<>();
      for (Stack st : stacks) {
        BoolExpr x = inStack.get(List.of(p.index(), st.index()));
        if (x != null) {
          onNodes.computeIfAbsent(List.of(atoms.get(st.atom()).node()), n -> new ArrayList<>()).add(x);
        }
      }
      for (Bridge b : bridges) {
        BoolExpr x = onBridge.get(List.of(p.index(), b.index()));
        if (x != null) {
          onNodes.computeIfAbsent(b.nodes(), n -> new ArrayList<>()).add(x);
        }
      }
      IntExpr r = ctx.mkIntConst("remote.%d".formatted(p.index()));
      variables++;
      background.add(ctx.mkGe(r, ctx.mkInt(0)));
      Slot s = p.slot();
      for (Map.Entry<List<Integer>, List<BoolExpr>> e : onNodes.entrySet()) {
        List<ArithExpr<IntSort>> lacking = new ArrayList<>();
        for (int j = 0; j < s.giBIn.size(); j++) {
          if (instance.lacksAny(cells.get(s.cell + j), e.getKey())) {
            lacking.add(s.giBIn.get(j));
          }
        }
        background.add(ctx.mkImplies(or(e.getValue()), ctx.mkGe(r, ctx.mkMul(ctx.mkInt(perGiB), sum(lacking)))));
      }
      remote.add(r);
    }
  }

  // ---- reserved areas --------------------------------------------------------------------------

  /**
   * Rule C1 with the holes TDMRs must reserve (O3 under holes memlist, E1 for non-convertible
   * gaps and memory), every PAMT piece inside a TDMR (D5) and given-up memory: see the class
   * comment. Optional gaps (convertible, holes cmr) are reserved when the layout chooses.
   */
  private void reservedAreas() {
    Map<Integer, List<BoolExpr>> holesPerCell = new LinkedHashMap<>();
    BoolExpr[] whole = new BoolExpr[atoms.size()];
    BoolExpr[] toEnd = new BoolExpr[atoms.size()];
    for (Atom a : atoms) {
      int i = a.index();
      if (!a.memory()) {
        if (instance.mustReserve(a)) {
          whole[i] = bool("hole@0x%x".formatted(a.range().start()));
          holesPerCell.computeIfAbsent(a.cell(), k -> new ArrayList<>()).add(whole[i]);
        } else {
          optionalGap[i] = bool("optional@0x%x".formatted(a.range().start()));
          whole[i] = optionalGap[i];
        }
      } else if (a.dead()) {
        whole[i] = ctx.mkTrue();
      } else {
        whole[i] = max ? ctx.mkOr(full[i], given[i]) : full[i];
      }
      toEnd[i] = a.memory() && !a.dead() ? ctx.mkOr(whole[i], highRes[i]) : whole[i];
    }
    Policy.Holes kind = instance.policy().holes();
    holesPerCell.forEach((k, hs) -> grouped(new Reason.GranuleHoles(cells.get(k).range(), hs.size(), kind), and(hs)));

    // Places in address order, each with the TDMR starts since the place before.
    List<BoolExpr> places = new ArrayList<>();
    List<BoolExpr> restarts = new ArrayList<>();
    List<BoolExpr> pending = new ArrayList<>();
    for (Cell k : cells) {
      int c = k.index();
      pending.add(startA[c]);
      for (int i = k.firstAtom(); i < k.endAtom(); i++) {
        Atom a = atoms.get(i);
        BoolExpr first = i == k.firstAtom() ? startA[c] : ctx.mkFalse();
        BoolExpr joins = i == 0 ? ctx.mkFalse() : ctx.mkAnd(ctx.mkNot(first), toEnd[i - 1]);
        boolean usable = a.memory() && !a.dead();
        BoolExpr reservedLow = usable ? ctx.mkOr(whole[i], lowRes[i]) : whole[i];
        place(places, restarts, pending, "area-at@0x%x".formatted(a.range().start()),
            ctx.mkAnd(covA[c], reservedLow, ctx.mkNot(joins)));
        if (!split[c].isFalse() && usable) {
          // The part above the split left out, and the run of PAMT filling it reaching below the
          // split: the area at the end of the TDMR below.
          place(places, restarts, pending, "area-top@0x%x".formatted(a.range().start()),
              ctx.mkAnd(split[c], covA[c], ctx.mkNot(covB[c]), ctx.mkGt(hi[i], upperPart(k))));
        }
        if (!startIn[c].isFalse()) {
          pending.add(startIn[c]);
          // Its base is reserved when the atom is, or when the part below the split is left out and
          // the run of PAMT filling it reaches above the split.
          BoolExpr baseReserved = usable && !covA[c].isFalse()
              ? ctx.mkOr(whole[i], ctx.mkAnd(ctx.mkNot(covA[c]), ctx.mkGt(lo[i], lowerPart(k)))) : whole[i];
          place(places, restarts, pending, "area-inside@0x%x".formatted(a.range().start()), ctx.mkAnd(startIn[c], baseReserved));
        }
        if (usable) {
          place(places, restarts, pending, "area-below@0x%x".formatted(a.range().end()),
              ctx.mkAnd(covB[c], highRes[i], ctx.mkNot(whole[i])));
        }
      }
    }
    countAreas(places, restarts);
  }

  private void place(List<BoolExpr> places, List<BoolExpr> restarts, List<BoolExpr> pending, String name, BoolExpr value) {
    BoolExpr p = define(name, value);
    if (p.isFalse()) {
      return;
    }
    places.add(p);
    restarts.add(or(pending));
    pending.clear();
    areaStarts.add(p);
  }

  /** The unary counter of areas per TDMR along the places (rule C1), restarted at each TDMR start. */
  private void countAreas(List<BoolExpr> places, List<BoolExpr> restarts) {
    int limit = instance.limits().maxReservedPerTdmr();
    List<BoolExpr> forbidden = new ArrayList<>();
    BoolExpr[] count = null;
    for (int j = 0; j < places.size(); j++) {
      BoolExpr place = places.get(j);
      BoolExpr goesOn = ctx.mkNot(restarts.get(j));
      if (limit == 0) {
        forbidden.add(ctx.mkNot(place));
        continue;
      }
      BoolExpr[] next = new BoolExpr[limit];
      for (int v = 0; v < limit; v++) {
        next[v] = bool("areas.%d>%d".formatted(j, v));
      }
      background.add(ctx.mkImplies(place, next[0]));
      if (count != null) {
        for (int v = 0; v < limit; v++) {
          background.add(ctx.mkImplies(ctx.mkAnd(goesOn, count[v]), next[v]));
          if (v + 1 < limit) {
            background.add(ctx.mkImplies(ctx.mkAnd(goesOn, place, count[v]), next[v + 1]));
          }
        }
        forbidden.add(ctx.mkNot(ctx.mkAnd(goesOn, place, count[limit - 1])));
      }
      count = next;
    }
    if (!forbidden.isEmpty()) {
      grouped(new Reason.ReservedLimit(limit), and(forbidden));
    }
  }

  /**
   * The TDMRs are exactly {@code tdmrs}, each a list of consecutive cell indexes covered whole (no
   * boundary inside a cell), and no other TDMR exists (no cell outside them covered, no TDMR
   * without memory).
   */
  BoolExpr tdmrsAre(List<List<Integer>> tdmrs) {
    List<BoolExpr> facts = new ArrayList<>();
    boolean[] inTdmr = new boolean[cells.size()];
    for (List<Integer> t : tdmrs) {
      for (int j = 0; j < t.size(); j++) {
        int k = t.get(j);
        inTdmr[k] = true;
        facts.add(covA[k]);
        facts.add(covB[k]);
        facts.add(ctx.mkNot(split[k]));
        facts.add(j + 1 < t.size() ? cont[k] : ctx.mkNot(cont[k]));
      }
    }
    for (int k = 0; k < cells.size(); k++) {
      if (!inTdmr[k]) {
        facts.add(ctx.mkNot(covA[k]));
        facts.add(ctx.mkNot(covB[k]));
      }
    }
    for (Slot s : slots) {
      if (s.start == Start.MEMORYLESS) {
        facts.add(ctx.mkNot(s.exists));
      }
    }
    return and(facts);
  }

  /**
   * The TDMRs are exactly {@code tdmrs} (1 GiB aligned, in address order, none without memory): each
   * cell is covered whole, not at all, or on one side of one boundary inside it; false when a cell
   * would need two boundaries.
   */
  BoolExpr tdmrsAt(List<AddressRange> tdmrs) {
    BoolExpr holding = memoryTdmrsAt(tdmrs);
    if (holding.isFalse()) {
      return holding;
    }
    List<BoolExpr> facts = new ArrayList<>(List.of(holding));
    for (Slot s : slots) {
      if (s.start == Start.MEMORYLESS) {
        facts.add(ctx.mkNot(s.exists));
      }
    }
    return and(facts);
  }

  /**
   * The TDMRs holding memory are exactly {@code tdmrs} (as {@link #tdmrsAt}), while TDMRs without
   * memory are left free; false when the model cannot have them.
   */
  BoolExpr memoryTdmrsAt(List<AddressRange> tdmrs) {
    List<BoolExpr> facts = new ArrayList<>();
    for (Cell k : cells) {
      int c = k.index();
      AddressRange r = k.range();
      List<AddressRange> over = tdmrs.stream().filter(t -> t.start() < r.end() && r.start() < t.end()).toList();
      boolean first = over.stream().anyMatch(t -> t.start() <= r.start());
      boolean last = over.stream().anyMatch(t -> t.end() >= r.end());
      List<Long> inside = new ArrayList<>();
      for (AddressRange t : over) {
        for (long edge : new long[] {t.start(), t.end()}) {
          if (edge > r.start() && edge < r.end() && !inside.contains(edge)) {
            inside.add(edge);
          }
        }
      }
      if (inside.size() > 1 || !inside.isEmpty() && split[c].isFalse()) {
        return ctx.mkFalse();
      }
      facts.add(first ? covA[c] : ctx.mkNot(covA[c]));
      facts.add(last ? covB[c] : ctx.mkNot(covB[c]));
      if (inside.isEmpty()) {
        facts.add(ctx.mkNot(split[c]));
      } else {
        facts.add(split[c]);
        facts.add(ctx.mkEq(pos[c], ctx.mkInt((inside.get(0) - r.start()) / ByteSize.GiB)));
      }
      if (!cont[c].isFalse()) {
        boolean goesOn = tdmrs.stream().anyMatch(t -> t.start() < r.end() && t.end() > r.end());
        facts.add(goesOn ? cont[c] : ctx.mkNot(cont[c]));
      }
    }
    return and(facts);
  }

  /**
   * The TDMRs cover exactly the granules of {@code covered} (1 GiB aligned ranges), with where they
   * start and end inside those granules left free: a cell covered whole may hold a TDMR boundary, or
   * continue into the next; a cell covered on one side of one boundary has that boundary; no TDMR
   * without memory. False when a cell would need two boundaries.
   */
  BoolExpr coverageIs(List<AddressRange> covered) {
    List<BoolExpr> facts = new ArrayList<>();
    for (Cell k : cells) {
      int c = k.index();
      AddressRange r = k.range();
      List<AddressRange> over = covered.stream().filter(t -> t.start() < r.end() && r.start() < t.end()).toList();
      boolean low = over.stream().anyMatch(t -> t.start() <= r.start());
      boolean high = over.stream().anyMatch(t -> t.end() >= r.end());
      List<Long> inside = new ArrayList<>();
      for (AddressRange t : over) {
        for (long edge : new long[] {t.start(), t.end()}) {
          if (edge > r.start() && edge < r.end() && !inside.contains(edge)) {
            inside.add(edge);
          }
        }
      }
      if (inside.size() > 1 || !inside.isEmpty() && split[c].isFalse()) {
        return ctx.mkFalse();
      }
      facts.add(low ? covA[c] : ctx.mkNot(covA[c]));
      facts.add(high ? covB[c] : ctx.mkNot(covB[c]));
      if (!inside.isEmpty()) {
        facts.add(split[c]);
        facts.add(ctx.mkEq(pos[c], ctx.mkInt((inside.get(0) - r.start()) / ByteSize.GiB)));
      }
    }
    for (Slot s : slots) {
      if (s.start == Start.MEMORYLESS) {
        facts.add(ctx.mkNot(s.exists));
      }
    }
    return and(facts);
  }

  /** How many TDMRs without memory the model offers. */
  int memorylessTdmrs() {
    return (int) slots.stream().filter(s -> s.start == Start.MEMORYLESS).count();
  }

  /** No cell is covered by a TDMR: every TDMR of the layout is one without memory. */
  BoolExpr noMemoryCovered() {
    List<BoolExpr> facts = new ArrayList<>();
    for (int k = 0; k < cells.size(); k++) {
      facts.add(ctx.mkNot(covA[k]));
      facts.add(ctx.mkNot(covB[k]));
    }
    return and(facts);
  }

  /**
   * The TDMRs of model {@code m} as GiB-aligned ranges in address order, as {@link #tdmrsAt} takes
   * them; empty when one of them is a TDMR without memory (which {@link #tdmrsAt} rules out).
   */
  java.util.Optional<List<AddressRange>> tdmrRanges(Model m) {
    List<AddressRange> out = new ArrayList<>();
    for (Slot s : slots) {
      if (!isTrue(m, s.exists)) {
        continue;
      }
      if (s.start == Start.MEMORYLESS) {
        return java.util.Optional.empty();
      }
      long base = cells.get(s.cell).range().start() + (s.start == Start.IN ? value(m, pos[s.cell]) * ByteSize.GiB : 0);
      out.add(new AddressRange(base, base + value(m, s.giB) * ByteSize.GiB));
    }
    out.sort(java.util.Comparator.comparingLong(AddressRange::start));
    return java.util.Optional.of(out);
  }

  // ---- objectives ------------------------------------------------------------------------------

  /** Uncovered pages (coverage max; memory outside CMRs or above the HKID limit not counted). */
  ArithExpr<IntSort> uncoveredPages() {
    return sum(uncovered);
  }

  /** Remote PAMT bytes (0 under PAMT any). */
  ArithExpr<IntSort> remoteBytes() {
    return sum(remote);
  }

  /** PAMT pages, padding included. */
  @SuppressWarnings("unchecked")
  ArithExpr<IntSort> pamtPages() {
    return sum(pamt);
  }

  /** PAMT pages lying on NUMA node {@code node}, padding included (a bridge's parts where they lie). */
  @SuppressWarnings("unchecked")
  ArithExpr<IntSort> pamtPagesOn(int node) {
    List<ArithExpr<IntSort>> on = new ArrayList<>();
    for (Stack st : stacks) {
      if (atoms.get(st.atom()).node() == node) {
        on.add(stackPages.get(st.index()));
      }
    }
    List<Segment> segs = instance.segments();
    for (Bridge b : bridges) {
      if (segs.get(b.first().below()).node() == node) {
        on.add(b.below());
      }
      if (segs.get(b.last().above()).node() == node) {
        on.add(b.above());
      }
      for (int seg = b.first().above(); seg < b.last().above(); seg++) {
        if (segs.get(seg).node() == node) {
          on.add((ArithExpr<IntSort>) ctx.mkITE(b.used(), ctx.mkInt(segs.get(seg).pages()), ctx.mkInt(0)));
        }
      }
    }
    return sum(on);
  }

  @SuppressWarnings("unchecked")
  ArithExpr<IntSort> tdmrCount() {
    List<ArithExpr<IntSort>> xs = new ArrayList<>();
    for (Slot s : slots) {
      xs.add((ArithExpr<IntSort>) ctx.mkITE(s.exists, ctx.mkInt(1), ctx.mkInt(0)));
    }
    return sum(xs);
  }

  @SuppressWarnings("unchecked")
  ArithExpr<IntSort> areaCount() {
    List<ArithExpr<IntSort>> xs = new ArrayList<>(fixedAreas);
    for (BoolExpr b : areaStarts) {
      xs.add((ArithExpr<IntSort>) ctx.mkITE(b, ctx.mkInt(1), ctx.mkInt(0)));
    }
    return sum(xs);
  }

  // ---- reading a model -------------------------------------------------------------------------

  /** The layout a model stands for, and the memory it gives up. */
  record Reading(Layout layout, List<AddressRange> givenUp) {}

  Reading read(Model m) {
    // TDMRs.
    Map<Integer, long[]> range = new LinkedHashMap<>();
    for (Slot s : slots) {
      if (!isTrue(m, s.exists)) {
        continue;
      }
      long base;
      if (s.start == Start.MEMORYLESS) {
        base = s.granule.start();
      } else {
        Cell c = cells.get(s.cell);
        base = c.range().start() + (s.start == Start.IN ? value(m, pos[s.cell]) * ByteSize.GiB : 0);
      }
      range.put(s.index, new long[] {base, base + value(m, s.giB) * ByteSize.GiB});
    }
    // Pieces: their stacks, and each run's pieces laid from its start.
    long[] pieceBase = new long[pieces.size()];
    long[] pieceSize = new long[pieces.size()];
    List<List<Integer>> inEach = new ArrayList<>();
    stacks.forEach(x -> inEach.add(new ArrayList<>()));
    for (Piece p : pieces) {
      if (!isTrue(m, p.slot().exists)) {
        continue;
      }
      pieceSize[p.index()] = value(m, p.pages()) * PAGE;
      for (Stack st : stacks) {
        BoolExpr x = inStack.get(List.of(p.index(), st.index()));
        if (x != null && isTrue(m, x)) {
          inEach.get(st.index()).add(p.index());
        }
      }
      for (Bridge b : bridges) {
        BoolExpr x = onBridge.get(List.of(p.index(), b.index()));
        if (x != null && isTrue(m, x)) {
          // Over the edges, with its padding: the runs on both sides are laid around it.
          pieceBase[p.index()] = b.first().edge() - value(m, b.below()) * PAGE;
          pieceSize[p.index()] += value(m, b.padding()) * PAGE;
        }
      }
    }
    Map<Integer, int[]> stackOf = new LinkedHashMap<>();
    for (Stack st : stacks) {
      stackOf.computeIfAbsent(st.atom(), k -> new int[2])[st.low() ? 0 : 1] = st.index();
    }
    for (Flow seg : flows()) {
      List<Integer> run = new ArrayList<>();
      long runStart = -1;
      for (int i = seg.firstAtom(); i < seg.endAtom(); i++) {
        Atom a = atoms.get(i);
        int[] st = stackOf.get(i);
        boolean f = isTrue(m, full[i]);
        long l = value(m, lo[i]);
        long h = value(m, hi[i]);
        if (l > 0 || f) {
          if (runStart < 0) {
            // Above a bridge's part at the flow's bottom.
            runStart = a.range().start() + (i == seg.firstAtom() ? value(m, bridgedFromBelow(a.segment())) * PAGE : 0);
          }
          run.add(st[0]);
        }
        if (f) {
          run.add(st[1]);
          continue;
        }
        if (runStart >= 0) {
          layRun(m, run, runStart, inEach, pieceBase, pieceSize);
          run.clear();
          runStart = -1;
        }
        if (h > 0) {
          runStart = a.range().end() - h * PAGE;
          run.add(st[1]);
        }
        boolean joined = i + 1 < seg.endAtom() && (value(m, lo[i + 1]) > 0 || isTrue(m, full[i + 1]));
        if (runStart >= 0 && !joined) {
          layRun(m, run, runStart, inEach, pieceBase, pieceSize);
          run.clear();
          runStart = -1;
        }
      }
      if (runStart >= 0) {
        layRun(m, run, runStart, inEach, pieceBase, pieceSize);
      }
    }
    List<ReservedAreas.Placed> placed = new ArrayList<>();
    for (Slot s : slots) {
      long[] r = range.get(s.index);
      if (r == null) {
        continue;
      }
      Pamt pamt;
      if (module) {
        PamtRange[] levels = new PamtRange[3];
        for (Piece p : pieces) {
          if (p.slot() == s) {
            levels[p.level().ordinal()] = new PamtRange(pieceBase[p.index()], pieceSize[p.index()]);
          }
        }
        pamt = new Pamt(levels[0], levels[1], levels[2]);
      } else {
        Piece chunk = pieces.stream().filter(p -> p.slot() == s).findFirst().orElseThrow();
        pamt = Pamt.kernelChunk(pieceBase[chunk.index()], r[1] - r[0], instance.limits());
      }
      placed.add(new ReservedAreas.Placed(new AddressRange(r[0], r[1]), pamt));
    }
    placed.sort((x, y) -> Long.compare(x.range().start(), y.range().start()));
    List<AddressRange> givenUp = new ArrayList<>();
    if (max) {
      for (Atom a : atoms) {
        if (a.memory() && !a.dead() && isTrue(m, given[a.index()]) && !isTrue(m, full[a.index()])) {
          AddressRange rest = new AddressRange(a.range().start() + value(m, lo[a.index()]) * PAGE,
              a.range().end() - value(m, hi[a.index()]) * PAGE);
          if (!rest.isEmpty()) {
            givenUp.add(rest);
          }
        }
      }
    }
    Layout layout = new ReservedAreas(instance.map(), instance.policy().holes()).layout(placed, givenUp);
    return new Reading(layout, givenUp);
  }

  /**
   * Where runs of PAMT flow: under PAMT {@code any}, a run of segments touching at {@link
   * Instance.Joint}s (a run of PAMT may go on over the edge between two blocks, which lies in one
   * merged CMR; what lies on which node is not ranked); under {@code node-local} each segment alone
   * (which piece of a run over the edge lies on which nodes decides remote PAMT), its runs at its
   * ends flowing into the {@link Bridge}s over the edges.
   *
   * @param firstAtom its first atom
   * @param endAtom one past its last atom
   * @param pages its pages
   */
  record Flow(int firstAtom, int endAtom, long pages) {}

  private List<Flow> flows;
  private int[] flowOfSegment;

  /** The flows in address order. */
  private List<Flow> flows() {
    if (flows == null) {
      flows = new ArrayList<>();
      flowOfSegment = new int[instance.segments().size()];
      boolean across = instance.policy().pamt() == Policy.PamtPlacementPolicy.ANY;
      Map<Integer, Instance.Joint> jointAbove = new LinkedHashMap<>();
      for (Instance.Joint j : instance.joints()) {
        jointAbove.put(j.below(), j);
      }
      List<Segment> segs = instance.segments();
      for (int i = 0; i < segs.size(); ) {
        int first = i;
        long pages = segs.get(i).pages();
        while (across && jointAbove.containsKey(i)) {
          i++;
          pages += segs.get(i).pages();
        }
        for (int k = first; k <= i; k++) {
          flowOfSegment[k] = flows.size();
        }
        flows.add(new Flow(segs.get(first).firstAtom(), segs.get(i).endAtom(), pages));
        i++;
      }
    }
    return flows;
  }

  private Flow flowOf(int segment) {
    return flows().get(flowOfSegment[segment]);
  }

  /** Lays the pieces of the stacks of one run from its start; each stack's padding goes on its first piece. */
  private void layRun(Model m, List<Integer> run, long start, List<List<Integer>> inEach, long[] base, long[] size) {
    long cursor = start;
    for (int st : run) {
      long padding = value(m, stacks.get(st).padding()) * PAGE;
      for (int p : inEach.get(st)) {
        base[p] = cursor;
        size[p] += padding;
        padding = 0;
        cursor += size[p];
      }
    }
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

  private boolean isTrue(Model m, BoolExpr e) {
    return m.eval(e, true).isTrue();
  }

  private long value(Model m, ArithExpr<IntSort> e) {
    return ((IntNum) m.eval(e, true)).getInt64();
  }

  private BoolExpr or(List<BoolExpr> xs) {
    List<BoolExpr> live = xs.stream().filter(x -> !x.isFalse()).toList();
    return live.isEmpty() ? ctx.mkFalse() : live.size() == 1 ? live.get(0) : ctx.mkOr(live.toArray(BoolExpr[]::new));
  }

  private BoolExpr and(List<BoolExpr> xs) {
    return xs.isEmpty() ? ctx.mkTrue() : xs.size() == 1 ? xs.get(0) : ctx.mkAnd(xs.toArray(BoolExpr[]::new));
  }

  // ---- small builders --------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private ArithExpr<IntSort> sum(List<ArithExpr<IntSort>> xs) {
    if (xs.isEmpty()) {
      return ctx.mkInt(0);
    }
    return xs.size() == 1 ? xs.get(0) : (ArithExpr<IntSort>) ctx.mkAdd(xs.toArray(ArithExpr[]::new));
  }

  private void grouped(Reason r, BoolExpr e) {
    groups.computeIfAbsent(r, k -> new ArrayList<>()).add(e);
  }

  private BoolExpr bool(String name) {
    variables++;
    return ctx.mkBoolConst(name);
  }

  private IntExpr integer(String name, long from, long to) {
    variables++;
    IntExpr x = ctx.mkIntConst(name);
    background.add(ctx.mkLe(ctx.mkInt(from), x));
    background.add(ctx.mkLe(x, ctx.mkInt(to)));
    return x;
  }

  private BoolExpr define(String name, BoolExpr value) {
    if (value.isFalse() || value.isTrue()) {
      return value;
    }
    BoolExpr b = bool(name);
    background.add(ctx.mkEq(b, value));
    return b;
  }
}
