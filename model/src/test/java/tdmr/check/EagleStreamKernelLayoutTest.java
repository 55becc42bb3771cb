package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The 33 TDMRs and PAMTs an early Intel TDX kernel printed on a 2-socket Sapphire Rapids CRB
 * (realmaps/tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt).
 *
 * <p>The log gives TDMR and PAMT base/size but neither the reserved areas nor the CMRs, so those are
 * reconstructed by the kernel's rules: CMRs = TDX memory (e820 usable above 1 MiB); reserved areas
 * = every gap between memory blocks inside a TDMR plus every PAMT inside it; each PAMT chunk holds
 * 4K, 2M, 1G back to back. The test shows the validator accepts a layout of real shape and scale.
 */
class EagleStreamKernelLayoutTest {
  private static final String FILE = "/realmaps/tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt";

  // e820 usable ranges of the log, above 1 MiB; node 0 below 0x1080000000 (SRAT), node 1 above.
  private static final MemoryMap MAP = MemoryMap.ofBlocks("eaglestream", List.of(
      new MemoryBlock(0x100000L, 0x72EE8000L, 0),
      new MemoryBlock(0x777FF000L, 0x77800000L, 0),
      new MemoryBlock(0x100000000L, 0x106E000000L, 0),
      new MemoryBlock(0x1080000000L, 0x2070000000L, 1)));

  @Test
  void kernelPrintedLayoutPassesModuleAndOsChecks() throws IOException {
    List<long[]> tdmrLines = lines("TDMR");
    List<long[]> pamtLines = lines("PAMT");
    assertEquals(33, tdmrLines.size());
    List<Tdmr> tdmrs = new ArrayList<>();
    for (int i = 0; i < tdmrLines.size(); i++) {
      long base = tdmrLines.get(i)[0];
      long size = tdmrLines.get(i)[1];
      long pamtBase = pamtLines.get(i)[0];
      // The printed PAMT size is the kernel's chunk for this TDMR size (66 GiB -> 0x10885000, 2 GiB -> 0x805000).
      assertEquals(PamtSizing.chunkBytes(size, TdxLimits.DEFAULT), pamtLines.get(i)[1], "PAMT[" + i + "]");
      tdmrs.add(new Tdmr(base, size, Pamt.kernelChunk(pamtBase, size, TdxLimits.DEFAULT),
          reserved(base, size, pamtBase, pamtLines.get(i)[1])));
    }
    Layout layout = new Layout(tdmrs);
    assertEquals(List.of(), new ModuleValidator(MAP.cmrs(), TdxLimits.DEFAULT).allViolations(layout));
    assertTrue(new OsCoverageCheck(MAP, Policy.Holes.MEMLIST).check(layout).holds(Policy.Coverage.ALL));
    assertEquals(List.of(), LayoutVerifier.failures(MAP, TdxLimits.DEFAULT, Policy.DEFAULT, layout));
  }

  /** Gaps between blocks inside the TDMR (the first 1 MiB included) and the TDMR's own PAMT, sorted. */
  private static List<ReservedArea> reserved(long base, long size, long pamtBase, long pamtSize) {
    List<long[]> areas = new ArrayList<>();
    long cursor = base;
    for (MemoryBlock b : MAP.blocks()) {
      if (b.end() <= base || b.start() >= base + size) {
        continue;
      }
      if (b.start() > cursor) {
        areas.add(new long[] {cursor, b.start()});
      }
      cursor = b.end();
    }
    if (cursor < base + size) {
      areas.add(new long[] {cursor, base + size});
    }
    areas.add(new long[] {pamtBase, pamtBase + pamtSize});
    areas.sort((x, y) -> Long.compare(x[0], y[0]));
    return areas.stream().map(a -> new ReservedArea(a[0] - base, a[1] - a[0])).toList();
  }

  private static List<long[]> lines(String what) throws IOException {
    Pattern p = Pattern.compile("tdx: TDX " + what + "\\[(\\d+)\\]: 0x([0-9a-f]+) 0x([0-9a-f]+)");
    List<long[]> out = new ArrayList<>();
    try (InputStream in = EagleStreamKernelLayoutTest.class.getResourceAsStream(FILE)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          assertEquals(out.size(), Integer.parseInt(m.group(1)));
          out.add(new long[] {Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16)});
        }
      }
    }
    return out;
  }
}
