package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapJson;
import tdmr.parse.RealMaps;

/** {@code tdmr map}: blocks, gaps with their e820 types, CMRs, notes and totals, or the map JSON. */
class MapCommandTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  @Test
  void showsBlocksGapsCmrsAndTotalsOfTheEmr135Log() {
    CliRun run = CliRun.of("map", EMR_135);
    assertEquals(0, run.exit(), run.err());
    // 16 blocks summing to 0x6a510000 = 1783693312 bytes (see RealMapsParseTest), all node 0.
    assertTrue(run.out().contains("TDX memory: 16 blocks, 1.66 GiB (1783693312 bytes), on node 0"), run.out());
    // The e820 ACPI NVS entry [0x5eb58000, 0x61358000) is the gap between two usable ranges:
    // 0x61358000 - 0x5eb58000 = 0x2800000 = 40 MiB.
    assertTrue(run.out().lines().anyMatch(l -> l.matches("\\s*gap\\s+\\[0x5eb58000, 0x61358000\\)\\s+40 MiB\\s+ACPI NVS")), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.matches("\\s*block\\s+\\[0x100000, 0x5d169000\\)\\s+node 0\\s+1.45 GiB")), run.out());
    assertTrue(run.out().contains("CMRs: 5"), run.out());
    assertTrue(run.out().contains("reserved areas exhausted"), run.out());
    assertTrue(run.out().contains("the first 1 MiB is not TDX memory"), run.out());
    assertEquals("", run.err());
  }

  @Test
  void showsEachNodesShareOfAMultiNodeMap() {
    // QEMU 4-node guest: node 0 = 0xbfedf000 + 0x40000000 = 0xffedf000 bytes (4 GiB less 1.13 MiB,
    // printed 4.00 GiB); nodes 1-3 hold 0x100000000 = 4 GiB each. Total 0x3ffedf000 = 17178685440.
    CliRun run = CliRun.of("map", RealMaps.path(RealMaps.QEMU_4NUMA).toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        run.flatOut().contains("TDX memory: 5 blocks, 16.00 GiB (17178685440 bytes), on nodes 0 (4.00 GiB), 1 (4 GiB), 2 (4 GiB), 3 (4 GiB)"),
        run.out());
    // Between 3 GiB and 4 GiB: e820 reserved [0xbffdf000, 0xc0000000) and [0xfeffc000, ...), nothing listed between.
    assertTrue(run.flatOut().contains("reserved, not in e820"), run.out());
  }

  @Test
  void jsonOutputIsTheMapJsonFormat() throws InputException {
    CliRun run = CliRun.of("map", "--json", EMR_135);
    assertEquals(0, run.exit(), run.err());
    MemoryMap back = MapJson.read("out.json", run.out());
    assertEquals(16, back.blocks().size());
    assertEquals(5, back.cmrs().cmrs().size());
  }

  @Test
  void dashReadsStandardInput() {
    CliRun run = CliRun.withStdin("BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n", "map", "--json", "-");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("\"source\": \"<stdin>\""), run.out());
    assertTrue(run.out().contains("{\"start\": \"0x100000\", \"end\": \"0x80000000\", \"sizeBytes\": 2146435072, \"node\": 0}"), run.out());
  }

  @Test
  void jsonMapIsReadBackAsInput() throws Exception {
    java.nio.file.Path json = java.nio.file.Files.createTempFile("map", ".json");
    try {
      java.nio.file.Files.writeString(json, CliRun.of("map", "--json", EMR_135).out());
      CliRun run = CliRun.of("map", json.toString());
      assertEquals(0, run.exit(), run.err());
      assertTrue(run.out().contains("TDX memory: 16 blocks, 1.66 GiB"), run.out());
      assertEquals(
          List.of(new MemoryBlock(0x100000, 0x5d169000, 0)),
          MapJson.read("x", CliRun.of("map", "--json", json.toString()).out()).blocks().subList(0, 1));
    } finally {
      java.nio.file.Files.delete(json);
    }
  }
}
