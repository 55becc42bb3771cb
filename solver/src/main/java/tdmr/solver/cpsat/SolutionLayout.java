package tdmr.solver.cpsat;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.PartialVariableAssignment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Place;
import tdmr.solver.Instance.Segment;
import tdmr.solver.ReservedAreas;
import tdmr.solver.cpsat.ModuleModel.AtomVars;
import tdmr.solver.cpsat.ModuleModel.CellVars;
import tdmr.solver.cpsat.ModuleModel.BridgeVars;
import tdmr.solver.cpsat.ModuleModel.Part;
import tdmr.solver.cpsat.ModuleModel.PieceVars;
import tdmr.solver.cpsat.ModuleModel.PlaceVars;
import tdmr.solver.cpsat.ModuleModel.Placement;
import tdmr.solver.cpsat.ModuleModel.PoolVars;
import tdmr.solver.cpsat.ModuleModel.SlotVars;
import tdmr.solver.cpsat.ModuleModel.Straddle;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;

/**
 * Reads a solved {@link ModuleModel} into a layout, and hands a solution to the next solve as its
 * hint. The TDMRs come from the cells' parts; a piece over a joint goes over its edge first, with
 * the padding of the tight chains on its sides; the pieces are laid out in chains from each place's
 * anchor outwards (after the piece over a joint, if any; else a tight place's padding on its last
 * piece); the pieces in a node's pool go one
 * to each used roomy place and the rest to the first; the pieces filling roomy atoms one to each
 * run of touching filled atoms of a segment and the rest to the first, padded to the run's end;
 * TDMRs without memory take the granules that need no area first. The reserved areas are what
 * {@link ReservedAreas} computes for every engine.
 */
final class SolutionLayout {
  private static final long PAGE = ByteSize.PAGE;

  private final ModuleModel m;
  private final CpSolver solver;
  private final Instance instance;
  /** Per slot index (and per memoryless TDMR, after the slots), its PAMT pieces' ranges. */
  private final Map<Integer, PamtRange[]> levels = new HashMap<>();
  private final List<AddressRange> pamtRanges = new ArrayList<>();
  /** Per place index: the pages from its anchor that the piece over its joint takes. */
  private final Map<Integer, Long> taken = new HashMap<>();

  /** One piece to lay out: whose (slot index, or memoryless number), which level, how many pages. */
  private record Piece(int owner, PageSize level, long pages) {}

  SolutionLayout(ModuleModel model, CpSolver solver) {
    this.m = model;
    this.solver = solver;
    this.instance = model.instance;
  }

  /** The layout of the solution. */
  Layout layout() {
    Map<Integer, AddressRange> ranges = tdmrRanges();
    layOutPieces();
    List<ReservedAreas.Placed> placed = new ArrayList<>();
    for (Map.Entry<Integer, AddressRange> e : ranges.entrySet()) {
      AddressRange r = e.getValue();
      PamtRange[] l = levels.get(e.getKey());
      Pamt pamt = instance.moduleFamily()
          ? new Pamt(l[PageSize.SIZE_4K.ordinal()], l[PageSize.SIZE_2M.ordinal()], l[PageSize.SIZE_1G.ordinal()])
          : Pamt.kernelChunk(l[0].base(), r.size(), instance.limits());
      placed.add(new ReservedAreas.Placed(r, pamt));
    }
    placed.sort(Comparator.comparing(ReservedAreas.Placed::range, AddressRange.ORDER));
    return new ReservedAreas(instance.map(), instance.policy().holes()).layout(placed, givenUp());
  }

  /** The memory the solution gives up (coverage {@code max}): given-up atoms and middles, less PAMT. */
  List<AddressRange> givenUp() {
    if (pamtRanges.isEmpty() && levels.isEmpty()) {
      layOutPieces();
    }
    List<AddressRange> out = new ArrayList<>();
    for (AtomVars v : m.atoms) {
      Atom a = v.atom();
      if (!a.memory() || a.dead()) {
        continue;
      }
      if (solver.booleanValue(v.given())) {
        out.addAll(AddressRange.minus(List.of(a.range()), pamtRanges));
      }
      var middle = m.middleUncovered.get(a.index());
      if (middle != null && solver.booleanValue(middle[1])) {
        CellVars c = m.cells.get(a.cell());
        Cell cell = c.cell();
        AddressRange r = new AddressRange(cell.range().start() + solver.value(c.a()) * ByteSize.GiB,
            cell.range().end() - solver.value(c.b()) * ByteSize.GiB);
        out.addAll(AddressRange.minus(List.of(r), pamtRanges));
      }
    }
    return out;
  }

