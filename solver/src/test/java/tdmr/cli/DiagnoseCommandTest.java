package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/**
 * {@code tdmr diagnose} on the real host logs, checked against what the logs themselves say (see
 * TdxLogTriageTest for the decoding) and against the exit-status contract: 0 up, 1 not up, 2 bad input.
 */
class DiagnoseCommandTest {
  private static String real(String name) {
    return RealMaps.path(name).toString();
  }

  @Test
  void onAnEightyColumnTerminalEveryLineFits() throws Exception {
    String log = real(RealMaps.SEAMCALL_331);
    String text = java.nio.file.Files.readString(java.nio.file.Path.of(log));
    tdmr.triage.Triage triage = tdmr.triage.TdxLogTriage.of(log, tdmr.parse.TextLines.of(log, text));
    Diagnosis d = new Diagnosis(log, java.util.List.of(), triage, new Diagnosis.MapInLog(java.util.Optional.empty(),
        java.util.Optional.empty()), java.util.List.of(), triage.whatToDo());
    String out = new DiagnosisText(new Terminal(false, Prose.WIDTH)).render(d);
    // Every line but the one naming the (long) log path fits an 80-column terminal.
    assertTrue(out.lines().filter(l -> !l.startsWith("Log: ")).allMatch(l -> l.length() <= 80), "fits 80 columns:\n" + out);
    assertTrue(out.contains("SEAMCALL"), out);
  }

