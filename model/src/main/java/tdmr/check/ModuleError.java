package tdmr.check;

/**
 * The errors TDH.SYS.CONFIG returns for a bad TDMR_INFO list, with the module's base status codes
 * ({@code tdx_error_codes_defs.h}, docs/tdx-module-rules.md, "Status codes").
 *
 * <p>The module adds detail bytes to the base code ({@code api_error_with_multiple_info}):
 * {@code code = base + b0 + (b1 << 8) + (b2 << 16)}, each byte truncated to 8 bits as the module
 * casts them to {@code uint8_t}. One entry, {@link #RESERVED_AREAS_EXHAUSTED}, is not a module
 * error: it stands for a layout the host cannot even write into TDMR_INFO.
 */
public enum ModuleError {
  /** B1, B4, B5: TDMR base/size overflow, misaligned, empty or carrying KeyID bits; b0 = TDMR. */
  TDX_INVALID_TDMR(0xC0000A0000000000L),
  /** B2, B3: TDMRs unsorted or overlapping the previous one; b0 = TDMR. */
  TDX_NON_ORDERED_TDMR(0xC0000A0100000000L),
  /** E1: a non-reserved part of a TDMR is not inside one (merged) CMR; b0 = TDMR. */
  TDX_TDMR_OUTSIDE_CMRS(0xC0000A0200000000L),
  /** D1, D2, D3: a PAMT range is malformed or too small; b0 = TDMR, b1 = level. */
  TDX_INVALID_PAMT(0xC0000A1000000000L),
  /** D6: a PAMT range is not inside one (merged) CMR; b0 = TDMR, b1 = level. */
  TDX_PAMT_OUTSIDE_CMRS(0xC0000A1100000000L),
  /** D4, D5: PAMT overlaps another PAMT or usable TDMR memory; b0 = owner, b1 = level, b2 = other. */
  TDX_PAMT_OVERLAP(0xC0000A1200000000L),
  /** C2, C5, C6: reserved area overflows, is misaligned or leaves its TDMR; b0 = TDMR, b1 = slot. */
  TDX_INVALID_RESERVED_IN_TDMR(0xC0000A2000000000L),
  /** C1, C3, C4: reserved areas out of order, overlapping or after a null slot; b0 = TDMR, b1 = slot. */
  TDX_NON_ORDERED_RESERVED_IN_TDMR(0xC0000A2100000000L),
  /** A4, A7: a register operand is invalid; the base already includes the operand id (RDX 2, R8 8). */
  TDX_OPERAND_INVALID(0xC000010000000000L),
  /**
   * Not a module error: a TDMR lists more reserved areas than TDMR_INFO has slots, so the host
   * cannot hand the layout over at all (Linux fails with "reserved areas exhausted"). Code 0.
   */
  RESERVED_AREAS_EXHAUSTED(0L);

  private final long baseCode;

  ModuleError(long baseCode) {
    this.baseCode = baseCode;
  }

  /** The status code without detail bytes. */
  public long baseCode() {
    return baseCode;
  }

  /** True for the statuses the TDX module itself returns. */
  public boolean fromModule() {
    return this != RESERVED_AREAS_EXHAUSTED;
  }

  /** The full status: the base code plus detail bytes, each truncated to 8 bits as the module does. */
  public long code(int b0, int b1, int b2) {
    if (!fromModule()) {
      return 0L;
    }
    return baseCode + (b0 & 0xFF) + ((long) (b1 & 0xFF) << 8) + ((long) (b2 & 0xFF) << 16);
  }
}
