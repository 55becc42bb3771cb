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
 * TDMR sets that leave every memory granule outside the largest segment's granules out of every
 * TDMR, with levels that fill each left-out segment (an <em>island</em>) exactly, for {@link
 * FilledStart} to finish. The largest segment's granules ({@code R} GiB, the <em>core</em>) are cut
 * into TDMRs whose sizes are chosen so that their levels fill the islands: TDMRs wholly inside the
 * core's run of whole GiB, which both engines' models leave out ({@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN}). On the sweep's 512 GiB nodes the low gigabytes below 4
 * GiB hold one to three islands of about 2 GiB together; covering them costs 1026 pages a GiB,
 * filling them costs only the padding.
 *
 * <p>It is a construction, not a search, and claims nothing. Two shapes are tried. <b>One TDMR per
 * island</b>: island {@code j} of {@code I_j} pages gets the largest TDMR whose three levels ({@code
 * 1026·n + ceil(n/256)} pages with 16-byte entries) fit it, the last padded to its end, and the
 * core's rest is one more TDMR. <b>The largest island split four ways</b> (the other islands as
 * before): of the core's free GiB, a part {@code X} gives its 4K and 2M levels to the island, {@code
 * Y} its 4K level only, {@code Z} its 2M level only, {@code W} neither; the island then holds {@code
 * 1024·(X+Y) + 2·(X+Z)} pages of them plus some of the parts' 1G levels plus padding, and every
 * {@code (X+Y, X+Z, X)} is tried for the least padding and 1G level pages. Levels left over are
 * stacked by {@link FilledStart#with}. The candidates are returned cheapest first.
 */
final class LeftOutIslands {
  private final Instance instance;

  LeftOutIslands(Instance instance) {
    this.instance = instance;
  }

  /** One part of the core: its GiB and which of its levels go to the island it serves (-1: none). */
  private record Part(long giB, int island4k, int island2m, int island1g) {}

  /**
   * The candidates, cheapest first; empty outside the module family, when memory lies outside the
   * core and the islands (e.g. in a granule of the core's ends shared with another segment), or
   * when there is no island.
   */
  List<LeftOutGranules.Candidate> candidates() {
    if (!instance.moduleFamily() || instance.segments().size() < 2 || !instance.impossibilities().isEmpty()) {
      return List.of();
    }
    Segment core = instance.segments().stream().max(Comparator.comparingLong(Segment::pages)).orElseThrow();
    AddressRange coreRange = range(core);
    AddressRange granules = new AddressRange(ByteSize.alignDown(coreRange.start(), ByteSize.GiB),
        ByteSize.alignUp(coreRange.end(), ByteSize.GiB));
    long coreGiB = granules.size() / ByteSize.GiB;
    List<AddressRange> islands = new ArrayList<>();
    for (Segment s : instance.segments()) {
      if (s == core) {
        continue;
      }
      AddressRange r = range(s);
      if (r.overlaps(granules) || instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && s.node() != core.node()) {
        return List.of();
      }
      islands.add(r);
    }
    islands.sort(Comparator.comparingLong(AddressRange::size).reversed());
    List<LeftOutGranules.Candidate> out = new ArrayList<>();
    ownTdmrs(islands, coreGiB).flatMap(parts -> candidate(granules, parts, islands)).ifPresent(out::add);
    split(islands, coreGiB).flatMap(parts -> candidate(granules, parts, islands)).ifPresent(out::add);
    out.sort(Comparator.comparingLong(LeftOutGranules.Candidate::pamtPages)
        .thenComparingInt(c -> c.tdmrs().size()));
    return out;
  }

  /** The address range of segment {@code s}'s memory. */
  private AddressRange range(Segment s) {
    return new AddressRange(instance.atoms().get(s.firstAtom()).range().start(),
        instance.atoms().get(s.endAtom() - 1).range().end());
  }

  /** Pages of the three levels of an {@code n} GiB TDMR. */
  private long levels(long n) {
    return instance.levelsPages(n);
  }

  /** The largest TDMR whose three levels fit {@code pages}, 0 when not even 1 GiB's do. */
  private long largestFitting(long pages, long most) {
    long n = Math.min(most, pages / (levels(1) - 1));
    while (n > 0 && levels(n) > pages) {
      n--;
    }
    return n;
  }

  /** Islands from {@code from} on get one TDMR each; empty when one does not fit or the core is too small. */
  private Optional<List<Part>> ownParts(List<AddressRange> islands, int from, long coreGiB, List<Part> parts) {
    long left = coreGiB;
    for (Part p : parts) {
      left -= p.giB();
    }
    for (int j = from; j < islands.size(); j++) {
      long n = largestFitting(islands.get(j).size() / ByteSize.PAGE, left - 1);
      if (n == 0) {
        return Optional.empty();
      }
      parts.add(new Part(n, j, j, j));
      left -= n;
    }
    if (left < 1) {
      return Optional.empty();
    }
    parts.add(new Part(left, -1, -1, -1));
    return Optional.of(parts);
  }

  private Optional<List<Part>> ownTdmrs(List<AddressRange> islands, long coreGiB) {
    return ownParts(islands, 0, coreGiB, new ArrayList<>());
  }

  /**
   * The largest island filled by parts X, Y, Z of the core's free GiB (see the class comment), the
   * others by one TDMR each; the split with the least padding plus 1G level pages.
   */
  private Optional<List<Part>> split(List<AddressRange> islands, long coreGiB) {
    List<Part> others = new ArrayList<>();
    long reserved = 0;
    for (int j = 1; j < islands.size(); j++) {
      long n = largestFitting(islands.get(j).size() / ByteSize.PAGE, coreGiB);
      if (n == 0) {
        return Optional.empty();
      }
      others.add(new Part(n, j, j, j));
      reserved += n;
    }
    long free = coreGiB - reserved;
    long island = islands.get(0).size() / ByteSize.PAGE;
    long per4k = instance.levelPages(1, PageSize.SIZE_4K);
    long per2m = instance.levelPages(1, PageSize.SIZE_2M);
    if (free < 2 || instance.levelPages(2, PageSize.SIZE_4K) != 2 * per4k
        || instance.levelPages(2, PageSize.SIZE_2M) != 2 * per2m || per2m == 0) {
      return Optional.empty();
    }
    long bestCost = Long.MAX_VALUE;
    int bestCount = Integer.MAX_VALUE;
    List<Part> best = null;
    for (long m = 1; m <= free && m * per4k <= island; m++) {
      instance.deadline().check();
      long m2Most = Math.min(free, (island - m * per4k) / per2m);
      for (long m2 = Math.max(0, m2Most - 2); m2 <= m2Most; m2++) {
        long rest = island - m * per4k - m2 * per2m;
        for (long x = Math.max(0, m + m2 - free); x <= Math.min(m, m2); x++) {
          long[] giB = {x, m - x, m2 - x, free - m - m2 + x};
          long pages1g = 0;
          long[] g = new long[4];
          for (int k = 0; k < 4; k++) {
            g[k] = giB[k] == 0 ? 0 : instance.levelPages(giB[k], PageSize.SIZE_1G);
            pages1g += g[k];
          }
          int chosen = most1g(g, rest);
          long filled = 0;
          for (int k = 0; k < 4; k++) {
            filled += (chosen >> k & 1) * g[k];
          }
          long cost = pages1g + rest - filled;
          int count = (int) java.util.Arrays.stream(giB).filter(n -> n > 0).count();
          if (cost < bestCost || cost == bestCost && count < bestCount) {
            bestCost = cost;
            bestCount = count;
            best = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
              if (giB[k] > 0) {
                best.add(new Part(giB[k], k <= 1 ? 0 : -1, k == 0 || k == 2 ? 0 : -1, (chosen >> k & 1) == 1 ? 0 : -1));
              }
            }
          }
        }
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    best.addAll(others);
    return Optional.of(best);
  }

  /** The most spare levels {@link #topUp} chooses among (2^12 subsets per island). */
  private static final int MOST_SPARE = 12;

  /**
   * Spare levels (given to no island) moved into islands' padding, island by island from the
   * roomiest, the subset of those that fit with the most pages each time: each page moved is a page
   * of padding less.
   */
  private static void topUp(List<List<LevelToPlace>> intoEach, List<LevelToPlace> spare, long[] room) {
    Integer[] order = new Integer[room.length];
    for (int j = 0; j < room.length; j++) {
      order[j] = j;
    }
    java.util.Arrays.sort(order, (a, b) -> Long.compare(room[b], room[a]));
    for (int j : order) {
      List<LevelToPlace> fit = spare.stream().filter(l -> l.pages() <= room[j])
          .sorted(Comparator.comparingLong(LevelToPlace::pages)).limit(MOST_SPARE).toList();
      int best = 0;
      long bestPages = 0;
      for (int mask = 1; mask < 1 << fit.size(); mask++) {
        long pages = 0;
        for (int k = 0; k < fit.size(); k++) {
          pages += (mask >> k & 1) * fit.get(k).pages();
        }
        if (pages <= room[j] && pages > bestPages) {
          best = mask;
          bestPages = pages;
        }
      }
      for (int k = 0; k < fit.size(); k++) {
        if ((best >> k & 1) == 1) {
          intoEach.get(j).add(0, fit.get(k));
          spare.remove(fit.get(k));
        }
      }
      room[j] -= bestPages;
    }
  }

  /** The subset of the 1G levels {@code g} (as a bit mask) with the most pages within {@code room}. */
  private static int most1g(long[] g, long room) {
    int best = 0;
    long bestPages = 0;
    for (int mask = 1; mask < 1 << g.length; mask++) {
      long pages = 0;
      for (int k = 0; k < g.length; k++) {
        pages += (mask >> k & 1) * g[k];
      }
      if (pages <= room && pages > bestPages) {
        best = mask;
        bestPages = pages;
      }
    }
    return best;
  }

  /**
   * The parts as TDMRs from the core's first granule on, and the levels they give each island laid
   * from its start, 4K levels first, the last padded to the island's end; empty when they overfill it.
   */
  private Optional<LeftOutGranules.Candidate> candidate(AddressRange granules, List<Part> parts,
      List<AddressRange> islands) {
    if (parts.size() > instance.limits().maxTdmrs()) {
      return Optional.empty();
    }
    List<AddressRange> tdmrs = new ArrayList<>();
    long at = granules.start();
    for (Part p : parts) {
      tdmrs.add(new AddressRange(at, at + p.giB() * ByteSize.GiB));
      at += p.giB() * ByteSize.GiB;
    }
    List<LeftOutGranules.Chained> chained = new ArrayList<>();
    long pamt = 0;
    for (int t = 0; t < parts.size(); t++) {
      for (PageSize l : PageSize.values()) {
        pamt += instance.levelPages(parts.get(t).giB(), l);
      }
    }
    List<List<LevelToPlace>> intoEach = new ArrayList<>();
    List<LevelToPlace> spare = new ArrayList<>();
    for (int j = 0; j < islands.size(); j++) {
      intoEach.add(new ArrayList<>());
    }
    for (PageSize l : PageSize.values()) {
      for (int t = 0; t < parts.size(); t++) {
        Part p = parts.get(t);
        int island = switch (l) {
          case SIZE_4K -> p.island4k();
          case SIZE_2M -> p.island2m();
          case SIZE_1G -> p.island1g();
        };
        LevelToPlace level = new LevelToPlace(t, l, instance.levelPages(p.giB(), l));
        (island >= 0 ? intoEach.get(island) : spare).add(level);
      }
    }
    long[] room = new long[islands.size()];
    for (int j = 0; j < islands.size(); j++) {
      room[j] = islands.get(j).size() / ByteSize.PAGE - intoEach.get(j).stream().mapToLong(LevelToPlace::pages).sum();
      if (intoEach.get(j).isEmpty() || room[j] < 0) {
        return Optional.empty();
      }
    }
    topUp(intoEach, spare, room);
    for (int j = 0; j < islands.size(); j++) {
      List<LevelToPlace> into = intoEach.get(j);
      AddressRange island = islands.get(j);
      pamt += room[j];
      long cursor = island.start();
      for (int k = 0; k < into.size(); k++) {
        long bytes = k == into.size() - 1 ? island.end() - cursor : into.get(k).pages() * ByteSize.PAGE;
        chained.add(new LeftOutGranules.Chained(into.get(k), new PamtRange(cursor, bytes)));
        cursor += bytes;
      }
    }
    // Not ranked against LeftOutGranules' own candidates (FilledStart finishes each into a layout and
    // keeps the best), so no count of chains reaching into a TDMR and no limit flag are needed.
    return Optional.of(new LeftOutGranules.Candidate(tdmrs, chained, pamt, 0, true));
  }
}
