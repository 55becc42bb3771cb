package tdmr.parse;

import tdmr.mem.AddressRange;

/**
 * A change the kernel made to its e820 table after printing it: {@code e820: update [mem a-b] usable
 * ==> reserved} or {@code e820: remove [mem a-b] usable}. memblock is built from the changed table.
 *
 * @param fromType the type the change applies to; empty for an untyped remove (any type)
 * @param toType the new type; empty for a remove
 */
record E820Change(AddressRange range, String fromType, String toType, int line) {
  boolean isRemove() {
    return toType.isEmpty();
  }
}
