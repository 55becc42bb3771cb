package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** How the dmesg reader reads line shapes and derives TDX memory the way Linux does. */
class DmesgReaderTest {
  private static MemoryMap read(String text) throws InputException {
    return MapReader.read("log.txt", text);
  }

  @Test
  void everyE820TypeIsKeptAsPrinted() throws InputException {
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable
            BIOS-e820: [mem 0x0000000010000000-0x0000000010000fff] ACPI data
            BIOS-e820: [mem 0x0000000010001000-0x0000000010001fff] ACPI NVS
            BIOS-e820: [mem 0x0000000010002000-0x0000000010002fff] unusable
            BIOS-e820: [mem 0x0000000010003000-0x0000000010003fff] persistent (type 12)
            BIOS-e820: [mem 0x0000000010004000-0x0000000010004fff] soft reserved
            BIOS-e820: [mem 0x0000000010005000-0x0000000010005fff] type 20
            BIOS-e820: [mem 0x0000000010006000-0x0000000010006fff] reserved
            BIOS-e820: [mem 0x0000000010007000-0x000000001fffffff] usable
            """);
    assertEquals(
        List.of("usable", "ACPI data", "ACPI NVS", "unusable", "persistent (type 12)", "soft reserved", "type 20", "reserved", "usable"),
        map.firmwareMap().stream().map(E820Entry::type).toList());
    // Only "usable" is RAM: [0x100000, 0x10000000) and [0x10007000, 0x20000000).
    assertEquals(
        List.of(new MemoryBlock(0x100000, 0x10000000, 0), new MemoryBlock(0x10007000, 0x20000000, 0)), map.blocks());
  }

  @Test
  void legacyE820LinesWithExclusiveEndsAreRead() throws InputException {
    // Kernels before 3.9: "BIOS-e820: <start> - <end> (type)", end exclusive.
    MemoryMap map =
        read(
            """
             BIOS-e820: 0000000000000000 - 000000000009f800 (usable)
             BIOS-e820: 0000000000100000 - 00000000bfee0000 (usable)
             BIOS-e820: 00000000bfee0000 - 00000000bfef0000 (ACPI data)
            """);
    assertEquals(List.of(new MemoryBlock(0x100000, 0xbfee0000L, 0)), map.blocks());
    assertEquals("ACPI data", map.firmwareTypeAt(0xbfee0000L));
  }

  @Test
  void e820UpdateAndRemoveLinesChangeTheUsableRam() throws InputException {
    // After the table: page 0 and [0xa0000, 0x100000) go (below 1 MiB anyway), the kernel takes
    // [0x7f000000, 0x80000000) away, turns the reserved [0x80000000, 0x80100000) into RAM, and
    // splits RAM for setup_data (usable ==> usable, no change). RAM above 1 MiB:
    // [0x100000, 0x7f000000) and [0x80000000, 0x80100000).
    MemoryMap map =
        read(
            """
            [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable
            [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            [    0.000000] BIOS-e820: [mem 0x0000000080000000-0x00000000800fffff] reserved
            [    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
            [    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable
            [    0.000000] e820: update [mem 0x7f000000-0x7fffffff] usable ==> reserved
            [    0.000000] e820: update [mem 0x80000000-0x800fffff] reserved ==> usable
            [    0.000000] e820: update [mem 0x7b8c5018-0x7b8d3057] usable ==> usable
            [    0.000000] e820: last_pfn = 0x80100 max_arch_pfn = 0x400000000
            """);
    assertEquals(
        List.of(new MemoryBlock(0x100000, 0x7f000000L, 0), new MemoryBlock(0x80000000L, 0x80100000L, 0)), map.blocks());
    assertEquals("reserved", map.firmwareTypeAt(0x80000000L));
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("applied 5 'e820: update/remove' lines")), map.notes().toString());
  }

  @Test
  void timestampsAndJournalPrefixesDoNotMatter() throws InputException {
    String bare = "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\nvirt/tdx: CMR: [0x100000, 0x80000000)\n";
    String stamped = "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n[   10.1] virt/tdx: CMR: [0x100000, 0x80000000)\n";
    String journal =
        "Nov 26 08:00:00 host kernel: BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n"
            + "Nov 26 08:00:10 host kernel: tdx: CMR: [0x100000, 0x80000000)\n";
    for (String text : List.of(bare, stamped, journal)) {
      MemoryMap map = read(text);
      assertEquals(List.of(new MemoryBlock(0x100000, 0x80000000L, 0)), map.blocks(), text);
      assertEquals(List.of(new AddressRange(0x100000, 0x80000000L)), map.cmrs().cmrs(), text);
    }
  }

  @Test
  void memblockNodeLinesWinOverE820() throws InputException {
    // The kernel reserved [0x7f000000, 0x80000000) after e820 was printed; memblock reflects it.
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
              node   0: [mem 0x0000000000100000-0x000000007effffff]
            """);
    assertEquals(List.of(new MemoryBlock(0x100000, 0x7f000000L, 0)), map.blocks());
  }

  @Test
  void usableRamIsSplitAtSratNodeBoundaries() throws InputException {
    // Dell R650 shape: [0x100000000, 0x880000000) crosses SRAT's node boundary at 0x480000000.
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000006f7fffff] usable
            BIOS-e820: [mem 0x0000000100000000-0x000000087fffffff] usable
            ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]
            ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x47fffffff]
            ACPI: SRAT: Node 1 PXM 1 [mem 0x480000000-0x87fffffff]
            """);
    assertEquals(
        List.of(
            new MemoryBlock(0x100000, 0x6f800000L, 0),
            new MemoryBlock(0x100000000L, 0x480000000L, 0),
            new MemoryBlock(0x480000000L, 0x880000000L, 1)),
        map.blocks());
  }

  @Test
  void legacySratLinesWithExclusiveEndsAreRead() throws InputException {
    // 2.6-era kernels: "SRAT: Node 1 PXM 1 100000000-200000000", end exclusive.
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000100000-0x00000001ffffffff] usable
            SRAT: Node 0 PXM 0 0-100000000
            SRAT: Node 1 PXM 1 100000000-200000000
            """);
    assertEquals(
        List.of(new MemoryBlock(0x100000, 0x100000000L, 0), new MemoryBlock(0x100000000L, 0x200000000L, 1)), map.blocks());
  }

  @Test
  void tdxLinesThatOnlyMentionCmrsAreNotRangeLines() throws InputException {
    MemoryMap map =
        read(
            """
            virt/tdx: CMR info not available
            virt/tdx: CMR: [0x100000, 0x80000000)
            """);
    assertEquals(1, map.cmrs().cmrs().size());
    assertEquals(2, map.facts().tdxLines().size());
  }

  @Test
  void ramOutsideEverySratRangeFallsBackToOneNode() throws InputException {
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000017fffffff] usable
            SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff]
            """);
    assertEquals(List.of(new MemoryBlock(0x100000, 0x180000000L, 0)), map.blocks());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("outside every SRAT range")), map.notes().toString());
  }

  @Test
  void touchingRangesOfOneNodeMergeAndTheFirstMiBIsClipped() throws InputException {
    // [0x80000, 0x200000) loses its first 512 KiB; it touches [0x200000, 0x400000) on the same node.
    MemoryMap map =
        read(
            """
            BIOS-e820: [mem 0x0000000000080000-0x00000000001fffff] usable
            BIOS-e820: [mem 0x0000000000200000-0x00000000003fffff] usable
            """);
    assertEquals(List.of(new MemoryBlock(0x100000, 0x400000, 0)), map.blocks());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("[0x80000, 0x200000) -> [0x100000, 0x200000)")));
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("merged")));
  }

  @Test
  void unalignedUsableRangesAreRoundedInwardToPages() throws InputException {
    // [0x100800, 0x2007ff] inclusive: start rounds up to 0x101000, end 0x200800 down to 0x200000.
    MemoryMap map = read("BIOS-e820: [mem 0x0000000000100800-0x00000000002007ff] usable\n");
    assertEquals(List.of(new MemoryBlock(0x101000, 0x200000, 0)), map.blocks());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("rounded inward")));
  }

  @Test
  void cmrOnlyLogUsesSratNodesWhenPresent() throws InputException {
    MemoryMap map =
        read(
            """
            SRAT: Node 0 PXM 0 [mem 0x00000000-0x107fffffff]
            SRAT: Node 1 PXM 1 [mem 0x1080000000-0x207fffffff]
            virt/tdx: CMR: [0x100000, 0x6f800000)
            virt/tdx: CMR: [0x100000000, 0x107a000000)
            virt/tdx: CMR: [0x1080000000, 0x207c000000)
            """);
    assertEquals(List.of(0, 0, 1), map.blocks().stream().map(MemoryBlock::node).toList());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("CMRs are taken as the TDX memory")));
  }

  @Test
  void ramWithoutCmrsTakesTheBlocksAsCmrsWithANote() throws InputException {
    MemoryMap map = read("BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n");
    assertEquals(List.of(new AddressRange(0x100000, 0x80000000L)), map.cmrs().cmrs());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("CMRs are taken to equal the TDX memory blocks")));
  }

  @Test
  void tdxLinesAreKeptVerbatimWithLineNumbers() throws InputException {
    MemoryMap map =
        read(
            """
            [   10.620111] virt/tdx: BIOS enabled: private KeyID range [32, 64)
            [   31.518687] virt/tdx: TDX module 2.0.08.00, build number 882, build date 0134fed5
            [   33.250619] virt/tdx: initialization failed: TDMR [0x40000000, 0x80000000): reserved areas exhausted.
            [   33.341756] virt/tdx: module initialization failed (-28)
            [   33.4] kvm_intel: Failed to initialize TDX module.
            virt/tdx: CMR: [0x100000, 0x80000000)
            """);
    assertEquals(List.of(1, 2, 3, 4, 6), map.facts().tdxLines().stream().map(l -> l.line()).toList());
    assertEquals("2.0.08.00 build_num 882 build_date 0134fed5", map.facts().moduleVersion().orElseThrow());
    assertEquals(3, map.facts().failure().orElseThrow().line());
  }

  @Test
  void linesUnrelatedToMemoryAreSkipped() throws InputException {
    MemoryMap map =
        read(
            """
            # a comment with BIOS-e820: in it
            [    0.000000] Linux version 6.8.0
            [    0.000000] NUMA: Node 0 [mem 0x00000000-0x7fffffff] + [mem 0x100000000-0x107fffffff] -> [mem 0x00000000-0x107fffffff]
            [    0.000000] Initmem setup node 0 [mem 0x0000000000001000-0x000000017fffffff]
            [    0.000000] e820: BIOS-provided physical RAM map:
            [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            """);
    assertEquals(1, map.blocks().size());
  }

  @Test
  void hundredThousandE820LinesParse() throws InputException {
    // 100 000 entries alternating usable / reserved, 64 KiB each, from 1 MiB: 50 000 usable blocks
    // of 64 KiB (no two touch), 50 000 * 0x10000 = 0xc3500000 bytes.
    StringBuilder s = new StringBuilder();
    long base = 0x100000;
    for (int i = 0; i < 100_000; i++) {
      s.append("BIOS-e820: [mem 0x%016x-0x%016x] %s%n".formatted(base, base + 0xffff, i % 2 == 0 ? "usable" : "reserved"));
      base += 0x10000;
    }
    MemoryMap map = read(s.toString());
    assertEquals(50_000, map.blocks().size());
    assertEquals(0xc3500000L, map.totalBytes());
  }

  @Test
  void userDefinedE820TableReplacesTheFirmwareTable() throws InputException {
    // memmap=4K$0x70000000 (what tdmr fix prints) makes the kernel print its user-defined table,
    // which it then uses: [0x70000000, 0x70001000) is reserved, so the RAM above 1 MiB is
    // [0x100000, 0x70000000) and [0x70001000, 0x80000000). The BIOS-e820 lines alone show no hole.
    MemoryMap map =
        read(
            """
            [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable
            [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            [    0.000000] e820: user-defined physical RAM map:
            [    0.000000] user: [mem 0x0000000000000000-0x000000000009ffff] usable
            [    0.000000] user: [mem 0x0000000000100000-0x000000006fffffff] usable
            [    0.000000] user: [mem 0x0000000070000000-0x0000000070000fff] reserved
            [    0.000000] user: [mem 0x0000000070001000-0x000000007fffffff] usable
            """);
    assertEquals(
        List.of(
            new AddressRange(0x100000L, 0x70000000L), new AddressRange(0x70001000L, 0x80000000L)),
        map.blocks().stream().map(MemoryBlock::range).toList());
  }
}
