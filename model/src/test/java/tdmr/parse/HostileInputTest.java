package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * The hostile inputs of issue #17, one test each: numbers too large for their field, long runs of
 * blanks, line endings, comments before a saved {@code /proc/iomem}. Each is bad input naming the
 * file, line and field, or is read as what it is.
 */
class HostileInputTest {
  private static final String E820 = """
      BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable
      BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
      """;

  private static InputException refused(String text) {
    return assertThrows(InputException.class, () -> MapReader.read("hostile.txt", text));
  }

  private static void assertNames(InputException e, int line, String... fragments) {
    assertEquals("hostile.txt", e.file());
    assertEquals(line, e.line(), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.problem().contains(f), "expected \"" + f + "\" in: " + e.getMessage());
    }
  }

  @Test
  void pamtTotalBeyondTheAddressSpaceIsBadInput() {
    // 2^52 bytes of memory need far less than 2^42 KB of PAMT; 20 nines is no kernel's output.
    assertNames(refused(E820 + "[ 9.1] virt/tdx: 99999999999999999999 KB allocated for PAMT\n"), 3, "PAMT size in KB",
        "out of range");
  }

  @Test
  void numaNodeBeyondItsBoundIsBadInput() {
    assertNames(refused(E820 + "  node 99999999999: [mem 0x0000000000100000-0x000000007fffffff]\n"), 3, "NUMA node",
        "out of range (0..65535)");
    assertNames(refused(E820 + "ACPI: SRAT: Node 65536 PXM 0 [mem 0x00000000-0x7fffffff]\n"), 3, "NUMA node");
  }

  @Test
  void moduleVersionBeyondItsU16FieldIsBadInput() {
    String line = "virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 4294967296, minor_version 5,"
        + " build_date 20231008, build_num 595\n";
    assertNames(refused(E820 + line), 3, "module major_version", "out of range");
  }

  @Test
  void addressWithSeventeenDigitsNamesItsField() {
    assertNames(refused("BIOS-e820: [mem 0x0000000000100000-0x1ffffffffffffffff] usable\n"), 1, "e820 entry end",
        "beyond 52 bits");
    assertNames(refused("virt/tdx: CMR: [0x100000000000000000000, 0x6f800000)\n"), 1, "CMR start", "beyond 52 bits");
  }

  @Test
  void longRunsOfBlanksAreReadLikeShortOnes() throws InputException {
    // Each of these took seconds per line with the old patterns (nested quantifiers over blanks).
    String blanks = " ".repeat(4000);
    MemoryMap map = MapReader.read("hostile.txt", "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable"
        + blanks + "\n");
    assertEquals(List.of(new MemoryBlock(new AddressRange(0x100000, 0x80000000L), 0)), map.blocks());
    assertNames(refused(E820 + "user: [mem 0x0000000000100000-0x000000007fffffff]" + blanks + "x\n"), 3,
        "malformed user-defined e820 line");
    assertNames(refused(E820 + "e820: update [mem 0x00000000-0x00000fff] usable" + blanks + "x\n"), 3,
        "malformed e820 update line");
    assertNames(refused("00100000-7fffffff : System RAM\n00100000-" + blanks + "\n"), 2, "malformed /proc/iomem line");
    // The command line's lazy group before trailing blanks made each such line quadratic (90 ms at 4 000).
    MemoryMap booted = MapReader.read("hostile.txt", "Command line: ro" + blanks + "quiet   \n" + E820);
    assertEquals("ro" + blanks + "quiet", booted.facts().commandLine().orElseThrow().text());
  }

  @Test
  void aLineOverTheLimitIsRefused() {
    assertNames(refused(E820 + "BIOS-e820: " + " ".repeat(100_000) + "\n"), 3, "longer than 4096 characters");
  }

  @Test
  void bareCarriageReturnsEndLines() throws InputException {
    MemoryMap map = MapReader.read("hostile.txt", E820.replace('\n', '\r')
        + "BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff] usable\r");
    // Both usable ranges above 1 MiB, not only the last line's.
    assertEquals(2, map.blocks().size(), map.blocks().toString());
  }

  @Test
  void crlfLogIsReadLikeLf() throws InputException {
    assertEquals(MapReader.read("a", E820).blocks(), MapReader.read("b", E820.replace("\n", "\r\n")).blocks());
  }

  @Test
  void savedIomemStartingWithCommentsIsIomem() throws InputException {
    MemoryMap map = MapReader.read("hostile.txt", """
        # /proc/iomem of host 7, saved by the fleet agent
        # 2026-11-30

        00001000-0009ffff : System RAM
        00100000-7fffffff : System RAM
          01000000-01ffffff : Kernel code
        80000000-8fffffff : Reserved
        """);
    assertEquals(List.of(new MemoryBlock(new AddressRange(0x100000, 0x80000000L), 0)), map.blocks());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("/proc/iomem")), map.notes().toString());
  }

  @Test
  void jsonNestedDeeperThanAnyMapIsBadInput() {
    String deep = "{\"blocks\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
    InputException e = refused(deep);
    assertTrue(e.problem().contains("malformed JSON"), e.problem());
  }

  @Test
  void jsonNodeBeyondItsBoundIsBadInput() {
    InputException e = refused("{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x200000\", \"node\": 4294967296}]}");
    assertTrue(e.problem().contains("\"node\" must be a NUMA node number within 0..65535"), e.problem());
  }
}
