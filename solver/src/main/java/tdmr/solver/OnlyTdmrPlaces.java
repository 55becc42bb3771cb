package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;

/**
 * The places the only TDMR of a layout at {@code --max-tdmrs 1} can take, when no coverable TDX
 * memory is given up, the PAMT is at most {@code P} pages and the remote PAMT at most {@code R}
 * bytes: the PAMT tier of Z3's {@code ModuleFamilyProver} then checks each place with the TDMR fixed
 * (quick: only the levels' places are left), and the least over the places is the tier's optimum.
 * On a multi-node host at one TDMR the remote tier leaves a few bytes (one 1G level on another
 * node) and the PAMT fills most of memory; Z3's whole model did not close the gap from its bounds
 * (27 GiB against 31 GiB on a 32 GiB two-socket host) within 10 s, while one place is left here.
 *
 * <p>The TDMR is a range {@code [a, b)} of whole GiB within the window of the instance's cells (a
 * TDMR reaching past the window holds no more memory, and the model has none). Every layout with
 * that TDMR, giving up nothing, meets:
 *
 * <ol>
 *   <li><b>Memory left out is PAMT.</b> The coverable memory outside {@code [a, b)} is in no TDMR,
 *       so it is PAMT (coverage): at most {@code P} pages. The PAMT is also at least the levels of
 *       a TDMR of {@code b - a} GiB (rule D2). Their larger is the place's own bound.
 *   <li><b>Stretches.</b> A level is one range of TDX memory inside a CMR (rules O2, D6), so it
 *       lies within one stretch (a maximal range of contiguous coverable memory). Every stretch
 *       holding memory left out holds a level: at most three.
 *   <li><b>Remote PAMT</b> ({@link tdmr.check.RemotePamt}). A level lying on memory of node
 *       {@code n} describes remotely every granule of the TDMR whose memory lacks {@code n}: at
 *       least {@code perGiB(level)·lack(n)} bytes, where {@code lack(n)} counts those granules. The
 *       memory of each node left out lies under a level on that node, and each level lies on some
 *       node. So the remote PAMT is at least the least, over every way of giving each node with
 *       memory left out to one of the three levels, of the sum over the levels of the largest
 *       {@code perGiB·lack} of the nodes given to it (of any one node, for a level given none).
 *       That least must be at most {@code R}. (With more than {@link #MOST_NODES} such nodes the
 *       remote PAMT is not used, which only keeps more places.)
 * </ol>
 *
 * A layout whose TDMR holds no TDX memory leaves all memory out; {@link #places} is empty (no list
 * is given) when that fits in {@code P}, since the model's fixed TDMRs cannot state it.
 */
public final class OnlyTdmrPlaces {
  /** The most nodes with memory left out whose ways of sharing among the levels are tried (3^n ways). */
  public static final int MOST_NODES = 8;

  /** The most places listed; past it none is (the caller's search goes on as before). */
  public static final int MOST_PLACES = 64;

  /**
   * A place for the only TDMR.
   *
   * @param tdmr the TDMR, 1 GiB aligned
   * @param leastPamtPages the least PAMT of a layout with it: its memory left out or its levels
   * @param leastRemoteBytes the least remote PAMT of a layout with it (0 when not derived)
   */
  public record Place(AddressRange tdmr, long leastPamtPages, long leastRemoteBytes) {}

  private final Instance instance;
  /** The window's first granule (GiB) and its size in granules. */
  private final long first;
  private final int granules;
  /** {@code usable[i]}: coverable memory pages in granules {@code [first, first + i)}. */
  private final long[] usable;
  /** {@code usableOn[n][i]}: the same on node index {@code n} (of {@link Instance#nodes}). */
  private final long[][] usableOn;
  /** {@code lacking[n][i]}: granules in {@code [first, first + i)} holding memory but none of node index {@code n}. */
  private final long[][] lacking;
  /** Maximal stretches of contiguous coverable memory ({@link Instance#islands}), {@code [start, end)} in pages. */
  private final List<long[]> stretches = new ArrayList<>();
  private final long usableTotal;

