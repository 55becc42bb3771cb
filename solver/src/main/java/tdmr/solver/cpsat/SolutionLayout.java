package tdmr.solver.cpsat;

import com.google.ortools.sat.CpSolver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.ReservedAreas;
import tdmr.solver.cpsat.TdmrModel.CellVars;
import tdmr.solver.cpsat.TdmrModel.Part;
import tdmr.solver.cpsat.TdmrModel.PieceVars;
import tdmr.solver.cpsat.TdmrModel.Placement;
import tdmr.solver.cpsat.TdmrModel.Side;
import tdmr.solver.cpsat.TdmrModel.Slot;
import tdmr.solver.cpsat.TdmrModel.StackVars;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;

/**
 * Reads a solved {@link TdmrModel} into a layout: the TDMRs from the cells' parts, the PAMT pieces
 * packed into their stacks from the stack's anchor outwards (padding on the piece at the far end),
 * the memory given up, and the reserved areas as {@link ReservedAreas} computes them for every
 * engine.
 */
final class SolutionLayout {
  private static final long PAGE = ByteSize.PAGE;

  private final TdmrModel m;
  private final CpSolver solver;

  SolutionLayout(TdmrModel model, CpSolver solver) {
    this.m = model;
    this.solver = solver;
  }

  /** The memory the solution gives up (coverage {@code max}), by atom. */
  List<AddressRange> givenUp() {
    List<AddressRange> out = new ArrayList<>();
    for (TdmrModel.AtomVars v : m.atoms) {
      Atom a = v.atom();
      if (!a.memory() || !solver.booleanValue(v.given())) {
        continue;
      }
      long s = a.range().start() + solver.value(v.lam()) * PAGE;
      long e = a.range().end() - solver.value(v.eta()) * PAGE;
      if (e > s) {
        out.add(new AddressRange(s, e));
      }
    }
    return out;
  }

  /** The layout of the solution. */
  Layout layout() {
    Map<Integer, AddressRange> ranges = tdmrRanges();
    Map<Integer, PamtRange[]> levels = new HashMap<>();
    Map<Integer, Long> chunkBase = new HashMap<>();
    Map<Integer, List<PieceVars>> byStack = new HashMap<>();
    for (PieceVars p : m.pieces) {
      if (!solver.booleanValue(p.slot().used())) {
        continue;
      }
      for (Placement pl : p.placements()) {
        if (solver.booleanValue(pl.at())) {
          byStack.computeIfAbsent(pl.stack().index(), k -> new ArrayList<>()).add(p);
        }
      }
    }
    for (Map.Entry<Integer, List<PieceVars>> e : byStack.entrySet()) {
      StackVars st = m.stacks.get(e.getKey());
      List<PieceVars> members = e.getValue();
      members.sort(Comparator.comparingInt(PieceVars::index));
      long padding = solver.value(st.padding());
      long cursor = st.side() == Side.LOW ? st.atom().range().start() : st.atom().range().end();
      for (int i = 0; i < members.size(); i++) {
        PieceVars p = members.get(i);
        long pages = solver.value(p.pages()) + (i == members.size() - 1 ? padding : 0);
        long base = st.side() == Side.LOW ? cursor : cursor - pages * PAGE;
        cursor = st.side() == Side.LOW ? cursor + pages * PAGE : base;
        int slot = p.slot().index();
        if (p.level() == null) {
          chunkBase.put(slot, base);
        } else {
          levels.computeIfAbsent(slot, k -> new PamtRange[3])[p.level().ordinal()] = new PamtRange(base, pages * PAGE);
        }
      }
    }
    List<ReservedAreas.Placed> placed = new ArrayList<>();
    for (Map.Entry<Integer, AddressRange> e : ranges.entrySet()) {
      int slot = e.getKey();
      AddressRange r = e.getValue();
      Pamt pamt;
      if (m.instance.moduleFamily()) {
        PamtRange[] l = levels.get(slot);
        pamt = new Pamt(l[PageSize.SIZE_4K.ordinal()], l[PageSize.SIZE_2M.ordinal()], l[PageSize.SIZE_1G.ordinal()]);
      } else {
        pamt = Pamt.kernelChunk(chunkBase.get(slot), r.size(), m.instance.limits());
      }
      placed.add(new ReservedAreas.Placed(r, pamt));
    }
    placed.sort(Comparator.comparing(ReservedAreas.Placed::range, AddressRange.ORDER));
    return new ReservedAreas(m.instance.map(), m.instance.policy().holes()).layout(placed, givenUp());
  }

  /** The range of every used slot's TDMR, by slot index. */
  private Map<Integer, AddressRange> tdmrRanges() {
    Map<Integer, AddressRange> out = new HashMap<>();
    Map<String, Slot> slotOf = new HashMap<>();
    for (Slot s : m.slots) {
      slotOf.put(s.cell() + ":" + s.part(), s);
    }
    long open = -1;
    Slot openSlot = null;
    int n = m.cells.size();
    for (int k = 0; k < n; k++) {
      CellVars c = m.cells.get(k);
      Cell cell = c.cell();
      boolean leave = k + 1 < n && solver.booleanValue(m.cont.get(k));
      boolean whole = solver.booleanValue(c.whole());
      if (solver.booleanValue(c.startA())) {
        open = cell.range().start();
        openSlot = slotOf.get(k + ":" + Part.A);
      }
      if (whole) {
        if (!leave) {
          out.put(openSlot.index(), new AddressRange(open, cell.range().end()));
          openSlot = null;
        }
        continue;
      }
      if (solver.booleanValue(c.aCovered())) {
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
    int f = 0;
    for (Slot s : m.slots) {
      if (s.part() == Part.MEMORYLESS) {
        if (solver.booleanValue(s.used())) {
          out.put(s.index(), m.memorylessGranules.get(f));
        }
        f++;
      }
    }
    return out;
  }

  /** Every variable's value in {@code solver}'s solution as the model's hint, so the next stage starts from it. */
  static void hint(TdmrModel m, CpSolver solver) {
    List<Long> values = solver.response().getSolutionList();
    com.google.ortools.sat.PartialVariableAssignment.Builder hint =
        m.model.getBuilder().getSolutionHintBuilder().clear();
    for (int v = 0; v < values.size(); v++) {
      hint.addVars(v).addValues(values.get(v));
    }
  }
}
