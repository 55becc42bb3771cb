package tdmr.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * A picture of a memory map and of zero or more layouts of it, one row above the other on one
 * shared address axis: memory blocks coloured by NUMA node, holes, CMRs, then per layout its TDMRs
 * (boundaries labelled in hex), reserved areas and PAMTs, or the failing TDMR with the kernel's
 * message and a zoomed strip of it ({@link FailingTdmrStrip}). Long plain runs of address space
 * are shortened at visible break marks, address space with neither memory nor a TDMR is drawn as a
 * narrow gap ({@link AddressAxis}), and the picture says how much was left out. Every label is
 * placed where it overlaps no other ({@link LabelLine}) or left out, and the picture is as tall and
 * wide as what it draws, legend included.
 */
public final class LayoutPicture {
  private static final double MIN_LEFT = 190;
  private static final double RIGHT = 110;
  private static final double AXIS_WIDTH = 1100;
  private static final double PAD = 12;

  private static final double HEX_PX = 10;
  private static final double NOTE_PX = 12;
  /**
   * Labels are turned 45°: two parallel labels whose anchors are {@code d} apart are {@code d ·
   * sin 45°} apart across their lines, which must be at least the 12 px a 10 px line is tall.
   */
  static final double ROTATED_LABEL_SPACING = 18;

  private static final double MEMORY_H = 24;
  private static final double CMR_H = 14;
  private static final double TDMR_H = 32;
  private static final int MAX_NOTES = 6;
  /** Half the width of a break mark's slanted cut. */
  private static final double BREAK_HALF_WIDTH = 7;

  private final MemoryMap map;
  private final List<LabelledLayout> rows;
  private final TdxLimits limits;
  private final AddressAxis axis;
  private final double left;
  /** Width of the widest axis: the overview's, or a zoomed strip's when its TDMR has many areas. */
  private final double contentWidth;

  public LayoutPicture(MemoryMap map, List<LabelledLayout> rows, TdxLimits limits) {
    this.map = map;
    this.rows = List.copyOf(rows);
    this.limits = limits;
    this.axis = new AddressAxis(cutPoints(map, this.rows), this::isGap, AXIS_WIDTH, AddressAxis.MIN_PIECE_PX);
    double widestLabel = 0;
    for (LabelledLayout row : this.rows) {
      widestLabel = Math.max(widestLabel, SvgCanvas.textWidth(row.label(), 12, true));
    }
    this.left = Math.max(MIN_LEFT, PAD + widestLabel + 10);
    double widest = axis.width();
    for (LabelledLayout row : this.rows) {
      Optional<FailingTdmrStrip> strip = strip(row);
      if (strip.isPresent()) {
        widest = Math.max(widest, strip.get().width());
      }
    }
    this.contentWidth = widest;
  }

  /** The zoomed strip of the row's failing TDMR, when the row has the TDMRs as built. */
  private Optional<FailingTdmrStrip> strip(LabelledLayout row) {
    return failingTdmr(row).map(
        t -> new FailingTdmrStrip(map, row.layout().orElseThrow(), t, kernelOrder(row, t), limits, axis.width()));
  }

  MemoryMap map() {
    return map;
  }

  List<LabelledLayout> rows() {
    return rows;
  }

  TdxLimits limits() {
    return limits;
  }

