package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import tdmr.mem.AddressRange;

/**
 * One PAMT allocation the greedy asks for: the whole chunk of TDMR {@code tdmrIndex} ({@code
 * bytes}, a multiple of 4 KiB) on the NUMA node {@code tdmr_get_nid} picked.
 */
public record PamtRequest(int tdmrIndex, AddressRange tdmr, int node, long bytes) {
  public PamtRequest {
    if (bytes <= 0 || bytes % PAGE != 0) {
      throw new IllegalArgumentException("a PAMT request is a positive number of 4 KiB pages, not %d bytes".formatted(bytes));
    }
  }
}
