package tdmr.solver;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.PageSize;

/**
 * A guess at the TDMRs of a layout at the PAMT bound of {@link tdmr.solver.ModuleFamilyBounds} on
 * hosts where that bound allows for memory granules left out of every TDMR: one TDMR within each
 * piece of a run (its granules on one node), leaving out at its ends the granules whose memory its
 * own levels can fill. A 256 GiB TDMR's 4K level is 1 GiB, so on a node of 256 GiB or more the
 * TDMR over all but the last granule or two of its run, with its levels filling them up to the end
 * of the memory block, needs one GiB's levels (1026 pages) less per granule left out.
 *
 * <p>Per piece of {@code n} GiB, it takes {@code i} granules off the bottom and {@code j} off the
 * top (at most 2 and 3, each side's memory contiguous to its end of the piece) where {@code
 * max(levels(n - i - j), memory left out)}, the least PAMT that TDMR can have, is least (fewest
 * granules left out on ties). A guess only: the caller asks Z3 for a layout with these TDMRs and
 * proves nothing from a failure.
 */
public final class GranulesLeftOut {
  private final Instance instance;

  public GranulesLeftOut(Instance instance) {
    this.instance = instance;
  }

  /** The TDMRs guessed for {@code pieces} (each a list of consecutive cell indexes), in address order. */
  public List<AddressRange> tdmrs(List<List<Integer>> pieces) {
    List<AddressRange> out = new ArrayList<>();
    for (List<Integer> piece : pieces) {
      out.add(within(piece));
    }
    return out;
  }

  /** The TDMR within one piece. */
  private AddressRange within(List<Integer> piece) {
    List<Long> granules = granules(piece);
    int n = granules.size();
    long start = instance.cells().get(piece.get(0)).range().start();
    long end = instance.cells().get(piece.get(piece.size() - 1)).range().end();
    long best = Long.MAX_VALUE;
    int bestI = 0;
    int bestJ = 0;
    for (int i = 0; i <= 2 && i < n; i++) {
      for (int j = 0; j <= 3 && i + j < n; j++) {
        long left = 0;
        for (int g = 0; g < i; g++) {
          left += granules.get(g);
        }
        for (int g = n - j; g < n; g++) {
          left += granules.get(g);
        }
        long cost = Math.max(levels(n - i - j), left);
        if (cost < best) {
          best = cost;
          bestI = i;
          bestJ = j;
        }
      }
    }
    return new AddressRange(start + bestI * ByteSize.GiB, end - bestJ * ByteSize.GiB);
  }

  /** Pages of TDX memory in each granule of {@code piece}, in address order. */
  private List<Long> granules(List<Integer> piece) {
    List<Long> granules = new ArrayList<>();
    for (int k : piece) {
      Cell c = instance.cells().get(k);
      if (c.kind() == Instance.Kind.MIXED) {
        granules.add(memoryPages(c));
      } else {
        for (long g = 0; g < c.sizeGiB(); g++) {
          granules.add(Instance.GIB_PAGES);
        }
      }
    }
    return granules;
  }

  /** Pages of all levels of a {@code giB} GiB TDMR. */
  private long levels(long giB) {
    return instance.levelsPages(giB);
  }

  /** Pages of TDX memory a TDMR could cover in cell {@code c}. */
  private long memoryPages(Cell c) {
    long pages = 0;
    for (Atom a : instance.atoms().subList(c.firstAtom(), c.endAtom())) {
      if (a.memory() && !a.dead()) {
        pages += a.pages();
      }
    }
    return pages;
  }

  /**
   * A lower bound on the TDMRs of every layout with {@link ModuleFamilyBounds#leastPamtPages} pages
   * of PAMT (of {@code b}), for both exact engines' TDMRs tier: {@link
   * ModuleFamilyBounds#leastTdmrs} when it is known (every granule covered), else {@link
   * #leastTdmrsAtBound} (granules may be left out), and at least {@link
   * ModuleFamilyBounds#leastTdmrsAtLeastPamt}; empty when none of them is known.
   */
  public OptionalLong leastTdmrsAtPamtBound(ModuleFamilyBounds b) {
    OptionalLong least = b.leastTdmrs();
    if (least.isEmpty()) {
      least = leastTdmrsAtBound(b);
    }
    OptionalLong oneIsTooFew = b.leastTdmrsAtLeastPamt();
    if (oneIsTooFew.isPresent() && (least.isEmpty() || least.getAsLong() < oneIsTooFew.getAsLong())) {
      least = oneIsTooFew;
    }
    return least;
  }

