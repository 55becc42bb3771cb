package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import java.util.List;
import java.util.OptionalLong;

/**
 * Puts TDMR {@code i}'s PAMT chunk at the caller's {@code bases.get(i)}, for replaying where a real
 * kernel put its PAMTs (from a log) or for trying a position by hand. A position that is missing,
 * not 4 KiB aligned, not wholly inside one memory-list block or overlapping a chunk placed before is
 * refused, as the allocator would refuse memory it does not have: the greedy then fails with
 * {@code -ENOMEM}.
 */
final class GivenPamtPlacement implements PamtPlacement {
  private final List<Long> bases;

  public GivenPamtPlacement(List<Long> bases) {
    this.bases = List.copyOf(bases);
  }

  @Override
  public String name() {
    return "given";
  }

  @Override
  public OptionalLong place(PamtRequest request, PamtArena arena) {
    if (request.tdmrIndex() >= bases.size()) {
      return OptionalLong.empty();
    }
    long base = bases.get(request.tdmrIndex());
    if (base % PAGE != 0 || !arena.isFree(base, request.bytes())) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(base);
  }
}
