package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Wrapping for a terminal of 80 columns, and none into a pipe. */
class ProseTest {
  @Test
  void rangesAreNeverBrokenAcrossLines() {
    assertEquals(List.of("TDMR", "[0x40000000, 0x80000000)", "ran", "out", "(16", "allowed)."),
        Prose.words("TDMR [0x40000000, 0x80000000) ran out (16 allowed)."));
  }

  @Test
  void linesFitTheWidthAndKeepTheirIndent() {
    String text = "word ".repeat(60).strip();
    List<String> lines = Prose.wrap(text, "  - ", "    ", Prose.WIDTH);
    assertTrue(lines.size() > 1);
    assertTrue(lines.get(0).startsWith("  - word"));
    assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("    word")));
    assertTrue(lines.stream().allMatch(l -> l.length() <= Prose.WIDTH));
    assertEquals(60, lines.stream().mapToInt(l -> l.strip().replace("- ", "").split(" ").length).sum());
  }

  @Test
  void foldKeepsShortLinesAndIndentsContinuations() {
    String long1 = "  - " + "word ".repeat(30).strip();
    String text = "short\n" + long1 + "\nend\n";
    String folded = Prose.fold(text, Prose.WIDTH);
    List<String> lines = folded.lines().toList();
    assertEquals("short", lines.get(0));
    assertTrue(lines.get(1).startsWith("  - word"));
    assertTrue(lines.get(2).startsWith("      word"), lines.get(2));
    assertEquals("end", lines.get(lines.size() - 1));
    assertTrue(folded.endsWith("end\n"));
    assertTrue(lines.stream().allMatch(l -> l.length() <= Prose.WIDTH));
  }

  @Test
  void nothingIsFoldedIntoAPipe() {
    String text = "  - " + "word ".repeat(30).strip() + "\n";
    assertEquals(text, Prose.fold(text, Terminal.UNLIMITED));
    assertEquals(List.of("  - " + "word ".repeat(30).strip()),
        Prose.wrap("word ".repeat(30), "  - ", "    ", Terminal.UNLIMITED));
  }
}
