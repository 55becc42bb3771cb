package tdmr.mem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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

  /** The union of {@code ranges} as sorted, disjoint ranges; overlapping or touching ranges are joined. */
  public static List<AddressRange> union(List<AddressRange> ranges) {
    List<AddressRange> sorted = new ArrayList<>(ranges);
    sorted.sort(ORDER);
    List<AddressRange> out = new ArrayList<>(sorted.size());
    for (AddressRange r : sorted) {
      if (r.isEmpty()) {
        continue;
      }
      int last = out.size() - 1;
      if (last >= 0 && out.get(last).end >= r.start) {
        out.set(last, new AddressRange(out.get(last).start, Math.max(out.get(last).end, r.end)));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  /** The parts of {@code ranges} outside every range of {@code cuts}, sorted and disjoint. */
  public static List<AddressRange> minus(List<AddressRange> ranges, List<AddressRange> cuts) {
    List<AddressRange> from = union(ranges);
    List<AddressRange> cut = union(cuts);
    List<AddressRange> out = new ArrayList<>(from.size());
    int c = 0;
    for (AddressRange r : from) {
      long start = r.start;
      while (c < cut.size() && cut.get(c).end <= start) {
        c++;
      }
      int k = c;
      while (k < cut.size() && cut.get(k).start < r.end) {
        if (cut.get(k).start > start) {
          out.add(new AddressRange(start, cut.get(k).start));
        }
        start = Math.max(start, cut.get(k).end);
        k++;
      }
      if (start < r.end) {
        out.add(new AddressRange(start, r.end));
      }
    }
    return out;
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
