package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Problem.CellKind;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class ProblemTest {
  private static final long KiB = ByteSize.KiB;
  private static final long MiB = ByteSize.MiB;
  private static final long GiB = ByteSize.GiB;

  @Test
  void tdx135MapHasTwoMixedCellsAndThreeCandidates() {
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    // [0,1G) holds the hole [0,1M) and the start of the first block; [1G,2G) holds 16 block
    // pieces, 15 gaps between them and the tail gap [0x6f800000, 2G). Nothing lies above 2G.
    assertEquals(2, p.cells().size());
    assertEquals(CellKind.MIXED, p.cells().get(0).kind());
    assertEquals(CellKind.MIXED, p.cells().get(1).kind());
    assertEquals(2, p.cells().get(0).endAtom() - p.cells().get(0).firstAtom());
    assertEquals(32, p.cells().get(1).endAtom() - p.cells().get(1).firstAtom());
    // Candidates [0,1G), [0,2G), [1G,2G); 1 GiB costs 4104+4 KiB, 2 GiB 2*4104+4 KiB.
    assertEquals(3, p.candidates().size());
    assertEquals(new AddressRange(0, 2 * GiB), p.candidates().get(1).range());
    assertEquals(4108 * KiB, p.candidates().get(0).pamtBytes());
    assertEquals(8212 * KiB, p.candidates().get(1).pamtBytes());
    assertTrue(p.impossibilities().isEmpty());
  }

  @Test
  void twoChunksStackedAtTheLowHoleCostNoExtraArea() {
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    int firstMemory = 1; // atom 0 is the hole [0,1M), atom 1 is [1M,1G)
    Layout layout = p.buildLayout(new Decision(
        List.of(new TdmrChoice(0, firstMemory, Side.LOW), new TdmrChoice(2, firstMemory, Side.LOW)), List.of()));
    Tdmr t0 = layout.tdmrs().get(0);
    Tdmr t1 = layout.tdmrs().get(1);
    // TDMR 0's chunk at 1M, TDMR 1's right after it: one area [0, 1M + 2*4108K).
    assertEquals(MiB, t0.pamt().fourK().base());
    assertEquals(MiB + 4108 * KiB, t1.pamt().fourK().base());
    assertEquals(List.of(new AddressRange(0, MiB + 8216 * KiB)), t0.reservedRanges());
    // TDMR 1: 15 gaps between its 16 block pieces plus the tail [0x6f800000, 0x80000000).
    assertEquals(16, t1.reservedCount());
    assertEquals(new AddressRange(0x6f800000L, 0x80000000L), t1.reservedRanges().get(15));
    assertEquals(2 * 4108 * KiB, layout.pamtBytes());
  }

  @Test
  void chunksFillingAnIslandMergeTheHolesAroundIt() {
    // An island exactly the size of a 1 GiB TDMR's chunk (4108 KiB) between holes [0,1M) and
    // [1M+4108K, 8M), then memory up to 1G.
    long island = 4108 * KiB;
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(
        new MemoryBlock(MiB, MiB + island, 0), new MemoryBlock(8 * MiB, GiB, 0)));
    Problem p = Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
    Layout layout = p.buildLayout(new Decision(List.of(new TdmrChoice(0, 1, Side.HIGH)), List.of()));
    // Holes [0,1M) and [1M+island, 8M) plus the chunk filling [1M, 1M+island): one area [0, 8M).
    assertEquals(List.of(new AddressRange(0, 8 * MiB)), layout.tdmrs().get(0).reservedRanges());
  }

  @Test
  void memoryOutsideCmrsOrAboveHkidLimitIsExplained() {
    MemoryMap map = MemoryMap.of("bad", List.of(new MemoryBlock(MiB, 3 * GiB, 0)),
        List.of(new AddressRange(MiB, 2 * GiB)));
    Problem p = Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(1, p.impossibilities().size());
    assertTrue(p.impossibilities().get(0).contains("[0x80000000, 0xc0000000)"));
    // The uniform run [2G,3G) is memory outside CMRs: it must be dropped.
    assertTrue(p.atoms().stream().anyMatch(a -> a.mustDrop() && a.range().start() == 2 * GiB));

    TdxLimits hkid31 = new TdxLimits(64, 16, 16, 16, 16, false, 31);
    MemoryMap high = MemoryMap.ofBlocks("high", List.of(new MemoryBlock(MiB, 3 * GiB, 0)));
    Problem q = Problem.of(high, hkid31, Policy.KERNEL);
    assertEquals(List.of(new AddressRange(2 * GiB, 3 * GiB)), q.excludedMemory());
    assertEquals(2 * GiB, q.cells().get(q.cells().size() - 1).range().end());
  }

  @Test
  void plainRunOfOneBlockIsOneCell() {
    // [1M, 64G+512M): granule 0 is mixed (hole [0,1M)), [1G,64G) is one plain run, [64G,65G) mixed.
    MemoryMap map = MemoryMap.ofBlocks("big", List.of(new MemoryBlock(MiB, 64 * GiB + 512 * MiB, 0)));
    Problem p = Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(3, p.cells().size());
    assertEquals(CellKind.PLAIN, p.cells().get(1).kind());
    assertEquals(63, p.cells().get(1).sizeGiB());
    assertEquals(6, p.candidates().size());
  }

  @Test
  void candidatesAreNumberedByFirstCellThenEndCellWithoutBuildingTheList() {
    // Blocks [1M, 3G) node 0 and [5G, 6G+512M) node 1: cells [0,1G) mixed, [1G,3G) plain,
    // [3G,5G) empty, [5G,6G) plain, [6G,7G) mixed. Memory cells 0, 1, 3, 4: runs starting and
    // ending in them are 4+3+2+1 = 10, numbered (0,1) (0,2) (0,4) (0,5) (1,2) (1,4) (1,5) (3,4)
    // (3,5) (4,5) as [firstCell, endCell).
    MemoryMap map = MemoryMap.ofBlocks("two", List.of(
        new MemoryBlock(MiB, 3 * GiB, 0), new MemoryBlock(5 * GiB, 6 * GiB + 512 * MiB, 1)));
    Problem p = Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
    assertEquals(5, p.cells().size());
    assertEquals(10, p.candidateCount());
    assertEquals(5, p.candidateIndex(1, 4));
    assertEquals(9, p.candidateIndex(4, 5));
    assertEquals(-1, p.candidateIndex(2, 4)); // starts in the empty cell
    assertEquals(-1, p.candidateIndex(0, 3)); // ends in the empty cell
    assertEquals(new AddressRange(GiB, 6 * GiB), p.candidate(5).range());
    assertEquals(1, p.candidate(8).node());
    for (int i = 0; i < p.candidateCount(); i++) {
      Problem.CandidateTdmr c = p.candidates().get(i);
      assertEquals(c, p.candidate(i));
      assertEquals(i, p.candidateIndex(c.firstCell(), c.endCell()));
    }
  }

  @Test
  void decisionLeavingMemoryUncoveredIsRejected() {
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    assertThrows(IllegalArgumentException.class,
        () -> p.buildLayout(new Decision(List.of(new TdmrChoice(0, 1, Side.LOW)), List.of())));
  }

  @Test
  void keptMapRemovesDroppedAtoms() {
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    int tiny = p.atoms().stream()
        .filter(a -> a.range().equals(new AddressRange(0x64158000L, 0x64159000L))).findFirst().orElseThrow().index();
    MemoryMap kept = p.keptMap(List.of(tiny));
    assertEquals(Tdx135MapFixture.map().totalBytes() - 4 * KiB, kept.totalBytes());
    assertFalse(kept.blocks().stream().anyMatch(b -> b.start() == 0x64158000L));
  }

  /** A map whose first block, at 1 GiB, is {@code pages} pages long, then memory [2G, 4G). */
  private static Problem islands(long pages) {
    MemoryMap map = MemoryMap.ofBlocks("islands", List.of(
        new MemoryBlock(GiB, GiB + pages * 4 * KiB, 0), new MemoryBlock(2 * GiB, 4 * GiB, 0)));
    return Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
  }

  private static boolean fillable(long pages) {
    Problem p = islands(pages);
    return p.mayBeFilled(p.atoms().stream().filter(a -> a.memory() && a.range().start() == GiB).findFirst().orElseThrow());
  }

  @Test
  void atomsChunksCanFillExactlyFollowFromTheChunkSizes() {
    // Default limits: an N GiB chunk (N <= 256) is 1024 N + 2 N + 1 pages, so k chunks of G GiB in
    // total have 1026 G + k pages, with 1 <= k <= G.
    assertTrue(fillable(1027)); // one 1 GiB chunk
    assertTrue(fillable(2053)); // one 2 GiB chunk
    assertTrue(fillable(2054)); // two 1 GiB chunks
    assertFalse(fillable(1026)); // less than the smallest chunk
    assertFalse(fillable(2055)); // G = 2 holds at most 2054 pages, G = 3 at least 3079
    assertFalse(fillable(3078));
    assertTrue(fillable(3079));
    assertTrue(fillable(3081)); // three 1 GiB chunks
    assertFalse(fillable(3082));
    assertFalse(fillable(100));
  }

  @Test
  void freeSideIsTheEndTouchingARequiredHoleOfTheSameCell() {
    // [1G, 1G+64M) memory, [1G+64M, 1G+128M) hole, [1G+128M, 2G) memory: one mixed cell.
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(
        new MemoryBlock(GiB, GiB + 64 * MiB, 0), new MemoryBlock(GiB + 128 * MiB, 2 * GiB, 0)));
    Problem memlist = Problem.of(map, TdxLimits.DEFAULT, Policy.KERNEL);
    List<Problem.Atom> atoms = memlist.atoms();
    assertEquals(3, atoms.size());
    assertEquals(Side.HIGH, memlist.freeSide(atoms.get(0)).orElseThrow());
    assertEquals(Side.LOW, memlist.freeSide(atoms.get(2)).orElseThrow());
    assertTrue(memlist.freeSide(atoms.get(1)).isEmpty(), "a gap has no free side");
    // Under holes cmr a convertible gap need not be reserved, so it frees nothing.
    MemoryMap convertible = MemoryMap.of("hole", map.blocks(), List.of(new AddressRange(GiB, 2 * GiB)));
    Problem cmr = Problem.of(convertible, TdxLimits.DEFAULT, Policy.KERNEL.withHoles(Policy.Holes.CMR));
    assertTrue(cmr.freeSide(cmr.atoms().get(0)).isEmpty());
  }
  /**
   * One block [1M, 1G) whose CMR ends at 512M, coverage max, at most 2 TDMRs. The block's piece
   * in granule 0 is cut at the CMR edge: [1M, 512M) convertible, [512M, 1G) not (left out, and
   * reserved where covered). So the TDMR [0, 1G) covers [1M, 512M) less its chunk of 1027 pages,
   * stacked on the hole [0, 1M), with two areas ([0, 1M) with the chunk, [512M, 1G)): 512 MiB
   * uncovered, 4 206 592 bytes of PAMT. The referee finds the same; both engines reach it (before
   * the cut, the whole piece counted as outside the CMRs and no layout was found).
   */
  @Test
  void aBlockPieceCutByACmrEdgeKeepsItsConvertiblePart() {
    MemoryMap map = MemoryMap.of("cut", List.of(new MemoryBlock(MiB, GiB, 0)), List.of(new AddressRange(MiB, 512 * MiB)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2);
    Policy max = Policy.KERNEL.withCoverage(Policy.Coverage.MAX);
    Problem p = Problem.of(map, limits, max);
    assertEquals(List.of(new AddressRange(0, MiB), new AddressRange(MiB, 512 * MiB), new AddressRange(512 * MiB, GiB)),
        p.atoms().stream().map(Problem.Atom::range).toList());
    assertEquals(List.of(false, false, true), p.atoms().stream().map(Problem.Atom::mustDrop).toList());
    LayoutScore expected = new LayoutScore(512 * MiB, 0, 4_206_592L, 1, 2);
    assertEquals(expected, new ExhaustiveSearch(map, limits, max).best().orElseThrow().score());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, max, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + " " + r.messages());
      assertEquals(expected, LayoutScore.of(map, limits, max, r.layout().orElseThrow()), e.name());
    }
  }
}
