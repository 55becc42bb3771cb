package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tdmr.solver.cpsat.FillAssignment.Chunk;
import tdmr.solver.cpsat.FillAssignment.Hole;

class FillAssignmentTest {
  @Test
  void chunksAreSplitSoThatEveryAtomIsExactlyFull() {
    // Atoms of 5 and 7 pages; chunks of 4, 3, 3 and 2 pages: 7 = 4 + 3, 5 = 3 + 2.
    Map<Integer, Integer> given = FillAssignment.assign(
        List.of(new Hole(10, 5), new Hole(11, 7)),
        List.of(new Chunk(0, 4), new Chunk(1, 3), new Chunk(2, 3), new Chunk(3, 2))).orElseThrow();
    assertEquals(11, given.get(0));
    assertEquals(11, given.get(1));
    assertEquals(10, given.get(2));
    assertEquals(10, given.get(3));
  }

  @Test
  void equalTotalsAreNotEnough() {
    // 6 + 6 pages of atoms, chunks 5, 5 and 2: the totals match, no split does.
    assertTrue(FillAssignment.assign(List.of(new Hole(1, 6), new Hole(2, 6)),
        List.of(new Chunk(0, 5), new Chunk(1, 5), new Chunk(2, 2))).isEmpty());
  }

  @Test
  void someChunksMayBeLeftOverWhenAskedForSome() {
    // Atom of 7 pages; chunks 5, 4, 3: 4 + 3 fill it, 5 is left for the pool.
    Map<Integer, Integer> given = FillAssignment.assignSome(List.of(new Hole(9, 7)),
        List.of(new Chunk(0, 5), new Chunk(1, 4), new Chunk(2, 3))).orElseThrow();
    assertEquals(Map.of(1, 9, 2, 9), given);
    assertTrue(FillAssignment.assign(List.of(new Hole(9, 7)),
        List.of(new Chunk(0, 5), new Chunk(1, 4), new Chunk(2, 3))).isEmpty());
  }

  @Test
  void nothingToFillIsTrivial() {
    assertEquals(Map.of(), FillAssignment.assign(List.of(), List.of()).orElseThrow());
  }
}
