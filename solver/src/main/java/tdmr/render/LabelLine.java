package tdmr.render;

import java.util.Map;
import java.util.TreeMap;

/**
 * The labels already placed along one line of a picture, as horizontal extents: a label is placed
 * only where it overlaps none of them, so labels are dropped rather than drawn over each other.
 */
final class LabelLine {
  /** Placed extents, start to end. */
  private final TreeMap<Double, Double> placed = new TreeMap<>();

  /** Places {@code [from, to)} if it overlaps no label placed before; true when placed. */
  boolean place(double from, double to) {
    Map.Entry<Double, Double> before = placed.floorEntry(from);
    if (before != null && before.getValue() > from) {
      return false;
    }
    Map.Entry<Double, Double> after = placed.ceilingEntry(from);
    if (after != null && after.getKey() < to) {
      return false;
    }
    placed.put(from, to);
    return true;
  }

  /** True when {@code [from, to)} would overlap no placed label (nothing is placed). */
  boolean isFree(double from, double to) {
    Map.Entry<Double, Double> before = placed.floorEntry(from);
    Map.Entry<Double, Double> after = placed.ceilingEntry(from);
    return (before == null || before.getValue() <= from) && (after == null || after.getKey() >= to);
  }
}
