package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;

/** The forward scan and the bulk-built room tree answer as the binary searches and updates they replace. */
class HoleIndexScanTest {
  // Ranges [10, 20), [20, 30), [40, 50): gaps [0, 10), [30, 40), [50, ABOVE_ALL).
  private final HoleIndex holes = new HoleIndex(List.of(
      new AddressRange(10, 20), new AddressRange(20, 30), new AddressRange(40, 50)));

  @Test
  void aScanOverAscendingAddressesAnswersAsTheBinarySearches() {
    HoleIndex.Scan scan = holes.scan();
    for (long a = 0; a <= 60; a++) {
      assertEquals(holes.gapEndsAt(a), scan.gapEndsAt(a), "gapEndsAt " + a);
      assertEquals(holes.gapStartsAt(a), scan.gapStartsAt(a), "gapStartsAt " + a);
    }
    // By hand: gaps end at 10 and 40, start at 0, 30 and 50.
    HoleIndex.Scan fresh = holes.scan();
    assertEquals(List.of(false, true, false, true), List.of(
        fresh.gapEndsAt(0), fresh.gapEndsAt(10), fresh.gapEndsAt(20), fresh.gapEndsAt(40)));
    assertEquals(List.of(true, false, true, true), List.of(
        fresh.gapStartsAt(0), fresh.gapStartsAt(20), fresh.gapStartsAt(30), fresh.gapStartsAt(50)));
  }

  @Test
  void aScanAskedBelowItsLastAddressStillAnswersRight() {
    HoleIndex.Scan scan = holes.scan();
    assertEquals(true, scan.gapEndsAt(40));
    assertEquals(true, scan.gapEndsAt(10));
    assertEquals(true, scan.gapStartsAt(50));
    assertEquals(true, scan.gapStartsAt(30));
    assertEquals(false, scan.gapStartsAt(31));
    assertEquals(false, scan.gapEndsAt(20), "memory ends at 20 and goes on: no gap ends there");
  }

  @Test
  void aRoomTreeBuiltAtOnceAnswersAsOneFilledPieceByPiece() {
    long[] rooms = {-1, 5, 3, -1, 9, 9, 2};
    RoomTree bulk = new RoomTree(rooms);
    RoomTree filled = new RoomTree(rooms.length);
    for (int i = 0; i < rooms.length; i++) {
      filled.set(i, rooms[i]);
    }
    for (long need = -1; need <= 10; need++) {
      assertEquals(filled.firstAtLeast(need), bulk.firstAtLeast(need), "need " + need);
    }
    assertEquals(4, bulk.roomiest());
    assertEquals(1, bulk.firstAtLeast(4));
    bulk.set(4, -1);
    assertEquals(5, bulk.roomiest());
  }
}
