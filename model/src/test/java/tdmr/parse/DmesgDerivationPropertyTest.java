package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** Properties of the TDX memory derived from random e820 tables, against a direct computation. */
class DmesgDerivationPropertyTest {
  private static final long MIB = 1 << 20;

  /**
   * Entry i has size {@code sizes[i] * 0x800} bytes (half pages, so ends are often unaligned) and is
   * usable when {@code usable[i]}. Oracle, per usable entry: whole pages [alignUp(start, 4K),
   * alignDown(end, 4K)) with the start raised to 1 MiB; merging touching blocks keeps the sum.
   */
  @Property(tries = 200, seed = "20261203")
  void derivedMemoryIsTheUsablePagesAbove1MiB(
      @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 2000) Integer> sizes,
      @ForAll @Size(min = 30, max = 30) List<Boolean> usable) {
    StringBuilder log = new StringBuilder();
    long cursor = 0;
    long expected = 0;
    for (int i = 0; i < sizes.size(); i++) {
      long end = cursor + sizes.get(i) * 0x800L;
      boolean ram = usable.get(i);
      log.append("[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] %s%n".formatted(cursor, end - 1, ram ? "usable" : "reserved"));
      if (ram) {
        long start = Math.max((cursor + 0xfff) & -0x1000L, MIB);
        long stop = end & -0x1000L;
        expected += Math.max(0, stop - start);
      }
      cursor = end;
    }
    if (expected == 0) {
      assertThrows(InputException.class, () -> MapReader.read("random", log.toString()));
      return;
    }
    MemoryMap map;
    try {
      map = MapReader.read("random", log.toString());
    } catch (InputException e) {
      throw new AssertionError(e.getMessage(), e);
    }
    assertEquals(expected, map.totalBytes());
    MemoryBlock previous = null;
    for (MemoryBlock b : map.blocks()) {
      assertTrue(b.start() >= MIB && b.start() % 4096 == 0 && b.end() % 4096 == 0, b.toString());
      assertTrue(previous == null || previous.end() < b.start(), "touching or overlapping: " + previous + " " + b);
      previous = b;
    }
  }
}
