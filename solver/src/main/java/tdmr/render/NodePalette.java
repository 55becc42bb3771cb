package tdmr.render;

import java.util.Collection;
import java.util.Locale;

/**
 * The colour of each NUMA node's memory. Nodes 0 to 7 get eight well-separated colours (Tableau's
 * palette without its orange and red, which mark PAMTs and failures); every further node gets a
 * hue from the golden-ratio sequence spread over the hues between yellow and magenta (orange and
 * red stay free), at one of three lightnesses, so neighbouring nodes never look alike however many
 * there are. The node number is also written in every block wide enough to hold it.
 */
final class NodePalette {
  private static final String[] FIRST = {
    "#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac"
  };
  /** The golden ratio's fractional part: successive multiples spread evenly and never repeat. */
  private static final double GOLDEN_FRACTION = 0.6180339887498949;
  private static final double FIRST_HUE = 45;
  private static final double LAST_HUE = 335;
  private static final int[] LIGHTNESS = {42, 58, 34};

  private NodePalette() {}

  /** The fill colour of a node's memory, as CSS. */
  static String colour(int node) {
    if (node < FIRST.length) {
      return FIRST[node];
    }
    double fraction = ((node - FIRST.length + 1) * GOLDEN_FRACTION) % 1;
    double hue = FIRST_HUE + fraction * (LAST_HUE - FIRST_HUE);
    return String.format(Locale.ROOT, "hsl(%.1f, 50%%, %d%%)", hue, LIGHTNESS[node % LIGHTNESS.length]);
  }

  /** The CSS class of a node's blocks and legend swatch. */
  static String cssClass(int node) {
    return "node" + node;
  }

  /** One style rule per node that appears. */
  static String styleRules(Collection<Integer> nodes) {
    StringBuilder s = new StringBuilder();
    for (int node : nodes) {
      s.append("  .").append(cssClass(node)).append(" { fill: ").append(colour(node)).append("; }\n");
    }
    return s.toString();
  }
}
