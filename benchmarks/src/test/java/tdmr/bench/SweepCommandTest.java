package tdmr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tdmr.bench.gen.DmesgWriter;
import tdmr.bench.gen.MachineSpec;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.gen.SyntheticMachine;
import tdmr.bench.sweep.GeneratedMaps;
import tdmr.bench.sweep.ResultsCsv;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;

/** The sweep from the command line to its files, with the greedy engine only. */
class SweepCommandTest {
  @TempDir Path dir;

  /** What the last {@link #run} printed on standard error. */
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    StringWriter out = new StringWriter();
    err = new StringWriter();
    CommandLine cl = new CommandLine(new BenchMain());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  /**
   * Three tiny generated maps, written as dmesg text and read back as "real" maps:
   *
   * <ul>
   *   <li>a-small: one 4 GiB node, one usable range from 1 MiB below 0x6f800000, 2 GiB at 4 GiB.
   *       Blocks [1 MiB, x) and [4 GiB, 6 GiB): the kernel draws TDMRs [0, 2 GiB) and
   *       [4 GiB, 6 GiB), each 2 GiB, so PAMT = 2 x (4 MiB + 8 KiB + 4 KiB per GiB... ) =
   *       2 x (8 MiB + 16 KiB + 4 KiB) = 2 x 8212 KiB = 16424 KiB = 16818176 bytes. Holes: [0, 1 MiB)
   *       and [x, 2 GiB) in the first TDMR, none in the second.
   *   <li>b-fragmented: fragmented(15), the EMR pattern: TDMR [0, 2 GiB) needs 17 reserved areas
   *       for holes alone, so the greedy fails there.
   *   <li>c-manynodes: manyNodes(65): one TDMR for the low memory and one per node, 66 > 64.
   * </ul>
   */
  @Test
  void sweepOfThreeTinyMapsWritesTheRowsAndNumbersDerivedByHand() throws Exception {
    Path maps = dir.resolve("in");
    Files.createDirectories(maps);
    SyntheticMachine small = MapGenerator.generate(
        new MachineSpec("small", 1, 1, 4 * GiB, 0x6f800000L, 1, 0, 0, 1, 0, 0, 0), 5);
    DmesgWriter.write(small, maps.resolve("a-small.txt"));
    DmesgWriter.write(MapGenerator.fragmented(15, 5), maps.resolve("b-fragmented.txt"));
    DmesgWriter.write(MapGenerator.manyNodes(65, 5), maps.resolve("c-manynodes.txt"));
    Path out = dir.resolve("out");

    assertEquals(0, run("sweep", "--real", maps.toString(), "--engines", "greedy", "--threads", "2", "--out", out.toString()));

    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(ResultsCsv.HEADER, csv.get(0));
    assertEquals(4, csv.size());
    String[] a = csv.get(1).split(",", -1);
    String[] b = csv.get(2).split(",", -1);
    String[] c = csv.get(3).split(",", -1);
    // map, origin, blocks, memory, holes, engine, status, pamt, bound, tdmrs, max reserved
    assertEquals(List.of("a-small", "real", "2"), List.of(a[0], a[1], a[2]));
    assertEquals(List.of("greedy", "FEASIBLE", "16818176"), List.of(a[5], a[6], a[7]));
    // Both PAMTs are node 0's; the kernel's alloc_contig_pages tries ZONE_NORMAL (at and above
    // 4 GiB) first, so both land in [4 GiB, 6 GiB): TDMR [4 GiB, 6 GiB) reserves the two PAMT
    // chunks (the kernel never merges touching areas), TDMR [0, 2 GiB) its two holes. Most: 2.
    assertEquals(List.of("2", "2", "2"), List.of(a[4], a[9], a[10]));
    // b: 16 usable ranges below 0x6f800000 and two nodes of 64 GiB: 18 blocks
    assertEquals(List.of("b-fragmented", "18", "17", "greedy", "FAILED"), List.of(b[0], b[2], b[4], b[5], b[6]));
    assertEquals(List.of("", "0", "0"), List.of(b[7], b[9], b[10]));
    assertTrue(csv.get(2).contains("TDMR [0x0, 0x80000000): reserved areas exhausted"), csv.get(2));
    // c: 3 usable ranges below 4 GiB (manyNodes keeps 3) and 65 nodes
    assertEquals(List.of("c-manynodes", "68", "greedy", "FAILED"), List.of(c[0], c[2], c[5], c[6]));
    assertTrue(csv.get(3).contains("TDMRs exhausted"), csv.get(3));

    String summary = Files.readString(out.resolve("summary.md"));
    assertTrue(summary.contains("| greedy (mainline) succeeds | 1 of 3 maps (33.3%) |"), summary);
    assertTrue(summary.contains("| greedy | 0 | 1 | 0 | 2 | 0 | 0 | 0 |"), summary);
    assertTrue(summary.contains("| greedy headroom: unused TDMRs | min 62, median 62 of 64 |"), summary);
    assertTrue(summary.contains("| greedy headroom: unused reserved areas in the fullest TDMR | min 14, median 14 of 16 |"), summary);
    for (String chart : List.of("feasibility.svg", "pamt-ratio.svg", "solve-time.svg")) {
      assertTrue(Files.readString(out.resolve(chart)).startsWith("<svg"), chart);
    }
  }