  /** A standalone SVG document. */
  public String svg() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svgElement();
  }

  /** The input's file name without its directories (the full path is in the HTML page's title). */
  String shortSource() {
    String s = map.source();
    int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    return slash >= 0 && slash < s.length() - 1 ? s.substring(slash + 1) : s;
  }

  /** One line saying how the map looks: blocks, nodes, CMRs and their totals. */
  public String summary() {
    return "%s on %s, %s of TDX memory; %s, %s convertible"
        .formatted(
            Count.of(map.blocks().size(), "memory block"),
            Count.of(map.nodes().size(), "NUMA node"),
            ByteSize.human(map.totalBytes()),
            Count.of(map.cmrs().cmrs().size(), "CMR"),
            ByteSize.human(map.cmrs().totalBytes()));
  }

  /** What is not to scale in the picture, in one sentence. */
  public String scaleNote() {
    List<String> parts = new ArrayList<>();
    if (!axis.breaks().isEmpty()) {
      parts.add("≈ %s of plain address space compressed at %s (//)"
          .formatted(approx(axis.compressedBytes()), Count.of(axis.breaks().size(), "break mark")));
    }
    if (!axis.gaps().isEmpty()) {
      parts.add("%s of address space with neither TDX memory nor a TDMR drawn as %s %.0f px wide"
          .formatted(approx(axis.gapBytes()), axis.gaps().size() == 1 ? "a gap" : "gaps", AddressAxis.GAP_PX));
    }
    if (axis.widenedPieces() > 0) {
      parts.add("%s too small to see %s widened to %.0f px"
          .formatted(Count.of(axis.widenedPieces(), "range"), axis.widenedPieces() == 1 ? "is" : "are",
              AddressAxis.MIN_PIECE_PX));
    }
    boolean toScale = axis.breaks().isEmpty() && axis.gaps().isEmpty();
    return (toScale ? "Drawn to scale" : "Not to scale: ")
        + (toScale && !parts.isEmpty() ? "; " : "")
        + String.join("; ", parts)
        + ".";
  }

  /** The picture's width in pixels, as drawn (its {@code viewBox}). */
  double width() {
    return left + contentWidth + RIGHT;
  }

  private double x(long address) {
    return left + axis.x(address);
  }

  /** The {@code <svg>} element, for embedding in HTML. */
  String svgElement() {
    double width = width();
    SvgCanvas c = new SvgCanvas();
    double y = 24;
    List<String> header = new ArrayList<>();
    header.addAll(fold(summary(), width - 2 * PAD, 13, false));
    header.addAll(fold(scaleNote(), width - 2 * PAD, 13, false));
    StringBuilder body = new StringBuilder();
    SvgCanvas b = new SvgCanvas();
    b.text("title", PAD, y, "start", "Memory layout of " + shortSource());
    y += 20;
    for (int i = 0; i < header.size(); i++) {
      b.text(i == 0 ? "summary" : "summary scale-note", PAD, y, "start", header.get(i));
      y += 18;
    }
    OverviewBands bands = new OverviewBands(y);
    drawAxis(b, bands);
    drawMemory(b, bands.memoryY);
    drawCmrs(b, bands.cmrY);
    y = bands.firstRowY;
    List<double[]> rowBands = new ArrayList<>();
    for (LabelledLayout row : rows) {
      rowBands.add(new double[] {y + 20, y + 22 + TDMR_H + 2});
      y = drawRow(b, row, y);
    }
    drawBreaksAndGaps(b, bands, rowBands);
    Legend legend = new Legend(map.nodes(), rows.stream().anyMatch(r -> r.failure().isPresent()), width - 2 * PAD,
        "Point at any shape for its exact range and size. Addresses are half-open [start, end), in hex.");
    legend.draw(b, PAD, y + 10);
    double height = y + 10 + legend.height() + PAD;
    body.append(b);

    c.raw(
        ("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tdmr-picture\" width=\"%s\" height=\"%s\""
                + " viewBox=\"0 0 %s %s\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n")
            .formatted(SvgCanvas.num(width), SvgCanvas.num(height), SvgCanvas.num(width), SvgCanvas.num(height)));
    c.raw(STYLE.replace("/*NODES*/", NodePalette.styleRules(map.nodes())));
    c.rect("background", 0, 0, width, height, "");
    c.raw(body.toString());
    c.raw("</svg>\n");
    return c.toString();
  }

  /**
   * The heights of the overview above the rows: room for the axis's turned labels, the axis, the
   * break labels under it, the memory band and the CMR band.
   */
  private final class OverviewBands {
    final double axisY;
    final double memoryY;
    final double cmrY;
    final double firstRowY;
    final List<Long> axisLabels;

    OverviewBands(double headerBottom) {
      axisLabels = axisLabelAddresses();
      double longest = axisLabels.stream().mapToDouble(a -> SvgCanvas.monoWidth(hex(a), HEX_PX)).max().orElse(0);
      axisY = headerBottom + longest * Math.sqrt(0.5) + 22;
      memoryY = axisY + 20;
      cmrY = memoryY + MEMORY_H + 6;
      firstRowY = cmrY + CMR_H + 14;
    }
  }

  // ---- the overview: axis, memory, CMRs ----

  /** Block and CMR boundaries worth labelling above the axis, most-aligned first, without overlaps. */
  private List<Long> axisLabelAddresses() {
    TreeSet<Long> candidates = new TreeSet<>();
    for (MemoryBlock b : map.blocks()) {
      candidates.add(b.start());
      candidates.add(b.end());
    }
    for (AddressRange r : map.cmrs().cmrs()) {
      candidates.add(r.start());
      candidates.add(r.end());
    }
    candidates.add(axis.start());
    candidates.add(axis.end());
    return spacedLabels(candidates, this::x);
  }

  private void drawAxis(SvgCanvas c, OverviewBands bands) {
    c.line("axis", x(axis.start()), bands.axisY, x(axis.end()), bands.axisY);
    for (long a : bands.axisLabels) {
      c.line("tick", x(a), bands.axisY - 4, x(a), bands.axisY);
      c.rotatedText("hex axis-label", x(a) + 2, bands.axisY - 7, -45, hex(a), "address " + hex(a));
    }
  }

  private void drawMemory(SvgCanvas c, double memoryY) {
    c.text("row-label", left - 10, memoryY + 16, "end", "TDX memory");
    long cursor = axis.start();
    for (MemoryBlock b : map.blocks()) {
      if (b.start() > cursor) {
        AddressRange hole = new AddressRange(cursor, b.start());
        drawHole(c, hole, x(hole.start()), x(hole.end()), memoryY, MEMORY_H);
      }
      double x0 = x(b.start());
      double w = x(b.end()) - x0;
      drawBlock(c, b, x0, w, memoryY, MEMORY_H, unbroken(x0, x0 + w));
      cursor = b.end();
    }
    if (cursor < axis.end()) {
      AddressRange hole = new AddressRange(cursor, axis.end());
      drawHole(c, hole, x(hole.start()), x(hole.end()), memoryY, MEMORY_H);
    }
  }

  /** A memory block in its node's colour, with the node's number in it when it fits. */
  void drawBlock(SvgCanvas c, MemoryBlock b, double x0, double w, double y, double h) {
    drawBlock(c, b, x0, w, y, h, List.of(new double[] {x0, x0 + w}));
  }

  private void drawBlock(SvgCanvas c, MemoryBlock b, double x0, double w, double y, double h, List<double[]> room) {
    c.rect("block " + NodePalette.cssClass(b.node()), x0, y, w, h,
        "memory block %s, %s, NUMA node %d".formatted(b.range(), ByteSize.human(b.size()), b.node()));
    double[] widest = room.stream().max(Comparator.comparingDouble(r -> r[1] - r[0])).orElseThrow();
    for (String text : List.of("node " + b.node(), String.valueOf(b.node()))) {
      if (SvgCanvas.textWidth(text, 11, false) + 6 <= widest[1] - widest[0]) {
        c.text("in-label", (widest[0] + widest[1]) / 2, y + h / 2 + 4, "middle", text);
        break;
      }
    }
  }

  /**
   * The parts of {@code [x0, x1)} that no break mark crosses, left to right: where a label inside a
   * shape can go without a break mark drawn through it.
   */
  private List<double[]> unbroken(double x0, double x1) {
    List<double[]> spans = new ArrayList<>();
    double from = x0;
    for (AddressAxis.Break b : axis.breaks()) {
      double cx = left + (b.x0() + b.x1()) / 2;
      if (cx + BREAK_HALF_WIDTH <= from || cx - BREAK_HALF_WIDTH >= x1) {
        continue;
      }
      if (cx - BREAK_HALF_WIDTH > from) {
        spans.add(new double[] {from, cx - BREAK_HALF_WIDTH});
      }
      from = Math.max(from, cx + BREAK_HALF_WIDTH);
    }
    if (from < x1) {
      spans.add(new double[] {from, x1});
    }
    if (spans.isEmpty()) {
      spans.add(new double[] {x0, x0});
    }
    return spans;
  }

  /** A hole between memory blocks, with its e820 types and whether the module needs it reserved. */
  void drawHole(SvgCanvas c, AddressRange hole, double x0, double x1, double y, double h) {
    StringBuilder d = new StringBuilder("hole %s, %s: not TDX memory".formatted(hole, ByteSize.human(hole.size())));
    if (!map.firmwareMap().isEmpty()) {
      d.append("; e820 at start: ").append(map.firmwareTypeAt(hole.start()));
    }
    List<AddressRange> outside = map.cmrs().uncovered(hole);
    long outsideBytes = outside.stream().mapToLong(AddressRange::size).sum();
    if (outsideBytes == 0) {
      d.append("; convertible (inside a CMR), so the module does not need it reserved (rule E1)");
    } else if (outsideBytes == hole.size()) {
      d.append("; not convertible (in no CMR): a TDMR over it must reserve it (rule E1)");
    } else {
      d.append("; partly convertible: %s in no CMR".formatted(ByteSize.human(outsideBytes)));
    }
    c.rect("hole", x0, y, x1 - x0, h, d.toString());
  }

  private void drawCmrs(SvgCanvas c, double cmrY) {
    c.text("row-label", left - 10, cmrY + 11, "end", "CMRs");
    List<AddressRange> cmrs = map.cmrs().cmrs();
    for (int k = 0; k < cmrs.size(); k++) {
      AddressRange r = cmrs.get(k);
      c.rect("cmr", x(r.start()), cmrY, x(r.end()) - x(r.start()), CMR_H,
          "CMR %d %s, %s".formatted(k, r, ByteSize.human(r.size())));
    }
  }

  // ---- one row per layout ----

  /** Draws one row from {@code top}; returns where the next row starts. */
  private double drawRow(SvgCanvas c, LabelledLayout row, double top) {
    double tdmrY = top + 22;
    double textWidth = width() - left - PAD;
    c.text("row-title", PAD, top + 14, "start", row.label() + ": " + rowSummary(row));
    c.text("row-label", left - 10, tdmrY + 20, "end", row.label());
    c.line("row-base", x(axis.start()), tdmrY + TDMR_H, x(axis.end()), tdmrY + TDMR_H);
    TreeSet<Long> boundaries = new TreeSet<>();
    Optional<Tdmr> failing = failingTdmr(row);
    if (row.layout().isPresent()) {
      drawLayout(c, row, row.layout().get(), tdmrY, boundaries);
    }
    if (row.failure().isPresent() && row.failedTdmr().isPresent()) {
      AddressRange f = row.failedTdmr().get();
      // Over a drawn TDMR the outline only marks it: pointing at it reaches the areas below.
      c.rect(failing.isPresent() ? "failure passive" : "failure", x(f.start()), tdmrY, x(f.end()) - x(f.start()),
          TDMR_H, failing.isPresent() ? "" : "the kernel fails here: " + row.failure().get());
      boundaries.add(f.start());
      boundaries.add(f.end());
    }
    List<Long> labels = spacedLabels(boundaries, this::x);
    for (long a : labels) {
      c.line("tick", x(a), tdmrY + TDMR_H, x(a), tdmrY + TDMR_H + 5);
      c.rotatedText("hex boundary-label", x(a) - 2, tdmrY + TDMR_H + 12, 45, hex(a),
          row.label() + ": TDMR boundary " + hex(a));
    }
    double y = tdmrY + TDMR_H + turnedLabelRoom(labels) + 4;
    for (String line : failureLines(row, textWidth)) {
      y += 14;
      c.text("failure-text", left, y, "start", line);
      y += 4;
    }
    Optional<FailingTdmrStrip> strip = strip(row);
    if (strip.isPresent()) {
      strip.get().draw(c, this, row.layout().orElseThrow(), left, y + 8);
      y += 8 + strip.get().height();
    }
    for (String note : pictureNotes(row, textWidth)) {
      y += 15;
      c.text("note", left, y, "start", note);
    }
    return y + 16;
  }

  /** The drawn TDMR the row's failure names, when the row has the TDMRs as built. */
  private static Optional<Tdmr> failingTdmr(LabelledLayout row) {
    if (row.failure().isEmpty() || row.failedTdmr().isEmpty() || row.layout().isEmpty()) {
      return Optional.empty();
    }
    AddressRange f = row.failedTdmr().get();
    return row.layout().get().tdmrs().stream()
        .filter(t -> drawable(t.base(), t.size()) && t.range().equals(f) && t.pamt().totalBytes() > 0)
        .findFirst();
  }

  /** The failing TDMR's reserved areas in the kernel's order when known, else by address. */
  private static List<AddressRange> kernelOrder(LabelledLayout row, Tdmr failing) {
    return row.failedTdmrAreas().isEmpty() ? failing.reservedRanges() : row.failedTdmrAreas();
  }

  /** Height taken by labels turned 45° under a line: their longest run across. */
  static double turnedLabelRoom(List<Long> labels) {
    double longest = labels.stream().mapToDouble(a -> SvgCanvas.monoWidth(hex(a), HEX_PX)).max().orElse(0);
    return labels.isEmpty() ? 6 : longest * Math.sqrt(0.5) + 22;
  }

  private void drawLayout(SvgCanvas c, LabelledLayout row, Layout layout, double y, TreeSet<Long> boundaries) {
    List<Tdmr> tdmrs = layout.tdmrs();
    Optional<Tdmr> failing = failingTdmr(row);
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      if (!drawable(t.base(), t.size())) {
        continue;
      }
      boolean over = t.reservedCount() > limits.maxReservedPerTdmr();
      String detail = tdmrDetail(row.label(), i, t);
      if (failing.isPresent() && failing.get() == t) {
        detail += "; the kernel fails here: " + row.failure().orElseThrow();
      }
      c.rect("tdmr " + (i % 2 == 0 ? "even" : "odd") + (over ? " over-limit" : ""), x(t.base()), y,
          x(t.end()) - x(t.base()), TDMR_H, detail);
      boundaries.add(t.base());
      boundaries.add(t.end());
    }
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      if (drawable(t.base(), t.size())) {
        List<AddressRange> order = failing.isPresent() && failing.get() == t ? kernelOrder(row, t) : t.reservedRanges();
        drawReservedAreas(c, layout, i, t, order, y);
      }
    }
    for (int i = 0; i < tdmrs.size(); i++) {
      for (PageSize level : PageSize.values()) {
        PamtRange p = tdmrs.get(i).pamt().level(level);
        if (!drawable(p.base(), p.size()) || p.size() == 0) {
          continue;
        }
        c.rect("pamt", x(p.base()), y + TDMR_H * 0.55, x(p.end()) - x(p.base()), TDMR_H * 0.45,
            "PAMT %s of TDMR %d: %s, %s".formatted(level.label(), i, p, ByteSize.human(p.size())));
      }
    }
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      if (drawable(t.base(), t.size())) {
        drawTdmrLabels(c, i, t, y, failing.isPresent() && failing.get() == t);
      }
    }
  }

  /**
   * The reserved areas of TDMR {@code i}; an area is over the limit when the kernel added it after
   * the module's last slot ({@code order} is the kernel's order for the failing TDMR, else by address).
   */
  private void drawReservedAreas(SvgCanvas c, Layout layout, int i, Tdmr t, List<AddressRange> order, double y) {
    int slot = 0;
    for (ReservedArea r : t.reserved()) {
      slot++;
      if (r.isNull() || !drawable(t.base(), r.offset()) || !drawable(t.base() + r.offset(), r.size())) {
        continue;
      }
      AddressRange abs = AddressRange.ofSize(t.base() + r.offset(), r.size());
      int number = order.indexOf(abs) + 1;
      number = number == 0 ? slot : number;
      boolean over = number > limits.maxReservedPerTdmr();
      c.rect(over ? "reserved over-limit" : "reserved", x(abs.start()), y, x(abs.end()) - x(abs.start()),
          TDMR_H * 0.55,
          "TDMR %d reserved area %d: %s, %s (offset 0x%x, size 0x%x)%s%s"
              .formatted(i, number, abs, ByteSize.human(abs.size()), r.offset(), r.size(), contents(abs, layout),
                  over ? "; beyond the module's %d slots".formatted(limits.maxReservedPerTdmr()) : ""));
    }
  }

  /**
   * "TDMR i" at the left of a TDMR, "n/m reserved" at its right and ✗ between, each only where it
   * fits and no break mark crosses it.
   */
  private void drawTdmrLabels(SvgCanvas c, int i, Tdmr t, double y, boolean failing) {
    List<double[]> room = unbroken(x(t.base()), x(t.end()));
    double[] first = room.get(0);
    String name = "TDMR " + i;
    String count = "%d/%d reserved".formatted(t.reservedCount(), limits.maxReservedPerTdmr());
    double nameW = SvgCanvas.textWidth(name, 11, false) + 8;
    double countW = SvgCanvas.textWidth(count, 10, false) + 8;
    boolean showName = nameW <= first[1] - first[0];
    // The count goes where there is most room left: after the name, or in a later unbroken part.
    double[] countRoom = first;
    double countFrom = first[0] + nameW;
    for (double[] r : room.subList(1, room.size())) {
      if (r[1] - r[0] > countRoom[1] - countFrom) {
        countRoom = r;
        countFrom = r[0];
      }
    }
    boolean showCount = showName && t.pamt().totalBytes() > 0 && countW <= countRoom[1] - countFrom;
    if (showName) {
      c.text("in-label", first[0] + 4, y + 13, "start", name);
    }
    if (showCount) {
      c.text("in-label small", countRoom[1] - 4, y + 13, "end", count);
    }
    if (failing && room.size() == 1) {
      double free0 = first[0] + (showName ? nameW : 0);
      double free1 = first[1] - (showCount ? countW : 0);
      if (free1 - free0 >= 48) {
        c.text("failure-mark", (free0 + free1) / 2, y + 21, "middle", "✗");
      }
    }
  }

  /** What a reserved area covers: holes (no TDX memory) and the PAMTs that sit in it. */
  String contents(AddressRange area, Layout layout) {
    List<String> parts = new ArrayList<>();
    long memory = 0;
    for (MemoryBlock b : map.blocks()) {
      memory += b.range().intersect(area).size();
    }
    if (memory < area.size()) {
      parts.add(ByteSize.human(area.size() - memory) + " of holes");
    }
    for (int i = 0; i < layout.tdmrs().size(); i++) {
      Tdmr t = layout.tdmrs().get(i);
      for (PageSize level : PageSize.values()) {
        PamtRange p = t.pamt().level(level);
        if (drawable(p.base(), p.size()) && p.range().overlaps(area)) {
          parts.add("PAMT " + level.label() + " of TDMR " + i);
        }
      }
    }
    return parts.isEmpty() ? "" : "; covers " + String.join(", ", parts);
  }

  private String tdmrDetail(String label, int i, Tdmr t) {
    if (t.pamt().totalBytes() == 0) {
      return "%s: TDMR %d %s, %s; no PAMT yet (the construction stopped before placing PAMTs)"
          .formatted(label, i, t.range(), ByteSize.human(t.size()));
    }
    return "%s: TDMR %d %s, %s; %d of %d reserved areas; PAMT %s (4K %s, 2M %s, 1G %s)"
        .formatted(
            label,
            i,
            t.range(),
            ByteSize.human(t.size()),
            t.reservedCount(),
            limits.maxReservedPerTdmr(),
            ByteSize.human(t.pamt().totalBytes()),
            t.pamt().fourK(),
            t.pamt().twoM(),
            t.pamt().oneG());
  }

  private String rowSummary(LabelledLayout row) {
    if (row.layout().isEmpty()) {
      return "no layout";
    }
    Layout l = row.layout().get();
    if (row.failure().isPresent()) {
      boolean areasKnown = l.tdmrs().stream().anyMatch(t -> t.pamt().totalBytes() > 0);
      return areasKnown
          ? "%s built before the failure, up to %s in one TDMR (limit %d)"
              .formatted(Count.of(l.size(), "TDMR"), Count.of(l.maxReservedPerTdmr(), "reserved area"),
                  limits.maxReservedPerTdmr())
          : "%s built before the failure (limit %d), before any PAMT or reserved area"
              .formatted(Count.of(l.size(), "TDMR"), limits.maxTdmrs());
    }
    return "%s (limit %d), %s (at most %d in one TDMR, limit %d), PAMT %s (%d KiB)"
        .formatted(
            Count.of(l.size(), "TDMR"),
            limits.maxTdmrs(),
            Count.of(l.reservedAreaCount(), "reserved area"),
            l.maxReservedPerTdmr(),
            limits.maxReservedPerTdmr(),
            ByteSize.human(l.pamtBytes()),
            l.pamtBytes() / 1024);
  }

  /** The failure message, folded to the width of the picture. */
  private static List<String> failureLines(LabelledLayout row, double width) {
    return row.failure().map(f -> fold("✗ " + f, width, 13, true)).orElse(List.of());
  }

  /**
   * The note lines drawn under a row: sentences only (indented table rows stay in the HTML page),
   * folded to the picture's width, at most {@link #MAX_NOTES} lines.
   */
  private static List<String> pictureNotes(LabelledLayout row, double width) {
    List<String> lines = new ArrayList<>();
    for (String n : row.notes()) {
      if (n.startsWith(" ")) {
        continue;
      }
      lines.addAll(fold(n.endsWith(":") ? n.substring(0, n.length() - 1) + "." : n, width, NOTE_PX, false));
    }
    if (lines.size() > MAX_NOTES) {
      List<String> kept = new ArrayList<>(lines.subList(0, MAX_NOTES - 1));
      kept.add("(%s more in the HTML page and in `tdmr plan`)".formatted(Count.of(lines.size() - MAX_NOTES + 1, "line")));
      return kept;
    }
    return lines;
  }

  /** {@code text} cut at spaces into lines no wider than {@code width} pixels, continuations indented. */
  static List<String> fold(String text, double width, double fontPx, boolean bold) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (SvgCanvas.textWidth(rest, fontPx, bold) > width) {
      int cut = rest.length();
      while (cut > 0 && SvgCanvas.textWidth(rest.substring(0, cut), fontPx, bold) > width) {
        cut = lastBreak(rest, cut - 1);
      }
      if (cut <= 3) {
        // One word wider than the line: cut it where it fits.
        cut = 1;
        while (cut < rest.length() && SvgCanvas.textWidth(rest.substring(0, cut + 1), fontPx, bold) <= width) {
          cut++;
        }
      }
      lines.add(rest.substring(0, cut));
      rest = "   " + rest.substring(cut).strip();
    }
    lines.add(rest);
    return lines;
  }

  /** The last space at or before {@code from} that a line may break at: not one between a number and its unit. */
  private static int lastBreak(String text, int from) {
    int at = text.lastIndexOf(' ', from);
    while (at > 0 && ByteSize.unitAt(text, at + 1)) {
      at = text.lastIndexOf(' ', at - 1);
    }
    return at;
  }

  // ---- breaks and gaps ----

  /** Break marks: a slanted white cut through every band, so a shortened run reads as interrupted. */
  private void drawBreaksAndGaps(SvgCanvas c, OverviewBands bands, List<double[]> rowBands) {
    List<double[]> all = new ArrayList<>();
    all.add(new double[] {bands.memoryY - 2, bands.memoryY + MEMORY_H + 2});
    all.add(new double[] {bands.cmrY - 2, bands.cmrY + CMR_H + 2});
    all.addAll(rowBands);
    LabelLine breakLabels = new LabelLine();
    for (AddressAxis.Break b : axis.breaks()) {
      double cx = left + (b.x0() + b.x1()) / 2;
      String detail = "%s, %s, drawn shortened".formatted(b.range(), ByteSize.human(b.range().size()));
      String label = "// ≈ " + approx(b.range().size());
      double w = SvgCanvas.textWidth(label, 10, false) + 6;
      if (breakLabels.place(cx - w / 2, cx + w / 2)) {
        c.text("break-label", cx, bands.axisY + 13, "middle", label);
      }
      for (double[] band : all) {
        c.polygon("break", detail, cx - 6, band[0], cx, band[0], cx + 6, band[1], cx, band[1]);
      }
    }
    for (AddressRange run : gapRuns()) {
      double x0 = x(run.start());
      double x1 = x(run.end());
      String detail = "%s, %s: neither TDX memory nor a TDMR; drawn %.0f px wide whatever its size"
          .formatted(run, approx(run.size()), x1 - x0);
      c.rect("gap-mark", x0, bands.axisY - 3, x1 - x0, 6, detail);
    }
  }

  /** Runs of consecutive gaps, each marked once on the axis. */
  private List<AddressRange> gapRuns() {
    List<AddressRange> runs = new ArrayList<>();
    for (AddressAxis.Gap g : axis.gaps()) {
      AddressRange r = g.range();
      if (!runs.isEmpty() && runs.get(runs.size() - 1).end() == r.start()) {
        runs.set(runs.size() - 1, new AddressRange(runs.get(runs.size() - 1).start(), r.end()));
      } else {
        runs.add(r);
      }
    }
    return runs;
  }

  // ---- geometry helpers ----

  /**
   * Of {@code addresses}, those whose 45°-turned labels do not overlap: the most-aligned first (1
   * GiB TDMR boundaries win over 4 KiB hole edges), then any label that leaves room for the ones
   * placed, in address order.
   */
  static List<Long> spacedLabels(TreeSet<Long> addresses, java.util.function.LongToDoubleFunction x) {
    List<Long> byAlignment = new ArrayList<>(addresses);
    byAlignment.sort(
        Comparator.comparingInt((Long a) -> a == 0 ? 64 : Long.numberOfTrailingZeros(a)).reversed()
            .thenComparingLong(a -> a));
    LabelLine line = new LabelLine();
    List<Long> out = new ArrayList<>();
    double half = ROTATED_LABEL_SPACING / 2;
    for (long a : byAlignment) {
      double ax = x.applyAsDouble(a);
      if (line.place(ax - half, ax + half)) {
        out.add(a);
      }
    }
    out.sort(Long::compare);
    return out;
  }

  static boolean drawable(long base, long size) {
    return base >= 0 && size >= 0 && base <= Long.MAX_VALUE - size;
  }

  /** True when no memory block and no TDMR of any row overlaps {@code piece}. */
  private boolean isGap(AddressRange piece) {
    for (MemoryBlock b : map.blocks()) {
      if (b.range().overlaps(piece)) {
        return false;
      }
    }
    for (LabelledLayout row : rows) {
      if (row.failedTdmr().map(f -> f.overlaps(piece)).orElse(false)) {
        return false;
      }
      for (Tdmr t : row.layout().map(Layout::tdmrs).orElse(List.of())) {
        if (drawable(t.base(), t.size()) && t.range().overlaps(piece)) {
          return false;
        }
      }
    }
    return true;
  }

  private static TreeSet<Long> cutPoints(MemoryMap map, List<LabelledLayout> rows) {
    TreeSet<Long> cuts = new TreeSet<>();
    for (MemoryBlock b : map.blocks()) {
      cuts.add(b.start());
      cuts.add(b.end());
    }
    for (AddressRange r : map.cmrs().cmrs()) {
      cuts.add(r.start());
      cuts.add(r.end());
    }
    for (LabelledLayout row : rows) {
      row.failedTdmr().ifPresent(r -> {
        cuts.add(r.start());
        cuts.add(r.end());
      });
      if (row.layout().isEmpty()) {
        continue;
      }
      for (Tdmr t : row.layout().get().tdmrs()) {
        if (!drawable(t.base(), t.size())) {
          continue;
        }
        cuts.add(t.base());
        cuts.add(t.end());
        for (ReservedArea r : t.reserved()) {
          if (!r.isNull() && drawable(t.base(), r.offset()) && drawable(t.base() + r.offset(), r.size())) {
            cuts.add(t.base() + r.offset());
            cuts.add(t.base() + r.offset() + r.size());
          }
        }
        for (PageSize level : PageSize.values()) {
          PamtRange p = t.pamt().level(level);
          if (drawable(p.base(), p.size())) {
            cuts.add(p.base());
            cuts.add(p.end());
          }
        }
      }
    }
    return cuts;
  }

  static String hex(long address) {
    return "0x" + Long.toHexString(address);
  }

  /** A size rounded for a caption: {@code 1018 GiB}, {@code 2.5 GiB}, {@code 640 KiB}. */
  static String approx(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v >= 10 || u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]).replace(".0 ", " ");
  }

  private static final String STYLE =
      """
      <style>
        .background { fill: #ffffff; }
        .title { font-size: 17px; font-weight: bold; fill: #222; }
        .summary { font-size: 13px; fill: #333; }
        .scale-note { font-style: italic; }
        .axis, .row-base { stroke: #666; stroke-width: 1; }
        .row-base { stroke: #ccc; }
        .tick { stroke: #666; stroke-width: 1; }
        .hex { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 10px; fill: #333; }
        .row-label { font-size: 12px; font-weight: bold; fill: #333; }
        .row-label.small { font-size: 11px; font-weight: normal; }
        .zoom-caption { font-size: 12px; font-weight: bold; fill: #b00000; }
        .row-title { font-size: 13px; font-weight: bold; fill: #222; }
        .block { stroke: #fff; stroke-width: 0.5; }
      /*NODES*/
        .hole { fill: #eeeeee; stroke: #999; stroke-width: 0.5; stroke-dasharray: 2 2; }
        .cmr { fill: #a0cbe8; stroke: #2f6f9f; stroke-width: 1; }
        .tdmr { stroke: #1b3a5c; stroke-width: 1.5; }
        .tdmr.even { fill: #dbe7f3; } .tdmr.odd { fill: #c3d6ea; }
        .tdmr.over-limit { stroke: #d62728; stroke-width: 3; }
        .reserved { fill: #6b6b6b; fill-opacity: 0.65; stroke: #333; stroke-width: 0.5; }
        .reserved.over-limit { fill: #d62728; fill-opacity: 0.8; }
        .pamt { fill: #f28e2b; stroke: #a04c00; stroke-width: 0.5; }
        .failure { fill: #d62728; fill-opacity: 0.2; stroke: #d62728; stroke-width: 3; }
        .failure.passive { fill: none; pointer-events: none; }
        .failure-mark { fill: #d62728; font-size: 18px; font-weight: bold; pointer-events: none; }
        .failure-text { fill: #b00000; font-size: 13px; font-weight: bold; }
        .note { fill: #555; font-size: 12px; }
        .in-label { fill: #111; font-size: 11px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px;
                    pointer-events: none; }
        .in-label.small { font-size: 10px; }
        .area-number { fill: #fff; font-size: 10px; font-weight: bold; pointer-events: none; }
        .break { fill: #ffffff; stroke: #444; stroke-width: 1; }
        .break-label { font-size: 10px; font-style: italic; fill: #444; }
        .gap-mark { fill: #ffffff; stroke: #888; stroke-width: 1; stroke-dasharray: 2 1; }
        .zoom-frame { fill: none; stroke: #d62728; stroke-width: 1; stroke-dasharray: 4 3; }
        .legend { font-size: 12px; fill: #333; }
        .legend-title { font-size: 12px; font-weight: bold; fill: #333; }
        [data-detail]:hover, [data-detail]:focus { stroke: #000; stroke-width: 2; outline: none; }
      </style>
      """;
}
