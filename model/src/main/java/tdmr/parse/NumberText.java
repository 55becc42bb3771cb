package tdmr.parse;

/**
 * Numbers as inputs print them, read with range checks into the type their meaning needs:
 * physical addresses (hex, at most 2^52, the module's MAX_PA), raw 64-bit values such as SEAMCALL
 * statuses and registers (hex, at most 16 significant digits) and decimal counts and versions
 * within the bounds their field allows. A number out of range is bad input naming the file, the
 * line and the field, never an overflow or an exception of the platform. Every reader of every
 * format uses this class for every number it reads.
 */
public final class NumberText {
  /** Physical addresses stay below 2^52 (the module's MAX_PA); anything beyond is a corrupt line. */
  public static final long ADDRESS_LIMIT = 1L << 52;

  private final String source;

  /** Numbers of the input named {@code source} (the file name as given, or {@code <stdin>}). */
  public NumberText(String source) {
    this.source = source;
  }

  /**
   * Hex digits (with or without {@code 0x}) of a physical address, at most 2^52; {@code field}
   * names it in the message ({@code "e820 entry start"}).
   */
  public long address(String hex, int line, String field) throws InputException {
    long value = hex(hex, line, field, 14);
    if (value > ADDRESS_LIMIT) {
      throw beyond52Bits(hex, line, field);
    }
    return value;
  }

  /** The exclusive end of an inclusive last byte ({@code 0x9efff} → {@code 0x9f000}), at most 2^52. */
  public long inclusiveEnd(String hex, int line, String field) throws InputException {
    long last = address(hex, line, field);
    if (last >= ADDRESS_LIMIT) {
      throw beyond52Bits(hex, line, field);
    }
    return last + 1;
  }

  /** Hex digits (with or without {@code 0x}) of a raw 64-bit value, returned as its bits (unsigned). */
  public long unsigned64(String hex, int line, String field) throws InputException {
    return hex(hex, line, field, 16);
  }

  /** Decimal digits (a leading {@code -} when {@code min < 0}) of a number within {@code [min, max]}. */
  public long decimal(String digits, int line, String field, long min, long max) throws InputException {
    boolean negative = digits.startsWith("-");
    String body = negative || digits.startsWith("+") ? digits.substring(1) : digits;
    if (body.isEmpty() || !allDigits(body, false)) {
      throw new InputException(source, line, "%s is not a decimal number: %s".formatted(field, shorten(digits)));
    }
    String significant = stripLeadingZeros(body);
    // 18 digits always fit a long; longer ones are out of every bound this program uses.
    if (significant.length() > 18) {
      throw outOfRange(digits, line, field, min, max);
    }
    long value = Long.parseLong(significant);
    value = negative ? -value : value;
    if (value < min || value > max) {
      throw outOfRange(digits, line, field, min, max);
    }
    return value;
  }

  /** {@link #decimal} for fields held in an {@code int}; the bounds lie within {@code int}. */
  public int decimalInt(String digits, int line, String field, int min, int max) throws InputException {
    return (int) decimal(digits, line, field, min, max);
  }

  private long hex(String text, int line, String field, int maxDigits) throws InputException {
    String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (digits.isEmpty() || !allDigits(digits, true)) {
      throw new InputException(source, line, "%s is not a hex number: %s".formatted(field, shorten(text)));
    }
    String significant = stripLeadingZeros(digits);
    if (significant.length() > maxDigits) {
      throw maxDigits == 16
          ? new InputException(source, line, "%s %s does not fit in 64 bits".formatted(field, shorten(text)))
          : beyond52Bits(text, line, field);
    }
    return Long.parseUnsignedLong(significant, 16);
  }

  /** True when every character is a decimal (or, with {@code hex}, a hex) digit; a loop, as readers call it per number. */
  private static boolean allDigits(String text, boolean hex) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean digit = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!digit) {
        return false;
      }
    }
    return true;
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  private InputException beyond52Bits(String hex, int line, String field) {
    return new InputException(source, line,
        "%s %s is beyond 52 bits (physical addresses stay below 0x%x)".formatted(field, shorten(hex), ADDRESS_LIMIT));
  }

  private InputException outOfRange(String digits, int line, String field, long min, long max) {
    return new InputException(source, line,
        "%s %s is out of range (%d..%d)".formatted(field, shorten(digits), min, max));
  }

  /** A number as quoted in a message: a hostile 4 000-digit one is cut to its first 40 characters. */
  private static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "... (%d characters)".formatted(text.length());
  }
}
