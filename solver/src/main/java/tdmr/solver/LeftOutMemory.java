package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.check.OsCoverageCheck;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;

/**
 * The TDX memory an answer under coverage {@code max} leaves out, in the words every engine's answer
 * uses: a heading with the total ({@code left out 748 KiB of TDX memory:}) and one line per range
 * ({@code   [0x5e5c3000, 0x5e5d3000) 64 KiB}), so that the reader sees, and can reserve, exactly
 * the memory no TDMR covers and no PAMT holds.
 */
public final class LeftOutMemory {
  private LeftOutMemory() {}

  /** The lines for {@code ranges}, in address order; none when nothing is left out. */
  public static List<String> lines(List<AddressRange> ranges) {
    if (ranges.isEmpty()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    long total = ranges.stream().mapToLong(AddressRange::size).sum();
    lines.add("left out %s of TDX memory:".formatted(ByteSize.human(total)));
    ranges.forEach(r -> lines.add("  %s %s".formatted(r, ByteSize.human(r.size()))));
    return lines;
  }

  /**
   * The lines for the memory {@code layout} leaves out of {@code map}: the uncovered memory of the
   * OS check ({@link OsCoverageCheck}), whose total is the layout's {@link LayoutScore#uncoveredBytes}.
   */
  public static List<String> lines(MemoryMap map, Policy policy, Layout layout) {
    return lines(new OsCoverageCheck(map, policy.holes()).check(layout).uncoveredMemory());
  }
}
