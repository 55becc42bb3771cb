package tdmr.mem;

/**
 * One firmware memory map entry as the log printed it ({@code BIOS-e820: [mem a-b] usable}),
 * kept so that a hole can be explained by what the firmware put there.
 *
 * @param type the type text as printed: {@code usable}, {@code reserved}, {@code ACPI data},
 *     {@code ACPI NVS}, {@code soft reserved}, {@code type 20}, ...
 * @param line the 1-based line of the input it came from (0 when not from a file)
 */
public record E820Entry(AddressRange range, String type, int line) {
  public boolean isUsable() {
    return type.equals("usable");
  }
}
