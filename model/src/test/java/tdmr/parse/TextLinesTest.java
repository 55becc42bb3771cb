package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.LogLine;

/** Lines end at LF, CRLF or a bare CR; a line over the documented length is refused at once. */
class TextLinesTest {
  private static List<String> texts(String text) throws InputException {
    return TextLines.of("in.txt", text).stream().map(LogLine::text).toList();
  }

  @Test
  void lfCrlfAndBareCrAllEndALine() throws InputException {
    assertEquals(List.of("a", "b", "c"), texts("a\nb\nc\n"));
    assertEquals(List.of("a", "b", "c"), texts("a\r\nb\r\nc\r\n"));
    assertEquals(List.of("a", "b", "c"), texts("a\rb\rc\r"));
    assertEquals(List.of("a", "", "b", "c"), texts("a\n\r\nb\rc"));
  }

  @Test
  void linesAreNumberedFromOne() throws InputException {
    List<LogLine> lines = TextLines.of("in.txt", "x\ry\r\nz");
    assertEquals(List.of(1, 2, 3), lines.stream().map(LogLine::line).toList());
  }

  @Test
  void aLineOverTheLimitIsRefusedWithItsNumber() {
    String text = "ok\n" + " ".repeat(TextLines.MAX_LINE_CHARS) + "x\nnever read\n";
    InputException e = assertThrows(InputException.class, () -> TextLines.of("in.txt", text));
    assertEquals(2, e.line());
    assertTrue(e.problem().contains("longer than 4096 characters"), e.problem());
  }

  @Test
  void aLineOfExactlyTheLimitIsRead() throws InputException {
    assertEquals(1, texts("y".repeat(TextLines.MAX_LINE_CHARS)).size());
  }

  @Test
  void detectionSkipsCommentsAndBlankLines() {
    assertEquals("00100000-3fffffff : System RAM",
        TextLines.firstContentLine("# saved /proc/iomem\r\n\r\n   # from host 7\r\n00100000-3fffffff : System RAM\r\n"));
    assertNull(TextLines.firstContentLine("# only a comment\n\n"));
  }
}
