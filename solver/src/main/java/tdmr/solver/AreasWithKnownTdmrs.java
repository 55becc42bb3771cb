package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.TdmrSetsAtPamt.TdmrSet;

/**
 * A lower bound on the reserved areas of every layout of the module family, coverage {@code all},
 * whose TDMRs are a given set ({@link TdmrSet}) and whose PAMT has exactly {@code P} pages: {@link
 * #leastAreas}. With the TDMRs known, each level's least size is known ({@link TdmrSet#levelPages})
 * and all levels together exceed those by at most the set's padding {@code σ}.
 *
 * <h2>Terms</h2>
 *
 * A <em>stretch</em> is a maximal range of contiguous usable memory (TDX memory inside a CMR); a
 * level lies in one ({@link AreaCountBound}). Memory in no TDMR is all PAMT. A <em>left-out
 * part</em> {@code D} is a maximal part of a stretch in no TDMR; each of its two ends is the
 * stretch's end or a TDMR's edge. {@code D} is <em>tileable</em> when some of the levels, with
 * least pages summing to {@code m}, have {@code m ≤ |D| ≤ m + σ}. Inside a TDMR {@code t}, a
 * <em>run piece</em> is a maximal range of atoms none of them usable holding a must-reserve atom
 * (as {@link AreaCountBound}'s runs, cut to {@code t}), and an <em>island of t</em> the usable
 * memory between two consecutive run pieces.
 *
 * <h2>Why every such layout has at least {@code n + x - k} areas</h2>
 *
 * In a TDMR, a reserved area holds no usable memory but PAMT, so it lies inside one
 * <em>block</em>: a maximal range of {@code t} whose usable memory is all PAMT. Each run piece needs
 * an area (its must-reserve atom lies in {@code t}), and so does PAMT in {@code t}. List, in {@code
 * t}'s order, its run pieces and, at each edge of {@code t} that a level crosses, the level's part
 * inside {@code t} (the <em>forced</em> things); two consecutive forced things lie in one block only
 * when the usable memory between them (a <em>segment</em>: an island of {@code t}, or the memory
 * between an edge and the nearest run piece, or all of {@code t}'s usable memory when it has none)
 * is all PAMT. So {@code t} has at least as many areas as forced things minus segments all PAMT.
 *
 * <p>Let {@code S} be the left-out parts no level crosses an end of. The levels inside a part of
 * {@code S} fill it exactly; levels are disjoint and their padding is at most {@code σ} in all, so
 * the parts of {@code S} are filled <em>together</em>: disjoint groups of levels, one per part, each
 * with least pages at most its part's and the parts' shortfalls at most {@code σ} together ({@link
 * TdmrSet#fillsTogether}; a part not tileable on its own is never in {@code S}). A stretch's end
 * cannot be crossed, so every part both of whose ends are stretch ends is in {@code S}: when those
 * cannot be filled together no layout has these TDMRs (the bound is empty). A part outside {@code
 * S} has a level crossing the edge of a TDMR {@code t} at one of its ends, a forced thing of {@code
 * t}. Distinct parts have distinct edges. So, with {@code n} the run pieces of all TDMRs and {@code
 * x} the parts outside {@code S}, the areas are at least {@code n + x} minus the segments all PAMT,
 * and the bound is the least of that over every {@code S} whose parts may be filled together (a
 * part's being crossed adds 1 to {@code x} and at most 1 to what is saved below, so trying every
 * {@code S} among the parts that may be tileable is exact; with more than {@link
 * #MOST_PARTS_TRIED} of them, all are taken as filled, which only lowers the bound); per part, its
 * crossed edges less the edge segments all PAMT at them
 * is at least 1 unless one of its edge segments is all PAMT (an edge-to-edge segment of a TDMR
 * without run pieces counted for one of its two parts). Segments are disjoint, inside TDMRs, and
 * their memory is all PAMT besides the left-out memory {@code M}: the segments all PAMT cost at
 * most {@code P - M} pages. So {@code k}, the most <em>items</em> whose pages fit in {@code P - M},
 * bounds what they save, items being the islands of TDMRs whose every stretch is tileable (an island
 * all PAMT lies between must-reserve atoms, so each of its stretches is filled exactly by levels
 * inside it) and, per part not tileable, the cheaper of the segments at its TDMR edges (smallest
 * first, so greedy is exact).
 *
 * <h2>Levels shared</h2>
 *
 * The items above are counted by their pages only; but the levels inside the islands filled and
 * the parts of {@code S}, and the levels meeting each part outside {@code S}, are disjoint groups of
 * the same levels when every TDMR holds a run piece: a level lies in one stretch, an island lies
 * between two run pieces of a TDMR and a part outside {@code S} beside a TDMR's edge, so a level
 * meeting two of them would cross a run piece or a whole TDMR, which holds none of the stretch's
 * memory past its run piece. The levels meeting a part outside {@code S} cover its memory (all PAMT)
 * and reach past it into the TDMR: at least its pages and one more together. So the islands saved
 * are only those that, with the parts of {@code S}, {@link LevelGroups} finds disjoint groups to fill
 * while the parts outside {@code S} are reached past, within the padding; an island of several
 * stretches is taken as one range filled (its stretches' groups together fill it), which only keeps
 * more. When no groups exist even without an island, no layout has that {@code S}. On node 1 of the
 * seed-1 sweep's {@code memmap-64} (3 TDMRs, 261 633 pages, granule 513 left out with 139 010 pages
 * up to a hole and 57 519 between that hole and the tail outside the CMR), the part below the hole
 * is reached past, and an island of 57 631 pages between two holes would fit the pages left but
 * needs the 4K level of 56 GiB that the 57 519 pages take: 34 areas, not 33 ({@code
 * AreaCountBoundTest}).
 *
 * <p>Filling together matters where a part's levels are wanted elsewhere: on canonical/tdx#331 at
 * its least PAMT with 5 TDMRs of 1, 188, 256, 192 and 256 GiB, the run at 1 TiB (both ends stretch
 * ends) takes the two 256 GiB 4K levels, and no levels left fill the granule [1G, 0x77800000) beside
 * the TDMR [0, 1G), so a level crosses into it ({@code AreaCountBoundTest} derives the 3 areas).
 */
