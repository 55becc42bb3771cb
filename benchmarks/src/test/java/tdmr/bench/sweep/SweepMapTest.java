package tdmr.bench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

class SweepMapTest {

  private static int holes(List<MemoryBlock> blocks) {
    return new SweepMap("m", "test", MemoryMap.ofBlocks("m", blocks)).holesInBusiestGiB();
  }

  @Test
  void singleBlockFromOneMiBToTwoGiBHasOnlyTheFirstMiBHole() {
    assertEquals(1, holes(List.of(new MemoryBlock(MiB, 2 * GiB, 0))));
  }

  @Test
  void seventeenIslandsInOneGiBGiveEighteenHolesThere() {
    // [1 MiB, 1 GiB), then 17 islands of 16 MiB every 32 MiB from 1 GiB + 16 MiB: window
    // [1 GiB, 2 GiB) holds the gap before the first island, 16 gaps between islands and the gap
    // after the last one up to 2 GiB: 18. Window [0, 1 GiB) holds only [0, 1 MiB).
    List<MemoryBlock> blocks = new ArrayList<>(List.of(new MemoryBlock(MiB, GiB, 0)));
    for (int k = 0; k < 17; k++) {
      blocks.add(new MemoryBlock(GiB + 16 * MiB + 32 * MiB * k, GiB + 32 * MiB + 32 * MiB * k, 0));
    }
    assertEquals(18, holes(blocks));
  }

  @Test
  void aHoleCoveringWholeWindowsCountsOnlyWhereItMeetsMemory() {
    // [1 MiB, 1.5 GiB) and [4.5 GiB, 5 GiB): the gap [1.5, 4.5) GiB touches windows 1 and 4 only;
    // window 1 also has nothing else, window 0 has [0, 1 MiB), window 4 has the gap only.
    assertEquals(1, holes(List.of(new MemoryBlock(MiB, 3 * GiB / 2, 0), new MemoryBlock(9 * GiB / 2, 5 * GiB, 0))));
    // Memory ending at 2 GiB and restarting at 4 GiB: the gap covers windows 2 and 3 entirely.
    assertEquals(1, holes(List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 6 * GiB, 1))));
  }
}
