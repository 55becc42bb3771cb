package tdmr.solver.fix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The least memory to give up for the kernel's own construction, against answers derived by hand. */
class GiveUpSearchTest {
  private static final long K = 1L << 10;
  private static final long M = 1L << 20;
  private static final long G = 1L << 30;

  private static GiveUpSearch.Result mainline(MemoryMap map, TdxLimits limits) {
    return GiveUpSearch.run(map, Construction.linux(Policy.Holes.MEMLIST, limits), limits, 60);
  }

  /**
   * canonical/tdx#135 (see MemoryWhatIfTest): TDMR [0, 2G) needs 17 holes and 1 PAMT piece. A
   * given-up block merges at most two holes into one, and the PAMT must stay in this TDMR (it holds
   * all the memory), so two blocks must go; the two smallest are the 4 KiB islands 0x64158000 and
   * 0x6f7ff000. Splitting the TDMR instead costs the part of the first block above 1 GiB (465 MiB).
   */
  @Test
  void canonicalTdx135NeedsTheTwoFourKibIslands() throws Exception {
    GiveUpSearch.Result r = mainline(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT);
    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(List.of(new AddressRange(0x64158000L, 0x64159000L), new AddressRange(0x6f7ff000L, 0x6f800000L)),
        r.giveUp());
    assertEquals(8 * K, r.giveUpBytes());
    assertEquals(8 * K, r.boundBytes());
  }

