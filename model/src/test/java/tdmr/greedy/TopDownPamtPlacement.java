package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;

/**
 * Places each PAMT chunk at the highest free 4 KiB-aligned position on the TDMR's node, then on the
 * other nodes in ascending id: the opposite end of memory from {@link KernelPamtPlacement}, useful
 * to see how much the greedy's outcome depends on where the allocator happens to find room (a PAMT
 * high in memory lands in a later TDMR and costs that TDMR a reserved area instead).
 *
 * <p>A chunk never straddles 4 GiB (each node's memory is searched per {@link Zone}, as the page
 * allocator does).
 */
final class TopDownPamtPlacement implements PamtPlacement {

  @Override
  public String name() {
    return "top-down";
  }

  @Override
  public OptionalLong place(PamtRequest request, PamtArena arena) {
    List<Integer> order = new ArrayList<>();
    if (arena.nodes().contains(request.node())) {
      order.add(request.node());
    }
    arena.nodes().stream().filter(n -> n != request.node()).forEach(order::add);
    for (int node : order) {
      for (Zone zone : Zone.values()) {
        var key = new PamtArena.SearchKey(name(), node, zone, request.bytes());
        OptionalLong base = searchDown(arena.pieces(node, zone), request.bytes(), arena, arena.resumeAt(key, Long.MAX_VALUE));
        arena.stoppedAt(key, base.isPresent() ? base.getAsLong() : -1);
        if (base.isPresent()) {
          return base;
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Highest free position at or below {@code ceiling}; positions above it were found unusable by an
   * earlier search for the same size and stay unusable (free memory only shrinks). Pieces are scanned
   * from the top; this strategy serves tests, where maps have at most a few thousand pieces.
   */
  private static OptionalLong searchDown(PamtArena.Pieces zone, long bytes, PamtArena arena, long ceiling) {
    for (int i = zone.size() - 1; i >= 0 && ceiling >= 0; i--) {
      if (zone.start(i) > ceiling || zone.end(i) - zone.start(i) < bytes) {
        continue;
      }
      long candidate = Math.min(ByteSize.alignDown(zone.end(i) - bytes, PAGE), ceiling);
      while (candidate >= zone.start(i)) {
        var taken = arena.occupiedOverlap(candidate, bytes);
        if (taken == null) {
          return OptionalLong.of(candidate);
        }
        candidate = ByteSize.alignDown(taken.start() - bytes, PAGE);
      }
    }
    return OptionalLong.empty();
  }
}