  /** The range of every used slot's TDMR by slot index, then the TDMRs without memory after them. */
  private Map<Integer, AddressRange> tdmrRanges() {
    Map<Integer, AddressRange> out = new LinkedHashMap<>();
    Map<String, SlotVars> slotOf = new HashMap<>();
    for (SlotVars s : m.slots) {
      slotOf.put(s.cell() + ":" + s.part(), s);
    }
    long open = -1;
    SlotVars openSlot = null;
    int n = m.cells.size();
    for (int k = 0; k < n; k++) {
      CellVars c = m.cells.get(k);
      Cell cell = c.cell();
      boolean leave = k + 1 < n && solver.booleanValue(m.cont.get(k));
      if (solver.booleanValue(c.startA())) {
        open = cell.range().start();
        openSlot = slotOf.get(k + ":" + Part.A);
      }
      if (solver.booleanValue(c.whole())) {
        if (!leave) {
          out.put(openSlot.index(), new AddressRange(open, cell.range().end()));
          openSlot = null;
        }
        continue;
      }
      if (solver.booleanValue(c.first())) {
        out.put(openSlot.index(), new AddressRange(open, cell.range().start() + solver.value(c.a()) * ByteSize.GiB));
        openSlot = null;
      }
      if (solver.booleanValue(c.startB())) {
        open = cell.range().end() - solver.value(c.b()) * ByteSize.GiB;
        openSlot = slotOf.get(k + ":" + Part.B);
        if (!leave) {
          out.put(openSlot.index(), new AddressRange(open, cell.range().end()));
          openSlot = null;
        }
      }
    }
    for (int i = 0; i < memorylessCount(); i++) {
      out.put(m.slots.size() + i, memorylessGranule(i));
    }
    return out;
  }

  private int memorylessCount() {
    return m.memoryless == null ? 0 : (int) solver.value(m.memoryless.count());
  }

  /** The granule of the {@code i}-th TDMR without memory: the first granules of each site, site by site. */
  private AddressRange memorylessGranule(int i) {
    for (int k = 0; k < m.memorylessSites.size(); k++) {
      int on = (int) solver.value(m.memoryless.onSite().get(k));
      if (i < on) {
        return m.memorylessSites.get(k).granules().get(i);
      }
      i -= on;
    }
    throw new IllegalStateException("CP-SAT solution has fewer TDMRs without memory than it counts");
  }

  /** Lays out every piece: chains at tight places, the pools, the fills of roomy atoms. */
  private void layOutPieces() {
    Map<Integer, List<Piece>> atPlace = new HashMap<>();
    Map<Integer, List<Piece>> inPool = new HashMap<>();
    Map<Integer, List<Piece>> inFill = new HashMap<>();
    Map<Integer, Piece> overJoint = new HashMap<>();
    for (PieceVars p : m.pieces) {
      if (!solver.booleanValue(p.slot().used())) {
        continue;
      }
      Piece piece = new Piece(p.slot().index(), p.level(), solver.value(p.pages()));
      boolean placed = false;
      for (Placement pl : p.placements()) {
        if (solver.booleanValue(pl.at())) {
          atPlace.computeIfAbsent(pl.place().place().index(), k -> new ArrayList<>()).add(piece);
          placed = true;
        }
      }
      for (var e : p.pool().entrySet()) {
        if (solver.booleanValue(e.getValue())) {
          inPool.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(piece);
          placed = true;
        }
      }
      for (Straddle s : p.straddles()) {
        if (solver.booleanValue(s.at())) {
          overJoint.put(s.bridge().index(), piece);
          placed = true;
        }
      }
      for (var e : p.fill().entrySet()) {
        if (solver.booleanValue(e.getValue())) {
          inFill.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(piece);
          placed = true;
        }
      }
      if (!placed) {
        throw new IllegalStateException("CP-SAT solution has no place for a PAMT piece of slot " + p.slot().index());
      }
    }
    memorylessPieces(atPlace, inPool, inFill, overJoint);
    for (BridgeVars j : m.bridges) {
      Piece p = overJoint.get(j.index());
      if (p != null && !j.fill()) {
        overEdge(j, p);
      }
    }
    for (PlaceVars pl : m.places) {
      List<Piece> chain = atPlace.get(pl.place().index());
      if (pl.tight() && chain != null) {
        boolean padded = taken.containsKey(pl.place().index());
        layChain(pl.place(), chain, padded ? 0 : solver.value(pl.padding()));
      }
    }
    for (PoolVars pool : m.pools.values()) {
      List<Piece> pieces = inPool.getOrDefault(pool.node(), List.of());
      List<PlaceVars> used = pool.places().stream().filter(pl -> solver.booleanValue(pl.used())).toList();
      // A used place holding the piece over its joint needs no piece of the pool.
      List<PlaceVars> open = used.stream().filter(pl -> !taken.containsKey(pl.place().index())).toList();
      List<PlaceVars> to = open.isEmpty() && !pieces.isEmpty() ? used : open;
      distribute(pieces, to.size()).forEach((i, chain) -> layChain(to.get(i).place(), chain, 0));
    }
    layOutFills(inFill, overJoint);
  }

