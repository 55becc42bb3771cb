package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.RealMaps;

/** {@code tdmr render} on real maps: the file written, what it shows, exit statuses. */
class RenderCommandTest {
  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void bundledExampleShowsTheKernelFailingInItsFirstTdmr(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("layout.html");
    CliRun run = CliRun.of("render", "-o", html.toString());
    // The greedy fails on canonical/tdx#135 as the kernel did; the picture shows it: exit 0.
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("Wrote " + html + " (HTML, 1 layout row): greedy failed"), run.out());
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    assertTrue(page.contains("initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted."));
    // TDMR [0, 2 GiB) of the 16 e820 blocks below 2 GiB: [0, 1 MiB), 15 gaps between blocks and the
    // tail [0x6f800000, 2 GiB) are 17 holes, plus its own PAMT chunk placed inside it: 18 areas, 2
    // beyond the module's 16 slots: the 17th and 18th the kernel added (the tail hole, then the PAMT
    // chunk). Each area is drawn twice: in the overview and in the zoomed strip of the failing TDMR.
    assertEquals(2 * 2, count(page, "<rect class=\"reserved over-limit\""));
    assertEquals(2 * 16, count(page, "<rect class=\"reserved\""));
    assertTrue(page.contains("reserved area 17 of TDMR [0x0, 0x80000000): [0x6f800000, 0x80000000)"), "tail hole is 17th");
    assertTrue(page.contains(">18/16 reserved</text>"), "TDMR 0 says 18 of 16");
    // The table of the TDMRs as they stood: one TDMR, counted in the singular.
    assertTrue(page.contains("<td>1 TDMR</td>"), "one TDMR, not '1 TDMRs'");
    assertFalse(page.contains("1 TDMRs"));
    assertFalse(page.contains("src=\"http"), "self-contained: nothing fetched");
  }

  @Test
  void svgOfASuccessfulHostLabelsTheKernelsTdmrBoundaries(@TempDir Path dir) throws Exception {
    Path svg = dir.resolve("285.svg");
    CliRun run = CliRun.of("render", RealMaps.path(RealMaps.CMR_TWICE_285).toString(), "-o", svg.toString());
    assertEquals(0, run.exit(), run.err());
    String picture = Files.readString(svg);
    assertTrue(picture.startsWith("<?xml"));
    // CMRs [1M, 0x77800000), [4G, 0x206e000000), [0x2080000000, 0x4070000000) taken as TDX memory:
    // the kernel's TDMRs are [0, 2G), [4G, 130G = 0x2080000000), [130G, 258G = 0x4080000000).
    assertEquals(3, count(picture, "<rect class=\"tdmr "));
    for (String boundary : new String[] {"0x0", "0x80000000", "0x100000000", "0x2080000000", "0x4080000000"}) {
      assertTrue(picture.contains(">" + boundary + "</text>"), boundary + " labelled");
    }
    // 8212 + 517108 + 525316 KB (4104 N + 4 KiB for an N GiB TDMR) = 1050636 KB, as the host logged.
    assertTrue(picture.contains("(1050636 KiB)"), "PAMT total in the row title");
  }

  @Test
  void runningOutOfTdmrsShowsTheTdmrsThatFit(@TempDir Path dir) throws Exception {
    Path svg = dir.resolve("tdmrs.svg");
    // canonical/tdx#285 needs three TDMRs ([0, 2G), [4G, 130G), [130G, 258G)); with two allowed
    // the kernel fails in fill_out_tdmrs after building the first two.
    CliRun run = CliRun.of("render", RealMaps.path(RealMaps.CMR_TWICE_285).toString(), "--max-tdmrs", "2",
        "-o", svg.toString());
    assertEquals(0, run.exit(), run.err());
    String picture = Files.readString(svg);
    assertTrue(picture.contains("initialization failed: TDMRs exhausted."), "the kernel's message");
    assertEquals(2, count(picture, "<rect class=\"tdmr "));
    assertTrue(picture.contains(">0x100000000</text>") && picture.contains(">0x2080000000</text>"));
    assertEquals(0, count(picture, "<rect class=\"pamt\""));
  }

  @Test
  void outputMustBeSvgOrHtml(@TempDir Path dir) {
    CliRun run = CliRun.of("render", "-o", dir.resolve("layout.png").toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("-o must name a .svg or .html file"), run.err());
    assertFalse(Files.exists(dir.resolve("layout.png")));
  }

  @Test
  void unwritableOutputIsBadInput(@TempDir Path dir) {
    CliRun run = CliRun.of("render", "-o", dir.resolve("no/such/dir/layout.svg").toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("cannot write the picture"), run.err());
  }
}
