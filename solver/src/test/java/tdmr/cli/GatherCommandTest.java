package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tdmr gather --root} on copies of a host's tree (solver/src/test/resources/gather, see the
 * README there), and the bundle read back by map, fix and diagnose.
 */
class GatherCommandTest {
  private static Path tree(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("solver/src/test/resources/gather").resolve(name);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      Path inModule = dir.resolve("src/test/resources/gather").resolve(name);
      if (Files.isDirectory(inModule)) {
        return inModule;
      }
    }
    throw new IllegalStateException("no gather tree " + name);
  }

  private static Path gather(Path dir, String tree) {
    Path bundle = dir.resolve("host.txt");
    CliRun run = CliRun.of("gather", "--root", tree(tree).toString(), "-o", bundle.toString());
    assertEquals(0, run.exit(), run.err());
    return bundle;
  }

  @Test
  void everyPartOfTheHostIsASection(@TempDir Path dir) throws Exception {
    String text = Files.readString(gather(dir, "emr-135-host"));
    assertTrue(text.startsWith("# tdmr gather bundle 1\n"), text);
    for (String part : new String[] {"kernel-log", "proc-iomem", "firmware-memmap", "numa-nodes", "cmdline", "cpu", "tdx-module"}) {
      assertTrue(text.contains("\n### tdmr-gather: " + part + " ("), part);
    }
    assertFalse(text.contains(": missing: "), text);
    // 36 firmware entries; the 14th is the 4 KiB island of canonical/tdx#135.
    assertTrue(text.contains("\n0x0000000064158000 0x0000000064158fff System RAM\n"), text);
    // 18 memory blocks of 128 MiB on node 0, joined.
    assertTrue(text.contains("\nnode 0: [0x0, 0x90000000)\n"), text);
    assertTrue(text.contains("\nvendor_id : GenuineIntel\n"), text);
    assertTrue(text.contains("\nflags (TDX-related) : vmx tme\n"), text);
    assertTrue(text.contains("\nkvm_intel.tdx = Y\n"), text);
  }

  /** {@code -o -} is standard output, as {@code -} is everywhere else, never a file named "-". */
  @Test
  void dashIsStandardOutput(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("host.txt"), "");
    CliRun toFile = CliRun.of("gather", "--root", tree("emr-135-host").toString(), "-o", file.toString());
    CliRun toStdout = CliRun.of("gather", "--root", tree("emr-135-host").toString(), "-o", "-");
    assertEquals(0, toStdout.exit(), toStdout.err());
    // The same bundle but for the time it was collected at.
    assertEquals(Files.readString(file).replaceAll("(?m)^# Collected .*$", ""), toStdout.out().replaceAll("(?m)^# Collected .*$", ""));
    assertFalse(Files.exists(Path.of("-")));
    assertTrue(toStdout.err().contains("Next: tdmr diagnose FILE"), toStdout.err());
  }

  /**
   * The bundle's kernel log has only TDX lines (rotated), so the map comes from the firmware table:
   * the same 16 TDX blocks as the log of canonical/tdx#135, so the same least fix (see
   * GiveUpSearchTest): the two 4 KiB islands.
   */
  @Test
  void theBundleIsOneInputForFix(@TempDir Path dir) throws Exception {
    Path bundle = gather(dir, "emr-135-host");
    CliRun map = CliRun.of("map", bundle.toString());
    assertEquals(0, map.exit(), map.err());
    assertTrue(map.flatOut().contains("TDX memory: 16 blocks"), map.out());
    assertTrue(map.flatOut().contains("RAM from the 36 entries of"), map.out());
    CliRun fix = CliRun.of("fix", bundle.toString(), "--json");
    JsonNode doc = ProveCommandTest.json(fix);
    assertEquals(8192, doc.get("giveUpBytes").asLong());
    assertEquals("memmap=4K$0x64158000", doc.get("memmap").get(0).asText());
    assertEquals("memmap=4K$0x6f7ff000", doc.get("memmap").get(1).asText());
  }

  @Test
  void diagnoseReadsTheBundlesCommandLineAndCpu(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("diagnose", gather(dir, "emr-135-host").toString());
    assertEquals(1, run.exit(), run.err());
    String flat = run.flatOut();
    assertTrue(flat.startsWith("TDX did not come up: a TDMR ran out of reserved areas."), run.out());
    assertTrue(flat.contains("kvm_intel.tdx=1 nohibernate"), run.out());
    assertTrue(flat.contains("The bundle's kernel log lacks the boot's first lines"), run.out());
    assertTrue(flat.contains("For the running kernel, boot with memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), run.out());
  }

  @Test
  void whatANonRootUserCannotReadIsListed(@TempDir Path dir) throws Exception {
    Path bundle = dir.resolve("host.txt");
    CliRun run = CliRun.of("gather", "--root", tree("non-root-view").toString(), "-o", bundle.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.err().contains("tdmr gather: the bundle lacks 6 parts:"), run.err());
    assertTrue(run.err().contains("proc-iomem: all addresses read as zero: the kernel shows them to root only"), run.err());
    assertTrue(run.err().contains("kernel-log: no such file"), run.err());
    assertTrue(run.err().contains("--dmesg FILE"), run.err());
    String text = Files.readString(bundle);
    assertTrue(text.contains("### tdmr-gather: firmware-memmap ("), text);
    assertTrue(text.contains("### tdmr-gather: cmdline ("), text);
    // Only /proc/cmdline was readable (kernel log, iomem, firmware table, nodes, cpuinfo and the TDX
    // module missing: six parts); with neither RAM nor CMR lines there is no map to read.
    CliRun map = CliRun.of("map", bundle.toString());
    assertEquals(2, map.exit());
  }

  /** The bundle is written whole or not at all, and a failure says why in words (no temporary file names). */
  @Test
  void aBundleThatCannotBeWrittenIsBadInputSayingWhy(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no-such-dir").resolve("host.txt");
    CliRun run = CliRun.of("gather", "--root", tree("emr-135-host").toString(), "-o", missing.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().startsWith(missing + ": cannot write the bundle: no such directory; nothing written"), run.err());
    assertFalse(run.err().contains(".tmp"), run.err());

    CliRun intoDir = CliRun.of("gather", "--root", tree("emr-135-host").toString(), "-o", dir.toString());
    assertEquals(2, intoDir.exit(), intoDir.err());
    assertTrue(intoDir.err().startsWith(dir + ": cannot write the bundle: " + dir + " is a directory; nothing written"),
        intoDir.err());
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "a temporary file was left behind");
    }
  }

  @Test
  void aMissingRootIsBadInput() {
    CliRun run = CliRun.of("gather", "--root", "/no/such/dir");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--root: no such directory"), run.err());
  }

  @Test
  void aBundleWithAnUnknownSectionIsBadInputNamingTheLine(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "# tdmr gather bundle 1\n### tdmr-gather: kernel-log (dmesg)\n[ 1.0] hello\n### tdmr-gather: bios (x)\n");
    CliRun run = CliRun.of("map", bad.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("bad.txt:4: unknown section \"bios\""), run.err());
  }
}
