package tdmr.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tdmr.mem.LogLine;
import tdmr.parse.InputException;

/**
 * Every number diagnose reads from a TDX line is range checked: a value that does not fit its field
 * is bad input naming the log, the line and the field (issue #17: each of these was exit 70).
 */
class TriageNumbersTest {
  private static final String KEYIDS = "[ 1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)";

  private static List<LogLine> log(String... lines) {
    List<LogLine> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      out.add(new LogLine(i + 1, lines[i]));
    }
    return out;
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "[ 1.1] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 99999999999, minor_version 5, build_date 20231008, build_num 595|module major_version",
      "[ 1.1] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 99999999999, build_num 595|module build_date",
      "[ 1.1] virt/tdx: module initialization failed (-99999999999)|errno",
      "[ 1.1] virt/tdx: SEAMCALL (0x0000000000000022) failed: 0x1c000050500000000|SEAMCALL status",
      "[ 1.1] virt/tdx: SEAMCALL (0x100000000000000022) failed: 0xc000050500000000|SEAMCALL leaf",
      "[ 1.1] virt/tdx: SEAMCALL failed: leaf 99999999999999999999, error 0xc000050500000000|SEAMCALL leaf",
      "[ 1.1] virt/tdx: CMR: [0x100000, 0x1000000000000000000)|CMR end",
      "[ 1.1] virt/tdx: initialization failed: TDMR [0x0, 0x100000000000000000000): reserved areas exhausted.|TDMR end",
      "[ 1.1] virt/tdx: 99999999999999999999 KB allocated for PAMT|PAMT size in KB",
      "[ 1.1] virt/tdx: 99999999999999999999 pages allocated for PAMT|PAMT pages",
  })
  void aNumberBeyondItsFieldIsBadInput(String line, String field) {
    InputException e = assertThrows(InputException.class,
        () -> TdxLogTriage.of("dmesg.txt", log(KEYIDS, line)));
    assertEquals("dmesg.txt", e.file());
    assertEquals(2, e.line(), e.getMessage());
    assertTrue(e.problem().startsWith(field + " "), e.getMessage());
  }

  @Test
  void aRegisterBeyond64BitsIsBadInput() {
    InputException e = assertThrows(InputException.class, () -> TdxLogTriage.of("dmesg.txt", log(KEYIDS,
        "[ 1.1] virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000",
        "[ 1.1] virt/tdx: RCX 0x0000000000000000 RDX 0x19100000100000008 R08 0x0000000000000000",
        "[ 1.2] virt/tdx: module initialization failed (-5)")));
    assertEquals(3, e.line());
    assertTrue(e.problem().startsWith("register RDX "), e.problem());
  }

  @Test
  void numbersAtTheTopOfTheirFieldsAreRead() throws InputException {
    Triage t = TdxLogTriage.of("dmesg.txt", log(KEYIDS,
        "[ 1.1] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 65535, minor_version 65535, build_date 4294967295, build_num 65535",
        "[ 1.1] virt/tdx: SEAMCALL (0xffffffffffffffff) failed: 0xffffffffffffffff",
        "[ 1.1] virt/tdx: RCX 0xffffffffffffffff",
        "[ 1.2] virt/tdx: module initialization failed (-4095)"));
    assertEquals(Outcome.SEAMCALL_FAILED, t.outcome());
    assertEquals(-1L, t.seamcall().orElseThrow().status());
    assertEquals(65535, t.moduleMajor().getAsInt());
  }

  @Test
  void longLinesOfSeamrrAndKvmWordsAreReadInLinearTime() throws InputException {
    // These patterns had a .* between two words; many repetitions made them quadratic.
    String seamrr = "[ 1.0] " + "SEAMRR ".repeat(500);
    String kvm = "[ 1.0] " + "kvm_intel: ".repeat(300);
    Triage t = TdxLogTriage.of("dmesg.txt", log(seamrr, kvm, kvm + "TDX"));
    // The SEAMRR line and KVM's line about TDX; not the KVM line without TDX.
    assertEquals(List.of(1, 3), t.evidence().stream().map(LogLine::line).toList());
  }
}
