package tdmr.bench.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;

class MapGeneratorTest {

  @Test
  void sameSeedGivesTheSameMachineAndText() {
    for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
      assertEquals(MapGenerator.realistic(seed), MapGenerator.realistic(seed));
      assertEquals(DmesgWriter.write(MapGenerator.realistic(seed)), DmesgWriter.write(MapGenerator.realistic(seed)));
      assertEquals(MapGenerator.fragmented(30, seed), MapGenerator.fragmented(30, seed));
      assertEquals(MapGenerator.memmapFragmented(30, seed), MapGenerator.memmapFragmented(30, seed));
    }
  }

  @Test
  void differentSeedsGiveDifferentMachines() {
    // Twenty seeds of one family: the low-memory fragments are drawn from the seed, so no two
    // of them should coincide.
    long distinct = LongStream.range(0, 20).mapToObj(s -> MapGenerator.fragmented(8, s).e820()).distinct().count();
    assertEquals(20, distinct);
    assertNotEquals(MapGenerator.realistic(1).e820(), MapGenerator.realistic(2).e820());
  }

  @Property(tries = 150, seed = "20261203")
  void realisticMachinesAreWellFormed(@ForAll long seed) {
    assertWellFormed(MapGenerator.realistic(seed));
  }

  @Property(tries = 40, seed = "20261203")
  void stressFamiliesAreWellFormed(@ForAll @IntRange(min = 1, max = 400) int n, @ForAll long seed) {
    assertWellFormed(MapGenerator.fragmented(n, seed));
    assertWellFormed(MapGenerator.manyNodes(n, seed));
    assertWellFormed(MapGenerator.memmapFragmented(n, seed));
  }

  @Test
  void fragmentedHasOneMoreUsableRangeThanHolesBelowTheLowTop() {
    // fragmented(n) promises n holes between n + 1 usable e820 ranges in [1 MiB, 0x6f800000).
    for (int n : new int[] {0, 1, 16, 100}) {
      SyntheticMachine m = MapGenerator.fragmented(n, 5);
      long usableLow = m.e820().stream()
          .filter(e -> e.isUsable() && e.range().start() >= MiB && e.range().end() <= 0x6f800000L)
          .count();
      assertEquals(n + 1, usableLow, "fragmented(" + n + ")");
    }
  }

  @Test
  void manyNodesGivesOneBlockPerNodeAboveFourGiB() {
    SyntheticMachine m = MapGenerator.manyNodes(100, 3);
    List<MemoryBlock> high = m.blocks().stream().filter(b -> b.start() >= 4 * GiB).toList();
    assertEquals(100, high.size());
    assertEquals(100, m.memoryMap().nodes().size());
    // 1.5 GiB per node: node k spans [4 GiB + 1.5k GiB, 4 GiB + 1.5(k+1) GiB).
    assertEquals(new MemoryBlock(4 * GiB + 3 * 1536 * MiB, 4 * GiB + 4 * 1536 * MiB, 3), high.get(3));
    // at most 32 CMRs (MAX_CMR of the TDX module): 1 low + ceil(100 / 4) = 26
    assertEquals(26, m.cmrs().size());
  }

  @Test
  void memmapHolesAreReservedButConvertible() {
    SyntheticMachine m = MapGenerator.memmapFragmented(50, 11);
    ConvertibleMemory cmrs = new ConvertibleMemory(m.cmrs());
    List<E820Entry> holes = m.e820().stream()
        .filter(e -> e.type().equals("reserved") && e.range().start() >= 4 * GiB && cmrs.covers(e.range()))
        .toList();
    assertEquals(50, holes.size());
    // Two 256 GiB nodes above the low memory: node 0 holds 254 GiB above 4 GiB, node 1 256 GiB;
    // the 288 MiB and 256 MiB tails are reserved and not convertible.
    assertEquals(List.of(new AddressRange(MiB, 0x77800000L), new AddressRange(4 * GiB, 258 * GiB - 288 * MiB),
        new AddressRange(258 * GiB, 514 * GiB - 256 * MiB)), m.cmrs());
  }

  @Test
  void stressFamiliesReachTenThousandBlocks() {
    assertTrue(MapGenerator.fragmented(10_000, 1).blocks().size() > 10_000);
    assertTrue(MapGenerator.manyNodes(10_000, 1).blocks().size() > 10_000);
    assertTrue(MapGenerator.memmapFragmented(10_000, 1).blocks().size() > 10_000);
  }

  @Test
  void cxlWindowIsSoftReservedOnAMemoryOnlyNodeAndNotTdxMemory() {
    MachineSpec spec = new MachineSpec("cxl", 2, 1, 64 * GiB, 0x77800000L, 2, 0, 0, 1, 0, 8 * GiB, 2);
    SyntheticMachine m = MapGenerator.generate(spec, 9);
    // Node 0: 2 GiB low + 62 GiB from 4 GiB to 66 GiB; node 1: 66..130 GiB; CXL from 130 GiB.
    assertTrue(m.e820().contains(new E820Entry(new AddressRange(130 * GiB, 138 * GiB), "soft reserved", 0)));
    assertTrue(m.srat().contains(new SratEntry(new AddressRange(130 * GiB, 138 * GiB), 2, false)));
    assertTrue(m.blocks().stream().noneMatch(b -> b.node() == 2));
    // hot-plug ranges start at the next 4 GiB boundary (140 GiB), 64 GiB each
    assertTrue(m.srat().contains(new SratEntry(new AddressRange(140 * GiB, 204 * GiB), 0, true)));
    assertTrue(m.srat().contains(new SratEntry(new AddressRange(204 * GiB, 268 * GiB), 1, true)));
  }

  static void assertWellFormed(SyntheticMachine m) {
    String name = m.name();
    List<E820Entry> e820 = m.e820();
    for (int i = 1; i < e820.size(); i++) {
      assertTrue(e820.get(i).range().start() >= e820.get(i - 1).range().end(), name + ": e820 sorted, disjoint");
      boolean touching = e820.get(i).range().start() == e820.get(i - 1).range().end();
      assertTrue(!touching || !e820.get(i).type().equals(e820.get(i - 1).type()), name + ": touching same-type e820 merged");
    }
    List<MemoryBlock> blocks = m.blocks();
    assertTrue(!blocks.isEmpty(), name);
    ConvertibleMemory cmrs = new ConvertibleMemory(m.cmrs());
    assertTrue(m.cmrs().size() <= 32, name + ": at most 32 CMRs");
    for (int i = 0; i < blocks.size(); i++) {
      MemoryBlock b = blocks.get(i);
      assertTrue(b.start() >= MiB && b.start() % 4096 == 0 && b.end() % 4096 == 0 && b.size() > 0, name + ": " + b);
      assertTrue(cmrs.covers(b.range()), name + ": CMRs cover " + b);
      assertTrue(m.srat().stream().anyMatch(s -> !s.hotplug() && s.node() == b.node() && s.range().contains(b.range())),
          name + ": " + b + " inside its SRAT node");
      assertTrue(e820.stream().anyMatch(e -> e.isUsable() && e.range().contains(b.range())), name + ": " + b + " is usable RAM");
      if (i > 0) {
        MemoryBlock p = blocks.get(i - 1);
        assertTrue(p.end() < b.start() || (p.end() == b.start() && p.node() != b.node()), name + ": blocks maximal " + p + " " + b);
      }
    }
    // Every byte of usable RAM above 1 MiB is in a block.
    long usable = e820.stream().filter(E820Entry::isUsable)
        .mapToLong(e -> e.range().end() <= MiB ? 0 : e.range().end() - Math.max(MiB, e.range().start())).sum();
    assertEquals(usable, m.memoryMap().totalBytes(), name);
    assertEquals(m.cmrs().stream().sorted().collect(Collectors.toList()), m.cmrs(), name + ": CMRs sorted");
  }
}
