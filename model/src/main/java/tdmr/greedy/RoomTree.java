package tdmr.greedy;

import java.util.Arrays;

/**
 * The room left in a node's memory pieces, in address order, as a max tree: the lowest piece with
 * at least some room, and the roomiest piece, each in logarithmic time, with updates as chunks go
 * in. A piece that is not on offer has room -1.
 */
final class RoomTree {
  private final long[] tree;
  private final int leaves;

  /** A tree over {@code size} pieces, none on offer yet. */
  RoomTree(int size) {
    int l = 1;
    while (l < size) {
      l <<= 1;
    }
    leaves = l;
    tree = new long[2 * l];
    Arrays.fill(tree, -1);
  }

  /** A tree over the pieces of {@code rooms} (-1: not on offer), built bottom-up in linear time. */
  RoomTree(long[] rooms) {
    this(rooms.length);
    System.arraycopy(rooms, 0, tree, leaves, rooms.length);
    for (int n = leaves - 1; n >= 1; n--) {
      tree[n] = Math.max(tree[2 * n], tree[2 * n + 1]);
    }
  }

  /** Piece {@code i} offers {@code room} bytes (-1: not on offer). */
  void set(int i, long room) {
    int n = leaves + i;
    tree[n] = room;
    for (n >>= 1; n >= 1; n >>= 1) {
      tree[n] = Math.max(tree[2 * n], tree[2 * n + 1]);
    }
  }

  /** The lowest piece offering at least {@code need} bytes, or -1. */
  int firstAtLeast(long need) {
    if (tree[1] < need) {
      return -1;
    }
    int n = 1;
    while (n < leaves) {
      n = tree[2 * n] >= need ? 2 * n : 2 * n + 1;
    }
    return n - leaves;
  }

  /** The lowest of the roomiest pieces on offer, or -1 when none is. */
  int roomiest() {
    return tree[1] < 0 ? -1 : firstAtLeast(tree[1]);
  }
}
