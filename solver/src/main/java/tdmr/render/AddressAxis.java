package tdmr.render;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import tdmr.mem.AddressRange;

/**
 * The horizontal address axis of a picture: a piecewise-linear map from physical addresses to
 * pixels that keeps a 4 KiB block below 2 GiB and a 1 TiB node visible on the same line.
 *
 * <p>The axis is cut at every address where something changes (a block, CMR, TDMR, reserved area
 * or PAMT starts or ends), so nothing starts or ends inside a piece. A piece that holds neither
 * memory nor a TDMR (address space the picture has nothing to say about) is drawn as a narrow
 * {@link Gap} of {@link #GAP_PX}, whatever its size. Of the other pieces, the largest are
 * shortened when they dwarf the rest: sorted by size, the top group ends at the first size that
 * is at least {@link #OUTLIER_RATIO} times the next one, and it is shortened only if it holds more
 * than twice the bytes of all other pieces together and has at most {@link #MAX_SHORTENED} pieces
 * (a hundred equal nodes dwarf their holes, but shortening them all would only change the scale). Each shortened piece (a {@link Break}) gets
 * {@code 1/(k + 4)} of the width for a top group of {@code k}; the other pieces share the rest at
 * one common scale, except that a piece narrower than the minimum width is widened to it.
 */
final class AddressAxis {
  /** Narrowest piece drawn, in pixels: a 4 KiB hole must remain a visible sliver. */
  static final double MIN_PIECE_PX = 3;

  /**
   * Width of a piece with neither memory nor a TDMR in it, whatever its size: room for the labels
   * of the two addresses around it ({@link LayoutPicture#ROTATED_LABEL_SPACING}).
   */
  static final double GAP_PX = 18;

  /** How much larger than the next piece a piece must be to start the shortened top group. */
  static final double OUTLIER_RATIO = 16;

  /** The most pieces shortened at break marks. */
  static final int MAX_SHORTENED = 8;

  /** A long piece drawn shorter than its scale would ask: the picture marks it with a break. */
  record Break(AddressRange range, double x0, double x1) {}

  /** A piece with neither memory nor a TDMR in it, drawn {@link #GAP_PX} wide. */
  record Gap(AddressRange range, double x0, double x1) {}

  private final long[] cuts;
  private final double[] xs;
  private final List<Break> breaks = new ArrayList<>();
  private final List<Gap> gaps = new ArrayList<>();
  private final double bytesPerPixel;
  private final double minPiecePx;
  private int widenedPieces;

  /** An axis without gaps whose pieces are at least {@link #MIN_PIECE_PX} wide. */
  AddressAxis(SortedSet<Long> cutPoints, double targetWidth) {
    this(cutPoints, piece -> false, targetWidth, MIN_PIECE_PX);
  }

  /**
   * An axis over the given cut points, about {@code targetWidth} pixels wide (wider when there are
   * too many pieces to fit at the minimum width); {@code isGap} says which pieces hold neither
   * memory nor a TDMR, and {@code minPiecePx} is the narrowest any other piece is drawn.
   */
  AddressAxis(SortedSet<Long> cutPoints, Predicate<AddressRange> isGap, double targetWidth, double minPiecePx) {
    this.minPiecePx = minPiecePx;
    TreeSet<Long> all = new TreeSet<>(cutPoints);
    if (all.size() < 2) {
      long only = all.isEmpty() ? 0 : all.first();
      all.add(only);
      all.add(only + (1L << 30));
    }
    cuts = all.stream().mapToLong(Long::longValue).toArray();
    int n = cuts.length - 1;
    double[] sizes = new double[n];
    boolean[] gap = new boolean[n];
    int gapCount = 0;
    for (int i = 0; i < n; i++) {
      sizes[i] = (double) (cuts[i + 1] - cuts[i]);
      gap[i] = isGap.test(new AddressRange(cuts[i], cuts[i + 1]));
      gapCount += gap[i] ? 1 : 0;
    }
    double[] drawn = new double[n - gapCount];
    for (int i = 0, k = 0; i < n; i++) {
      if (!gap[i]) {
        drawn[k++] = sizes[i];
      }
    }
    double threshold = shortenedFrom(drawn);
    int shortened = 0;
    for (double size : drawn) {
      if (size >= threshold) {
        shortened++;
      }
    }
    double scaledWidth = Math.max(targetWidth - gapCount * GAP_PX, targetWidth / 2);
    double breakWidth = shortened == 0 ? 0 : scaledWidth / (shortened + 4);
    double scale = scaleFilling(drawn, threshold, scaledWidth - shortened * breakWidth, minPiecePx);
    bytesPerPixel = 1 / scale;
    xs = new double[cuts.length];
    for (int i = 0; i < n; i++) {
      double w;
      AddressRange piece = new AddressRange(cuts[i], cuts[i + 1]);
      if (gap[i]) {
        w = GAP_PX;
        gaps.add(new Gap(piece, xs[i], xs[i] + w));
      } else if (sizes[i] >= threshold) {
        w = breakWidth;
        breaks.add(new Break(piece, xs[i], xs[i] + w));
      } else {
        w = Math.max(minPiecePx, sizes[i] * scale);
        if (sizes[i] * scale < minPiecePx) {
          widenedPieces++;
        }
      }
      xs[i + 1] = xs[i] + w;
    }
  }

  /** The smallest size that is shortened, or infinity when no group of pieces dwarfs the rest. */
  private static double shortenedFrom(double[] sizes) {
    double[] desc = sizes.clone();
    java.util.Arrays.sort(desc);
    double total = 0;
    for (double s : desc) {
      total += s;
    }
    double top = 0;
    for (int i = desc.length - 1; i > 0; i--) {
      top += desc[i];
      if (desc[i] >= OUTLIER_RATIO * desc[i - 1]) {
        boolean few = desc.length - i <= MAX_SHORTENED;
        return few && top > 2 * (total - top) ? desc[i] : Double.POSITIVE_INFINITY;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** Pixels per byte such that the unshortened pieces add up to {@code target} (bisection; monotone). */
  private static double scaleFilling(double[] sizes, double threshold, double target, double minPiecePx) {
    double lo = 1e-22;
    double hi = 1e3;
    for (int it = 0; it < 200; it++) {
      double mid = Math.sqrt(lo * hi);
      double sum = 0;
      for (double size : sizes) {
        if (size < threshold) {
          sum += Math.max(minPiecePx, size * mid);
        }
      }
      if (sum < target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
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

  /** The pieces with neither memory nor a TDMR, in address order. */
  List<Gap> gaps() {
    return List.copyOf(gaps);
  }

  /** Bytes the gaps stand for. */
  long gapBytes() {
    return gaps.stream().mapToLong(g -> g.range().size()).sum();
  }

  /** The shortened long runs, in address order. */
  List<Break> breaks() {
    return List.copyOf(breaks);
  }

  /** Bytes left out of the drawing by the breaks: each run's size minus what its width shows. */
  long compressedBytes() {
    double sum = 0;
    for (Break b : breaks) {
      sum += Math.max(0, b.range().size() - (b.x1() - b.x0()) * bytesPerPixel);
    }
    return Math.round(sum);
  }

  /** How many pieces were widened to the minimum width because their scale made them thinner. */
  int widenedPieces() {
    return widenedPieces;
  }

  /** The narrowest a piece other than a gap is drawn, in pixels. */
  double minPiecePx() {
    return minPiecePx;
  }

  /** Bytes one pixel stands for outside the widened and shortened pieces. */
  double bytesPerPixel() {
    return bytesPerPixel;
  }
}
