package tdmr.bench.sweep;

import static tdmr.mem.ByteSize.GiB;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * One map of a sweep.
 *
 * @param name unique name, used as the CSV key ({@code tdx-fail-emr-...}, {@code fragmented-16-seed7})
 * @param origin {@code real} for a file read from disk, otherwise the generator family
 * @param map the map every engine solves
 */
public record SweepMap(String name, String origin, MemoryMap map) {

  public int blocks() {
    return map.blocks().size();
  }

  /**
   * How fragmented the map is where it matters to the kernel: the largest number of holes (gaps
   * without TDX memory) that one 1 GiB-aligned window holding TDX memory contains. A TDMR spanning
   * that window needs at least that many reserved areas under the memlist policy, so values above
   * 16 (MAX_RESERVED_AREAS, rule C4) cannot be handled by a 1 GiB TDMR there. The EMR host of
   * canonical/tdx#135 scores 17 on {@code [0x40000000, 0x80000000)}.
   */
  public int holesInBusiestGiB() {
    List<MemoryBlock> blocks = map.blocks();
    if (blocks.isEmpty()) {
      return 0;
    }
    Map<Long, Integer> holesPerWindow = new HashMap<>();
    long first = blocks.get(0).start();
    countHole(new AddressRange(first & -GiB, first), holesPerWindow);
    for (AddressRange gap : map.gaps()) {
      countHole(gap, holesPerWindow);
    }
    long last = blocks.get(blocks.size() - 1).end();
    countHole(new AddressRange(last, (last + GiB - 1) & -GiB), holesPerWindow);
    return holesPerWindow.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** A hole counts in the windows at its two ends, unless it covers that window completely (then the window holds no memory). */
  private static void countHole(AddressRange hole, Map<Long, Integer> holesPerWindow) {
    if (hole.isEmpty()) {
      return;
    }
    long firstWindow = hole.start() / GiB;
    long lastWindow = (hole.end() - 1) / GiB;
    boolean firstFullyCovered = hole.start() == firstWindow * GiB && hole.end() >= (firstWindow + 1) * GiB;
    if (!firstFullyCovered) {
      holesPerWindow.merge(firstWindow, 1, Integer::sum);
    }
    if (lastWindow != firstWindow && hole.end() != (lastWindow + 1) * GiB) {
      holesPerWindow.merge(lastWindow, 1, Integer::sum);
    }
  }
}
