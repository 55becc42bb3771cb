package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Segment;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;

/**
 * TDMR sets for {@link FilledStart} to finish where the islands below the largest segment (the
 * <em>core</em>, a run of whole GiB) are mostly left out of every TDMR, but the granule {@code c}
 * where an island starts is covered by a 1 GiB TDMR: the island's memory from some address in
 * {@code c} up is reserved there and, with the island's rest above {@code c}, filled by a chain of
 * levels ending at the island's end, so that stretch takes any levels that reach below {@code c}'s
 * end. The other islands, wholly in granules left out, are filled exactly by levels of TDMRs cut
 * from the core to fit them; optionally the core's last granule is left out too, filled exactly (by
 * the 4K level of a 256 GiB TDMR, say), which saves the GiB that covering {@code c} costs.
 *
 * <p>The cut of the core is {@link ExactFillBound#leastFill}'s table for the parts {@code c} (1 GiB)
 * and the core's covered GiB and the stretches to fill exactly: each group of the table is one TDMR
 * (in the table's order, from the core's start), its 4K and 2M levels placed in the stretch the
 * table says, its 1G level in the stretch with the most room left that holds it, else in the chain
 * (when it is left over there, {@link FilledStart#with} places it). Each stretch's last level is
 * padded to its end. It is a construction and claims nothing; the layouts pass the validator in
 * {@link FilledStart#with}. On node 0 of the sweep's realistic-2s2n-512GiB-1i it builds 523 263
 * pages ({@code ExactFillBoundTest} has that layout by hand), on realistic-2s4n-256GiB-3i 261 634.
 */
final class CoveredIslandStart {
  private final Instance instance;

  CoveredIslandStart(Instance instance) {
    this.instance = instance;
  }

