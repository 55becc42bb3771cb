package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.tdx.Policy;

/**
 * The islands of a map's usable memory, and what their count proves about a TDMR lying wholly
 * inside a run of whole GiB without reaching the run's ends ({@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}) within a limit of one or two TDMRs.
 *
 * <p><b>Islands.</b> Call <em>usable</em> the TDX memory inside a merged CMR below the HKID limit
 * ({@link Atom#usable}): in a layout that gives up no coverable memory every byte of it lies in the
 * non-reserved part of some TDMR or in PAMT (rule O1; coverage {@code max} may give bytes up, which
 * counts against the layout first). An <em>island</em> is a maximal range of usable memory: touching
 * blocks (of one node or two) join, touching CMRs act as one; islands are separated by address
 * space that is not usable (no TDX memory, memory outside every CMR). A PAMT level is one range in
 * usable memory (rules O2, D6 and D1: TDX memory inside CMRs below the HKID limit), so it
 * lies inside one island, and levels are disjoint. A TDMR has three levels, so a layout of {@code
 * K'} TDMRs at most {@code 3·K'}, and its PAMT is at most the usable memory, {@code U} bytes.
 *
 * <p><b>The count.</b> Take a layout that gives up no coverable memory, with a TDMR {@code T = [a,
 * b)} inside a run {@code R = [r, s)} (a {@link Instance.Kind#PLAIN} cell: whole GiB of one block,
 * inside one merged CMR, <em>usable</em>, or outside all, <em>dead</em>), {@code r < a}, {@code b <
 * s}, so {@code a ≥ r + 1 GiB} and {@code b ≤ s - 1 GiB}. Usable memory in no TDMR is PAMT, so an
 * island with such memory holds a level of its own, and two separate parts of one island in no
 * TDMR hold two levels, or one level lying over all between them.
 *
 * <ul>
 *   <li><b>One TDMR</b> ({@code K' = 1}), {@code m} islands. Every island other than the one
 *       holding {@code R} lies wholly outside {@code T}; when {@code R} is usable its island has
 *       the granules {@code [a - 1G, a)} and {@code [b, b + 1G)} outside {@code T} on either side;
 *       when {@code R} is dead, {@code T} holds no usable memory at all. So {@code m} levels are
 *       needed, in {@code m} islands: with {@code m ≥ 4} no such layout exists. With {@code m = 3}
 *       and {@code R} usable, or {@code m ≤ 3} and {@code R} dead, all usable memory is PAMT: for
 *       {@code R} dead every island lies outside {@code T}; for {@code R} usable the island of
 *       {@code R} has one level (a second would make four), which holds both its parts outside
 *       {@code T} and so, being one range, all of the island, and each other island is its own
 *       level's. Then the layout's PAMT is exactly {@code U}, it has one TDMR, and {@code T}, which
 *       holds PAMT (usable {@code R}) or lies outside CMRs (dead {@code R}; rule E1), is reserved:
 *       at least one area. Whatever {@code m}, all memory of nodes other than the run's lies
 *       outside {@code T}, so it is PAMT, and each island holding some has a level of {@code T}
 *       describing {@code T}'s granules remotely: at least {@link #remoteOfOneTdmrInside} bytes
 *       per GiB of {@code T}, so such a layout cannot beat an optimum with less remote PAMT where
 *       remote PAMT is ranked. With all usable memory PAMT, its score is at least (nothing
 *       coverable given up, that remote PAMT, {@code U} bytes, 1 TDMR, 1 area) in every tier, so it
 *       cannot beat an optimum ranked no worse than that. Whatever {@code m}, with {@code g} GiB in
 *       {@code T} and {@code c = }{@link #remoteOfOneTdmrInside}{@code > 0}, its score is at least
 *       ({@code g·c} remote, {@code U - g} GiB of PAMT for a usable {@code R}, whose granules are
 *       whole GiB of usable memory, or {@code U} for a dead one, 1 TDMR, 0 areas): for {@code g =
 *       1} that is ({@code c}, {@code U - 1 GiB}, 1, 0), and for {@code g ≥ 2} the remote PAMT
 *       alone is more. So it cannot beat an optimum ranked no worse than ({@code c}, {@code U - 1
 *       GiB}, 1, 0) ({@link #remoteCannotBeat}, since 2026-12-06: on the Westmere-EX map at 0
 *       areas the optimum's 1 GiB TDMR at the end of node 0's run, its 1G level describing it from
 *       the other nodes' memory, 16 bytes, meets it). <b>Without reserved areas</b> ({@code
 *       max_reserved_per_tdmr = 0}) no level lies in {@code T} and {@code T} holds nothing to
 *       reserve: the island of a usable {@code R} needs a level on each side of {@code T}, so
 *       {@code m + 1 ≤ 3}; a dead {@code T} lies outside the CMRs (rule E1) and is not allowed at
 *       all. So with {@code m ≥ 3} (usable) or a dead run no such layout exists ({@link
 *       #noRoomWithoutAreas}, since 2026-12-06: the Archer City map within 1 TDMR).
 *   <li><b>Two TDMRs</b> ({@code K' = 2}). The other TDMR does not overlap {@code T} (rule B3):
 *       it lies below {@code a} or at or above {@code b}. If below, every island ending above
 *       {@code s - 1 GiB} ({@link #endingAbove}; the island of a usable {@code R} is one) has
 *       usable memory above {@code T}, in no TDMR, and needs a level of its own among the 6; if
 *       above, likewise every island starting below {@code r + 1 GiB} ({@link #startingBelow}). So
 *       with more than 6 islands on each side, and no layout of one TDMR inside the run that can
 *       beat the optimum (above), no such layout beats it.
 *   <li><b>Three TDMRs or more</b>: TDMRs on both sides of {@code T} may cover the islands there;
 *       the count proves nothing.
 * </ul>
 *
 * <p>A layout that could beat an optimum giving up no coverable memory gives up none either
 * (coverage is ranked first), and under coverage {@code all} every layout does: so where the count
 * rules a run out, no TDMR inside it can beat such an optimum or make a layout exist. This holds
 * for every layout of the module family, whatever a model leaves out, and asks nothing of the
 * optimum's PAMT or remote PAMT: it holds under tight TDMR limits, where an optimum fills whole
 * nodes with padded levels. {@code IslandCountTest} counts islands by hand and checks both engines'
 * claims against {@code ExhaustiveSearch}.
 */