public final class AreasWithKnownTdmrs {
  private final Instance instance;

  public AreasWithKnownTdmrs(Instance instance) {
    this.instance = instance;
  }

  /** A piece of an atom inside one TDMR ({@code tdmr} its index) or in none ({@code -1}). */
  private record Piece(long start, long end, boolean usable, boolean mustReserve, int tdmr) {
    long pages() {
      return (end - start) / ByteSize.PAGE;
    }
  }

  /**
   * The bound of the class comment for layouts with the TDMRs of {@code set} and {@code pamtPages}
   * pages of PAMT; empty when no such layout exists (a left-out part between stretch ends is not
   * tileable).
   */
  public OptionalLong leastAreas(TdmrSet set, long pamtPages) {
    List<Piece> pieces = pieces(set);
    long leftOut = 0;
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < pieces.size()) {
      if (!pieces.get(i).usable()) {
        i++;
        continue;
      }
      // One stretch: pieces i..j-1.
      int j = i;
      while (j < pieces.size() && pieces.get(j).usable()) {
        j++;
      }
      for (int k = i; k < j; k++) {
        if (pieces.get(k).tdmr() >= 0) {
          continue;
        }
        int first = k;
        long pages = 0;
        while (k < j && pieces.get(k).tdmr() < 0) {
          pages += pieces.get(k).pages();
          k++;
        }
        leftOut += pages;
        long below = first > i ? edgeSegment(pieces, pieces.get(first - 1).tdmr(), false) : Long.MAX_VALUE;
        long above = k < j ? edgeSegment(pieces, pieces.get(k).tdmr(), true) : Long.MAX_VALUE;
        boolean edged = below != Long.MAX_VALUE || above != Long.MAX_VALUE;
        if (!set.fills(pages)) {
          if (!edged) {
            return OptionalLong.empty();
          }
          parts.add(new Part(pages, false, false, Math.min(below, above)));
        } else {
          parts.add(new Part(pages, !edged, true, Math.min(below, above)));
        }
      }
      i = j;
    }
    List<Part> must = parts.stream().filter(Part::mustFill).toList();
    if (!set.fillsTogether(must.stream().mapToLong(Part::pages).toArray())) {
      // The parts between stretch ends cannot all be filled: no layout has these TDMRs.
      return OptionalLong.empty();
    }
    List<Long> islands = new ArrayList<>();
    long runPieces = 0;
    // Whether every TDMR holds a run piece: then no level meets two of the ranges LevelGroups shares out.
    boolean apart = true;
    for (int t = 0; t < set.tdmrs().size(); t++) {
      long runs = runPiecesAndIslands(pieces, t, set, islands);
      runPieces += runs;
      apart &= runs > 0;
    }
    List<Part> may = parts.stream().filter(p -> !p.mustFill() && p.mayFill()).toList();
    List<Part> never = parts.stream().filter(p -> !p.mayFill()).toList();
    long room = pamtPages - leftOut;
    if (may.size() > MOST_PARTS_TRIED) {
      // Too many to try together: each may be filled (fewer parts crossed only lowers the bound).
      return OptionalLong.of(areas(runPieces, islands, never, room));
    }
    long least = Long.MAX_VALUE;
    LevelGroups groups = null;
    for (int filled = 0; filled < 1 << may.size(); filled++) {
      List<Part> crossed = new ArrayList<>(never);
      long[] together = new long[must.size() + Integer.bitCount(filled)];
      int n = 0;
      for (Part p : must) {
        together[n++] = p.pages();
      }
      for (int k = 0; k < may.size(); k++) {
        if ((filled & 1 << k) != 0) {
          together[n++] = may.get(k).pages();
        } else {
          crossed.add(may.get(k));
        }
      }
      long areas = areas(runPieces, islands, crossed, room);
      if (areas < least && set.fillsTogether(together)) {
        boolean share = apart && !instance.deadline().expired();
        if (share && groups == null) {
          groups = new LevelGroups(set.levelPages(), set.padding());
        }
        least = Math.min(least, share ? sharingLevels(groups, together, crossed, islands, runPieces, room) : areas);
      }
    }
    return least == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(least);
  }

  /** The most islands whose subsets {@link #sharingLevels} tries. */
  private static final int MOST_ISLANDS_TRIED = 6;

  /**
   * {@link #areas} where the levels are shared out (<em>Levels shared</em> in the class comment): the
   * most items saved with the islands filled drawn from disjoint groups of levels, beside those that
   * fill the parts {@code filled} and reach past the parts {@code crossed}; {@link Long#MAX_VALUE}
   * when no such groups exist even with no island filled. With more than {@link
   * #MOST_ISLANDS_TRIED} islands within {@code room}, {@link #areas} alone; past the deadline the
   * caller takes {@link #areas} alone too (both are bounds, this one only higher).
   */
  private static long sharingLevels(LevelGroups groups, long[] filled, List<Part> crossed, List<Long> islands,
      long runPieces, long room) {
    List<Long> fit = islands.stream().filter(p -> p <= room).sorted().toList();
    if (fit.size() > MOST_ISLANDS_TRIED) {
      return areas(runPieces, islands, crossed, room);
    }
    long[] cross = crossed.stream().mapToLong(Part::pages).toArray();
    List<Long> edges = crossed.stream().map(Part::edgeSegment).sorted().toList();
    // Per subset of the islands within room: the items it saves (its islands, and the edge segments
    // the pages left hold); the most first, so that the first whose groups exist is the answer.
    List<long[]> subsets = new ArrayList<>();
    for (int chosen = 0; chosen < 1 << fit.size(); chosen++) {
      long pages = 0;
      for (int k = 0; k < fit.size(); k++) {
        pages += (chosen & 1 << k) != 0 ? fit.get(k) : 0;
      }
      if (pages > room) {
        continue;
      }
      long edgesSaved = 0;
      long left = room - pages;
      for (long e : edges) {
        if (e > left) {
          break;
        }
        left -= e;
        edgesSaved++;
      }
      subsets.add(new long[] {Integer.bitCount(chosen) + edgesSaved, chosen});
    }
    subsets.sort((a, b) -> Long.compare(b[0], a[0]));
    long saved = -1;
    for (long[] sub : subsets) {
      int chosen = (int) sub[1];
      long[] together = java.util.Arrays.copyOf(filled, filled.length + Integer.bitCount(chosen));
      int n = filled.length;
      for (int k = 0; k < fit.size(); k++) {
        if ((chosen & 1 << k) != 0) {
          together[n++] = fit.get(k);
        }
      }
      if (groups.exist(together, cross)) {
        saved = sub[0];
        break;
      }
    }
    return saved < 0 ? Long.MAX_VALUE : Math.max(0, runPieces + crossed.size() - saved);
  }

  /** The most left-out parts that may be filled whose subsets {@link #leastAreas} tries. */
  private static final int MOST_PARTS_TRIED = 4;

  /**
   * A left-out part: its pages, whether both its ends are stretch ends (so levels must fill it),
   * whether its levels may fill it on their own ({@link TdmrSet#fills}), and the pages of the
   * cheaper segment at the TDMR edges beside it.
   */
  private record Part(long pages, boolean mustFill, boolean mayFill, long edgeSegment) {}

  /**
   * The class comment's {@code n + x - k}: {@code runPieces} and the parts {@code crossed}, less the
   * most items (the {@code islands} and the crossed parts' edge segments) whose pages fit in {@code
   * room}.
   */
  private static long areas(long runPieces, List<Long> islands, List<Part> crossed, long room) {
    List<Long> items = new ArrayList<>(islands);
    crossed.forEach(p -> items.add(p.edgeSegment()));
    items.sort(null);
    long saved = 0;
    for (long cost : items) {
      if (cost > room) {
        break;
      }
      room -= cost;
      saved++;
    }
    return Math.max(0, runPieces + crossed.size() - saved);
  }

  /** The atoms of the window cut at the TDMRs' edges. */
  private List<Piece> pieces(TdmrSet set) {
    List<Piece> out = new ArrayList<>();
    List<long[]> tdmrs = set.tdmrs();
    for (Atom a : instance.atoms()) {
      boolean usable = a.usable();
      boolean mustReserve = instance.needsReservedArea(a);
      long cursor = a.range().start();
      while (cursor < a.range().end()) {
        int t = tdmrAt(tdmrs, cursor);
        long end = a.range().end();
        if (t >= 0) {
          end = Math.min(end, tdmrs.get(t)[1] * ByteSize.GiB);
        } else {
          for (long[] r : tdmrs) {
            if (r[0] * ByteSize.GiB > cursor) {
              end = Math.min(end, r[0] * ByteSize.GiB);
              break;
            }
          }
        }
        out.add(new Piece(cursor, end, usable, mustReserve, t));
        cursor = end;
      }
    }
    return out;
  }

  private static int tdmrAt(List<long[]> tdmrs, long address) {
    for (int t = 0; t < tdmrs.size(); t++) {
      if (tdmrs.get(t)[0] * ByteSize.GiB <= address && address < tdmrs.get(t)[1] * ByteSize.GiB) {
        return t;
      }
    }
    return -1;
  }

  /**
   * The usable pages of TDMR {@code t} between its low edge ({@code fromLow}) or its high edge and
   * the nearest must-reserve piece inside it; all its usable pages when it has none.
   */
  private static long edgeSegment(List<Piece> pieces, int t, boolean fromLow) {
    List<Piece> in = pieces.stream().filter(p -> p.tdmr() == t).toList();
    long pages = 0;
    for (int k = 0; k < in.size(); k++) {
      Piece p = in.get(fromLow ? k : in.size() - 1 - k);
      if (p.mustReserve()) {
        return pages;
      }
      if (p.usable()) {
        pages += p.pages();
      }
    }
    return pages;
  }

  /**
   * The run pieces of TDMR {@code t}; adds to {@code items} the pages of each island of {@code t}
   * whose every stretch is tileable.
   */
  private long runPiecesAndIslands(List<Piece> pieces, int t, TdmrSet set, List<Long> items) {
    List<Piece> in = pieces.stream().filter(p -> p.tdmr() == t).toList();
    long runs = 0;
    boolean afterRun = false;
    long island = 0;
    long stretch = 0;
    boolean islandTileable = true;
    int k = 0;
    while (k < in.size()) {
      if (in.get(k).usable()) {
        island += in.get(k).pages();
        stretch += in.get(k).pages();
        k++;
        continue;
      }
      if (stretch > 0) {
        islandTileable &= set.fills(stretch);
        stretch = 0;
      }
      // A maximal range of pieces none of them usable: a run piece when it holds a must-reserve one.
      boolean must = false;
      while (k < in.size() && !in.get(k).usable()) {
        must |= in.get(k).mustReserve();
        k++;
      }
      if (!must) {
        continue;
      }
      if (afterRun && islandTileable) {
        items.add(island);
      }
      runs++;
      afterRun = true;
      island = 0;
      islandTileable = true;
    }
    return runs;
  }
}
