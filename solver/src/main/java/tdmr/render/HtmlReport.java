package tdmr.render;

import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Layout;
import tdmr.tdx.Tdmr;

/**
 * One self-contained HTML page around a {@link LayoutPicture}: the picture inline, a detail line
 * that follows the pointer, a table per layout (TDMRs, reserved areas, PAMTs) and the map's blocks
 * and CMRs. No external file, font or script is referenced, so the page can be mailed or attached
 * to a bug report.
 */
public final class HtmlReport {
  private final LayoutPicture picture;

  public HtmlReport(LayoutPicture picture) {
    this.picture = picture;
  }

  public String html() {
    StringBuilder h = new StringBuilder();
    String source = SvgCanvas.escape(picture.map().source());
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>tdmr: memory layout of ").append(source).append("</title>\n")
        .append(PAGE_STYLE)
        .append("</head>\n<body>\n")
        .append("<div class=\"picture\"><div class=\"fit\" style=\"%s\">\n".formatted(fitStyle()))
        .append(picture.svgElement()).append("</div></div>\n")
        .append("<p id=\"detail\" class=\"detail\" aria-live=\"polite\">Point at any shape in the picture, or move to it with Tab, for its exact range and size.</p>\n");
    for (LabelledLayout row : picture.rows()) {
      appendRow(h, row);
    }
    appendMap(h);
    h.append(SCRIPT).append("</body>\n</html>\n");
    return h.toString();
  }

  /**
   * The picture fits the page's width: a window narrower than the picture (every picture is at least
   * 1 400 px wide) shrinks it, down to {@link #LEAST_SCALE} of its size, so that its right end (the
   * legend's last keys, on maps of many nodes) shows without scrolling; a narrower window scrolls
   * the picture rather than shrink its labels further. It never grows past its own size.
   */
  private String fitStyle() {
    double width = picture.width();
    return "min-width: %spx; max-width: %spx".formatted(SvgCanvas.num(Math.ceil(width * LEAST_SCALE)), SvgCanvas.num(width));
  }

  /** The least the page shrinks the picture to fit the window: its 12 px labels stay at 9.6 px or more. */
  static final double LEAST_SCALE = 0.8;

  private void appendRow(StringBuilder h, LabelledLayout row) {
    h.append("<section class=\"layout\">\n<h2>").append(SvgCanvas.escape(row.label())).append("</h2>\n");
    if (row.failure().isPresent()) {
      h.append("<p class=\"failure\">✗ ").append(SvgCanvas.escape(row.failure().get())).append("</p>\n");
    }
    if (!row.notes().isEmpty()) {
      h.append("<ul class=\"notes\">\n");
      for (String n : row.notes()) {
        h.append("<li>").append(SvgCanvas.escape(n)).append("</li>\n");
      }
      h.append("</ul>\n");
    }
    if (row.layout().isPresent()) {
      if (row.failure().isPresent()) {
        h.append("<p>The TDMRs as they stood when it failed:</p>\n");
      }
      appendTdmrTable(h, row.layout().get());
    }
    h.append("</section>\n");
  }

  private void appendTdmrTable(StringBuilder h, Layout layout) {
    int max = picture.limits().maxReservedPerTdmr();
    h.append("<table class=\"tdmrs\">\n<thead><tr><th>#</th><th>TDMR</th><th>size</th>")
        .append("<th>reserved areas</th><th>PAMT 4K</th><th>PAMT 2M</th><th>PAMT 1G</th><th>PAMT size</th></tr></thead>\n<tbody>\n");
    List<Tdmr> tdmrs = layout.tdmrs();
    for (int i = 0; i < tdmrs.size(); i++) {
      Tdmr t = tdmrs.get(i);
      h.append("<tr><td>").append(i).append("</td><td class=\"hex\">")
          .append(SvgCanvas.escape(t.toString().substring("TDMR ".length())))
          .append("</td><td>").append(ByteSize.human(t.size()))
          .append("</td><td>").append(t.reservedCount()).append(" of ").append(max)
          .append("</td><td class=\"hex\">").append(t.pamt().fourK())
          .append("</td><td class=\"hex\">").append(t.pamt().twoM())
          .append("</td><td class=\"hex\">").append(t.pamt().oneG())
          .append("</td><td>").append(ByteSize.human(t.pamt().totalBytes())).append("</td></tr>\n");
    }
    h.append("</tbody>\n<tfoot><tr><td></td><td>").append(Count.of(tdmrs.size(), "TDMR")).append("</td><td></td><td>")
        .append(layout.reservedAreaCount()).append(" in all</td><td colspan=\"3\"></td><td>")
        .append(ByteSize.human(layout.pamtBytes())).append(" (").append(layout.pamtBytes() / 1024)
        .append(" KiB)</td></tr></tfoot>\n</table>\n");
  }

  private void appendMap(StringBuilder h) {
    h.append("<section class=\"map\">\n<h2>Memory map</h2>\n<table>\n<thead><tr><th>memory block</th><th>size</th><th>node</th></tr></thead>\n<tbody>\n");
    for (MemoryBlock b : picture.map().blocks()) {
      h.append("<tr><td class=\"hex\">").append(b.range()).append("</td><td>").append(ByteSize.human(b.size()))
          .append("</td><td>").append(b.node()).append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n<table>\n<thead><tr><th>CMR</th><th>size</th></tr></thead>\n<tbody>\n");
    for (AddressRange r : picture.map().cmrs().cmrs()) {
      h.append("<tr><td class=\"hex\">").append(r).append("</td><td>").append(ByteSize.human(r.size()))
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
    if (!picture.map().notes().isEmpty()) {
      h.append("<ul class=\"notes\">\n");
      for (String n : picture.map().notes()) {
        h.append("<li>").append(SvgCanvas.escape(n)).append("</li>\n");
      }
      h.append("</ul>\n");
    }
    h.append("</section>\n");
  }

  private static final String PAGE_STYLE =
      """
      <style>
        body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 1.2em; color: #222; }
        h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
        .picture { overflow-x: auto; border: 1px solid #ddd; }
        .picture .fit svg.tdmr-picture { display: block; width: 100%; height: auto; }
        .detail { position: sticky; bottom: 0; background: #fffbe6; border: 1px solid #e0c060;
                  padding: 0.4em 0.6em; font-family: 'DejaVu Sans Mono', monospace; font-size: 0.9em; }
        .scale-note { font-style: italic; }
        .failure { color: #b00000; font-weight: bold; }
        table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
        td.hex { font-family: 'DejaVu Sans Mono', monospace; }
        .notes { color: #555; font-size: 0.9em; }
      </style>
      """;

  private static final String SCRIPT =
      """
      <script>
      (function () {
        var detail = document.getElementById('detail');
        document.querySelectorAll('[data-detail]').forEach(function (el) {
          var show = function () { detail.textContent = el.getAttribute('data-detail'); };
          el.addEventListener('mouseenter', show);
          el.addEventListener('focus', show);
        });
      })();
      </script>
      """;
}
