package tdmr.tdx;

import static tdmr.mem.ByteSize.PAGE;

import tdmr.mem.ByteSize;

/**
 * How big a TDMR's PAMT must be.
 *
 * <p>Two numbers matter. The module's minimum (rule D2) is {@code (S / page) * entrySize} bytes,
 * unrounded; with Dynamic PAMT (rule D3) the 4K level is a bitmap of {@code S / 2^15} bytes. The
 * kernel ({@code tdmr_get_pamt_sz}) allocates each level rounded up to 4 KiB, which is also the
 * smallest size that passes rule D1's 4 KiB granularity. A TDMR of N GiB (N ≤ 256) therefore costs
 * {@code 4104 N + 4} KiB with 16-byte entries.
 */
public final class PamtSizing {

  private PamtSizing() {}

  /** The module's minimum size of one PAMT level (rule D2/D3), before 4 KiB rounding. */
  public static long moduleMinimum(long tdmrSize, PageSize level, TdxLimits limits) {
    long entries = tdmrSize >>> level.shift();
    if (level == PageSize.SIZE_4K && limits.dynamicPamt()) {
      // D3: one bit per 4 KiB page, rounded up to whole bytes.
      return ceilDiv(Math.multiplyExact(entries, (long) TdxLimits.DPAMT_BITMAP_BITS), 8);
    }
    return Math.multiplyExact(entries, (long) limits.entrySize(level));
  }

  /** The size the kernel allocates for one level: the module minimum rounded up to 4 KiB. */
  public static long levelBytes(long tdmrSize, PageSize level, TdxLimits limits) {
    return ByteSize.alignUp(moduleMinimum(tdmrSize, level, limits), PAGE);
  }

  /** The kernel's whole PAMT chunk for a TDMR of this size: the three levels back to back. */
  public static long chunkBytes(long tdmrSize, TdxLimits limits) {
    long total = 0;
    for (PageSize level : PageSize.values()) {
      total = Math.addExact(total, levelBytes(tdmrSize, level, limits));
    }
    return total;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
