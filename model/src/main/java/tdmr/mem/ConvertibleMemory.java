package tdmr.mem;

import java.util.ArrayList;
import java.util.List;

/**
 * The convertible memory ranges (CMRs) reported by firmware, as the TDX module sees them.
 *
 * <p>The module treats a chain of touching CMRs as one range ({@code is_area_in_cmr}, rule E1), so
 * containment is answered against {@link #merged()}.
 */
public final class ConvertibleMemory {
  private final List<AddressRange> cmrs;
  private final List<AddressRange> merged;

  /** CMRs must be sorted and non-overlapping; callers (the readers) report violations with lines. */
  public ConvertibleMemory(List<AddressRange> cmrs) {
    this.cmrs = List.copyOf(cmrs);
    for (int i = 1; i < this.cmrs.size(); i++) {
      if (this.cmrs.get(i).start() < this.cmrs.get(i - 1).end()) {
        throw new IllegalArgumentException(
            "CMRs overlap or are unsorted: %s then %s".formatted(this.cmrs.get(i - 1), this.cmrs.get(i)));
      }
    }
    List<AddressRange> m = new ArrayList<>();
    for (AddressRange r : this.cmrs) {
      if (r.isEmpty()) {
        continue;
      }
      if (!m.isEmpty() && m.get(m.size() - 1).end() == r.start()) {
        m.set(m.size() - 1, new AddressRange(m.get(m.size() - 1).start(), r.end()));
      } else {
        m.add(r);
      }
    }
    this.merged = List.copyOf(m);
  }

  /** The CMRs as reported. */
  public List<AddressRange> cmrs() {
    return cmrs;
  }

  /** Maximal runs of touching CMRs. */
  public List<AddressRange> merged() {
    return merged;
  }

  public boolean isEmpty() {
    return merged.isEmpty();
  }

  /** True when the whole range lies inside one merged CMR (empty ranges always do). */
  public boolean covers(AddressRange range) {
    if (range.isEmpty()) {
      return true;
    }
    AddressRange m = mergedContaining(range.start());
    return m != null && m.end() >= range.end();
  }

  /** True when the byte at {@code address} is convertible. */
  public boolean covers(long address) {
    return mergedContaining(address) != null;
  }

  /** The index of the first merged CMR that ends after {@code address} (the count when none does). */
  private int firstEndingAfter(long address) {
    int lo = 0;
    int hi = merged.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (merged.get(mid).end() <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The merged CMR that holds {@code address}, or null. */
  private AddressRange mergedContaining(long address) {
    int lo = 0;
    int hi = merged.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AddressRange m = merged.get(mid);
      if (address < m.start()) {
        hi = mid - 1;
      } else if (address >= m.end()) {
        lo = mid + 1;
      } else {
        return m;
      }
    }
    return null;
  }

  /** The parts of {@code range} that are not convertible. */
  public List<AddressRange> uncovered(AddressRange range) {
    List<AddressRange> out = new ArrayList<>();
    long cursor = range.start();
    // From the first merged CMR that ends past the range's start: a map of thousands of blocks and
    // CMRs asks this once per block, and scanning from the first CMR each time was quadratic.
    for (AddressRange m : merged.subList(firstEndingAfter(cursor), merged.size())) {
      if (m.start() >= range.end()) {
        break;
      }
      if (m.start() > cursor) {
        out.add(new AddressRange(cursor, m.start()));
      }
      cursor = Math.max(cursor, m.end());
      if (cursor >= range.end()) {
        break;
      }
    }
    if (cursor < range.end()) {
      out.add(new AddressRange(cursor, range.end()));
    }
    return out;
  }

  public long totalBytes() {
    return merged.stream().mapToLong(AddressRange::size).sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvertibleMemory c && c.cmrs.equals(cmrs);
  }

  @Override
  public int hashCode() {
    return cmrs.hashCode();
  }

  @Override
  public String toString() {
    return "CMRs " + cmrs;
  }
}
