package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tdmr.parse.RealMaps;

/** The command line as a whole: help with examples, 80 columns, no colour when piped, next steps. */
class CliPolishTest {

  @Test
  void everySubcommandHelpHasExamplesAndFitsEightyColumns() {
    CommandLine root =
        TdmrCommand.commandLine(new java.io.ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()));
    assertFalse(root.getSubcommands().isEmpty());
    for (String name : root.getSubcommands().keySet()) {
      CliRun run = CliRun.of(name, "--help");
      assertEquals(0, run.exit(), name + ": " + run.err());
      assertTrue(run.out().contains("Examples:"), name + " --help has examples:\n" + run.out());
      for (String line : run.out().split("\n")) {
        assertTrue(line.length() <= 80, name + " --help line of " + line.length() + " columns: " + line);
      }
      // Each example is one line as written: picocli would break a longer one and start the rest of
      // it in column 0, where it reads as a command of its own.
      for (String example : root.getSubcommands().get(name).getCommandSpec().usageMessage().footer()) {
        assertTrue(example.length() <= 80, name + " --help example of " + example.length() + " columns: " + example);
      }
    }
  }

  @Test
  void pipedOutputHasNoColourCodes() {
    // Tests run with standard output captured, as when piped: no escape sequences.
    CliRun run = CliRun.of("plan");
    assertFalse(run.out().contains("\u001b["), run.out());
  }

  @Test
  void failedGreedySaysWhatToRunNext() {
    CliRun run = CliRun.of("plan");
    assertEquals(1, run.exit());
    assertTrue(run.out().contains("\nNext\n"), run.out());
    assertTrue(run.out().contains("    tdmr plan --solver cpsat\n"), run.out());
    assertTrue(run.out().contains("    tdmr plan --holes cmr\n"), run.out());
    assertTrue(run.out().contains("    tdmr render --solver greedy,cpsat -o layout.html\n"), run.out());
    // The operator's question first: what the running kernel needs (issue #13).
    String next = run.out().substring(run.out().indexOf("\nNext\n"));
    assertTrue(next.startsWith("\nNext\n  What to give up (memmap= boot parameters) so that the running kernel's"
        + " construction succeeds:\n    tdmr fix\n"), next);
  }

  @Test
  void aLayoutTheKernelDoesNotBuildStillPointsToTheKernelsFix() {
    // CP-SAT and the CMR-holes kernel find layouts of #135; the stock kernel still fails, and fix says what it needs.
    CliRun run = CliRun.of("plan", "--solver", "greedy,greedy-cmr,cpsat");
    assertEquals(0, run.exit(), run.err());
    String next = run.out().substring(run.out().indexOf("\nNext\n"));
    assertTrue(next.contains("\n    tdmr fix\n"), next);
    assertFalse(next.contains("--for greedy-cmr"), next);
    assertFalse(next.contains("tdmr plan --solver cpsat"), next);
  }

  @Test
  void aFailedCmrHolesKernelGetsItsOwnFix() {
    // With 2 areas the CMR-holes kernel's TDMR [0, 2G) needs 3 ([0, 1M), the tail, its PAMT).
    CliRun run = CliRun.of("plan", "--solver", "greedy-cmr", "--max-rsvd", "2");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("a CMR-holes kernel's construction succeeds:\n    tdmr fix --max-rsvd 2 --for greedy-cmr\n"),
        run.out());
  }

  @Test
  void nextStepsKeepTheLimitsAndPolicyOfTheRun() {
    // With 15 areas CP-SAT proves the bundled map infeasible in the kernel family; the suggestions
    // must ask the same question.
    CliRun run = CliRun.of("plan", "--solver", "greedy,cpsat", "--max-rsvd", "15", "--pamt", "any", "--family", "kernel");
    assertEquals(1, run.exit());
    assertTrue(run.out().contains("    tdmr render --max-rsvd 15 --pamt any --family kernel --solver greedy,cpsat"
        + " -o layout.html\n"), run.out());
  }

  @Test
  void nextStepsKeepAKeyIdStartBitThatIsNotTheDefault() {
    // The QEMU map's memory runs to 17 GiB on 4 nodes; KeyIDs from bit 33 leave only addresses below
    // 2^33 = 8 GiB to TDMRs, so the kernel's TDMR [0x140000000, 0x240000000) (node 1) fails rule B5.
    // Without --hkid-start-bit 33 the suggested fix would ask about bit 52, where the kernel succeeds.
    String qemu = RealMaps.path(RealMaps.QEMU_4NUMA).toString();
    CliRun run = CliRun.of("plan", qemu, "--hkid-start-bit", "33");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("PAMT entries 16/16/16 B, HKID start bit 33\n"), run.out());
    assertTrue(run.out().contains("\n    tdmr fix " + qemu + " --hkid-start-bit 33\n"), run.out());
    assertTrue(run.out().contains("\n    tdmr plan " + qemu + " --hkid-start-bit 33 --holes cmr\n"), run.out());
    // With --dpamt the bit 48 it implies is not repeated; another bit is.
    CliRun dpamt = CliRun.of("plan", qemu, "--dpamt", "--hkid-start-bit", "52");
    assertEquals(1, dpamt.exit(), dpamt.err());
    assertTrue(dpamt.out().contains("\n    tdmr fix " + qemu + " --dpamt --hkid-start-bit 52\n"), dpamt.out());
    CliRun implied = CliRun.of("plan", "--dpamt", "--max-rsvd", "2");
    assertTrue(implied.out().contains("\n    tdmr fix --max-rsvd 2 --dpamt\n"), implied.out());
    // Several hosts: the summary's fix column asks the same question.
    CliRun two = CliRun.of("plan", qemu, qemu, "--hkid-start-bit", "33", "--jobs", "1");
    assertTrue(two.out().contains("tdmr fix " + qemu + " --hkid-start-bit 33"), two.out());
  }

  @Test
  void theSuggestedOptimiserAsksTheCoverageOfTheRun() {
    // The QEMU map's 5 blocks need 5 TDMRs of the kernel; at 1 it fails. The run asked coverage max:
    // the optimiser suggested must be asked the same, as the picture is.
    String qemu = RealMaps.path(RealMaps.QEMU_4NUMA).toString();
    CliRun run = CliRun.of("plan", qemu, "--max-tdmrs", "1", "--coverage", "max");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("\n    tdmr plan " + qemu + " --max-tdmrs 1 --coverage max --solver cpsat\n"), run.out());
  }

  @Test
  void aCmrHolesKernelShownToFailIsNotSuggested() {
    // The QEMU map's blocks [1M, 0xbffdf000), [4G, 5G) on node 0 and one per node 1-3 each end past
    // the TDMR before: 5 TDMRs whatever the holes are taken from, so at 1 the CMR-holes kernel fails
    // too, as the explanation says; asking about it again is no next step.
    String qemu = RealMaps.path(RealMaps.QEMU_4NUMA).toString();
    CliRun run = CliRun.of("plan", qemu, "--max-tdmrs", "1", "--coverage", "max");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().contains("With --holes cmr (holes from the CMRs) the construction fails too"), run.out());
    assertFalse(run.out().contains("--holes cmr\n"), run.out());
    assertFalse(run.out().contains("Would a kernel that takes holes from the CMRs succeed?"), run.out());
  }

  @Test
  void nextStepsKeepTheFamilyOfTheRun() {
    // The kernel family at 1 TDMR and 1 area per TDMR: the kernel fails; the picture asked for must
    // show the kernel family's layouts, the question this run asked, not the default module family's.
    CliRun run = CliRun.of("plan", "--solver", "greedy,cpsat", "--family", "kernel", "--max-tdmrs", "1",
        "--max-rsvd", "1", "--time-limit", "30");
    assertTrue(run.out().contains("    tdmr render --max-tdmrs 1 --max-rsvd 1 --family kernel --solver greedy,cpsat"
        + " -o layout.html\n"), run.out());
  }

  @Test
  void paddingBoughtForLocalityPointsToTheLeastPamt() {
    // The QEMU map at one TDMR, coverage max, node-local: the optimum (README, "PAMT padding") has
    // no remote PAMT, so its one TDMR holds no memory (any TDMR holding memory of one node leaves
    // another node's memory to PAMT that describes it remotely) and its three levels, padded, fill
    // all 17 178 685 440 bytes of TDX memory ([1 MiB, 0xbffdf000) and [4 GiB, 17 GiB)). Its 1 GiB
    // TDMR requires 4 MiB (4K level) + 8 KiB (2M level) + 4 KiB (1G level, 16 bytes rounded up)
    // = 4 206 592 bytes, so 17 178 685 440 - 4 206 592 = 17 174 478 848 bytes (15.99 GiB) are
    // padding, more than it requires: the answer says why and how to ask for the least PAMT.
    String qemu = RealMaps.path(RealMaps.QEMU_4NUMA).toString();
    CliRun run = CliRun.of("plan", qemu, "--solver", "cpsat", "--coverage", "max", "--max-tdmrs", "1");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("  of it padding: 17174478848 bytes (15.99 GiB)"), run.out());
    assertTrue(run.out().contains("cpsat's layout pads its PAMT by 15.99 GiB, more than its TDMRs require, either because the limits"),
        run.out());
    assertTrue(run.out().contains("\n    tdmr plan " + qemu + " --max-tdmrs 1 --coverage max --solver cpsat --pamt any\n"),
        run.out());
  }

  @Test
  void paddingOnOneNodeIsNotBlamedOnLocality(@TempDir Path dir) throws IOException {
    // One node, TDX memory [1 MiB, 100 MiB), [110 MiB, 130 MiB), [140 MiB, 1 GiB): TDMR [0, 1 GiB)
    // must reserve the three gaps [0, 1 MiB), [100 MiB, 110 MiB), [130 MiB, 140 MiB), and 2 areas
    // are allowed, so PAMT must fill an island exactly to merge the gaps on its sides. The cheapest
    // is all three levels filling [110 MiB, 130 MiB): 20 MiB = 20 971 520 bytes, of which
    // 20 971 520 - (4 MiB + 8 KiB + 4 KiB) = 16 764 928 bytes are padding, more than the TDMR
    // requires. All memory is on node 0, so no layout has remote PAMT: the padding buys no
    // locality, --pamt any answers the same, and Next must not say otherwise.
    Path map = dir.resolve("one-node.json");
    Files.writeString(map, "{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x6400000\", \"node\": 0},"
        + " {\"start\": \"0x6e00000\", \"end\": \"0x8200000\", \"node\": 0},"
        + " {\"start\": \"0x8c00000\", \"end\": \"0x40000000\", \"node\": 0}]}");
    CliRun run = CliRun.of("plan", map.toString(), "--solver", "cpsat", "--max-rsvd", "2");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("PAMT total: 20971520 bytes"), run.out());
    assertTrue(run.out().contains("  of it padding: 16764928 bytes (15.99 MiB)"), run.out());
    assertFalse(run.out().contains("node-local ranks remote PAMT"), run.out());
    assertFalse(run.out().contains("--pamt any"), run.out());
  }

  @Test
  void suggestedCommandsQuoteAFileNameTheShellWouldSplit(@TempDir Path dir) throws IOException {
    // The #135 log saved as "my host's log.txt": the kernel's construction fails on it, so plan's
    // Next lists fix, plan and render on that file, and diagnose lists fix. Pasted, each must name
    // the one file: the name in single quotes, its quote written '\''.
    Path log = dir.resolve("my host's log.txt");
    Files.copy(RealMaps.path(RealMaps.EMR_135), log);
    String quoted = "'" + dir.resolve("my host").toString().replace("'", "'\\''") + "'\\''s log.txt'";
    CliRun plan = CliRun.of("plan", log.toString());
    assertEquals(1, plan.exit(), plan.err());
    assertTrue(plan.out().contains("\n    tdmr fix " + quoted + "\n"), plan.out());
    assertTrue(plan.out().contains("\n    tdmr plan " + quoted + " --solver cpsat\n"), plan.out());
    assertTrue(plan.out().contains("\n    tdmr render " + quoted + " --solver greedy,cpsat -o layout.html\n"), plan.out());
    CliRun diagnose = CliRun.of("diagnose", log.toString());
    assertTrue(diagnose.out().contains("tdmr fix " + quoted), diagnose.out());
  }

  @Test
  void aLayoutNeedsNoNextSteps() {
    CliRun run = CliRun.of("plan", "--holes", "cmr");
    assertEquals(0, run.exit(), run.err());
    assertFalse(run.out().contains("\nNext\n"), run.out());
  }

  @Test
  void colourIsOnlyUsedWhenAsked() {
    Terminal plain = new Terminal(false);
    assertEquals("FAILED", plain.bad("FAILED"));
    Terminal colour = new Terminal(true);
    assertEquals("\u001b[1;31mFAILED\u001b[0m", colour.bad("FAILED"));
    assertEquals(
        new String("x".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
        Terminal.detect(true).bad("x"), "--no-color always wins");
  }
}