  /**
   * A lower bound on the TDMRs of every layout whose PAMT is at the per-node bound of {@code b}
   * ({@link ModuleFamilyBounds#leastPamtPagesPerNode}, no remote PAMT, every memory granule of one
   * node), when one can be shown; else empty.
   *
   * <p>Why. The total is the sum of the nodes' bounds and each node's PAMT is at least its own
   * {@code b_X}, so each node's PAMT is exactly {@code b_X}. Without remote PAMT a TDMR holding
   * memory holds one node's, its levels lie on that node, and memory left out of every TDMR is PAMT
   * on its own node; so node X's PAMT is at least the levels of its TDMRs, at least {@code L} whole
   * pages (4K and 2M levels) per GiB they cover, and at least its memory left out. A TDMR over two
   * of node X's pieces also covers the granules between them (none holds memory: it would be
   * another node's, described remotely), at least {@code gap_X}, the fewest between two consecutive
   * pieces. With {@code l} of node X's {@code N_X} memory granules left out, such a layout has at
   * least {@code max(L·(N_X - l + gap_X), S_{X,l})} pages on X ({@code S_{X,l}} the memory of the
   * {@code l} smallest granules); when the least of that over {@code l} exceeds {@code b_X}, no TDMR
   * joins two pieces of X. Then every piece of X whose memory exceeds {@code b_X} (so it cannot be
   * left out whole) has a TDMR of its own: the bound is the number of such pieces.
   */
  public OptionalLong leastTdmrsAtBound(ModuleFamilyBounds b) {
    return leastTdmrsAtBound(b, Set.of());
  }

  /**
   * {@link #leastTdmrsAtBound(ModuleFamilyBounds)} when, besides the pieces whose memory exceeds
   * their node's bound, the pieces of {@code covered} cannot be left out whole either ({@link
   * #mayBeLeftOutWhole} is false for them): they count too.
   */
  public OptionalLong leastTdmrsAtBound(ModuleFamilyBounds b, Set<List<Integer>> covered) {
    Map<Integer, Long> perNode = b.leastPamtPagesPerNode();
    if (perNode.isEmpty() || !b.remoteFree()) {
      return OptionalLong.empty();
    }
    long whole = 0;
    for (PageSize level : instance.pieceLevels()) {
      long p = instance.perGiBBytes(level);
      whole += p % ByteSize.PAGE == 0 ? p / ByteSize.PAGE : 0;
    }
    Map<Integer, List<List<Integer>>> pieces = new TreeMap<>();
    for (ModuleFamilyBounds.Run r : b.runs()) {
      for (List<Integer> piece : r.pieces()) {
        List<Integer> nodes = instance.cells().get(piece.get(0)).nodes();
        if (nodes.size() != 1) {
          return OptionalLong.empty();
        }
        pieces.computeIfAbsent(nodes.get(0), n -> new ArrayList<>()).add(piece);
      }
    }
    long least = 0;
    for (Map.Entry<Integer, List<List<Integer>>> e : pieces.entrySet()) {
      Long bound = perNode.get(e.getKey());
      if (bound == null) {
        return OptionalLong.empty();
      }
      List<List<Integer>> own = e.getValue();
      if (own.size() > 1 && !joiningCostsMore(own, whole, bound)) {
        // One TDMR may join them: at least one unless all of the node's memory can be left out.
        long memory = own.stream().flatMap(p -> granules(p).stream()).mapToLong(Long::longValue).sum();
        least += memory > bound ? 1 : 0;
        continue;
      }
      for (List<Integer> piece : own) {
        long memory = granules(piece).stream().mapToLong(Long::longValue).sum();
        least += memory > bound || covered.contains(piece) ? 1 : 0;
      }
    }
    return OptionalLong.of(least);
  }

