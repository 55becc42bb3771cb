package tdmr.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.triage.TdxLogTriageTest.log;
import static tdmr.triage.TdxLogTriageTest.realLog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.mem.LogLine;

/**
 * Verdicts only on evidence: "TDX is not enabled in the BIOS" needs TME reported off or the boot's
 * first lines on an Intel CPU; "no attempt" needs the boot to have gone on; kvm_intel.tdx=1 is
 * advised only when the command line lacks it. The kernel's own lines are quoted from its sources
 * (arch/x86/kernel/cpu/intel.c, arch/x86/virt/vmx/tdx/tdx.c, init/main.c).
 */
class BootEvidenceTest {
  private static boolean says(List<String> sentences, String fragment) {
    return sentences.stream().anyMatch(s -> s.contains(fragment));
  }

  private static final String INTEL_CPU =
      "[    0.210000] smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480C (family: 0x6, model: 0x8f, stepping: 0x8)";

  /** The AMD desktop's log (e820 and DMI lines only) says nothing about its CPU: no verdict on the BIOS. */
  @Test
  void aLogWithoutTdxLinesOrACpuLineIsNotBlamedOnTheBios() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("e820-desktop-amd-ryzen-asrock-x570-80GiB-linuxhw.txt"));
    assertEquals(Outcome.NO_TDX_LINES, t.outcome());
    assertTrue(says(t.whatHappened(), "does not say which CPU it ran on"), t.whatHappened().toString());
    assertFalse(t.outcome().summary().contains("BIOS"));
  }

  /** The same e820 with the CPU line such a machine prints: another maker's CPU, TDX does not apply. */
  @Test
  void anAmdCpuIsNotAnIntelTdxHost() throws Exception {
    List<LogLine> lines = new ArrayList<>(realLog("e820-desktop-amd-ryzen-asrock-x570-80GiB-linuxhw.txt"));
    lines.add(new LogLine(lines.size() + 1,
        "[    0.184000] smpboot: CPU0: AMD Ryzen 9 3900X 12-Core Processor (family: 0x17, model: 0x71, stepping: 0x0)"));
    Triage t = TdxLogTriage.of("dmesg.txt", lines);
    assertEquals(Outcome.NOT_INTEL_CPU, t.outcome());
    assertEquals("AMD", t.boot().vendor().orElseThrow().name());
    assertTrue(says(t.whatHappened(), "AMD CPU"), t.whatHappened().toString());
  }

  /** The Google VM's log: "Hypervisor detected: KVM" (line 16). */
  @Test
  void aVirtualMachineIsNotAHost() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", realLog("e820-vm-gce-google-3.75GiB-datalab-878.txt"));
    assertEquals(Outcome.VIRTUAL_MACHINE, t.outcome());
    assertEquals(16, t.boot().hypervisor().orElseThrow().line());
    assertFalse(says(t.whatToDo(), "BIOS"), t.whatToDo().toString());
  }

  @Test
  void tmeOffInTheBiosIsEvidence() throws Exception {
    // detect_tme_early(): pr_info_once("x86/tme: not enabled by BIOS\n") on a CPU with TME whose
    // BIOS did not activate it; no TDX line follows.
    Triage t = TdxLogTriage.of("dmesg.txt", log("[    0.000000] x86/tme: not enabled by BIOS"));
    assertEquals(Outcome.NOT_ENABLED_IN_BIOS, t.outcome());
    assertTrue(says(t.whatHappened(), "x86/tme: not enabled by BIOS"), t.whatHappened().toString());
  }

  @Test
  void aRotatedRingBufferWithoutTdxLinesSaysWhatIsMissing() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log(INTEL_CPU, "[ 3000.1] usb 1-1: new high-speed USB device number 2 using xhci_hcd"));
    assertEquals(Outcome.NO_TDX_LINES, t.outcome());
    assertTrue(says(t.whatHappened(), "lacks the boot's first lines"), t.whatHappened().toString());
    assertTrue(says(t.whatToDo(), "journalctl -k -b"), t.whatToDo().toString());
  }

  @Test
  void noAttemptOnlyWhenTheBootWentOn() throws Exception {
    // init/main.c: "Run %s as init process" once the kernel hands over to user space.
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1004-intel root=/dev/sda2 ro nohibernate",
        "[    1.500000] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[    4.000000] Run /init as init process"));
    assertEquals(Outcome.NOT_ATTEMPTED, t.outcome());
    assertTrue(says(t.whatHappened(), "line 3: Run /init as init process"), t.whatHappened().toString());
    // The command line lacks kvm_intel.tdx=1: advise it, naming the line that shows it is missing.
    assertTrue(says(t.whatToDo(), "this kernel's command line (line 1) does not set it: boot with kvm_intel.tdx=1"),
        t.whatToDo().toString());
  }

  @Test
  void kvmIntelTdxAlreadySetIsNotAdvisedAgain() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1004-intel root=/dev/sda2 ro kvm_intel.tdx=1 nohibernate",
        "[    1.500000] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[    4.000000] Run /init as init process"));
    assertEquals(Outcome.NOT_ATTEMPTED, t.outcome());
    assertTrue(says(t.whatToDo(), "The kernel booted with kvm_intel.tdx=1 (line 1)"), t.whatToDo().toString());
    assertFalse(says(t.whatToDo(), "boot with kvm_intel.tdx=1"), t.whatToDo().toString());
  }

  @Test
  void withoutACommandLineTheAdviceSaysToCheckFirst() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log("[    1.5] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[    4.0] Run /init as init process"));
    assertTrue(says(t.whatToDo(), "unless /proc/cmdline already has kvm_intel.tdx=1"), t.whatToDo().toString());
  }

  @Test
  void aModuleWithoutNoRbpModIsRefusedAsTooOld() throws Exception {
    // The lines a user posted (lore, 2024-05-23) from Kai Huang's check: the module lacks
    // NO_RBP_MOD, the kernel prints its version ("verson" sic) and fails with -EINVAL.
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[  146.566641] virt/tdx: NO_RBP_MOD feature is not supported",
        "[  146.572797] virt/tdx: module verson: 1.5.0.0",
        "[  146.577731] virt/tdx: module initialization failed (-22)"));
    assertEquals(Outcome.MODULE_TOO_OLD, t.outcome());
    assertEquals(Optional.of("1.5.0.0"), t.moduleVersion());
    assertEquals(OptionalInt.of(-22), t.errno());
    // No version number: which release first has NO_RBP_MOD is not in the log, and a number would be a guess.
    assertTrue(says(t.whatToDo(), "a release that has the NO_RBP_MOD feature"), t.whatToDo().toString());
  }

  @Test
  void theVersionLineOfNewerKernelsIsRead() throws Exception {
    // "virt/tdx: TDX module version: 1.5.24" (the version patch's example output).
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[   20.0] virt/tdx: TDX module version: 1.5.24",
        "[   21.0] virt/tdx: 1034220 KB allocated for PAMT",
        "[   21.0] virt/tdx: module initialized"));
    assertEquals(Outcome.INITIALIZED, t.outcome());
    assertEquals(Optional.of("1.5.24"), t.moduleVersion());
    assertEquals(OptionalInt.of(5), t.moduleMinor());
  }

  @Test
  void theCpuLineNamesTheVendor() throws Exception {
    BootLog boot = BootLog.scan(log(INTEL_CPU));
    assertEquals("Intel", boot.vendor().orElseThrow().name());
    assertEquals("Intel(R) Xeon(R) Platinum 8480C", boot.cpu().orElseThrow().text());
    // "kvm_intel: VMX not supported" is an AMD machine refusing kvm_intel: no Intel evidence.
    assertTrue(BootLog.scan(log("[ 5.0] kvm_intel: VMX not supported by CPU 0")).vendor().isEmpty());
  }

  /**
   * A laptop's boot (smpboot's line for a client CPU, from arch/x86/kernel/smpboot.c's format) with
   * its first lines and no TDX line: its CPU has no TDX, so nothing about its BIOS follows.
   */
  @Test
  void anIntelClientCpuIsNotBlamedOnTheBios() throws Exception {
    Triage t = TdxLogTriage.of("dmesg.txt", log(
        "[    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075)",
        "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable",
        "[    0.190000] smpboot: CPU0: 12th Gen Intel(R) Core(TM) i7-1260P (family: 0x6, model: 0x9a, stepping: 0x3)",
        "[    2.000000] Run /init as init process"));
    assertEquals(Outcome.NO_TDX_LINES, t.outcome());
    assertTrue(says(t.whatHappened(), "is an Intel client processor"), t.whatHappened().toString());
    assertFalse(says(t.whatHappened(), "BIOS"), t.whatHappened().toString());
    assertFalse(says(t.whatToDo(), "BIOS"), t.whatToDo().toString());
    // The same boot on a Xeon is evidence: TDX is off in the BIOS.
    Triage xeon = TdxLogTriage.of("dmesg.txt", log(
        "[    0.000000] Linux version 6.8.0-1004-intel (buildd@lcy02-amd64-075)",
        "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable",
        INTEL_CPU,
        "[    2.000000] Run /init as init process"));
    assertEquals(Outcome.NOT_ENABLED_IN_BIOS, xeon.outcome());
    // An engineering sample names no model; it may be a TDX part.
    assertFalse(BootLog.scan(log("[ 0.2] smpboot: CPU0: Genuine Intel(R) CPU 0000%@ (family: 0x6, model: 0xcf)"))
        .isIntelClientCpu());
  }
}
