package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.check.RemotePamt;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.time.Deadline;

/**
 * A quick layout of the module family ({@link Policy.Family#MODULE}) for maps whose granules hold
 * more holes than a TDMR has reserved areas (a fragmented low gigabyte), where neither the Linux
 * greedy nor the kernel family has a layout and an engine's first search must already fill the
 * memory between holes ("islands") with PAMT. It is a construction, not a search, and claims
 * nothing: an engine starts from it (an incumbent to beat), and it is handed out only after it passed
 * the validator.
 *
 * <p>For given TDMRs: every TDMR's three levels at their least size; a TDMR holding {@code r} runs of
 * gaps it must reserve against a limit of {@code R} areas needs {@code r - R} of its islands filled
 * with PAMT, which merges the runs around each. Island by island it takes the one whose best set of
 * levels (of any TDMR whose memory that island's node holds, under PAMT {@code node-local}) leaves
 * the least room: exactly-sized levels cost no PAMT beyond their least; otherwise the last level is
 * padded to the island's end. A second try gives each island one level (the largest that fits),
 * which leaves levels for more islands when they are few. Then every island that levels left fill
 * exactly is filled too (one area less, no PAMT more). The levels left are stacked against a hole inside their TDMR's
 * neighbour (they join that hole's area), else at the start of memory with room (an area of their
 * own). The TDMRs tried are one per run of memory granules sharing a node ({@link
 * ModuleFamilyBounds#tdmrs}), and those with each TDMR over the limit cut around its granules with
 * gaps; the best valid layout by {@link LayoutScore} is returned.
 *
 * <p>A granule with many holes needs more filled islands than those TDMRs have small levels (each
 * TDMR has three, one per island). Then 1 GiB is peeled off, one TDMR at a time, from the largest TDMR
 * within the limit whose levels may lie in the islands: its levels of 1024, 2 and 1 pages fit small
 * islands, and the two parts' PAMT is the whole's plus about a page. The fewest peels that give a
 * layout are found by doubling and halving, and more are tried while the layout keeps getting better
 * (more levels to choose from pad less). On the sweeps' {@code fragmented-32}, {@code -64} and
 * {@code -128} maps (34 to 130 runs in the low gigabyte) this gives layouts of 9, 24 and 58 TDMRs.
 * One peel, off either end, is also tried on the TDMRs per run with those over the limit kept
 * whole: on node 0 of a two-socket host of 128 GiB per node whose granule 1 holds islands of 1 and
 * 7 pages, [0, 2G), [4G, 129G) and [129G, 130G) fill both (a 1G level; 4 + 2 + 1 pages of the 2M
 * levels of the 2 GiB and 1 GiB TDMRs and a 1G level): 3 TDMRs and 17 areas at the least PAMT.
 * Then the sets of {@link LeastAreaSets} are tried, those of the least area bound at the least PAMT
 * and TDMR count first: where a cut decides the small levels' sizes, the bound finds the cut whose
 * levels fill islands exactly.
 */
public final class FilledStart {
  private final Instance instance;

  public FilledStart(Instance instance) {
    this.instance = instance;
  }


  /** A memory atom between two runs of one TDMR. */
  private record Island(int tdmr, Atom atom) {}

  /**
   * The best valid layout of the TDMRs tried, without remote PAMT under {@code node-local}, or, when
   * it is better or the only one, the layout without reserved areas of {@link AreaFreeLayout}; empty
   * outside the module family, under coverage {@code max}, or when no construction passes the
   * validator.
   */
  public Optional<Layout> find() {
    // First, as it is quick: should the deadline strike while islands are filled, it is the answer.
    Optional<Layout> free = new AreaFreeLayout(instance).find();
    Optional<Layout> filled;
    try {
      filled = filled();
    } catch (Deadline.Exceeded e) {
      if (free.isEmpty()) {
        throw e;
      }
      return free;
    }
    if (free.isEmpty() || filled.isPresent() && !score(free.get()).betterThan(score(filled.get()), instance.policy())) {
      return filled;
    }
    return free;
  }

  private LayoutScore score(Layout layout) {
    return LayoutScore.of(instance.map(), instance.limits(), instance.policy(), layout);
  }

