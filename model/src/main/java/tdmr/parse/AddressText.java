package tdmr.parse;

/**
 * Physical addresses as logs print them ({@code 0x100000}, {@code 000000000009f000}), bounded to
 * the 52 bits a TDX host can address.
 */
final class AddressText {
  /** Physical addresses stay below 2^52 (the module's MAX_PA); anything beyond is a corrupt line. */
  static final long LIMIT = 1L << 52;

  private final String source;

  AddressText(String source) {
    this.source = source;
  }

  /** Parses hex digits (with or without {@code 0x}) into an address of at most 2^52. */
  long parse(String hex, int line) throws InputException {
    String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    String significant = digits.replaceFirst("^0+(?=.)", "");
    if (significant.isEmpty() || significant.length() > 14) {
      throw beyond(hex, line);
    }
    long value;
    try {
      value = Long.parseLong(significant, 16);
    } catch (NumberFormatException e) {
      throw new InputException(source, line, "not a hex address: " + hex);
    }
    if (value > LIMIT) {
      throw beyond(hex, line);
    }
    return value;
  }

  /** The exclusive end of an inclusive last byte ({@code 0x9efff} → {@code 0x9f000}). */
  long parseInclusiveEnd(String hex, int line) throws InputException {
    long last = parse(hex, line);
    if (last >= LIMIT) {
      throw beyond(hex, line);
    }
    return last + 1;
  }

  private InputException beyond(String hex, int line) {
    return new InputException(
        source, line, "address %s is beyond 52 bits (physical addresses stay below 0x%x)".formatted(hex, LIMIT));
  }
}
