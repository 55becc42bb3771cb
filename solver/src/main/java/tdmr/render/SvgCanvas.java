package tdmr.render;

import java.util.Locale;

/**
 * An SVG fragment under construction: shapes and text with a class for styling, a {@code <title>}
 * for the browser's tooltip and a {@code data-detail} attribute for the HTML page's detail panel.
 * Every shape with a detail can take keyboard focus ({@code tabindex="0"}), so the details can be
 * read without a pointer.
 */
final class SvgCanvas {
  private final StringBuilder out = new StringBuilder();

  /** A rectangle; {@code detail} (may be empty) becomes its tooltip. */
  void rect(String cssClass, double x, double y, double w, double h, String detail) {
    out.append("<rect class=\"").append(cssClass).append('"')
        .append(" x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" width=\"").append(num(Math.max(w, 0.5))).append("\" height=\"").append(num(h)).append('"');
    closeWithDetail("rect", detail);
  }

  void line(String cssClass, double x1, double y1, double x2, double y2) {
    out.append("<line class=\"").append(cssClass).append("\" x1=\"").append(num(x1)).append("\" y1=\"")
        .append(num(y1)).append("\" x2=\"").append(num(x2)).append("\" y2=\"").append(num(y2)).append("\"/>\n");
  }

  void polygon(String cssClass, String detail, double... xy) {
    out.append("<polygon class=\"").append(cssClass).append("\" points=\"");
    for (int i = 0; i < xy.length; i += 2) {
      out.append(i == 0 ? "" : " ").append(num(xy[i])).append(',').append(num(xy[i + 1]));
    }
    out.append('"');
    closeWithDetail("polygon", detail);
  }

  /** Text at {@code (x, y)}; {@code anchor} is start, middle or end. */
  void text(String cssClass, double x, double y, String anchor, String text) {
    out.append("<text class=\"").append(cssClass).append("\" x=\"").append(num(x)).append("\" y=\"")
        .append(num(y)).append("\" text-anchor=\"").append(anchor).append("\">")
        .append(escape(text)).append("</text>\n");
  }

  /** Text turned by {@code degrees} around its anchor point; used for hex labels that would collide. */
  void rotatedText(String cssClass, double x, double y, double degrees, String text, String detail) {
    out.append("<text class=\"").append(cssClass).append("\" x=\"").append(num(x)).append("\" y=\"")
        .append(num(y)).append("\" transform=\"rotate(").append(num(degrees)).append(' ').append(num(x))
        .append(' ').append(num(y)).append(")\"");
    if (!detail.isEmpty()) {
      out.append(" tabindex=\"0\" data-detail=\"").append(escape(detail)).append("\"><title>").append(escape(detail)).append("</title>");
    } else {
      out.append('>');
    }
    out.append(escape(text)).append("</text>\n");
  }

  void raw(String svg) {
    out.append(svg);
  }

  private void closeWithDetail(String element, String detail) {
    if (detail.isEmpty()) {
      out.append("/>\n");
      return;
    }
    out.append(" tabindex=\"0\" data-detail=\"").append(escape(detail)).append("\"><title>").append(escape(detail))
        .append("</title></").append(element).append(">\n");
  }

  @Override
  public String toString() {
    return out.toString();
  }

  /**
   * About how wide {@code text} is drawn in DejaVu Sans (or a narrower sans-serif) at {@code
   * fontPx}, erring wide, so that labels placed by this estimate do not touch; {@code bold} text
   * is a tenth wider.
   */
  static double textWidth(String text, double fontPx, boolean bold) {
    double em = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        em += 0.32;
      } else if ("ijlft.,:;'|!()[]/".indexOf(c) >= 0) {
        em += 0.42;
      } else if (Character.isUpperCase(c) || c == 'm' || c == 'w' || c == '%' || c == '≈' || c == '✗') {
        em += 0.82;
      } else {
        em += 0.64;
      }
    }
    return em * fontPx * (bold ? 1.1 : 1.0);
  }

  /** How wide {@code text} is drawn in DejaVu Sans Mono at {@code fontPx} (0.602 em a character). */
  static double monoWidth(String text, double fontPx) {
    return text.length() * 0.61 * fontPx;
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
