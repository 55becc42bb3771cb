package tdmr.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Pictures of real and generated maps, checked in headless Chromium by {@code
 * render/picture-check.js}: no two labels overlap (45°-turned labels compared as the slanted boxes
 * they are), nothing reaches outside the picture (legend included), and every reserved area and
 * PAMT, of failing TDMRs too, shows its own detail under the pointer and on keyboard focus. The
 * pages and their screenshots stay in {@code solver/target/render/} for a person to look at.
 */
class PictureGeometryTest {
  private static final Path OUT = Path.of("target", "render");
  private static Optional<HeadlessChromium> chromium;

  @BeforeAll
  static void findBrowser() {
    chromium = HeadlessChromium.find();
  }

  /**
   * {@code nodes} NUMA nodes of 16 GiB from 4 GiB up, each with a 64 MiB hole at its top, and 2 GiB
   * below 4 GiB on node 0; CMRs equal to the blocks.
   */
  static MemoryMap manyNodes(int nodes) {
    List<MemoryBlock> blocks = new ArrayList<>();
    blocks.add(new MemoryBlock(MiB, 0x7f000000L, 0));
    for (int n = 0; n < nodes; n++) {
      long start = 4 * GiB + n * 16 * GiB;
      blocks.add(new MemoryBlock(start, start + 16 * GiB - 64 * MiB, n));
    }
    return MemoryMap.of("generated-" + nodes + "-nodes", blocks, blocks.stream().map(MemoryBlock::range).toList());
  }

  @Test
  void canonicalTdx135WithItsFailingTdmrZoomed() throws Exception {
    List<String> findings = check("tdx-135", RealMaps.read(RealMaps.EMR_135), "greedy,cpsat");
    String page = Files.readString(OUT.resolve("tdx-135.html"));
    // The strip under the greedy row numbers the 18 areas as the kernel added them: 17 holes, then
    // the PAMT chunk; the 17th (the tail [0x6f800000, 2 GiB)) and the 18th are beyond the 16 slots.
    assertTrue(page.contains("Zoom on the failing TDMR [0x0, 0x80000000): 18 reserved areas"), "zoom strip drawn");
    assertTrue(page.contains("reserved area 17 of TDMR [0x0, 0x80000000): [0x6f800000, 0x80000000)"), "tail is 17th");
    assertTrue(page.contains("reserved area 18 of TDMR [0x0, 0x80000000): [0x100000, 0x905000)"), "PAMT is 18th");
    assertNoFindings(findings);
  }

  @Test
  void sixtyFiveNodes() throws Exception {
    // The kernel runs out of TDMRs (66 needed, 64 allowed); CP-SAT lays out all 65 nodes.
    assertNoFindings(check("nodes-65", manyNodes(65), "greedy,cpsat"));
  }

  @Test
  void hundredNodesKeepTheirLegendInsideThePicture() throws Exception {
    // With 128 TDMRs allowed the kernel's construction fits: one TDMR and one PAMT per node.
    List<String> findings = check("nodes-100", manyNodes(100), "greedy", TdxLimits.DEFAULT.withMaxTdmrs(128));
    String page = Files.readString(OUT.resolve("nodes-100.html"));
    // One colour rule per node, and no two of them alike.
    Matcher m = Pattern.compile("\\.node(\\d+) \\{ fill: ([^;]+); \\}").matcher(page);
    List<String> colours = new ArrayList<>();
    while (m.find()) {
      colours.add(m.group(2));
    }
    assertEquals(100, colours.size());
    assertEquals(100, colours.stream().distinct().count(), "distinct node colours: " + colours);
    assertNoFindings(findings);
  }

