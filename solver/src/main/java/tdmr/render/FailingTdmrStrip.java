package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The failing TDMR zoomed to the picture's full width, under its row: its memory and holes, every
 * reserved area it asked for with its number (in the order the kernel added them, as {@code tdmr
 * plan} lists them; red beyond the module's limit) and the PAMTs inside it. On its own axis every
 * piece is at least {@link #MIN_PIECE_PX} wide, so each area can carry its number.
 */
final class FailingTdmrStrip {
  /** Narrowest piece of the zoomed axis: room for a two-digit area number. */
  static final double MIN_PIECE_PX = 18;

  private static final double CAPTION_H = 20;
  private static final double MEMORY_H = 18;
  private static final double AREA_H = 20;
  private static final double PAMT_H = 9;

  private final MemoryMap map;
  private final Tdmr tdmr;
  private final List<AddressRange> kernelOrder;
  private final TdxLimits limits;
  private final AddressAxis axis;
  private final List<Long> labels;

  FailingTdmrStrip(
      MemoryMap map, Layout layout, Tdmr tdmr, List<AddressRange> kernelOrder, TdxLimits limits, double width) {
    this.map = map;
    this.tdmr = tdmr;
    this.kernelOrder = List.copyOf(kernelOrder);
    this.limits = limits;
    TreeSet<Long> cuts = new TreeSet<>();
    AddressRange range = tdmr.range();
    cuts.add(range.start());
    cuts.add(range.end());
    for (MemoryBlock b : map.blocks()) {
      addInside(cuts, b.range(), range);
    }
    for (AddressRange r : map.cmrs().cmrs()) {
      addInside(cuts, r, range);
    }
    for (AddressRange r : this.kernelOrder) {
      addInside(cuts, r, range);
    }
    for (Tdmr t : layout.tdmrs()) {
      for (PageSize level : PageSize.values()) {
        PamtRange p = t.pamt().level(level);
        if (LayoutPicture.drawable(p.base(), p.size())) {
          addInside(cuts, p.range(), range);
        }
      }
    }
    this.axis = new AddressAxis(cuts, piece -> false, width, MIN_PIECE_PX);
    TreeSet<Long> edges = new TreeSet<>();
    edges.add(range.start());
    edges.add(range.end());
    for (AddressRange r : this.kernelOrder) {
      addInside(edges, r, range);
    }
    this.labels = LayoutPicture.spacedLabels(edges, a -> axis.x(a));
  }

  private static void addInside(TreeSet<Long> cuts, AddressRange r, AddressRange within) {
    AddressRange in = r.intersect(within);
    if (!in.isEmpty()) {
      cuts.add(in.start());
      cuts.add(in.end());
    }
  }

  /** How tall the strip is drawn, its address labels included. */
  double height() {
    return CAPTION_H + MEMORY_H + 4 + AREA_H + 2 + PAMT_H + LayoutPicture.turnedLabelRoom(labels);
  }

  /** How wide the strip is drawn (its axis can outgrow the overview's when the TDMR has many areas). */
  double width() {
    return axis.width();
  }

  void draw(SvgCanvas c, LayoutPicture picture, Layout layout, double left, double top) {
    int n = kernelOrder.size();
    c.text("zoom-caption", left, top + 13, "start",
        "Zoom on the failing TDMR %s: %s in the order the kernel added them, %d allowed"
            .formatted(tdmr.range(), Count.of(n, "reserved area"), limits.maxReservedPerTdmr()));
    double memoryY = top + CAPTION_H;
    double areaY = memoryY + MEMORY_H + 4;
    double pamtY = areaY + AREA_H + 2;
    c.text("row-label small", left - 10, memoryY + 13, "end", "memory");
    c.text("row-label small", left - 10, areaY + 14, "end", "reserved areas");
    c.text("row-label small", left - 10, pamtY + 8, "end", "PAMT");
    drawMemory(c, picture, left, memoryY);
    drawAreas(c, picture, layout, left, areaY);
    drawPamts(c, layout, left, pamtY);
    double bottom = pamtY + PAMT_H;
    c.rect("zoom-frame", left, memoryY - 2, axis.width(), bottom - memoryY + 4, "");
    for (long a : labels) {
      double ax = left + axis.x(a);
      c.line("tick", ax, bottom, ax, bottom + 5);
      c.rotatedText("hex boundary-label", ax - 2, bottom + 12, 45, LayoutPicture.hex(a),
          "zoom on TDMR %s: address %s".formatted(tdmr.range(), LayoutPicture.hex(a)));
    }
  }

  private void drawMemory(SvgCanvas c, LayoutPicture picture, double left, double y) {
    AddressRange range = tdmr.range();
    long cursor = range.start();
    for (MemoryBlock b : map.blocks()) {
      AddressRange in = b.range().intersect(range);
      if (in.isEmpty()) {
        continue;
      }
      if (in.start() > cursor) {
        AddressRange hole = new AddressRange(cursor, in.start());
        picture.drawHole(c, hole, left + axis.x(hole.start()), left + axis.x(hole.end()), y, MEMORY_H);
      }
      double x0 = left + axis.x(in.start());
      picture.drawBlock(c, new MemoryBlock(in, b.node()), x0, left + axis.x(in.end()) - x0, y, MEMORY_H);
      cursor = in.end();
    }
    if (cursor < range.end()) {
      AddressRange hole = new AddressRange(cursor, range.end());
      picture.drawHole(c, hole, left + axis.x(hole.start()), left + axis.x(hole.end()), y, MEMORY_H);
    }
  }

  private void drawAreas(SvgCanvas c, LayoutPicture picture, Layout layout, double left, double y) {
    LabelLine numbers = new LabelLine();
    for (int k = 0; k < kernelOrder.size(); k++) {
      AddressRange area = kernelOrder.get(k);
      int number = k + 1;
      boolean over = number > limits.maxReservedPerTdmr();
      double x0 = left + axis.x(area.start());
      double x1 = left + axis.x(area.end());
      c.rect(over ? "reserved over-limit" : "reserved", x0, y, x1 - x0, AREA_H,
          "reserved area %d of TDMR %s: %s, %s%s%s"
              .formatted(number, tdmr.range(), area, ByteSize.human(area.size()), picture.contents(area, layout),
                  over ? "; beyond the module's %d slots".formatted(limits.maxReservedPerTdmr()) : ""));
      String text = String.valueOf(number);
      double w = SvgCanvas.textWidth(text, 10, true) + 2;
      double cx = (x0 + x1) / 2;
      if (w <= x1 - x0 && numbers.place(cx - w / 2, cx + w / 2)) {
        c.text("area-number", cx, y + 14, "middle", text);
      }
    }
  }

  private void drawPamts(SvgCanvas c, Layout layout, double left, double y) {
    for (int i = 0; i < layout.tdmrs().size(); i++) {
      for (PageSize level : PageSize.values()) {
        PamtRange p = layout.tdmrs().get(i).pamt().level(level);
        if (!LayoutPicture.drawable(p.base(), p.size()) || p.size() == 0) {
          continue;
        }
        AddressRange in = p.range().intersect(tdmr.range());
        if (in.isEmpty()) {
          continue;
        }
        double x0 = left + axis.x(in.start());
        c.rect("pamt", x0, y, left + axis.x(in.end()) - x0, PAMT_H,
            "PAMT %s of TDMR %d: %s, %s".formatted(level.label(), i, p, ByteSize.human(p.size())));
      }
    }
  }
}