  /** Whether every layout of one node's {@code pieces} with a TDMR over two of them has more than {@code bound} pages on the node. */
  private boolean joiningCostsMore(List<List<Integer>> pieces, long whole, long bound) {
    long gap = Long.MAX_VALUE;
    for (int i = 0; i + 1 < pieces.size(); i++) {
      List<Integer> below = pieces.get(i);
      long end = instance.cells().get(below.get(below.size() - 1)).range().end();
      long start = instance.cells().get(pieces.get(i + 1).get(0)).range().start();
      gap = Math.min(gap, (start - end) / ByteSize.GiB);
    }
    List<Long> memory = new ArrayList<>();
    pieces.forEach(p -> memory.addAll(granules(p)));
    memory.sort(null);
    long n = memory.size();
    long leftOut = 0;
    for (int l = 0; l <= n; l++) {
      if (Math.max(whole * (n - l + gap), leftOut) <= bound) {
        return false;
      }
      if (l < n) {
        leftOut += memory.get(l);
      }
    }
    return true;
  }

  /**
   * The pieces of {@code b}'s runs (each a list of consecutive cell indexes) whose memory is within
   * their node's per-node bound: a layout at that bound might leave them out of every TDMR whole.
   */
  public List<List<Integer>> piecesWithinBound(ModuleFamilyBounds b) {
    Map<Integer, Long> perNode = b.leastPamtPagesPerNode();
    List<List<Integer>> out = new ArrayList<>();
    for (ModuleFamilyBounds.Run r : b.runs()) {
      for (List<Integer> piece : r.pieces()) {
        List<Integer> nodes = instance.cells().get(piece.get(0)).nodes();
        Long bound = nodes.size() == 1 ? perNode.get(nodes.get(0)) : null;
        if (bound != null && granules(piece).stream().mapToLong(Long::longValue).sum() <= bound) {
          out.add(piece);
        }
      }
    }
    return out;
  }

  /**
   * The pieces of {@code b}'s runs (each a list of consecutive cell indexes) that no layout at the
   * per-node bound of {@code b} with at most {@code tdmrs} TDMRs leaves out of every TDMR whole:
   * those whose memory exceeds their node's bound, and those within it for which {@link
   * #mayBeLeftOutWhole} is false. Empty when the bound is not per node.
   */
  public Set<List<Integer>> coveredPieces(ModuleFamilyBounds b, long tdmrs) {
    Map<Integer, Long> perNode = b.leastPamtPagesPerNode();
    Set<List<Integer>> out = new HashSet<>();
    if (perNode.isEmpty() || !b.remoteFree()) {
      return out;
    }
    for (ModuleFamilyBounds.Run r : b.runs()) {
      for (List<Integer> piece : r.pieces()) {
        List<Integer> nodes = instance.cells().get(piece.get(0)).nodes();
        Long bound = nodes.size() == 1 ? perNode.get(nodes.get(0)) : null;
        if (bound != null && !mayBeLeftOutWhole(b, piece, nodes.get(0), bound, tdmrs)) {
          out.add(piece);
        }
      }
    }
    return out;
  }