  /** The candidates, cheapest first; empty outside the shape above. */
  List<LeftOutGranules.Candidate> candidates() {
    if (!instance.moduleFamily() || instance.segments().size() < 2 || !instance.impossibilities().isEmpty()) {
      return List.of();
    }
    Segment core = instance.segments().stream().max(Comparator.comparingLong(Segment::pages)).orElseThrow();
    AddressRange coreRange = range(core);
    if (coreRange.start() % ByteSize.GiB != 0 || coreRange.end() % ByteSize.GiB != 0) {
      return List.of();
    }
    List<AddressRange> stretches = new ArrayList<>();
    for (Segment s : instance.segments()) {
      if (s == core) {
        continue;
      }
      AddressRange r = range(s);
      if (r.end() > coreRange.start() || instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && s.node() != core.node()) {
        return List.of();
      }
      int last = stretches.size() - 1;
      if (last >= 0 && stretches.get(last).end() == r.start()) {
        stretches.set(last, new AddressRange(stretches.get(last).start(), r.end()));
      } else {
        stretches.add(r);
      }
    }
    stretches.sort(Comparator.comparingLong(AddressRange::start));
    List<LeftOutGranules.Candidate> out = new ArrayList<>();
    for (AddressRange flexible : stretches) {
      long c = flexible.start() / ByteSize.GiB;
      if ((flexible.end() - 1) / ByteSize.GiB == c) {
        continue;
      }
      for (boolean leaveLast : new boolean[] {false, true}) {
        instance.deadline().check();
        candidate(coreRange, stretches, flexible, c, leaveLast).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparingLong(LeftOutGranules.Candidate::pamtPages));
    return out;
  }

  /** The address range of segment {@code s}'s memory. */
  private AddressRange range(Segment s) {
    return new AddressRange(instance.atoms().get(s.firstAtom()).range().start(),
        instance.atoms().get(s.endAtom() - 1).range().end());
  }

  /**
   * Granule {@code c} covered, {@code flexible} (from inside {@code c} up) filled by a chain, every
   * other stretch outside {@code c} filled exactly (those inside it are covered), and with {@code
   * leaveLast} the core's last granule too; empty when another stretch reaches into {@code c} or the
   * table or the levels do not fit.
   */
  private Optional<LeftOutGranules.Candidate> candidate(AddressRange coreRange, List<AddressRange> stretches,
      AddressRange flexible, long c, boolean leaveLast) {
    List<AddressRange> exact = new ArrayList<>();
    for (AddressRange s : stretches) {
      if (s == flexible) {
        continue;
      }
      long first = s.start() / ByteSize.GiB;
      long last = (s.end() - 1) / ByteSize.GiB;
      if (first == c && last == c) {
        // Covered by the TDMR over c.
        continue;
      }
      if (first <= c && c <= last) {
        return Optional.empty();
      }
      exact.add(s);
    }
    long coreGiB = coreRange.size() / ByteSize.GiB - (leaveLast ? 1 : 0);
    if (leaveLast) {
      exact.add(new AddressRange(coreRange.end() - ByteSize.GiB, coreRange.end()));
    }
    if (exact.isEmpty() || coreGiB < 1) {
      return Optional.empty();
    }
    List<Long> pages = exact.stream().map(r -> r.size() / ByteSize.PAGE).toList();
    Optional<ExactFillBound.Witness> table = new ExactFillBound(instance).leastFill(List.of(1L, coreGiB), pages);
    if (table.isEmpty()) {
      return Optional.empty();
    }
    return build(coreRange, coreGiB, exact, flexible, c, table.get());
  }

  /** The TDMRs and chains of {@code table} (class comment). */
  private Optional<LeftOutGranules.Candidate> build(AddressRange coreRange, long coreGiB, List<AddressRange> exact,
      AddressRange flexible, long c, ExactFillBound.Witness table) {
    List<long[]> groups = new ArrayList<>(table.groups());
    groups.sort(Comparator.comparingLong((long[] g) -> g[0]));
    List<AddressRange> tdmrs = new ArrayList<>();
    List<long[]> ofTdmr = new ArrayList<>();
    long at = coreRange.start();
    for (long[] g : groups) {
      if (g[3] > instance.largestTdmrGiB()) {
        return Optional.empty();
      }
      if (g[0] == 0) {
        tdmrs.add(new AddressRange(c * ByteSize.GiB, (c + 1) * ByteSize.GiB));
      } else {
        tdmrs.add(new AddressRange(at, at + g[3] * ByteSize.GiB));
        at += g[3] * ByteSize.GiB;
      }
      ofTdmr.add(g);
    }
    if (tdmrs.size() > instance.limits().maxTdmrs() || at != coreRange.start() + coreGiB * ByteSize.GiB) {
      return Optional.empty();
    }
    // TDMRs in address order: the one over c lies below the core.
    Integer[] order = new Integer[tdmrs.size()];
    for (int t = 0; t < order.length; t++) {
      order[t] = t;
    }
    java.util.Arrays.sort(order, Comparator.comparingLong(t -> tdmrs.get(t).start()));
    List<AddressRange> sorted = new ArrayList<>();
    List<List<LevelToPlace>> into = new ArrayList<>();
    for (int k = 0; k <= exact.size(); k++) {
      into.add(new ArrayList<>());
    }
    List<LevelToPlace> rounded = new ArrayList<>();
    int m = exact.size();
    for (int k = 0; k < order.length; k++) {
      long[] g = ofTdmr.get(order[k]);
      sorted.add(tdmrs.get(order[k]));
      for (PageSize l : PageSize.values()) {
        LevelToPlace level = new LevelToPlace(k, l, instance.levelPages(g[3], l));
        switch (l) {
          case SIZE_4K -> into.get((int) g[1]).add(level);
          case SIZE_2M -> into.get((int) g[2]).add(level);
          case SIZE_1G -> rounded.add(level);
        }
      }
    }
    long[] room = new long[m];
    for (int s = 0; s < m; s++) {
      room[s] = exact.get(s).size() / ByteSize.PAGE - into.get(s).stream().mapToLong(LevelToPlace::pages).sum();
      if (room[s] < 0) {
        return Optional.empty();
      }
    }
    rounded.sort(Comparator.comparingLong(LevelToPlace::pages).reversed());
    for (LevelToPlace l : rounded) {
      int most = -1;
      for (int s = 0; s < m; s++) {
        if (room[s] >= l.pages() && (most < 0 || room[s] > room[most])) {
          most = s;
        }
      }
      if (most >= 0) {
        into.get(most).add(l);
        room[most] -= l.pages();
      } else {
        into.get(m).add(l);
      }
    }
    List<LeftOutGranules.Chained> chained = new ArrayList<>();
    long pamt = 0;
    for (int s = 0; s < m; s++) {
      if (into.get(s).isEmpty()) {
        return Optional.empty();
      }
      pamt += exact.get(s).size() / ByteSize.PAGE;
      chain(into.get(s), exact.get(s).start(), exact.get(s).end(), chained);
    }
    return chainFlexible(into.get(m), flexible, c, chained).map(rest -> {
      long total = chained.stream().mapToLong(x -> x.range().size() / ByteSize.PAGE).sum();
      long others = rest.stream().mapToLong(LevelToPlace::pages).sum();
      return new LeftOutGranules.Candidate(sorted, chained, total + others, 0, true);
    });
  }

  /** Places {@code levels} from {@code start} on, the last padded to {@code end}. */
  private static void chain(List<LevelToPlace> levels, long start, long end, List<LeftOutGranules.Chained> chained) {
    long cursor = start;
    for (int k = 0; k < levels.size(); k++) {
      long bytes = k == levels.size() - 1 ? end - cursor : levels.get(k).pages() * ByteSize.PAGE;
      chained.add(new LeftOutGranules.Chained(levels.get(k), new PamtRange(cursor, bytes)));
      cursor += bytes;
    }
  }

  /**
   * The levels of {@code left}, largest first, chained up to {@code flexible}'s end until they reach
   * below granule {@code c}'s end (the rest are returned for {@link FilledStart#with} to place);
   * empty when all of them do not reach that far or reach below the stretch's start.
   */
  private static Optional<List<LevelToPlace>> chainFlexible(List<LevelToPlace> left, AddressRange flexible, long c,
      List<LeftOutGranules.Chained> chained) {
    List<LevelToPlace> sorted = new ArrayList<>(left);
    sorted.sort(Comparator.comparingLong(LevelToPlace::pages).reversed());
    long above = flexible.end() - (c + 1) * ByteSize.GiB;
    List<LevelToPlace> taken = new ArrayList<>();
    long bytes = 0;
    for (LevelToPlace l : sorted) {
      if (bytes > above) {
        break;
      }
      taken.add(l);
      bytes += l.pages() * ByteSize.PAGE;
    }
    if (bytes <= above || bytes > flexible.size()) {
      return Optional.empty();
    }
    long cursor = flexible.end() - bytes;
    for (LevelToPlace l : taken) {
      chained.add(new LeftOutGranules.Chained(l, new PamtRange(cursor, l.pages() * ByteSize.PAGE)));
      cursor += l.pages() * ByteSize.PAGE;
    }
    List<LevelToPlace> rest = new ArrayList<>(sorted);
    rest.removeAll(taken);
    return Optional.of(rest);
  }
}