  /** A run of filled memory of one segment and the pieces of its pool laid in it. */
  private record FilledRun(AddressRange range, List<Piece> pieces) {}

  /**
   * The fills: each pool's pieces one to each run of its filled memory that no fill bridge's piece
   * lies in, the rest to its first run that a fill bridge's piece does not cover whole; then, in
   * each run, the part of the fill bridge's piece from below (one page, or the whole run when
   * nothing else is in it), the pool's pieces, and the fill bridge's piece on to above, which takes
   * the rest (else the last piece is padded to the run's end).
   */
  private void layOutFills(Map<Integer, List<Piece>> inFill, Map<Integer, Piece> overJoint) {
    Map<Long, BridgeVars> crossed = new HashMap<>();
    for (BridgeVars j : m.bridges) {
      if (j.fill() && overJoint.containsKey(j.index())) {
        for (int i = j.first().index(); i <= j.last().index(); i++) {
          crossed.put(instance.joints().get(i).edge(), j);
        }
      }
    }
    List<FilledRun> all = new ArrayList<>();
    for (PoolVars pool : m.pools.values()) {
      List<Piece> fillers = inFill.getOrDefault(pool.node(), List.of());
      List<FilledRun> runs = filledRuns(pool).stream().map(r -> new FilledRun(r, new ArrayList<>())).toList();
      List<FilledRun> open = runs.stream()
          .filter(r -> !crossed.containsKey(r.range().start()) && !crossed.containsKey(r.range().end())).toList();
      List<FilledRun> room = runs.stream().filter(r -> crossed.get(r.range().start()) == null
          || crossed.get(r.range().start()) != crossed.get(r.range().end())).toList();
      List<FilledRun> to = open.isEmpty() && !fillers.isEmpty() ? room.subList(0, 1) : open;
      distribute(fillers, to.size()).forEach((i, chain) -> to.get(i).pieces().addAll(chain));
      all.addAll(runs);
    }
    Map<Integer, Long> bridgeStart = new HashMap<>();
    Map<Integer, Long> bridgeEnd = new HashMap<>();
    for (FilledRun r : all) {
      BridgeVars in = crossed.get(r.range().start());
      BridgeVars out = crossed.get(r.range().end());
      if (in != null && in == out) {
        continue;
      }
      long cursor = r.range().start();
      if (in != null) {
        long tail = r.pieces().isEmpty() && out == null ? r.range().size() : PAGE;
        cursor += tail;
        bridgeEnd.put(in.index(), cursor);
      }
      for (int i = 0; i < r.pieces().size(); i++) {
        Piece p = r.pieces().get(i);
        long pages = out == null && i == r.pieces().size() - 1 ? (r.range().end() - cursor) / PAGE : p.pages();
        put(p, cursor, pages);
        cursor += pages * PAGE;
      }
      if (out != null) {
        bridgeStart.put(out.index(), cursor);
      } else if (in == null && r.pieces().isEmpty()) {
        throw new IllegalStateException("CP-SAT solution fills " + r.range() + " with no PAMT piece");
      }
    }
    for (BridgeVars j : m.bridges) {
      Piece p = overJoint.get(j.index());
      if (p != null && j.fill()) {
        long base = bridgeStart.get(j.index());
        put(p, base, (bridgeEnd.get(j.index()) - base) / PAGE);
      }
    }
  }

