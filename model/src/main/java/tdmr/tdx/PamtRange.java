package tdmr.tdx;

import tdmr.mem.AddressRange;

/**
 * One PAMT level of a TDMR as written in TDMR_INFO: {@code [base, base + size)}. Values are raw
 * 64-bit fields, so a broken layout (overflow, misalignment) can be held and reported by the
 * validator.
 */
public record PamtRange(long base, long size) {
  /** Unsigned end; wraps on overflow (rule D1 checks that). */
  public long end() {
    return base + size;
  }

  /** The range as an {@link AddressRange}; only for ranges that passed rule D1. */
  public AddressRange range() {
    return AddressRange.ofSize(base, size);
  }

  @Override
  public String toString() {
    return "[0x%x, 0x%x)".formatted(base, base + size);
  }
}
