package tdmr.greedy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * index), each into the lowest open piece of its node that still holds it (first fit decreasing,
 * the order in which {@code alloc_contig_pages} looks too). A chunk that finds no open piece pays one reserved area: it goes into the piece of
 * its node with the most room, in a TDMR whose holes leave an area spare, and that side is open
 * from then on (so later chunks find the most room there). It is stacked against a neighbouring piece of the same TDMR (two
 * nodes' blocks that touch) when there is one, so that the neighbour's side opens too and a chunk
 * of the other node can share the area. Both searches are max trees over the node's pieces ({@link
 * RoomTree}), so placing T chunks over P pieces costs {@code O((P + T) log P)}.
 */
final class HoleSidePlacement {
  /** A block clipped to one TDMR, with the chunks stacked at either end. */
  private static final class Piece {
    final int index;
    /** Position among the pieces of its node, in address order. */
    int slot;
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
  /** Per node: its pieces in address order, the room of the open ones, and of the closed ones in TDMRs with an area to spare. */
  private final Map<Integer, List<Piece>> piecesOfNode = new HashMap<>();
  private final Map<Integer, RoomTree> openByNode = new HashMap<>();
  private final Map<Integer, RoomTree> closedByNode = new HashMap<>();
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
    HoleIndex.Scan scan = holes.scan();
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
        p.lowOpen = p.start > t.start() && scan.gapEndsAt(p.start);
        p.highOpen = p.end < t.end() && scan.gapStartsAt(p.end);
        if (!own.isEmpty() && own.get(own.size() - 1).end == p.start) {
          p.below = own.get(own.size() - 1);
          p.below.above = p;
        }
        pieces.add(p);
        own.add(p);
        List<Piece> ofNode = piecesOfNode.computeIfAbsent(p.node, n -> new ArrayList<>());
        p.slot = ofNode.size();
        ofNode.add(p);
      }
      piecesOfTdmr.add(own);
    }
    piecesOfNode.forEach((node, list) -> {
      long[] open = new long[list.size()];
      long[] closed = new long[list.size()];
      for (Piece p : list) {
        open[p.slot] = openRoom(p);
        closed[p.slot] = closedRoom(p);
      }
      openByNode.put(node, new RoomTree(open));
      closedByNode.put(node, new RoomTree(closed));
    });
  }

  /** Offers the piece's room in the tree it belongs to now: open, or closed in a TDMR with an area to spare. */
  private void file(Piece p) {
    openByNode.get(p.node).set(p.slot, openRoom(p));
    closedByNode.get(p.node).set(p.slot, closedRoom(p));
  }

  /** The piece's room in its node's tree of open pieces; -1 when it is closed. */
  private static long openRoom(Piece p) {
    return p.open() ? p.room() : -1;
  }

  /** The piece's room in its node's tree of closed pieces in TDMRs with an area to spare; -1 otherwise. */
  private long closedRoom(Piece p) {
    return !p.open() && spare[p.tdmr] > 0 ? p.room() : -1;
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
        p = lowestHolding(candidateNode, chunk[k]);
        if (p == null) {
          p = roomiest(candidateNode, chunk[k]);
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
    piecesOfNode.keySet().stream().sorted().filter(n -> n != local).forEach(order::add);
    return order;
  }

  /** The lowest open piece of the node that holds {@code bytes}, or null. */
  private Piece lowestHolding(int node, long bytes) {
    RoomTree open = openByNode.get(node);
    int i = open == null ? -1 : open.firstAtLeast(bytes);
    return i < 0 ? null : piecesOfNode.get(node).get(i);
  }

  /**
   * The node's closed piece with the most room, in a TDMR with an area to spare, or null when even
   * it cannot hold {@code bytes}: an area bought for one chunk opens a side that later chunks use
   * for free, so it goes where the most room is.
   */
  private Piece roomiest(int node, long bytes) {
    RoomTree closed = closedByNode.get(node);
    int i = closed == null ? -1 : closed.roomiest();
    if (i < 0 || piecesOfNode.get(node).get(i).room() < bytes) {
      return null;
    }
    return piecesOfNode.get(node).get(i);
  }

  /**
   * Opens a side of a closed piece with one reserved area of its TDMR: the side that touches a
   * neighbouring piece, which then opens too, or else the low side.
   */
  private void payArea(Piece p, int[] paid) {
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
      piecesOfTdmr.get(p.tdmr).forEach(this::file);
    }
  }

  /** Opens {@code q}'s low (or high) side, which now touches a chunk stacked in its neighbour. */
  private void openNeighbour(Piece q, boolean low) {
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
