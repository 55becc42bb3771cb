package tdmr.bench.sweep;

import static tdmr.mem.ByteSize.GiB;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
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
   * How fragmented the map is where it hurts the kernel: the most holes that one TDMR of the
   * kernel's {@code fill_out_tdmrs} has to reserve under the memlist policy, PAMTs not counted.
   * TDMRs are drawn as the kernel draws them (each block's 1 GiB-rounded extent, a new TDMR for
   * every block reaching past the previous one, as {@code fill_out_tdmrs} does) and holes counted as
   * {@code tdmr_populate_rsvd_holes} counts them (§4.2): the gap before the first block, each gap
   * between blocks, the gap after the last. Above 16 (MAX_RESERVED_AREAS, rule C4) the greedy
   * must fail; at or below it may still fail once its PAMTs take their reserved areas. The EMR
   * host of canonical/tdx#135 scores 17 on TDMR {@code [0x0, 0x80000000)}.
   */
  public int kernelTdmrHoles() {
    List<MemoryBlock> blocks = map.blocks();
    List<AddressRange> tdmrs = new ArrayList<>();
    for (MemoryBlock b : blocks) {
      long start = ByteSize.alignDown(b.start(), GiB);
      long end = ByteSize.alignUp(b.end(), GiB);
      if (!tdmrs.isEmpty()) {
        long lastEnd = tdmrs.get(tdmrs.size() - 1).end();
        if (end <= lastEnd) {
          continue;
        }
        start = Math.max(start, lastEnd);
      }
      tdmrs.add(new AddressRange(start, end));
    }
    int most = 0;
    int first = 0;
    for (AddressRange t : tdmrs) {
      while (blocks.get(first).end() < t.start()) {
        first++;
      }
      int holes = 0;
      long prevEnd = t.start();
      for (int i = first; i < blocks.size() && blocks.get(i).start() < t.end(); i++) {
        if (blocks.get(i).start() > prevEnd) {
          holes++;
        }
        prevEnd = Math.max(prevEnd, blocks.get(i).end());
      }
      if (prevEnd < t.end()) {
        holes++;
      }
      most = Math.max(most, holes);
    }
    return most;
  }
}
