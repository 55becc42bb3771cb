package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/** The JSON map format: what {@code tdmr map --json} writes every command reads back unchanged. */
class MapJsonTest {
  @Test
  void realMapRoundTripsThroughJson() throws InputException {
    MemoryMap original = RealMaps.read(RealMaps.EMR_135);
    MemoryMap back = MapReader.read("copy.json", MapJson.write(original));
    assertEquals(original.source(), back.source());
    assertEquals(original.blocks(), back.blocks());
    assertEquals(original.cmrs(), back.cmrs());
    assertEquals(original.notes(), back.notes());
  }

  @Property(tries = 50, seed = "20261203")
  void anySortedBlockListRoundTrips(@ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 4096) Integer> gapsAndSizes) throws InputException {
    // Blocks of k pages separated by holes of k pages, from 1 MiB; nodes cycle through 0..2.
    List<MemoryBlock> blocks = new java.util.ArrayList<>();
    long cursor = 0x100000;
    for (int i = 0; i < gapsAndSizes.size(); i++) {
      long size = gapsAndSizes.get(i) * 4096L;
      blocks.add(new MemoryBlock(cursor, cursor + size, i % 3));
      cursor += 2 * size;
    }
    MemoryMap map = MemoryMap.ofBlocks("generated", blocks);
    assertEquals(blocks, MapJson.read("x.json", MapJson.write(map)).blocks());
  }

  @Test
  void plainIntegersAreAcceptedAndMissingCmrsEqualTheBlocks() throws InputException {
    MemoryMap map = MapJson.read("m.json", "{\"blocks\": [{\"start\": 1048576, \"end\": \"0x80000000\", \"node\": 1}]}");
    assertEquals(List.of(new MemoryBlock(0x100000, 0x80000000L, 1)), map.blocks());
    assertEquals(List.of(new AddressRange(0x100000, 0x80000000L)), map.cmrs().cmrs());
    assertEquals("m.json", map.source());
    assertTrue(map.notes().stream().anyMatch(n -> n.contains("no \"cmrs\"")));
  }

  @Test
  void errorsNameTheLineOfTheOffendingEntry() {
    String reversed =
        """
        {"blocks": [
          {"start": "0x100000", "end": "0x200000"},
          {"start": "0x400000", "end": "0x300000"}
        ]}
        """;
    InputException e = assertThrows(InputException.class, () -> MapReader.read("m.json", reversed));
    assertEquals(3, e.line());
    assertTrue(e.problem().contains("blocks[1] is reversed"), e.problem());

    String misalignedCmr =
        """
        {"blocks": [{"start": "0x100000", "end": "0x200000"}],
         "cmrs": [
           {"start": "0x100000", "end": "0x200800"}]}
        """;
    InputException cmr = assertThrows(InputException.class, () -> MapReader.read("m.json", misalignedCmr));
    assertEquals(3, cmr.line());
    assertTrue(cmr.problem().contains("not 4 KiB aligned"), cmr.problem());
  }

  @Test
  void malformedJsonNamesItsLine() {
    InputException e = assertThrows(InputException.class, () -> MapReader.read("m.json", "{\"blocks\": [\n  {\"start\": 0x100000}\n]}"));
    assertEquals(2, e.line());
    assertTrue(e.problem().startsWith("malformed JSON"), e.problem());
  }

  @Test
  void overlappingBlocksAndHugeAddressesAreRejected() {
    InputException overlap =
        assertThrows(
            InputException.class,
            () -> MapJson.read("m.json", "{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x300000\"},\n{\"start\": \"0x200000\", \"end\": \"0x400000\"}]}"));
    assertEquals(2, overlap.line());
    assertTrue(overlap.problem().contains("overlaps"));
    InputException huge =
        assertThrows(
            InputException.class, () -> MapJson.read("m.json", "{\"blocks\": [{\"start\": \"0x100000\", \"end\": \"0x20000000000000\"}]}"));
    assertTrue(huge.problem().contains("beyond 52 bits"), huge.problem());
  }

  @Test
  void aLayoutFileIsNotAMap() {
    InputException e = assertThrows(InputException.class, () -> MapReader.read("l.json", "{\"tdmrs\": []}"));
    assertTrue(e.problem().contains("needs \"blocks\""), e.problem());
  }
}
