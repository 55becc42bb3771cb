package tdmr.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.LogFacts;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** Limits past what a map can use are lowered to it, never below the module's own. */
class UsefulLimitsTest {
  private static final long GiB = 1L << 30;

  /** Blocks [1 MiB, 1.5 GiB) and [4 GiB, 4.5 GiB), [5 GiB, 7 GiB): granules 0, 1, 4, 5, 6. */
  private static final MemoryMap MAP = map(
      new MemoryBlock(1L << 20, 3 * GiB / 2, 0),
      new MemoryBlock(4 * GiB, 9 * GiB / 2, 0),
      new MemoryBlock(5 * GiB, 7 * GiB, 1));

  private static MemoryMap map(MemoryBlock... blocks) {
    List<MemoryBlock> list = List.of(blocks);
    return new MemoryMap("test", list, new ConvertibleMemory(list.stream().map(MemoryBlock::range).toList()), List.of(),
        LogFacts.NONE, List.of());
  }

  @Test
  void granulesHoldingMemoryAreCountedOnce() {
    assertEquals(5, UsefulLimits.granulesWithMemory(MAP));
  }

  @Test
  void theModulesLimitsStayAsTheyAre() {
    UsefulLimits u = UsefulLimits.of(TdxLimits.DEFAULT, MAP);
    assertEquals(TdxLimits.DEFAULT, u.limits());
    assertEquals(List.of(), u.notes());
  }

  /**
   * 5 granules, so no more than 5 TDMRs with memory; 3 blocks (3 CMRs): at most 3 + 3·5 + 1 = 19
   * areas per TDMR. Lowered to the module's 64 TDMRs, and to 19 areas.
   */
  @Test
  void hugeLimitsAreLoweredWithANoteEach() {
    UsefulLimits u = UsefulLimits.of(TdxLimits.DEFAULT.withMaxTdmrs(100_000).withMaxReservedPerTdmr(1_000_000), MAP);
    assertEquals(64, u.limits().maxTdmrs());
    assertEquals(19, u.limits().maxReservedPerTdmr());
    assertEquals(2, u.notes().size());
    assertTrue(u.notes().get(0).endsWith("using 64 (the module's own limit)"), u.notes().get(0));
    assertTrue(u.notes().get(1).contains("no TDMR needs more than 19 reserved areas"), u.notes().get(1));
  }

  /** 200 blocks of 512 MiB, one per GiB: 200 granules; 200 + 3·200 + 1 = 801 areas. */
  @Test
  void aLargeMapKeepsAsManyTdmrsAsItsGranules() {
    MemoryBlock[] blocks = new MemoryBlock[200];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new MemoryBlock((4 + i) * GiB, (4 + i) * GiB + GiB / 2, 0);
    }
    UsefulLimits u = UsefulLimits.of(TdxLimits.DEFAULT.withMaxTdmrs(1 << 30).withMaxReservedPerTdmr(1 << 30), map(blocks));
    assertEquals(200, u.limits().maxTdmrs());
    assertEquals(801, u.limits().maxReservedPerTdmr());
    assertTrue(u.notes().get(0).endsWith("using 200"), u.notes().get(0));
  }
}
