package tdmr.bench.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/** The dmesg text of a generated machine reads back, through the product's reader, to the same map. */
class RoundTripTest {

  private static void assertReadsBack(SyntheticMachine m) throws InputException {
    MemoryMap read = MapReader.read(m.name() + ".txt", DmesgWriter.write(m));
    assertEquals(m.blocks(), read.blocks(), m.name() + ": blocks");
    assertEquals(m.cmrs(), read.cmrs().cmrs(), m.name() + ": CMRs");
    assertEquals(typed(m.e820()), typed(read.firmwareMap()), m.name() + ": e820");
  }

  /** e820 entries without their line numbers. */
  private static List<String> typed(List<E820Entry> e820) {
    return e820.stream().map(e -> e.range() + " " + e.type()).toList();
  }

  @Property(tries = 60, seed = "20261203")
  void realisticMachinesReadBack(@ForAll long seed) throws InputException {
    assertReadsBack(MapGenerator.realistic(seed));
  }

  @Test
  void stressFamiliesReadBackFromTenToTenThousandBlocks() throws InputException {
    for (int n : new int[] {10, 100, 1000, 10_000}) {
      assertReadsBack(MapGenerator.fragmented(n, n));
      assertReadsBack(MapGenerator.manyNodes(n, n));
      assertReadsBack(MapGenerator.memmapFragmented(n, n));
    }
  }

  @Test
  void cxlAndHotplugRangesAreNotTdxMemoryAfterReading() throws InputException {
    MachineSpec spec = new MachineSpec("cxl", 2, 2, 32 * (1L << 30), 0x77800000L, 7, 96 << 20, 64 << 20, 2, 3, 16L << 30, 4);
    assertReadsBack(MapGenerator.generate(spec, 77));
  }
}
