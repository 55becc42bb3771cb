package tdmr.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;

/**
 * Parses the memory parameters of a kernel command line the way x86 Linux does: every {@code
 * memmap=} ({@code parse_memmap_opt}, comma-separated values, each by {@code parse_memmap_one}) and
 * {@code mem=} ({@code parse_memopt}), in command-line order, numbers by {@code memparse} (decimal,
 * {@code 0x} hex or {@code 0} octal, with an optional K, M, G, T, P or E suffix). Arguments after
 * {@code --} go to init and are skipped, as the kernel skips them.
 *
 * <p>Bad values throw {@link IllegalArgumentException} with a message that starts with the
 * parameter; the kernel ignores such a parameter (with a warning) while applying the ones before it.
 */
public final class KernelParameters {
  /** Addresses and sizes beyond 52 bits are no physical memory a TDX host has. */
  private static final long LIMIT = 1L << 52;

  private KernelParameters() {}

  /** The memory parameters of a whole command line ({@code /proc/cmdline}, a log's {@code Command line:}). */
  public static List<MemmapEdit> ofCommandLine(String commandLine) {
    List<MemmapEdit> out = new ArrayList<>();
    for (String arg : arguments(commandLine)) {
      if (arg.startsWith("memmap=")) {
        out.addAll(ofMemmap(arg.substring("memmap=".length())));
      } else if (arg.startsWith("mem=")) {
        ofMem(arg.substring("mem=".length())).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * The changes of one {@code memmap=} value (what follows {@code memmap=}; several values may be
   * joined by commas, as the kernel allows). A GRUB-escaped {@code \$} is read as {@code $}.
   */
  public static List<MemmapEdit> ofMemmap(String value) {
    String v = value.replace("\\", "");
    List<MemmapEdit> out = new ArrayList<>();
    for (String one : v.split(",", -1)) {
      out.add(memmapOne(one));
    }
    return out;
  }

  /**
   * The parameter that reserves {@code range}, {@code memmap=SIZE$ADDRESS}: the size in the largest
   * of K, M, G that divides it exactly, the address in hex. The kernel then lists the range as
   * reserved, so memblock, and with it the TDX memory list, no longer holds it.
   */
  public static String reserving(AddressRange range) {
    long bytes = range.size();
    String size = bytes % (1L << 30) == 0 ? bytes / (1L << 30) + "G"
        : bytes % (1L << 20) == 0 ? bytes / (1L << 20) + "M"
        : bytes % 1024 == 0 ? bytes / 1024 + "K" : Long.toString(bytes);
    return "memmap=%s$0x%x".formatted(size, range.start());
  }

  /** The memory parameters in the words of a command line, for showing which ones were found. */
  public static List<String> memoryArguments(String commandLine) {
    return arguments(commandLine).stream().filter(a -> a.startsWith("memmap=") || a.startsWith("mem=")).toList();
  }

  /** True when the command line sets {@code name=value} (e.g. {@code kvm_intel.tdx=1}); dashes and underscores match. */
  public static boolean has(String commandLine, String name, String value) {
    String wanted = (name + "=" + value).replace('-', '_');
    return arguments(commandLine).stream().anyMatch(a -> a.replace('-', '_').equals(wanted));
  }

  /** {@code next_arg}: words separated by blanks, double quotes grouping; stops at {@code --}. */
  static List<String> arguments(String commandLine) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (int i = 0; i <= commandLine.length(); i++) {
      char c = i < commandLine.length() ? commandLine.charAt(i) : ' ';
      if (c == '"') {
        quoted = !quoted;
        inWord = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (inWord) {
          if (word.toString().equals("--")) {
            return out;
          }
          out.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    return out;
  }

  private static java.util.Optional<MemmapEdit> ofMem(String value) {
    String parameter = "mem=" + value;
    if (value.equals("nopentium")) {
      return java.util.Optional.empty(); // ignored on 64-bit kernels
    }
    Number size = memparse(parameter, value, 0);
    if (size.end == 0 || size.value == 0) {
      throw new IllegalArgumentException(parameter + ": not a memory size (expected e.g. mem=64G)");
    }
    return java.util.Optional.of(ramLimit(parameter, size.value));
  }

  private static MemmapEdit memmapOne(String value) {
    String parameter = "memmap=" + value;
    if (value.equals("exactmap")) {
      return new MemmapEdit.ExactMap(parameter);
    }
    Number size = memparse(parameter, value, 0);
    if (size.end == 0) {
      throw new IllegalArgumentException(parameter + ": expected SIZE$ADDRESS, SIZE@ADDRESS, SIZE!ADDRESS,"
          + " SIZE#ADDRESS, SIZE%ADDRESS-FROM+TO, SIZE or exactmap, with sizes like 4K, 16M, 1G");
    }
    int p = size.end;
    if (p == value.length()) {
      return ramLimit(parameter, size.value);
    }
    char kind = value.charAt(p);
    if ("@#$!%".indexOf(kind) < 0) {
      throw new IllegalArgumentException(parameter + ": unexpected '%s' after the size%s".formatted(
          value.substring(p), value.indexOf('$') < 0 && value.matches(".*[a-zA-Z]{3,}.*")
              ? " (did the shell expand $0? put the value in single quotes: --memmap '4K$0x64158000')" : ""));
    }
    Number start = memparse(parameter, value, p + 1);
    if (start.end == p + 1) {
      throw new IllegalArgumentException(parameter + ": no address after '" + kind + "'");
    }
    if (size.value == 0) {
      throw new IllegalArgumentException(parameter + ": size 0 changes nothing");
    }
    if (start.value + size.value > LIMIT) {
      throw new IllegalArgumentException(parameter + ": the range ends beyond 52 bits of physical address");
    }
    AddressRange range = AddressRange.ofSize(start.value, size.value);
    if (kind != '%') {
      requireEnd(parameter, value, start.end);
      int type = switch (kind) {
        case '@' -> E820Entry.RAM;
        case '#' -> E820Entry.ACPI;
        case '$' -> E820Entry.RESERVED;
        default -> E820Entry.PRAM;
      };
      return new MemmapEdit.Add(parameter, range, type);
    }
    int q = start.end;
    long from = 0;
    long to = 0;
    if (q < value.length() && value.charAt(q) == '-') {
      Number n = strtoull(value, q + 1);
      from = n.value;
      q = n.end;
    }
    if (q < value.length() && value.charAt(q) == '+') {
      Number n = strtoull(value, q + 1);
      to = n.value;
      q = n.end;
    }
    requireEnd(parameter, value, q);
    if (from < 0 || to < 0 || from > 0xffffffffL || to > 0xffffffffL) {
      throw new IllegalArgumentException(parameter + ": an e820 type is a 32-bit number");
    }
    if (from != 0 && to != 0) {
      if (from == to) {
        // BUG_ON(old_type == new_type) in __e820__range_update: the kernel would not boot.
        throw new IllegalArgumentException(parameter + ": the same type before and after (the kernel stops at a BUG_ON)");
      }
      return new MemmapEdit.Update(parameter, range, (int) from, (int) to);
    }
    if (to != 0) {
      return new MemmapEdit.Add(parameter, range, (int) to);
    }
    return new MemmapEdit.Remove(parameter, range, from != 0 ? OptionalInt.of((int) from) : OptionalInt.empty());
  }

  private static MemmapEdit ramLimit(String parameter, long limit) {
    if (limit >= LIMIT) {
      throw new IllegalArgumentException(parameter + ": the limit is beyond 52 bits of physical address");
    }
    return new MemmapEdit.Remove(parameter, new AddressRange(limit, Long.MAX_VALUE), OptionalInt.of(E820Entry.RAM));
  }

  private static void requireEnd(String parameter, String value, int at) {
    if (at != value.length()) {
      throw new IllegalArgumentException(parameter + ": unexpected '" + value.substring(at) + "' at the end");
    }
  }

  /** A parsed number and the index just after it ({@code end == start} when there were no digits). */
  private record Number(long value, int end) {}

  /** {@code memparse}: a number, then an optional K/M/G/T/P/E (each a factor of 1024 more). */
  private static Number memparse(String parameter, String s, int at) {
    Number n = strtoull(s, at);
    if (n.end == at) {
      return n;
    }
    int shift = 0;
    int end = n.end;
    if (end < s.length()) {
      shift = switch (Character.toUpperCase(s.charAt(end))) {
        case 'K' -> 10;
        case 'M' -> 20;
        case 'G' -> 30;
        case 'T' -> 40;
        case 'P' -> 50;
        case 'E' -> 60;
        default -> 0;
      };
      if (shift > 0) {
        end++;
      }
    }
    if (n.value < 0 || (shift > 0 && n.value > (Long.MAX_VALUE >> shift)) || (n.value << shift) > LIMIT) {
      throw new IllegalArgumentException(parameter + ": " + s.substring(at, end) + " is beyond 52 bits");
    }
    return new Number(n.value << shift, end);
  }

  /** {@code simple_strtoull(s, &end, 0)}: {@code 0x} hex, leading {@code 0} octal, else decimal. */
  private static Number strtoull(String s, int at) {
    int radix = 10;
    int i = at;
    if (i + 2 < s.length() + 1 && i + 1 < s.length() && s.charAt(i) == '0'
        && Character.toLowerCase(s.charAt(i + 1)) == 'x' && i + 2 < s.length()
        && Character.digit(s.charAt(i + 2), 16) >= 0) {
      radix = 16;
      i += 2;
    } else if (i < s.length() && s.charAt(i) == '0') {
      radix = 8;
    }
    int digitsStart = i;
    long value = 0;
    while (i < s.length() && Character.digit(s.charAt(i), radix) >= 0) {
      if (value > (Long.MAX_VALUE - Character.digit(s.charAt(i), radix)) / radix) {
        return new Number(-1, i + 1);
      }
      value = value * radix + Character.digit(s.charAt(i), radix);
      i++;
    }
    return new Number(value, i == digitsStart ? at : i);
  }
}
