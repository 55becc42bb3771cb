package tdmr.greedy;

import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;

/**
 * The page-allocator zones the PAMT placement models, in the order {@code alloc_contig_pages}
 * tries them for a {@code GFP_KERNEL} request on one node: {@code ZONE_NORMAL} first, then the
 * lower zones.
 *
 * <p>Modelled: {@code ZONE_NORMAL} is the node's memory at or above 4 GiB; {@code ZONE_DMA32} and
 * {@code ZONE_DMA} are folded into one lower zone, the node's memory below 4 GiB (the real
 * {@code ZONE_DMA} below 16 MiB only shifts where the lower zone's search starts). {@code
 * ZONE_MOVABLE} and {@code ZONE_DEVICE} are not modelled.
 */
public enum Zone {
  NORMAL(new AddressRange(4 * ByteSize.GiB, Long.MAX_VALUE)),
  DMA32(new AddressRange(0, 4 * ByteSize.GiB));

  private final AddressRange span;

  Zone(AddressRange span) {
    this.span = span;
  }

  /** The physical addresses this zone may hold. */
  public AddressRange span() {
    return span;
  }
}
