package tdmr.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
 * message. Long plain runs of address space are shortened at visible break marks ({@link
 * AddressAxis}), and the picture says how much was left out.
 */
public final class LayoutPicture {
  private static final double LEFT = 190;
  private static final double RIGHT = 110;
  private static final double AXIS_WIDTH = 1100;
  /** Labels are turned 45°, so two of them collide only when their anchors are this close. */
  private static final double LABEL_SPACING = 11;

  private static final double AXIS_Y = 148;
  private static final double MEMORY_Y = 168;
  private static final double MEMORY_H = 24;
  private static final double CMR_Y = 198;
  private static final double CMR_H = 14;
  private static final double FIRST_ROW_Y = 226;
  private static final double TDMR_H = 32;
  private static final int MAX_NOTES = 6;
  /** Characters of a note line: about the width of the axis at 12 px. */
  private static final int NOTE_CHARS = 160;

  private final MemoryMap map;
  private final List<LabelledLayout> rows;
  private final TdxLimits limits;
  private final AddressAxis axis;

  public LayoutPicture(MemoryMap map, List<LabelledLayout> rows, TdxLimits limits) {
    this.map = map;
    this.rows = List.copyOf(rows);
    this.limits = limits;
    this.axis = new AddressAxis(cutPoints(map, this.rows), AXIS_WIDTH);
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
    String widened =
        axis.widenedPieces() == 0
            ? ""
            : "; %s too small to see %s widened to %.0f px"
                .formatted(
                    Count.of(axis.widenedPieces(), "range"),
                    axis.widenedPieces() == 1 ? "is" : "are",
                    AddressAxis.MIN_PIECE_PX);
    if (axis.breaks().isEmpty()) {
      return "Drawn to scale" + widened + ".";
    }
    return "Not to scale: ≈ %s of plain address space compressed at %s (//)%s."
        .formatted(approx(axis.compressedBytes()), Count.of(axis.breaks().size(), "break mark"), widened);
  }

  /** The {@code <svg>} element, for embedding in HTML. */
  String svgElement() {
    SvgCanvas c = new SvgCanvas();
    double y = FIRST_ROW_Y;
    List<Double> rowTops = new ArrayList<>();
    for (LabelledLayout row : rows) {
      rowTops.add(y);
      y += rowHeight(row);
    }
    double legendY = y + 10;
    double height = legendY + 60;
    double width = LEFT + axis.width() + RIGHT;

    c.raw(
        ("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tdmr-picture\" width=\"%s\" height=\"%s\""
                + " viewBox=\"0 0 %s %s\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n")
            .formatted(SvgCanvas.num(width), SvgCanvas.num(height), SvgCanvas.num(width), SvgCanvas.num(height)));
    c.raw(STYLE);
    c.rect("background", 0, 0, width, height, "");
    c.text("title", 12, 24, "start", "Memory layout of " + shortSource());
    c.text("summary", 12, 44, "start", summary());
    c.text("scale-note", 12, 62, "start", scaleNote());

    drawAxis(c);
    drawMemory(c);
    drawCmrs(c);
    for (int i = 0; i < rows.size(); i++) {
      drawRow(c, rows.get(i), rowTops.get(i));
    }
    drawBreaks(c, rowTops);
    drawLegend(c, legendY);
    c.raw("</svg>\n");
    return c.toString();
  }

  /**
   * The note lines drawn under a row: sentences only (indented table rows stay in the HTML page),
   * folded at {@link #NOTE_CHARS} characters, at most {@link #MAX_NOTES} lines.
   */
  private static List<String> pictureNotes(LabelledLayout row) {
    List<String> lines = new ArrayList<>();
    for (String n : row.notes()) {
      if (n.startsWith(" ")) {
        continue;
      }
      lines.addAll(fold(n.endsWith(":") ? n.substring(0, n.length() - 1) + "." : n, NOTE_CHARS));
    }
    if (lines.size() > MAX_NOTES) {
      List<String> kept = new ArrayList<>(lines.subList(0, MAX_NOTES - 1));
      kept.add("(%d more lines in the HTML page and in `tdmr plan`)".formatted(lines.size() - MAX_NOTES + 1));
      return kept;
    }
    return lines;
  }

  private double rowHeight(LabelledLayout row) {
    int notes = pictureNotes(row).size();
    return 22 + TDMR_H + labelSpace(row) + failureLines(row).size() * 18 + notes * 15 + 10;
  }

  /** Room under a row for its 45° hex labels; a row without TDMRs needs none. */
  private static double labelSpace(LabelledLayout row) {
    boolean labels = row.failedTdmr().isPresent()
        || row.layout().map(l -> !l.tdmrs().isEmpty()).orElse(false);
    return labels ? 74 : 16;
  }