  @Test
  void generatedMapsAreWrittenAsTextThatReadsBackToTheSweptMap() throws Exception {
    Path out = dir.resolve("gen");
    assertEquals(0, run("sweep", "--generated", "3", "--seed", "9", "--engines", "greedy", "--out", out.toString()));
    List<SyntheticMachine> expected = GeneratedMaps.generate(3, 9);
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(4, csv.size());
    for (int i = 0; i < 3; i++) {
      SyntheticMachine m = expected.get(i);
      assertTrue(csv.get(i + 1).startsWith(m.name() + "," + GeneratedMaps.family(m) + "," + m.blocks().size() + ","), csv.get(i + 1));
      MemoryMap read = MapReader.read(out.resolve("maps").resolve(m.name() + ".txt"));
      assertEquals(m.blocks(), read.blocks());
    }
  }

  @Test
  void twoRunsOnTwoThreadsWriteTheSameRowsInTheSameOrder() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    assertEquals(0, run("sweep", "--generated", "10", "--seed", "4", "--engines", "greedy,greedy-cmr", "--threads", "2", "--out", first.toString()));
    assertEquals(0, run("sweep", "--generated", "10", "--seed", "4", "--engines", "greedy,greedy-cmr", "--threads", "2", "--out", second.toString()));
    // Everything but the measured solve time (column 12) is the same.
    assertEquals(withoutSolveTime(first.resolve("results.csv")), withoutSolveTime(second.resolve("results.csv")));
    assertEquals(21, Files.readAllLines(first.resolve("results.csv")).size());
  }

  private static List<String> withoutSolveTime(Path csv) throws java.io.IOException {
    return Files.readAllLines(csv).stream().map(l -> {
      String[] f = l.split(",", -1);
      f[11] = "";
      return String.join(",", f);
    }).toList();
  }

  @Test
  void enginesOtherThanTheGreediesAndCpSatSkipMapsAboveMaxBlocks() throws Exception {
    Path maps = dir.resolve("in");
    Files.createDirectories(maps);
    // fragmented(15): 16 usable ranges below 2 GiB and two nodes: 18 blocks, above the limit of 17
    DmesgWriter.write(MapGenerator.fragmented(15, 5), maps.resolve("f.txt"));
    Path out = dir.resolve("out");
    assertEquals(0, run("sweep", "--real", maps.toString(), "--engines", "greedy,cpsat,z3", "--max-blocks", "17",
        "--out", out.toString()));
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(4, csv.size());
    assertTrue(csv.get(1).startsWith("f,real,18,") && csv.get(1).contains(",greedy,FAILED,"), csv.get(1));
    // CP-SAT scales to maps of 1 000 blocks, so the limit does not apply to it.
    assertTrue(csv.get(2).contains(",cpsat,OPTIMAL,"), csv.get(2));
    assertTrue(csv.get(3).contains(",z3,SKIPPED,") && csv.get(3).endsWith("\"not run: 18 blocks, above --max-blocks 17\""), csv.get(3));
  }

  /** Without a command: the usage on standard error, exit 2 (as {@code tdmr} without one). */
  @Test
  void noCommandIsAUsageError() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("Usage: tdmr-bench"), err.toString());
  }

  @Test
  void unknownEngineOrNothingToDoIsAUsageError() {
    assertEquals(2, run("sweep", "--generated", "1", "--engines", "nosuch", "--out", dir.toString()));
    assertEquals(2, run("sweep", "--out", dir.toString()));
  }

  /** One map with a number too large for its field is reported as bad input; the sweep goes on (issue #17). */
  @Test
  void aMapWithABadLineIsSkippedAndTheSweepGoesOn() throws Exception {
    Path maps = dir.resolve("in");
    Files.createDirectories(maps);
    DmesgWriter.write(MapGenerator.fragmented(15, 5), maps.resolve("a-good.txt"));
    Files.writeString(maps.resolve("b-bad.txt"), Files.readString(maps.resolve("a-good.txt"))
        + "[   99.1] virt/tdx: 99999999999999999999 KB allocated for PAMT\n");
    Path out = dir.resolve("out");

    assertEquals(0, run("sweep", "--real", maps.toString(), "--engines", "greedy", "--out", out.toString()));

    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(2, csv.size(), csv.toString());
    assertTrue(csv.get(1).startsWith("a-good,"), csv.get(1));
    String summary = Files.readString(out.resolve("summary.md"));
    int badLine = (int) Files.readString(maps.resolve("b-bad.txt")).lines().count();
    assertTrue(summary.contains("b-bad.txt:" + badLine + ": PAMT size in KB 99999999999999999999 is out of range"), summary);
    // Not only in the summary: the person running the sweep sees it too.
    assertTrue(err.toString().contains("tdmr-bench sweep: skipped b-bad.txt:" + badLine + ": PAMT size in KB"), err.toString());
  }

  /** A directory in which no file is a memory map gives nothing to sweep: exit 2, no results written. */
  @Test
  void aDirectoryWithoutAnyMapIsNothingToDo() throws Exception {
    Path maps = dir.resolve("in");
    Files.createDirectories(maps);
    Files.writeString(maps.resolve("notes.txt"), "garbage line here\n");
    Files.writeString(maps.resolve("INDEX.md"), "# the maps\n");
    Path out = dir.resolve("out");

    assertEquals(2, run("sweep", "--real", maps.toString(), "--engines", "greedy", "--out", out.toString()));
    assertTrue(err.toString().contains("tdmr-bench sweep: skipped notes.txt: no memory map in this input"), err.toString());
    assertTrue(err.toString().contains("tdmr-bench sweep: no memory map to run: " + maps + " holds none"), err.toString());
    assertTrue(!err.toString().contains("INDEX.md"), "documentation is skipped quietly: " + err);
    assertTrue(!Files.exists(out), "nothing written");
  }

  /**
   * The output directory is written whole or not at all (issue #17): on a full disk the sweep is
   * exit 2 with a sentence, the old results stay as they were and no half-written directory is left.
   * The full disk is a 64 KiB tmpfs, mounted when the tests run as root; skipped otherwise.
   */
  /**
   * A results directory holds more than one sweep's files (other benchmarks, another sweep in a
   * subdirectory): a sweep into it replaces its own files and maps and keeps everything else.
   */
  @Test
  void aSweepKeepsTheOtherFilesOfItsDirectory() throws Exception {
    Path out = dir.resolve("results");
    Files.createDirectories(out.resolve("holes-cmr"));
    Files.createDirectories(out.resolve("maps"));
    Files.writeString(out.resolve("jmh-greedy.txt"), "jmh\n");
    Files.writeString(out.resolve("holes-cmr").resolve("summary.md"), "the other sweep\n");
    Files.writeString(out.resolve("summary.md"), "last week's results\n");
    Files.writeString(out.resolve("maps").resolve("old-map.txt"), "an old map\n");
    assertEquals(0, run("sweep", "--generated", "1", "--engines", "greedy", "--out", out.toString()));
    assertEquals("jmh\n", Files.readString(out.resolve("jmh-greedy.txt")));
    assertEquals("the other sweep\n", Files.readString(out.resolve("holes-cmr").resolve("summary.md")));
    assertTrue(Files.readString(out.resolve("summary.md")).startsWith("# tdmr-bench sweep"));
    assertTrue(Files.notExists(out.resolve("maps").resolve("old-map.txt")), "the sweep's maps are its own");
  }

  @Test
  void aSweepThatCannotWriteItsResultsLeavesTheOldOnes() throws Exception {
    Path disk = Files.createDirectory(dir.resolve("disk"));
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString())
        .redirectErrorStream(true).start();
    String why = new String(mount.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + why);
    try {
      Path out = disk.resolve("results");
      Files.createDirectories(out);
      Files.writeString(out.resolve("summary.md"), "last week's results\n");
      StringWriter err = new StringWriter();
      CommandLine cl = new CommandLine(new BenchMain());
      cl.setOut(new PrintWriter(new StringWriter()));
      cl.setErr(new PrintWriter(err));
      // 20 generated maps: their logs alone are far more than 64 KiB.
      int exit = cl.execute("sweep", "--generated", "20", "--engines", "greedy", "--out", out.toString());
      assertEquals(2, exit, err.toString());
      assertTrue(err.toString().contains("tdmr-bench sweep: cannot write " + out + ": No space left on device;"
          + " nothing written"), err.toString());
      assertEquals("last week's results\n", Files.readString(out.resolve("summary.md")));
      try (var files = Files.list(disk)) {
        assertEquals(List.of("results"), files.map(p -> p.getFileName().toString()).toList());
      }
    } finally {
      new ProcessBuilder("umount", disk.toString()).start().waitFor();
    }
  }
}
