package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Node 0 of the sweeps' {@code fragmented-17} maps, where the PAMT tier is settled by cutting the
 * run of 62 GiB above 4 GiB into TDMRs whose levels fill islands of the crowded low gigabyte
 * exactly: {@link FilledStart} builds such a layout and {@link FilledIslandsPamtBound} rules out
 * every PAMT below it (each TDMR set tested once per {@code signature}, so the cuts of the 62 GiB
 * in any order count once).
 *
 * <p>Both maps by hand: a run of 2 GiB below 4 GiB with memory between 19 runs of holes ({@code [0,
 * 1M)}, 17 reserved or ACPI ranges, and one up to 2 GiB) and a run of 62 GiB from 4 GiB: covering
 * bound 2048 + 4 + 1 + 63 488 + 124 + 1 = 65 666 pages. With 16 areas a TDMR over {@code [0, 2G)}
 * must fill 3 of its islands with PAMT, one over {@code [1G, 2G)} (18 runs) 2. A page more buys a
 * TDMR more (its 1G level) or a page of padding.
 *
 * <p>Seed 7: the islands of {@code [1G, 2G)} are 29 954, 1324, 21 474, 761, 1977, 34, 4179, 4875,
 * 1741, 1672, 1211, 133, 3929, 32 444, 620, 8678 and 52 pages. Cut at 1 GiB ({@code [0, 1G)},
 * {@code [1G, 2G)}: a page) and the 62 GiB into 41, 17 and 4 GiB (two pages), the levels are 1024,
 * 2, 1 (twice), 41 984, 82, 1, 17 408, 34, 1 and 4096, 8, 1: 34 (the 17 GiB TDMR's 2M level) and
 * 4096 + 82 + 1 = 4179 fill two islands exactly. 65 669 pages, 5 TDMRs.
 *
 * <p>Seed 1: the islands of {@code [0, 2G)} include 1, 25 and 34 pages. With the 62 GiB cut into 36,
 * 17 and 9 GiB (two pages), levels 2048, 4, 1, 36 864, 72, 1, 17 408, 34, 1 and 9216, 18, 1: a 1G
 * level fills 1, the 2M level of 34 fills 34, and 18 + 4 + 1 + 1 + 1 fills 25. 65 668 pages, 4 TDMRs.
 */
class CutToFillTest {
  private static final Policy NODE_LOCAL = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL,
      Policy.Coverage.ALL, Policy.Family.MODULE);

  private static MemoryMap map(String name) throws Exception {
    try (var in = CutToFillTest.class.getResourceAsStream("/fragmented/" + name + ".txt")) {
      return tdmr.parse.MapReader.readBytes(name, in.readAllBytes());
    }
  }

  @Test
  void seed7NeedsThreePagesAboveTheCoveringBound() throws Exception {
    check("fragmented-17-seed7-node0", 65_669, 5);
  }

  @Test
  void seed1NeedsTwoPagesAboveTheCoveringBound() throws Exception {
    check("fragmented-17-seed1-node0", 65_668, 4);
  }

  /**
   * Seed 1 at 65 668 pages and 4 TDMRs: the low 2 GiB whole ({@code [0, 2G)}, 19 runs of holes) and
   * the 62 GiB cut into 10, 17 and 35 GiB ({@code [4G, 14G)}, {@code [14G, 31G)}, {@code [31G,
   * 66G)}) have least levels 2048, 4, 1, 10 240, 20, 1, 17 408, 34, 1 and 35 840, 70, 1 pages: 65 668,
   * no padding. Four islands of {@code [0, 2G)} are sums of disjoint groups of them: 1 (a 1G level),
   * 25 (20 + 4 + 1), 34 and 70 (the 2M levels of 17 and 35 GiB). So {@code [0, 2G)} keeps 19 - 4 =
   * 15 areas, the other levels lie against the hole at the top of node 0 ({@code [65.9G, 66G)}, an
   * area of {@code [31G, 66G)}), and the cut TDMRs have no other hole: 16 areas, one fewer than the
   * cut of {@link #seed1NeedsTwoPagesAboveTheCoveringBound} (which fills three islands). The areas
   * bound of that PAMT and TDMR count ({@link AreaCountBound}, over the TDMR sets) is 16 too, so the
   * built layout meets every tier's bound and is the optimum ({@link BuiltOptimum}).
   */
  @Test
  void seed1FillsFourIslandsWithTheRunCutIntoTenSeventeenAndThirtyFiveGib() throws Exception {
    MemoryMap map = map("fragmented-17-seed1-node0");
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, NODE_LOCAL);
    Layout layout = new FilledStart(instance).find().orElseThrow();
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, NODE_LOCAL, layout);
    assertEquals(65_668 * 4096L, score.pamtBytes());
    assertEquals(4, score.tdmrs());
    assertEquals(16, score.reservedAreas());
    assertEquals(16, new AreaCountBound(instance).leastAreas(65_668, 4));
    assertEquals(Optional.of(layout), BuiltOptimum.of(instance, Optional.of(layout)));
  }

  /**
   * Seed 7 at 65 669 pages and 5 TDMRs (the cut of {@link #seed7NeedsThreePagesAboveTheCoveringBound}):
   * {@code [0, 1G)} holds one run of holes (the legacy range below 1 MiB: the memory above it runs
   * past 1 GiB), {@code [1G, 2G)} 18, of which two islands are filled (34 and 4179 pages), so 16,
   * and the hole at the top of node 0 one more, with the levels left against it: 18 areas. The
   * areas bound over the 39 774 TDMR sets at that PAMT and TDMR count is 18 (all but 87 sets cannot
   * keep their TDMRs within the area limit, {@link FilledIslandsPamtBound#mayMeetLimit}, asked once
   * per signature), so the built layout is the optimum.
   */
  @Test
  void seed7IsTheOptimumWithEighteenAreas() throws Exception {
    MemoryMap map = map("fragmented-17-seed7-node0");
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, NODE_LOCAL);
    Layout layout = new FilledStart(instance).find().orElseThrow();
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, NODE_LOCAL, layout);
    assertEquals(5, score.tdmrs());
    assertEquals(18, score.reservedAreas());
    assertEquals(18, new AreaCountBound(instance).leastAreas(65_669, 5));
    assertEquals(Optional.of(layout), BuiltOptimum.of(instance, Optional.of(layout)));
  }

  private void check(String name, long pages, int tdmrs) throws Exception {
    MemoryMap map = map(name);
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, NODE_LOCAL);
    assertEquals(65_666, new ModuleFamilyBounds(instance, true).leastPamtPages().getAsLong());
    Layout layout = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, NODE_LOCAL, layout));
    LayoutScore score = LayoutScore.of(map, TdxLimits.DEFAULT, NODE_LOCAL, layout);
    assertEquals(0, score.remotePamtBytes());
    assertEquals(pages * 4096, score.pamtBytes());
    assertEquals(tdmrs, score.tdmrs());
    assertEquals(pages, new FilledIslandsPamtBound(instance, true).raise(65_666));
  }
}
