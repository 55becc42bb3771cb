package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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

/**
 * A module-family layout without reserved areas, for the tightest limit, 0 areas per TDMR
 * ({@code frontier} asks it). Under coverage {@code all} such a layout has TDMRs only over granules
 * whose every byte may stay unreserved (usable memory, or gaps the holes policy leaves out), and no
 * PAMT inside any TDMR (rule D5: PAMT lies in reserved areas only), so all memory outside the TDMRs
 * is PAMT, exactly. The construction: the largest runs of such granules (most memory first, at most
 * the TDMR limit; under PAMT {@code node-local} memory of one node each) are the TDMRs; each stretch
 * of memory left outside them (contiguous memory of one block) gets at least one level, the smallest
 * that fits first, the other levels where they fit, and the last level of each stretch is padded to
 * its end. Too few levels for the stretches (of a node, under {@code node-local}): the largest TDMR
 * of 2 GiB or more (of that node) is cut in two, while the limit allows; a level too large for every stretch: each TDMR gives a granule at one end to the
 * stretch beside it, or fewer TDMRs are taken. A construction, not a search: it may fail, and it claims nothing; it is handed
 * out only after it passed the validator, and, under {@code node-local}, without remote PAMT (as
 * {@link FilledStart}'s layouts).
 *
 * <p>Neither engine's first search reached such a layout quickly on the 1 TiB five-CMR host and on
 * canonical/tdx#331 at 2 to 4 TDMRs (Z3 took 5-6 s to a first layout at 0 areas, CP-SAT several),
 * where every granule with a hole must be left out and filled: with it, a frontier point at 0 areas
 * has its layout at once ({@link FilledStart} offers it to both engines).
 */
public final class AreaFreeLayout {
  private final Instance instance;
  private final boolean nodeLocal;

  /** Under PAMT {@code node-local}, the layout without remote PAMT. */
  AreaFreeLayout(Instance instance) {
    this(instance, true);
  }

  /**
   * With {@code keepPamtLocal} false, nodes are not looked at (TDMRs over runs of several nodes,
   * levels in any stretch): under {@code node-local} a layout with remote PAMT, which an engine may
   * start from where none without exists (a multi-node host at fewer TDMRs than it has nodes).
   */
  public AreaFreeLayout(Instance instance, boolean keepPamtLocal) {
    this.instance = instance;
    this.nodeLocal = keepPamtLocal && instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL;
  }

  /** A run of granules a TDMR may cover without an area: its range, memory pages and node (-1: several). */
  private record CleanRun(AddressRange range, long memoryPages, int node) {}

  /** Memory outside every TDMR, to be filled with PAMT: its range and node. */
  private record Stretch(AddressRange range, int node) {
    long pages() {
      return range.size() / ByteSize.PAGE;
    }
  }

  /**
   * The layout, valid, or empty (outside the module family or coverage {@code all}, or no
   * construction): the most TDMRs first, each whole or with its top or bottom granule given to the
   * stretch beside it (a level too large for the stretches gets room there); with fewer TDMRs, more
   * memory is left out and the levels fit more easily. The best by {@link LayoutScore} at the most
   * TDMRs that give one.
   */
  public Optional<Layout> find() {
    if (!instance.moduleFamily() || instance.policy().coverage() != Policy.Coverage.ALL
        || !instance.impossibilities().isEmpty()) {
      return Optional.empty();
    }
    List<CleanRun> runs = new ArrayList<>(cleanRuns());
    runs.sort(Comparator.comparingLong(CleanRun::memoryPages).reversed());
    for (int t = Math.min(runs.size(), instance.limits().maxTdmrs()); t >= 1; t--) {
      Optional<Layout> best = Optional.empty();
      for (Trim trim : Trim.values()) {
        Optional<Layout> layout = built(trimmed(runs.subList(0, t), trim));
        if (layout.isPresent() && (best.isEmpty() || score(layout.get()).betterThan(score(best.get()),
            instance.policy()))) {
          best = layout;
        }
      }
      if (best.isPresent()) {
        return best;
      }
      if (instance.deadline().expired()) {
        break;
      }
    }
    return Optional.empty();
  }

  /** Which granule each TDMR of 2 GiB or more gives up to the memory left out. */
  private enum Trim { NONE, TOP, BOTTOM }

  private static List<CleanRun> trimmed(List<CleanRun> runs, Trim trim) {
    List<CleanRun> out = new ArrayList<>();
    for (CleanRun r : runs) {
      if (trim == Trim.NONE || r.range().size() < 2 * ByteSize.GiB) {
        out.add(r);
      } else if (trim == Trim.TOP) {
        out.add(new CleanRun(new AddressRange(r.range().start(), r.range().end() - ByteSize.GiB), r.memoryPages(), r.node()));
      } else {
        out.add(new CleanRun(new AddressRange(r.range().start() + ByteSize.GiB, r.range().end()), r.memoryPages(), r.node()));
      }
    }
    return out;
  }