  /** The layouts with islands filled, as the class comment describes. */
  private Optional<Layout> filled() {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty() || instance.cells().isEmpty()) {
      return Optional.empty();
    }
    boolean nodeLocal = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
    List<List<Integer>> runs = new ModuleFamilyBounds(instance, nodeLocal).tdmrs();
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    List<AddressRange> perRun = instance.cellSpans(runs);
    List<List<AddressRange>> sets = new ArrayList<>();
    sets.add(perRun);
    if (perRun.size() > instance.limits().maxTdmrs()) {
      // One TDMR per run breaks the TDMR limit: runs merged over their gaps, the cheapest within it.
      CoveringRuns.within(instance, instance.limits().maxTdmrs()).ifPresent(sets::add);
    }
    List<AddressRange> cut = cutOverLimit(perRun);
    if (!cut.equals(perRun)) {
      sets.add(cut);
      // The TDMRs over the limit kept whole, with one peel off either end of the donor: its small
      // levels may fill the islands they need with one TDMR fewer than the cut above.
      peelOne(perRun, true).ifPresent(sets::add);
      peelOne(perRun, false).ifPresent(sets::add);
    }
    // First: on maps of about 1 000 holes the sets above are slow to build and give no layout.
    FillSplit.of(instance).filter(split -> !sets.contains(split)).ifPresent(split -> sets.add(0, split));
    Best best = new Best();
    enough = instance.deadline().share(2);
    for (List<AddressRange> tdmrs : sets) {
      if (stop(best)) {
        return best.layout;
      }
      best.tryBoth(tdmrs);
    }
    for (List<AddressRange> tdmrs : List.of(perRun, cut)) {
      for (boolean top : new boolean[] {true, false}) {
        if (stop(best)) {
          return best.layout;
        }
        runEndLeftOut(tdmrs, top).ifPresent(c -> {
          best.consider(with(c.tdmrs(), false, c.chained()));
          best.consider(with(c.tdmrs(), true, c.chained()));
        });
      }
    }
    for (List<AddressRange> tdmrs : sizedPieces(cut)) {
      if (stop(best)) {
        return best.layout;
      }
      best.tryBoth(tdmrs);
    }
    for (List<AddressRange> tdmrs : evenPieces(cut)) {
      if (stop(best)) {
        return best.layout;
      }
      best.tryBoth(tdmrs);
    }
    for (List<AddressRange> tdmrs : LeastAreaSets.of(instance, MOST_BOUND_GUIDED)) {
      if (stop(best)) {
        return best.layout;
      }
      best.tryBoth(tdmrs);
    }
    for (LeftOutGranules.Candidate c : leftOut(perRun)) {
      if (stop(best)) {
        return best.layout;
      }
      best.consider(with(c.tdmrs(), false, c.chained()));
    }
    // Every island outside the largest segment's granules left out, filled by levels of TDMRs cut
    // from that segment's run to fit them (TDMRs inside the run, which the engines' models leave out).
    for (LeftOutGranules.Candidate c : new LeftOutIslands(instance).candidates()) {
      if (stop(best)) {
        return best.layout;
      }
      best.consider(with(c.tdmrs(), false, c.chained()));
    }
    // The granule where an island starts covered, the island's rest filled by a chain reaching into
    // it, the other islands (and perhaps the core's last granule) filled exactly by a cut of the core.
    for (LeftOutGranules.Candidate c : new CoveredIslandStart(instance).candidates()) {
      if (stop(best)) {
        return best.layout;
      }
      best.consider(with(c.tdmrs(), false, c.chained()));
    }
    // More TDMRs lend more levels: 1 GiB peeled off the TDMRs whose levels may fill the islands.
    // The fewest peels that give a layout are found by doubling, then halving; then more are tried
    // while the layout keeps getting better.
    List<List<AddressRange>> chain = peelChain(cut);
    int most = chain.size() - 1;
    int fewest = best.layout.isPresent() ? 0 : -1;
    int failed = 0;
    for (int k = 1; fewest < 0 && k <= most && !stop(best); k = k == most ? k + 1 : Math.min(2 * k, most)) {
      if (best.tryBoth(chain.get(k))) {
        fewest = k;
      } else {
        failed = k;
      }
    }
    // The most peels tried so far that gave a layout; the search for more starts after it.
    int highest = fewest;
    while (fewest > failed + 1 && !stop(best)) {
      int mid = (failed + fewest) / 2;
      if (best.tryBoth(chain.get(mid))) {
        fewest = mid;
      } else {
        failed = mid;
      }
    }
    int worse = 0;
    for (int k = highest + 1; fewest >= 0 && k <= most && worse < PATIENCE && !stop(best); k++) {
      worse = best.tryBoth(chain.get(k)) && best.improved ? 0 : worse + 1;
    }
    for (List<AddressRange> tdmrs : sets) {
      if (stop(best)) {
        break;
      }
      cutToFill(tdmrs).ifPresent(best::tryBoth);
    }
    if (!stop(best)) {
      sizedToIslands(best);
    }
    return best.layout;
  }

  /** Half the time left when {@link #find} began: once it has a layout, it tries no more after it. */
  private Deadline enough = Deadline.none();

  /**
   * Whether {@link #find} stops trying: at the deadline, or once it has a layout and half the time
   * it had is used (on maps of about 1 000 holes each try takes about a second; the rest of the
   * time goes to the engine's bounds and search).
   */
  private boolean stop(Best best) {
    return instance.deadline().expired() || best.layout.isPresent() && enough.expired();
  }

  /** TDMRs with the levels already placed that fill the granules they leave out of every TDMR. */
  private record WithChains(List<AddressRange> tdmrs, List<LeftOutGranules.Chained> chained) {}

  /**
   * {@code tdmrs} with the most whole granules at one end ({@code top}: its upper end) of its
   * largest TDMR left out of every TDMR that the TDMR's own 4K level, placed against the end of the
   * memory there, fills: the level lies in the contiguous memory of one node at that end, covers
   * all memory of the granules left out, and reaches back into the shortened TDMR, which reserves
   * that part (an area at its end). Each granule left out saves its 4K and 2M levels' pages (1026
   * per GiB); on hosts of a TiB and more per node the 4K level spans several granules: node 0 of
   * the seed-1 sweep's {@code realistic-2s1n-1536GiB-18i} (1 534 GiB from 4 GiB up) leaves 5 out,
   * 5 130 pages less than keeping them, as its node 1 (no holes) already did. Empty when that TDMR
   * has no such end or no granule can be left out. A construction: the layout {@link #with} builds
   * is validated as every other.
   */
  private Optional<WithChains> runEndLeftOut(List<AddressRange> tdmrs, boolean top) {
    int largest = -1;
    for (int t = 0; t < tdmrs.size(); t++) {
      if (largest < 0 || tdmrs.get(t).size() > tdmrs.get(largest).size()) {
        largest = t;
      }
    }
    if (largest < 0) {
      return Optional.empty();
    }
    AddressRange t = tdmrs.get(largest);
    long giB = t.size() / ByteSize.GiB;
    // The contiguous memory of one node at the TDMR's end: [lo, hi), its far edge the memory's end.
    List<Atom> atoms = instance.atoms();
    int edge = -1;
    for (int i = 0; i < atoms.size(); i++) {
      Atom a = atoms.get(i);
      if (a.range().start() >= t.start() && a.range().end() <= t.end() && a.usable()
          && (edge < 0 || top)) {
        edge = i;
      }
    }
    if (edge < 0) {
      return Optional.empty();
    }
    long lo = atoms.get(edge).range().start();
    long hi = atoms.get(edge).range().end();
    int step = top ? -1 : 1;
    for (int i = edge + step; i >= 0 && i < atoms.size(); i += step) {
      Atom a = atoms.get(i);
      boolean joins = top ? a.range().end() == lo : a.range().start() == hi;
      if (!joins || !a.usable() || a.node() != atoms.get(edge).node()
          || a.range().start() < t.start() || a.range().end() > t.end()) {
        break;
      }
      lo = Math.min(lo, a.range().start());
      hi = Math.max(hi, a.range().end());
    }
    // Memory beyond the TDMR's end (on that side) would be left out as well: not this case.
    long memoryEdge = top ? hi : lo;
    long tdmrEdge = top ? t.end() : t.start();
    if (top && (hi < t.end() - ByteSize.GiB) || !top && (lo >= t.start() + ByteSize.GiB)) {
      return Optional.empty();
    }
    for (long j = giB - 1; j >= 1; j--) {
      long bytes = instance.levelPages(giB - j, PageSize.SIZE_4K) * ByteSize.PAGE;
      long cutAt = top ? tdmrEdge - j * ByteSize.GiB : tdmrEdge + j * ByteSize.GiB;
      long from = top ? memoryEdge - bytes : memoryEdge;
      long to = top ? memoryEdge : memoryEdge + bytes;
      // The level covers the memory left out and stays inside the contiguous memory.
      boolean covers = top ? from <= cutAt : to >= cutAt;
      if (!covers || from < lo || to > hi) {
        continue;
      }
      List<AddressRange> out = new ArrayList<>(tdmrs);
      out.set(largest, top ? new AddressRange(t.start(), cutAt) : new AddressRange(cutAt, t.end()));
      LevelToPlace level = new LevelToPlace(largest, PageSize.SIZE_4K, bytes / ByteSize.PAGE);
      return Optional.of(new WithChains(out, List.of(new LeftOutGranules.Chained(level, new PamtRange(from, bytes)))));
    }
    return Optional.empty();
  }

  /** How many fewer pieces than filled islands {@link #sizedPieces} tries, at most. */
  private static final int MOST_PIECES_SPARED = 4;

  /** The largest table (islands, pieces, GiB) {@link #sizedPieces} fills. */
  private static final long MOST_PIECE_CELLS = 4_000_000;

  /**
   * {@code tdmrs} with its one TDMR over the area limit kept and the donor ({@link #largestDonor})
   * cut into pieces whose 2M levels fill that TDMR's islands exactly, each alone or with a 1-page
   * level beside it (a 1G level of a TDMR of at most 256 GiB): a piece of {@code k} GiB has a 2M
   * level of {@code 2k} pages, so an island of {@code 2k} or {@code 2k + 1} pages takes it. The
   * islands are chosen so that their pieces' GiB sum to the donor's exactly (a subset sum over the
   * islands), {@code m} of them for each {@code m} from the islands needed down by {@link
   * #MOST_PIECES_SPARED} (the other TDMRs' small levels fill the rest), once preferring small islands
   * and once large ones. Each piece costs a page of 1G level; the cut of {@link #cutToFill} into at
   * most 4 pieces cannot fill many islands. On the seed-1 sweep's {@code realistic-1s1n-128GiB-29i}
   * (granule 1 holds 29 runs of holes: 13 islands to fill, a 126 GiB donor) 11 pieces of 3, 3, 3,
   * 3, 3, 5, 5, 12, 17, 21 and 51 GiB fill the islands of 6, 6, 7, 7, 7, 10, 10, 24, 34, 43 and 103
   * pages. A construction: the layout {@link #with} builds is validated as every other.
   */
  /** The most pieces {@link #evenPieces} cuts the donor into. */
  private static final int MOST_EVEN_PIECES = 6;

  /**
   * {@code tdmrs} with its one TDMR over the area limit kept and the donor ({@link #largestDonor})
   * cut into 2 to {@link #MOST_EVEN_PIECES} pieces of about equal GiB: where the islands to fill are
   * smaller than the donor's 2M level but none matches a piece's exactly ({@link #sizedPieces} finds
   * no cut), each piece's 2M level fills one, padded, and the 1G levels go into the padding ({@link
   * #with}). On seed 1's fragmented-20 host node 0's granule 1 holds 21 runs of holes (16 areas): the
   * islands of 1, 48, 57, 74 and 86 pages are filled; the 62 GiB run cut in two gives 2M levels of
   * 62 pages, and with the two low TDMRs' levels the node has 65 802 pages, the bound of {@link
   * ExactFillBound} (e); uncut, its 2M level of 124 pages filled an island of 157, 65 874. A
   * construction: the layout {@link #with} builds is validated as every other.
   */
  private List<List<AddressRange>> evenPieces(List<AddressRange> tdmrs) {
    int limit = instance.limits().maxReservedPerTdmr();
    int over = -1;
    for (int t = 0; t < tdmrs.size(); t++) {
      if (TdmrInterior.of(instance, tdmrs.get(t)).runs() > limit) {
        if (over >= 0) {
          return List.of();
        }
        over = t;
      }
    }
    if (over < 0) {
      return List.of();
    }
    List<Integer> islandNodes = new ArrayList<>();
    TdmrInterior.of(instance, tdmrs.get(over)).islands()
        .forEach(i -> i.nodes().stream().filter(n -> !islandNodes.contains(n)).forEach(islandNodes::add));
    int donor = largestDonor(tdmrs, over, 1, islandNodes);
    if (donor < 0) {
      return List.of();
    }
    AddressRange d = tdmrs.get(donor);
    long giB = d.size() / ByteSize.GiB;
    List<List<AddressRange>> out = new ArrayList<>();
    for (long m = 2; m <= MOST_EVEN_PIECES && m <= giB && tdmrs.size() - 1 + m <= instance.limits().maxTdmrs(); m++) {
      List<AddressRange> set = new ArrayList<>(tdmrs.subList(0, donor));
      long at = d.start();
      for (long k = 0; k < m; k++) {
        long size = (giB / m + (k < giB % m ? 1 : 0)) * ByteSize.GiB;
        set.add(new AddressRange(at, at + size));
        at += size;
      }
      set.addAll(tdmrs.subList(donor + 1, tdmrs.size()));
      out.add(set);
    }
    return out;
  }

  private List<List<AddressRange>> sizedPieces(List<AddressRange> tdmrs) {
    int limit = instance.limits().maxReservedPerTdmr();
    Optional<Crowding> crowding = crowding(tdmrs);
    if (crowding.isEmpty()) {
      return List.of();
    }
    TdmrInterior crowded = crowding.get().crowded();
    int donor = crowding.get().donor();
    int giB = (int) Math.min(Integer.MAX_VALUE, tdmrs.get(donor).size() / ByteSize.GiB);
    // The GiB of the piece whose 2M level fills each island (with a 1-page level when one short).
    List<Integer> pieces = new ArrayList<>();
    for (TdmrInterior.Island i : crowded.islands()) {
      if (!i.oneStretch()) {
        continue;
      }
      for (int k = 1; k <= giB; k++) {
        long twoM = instance.levelPages(k, PageSize.SIZE_2M);
        if (twoM > i.pages()) {
          break;
        }
        if (twoM == i.pages() || twoM + 1 == i.pages() && instance.levelPages(k, PageSize.SIZE_1G) == 1) {
          pieces.add(k);
          break;
        }
      }
    }
    pieces.sort(null);
    int n = pieces.size();
    int need = crowded.runs() - limit;
    if (n == 0 || (long) (n + 1) * (n + 1) * (giB + 1) > MOST_PIECE_CELLS) {
      return List.of();
    }
    // able[i][c][g]: c of the pieces from i on sum to g GiB.
    boolean[][][] able = new boolean[n + 1][n + 1][giB + 1];
    able[n][0][0] = true;
    for (int i = n - 1; i >= 0; i--) {
      for (int c = 0; c <= n - i; c++) {
        for (int g = 0; g <= giB; g++) {
          able[i][c][g] = able[i + 1][c][g] || c > 0 && g >= pieces.get(i) && able[i + 1][c - 1][g - pieces.get(i)];
        }
      }
    }
    List<List<AddressRange>> out = new ArrayList<>();
    for (int m = Math.min(need, n); m >= Math.max(1, need - MOST_PIECES_SPARED); m--) {
      if (!able[0][m][giB]) {
        continue;
      }
      for (boolean smallFirst : new boolean[] {true, false}) {
        List<Integer> chosen = new ArrayList<>();
        int c = m;
        int g = giB;
        if (smallFirst) {
          for (int i = 0; i < n && c > 0; i++) {
            if (g >= pieces.get(i) && able[i + 1][c - 1][g - pieces.get(i)]) {
              chosen.add(pieces.get(i));
              c--;
              g -= pieces.get(i);
            }
          }
        } else {
          // Largest first: the largest piece that still lets the rest reach the sum.
          boolean[] taken = new boolean[n];
          while (c > 0) {
            int pick = -1;
            for (int i = n - 1; i >= 0 && pick < 0; i--) {
              if (!taken[i] && g >= pieces.get(i) && reachable(pieces, taken, i, c - 1, g - pieces.get(i))) {
                pick = i;
              }
            }
            if (pick < 0) {
              break;
            }
            taken[pick] = true;
            chosen.add(pieces.get(pick));
            c--;
            g -= pieces.get(pick);
          }
        }
        if (c != 0 || g != 0) {
          continue;
        }
        List<AddressRange> cutUp = new ArrayList<>(tdmrs);
        AddressRange d = tdmrs.get(donor);
        cutUp.remove(donor);
        long at = d.start();
        for (int k = 0; k < chosen.size(); k++) {
          cutUp.add(donor + k, new AddressRange(at, at + chosen.get(k) * ByteSize.GiB));
          at += chosen.get(k) * ByteSize.GiB;
        }
        if (!out.contains(cutUp)) {
          out.add(cutUp);
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code count} of the pieces not {@code taken} and other than {@code skip} sum to {@code
   * giB} (a small search: {@link #sizedPieces}'s largest-first choice).
   */
  private static boolean reachable(List<Integer> pieces, boolean[] taken, int skip, int count, int giB) {
    boolean[][] able = new boolean[count + 1][giB + 1];
    able[0][0] = true;
    for (int i = 0; i < pieces.size(); i++) {
      if (taken[i] || i == skip) {
        continue;
      }
      int k = pieces.get(i);
      for (int c = count; c >= 1; c--) {
        for (int g = giB; g >= k; g--) {
          able[c][g] |= able[c - 1][g - k];
        }
      }
    }
    return able[count][giB];
  }

  /** The most pages above the least levels of {@link #cutToFill}'s TDMRs it tries. */
  private static final int MOST_CUT_PAGES = 8;

  /** The most pieces beyond one that {@link #cutToFill} cuts a TDMR into. */
  private static final int MOST_EXTRA_PIECES = 3;

  /** The most cuts {@link #cutToFill} tests. */
  private static final int MOST_CUTS_TESTED = 2_000;

  /**
   * {@code tdmrs} with one TDMR (the donor: the largest with at most one run of holes whose levels
   * may lie on the islands' nodes) cut into pieces whose levels, with the others' at their least
   * sizes, may fill the islands the one TDMR over the area limit needs, at the fewest pages above
   * the least levels of {@code tdmrs} (a piece more costs its 1G level's page, a padded level its
   * padding). "May fill": some of its islands, as many as it needs, are filled together by disjoint
   * groups of the levels that may lie on their nodes ({@link TdmrSetsAtPamt#fillTogether}); the
   * layout {@link #with} then builds is validated as every other. The pieces' sizes are tried as partitions of the donor's GiB, largest piece
   * first. Empty when no TDMR or more than one is over the limit, there is no donor, or no cut within
   * {@link #MOST_CUT_PAGES} pages (or {@link #MOST_CUTS_TESTED} cuts) may fill. On the seed-7 sweep's
   * {@code fragmented-17} map the TDMR {@code [1G, 2G)} needs 2 of islands of 34, 52, 133, 620 pages
   * and more, which 1 GiB pieces fill only padded: cut into 41, 17 and 4 GiB the 62 GiB run lends 34
   * (a 2M level) and 4096 + 82 + 1 = 4179 (a 4K, a 2M and a 1G level), exactly two islands.
   */
  private Optional<List<AddressRange>> cutToFill(List<AddressRange> tdmrs) {
    Optional<Crowding> crowding = crowding(tdmrs);
    if (crowding.isEmpty()) {
      return Optional.empty();
    }
    int donor = crowding.get().donor();
    Cut cut = new Cut(tdmrs, donor, crowding.get().crowded(), crowding.get().islandNodes());
    long giB = tdmrs.get(donor).size() / ByteSize.GiB;
    for (int cost = 1; cost <= MOST_CUT_PAGES && !instance.deadline().expired(); cost++) {
      for (int extra = 1; extra <= Math.min(cost, MOST_EXTRA_PIECES) && extra < giB; extra++) {
        Optional<long[]> parts = cut.partition(giB, new long[extra + 1], 0, giB, cost);
        if (parts.isPresent()) {
          return Optional.of(cut.tdmrs(parts.get()));
        }
        if (cut.tested > MOST_CUTS_TESTED) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The one TDMR of a set over the area limit ({@code crowded}), the nodes its islands' memory lies
   * on, and the donor cut for it: the largest other TDMR with at most one run of holes whose levels
   * may lie on those nodes ({@link #largestDonor}).
   */
  private record Crowding(TdmrInterior crowded, List<Integer> islandNodes, int donor) {}

  /**
   * Where {@link #sizedPieces} and {@link #cutToFill} start; empty when no TDMR or more than one is
   * over the area limit, or there is no donor.
   */
  private Optional<Crowding> crowding(List<AddressRange> tdmrs) {
    int over = -1;
    for (int t = 0; t < tdmrs.size(); t++) {
      if (TdmrInterior.of(instance, tdmrs.get(t)).runs() > instance.limits().maxReservedPerTdmr()) {
        if (over >= 0) {
          return Optional.empty();
        }
        over = t;
      }
    }
    if (over < 0) {
      return Optional.empty();
    }
    TdmrInterior crowded = TdmrInterior.of(instance, tdmrs.get(over));
    List<Integer> islandNodes = new ArrayList<>();
    crowded.islands().forEach(i -> i.nodes().stream().filter(n -> !islandNodes.contains(n)).forEach(islandNodes::add));
    int donor = largestDonor(tdmrs, over, 1, islandNodes);
    return donor < 0 ? Optional.empty() : Optional.of(new Crowding(crowded, islandNodes, donor));
  }

  /** {@link #cutToFill}'s search over the sizes of the donor's pieces. */
  private final class Cut {
    private final List<AddressRange> tdmrs;
    private final int donor;
    private final long need;
    /** The least pages of the levels of {@link #tdmrs}. */
    private final long least;
    private int tested;

    /** The pages of the crowded TDMR's islands of one stretch, smallest first. */
    private final List<Long> islands = new ArrayList<>();
    /** The nodes of its islands. */
    private final List<Integer> islandNodes;

    Cut(List<AddressRange> tdmrs, int donor, TdmrInterior crowded, List<Integer> islandNodes) {
      this.tdmrs = tdmrs;
      this.donor = donor;
      this.need = crowded.runs() - instance.limits().maxReservedPerTdmr();
      this.islandNodes = islandNodes;
      crowded.islands().stream().filter(TdmrInterior.Island::oneStretch).forEach(i -> islands.add(i.pages()));
      islands.sort(null);
      long sum = 0;
      for (AddressRange t : tdmrs) {
        sum += instance.levelsPages(t.size() / ByteSize.GiB);
      }
      this.least = sum;
    }


    /**
     * Whether {@link #need} more islands from {@code i} on, with {@code chosen}, may be filled
     * together by disjoint groups of {@code levels} within {@code padding} ({@link
     * TdmrSetsAtPamt#fillTogether}); false once {@code steps} passes {@link #MOST_FILL_STEPS} (a
     * construction may give up).
     */
    private boolean mayFill(long[] levels, long padding, long[] chosen, int i, long[] steps) {
      if (chosen.length == need) {
        return true;
      }
      if (i == islands.size() || chosen.length + islands.size() - i < need || steps[0] > MOST_FILL_STEPS) {
        return false;
      }
      long[] with = java.util.Arrays.copyOf(chosen, chosen.length + 1);
      with[chosen.length] = islands.get(i);
      if (TdmrSetsAtPamt.fillTogether(levels, padding, with, steps) && mayFill(levels, padding, with, i + 1, steps)) {
        return true;
      }
      return mayFill(levels, padding, chosen, i + 1, steps);
    }

    /** The most steps of one {@link #mayFill}. */
    private static final long MOST_FILL_STEPS = 20_000;

    /** {@link #tdmrs} with the donor cut into pieces of {@code parts} GiB, in that order. */
    List<AddressRange> tdmrs(long[] parts) {
      List<AddressRange> out = new ArrayList<>(tdmrs);
      out.remove(donor);
      long at = tdmrs.get(donor).start();
      for (int k = 0; k < parts.length; k++) {
        out.add(donor + k, new AddressRange(at, at + parts[k] * ByteSize.GiB));
        at += parts[k] * ByteSize.GiB;
      }
      return out;
    }

    /**
     * A partition of {@code left} GiB into the pieces {@code parts[k..]} (each at most {@code most}
     * GiB, largest first) whose TDMRs' least levels lie at most {@code cost} pages above {@link
     * #least} and whose levels may fill the islands needed with the pages left as padding.
     */
    Optional<long[]> partition(long left, long[] parts, int k, long most, int cost) {
      if (k == parts.length - 1) {
        if (left > most || left > instance.largestTdmrGiB() || ++tested > MOST_CUTS_TESTED) {
          return Optional.empty();
        }
        parts[k] = left;
        List<AddressRange> cut = tdmrs(parts);
        long sum = 0;
        for (AddressRange t : cut) {
          sum += instance.levelsPages(t.size() / ByteSize.GiB);
        }
        if (sum > least + cost) {
          return Optional.empty();
        }
        List<Long> levels = new ArrayList<>();
        for (AddressRange t : cut) {
          if (!nodeLocal() || TdmrInterior.localNodes(instance, t).stream().anyMatch(islandNodes::contains)) {
            for (PageSize level : instance.pieceLevels()) {
              levels.add(instance.levelPages(t.size() / ByteSize.GiB, level));
            }
          }
        }
        long[] steps = {0};
        return mayFill(levels.stream().mapToLong(Long::longValue).toArray(), least + cost - sum, new long[0], 0, steps)
            ? Optional.of(parts.clone()) : Optional.empty();
      }
      int rest = parts.length - k - 1;
      for (long g = Math.min(most, left - rest); g >= 1 && g * (rest + 1) >= left; g--) {
        parts[k] = g;
        Optional<long[]> found = partition(left - g, parts, k + 1, g, cost);
        if (found.isPresent() || tested > MOST_CUTS_TESTED || instance.deadline().expired()) {
          return found;
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The TDMR sets of the best layout's PAMT and TDMR count ({@link TdmrSetsAtPamt}) whose bound ({@link
   * AreaCountBound#leastAreasOf}: {@link AreasWithKnownTdmrs}, the islands their levels can fill, and
   * whether their TDMRs can keep within the area limit at all) lies below its areas, fewest areas by
   * that bound first, each built into a layout (at most {@link #MOST_SIZED_SETS} of them). Ranked by
   * {@link AreasWithKnownTdmrs} alone, 16 sets of seed 1's {@code fragmented-17} (node 0, 65 668
   * pages, 4 TDMRs) came before the 18 whose levels fill four islands, and the layout kept 17 areas. Where a granule holds more runs of
   * holes than a TDMR has areas, cutting a run of granules elsewhere into TDMRs of the right sizes
   * gives levels that fill its islands exactly (on the seed-7 sweep's {@code fragmented-16} map, a
   * 10 GiB TDMR's 2M level fills an island of 20 pages), an area less than TDMRs one per run cut at
   * the crowded granule, at the same PAMT and TDMR count.
   */
  private void sizedToIslands(Best best) {
    if (best.layout.isEmpty() || instance.deadline().expired()) {
      return;
    }
    long pages = best.score.pamtBytes() / ByteSize.PAGE;
    int areas = best.score.reservedAreas();
    Optional<List<TdmrSetsAtPamt.TdmrSet>> sets = TdmrSetsAtPamt.of(instance, pages, best.score.tdmrs());
    if (sets.isEmpty()) {
      return;
    }
    AreasWithKnownTdmrs bound = new AreasWithKnownTdmrs(instance);
    AreaCountBound full = new AreaCountBound(instance);
    List<long[]> ranked = new ArrayList<>();
    for (int k = 0; k < sets.get().size() && !instance.deadline().expired(); k++) {
      long least = bound.leastAreas(sets.get().get(k), pages).orElse(Long.MAX_VALUE);
      if (least >= areas) {
        continue;
      }
      // The set's whole bound (the islands its levels can fill, and whether its TDMRs can keep within
      // the area limit at all): a set that cannot beat the best layout is not built.
      long whole = full.leastAreasOf(sets.get().get(k), pages);
      if (whole < areas) {
        ranked.add(new long[] {whole, least, k});
      }
    }
    ranked.sort(java.util.Comparator.<long[]>comparingLong(r -> r[0]).thenComparingLong(r -> r[1]));
    for (int k = 0; k < ranked.size() && k < MOST_SIZED_SETS && !instance.deadline().expired(); k++) {
      List<AddressRange> tdmrs = new ArrayList<>();
      for (long[] t : sets.get().get((int) ranked.get(k)[2]).tdmrs()) {
        tdmrs.add(new AddressRange(t[0] * ByteSize.GiB, t[1] * ByteSize.GiB));
      }
      best.tryBoth(tdmrs);
    }
  }

  /** The most TDMR sets {@link #sizedToIslands} builds. */
  private static final int MOST_SIZED_SETS = 16;

  /**
   * How many more peels in a row may fail to give a better layout before the construction stops:
   * more levels may fill islands with less padding, at a page or so of PAMT per TDMR.
   */
  private static final int PATIENCE = 2;

  /**
   * {@code tdmrs} after 0, 1, 2, ... of {@link #peelOne}, as long as it peels and the TDMR limit
   * allows.
   */
  private List<List<AddressRange>> peelChain(List<AddressRange> tdmrs) {
    List<List<AddressRange>> chain = new ArrayList<>();
    chain.add(tdmrs);
    while (tdmrs.size() < instance.limits().maxTdmrs()) {
      Optional<List<AddressRange>> next = peelOne(tdmrs, false);
      if (next.isEmpty()) {
        break;
      }
      tdmrs = next.get();
      chain.add(tdmrs);
    }
    return chain;
  }

  /** The best valid layout built so far, by {@link LayoutScore}. */
  private final class Best {
    private Optional<Layout> layout = Optional.empty();
    private LayoutScore score;
    /** Whether the last {@link #tryBoth} gave a better layout. */
    private boolean improved;

    /** Builds with {@code tdmrs} both ways; whether either gave a valid layout. */
    boolean tryBoth(List<AddressRange> tdmrs) {
      boolean any = false;
      improved = false;
      for (boolean oneLevelEach : new boolean[] {false, true}) {
        if (instance.deadline().expired()) {
          return any;
        }
        Optional<Layout> l = with(tdmrs, oneLevelEach, List.of());
        if (l.isEmpty()) {
          continue;
        }
        any = true;
        improved |= consider(l);
      }
      return any;
    }

    /** Keeps {@code l} when it is a layout better than the best so far; whether it did. */
    boolean consider(Optional<Layout> l) {
      if (l.isEmpty()) {
        return false;
      }
      LayoutScore s = LayoutScore.of(instance.map(), instance.limits(), instance.policy(), l.get());
      if (score == null || s.betterThan(score, instance.policy())) {
        layout = l;
        score = s;
        return true;
      }
      return false;
    }
  }

  /**
   * The index of the largest TDMR of {@code tdmrs} other than {@code skip} that can lend levels to
   * islands on {@code islandNodes}: 2 GiB or more (so a cut leaves two TDMRs), at most {@code
   * mostRuns} runs of holes, and under {@code node-local} holding memory of one of those nodes in
   * every granule; -1 when there is none.
   */
  private int largestDonor(List<AddressRange> tdmrs, int skip, int mostRuns, List<Integer> islandNodes) {
    int donor = -1;
    for (int t = 0; t < tdmrs.size(); t++) {
      AddressRange r = tdmrs.get(t);
      if (t == skip || r.size() < 2 * ByteSize.GiB || TdmrInterior.of(instance, r).runs() > mostRuns
          || nodeLocal() && TdmrInterior.localNodes(instance, r).stream().noneMatch(islandNodes::contains)) {
        continue;
      }
      if (donor < 0 || r.size() > tdmrs.get(donor).size()) {
        donor = t;
      }
    }
    return donor;
  }

  /**
   * {@code tdmrs} with one more TDMR: the first GiB ({@code top}: the last) of the largest TDMR
   * within the area limit whose levels may lie on a node of the islands of a TDMR over the limit
   * (under {@code node-local}, a node each of its memory granules holds), made a TDMR of its own;
   * empty when there is none (of 2 GiB or more) or no TDMR is over the limit. A 1 GiB TDMR's levels
   * (1024, 2 and 1 pages) fit small islands, and the PAMT of the two parts is that of the whole
   * plus about a page.
   */
  private Optional<List<AddressRange>> peelOne(List<AddressRange> tdmrs, boolean top) {
    List<Integer> islandNodes = new ArrayList<>();
    for (AddressRange t : tdmrs) {
      TdmrInterior inside = TdmrInterior.of(instance, t);
      if (inside.runs() > instance.limits().maxReservedPerTdmr()) {
        inside.islands().forEach(i -> i.nodes().stream().filter(n -> !islandNodes.contains(n)).forEach(islandNodes::add));
      }
    }
    if (islandNodes.isEmpty()) {
      return Optional.empty();
    }
    int donor = largestDonor(tdmrs, -1, instance.limits().maxReservedPerTdmr(), islandNodes);
    if (donor < 0) {
      return Optional.empty();
    }
    AddressRange d = tdmrs.get(donor);
    long at = top ? d.end() - ByteSize.GiB : d.start() + ByteSize.GiB;
    List<AddressRange> out = new ArrayList<>(tdmrs);
    out.set(donor, new AddressRange(at, d.end()));
    out.add(donor, new AddressRange(d.start(), at));
    return Optional.of(out);
  }

  /** The most sets of {@link LeastAreaSets} (least area bound first) finished into layouts. */
  private static final int MOST_BOUND_GUIDED = 4;

  /** The most sets of {@link LeftOutGranules} (cheapest first) finished into layouts. */
  private static final int MOST_LEFT_OUT = 4;

  /**
   * The cheapest {@link LeftOutGranules} candidates, at most {@link #MOST_LEFT_OUT}, that leave a
   * granule out of {@code perRun} (whose TDMRs over the area limit the candidates cut once, at
   * whichever GiB suits the chains best) or of {@link #cutAtLimit}{@code (perRun)} (for a granule of
   * another TDMR than the one over the limit).
   */
  private List<LeftOutGranules.Candidate> leftOut(List<AddressRange> perRun) {
    LeftOutGranules granules = new LeftOutGranules(instance);
    List<LeftOutGranules.Candidate> out = new ArrayList<>(granules.candidates(perRun, MOST_LEFT_OUT));
    List<AddressRange> atLimit = cutAtLimit(perRun);
    if (!atLimit.equals(perRun)) {
      out.addAll(granules.candidates(atLimit, MOST_LEFT_OUT));
    }
    out.sort(LeftOutGranules.Candidate.CHEAPEST);
    return out.subList(0, Math.min(MOST_LEFT_OUT, out.size()));
  }

  /**
   * {@code tdmrs} with each TDMR holding more runs of gaps to reserve than the area limit cut into
   * the fewest parts that can hold at most the limit each: the runs shared out evenly (so that each
   * part keeps room for a chain of PAMT levels reaching into it), each part ending at the first GiB
   * boundary after its last run. Where the next run begins in that granule, the cut moves past it.
   * Each cut costs a page of 1G level at most, where {@link #cutOverLimit} cuts around every granule
   * with a gap (on the sweeps' memmap hosts, 20 runs in 254 GiB: 2 TDMRs instead of 37).
   */
  private List<AddressRange> cutAtLimit(List<AddressRange> tdmrs) {
    int limit = instance.limits().maxReservedPerTdmr();
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange t : tdmrs) {
      List<List<Atom>> runs = runs(t);
      if (runs.size() <= limit || limit == 0) {
        // Within the limit, or no cut helps (no area at all: only filled islands can).
        out.add(t);
        continue;
      }
      int parts = (runs.size() + limit - 1) / limit;
      int per = (runs.size() + parts - 1) / parts;
      long from = t.start();
      int inPart = 0;
      for (int r = 0; r + 1 < runs.size(); r++) {
        if (++inPart < per) {
          continue;
        }
        List<Atom> run = runs.get(r);
        long end = run.get(run.size() - 1).range().end();
        long cut = (end + ByteSize.GiB - 1) / ByteSize.GiB * ByteSize.GiB;
        if (cut > runs.get(r + 1).get(0).range().start() || cut <= from || cut >= t.end()) {
          continue;
        }
        out.add(new AddressRange(from, cut));
        from = cut;
        inPart = 0;
      }
      out.add(new AddressRange(from, t.end()));
    }
    return out;
  }

  /**
   * {@code tdmrs} with each TDMR holding more runs than the area limit cut at the edges of its
   * granules with gaps to reserve (MIXED cells holding such a gap become TDMRs of their own).
   */
  private List<AddressRange> cutOverLimit(List<AddressRange> tdmrs) {
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange t : tdmrs) {
      if (runs(t).size() <= instance.limits().maxReservedPerTdmr()) {
        out.add(t);
        continue;
      }
      long from = t.start();
      for (Cell c : instance.cells()) {
        if (c.range().start() < t.start() || c.range().end() > t.end() || c.kind() != Instance.Kind.MIXED
            || instance.atoms().subList(c.firstAtom(), c.endAtom()).stream().noneMatch(instance::needsReservedArea)) {
          continue;
        }
        if (from < c.range().start()) {
          out.add(new AddressRange(from, c.range().start()));
        }
        out.add(c.range());
        from = c.range().end();
      }
      if (from < t.end()) {
        out.add(new AddressRange(from, t.end()));
      }
    }
    return out;
  }

  /**
   * The layout with exactly {@code tdmrs} (sorted, disjoint, whole GiB), when the construction
   * gives one that passes the validator (and has no remote PAMT under {@code node-local}). With
   * {@code oneLevelEach} every filled island takes one level (padded), which keeps levels for more
   * islands when they are few; otherwise the set of levels that leaves the least room. The levels
   * of {@code chained} are placed already (they fill a granule left out of every TDMR, {@link
   * LeftOutGranules}): the others keep out of their memory.
   */
  Optional<Layout> with(List<AddressRange> tdmrs, boolean oneLevelEach, List<LeftOutGranules.Chained> chained) {
    if (tdmrs.size() > instance.limits().maxTdmrs()) {
      // The validator rejects it (rule A4); on hosts of 1 000 nodes, one TDMR per node's run, placing
      // its 3 000 levels took seconds per try.
      return Optional.empty();
    }
    List<LevelToPlace> pool = LevelToPlace.largestFirst(instance, tdmrs);
    PamtRange[][] placed = new PamtRange[tdmrs.size()][PageSize.values().length];
    List<AddressRange> taken = new ArrayList<>();
    for (LeftOutGranules.Chained c : chained) {
      pool.remove(c.level());
      placed[c.level().tdmr()][c.level().level().ordinal()] = c.range();
      taken.add(c.range().range());
    }
    List<Atom> filled = new ArrayList<>();
    List<Island> left = new ArrayList<>();
    padded.clear();
    sets.clear();
    subsetSteps = 0;
    for (int t = 0; t < tdmrs.size(); t++) {
      List<List<Atom>> runs = runs(tdmrs.get(t));
      int needed = runs.size() - instance.limits().maxReservedPerTdmr();
      List<Island> islands = new ArrayList<>(islands(t, runs));
      islands.removeIf(i -> meets(taken, i.atom()));
      for (int k = 0; k < needed; k++) {
        if (instance.deadline().expired() || !fillOne(islands, pool, tdmrs, placed, filled, oneLevelEach, false)) {
          return Optional.empty();
        }
      }
      left.addAll(islands);
    }
    // Each island the levels left fill exactly saves an area at no PAMT.
    sets.clear();
    while (!instance.deadline().expired() && fillOne(left, pool, tdmrs, placed, filled, false, true)) {
      // Fills until none is left.
    }
    intoPadding(pool, tdmrs, placed);
    if (!stack(pool, tdmrs, placed, filled, taken)) {
      return Optional.empty();
    }
    Layout layout = LevelToPlace.layout(instance, tdmrs, placed);
    if (!LayoutVerifier.failures(instance.map(), instance.limits(), instance.policy(), layout).isEmpty()
        || nodeLocal() && new RemotePamt(instance.map(), instance.limits()).bytes(layout) > 0) {
      return Optional.empty();
    }
    return Optional.of(layout);
  }

  private boolean nodeLocal() {
    return instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
  }

  /**
   * Fills the island of {@code islands} whose best set of levels from {@code pool} (the largest
   * level that fits, with {@code oneLevelEach}) leaves the least room (fewest levels on a tie), the
   * last level padded to the island's end ({@code exactOnly}: only sets that fill it exactly); false
   * when no set fits any island.
   */
  private boolean fillOne(List<Island> islands, List<LevelToPlace> pool, List<AddressRange> tdmrs, PamtRange[][] placed,
      List<Atom> filled, boolean oneLevelEach, boolean exactOnly) {
    Island best = null;
    List<LevelToPlace> bestSet = null;
    long bestRoom = Long.MAX_VALUE;
    for (Island i : islands) {
      List<LevelToPlace> set = oneLevelEach
          ? pool.stream().filter(l -> l.pages() <= i.atom().pages() && mayHold(tdmrs, l, i.atom())).limit(1).toList()
          : sets.computeIfAbsent(i, k -> subsetSum(pool.stream()
              .filter(l -> l.pages() <= i.atom().pages() && mayHold(tdmrs, l, i.atom())).toList(), i.atom().pages()));
      if (set.isEmpty()) {
        continue;
      }
      long room = i.atom().pages() - set.stream().mapToLong(LevelToPlace::pages).sum();
      if (exactOnly && room > 0) {
        continue;
      }
      if (room < bestRoom || room == bestRoom && set.size() < bestSet.size()) {
        best = i;
        bestSet = set;
        bestRoom = room;
      }
    }
    if (best == null) {
      return false;
    }
    islands.remove(best);
    filled.add(best.atom());
    // A set that kept all its levels is still the best found for its island: fewer levels sum no higher.
    List<LevelToPlace> taken = bestSet;
    sets.values().removeIf(set -> set.stream().anyMatch(taken::contains));
    long at = best.atom().range().start();
    for (int k = 0; k < bestSet.size(); k++) {
      LevelToPlace l = bestSet.get(k);
      pool.remove(l);
      long bytes = k == bestSet.size() - 1 ? best.atom().range().end() - at : l.pages() * ByteSize.PAGE;
      placed[l.tdmr()][l.level().ordinal()] = new PamtRange(at, bytes);
      if (bytes > l.pages() * ByteSize.PAGE) {
        padded.add(new Padded(best.atom(), l));
      }
      at += bytes;
    }
    return true;
  }

  /** A level padded to the end of the island it fills, and that island. */
  private record Padded(Atom island, LevelToPlace level) {}

  /** The padded levels of the layout {@link #with} builds. */
  private final List<Padded> padded = new ArrayList<>();

  /**
   * Each level left in {@code pool} (largest first) that fits in the padding of a filled island's
   * padded level, and may lie there, placed at that island's end, the padded level shortened by as
   * much: the island stays filled, and the layout's PAMT falls by the level's pages (it no longer
   * needs a place of its own).
   */
  private void intoPadding(List<LevelToPlace> pool, List<AddressRange> tdmrs, PamtRange[][] placed) {
    for (LevelToPlace l : new ArrayList<>(pool)) {
      for (Padded p : padded) {
        PamtRange r = placed[p.level().tdmr()][p.level().level().ordinal()];
        long bytes = l.pages() * ByteSize.PAGE;
        if (r.size() - bytes >= p.level().pages() * ByteSize.PAGE && mayHold(tdmrs, l, p.island())) {
          placed[p.level().tdmr()][p.level().level().ordinal()] = new PamtRange(r.base(), r.size() - bytes);
          placed[l.tdmr()][l.level().ordinal()] = new PamtRange(r.end() - bytes, bytes);
          pool.remove(l);
          break;
        }
      }
    }
  }

  /** {@link SubsetSum}'s best within the steps left to this layout ({@link #MOST_SUBSET_STEPS}). */
  private List<LevelToPlace> subsetSum(List<LevelToPlace> levels, long capacity) {
    SubsetSum search = new SubsetSum(levels, capacity, MOST_SUBSET_STEPS - subsetSteps);
    List<LevelToPlace> best = search.best();
    subsetSteps += search.steps;
    return best;
  }

  /**
   * The most steps of {@link SubsetSum} for one layout of {@link #with}; past them each search makes
   * one descent (the largest levels that fit, first). With many TDMRs (60 on a granule of 130 runs of
   * holes) the searches of every island for every fill took seconds.
   */
  private static final long MOST_SUBSET_STEPS = 100_000;

  /** Steps {@link SubsetSum} took for the layout {@link #with} builds. */
  private long subsetSteps;

  /**
   * The best set of levels {@link #fillOne} found per island (by {@link SubsetSum}) while the pool
   * still holds all of its levels; cleared for each phase of {@link #with}.
   */
  private final java.util.Map<Island, List<LevelToPlace>> sets = new java.util.HashMap<>();

  /**
   * The subset of levels with the largest sum at most a capacity (ties: fewer levels), by a
   * depth-first search over the levels largest first, cut off after {@link #MOST_STEPS} steps.
   */
  private static final class SubsetSum {
    private static final int MOST_STEPS = 2_000;
    private final List<LevelToPlace> levels;
    private final long capacity;
    private final long[] suffix;
    private List<LevelToPlace> best = List.of();
    private long bestSum;
    private int steps;
    /** The steps this search may take: at most {@link #MOST_STEPS}, at least one descent. */
    private final long allowed;

    SubsetSum(List<LevelToPlace> levels, long capacity, long budget) {
      this.levels = levels;
      this.capacity = capacity;
      this.allowed = Math.max(levels.size(), Math.min(MOST_STEPS, budget));
      this.suffix = new long[levels.size() + 1];
      for (int i = levels.size() - 1; i >= 0; i--) {
        suffix[i] = suffix[i + 1] + levels.get(i).pages();
      }
    }

    List<LevelToPlace> best() {
      search(0, 0, new ArrayList<>());
      return best;
    }

    private void search(int i, long sum, List<LevelToPlace> chosen) {
      // Only where a branch ends is the set kept (a copy per level added made a search quadratic).
      if (i == levels.size() || sum == capacity || bestSum == capacity || sum + suffix[i] <= bestSum
          || ++steps > allowed) {
        if (sum > bestSum || sum == bestSum && !chosen.isEmpty() && chosen.size() < best.size()) {
          best = List.copyOf(chosen);
          bestSum = sum;
        }
        return;
      }
      LevelToPlace l = levels.get(i);
      if (sum + l.pages() <= capacity) {
        chosen.add(l);
        search(i + 1, sum + l.pages(), chosen);
        chosen.remove(chosen.size() - 1);
      }
      // Levels of the same size are interchangeable: skip to the next size when leaving this one out.
      int j = i + 1;
      while (j < levels.size() && levels.get(j).pages() == l.pages()) {
        j++;
      }
      search(j, sum, chosen);
    }
  }

  /**
   * Places the levels left, largest first, each against a hole inside one TDMR with it (it joins
   * that hole's area) in the roomiest such memory atom, else at the start of the roomiest memory
   * atom (an area of its own); false when one finds no room.
   */
  private boolean stack(List<LevelToPlace> pool, List<AddressRange> tdmrs, PamtRange[][] placed, List<Atom> filled,
      List<AddressRange> taken) {
    List<Atom> atoms = instance.atoms();
    // Per atom: the free range [lo, hi) and whether it grows up from a hole below.
    List<long[]> spots = new ArrayList<>();
    List<Atom> spotAtoms = new ArrayList<>();
    for (int i = 0; i < atoms.size(); i++) {
      Atom a = atoms.get(i);
      if (!a.memory() || a.dead() || filled.contains(a)) {
        continue;
      }
      boolean below = i > 0 && instance.needsReservedArea(atoms.get(i - 1)) && sameTdmr(tdmrs, atoms.get(i - 1), a);
      boolean above = i + 1 < atoms.size() && instance.needsReservedArea(atoms.get(i + 1)) && sameTdmr(tdmrs, atoms.get(i + 1), a);
      long[] free = freePart(a.range(), taken);
      if (free[0] >= free[1]) {
        continue;
      }
      spots.add(new long[] {free[0], free[1], below ? 1 : above ? -1 : 0});
      spotAtoms.add(a);
    }
    for (LevelToPlace l : pool) {
      long bytes = l.pages() * ByteSize.PAGE;
      int chosen = -1;
      for (int s = 0; s < spots.size(); s++) {
        long[] spot = spots.get(s);
        if (spot[1] - spot[0] < bytes || !mayHold(tdmrs, l, spotAtoms.get(s))) {
          continue;
        }
        if (chosen < 0 || Math.abs(spot[2]) > Math.abs(spots.get(chosen)[2])
            || Math.abs(spot[2]) == Math.abs(spots.get(chosen)[2])
                && spot[1] - spot[0] > spots.get(chosen)[1] - spots.get(chosen)[0]) {
          chosen = s;
        }
      }
      if (chosen < 0) {
        return false;
      }
      long[] spot = spots.get(chosen);
      long base = spot[2] >= 0 ? spot[0] : spot[1] - bytes;
      placed[l.tdmr()][l.level().ordinal()] = new PamtRange(base, bytes);
      if (spot[2] >= 0) {
        spot[0] += bytes;
      } else {
        spot[1] -= bytes;
      }
    }
    return true;
  }

  /** Whether any of {@code taken} meets atom {@code a}. */
  private static boolean meets(List<AddressRange> taken, Atom a) {
    return taken.stream().anyMatch(r -> r.overlaps(a.range()));
  }

  /**
   * The largest part {@code [lo, hi)} of {@code range} that none of {@code taken} meets (the chains
   * of {@link LeftOutGranules} take an atom's end, or all of it).
   */
  private static long[] freePart(AddressRange range, List<AddressRange> taken) {
    long[] best = {range.start(), range.start()};
    long from = range.start();
    List<AddressRange> in = taken.stream().filter(r -> r.overlaps(range)).sorted(AddressRange.ORDER).toList();
    for (AddressRange r : in) {
      if (r.start() - from > best[1] - best[0]) {
        best = new long[] {from, r.start()};
      }
      from = Math.max(from, r.end());
    }
    if (range.end() - from > best[1] - best[0]) {
      best = new long[] {from, range.end()};
    }
    return best;
  }

  /** Whether {@code a} and {@code b} lie in one TDMR of {@code tdmrs}. */
  private static boolean sameTdmr(List<AddressRange> tdmrs, Atom a, Atom b) {
    for (AddressRange t : tdmrs) {
      if (t.start() <= a.range().start() && a.range().end() <= t.end() && t.start() <= b.range().start()
          && b.range().end() <= t.end()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether level {@code l} may lie in {@code atom}: under PAMT {@code node-local}, only on a node
   * every memory granule of its TDMR holds memory of (else it would describe memory remotely).
   */
  private boolean mayHold(List<AddressRange> tdmrs, LevelToPlace l, Atom atom) {
    if (!nodeLocal()) {
      return true;
    }
    if (tdmrs != holdsFor) {
      holdsFor = tdmrs;
      holds.clear();
    }
    return holds.computeIfAbsent(((long) l.tdmr() << 32) | atom.node(), k -> {
      AddressRange t = tdmrs.get(l.tdmr());
      List<Cell> cells = instance.cells();
      // The cells are in address order: only those from the first ending above t's start can meet t.
      for (int i = firstEndingAbove(cells, t.start()); i < cells.size() && cells.get(i).range().start() < t.end(); i++) {
        if (instance.lacksNode(cells.get(i), atom.node())) {
          return false;
        }
      }
      return true;
    });
  }

  /** The index of the first of {@code cells} (in address order) that ends above {@code address}. */
  private static int firstEndingAbove(List<Cell> cells, long address) {
    int lo = 0;
    int hi = cells.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cells.get(mid).range().end() <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** {@link #mayHold}'s answers per TDMR index and node, for the TDMRs {@link #holdsFor}. */
  private final java.util.Map<Long, Boolean> holds = new java.util.HashMap<>();
  private List<AddressRange> holdsFor;


  /**
   * The runs of {@code tdmr}: maximal sequences of its atoms that are not usable memory and hold a
   * gap or memory it must reserve (two joined when only gaps it may leave unreserved lie between),
   * each as its atoms, in address order.
   */
  private List<List<Atom>> runs(AddressRange tdmr) {
    List<List<Atom>> runs = new ArrayList<>();
    List<Atom> current = null;
    boolean memorySince = true;
    for (Atom a : instance.atoms()) {
      if (a.range().end() <= tdmr.start() || a.range().start() >= tdmr.end()) {
        continue;
      }
      if (a.memory() && !a.dead()) {
        memorySince = true;
      } else if (instance.needsReservedArea(a)) {
        if (memorySince || current == null) {
          current = new ArrayList<>();
          runs.add(current);
        }
        current.add(a);
        memorySince = false;
      }
    }
    return runs;
  }

  /** The islands of TDMR {@code t} between its consecutive runs that are one memory atom. */
  private List<Island> islands(int t, List<List<Atom>> runs) {
    List<Island> out = new ArrayList<>();
    for (int r = 0; r + 1 < runs.size(); r++) {
      int from = last(runs.get(r)).index() + 1;
      int to = runs.get(r + 1).get(0).index();
      List<Atom> between = instance.atoms().subList(from, to);
      if (between.size() == 1 && between.get(0).memory() && !between.get(0).dead()) {
        out.add(new Island(t, between.get(0)));
      }
    }
    return out;
  }

  private static Atom last(List<Atom> run) {
    return run.get(run.size() - 1);
  }
}
