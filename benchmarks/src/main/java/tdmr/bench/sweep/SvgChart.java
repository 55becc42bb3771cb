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
  /** Characters of 12 px text that fit the legend column. */
  private static final int LEGEND_CHARS = 20;

  /** A point of a scatter series. */
  public record Point(double x, double y) {}

  /**
   * A named set of points, drawn in one colour: the colour and marker shape of series number
   * {@code style} (its position in the chart when negative), or crosses in that colour when {@code
   * cross} (marks that are not measurements, such as solves stopped at a time limit).
   */
  public record Series(String name, List<Point> points, int style, boolean cross) {
    public Series {
      points = List.copyOf(points);
    }

    /** Points in the colour and shape of the series' position. */
    public Series(String name, List<Point> points) {
      this(name, points, -1, false);
    }
  }

  /** A dashed horizontal line across a scatter plot at {@code y}, with a label (a time limit). */
  public record Reference(double y, String label) {}

  /**
   * An axis: its label, whether it is logarithmic (base 10; values must then be positive), and a
   * value the axis always shows (NaN for none), such as 1.0 on a ratio axis.
   */
  public record Axis(String label, boolean log, double include) {
    public Axis(String label, boolean log) {
      this(label, log, Double.NaN);
    }
  }

  /**
   * A named row of bar heights, one per category, in percent, and on top of each bar a pale part
   * (also in percent, possibly 0): the share the bar leaves open because no answer came, such as
   * solves stopped by a time limit, which must not be read as part of the rest.
   */
  public record Bars(String name, List<Double> percents, List<Double> pale) {
    public Bars {
      percents = List.copyOf(percents);
      pale = List.copyOf(pale);
      if (pale.size() != percents.size()) {
        throw new IllegalArgumentException("pale parts %d for %d bars".formatted(pale.size(), percents.size()));
      }
    }

    /** Bars without pale parts. */
    public Bars(String name, List<Double> percents) {
      this(name, percents, percents.stream().map(p -> 0.0).toList());
    }
  }

  private SvgChart() {}

  /** A scatter plot; points that a log axis cannot show (values at or below 0) are left out. */
  public static String scatter(String title, Axis xAxis, Axis yAxis, List<Series> series) {
    return scatter(title, xAxis, yAxis, series, null);
  }

  /** A scatter plot with a dashed reference line ({@code reference} may be null). */
  public static String scatter(String title, Axis xAxis, Axis yAxis, List<Series> series, Reference reference) {
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
    if (reference != null && shown(reference.y(), yAxis)) {
      ys.add(reference.y());
    }
    Scale x = Scale.of(xs, xAxis.log(), LEFT, WIDTH - RIGHT);
    Scale y = Scale.of(ys, yAxis.log(), HEIGHT - BOTTOM, TOP);
    StringBuilder svg = header(title);
    axes(svg, x, y, xAxis.label(), yAxis.label());
    if (reference != null && shown(reference.y(), yAxis)) {
      double ry = y.at(reference.y());
      svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n",
          LEFT, ry, WIDTH - RIGHT, ry));
      svg.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">%s</text>\n",
          WIDTH - RIGHT - 4, ry - 4, escape(reference.label())));
    }
    int line = 0;
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      int style = s.style() < 0 ? i : s.style();
      String color = COLORS[style % COLORS.length];
      svg.append("<g fill=\"").append(color).append("\" fill-opacity=\"0.65\" stroke=\"").append(color).append("\">\n");
      for (Point p : s.points()) {
        if (shown(p.x(), xAxis) && shown(p.y(), yAxis)) {
          svg.append(s.cross() ? cross(x.at(p.x()), y.at(p.y())) : marker(style, x.at(p.x()), y.at(p.y())));
        }
      }
      svg.append("</g>\n");
      int ly = TOP + 10 + line * 20;
      svg.append("<g fill=\"").append(color).append("\" stroke=\"").append(color).append("\">")
          .append(s.cross() ? cross(WIDTH - RIGHT + 20, ly + 6) : marker(style, WIDTH - RIGHT + 20, ly + 6)).append("</g>\n");
      line += text(svg, WIDTH - RIGHT + 32, ly + 10, s.name() + " (" + s.points().size() + ")");
    }
    return svg.append("</svg>\n").toString();
  }

  /** An upright cross, for marks that are not measurements. */
  private static String cross(double cx, double cy) {
    return f("<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke-width=\"1.6\" fill=\"none\"/>\n",
        cx - 4, cy - 4, cx + 4, cy + 4, cx - 4, cy + 4, cx + 4, cy - 4);
  }

  /**
   * Legend text at {@code (x, y)}, wrapped at spaces into lines that fit the legend column; returns
   * how many legend rows (20 px each) it takes.
   */
  private static int text(StringBuilder svg, int x, int y, String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > LEGEND_CHARS) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    lines.add(line.toString());
    for (int i = 0; i < lines.size(); i++) {
      svg.append(f("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", x, y + i * 14, escape(lines.get(i))));
    }
    return 1 + (lines.size() * 14 - 6) / 20;
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

  /**
   * Grouped bars: for each category one bar per {@link Bars} row, heights in percent (0-100), each
   * with its pale part stacked on top and explained in the legend as {@code paleMeaning}.
   */
  public static String bars(String title, String xLabel, String yLabel, List<String> categories, List<Bars> rows,
      String paleMeaning) {
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
        double pale = rows.get(r).pale().get(c);
        if (pale > 0) {
          double paleTop = y.at(Math.min(100, v + pale));
          svg.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.25\" "
                  + "stroke=\"%s\" stroke-dasharray=\"3 2\"><title>%s: %.1f%% %s</title></rect>\n",
              gx + r * barWidth, paleTop, barWidth * 0.92, top - paleTop, COLORS[r % COLORS.length], COLORS[r % COLORS.length],
              escape(rows.get(r).name() + " " + categories.get(c)), pale, escape(paleMeaning)));
        }
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
    if (rows.stream().anyMatch(b -> b.pale().stream().anyMatch(p -> p > 0))) {
      int ly = TOP + 10 + rows.size() * 20 + 6;
      svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#888\" fill-opacity=\"0.25\" stroke=\"#888\" "
          + "stroke-dasharray=\"3 2\"/>\n", WIDTH - RIGHT + 14, ly));
      text(svg, WIDTH - RIGHT + 32, ly + 10, "pale: " + paleMeaning);
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