  private LayoutScore score(Layout layout) {
    return LayoutScore.of(instance.map(), instance.limits(), instance.policy(), layout);
  }

  /**
   * The layout with {@code tdmrs}, cut while the stretches outnumber the levels that may fill them
   * (under {@code node-local}, node by node) and the limit allows.
   */
  private Optional<Layout> built(List<CleanRun> tdmrs) {
    List<CleanRun> chosen = new ArrayList<>(tdmrs);
    List<Stretch> stretches = stretchesOutside(chosen);
    // More TDMRs lend more levels: cut the largest where the stretches outnumber the levels.
    for (OptionalInt needy = shortNode(chosen, stretches); needy.isPresent();
        needy = shortNode(chosen, stretches)) {
      int node = needy.getAsInt();
      Optional<CleanRun> largest = chosen.stream().filter(r -> !nodeLocal || r.node() == node)
          .max(Comparator.comparingLong(r -> r.range().size()));
      if (chosen.size() >= instance.limits().maxTdmrs() || largest.isEmpty()
          || largest.get().range().size() < 2 * ByteSize.GiB) {
        return Optional.empty();
      }
      CleanRun cut = largest.get();
      chosen.remove(cut);
      long mid = cut.range().start() + cut.range().size() / ByteSize.GiB / 2 * ByteSize.GiB;
      chosen.add(new CleanRun(new AddressRange(cut.range().start(), mid), cut.memoryPages() / 2, cut.node()));
      chosen.add(new CleanRun(new AddressRange(mid, cut.range().end()), cut.memoryPages() / 2, cut.node()));
    }
    chosen.sort(Comparator.comparingLong(r -> r.range().start()));
    return placed(chosen, stretches);
  }

  /**
   * A node whose stretches outnumber the levels that may lie in them (its TDMRs' under {@code
   * node-local}; every TDMR's under {@code any}, the node then any of them), or empty.
   */
  private OptionalInt shortNode(List<CleanRun> tdmrs, List<Stretch> stretches) {
    int levels = instance.pieceLevels().size();
    if (!nodeLocal) {
      return stretches.size() > levels * tdmrs.size() ? OptionalInt.of(-1) : OptionalInt.empty();
    }
    for (Stretch s : stretches) {
      long there = stretches.stream().filter(o -> o.node() == s.node()).count();
      long lending = tdmrs.stream().filter(t -> t.node() == s.node()).count() * levels;
      if (there > lending) {
        return OptionalInt.of(s.node());
      }
    }
    return OptionalInt.empty();
  }

  /** The runs of touching granules whose every atom may stay unreserved and which hold usable memory. */
  private List<CleanRun> cleanRuns() {
    List<CleanRun> out = new ArrayList<>();
    AddressRange open = null;
    long pages = 0;
    int node = -1;
    for (Cell c : instance.cells()) {
      List<Atom> atoms = instance.atoms().subList(c.firstAtom(), c.endAtom());
      boolean clean = !c.extension() && atoms.stream().allMatch(this::unreserved);
      int cellNode = c.nodes().size() == 1 ? c.nodes().get(0) : c.nodes().isEmpty() ? Integer.MIN_VALUE : -1;
      boolean joins = clean && open != null && open.end() == c.range().start()
          && (cellNode == Integer.MIN_VALUE || node == Integer.MIN_VALUE || cellNode == node || !nodeLocal);
      if (open != null && !joins) {
        if (pages > 0 && (node != -1 || !nodeLocal)) {
          out.add(new CleanRun(open, pages, node));
        }
        open = null;
      }
      if (!clean) {
        continue;
      }
      long memory = atoms.stream().filter(Atom::usable).mapToLong(Atom::pages).sum();
      if (open == null) {
        open = c.range();
        pages = memory;
        node = cellNode;
      } else {
        open = new AddressRange(open.start(), c.range().end());
        pages += memory;
        node = node == Integer.MIN_VALUE ? cellNode : node;
      }
    }
    if (open != null && pages > 0 && (node != -1 || !nodeLocal)) {
      out.add(new CleanRun(open, pages, node));
    }
    return out;
  }

  /** Usable memory, or a gap the holes policy leaves unreserved. */
  private boolean unreserved(Atom a) {
    return a.memory() ? a.usable() : !instance.mustReserve(a);
  }