  @Test
  void seamcallFailureIsDecodedAndNotBlamedOnTheLayout() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.SEAMCALL_331));
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().startsWith("TDX did not come up: the TDX module refused a SEAMCALL."), run.out());
    assertTrue(run.out().contains("0x22 = TDH.SYS.RD"), run.out());
    assertTrue(run.out().contains("0xc000050500000000 ="), run.out());
    assertTrue(run.out().contains("TDX_SYS_NOT_READY"), run.out());
    assertTrue(run.out().contains("0x9100000100000008 = MAX_TDMRS"), run.out());
    assertTrue(run.out().contains("This is not a memory-layout problem"), run.out());
    assertFalse(run.out().contains("Layout analysis"), run.out());
    // Into a pipe each sentence stays on one line.
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("  So the kernel could not even read the module's limits:")
        && l.endsWith("older than this kernel expects.")), run.out());
  }

  @Test
  void failureLogWithoutAMapSaysWhichLinesToCollect() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.GNR_415_NO_MAP));
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("TDMR [0x40000000, 0x80000000)"), run.out());
    assertTrue(run.out().contains("no memory map in this input"), run.out());
    assertTrue(run.out().contains("journalctl -k -b"), run.out());
    assertTrue(run.out().contains("BIOS-e820:"), run.out());
    assertTrue(run.out().contains("virt/tdx: CMR:"), run.out());
  }

  @Test
  void successExitsZero() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.CMR_TWICE_285));
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("TDX came up."), run.out());
    assertTrue(run.out().contains("1050636 KB"), run.out());
  }

  @Test
  void loggedPamtMatchesTheReplayOnTheLogsCmrs() {
    // canonical/tdx#285 logs 1050636 KB. Its CMRs give the kernel's TDMRs [0, 2G), [4G, 130G),
    // [130G, 258G) of 2, 126 and 128 GiB; a TDMR of N GiB costs 4104 N + 4 KiB of PAMT
    // (PamtSizing), so 8212 + 517108 + 525316 = 1050636 KB: a match.
    CliRun run = CliRun.of("diagnose", real(RealMaps.CMR_TWICE_285));
    assertEquals(0, run.exit(), run.err());
    // The log has no RAM lines, so the match supports the CMRs-as-memory reading; it proves nothing more.
    assertTrue(run.flatOut().contains("The logged 1050636 KiB of PAMT is what the kernel's construction gives when the"
        + " TDX memory is taken to be the CMRs"), run.out());
    assertTrue(run.out().contains("[0x2080000000, 0x4080000000)"), run.out());
  }

  @Test
  void loggedPamtOfATebibyteHostMatchesToo() {
    // canonical/tdx README: 4202516 KBs. TDMRs of 2, 254, 256, 256, 256 GiB (1024 GiB in 5 TDMRs):
    // 4104 * 1024 + 4 * 5 = 4202516 KB.
    CliRun run = CliRun.of("diagnose", real(RealMaps.README_1TIB));
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("The logged 4202516 KiB of PAMT is what the kernel's construction gives"), run.out());
    assertTrue(run.out().contains("5 TDMRs"), run.out());
  }

  @Test
  void reservedAreaFailureIsReplayedOnTheLogsMap() {
    // canonical/tdx#135: the log's e820 below 2.25 GiB gives TDMR [0, 2G) 17 holes, so the replay
    // fails in the same TDMR; with holes from the CMRs ([1M, 0x6f800000) covers them all) it
    // needs only [0, 1M), the tail and its PAMT.
    CliRun run = CliRun.of("diagnose", real(RealMaps.EMR_135));
    assertEquals(1, run.exit(), run.err());
    String flat = run.out().replaceAll("\\s+", " ");
    assertTrue(flat.contains("Replayed on the part of the memory map in this log, the kernel's construction already"
        + " fails the same way"), run.out());
    assertTrue(flat.contains("17 holes"), run.out());
    assertTrue(flat.contains("With --holes cmr"), run.out());
    // A layout within 16 areas exists: TDMRs [0, 1G) and [1G, 2G). Block [1M, 0x5d169000) runs
    // across 1 GiB, so [0, 1G) has one hole, [0, 1M), and room for both PAMT chunks next to it in
    // the same reserved area; [1G, 2G) has the other 15 gaps and the tail [0x6f800000, 2G): 16.
    // PAMT: two 1 GiB TDMRs cost 2 * (4104 + 4) = 8216 KB.
    // The log's e820 stops at 0x90000000 while the CMRs reach 0x407c000000: what holds for these
    // 2.25 GiB is said of them, never of the machine.
    // That optimum is the kernel family's: outside it, one TDMR [0, 2G) with 8212 KiB of PAMT split
    // over islands passes the module (solver/src/test/resources/check/emr-135-one-tdmr-split-pamt.json),
    // so an "optimal" that did not name its family would be false, and the commands suggested to
    // look at it must ask about the same family.
    assertTrue(flat.contains("For the memory in this log, a layout of the kernel family (each TDMR's PAMT one contiguous"
        + " 4K/2M/1G chunk of the kernel's sizes in one memory block) within the module's limits exists (cpsat, optimal in that family"), run.out());
    assertTrue(flat.contains(" 2 TDMRs, at most 16 reserved areas in one TDMR (limit 16), 8216 KiB of PAMT."), run.out());
    assertTrue(flat.contains("--solver greedy,cpsat --family kernel -o layout.html"), run.out());
    assertTrue(flat.contains("--solver cpsat --family kernel"), run.out());
    assertFalse(flat.contains("a layout within the module's limits exists"), run.out());
    assertFalse(flat.contains("The machine can run TDX"), run.out());
  }

  @Test
  void standardInputIsTheDefault() {
    CliRun run = CliRun.withStdin(RealMaps.text(RealMaps.SEAMCALL_331), "diagnose");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("Log: <stdin>"), run.out());
  }

  @Test
  void jsonCarriesTheDecodedFacts() throws Exception {
    CliRun run = CliRun.of("diagnose", "--json", real(RealMaps.SEAMCALL_331));
    assertEquals(1, run.exit(), run.err());
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertEquals("SEAMCALL_FAILED", j.get("outcome").asText());
    assertFalse(j.get("tdxUp").asBoolean());
    assertEquals("0x22", j.at("/seamcall/leaf").asText());
    assertEquals("TDH.SYS.RD", j.at("/seamcall/leafName").asText());
    assertEquals("TDX_SYS_NOT_READY", j.at("/seamcall/statusName").asText());
    assertEquals("MAX_TDMRS", j.at("/seamcall/field").asText());
    assertEquals("0x9100000100000008", j.at("/seamcall/registers/RDX").asText());
    assertEquals(4, j.get("cmrs").size());
    assertEquals(-5, j.get("errno").asInt());
  }

  @Test
  void missingFileIsBadInput() {
    CliRun run = CliRun.of("diagnose", "/nonexistent/dmesg.txt");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("/nonexistent/dmesg.txt: no such file"), run.err());
  }

  @Test
  void emptyInputIsBadInputNotTdxOffInTheBios() {
    // `dmesg | tdmr diagnose` as a normal user pipes nothing; it used to say "TDX is not enabled in
    // the BIOS" and exit 1.
    CliRun run = CliRun.withStdin("", "diagnose", "-");
    assertEquals(2, run.exit(), run.out() + run.err());
    assertTrue(run.err().startsWith("<stdin>: empty input: no kernel log to diagnose"), run.err());
    assertEquals("", run.out());
  }

  @Test
  void aMapThatIsNotALogIsBadInput() {
    CliRun json = CliRun.withStdin("{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x80000000\"}]}\n", "diagnose", "-");
    assertEquals(2, json.exit(), json.out() + json.err());
    assertTrue(json.err().contains("not a kernel log"), json.err());
    CliRun iomem = CliRun.withStdin("00100000-7fffffff : System RAM\n", "diagnose", "-");
    assertEquals(2, iomem.exit(), iomem.out() + iomem.err());
    assertTrue(iomem.err().contains("this is /proc/iomem, not a kernel log"), iomem.err());
  }

  /**
   * canonical/tdx#135, what to do, in order: the memmap= fix for the running kernel (the two 4 KiB
   * islands, see GiveUpSearchTest), a kernel with the CMR-holes patch (succeeds on this map: one
   * TDMR with [0, 1M), the tail and its PAMT), and the best layout as information; the truncated
   * e820 is said before the verdict.
   */
  @Test
  void aFailingHostGetsTheMemmapFixFirst() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.EMR_135));
    String flat = run.flatOut();
    int about = flat.indexOf("About this log");
    int happened = flat.indexOf("What happened");
    assertTrue(about >= 0 && about < happened, run.out());
    assertTrue(flat.contains("The RAM lines end at 0x90000000 (2.25 GiB), far below the CMRs"), run.out());
    int memmap = flat.indexOf("For the running kernel, boot with memmap=4K$0x64158000 memmap=4K$0x6f7ff000: it gives up 8 KiB");
    int cmr = flat.indexOf("Or boot a kernel with the CMR-holes patch");
    int info = flat.indexOf("For information (kernel and module developers)");
    assertTrue(memmap > happened && cmr > memmap && info > cmr, run.out());
    assertTrue(flat.contains("sudo tdmr gather -o host.txt"), run.out());
    assertTrue(run.out().contains("    tdmr plan " + real(RealMaps.EMR_135) + " --memmap '4K$0x64158000' --memmap '4K$0x6f7ff000'\n"),
        run.out());
  }

  @Test
  void aCmrOnlyReportIsNotTakenForTheKernelsMap() {
    // canonical/tdx#285: its logged 1050636 KB matches the CMRs taken as memory, which is
    // consistent, not proof (a CMR-only report has no RAM lines).
    CliRun run = CliRun.of("diagnose", real(RealMaps.CMR_TWICE_285));
    String flat = run.flatOut();
    assertTrue(flat.contains("The log has CMR lines but no RAM lines"), run.out());
    assertTrue(flat.contains("That is consistent with the log, not proof of the map the kernel used."), run.out());
    assertFalse(flat.contains("this map is the one the kernel used"), run.out());
  }

  @Test
  void anAmdDesktopIsNotToldToEnableTdxInItsBios() {
    CliRun run = CliRun.of("diagnose", real("e820-desktop-amd-ryzen-asrock-x570-80GiB-linuxhw.txt"));
    assertEquals(1, run.exit());
    assertTrue(run.out().startsWith("TDX did not come up: the log has no TDX lines."), run.out());
    assertFalse(run.out().contains("TDX is not enabled in the BIOS"), run.out());
  }

  @Test
  void aLogThatStopsShortOfTheEndingDoesNotSayTdxFailed() {
    // The eaglestream log has a pre-upstream kernel's "TDX TDMR[0]: ..." lines, no KeyID line and
    // no "module initialized" or failure line: it does not show how initialization ended.
    CliRun unknownLines = CliRun.of("diagnose", real(RealMaps.EAGLESTREAM));
    assertEquals(1, unknownLines.exit());
    assertTrue(unknownLines.out().startsWith(
        "The log does not show whether TDX came up: its TDX lines do not say how initialization ended.\n"),
        unknownLines.out());
    // The BIOS enabled TDX, then the log ends: nothing shows an attempt, nor the boot going on.
    CliRun ends = CliRun.withStdin("[    1.500000] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n", "diagnose");
    assertEquals(1, ends.exit());
    assertTrue(ends.out().startsWith(
        "The log does not show whether TDX came up: the log ends before TDX initialization.\n"), ends.out());
    // One line that is no kernel line at all: no TDX lines, and no boot's first lines where they would be.
    CliRun excerpt = CliRun.withStdin("[   12.000000] usb 1-1: new high-speed USB device number 2\n", "diagnose");
    assertEquals(1, excerpt.exit());
    assertTrue(excerpt.out().startsWith("The log does not show whether TDX came up: the log has no TDX lines.\n"),
        excerpt.out());
    // The same KeyID line, then the boot going on without an attempt: that the log does show.
    CliRun noAttempt = CliRun.withStdin("[    1.500000] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n"
        + "[    4.000000] Run /init as init process\n", "diagnose");
    assertTrue(noAttempt.out().startsWith("TDX did not come up: the boot went on without an attempt to initialize TDX.\n"),
        noAttempt.out());
  }

  @Test
  void aGuestLogIsNamed() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.TDVF_MEMBLOCK));
    assertTrue(run.out().startsWith("TDX did not come up: this is a TDX guest's log, not a host's."), run.out());
  }

  @Test
  void kvmIntelTdxOnTheCommandLineIsShownAndNotAdvised() {
    String log = String.join("\n",
        "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1004-intel root=/dev/sda2 ro kvm_intel.tdx=1 nohibernate",
        "[    1.500000] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[    4.000000] Run /init as init process", "");
    CliRun run = CliRun.withStdin(log, "diagnose");
    String flat = run.flatOut();
    assertTrue(flat.contains("Command line (line 1): BOOT_IMAGE=/boot/vmlinuz-6.8.0-1004-intel"), run.out());
    assertTrue(flat.contains("The kernel booted with kvm_intel.tdx=1 (line 1)"), run.out());
    assertFalse(flat.contains("boot with kvm_intel.tdx=1"), run.out());
  }

  @Test
  void jsonCarriesTheCompletenessChecks() throws Exception {
    CliRun run = CliRun.of("diagnose", "--json", real(RealMaps.EMR_135));
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertEquals("MAP_CUT_SHORT", j.at("/completeness/0/check").asText());
    assertTrue(j.get("commandLine").isNull());
    assertTrue(j.at("/whatToDo/0").asText().startsWith("For the running kernel, boot with memmap=4K$0x64158000"),
        j.get("whatToDo").toString());
  }

  /**
   * A what-if asks what the same host would do with other boot parameters: with both 4 KiB islands
   * reserved, TDMR [0, 2G) keeps 15 holes and its PAMT piece, 16 of 16, so the failure the log shows
   * is avoided (for the memory the log shows). It is not "the failure lies in memory the log does
   * not show", which is said of the log's own map.
   */
  @Test
  void aWhatIfThatAvoidsTheFailureIsSaidToAvoidIt() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.EMR_135), "--memmap", "4K$0x64158000", "--memmap", "4K$0x6f7ff000");
    assertEquals(1, run.exit(), run.err()); // what happened in the log stays
    String flat = run.flatOut();
    assertTrue(flat.contains("With the what-if (memmap=4K$0x64158000 memmap=4K$0x6f7ff000), the kernel's construction"
        + " replayed on the part of the memory map in this log succeeds (1 TDMR, 16 of 16 reserved areas in the fullest,"
        + " 8212 KiB of PAMT)"), run.out());
    assertTrue(flat.contains("For the running kernel, boot with memmap=4K$0x64158000 memmap=4K$0x6f7ff000 (the what-if)"),
        run.out());
    assertTrue(run.out().contains("GRUB_CMDLINE_LINUX_DEFAULT=\"... memmap=4K\\\\\\$0x64158000 memmap=4K\\\\\\$0x6f7ff000\""),
        run.out());
    assertFalse(flat.contains("the failure lies in memory the log does not show"), run.out());
  }

  /** With one island reserved, 16 holes and the PAMT piece are 17: the other island must go too. */
  @Test
  void aWhatIfThatIsNotEnoughGetsTheRestOnTop() {
    CliRun run = CliRun.of("diagnose", real(RealMaps.EMR_135), "--memmap", "4K$0x64158000");
    String flat = run.flatOut();
    assertTrue(flat.contains("With the what-if (memmap=4K$0x64158000), replayed on the part of the memory map in this"
        + " log, the kernel's construction still fails the same way"), run.out());
    assertTrue(flat.contains("needs 17 reserved areas (16 holes, 1 PAMT piece)"), run.out());
    assertTrue(flat.contains("For the running kernel, boot with memmap=4K$0x64158000 (the what-if) and"
        + " memmap=4K$0x6f7ff000: it gives up 4 KiB more of TDX memory"), run.out());
  }

  /**
   * A kernel log of two boots (journalctl -k without -b) whose e820 tables differ on line 6: which
   * boot's outcome is asked about is the user's to say. diagnose refuses it as map does (exit 2, the
   * file and line, journalctl -k -b 0), and gives no verdict of either boot.
   */
  @Test
  void aLogOfTwoBootsWithDifferentMapsIsRefusedAsMapRefusesIt() {
    String log = String.join("\n",
        "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable",
        "[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000107fffffff] usable",
        "[   10.000000] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[   10.400000] virt/tdx: module initialization failed (-28)",
        "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable",
        "[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000207fffffff] usable",
        "[   10.000000] virt/tdx: BIOS enabled: private KeyID range [64, 128)",
        "[   10.400000] virt/tdx: module initialized", "");
    CliRun map = CliRun.withStdin(log, "map", "-");
    CliRun diagnose = CliRun.withStdin(log, "diagnose", "-");
    assertEquals(2, map.exit(), map.out());
    assertEquals(2, diagnose.exit(), diagnose.out());
    assertEquals("", diagnose.out());
    assertTrue(diagnose.err().contains(":6: e820 entry [0x100000000, 0x2080000000) differs from"
        + " [0x100000000, 0x1080000000) on line 2"), diagnose.err());
    assertTrue(diagnose.err().contains("keep one boot's log, e.g. journalctl -k -b 0"), diagnose.err());
    assertEquals(map.err().replace("tdmr map: ", ""), diagnose.err().replace("tdmr diagnose: ", ""));
  }
}
