package tdmr.greedy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryMap;

/**
 * What the firmware says about a reserved area's bytes: the e820 types that share bytes with it and
 * whether the CMRs cover it. The greedy's explanation prints them, and {@code --json} writes them as
 * fields, from these two methods.
 */
public final class ReservedAreaFacts {
  /** How much of a range the CMRs cover. */
  public enum CmrCoverage {
    /** Every byte is convertible memory. */
    INSIDE,
    /** Some bytes are. */
    PARTLY,
    /** None is. */
    OUTSIDE
  }

  /** What {@link #e820Types} lists for bytes that no e820 entry covers. */
  public static final String NOT_IN_E820 = "not in e820";

  private ReservedAreaFacts() {}

  /**
   * The e820 types of the firmware entries that share bytes with {@code range}, in table order, each
   * once, then {@link #NOT_IN_E820} if some bytes are in none; empty when the input has no e820 table.
   */
  public static Optional<List<String>> e820Types(MemoryMap map, AddressRange range) {
    if (map.firmwareMap().isEmpty()) {
      return Optional.empty();
    }
    Set<String> types = new LinkedHashSet<>();
    long covered = 0;
    for (E820Entry e : map.firmwareMap()) {
      if (e.range().overlaps(range)) {
        types.add(e.type());
        covered += e.range().intersect(range).size();
      }
    }
    if (covered < range.size()) {
      types.add(NOT_IN_E820);
    }
    return Optional.of(new ArrayList<>(types));
  }

  /** Whether the CMRs cover all of {@code range}, part of it or none of it. */
  public static CmrCoverage cmrCoverage(MemoryMap map, AddressRange range) {
    if (map.cmrs().covers(range)) {
      return CmrCoverage.INSIDE;
    }
    long outside = map.cmrs().uncovered(range).stream().mapToLong(AddressRange::size).sum();
    return outside == range.size() ? CmrCoverage.OUTSIDE : CmrCoverage.PARTLY;
  }
}
