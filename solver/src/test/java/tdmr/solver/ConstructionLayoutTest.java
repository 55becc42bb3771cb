package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * A kernel construction's layout read as a decision of the kernel family's {@link Problem}. The map
 * is one block [1M, 3G) on node 0: cells [0, 1G) (a required hole [0, 1M), then memory [1M, 1G))
 * and [1G, 3G) (one run of whole GiB of the same block, one cell and one atom).
 */
class ConstructionLayoutTest {
  private static final long MiB = ByteSize.MiB;
  private static final long GiB = ByteSize.GiB;
  private static final MemoryMap MAP = MemoryMap.ofBlocks("one-block", List.of(new MemoryBlock(MiB, 3 * GiB, 0)));
  private static final Problem PROBLEM = Problem.of(MAP, TdxLimits.DEFAULT, Policy.KERNEL);

  /**
   * One TDMR [0, 3G) whose chunk straddles the cell edge at 1G, outside the family's chunks (each
   * inside one atom). Its TDMR is a run of cells, so the layout is used with the chunk placed where
   * the family allows: the atom [1M, 1G) touches the required hole [0, 1M), so the chunk goes
   * against it there, at 1M, and hole and chunk are one reserved area. A 3 GiB TDMR's chunk is
   * 3072 (4K) + 6 (2M) + 1 (1G) pages.
   */
  @Test
  void aChunkAcrossTwoAtomsIsPlacedInTheFamily() {
    long chunk = 3079 * ByteSize.PAGE;
    Layout straddling = new Layout(List.of(new Tdmr(0, 3 * GiB, Pamt.kernelChunk(GiB - 4 * MiB, 3 * GiB,
        TdxLimits.DEFAULT), List.of(new ReservedArea(0, MiB), new ReservedArea(GiB - 4 * MiB, chunk)))));
    assertEquals(List.of(), LayoutVerifier.failures(MAP, TdxLimits.DEFAULT, Policy.KERNEL, straddling));

    ConstructionLayout read = ConstructionLayout.read(PROBLEM, straddling, "greedy-fit").orElseThrow();
    Tdmr tdmr = read.layout().tdmrs().get(0);
    assertEquals(3 * GiB, tdmr.size());
    assertEquals(MiB, tdmr.pamt().fourK().base());
    assertEquals(List.of(new ReservedArea(0, MiB + chunk)), tdmr.reserved());
    assertEquals("a layout with the TDMRs of the kernel construction greedy-fit", read.what());
  }

  /** A TDMR edge at 2G, inside the cell [1G, 3G): not a layout of the family, so not used. */
  @Test
  void aTdmrEdgeInsideACellIsNotOfTheFamily() {
    Layout cutInside = new Layout(List.of(
        new Tdmr(0, 2 * GiB, Pamt.kernelChunk(MiB, 2 * GiB, TdxLimits.DEFAULT), List.of(
            new ReservedArea(0, MiB + 2053 * ByteSize.PAGE))),
        new Tdmr(2 * GiB, GiB, Pamt.kernelChunk(2 * GiB, GiB, TdxLimits.DEFAULT), List.of(
            new ReservedArea(0, 1027 * ByteSize.PAGE)))));
    assertEquals(List.of(), LayoutVerifier.failures(MAP, TdxLimits.DEFAULT, Policy.KERNEL, cutInside));

    assertTrue(ConstructionLayout.read(PROBLEM, cutInside, "greedy").isEmpty());
  }
}
