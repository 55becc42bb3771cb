package tdmr.render;

import java.util.ArrayList;
import java.util.List;

/**
 * The key under a picture: one swatch per NUMA node (or, past eight nodes, one small numbered
 * swatch each after a single caption), then holes, CMRs, TDMRs, reserved areas, PAMTs and, when a
 * row failed, the failure marks. Keys wrap to the picture's width; {@link #height()} is known
 * before drawing, so the picture is made tall enough for all of it.
 */
final class Legend {
  private static final double LINE_H = 22;
  private static final double FIRST_X = 80;
  /** Up to this many nodes each get a key of their own; more get numbered swatches. */
  private static final int NAMED_NODES = 8;

  private record Key(String cssClass, String text) {}

  private record Placed(Key key, double x, double y) {}

  private final List<Placed> placed = new ArrayList<>();
  private final double height;
  private final String hint;

  Legend(List<Integer> nodes, boolean failure, double width, String hint) {
    this.hint = hint;
    List<Key> keys = new ArrayList<>();
    if (nodes.size() <= NAMED_NODES) {
      for (int node : nodes) {
        keys.add(new Key("block " + NodePalette.cssClass(node), "memory on NUMA node " + node));
      }
    } else {
      keys.add(new Key("", "memory by NUMA node:"));
      for (int node : nodes) {
        keys.add(new Key("block " + NodePalette.cssClass(node), String.valueOf(node)));
      }
    }
    keys.add(new Key("hole", "hole (no TDX memory)"));
    keys.add(new Key("cmr", "CMR (convertible)"));
    keys.add(new Key("tdmr even", "TDMR"));
    keys.add(new Key("reserved", "reserved area"));
    keys.add(new Key("pamt", "PAMT"));
    if (failure) {
      keys.add(new Key("reserved over-limit", "reserved area beyond the module's limit"));
      keys.add(new Key("failure", "where it fails"));
    }
    double x = FIRST_X;
    double y = 0;
    for (Key k : keys) {
      double w = (k.cssClass().isEmpty() ? 0 : 24) + SvgCanvas.textWidth(k.text(), 12, false) + 14;
      if (x + w > width && x > FIRST_X) {
        x = FIRST_X;
        y += LINE_H;
      }
      placed.add(new Placed(k, x, y));
      x += w;
    }
    this.height = y + LINE_H + 28;
  }

  /** Height of the legend, the hint line under it included. */
  double height() {
    return height;
  }

  void draw(SvgCanvas c, double x, double y) {
    c.text("legend-title", x, y + 14, "start", "Legend");
    for (Placed p : placed) {
      double px = x + p.x() - 12;
      double textX = px;
      if (!p.key().cssClass().isEmpty()) {
        c.rect("swatch " + p.key().cssClass(), px, y + p.y() + 3, 18, 14, "");
        textX = px + 24;
      }
      c.text("legend", textX, y + p.y() + 14, "start", p.key().text());
    }
    c.text("legend", x, y + height - 10, "start", hint);
  }
}
