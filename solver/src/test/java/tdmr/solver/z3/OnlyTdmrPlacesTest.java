package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.Instance;
import tdmr.solver.OnlyTdmrPlaces;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link OnlyTdmrPlaces} and {@link RemoteStep} on a two-node map whose values are derived by hand,
 * refereed by {@link ExhaustiveSearch}, and Z3's module family at one TDMR on it. In pages of 4 KiB,
 * a TDMR of N GiB needs 1024·N pages of 4K level, 2·N of 2M level and ceil(N / 256) of 1G level
 * (16-byte entries); per GiB the levels hold 4 MiB, 8 KiB and 16 bytes.
 */
class OnlyTdmrPlacesTest {
  private static final long PAGE = 4096;
  private static final long MiB = 1 << 20;
  private static final long G = 1L << 30;
  private static final TdxLimits ONE = TdxLimits.DEFAULT.withMaxTdmrs(1);
  private static final Policy NODE_LOCAL = Policy.DEFAULT;
  private static final Policy ANY = Policy.DEFAULT.withPamt(Policy.PamtPlacementPolicy.ANY);

  /**
   * Node 0: [1 MiB, 64 MiB) in granule 0 (16 128 pages); node 1: [2G, 2G + 64 MiB) in granule 2
   * (16 384 pages); granule 1 holds no memory. 32 512 pages in all, two stretches.
   */
  private static final MemoryMap TWO_NODES = MemoryMap.ofBlocks("two nodes",
      List.of(new MemoryBlock(MiB, 64 * MiB, 0), new MemoryBlock(2 * G, 2 * G + 64 * MiB, 1)));

  private static AddressRange giB(long a, long b) {
    return new AddressRange(a * G, b * G);
  }

  private static List<AddressRange> tdmrs(Optional<List<OnlyTdmrPlaces.Place>> places) {
    return places.orElseThrow().stream().map(OnlyTdmrPlaces.Place::tdmr).toList();
  }

  /**
   * A TDMR over granule 0 ([0, 1G) or [0, 2G)) leaves node 1's 16 384 pages out: they are PAMT, on
   * node 1, so some level describes granule 0 remotely, 16 bytes at the least (the 1G level). Over
   * granule 2 ([2G, 3G) or [1G, 3G)) it leaves node 0's 16 128 pages out, 16 bytes the same way.
   * [0, 3G) leaves nothing out (its levels, 3 079 pages) but each level lies on one node and
   * describes the other node's granule remotely: 4 MiB + 8 KiB + 16 = 4 202 512 bytes. [1G, 2G)
   * holds no memory: all 32 512 pages are PAMT.
   */
  @Test
  void placesFollowFromMemoryLeftOutAndRemotePamt() {
    OnlyTdmrPlaces places = new OnlyTdmrPlaces(Instance.of(TWO_NODES, ONE, NODE_LOCAL));
    // Least own bound first; among equals in the order tried (by start, then end).
    assertEquals(List.of(giB(1, 3), giB(2, 3), giB(0, 1), giB(0, 2)),
        tdmrs(places.places(32_511, OptionalLong.of(16))));
    assertEquals(List.of(16_128L, 16_128L, 16_384L, 16_384L), places.places(32_511, OptionalLong.of(16))
        .orElseThrow().stream().map(OnlyTdmrPlaces.Place::leastPamtPages).toList());
    assertEquals(List.of(), tdmrs(places.places(32_511, OptionalLong.of(15))));
    assertEquals(List.of(giB(1, 3), giB(2, 3)), tdmrs(places.places(16_383, OptionalLong.of(16))));
    assertEquals(4_202_512L, places.leastRemoteBytes(0, 3));
    // Remote PAMT not ranked (PAMT any): only [0, 3G) within its levels' 3 079 pages.
    assertEquals(List.of(giB(0, 3)), tdmrs(places.places(3_079, OptionalLong.empty())));
    assertEquals(List.of(), tdmrs(places.places(3_078, OptionalLong.empty())));
    // A TDMR without memory fits all memory as PAMT: no list, its layouts have no fixed place.
    assertEquals(Optional.empty(), places.places(32_512, OptionalLong.of(0)));
    assertTrue(places.memorylessFits(32_512));
    assertTrue(!places.memorylessFits(32_511));
    // Listed all the same: without remote PAMT only [1G, 2G), over no memory; four within 16 bytes.
    assertEquals(List.of(giB(1, 2)), tdmrs(places.placesInWindow(32_512, OptionalLong.of(0))));
    assertEquals(List.of(giB(1, 3), giB(2, 3), giB(0, 1), giB(0, 2)), places.placesWithin(16));
    assertEquals(2, places.stretches());
  }

