package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The validator accepts the layout of real shape and scale an early Intel TDX kernel printed
 * (see {@link EagleStreamKernelLayout} for what is reconstructed).
 */
class EagleStreamKernelLayoutTest {
  @Test
  void logHas33TdmrsWithTheKernelsPamtChunkSizes() throws IOException {
    List<long[]> tdmrs = EagleStreamKernelLayout.lines("TDMR");
    List<long[]> pamts = EagleStreamKernelLayout.lines("PAMT");
    assertEquals(33, tdmrs.size());
    assertEquals(33, pamts.size());
    for (int i = 0; i < tdmrs.size(); i++) {
      // The printed PAMT size is the kernel's chunk (66 GiB -> 0x10885000, 2 GiB -> 0x805000).
      assertEquals(PamtSizing.chunkBytes(tdmrs.get(i)[1], TdxLimits.DEFAULT), pamts.get(i)[1], "PAMT[" + i + "]");
    }
  }

  @Test
  void kernelPrintedLayoutPassesModuleAndOsChecks() throws IOException {
    Layout layout = EagleStreamKernelLayout.layout();
    var map = EagleStreamKernelLayout.MAP;
    assertEquals(List.of(), new ModuleValidator(map.cmrs(), TdxLimits.DEFAULT).allViolations(layout));
    assertTrue(new OsCoverageCheck(map, Policy.Holes.MEMLIST).check(layout).holds(Policy.Coverage.ALL));
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL, layout));
  }
}
