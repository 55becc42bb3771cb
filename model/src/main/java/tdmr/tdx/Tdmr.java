package tdmr.tdx;

import java.util.List;
import tdmr.mem.AddressRange;

/**
 * One TD Memory Region as handed to the module in a TDMR_INFO entry: base, size, its PAMT and its
 * used reserved-area slots (null slots are not listed; {@code reserved} may still hold null
 * entries when a layout read from binary had them in the middle, so the validator can report C1).
 *
 * <p>Values are raw fields; rules (1 GiB alignment, order, at most 16 areas) are the validator's
 * business, so a broken layout can be held and reported.
 */
public record Tdmr(long base, long size, Pamt pamt, List<ReservedArea> reserved) {

  /** TDMR base and size granularity (rule B4). */
  public static final long ALIGNMENT = 1L << 30;

  public Tdmr {
    reserved = List.copyOf(reserved);
  }

  /** Unsigned end; wraps on overflow (rule B1 checks that). */
  public long end() {
    return base + size;
  }

  /** The range; only for TDMRs that passed rule B1. */
  public AddressRange range() {
    return AddressRange.ofSize(base, size);
  }

  /** The reserved areas as absolute ranges; only for areas that passed rules C2 and C6. */
  public List<AddressRange> reservedRanges() {
    return reserved.stream()
        .filter(r -> !r.isNull())
        .map(r -> AddressRange.ofSize(base + r.offset(), r.size()))
        .toList();
  }

  /** Number of non-null reserved-area slots. */
  public int reservedCount() {
    return (int) reserved.stream().filter(r -> !r.isNull()).count();
  }

  @Override
  public String toString() {
    return "TDMR [0x%x, 0x%x)".formatted(base, base + size);
  }
}
