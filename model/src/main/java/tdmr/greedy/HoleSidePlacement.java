package tdmr.greedy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@code tdmrs_set_up_pamt_all} as {@link GreedyFit} does it: every TDMR's PAMT chunk goes on its
 * node ({@code tdmr_get_nid}), stacked against a hole wherever one has room, so that the hole's
 * reserved area grows over the chunk and the chunk costs no area of its own.
 *
 * <p>The memory is cut into <em>pieces</em>: a memory-list block clipped to one TDMR. A piece is
 * <em>open</em> on a side when a hole of the same TDMR touches it there; chunks stacked against an
 * open side, back to back, extend that hole's area. Chunks are placed largest first (ties by TDMR
 * index), each into the open piece of its node with the least room that still holds it (best fit
 * decreasing). A chunk that finds no open piece pays one reserved area: it goes into the piece of
 * its node with the most room, in a TDMR whose holes leave an area spare, and that side is open
 * from then on (so later chunks find the most room there). It is stacked against a neighbouring piece of the same TDMR (two
 * nodes' blocks that touch) when there is one, so that the neighbour's side opens too and a chunk
 * of the other node can share the area. Both searches are ordered sets, so placing T chunks over P pieces costs
 * {@code O((P + T) log P)}.
 */
final class HoleSidePlacement {
  /** A block clipped to one TDMR, with the chunks stacked at either end. */
  private static final class Piece {
    final int index;
    final int tdmr;
    final int node;
    final long start;
    final long end;
    boolean lowOpen;
    boolean highOpen;
    /** The piece of the same TDMR that ends where this one starts (another node's block), or null. */
    Piece below;
    /** The piece of the same TDMR that starts where this one ends, or null. */
    Piece above;
    long usedLow;
    long usedHigh;

    Piece(int index, int tdmr, int node, long start, long end) {
      this.index = index;
      this.tdmr = tdmr;
      this.node = node;
      this.start = start;
      this.end = end;
    }

    long room() {
      return end - start - usedLow - usedHigh;
    }

    boolean open() {
      return lowOpen || highOpen;
    }
  }

  /** Room first, then address: the best-fit order. */
  private static final Comparator<Piece> BY_ROOM =
      Comparator.comparingLong(Piece::room).thenComparingLong(p -> p.start);

  /**
   * Where the chunks went.
   *
   * @param bases chunk base per TDMR, -1 for chunks not placed
   * @param paidAreas per TDMR: reserved areas spent on chunks that found no open side
   * @param unplaced the first TDMR (in placement order) whose chunk found no room, or -1
   */
  record Outcome(long[] bases, int[] paidAreas, int unplaced) {}

  private final List<MemoryBlock> memlist;
  private final HoleIndex holes;
  private final List<AddressRange> tdmrs;
  private final TdxLimits limits;
  private final Policy.PamtPlacementPolicy pamt;
  private final List<Piece> pieces = new ArrayList<>();
  private final List<List<Piece>> piecesOfTdmr = new ArrayList<>();
  private final Map<Integer, TreeSet<Piece>> openByNode = new HashMap<>();
  private final Map<Integer, TreeSet<Piece>> closedByNode = new HashMap<>();
  private final int[] spare;

  HoleSidePlacement(
      List<MemoryBlock> memlist, HoleIndex holes, List<AddressRange> tdmrs, Policy.PamtPlacementPolicy pamt,
      TdxLimits limits) {
    this.memlist = memlist;
    this.pamt = pamt;
    this.holes = holes;
    this.tdmrs = tdmrs;
    this.limits = limits;
    this.spare = new int[tdmrs.size()];
    cutPieces();
  }

  /** Cuts the memory list into pieces per TDMR and files each as open or closed under its node. */
  private void cutPieces() {
    int cursor = 0;
    for (int k = 0; k < tdmrs.size(); k++) {
      AddressRange t = tdmrs.get(k);
      spare[k] = limits.maxReservedPerTdmr() - holes.count(t.start(), t.end());
      List<Piece> own = new ArrayList<>();
      while (cursor < memlist.size() && memlist.get(cursor).end() <= t.start()) {
        cursor++;
      }
      for (int b = cursor; b < memlist.size() && memlist.get(b).start() < t.end(); b++) {
        MemoryBlock block = memlist.get(b);
        Piece p = new Piece(pieces.size(), k, block.node(),
            Math.max(block.start(), t.start()), Math.min(block.end(), t.end()));
        p.lowOpen = p.start > t.start() && holes.gapEndsAt(p.start);
        p.highOpen = p.end < t.end() && holes.gapStartsAt(p.end);
        if (!own.isEmpty() && own.get(own.size() - 1).end == p.start) {
          p.below = own.get(own.size() - 1);
          p.below.above = p;
        }
        pieces.add(p);
        own.add(p);
        file(p);
      }
      piecesOfTdmr.add(own);
    }
  }

  private TreeSet<Piece> set(Map<Integer, TreeSet<Piece>> byNode, int node) {
    return byNode.computeIfAbsent(node, n -> new TreeSet<>(BY_ROOM.thenComparingInt(p -> p.index)));
  }

  private void file(Piece p) {
    if (p.open()) {
      set(openByNode, p.node).add(p);
    } else if (spare[p.tdmr] > 0) {
      set(closedByNode, p.node).add(p);
    }
  }

  private void unfile(Piece p) {
    set(openByNode, p.node).remove(p);
    set(closedByNode, p.node).remove(p);
  }

  /** Places every chunk, largest first. */
  Outcome place() {
    int n = tdmrs.size();
    long[] chunk = new long[n];
    int[] node = new int[n];
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      chunk[k] = PamtSizing.chunkBytes(tdmrs.get(k).size(), limits);
      node[k] = LinuxGreedy.tdmrNode(memlist, tdmrs.get(k).start()).orElseThrow();
      order[k] = k;
    }
    Arrays.sort(order, Comparator.comparingLong((Integer k) -> -chunk[k]).thenComparingInt(k -> k));
    long[] bases = new long[n];
    Arrays.fill(bases, -1);
    int[] paid = new int[n];
    for (int k : order) {
      Piece p = null;
      for (int candidateNode : nodesToTry(node[k])) {
        p = smallestHolding(set(openByNode, candidateNode), chunk[k]);
        if (p == null) {
          p = roomiest(set(closedByNode, candidateNode), chunk[k]);
          if (p != null) {
            payArea(p, paid);
          }
        }
        if (p != null) {
          break;
        }
      }
      if (p == null) {
        return new Outcome(bases, paid, k);
      }
      unfile(p);
      bases[k] = stack(p, chunk[k]);
      file(p);
    }
    return new Outcome(bases, paid, -1);
  }

  /** The TDMR's node; under PAMT placement any, then every other node in ascending id (mainline's fallback). */
  private List<Integer> nodesToTry(int local) {
    if (pamt == Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return List.of(local);
    }
    List<Integer> order = new ArrayList<>(List.of(local));
    memlist.stream().map(MemoryBlock::node).distinct().sorted().filter(n -> n != local).forEach(order::add);
    return order;
  }

  /** The piece with the least room that still holds {@code bytes}, or null. */
  private static Piece smallestHolding(TreeSet<Piece> set, long bytes) {
    // A key with exactly {@code bytes} of room, address 0 and index -1 sorts before every piece
    // with that much room.
    return set.ceiling(new Piece(-1, -1, -1, 0, bytes));
  }

  /**
   * Opens a side of a closed piece with one reserved area of its TDMR: the side that touches a
   * neighbouring piece, which then opens too, or else the low side.
   */
  private void payArea(Piece p, int[] paid) {
    unfile(p);
    if (p.above != null && p.below == null) {
      p.highOpen = true;
      openNeighbour(p.above, true);
    } else {
      p.lowOpen = true;
      if (p.below != null) {
        openNeighbour(p.below, false);
      }
    }
    paid[p.tdmr]++;
    spare[p.tdmr]--;
    if (spare[p.tdmr] == 0) {
      for (Piece q : piecesOfTdmr.get(p.tdmr)) {
        if (!q.open()) {
          set(closedByNode, q.node).remove(q);
        }
      }
    }
  }

  /**
   * The piece with the most room, or null when even it cannot hold {@code bytes}: an area bought
   * for one chunk opens a side that later chunks use for free, so it goes where the most room is.
   */
  private static Piece roomiest(TreeSet<Piece> set, long bytes) {
    return set.isEmpty() || set.last().room() < bytes ? null : set.last();
  }

  /** Opens {@code q}'s low (or high) side, which now touches a chunk stacked in its neighbour. */
  private void openNeighbour(Piece q, boolean low) {
    unfile(q);
    if (low) {
      q.lowOpen = true;
    } else {
      q.highOpen = true;
    }
    file(q);
  }

  /** Stacks a chunk against the piece's open side (the low one when both are) and returns its base. */
  private static long stack(Piece p, long bytes) {
    if (p.lowOpen) {
      long base = p.start + p.usedLow;
      p.usedLow += bytes;
      return base;
    }
    p.usedHigh += bytes;
    return p.end - p.usedHigh;
  }
}
