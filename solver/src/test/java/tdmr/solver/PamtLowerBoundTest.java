package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

class PamtLowerBoundTest {
  private static final long MiB = ByteSize.MiB;
  private static final long GiB = ByteSize.GiB;

  @Test
  void tdx135NeedsTwoOneGibTdmrsBecauseNoIslandCanBeFilled() {
    // None of the islands of [1G,2G) has the pages of a sum of chunks (1026 G + k pages for k
    // chunks of G GiB), so its 15 gaps and the tail are 16 clusters, and with the hole [0,1M) a
    // 2 GiB TDMR would need 17 areas. Two 1 GiB TDMRs: 2 x (1024 + 2 + 1) pages.
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT, Policy.KERNEL);
    PamtLowerBound bound = new PamtLowerBound(p);
    assertEquals(2054, bound.leastPamtPages().getAsLong());
    assertEquals(2, bound.fewestTdmrs(2054).getAsInt());
    assertEquals(1, bound.lastEnd(0), "a TDMR from [0,1G) cannot reach into [1G,2G)");
    assertArrayEquals(new int[] {1}, bound.endsWithin(0, 2054, 64));
    assertArrayEquals(new int[] {2}, bound.endsWithin(1, 2054, 64));
    assertTrue(bound.infeasibility().isEmpty());
  }

  @Test
  void aHugeTdmrLimitDoesNotGrowTheTables() {
    // No split has more TDMRs than the 2 cells holding memory, whatever the limit says.
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxTdmrs(1_000_000), Policy.KERNEL);
    PamtLowerBound bound = new PamtLowerBound(p);
    assertEquals(2054, bound.leastPamtPages().getAsLong());
    assertArrayEquals(new int[] {1}, bound.endsWithin(0, 2054, 1_000_000));
  }

  @Test
  void tdx135WithFifteenAreasNamesTheGranuleNoTdmrCanCover() {
    Problem p = Problem.of(Tdx135MapFixture.map(), TdxLimits.DEFAULT.withMaxReservedPerTdmr(15), Policy.KERNEL);
    PamtLowerBound bound = new PamtLowerBound(p);
    assertTrue(bound.leastPamtPages().isEmpty());
    String why = bound.infeasibility().orElseThrow();
    assertTrue(why.startsWith("no TDMR starting at [0x40000000, 0x80000000) can keep its required holes within 15"),
        why);
  }

  @Test
  void holesThatNeedMoreTdmrsThanAllowedAreCounted() {
    // Three GiB, each [k G, k G + 64M) memory, 64M hole, 64M memory (16384 pages: no sum of
    // chunks, 1026 G + k with k <= G, has that many), 64M hole, rest memory: two clusters per GiB.
    // With 2 areas per TDMR every GiB needs its own TDMR: 3, where the module allows 2.
    List<MemoryBlock> blocks = new ArrayList<>();
    for (long k = 1; k <= 3; k++) {
      blocks.add(new MemoryBlock(k * GiB, k * GiB + 64 * MiB, 0));
      blocks.add(new MemoryBlock(k * GiB + 128 * MiB, k * GiB + 192 * MiB, 0));
      blocks.add(new MemoryBlock(k * GiB + 256 * MiB, (k + 1) * GiB, 0));
    }
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(2);
    Problem p = Problem.of(MemoryMap.ofBlocks("holes", blocks), limits, Policy.KERNEL);
    PamtLowerBound bound = new PamtLowerBound(p);
    assertTrue(bound.leastPamtPages().isEmpty());
    assertEquals("the required holes need at least 3 TDMRs of at most 2 reserved areas each (holes separated by"
        + " memory that PAMT chunks cannot fill exactly never share an area), and the module allows 2",
        bound.infeasibility().orElseThrow());
    // With 3 TDMRs allowed: three 1 GiB TDMRs, 3 x 1027 pages.
    PamtLowerBound three = new PamtLowerBound(Problem.of(MemoryMap.ofBlocks("holes", blocks),
        limits.withMaxTdmrs(3), Policy.KERNEL));
    assertEquals(3 * 1027, three.leastPamtPages().getAsLong());
  }
}
