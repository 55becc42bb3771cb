package tdmr.cli;

import tdmr.tdx.TdxLimits;

/**
 * The module limits as a command line sets them: {@link TdxLimits#DEFAULT} with {@code --max-tdmrs},
 * {@code --max-rsvd}, {@code --dpamt} and {@code --hkid-start-bit} applied; {@code null} means not given.
 */
record LimitOverrides(Integer maxTdmrs, Integer maxReserved, boolean dynamicPamt, Integer hkidStartBit) {

  /** The limits; throws IllegalArgumentException (from {@link TdxLimits}) for a value no module has. */
  TdxLimits limits() {
    TdxLimits d = TdxLimits.DEFAULT;
    // Rule A7: Linux enables Dynamic PAMT only when x86_phys_bits <= 48, so KeyID bits start at bit 48 or below.
    int bit = hkidStartBit != null ? hkidStartBit : dynamicPamt ? Math.min(d.hkidStartBit(), 48) : d.hkidStartBit();
    return new TdxLimits(
        maxTdmrs != null ? maxTdmrs : d.maxTdmrs(),
        maxReserved != null ? maxReserved : d.maxReservedPerTdmr(),
        d.pamtEntrySize4k(), d.pamtEntrySize2m(), d.pamtEntrySize1g(), dynamicPamt, bit);
  }
}
