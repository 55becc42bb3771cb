package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * {@link ExactFillBound} by hand on a sweep's node and against {@link ExhaustiveSearch} on tiny
 * maps. Sizes in 4 KiB pages: a TDMR of {@code n} GiB needs {@code 1024·n} pages of 4K level,
 * {@code 2·n} of 2M level and {@code ceil(n / 256)} of 1G level.
 */
class ExactFillBoundTest {
  private static final long K = 1024;
  private static final long P = 4 * K;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE)
      .withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);

  /**
   * Node 0 of the sweep's realistic-2s4n-256GiB-3i (seed 1): in granules 0 and 1 the stretches A =
   * [1M, 0x4c01c000) (311 068 pages, across both), B = [0x4c0f7000, 0x699fe000) (121 095 = 1 024·118
   * + 263) and C = [0x6f7ff000, 0x6f800000) (1 page), and the run [4G, 258G) (254 GiB). Covering
   * both low granules costs 1 026·256 + 2 = 262 658; leaving both out, their 432 164 pages of memory
   * are PAMT; leaving granule 0 out, its 261 888. Leaving granule 1 out (granule 0 covered), B and C
   * are rigid (A reaches into granule 0, so it is not), G = 255 and 1 026·255 = 261 630 pages are
   * unpadded 4K and 2M levels; C takes no level but a 1G page, so r_C = 1, and B needs W-sum 118
   * (117 leaves 1 287 pages for at most 510 + Z) and {@code r_B = 263 - 2·B_B}, odd. The table's
   * parts are granule 0 (1 GiB) and the run (254): at least one group each. 261 632 needs {@code r_B
   * = 1} ({@code B_B = 131}) and two groups, 1 and 254 GiB, none of them 118. 261 633 allows three,
   * 1, a and 254 - a: some of them make 118 only for a in {117, 118, 136, 137} and 131 only for a in
   * {130, 131, 123, 124}. So 261 634 is the least; the witness below (helper realholes' hand layout:
   * granule 0 covered with its memory above 0x29b22000 reserved, the run cut at 122 and 135 GiB) has
   * it, so it is node 0's optimum. (The engines' best before: 261 888.)
   */
  @Test
  void theFourNodeHostsNode0NeedsOnePageAboveTheCoveringBound() throws Exception {
    MemoryMap map = MapReader.read(Path.of("src/test/resources/family/realistic-2s4n-256GiB-3i-node0.txt"));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    assertEquals(Map.of(0, 261_634L), new ExactFillBound(instance).leastPamtPagesPerNode());
    assertEquals(261_633L, new ModuleFamilyBounds(instance, true).leastPamtPagesPerNode().get(0));
    TierBounds.Proven proven = new TierBounds.Proven(true, true, OptionalLong.empty(), OptionalLong.empty());
    assertEquals(new TierBounds.Bound(261_634, "ExactFillBound"), new TierBounds(instance).pamtPages(proven).orElseThrow());
    Layout witness = new Layout(List.of(
        tdmr(0, 1, pamt(0x2d01c000L, 1024, 0x2d01a000L, 2, 0x2d019000L, 1),
            List.of(new ReservedArea(0, M), new ReservedArea(0x29b22000L, G - 0x29b22000L))),
        tdmr(4, 122, pamt(0x4c0f7000L, 120_832, 0x698f7000L, 236, 0x699fd000L, 1), List.of()),
        tdmr(122, 135, pamt(0x29c19000L, 13_312, 0x699e3000L, 26, 0x6f7ff000L, 1), List.of()),
        tdmr(135, 258, pamt(0x2d41c000L, 125_952, 0x29b23000L, 246, 0x29b22000L, 1), List.of())));
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, MODULE, witness));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, MODULE, witness);
    assertEquals(261_634 * P, score.pamtBytes());
    assertEquals(0, score.remotePamtBytes());
    assertEquals(0, score.uncoveredBytes());
  }

  /**
   * Node 0 of realistic-2s2n-512GiB-1i (seed 1): one island [1M, 0x76bb8000) (486 072 pages) and
   * the run [4G, 514G). With the island left out whole the least is 523 264 (the class comment's
   * example), but the bound is 523 262: granule 1 left out with the run's last granule, G = 510.
   * That is no weakness of the argument: covering granule 0 with TDMR [0, 1G), its memory above
   * some address reserved, makes the island's rest a stretch of any size, and the run's last
   * granule [513G, 514G) is filled exactly by the 4K level of a 256 GiB TDMR ([4G, 260G)). The
   * layout below, the run's other 253 GiB one TDMR, has 1 026·510 + 3 = 523 263 pages, the
   * covering bound ({@link ModuleFamilyBounds}), so it is node 0's optimum; the engines' best had
   * 523 264.
   */
  @Test
  void aGranuleLeftOutAtTheRunsEndLetsTheIslandBeCovered() throws Exception {
    MemoryMap map = MapReader.read(Path.of("src/test/resources/family/realistic-2s2n-512GiB-1i-node0.txt"));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, MODULE);
    assertEquals(Map.of(0, 523_262L), new ExactFillBound(instance).leastPamtPagesPerNode());
    assertEquals(523_263L, new ModuleFamilyBounds(instance, true).leastPamtPagesPerNode().get(0));
    // 261 119 pages of levels end at the island's end, 0x76bb8000, from inside granule 0.
    long end = 0x76bb8000L;
    long from = end - 261_119 * P;
    long t2Twok = from + (259_072 + 1024 + 2 + 1 + 512 + 1) * P;
    Layout layout = new Layout(List.of(
        tdmr(0, 1, pamt(from + 259_072 * P, 1024, from + 260_096 * P, 2, from + 260_098 * P, 1),
            List.of(new ReservedArea(0, M), new ReservedArea(from, G - from))),
        tdmr(4, 260, pamt(513 * G, 262_144, from + 260_099 * P, 512, from + 260_611 * P, 1), List.of()),
        tdmr(260, 513, pamt(from, 259_072, t2Twok, 506, t2Twok + 506 * P, 1), List.of())));
    assertEquals(end, t2Twok + 507 * P);
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, MODULE, layout));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, MODULE, layout);
    assertEquals(523_263 * P, score.pamtBytes());
    assertEquals(0, score.remotePamtBytes());
    assertEquals(0, score.uncoveredBytes());
  }

  /**
   * {@link CoveredIslandStart} through {@link FilledStart} builds the optima above (523 263 and
   * 261 634 pages), and on node 0 of realistic-2s1n-512GiB-3i (islands of 412 552 pages from 1M
   * across granules 0 and 1, 7 204 = 1 024·7 + 36 and 16 154 = 1 024·15 + 794 in granule 1; the run
   * [4G, 514G)) granule 0 covered and the run's last granule left out: the run cut into TDMRs of 6,
   * 15, 159, 97 and 232 GiB; the 4K levels of granule 0's TDMR and the 6 GiB one (7 GiB) with the
   * 2M levels of granule 0's and the 15 GiB one (32 pages) and four 1G pages fill 7 204; the 15 GiB
   * 4K level and the 2M levels of 6 + 159 + 232 = 397 GiB fill 16 154; the 4K levels of 159 + 97 =
   * 256 GiB the last granule: 1 026·510 + 6 = 523 266 pages,
   * where the islands left out whole need 523 974 ({@link ExactFillBound}'s remainders: 1 024·510 +
   * 904 + 36 + 794) and the bound is 523 263.
   */
  @Test
  void coveringTheIslandsStartBuildsTheseLayouts() throws Exception {
    assertEquals(523_263L, built("src/test/resources/family/realistic-2s2n-512GiB-1i-node0.txt"));
    assertEquals(261_634L, built("src/test/resources/family/realistic-2s4n-256GiB-3i-node0.txt"));
    assertEquals(523_266L, built("src/test/resources/family/realistic-2s1n-512GiB-3i-node0.txt"));
  }

  private static long built(String path) throws Exception {
    MemoryMap map = MapReader.read(Path.of(path));
    Layout layout = new FilledStart(Instance.of(map, TdxLimits.DEFAULT, MODULE)).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, MODULE, layout));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, MODULE, layout);
    assertEquals(0, score.remotePamtBytes());
    assertEquals(0, score.uncoveredBytes());
    return score.pamtBytes() / P;
  }

  private static Tdmr tdmr(long fromGiB, long toGiB, Pamt pamt, List<ReservedArea> reserved) {
    return new Tdmr(fromGiB * G, (toGiB - fromGiB) * G, pamt, reserved);
  }

  private static Pamt pamt(long fourK, long fourKPages, long twoM, long twoMPages, long oneG, long oneGPages) {
    return new Pamt(new PamtRange(fourK, fourKPages * P), new PamtRange(twoM, twoMPages * P),
        new PamtRange(oneG, oneGPages * P));
  }

  record Case(MemoryMap map, TdxLimits limits) {}

  /**
   * (e), the islands the area limit forces filled. Granule 1: a block [1G, 1G+16M), then islands of
   * 3, 5 and 7 pages between 1-page holes, then no memory to 2G; then the block [2G, 3G); all node
   * 0, one CMR. Any TDMR over granule 1 has its 4 runs of holes (after the block, between the
   * islands, after the last), so at 2 areas it holds 2 islands whole, filled exactly by levels. The
   * 16 MiB block may be one (a TDMR from 0 has the hole [0, 1G) below it) but a filled 4 096 pages
   * is more than what follows; else two of the islands, whose pages past whole 4K levels (1 024 each)
   * are at least 3 + 5 = 8, while the unpadded levels of the 2 GiB covered are 2 048 + 2·2 + 1 (the
   * 1G level of one TDMR). So at least 2 048 + 8 = 2 056 pages, where (b) alone gave 2 053: [1G,
   * 2G) and [2G, 3G), the 3 filled by a 2M and a 1G level, the 5 by the other two, one padded by 2.
   * The exhaustive search's least layout has 2 056 pages.
   */
  @Test
  void theIslandsTheAreaLimitForcesFilledNeedTheirRemainders() {
    List<MemoryBlock> blocks = new ArrayList<>();
    blocks.add(new MemoryBlock(G, G + 16 * M, 0));
    long at = G + 16 * M;
    for (long pages : new long[] {3, 5, 7}) {
      blocks.add(new MemoryBlock(at + P, at + P + pages * P, 0));
      at += P + pages * P;
    }
    blocks.add(new MemoryBlock(2 * G, 3 * G, 0));
    MemoryMap map = MemoryMap.ofBlocks("islands 3, 5, 7 at 2 areas", blocks);
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(2);
    Instance instance = Instance.of(map, limits, MODULE);
    assertEquals(Map.of(0, 2056L), new ExactFillBound(instance).leastPamtPagesPerNode());
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow();
    assertEquals(2056 * P, best.score().pamtBytes(), best.layout().toString());
    Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, built));
    assertEquals(2056 * P, built.pamtBytes(), built.toString());
  }

  /**
   * When the referee's best layout covers all memory without remote PAMT (so it has the least PAMT
   * of such layouts), it has at least the PAMT {@link TierBounds} gives with {@link ExactFillBound}.
   */
  @Property(tries = 80, seed = "20261205")
  void noLayoutBeatsTheExactFillBound(@ForAll("islandMaps") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), MODULE);
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), MODULE).best();
    boolean comparable = best.isPresent() && best.get().score().remotePamtBytes() == 0
        && best.get().score().uncoveredBytes() <= instance.deadMemory();
    Statistics.label("best").collect(comparable ? "covers all, no remote PAMT" : "other");
    if (!comparable) {
      return;
    }
    long pages = best.get().score().pamtBytes() / P;
    Map<Integer, Long> perNode = new ExactFillBound(instance).leastPamtPagesPerNode();
    long own = perNode.values().stream().mapToLong(Long::longValue).sum();
    Optional<TierBounds.Bound> bound = new TierBounds(instance)
        .pamtPages(new TierBounds.Proven(true, true, OptionalLong.empty(), OptionalLong.empty()));
    String what = c + "\n" + best.get().layout() + "\nper node " + perNode + ", tier " + bound;
    Statistics.label("exact fill").collect(perNode.isEmpty() ? "none" : own == pages ? "met" : own > pages
        ? "above (a TDMR without memory)" : "below");
    Statistics.label("tier source").collect(bound.map(TierBounds.Bound::source).orElse("none"));
    assertTrue(bound.isEmpty() || pages >= bound.get().value(), "PAMT below the bound: " + what);
    List<LeftOutGranules.Candidate> candidates = new CoveredIslandStart(instance).candidates();
    Statistics.label("covered island start").collect(candidates.isEmpty() ? "none" : "candidates");
    for (LeftOutGranules.Candidate candidate : candidates) {
      Optional<Layout> built = new FilledStart(instance).with(candidate.tdmrs(), false, candidate.chained());
      Statistics.label("built").collect(built.isEmpty() ? "no layout" : built.get().pamtBytes() == pages * P ? "best"
          : "worse");
      if (built.isPresent()) {
        assertEquals(List.of(), LayoutVerifier.failures(c.map(), c.limits(), MODULE, built.get()), what);
        assertTrue(built.get().pamtBytes() >= pages * P, "built below the best: " + what + "\n" + built.get());
      }
    }
  }

  /**
   * Granule 1 ([1G, 2G)): one to three islands of 1 to 3 pages, 4 MiB and a page less (a 1 GiB
   * TDMR's 4K level is 4 MiB) or 4 to 8 MiB and 1 to 3 pages, between 4 KiB holes, the first
   * perhaps reaching down into granule 0 by 1 to 3 pages or 4 MiB; then 1 or 2 full granules from 2
   * or 3 GiB (after a granule without memory), all of node 0, one CMR over each block; 1 to 3 TDMRs,
   * 1 to 3 areas.
   */
  @Provide
  Arbitrary<Case> islandMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(P, 2 * P, 3 * P, 4 * M - P, 4 * M, 4 * M + P, 4 * M + 2 * P,
        4 * M + 3 * P, 8 * M + 2 * P).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<Long> below = Arbitraries.of(0L, 0L, P, 3 * P, 4 * M);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 3),
        Arbitraries.integers().between(1, 3)).as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Integer> runGiB = Arbitraries.integers().between(1, 2);
    Arbitrary<Integer> runStart = Arbitraries.integers().between(2, 3);
    return Combinators.combine(islands, below, limits, runGiB, runStart).as((is, down, l, giB, start) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = G;
      for (long size : is) {
        long from = cursor == G ? G - down : cursor;
        blocks.add(new MemoryBlock(from, cursor + size, 0));
        cursor += size + P;
      }
      blocks.add(new MemoryBlock(start * G, (start + giB) * G, 0));
      return new Case(MemoryMap.ofBlocks("islands " + is + " (" + down / P + " pages below 1G), run " + start
          + "+" + giB + " GiB", blocks), l);
    });
  }
}
