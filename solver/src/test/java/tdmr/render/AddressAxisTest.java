package tdmr.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.KiB;
import static tdmr.mem.ByteSize.TiB;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The compressed address axis: what stays visible, what is to scale and what is marked as shortened. */
class AddressAxisTest {
  private static final double WIDTH = 1000;

  private static AddressAxis axis(long... cuts) {
    TreeSet<Long> set = new TreeSet<>();
    for (long c : cuts) {
      set.add(c);
    }
    return new AddressAxis(set, WIDTH);
  }

  @Test
  void fewPiecesAreDrawnToScaleWithoutBreaks() {
    // Pieces of 1 GiB and 3 GiB: 3 is less than 16 times 1, so nothing is shortened and the widths
    // are to scale: 250 and 750 px.
    AddressAxis a = axis(0, GiB, 4 * GiB);
    assertEquals(250, a.x(GiB), 0.5);
    assertEquals(1000, a.x(4 * GiB), 0.5);
    assertTrue(a.breaks().isEmpty());
    assertEquals(0, a.widenedPieces());
  }

  @Test
  void aFourKibBlockAndATebibyteNodeAreBothVisible() {
    // Below 2 GiB: [1 MiB, 1 MiB + 4 KiB) and its neighbours; then a 1 TiB node at 4 GiB.
    long tinyStart = 0x64158000L;
    AddressAxis a = axis(0, 1 << 20, tinyStart, tinyStart + 4 * KiB, 2 * GiB, 4 * GiB, 4 * GiB + TiB);
    double tiny = a.x(tinyStart + 4 * KiB) - a.x(tinyStart);
    double node = a.x(4 * GiB + TiB) - a.x(4 * GiB);
    assertTrue(tiny >= AddressAxis.MIN_PIECE_PX - 1e-9, "4 KiB block drawn " + tiny + " px");
    // Sorted sizes: 1 TiB, then 2 GiB (512 times smaller, more than 16), so the top group is the
    // 1 TiB run alone (k = 1); it holds more than twice the rest, so it is shortened to
    // 1/(k + 4) = 1/5 of the width: 200 px.
    assertEquals(200, node, 0.5);
    assertEquals(1, a.breaks().size());
    // The other 4 GiB share the remaining 800 px; the 1 MiB and 4 KiB pieces (0.2 px at scale) are
    // widened to 3 px each, leaving 794 px for 4 GiB, so the [2 GiB, 4 GiB) hole gets 397 px.
    assertEquals(397, a.x(4 * GiB) - a.x(2 * GiB), 0.5);
    assertEquals(2, a.widenedPieces());
    assertEquals(4 * GiB, a.breaks().get(0).range().start());
    assertTrue(a.compressedBytes() > 0 && a.compressedBytes() < TiB);
  }

  @Test
  void positionsIncreaseAlongTheAxisAndFillTheWidth() {
    List<Long> cuts = List.of(0L, 4 * KiB, 8 * KiB, GiB, 2 * GiB, 64 * GiB, 65 * GiB, 1024 * GiB);
    AddressAxis a = axis(cuts.stream().mapToLong(Long::longValue).toArray());
    for (int i = 1; i < cuts.size(); i++) {
      assertTrue(a.x(cuts.get(i)) > a.x(cuts.get(i - 1)));
    }
    assertEquals(WIDTH, a.width(), 1.0);
  }
}
