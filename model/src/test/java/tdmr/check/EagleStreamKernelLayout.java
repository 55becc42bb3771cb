package tdmr.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Test fixture: the 33 TDMRs and PAMTs an early Intel TDX kernel printed on a 2-socket Sapphire Rapids CRB
 * (realmaps/tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt).
 *
 * <p>The log gives TDMR and PAMT base/size but neither the reserved areas nor the CMRs, so those are
 * reconstructed by the kernel's rules: CMRs = TDX memory (e820 usable above 1 MiB); reserved areas
 * = every gap between memory blocks inside a TDMR plus every PAMT inside it; each PAMT chunk holds
 * 4K, 2M, 1G back to back.
 */
public final class EagleStreamKernelLayout {
  /** The log, as a class-path resource. */
  public static final String FILE = "/realmaps/tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt";

  // e820 usable ranges of the log, above 1 MiB; node 0 below 0x1080000000 (SRAT), node 1 above.
  public static final MemoryMap MAP = MemoryMap.ofBlocks("eaglestream", List.of(
      new MemoryBlock(0x100000L, 0x72EE8000L, 0),
      new MemoryBlock(0x777FF000L, 0x77800000L, 0),
      new MemoryBlock(0x100000000L, 0x106E000000L, 0),
      new MemoryBlock(0x1080000000L, 0x2070000000L, 1)));

  private EagleStreamKernelLayout() {}

  /** The layout of the log's TDMR and PAMT lines, with reserved areas by the kernel's rules. */
  public static Layout layout() throws IOException {
    List<long[]> tdmrLines = lines("TDMR");
    List<long[]> pamtLines = lines("PAMT");
    List<Tdmr> tdmrs = new ArrayList<>();
    for (int i = 0; i < tdmrLines.size(); i++) {
      long base = tdmrLines.get(i)[0];
      long size = tdmrLines.get(i)[1];
      long pamtBase = pamtLines.get(i)[0];
      tdmrs.add(new Tdmr(base, size, Pamt.kernelChunk(pamtBase, size, TdxLimits.DEFAULT),
          reserved(base, size, pamtBase, pamtLines.get(i)[1])));
    }
    return new Layout(tdmrs);
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

  /** {base, size} of each "tdx: TDX TDMR[i]" or "tdx: TDX PAMT[i]" line, in order. */
  static List<long[]> lines(String what) throws IOException {
    Pattern p = Pattern.compile("tdx: TDX " + what + "\\[(\\d+)\\]: 0x([0-9a-f]+) 0x([0-9a-f]+)");
    List<long[]> out = new ArrayList<>();
    try (InputStream in = EagleStreamKernelLayout.class.getResourceAsStream(FILE)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          out.add(new long[] {Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16)});
        }
      }
    }
    return out;
  }
}
