package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * Every real map parses, and for several of them the block counts and byte totals match sums done
 * by hand from the files' lines (the arithmetic is in each test's comment).
 */
class RealMapsParseTest {
  static List<String> mapsWithMemoryLines() {
    return RealMaps.all().stream().filter(n -> !n.equals(RealMaps.GNR_415_NO_MAP)).toList();
  }

  @ParameterizedTest
  @MethodSource("mapsWithMemoryLines")
  void everyRealMapWithMemoryLinesParses(String name) throws InputException {
    MemoryMap map = RealMaps.read(name);
    assertFalse(map.blocks().isEmpty(), name);
    assertFalse(map.cmrs().isEmpty(), name);
    for (MemoryBlock b : map.blocks()) {
      assertTrue(b.start() >= 0x100000, "block below 1 MiB in " + name + ": " + b);
      assertEquals(0, b.start() % 4096, name);
      assertEquals(0, b.end() % 4096, name);
    }
  }

  @Test
  void failureLogWithoutMapSaysThereIsNoMemoryMap() {
    InputException e = assertThrows(InputException.class, () -> RealMaps.read(RealMaps.GNR_415_NO_MAP));
    assertEquals(RealMaps.GNR_415_NO_MAP, e.file());
    assertTrue(e.problem().contains("no memory map in this input"), e.problem());
  }

