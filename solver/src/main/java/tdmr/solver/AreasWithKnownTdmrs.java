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
 * <p>If a left-out part {@code D} is not tileable, some level crosses one of its ends: were none to,
 * the levels inside {@code D} would fill it exactly, at least their least pages and at most those
 * plus {@code σ}. A stretch's end cannot be crossed, so when both ends of {@code D} are stretch ends
 * no layout has these TDMRs (the bound is empty); else a level crosses the edge of a TDMR {@code t}
 * there, a forced thing of {@code t}. Distinct parts have distinct edges. So, with {@code n} the run
 * pieces of all TDMRs and {@code x} the parts not tileable, the areas are at least {@code n + x}
 * minus the segments all PAMT; per part, its crossed edges less the edge segments all PAMT at them
 * is at least 1 unless one of its edge segments is all PAMT (an edge-to-edge segment of a TDMR
 * without run pieces counted for one of its two parts). Segments are disjoint, inside TDMRs, and
 * their memory is all PAMT besides the left-out memory {@code M}: the segments all PAMT cost at
 * most {@code P - M} pages. So {@code k}, the most <em>items</em> whose pages fit in {@code P - M},
 * bounds what they save, items being the islands of TDMRs whose every stretch is tileable (an island
 * all PAMT lies between must-reserve atoms, so each of its stretches is filled exactly by levels
 * inside it) and, per part not tileable, the cheaper of the segments at its TDMR edges (smallest
 * first, so greedy is exact).
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
    long notTileable = 0;
    List<Long> items = new ArrayList<>();
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
        if (set.fills(pages)) {
          continue;
        }
        long below = first > i ? edgeSegment(pieces, pieces.get(first - 1).tdmr(), false) : Long.MAX_VALUE;
        long above = k < j ? edgeSegment(pieces, pieces.get(k).tdmr(), true) : Long.MAX_VALUE;
        if (below == Long.MAX_VALUE && above == Long.MAX_VALUE) {
          return OptionalLong.empty();
        }
        notTileable++;
        items.add(Math.min(below, above));
      }
      i = j;
    }
    long runPieces = 0;
    for (int t = 0; t < set.tdmrs().size(); t++) {
      runPieces += runPiecesAndIslands(pieces, t, set, items);
    }
    items.sort(null);
    long room = pamtPages - leftOut;
    long saved = 0;
    for (long cost : items) {
      if (cost > room) {
        break;
      }
      room -= cost;
      saved++;
    }
    return OptionalLong.of(Math.max(0, runPieces + notTileable - saved));
  }

  /** The atoms of the window cut at the TDMRs' edges. */
  private List<Piece> pieces(TdmrSet set) {
    List<Piece> out = new ArrayList<>();
    List<long[]> tdmrs = set.tdmrs();
    for (Atom a : instance.atoms()) {
      boolean usable = a.usable();
      boolean mustReserve = a.memory() ? a.dead() : instance.mustReserve(a);
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
