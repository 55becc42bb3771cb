package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link FillSplit}, the TDMRs {@link FilledStart} tries first where each TDMR must fill islands
 * with its own padded levels: on a hand-made map with more runs of holes than the limits reserve
 * apart, by hand, and the layout built over them checked by the validator.
 */
class FillSplitTest {
  private static final long M = 1024 * 1024;
  private static final long G = 1024 * M;
  private static final long PAGE = 4096;
  private static final Policy POLICY = Policy.DEFAULT;
  /** Where the memory begins (addresses below are relative to it). */
  private static final long B = 4 * G;
  /** 2 TDMRs of 1 reserved area each: 2 areas for 4 runs of holes. */
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(1);

  /**
   * One node, {@code [0, 4G)} above {@link #B}, with four holes of 2 MiB: h1 {@code [1G - 2M, 1G)}, h2 {@code [1G +
   * 16M, 1G + 18M)}, h3 {@code [3G - 2M, 3G)}, h4 {@code [3G + 32M, 3G + 34M)}. The islands (one
   * memory atom between two holes) are I1 {@code [1G, 1G + 16M)} (4 096 pages) and I2 {@code [3G, 3G
   * + 32M)} (8 192 pages); the memory between h2 and h3 crosses the boundary at 2 GiB, so it is two
   * atoms and no island.
   */
  private static MemoryMap fourHoles() {
    return MemoryMap.of("four holes in 4 GiB", List.of(
        new MemoryBlock(B, B + G - 2 * M, 0),
        new MemoryBlock(B + G, B + G + 16 * M, 0),
        new MemoryBlock(B + G + 18 * M, B + 3 * G - 2 * M, 0),
        new MemoryBlock(B + 3 * G, B + 3 * G + 32 * M, 0),
        new MemoryBlock(B + 3 * G + 34 * M, B + 4 * G, 0)),
        List.of(new AddressRange(B, B + 4 * G)));
  }

  /**
   * By hand: each TDMR holds at most 1 + 3 runs and fills as many islands as its runs exceed 1.
   * {@code [0, 4G)} alone holds 4 runs and 2 islands (3 fills needed); {@code [0, 1G)} + {@code [1G,
   * 4G)}: the second holds h2, h3, h4 and only I2 (2 fills needed); {@code [0, 3G)} + {@code [3G,
   * 4G)}: the first holds h1, h2, h3 and only I1. So the split is {@code [0, 2G)} (h1, h2: I1
   * filled) and {@code [2G, 4G)} (h3, h4: I2 filled).
   */
  @Test
  void eachTdmrFillsTheIslandBetweenItsTwoHoles() {
    Instance instance = Instance.of(fourHoles(), LIMITS, POLICY);
    assertEquals(List.of(new AddressRange(B, B + 2 * G), new AddressRange(B + 2 * G, B + 4 * G)),
        FillSplit.of(instance).orElseThrow());
  }

  /**
   * {@link FilledStart} builds a valid layout of 2 TDMRs. Each TDMR's 2 runs need one area between
   * them, so I1 and I2 are both wholly PAMT (the memory between h2 and h3, about 2 GiB, would cost
   * more), 4 096 + 8 192 = 12 288 pages; the levels of both TDMRs (2 048 + 4 + 1 pages each, 2 GiB)
   * fit inside them, so that is all the PAMT.
   */
  @Test
  void theBuiltLayoutFillsBothIslands() {
    MemoryMap map = fourHoles();
    Layout layout = new FilledStart(Instance.of(map, LIMITS, POLICY)).find().orElseThrow();
    assertTrue(LayoutVerifier.failures(map, LIMITS, POLICY, layout).isEmpty());
    assertEquals(2, layout.size());
    assertEquals(12288 * PAGE, layout.pamtBytes());
  }
}
