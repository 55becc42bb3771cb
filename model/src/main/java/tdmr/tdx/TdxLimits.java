package tdmr.tdx;

/**
 * What the TDX module supports and how the host configures it: the limits read from global
 * metadata (MAX_TDMRS, MAX_RESERVED_PER_TDMR, PAMT_*_ENTRY_SIZE), whether Dynamic PAMT is on, and
 * the platform's HKID start bit (addresses at or above {@code 2^hkidStartBit} carry KeyID bits,
 * rule B5/D1 "HKOK").
 */
public record TdxLimits(
    int maxTdmrs,
    int maxReservedPerTdmr,
    int pamtEntrySize4k,
    int pamtEntrySize2m,
    int pamtEntrySize1g,
    boolean dynamicPamt,
    int hkidStartBit) {

  /** TDX module 1.5 values: 64 TDMRs, 16 reserved areas, 16-byte PAMT entries, no DPAMT, 52 bits. */
  public static final TdxLimits DEFAULT = new TdxLimits(64, 16, 16, 16, 16, false, 52);

  /** Bits per 4 KiB page in the Dynamic PAMT bitmap (PAMT_PAGE_BITMAP_ENTRY_BITS, 1 today). */
  public static final int DPAMT_BITMAP_BITS = 1;

  public TdxLimits {
    if (maxTdmrs < 1) {
      throw new IllegalArgumentException("max TDMRs must be at least 1, got " + maxTdmrs);
    }
    if (maxReservedPerTdmr < 0) {
      throw new IllegalArgumentException("max reserved areas must not be negative, got " + maxReservedPerTdmr);
    }
    if (pamtEntrySize4k < 1 || pamtEntrySize2m < 1 || pamtEntrySize1g < 1) {
      throw new IllegalArgumentException("PAMT entry sizes must be positive");
    }
    if (hkidStartBit < 31 || hkidStartBit > 52) {
      throw new IllegalArgumentException("HKID start bit must be within 31..52, got " + hkidStartBit);
    }
  }

  public TdxLimits withMaxTdmrs(int n) {
    return new TdxLimits(n, maxReservedPerTdmr, pamtEntrySize4k, pamtEntrySize2m, pamtEntrySize1g, dynamicPamt, hkidStartBit);
  }

  public TdxLimits withMaxReservedPerTdmr(int n) {
    return new TdxLimits(maxTdmrs, n, pamtEntrySize4k, pamtEntrySize2m, pamtEntrySize1g, dynamicPamt, hkidStartBit);
  }

  public TdxLimits withDynamicPamt(boolean on) {
    return new TdxLimits(maxTdmrs, maxReservedPerTdmr, pamtEntrySize4k, pamtEntrySize2m, pamtEntrySize1g, on, hkidStartBit);
  }

  public int entrySize(PageSize pageSize) {
    return switch (pageSize) {
      case SIZE_4K -> pamtEntrySize4k;
      case SIZE_2M -> pamtEntrySize2m;
      case SIZE_1G -> pamtEntrySize1g;
    };
  }

  /** The first address that carries KeyID bits: {@code 2^hkidStartBit}. */
  public long hkidLimit() {
    return 1L << hkidStartBit;
  }
}