  /**
   * Every picture is at least 1 400 px wide (its left column of 190 px, the 1 100 px axis and 110 px
   * on the right), wider than the page of a 1 400 px window less its margins; with 62 nodes the
   * legend's keys reach the picture's right end, which had to be scrolled to. The page shrinks the
   * picture to its width instead, but never below 80% (9.6 px labels): a 900 px window scrolls.
   */
  @Test
  void theHtmlPictureFitsTheWindowItsLegendEndIncluded() throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    MemoryMap map = manyNodes(62);
    List<EngineResult> results = List.of(Engines.select("greedy").get(0)
        .solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(30, 1, 0)));
    LayoutPicture picture = new LayoutPicture(map, GreedyAsBuilt.rows(results), TdxLimits.DEFAULT);
    assertTrue(picture.width() > 1399.5, "natural width " + picture.width());
    String script = """
        <script>
        window.addEventListener('load', function () {
          var box = document.querySelector('.picture'), svg = box.querySelector('svg.tdmr-picture');
          var legend = Array.prototype.slice.call(svg.querySelectorAll('text.legend'));
          var right = Math.max.apply(null, legend.map(function (t) { return t.getBoundingClientRect().right; }));
          var pre = document.createElement('pre');
          pre.id = 'fit-check';
          pre.textContent = [box.scrollWidth, box.clientWidth, svg.getBoundingClientRect().width,
              right <= box.getBoundingClientRect().right ? 'legend-inside' : 'legend-cut'].join(' ');
          document.body.appendChild(pre);
        });
        </script>
        """;
    Files.createDirectories(OUT);
    Path page = OUT.resolve("nodes-62-fit.html");
    Files.writeString(page, new HtmlReport(picture).html().replace("</body>", script + "</body>"), StandardCharsets.UTF_8);

    String[] wide = fitCheck(chromium.get().dumpDom(page, 1400, 1000));
    assertTrue(Double.parseDouble(wide[0]) <= Double.parseDouble(wide[1]), "no horizontal scrolling: " + String.join(" ", wide));
    assertTrue(Double.parseDouble(wide[2]) < picture.width(), "shrunk to the page: " + String.join(" ", wide));
    assertEquals("legend-inside", wide[3]);

    String[] narrow = fitCheck(chromium.get().dumpDom(page, 900, 800));
    assertTrue(Double.parseDouble(narrow[0]) > Double.parseDouble(narrow[1]), "scrolls: " + String.join(" ", narrow));
    assertTrue(Double.parseDouble(narrow[2]) >= Math.floor(0.8 * picture.width()), "not below 80%: " + String.join(" ", narrow));
  }

  private static String[] fitCheck(String dom) {
    Matcher m = Pattern.compile("<pre id=\"fit-check\">([^<]*)</pre>").matcher(dom);
    assertTrue(m.find(), "the page's check ran");
    return m.group(1).trim().split(" ");
  }

  @Test
  void oneTebibyteHost() throws Exception {
    assertNoFindings(check("tdx-readme-1TiB", RealMaps.read(RealMaps.README_1TIB), "greedy,cpsat"));
  }

  @Test
  void checkerFindsOverlapsAndClippingWhereThereAreSome() throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    // Two labels at one place, one label past the right edge: the checker must say so.
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tdmr-picture\" width=\"200\" height=\"100\""
            + " viewBox=\"0 0 200 100\" font-size=\"12\"><text x=\"10\" y=\"20\">0x80000000</text>"
            + "<text x=\"14\" y=\"22\">0x100000000</text><text x=\"180\" y=\"60\">clipped</text></svg>";
    Files.createDirectories(OUT);
    Path page = OUT.resolve("checker-self-test.html");
    Files.writeString(page, "<!DOCTYPE html><html><body>" + svg + checkerScript() + "</body></html>");
    List<String> findings = findings(chromium.get().dumpDom(page, 800, 600));
    assertTrue(findings.stream().anyMatch(f -> f.startsWith("OVERLAP") && f.contains("0x80000000")), findings.toString());
    assertTrue(findings.stream().anyMatch(f -> f.startsWith("CLIPPED") && f.contains("clipped")), findings.toString());
  }

  /** Renders the map with the engines as {@code tdmr render} does, opens it and returns the findings. */
  private static List<String> check(String name, MemoryMap map, String engines) throws Exception {
    return check(name, map, engines, TdxLimits.DEFAULT);
  }

  private static List<String> check(String name, MemoryMap map, String engines, TdxLimits limits) throws Exception {
    assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
    List<EngineResult> results = new ArrayList<>();
    for (Engine e : Engines.select(engines)) {
      results.add(e.solve(map, limits, Policy.KERNEL, new SolveOptions(30, 1, 0)));
    }
    LayoutPicture picture = new LayoutPicture(map, GreedyAsBuilt.rows(results), limits);
    Files.createDirectories(OUT);
    String html = new HtmlReport(picture).html();
    Files.writeString(OUT.resolve(name + ".html"), html, StandardCharsets.UTF_8);
    Files.writeString(OUT.resolve(name + ".svg"), picture.svg(), StandardCharsets.UTF_8);
    Path checked = OUT.resolve(name + "-checked.html");
    Files.writeString(checked, html.replace("</body>", checkerScript() + "</body>"), StandardCharsets.UTF_8);
    chromium.get().screenshot(OUT.resolve(name + ".html"), OUT.resolve(name + ".png"), 1600, 1200);
    return findings(chromium.get().dumpDom(checked, 1800, 1400));
  }

  private static String checkerScript() throws IOException {
    try (InputStream in = PictureGeometryTest.class.getResourceAsStream("/render/picture-check.js")) {
      return "<script>\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8) + "</script>\n";
    }
  }

  /** The checker's lines from the dumped DOM; the last one says how much it looked at. */
  private static List<String> findings(String dom) {
    int start = dom.lastIndexOf("<pre id=\"picture-check\">");
    assertTrue(start >= 0, "the checker ran and wrote its findings");
    String text = dom.substring(start + "<pre id=\"picture-check\">".length(), dom.indexOf("</pre>", start));
    List<String> lines = text.lines().map(l -> l.replace("&quot;", "\"").replace("&amp;", "&")).toList();
    assertTrue(lines.get(lines.size() - 1).startsWith("CHECKED"), lines.toString());
    return lines;
  }

  private static void assertNoFindings(List<String> findings) {
    String checked = findings.get(findings.size() - 1);
    // The checker looked at labels, elements and pointable shapes, and found nothing wrong.
    assertTrue(checked.matches("CHECKED\t[1-9]\\d* labels\t[1-9]\\d* elements\t[1-9]\\d* pointable"), checked);
    assertEquals(List.of(checked), findings, String.join("\n", findings));
  }
}
