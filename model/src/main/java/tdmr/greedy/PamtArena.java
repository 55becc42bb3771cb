package tdmr.greedy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;

/**
 * The TDX memory a PAMT can be carved from during one greedy run: the memory list by NUMA node and
 * {@link Zone}, minus the PAMT chunks placed so far.
 *
 * <p>A {@link PamtPlacement} asks this arena where free memory is; the greedy records each chunk
 * it places with {@link #occupy}. Lookups are logarithmic: each node's pieces (its blocks split at
 * the 4 GiB zone boundary) are indexed by a max-size tree so a search skips pieces too small for a
 * chunk, and placed chunks are kept coalesced so a search jumps over a packed run in one step.
 */
public final class PamtArena {
  private final List<MemoryBlock> blocks;
  private final long[] blockStarts;
  private final List<Integer> nodes;
  private final Map<Integer, Map<Zone, Pieces>> pieces = new TreeMap<>();
  /** Placed chunks, coalesced when they touch: start -> end. */
  private final TreeMap<Long, Long> occupied = new TreeMap<>();
  /** Where a search with the same key may resume; see {@link #resumeAt}. */
  private final Map<SearchKey, Long> resume = new java.util.HashMap<>();

  /**
   * Identifies a repeated search: a placement strategy looking for {@code bytes} on one node and
   * zone. Free memory only shrinks during a run, so every position a search with this key found
   * unusable stays unusable, and the next search with the same key may resume where the last one
   * stopped without changing its answer.
   */
  public record SearchKey(String strategy, int node, Zone zone, long bytes) {}

  /** An arena over the kernel's memory list (sorted, non-overlapping blocks). */
  public PamtArena(List<MemoryBlock> memlist) {
    this.blocks = List.copyOf(memlist);
    this.blockStarts = new long[blocks.size()];
    TreeSet<Integer> nodeSet = new TreeSet<>();
    Map<Integer, Map<Zone, List<AddressRange>>> raw = new TreeMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      MemoryBlock b = blocks.get(i);
      blockStarts[i] = b.start();
      nodeSet.add(b.node());
      for (Zone z : Zone.values()) {
        AddressRange piece = b.range().intersect(z.span());
        if (!piece.isEmpty()) {
          raw.computeIfAbsent(b.node(), n -> new EnumMap<>(Zone.class))
              .computeIfAbsent(z, k -> new ArrayList<>())
              .add(piece);
        }
      }
    }
    this.nodes = List.copyOf(nodeSet);
    raw.forEach(
        (node, zones) -> {
          Map<Zone, Pieces> byZone = new EnumMap<>(Zone.class);
          zones.forEach((z, list) -> byZone.put(z, new Pieces(list)));
          pieces.put(node, byZone);
        });
  }

  /** The NUMA nodes that have TDX memory, ascending. */
  public List<Integer> nodes() {
    return nodes;
  }

  /** The node's memory in one zone, as pieces of memory-list blocks; empty when it has none. */
  public Pieces pieces(int node, Zone zone) {
    Map<Zone, Pieces> byZone = pieces.get(node);
    Pieces p = byZone == null ? null : byZone.get(zone);
    return p == null ? Pieces.EMPTY : p;
  }

  /** The placed chunk that overlaps {@code [base, base + size)} with the highest start, or null. */
  public AddressRange occupiedOverlap(long base, long size) {
    Map.Entry<Long, Long> e = occupied.floorEntry(base + size - 1);
    if (e != null && e.getValue() > base) {
      return new AddressRange(e.getKey(), e.getValue());
    }
    return null;
  }

  /** True when {@code [base, base + size)} lies inside one memory-list block and holds no placed chunk. */
  public boolean isFree(long base, long size) {
    if (size <= 0 || base < 0 || base > Long.MAX_VALUE - size) {
      return false;
    }
    int i = java.util.Arrays.binarySearch(blockStarts, base);
    if (i < 0) {
      i = -i - 2;
    }
    if (i < 0 || blocks.get(i).end() < base + size) {
      return false;
    }
    return occupiedOverlap(base, size) == null;
  }

  /** Where the previous search with this key stopped, or {@code fallback} for the first one. */
  public long resumeAt(SearchKey key, long fallback) {
    return resume.getOrDefault(key, fallback);
  }

  /** Records where a search stopped: the position it returned, or a sentinel when it found none. */
  public void stoppedAt(SearchKey key, long position) {
    resume.put(key, position);
  }

  /** Records a placed chunk; it must be free (the greedy checks placements before recording). */
  public void occupy(long base, long size) {
    long start = base;
    long end = base + size;
    Map.Entry<Long, Long> before = occupied.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      start = before.getKey();
      end = Math.max(end, before.getValue());
      occupied.remove(before.getKey());
    }
    Map.Entry<Long, Long> after = occupied.ceilingEntry(start);
    while (after != null && after.getKey() <= end) {
      end = Math.max(end, after.getValue());
      occupied.remove(after.getKey());
      after = occupied.ceilingEntry(start);
    }
    occupied.put(start, end);
  }

  /**
   * A sorted list of disjoint ranges with a max-size tree, so a search finds the next range large
   * enough for a chunk in logarithmic time.
   */
  public static final class Pieces {
    static final Pieces EMPTY = new Pieces(List.of());

    private final long[] starts;
    private final long[] ends;
    private final long[] tree;
    private final int leaves;

    Pieces(List<AddressRange> ranges) {
      int n = ranges.size();
      starts = new long[n];
      ends = new long[n];
      for (int i = 0; i < n; i++) {
        starts[i] = ranges.get(i).start();
        ends[i] = ranges.get(i).end();
      }
      int l = 1;
      while (l < n) {
        l <<= 1;
      }
      leaves = l;
      tree = new long[2 * l];
      for (int i = 0; i < n; i++) {
        tree[l + i] = ends[i] - starts[i];
      }
      for (int i = l - 1; i >= 1; i--) {
        tree[i] = Math.max(tree[2 * i], tree[2 * i + 1]);
      }
    }

    public int size() {
      return starts.length;
    }

    public boolean isEmpty() {
      return starts.length == 0;
    }

    public long start(int i) {
      return starts[i];
    }

    public long end(int i) {
      return ends[i];
    }

    /** Lowest start of all pieces (the zone's start); only when not empty. */
    public long first() {
      return starts[0];
    }

    /** Index of the first piece that ends after {@code address}, or -1. */
    public int firstEndingAfter(long address) {
      int i = SortedEnds.firstEndingAfter(ends, address);
      return i < ends.length ? i : -1;
    }

    /** Index of the first piece at or after {@code from} whose size is at least {@code size}, or -1. */
    public int nextAtLeast(int from, long size) {
      if (from < 0 || from >= starts.length) {
        return -1;
      }
      return descendNext(1, 0, leaves, from, size);
    }

    private int descendNext(int node, int lo, int hi, int from, long size) {
      if (hi <= from || tree[node] < size) {
        return -1;
      }
      if (hi - lo == 1) {
        // A leaf at or after from. Padding leaves (past the last piece) hold 0 and lie after the
        // real leaf from, which any size a padding leaf could match matches first.
        return lo;
      }
      int mid = (lo + hi) >>> 1;
      int r = descendNext(2 * node, lo, mid, from, size);
      return r >= 0 ? r : descendNext(2 * node + 1, mid, hi, from, size);
    }
  }
}