  /**
   * With 15 areas the TDMR may keep 14 holes: three blocks go, the cheapest three being the two
   * 4 KiB islands and the 8 KiB island [0x619e0000, 0x619e2000): 16 KiB. With 14 areas a fourth,
   * the 64 KiB island [0x5e5c3000, 0x5e5d3000): 80 KiB.
   */
  @Test
  void fewerAreasCostTheNextSmallestIslands() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    GiveUpSearch.Result fifteen = mainline(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(15));
    assertEquals(Status.OPTIMAL, fifteen.status());
    assertEquals(16 * K, fifteen.giveUpBytes());
    assertTrue(fifteen.giveUp().contains(new AddressRange(0x619e0000L, 0x619e2000L)), fifteen.giveUp()::toString);
    GiveUpSearch.Result fourteen = mainline(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(14));
    assertEquals(80 * K, fourteen.giveUpBytes());
    assertTrue(fourteen.giveUp().contains(new AddressRange(0x5e5c3000L, 0x5e5d3000L)), fourteen.giveUp()::toString);
  }

  /**
   * Block A = [1M, 1G + 4K) makes the kernel's first TDMR [0, 2G); with the islands [1G+16M, 1G+32M)
   * and [1G+64M, 1G+128M) it has 4 holes ([0, 1M), [1G+4K, 1G+16M), [1G+32M, 1G+64M), [1G+128M, 2G))
   * and its PAMT chunk at 1M: 5 areas, one over a limit of 4. Giving up A's last page ends A at 1 GiB:
   * TDMR [0, 1G) has the hole [0, 1M) and both PAMT chunks (both land low in A), 3 areas; TDMR
   * [1G, 2G) has 3 holes. One page is the least anything can cost.
   */
  @Test
  void aPageAtATdmrEdgeSplitsTheTdmr() {
    MemoryMap map = MemoryMap.ofBlocks("edge", List.of(
        new MemoryBlock(M, G + 4 * K, 0),
        new MemoryBlock(G + 16 * M, G + 32 * M, 0),
        new MemoryBlock(G + 64 * M, G + 128 * M, 0)));
    GiveUpSearch.Result r = mainline(map, TdxLimits.DEFAULT.withMaxReservedPerTdmr(4));
    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(List.of(new AddressRange(G, G + 4 * K)), r.giveUp());
    assertEquals("block-end", GreedyFix.describe(r.giveUp().get(0), map, r.forced()).kind());
  }

  /**
   * Stopped early, on aPageAtATdmrEdgeSplitsTheTdmr's map. The repair gives up the smallest block
   * inside the failing TDMR [0, 2G), the 16 MiB island [1G+16M, 1G+32M), after which that TDMR has 3
   * holes and its PAMT, 4 areas: a first answer after two replays. The search looks at the clock
   * first when a complete choice reaches the head of its queue; best-first, that is the cheapest one
   * not dropped (giving up A's last page, 4 KiB: keeping everything leaves 4 holes and a PAMT in
   * [0, 2G)), so 4 KiB is the proven bound there. Stopped then, the answer is the repair's, FEASIBLE
   * with a 4 KiB bound; stopped before the repair's first replay, it is UNKNOWN with the same bound.
   */
  @Test
  void aTimeLimitLeavesTheBestFoundAndAProvenBound() {
    MemoryMap map = MemoryMap.ofBlocks("edge", List.of(
        new MemoryBlock(M, G + 4 * K, 0),
        new MemoryBlock(G + 16 * M, G + 32 * M, 0),
        new MemoryBlock(G + 64 * M, G + 128 * M, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxReservedPerTdmr(4);
    Construction mainline = Construction.linux(Policy.Holes.MEMLIST, limits);

    int[] asked = {0};
    GiveUpSearch.Result afterRepair = GiveUpSearch.run(map, mainline, limits, () -> ++asked[0] > 2);
    assertEquals(Status.FEASIBLE, afterRepair.status());
    assertEquals(List.of(new AddressRange(G + 16 * M, G + 32 * M)), afterRepair.giveUp());
    assertEquals(16 * M, afterRepair.giveUpBytes());
    assertEquals(4 * K, afterRepair.boundBytes());
    assertEquals(Optional.of("the time limit"), afterRepair.stoppedBy());

    GiveUpSearch.Result atOnce = GiveUpSearch.run(map, mainline, limits, () -> true);
    assertEquals(Status.UNKNOWN, atOnce.status());
    assertTrue(atOnce.giveUp().isEmpty());
    assertEquals(4 * K, atOnce.boundBytes());
  }

  /**
   * Blocks [1M, 512M), [2G, 2G+64M) and [4G, 5G) open three TDMRs; with two allowed the kernel runs
   * out ("TDMRs exhausted"). Giving up the 64 MiB block leaves TDMRs [0, 1G) and [4G, 5G); every
   * other choice gives up more (the first block is 511 MiB, the last 1 GiB; none crosses a 1 GiB
   * boundary, so there are no edge pieces).
   */
  @Test
  void runningOutOfTdmrsCostsTheSmallestBlockThatOpensOne() {
    MemoryMap map = MemoryMap.ofBlocks("tdmrs", List.of(
        new MemoryBlock(M, 512 * M, 0), new MemoryBlock(2 * G, 2 * G + 64 * M, 0), new MemoryBlock(4 * G, 5 * G, 0)));
    GiveUpSearch.Result r = mainline(map, TdxLimits.DEFAULT.withMaxTdmrs(2));
    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(List.of(new AddressRange(2 * G, 2 * G + 64 * M)), r.giveUp());
  }

  /**
   * No reserved area at all: TDMR [0, 1G) always has the hole [0, 1M) below the first block (no
   * block starts below 1 MiB), so no choice succeeds.
   */
  @Test
  void noAreasAtAllCannotBeFixed() throws Exception {
    GiveUpSearch.Result r = mainline(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT.withMaxReservedPerTdmr(0));
    assertEquals(Status.INFEASIBLE, r.status());
    assertTrue(r.giveUp().isEmpty());
  }

  /**
   * Memory outside the CMRs goes first: here [3G, 3G+4M) lies past the only CMR [1M, 3G), and the
   * module would reject it as usable TDMR memory outside the CMRs; nothing else is needed.
   */
  @Test
  void memoryOutsideTheCmrsIsGivenUpFirst() {
    MemoryMap map = MemoryMap.of("cmr", List.of(new MemoryBlock(M, 3 * G + 4 * M, 0)), List.of(new AddressRange(M, 3 * G)));
    GreedyFix fix = GreedyFix.find(map, Engines.byName("greedy").orElseThrow(), TdxLimits.DEFAULT, SolveOptions.DEFAULT);
    GiveUpSearch.Result r = fix.search().orElseThrow();
    assertEquals(Status.OPTIMAL, r.status());
    assertEquals(List.of(new AddressRange(3 * G, 3 * G + 4 * M)), r.giveUp());
    assertEquals(List.of("memmap=4M$0xc0000000"), fix.memmap());
    assertEquals("not-convertible", GreedyFix.describe(r.giveUp().get(0), map, r.forced()).kind());
    assertTrue(fix.after().orElseThrow().status().hasLayout());
  }

  /** The CMR-holes kernel already succeeds on canonical/tdx#135: nothing to give up. */
  @Test
  void theCmrHolesKernelNeedsNothingOnCanonicalTdx135() throws Exception {
    GreedyFix fix = GreedyFix.find(RealMaps.read(RealMaps.EMR_135), Engines.byName("greedy-cmr").orElseThrow(),
        TdxLimits.DEFAULT, SolveOptions.DEFAULT);
    assertTrue(fix.search().isEmpty());
    assertTrue(fix.before().status().hasLayout());
  }

  /** The answer replayed through memmap= as the kernel applies it succeeds with the kernel's messages. */
  @Test
  void theFixIsReplayedThroughTheKernelsParameters() throws Exception {
    GreedyFix fix = GreedyFix.find(RealMaps.read(RealMaps.EMR_135), Engines.byName("greedy").orElseThrow(),
        TdxLimits.DEFAULT, SolveOptions.DEFAULT);
    assertEquals(List.of("memmap=4K$0x64158000", "memmap=4K$0x6f7ff000"), fix.memmap());
    List<String> messages = fix.after().orElseThrow().messages();
    assertEquals("virt/tdx: 8212 KB allocated for PAMT", messages.get(0));
    assertEquals("virt/tdx: module initialized", messages.get(1));
    assertEquals(14, fix.fixedMap().orElseThrow().blocks().size());
  }
}
