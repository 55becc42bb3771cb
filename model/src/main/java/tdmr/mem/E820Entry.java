package tdmr.mem;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One firmware memory map entry as the log printed it ({@code BIOS-e820: [mem a-b] usable}),
 * kept so that a hole can be explained by what the firmware put there.
 *
 * @param type the type text as printed: {@code usable}, {@code reserved}, {@code ACPI data},
 *     {@code ACPI NVS}, {@code soft reserved}, {@code type 20}, ...
 * @param line the 1-based line of the input it came from (0 when not from a file)
 */
public record E820Entry(AddressRange range, String type, int line) {
  /** {@code E820_TYPE_RAM}. */
  public static final int RAM = 1;
  /** {@code E820_TYPE_RESERVED}: what {@code memmap=nn$ss} adds. */
  public static final int RESERVED = 2;
  /** {@code E820_TYPE_ACPI}: what {@code memmap=nn#ss} adds. */
  public static final int ACPI = 3;
  /** {@code E820_TYPE_NVS}. */
  public static final int NVS = 4;
  /** {@code E820_TYPE_UNUSABLE}. */
  public static final int UNUSABLE = 5;
  /** {@code E820_TYPE_PMEM}. */
  public static final int PMEM = 7;
  /** {@code E820_TYPE_PRAM} (legacy persistent memory): what {@code memmap=nn!ss} adds. */
  public static final int PRAM = 12;
  /** {@code E820_TYPE_RESERVED_KERN}: RAM the kernel keeps for setup data, printed as usable. */
  public static final int RESERVED_KERN = 128;
  /** {@code E820_TYPE_SOFT_RESERVED}. */
  public static final int SOFT_RESERVED = 0xefffffff;

  private static final Pattern NUMBERED = Pattern.compile("^(?:persistent \\()?type (\\d+)\\)?$");

  /** An entry of a type given by its number, printed the kernel's way. */
  public static E820Entry ofCode(AddressRange range, int code, int line) {
    return new E820Entry(range, typeText(code), line);
  }

  public boolean isUsable() {
    return type.equals("usable");
  }

  /**
   * The type's number in the kernel's {@code enum e820_type}, which decides overlaps when the kernel
   * sanitizes its table (the larger number wins). Texts are the kernel's {@code e820_print_type}
   * ({@code usable}, {@code ACPI NVS}, {@code persistent (type 12)}, {@code type 20}) and the names
   * {@code /proc/iomem} and {@code /sys/firmware/memmap} use ({@code System RAM}, {@code Reserved},
   * {@code ACPI Tables}); any other text (a PCI window in {@code /proc/iomem}) counts as reserved.
   */
  public int typeCode() {
    return typeCode(type);
  }

  /** See {@link #typeCode()}. */
  public static int typeCode(String text) {
    String t = text.strip();
    Matcher m = NUMBERED.matcher(t);
    if (m.matches()) {
      try {
        return Integer.parseUnsignedInt(m.group(1));
      } catch (NumberFormatException e) {
        return RESERVED;
      }
    }
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "usable", "system ram" -> RAM;
      case "reserved" -> RESERVED;
      case "acpi data", "acpi tables" -> ACPI;
      case "acpi nvs", "acpi non-volatile storage" -> NVS;
      case "unusable", "unusable memory" -> UNUSABLE;
      case "persistent memory" -> PMEM;
      case "persistent memory (legacy)" -> PRAM;
      case "soft reserved" -> SOFT_RESERVED;
      default -> RESERVED;
    };
  }

  /** The kernel's {@code e820_print_type} text for a type number. */
  public static String typeText(int code) {
    return switch (code) {
      case RAM, RESERVED_KERN -> "usable";
      case RESERVED -> "reserved";
      case SOFT_RESERVED -> "soft reserved";
      case ACPI -> "ACPI data";
      case NVS -> "ACPI NVS";
      case UNUSABLE -> "unusable";
      case PMEM, PRAM -> "persistent (type %d)".formatted(code);
      default -> "type " + Integer.toUnsignedString(code);
    };
  }
}