  /** The failure message, folded to the width of the picture (bold text is wider than notes). */
  private static List<String> failureLines(LabelledLayout row) {
    return row.failure().map(f -> fold("✗ " + f, NOTE_CHARS * 5 / 6)).orElse(List.of());
  }

  /** {@code text} cut at spaces into lines of at most {@code width} characters, continuations indented. */
  private static List<String> fold(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      cut = cut > width / 2 ? cut : width;
      lines.add(rest.substring(0, cut));
      rest = "   " + rest.substring(cut).strip();
    }
    lines.add(rest);
    return lines;
  }

  private double x(long address) {
    return LEFT + axis.x(address);
  }

  // ---- rows ----

  private void drawAxis(SvgCanvas c) {
    c.line("axis", x(axis.start()), AXIS_Y, x(axis.end()), AXIS_Y);
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
    for (long a : placeLabels(candidates)) {
      c.line("tick", x(a), AXIS_Y - 4, x(a), AXIS_Y);
      c.rotatedText("hex axis-label", x(a) + 2, AXIS_Y - 7, -45, hex(a), "address " + hex(a));
    }
  }

  private void drawMemory(SvgCanvas c) {
    c.text("row-label", LEFT - 10, MEMORY_Y + 16, "end", "TDX memory");
    long cursor = axis.start();
    for (MemoryBlock b : map.blocks()) {
      if (b.start() > cursor) {
        drawHole(c, new AddressRange(cursor, b.start()));
      }
      double x0 = x(b.start());
      double w = x(b.end()) - x0;
      c.rect(
          "block node" + (b.node() % 8),
          x0,
          MEMORY_Y,
          w,
          MEMORY_H,
          "memory block %s, %s, NUMA node %d".formatted(b.range(), ByteSize.human(b.size()), b.node()));
      if (w > 48) {
        c.text("in-label", x0 + w / 2, MEMORY_Y + 16, "middle", "node " + b.node());
      }
      cursor = b.end();
    }
    if (cursor < axis.end()) {
      drawHole(c, new AddressRange(cursor, axis.end()));
    }
  }

  private void drawHole(SvgCanvas c, AddressRange hole) {
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
    c.rect("hole", x(hole.start()), MEMORY_Y, x(hole.end()) - x(hole.start()), MEMORY_H, d.toString());
  }

  private void drawCmrs(SvgCanvas c) {
    c.text("row-label", LEFT - 10, CMR_Y + 11, "end", "CMRs");
    List<AddressRange> cmrs = map.cmrs().cmrs();
    for (int k = 0; k < cmrs.size(); k++) {
      AddressRange r = cmrs.get(k);
      c.rect("cmr", x(r.start()), CMR_Y, x(r.end()) - x(r.start()), CMR_H,
          "CMR %d %s, %s".formatted(k, r, ByteSize.human(r.size())));
    }
  }

  private void drawRow(SvgCanvas c, LabelledLayout row, double top) {
    double tdmrY = top + 22;
    c.text("row-title", 12, top + 14, "start", row.label() + ": " + rowSummary(row));
    c.text("row-label", LEFT - 10, tdmrY + 20, "end", row.label());
    c.line("row-base", x(axis.start()), tdmrY + TDMR_H, x(axis.end()), tdmrY + TDMR_H);
    TreeSet<Long> boundaries = new TreeSet<>();
    if (row.layout().isPresent()) {
      drawLayout(c, row.label(), row.layout().get(), tdmrY, boundaries);
    }
    double textY = tdmrY + TDMR_H + labelSpace(row);
    if (row.failure().isPresent()) {
      String message = row.failure().get();
      if (row.failedTdmr().isPresent()) {
        AddressRange f = row.failedTdmr().get();
        double x0 = x(f.start());
        double w = x(f.end()) - x0;
        c.rect("failure", x0, tdmrY, w, TDMR_H, "the kernel fails here: " + message);
        c.text("failure-mark", x0 + w / 2, tdmrY + 21, "middle", "✗");
        boundaries.add(f.start());
        boundaries.add(f.end());
      }
      for (String line : failureLines(row)) {
        c.text("failure-text", LEFT, textY, "start", line);
        textY += 18;
      }
    }
    for (long a : placeLabels(boundaries)) {
      c.line("tick", x(a), tdmrY + TDMR_H, x(a), tdmrY + TDMR_H + 5);
      c.rotatedText("hex boundary-label", x(a) - 2, tdmrY + TDMR_H + 12, 45, hex(a),
          row.label() + ": TDMR boundary " + hex(a));
    }
    for (String note : pictureNotes(row)) {
      c.text("note", LEFT, textY, "start", note);
      textY += 15;
    }
  }

  private void drawLayout(SvgCanvas c, String label, Layout layout, double y, TreeSet<Long> boundaries) {
    List<Tdmr> tdmrs = layout.tdmrs();
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      if (!drawable(t.base(), t.size())) {
        continue;
      }
      boolean over = t.reservedCount() > limits.maxReservedPerTdmr();
      double x0 = x(t.base());
      double w = x(t.end()) - x0;
      c.rect("tdmr " + (i % 2 == 0 ? "even" : "odd") + (over ? " over-limit" : ""), x0, y, w, TDMR_H,
          tdmrDetail(label, i, t));
      boundaries.add(t.base());
      boundaries.add(t.end());
    }
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      if (!drawable(t.base(), t.size())) {
        continue;
      }
      int j = 0;
      for (ReservedArea r : t.reserved()) {
        if (!r.isNull() && drawable(t.base(), r.offset()) && drawable(t.base() + r.offset(), r.size())) {
          AddressRange abs = AddressRange.ofSize(t.base() + r.offset(), r.size());
          boolean over = j >= limits.maxReservedPerTdmr();
          c.rect(over ? "reserved over-limit" : "reserved", x(abs.start()), y, x(abs.end()) - x(abs.start()),
              TDMR_H * 0.55,
              "TDMR %d reserved area %d: %s, %s (offset 0x%x, size 0x%x)%s%s"
                  .formatted(i, j, abs, ByteSize.human(abs.size()), r.offset(), r.size(), contents(abs, layout),
                      over ? "; beyond the module's %d slots".formatted(limits.maxReservedPerTdmr()) : ""));
        }
        j++;
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
      if (!drawable(t.base(), t.size())) {
        continue;
      }
      double w = x(t.end()) - x(t.base());
      if (w > 56) {
        c.text("in-label", x(t.base()) + 4, y + 13, "start", "TDMR " + i);
      }
      if (w > 120) {
        c.text("in-label small", x(t.end()) - 4, y + 13, "end",
            "%d/%d reserved".formatted(t.reservedCount(), limits.maxReservedPerTdmr()));
      }
    }
  }

  /** What a reserved area covers: holes (no TDX memory) and the PAMTs that sit in it. */
  private String contents(AddressRange area, Layout layout) {
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
      return "%s built before the failure, up to %s in one TDMR (limit %d)"
          .formatted(Count.of(l.size(), "TDMR"), Count.of(l.maxReservedPerTdmr(), "reserved area"),
              limits.maxReservedPerTdmr());
    }
    return "%s (limit %d), %s (at most %d in one TDMR, limit %d), PAMT %s (%d KB)"
        .formatted(
            Count.of(l.size(), "TDMR"),
            limits.maxTdmrs(),
            Count.of(l.reservedAreaCount(), "reserved area"),
            l.maxReservedPerTdmr(),
            limits.maxReservedPerTdmr(),
            ByteSize.human(l.pamtBytes()),
            l.pamtBytes() / 1024);
  }

  /** Break marks: a slanted white cut through every row, so a shortened run reads as interrupted. */
  private void drawBreaks(SvgCanvas c, List<Double> rowTops) {
    List<double[]> bands = new ArrayList<>();
    bands.add(new double[] {MEMORY_Y - 2, MEMORY_Y + MEMORY_H + 2});
    bands.add(new double[] {CMR_Y - 2, CMR_Y + CMR_H + 2});
    for (double top : rowTops) {
      bands.add(new double[] {top + 20, top + 22 + TDMR_H + 2});
    }
    for (AddressAxis.Break b : axis.breaks()) {
      double cx = LEFT + (b.x0() + b.x1()) / 2;
      String detail = "%s, %s, drawn shortened".formatted(b.range(), ByteSize.human(b.range().size()));
      c.text("break-label", cx, AXIS_Y + 13, "middle", "// ≈ " + approx(b.range().size()));
      for (double[] band : bands) {
        c.polygon("break", detail, cx - 6, band[0], cx, band[0], cx + 6, band[1], cx, band[1]);
      }
    }
  }

  private void drawLegend(SvgCanvas c, double y) {
    record Key(String cssClass, String text) {}
    List<Key> keys = new ArrayList<>();
    for (int node : map.nodes()) {
      keys.add(new Key("block node" + (node % 8), "memory on NUMA node " + node));
    }
    keys.add(new Key("hole", "hole (no TDX memory)"));
    keys.add(new Key("cmr", "CMR (convertible)"));
    keys.add(new Key("tdmr even", "TDMR"));
    keys.add(new Key("reserved", "reserved area"));
    keys.add(new Key("pamt", "PAMT"));
    if (rows.stream().anyMatch(r -> r.failure().isPresent())) {
      keys.add(new Key("failure", "where it fails"));
    }
    c.text("legend-title", 12, y + 14, "start", "Legend");
    double lx = 80;
    double ly = y;
    for (Key k : keys) {
      double w = 24 + 7.0 * k.text().length() + 18;
      if (lx + w > LEFT + axis.width() + RIGHT - 10) {
        lx = 80;
        ly += 22;
      }
      c.rect("swatch " + k.cssClass(), lx, ly + 3, 18, 14, "");
      c.text("legend", lx + 24, ly + 14, "start", k.text());
      lx += w;
    }
    c.text("legend", 12, ly + 40, "start",
        "Point at any shape for its exact range and size. Addresses are half-open [start, end), in hex.");
  }

  // ---- geometry helpers ----

  private List<Long> placeLabels(TreeSet<Long> addresses) {
    // Most-aligned addresses first (1 GiB TDMR boundaries win over 4 KiB hole edges), then any
    // label that does not collide with one already placed.
    List<Long> byAlignment = new ArrayList<>(addresses);
    byAlignment.sort(
        Comparator.comparingInt((Long a) -> a == 0 ? 64 : Long.numberOfTrailingZeros(a)).reversed()
            .thenComparingLong(a -> a));
    java.util.TreeSet<Double> placed = new java.util.TreeSet<>();
    List<Long> out = new ArrayList<>();
    for (long a : byAlignment) {
      double ax = x(a);
      Double below = placed.floor(ax);
      Double above = placed.ceiling(ax);
      if ((below == null || ax - below >= LABEL_SPACING) && (above == null || above - ax >= LABEL_SPACING)) {
        placed.add(ax);
        out.add(a);
      }
    }
    out.sort(Long::compare);
    return out;
  }

  private static boolean drawable(long base, long size) {
    return base >= 0 && size >= 0 && base <= Long.MAX_VALUE - size;
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
        .summary, .scale-note { font-size: 13px; fill: #333; }
        .scale-note { font-style: italic; }
        .axis, .row-base { stroke: #666; stroke-width: 1; }
        .row-base { stroke: #ccc; }
        .tick { stroke: #666; stroke-width: 1; }
        .hex { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 10px; fill: #333; }
        .row-label { font-size: 12px; font-weight: bold; fill: #333; }
        .row-title { font-size: 13px; font-weight: bold; fill: #222; }
        .block { stroke: #fff; stroke-width: 0.5; }
        .node0 { fill: #4e79a7; } .node1 { fill: #59a14f; } .node2 { fill: #b07aa1; } .node3 { fill: #9c755f; }
        .node4 { fill: #76b7b2; } .node5 { fill: #edc948; } .node6 { fill: #ff9da7; } .node7 { fill: #bab0ac; }
        .hole { fill: #eeeeee; stroke: #999; stroke-width: 0.5; stroke-dasharray: 2 2; }
        .cmr { fill: #a0cbe8; stroke: #2f6f9f; stroke-width: 1; }
        .tdmr { stroke: #1b3a5c; stroke-width: 1.5; }
        .tdmr.even { fill: #dbe7f3; } .tdmr.odd { fill: #c3d6ea; }
        .tdmr.over-limit { stroke: #d62728; stroke-width: 3; }
        .reserved { fill: #6b6b6b; fill-opacity: 0.65; stroke: #333; stroke-width: 0.5; }
        .reserved.over-limit { fill: #d62728; fill-opacity: 0.8; }
        .pamt { fill: #f28e2b; stroke: #a04c00; stroke-width: 0.5; }
        .failure { fill: #d62728; fill-opacity: 0.2; stroke: #d62728; stroke-width: 3; }
        .failure-mark { fill: #d62728; font-size: 18px; font-weight: bold; }
        .failure-text { fill: #b00000; font-size: 13px; font-weight: bold; }
        .note { fill: #555; font-size: 12px; }
        .in-label { fill: #111; font-size: 11px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
        .in-label.small { font-size: 10px; }
        .break { fill: #ffffff; stroke: #444; stroke-width: 1; }
        .break-label { font-size: 10px; font-style: italic; fill: #444; }
        .legend { font-size: 12px; fill: #333; }
        .legend-title { font-size: 12px; font-weight: bold; fill: #333; }
        [data-detail]:hover { stroke: #000; stroke-width: 2; }
      </style>
      """;
}
