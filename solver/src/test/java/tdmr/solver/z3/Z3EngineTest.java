package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.PamtLowerBound;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The Z3 engine on small maps whose answers follow from the rules by hand. */
class Z3EngineTest {
  private static final long KiB = 1L << 10;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private final Z3Engine z3 = new Z3Engine();

  /**
   * Two full granules [1G, 3G) with no hole: one TDMR [1G, 3G) costs 4104·2 + 4 = 8212 KiB of PAMT,
   * two 1 GiB TDMRs 2·4108 = 8216 KiB, so one TDMR is optimal. Its chunk lies inside its only
   * block, away from any hole (there is none), so it is the TDMR's one reserved area.
   */
  @Test
  void oneTdmrOverTwoHolelessGranulesIsOptimal() {
    MemoryMap map = MemoryMap.ofBlocks("two-granules", List.of(new MemoryBlock(GiB, 3 * GiB, 0)));
    EngineResult r = z3.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);

    assertEquals(Status.OPTIMAL, r.status());
    Layout layout = r.layout().orElseThrow();
    assertEquals(1, layout.size());
    assertEquals(GiB, layout.tdmrs().get(0).base());
    assertEquals(2 * GiB, layout.tdmrs().get(0).size());
    assertEquals(8212 * KiB, r.pamtBytes().getAsLong());
    assertEquals(1, layout.reservedAreaCount());
    LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL, layout);
  }

  /**
   * The map of {@link #oneTdmrOverTwoHolelessGranulesIsOptimal}: the kernel constructions' layout
   * ({@link tdmr.solver.ConstructionLayout}) settles two tiers without a check, and Z3 the third.
   * The Linux greedy rounds the block [1G, 3G) out to one TDMR [1G, 3G), 2048 + 4 + 1 = 2053 pages
   * of PAMT. {@link PamtLowerBound}'s least PAMT is the same 2053 pages (two 1 GiB TDMRs would take
   * 2 · 1027), with 1 TDMR, and 0 reserved areas, for it counts only holes and there are none. The
   * greedy's layout has 1 area (its chunk, rule D5), one above that bound; Z3 proves that no layout
   * has 0 (the chunk lies inside the only TDMR, with no hole to share an area with). This is {@link
   * Z3Model}'s proof alone ({@link Z3Engine#restrictedOnly}): the engine then looks again over the
   * wide model ({@link WideKernelSearch}), which proves the same optimum its own way.
   */
  @Test
  void theGreedysLayoutProvesTheLeastPamtAndZ3TheAreas() {
    MemoryMap map = MemoryMap.ofBlocks("two-granules", List.of(new MemoryBlock(GiB, 3 * GiB, 0)));
    PamtLowerBound bound = new PamtLowerBound(Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL));
    assertEquals(2053, bound.leastPamtPages().getAsLong());
    assertEquals(1, bound.fewestTdmrs(2053).getAsInt());
    assertEquals(0, bound.fewestAreas(2053, 1).getAsLong());

    EngineResult r = Z3Engine.restrictedOnly().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);

    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(2053 * 4 * KiB, r.pamtBytes().getAsLong());
    assertEquals(1, r.layout().orElseThrow().reservedAreaCount());
    assertEquals("  proven: least PAMT proven by the lower bound of PamtLowerBound, which the layout of the Linux"
        + " greedy meets; fewest TDMRs: the lower bound of PamtLowerBound, which the layout of the Linux greedy"
        + " meets; fewest reserved areas: the layout of the Linux greedy, where z3 proves that no layout has fewer"
        + " (down to the lower bound of PamtLowerBound, 0)", r.messages().get(1));
  }

  /**
   * Without reserved areas no PAMT can be placed: the module needs at least one TDMR (rule A4), its
   * chunk lies in TDX memory, all of which is inside the TDMR here, and rule D5 makes the chunk
   * reserved there; so zero areas per TDMR admit no layout, whatever else holds.
   */
  @Test
  void zeroReservedAreasLeaveNoRoomForAnyPamt() {
    MemoryMap map = MemoryMap.ofBlocks("one-granule", List.of(new MemoryBlock(GiB, 2 * GiB, 0)));
    EngineResult r =
        Z3Engine.explaining().solve(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(0), Policy.KERNEL, SolveOptions.DEFAULT);

    assertEquals(Status.INFEASIBLE, r.status());
    assertTrue(r.layout().isEmpty());
    assertEquals(
        List.of(
            "  a TDMR may have at most 0 reserved areas.",
            "  each TDMR (the module needs at least one) whose PAMT belongs on node 0 has it as one contiguous"
                + " chunk in that node's memory, and the chunk needs a reserved area of the TDMR it lies in"
                + " unless it touches a hole there.",
            "  (each fact is needed: without any one of them a layout exists)",
            // The kernel-family claim's restrictions (KernelFamilyClaim), said after the explanation.
            ModuleFamilyRestrictions.sentence(Problem.kernelQuestion(Policy.KERNEL).restrictions()).orElseThrow()),
        r.messages().subList(1, r.messages().size()));
  }

  /**
   * Holes cmr: a gap inside a CMR need not be reserved. Blocks [1G, 1.5G) and [1.5G + 1M, 2G) with
   * one CMR [1G, 2G): under memlist the TDMR [1G, 2G) reserves the gap and puts its chunk against
   * it (1 area); under cmr nothing must be reserved, and the chunk alone is 1 area too. With
   * node-local PAMT on node 1 for the second block only, the chunk must go to node 0 (the node of
   * the first block ending after 1G, tdmr_get_nid).
   */
  @Test
  void cmrPolicyNeedsNoAreaForConvertibleGaps() {
    MemoryMap map =
        MemoryMap.of(
            "cmr-gap",
            List.of(new MemoryBlock(GiB, GiB + 512 * MiB, 0), new MemoryBlock(GiB + 513 * MiB, 2 * GiB, 1)),
            List.of(new AddressRange(GiB, 2 * GiB)));
    for (Policy.Holes holes : Policy.Holes.values()) {
      Policy policy = Policy.KERNEL.withHoles(holes);
      EngineResult r = z3.solve(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1), policy, SolveOptions.DEFAULT);
      assertEquals(Status.OPTIMAL, r.status(), holes.toString());
      Layout layout = r.layout().orElseThrow();
      assertEquals(1, layout.reservedAreaCount(), holes.toString());
      assertTrue(layout.tdmrs().get(0).pamt().fourK().base() < GiB + 512 * MiB, "chunk on node 0");
      LayoutVerifier.requireValid(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(1), policy, layout);
    }
  }

  /**
   * Coverage max with one reserved area per TDMR. Granule 0 holds blocks [1M, 512M) and [520M, 1G)
   * (the second continues to 2G), so a TDMR over it has holes [0, 1M) and [512M, 520M), two areas,
   * one too many. Merging them needs [1M, 512M) reserved: left out (a chunk of 4108 KiB cannot fill
   * 511 MiB). But the family keeps the first memory of a TDMR's first cell, [1M, 512M), so that the
   * kernel's tdmr_get_nid still finds its node; leaving out [520M, 1G) instead still leaves two
   * holes. So no TDMR covers granule 0 and both its atoms are left out, 511 + 504 = 1015 MiB; one
   * TDMR [1G, 2G) covers the rest, its chunk inside it (one area), PAMT 4104 + 4 = 4108 KiB.
   */
  @Test
  void coverageMaxLeavesOutTheLeastMemory() {
    MemoryMap map =
        MemoryMap.ofBlocks(
            "two-holes",
            List.of(new MemoryBlock(MiB, 512 * MiB, 0), new MemoryBlock(520 * MiB, 2 * GiB, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(1);
    Policy policy = Policy.KERNEL.withCoverage(Policy.Coverage.MAX);
    EngineResult r = z3.solve(map, limits, policy, SolveOptions.DEFAULT);

    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(1015 * MiB, r.uncoveredBytes());
    assertEquals(4108 * KiB, r.pamtBytes().getAsLong());
    assertEquals(1, r.layout().orElseThrow().size());
    assertEquals(GiB, r.layout().orElseThrow().tdmrs().get(0).base());
    // The answer names what it leaves out, range by range, as CP-SAT's does, and what proved it.
    assertTrue(r.messages().containsAll(List.of("left out 1015 MiB of TDX memory:",
        "  [0x100000, 0x20000000) 511 MiB", "  [0x20800000, 0x40000000) 504 MiB")), r.messages().toString());
    assertTrue(r.messages().stream().noneMatch(m -> m.strip().equals("proven:")), r.messages().toString());
  }

  /**
   * Memory above the HKID limit is uncovered memory like any other under coverage max (CP-SAT
   * counts it too). With HKID start bit 31 the limit is 2 GiB: of the block [1G, 3G), [2G, 3G) is
   * out of reach (rule B5); the rest is one 1 GiB TDMR with its 4108 KiB chunk inside, one area.
   */
  @Test
  void memoryAboveTheHkidLimitCountsAsUncovered() {
    MemoryMap map = MemoryMap.ofBlocks("above-hkid", List.of(new MemoryBlock(GiB, 3 * GiB, 0)));
    TdxLimits limits = new TdxLimits(64, 16, 16, 16, 16, false, 31);
    EngineResult r = z3.solve(map, limits, Policy.KERNEL.withCoverage(Policy.Coverage.MAX), SolveOptions.DEFAULT);

    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(GiB, r.uncoveredBytes());
    assertEquals(4108 * KiB, r.pamtBytes().getAsLong());
    assertEquals(new AddressRange(GiB, 2 * GiB), r.layout().orElseThrow().tdmrs().get(0).range());
    assertTrue(r.messages().containsAll(List.of("left out 1 GiB of TDX memory:", "  [0x80000000, 0xc0000000) 1 GiB")),
        r.messages().toString());
  }

  /**
   * A time limit too short to finish never yields a false claim: whatever Z3 reached is reported
   * as what it is. canonical/tdx#135's optimum is two 1 GiB TDMRs, 2·4108 KiB (Z3RealMapsTest).
   */
  @Test
  void aTinyTimeLimitGivesAnHonestStatus() throws Exception {
    MemoryMap map = tdmr.parse.RealMaps.read(tdmr.parse.RealMaps.EMR_135);
    EngineResult r = z3.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(0.001, 1, 0));

    switch (r.status()) {
      case UNKNOWN -> assertTrue(r.layout().isEmpty());
      case FEASIBLE -> {
        assertTrue(r.pamtBytes().getAsLong() >= 8216 * KiB);
        LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL, r.layout().orElseThrow());
      }
      case OPTIMAL -> assertEquals(8216 * KiB, r.pamtBytes().getAsLong());
      default -> throw new AssertionError("a layout exists, yet z3 said " + r.status());
    }
  }
}