  /**
   * Whether a layout whose PAMT on node {@code node} is exactly its per-node bound {@code bound}
   * (as at the bound of {@link ModuleFamilyBounds#leastPamtPagesPerNode}: no remote PAMT, every
   * node at its own bound), with at most {@code tdmrs} TDMRs, might leave {@code piece} (of that
   * node) out of every TDMR whole; true whenever that cannot be ruled out cheaply.
   *
   * <p>Why false is a proof. Such a layout fills all of the piece's memory with PAMT, which lies on
   * the node, so it is levels (with their padding) of the node's TDMRs or of TDMRs without memory.
   * The node's other memory granules are covered or left out (then all PAMT too): with {@code l}
   * of them left out, the memory left out is at least that of the piece and the {@code l} smallest,
   * at most {@code bound}. The node's TDMRs holding memory cover the other {@code G} granules and,
   * when the levels of one more GiB stay within the bound, may reach over granules without memory
   * (answered true); each holds one node's memory and lies on it, and with {@code t <= tdmrs} of them
   * of {@code g_1 + ... + g_t = G} GiB their levels have {@code sum levels(g_i)} pages, leaving a
   * slack of {@code bound - sum levels(g_i)} pages for padding (a TDMR without memory costs a 1 GiB
   * TDMR's levels: when they fit in the slack, answered true). Each stretch of contiguous TDX memory
   * inside the piece's granules holds whole levels, so it is some of those levels plus padding: when
   * for no {@code l}, {@code t} and sizes the levels can be shared out among the stretches so that
   * each holds at most its pages and all together lack at most the slack, no such layout exists. The
   * sizes are enumerated for {@code t <= 2} ({@link #MOST_TDMRS_ENUMERATED}; more answers true). On
   * the node 0 of a multi-socket host at 2 TDMRs: its 1.85 GiB of low memory is no sum of the 4K,
   * 2M and 1G levels of two TDMRs over its other 510 GiB within the page or two of slack.
   */
  public boolean mayBeLeftOutWhole(ModuleFamilyBounds b, List<Integer> piece, int node, long bound, long tdmrs) {
    long memory = granules(piece).stream().mapToLong(Long::longValue).sum();
    if (memory > bound) {
      return false;
    }
    if (tdmrs > MOST_TDMRS_ENUMERATED) {
      return true;
    }
    Optional<List<Long>> stretches = stretchesInside(piece);
    if (stretches.isEmpty()) {
      return true;
    }
    List<Long> others = new ArrayList<>();
    for (ModuleFamilyBounds.Run r : b.runs()) {
      for (List<Integer> other : r.pieces()) {
        if (!other.equals(piece) && instance.cells().get(other.get(0)).nodes().equals(List.of(node))) {
          others.addAll(granules(other));
        }
      }
    }
    others.sort(null);
    long leftOut = memory;
    for (int l = 0; l <= others.size() && leftOut <= bound; l++) {
      long giB = others.size() - l;
      if (giB == 0 || levels(giB + 1) <= bound || levels(giB) + levels(1) <= bound) {
        // No TDMR holding memory, or room for one more GiB or a TDMR without memory: not enumerated.
        return true;
      }
      for (long first = giB; 2 * first >= giB; first--) {
        long second = giB - first;
        if (second > 0 && tdmrs < 2) {
          break;
        }
        List<Long> items = new ArrayList<>(levelSizes(first));
        if (second > 0) {
          items.addAll(levelSizes(second));
        }
        long slack = bound - items.stream().mapToLong(Long::longValue).sum();
        if (slack >= 0 && fills(items, 0, stretches.get(), new long[stretches.get().size()], slack)) {
          return true;
        }
      }
      if (l < others.size()) {
        leftOut += others.get(l);
      }
    }
    return false;
  }

  /** The most TDMRs whose sizes {@link #mayBeLeftOutWhole} enumerates. */
  private static final int MOST_TDMRS_ENUMERATED = 2;

  /** The pages of each level of a {@code giB} GiB TDMR. */
  private List<Long> levelSizes(long giB) {
    List<Long> out = new ArrayList<>();
    for (PageSize level : instance.pieceLevels()) {
      out.add(instance.piecePages(giB, level));
    }
    return out;
  }

