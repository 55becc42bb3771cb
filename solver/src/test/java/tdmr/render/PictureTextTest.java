package tdmr.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PictureTextTest {
  /**
   * A note folded just too narrow for "(8.02 MiB)" keeps the size whole: the line may break after
   * "PAMT" or after "bytes", never between a number and its unit ("8409088 bytes", "8.02 MiB").
   */
  @Test
  void foldingNeverSeparatesASizeFromItsUnit() {
    String note = "PAMT 8409088 bytes (8.02 MiB), 16 reserved areas";
    double width = SvgCanvas.textWidth("PAMT 8409088 bytes (8.02", 13, false) + 1;
    List<String> lines = LayoutPicture.fold(note, width, 13, false);
    assertEquals("PAMT 8409088 bytes", lines.get(0), lines.toString());
    assertEquals("   (8.02 MiB), 16 reserved", lines.get(1), lines.toString());
  }
}
