package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TdxMemoryNodeListTest {
  @Test
  void runsOfThreeOrMoreNodesAreWrittenAsRanges() {
    assertEquals("0, 1", TdxMemory.nodeList(List.of(0, 1)));
    assertEquals("0-3, 5", TdxMemory.nodeList(List.of(0, 1, 2, 3, 5)));
    assertEquals("0-999", TdxMemory.nodeList(java.util.stream.IntStream.range(0, 1000).boxed().toList()));
    assertEquals("2, 4, 6-8", TdxMemory.nodeList(List.of(2, 4, 6, 7, 8)));
    assertEquals("", TdxMemory.nodeList(List.of()));
  }
}
