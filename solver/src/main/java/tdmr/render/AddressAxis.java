package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import tdmr.mem.AddressRange;

/**
 * The horizontal address axis of a picture: a piecewise-linear map from physical addresses to
 * pixels that keeps a 4 KiB block below 2 GiB and a 1 TiB node visible on the same line.
 *
 * <p>The axis is cut at every address where something changes (a block, CMR, TDMR, reserved area
 * or PAMT starts or ends), so nothing starts or ends inside a piece. Every piece is drawn at one
 * common scale, with two exceptions: a piece narrower than {@link #MIN_PIECE_PX} is widened to that
 * width so it stays visible, and a piece wider than the cap (a long plain run) is shortened to the
 * cap and marked as a {@link Break}. The common scale is chosen so the pieces fill the target width.
 */
final class AddressAxis {
  /** Narrowest piece drawn, in pixels: a 4 KiB hole must remain a visible sliver. */
  static final double MIN_PIECE_PX = 3;

  /** A long piece drawn shorter than its scale would ask: the picture marks it with {@code ⫽}. */
  record Break(AddressRange range, double x0, double x1) {}

  private final long[] cuts;
  private final double[] xs;
  private final List<Break> breaks = new ArrayList<>();
  private final double bytesPerPixel;
  private int widenedPieces;

  /**
   * An axis over the given cut points, about {@code targetWidth} pixels wide (wider when there are
   * too many pieces to fit at the minimum width).
   */
  AddressAxis(SortedSet<Long> cutPoints, double targetWidth) {
    TreeSet<Long> all = new TreeSet<>(cutPoints);
    if (all.size() < 2) {
      long only = all.isEmpty() ? 0 : all.first();
      all.add(only);
      all.add(only + (1L << 30));
    }
    cuts = all.stream().mapToLong(Long::longValue).toArray();
    int n = cuts.length - 1;
    // No single run may take more than a sixth of the picture (unless there are fewer pieces).
    double cap = Math.max(targetWidth / 6, targetWidth / n);
    double scale = scaleFilling(targetWidth, cap);
    bytesPerPixel = 1 / scale;
    xs = new double[cuts.length];
    for (int i = 0; i < n; i++) {
      double size = (double) (cuts[i + 1] - cuts[i]);
      double w = width(size, scale, cap);
      xs[i + 1] = xs[i] + w;
      if (size * scale < MIN_PIECE_PX) {
        widenedPieces++;
      }
      if (size * scale > cap + 0.5) {
        breaks.add(new Break(new AddressRange(cuts[i], cuts[i + 1]), xs[i], xs[i + 1]));
      }
    }
  }

  /** Pixels per byte such that the pieces add up to {@code target}; found by bisection (monotone). */
  private double scaleFilling(double target, double cap) {
    double lo = 1e-22;
    double hi = 1e3;
    for (int it = 0; it < 200; it++) {
      double mid = Math.sqrt(lo * hi);
      if (total(mid, cap) < target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private double total(double scale, double cap) {
    double sum = 0;
    for (int i = 0; i + 1 < cuts.length; i++) {
      sum += width((double) (cuts[i + 1] - cuts[i]), scale, cap);
    }
    return sum;
  }

  private static double width(double size, double scale, double cap) {
    return Math.min(cap, Math.max(MIN_PIECE_PX, size * scale));
  }

  /** The x position of an address; addresses between cut points are interpolated in their piece. */
  double x(long address) {
    if (address <= cuts[0]) {
      return 0;
    }
    if (address >= cuts[cuts.length - 1]) {
      return xs[xs.length - 1];
    }
    int lo = 0;
    int hi = cuts.length - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (cuts[mid] <= address) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double f = (double) (address - cuts[lo]) / (double) (cuts[hi] - cuts[lo]);
    return xs[lo] + f * (xs[hi] - xs[lo]);
  }

  /** Total width in pixels. */
  double width() {
    return xs[xs.length - 1];
  }

  long start() {
    return cuts[0];
  }

  long end() {
    return cuts[cuts.length - 1];
  }

  /** The shortened long runs, in address order. */
  List<Break> breaks() {
    return List.copyOf(breaks);
  }

  /** Bytes left out of the drawing by the breaks: each run's size minus what its width shows. */
  long compressedBytes() {
    double sum = 0;
    for (Break b : breaks) {
      sum += b.range().size() - (b.x1() - b.x0()) * bytesPerPixel;
    }
    return Math.round(sum);
  }

  /** How many pieces were widened to {@link #MIN_PIECE_PX} because their scale made them thinner. */
  int widenedPieces() {
    return widenedPieces;
  }

  /** Bytes one pixel stands for outside the widened and shortened pieces. */
  double bytesPerPixel() {
    return bytesPerPixel;
  }
}
