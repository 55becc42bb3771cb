package tdmr.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.TdxLimits;

/**
 * Opens the rendered HTML in a real headless browser and checks what it drew: the DOM the browser
 * built (after the page's script ran) and the pixels of a screenshot. The screenshot is kept in
 * {@code solver/target/render/} for a person to look at.
 */
class BrowserRenderingTest {
  private static Optional<HeadlessChromium> chromium;
  private static final Path OUT = Path.of("target", "render");

  @BeforeAll
  static void findBrowser() {
    chromium = HeadlessChromium.find();
  }

  private static Path writePage(String name) throws Exception {
    MemoryMap map = CodeBuiltLayouts.sparseTwoNodeHost();
    Layout greedy = CodeBuiltLayouts.greedyLike(map);
    Layout other = CodeBuiltLayouts.pamtsAtNodeTops(map);
    LayoutPicture picture =
        new LayoutPicture(
            map,
            List.of(
                LabelledLayout.of("greedy", greedy),
                LabelledLayout.of("optimum", other),
                LabelledLayout.failed(
                    "greedy, 8 reserved areas",
                    "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.")),
            TdxLimits.DEFAULT);
    Files.createDirectories(OUT);
    Path page = OUT.resolve(name);
    Files.writeString(page, new HtmlReport(picture).html(), StandardCharsets.UTF_8);
    Files.writeString(OUT.resolve(name.replace(".html", ".svg")), picture.svg(), StandardCharsets.UTF_8);
    return page;
  }

  @Test
  void browserDrawsEveryTdmrBlockCmrAndTheFailure() throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    String dom = chromium.get().dumpDom(writePage("two-layouts.html"));

    // Two layouts of three TDMRs each (greedyLike and pamtsAtNodeTops both use [0,2G), [4G,512G),
    // [512G,1536G)); the failure row draws its named TDMR separately.
    assertEquals(6, count(dom, "<rect class=\"tdmr "));
    // Six memory blocks, two of them on node 1? No: five on node 0 and the 1 TiB block on node 1.
    assertEquals(5, count(dom, "<rect class=\"block node0\""));
    assertEquals(1, count(dom, "<rect class=\"block node1\""));
    assertEquals(2, count(dom, "<rect class=\"cmr\""));
    // Each layout has three PAMTs of three levels.
    assertEquals(18, count(dom, "<rect class=\"pamt\""));
    assertEquals(1, count(dom, "<rect class=\"failure\""));
    assertTrue(dom.contains("reserved areas exhausted"), "the kernel's message is on the page");

    // TDMR boundaries labelled in hex: 2 GiB, 512 GiB and 1536 GiB.
    assertTrue(hasText(dom, "0x80000000"), "0x80000000 labelled");
    assertTrue(hasText(dom, "0x8000000000"), "512 GiB = 0x8000000000 labelled");
    assertTrue(hasText(dom, "0x18000000000"), "1536 GiB = 0x18000000000 labelled");

    // The 4 KiB block is drawn, at least 3 px wide (widened), and so is the 1 TiB node.
    assertTrue(rectWidth(dom, "memory block [0x64158000, 0x64159000)") >= 3);
    assertTrue(rectWidth(dom, "memory block [0x8000000000, 0x18000000000)") >= 100);
    assertTrue(dom.contains("compressed at"), "the picture says that long runs were shortened");
  }

  @Test
  void screenshotShowsNodeColoursPamtsAndTheFailure() throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    Path page = writePage("two-layouts.html");
    Path png = OUT.resolve("two-layouts.png");
    Files.deleteIfExists(png);
    chromium.get().screenshot(page, png, 1500, 1100);
    BufferedImage image = ImageIO.read(png.toFile());
    // Colours from LayoutPicture's style sheet: node 0 #4e79a7, node 1 #59a14f, PAMT #f28e2b,
    // failing TDMR #fbd0d0.
    assertTrue(countPixels(image, 0x4e79a7) > 100, "node 0 blue drawn");
    assertTrue(countPixels(image, 0x59a14f) > 100, "node 1 green drawn");
    assertTrue(countPixels(image, 0xf28e2b) > 20, "PAMT orange drawn");
    assertTrue(countPixels(image, 0xd62728) > 100, "failing TDMR outlined in red");
  }

  @Test
  void failingTdmrIsDrawnWithEveryReservedAreaItNeeded() throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    MemoryMap map = CodeBuiltLayouts.fragmentedFirstTwoGiB();
    LayoutPicture picture =
        new LayoutPicture(
            map,
            List.of(LabelledLayout.failed("greedy",
                "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.",
                CodeBuiltLayouts.fragmentedAsBuilt(map))),
            TdxLimits.DEFAULT);
    Files.createDirectories(OUT);
    Path page = OUT.resolve("failure.html");
    Files.writeString(page, new HtmlReport(picture).html(), StandardCharsets.UTF_8);
    String dom = chromium.get().dumpDom(page);
    // TDMR 0 = [0, 2 GiB) holds [0, 1 MiB), 17 gaps and the tail: 19 reserved areas, 3 over 16;
    // TDMR 1 = [4 GiB, 64 GiB) holds the two PAMT chunks at 4 GiB: 2 areas. The zoomed strip of
    // TDMR 0 draws its 19 again (numbered by address: no kernel order was given).
    assertEquals(21 - 3 + 16, count(dom, "<rect class=\"reserved\""));
    assertEquals(3 + 3, count(dom, "<rect class=\"reserved over-limit\""));
    assertEquals(1, count(dom, "<rect class=\"tdmr even over-limit\""));
    assertTrue(hasText(dom, "19/16 reserved"), "TDMR 0 says it needs 19 of 16");
    // Over the drawn TDMR the red outline only marks it (pointer events pass to the areas below);
    // the failure is in the TDMR's own detail.
    assertEquals(1, count(dom, "<rect class=\"failure passive\""));
    assertTrue(dom.contains("reserved areas; PAMT"), "TDMR detail drawn");
    assertTrue(dom.contains("; the kernel fails here: initialization failed: TDMR [0x0, 0x80000000)"), dom);
    assertTrue(dom.contains("✗ initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."));
    Path png = OUT.resolve("failure.png");
    Files.deleteIfExists(png);
    chromium.get().screenshot(page, png, 1500, 700);
    assertTrue(countPixels(ImageIO.read(png.toFile()), 0xd62728) > 100, "failure outlined in red");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static boolean hasText(String dom, String text) {
    return dom.contains(">" + text + "</text>");
  }

  private static double rectWidth(String dom, String detailStart) {
    Matcher m =
        Pattern.compile("<rect [^>]*width=\"([0-9.]+)\"[^>]*data-detail=\"" + Pattern.quote(detailStart))
            .matcher(dom);
    assertTrue(m.find(), "drawn: " + detailStart);
    return Double.parseDouble(m.group(1));
  }

  private static int countPixels(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
