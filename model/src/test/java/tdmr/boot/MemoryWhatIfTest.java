package tdmr.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.ReservedAreaUse;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.TdxLimits;

class MemoryWhatIfTest {
  private static final long M = 1L << 20;
  private static final long G = 1L << 30;

  private static MemoryMap emr135() throws Exception {
    return RealMaps.read(RealMaps.EMR_135);
  }

  /**
   * canonical/tdx#135 by hand: 16 TDX blocks below 2 GiB, all in TDMR [0, 2G). Mainline reserves
   * [0, 1M), the 15 gaps between the blocks and the tail [0x6f800000, 2G): 17 holes, plus the PAMT
   * chunk (all memory is in this TDMR): 18 > 16. Reserving the two 4 KiB islands 0x64158000 and
   * 0x6f7ff000 leaves 14 blocks: [0, 1M), 13 gaps and the tail [0x6e9cf000, 2G) are 15 holes, plus
   * the PAMT piece: 16 of 16. The PAMT of a 2 GiB TDMR is 4104 * 2 + 4 = 8212 KB.
   */
  @Test
  void theTwoPagesOfCanonicalTdx135MakeTheKernelSucceed() throws Exception {
    MemoryMap map = MemoryWhatIf.apply(emr135(),
        KernelParameters.ofCommandLine("memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), "--memmap");
    assertEquals(14, map.blocks().size());
    assertEquals(0x6e9cf000L, map.blocks().get(13).end());
    assertTrue(map.blocks().stream().noneMatch(b -> b.range().contains(0x64158000L)));
    GreedyResult.Built built = assertInstanceOf(GreedyResult.Built.class,
        LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    List<ReservedAreaUse> uses = built.tdmrs().get(0).reservedUses();
    assertEquals(16, uses.size());
    assertEquals(15, uses.stream().filter(u -> u.kind() == ReservedAreaUse.Kind.HOLE).count());
    assertEquals(new AddressRange(0x6e9cf000L, 2 * G), uses.get(14).range());
    assertEquals(List.of("8212 KB allocated for PAMT", "module initialized"), built.messages());
    // The CMRs are the hardware's and do not change.
    assertEquals(emr135().cmrs().cmrs(), map.cmrs().cmrs());
    assertTrue(map.notes().get(map.notes().size() - 1).startsWith("what-if (--memmap): memmap=4K$0x64158000 memmap=4K$0x6f7ff000"));
  }

  @Test
  void oneOfTheTwoPagesIsNotEnough() throws Exception {
    MemoryMap map = MemoryWhatIf.apply(emr135(), KernelParameters.ofMemmap("4K$0x64158000"), "--memmap");
    GreedyResult.Failed failed = assertInstanceOf(GreedyResult.Failed.class,
        LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    assertEquals("initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.", failed.messages().get(0));
  }

  @Test
  void theUserTableBecomesTheMapsFirmwareMap() throws Exception {
    MemoryMap map = MemoryWhatIf.apply(emr135(), KernelParameters.ofMemmap("4K$0x64158000"), "--memmap");
    assertEquals("reserved", map.firmwareTypeAt(0x64158000L));
  }

  @Test
  void memLimitDropsTheMemoryAbove() throws Exception {
    MemoryMap map = MemoryWhatIf.apply(emr135(), KernelParameters.ofCommandLine("mem=1G"), "--cmdline");
    assertEquals(List.of(new MemoryBlock(M, G, 0)), map.blocks());
  }

  @Test
  void aMapWithoutE820IsEditedThroughItsBlocks() {
    MemoryMap json = MemoryMap.ofBlocks("json", List.of(new MemoryBlock(M, G, 0), new MemoryBlock(4 * G, 8 * G, 1)));
    MemoryMap map = MemoryWhatIf.apply(json, KernelParameters.ofMemmap("1G$5G,1G@2G"), "--memmap");
    assertEquals(List.of(
        new MemoryBlock(M, G, 0),
        new MemoryBlock(2 * G, 3 * G, 0),   // added RAM takes the node of the memory below it
        new MemoryBlock(4 * G, 5 * G, 1),
        new MemoryBlock(6 * G, 8 * G, 1)), map.blocks());
    assertEquals(json.cmrs().cmrs(), map.cmrs().cmrs());
  }

  @Test
  void noMemoryLeftIsAnError() throws Exception {
    MemoryMap map = emr135();
    assertThrows(IllegalArgumentException.class,
        () -> MemoryWhatIf.apply(map, KernelParameters.ofCommandLine("mem=1M"), "--cmdline"));
  }
}
