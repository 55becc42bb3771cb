package tdmr.mem;

import java.util.Comparator;

/**
 * A half-open physical address range {@code [start, end)}, in bytes.
 *
 * <p>Both ends are non-negative {@code long}s, so every range lies below 2^63 and {@code end - start}
 * never overflows. Physical addresses of real machines stay below 2^52 (the TDX module's limit);
 * readers reject anything beyond that before building a range.
 */
public record AddressRange(long start, long end) implements Comparable<AddressRange> {

  /** Orders ranges by start, then by end. */
  public static final Comparator<AddressRange> ORDER =
      Comparator.comparingLong(AddressRange::start).thenComparingLong(AddressRange::end);

  public AddressRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          "invalid range: start=0x%x end=0x%x".formatted(start, end));
    }
  }

  /** The range {@code [base, base + size)}; throws if the end overflows 63 bits. */
  public static AddressRange ofSize(long base, long size) {
    if (base < 0 || size < 0 || base > Long.MAX_VALUE - size) {
      throw new IllegalArgumentException(
          "invalid range: base=0x%x size=0x%x".formatted(base, size));
    }
    return new AddressRange(base, base + size);
  }

  public long size() {
    return end - start;
  }

  public boolean isEmpty() {
    return end == start;
  }

  public boolean contains(long address) {
    return address >= start && address < end;
  }

  public boolean contains(AddressRange other) {
    return other.start >= start && other.end <= end;
  }

  /** True when the two ranges share at least one byte; ranges that only touch do not overlap. */
  public boolean overlaps(AddressRange other) {
    return start < other.end && other.start < end;
  }

  /** True when the ranges overlap or one ends exactly where the other starts. */
  public boolean overlapsOrTouches(AddressRange other) {
    return start <= other.end && other.start <= end;
  }

  /** The common part of the two ranges, empty (at the larger start) when they do not overlap. */
  public AddressRange intersect(AddressRange other) {
    long s = Math.max(start, other.start);
    long e = Math.min(end, other.end);
    return e > s ? new AddressRange(s, e) : new AddressRange(s, s);
  }

  @Override
  public int compareTo(AddressRange o) {
    return ORDER.compare(this, o);
  }

  /** Printed the kernel's way: {@code [0x40000000, 0x80000000)}. */
  @Override
  public String toString() {
    return "[0x%x, 0x%x)".formatted(start, end);
  }
}