  /** The usable memory outside {@code tdmrs}, as maximal ranges within one block, in address order. */
  private List<Stretch> stretchesOutside(List<CleanRun> tdmrs) {
    List<Stretch> out = new ArrayList<>();
    long start = -1;
    long end = -1;
    int block = -1;
    int node = -1;
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      for (AddressRange part : outside(a.range(), tdmrs)) {
        if (start >= 0 && part.start() == end && a.block() == block) {
          end = part.end();
          continue;
        }
        if (start >= 0) {
          out.add(new Stretch(new AddressRange(start, end), node));
        }
        start = part.start();
        end = part.end();
        block = a.block();
        node = a.node();
      }
    }
    if (start >= 0) {
      out.add(new Stretch(new AddressRange(start, end), node));
    }
    return out;
  }

  /** The parts of {@code range} outside every TDMR of {@code tdmrs}. */
  private static List<AddressRange> outside(AddressRange range, List<CleanRun> tdmrs) {
    List<AddressRange> parts = new ArrayList<>(List.of(range));
    for (CleanRun t : tdmrs) {
      List<AddressRange> next = new ArrayList<>();
      for (AddressRange p : parts) {
        if (p.end() <= t.range().start() || t.range().end() <= p.start()) {
          next.add(p);
          continue;
        }
        if (p.start() < t.range().start()) {
          next.add(new AddressRange(p.start(), t.range().start()));
        }
        if (t.range().end() < p.end()) {
          next.add(new AddressRange(t.range().end(), p.end()));
        }
      }
      parts = next;
    }
    return parts;
  }

  /**
   * Every level of {@code tdmrs} placed in {@code stretches}: first each stretch, smallest first, its
   * smallest level that fits (on its node under {@code node-local}), then the other levels largest
   * first into the stretch with the most room left; back to back from each stretch's start, the last
   * padded to its end. Empty when a stretch or a level finds no place, or the layout is not valid.
   */
  private Optional<Layout> placed(List<CleanRun> tdmrs, List<Stretch> stretches) {
    List<AddressRange> ranges = tdmrs.stream().map(CleanRun::range).toList();
    List<LevelToPlace> pool = LevelToPlace.largestFirst(instance, ranges);
    List<List<LevelToPlace>> in = new ArrayList<>();
    long[] room = new long[stretches.size()];
    for (int s = 0; s < stretches.size(); s++) {
      in.add(new ArrayList<>());
      room[s] = stretches.get(s).pages();
    }
    List<Integer> bySize = new ArrayList<>();
    for (int s = 0; s < stretches.size(); s++) {
      bySize.add(s);
    }
    bySize.sort(Comparator.comparingLong(s -> stretches.get(s).pages()));
    for (int s : bySize) {
      LevelToPlace pick = null;
      // The pool is largest first: the last that fits is the smallest.
      for (LevelToPlace l : pool) {
        if (l.pages() <= room[s] && fits(l, tdmrs, stretches.get(s))) {
          pick = l;
        }
      }
      if (pick == null) {
        return Optional.empty();
      }
      pool.remove(pick);
      in.get(s).add(pick);
      room[s] -= pick.pages();
    }
    for (LevelToPlace l : pool) {
      int best = -1;
      for (int s = 0; s < stretches.size(); s++) {
        if (l.pages() <= room[s] && fits(l, tdmrs, stretches.get(s)) && (best < 0 || room[s] > room[best])) {
          best = s;
        }
      }
      if (best < 0) {
        return Optional.empty();
      }
      in.get(best).add(l);
      room[best] -= l.pages();
    }
    PamtRange[][] placed = new PamtRange[tdmrs.size()][PageSize.values().length];
    for (int s = 0; s < stretches.size(); s++) {
      long cursor = stretches.get(s).range().start();
      List<LevelToPlace> levels = in.get(s);
      for (int k = 0; k < levels.size(); k++) {
        LevelToPlace l = levels.get(k);
        long bytes = k == levels.size() - 1 ? stretches.get(s).range().end() - cursor : l.pages() * ByteSize.PAGE;
        placed[l.tdmr()][l.level().ordinal()] = new PamtRange(cursor, bytes);
        cursor += bytes;
      }
    }
    Layout layout = LevelToPlace.layout(instance, ranges, placed);
    if (!LayoutVerifier.failures(instance.map(), instance.limits(), instance.policy(), layout).isEmpty()
        || nodeLocal && new RemotePamt(instance.map(), instance.limits()).bytes(layout) > 0) {
      return Optional.empty();
    }
    return Optional.of(layout);
  }

  /** Whether level {@code l} may lie in {@code s}: anywhere under PAMT {@code any}, else on its TDMR's node. */
  private boolean fits(LevelToPlace l, List<CleanRun> tdmrs, Stretch s) {
    return !nodeLocal || tdmrs.get(l.tdmr()).node() == s.node();
  }
}
