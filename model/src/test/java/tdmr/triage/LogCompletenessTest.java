package tdmr.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.triage.TdxLogTriageTest.realLog;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/** The completeness checks on real logs, against what their headers say about them. */
class LogCompletenessTest {
  private static List<LogCompleteness.Check> checks(String name) throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", realLog(name));
    Optional<tdmr.mem.MemoryMap> map;
    try {
      map = Optional.of(RealMaps.read(name));
    } catch (tdmr.parse.InputException noMap) {
      map = Optional.empty();
    }
    return LogCompleteness.check(t.boot(), t.cmrs(), map).stream().map(LogCompleteness.Note::check).toList();
  }

  /**
   * canonical/tdx#135: its header says the published e820 stops at 0x8fffffff while the CMRs run
   * to 0x407c000000; the CMR bytes above 0x90000000 are 0x107a000000 - 0x100000000 (61.91 GiB)
   * plus three of 0xffc000000 (63.94 GiB each): 253.72 GiB.
   */
  @Test
  void theTruncatedE820OfCanonicalTdx135IsFound() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", realLog(RealMaps.EMR_135));
    List<LogCompleteness.Note> notes = LogCompleteness.check(t.boot(), t.cmrs(), Optional.of(RealMaps.read(RealMaps.EMR_135)));
    assertEquals(List.of(LogCompleteness.Check.MAP_CUT_SHORT), notes.stream().map(LogCompleteness.Note::check).toList());
    assertTrue(notes.get(0).text().contains("end at 0x90000000 (2.25 GiB)"), notes.get(0).text());
    assertTrue(notes.get(0).text().contains("253.72 GiB of convertible memory above"), notes.get(0).text());
    assertTrue(LogCompleteness.mapIsPartial(notes));
  }

  @Test
  void aCmrOnlyReportHasNoRamLinesAndNoEarlyBoot() throws Exception {
    // canonical/tdx#285: TDX lines only, the same three CMRs twice.
    assertEquals(List.of(LogCompleteness.Check.CMRS_WITHOUT_RAM, LogCompleteness.Check.NO_EARLY_BOOT),
        checks(RealMaps.CMR_TWICE_285));
  }

  @Test
  void aFailureReportWithoutAnyMapLacksTheEarlyBoot() throws Exception {
    assertEquals(List.of(LogCompleteness.Check.NO_EARLY_BOOT), checks(RealMaps.GNR_415_NO_MAP));
  }

  @Test
  void theGuestAndTheVirtualMachineAreNamed() throws Exception {
    assertEquals(List.of(LogCompleteness.Check.TDX_GUEST), checks(RealMaps.TDVF_MEMBLOCK));
    assertEquals(List.of(LogCompleteness.Check.VIRTUAL_MACHINE), checks(RealMaps.GCE_SYSLOG));
  }

  @Test
  void aCompleteHostMapNeedsNoNote() throws Exception {
    // The QEMU guest's log has its e820, SRAT and memblock lines and no CMRs: nothing is missing.
    assertEquals(List.of(), checks(RealMaps.QEMU_4NUMA));
  }
}