public final class IslandCount {
  /** The levels of a TDMR: one per page size. */
  private static final int LEVELS_PER_TDMR = 3;

  private final Instance instance;
  private final List<Island> islands;

  /** An island: its range and the nodes of its memory. */
  private record Island(AddressRange range, Set<Integer> nodes) {}

  public IslandCount(Instance instance) {
    this.instance = instance;
    this.islands = islands(instance);
  }

  /** The islands of usable memory in address order. */
  public List<AddressRange> islands() {
    return islands.stream().map(Island::range).toList();
  }

  /** The usable memory, in bytes: the most PAMT a layout can have. */
  public long usableBytes() {
    return islands.stream().mapToLong(i -> i.range().size()).sum();
  }

  /**
   * Whether a layout with a TDMR wholly inside {@code run} (a PLAIN cell of 3 GiB or more) without
   * reaching its ends could beat {@code found} (or, without an optimum, make a layout exist) by the
   * count above: false only where the count rules every such layout out.
   */
  public boolean innerTdmrCouldBeat(Cell run, Optional<LayoutScore> found) {
    if (!nothingCoverableGivenUp(found)) {
      return true;
    }
    int most = instance.limits().maxTdmrs();
    if (most >= 3) {
      return true;
    }
    boolean aloneCannotBeat = islands.size() > LEVELS_PER_TDMR || allPamtCannotBeat(run, found)
        || remoteCannotBeat(run, found) || noRoomWithoutAreas(run);
    if (!aloneCannotBeat) {
      return true;
    }
    return most == 2 && Math.min(endingAbove(run), startingBelow(run)) <= 2 * LEVELS_PER_TDMR;
  }

  /**
   * Whether every layout that could beat {@code found} (or, without an optimum, any layout of the
   * question) gives up no coverable memory: {@code found} gives up none, or, without an optimum,
   * coverage {@code all} asks for all of it.
   */
  private boolean nothingCoverableGivenUp(Optional<LayoutScore> found) {
    return found.map(s -> s.uncoveredBytes() <= instance.deadMemory())
        .orElse(instance.policy().coverage() == Policy.Coverage.ALL);
  }

