package tdmr.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.LogLine;

/**
 * Triage of real host logs (model/src/test/resources/realmaps, published by the people who hit
 * them) and of small hand-written logs, against the facts stated in the logs and the failures users
 * report most (TDX off in the BIOS, no module, a refused SEAMCALL, a layout failure).
 */
class TdxLogTriageTest {

  static List<LogLine> realLog(String name) throws IOException {
    try (InputStream in = TdxLogTriageTest.class.getResourceAsStream("/realmaps/" + name)) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
      List<LogLine> out = new ArrayList<>();
      for (int i = 0; i < lines.length; i++) {
        out.add(new LogLine(i + 1, lines[i]));
      }
      return out;
    }
  }

  static List<LogLine> log(String... lines) {
    List<LogLine> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      out.add(new LogLine(i + 1, lines[i]));
    }
    return out;
  }

  private static boolean says(List<String> sentences, String fragment) {
    return sentences.stream().anyMatch(s -> s.contains(fragment));
  }

  @Test
  void emeraldRapidsHostRanOutOfReservedAreasInItsFirstTdmr() throws Exception {
    // canonical/tdx#135: "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."
    // then "module initialization failed (-28)"; module 1.5 build 595; five CMR lines; the file
    // quotes 36 BIOS-e820 lines (the low 2.25 GiB only).
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt"));
    assertEquals(Outcome.RESERVED_AREAS_EXHAUSTED, t.outcome());
    assertEquals(Optional.of(new AddressRange(0, 0x80000000L)), t.failedTdmr());
    assertEquals(OptionalInt.of(-28), t.errno());
    assertEquals(OptionalInt.of(1), t.moduleMajor());
    assertEquals(OptionalInt.of(5), t.moduleMinor());
    assertEquals(5, t.cmrs().size());
    assertEquals(new AddressRange(0x100000L, 0x6f800000L), t.cmrs().get(0));
    assertEquals(36, t.e820Lines());
    assertEquals(1, t.exitCode());
    assertTrue(says(t.whatToDo(), "This is a memory-layout problem"));
  }

  @Test
  void oldModuleCannotReportMaxTdmrsOnANewerKernel() throws Exception {
    // canonical/tdx#331: "SEAMCALL (0x0000000000000022) failed: 0xc000050500000000" with
    // "RDX 0x9100000100000008"; leaf 34 is TDH.SYS.RD (kernel tdx.h), status class 0xC0000505 is
    // TDX_SYS_NOT_READY (module error codes), field 0x9100000100000008 is MAX_TDMRS (section G);
    // module 1.0 build 457; then "module initialization failed (-5)".
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-fail-seamcall-4cmr-canonical-tdx-331.txt"));
    assertEquals(Outcome.SEAMCALL_FAILED, t.outcome());
    SeamcallFailure s = t.seamcall().orElseThrow();
    assertEquals(0x22, s.leaf());
    assertEquals(Optional.of(SeamcallLeaf.TDH_SYS_RD), s.knownLeaf());
    assertEquals(0xc000050500000000L, s.status());
    assertEquals(Optional.of(TdxStatus.TDX_SYS_NOT_READY), s.knownStatus());
    assertEquals(OptionalLong.of(0x9100000100000008L), s.register("RDX"));
    assertEquals(Optional.of(MetadataField.MAX_TDMRS), s.field());
    assertEquals(OptionalInt.of(-5), t.errno());
    assertEquals(OptionalInt.of(0), t.moduleMinor());
    assertEquals(4, t.cmrs().size());
    assertTrue(says(t.whatHappened(), "0x22 = TDH.SYS.RD"));
    assertTrue(says(t.whatHappened(), "MAX_TDMRS"));
    assertTrue(says(t.whatHappened(), "TDX 1.0 module"));
    assertTrue(says(t.whatToDo(), "not a memory-layout problem"));
    assertEquals(1, t.exitCode());
  }

  @Test
  void sapphireRapidsHostCameUpWithThePamtItLogged() throws Exception {
    // canonical/tdx#285: "1050636 KB allocated for PAMT", "module initialized", KeyIDs [64, 128);
    // the same three CMRs are listed twice (two boots), so three distinct CMRs.
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-cmr-3cmr-256GiB-spr-8480C-canonical-tdx-285-pr188.txt"));
    assertEquals(Outcome.INITIALIZED, t.outcome());
    assertEquals(OptionalLong.of(1050636), t.pamtKb());
    assertEquals(Optional.of("[64, 128)"), t.keyIds());
    assertEquals(3, t.cmrs().size());
    assertEquals(0, t.exitCode());
  }

  @Test
  void olderKernelWordingWithKbsAndATrailingPeriodStillCountsAsSuccess() throws Exception {
    // canonical/tdx README: "tdx: 4202516 KBs allocated for PAMT." and "tdx: module initialized."
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-cmr-5cmr-1TiB-spr-canonical-tdx-readme.txt"));
    assertEquals(Outcome.INITIALIZED, t.outcome());
    assertEquals(OptionalLong.of(4202516), t.pamtKb());
    assertEquals(Optional.of("[16, 32)"), t.keyIds());
    assertEquals(5, t.cmrs().size());
  }

  @Test
  void graniteRapidsFailureLogWithoutAnyMemoryMap() throws Exception {
    // canonical/tdx#415: "TDMR [0x40000000, 0x80000000): reserved areas exhausted."; module
    // "2.0.08.00, build number 882"; no CMR and no e820 lines were published.
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-fail-gnr-hpe-dl380a-gen12-reserved-areas-exhausted-canonical-tdx-415.txt"));
    assertEquals(Outcome.RESERVED_AREAS_EXHAUSTED, t.outcome());
    assertEquals(Optional.of(new AddressRange(0x40000000L, 0x80000000L)), t.failedTdmr());
    assertEquals(Optional.of("2.0.08.00 (build 882)"), t.moduleVersion());
    assertEquals(OptionalInt.of(2), t.moduleMajor());
    assertTrue(t.cmrs().isEmpty());
    assertEquals(0, t.e820Lines());
  }

  @Test
  void logWithoutTdxLinesOfAnIntelBootMeansTdxIsOffInTheBios() throws Exception {
    // The boot's first lines are here (BIOS-e820) and kvm_intel runs only on Intel's VMX: the
    // kernel would have printed "BIOS enabled: private KeyID range" had the BIOS enabled TDX.
    Triage t = TdxLogTriage.of("dmesg.txt", log("[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable",
        "[    1.000000] kvm_intel: VMX supported"));
    assertEquals(Outcome.NOT_ENABLED_IN_BIOS, t.outcome());
    assertTrue(says(t.whatToDo(), "not a memory-layout problem"));
    assertEquals(1, t.exitCode());
  }

  @Test
  void moduleNotLoadedAfterBiosEnabledIt() throws Exception {
    // The kernel's messages: "BIOS enabled: private KeyID range [%u, %u)", then "module not loaded".
    Triage t = TdxLogTriage.of("dmesg.txt", log("[ 1.1] virt/tdx: BIOS enabled: private KeyID range [32, 64)",
        "[ 9.2] virt/tdx: module not loaded"));
    assertEquals(Outcome.MODULE_NOT_LOADED, t.outcome());
    assertEquals(Optional.of("[32, 64)"), t.keyIds());
  }

  @Test
  void sysInitCpuidFailureIsAPlatformProblem() throws Exception {
    // canonical/tdx#161: "SEAMCALL (0x21) failed: 0xc000090000000000"; leaf 33 is
    // TDH.SYS.INIT, status class 0xC0000900 is TDX_INCORRECT_CPUID_VALUE.
    Triage t = TdxLogTriage.of("dmesg.txt", log("[ 1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[ 8.0] virt/tdx: SEAMCALL (0x21) failed: 0xc000090000000000",
        "[ 8.0] virt/tdx: module initialization failed (-5)"));
    assertEquals(Outcome.SEAMCALL_FAILED, t.outcome());
    assertEquals(Optional.of(SeamcallLeaf.TDH_SYS_INIT), t.seamcall().orElseThrow().knownLeaf());
    assertEquals(Optional.of(TdxStatus.TDX_INCORRECT_CPUID_VALUE), t.seamcall().orElseThrow().knownStatus());
    assertTrue(says(t.whatToDo(), "update the BIOS"));
    assertTrue(says(t.whatToDo(), "not a memory-layout problem"));
  }

  @Test
  void theLastBootDecides() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[ 10.4] virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.",
        "[ 10.4] virt/tdx: module initialization failed (-28)",
        "[  1.4] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[  9.1] virt/tdx: 1050644 KB allocated for PAMT",
        "[  9.1] virt/tdx: module initialized"));
    assertEquals(Outcome.INITIALIZED, t.outcome());
    assertEquals(OptionalLong.of(1050644), t.pamtKb());
    assertFalse(t.failure().isPresent());
  }

  @Test
  void pamtAllocationFailureIsEnomem() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log("[ 1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[ 9.0] virt/tdx: module initialization failed (-12)"));
    assertEquals(Outcome.PAMT_ALLOCATION_FAILED, t.outcome());
  }

  @Test
  void biosEnabledButTheLogEndsBeforeAnAttempt() throws Exception {
    // canonical/tdx#391: the excerpt ends after the CMR lines; nothing shows the boot went on, so
    // "no attempt" would be a guess.
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-cmr-5cmr-256GiB-canonical-tdx-391.txt"));
    assertEquals(Outcome.ATTEMPT_NOT_IN_LOG, t.outcome());
    assertTrue(says(t.whatToDo(), "journalctl -k -b"), t.whatToDo().toString());
    assertEquals(1, t.exitCode());
  }

  @Test
  void guestLogIsNotBlamedOnTheHostBios() throws Exception {
    // A TD's own log: line 9 is "tdx: Guest detected". Linux prints no TDX line when the BIOS left
    // TDX off, so "TDX is off in the BIOS" (with BIOS advice) was wrong for it.
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("memblock-vm-tdx-guest-tdvf-4GiB-intel-tdx-linux-5.txt"));
    assertEquals(Outcome.TDX_GUEST, t.outcome());
    assertTrue(says(t.whatHappened(), "TDX guest"), t.whatHappened().toString());
    assertFalse(says(t.whatToDo(), "BIOS"), t.whatToDo().toString());
    assertEquals(1, t.exitCode());
  }

  @Test
  void preUpstreamHostLogWithTdmrLinesIsNotBlamedOnTheBios() throws Exception {
    // The Eagle Stream log (lines 45-111) shows the kernel building 33 TDMRs with "tdx: TDX
    // TDMR[i]" lines, so TDX was on in the BIOS; it just has no "BIOS enabled" line.
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt"));
    assertEquals(Outcome.UNRECOGNISED, t.outcome());
    assertTrue(says(t.whatHappened(), "no \"BIOS enabled: private KeyID range\" line"), t.whatHappened().toString());
    assertFalse(says(t.whatToDo(), "In the BIOS"), t.whatToDo().toString());
  }

  @Test
  void tdxLinesAreFoundInAnyCaseAmongOtherLines() throws Exception {
    // The line filter matches case-insensitively; a quick pre-test (for million-line logs) must
    // not drop "VIRT/TDX:" or "Seamcall" lines. Lines 2 and 4 are TDX lines, 1 and 3 are not.
    Triage t =
        TdxLogTriage.of("dmesg.txt", 
            log(
                "[    0.1] usb 1-1: new high-speed USB device number 2 using xhci_hcd",
                "[    1.0] VIRT/TDX: BIOS enabled: private KeyID range [32, 64)",
                "[    1.1] kvm: tdx is mentioned here without a colon",
                "[    2.0] Seamcall (0x22) failed: 0xc000050500000000"));
    assertEquals(List.of(2, 4), t.evidence().stream().map(LogLine::line).toList());
  }
}
