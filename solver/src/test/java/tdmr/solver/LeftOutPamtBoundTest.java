package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link LeftOutPamtBound#leastPages} and {@link LeftOutPamtBound#leastTdmrs}, the bounds an engine's
 * PAMT and TDMRs tiers take where the TDMR limit binds, and {@link LeftOutPamtBound#strict}, whose
 * missing entries {@link TdmrBudget} reads as remote PAMT: by hand, and against {@link
 * ExhaustiveSearch} (which shares nothing with them) on tiny maps of two nodes with a TDMR limit of
 * 1 to 3, PAMT {@code node-local}, coverage {@code all}, the module family.
 */
class LeftOutPamtBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final long PAGE = 4 * K;

  private static Policy policy(Policy.Holes holes) {
    return new Policy(holes, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.ALL, Policy.Family.MODULE);
  }

  /** The three levels' minima in pages of a module TDMR of {@code giB} GiB (the module's sizing rule). */
  private static long levels(long giB, TdxLimits limits) {
    long pages = 0;
    for (PageSize level : PageSize.values()) {
      pages += (PamtSizing.moduleMinimum(giB * G, level, limits) + PAGE - 1) / PAGE;
    }
    return pages;
  }

  /**
   * Node 0 has 16 MiB at the start of [1G, 2G) and of [3G, 4G). Within 1 TDMR, without remote PAMT
   * and covering all: one TDMR over both granules and the gap between costs a 3 GiB TDMR's levels;
   * one 1 GiB TDMR and the other granule left out costs its 4 096 pages of memory as PAMT on top of a
   * 1 GiB TDMR's levels; both left out, 8 192 pages. The first is least, and the referee's best has
   * it. Within 2 TDMRs, two 1 GiB TDMRs cost twice a 1 GiB TDMR's levels, less than a 3 GiB TDMR's:
   * at that PAMT a layout has at least 2 TDMRs.
   */
  @Test
  void oneTdmrOverTheGapIsThePriceOfTheLimit() {
    MemoryMap map = MemoryMap.ofBlocks("two granules apart", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(3 * G, 3 * G + 16 * M, 0)));
    TdxLimits one = TdxLimits.DEFAULT.withMaxTdmrs(1);
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    long over = levels(3, one);
    assertTrue(over < 4096 + levels(1, one), "the hand argument's premise");
    assertEquals(OptionalLong.of(over), LeftOutPamtBound.leastPages(map, one));
    assertEquals(OptionalLong.of(2 * levels(1, two)), LeftOutPamtBound.leastPages(map, two));
    assertEquals(OptionalLong.of(2), LeftOutPamtBound.leastTdmrs(map, two, 2 * levels(1, two)));
    assertEquals(OptionalLong.of(1), LeftOutPamtBound.leastTdmrs(map, two, over));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, one, policy(Policy.Holes.MEMLIST)).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes());
    assertEquals(over * PAGE, best.score().pamtBytes());
  }

  /**
   * Node 0 has 16 MiB at the start of [1G, 2G), node 1 16 MiB at the start of [3G, 4G); limit 1
   * TDMR. A TDMR holding one node's memory has levels only on that node (the other node has no
   * memory in its granules), so the other granule, left out, cannot be filled without remote PAMT;
   * a TDMR over both has no common node. Without remote PAMT the one TDMR holds no memory and its
   * levels, padded, fill both granules' memory: 8 192 pages. Counting only the TDMRs holding memory
   * ({@link LeftOutPamtBound#of}), one 1 GiB TDMR and the other granule's 4 096 pages are less.
   */
  @Test
  void aGranuleNoTdmrMayFillNeedsATdmrWithoutMemory() {
    MemoryMap map = MemoryMap.ofBlocks("two nodes apart", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(3 * G, 3 * G + 16 * M, 1)));
    TdxLimits one = TdxLimits.DEFAULT.withMaxTdmrs(1);
    assertEquals(OptionalLong.of(8192), LeftOutPamtBound.leastPages(map, one));
    assertEquals(4096 + levels(1, one), LeftOutPamtBound.of(map, one).orElseThrow()[1]);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, one, policy(Policy.Holes.MEMLIST)).best().orElseThrow();
    assertEquals(0, best.score().remotePamtBytes());
    assertEquals(8192 * PAGE, best.score().pamtBytes());
  }

  /**
   * Node 0 has four stretches of 16 MiB apart in [1G, 2G) and node 1 16 MiB in [3G, 4G); limit 1.
   * Node 1's granule left out needs a TDMR without memory, so the one TDMR holds none; then node 0's
   * granule is left out too, and its four stretches need four levels, more than one TDMR has: no
   * layout within 1 TDMR is without remote PAMT.
   */
  @Test
  void moreStretchesThanLevelsNeedRemotePamt() {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      blocks.add(new MemoryBlock(G + i * 64 * M, G + i * 64 * M + 16 * M, 0));
    }
    blocks.add(new MemoryBlock(3 * G, 3 * G + 16 * M, 1));
    MemoryMap map = MemoryMap.ofBlocks("stretches", blocks);
    TdxLimits one = TdxLimits.DEFAULT.withMaxTdmrs(1);
    assertEquals(Long.MAX_VALUE, LeftOutPamtBound.strict(map, one).orElseThrow()[1]);
    assertEquals(OptionalLong.empty(), LeftOutPamtBound.leastPages(map, one));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, one, policy(Policy.Holes.MEMLIST)).best().orElseThrow();
    assertTrue(best.score().remotePamtBytes() > 0, best.layout().toString());
  }

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  /**
   * The referee's best layout has remote PAMT where {@link LeftOutPamtBound#strict} has no layout
   * within the limit; when it has none (then it is the least PAMT of every layout
   * without remote PAMT, the tier before PAMT), it has at least the PAMT of {@link
   * LeftOutPamtBound#leastPages} and at least the TDMRs {@link LeftOutPamtBound#leastTdmrs} says for
   * its PAMT.
   */
  @Property(tries = 20, seed = "20261211")
  void noLayoutWithoutRemotePamtBeatsTheBounds(@ForAll("twoNodes") Case c) {
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    boolean remoteFree = best.isPresent() && best.get().score().remotePamtBytes() == 0;
    Statistics.label("best").collect(best.isEmpty() ? "none" : remoteFree ? "no remote PAMT" : "remote PAMT");
    OptionalLong pages = LeftOutPamtBound.leastPages(c.map(), c.limits());
    boolean noneWithout = LeftOutPamtBound.strict(c.map(), c.limits()).isPresent() && pages.isEmpty();
    Statistics.label("bound").collect(noneWithout ? "no layout without remote PAMT" : pages.isPresent() ? "pages"
        : "none");
    assertTrue(!noneWithout || !remoteFree, "a layout without remote PAMT the bound ruled out: " + c + "\n"
        + best.map(ExhaustiveSearch.Result::layout));
    if (!remoteFree || pages.isEmpty()) {
      return;
    }
    long pamt = best.get().score().pamtBytes() / PAGE;
    String what = c + "\n" + best.get().layout() + "\nbound " + pages;
    long byRuns = LeftOutPamtBound.strictByRuns(c.map(), c.limits()).orElseThrow()[c.limits().maxTdmrs()];
    assertTrue(pamt >= byRuns, "PAMT below LeftOutRunsTable's bound " + byRuns + ": " + what);
    Statistics.label("PAMT bound").collect(pages.getAsLong() == pamt ? "met" : "below");
    assertTrue(pamt >= pages.getAsLong(), "PAMT below the bound: " + what);
    OptionalLong tdmrs = LeftOutPamtBound.leastTdmrs(c.map(), c.limits(), pamt);
    Statistics.label("TDMR bound").collect(tdmrs.isEmpty() ? "none" : tdmrs.getAsLong() == best.get().score().tdmrs()
        ? "met" : "below");
    assertTrue(tdmrs.isPresent() && best.get().score().tdmrs() >= tdmrs.getAsLong(), "TDMRs below the bound "
        + tdmrs + ": " + what);
    boolean unpadded = LeftOutPamtBound.unpaddedAt(c.map(), c.limits(), pamt);
    Statistics.label("unpadded levels over covering runs").collect(unpadded);
    if (unpadded) {
      // The referee's best has that PAMT: each of its TDMRs holds memory, with its levels at their minima.
      for (tdmr.tdx.Tdmr t : best.get().layout().tdmrs()) {
        long last = t.base() + t.size() - G;
        assertTrue(c.map().blocks().stream().anyMatch(b -> b.start() < t.base() + G && t.base() < b.end())
            && c.map().blocks().stream().anyMatch(b -> b.start() < last + G && last < b.end()),
            "a TDMR not from a memory granule to a memory granule: " + what);
        for (PageSize level : PageSize.values()) {
          long least = (PamtSizing.moduleMinimum(t.size(), level, c.limits()) + PAGE - 1) / PAGE * PAGE;
          assertEquals(least, t.pamt().level(level).size(), "a padded level: " + what);
        }
      }
      long areas = new NodeAreaBound(Instance.of(c.map(), c.limits(), c.policy())).leastAreas(pamt);
      assertTrue(areas <= best.get().score().reservedAreas(), "NodeAreaBound " + areas + " above the referee's: " + what);
    }
  }

  /**
   * Node 0 has [1G, 8G) and node 1 [8G, 15G), touching: 14 memory granules, more than the
   * enumeration takes, so {@link LeftOutPamtBound#strict} is {@link LeftOutRunsTable}'s. A TDMR
   * without remote PAMT holds one node's granules (their common node); memory left out of every
   * TDMR is PAMT, on its own node, of a TDMR over that node or of one without memory. Within 1
   * TDMR, a TDMR over node 0 would leave node 1's memory to a TDMR without memory, a second one:
   * so all memory is left out, 14 GiB = 3 670 016 pages (a TDMR without memory whose three levels,
   * padded, fill the one stretch). Within 2 TDMRs, one TDMR per node: twice a 7 GiB TDMR's levels,
   * 2 · (7 · 1 026 + 1) = 14 366 pages, less than one node left out (1 835 008 pages and more).
   */
  @Test
  void twoNodesOfSevenGranulesByRuns() {
    MemoryMap map = MemoryMap.ofBlocks("two nodes of 7 GiB", List.of(new MemoryBlock(G, 8 * G, 0),
        new MemoryBlock(8 * G, 15 * G, 1)));
    assertEquals(OptionalLong.of(3_670_016), LeftOutPamtBound.leastPages(map, TdxLimits.DEFAULT.withMaxTdmrs(1)));
    assertEquals(OptionalLong.of(2 * levels(7, TdxLimits.DEFAULT)),
        LeftOutPamtBound.leastPages(map, TdxLimits.DEFAULT.withMaxTdmrs(2)));
    assertEquals(14_366, 2 * levels(7, TdxLimits.DEFAULT));
    // At that PAMT a layout has two TDMRs; at all memory one may do.
    assertEquals(OptionalLong.of(2), LeftOutPamtBound.leastTdmrs(map, TdxLimits.DEFAULT.withMaxTdmrs(2), 14_366));
    assertEquals(OptionalLong.of(1), LeftOutPamtBound.leastTdmrs(map, TdxLimits.DEFAULT.withMaxTdmrs(2), 3_670_016));
    // The runs of the least sets: none within 1 TDMR, one per node within 2.
    assertEquals(Optional.of(List.of()), LeftOutPamtBound.leastRunTdmrs(map, TdxLimits.DEFAULT.withMaxTdmrs(1)));
    assertEquals(Optional.of(List.of(new AddressRange(G, 8 * G), new AddressRange(8 * G, 15 * G))),
        LeftOutPamtBound.leastRunTdmrs(map, TdxLimits.DEFAULT.withMaxTdmrs(2)));
  }

  /**
   * {@link LeftOutRunsTable} meets the same sets as the enumeration and counts less of them (a run's
   * minima granule by granule, no stretches), so its table is at most the enumeration's at every
   * count up to the limit; on maps of up to 8 granules of up to three nodes.
   */
  @Property(tries = 40, seed = "20261206")
  void runsTableIsAtMostTheEnumeration(@ForAll("granules") Case c) {
    Optional<long[]> enumerated = LeftOutPamtBound.strict(c.map(), c.limits());
    Optional<long[]> byRuns = LeftOutPamtBound.strictByRuns(c.map(), c.limits());
    assertEquals(enumerated.isPresent(), byRuns.isPresent(), c.toString());
    if (enumerated.isEmpty()) {
      return;
    }
    boolean same = true;
    for (int k = 0; k <= c.limits().maxTdmrs(); k++) {
      long e = enumerated.get()[Math.min(k, enumerated.get().length - 1)];
      long r = byRuns.get()[k];
      assertTrue(r <= e, "k = " + k + ": " + r + " above " + e + " " + c);
      same &= r == e;
    }
    Statistics.label("same table").collect(same);
    // The least set's runs: within the limit, disjoint, in address order, each from a memory granule.
    Optional<List<AddressRange>> runs = LeftOutPamtBound.leastRunTdmrs(c.map(), c.limits());
    assertEquals(byRuns.get()[c.limits().maxTdmrs()] != Long.MAX_VALUE, runs.isPresent(), c.toString());
    runs.ifPresent(r -> {
      assertTrue(r.size() <= c.limits().maxTdmrs(), r + " " + c);
      for (int i = 0; i < r.size(); i++) {
        AddressRange t = r.get(i);
        assertTrue(i == 0 || r.get(i - 1).end() <= t.start(), r + " " + c);
        assertTrue(c.map().blocks().stream().anyMatch(b -> b.start() < t.start() + G && t.start() < b.end()), r + " " + c);
      }
    });
  }

  /**
   * 2 to 8 granules from 1 GiB, each holding 4 MiB to 1 GiB at its start of node 0, 1 or 2, or no
   * memory; touching blocks where a granule is full; TDMR limit 1 to 4.
   */
  @Provide
  Arbitrary<Case> granules() {
    Arbitrary<List<Integer>> fill = Arbitraries.integers().between(0, 3).list().ofMinSize(2).ofMaxSize(8);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(8);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 4);
    return Combinators.combine(fill, nodes, tdmrs).as((f, ns, t) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      for (int i = 0; i < f.size(); i++) {
        long start = (1 + i) * G;
        long size = switch (f.get(i)) {
          case 0 -> 0;
          case 1 -> 4 * M;
          case 2 -> 64 * M;
          default -> G;
        };
        MemoryBlock prev = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        if (size > 0 && prev != null && prev.end() == start && prev.node() == ns[i]) {
          // Touching blocks of one node are one block, as a map states them.
          blocks.set(blocks.size() - 1, new MemoryBlock(prev.start(), start + size, ns[i]));
        } else if (size > 0) {
          blocks.add(new MemoryBlock(start, start + size, ns[i]));
        }
      }
      if (blocks.isEmpty()) {
        blocks.add(new MemoryBlock(G, 2 * G, 0));
      }
      return new Case(MemoryMap.ofBlocks("granules", blocks), TdxLimits.DEFAULT.withMaxTdmrs(t),
          policy(Policy.Holes.MEMLIST));
    });
  }

  /**
   * Node 0: 16 MiB (and 0 or 3 pages) at the start of [1G, 2G), and at [3G, 4G) either 16 MiB at its
   * start or nothing; node 1: 8 or 16 MiB at the start of [4G, 5G) or [5G, 6G), or at [3G + 32M)
   * in node 0's last granule (the two nodes share it). TDMR limit 1 to 3, holes {@code memlist} or
   * {@code cmr}.
   */
  @Provide
  Arbitrary<Case> twoNodes() {
    Arbitrary<Long> pages = Arbitraries.of(0L, 3L);
    Arbitrary<Boolean> secondGranule = Arbitraries.of(true, false);
    Arbitrary<Long> size1 = Arbitraries.of(8 * M, 16 * M);
    Arbitrary<Long> at1 = Arbitraries.of(4 * G, 5 * G, 3 * G + 32 * M);
    Arbitrary<Integer> tdmrs = Arbitraries.integers().between(1, 3);
    Arbitrary<Policy.Holes> holes = Arbitraries.of(Policy.Holes.values());
    return Combinators.combine(pages, secondGranule, size1, at1, tdmrs, holes).as((a, second, s1, start1, t, h) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      blocks.add(new MemoryBlock(G, G + 16 * M + a * PAGE, 0));
      if (second || start1 == 3 * G + 32 * M) {
        blocks.add(new MemoryBlock(3 * G, 3 * G + 16 * M, 0));
      }
      blocks.add(new MemoryBlock(start1, start1 + s1, 1));
      return new Case(MemoryMap.ofBlocks("two nodes", blocks), TdxLimits.DEFAULT.withMaxTdmrs(t), policy(h));
    });
  }
}
