package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * The fewest reserved areas of each TDMR, given where the TDMRs, their PAMT levels and the memory
 * given up are: the same computation for every engine, so a layout's areas never depend on who
 * placed its PAMT.
 *
 * <p>A TDMR must reserve (rules C, E1, D5 and the OS check): every gap between TDX memory blocks
 * under holes {@code memlist}, every part outside the CMRs under both policies, every PAMT level
 * lying in it (of any TDMR), and every byte of TDX memory given up (coverage {@code max}). A
 * convertible gap under holes {@code cmr} may stay usable; it is reserved exactly when reserved
 * parts of the same TDMR touch it on both sides, which joins two areas and is never worse. The areas
 * are then the maximal runs of reserved bytes, touching ones merged.
 */
public final class ReservedAreas {
  private final MemoryMap map;
  private final Policy.Holes holes;

  public ReservedAreas(MemoryMap map, Policy.Holes holes) {
    this.map = map;
    this.holes = holes;
  }

  /** A TDMR and its PAMT, before its reserved areas are known. */
  public record Placed(AddressRange range, Pamt pamt) {}

  /** The layout of these TDMRs (sorted by base) with their fewest reserved areas. */
  public Layout layout(List<Placed> tdmrs, List<AddressRange> givenUp) {
    List<AddressRange> pamt = new ArrayList<>();
    for (Placed t : tdmrs) {
      for (PageSize level : PageSize.values()) {
        if (t.pamt().level(level).size() > 0) {
          pamt.add(t.pamt().level(level).range());
        }
      }
    }
    List<Tdmr> out = new ArrayList<>();
    for (Placed t : tdmrs) {
      List<ReservedArea> areas = new ArrayList<>();
      for (AddressRange r : reserved(t.range(), pamt, givenUp)) {
        areas.add(new ReservedArea(r.start() - t.range().start(), r.size()));
      }
      out.add(new Tdmr(t.range().start(), t.range().size(), t.pamt(), areas));
    }
    return new Layout(out);
  }

  /** The reserved areas of TDMR {@code tdmr}, as sorted, merged absolute ranges. */
  public List<AddressRange> reserved(AddressRange tdmr, List<AddressRange> pamt, List<AddressRange> givenUp) {
    List<AddressRange> memory = new ArrayList<>();
    for (MemoryBlock b : map.blocks()) {
      AddressRange in = b.range().intersect(tdmr);
      if (!in.isEmpty()) {
        memory.add(in);
      }
    }
    List<AddressRange> gaps = subtract(List.of(tdmr), memory);
    List<AddressRange> must = new ArrayList<>();
    List<AddressRange> optional = new ArrayList<>();
    for (AddressRange g : gaps) {
      if (holes == Policy.Holes.MEMLIST) {
        must.add(g);
      } else {
        must.addAll(map.cmrs().uncovered(g));
        optional.addAll(subtract(List.of(g), map.cmrs().uncovered(g)));
      }
    }
    for (AddressRange m : memory) {
      must.addAll(map.cmrs().uncovered(m));
    }
    for (AddressRange p : pamt) {
      AddressRange in = p.intersect(tdmr);
      if (!in.isEmpty()) {
        must.add(in);
      }
    }
    for (AddressRange g : givenUp) {
      AddressRange in = g.intersect(tdmr);
      if (!in.isEmpty()) {
        must.add(in);
      }
    }
    List<AddressRange> reserved = merge(must);
    // Optional runs (what is left of them) join two reserved neighbours, or stay usable.
    List<AddressRange> joining = new ArrayList<>();
    for (AddressRange o : merge(subtract(merge(optional), reserved))) {
      boolean before = reserved.stream().anyMatch(r -> r.end() == o.start());
      boolean after = reserved.stream().anyMatch(r -> r.start() == o.end());
      if (before && after) {
        joining.add(o);
      }
    }
    reserved.addAll(joining);
    return merge(reserved);
  }

  /** Sorted ranges with touching or overlapping ones joined. */
  static List<AddressRange> merge(List<AddressRange> ranges) {
    List<AddressRange> sorted = new ArrayList<>(ranges.stream().filter(r -> !r.isEmpty()).toList());
    sorted.sort(AddressRange.ORDER);
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : sorted) {
      if (!out.isEmpty() && out.get(out.size() - 1).end() >= r.start()) {
        AddressRange last = out.remove(out.size() - 1);
        out.add(new AddressRange(last.start(), Math.max(last.end(), r.end())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  /** The parts of {@code ranges} outside {@code cut}. */
  static List<AddressRange> subtract(List<AddressRange> ranges, List<AddressRange> cut) {
    List<AddressRange> holesSorted = merge(cut);
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : ranges) {
      long cursor = r.start();
      for (AddressRange h : holesSorted) {
        if (h.end() <= cursor) {
          continue;
        }
        if (h.start() >= r.end()) {
          break;
        }
        if (h.start() > cursor) {
          out.add(new AddressRange(cursor, h.start()));
        }
        cursor = Math.max(cursor, h.end());
      }
      if (cursor < r.end()) {
        out.add(new AddressRange(cursor, r.end()));
      }
    }
    return out;
  }
}