  /**
   * Whether {@code items[k..]} can be shared out among the stretches (or left outside them) so that
   * each stretch holds at most its pages ({@code used} so far) and all of them lack at most {@code
   * slack} pages together.
   */
  private static boolean fills(List<Long> items, int k, List<Long> stretches, long[] used, long slack) {
    if (k == items.size()) {
      long lacking = 0;
      for (int i = 0; i < used.length; i++) {
        lacking += stretches.get(i) - used[i];
      }
      return lacking <= slack;
    }
    if (fills(items, k + 1, stretches, used, slack)) {
      return true;
    }
    for (int i = 0; i < used.length; i++) {
      if (used[i] + items.get(k) <= stretches.get(i)) {
        used[i] += items.get(k);
        boolean ok = fills(items, k + 1, stretches, used, slack);
        used[i] -= items.get(k);
        if (ok) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The pages of each stretch of contiguous TDX memory (coverable: in a CMR, below the HKID limit)
   * inside the piece's granules; empty when one reaches beyond them (PAMT in it might too).
   */
  private Optional<List<Long>> stretchesInside(List<Integer> piece) {
    Cell first = instance.cells().get(piece.get(0));
    Cell last = instance.cells().get(piece.get(piece.size() - 1));
    List<Atom> atoms = instance.atoms();
    List<Long> out = new ArrayList<>();
    long end = -1;
    for (int i = first.firstAtom(); i < last.endAtom(); i++) {
      Atom a = atoms.get(i);
      if (!a.memory() || a.dead()) {
        continue;
      }
      boolean edge = i == first.firstAtom() || i == last.endAtom() - 1;
      if (edge && touchesOutside(a, i, first.firstAtom(), last.endAtom())) {
        return Optional.empty();
      }
      if (a.range().start() == end) {
        out.set(out.size() - 1, out.get(out.size() - 1) + a.pages());
      } else {
        out.add(a.pages());
      }
      end = a.range().end();
    }
    return Optional.of(out);
  }

  /** Whether memory atom {@code a} (index {@code i}) joins coverable memory outside atoms {@code [from, to)}. */
  private boolean touchesOutside(Atom a, int i, int from, int to) {
    List<Atom> atoms = instance.atoms();
    for (int j : new int[] {i - 1, i + 1}) {
      if (j >= 0 && j < atoms.size() && (j < from || j >= to)) {
        Atom n = atoms.get(j);
        boolean joined = n.range().end() == a.range().start() || a.range().end() == n.range().start();
        if (joined && n.memory() && !n.dead()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The most TDMR sets both exact engines minimise their reserved-areas tier over, one by one (each
   * a small solve with the TDMRs fixed). A host of 2 TiB on one node has 23 at its bound: the TDMR
   * over its high run leaves 7 or 8 of its granules out, any number of them at the bottom.
   */
  public static final int MOST_TDMR_SETS = 32;

  /**
   * The TDMR sets of {@link #tdmrSetsAtBound} for the layouts with {@code pamtPages} pages of PAMT
   * and {@code tdmrs} TDMRs, when that PAMT is the per-node bound of {@code b} (no remote PAMT) and
   * the TDMRs number one per piece of the runs, as {@link #leastTdmrsAtBound} proves with the
   * pieces of {@link #coveredPieces} counted: then every such layout has one of the sets. Both exact
   * engines minimise their reserved-areas tier over the sets, each with its TDMRs fixed. Empty when
   * that cannot be shown or there are more than {@code most} sets.
   */
  public Optional<SetsAtBound> setsAtBound(ModuleFamilyBounds b, long pamtPages, long tdmrs, int most) {
    if (b.leastPamtPagesPerNode().isEmpty() || b.leastPamtPages().isEmpty()
        || b.leastPamtPages().getAsLong() != pamtPages) {
      return Optional.empty();
    }
    long pieces = b.runs().stream().mapToLong(r -> r.pieces().size()).sum();
    if (pieces != tdmrs) {
      return Optional.empty();
    }
    // Pieces within their node's bound that no layout here leaves out whole count as the others.
    Set<List<Integer>> covered = coveredPieces(b, pieces);
    OptionalLong least = leastTdmrsAtBound(b, covered);
    if (least.isEmpty() || least.getAsLong() != pieces) {
      return Optional.empty();
    }
    long within = piecesWithinBound(b).stream().filter(covered::contains).count();
    return tdmrSetsAtBound(b, most, covered).map(sets -> new SetsAtBound(sets, within));
  }

  /**
   * The TDMR sets of {@link #setsAtBound}, each in address order, and how many pieces within their
   * node's PAMT bound were shown not to be left out whole ({@link #mayBeLeftOutWhole}).
   */
  public record SetsAtBound(List<List<AddressRange>> sets, long coveredWithinBound) {}

  /**
   * Every set of TDMRs a layout can have when its PAMT is at the per-node bound of {@code b} and
   * its TDMR count is {@link #leastTdmrsAtBound} with every piece counted (so each piece has one
   * TDMR of its own and there is no other): per piece, the TDMR over all but {@code i} granules at
   * its bottom and {@code j} at its top, for the {@code (i, j)} of the node's pieces whose levels
   * ({@code levels(n - i - j)} each) and memory left out each stay within {@code b_X}. Empty when
   * that cannot be shown (a piece left out whole, room for a TDMR to reach over granules without
   * memory beside its piece) or there are more than {@code most} sets.
   */
  public Optional<List<List<AddressRange>>> tdmrSetsAtBound(ModuleFamilyBounds b, int most) {
    return tdmrSetsAtBound(b, most, Set.of());
  }

  /**
   * {@link #tdmrSetsAtBound(ModuleFamilyBounds, int)} when the pieces of {@code covered} cannot be
   * left out whole ({@link #mayBeLeftOutWhole} is false for them): such a piece whose memory is
   * within its node's bound has a TDMR of its own like the others.
   */
  public Optional<List<List<AddressRange>>> tdmrSetsAtBound(ModuleFamilyBounds b, int most, Set<List<Integer>> covered) {
    Map<Integer, Long> perNode = b.leastPamtPagesPerNode();
    Map<Integer, List<List<Integer>>> byNode = new TreeMap<>();
    for (ModuleFamilyBounds.Run r : b.runs()) {
      for (List<Integer> piece : r.pieces()) {
        byNode.computeIfAbsent(instance.cells().get(piece.get(0)).nodes().get(0), n -> new ArrayList<>()).add(piece);
      }
    }
    List<List<AddressRange>> sets = List.of(List.of());
    for (Map.Entry<Integer, List<List<Integer>>> e : byNode.entrySet()) {
      long bound = perNode.get(e.getKey());
      List<List<Integer>> pieces = e.getValue();
      for (List<Integer> piece : pieces) {
        if (granules(piece).stream().mapToLong(Long::longValue).sum() <= bound && !covered.contains(piece)) {
          return Optional.empty();
        }
      }
      List<List<AddressRange>> onNode = new ArrayList<>();
      if (!nodeSets(pieces, 0, bound, 0, 0, new ArrayList<>(), onNode)) {
        return Optional.empty();
      }
      List<List<AddressRange>> next = new ArrayList<>();
      for (List<AddressRange> set : sets) {
        for (List<AddressRange> more : onNode) {
          List<AddressRange> both = new ArrayList<>(set);
          both.addAll(more);
          next.add(both);
        }
      }
      if (next.size() > most) {
        return Optional.empty();
      }
      sets = next;
    }
    List<List<AddressRange>> out = new ArrayList<>();
    for (List<AddressRange> set : sets) {
      List<AddressRange> sorted = new ArrayList<>(set);
      sorted.sort(java.util.Comparator.comparingLong(AddressRange::start));
      out.add(sorted);
    }
    return Optional.of(out);
  }

  /**
   * Adds to {@code out} the TDMR sets of pieces {@code k..} of one node within {@code bound} pages,
   * given {@code levels} and {@code leftOut} pages of the pieces before; false when a TDMR of a set
   * could also reach over a granule without memory (its levels with one GiB more still fit).
   */
  private boolean nodeSets(List<List<Integer>> pieces, int k, long bound, long levels, long leftOut,
      List<AddressRange> chosen, List<List<AddressRange>> out) {
    if (k == pieces.size()) {
      for (AddressRange t : chosen) {
        long giB = t.size() / ByteSize.GiB;
        if (levels - levels(giB) + levels(giB + 1) <= bound) {
          return false;
        }
      }
      out.add(List.copyOf(chosen));
      return true;
    }
    List<Integer> piece = pieces.get(k);
    List<Long> granules = granules(piece);
    int n = granules.size();
    long start = instance.cells().get(piece.get(0)).range().start();
    long end = instance.cells().get(piece.get(piece.size() - 1)).range().end();
    long bottom = 0;
    for (int i = 0; i < n && leftOut + bottom <= bound; i++) {
      long top = 0;
      for (int j = 0; i + j < n && leftOut + bottom + top <= bound; j++) {
        long own = levels(n - i - j);
        if (levels + own <= bound) {
          chosen.add(new AddressRange(start + i * ByteSize.GiB, end - j * ByteSize.GiB));
          boolean ok = nodeSets(pieces, k + 1, bound, levels + own, leftOut + bottom + top, chosen, out);
          chosen.remove(chosen.size() - 1);
          if (!ok) {
            return false;
          }
        }
        top += granules.get(n - 1 - j);
      }
      bottom += granules.get(i);
    }
    return true;
  }
}
