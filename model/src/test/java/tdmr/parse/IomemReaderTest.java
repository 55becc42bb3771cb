package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** /proc/iomem: top-level System RAM only, node 0, first MiB clipped. */
class IomemReaderTest {
  private static final String IOMEM =
      """
      00000000-00000fff : Reserved
      00001000-0009efff : System RAM
      0009f000-000fffff : Reserved
        000a0000-000bffff : PCI Bus 0000:00
        000f0000-000fffff : System ROM
      00100000-5d168fff : System RAM
        01000000-01ffffff : Kernel code
        02000000-027fffff : Kernel rodata
      5d169000-5d22afff : ACPI Tables
      5d22b000-6f7fffff : System RAM
      6f800000-8fffffff : Reserved
      100000000-107fffffff : System RAM
      """;

  @Test
  void topLevelSystemRamBecomesNodeZeroBlocks() throws InputException {
    // System RAM [0x1000, 0x9f000) is below 1 MiB; the other three are the blocks. Nested
    // "Kernel code" / "Kernel rodata" lines are parts of [0x100000, 0x5d169000) and add nothing.
    MemoryMap map = MapReader.read("iomem", IOMEM);
    assertEquals(
        List.of(
            new MemoryBlock(0x100000L, 0x5d169000L, 0),
            new MemoryBlock(0x5d22b000L, 0x6f800000L, 0),
            new MemoryBlock(0x100000000L, 0x1080000000L, 0)),
        map.blocks());
    assertEquals("ACPI Tables", map.firmwareTypeAt(0x5d169000L));
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("no NUMA information")));
  }

  @Test
  void malformedTopLevelIomemLineNamesItsLine() {
    InputException e =
        assertThrows(
            InputException.class,
            () -> MapReader.read("iomem", "00001000-0009efff : System RAM\n00100000 : System RAM\n"));
    assertEquals(2, e.line());
    assertTrue(e.problem().contains("malformed /proc/iomem line"));
  }
}