  /** The pieces of the TDMRs without memory, one of each level per TDMR, where the counts put them. */
  private void memorylessPieces(Map<Integer, List<Piece>> atPlace, Map<Integer, List<Piece>> inPool,
      Map<Integer, List<Piece>> inFill, Map<Integer, Piece> overJoint) {
    int count = memorylessCount();
    if (count == 0) {
      return;
    }
    for (PageSize level : instance.pieceLevels()) {
      long pages = instance.piecePages(1, level);
      int owner = m.slots.size();
      for (var e : m.memoryless.atPlace().get(level).entrySet()) {
        for (long i = solver.value(e.getValue()); i > 0; i--) {
          atPlace.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Piece(owner++, level, pages));
        }
      }
      for (var e : m.memoryless.inPool().get(level).entrySet()) {
        for (long i = solver.value(e.getValue()); i > 0; i--) {
          inPool.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Piece(owner++, level, pages));
        }
      }
      for (var e : m.memoryless.inFill().get(level).entrySet()) {
        for (long i = solver.value(e.getValue()); i > 0; i--) {
          inFill.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Piece(owner++, level, pages));
        }
      }
      for (var e : m.memoryless.atBridge().get(level).entrySet()) {
        if (solver.value(e.getValue()) > 0) {
          overJoint.put(e.getKey(), new Piece(owner++, level, pages));
        }
      }
      if (owner != m.slots.size() + count) {
        throw new IllegalStateException("CP-SAT solution places %d %s pieces of %d TDMRs without memory"
            .formatted(owner - m.slots.size(), level, count));
      }
    }
  }

  /** Pieces spread over {@code places} places: one each, the rest on the first. */
  private static Map<Integer, List<Piece>> distribute(List<Piece> pieces, int places) {
    Map<Integer, List<Piece>> out = new HashMap<>();
    if (pieces.isEmpty()) {
      return out;
    }
    if (places == 0 || pieces.size() < places) {
      throw new IllegalStateException("CP-SAT solution has %d pieces for %d places".formatted(pieces.size(), places));
    }
    for (int i = 0; i < pieces.size(); i++) {
      out.computeIfAbsent(i < places ? i : 0, k -> new ArrayList<>()).add(pieces.get(i));
    }
    return out;
  }

  /**
   * The piece over bridge {@code j}: its shares below its first edge and above its last, each with
   * the padding of a tight chain on that side, and the segments between; the chains beside it go on
   * from its ends.
   */
  private void overEdge(BridgeVars j, Piece p) {
    long below = solver.value(j.belowPages()) + (j.below().tight() ? solver.value(j.below().padding()) : 0);
    long above = solver.value(j.abovePages()) + (j.above().tight() ? solver.value(j.above().padding()) : 0);
    taken.put(j.below().place().index(), below);
    taken.put(j.above().place().index(), above);
    long base = j.first().edge() - below * PAGE;
    put(p, base, (j.last().edge() + above * PAGE - base) / PAGE);
  }

  /**
   * A chain of pieces from {@code place}'s anchor outwards (past the piece over its joint, if any),
   * the padding on the last piece.
   */
  private void layChain(Place place, List<Piece> chain, long padding) {
    Segment seg = instance.segments().get(place.segment());
    long anchor = instance.atoms().get(seg.firstAtom()).range().start() + place.offset() * PAGE;
    long skip = taken.getOrDefault(place.index(), 0L) * PAGE;
    long cursor = place.anchor().growsUp() ? anchor + skip : anchor - skip;
    for (int i = 0; i < chain.size(); i++) {
      Piece p = chain.get(i);
      long pages = p.pages() + (i == chain.size() - 1 ? padding : 0);
      long base = place.anchor().growsUp() ? cursor : cursor - pages * PAGE;
      cursor = place.anchor().growsUp() ? cursor + pages * PAGE : base;
      put(p, base, pages);
    }
  }

  /**
   * The runs of touching filled memory of one segment in {@code pool}, in address order: filled
   * roomy atoms and the filled parts of runs outside every TDMR.
   */
  private List<AddressRange> filledRuns(PoolVars pool) {
    List<AddressRange> runs = new ArrayList<>();
    int lastSegment = -1;
    for (AtomVars v : pool.fillable()) {
      Atom a = v.atom();
      AddressRange filled = null;
      if (solver.booleanValue(v.pamtFull())) {
        filled = a.range();
      } else {
        ModuleModel.MiddleFill f = m.middleFills.get(a.index());
        if (f != null && solver.booleanValue(f.filled())) {
          Cell cell = f.cell().cell();
          filled = new AddressRange(cell.range().start() + solver.value(f.cell().a()) * ByteSize.GiB,
              cell.range().end() - solver.value(f.cell().b()) * ByteSize.GiB);
        }
      }
      if (filled == null) {
        continue;
      }
      AddressRange last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && lastSegment == a.segment() && last.end() == filled.start()) {
        runs.set(runs.size() - 1, new AddressRange(last.start(), filled.end()));
      } else {
        runs.add(filled);
      }
      lastSegment = a.segment();
    }
    return runs;
  }

  private void put(Piece p, long base, long pages) {
    PamtRange r = new PamtRange(base, pages * PAGE);
    pamtRanges.add(r.range());
    PamtRange[] l = levels.computeIfAbsent(p.owner(), k -> new PamtRange[3]);
    l[p.level() == null ? 0 : p.level().ordinal()] = r;
  }

  /** Every variable's value in {@code solver}'s solution as the model's hint, so the next solve starts from it. */
  static void hint(ModuleModel m, CpSolver solver) {
    List<Long> values = solver.response().getSolutionList();
    PartialVariableAssignment.Builder hint = m.model.getBuilder().getSolutionHintBuilder().clear();
    for (int v = 0; v < values.size(); v++) {
      hint.addVars(v).addValues(values.get(v));
    }
  }

  /** The value of {@code v} in the solution, for tests. */
  long value(IntVar v) {
    return solver.value(v);
  }
}
