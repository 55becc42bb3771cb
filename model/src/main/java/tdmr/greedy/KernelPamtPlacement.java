package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A model of {@code alloc_contig_pages(nr_pages, GFP_KERNEL, nid, &node_online_map)} as the kernel
 * calls it for a PAMT chunk.
 *
 * <p>Modelled: zones are tried in zonelist order, the TDMR's node first ({@link Zone#NORMAL}, memory
 * at or above 4 GiB, then {@link Zone#DMA32}, memory below 4 GiB), then every other node in
 * ascending node id. In each zone the search starts at {@code ALIGN(zone_start_pfn, nr_pages)} and
 * steps by {@code nr_pages} upwards while the candidate's last page is inside the zone; the first
 * candidate that lies wholly inside one memory-list block of that node and zone and overlaps no PAMT
 * placed before is taken. {@code ALIGN} is the kernel macro {@code (x + a - 1) & ~(a - 1)}, applied
 * as the kernel applies it even though {@code nr_pages} is rarely a power of two. The zone's start
 * and end are the lowest and highest address of the node's memory-list blocks in that zone.
 *
 * <p>Not modelled: which pages are really free or migratable at the time (the kernel image, memmap,
 * reserved memblock ranges, pinned or unmovable pages make {@code pfn_range_valid_contig} or the
 * migration fail and move the real chunk higher); the real zonelist orders other nodes by NUMA
 * distance, not by id; {@code ZONE_DMA} below 16 MiB and {@code ZONE_MOVABLE} are not separated.
 * The answer is therefore the lowest position the allocator could return on an idle system, not a
 * prediction of a live one.
 */
public final class KernelPamtPlacement implements PamtPlacement {

  @Override
  public String name() {
    return "kernel";
  }

  @Override
  public OptionalLong place(PamtRequest request, PamtArena arena) {
    for (int node : zonelistNodes(request.node(), arena)) {
      for (Zone zone : Zone.values()) {
        OptionalLong base =
            searchZone(arena.pieces(node, zone), request.bytes(), arena, new PamtArena.SearchKey(name(), node, zone, request.bytes()));
        if (base.isPresent()) {
          return base;
        }
      }
    }
    return OptionalLong.empty();
  }

  /** The preferred node, then the other nodes with memory in ascending id. */
  private static List<Integer> zonelistNodes(int preferred, PamtArena arena) {
    List<Integer> order = new ArrayList<>();
    if (arena.nodes().contains(preferred)) {
      order.add(preferred);
    }
    for (int n : arena.nodes()) {
      if (n != preferred) {
        order.add(n);
      }
    }
    return order;
  }

  /**
   * The kernel's loop {@code pfn = ALIGN(zone_start_pfn, nr_pages); while (zone_spans_last_pfn(..))
   * { if (valid) return pfn; pfn += nr_pages; }}, jumping over candidates that are known to fail
   * (outside a block, or overlapping a placed chunk) instead of testing them one by one; the first
   * candidate that succeeds is the same.
   */
  private static OptionalLong searchZone(
      PamtArena.Pieces zone, long bytes, PamtArena arena, PamtArena.SearchKey key) {
    if (zone.isEmpty()) {
      return OptionalLong.empty();
    }
    long nrPages = bytes / PAGE;
    long origin = kernelAlign(zone.first() / PAGE, nrPages) * PAGE;
    // Candidates below where the last search of this size stopped were unusable then and still are.
    long candidate = arena.resumeAt(key, origin);
    OptionalLong found = searchFrom(candidate, origin, zone, bytes, arena);
    arena.stoppedAt(key, found.isPresent() ? found.getAsLong() : Long.MAX_VALUE);
    return found;
  }

  /**
   * The search from {@code candidate} (on the grid from {@code origin}). The kernel's loop test
   * {@code zone_spans_last_pfn} needs no test of its own here: a candidate is taken only inside a
   * piece of the zone, and the search ends when no piece is left.
   */
  private static OptionalLong searchFrom(
      long candidate, long origin, PamtArena.Pieces zone, long bytes, PamtArena arena) {
    while (true) {
      int i = zone.firstEndingAfter(candidate);
      if (i < 0) {
        break;
      }
      if (zone.start(i) > candidate || zone.end(i) - candidate < bytes) {
        // In a gap, or running past the end of its piece (so every later candidate in that piece
        // does too): go to the first candidate in the next piece big enough for the chunk.
        int next = zone.nextAtLeast(zone.start(i) > candidate ? i : i + 1, bytes);
        if (next < 0) {
          break;
        }
        candidate = gridAtOrAfter(origin, bytes, zone.start(next));
        continue;
      }
      var taken = arena.occupiedOverlap(candidate, bytes);
      if (taken != null) {
        candidate = gridAtOrAfter(origin, bytes, taken.end());
        continue;
      }
      return OptionalLong.of(candidate);
    }
    return OptionalLong.empty();
  }

  /** The kernel's {@code ALIGN(x, a)}: {@code (x + a - 1) & ~(a - 1)}, exact for any {@code a}. */
  static long kernelAlign(long x, long a) {
    return (x + a - 1) & ~(a - 1);
  }

  /**
   * The first position {@code origin + k * step} (k ≥ 0) at or above {@code address}; the search
   * only moves upwards from {@code origin}, so {@code address} is never below it.
   */
  private static long gridAtOrAfter(long origin, long step, long address) {
    long k = (address - origin + step - 1) / step;
    return origin + k * step;
  }
}