  /**
   * Every TDMR over the map, alone: the referee's best layout with it (remote PAMT first under
   * node-local, PAMT alone under any) is within the place's bounds, so the place is listed at that
   * layout's PAMT and remote PAMT. ([1G, 2G) holds no memory and is never listed.)
   */
  @Test
  void everyTdmrsBestLayoutIsWithinItsPlacesBounds() {
    for (AddressRange tdmr : List.of(giB(0, 1), giB(0, 2), giB(0, 3), giB(1, 3), giB(2, 3))) {
      LayoutScore local = new ExhaustiveSearch(TWO_NODES, ONE, NODE_LOCAL).onlyTdmrs(s -> s.equals(List.of(tdmr)))
          .best().orElseThrow().score();
      assertTrue(tdmrs(new OnlyTdmrPlaces(Instance.of(TWO_NODES, ONE, NODE_LOCAL))
          .places(local.pamtBytes() / PAGE, OptionalLong.of(local.remotePamtBytes()))).contains(tdmr), tdmr + " " + local);
      LayoutScore any = new ExhaustiveSearch(TWO_NODES, ONE, ANY).onlyTdmrs(s -> s.equals(List.of(tdmr)))
          .best().orElseThrow().score();
      assertTrue(tdmrs(new OnlyTdmrPlaces(Instance.of(TWO_NODES, ONE, ANY))
          .places(any.pamtBytes() / PAGE, OptionalLong.empty())).contains(tdmr), tdmr + " " + any);
    }
  }

  /**
   * At one TDMR under node-local the optimum has no remote PAMT: a TDMR without memory (on the
   * empty granule 1) whose levels fill all 32 512 pages (two stretches, three levels). Every TDMR
   * holding memory costs 16 bytes at least (above). Z3 proves it, as the referee finds it; and under
   * PAMT any, the referee's optimum too.
   */
  @Test
  void z3ProvesTheOptimumAtOneTdmrOnTwoNodes() {
    for (Policy policy : List.of(NODE_LOCAL, ANY)) {
      LayoutScore expected = new ExhaustiveSearch(TWO_NODES, ONE, policy).best().orElseThrow().score();
      EngineResult r = new Z3Engine().solve(TWO_NODES, ONE, policy, new SolveOptions(60, 1, 0));
      String what = policy + " " + r.messages() + " want " + expected;
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(List.of(), LayoutVerifier.failures(TWO_NODES, ONE, policy, r.layout().orElseThrow()), what);
      LayoutScore got = LayoutScore.of(TWO_NODES, ONE, policy, r.layout().orElseThrow());
      assertTrue(expected.sameRank(got, policy), "got " + got + " " + what);
    }
    LayoutScore local = new ExhaustiveSearch(TWO_NODES, ONE, NODE_LOCAL).best().orElseThrow().score();
    assertEquals(0, local.remotePamtBytes());
    assertEquals(32_512 * PAGE, local.pamtBytes());
    // The TDMR without memory is wholly a gap the holes policy reserves: one area, none fewer.
    assertEquals(1, local.reservedAreas());
  }

  /**
   * Node 0's memory in three stretches ([1 MiB, 2 MiB), [3 MiB, 4 MiB), [5 MiB, 64 MiB)), node 1's
   * as above: four stretches, so a TDMR without memory cannot have its three levels fill them all,
   * and a TDMR must hold granule 0 or granule 2. Over granule 0 alone it leaves node 1's memory to a
   * level on node 1, 16 bytes (the 1G level) at the least, and likewise over granule 2; over both,
   * 4 202 512 (above). So at least 16 bytes, which the referee's optimum has.
   */
  @Test
  void remotePamtAtOneTdmrIsAtLeastItsLeastPlace() {
    MemoryMap fourStretches = MemoryMap.ofBlocks("four stretches", List.of(new MemoryBlock(MiB, 2 * MiB, 0),
        new MemoryBlock(3 * MiB, 4 * MiB, 0), new MemoryBlock(5 * MiB, 64 * MiB, 0),
        new MemoryBlock(2 * G, 2 * G + 64 * MiB, 1)));
    assertEquals(16, new OnlyTdmrPlaces(Instance.of(fourStretches, ONE, NODE_LOCAL)).leastRemoteBytes());
    assertEquals(16, new ExhaustiveSearch(fourStretches, ONE, NODE_LOCAL).best().orElseThrow().score()
        .remotePamtBytes());
    // With two stretches a TDMR without memory has none.
    assertEquals(0, new OnlyTdmrPlaces(Instance.of(TWO_NODES, ONE, NODE_LOCAL)).leastRemoteBytes());
  }

  /**
   * The levels hold 4 MiB, 8 KiB and 16 bytes per GiB (32 KiB for the 4K bitmap of Dynamic PAMT):
   * their greatest common divisor is 16, so remote PAMT is a multiple of 16 bytes.
   */
  @Test
  void remotePamtStepsBySixteenBytes() {
    RemoteStep step = RemoteStep.of(Instance.of(TWO_NODES, ONE, NODE_LOCAL));
    assertEquals(16, step.bytes());
    assertEquals(0, step.next(0));
    assertEquals(16, step.next(1));
    assertEquals(16, step.next(9));
    assertEquals(16, step.next(16));
    assertEquals(32, step.next(17));
    assertEquals(16, RemoteStep.of(Instance.of(TWO_NODES, ONE.withDynamicPamt(true), NODE_LOCAL)).bytes());
  }
}
