package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.RealMaps;

/**
 * {@code tdmr fix --for greedy} (the default) on canonical/tdx#135: the kernel's TDMR [0, 2G) needs
 * 17 holes and 1 PAMT piece; giving up the 4 KiB islands 0x64158000 and 0x6f7ff000 leaves 15 holes
 * and the PAMT piece, 16 of 16 (derived in MemoryWhatIfTest and GiveUpSearchTest).
 */
class FixForGreedyCommandTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  @Test
  void theRunningKernelNeedsTwoPages() {
    CliRun run = CliRun.of("fix", EMR_135);
    assertEquals(0, run.exit(), run.err());
    String flat = run.flatOut();
    assertTrue(flat.contains("virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."), flat);
    assertTrue(flat.contains("Give up 8 KiB of TDX memory in 2 ranges (OPTIMAL: proven the least"), flat);
    assertTrue(run.out().contains("\n  memmap=4K$0x64158000 memmap=4K$0x6f7ff000\n"), run.out());
    assertTrue(run.out().contains("GRUB_CMDLINE_LINUX_DEFAULT=\"... memmap=4K\\\\\\$0x64158000 memmap=4K\\\\\\$0x6f7ff000\""), run.out());
    assertTrue(flat.contains("virt/tdx: 8212 KB allocated for PAMT virt/tdx: module initialized"), flat);
    assertTrue(flat.contains("16 of 16 reserved areas used in the tightest TDMR, TDMR [0x0, 0x80000000) (15 holes, 1 PAMT piece)"), flat);
    assertTrue(run.out().contains("tdmr plan " + EMR_135 + " --memmap '4K$0x64158000' --memmap '4K$0x6f7ff000'"), run.out());
  }

  /** The words after "tdmr plan" on the line the fix suggests for checking it. */
  private static String[] suggestedReplay(CliRun fix) {
    String line = fix.out().lines().filter(l -> l.startsWith("  tdmr plan")).findFirst().orElseThrow(
        () -> new AssertionError("no tdmr plan suggested:\n" + fix.out()));
    return line.strip().replace("'", "").split(" ");
  }

  /** Runs the suggested {@code tdmr plan} (without its leading "tdmr"). */
  private static CliRun replay(String[] words) {
    return CliRun.of(java.util.Arrays.copyOfRange(words, 1, words.length));
  }

  /**
   * With 17 areas per TDMR the kernel's TDMR [0, 2G) (17 holes and 1 PAMT piece) needs one area
   * less: giving up one 4 KiB island merges two holes. The suggested replay must ask about 17 areas
   * too: under the default 16 the same boot parameter still fails.
   */
  @Test
  void theSuggestedReplayKeepsTheLimitsOfTheFix() {
    CliRun run = CliRun.of("fix", EMR_135, "--max-rsvd", "17");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.flatOut().contains("Give up 4 KiB of TDX memory in 1 range"), run.out());
    String[] words = suggestedReplay(run);
    assertTrue(String.join(" ", words).contains(" --max-rsvd 17"), String.join(" ", words));
    CliRun replayed = replay(words);
    assertEquals(0, replayed.exit(), replayed.out());
    assertTrue(replayed.out().contains("virt/tdx: module initialized"), replayed.out());
  }

  /** A fix for greedy-fit is replayed by greedy-fit, not by mainline (which fails on it at 12 areas). */
  @Test
  void theSuggestedReplayRunsTheConstructionTheFixWasFor() {
    CliRun run = CliRun.of("fix", EMR_135, "--for", "greedy-fit", "--max-rsvd", "12");
    assertEquals(0, run.exit(), run.err());
    String[] words = suggestedReplay(run);
    String typed = String.join(" ", words);
    assertTrue(typed.contains(" --solver greedy-fit") && typed.contains(" --max-rsvd 12"), typed);
    CliRun replayed = replay(words);
    assertEquals(0, replayed.exit(), replayed.out());
    assertTrue(replayed.out().contains("== greedy-fit: FEASIBLE"), replayed.out());
  }

  /** Dynamic PAMT changes the PAMT sizes: the text and the JSON say it was asked for. */
  @Test
  void dynamicPamtIsNamedInTheTextAndTheJson() throws Exception {
    CliRun run = CliRun.of("fix", EMR_135, "--dpamt");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.flatOut().contains("limits 64 TDMRs, 16 reserved areas per TDMR, Dynamic PAMT, HKID start bit 48"),
        run.out());
    assertTrue(String.join(" ", suggestedReplay(run)).contains(" --dpamt "), run.out());
    JsonNode limits = ProveCommandTest.json(CliRun.of("fix", EMR_135, "--dpamt", "--json")).get("limits");
    assertTrue(limits.get("dynamicPamt").asBoolean(), limits.toString());
    assertEquals(48, limits.get("hkidStartBit").asInt());
    assertEquals(16, limits.get("maxReservedPerTdmr").asInt());
  }

  /**
   * RAM added at 0x5000000000 lies above tdx#285's last CMR, which ends at 0x4070000000: the
   * kernel's TDMR over it holds usable memory outside every CMR (rule E1), so TDH.SYS.CONFIG fails
   * and the kernel prints only "(-5)". The replay says why, and giving that RAM up fixes it.
   */
  @Test
  void aModuleRejectionIsShownWithTheModulesReason() {
    String map = RealMaps.path(RealMaps.CMR_TWICE_285).toString();
    CliRun run = CliRun.of("fix", map, "--memmap", "16G@0x5000000000");
    assertEquals(0, run.exit(), run.err());
    String flat = run.flatOut();
    assertTrue(flat.contains("The kernel's construction fails on this map (replayed): TDH.SYS.CONFIG rejects the kernel's"
        + " layout: TDX_TDMR_OUTSIDE_CMRS"), run.out());
    assertTrue(flat.contains("(rule E1) virt/tdx: module initialization failed (-5)"), run.out());
    assertTrue(run.out().contains("  memmap=16G@0x5000000000 memmap=16G$0x5000000000\n"), run.out());
  }

  @Test
  void theKernelsOwnLinesAreQuotedWhole() {
    CliRun run = CliRun.of("fix", EMR_135);
    assertTrue(run.out().contains("  virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.\n"), run.out());
  }

  @Test
  void jsonIsALayoutCheckAccepts(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("fix", EMR_135, "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = ProveCommandTest.json(run);
    assertEquals("greedy", doc.get("for").asText());
    assertEquals("FIXED", doc.get("status").asText());
    assertEquals("OPTIMAL", doc.get("searchStatus").asText());
    assertEquals("blocks-and-1g-edges", doc.get("giveUpScope").asText());
    assertTrue(doc.get("family").isNull());
    assertEquals(8192, doc.get("giveUpBytes").asLong());
    assertEquals(8192, doc.get("giveUpBoundBytes").asLong());
    assertEquals("memmap=4K$0x64158000", doc.get("memmap").get(0).asText());
    assertEquals("memmap=4K$0x6f7ff000", doc.get("memmap").get(1).asText());
    assertEquals("whole-block", doc.get("giveUp").get(0).get("kind").asText());
    assertEquals("FAILED", doc.get("before").get("status").asText());
    assertEquals("virt/tdx: 8212 KB allocated for PAMT", doc.get("after").get("messages").get(0).asText());
    assertEquals(8409088, doc.get("layout").get("pamtBytes").asLong());

    Path fix = dir.resolve("fix.json");
    Files.writeString(fix, run.out());
    CliRun check = CliRun.of("check", fix.toString(), "--map", EMR_135);
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.flatOut().contains("what-if (the layout document's memmap): memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), check.out());
    assertTrue(check.out().contains("TDX module (TDH.SYS.CONFIG): OK"), check.out());
    assertTrue(check.out().contains("Operating system (holes=memlist, coverage=all): OK"), check.out());
  }

  @Test
  void aKernelWithTheCmrHolesPatchNeedsNothing() {
    CliRun run = CliRun.of("fix", EMR_135, "--for", "greedy-cmr");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Nothing to give up: the kernel's construction succeeds on this map"), run.out());
    assertTrue(run.out().contains("virt/tdx: 8212 KB allocated for PAMT"), run.out());
  }

  @Test
  void holesCmrAloneMeansTheCmrHolesKernel() {
    assertTrue(CliRun.of("fix", EMR_135, "--holes", "cmr").out().contains("Fix for a kernel with the CMR-holes patch (--for greedy-cmr)"));
  }

  @Test
  void contradictoryOrUnknownTargetsAreUsageErrors() {
    CliRun both = CliRun.of("fix", EMR_135, "--for", "greedy", "--holes", "cmr");
    assertEquals(2, both.exit());
    assertTrue(both.err().contains("--for greedy-cmr"), both.err());
    CliRun unknown = CliRun.of("fix", EMR_135, "--for", "cpsat");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("--for cpsat: expected greedy, greedy-cmr"), unknown.err());
  }

  @Test
  void noAreaAtAllCannotBeBought() {
    CliRun run = CliRun.of("fix", EMR_135, "--max-rsvd", "0");
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.flatOut().contains("Giving up memory does not help"), run.out());
  }

  /**
   * With one island already reserved by the what-if, TDMR [0, 2G) has 16 holes and its PAMT piece:
   * the other 4 KiB island is enough. The fix holds only with the what-if's parameter too, so the
   * boot parameters and the document's memmap carry both, and check replays them on the bare map.
   */
  @Test
  void aWhatIfIsAppliedBeforeTheSearch(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("fix", EMR_135, "--memmap", "4K$0x64158000", "--json");
    JsonNode doc = ProveCommandTest.json(run);
    assertEquals(4096, doc.get("giveUpBytes").asLong());
    assertEquals("0x6f7ff000", doc.at("/giveUp/0/start").asText());
    assertEquals("[\"memmap=4K$0x64158000\"]", doc.get("whatIfMemmap").toString());
    assertEquals("[\"memmap=4K$0x64158000\",\"memmap=4K$0x6f7ff000\"]", doc.get("memmap").toString());

    Path fix = dir.resolve("fix.json");
    Files.writeString(fix, run.out());
    CliRun check = CliRun.of("check", fix.toString(), "--map", EMR_135);
    assertEquals(0, check.exit(), check.out() + check.err());

    CliRun text = CliRun.of("fix", EMR_135, "--cmdline", "BOOT_IMAGE=/vmlinuz ro memmap=4K$0x64158000 quiet");
    assertTrue(text.out().contains("Kernel command line (the what-if's parameter, then the new one):\n"
        + "  memmap=4K$0x64158000 memmap=4K$0x6f7ff000\n"), text.out());
    assertTrue(text.out().contains("GRUB_CMDLINE_LINUX_DEFAULT=\"... memmap=4K\\\\\\$0x64158000 memmap=4K\\\\\\$0x6f7ff000\""),
        text.out());
  }
}
