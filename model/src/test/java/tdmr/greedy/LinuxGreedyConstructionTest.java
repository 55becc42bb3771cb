package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;

/** Mainline's construction under its command-line names. */
class LinuxGreedyConstructionTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  @Test
  void mainlineIsGreedyAndTheCmrPatchIsGreedyCmr() {
    assertEquals("greedy", new LinuxGreedyConstruction(LinuxGreedy.mainline()).name());
    assertEquals("greedy-cmr", new LinuxGreedyConstruction(LinuxGreedy.cmrHoles()).name());
  }

  @Test
  void itBuildsAndExplainsAsMainlineDoes() {
    // One block [1M, 1G): fill_out_tdmrs opens one TDMR [0, 1G); 1 of the 64 TDMRs is used.
    MemoryMap map = MemoryMap.ofBlocks("one block", List.of(new MemoryBlock(MiB, GiB, 0)));
    KernelConstruction greedy = new LinuxGreedyConstruction(LinuxGreedy.mainline());
    GreedyResult r = greedy.construct(map, TdxLimits.DEFAULT);
    GreedyResult.Built b = assertInstanceOf(GreedyResult.Built.class, r);
    assertEquals(List.of(new AddressRange(0, GiB)), b.tdmrs().stream().map(GreedyTdmr::range).toList());
    assertEquals("Headroom: 1 of 64 TDMRs used.", greedy.explain(map, TdxLimits.DEFAULT, r).get(0));
  }
}