  public OnlyTdmrPlaces(Instance instance) {
    this.instance = instance;
    List<Cell> cells = instance.cells();
    this.first = cells.isEmpty() ? 0 : cells.get(0).range().start() / ByteSize.GiB;
    long last = cells.isEmpty() ? 0 : cells.get(cells.size() - 1).range().end() / ByteSize.GiB;
    this.granules = (int) (last - first);
    List<Integer> nodes = instance.nodes();
    this.usable = new long[granules + 1];
    this.usableOn = new long[nodes.size()][granules + 1];
    this.lacking = new long[nodes.size()][granules + 1];
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      int n = nodes.indexOf(a.node());
      long start = a.range().start() / ByteSize.PAGE;
      long end = a.range().end() / ByteSize.PAGE;
      for (long p = start; p < end; ) {
        long g = p / Instance.GIB_PAGES;
        long next = Math.min(end, (g + 1) * Instance.GIB_PAGES);
        usable[(int) (g - first) + 1] += next - p;
        usableOn[n][(int) (g - first) + 1] += next - p;
        p = next;
      }
    }
    for (AddressRange island : instance.islands()) {
      stretches.add(new long[] {island.start() / ByteSize.PAGE, island.end() / ByteSize.PAGE});
    }
    for (Cell c : cells) {
      if (!c.holdsMemory()) {
        continue;
      }
      for (int n = 0; n < nodes.size(); n++) {
        if (instance.lacksNode(c, nodes.get(n))) {
          for (long g = c.range().start() / ByteSize.GiB; g < c.range().end() / ByteSize.GiB; g++) {
            lacking[n][(int) (g - first) + 1]++;
          }
        }
      }
    }
    prefixSums(usable);
    for (int n = 0; n < nodes.size(); n++) {
      prefixSums(usableOn[n]);
      prefixSums(lacking[n]);
    }
    this.usableTotal = usable[granules];
  }

  private static void prefixSums(long[] a) {
    for (int i = 1; i < a.length; i++) {
      a[i] += a[i - 1];
    }
  }

  /**
   * Every place a layout with at most {@code pamtPages} pages of PAMT and, when given, at most
   * {@code remoteBytes} of remote PAMT can give its only TDMR (class comment), by their own bound,
   * least first; empty when a TDMR without memory fits in {@code pamtPages}, when there are more
   * than {@link #MOST_PLACES}, or when the window has more than {@link #MOST_GRANULES} granules.
   */
  public Optional<List<Place>> places(long pamtPages, OptionalLong remoteBytes) {
    if (usableTotal <= pamtPages) {
      return Optional.empty();
    }
    return placesInWindow(pamtPages, remoteBytes);
  }

  /**
   * {@link #places}, also where a TDMR without memory fits in {@code pamtPages}: then the places in
   * the window over no coverable memory are among them, and a TDMR without memory outside the
   * window is not ({@link #memorylessFits} says whether a layout may have one).
   */
  public Optional<List<Place>> placesInWindow(long pamtPages, OptionalLong remoteBytes) {
    if (granules <= 0 || granules > MOST_GRANULES) {
      return Optional.empty();
    }
    List<Place> out = new ArrayList<>();
    long most = Math.min(granules, instance.largestTdmrGiB());
    for (int a = 0; a < granules; a++) {
      for (int b = a + 1; b <= a + most && b <= granules; b++) {
        long leftOut = usableTotal - (usable[b] - usable[a]);
        if (leftOut > pamtPages) {
          continue;
        }
        long pages = Math.max(leftOut, instance.levelsPages(b - a));
        if (pages > pamtPages || stretchesLeftOut(a, b) > 3) {
          continue;
        }
        long remote = remoteBytes.isPresent() ? leastRemoteBytes(a, b) : 0;
        if (remoteBytes.isPresent() && remote > remoteBytes.getAsLong()) {
          continue;
        }
        if (out.size() == MOST_PLACES) {
          return Optional.empty();
        }
        out.add(new Place(new AddressRange((first + a) * ByteSize.GiB, (first + b) * ByteSize.GiB), pages, remote));
      }
    }
    out.sort(Comparator.comparingLong(Place::leastPamtPages));
    return Optional.of(out);
  }

  /**
   * Whether a layout with one TDMR that gives up no coverable memory, with at most {@code pamtPages}
   * pages of PAMT and, when given, at most {@code remoteBytes} of remote PAMT, may have PAMT inside
   * its TDMR: whether some place in the window meets the bounds of the class comment and leaves out
   * less than {@code pamtPages} of memory (its PAMT covers the memory left out, and only more PAMT
   * than that lies elsewhere, in the TDMR: PAMT lies only in usable memory, rules D6 and O2). A
   * TDMR reaching past the window or lying outside it leaves out as much memory as its part in the
   * window, with larger levels, so the places in the window decide it; one holding no memory leaves
   * all usable memory out (true when that is less than {@code pamtPages}). True, undecided, past
   * {@link #MOST_GRANULES}.
   */
  public boolean roomForPamtInside(long pamtPages, OptionalLong remoteBytes) {
    if (granules > MOST_GRANULES || usableTotal < pamtPages) {
      return true;
    }
    long most = Math.min(granules, instance.largestTdmrGiB());
    for (int a = 0; a < granules; a++) {
      for (int b = a + 1; b <= a + most && b <= granules; b++) {
        long leftOut = usableTotal - (usable[b] - usable[a]);
        if (leftOut >= pamtPages || instance.levelsPages(b - a) > pamtPages || stretchesLeftOut(a, b) > 3) {
          continue;
        }
        if (remoteBytes.isEmpty() || leastRemoteBytes(a, b) <= remoteBytes.getAsLong()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The usable memory pages a layout whose only TDMR is {@code tdmr} (a place of {@link #placesInWindow}) leaves out. */
  public long leftOutPages(AddressRange tdmr) {
    int a = (int) Math.max(0, Math.min(granules, tdmr.start() / ByteSize.GiB - first));
    int b = (int) Math.max(0, Math.min(granules, tdmr.end() / ByteSize.GiB - first));
    return usableTotal - (usable[b] - usable[a]);
  }

  /** The most granules in the window for which every place is tried (some 8 million of them). */
  public static final int MOST_GRANULES = 4096;

  /**
   * A lower bound on the remote PAMT bytes of every layout with one TDMR that gives up no coverable
   * memory: 0 when a TDMR without memory can do (its levels then fill every stretch, so at most
   * three), else the least over the places that leave at most three stretches out of the least
   * remote PAMT of each (class comment, 2 and 3); 0 past {@link #MOST_GRANULES}.
   */
  public long leastRemoteBytes() {
    if (stretches.size() <= 3 || granules > MOST_GRANULES) {
      return 0;
    }
    long least = Long.MAX_VALUE;
    long most = Math.min(granules, instance.largestTdmrGiB());
    for (int a = 0; a < granules; a++) {
      for (int b = a + 1; b <= a + most && b <= granules; b++) {
        if (stretchesLeftOut(a, b) <= 3) {
          least = Math.min(least, leastRemoteBytes(a, b));
        }
      }
    }
    // No place leaves at most three stretches out: no layout with one TDMR covers all memory.
    return least == Long.MAX_VALUE ? 0 : least;
  }

  /**
   * Whether the only TDMR may hold no memory in a layout with at most {@code pamtPages} of PAMT:
   * all memory is then PAMT, and its three levels fill the stretches, each one at least.
   */
  public boolean memorylessFits(long pamtPages) {
    return usableTotal <= pamtPages && stretches.size() <= 3;
  }

  /** The stretches of contiguous coverable memory: a layout whose TDMRs hold none fills each with a level. */
  public int stretches() {
    return stretches.size();
  }

  /**
   * The places whose own bound on remote PAMT is at most {@code remoteBytes}, whatever the PAMT (a
   * layout with the TDMR there still leaves all of its memory out as PAMT, so no more than all
   * memory less a page when the TDMR holds some); none when more than {@link #MOST_PLACES}. For
   * guesses: a TDMR without memory is not among them.
   */
  public List<AddressRange> placesWithin(long remoteBytes) {
    return places(usableTotal - 1, OptionalLong.of(remoteBytes)).orElse(List.of()).stream().map(Place::tdmr).toList();
  }

  /** The stretches holding coverable memory outside granules {@code [a, b)} of the window. */
  private int stretchesLeftOut(int a, int b) {
    long lo = (first + a) * Instance.GIB_PAGES;
    long hi = (first + b) * Instance.GIB_PAGES;
    // Stretches are disjoint and in address order: those inside [lo, hi) are consecutive.
    int from = firstStartingAtOrAbove(lo);
    int inside = 0;
    for (int i = from; i < stretches.size() && stretches.get(i)[1] <= hi; i++) {
      inside++;
    }
    return stretches.size() - inside;
  }

  /** The index of the first stretch starting at or above page {@code page}. */
  private int firstStartingAtOrAbove(long page) {
    int lo = 0;
    int hi = stretches.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (stretches.get(mid)[0] < page) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The least remote PAMT bytes of a layout whose only TDMR is granules {@code [a, b)} (class comment, 3). */
  public long leastRemoteBytes(int a, int b) {
    List<Integer> nodes = instance.nodes();
    List<PageSize> levels = instance.pieceLevels();
    long[][] cost = new long[levels.size()][nodes.size()];
    long[] anyNode = new long[levels.size()];
    for (int l = 0; l < levels.size(); l++) {
      anyNode[l] = Long.MAX_VALUE;
      for (int n = 0; n < nodes.size(); n++) {
        cost[l][n] = instance.piecePerGiBBytes(levels.get(l)) * (lacking[n][b] - lacking[n][a]);
        anyNode[l] = Math.min(anyNode[l], cost[l][n]);
      }
    }
    // The nodes with memory left out whose every level would describe some granule remotely.
    List<Integer> left = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      if (usableOn[n][granules] - (usableOn[n][b] - usableOn[n][a]) > 0 && lacking[n][b] - lacking[n][a] > 0) {
        left.add(n);
      }
    }
    if (left.size() > MOST_NODES) {
      return 0;
    }
    long least = Long.MAX_VALUE;
    int ways = (int) Math.pow(levels.size(), left.size());
    long[] largest = new long[levels.size()];
    for (int way = 0; way < ways; way++) {
      java.util.Arrays.fill(largest, -1);
      int w = way;
      for (int n : left) {
        int l = w % levels.size();
        w /= levels.size();
        largest[l] = Math.max(largest[l], cost[l][n]);
      }
      long sum = 0;
      for (int l = 0; l < levels.size(); l++) {
        sum += largest[l] >= 0 ? largest[l] : anyNode[l];
      }
      least = Math.min(least, sum);
    }
    return least;
  }
}
