package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every number is read into its field's range, or refused naming the file, line and field. */
class NumberTextTest {
  private final NumberText numbers = new NumberText("log.txt");

  private static void assertRefused(InputException e, int line, String... fragments) {
    assertEquals("log.txt", e.file());
    assertEquals(line, e.line());
    for (String f : fragments) {
      assertTrue(e.problem().contains(f), "expected \"" + f + "\" in: " + e.getMessage());
    }
  }

  @Test
  void addressesReachExactly2To52() throws InputException {
    assertEquals(0, numbers.address("0x0", 1, "CMR start"));
    assertEquals(1L << 52, numbers.address("0x0010000000000000", 1, "CMR end"));
    assertEquals(0x9f000, numbers.inclusiveEnd("000000000009efff", 1, "e820 entry end"));
    assertRefused(assertThrows(InputException.class, () -> numbers.address("0x10000000000001", 3, "CMR end")),
        3, "CMR end", "beyond 52 bits");
    // The last byte 2^52 would end past 2^52.
    assertRefused(assertThrows(InputException.class, () -> numbers.inclusiveEnd("0x10000000000000", 4, "e820 entry end")),
        4, "e820 entry end", "beyond 52 bits");
  }

  @Test
  void rawValuesTakeAll64Bits() throws InputException {
    assertEquals(-1L, numbers.unsigned64("0xffffffffffffffff", 1, "SEAMCALL status"));
    assertEquals(0xc000050500000000L, numbers.unsigned64("0xc000050500000000", 1, "SEAMCALL status"));
    // Leading zeros do not count; a 17th significant digit does.
    assertEquals(0x22, numbers.unsigned64("00000000000000000022", 1, "SEAMCALL leaf"));
    assertRefused(assertThrows(InputException.class, () -> numbers.unsigned64("0x1c000050500000000", 7, "SEAMCALL status")),
        7, "SEAMCALL status", "does not fit in 64 bits");
  }

  @Test
  void decimalsStayWithinTheirFieldsBounds() throws InputException {
    assertEquals(8212, numbers.decimal("8212", 1, "PAMT size in KB", 0, 1L << 42));
    assertEquals(-28, numbers.decimalInt("-28", 1, "errno", -4095, 4095));
    assertRefused(assertThrows(InputException.class,
        () -> numbers.decimal("99999999999999999999", 9, "PAMT size in KB", 0, 1L << 42)), 9, "PAMT size in KB",
        "out of range (0..4398046511104)");
    assertRefused(assertThrows(InputException.class, () -> numbers.decimalInt("2147483648", 2, "errno", -4095, 4095)),
        2, "errno", "out of range");
    assertRefused(assertThrows(InputException.class, () -> numbers.decimalInt("65536", 2, "module major_version", 0, 0xffff)),
        2, "module major_version", "out of range (0..65535)");
  }

  @Test
  void aHostileNumberIsShortenedInTheMessage() {
    String digits = "9".repeat(4000);
    InputException e = assertThrows(InputException.class, () -> numbers.decimal(digits, 1, "NUMA node", 0, 65535));
    assertTrue(e.getMessage().length() < 200, e.getMessage());
    assertTrue(e.problem().contains("(4000 characters)"), e.problem());
  }
}
