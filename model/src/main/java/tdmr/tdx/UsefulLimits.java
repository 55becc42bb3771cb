package tdmr.tdx;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * The most TDMRs and reserved areas per TDMR that a memory map can use: limits raised past these
 * change no answer, so they are lowered to them before any engine runs (a limit of 100 000 TDMRs
 * would otherwise size models and tables by it, and run out of memory or overflow an objective).
 *
 * <ul>
 *   <li><b>TDMRs.</b> TDMRs are disjoint and 1 GiB aligned (rules B3, B4); a TDMR that holds no
 *       TDX memory can be dropped from any valid layout, with its PAMT, and the layout stays valid
 *       with fewer TDMRs. So no layout needs more TDMRs than there are 1 GiB granules holding TDX
 *       memory. The kernel's construction opens one TDMR per granule run it must cover, never more.
 *   <li><b>Reserved areas.</b> Touching or adjacent reserved areas of a TDMR can be merged into
 *       one (rules C2 to C6 hold for the union), so a TDMR needs at most one area per gap between
 *       its usable runs, plus one at each end. Usable memory lies inside TDX memory blocks (holes
 *       memlist) or merged CMRs (holes cmr) and outside every PAMT, each of a TDMR's three PAMT
 *       levels splitting at most one run in two: at most {@code max(blocks, CMRs) + 3·TDMRs} runs,
 *       so {@code max(blocks, CMRs) + 3·TDMRs + 1} areas. The kernel's construction uses one area
 *       per hole between blocks and one per PAMT chunk piece, fewer than that.
 * </ul>
 *
 * @param limits the limits asked for, lowered to what the map can use
 * @param notes one sentence per limit that was lowered, for the user
 */
public record UsefulLimits(TdxLimits limits, List<String> notes) {
  public UsefulLimits {
    notes = List.copyOf(notes);
  }

  /**
   * The limits {@code asked} lowered to what {@code map} can use, but never below the module's own
   * ({@link TdxLimits#DEFAULT}: 64 TDMRs, 16 areas), which every engine handles as they are and
   * which output and proofs then name as usual.
   */
  public static UsefulLimits of(TdxLimits asked, MemoryMap map) {
    long granules = granulesWithMemory(map);
    long tdmrs = Math.max(TdxLimits.DEFAULT.maxTdmrs(), granules);
    List<String> notes = new ArrayList<>();
    TdxLimits limits = asked;
    if (asked.maxTdmrs() > tdmrs) {
      notes.add(("--max-tdmrs %d is more than this map can use: its TDX memory lies in %d GiB granules, and no"
          + " layout needs more TDMRs than that; using %d%s").formatted(asked.maxTdmrs(), granules, tdmrs,
          tdmrs > granules ? " (the module's own limit)" : ""));
      limits = limits.withMaxTdmrs((int) tdmrs);
    }
    long pieces = Math.max(map.blocks().size(), map.cmrs().merged().size());
    // An optimal layout has no TDMR without memory (dropping one is better), so at most one per granule.
    long tdmrsWithMemory = Math.min(limits.maxTdmrs(), Math.max(1, granules));
    long needed = pieces + 3 * tdmrsWithMemory + 1;
    long areas = Math.max(TdxLimits.DEFAULT.maxReservedPerTdmr(), needed);
    if (asked.maxReservedPerTdmr() > areas) {
      notes.add(("--max-rsvd %d is more than this map can use: no TDMR needs more than %d reserved areas (one per"
          + " gap between %d blocks or CMRs and per PAMT level of %d TDMRs, merged where they touch); using %d"
          + (areas > needed ? " (the module's own limit)" : ""))
          .formatted(asked.maxReservedPerTdmr(), needed, pieces, tdmrsWithMemory, areas));
      limits = limits.withMaxReservedPerTdmr((int) areas);
    }
    return new UsefulLimits(limits, notes);
  }

  /** The number of 1 GiB granules that hold some TDX memory. */
  static long granulesWithMemory(MemoryMap map) {
    long count = 0;
    long lastGranule = -1;
    for (MemoryBlock b : map.blocks()) {
      AddressRange r = b.range();
      if (r.isEmpty()) {
        continue;
      }
      long first = r.start() / ByteSize.GiB;
      long last = (r.end() - 1) / ByteSize.GiB;
      if (first <= lastGranule) {
        first = lastGranule + 1;
      }
      if (last >= first) {
        count += last - first + 1;
        lastGranule = last;
      }
    }
    return count;
  }
}
