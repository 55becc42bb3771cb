package tdmr.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Remote PAMT bytes: how much PAMT describes memory on another NUMA node than the PAMT itself, the
 * second tier of the objective under {@code --pamt node-local} ({@link tdmr.tdx.Policy}).
 *
 * <p>Definition. A PAMT level of a TDMR holds, for every 1 GiB granule of the TDMR, the module's
 * entries for that granule: {@code perGiB} bytes, the module's unrounded minimum for 1 GiB at that
 * level ({@link PamtSizing#moduleMinimum}: 4 MiB, 8 KiB and 16 bytes with 16-byte entries, 32 KiB
 * for the Dynamic PAMT bitmap). The <em>nodes of a granule</em> are the NUMA nodes of the TDX memory
 * inside it (of the map given); the <em>nodes of a level</em> those of the TDX memory the level's
 * range overlaps. A granule holding TDX memory is described remotely by a level unless every node
 * of the level has memory in the granule. Then
 *
 * <pre>remote bytes = sum over TDMRs, levels and granules of the TDMR described remotely: perGiB(level)</pre>
 *
 * <p>So a level on node n describing a granule of node n costs nothing; a granule whose memory lies
 * on nodes 0 and 1 is local to a level on either; a granule without TDX memory describes nothing
 * and is never remote; padding beyond the minimum and the 4 KiB rounding describe nothing and are
 * never remote. A level straddling the edge between memory of two nodes is local only to granules
 * holding memory of both, so straddling never makes a level more local than sitting on one of the
 * nodes. A level that overlaps no TDX memory (the OS check rejects it) is remote to every granule.
 *
 * <p>Both optimising engines compute the same quantity from their decisions; this class computes it
 * from a finished layout, for output and for checking the engines.
 */
public final class RemotePamt {
  private static final long GiB = 1L << 30;

  private final List<MemoryBlock> blocks;
  private final TdxLimits limits;

  public RemotePamt(MemoryMap map, TdxLimits limits) {
    this.blocks = map.blocks();
    this.limits = limits;
  }

  /** Remote PAMT bytes of the whole layout. */
  public long bytes(Layout layout) {
    long total = 0;
    for (Tdmr t : layout.tdmrs()) {
      total += bytes(t);
    }
    return total;
  }

  /** Remote PAMT bytes of one TDMR's three levels. */
  public long bytes(Tdmr t) {
    long total = 0;
    for (PageSize level : PageSize.values()) {
      total += levelBytes(t, level);
    }
    return total;
  }

  /** Remote PAMT bytes of one level of a TDMR. */
  public long levelBytes(Tdmr t, PageSize level) {
    PamtRange r = t.pamt().level(level);
    Set<Integer> levelNodes = nodesOf(r.base(), r.size());
    long perGiB = PamtSizing.moduleMinimum(GiB, level, limits);
    return perGiB * remoteGranules(t, levelNodes);
  }

  /**
   * The granules of TDMR {@code t} that hold TDX memory and that a level on {@code levelNodes}
   * describes remotely; each granule is visited once per block overlapping it, so the work is
   * bounded by the memory, not by the TDMR's size.
   */
  private long remoteGranules(Tdmr t, Set<Integer> levelNodes) {
    if (t.base() < 0 || t.size() <= 0 || t.base() > Long.MAX_VALUE - t.size()) {
      return 0;
    }
    AddressRange tdmr = t.range();
    long count = 0;
    long granule = -1;
    Set<Integer> granuleNodes = new TreeSet<>();
    for (MemoryBlock b : blocksOverlapping(tdmr)) {
      AddressRange in = b.range().intersect(tdmr);
      for (long g = in.start() & -GiB; g < in.end(); g += GiB) {
        if (g != granule) {
          if (granule >= 0 && isRemote(granuleNodes, levelNodes)) {
            count++;
          }
          granule = g;
          granuleNodes.clear();
        }
        granuleNodes.add(b.node());
      }
    }
    if (granule >= 0 && isRemote(granuleNodes, levelNodes)) {
      count++;
    }
    return count;
  }

  private static boolean isRemote(Set<Integer> granuleNodes, Set<Integer> levelNodes) {
    return levelNodes.isEmpty() || !granuleNodes.containsAll(levelNodes);
  }

  /** The nodes of the TDX memory overlapping {@code [base, base + size)}, empty for a bad range. */
  private Set<Integer> nodesOf(long base, long size) {
    Set<Integer> out = new TreeSet<>();
    if (base < 0 || size <= 0 || base > Long.MAX_VALUE - size) {
      return out;
    }
    AddressRange r = AddressRange.ofSize(base, size);
    for (MemoryBlock b : blocksOverlapping(r)) {
      out.add(b.node());
    }
    return out;
  }

  private List<MemoryBlock> blocksOverlapping(AddressRange r) {
    List<MemoryBlock> out = new ArrayList<>();
    // Binary search for the first block ending after r.start (blocks are sorted and disjoint).
    int lo = 0;
    int hi = blocks.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (blocks.get(mid).end() <= r.start()) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = lo; i < blocks.size() && blocks.get(i).start() < r.end(); i++) {
      out.add(blocks.get(i));
    }
    return out;
  }
}
