package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The max tree over the room of pieces: the lowest piece with enough room, the lowest roomiest one. */
class RoomTreeTest {

  @Test
  void theLowestPieceWithEnoughRoomIncludesOneWithExactlyEnough() {
    RoomTree t = new RoomTree(3);
    t.set(0, 10);
    t.set(1, 30);
    t.set(2, 30);
    assertEquals(0, t.firstAtLeast(10));
    assertEquals(1, t.firstAtLeast(30), "30 bytes fit a piece with 30 bytes of room");
    assertEquals(-1, t.firstAtLeast(31));
    assertEquals(1, t.roomiest(), "the lower of two pieces with the most room");
  }

  @Test
  void aPieceWithNoRoomLeftIsStillOnOfferUntilWithdrawn() {
    RoomTree t = new RoomTree(2);
    assertEquals(-1, t.roomiest(), "no piece on offer yet");
    t.set(1, 0);
    assertEquals(1, t.roomiest());
    t.set(1, -1);
    assertEquals(-1, t.roomiest());
    assertEquals(-1, t.firstAtLeast(0));
  }
}
