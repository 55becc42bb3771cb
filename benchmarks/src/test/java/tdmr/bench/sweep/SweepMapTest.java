package tdmr.bench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.bench.gen.MapGenerator;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.RealMaps;

class SweepMapTest {

  private static int holes(List<MemoryBlock> blocks) {
    return new SweepMap("m", "test", MemoryMap.ofBlocks("m", blocks)).kernelTdmrHoles();
  }

  @Test
  void singleBlockFromOneMiBToTwoGiBHasOnlyTheFirstMiBHole() {
    // TDMR [0, 2 GiB): the hole [0, 1 MiB)
    assertEquals(1, holes(List.of(new MemoryBlock(MiB, 2 * GiB, 0))));
  }

  @Test
  void seventeenIslandsInTheSecondGiBGiveEighteenHolesInTheirTdmr() {
    // [1 MiB, 1 GiB), then 17 islands of 16 MiB every 32 MiB from 1 GiB + 16 MiB. The first block
    // ends at 1 GiB, so the kernel draws TDMR [0, 1 GiB) (hole [0, 1 MiB)) and then [1 GiB, 2 GiB)
    // for the islands, with holes [1 GiB, 1 GiB + 16 MiB), 16 between the islands and
    // [1 GiB + 544 MiB, 2 GiB): 18.
    List<MemoryBlock> blocks = new ArrayList<>(List.of(new MemoryBlock(MiB, GiB, 0)));
    for (int k = 0; k < 17; k++) {
      blocks.add(new MemoryBlock(GiB + 16 * MiB + 32 * MiB * k, GiB + 32 * MiB + 32 * MiB * k, 0));
    }
    assertEquals(18, holes(blocks));
  }

  @Test
  void eachTdmrCountsItsOwnHoles() {
    // TDMR [0, 2 GiB): [0, 1 MiB) and [1.5 GiB, 2 GiB); TDMR [4 GiB, 5 GiB): [4 GiB, 4.5 GiB).
    assertEquals(2, holes(List.of(new MemoryBlock(MiB, 3 * GiB / 2, 0), new MemoryBlock(9 * GiB / 2, 5 * GiB, 0))));
    // Memory ending at 2 GiB and restarting at 4 GiB: TDMR [0, 2 GiB) has [0, 1 MiB), TDMR [4, 6) GiB none.
    assertEquals(1, holes(List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 6 * GiB, 1))));
  }

  @Test
  void blocksRunningPastATdmrEndLeaveNoHoleInTheNextTdmr() {
    // [4, 5.5) GiB node 0 then [5.5, 7) GiB node 1: the kernel draws [4, 6) GiB and [6, 7) GiB;
    // the first block covers [4, 5.5), the second the rest of both.
    assertEquals(0, holes(List.of(new MemoryBlock(4 * GiB, 11 * GiB / 2, 0), new MemoryBlock(11 * GiB / 2, 7 * GiB, 1))));
  }

  @Test
  void fragmentedMapsNeedTwoMoreReservedAreasThanTheirHoles() {
    // fragmented(n): n + 1 usable ranges from 1 MiB up to 0x6f800000, all in TDMR [0, 2 GiB):
    // [0, 1 MiB), n gaps, and the gap after the last range; the high TDMRs have one tail each.
    for (int n : new int[] {0, 14, 15, 100}) {
      SweepMap m = new SweepMap("f", "fragmented", MapGenerator.fragmented(n, 3).memoryMap());
      assertEquals(n + 2, m.kernelTdmrHoles(), "fragmented(" + n + ")");
    }
  }

  @Test
  void emrHostOfCanonicalTdx135NeedsSeventeenReservedAreasForHolesAlone() throws InputException {
    // 16 blocks from 1 MiB to 0x6f800000, all in TDMR [0, 2 GiB): [0, 1 MiB), 15 gaps between
    // the blocks, and [0x6f800000, 0x80000000): 17, one more than the module's 16.
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    assertEquals(17, new SweepMap("emr", "real", map).kernelTdmrHoles());
  }
}
