package tdmr.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;

/** e820__range_add/update/remove followed by e820__update_table, by hand. */
class E820TableTest {
  private static E820Entry e(long start, long end, String type) {
    return new E820Entry(new AddressRange(start, end), type, 0);
  }

  private static List<String> text(List<E820Entry> table) {
    return table.stream().map(x -> x.range() + " " + x.type()).toList();
  }

  @Test
  void overlapsGoToTheLargerTypeAndTouchingEntriesOfOneTypeJoin() {
    List<E820Entry> table = List.of(e(0, 0x1000, "usable"), e(0x800, 0x2000, "reserved"), e(0x2000, 0x3000, "reserved"));
    assertEquals(List.of("[0x0, 0x800) usable", "[0x800, 0x3000) reserved"), text(E820Table.sanitize(table)));
  }

  /**
   * canonical/tdx#135: reserving the 4 KiB usable page at 0x64158000 turns it reserved; with the
   * reserved entries on both sides it becomes one reserved entry [0x63d58000, 0x64195000).
   */
  @Test
  void reservingAnIslandJoinsTheReservedEntriesAroundIt() {
    List<E820Entry> table = List.of(
        e(0x63a25000L, 0x63d58000L, "usable"),
        e(0x63d58000L, 0x64158000L, "reserved"),
        e(0x64158000L, 0x64159000L, "usable"),
        e(0x64159000L, 0x64195000L, "reserved"),
        e(0x64195000L, 0x6e9cf000L, "usable"));
    List<E820Entry> user = E820Table.apply(table, KernelParameters.ofMemmap("4K$0x64158000"));
    assertEquals(List.of(
        "[0x63a25000, 0x63d58000) usable",
        "[0x63d58000, 0x64195000) reserved",
        "[0x64195000, 0x6e9cf000) usable"), text(user));
  }

  @Test
  void ramAddedOverReservedStaysReserved() {
    // memmap=nn@ss adds RAM (type 1); the reserved entry (type 2) wins the overlap.
    List<E820Entry> table = List.of(e(0, 0x100000, "usable"), e(0x100000, 0x200000, "reserved"));
    List<E820Entry> user = E820Table.apply(table, KernelParameters.ofMemmap("2M@0"));
    assertEquals(List.of("[0x0, 0x100000) usable", "[0x100000, 0x200000) reserved"), text(user));
  }

  @Test
  void memLimitCutsRamButNotOtherTypes() {
    List<E820Entry> table = List.of(e(0, 0x80000000L, "usable"), e(0x80000000L, 0x90000000L, "reserved"),
        e(0x100000000L, 0x200000000L, "usable"));
    List<E820Entry> user = E820Table.apply(table, KernelParameters.ofCommandLine("mem=1G"));
    assertEquals(List.of("[0x0, 0x40000000) usable", "[0x80000000, 0x90000000) reserved"), text(user));
  }

  @Test
  void persistentEntriesAreNeverJoined() {
    List<E820Entry> table = List.of(e(0, 0x1000000, "usable"), e(0x1000000, 0x2000000, "usable"));
    List<E820Entry> user = E820Table.apply(table, KernelParameters.ofMemmap("4M!0x1000000,4M!0x1400000"));
    assertEquals(List.of(
        "[0x0, 0x1000000) usable",
        "[0x1000000, 0x1400000) persistent (type 12)",
        "[0x1400000, 0x1800000) persistent (type 12)",
        "[0x1800000, 0x2000000) usable"), text(user));
  }

  @Test
  void exactmapWithOneEntryStopsTheKernel() {
    List<E820Entry> table = List.of(e(0, 0x1000000, "usable"), e(0x1000000, 0x2000000, "reserved"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> E820Table.apply(table, KernelParameters.ofCommandLine("memmap=exactmap memmap=16M@0")));
    assertEquals(true, e.getMessage().contains("Invalid user supplied memory map"));
    assertEquals(List.of("[0x0, 0x1000000) usable", "[0x1000000, 0x2000000) reserved"),
        text(E820Table.apply(table, KernelParameters.ofCommandLine("memmap=exactmap memmap=16M@0 memmap=16M$16M"))));
  }
}