  /**
   * Whether, with 3 islands or fewer, a layout of one TDMR inside {@code run} (all usable memory
   * PAMT when 3 islands, or the run dead) cannot beat {@code found}: it ranks no better than
   * (nothing given up, {@link #remoteOfOneTdmrInside} remote PAMT, all usable memory PAMT, 1 TDMR,
   * 1 area).
   */
  private boolean allPamtCannotBeat(Cell run, Optional<LayoutScore> found) {
    boolean dead = dead(run);
    if (found.isEmpty() || !(dead || islands.size() == LEVELS_PER_TDMR)) {
      return false;
    }
    LayoutScore least = new LayoutScore(instance.deadMemory(), remoteOfOneTdmrInside(run), usableBytes(), 1, 1);
    return LayoutScore.order(instance.policy()).compare(found.get(), least) <= 0;
  }

  /**
   * Whether {@code found}, ranking remote PAMT, has less of it than {@link #remoteOfOneTdmrInside}
   * {@code c}, or ranks no worse than ({@code c} remote, all usable memory but 1 GiB of PAMT for a
   * usable run, all for a dead one, 1 TDMR, 0 areas) with {@code c > 0}: then no layout of one TDMR
   * inside {@code run} beats it (the class comment: a TDMR of {@code g} GiB there has at least
   * {@code g·c} remote and {@code U - g} GiB of PAMT).
   */
  private boolean remoteCannotBeat(Cell run, Optional<LayoutScore> found) {
    if (found.isEmpty() || !LayoutScore.ranksRemotePamt(instance.policy())) {
      return false;
    }
    long perGiB = remoteOfOneTdmrInside(run);
    if (found.get().remotePamtBytes() < perGiB) {
      return true;
    }
    long pamt = usableBytes() - (dead(run) ? 0 : ByteSize.GiB);
    LayoutScore least = new LayoutScore(instance.deadMemory(), perGiB, pamt, 1, 0);
    return perGiB > 0 && LayoutScore.order(instance.policy()).compare(found.get(), least) <= 0;
  }

  /**
   * Whether no layout of one TDMR inside {@code run} exists without reserved areas: the limit is 0
   * areas per TDMR and the run is dead, or has 3 islands or more (the class comment).
   */
  private boolean noRoomWithoutAreas(Cell run) {
    return instance.limits().maxReservedPerTdmr() == 0 && (dead(run) || islands.size() >= LEVELS_PER_TDMR);
  }

  /** Whether {@code run} is memory no layout may cover or hold PAMT in (outside CMRs, above the HKID limit). */
  private boolean dead(Cell run) {
    return !instance.atoms().get(run.firstAtom()).usable();
  }

  /**
   * The least remote PAMT of a layout of one TDMR {@code T} inside {@code run} that gives up no
   * coverable memory: the run is one block, so {@code T}'s granules hold memory of its node {@code
   * n} only, and a level with memory of another node describes each of them remotely ({@link
   * tdmr.check.RemotePamt}: at least its bytes per GiB). All memory of other nodes lies outside
   * {@code T}, in no TDMR, so it is PAMT: each island with memory of another node holds a level of
   * {@code T} overlapping it, a different level per island; {@code k} such islands cost at least
   * the {@code k} smallest of the three levels' bytes per GiB.
   */
  long remoteOfOneTdmrInside(Cell run) {
    int node = run.nodes().get(0);
    long foreign = islands.stream().filter(i -> i.nodes().stream().anyMatch(n -> n != node)).count();
    return instance.pieceLevels().stream().mapToLong(instance::perGiBBytes).sorted().limit(foreign).sum();
  }

  /** The islands ending above the start of the run's last granule: each has memory above a TDMR inside it. */
  int endingAbove(Cell run) {
    long from = run.range().end() - ByteSize.GiB;
    return (int) islands.stream().filter(i -> i.range().end() > from).count();
  }

  /** The islands starting below the end of the run's first granule: each has memory below a TDMR inside it. */
  int startingBelow(Cell run) {
    long to = run.range().start() + ByteSize.GiB;
    return (int) islands.stream().filter(i -> i.range().start() < to).count();
  }

  /** The instance's islands, each with the nodes of its memory. */
  private static List<Island> islands(Instance instance) {
    List<Island> out = new ArrayList<>();
    for (AddressRange r : instance.islands()) {
      Set<Integer> nodes = new TreeSet<>();
      for (Atom a : instance.atoms()) {
        if (a.usable() && a.range().start() >= r.start() && a.range().end() <= r.end()) {
          nodes.add(a.node());
        }
      }
      out.add(new Island(r, Set.copyOf(nodes)));
    }
    return List.copyOf(out);
  }
}