  /**
   * canonical/tdx#135, 17 usable e820 ranges. The first, [0x0, 0x9f000), lies below 1 MiB and is
   * dropped; the other 16 are page aligned, all node 0 (no SRAT, no node lines). Sizes:
   * 0x5d069000 + 0x1a4000 + 0x1149000 + 0x10000 + 0x573000 + 0x3d3000 + 0x6a000 + 0x86000 + 0x2000
   * + 0x3d000 + 0x814000 + 0x3b2000 + 0x333000 + 0x1000 + 0xa83a000 + 0x1000 = 0x6a510000
   * (1783693312 bytes). CMRs: 5, of 0x6f700000 + 0xf7a000000 + 3 * 0xffc000000 = 0x3fdd700000.
   */
  @Test
  void emr135HasSixteenBlocksAfterTheFirstMiBAndFiveCmrs() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    assertEquals(16, map.blocks().size());
    assertEquals(new MemoryBlock(0x100000, 0x5d169000, 0), map.blocks().get(0));
    assertEquals(new MemoryBlock(0x6f7ff000, 0x6f800000, 0), map.blocks().get(15));
    assertEquals(List.of(0), map.nodes());
    assertEquals(0x6a510000L, map.totalBytes());
    assertEquals(5, map.cmrs().cmrs().size());
    assertEquals(new AddressRange(0x100000, 0x6f800000), map.cmrs().cmrs().get(0));
    assertEquals(0x3fdd700000L, map.cmrs().totalBytes());
    assertEquals(36, map.firmwareMap().size());
    assertEquals("ACPI data", map.firmwareTypeAt(0x5d169000));
    assertEquals(23, map.facts().failure().orElseThrow().line());
    assertTrue(map.facts().failure().orElseThrow().text().contains("reserved areas exhausted"));
    assertEquals("1.5 build_date 20231008 build_num 595", map.facts().moduleVersion().orElseThrow());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("first 1 MiB") && n.contains("[0x0, 0x9f000) dropped")));
  }

  /**
   * canonical/tdx#391 has only CMR lines: the 5 CMRs become the memory, node 0. Sizes:
   * 0x77800000 - 0x100000 = 0x77700000; 0x107a000000 - 0x100000000 = 0xf7a000000; three of
   * 0x?07c000000 - 0x?080000000 = 0xffc000000. Sum 0x77700000 + 0xf7a000000 + 0x2ff4000000 =
   * 0x3fe5700000 (274432262144 bytes).
   */
  @Test
  void cmrOnlyLogTakesTheCmrsAsMemoryWithANote() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.CMR_ONLY_391);
    assertEquals(5, map.blocks().size());
    assertEquals(274432262144L, map.totalBytes());
    assertEquals(map.cmrs().cmrs(), map.blocks().stream().map(MemoryBlock::range).toList());
    assertEquals(List.of(0), map.nodes());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("CMRs are taken as the TDX memory")));
  }

  /**
   * canonical/tdx#285 pastes two logs with the same 3 CMRs (lines 15-17 and 23-25): one list of 3
   * is kept, with a note. 0x77700000 + 0x1f6e000000 + 0x1ff0000000 = 0x3fd5700000.
   */
  @Test
  void identicalRepeatedCmrListIsReadOnce() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.CMR_TWICE_285);
    assertEquals(3, map.cmrs().cmrs().size());
    assertEquals(0x3fd5700000L, map.cmrs().totalBytes());
    assertEquals(OptionalLong.of(1050636), map.facts().pamtKb());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("lines 23-25 repeats the one starting on line 15")));
  }

  /**
   * QEMU 4-node guest, memblock node lines: [0x1000, 0x9f000) node 0 is below 1 MiB; then
   * [0x100000, 0xbffdf000) n0 (0xbfedf000), [0x100000000, 0x140000000) n0 (0x40000000),
   * [0x140000000, 0x240000000) n1, [0x240000000, 0x340000000) n2, [0x340000000, 0x440000000) n3
   * (0x100000000 each). Sum 0xbfedf000 + 0x40000000 + 3 * 0x100000000 = 0x3ffedf000.
   */
  @Test
  void qemuFourNodeGuestHasFiveBlocksOnFourNodes() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.QEMU_4NUMA);
    assertEquals(
        List.of(
            new MemoryBlock(0x100000L, 0xbffdf000L, 0),
            new MemoryBlock(0x100000000L, 0x140000000L, 0),
            new MemoryBlock(0x140000000L, 0x240000000L, 1),
            new MemoryBlock(0x240000000L, 0x340000000L, 2),
            new MemoryBlock(0x340000000L, 0x440000000L, 3)),
        map.blocks());
    assertEquals(0x3ffedf000L, map.totalBytes());
  }

  /**
   * The same QEMU log without its node lines: usable e820 [0x100000, 0xbffdf000) and
   * [0x100000000, 0x440000000) cut at the SRAT boundaries 0x140000000, 0x240000000, 0x340000000
   * give the same five blocks the kernel printed.
   */
  @Test
  void qemuFourNodeGuestFromE820AndSratMatchesTheKernelsNodeLines() throws InputException {
    String withoutNodeLines =
        RealMaps.text(RealMaps.QEMU_4NUMA).lines().filter(l -> !l.matches(".*\\bnode\\s+\\d+: \\[mem.*")).reduce("", (a, b) -> a + b + "\n");
    MemoryMap fromSrat = MapReader.read("qemu-no-node-lines", withoutNodeLines);
    assertEquals(RealMaps.read(RealMaps.QEMU_4NUMA).blocks(), fromSrat.blocks());
    assertTrue(fromSrat.notes().stream().anyMatch(n -> n.contains("split at SRAT node boundaries")));
  }

  /**
   * TDVF guest: 13 node lines; [0x1000, 0xa0000) is below 1 MiB, 12 remain (no two touch). Sizes:
   * 0x70c000 + 0x7c888000 + 0xf9000 + 0x6000 + 0x1d000 + 0x20c000 + 0x1c000 + 0x2000 + 0x1206000 +
   * 0x1000 + 0x1763000 + 0x80000000 = 0xffc44000 (4291051520 bytes).
   */
  @Test
  void tdvfGuestTakesItsFragmentedMemblockList() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.TDVF_MEMBLOCK);
    assertEquals(12, map.blocks().size());
    assertEquals(0xffc44000L, map.totalBytes());
    assertEquals(new MemoryBlock(0x7e80d000L, 0x7e80e000L, 0), map.blocks().get(9));
    assertEquals(List.of(0), map.nodes());
  }

  /**
   * Westmere-EX, node lines: [0x100000, 0x7b43e000) n0 (0x7b33e000), [0x100000000, 0x880000000)
   * n0 (0x780000000), then 32 GiB (0x800000000) on each of nodes 1, 2, 3. Sum 0x7b33e000 +
   * 0x780000000 + 0x1800000000 = 0x1ffb33e000.
   */
  @Test
  void westmereExHasFiveBlocksOnFourNodes() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.WESTMERE_EX);
    assertEquals(5, map.blocks().size());
    assertEquals(List.of(0, 1, 2, 3), map.nodes());
    assertEquals(0x1ffb33e000L, map.totalBytes());
  }

  /**
   * Westmere-EX without node lines: the first usable range [0x100, 0x9b400) rounds inward to
   * [0x1000, 0x9b000) and is then dropped below 1 MiB; SRAT (with 8 unpopulated hotplug ranges)
   * splits [0x100000000, 0x2080000000) at 0x880000000, 0x1080000000 and 0x1880000000: the same
   * five blocks as the kernel's node lines.
   */
  @Test
  void westmereExFromE820AndSratRoundsTheUnalignedFirstRange() throws InputException {
    String withoutNodeLines =
        RealMaps.text(RealMaps.WESTMERE_EX).lines().filter(l -> !l.matches(".*\\bnode\\s+\\d+: \\[mem.*")).reduce("", (a, b) -> a + b + "\n");
    MemoryMap map = MapReader.read("westmere-no-node-lines", withoutNodeLines);
    assertEquals(RealMaps.read(RealMaps.WESTMERE_EX).blocks(), map.blocks());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("rounded inward") && n.contains("[0x100, 0x9b400) -> [0x1000, 0x9b000)")));
  }

  /**
   * EAGLESTREAM, node lines: [0x100000, 0x72ee8000) n0, [0x777ff000, 0x77800000) n0,
   * [0x100000000, 0x106e000000) n0, [0x1080000000, 0x2070000000) n1; 0x72de8000 + 0x1000 +
   * 0xf6e000000 + 0xff0000000 = 0x1fd0de9000. Its 67 {@code tdx:} lines (P-SEAMLDR, 33 TDMRs, 33
   * PAMTs) are kept verbatim.
   */
  @Test
  void eaglestreamKeepsItsEarlyKernelTdmrLinesAsFacts() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EAGLESTREAM);
    assertEquals(4, map.blocks().size());
    assertEquals(0x1fd0de9000L, map.totalBytes());
    assertEquals(List.of(0, 1), map.nodes());
    assertEquals(67, map.facts().tdxLines().size());
    assertTrue(map.facts().tdxLines().get(1).text().endsWith("tdx: TDX TDMR[0]: 0x0 0x1080000000"));
  }

  /** GCE syslog: usable [0x100000, 0xbfffd000) and [0x100000000, 0x130000000), behind syslog prefixes. */
  @Test
  void syslogPrefixedLinesAreRead() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.GCE_SYSLOG);
    assertEquals(
        List.of(new MemoryBlock(0x100000L, 0xbfffd000L, 0), new MemoryBlock(0x100000000L, 0x130000000L, 0)),
        map.blocks());
  }

  /** The README log uses the older {@code tdx:} prefix and "KBs allocated for PAMT." */
  @Test
  void olderTdxPrefixAndPamtWordingAreRead() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.README_1TIB);
    assertEquals(5, map.cmrs().cmrs().size());
    assertEquals(OptionalLong.of(4202516), map.facts().pamtKb());
    assertEquals("1.5 build_date 20230323 build_num 481", map.facts().moduleVersion().orElseThrow());
  }

  @Test
  void seamcallFailureIsTheFailureLine() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.SEAMCALL_331);
    assertEquals(14, map.facts().failure().orElseThrow().line());
    assertTrue(map.facts().failure().orElseThrow().text().contains("SEAMCALL (0x0000000000000022) failed"));
  }
}
