package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** One test per class of bad input: each names the file, the line and the problem. */
class InputErrorsTest {
  private static InputException readFails(String text) {
    return assertThrows(InputException.class, () -> MapReader.read("bad.txt", text));
  }

  private static void assertError(InputException e, int line, String... fragments) {
    assertEquals("bad.txt", e.file());
    assertEquals(line, e.line(), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.problem().contains(f), "expected \"" + f + "\" in: " + e.getMessage());
    }
    assertTrue(e.getMessage().startsWith(line > 0 ? "bad.txt:" + line + ": " : "bad.txt: "), e.getMessage());
  }

  @Test
  void overlappingE820EntriesAreRejectedAtTheSecondEntry() {
    InputException e =
        readFails(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            BIOS-e820: [mem 0x000000007ff00000-0x000000008fffffff] reserved
            """);
    // [0x7ff00000, 0x90000000) starts inside [0x100000, 0x80000000) of line 1.
    assertError(e, 2, "overlaps", "[0x100000, 0x80000000)", "line 1");
  }

  @Test
  void unsortedE820EntriesAreRejected() {
    InputException e =
        readFails(
            """
            BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff] usable
            BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            """);
    assertError(e, 2, "out of order", "line 1");
    assertFalse(e.isTwoMaps());
  }

  @Test
  void reversedE820EntryIsRejected() {
    InputException e =
        readFails(
            """
            [    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            [    0.000000] BIOS-e820: [mem 0x0000000090000000-0x000000008fffefff] reserved
            """);
    assertError(e, 2, "reversed");
  }

  @Test
  void overlappingCmrsAreRejected() {
    InputException e =
        readFails(
            """
            virt/tdx: CMR: [0x100000, 0x80000000)
            virt/tdx: CMR: [0x40000000, 0x100000000)
            """);
    assertError(e, 2, "CMR [0x40000000, 0x100000000) overlaps [0x100000, 0x80000000) on line 1");
  }

  @Test
  void reversedAndUnsortedCmrsAreRejected() {
    assertError(readFails("virt/tdx: CMR: [0x200000, 0x100000)\n"), 1, "CMR is reversed");
    InputException unsorted =
        readFails(
            """
            virt/tdx: CMR: [0x100000000, 0x107a000000)
            virt/tdx: CMR: [0x100000, 0x6f800000)
            """);
    assertError(unsorted, 2, "out of order", "line 1");
  }

  @Test
  void overlappingMemblockNodeLinesAreRejected() {
    InputException e =
        readFails(
            """
              node   0: [mem 0x0000000000100000-0x000000047fffffff]
              node   1: [mem 0x0000000400000000-0x000000087fffffff]
            """);
    assertError(e, 2, "memblock node range [0x400000000, 0x880000000) overlaps [0x100000, 0x480000000) on line 1");
  }

  @Test
  void unsortedMemblockNodeLinesAreRejected() {
    InputException e =
        readFails(
            """
            Early memory node ranges
              node   1: [mem 0x0000000480000000-0x000000087fffffff]
              node   0: [mem 0x0000000100000000-0x000000047fffffff]
            """);
    assertError(e, 3, "memblock node range", "out of order", "line 2");
  }

  @Test
  void malformedE820LineIsRejected() {
    InputException e =
        readFails(
            """
            BIOS-provided physical RAM map:
            BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable
            BIOS-e820: [mem 0x0000000080000000 0x000000008fffffff] reserved
            """);
    assertError(e, 3, "malformed BIOS-e820 line");
  }

  @Test
  void malformedCmrLineIsRejected() {
    InputException e = readFails("[   10.444059] virt/tdx: CMR: [0x100000 - 0x6f800000]\n");
    assertError(e, 1, "malformed CMR line");
  }

  @Test
  void malformedNodeSratAndUpdateLinesAreRejected() {
    assertError(readFails("  node   0: [mem 0x1000-]\n"), 1, "malformed memblock node line");
    assertError(readFails("ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000]\n"), 1, "malformed SRAT line");
    assertError(readFails("e820: update [mem 0x00000000-0x00000fff] usable -> reserved\n"), 1, "malformed e820 update line");
  }

  @Test
  void misalignedCmrIsRejected() {
    // 0x6f800800 is not a multiple of 0x1000.
    InputException e = readFails("virt/tdx: CMR: [0x100000, 0x6f800800)\n");
    assertError(e, 1, "not 4 KiB aligned");
  }

  @Test
  void addressBeyond52BitsIsRejected() {
    // 0x10000000000000 is 2^52; as an inclusive last byte it would end at 2^52 + 1.
    InputException e = readFails("BIOS-e820: [mem 0x000fffff00000000-0x0010000000000000] usable\n");
    assertError(e, 1, "beyond 52 bits");
    InputException cmr = readFails("virt/tdx: CMR: [0x100000, 0xffffffffffffffffff)\n");
    assertError(cmr, 1, "beyond 52 bits");
  }

  @Test
  void emptyInputIsRejected() {
    assertError(readFails(""), 0, "empty input");
    assertError(readFails("\n  \n\n"), 0, "empty input");
  }

  @Test
  void binaryInputIsRejected() {
    byte[] withNul = "BIOS-e820: [mem 0x0-0xfff] usable\n\0\1\2".getBytes(StandardCharsets.ISO_8859_1);
    InputException nul = assertThrows(InputException.class, () -> MapReader.readBytes("bad.txt", withNul));
    assertError(nul, 2, "binary input", "NUL byte at offset 34");
    byte[] notUtf8 = {'B', 'I', 'O', 'S', (byte) 0xff, (byte) 0xfe, '\n'};
    InputException latin = assertThrows(InputException.class, () -> MapReader.readBytes("bad.txt", notUtf8));
    // 0xff at offset 4 can never start a UTF-8 sequence; it is on line 1.
    assertError(latin, 1, "binary input", "UTF-8", "offset 4");
  }

  @Test
  void utf16LogWithByteOrderMarkIsRead() throws InputException {
    // What Windows PowerShell's ">" writes: a byte order mark, then UTF-16 code units. Both byte
    // orders give the one usable range [1 MiB, 2 GiB) the text names.
    String log = "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\r\n";
    byte[] le = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, log.getBytes(StandardCharsets.UTF_16LE));
    byte[] be = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, log.getBytes(StandardCharsets.UTF_16BE));
    List<MemoryBlock> expected = List.of(new MemoryBlock(new AddressRange(0x100000L, 0x80000000L), 0));
    assertEquals(expected, MapReader.readBytes("le.txt", le).blocks());
    assertEquals(expected, MapReader.readBytes("be.txt", be).blocks());
  }

  @Test
  void utf16WithoutByteOrderMarkNamesTheConversion() {
    // No byte order mark: the byte order would be a guess, so the answer names iconv. In UTF-16LE
    // "BIOS" is 42 00 49 00 ...: the first NUL is at offset 1.
    byte[] le = "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n".getBytes(StandardCharsets.UTF_16LE);
    InputException e = assertThrows(InputException.class, () -> MapReader.readBytes("bad.txt", le));
    assertError(e, 1, "UTF-16 text without a byte order mark", "offset 1", "iconv -f UTF-16LE -t UTF-8");
    // The command names the file, so it can be pasted as it is; a name with a space is quoted for
    // the shell, and standard input has no name to give.
    assertTrue(e.getMessage().endsWith("iconv -f UTF-16LE -t UTF-8 bad.txt > bad.txt.utf8"), e.getMessage());
    InputException spaced = assertThrows(InputException.class, () -> MapReader.readBytes("host 7's log.txt", le));
    assertTrue(spaced.getMessage().endsWith("-t UTF-8 'host 7'\\''s log.txt' > 'host 7'\\''s log.txt.utf8'"), spaced.getMessage());
    InputException piped = assertThrows(InputException.class, () -> MapReader.readBytes("<stdin>", le));
    assertTrue(piped.getMessage().endsWith("-t UTF-8 FILE > FILE.utf8"), piped.getMessage());
    byte[] bad = {(byte) 0xFF, (byte) 0xFE, 0x00, (byte) 0xD8};
    InputException lone = assertThrows(InputException.class, () -> MapReader.readBytes("bad.txt", bad));
    assertError(lone, 0, "binary input", "UTF-16LE");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void invalidUtf8IsReportedOnItsLine() {
    // "ok\n" is 3 bytes, so the lone continuation byte 0x80 is at offset 3, on line 2.
    byte[] bytes = {'o', 'k', '\n', (byte) 0x80, '\n'};
    InputException e = assertThrows(InputException.class, () -> MapReader.readBytes("bad.txt", bytes));
    assertError(e, 2, "not valid UTF-8", "offset 3");
  }

  @Test
  void jsonMapWithAUtf8ByteOrderMarkIsReadAsJson() throws InputException {
    // Notepad saves UTF-8 with EF BB BF first; before the fix the map was read as a kernel log
    // and rejected with "no BIOS-e820 ... lines".
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] json = "{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x80000000\"}]}".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[bom.length + json.length];
    System.arraycopy(bom, 0, bytes, 0, bom.length);
    System.arraycopy(json, 0, bytes, bom.length, json.length);
    MemoryMap map = MapReader.readBytes("bom.json", bytes);
    assertEquals(List.of(new MemoryBlock(new AddressRange(0x100000L, 0x80000000L), 0)), map.blocks());
  }

  @Test
  void ramWithoutAWholePageAbove1MiBIsNotBlamedOnTheFirstMiB() {
    // [0x100800, 0x101000) is above 1 MiB but rounds inward to nothing (no whole 4 KiB page).
    InputException e = readFails("BIOS-e820: [mem 0x0000000000100800-0x0000000000100fff] usable\n");
    assertError(e, 0, "no whole 4 KiB page above 1 MiB");
  }

  @Test
  void inputWithoutMemoryLinesIsRejected() {
    InputException e =
        readFails(
            """
            [    0.000000] Linux version 6.8.0-1004-intel
            [   10.620111] virt/tdx: BIOS enabled: private KeyID range [32, 64)
            """);
    assertError(e, 0, "no memory map in this input");
  }

  @Test
  void e820TableWithoutUsableRamIsRejected() {
    InputException e =
        readFails(
            """
            Linux version 6.8
            BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] reserved
            BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] ACPI NVS
            """);
    assertError(e, 2, "no usable RAM");
  }

  @Test
  void ramOnlyBelow1MiBIsRejected() {
    InputException e = readFails("BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n");
    assertError(e, 0, "below 1 MiB");
  }

  @Test
  void conflictingRepeatedCmrListsAreRejected() {
    // Two logs in one file whose CMR lists disagree: the second list's first CMR differs.
    InputException e =
        readFails(
            """
            virt/tdx: CMR: [0x100000, 0x77800000)
            virt/tdx: CMR: [0x100000000, 0x206e000000)
            virt/tdx: module initialized
            virt/tdx: CMR: [0x100000, 0x6f800000)
            virt/tdx: CMR: [0x100000000, 0x206e000000)
            """);
    assertError(e, 4, "differs from [0x100000, 0x77800000) on line 1", "two different maps",
        "keep one boot's log, e.g. journalctl -k -b 0");
    assertTrue(e.isTwoMaps());
  }

  @Test
  void shorterRepeatedCmrListIsRejected() {
    InputException e =
        readFails(
            """
            virt/tdx: CMR: [0x100000, 0x77800000)
            virt/tdx: CMR: [0x100000000, 0x206e000000)
            virt/tdx: module initialized
            virt/tdx: CMR: [0x100000, 0x77800000)
            """);
    assertError(e, 4, "has 1 entry but the one starting on line 1 has 2", "journalctl -k -b 0");
    // Two maps, which diagnose refuses too, not a bad line it could read past.
    assertTrue(e.isTwoMaps());
  }

  @Test
  void iomemReadWithoutRootIsRejectedWithAHint() {
    InputException e =
        readFails(
            """
            00000000-00000000 : Reserved
            00000000-00000000 : System RAM
            00000000-00000000 : Reserved
            """);
    assertError(e, 0, "all addresses", "read it as root");
  }

  @Test
  void sratRangesOfTwoNodesMustNotOverlap() {
    InputException e =
        readFails(
            """
            BIOS-e820: [mem 0x0000000000100000-0x000000017fffffff] usable
            SRAT: Node 0 PXM 0 [mem 0x00000000-0xffffffff]
            SRAT: Node 1 PXM 1 [mem 0x80000000-0x17fffffff]
            """);
    assertError(e, 3, "SRAT range [0x80000000, 0x180000000) of node 1 overlaps");
  }

  @Test
  void repeatedJsonKeyIsAnErrorNotASilentLastValue() {
    // Line 2 names "start" twice; keeping either value would be a guess.
    InputException e =
        readFails(
            """
            {"blocks": [
              {"start": "0x100000", "start": "0x200000", "end": "0x80000000"}]}
            """);
    assertError(e, 2, "Duplicate field 'start'");
  }

  @Test
  void truncatedJsonNamesWhereTheObjectOpenedWithoutParserInternals() {
    InputException e = readFails("{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x80000000\"}]\n");
    assertError(e, 2, "malformed JSON", "start marker at line 1, column 1");
    assertTrue(!e.getMessage().contains("REDACTED") && !e.getMessage().contains("StreamReadFeature"), e.getMessage());
  }

  @Test
  void jsonMapNotesAndSourceOfTheWrongTypeAreRejected() {
    // An object as a note used to become an empty string; a numeric source was silently replaced
    // by the file name.
    String blocks = "\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x80000000\"}]";
    assertError(readFails("{" + blocks + ", \"notes\": [{\"a\": 1}]}"), 1, "\"notes\" must be an array of strings");
    assertError(readFails("{" + blocks + ", \"source\": 5}"), 1, "\"source\" must be a string");
  }
}
