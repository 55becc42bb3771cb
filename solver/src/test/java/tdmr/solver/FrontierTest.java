package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class FrontierTest {
  private static final long KiB = 1L << 10;
  private static final long CHUNK = 4108 * KiB;

  /**
   * canonical/tdx#135 (realmaps/tdx-fail-emr-foxcreekpass-...-135.txt), derived by hand. TDX
   * memory lies below 2 GiB: 16 e820 usable ranges above 1 MiB, the first [0x100000, 0x5d169000)
   * reaching across 1 GiB, the other 15 inside [1G, 2G). Under holes memlist a TDMR reserves every stretch it covers outside the blocks:
   *
   * <ul>
   *   <li>[0, 1G) holds one hole, [0, 0x100000);
   *   <li>[1G, 2G) holds 16: the 15 gaps between consecutive blocks after the first, and
   *       [0x6f800000, 2G) after the last block;
   *   <li>so [0, 2G) holds 17.
   * </ul>
   *
   * A PAMT chunk stacked against a hole joins that hole's area. Chunks could merge two holes only
   * by filling a block between them exactly, but the blocks inside [1G, 2G) are 4, 4, 8, 64, 244,
   * 424, 536, 1680, 3276, 3784, 3916, 5580, 8272, 17700 and 172264 KiB, none of them 4108, 8212
   * or 8216 KiB (one or two chunks). One TDMR [0, 2G) therefore
   * needs exactly 17 areas and pays 4104·2 + 4 = 8212 KiB; with two TDMRs [0, 1G) and [1G, 2G) the
   * second needs 16 (the first needs 1) and the PAMT is 2·4108 = 8216 KiB. With 16 areas allowed
   * only the split fits; with 17 the single TDMR is cheaper. More TDMRs cannot help: there are
   * only two granules with memory.
   */
  @Test
  void tdx135FrontierIsSeventeenWithOneTdmrAndSixteenWithMore() throws Exception {
    Frontier f = new Frontier(List.of(new Z3Engine()), SolveOptions.DEFAULT);
    List<FrontierPoint> points = f.compute(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, Policy.KERNEL, 64);

    assertEquals(64, points.size());
    FrontierPoint one = points.get(0);
    assertEquals(Status.OPTIMAL, one.status());
    assertEquals(OptionalInt.of(17), one.minReserved());
    assertEquals(OptionalLong.of(8212 * KiB), one.pamtBytes());
    for (FrontierPoint p : points.subList(1, 64)) {
      assertEquals(Status.OPTIMAL, p.status(), "n=" + p.maxTdmrs());
      assertEquals(OptionalInt.of(16), p.minReserved(), "n=" + p.maxTdmrs());
      assertEquals(OptionalLong.of(8216 * KiB), p.pamtBytes(), "n=" + p.maxTdmrs());
      assertEquals("z3", p.provedBy());
    }
  }

  /**
   * An engine with a known answer: with at most n TDMRs a layout needs max(0, 3 - n) reserved
   * areas and uses min(n, 3) TDMRs of 1 GiB, each with a kernel chunk of 4108 KiB (its layouts have
   * that many areas in each TDMR).
   */
  private static class KnownEngine implements Engine {
    private final String name;
    int solves;

    KnownEngine(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      solves++;
      int n = limits.maxTdmrs();
      if (limits.maxReservedPerTdmr() < Math.max(0, 3 - n)) {
        return new EngineResult(name, Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);
      }
      int used = Math.min(n, 3);
      List<ReservedArea> areas = new ArrayList<>();
      for (int i = 0; i < Math.max(0, 3 - n); i++) {
        areas.add(new ReservedArea(2L * i * 4096, 4096));
      }
      List<Tdmr> tdmrs = new ArrayList<>();
      for (int i = 0; i < used; i++) {
        tdmrs.add(new Tdmr(i * (1L << 30), 1L << 30, Pamt.kernelChunk(0, 1L << 30, limits), areas));
      }
      Layout layout = new Layout(tdmrs);
      return new EngineResult(name, Status.OPTIMAL, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
          OptionalLong.of(layout.pamtBytes()), List.of(), 0, 0, 0, 0);
    }
  }

  /** An engine that always runs out of time. */
  private static final class TimedOutEngine implements Engine {
    @Override
    public String name() {
      return "slow";
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      return new EngineResult("slow", Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
          List.of(), 0, 0, 0, 0);
    }
  }

  private static final MemoryMap ANY_MAP =
      MemoryMap.ofBlocks("any", List.of(new MemoryBlock(1L << 30, 2L << 30, 0)));

  @Test
  void eachPointIsTheLeastReservedLimitWithALayoutAndPointsFromTheLastTdmrCountOnAreCopied() {
    KnownEngine engine = new KnownEngine("known");
    List<FrontierPoint> points =
        new Frontier(List.of(engine), SolveOptions.DEFAULT).compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 64);

    assertEquals(64, points.size());
    for (int n = 1; n <= 64; n++) {
      FrontierPoint p = points.get(n - 1);
      assertEquals(n, p.maxTdmrs());
      assertEquals(OptionalInt.of(Math.max(0, 3 - n)), p.minReserved(), "n=" + n);
      assertEquals(OptionalLong.of(Math.min(n, 3) * CHUNK), p.pamtBytes(), "n=" + n);
      assertEquals("known", p.provedBy());
    }
    // The point at 64 uses 3 TDMRs, so only n = 1 and 2 are searched besides it.
    assertTrue(points.subList(2, 63).stream().allMatch(p -> p.solves() == 0));
    assertTrue(points.get(0).solves() > 0 && points.get(1).solves() > 0);
  }

  @Test
  void aTimedOutEngineHandsThePointToTheNextAndThePointSaysWhoProvedIt() {
    List<FrontierPoint> points =
        new Frontier(List.of(new TimedOutEngine(), new KnownEngine("backup")), SolveOptions.DEFAULT)
            .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 3);
    assertEquals(OptionalInt.of(2), points.get(0).minReserved());
    assertEquals("backup", points.get(0).provedBy());
  }

  @Test
  void withOnlyATimedOutEngineEveryPointIsUnknown() {
    List<FrontierPoint> points =
        new Frontier(List.of(new TimedOutEngine()), SolveOptions.DEFAULT).compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 3);
    assertTrue(points.stream().allMatch(p -> p.status() == Status.UNKNOWN && p.minReserved().isEmpty()));
  }

  // ---- module family: the bounds of ReservedAreaBounds --------------------------------------------

  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);
  /** #135 in the module family, derived in ReservedAreaBoundsTest: least areas for 1..6 TDMRs. */
  private static final int[] AREAS = {14, 10, 7, 4, 2, 1};
  /** The least PAMT there, in KiB: 1 TDMR of 2 GiB fills 8272, 64 and 4 KiB; the others as derived there. */
  private static final long[] PRICE_KIB = {8_340, 13_932, 32_300, 206_780, 213_840, 217_756};

  /**
   * An engine that knows #135's module-family answers but proves no price: below the least areas
   * for n TDMRs INFEASIBLE, else (FEASIBLE, no PAMT bound) a layout of min(n, 6) TDMRs with that many
   * areas in its first TDMR and the least PAMT there. UNKNOWN for the TDMR limits in {@code slow}.
   */
  private static final class Tdx135Engine implements Engine {
    final List<int[]> asked = new ArrayList<>();
    private final java.util.Set<Integer> slow;

    Tdx135Engine(java.util.Set<Integer> slow) {
      this.slow = slow;
    }

    @Override
    public String name() {
      return "known";
    }

    @Override
    public boolean proves(Policy.Family family) {
      return true;
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      int n = limits.maxTdmrs();
      asked.add(new int[] {n, limits.maxReservedPerTdmr()});
      int k = Math.min(n, 6);
      if (slow.contains(n)) {
        return new EngineResult(name(), Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);
      }
      if (limits.maxReservedPerTdmr() < AREAS[k - 1]) {
        return new EngineResult(name(), Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(),
            OptionalLong.empty(), List.of(), 0, 0, 0, 0);
      }
      List<ReservedArea> areas = new ArrayList<>();
      for (int i = 0; i < AREAS[k - 1]; i++) {
        areas.add(new ReservedArea(2L * i * 4096, 4096));
      }
      long rest = PRICE_KIB[k - 1] * KiB - (k - 1) * 3 * 4096L;
      List<Tdmr> tdmrs = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        long base = i * (1L << 30);
        Pamt pamt = i == 0
            ? new Pamt(new PamtRange(0, rest - 8192), new PamtRange(0, 4096), new PamtRange(0, 4096))
            : new Pamt(new PamtRange(0, 4096), new PamtRange(0, 4096), new PamtRange(0, 4096));
        tdmrs.add(new Tdmr(base, 1L << 30, pamt, i == 0 ? areas : List.of()));
      }
      Layout layout = new Layout(tdmrs);
      return new EngineResult(name(), Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
          OptionalLong.empty(), List.of(), 0, 0, 0, 0);
    }
  }

  /**
   * From 2 TDMRs on the areas bound is the answer, and IslandFill builds a layout there that meets
   * the price bound: those points need no solve, and both of their numbers are proven (the point at
   * 64 TDMRs settles 6 and more with its 6-TDMR layout). With one TDMR the bound summed over both
   * granules is 14 (ReservedAreaBoundsTest) and the construction needs a TDMR per granule with
   * memory (two): the engine's layout at 14 proves it, and its price stays the best found (the bound
   * knows only 12 KiB of islands there).
   */
  @Test
  void moduleFamilyPointsFromTwoTdmrsAreProvenByIslandFillAndTheBounds() throws Exception {
    Tdx135Engine engine = new Tdx135Engine(java.util.Set.of());
    List<FrontierPoint> points = new Frontier(List.of(engine), SolveOptions.DEFAULT)
        .compute(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT, MODULE, 64);

    for (int n = 1; n <= 64; n++) {
      FrontierPoint p = points.get(n - 1);
      int k = Math.min(n, 6);
      assertEquals(OptionalInt.of(AREAS[k - 1]), p.minReserved(), "n=" + n);
      assertEquals(OptionalLong.of(PRICE_KIB[k - 1] * KiB), p.pamtBytes(), "n=" + n);
      if (n == 1) {
        assertEquals(Status.FEASIBLE, p.status());
        assertEquals(OptionalLong.of(12 * KiB), p.pamtBoundBytes());
        assertEquals("known+bounds", p.provedBy());
      } else {
        assertEquals(Status.OPTIMAL, p.status(), "n=" + n);
        assertEquals("island-fill+bounds", p.provedBy(), "n=" + n);
      }
    }
    assertTrue(engine.asked.stream().allMatch(a -> a[0] == 1), "asked beyond one TDMR");
    // 14, the bound, first.
    assertEquals(14, engine.asked.get(0)[1]);
  }

  /**
   * Kernel family (no bounds): when the engine runs out of time at 2 TDMRs the point says what is
   * known: at most 2 areas, the layout the point at 1 TDMR found, at its PAMT, and at least the
   * point at 64's 0.
   */
  @Test
  void aPointLeftUnprovenSaysAtMostWhatAnotherPointsLayoutMeets() {
    KnownEngine engine = new KnownEngine("known") {
      @Override
      public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
        if (limits.maxTdmrs() == 2) {
          return new EngineResult("known", Status.UNKNOWN, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
              List.of(), 0, 0, 0, 0);
        }
        return super.solve(map, limits, policy, options);
      }
    };
    List<FrontierPoint> points = new Frontier(List.of(engine), SolveOptions.DEFAULT)
        .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 64);
    FrontierPoint two = points.get(1);
    assertEquals(Status.UNKNOWN, two.status());
    assertEquals(OptionalInt.empty(), two.minReserved());
    assertEquals(OptionalInt.of(2), two.reservedAtMost());
    assertEquals(0, two.reservedAtLeast());
    assertEquals(OptionalLong.of(CHUNK), two.pamtBytes());
    assertEquals(Status.OPTIMAL, points.get(2).status());
  }
  /**
   * An engine whose answers name restrictions: within n TDMRs a layout of n TDMRs needs {@code
   * least[n - 1]} areas. Below that it answers INFEASIBLE naming "none fewer within n"; at that limit
   * OPTIMAL with such a layout, naming nothing; above it OPTIMAL with a layout of one area more at
   * the same PAMT (as an engine stopping after the PAMT may return), naming "layout only".
   */
  private static final class NamingEngine implements Engine {
    private final int[] least;

    NamingEngine(int... least) {
      this.least = least;
    }

    @Override
    public String name() {
      return "naming";
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      int n = limits.maxTdmrs();
      int r = limits.maxReservedPerTdmr();
      int need = least[n - 1];
      if (r < need) {
        return new EngineResult(name(), Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0).withQuestion(new Question(Policy.Family.KERNEL, List.of("none fewer within " + n)));
      }
      int areasEach = r == need ? need : need + 1;
      List<ReservedArea> areas = new ArrayList<>();
      for (int i = 0; i < areasEach; i++) {
        areas.add(new ReservedArea(2L * i * 4096, 4096));
      }
      List<Tdmr> tdmrs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        tdmrs.add(new Tdmr(i * (1L << 30), 1L << 30, Pamt.kernelChunk(0, 1L << 30, limits), areas));
      }
      Layout layout = new Layout(tdmrs);
      EngineResult found = new EngineResult(name(), Status.OPTIMAL, Optional.of(layout),
          OptionalLong.of(layout.pamtBytes()), OptionalLong.of(layout.pamtBytes()), List.of(), 0, 0, 0, 0);
      return r == need ? found : found.withQuestion(new Question(Policy.Family.KERNEL, List.of("layout only")));
    }
  }

  /**
   * A point names the restrictions of the answers its claims rest on, and no others. Within 1 TDMR
   * (2 areas least): the first answer, at enough areas for any layout, only finds a layout (3 areas)
   * and names "layout only"; the answer at 2 proves the price and names nothing; the one at 1 proves
   * none fewer and names "none fewer within 1". Until 2026-12-06 the point named all three answers'.
   */
  @Test
  void aPointNamesOnlyTheRestrictionsItsClaimsRestOn() {
    FrontierPoint one = new Frontier(List.of(new NamingEngine(2)), SolveOptions.DEFAULT)
        .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 1).get(0);
    assertEquals(Status.OPTIMAL, one.status());
    assertEquals(OptionalInt.of(2), one.minReserved());
    assertEquals(List.of("none fewer within 1"), one.restrictions());
  }

  /**
   * A point whose lower limit is the lower limit of a point with more TDMRs rests on that point's
   * proof: within 2 TDMRs no layout has 0 areas ("none fewer within 2"), so none within 1 has either,
   * and the point at 1 TDMR, proven at 1 area by its first answer, names that proof's restriction
   * (until 2026-12-06 it named none).
   */
  @Test
  void aLowerLimitTakenFromMoreTdmrsNamesThatPointsRestrictions() {
    List<FrontierPoint> points = new Frontier(List.of(new NamingEngine(1, 1)), SolveOptions.DEFAULT)
        .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 2);
    for (FrontierPoint p : points) {
      assertEquals(Status.OPTIMAL, p.status(), "n=" + p.maxTdmrs());
      assertEquals(OptionalInt.of(1), p.minReserved(), "n=" + p.maxTdmrs());
      assertEquals(List.of("none fewer within 2"), p.restrictions(), "n=" + p.maxTdmrs());
    }
  }
  /**
   * An engine whose answers, within 1 TDMR, are those of a kernel-family engine whose second search
   * found a better layout outside its first model's restrictions: with 2 areas or more, {@code
   * FEASIBLE} with the TDMR [1G, 2G) of 1 area (1027 pages: 4 MiB + 8 KiB + 4 KiB), about the whole
   * family; at 1, the first model's {@code OPTIMAL} among its layouts ("first model only"), the TDMR
   * [0, 2G) of 1 area (2053 pages); at 0, {@code INFEASIBLE} for the whole family.
   */
  private static final class OutsideEngine implements Engine {
    @Override
    public String name() {
      return "outside";
    }

    @Override
    public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
      int r = limits.maxReservedPerTdmr();
      if (r < 1) {
        return new EngineResult(name(), Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
            List.of(), 0, 0, 0, 0);
      }
      long size = r == 1 ? 2L << 30 : 1L << 30;
      // Both cover the map's memory [1G, 2G): [1G, 2G) or [0, 2G), the chunk at 1G.
      Layout layout = new Layout(List.of(new Tdmr((2L << 30) - size, size, Pamt.kernelChunk(1L << 30, size, limits),
          List.of(new ReservedArea(0, 4096)))));
      OptionalLong pamt = OptionalLong.of(layout.pamtBytes());
      return r == 1
          ? new EngineResult(name(), Status.OPTIMAL, Optional.of(layout), pamt, pamt, List.of(), 0, 0, 0, 0)
              .withQuestion(new Question(Policy.Family.KERNEL, List.of("first model only")))
          : new EngineResult(name(), Status.FEASIBLE, Optional.of(layout), pamt, OptionalLong.empty(), List.of(), 0, 0,
              0, 0);
    }
  }

  /**
   * A restricted optimum at 1 area (2053 pages) above the better layout of 1 area found outside its
   * restrictions (1027 pages) is no bound on the point: the point has that layout, 1 area proven
   * least (none at 0), its PAMT not proven, naming no restriction. Until 2026-12-06 the frontier
   * stopped with "a proven PAMT bound ... lies above a validated layout" (the 1 TiB host under
   * --family kernel once Z3 answered FEASIBLE outside its restrictions).
   */
  @Test
  void aRestrictedOptimumAboveABetterLayoutOutsideItIsNoBound() {
    FrontierPoint one = new Frontier(List.of(new OutsideEngine()), SolveOptions.DEFAULT)
        .compute(ANY_MAP, TdxLimits.DEFAULT, Policy.KERNEL, 1).get(0);
    assertEquals(OptionalInt.of(1), one.minReserved(), one.toString());
    assertEquals(OptionalLong.of(1027 * 4096L), one.pamtBytes(), one.toString());
    assertTrue(one.pamtBoundBytes().isEmpty() || one.pamtBoundBytes().getAsLong() <= 1027 * 4096L, one.toString());
    assertEquals(List.of(), one.restrictions(), one.toString());
  }
}
