package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The Z3 engine on the real maps of model/src/test/resources/realmaps. */
class Z3RealMapsTest {
  private static final long KiB = 1L << 10;
  private static final long GiB = 1L << 30;

  /**
   * canonical/tdx#135. The TDX memory is the 16 e820 usable ranges above 1 MiB, all below 2 GiB;
   * the first, [0x100000, 0x5d169000), reaches across 1 GiB and the other 15 lie in
   * [0x40000000, 0x80000000). That granule therefore holds 16 separate gaps under holes memlist:
   * the 15 between its consecutive blocks and [0x6f800000, 0x80000000) after the last one. Any
   * TDMR covering it (it must: the first block reaches into it) needs 16 reserved areas there, one
   * more than 15 allows.
   */
  @Test
  void tdx135IsInfeasibleWithFifteenReservedAreasBecauseOfItsSecondGranule() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    EngineResult r =
        Z3Engine.explaining().solve(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(15), Policy.KERNEL, SolveOptions.DEFAULT);

    assertEquals(Status.INFEASIBLE, r.status());
    assertTrue(r.layout().isEmpty());
    assertTrue(
        r.messages()
            .contains(
                "  the 1 GiB granule [0x40000000, 0x80000000) holds 16 gaps between memory blocks; each needs a"
                    + " reserved area of the TDMR that covers it, and at most 15 are allowed."),
        String.join("\n", r.messages()));
  }

  /**
   * canonical/tdx#135 with the module's 16 areas: [0, 2G) as one TDMR holds 17 holes (the 16 above
   * plus [0, 0x100000)), so the kernel's single TDMR fails; splitting at 1 GiB gives [0, 1G) one
   * hole and [1G, 2G) 16, each PAMT chunk placed against a hole at no extra area. PAMT: two 1 GiB
   * TDMRs at 4104 + 4 KiB each, 8216 KiB.
   */
  @Test
  void tdx135FitsSixteenReservedAreasWithTwoTdmrs() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);

    assertEquals(Status.OPTIMAL, r.status());
    Layout layout = r.layout().orElseThrow();
    assertEquals(2, layout.size());
    assertEquals(0, layout.tdmrs().get(0).base());
    assertEquals(GiB, layout.tdmrs().get(1).base());
    assertEquals(16, layout.tdmrs().get(1).reservedCount());
    assertEquals(8216 * KiB, r.pamtBytes().getAsLong());
    LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL, layout);
  }

  /**
   * On every real map, under both holes policies, Z3 proving every tier alone reaches the same
   * optimum as Z3 starting from the solver-neutral bounds of PamtLowerBound (which CP-SAT shares): a
   * check of those bounds by a proof that does not use them.
   */
  @Test
  void everyRealMapHasTheSameOptimumWithAndWithoutTheSharedBounds() throws Exception {
    // Both are Z3Model's answers alone: the encodings are what this compares (WideKernelSearch, which
    // looks again where they name restrictions, is tested on its own and in KernelFamilyClaimTest).
    Z3Engine bounds = Z3Engine.restrictedOnly();
    Z3Engine alone = new Z3Engine(false, new Z3Model.Encoding(Z3Model.AreaLimit.SMALLER, true, false), false);
    for (String name : RealMaps.all().stream().filter(n -> !n.equals(RealMaps.GNR_415_NO_MAP)).toList()) {
      MemoryMap map = RealMaps.read(name);
      for (Policy policy : List.of(Policy.KERNEL, Policy.KERNEL.withHoles(Policy.Holes.CMR))) {
        EngineResult bounded = bounds.solve(map, TdxLimits.DEFAULT, policy, SolveOptions.DEFAULT);
        EngineResult proven = alone.solve(map, TdxLimits.DEFAULT, policy, SolveOptions.DEFAULT);
        assertEquals(Status.OPTIMAL, proven.status(), name);
        assertEquals(bounded.status(), proven.status(), name);
        Layout a = bounded.layout().orElseThrow();
        Layout b = proven.layout().orElseThrow();
        assertEquals(List.of(a.pamtBytes(), a.size(), a.reservedAreaCount()),
            List.of(b.pamtBytes(), b.size(), b.reservedAreaCount()), name + " " + policy);
      }
    }
  }

  /**
   * Every real map with a memory map gets a proof and a verified layout under the module's limits.
   * Where the kernel printed its PAMT total ("N KB allocated for PAMT"), the optimum is at most that:
   * the kernel's own layout lies in the family (1 GiB-aligned TDMRs, one chunk of its sizes each).
   */
  @Test
  void everyRealMapIsProvenOptimalWithAVerifiedLayout() throws Exception {
    List<String> names = RealMaps.all().stream().filter(n -> !n.equals(RealMaps.GNR_415_NO_MAP)).toList();
    assertTrue(names.size() >= 17, names.toString());
    for (String name : names) {
      MemoryMap map = RealMaps.read(name);
      // Z3Model's answer (WideKernelSearch's second look on the four maps where that names its
      // restrictions is KernelFamilyClaimTest's).
      EngineResult r = Z3Engine.restrictedOnly().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
      assertEquals(Status.OPTIMAL, r.status(), name);
      LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL, r.layout().orElseThrow());
      if (map.facts().pamtKb().isPresent()) {
        assertTrue(r.pamtBytes().getAsLong() <= map.facts().pamtKb().getAsLong() * KiB, name);
      }
    }
  }
}
