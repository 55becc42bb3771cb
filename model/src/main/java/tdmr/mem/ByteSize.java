package tdmr.mem;

/** Byte quantities as people read them, and the alignment arithmetic the TDX rules use. */
public final class ByteSize {
  public static final long KiB = 1L << 10;
  public static final long MiB = 1L << 20;
  public static final long GiB = 1L << 30;
  public static final long TiB = 1L << 40;

  /**
   * The 4 KiB page: the unit in which the kernel hands memory to TDX and the module sizes PAMTs
   * and reserved areas.
   */
  public static final long PAGE = 4 * KiB;

  private ByteSize() {}

  /** A size in the largest binary unit that keeps it readable: {@code 4 KiB}, {@code 1.5 GiB}. */
  public static String human(long bytes) {
    if (bytes < 0) {
      return bytes + " B";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int unit = 0;
    double value = bytes;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    if (unit == 0) {
      return bytes + " B";
    }
    if (value == Math.rint(value)) {
      return "%d %s".formatted((long) value, units[unit]);
    }
    return "%.2f %s".formatted(value, units[unit]);
  }

  /**
   * An exact size with its readable form, as answers state PAMT: {@code 1071644672 bytes (1022 MiB)};
   * below 1 KiB only the bytes: {@code 0 bytes}.
   */
  public static String exact(long bytes) {
    return bytes >= 0 && bytes < KiB ? bytes + " bytes" : "%d bytes (%s)".formatted(bytes, human(bytes));
  }

  /** The units a size or time is written with; a line is never broken between a number and its unit. */
  private static final java.util.List<String> UNITS =
      java.util.List.of("B", "KiB", "MiB", "GiB", "TiB", "KB", "KBs", "ms", "bytes");

  /** True when a unit starts at {@code at} of {@code text}: "4108 KiB" is read as one word. */
  public static boolean unitAt(String text, int at) {
    for (String unit : UNITS) {
      if (text.startsWith(unit, at)
          && (at + unit.length() == text.length() || !Character.isLetter(text.charAt(at + unit.length())))) {
        return true;
      }
    }
    return false;
  }

  public static boolean isAligned(long value, long alignment) {
    return Long.remainderUnsigned(value, alignment) == 0;
  }

  /** Rounds down to a power-of-two alignment. */
  public static long alignDown(long value, long alignment) {
    return value & -alignment;
  }

  /** Rounds up to a power-of-two alignment; throws on overflow. */
  public static long alignUp(long value, long alignment) {
    long r = Math.addExact(value, alignment - 1) & -alignment;
    return r;
  }
}
