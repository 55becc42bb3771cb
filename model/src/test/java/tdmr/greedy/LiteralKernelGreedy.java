package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.TdxLimits;

/**
 * A second, deliberately naive transcription of the kernel's {@code construct_tdmrs} (quadratic loops, the
 * allocator stepping one candidate at a time), used as an oracle for {@link LinuxGreedy}'s
 * cursors and jumps. It returns only what the kernel would print and the TDMR_INFO numbers.
 */
final class LiteralKernelGreedy {
  private static final long G1 = 1L << 30;
  private static final long G4 = 4L << 30;

  /** One TDMR: base, size, PAMT chunk base and size, and its sorted reserved areas {offset, size}. */
  record Entry(long base, long size, long pamtBase, long pamtSize, List<long[]> rsvd) {}

  /** Either entries (success) or the failure line and errno. */
  record Outcome(List<Entry> entries, String failure, int errno) {}

  static Outcome run(List<MemoryBlock> blocks, TdxLimits sys) {
    int maxTdmrs = sys.maxTdmrs();
    long[] base = new long[maxTdmrs];
    long[] size = new long[maxTdmrs];
    int idx = 0;
    for (MemoryBlock b : blocks) {
      long start = b.start() / G1 * G1;
      long end = (b.end() + G1 - 1) / G1 * G1;
      if (size[idx] != 0) {
        if (end <= base[idx] + size[idx]) {
          continue;
        }
        if (start < base[idx] + size[idx]) {
          start = base[idx] + size[idx];
        }
        idx++;
        if (idx >= maxTdmrs) {
          return new Outcome(null, "initialization failed: TDMRs exhausted.", -28);
        }
      }
      base[idx] = start;
      size[idx] = end - start;
    }
    int n = idx + 1;

    long[] pamtBase = new long[n];
    long[] pamtSize = new long[n];
    List<long[]> placed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int nid = 0;
      for (MemoryBlock b : blocks) {
        if (b.end() > base[i]) {
          nid = b.node();
          break;
        }
      }
      pamtSize[i] = PamtSizing.chunkBytes(size[i], sys);
      long got = allocContigPages(blocks, placed, pamtSize[i], nid);
      if (got < 0) {
        return new Outcome(null, null, -12);
      }
      pamtBase[i] = got;
      placed.add(new long[] {got, got + pamtSize[i]});
    }

    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<long[]> rsvd = new ArrayList<>();
      long tEnd = base[i] + size[i];
      long prevEnd = base[i];
      String exhausted =
          "initialization failed: TDMR [0x%x, 0x%x): reserved areas exhausted.".formatted(base[i], tEnd);
      for (MemoryBlock b : blocks) {
        long s = b.start();
        long e = b.end();
        if (s >= tEnd) {
          break;
        }
        if (e < base[i]) {
          continue;
        }
        if (s <= prevEnd) {
          prevEnd = e;
          continue;
        }
        if (rsvd.size() >= sys.maxReservedPerTdmr()) {
          return new Outcome(null, exhausted, -28);
        }
        rsvd.add(new long[] {prevEnd - base[i], s - prevEnd});
        prevEnd = e;
      }
      if (prevEnd < tEnd) {
        if (rsvd.size() >= sys.maxReservedPerTdmr()) {
          return new Outcome(null, exhausted, -28);
        }
        rsvd.add(new long[] {prevEnd - base[i], tEnd - prevEnd});
      }
      for (int j = 0; j < n; j++) {
        long pb = pamtBase[j];
        long pe = pb + pamtSize[j];
        if (pe <= base[i] || pb >= tEnd) {
          continue;
        }
        if (rsvd.size() >= sys.maxReservedPerTdmr()) {
          return new Outcome(null, exhausted, -28);
        }
        long s = Math.max(pb, base[i]);
        rsvd.add(new long[] {s - base[i], Math.min(pe, tEnd) - s});
      }
      rsvd.sort((a, b) -> Long.compare(a[0], b[0]));
      out.add(new Entry(base[i], size[i], pamtBase[i], pamtSize[i], rsvd));
    }
    return new Outcome(out, null, 0);
  }

  /** One candidate at a time: node, then other nodes ascending; NORMAL (>= 4 GiB) then below 4 GiB. */
  private static long allocContigPages(List<MemoryBlock> blocks, List<long[]> placed, long bytes, int nid) {
    List<Integer> nodes = new ArrayList<>();
    blocks.stream().map(MemoryBlock::node).distinct().sorted().forEach(nodes::add);
    List<Integer> order = new ArrayList<>();
    if (nodes.contains(nid)) {
      order.add(nid);
    }
    for (int n : nodes) {
      if (n != nid) {
        order.add(n);
      }
    }
    long nr = bytes / PAGE;
    for (int node : order) {
      for (AddressRange zone : List.of(new AddressRange(G4, Long.MAX_VALUE), new AddressRange(0, G4))) {
        List<AddressRange> pieces = new ArrayList<>();
        for (MemoryBlock b : blocks) {
          if (b.node() == node && !b.range().intersect(zone).isEmpty()) {
            pieces.add(b.range().intersect(zone));
          }
        }
        if (pieces.isEmpty()) {
          continue;
        }
        long zoneStartPfn = pieces.get(0).start() / PAGE;
        long zoneEndPfn = pieces.get(pieces.size() - 1).end() / PAGE;
        long pfn = (zoneStartPfn + nr - 1) & ~(nr - 1);
        while (pfn + nr - 1 < zoneEndPfn) {
          long s = pfn * PAGE;
          long e = s + bytes;
          boolean inPiece = pieces.stream().anyMatch(p -> p.start() <= s && e <= p.end());
          boolean free = placed.stream().noneMatch(p -> p[0] < e && s < p[1]);
          if (inPiece && free) {
            return s;
          }
          pfn += nr;
        }
      }
    }
    return -1;
  }
}
