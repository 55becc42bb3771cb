package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FewTdmrsBound} on maps whose values are derived by hand, one of them refereed by {@link
 * ExhaustiveSearch}. In pages of 4 KiB, a TDMR of N GiB needs 1024·N pages of 4K level, 2·N of 2M
 * level and ceil(N / 256) of 1G level (16-byte entries).
 */
class FewTdmrsBoundTest {
  private static final long PAGE = 4096;
  private static final long MiB = 1 << 20;
  private static final long G = 1L << 30;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  /**
   * A = [1G - 500 pages, 1G + 1000 pages) (a stretch across a 1 GiB boundary) and B = [2G, 3G +
   * 1000 pages): granules 0 (500 pages), 1 (1 000), 2 (full) and 3 (1 000).
   */
  private static final MemoryMap TWO_STRETCHES = MemoryMap.ofBlocks("two stretches",
      List.of(new MemoryBlock(G - 500 * PAGE, G + 1000 * PAGE, 0), new MemoryBlock(2 * G, 3 * G + 1000 * PAGE, 0)));

  /**
   * With two TDMRs, [0, 1G) and [2G, 3G), the levels have 2 · (1024 + 2 + 1) = 2 054 pages, and
   * each TDMR's 4K level (1 024 pages) covers the 1 000 pages left out above it, reaching into the
   * TDMR's reserved area: 2 054 pages. No layout has less: two TDMRs have at least that many, and
   * the best single TDMR has 2 500 (below). At 2 054 pages one TDMR is too few, though its levels
   * and the memory it leaves out fit the count: the only part within 2 054 pages of levels (2 GiB at
   * most: 3 GiB cost 3 079) that covers granule 2 (outside it, its 262 144 pages could not be PAMT)
   * and leaves out at most 2 054 pages is [1G, 3G) (levels 2 048, 4 and 1: one page to spare),
   * [2G, 4G) (the same levels) or [2G, 3G) (1 024, 2 and 1: 1 027 to spare). [1G, 3G) leaves 500
   * pages of A and 1 000 of B out: its 4K level fits A's 1 500 pages in no way, and the other
   * levels with the spare page make 6. [2G, 4G) leaves all of A out, which its levels must fill
   * exactly, 1 500 pages, from 4 + 1 + 1. [2G, 3G) leaves out A (exactly 1 500) and 1 000 pages of
   * B: with B's part filled exactly, the levels lack 1 500 + 1 000 - 1 027 = 1 473 pages, more than
   * the 1 027 to spare (the 4K level above B and A left to the others lacks 1 497). The referee
   * agrees: within one TDMR its best layout has 1 027 + 1 473 = 2 500 pages ([2G, 3G), e.g. its 4K
   * and 1G levels filling A padded by 475, its 2M level padded to B's 1 000 pages above it; [1G, 3G)
   * needs 495 pages of padding in A), within two it has 2 054 with two TDMRs.
   */
  @Test
  void oneTdmrCannotFillTwoStretchesItLeavesOut() {
    Instance instance = Instance.of(TWO_STRETCHES, TdxLimits.DEFAULT, MODULE);
    FewTdmrsBound bound = new FewTdmrsBound(instance);
    assertEquals(OptionalLong.of(2), bound.leastTdmrs(2_054, 1));
    // With the 1 473 pages of padding of the best single TDMR, one is possible again.
    assertEquals(OptionalLong.of(2), bound.leastTdmrs(2_499, 1));
    assertEquals(OptionalLong.of(1), bound.leastTdmrs(2_500, 1));

    LayoutScore one = new ExhaustiveSearch(TWO_STRETCHES, TdxLimits.DEFAULT.withMaxTdmrs(1), MODULE).best()
        .orElseThrow().score();
    assertEquals(2_500 * PAGE, one.pamtBytes());
    LayoutScore two = new ExhaustiveSearch(TWO_STRETCHES, TdxLimits.DEFAULT.withMaxTdmrs(2), MODULE).best()
        .orElseThrow().score();
    assertEquals(2_054 * PAGE, two.pamtBytes());
    assertEquals(2, two.tdmrs());
    assertTrue(bound.leastTdmrs(two.pamtBytes() / PAGE, 1).getAsLong() <= two.tdmrs());
  }

  /**
   * Node 0 of a host of 512 GiB per node (the sweep's realistic-2s2n-512GiB-1i map): low memory [1
   * MiB, 0x76bb8000) and [4G, 514G). At its least PAMT, 523 263 pages, two TDMRs are too few (the
   * class comment derives why), and three do it: [0, 1G), [4G, 259G), [259G, 513G).
   */
  @Test
  void nodeZeroOfAMultiSocketHostNeedsThreeTdmrsAtItsLeastPamt() {
    MemoryMap node0 = MemoryMap.ofBlocks("node 0", List.of(new MemoryBlock(MiB, 0x76bb8000L, 0),
        new MemoryBlock(4 * G, 514 * G, 0)));
    FewTdmrsBound bound = new FewTdmrsBound(Instance.of(node0, TdxLimits.DEFAULT, MODULE));
    assertEquals(OptionalLong.of(3), bound.leastTdmrs(523_263, 1));
    // A count the caller has ruled out is not tried again; past the largest count tried, nothing.
    assertEquals(OptionalLong.of(3), bound.leastTdmrs(523_263, 3));
    assertEquals(OptionalLong.empty(), bound.leastTdmrs(523_263, FewTdmrsBound.MOST_TDMRS + 1));
  }
}
