package tdmr.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A map built in code holds TDX memory as the readers give it: the kernel never hands the first
 * 1 MiB (0x100000) to TDX, so a block reaching below it is refused when the map is built, not later
 * by an engine.
 */
class MemoryMapTest {
  private static final long MiB = 0x100000L;
  private static final long GiB = 0x40000000L;

  @Test
  void aBlockFromAddressZeroIsRefusedNamingTheBlock() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MemoryMap.ofBlocks("low", List.of(new MemoryBlock(0, 2 * GiB, 0))));
    assertEquals("memory block [0x0, 0x80000000) node 0 starts below 1 MiB, which is never TDX memory",
        e.getMessage());
  }

  @Test
  void aBlockOnePageBelowOneMibIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> MemoryMap.ofBlocks("low", List.of(new MemoryBlock(MiB - 0x1000, 2 * GiB, 0))));
  }

  @Test
  void aBlockFromOneMibIsTdxMemory() {
    MemoryMap map = MemoryMap.ofBlocks("low", List.of(new MemoryBlock(MiB, 2 * GiB, 0)));
    assertEquals(2 * GiB - MiB, map.totalBytes());
  }
}
