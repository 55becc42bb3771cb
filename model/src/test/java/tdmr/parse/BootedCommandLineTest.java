package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;

/** A log's own {@code Command line:} is read as the kernel read it. */
class BootedCommandLineTest {
  private static final String E820 = String.join("\n",
      "BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable",
      "BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable",
      "BIOS-e820: [mem 0x0000000040000000-0x0000000040000fff] reserved",
      "BIOS-e820: [mem 0x0000000040001000-0x000000007fffffff] usable") + "\n";

  @Test
  void parametersOfALogWithoutItsUserTableAreApplied() throws Exception {
    String log = "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz ro memmap=4K$0x40001000 kvm_intel.tdx=1\n" + E820;
    MemoryMap map = MapReader.read("log", log);
    // [1M, 1G) stays; [0x40001000, 2G) loses its first page.
    assertEquals(2, map.blocks().size());
    assertEquals(0x40002000L, map.blocks().get(1).start());
    assertEquals("BOOT_IMAGE=/vmlinuz ro memmap=4K$0x40001000 kvm_intel.tdx=1", map.facts().commandLine().orElseThrow().text());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("applied to its e820 table as the kernel applied them")), map.notes()::toString);
  }

  /** tdmr map --json shows the log's command line too (null for a log without one). */
  @Test
  void theMapDocumentShowsTheCommandLine() throws Exception {
    String log = "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz ro memmap=4K$0x40001000\n" + E820;
    assertEquals("BOOT_IMAGE=/vmlinuz ro memmap=4K$0x40001000",
        MapJson.toTree(MapReader.read("log", log)).get("commandLine").asText());
    assertTrue(MapJson.toTree(MapReader.read("log", E820)).get("commandLine").isNull());
  }

  @Test
  void aLogWithItsUserTableAlreadyShowsThem() throws Exception {
    String log = "Command line: memmap=4K$0x40001000\n" + E820
        + "e820: user-defined physical RAM map:\n"
        + "user: [mem 0x0000000000000000-0x000000000009efff] usable\n"
        + "user: [mem 0x0000000000100000-0x000000003fffffff] usable\n"
        + "user: [mem 0x0000000040000000-0x0000000040001fff] reserved\n"
        + "user: [mem 0x0000000040002000-0x000000007fffffff] usable\n";
    MemoryMap map = MapReader.read("log", log);
    assertEquals(0x40002000L, map.blocks().get(1).start());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("its 'user:' e820 table already shows their effect")), map.notes()::toString);
  }

  @Test
  void aBadValueIsSkippedAsTheKernelSkipsIt() throws Exception {
    MemoryMap map = MapReader.read("log", "Command line: memmap=4Q$0x40001000,4K$0x40001000\n" + E820);
    assertEquals(0x40002000L, map.blocks().get(1).start());
    assertTrue(map.notes().stream().anyMatch(n -> n.startsWith("line 1: the kernel ignores memmap=4Q$0x40001000")), map.notes()::toString);
  }
}
