package tdmr.bench.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small, dependency-free SVG charts: a scatter plot with linear or log axes, and a grouped bar
 * chart of percentages. Numbers are written with {@link Locale#ROOT} so the files are the same on
 * every machine.
 */
public final class SvgChart {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  private static final int WIDTH = 760;
  private static final int HEIGHT = 440;
  private static final int LEFT = 80;
  private static final int RIGHT = 170;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;

  /** A point of a scatter series. */
  public record Point(double x, double y) {}

  /** A named set of points, drawn in one colour. */
  public record Series(String name, List<Point> points) {
    public Series {
      points = List.copyOf(points);
    }
  }

  /**
   * An axis: its label, whether it is logarithmic (base 10; values must then be positive), and a
   * value the axis always shows (NaN for none), such as 1.0 on a ratio axis.
   */
  public record Axis(String label, boolean log, double include) {
    public Axis(String label, boolean log) {
      this(label, log, Double.NaN);
    }
  }

  /** A named row of bar heights, one per category, in percent. */
  public record Bars(String name, List<Double> percents) {
    public Bars {
      percents = List.copyOf(percents);
    }
  }

  private SvgChart() {}

  /** A scatter plot; points that a log axis cannot show (values at or below 0) are left out. */
  public static String scatter(String title, Axis xAxis, Axis yAxis, List<Series> series) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Series s : series) {
      for (Point p : s.points()) {
        if (shown(p.x(), xAxis) && shown(p.y(), yAxis)) {
          xs.add(p.x());
          ys.add(p.y());
        }
      }
    }
    if (!Double.isNaN(xAxis.include())) {
      xs.add(xAxis.include());
    }
    if (!Double.isNaN(yAxis.include())) {
      ys.add(yAxis.include());
    }
    Scale x = Scale.of(xs, xAxis.log(), LEFT, WIDTH - RIGHT);
    Scale y = Scale.of(ys, yAxis.log(), HEIGHT - BOTTOM, TOP);
    StringBuilder svg = header(title);
    axes(svg, x, y, xAxis.label(), yAxis.label());
    for (int i = 0; i < series.size(); i++) {
      String color = COLORS[i % COLORS.length];
      svg.append("<g fill=\"").append(color).append("\" fill-opacity=\"0.65\" stroke=\"").append(color).append("\">\n");
      for (Point p : series.get(i).points()) {
        if (shown(p.x(), xAxis) && shown(p.y(), yAxis)) {
          svg.append(marker(i, x.at(p.x()), y.at(p.y())));
        }
      }
      svg.append("</g>\n");
      int ly = TOP + 10 + i * 20;
      svg.append("<g fill=\"").append(color).append("\" stroke=\"").append(color).append("\">")
          .append(marker(i, WIDTH - RIGHT + 20, ly + 6)).append("</g>\n");
      svg.append(f("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", WIDTH - RIGHT + 32, ly + 10,
          escape(series.get(i).name() + " (" + series.get(i).points().size() + ")")));
    }
    return svg.append("</svg>\n").toString();
  }

  /** Series differ by shape as well as colour (circle, square, triangle, diamond), so overlaps and grey prints stay readable. */
  private static String marker(int series, double cx, double cy) {
    return switch (series % 4) {
      case 0 -> f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>\n", cx, cy);
      case 1 -> f("<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\"/>\n", cx - 3, cy - 3);
      case 2 -> f("<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\"/>\n", cx, cy - 4, cx + 4, cy + 3, cx - 4, cy + 3);
      default -> f("<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\"/>\n", cx, cy - 4.5, cx + 4.5, cy, cx, cy + 4.5, cx - 4.5, cy);
    };
  }

  /** Grouped bars: for each category one bar per {@link Bars} row, heights in percent (0-100). */
  public static String bars(String title, String xLabel, String yLabel, List<String> categories, List<Bars> rows) {
    StringBuilder svg = header(title);
    Scale y = new Scale(0, 100, false, HEIGHT - BOTTOM, TOP);
    double plotWidth = WIDTH - RIGHT - LEFT;
    double groupWidth = plotWidth / Math.max(1, categories.size());
    double barWidth = groupWidth * 0.8 / Math.max(1, rows.size());
    // y grid and labels
    for (int v = 0; v <= 100; v += 20) {
      svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y.at(v), WIDTH - RIGHT, y.at(v)));
      svg.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%d%%</text>\n", LEFT - 6, y.at(v) + 4, v));
    }
    for (int c = 0; c < categories.size(); c++) {
      double gx = LEFT + c * groupWidth + groupWidth * 0.1;
      for (int r = 0; r < rows.size(); r++) {
        double v = rows.get(r).percents().get(c);
        if (Double.isNaN(v)) {
          continue;
        }
        double top = y.at(v);
        if (v == 0) {
          svg.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\" fill=\"%s\">0</text>\n",
              gx + (r + 0.46) * barWidth, top - 2, COLORS[r % COLORS.length]));
        }
        svg.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %.1f%%</title></rect>\n",
            gx + r * barWidth, top, barWidth * 0.92, (HEIGHT - BOTTOM) - top, COLORS[r % COLORS.length],
            escape(rows.get(r).name() + " " + categories.get(c)), v));
      }
      // "label (n=12)" is drawn on two lines so neighbouring labels never run into each other
      String[] parts = categories.get(c).split(" \\(", 2);
      double cx = LEFT + (c + 0.5) * groupWidth;
      svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n",
          cx, HEIGHT - BOTTOM + 16, escape(parts[0])));
      if (parts.length > 1) {
        svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">%s</text>\n",
            cx, HEIGHT - BOTTOM + 29, escape("(" + parts[1])));
      }
    }
    svg.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
    axisLabels(svg, xLabel, yLabel);
    for (int r = 0; r < rows.size(); r++) {
      legend(svg, r, rows.get(r).name(), COLORS[r % COLORS.length]);
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder header(String title) {
    StringBuilder svg = new StringBuilder();
    svg.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "font-family=\"Helvetica, Arial, sans-serif\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, HEIGHT));
    svg.append(f("<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT, escape(title)));
    return svg;
  }

  private static void axes(StringBuilder svg, Scale x, Scale y, String xLabel, String yLabel) {
    for (double t : x.ticks()) {
      svg.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x.at(t), TOP, x.at(t), HEIGHT - BOTTOM));
      svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n", x.at(t), HEIGHT - BOTTOM + 16, x.label(t)));
    }
    for (double t : y.ticks()) {
      svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y.at(t), WIDTH - RIGHT, y.at(t)));
      svg.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>\n", LEFT - 6, y.at(t) + 4, y.label(t)));
    }
    svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n",
        LEFT, TOP, WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP));
    axisLabels(svg, xLabel, yLabel);
  }

  private static void axisLabels(StringBuilder svg, String xLabel, String yLabel) {
    svg.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>\n",
        (LEFT + WIDTH - RIGHT) / 2, HEIGHT - BOTTOM + 48, escape(xLabel)));
    svg.append(f("<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">%s</text>\n",
        (TOP + HEIGHT - BOTTOM) / 2, escape(yLabel)));
  }

  private static void legend(StringBuilder svg, int index, String name, String color) {
    int y = TOP + 10 + index * 20;
    svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", WIDTH - RIGHT + 14, y, color));
    svg.append(f("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", WIDTH - RIGHT + 32, y + 10, escape(name)));
  }

  private static boolean shown(double v, Axis axis) {
    return Double.isFinite(v) && (!axis.log() || v > 0);
  }


  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** Maps data values to pixels along one axis, with tick positions. */
  private record Scale(double min, double max, boolean log, double from, double to) {
    static Scale of(List<Double> values, boolean log, double from, double to) {
      double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(log ? 1 : 0);
      double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(log ? 10 : 1);
      if (log) {
        lo = Math.pow(10, Math.floor(Math.log10(lo)));
        hi = Math.pow(10, Math.ceil(Math.log10(hi)));
        if (hi <= lo) {
          hi = lo * 10;
        }
      } else {
        double step = niceStep(Math.max(hi - lo, 1e-9));
        lo = Math.floor(lo / step) * step;
        hi = Math.ceil(hi / step) * step;
        if (hi <= lo) {
          hi = lo + step;
        }
      }
      return new Scale(lo, hi, log, from, to);
    }

    double at(double v) {
      double t = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
      return from + t * (to - from);
    }

    List<Double> ticks() {
      List<Double> out = new ArrayList<>();
      if (log) {
        for (double v = min; v <= max * 1.0001; v *= 10) {
          out.add(v);
        }
      } else {
        double step = niceStep(max - min);
        for (double v = min; v <= max + step / 1000; v += step) {
          out.add(Math.round(v / step) * step);
        }
      }
      return out;
    }

    /** A tick label: whole numbers with k/M, fractions with as many decimals as the tick step needs. */
    String label(double v) {
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        long l = (long) v;
        return l >= 1_000_000 && l % 1_000_000 == 0 ? (l / 1_000_000) + "M" : l >= 1000 && l % 1000 == 0 ? (l / 1000) + "k" : Long.toString(l);
      }
      double step = log ? v : niceStep(max - min);
      int decimals = (int) Math.max(0, Math.min(9, -Math.floor(Math.log10(step))));
      return f("%." + decimals + "f", v);
    }

    /** A 1-2-5 step giving about five intervals. */
    private static double niceStep(double span) {
      double raw = span / 5;
      double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
      double r = raw / magnitude;
      return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
    }
  }
}
