package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.RealMaps;

/** {@code --memmap} and {@code --cmdline} on plan, render, diagnose, map: the kernel replayed on its own parameters. */
class WhatIfOptionsTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  /** canonical/tdx#135 with the two pages reserved: 15 holes and 1 PAMT piece, 8212 KB (see MemoryWhatIfTest). */
  @Test
  void planWithTheFixSucceedsWithTheKernelsMessages() {
    CliRun run = CliRun.of("plan", EMR_135, "--memmap", "4K$0x64158000", "--memmap", "4K$0x6f7ff000");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("== greedy: FEASIBLE"), run.out());
    assertTrue(run.out().contains("\nvirt/tdx: 8212 KB allocated for PAMT\nvirt/tdx: module initialized\n"), run.out());
    assertTrue(run.out().contains("0  [0x0, 0x80000000)  2 GiB     0     16/16"), run.out());
  }

  /**
   * A plan built on a what-if is checked on the same what-if: the layout of the map with the two
   * pages reserved leaves [0x64158000, 0x64159000) out of every TDMR's usable memory, which is
   * right when that page is reserved and a coverage failure (rule O1) when it is TDX memory.
   */
  @Test
  void checkReplaysThePlansWhatIf(@TempDir Path dir) throws Exception {
    CliRun plan = CliRun.of("plan", EMR_135, "--memmap", "4K$0x64158000", "--memmap", "4K$0x6f7ff000", "--json");
    assertEquals(0, plan.exit(), plan.err());
    JsonNode doc = ProveCommandTest.json(plan);
    assertEquals("memmap=4K$0x64158000", doc.get("memmap").get(0).asText());
    assertEquals("memmap=4K$0x6f7ff000", doc.get("memmap").get(1).asText());
    Path layout = Files.writeString(dir.resolve("plan.json"), plan.out());

    CliRun check = CliRun.of("check", layout.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.flatOut().contains("what-if (the layout document's memmap): memmap=4K$0x64158000 memmap=4K$0x6f7ff000"),
        check.out());

    // Without the what-if the reserved page is TDX memory that the layout leaves uncovered.
    Path bare = Files.writeString(dir.resolve("bare.json"), plan.out().replaceFirst(
        "\"memmap\": \\[[^\\]]*\\]", "\"memmap\": []"));
    CliRun unreplayed = CliRun.of("check", bare.toString());
    assertEquals(1, unreplayed.exit(), unreplayed.out());
    assertTrue(unreplayed.flatOut().contains("TDX memory [0x64158000, 0x64159000) (4 KiB) is in no TDMR's usable memory"),
        unreplayed.out());

    // Without a what-if the document says so with an empty list.
    assertEquals(0, ProveCommandTest.json(CliRun.of("plan", EMR_135, "--holes", "cmr", "--json")).get("memmap").size());
  }

  @Test
  void cmdlineReadsEveryMemmapInIt() {
    CliRun run = CliRun.of("plan", EMR_135, "--cmdline",
        "BOOT_IMAGE=/vmlinuz ro quiet memmap=4K$0x64158000 kvm_intel.tdx=1 memmap=4K\\$0x6f7ff000");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.flatOut().contains("what-if (--cmdline): memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), run.out());
  }

  @Test
  void oneOfThePagesIsNotEnough() {
    CliRun run = CliRun.of("plan", EMR_135, "--memmap", "4K$0x64158000");
    assertEquals(1, run.exit());
    assertTrue(run.out().contains("reserved areas exhausted"), run.out());
  }

  @Test
  void badValuesNameTheOptionAndExitTwo() {
    CliRun run = CliRun.of("plan", EMR_135, "--memmap", "4X$0x64158000");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--memmap: memmap=4X$0x64158000: unexpected 'X$0x64158000' after the size"), run.err());
    CliRun shell = CliRun.of("plan", EMR_135, "--memmap", "4Kbashx64158000");
    assertEquals(2, shell.exit());
    assertTrue(shell.err().contains("did the shell expand $0?"), shell.err());
    CliRun cmdline = CliRun.of("render", EMR_135, "-o", "/tmp/x.svg", "--cmdline", "mem=0");
    assertEquals(2, cmdline.exit());
    assertTrue(cmdline.err().contains("--cmdline: mem=0: not a memory size"), cmdline.err());
    CliRun empty = CliRun.of("plan", EMR_135, "--cmdline", "mem=1M");
    assertEquals(2, empty.exit());
    assertTrue(empty.err().contains("no TDX memory is left"), empty.err());
  }

  @Test
  void mapShowsTheReplayedTable() {
    CliRun run = CliRun.of("map", EMR_135, "--memmap", "4K$0x64158000");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.flatOut().contains("15 blocks"), run.out());
    assertTrue(run.flatOut().contains("gap [0x63d58000, 0x64195000)"), run.out());
    // The kernel's own table then: the reserved page joins the reserved entries on both sides
    // (0x63d58000-0x64157fff and 0x64159000-0x64194fff in the log) into one, as e820__update_table does.
    assertTrue(run.out().contains("\n  user: [mem 0x0000000063d58000-0x0000000064194fff] reserved\n"), run.out());
    assertTrue(run.out().contains("\n  user: [mem 0x0000000063a25000-0x0000000063d57fff] usable\n"), run.out());
    assertTrue(run.out().contains("\n  user: [mem 0x0000000064195000-0x000000006e9cefff] usable\n"), run.out());
    assertFalse(CliRun.of("map", EMR_135).out().contains("user:"));
  }
}
