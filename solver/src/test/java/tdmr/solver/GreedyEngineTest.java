package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class GreedyEngineTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  /** §10 vector 1 (see LinuxGreedyTest): 131336 KB of PAMT, kernel lines with their prefix first. */
  @Test
  void builtLayoutIsFeasibleWithTheKernelLinesFirst() {
    MemoryMap map = MemoryMap.ofBlocks("v1",
        List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 34 * GiB, 0)));
    EngineResult r = new GreedyEngine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertEquals(Status.FEASIBLE, r.status());
    assertEquals("greedy", r.solver());
    assertEquals(131336L * 1024, r.pamtBytes().getAsLong());
    assertEquals("virt/tdx: 131336 KB allocated for PAMT", r.messages().get(0));
    assertEquals("virt/tdx: module initialized", r.messages().get(1));
    assertTrue(r.messages().get(2).startsWith("Headroom: 2 of 64 TDMRs used."), r.messages().get(2));
  }

  /**
   * Memory outside the CMRs: mainline Linux does not read CMRs, builds its layout and hands it to
   * TDH.SYS.CONFIG, which rejects usable TDMR memory outside the CMRs (rule E1); the SEAMCALL error
   * becomes -EIO (-5) and the success lines are never printed.
   */
  @Test
  void memoryOutsideTheCmrsFailsAtTheModuleWithEio() {
    MemoryMap map = MemoryMap.of("outside",
        List.of(new MemoryBlock(MiB, 2 * GiB, 0)), List.of(new AddressRange(MiB, GiB)));
    EngineResult r = new GreedyEngine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertEquals(Status.FAILED, r.status());
    assertTrue(r.messages().get(0).startsWith("TDH.SYS.CONFIG rejects the kernel's layout: "), r.messages().get(0));
    assertEquals("virt/tdx: module initialization failed (-5)", r.messages().get(1));
  }

  /** With the CMR-holes patch the same map fails earlier: the block is not inside the CMRs (-EINVAL). */
  @Test
  void cmrHolesRejectMemoryOutsideTheCmrsUpFront() {
    MemoryMap map = MemoryMap.of("outside",
        List.of(new MemoryBlock(MiB, 2 * GiB, 0)), List.of(new AddressRange(MiB, GiB)));
    EngineResult r = new GreedyEngine(Policy.Holes.CMR).solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    assertEquals("greedy-cmr", r.solver());
    assertEquals(Status.FAILED, r.status());
    assertEquals(
        List.of("virt/tdx: memory region [0x100000, 0x80000000) is not TDX convertible memory.",
            "virt/tdx: module initialization failed (-22)"),
        r.messages().subList(0, 2));
  }

  /**
   * A variant keeps its name under either hole rule and its layout passes the same verification:
   * greedy-fit on §10 vector 1 builds [0, 2G) and [4G, 34G) like mainline (no limit is near), with
   * its own lines said to be its own.
   */
  @Test
  void aVariantIsAnEngineUnderItsOwnName() {
    MemoryMap map = MemoryMap.ofBlocks("v1",
        List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 34 * GiB, 0)));
    for (Policy.Holes holes : Policy.Holes.values()) {
      EngineResult r = Engines.byName("greedy-fit").orElseThrow()
          .solve(map, TdxLimits.DEFAULT, Policy.KERNEL.withHoles(holes), SolveOptions.DEFAULT);
      assertEquals("greedy-fit", r.solver());
      assertEquals(Status.FEASIBLE, r.status());
      assertEquals(131336L * 1024, r.pamtBytes().getAsLong());
      assertTrue(r.messages().contains("virt/tdx: 131336 KB allocated for PAMT"), String.join("\n", r.messages()));
    }
  }
}
