package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A brute-force search over the CP-SAT engine's layout family, written from the family's
 * definition without the engine's code, for tiny maps (a few GiB) with CMRs equal to the blocks,
 * holes {@code memlist} and coverage {@code all}.
 *
 * <p>The family: TDMRs are runs of whole 1 GiB granules that start and end in granules holding
 * memory and never cut a run of granules lying wholly inside the same block; each TDMR's PAMT is
 * one kernel chunk stacked against the low or the high end of a "piece" (a block clipped to the
 * granule, or to the run of whole granules of one block); stacks hold chunks in TDMR order. Reserved
 * areas of a TDMR: every gap between blocks inside it plus every chunk inside it, touching ones
 * merged.
 */
final class ExhaustiveFamilySearch {
  private static final long G = 1L << 30;

  /** Lexicographic score: PAMT bytes, TDMRs, reserved areas. */
  record Score(long pamtBytes, int tdmrs, int areas) implements Comparable<Score> {
    @Override
    public int compareTo(Score o) {
      if (pamtBytes != o.pamtBytes) {
        return Long.compare(pamtBytes, o.pamtBytes);
      }
      if (tdmrs != o.tdmrs) {
        return Integer.compare(tdmrs, o.tdmrs);
      }
      return Integer.compare(areas, o.areas);
    }
  }

  private record Piece(AddressRange range, int node) {}

  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final int granules;
  private final List<Piece> pieces = new ArrayList<>();
  private Score best;

  ExhaustiveFamilySearch(MemoryMap map, TdxLimits limits, Policy policy) {
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    List<MemoryBlock> blocks = map.blocks();
    this.granules = (int) ((blocks.get(blocks.size() - 1).end() + G - 1) / G);
    for (MemoryBlock b : blocks) {
      // Split each block at granule boundaries, except between two whole granules of the block.
      long start = b.start();
      while (start < b.end()) {
        long end = Math.min(b.end(), (start / G + 1) * G);
        if (start % G == 0 && end % G == 0) {
          while (end + G <= b.end()) {
            end += G;
          }
        }
        pieces.add(new Piece(new AddressRange(start, end), b.node()));
        start = end;
      }
    }
  }

  /** The best score of the family, or empty when the family has no valid layout. */
  Optional<Score> best() {
    best = null;
    partitions(0, new ArrayList<>());
    return Optional.ofNullable(best);
  }

  private boolean holdsMemory(int g) {
    AddressRange r = new AddressRange(g * G, (g + 1) * G);
    return map.blocks().stream().anyMatch(b -> b.range().overlaps(r));
  }

  private boolean wholeInOneBlock(int g) {
    AddressRange r = new AddressRange(g * G, (g + 1) * G);
    return map.blocks().stream().anyMatch(b -> b.range().contains(r));
  }

  /** A boundary at granule edge {@code e} is allowed unless it cuts a run of whole granules of one block. */
  private boolean mayCut(int e) {
    if (e == 0 || e == granules) {
      return true;
    }
    if (wholeInOneBlock(e - 1) && wholeInOneBlock(e)) {
      AddressRange r = new AddressRange((e - 1) * G, (e + 1) * G);
      return map.blocks().stream().noneMatch(b -> b.range().contains(r));
    }
    return true;
  }

  /** Chooses TDMRs granule by granule: from {@code g}, skip an empty granule or start a TDMR. */
  private void partitions(int g, List<AddressRange> tdmrs) {
    if (g == granules) {
      if (!tdmrs.isEmpty() && tdmrs.size() <= limits.maxTdmrs()) {
        placeChunks(tdmrs, 0, new ArrayList<>());
      }
      return;
    }
    if (!holdsMemory(g)) {
      partitions(g + 1, tdmrs);
    }
    if (!holdsMemory(g) || !mayCut(g)) {
      return;
    }
    for (int e = g + 1; e <= granules; e++) {
      if (holdsMemory(e - 1) && mayCut(e)) {
        tdmrs.add(new AddressRange(g * G, e * G));
        partitions(e, tdmrs);
        tdmrs.remove(tdmrs.size() - 1);
      }
    }
  }

  /** Each TDMR's chunk: a piece and a side (0 low, 1 high). */
  private void placeChunks(List<AddressRange> tdmrs, int t, List<int[]> places) {
    if (t == tdmrs.size()) {
      evaluate(tdmrs, places);
      return;
    }
    int node = kernelNode(tdmrs.get(t).start());
    for (int p = 0; p < pieces.size(); p++) {
      if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && pieces.get(p).node() != node) {
        continue;
      }
      for (int side = 0; side < 2; side++) {
        places.add(new int[] {p, side});
        placeChunks(tdmrs, t + 1, places);
        places.remove(places.size() - 1);
      }
    }
  }

  /** {@code tdmr_get_nid}: the node of the first block that ends after the base. */
  private int kernelNode(long base) {
    for (MemoryBlock b : map.blocks()) {
      if (b.end() > base) {
        return b.node();
      }
    }
    return 0;
  }

  private void evaluate(List<AddressRange> tdmrs, List<int[]> places) {
    // Stack the chunks.
    Map<Integer, long[]> cursors = new HashMap<>();
    long[] chunkSize = new long[tdmrs.size()];
    Map<Integer, long[]> load = new HashMap<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      chunkSize[t] = PamtSizing.chunkBytes(tdmrs.get(t).size(), limits);
      load.computeIfAbsent(places.get(t)[0], k -> new long[2])[places.get(t)[1]] += chunkSize[t];
    }
    for (Map.Entry<Integer, long[]> e : load.entrySet()) {
      AddressRange piece = pieces.get(e.getKey()).range();
      if (e.getValue()[0] + e.getValue()[1] > piece.size()) {
        return;
      }
      cursors.put(e.getKey(), new long[] {piece.start(), piece.end() - e.getValue()[1]});
    }
    List<AddressRange> chunks = new ArrayList<>();
    for (int t = 0; t < tdmrs.size(); t++) {
      long[] c = cursors.get(places.get(t)[0]);
      int side = places.get(t)[1];
      chunks.add(AddressRange.ofSize(c[side], chunkSize[t]));
      c[side] += chunkSize[t];
    }
    long pamt = 0;
    int areas = 0;
    for (int t = 0; t < tdmrs.size(); t++) {
      AddressRange tdmr = tdmrs.get(t);
      List<AddressRange> reserved = new ArrayList<>();
      long cursor = tdmr.start();
      for (MemoryBlock b : map.blocks()) {
        if (b.end() <= tdmr.start() || b.start() >= tdmr.end()) {
          continue;
        }
        if (b.start() > cursor) {
          reserved.add(new AddressRange(cursor, b.start()));
        }
        cursor = Math.max(cursor, b.end());
      }
      if (cursor < tdmr.end()) {
        reserved.add(new AddressRange(cursor, tdmr.end()));
      }
      for (AddressRange c : chunks) {
        if (c.overlaps(tdmr)) {
          reserved.add(c.intersect(tdmr));
        }
      }
      reserved.sort(AddressRange.ORDER);
      int count = 0;
      long end = -1;
      for (AddressRange r : reserved) {
        if (r.start() > end) {
          count++;
        }
        end = Math.max(end, r.end());
      }
      if (count > limits.maxReservedPerTdmr()) {
        return;
      }
      areas += count;
      pamt += chunkSize[t];
    }
    Score s = new Score(pamt, tdmrs.size(), areas);
    if (best == null || s.compareTo(best) < 0) {
      best = s;
    }
  }
}
