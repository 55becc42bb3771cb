package tdmr.greedy;

import java.util.OptionalLong;

/**
 * Where the greedy puts each TDMR's PAMT chunk: the one seam in the kernel's construction that
 * depends on the running system ({@code alloc_contig_pages} on live memory) rather than on the
 * memory map, so a port can only model it.
 *
 * <p>The greedy calls {@link #place} once per TDMR in TDMR order and records each answer in the
 * arena before asking for the next, exactly as {@code tdmrs_set_up_pamt_all} allocates one chunk
 * per TDMR in order. An empty answer is the allocator failing: the kernel returns {@code -ENOMEM}.
 * Tests add strategies of their own (a top-down allocator, chunks at given addresses).
 */
public interface PamtPlacement {
  /** A short name for output: {@code kernel}, {@code top-down}, {@code given}. */
  String name();

  /**
   * The base of a free range of {@code request.bytes()} bytes, 4 KiB aligned, inside one block of
   * the arena's memory list and not overlapping any chunk placed before; empty when there is none.
   */
  OptionalLong place(PamtRequest request, PamtArena arena);

  /** The default: the documented model of {@code alloc_contig_pages} ({@link KernelPamtPlacement}). */
  static PamtPlacement kernel() {
    return new KernelPamtPlacement();
  }
}
