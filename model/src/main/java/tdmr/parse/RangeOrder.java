package tdmr.parse;

import tdmr.mem.AddressRange;

/**
 * Checks that ranges listed one per line come in ascending order without overlap, the way the
 * kernel prints sanitized e820 tables, memblock node ranges and CMRs.
 */
final class RangeOrder {
  private final String source;
  private final String what;
  private AddressRange previous;
  private int previousLine;

  RangeOrder(String source, String what) {
    this.source = source;
    this.what = what;
  }

  /** Accepts the next range, or reports where the order broke. */
  void next(AddressRange range, int line) throws InputException {
    if (previous != null) {
      if (range.start() < previous.start()) {
        throw new InputException(
            source,
            line,
            "%s %s is out of order: it starts below %s on line %d (ranges must be sorted)"
                .formatted(what, range, previous, previousLine));
      }
      if (range.start() < previous.end()) {
        throw new InputException(
            source,
            line,
            "%s %s overlaps %s on line %d".formatted(what, range, previous, previousLine));
      }
    }
    previous = range;
    previousLine = line;
  }
}
