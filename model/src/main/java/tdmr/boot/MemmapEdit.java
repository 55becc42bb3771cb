package tdmr.boot;

import java.util.OptionalInt;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.E820Entry;

/**
 * One change a {@code memmap=} or {@code mem=} parameter makes to the kernel's e820 table
 * ({@code parse_memmap_one} and {@code parse_memopt} in {@code arch/x86/kernel/e820.c}). The kernel
 * makes the changes in command-line order and then sanitizes the table once, so overlaps are
 * resolved by {@link E820Table#sanitize} (the larger type number wins).
 */
public sealed interface MemmapEdit {

  /** The parameter this change comes from, as written: {@code memmap=4K$0x64158000}. */
  String parameter();

  /** What the change does, in words: {@code reserve [0x64158000, 0x64159000) (4 KiB)}. */
  String describe();

  /** {@code memmap=exactmap}: the firmware's table is dropped; only the entries that follow count. */
  record ExactMap(String parameter) implements MemmapEdit {
    @Override
    public String describe() {
      return "drop the firmware's e820 table";
    }
  }

  /**
   * {@code e820__range_add}: {@code memmap=nn@ss} (RAM), {@code nn#ss} (ACPI data), {@code nn$ss}
   * (reserved), {@code nn!ss} (persistent, type 12), {@code nn%ss+t}.
   */
  record Add(String parameter, AddressRange range, int type) implements MemmapEdit {
    @Override
    public String describe() {
      String what = switch (type) {
        case E820Entry.RAM -> "add RAM";
        case E820Entry.RESERVED -> "reserve";
        default -> "mark " + E820Entry.typeText(type);
      };
      return "%s %s (%s)".formatted(what, range, ByteSize.human(range.size()));
    }
  }

  /** {@code e820__range_update}, {@code memmap=nn%ss-from+to}: entries of one type change type. */
  record Update(String parameter, AddressRange range, int from, int to) implements MemmapEdit {
    @Override
    public String describe() {
      return "change %s in %s to %s".formatted(E820Entry.typeText(from), range, E820Entry.typeText(to));
    }
  }

  /**
   * {@code e820__range_remove}: {@code mem=nn} and {@code memmap=nn} remove RAM from {@code nn} up
   * ({@code type} RAM, {@code range} ending at the top of the address space); {@code memmap=nn%ss-t}
   * and {@code nn%ss} remove entries of one type or of any type.
   */
  record Remove(String parameter, AddressRange range, OptionalInt type) implements MemmapEdit {
    @Override
    public String describe() {
      if (range.end() == Long.MAX_VALUE && type.equals(OptionalInt.of(E820Entry.RAM))) {
        return "remove RAM at and above 0x%x (%s)".formatted(range.start(), ByteSize.human(range.start()));
      }
      return type.isPresent()
          ? "remove %s in %s".formatted(E820Entry.typeText(type.getAsInt()), range)
          : "remove every entry in %s".formatted(range);
    }
  }
}
