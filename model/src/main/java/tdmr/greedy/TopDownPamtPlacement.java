package tdmr.greedy;

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
public final class TopDownPamtPlacement implements PamtPlacement {
  private static final long PAGE = 4096;

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
        OptionalLong base = searchDown(arena.pieces(node, zone), request.bytes(), arena);
        if (base.isPresent()) {
          return base;
        }
      }
    }
    return OptionalLong.empty();
  }

  private static OptionalLong searchDown(PamtArena.Pieces zone, long bytes, PamtArena arena) {
    int i = zone.previousAtLeast(zone.size() - 1, bytes);
    while (i >= 0) {
      long candidate = ByteSize.alignDown(zone.end(i) - bytes, PAGE);
      while (candidate >= zone.start(i)) {
        var taken = arena.occupiedOverlap(candidate, bytes);
        if (taken == null) {
          return OptionalLong.of(candidate);
        }
        candidate = ByteSize.alignDown(taken.start() - bytes, PAGE);
      }
      i = zone.previousAtLeast(i - 1, bytes);
    }
    return OptionalLong.empty();
  }
}
