package tdmr.solver;

import java.util.Comparator;
import tdmr.check.OsCoverageCheck;
import tdmr.check.RemotePamt;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The objective of both layout families, one number per tier, compared lexicographically: (coverage
 * {@code max}) the fewest uncovered bytes, then (PAMT {@code node-local}, module family) the fewest
 * remote PAMT bytes, then the fewest PAMT bytes, TDMRs and reserved areas. In the kernel family
 * {@code node-local} is the kernel's placement rule instead (each chunk on the node {@code
 * tdmr_get_nid} picks, a restriction its engines name), and remote PAMT is reported, not ranked. Every engine's optimum is an optimum
 * of this order, and every layout's score is computed here, from the layout alone, so engines can
 * only disagree on a score if they disagree on a layout.
 *
 * @param uncoveredBytes TDX memory in no TDMR's usable part and in no PAMT ({@link
 *     OsCoverageCheck.Verdict#uncoveredBytes}, which includes memory above the HKID limit and outside
 *     CMRs); 0 for every layout valid under coverage {@code all}
 * @param remotePamtBytes {@link RemotePamt}; computed and reported under both PAMT policies, ranked
 *     only under {@code node-local} in the module family ({@link #ranksRemotePamt})
 * @param pamtBytes total size of all PAMT levels, padding included
 * @param tdmrs number of TDMRs
 * @param reservedAreas reserved areas summed over the TDMRs
 */
public record LayoutScore(long uncoveredBytes, long remotePamtBytes, long pamtBytes, int tdmrs, int reservedAreas) {

  /** The score of {@code layout} on {@code map}. */
  public static LayoutScore of(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    long uncovered = new OsCoverageCheck(map, policy.holes()).check(layout).uncoveredBytes();
    return new LayoutScore(uncovered, new RemotePamt(map, limits).bytes(layout), layout.pamtBytes(), layout.size(),
        layout.reservedAreaCount());
  }

  /**
   * The layout in the words every engine's answer uses: {@code 2 TDMRs, PAMT 8413184 bytes (8.02 MiB),
   * 17 reserved areas, remote PAMT 0 bytes}. Memory left uncovered is stated apart, by the answer.
   */
  public String describe() {
    return "%s, PAMT %s, %s, remote PAMT %s".formatted(Count.of(tdmrs, "TDMR"), ByteSize.exact(pamtBytes),
        Count.of(reservedAreas, "reserved area"), ByteSize.exact(remotePamtBytes));
  }

  /** The lexicographic order of {@code policy}: lower is better. */
  public static Comparator<LayoutScore> order(Policy policy) {
    Comparator<LayoutScore> c = Comparator.comparingLong(LayoutScore::uncoveredBytes);
    if (ranksRemotePamt(policy)) {
      c = c.thenComparingLong(LayoutScore::remotePamtBytes);
    }
    return c.thenComparingLong(LayoutScore::pamtBytes)
        .thenComparingInt(LayoutScore::tdmrs)
        .thenComparingInt(LayoutScore::reservedAreas);
  }

  /** Whether {@code policy}'s objective ranks remote PAMT bytes: node-local in the module family. */
  public static boolean ranksRemotePamt(Policy policy) {
    return policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && policy.family() == Policy.Family.MODULE;
  }

  /** Whether this score is strictly better than {@code other} under {@code policy}. */
  public boolean betterThan(LayoutScore other, Policy policy) {
    return order(policy).compare(this, other) < 0;
  }

  /** Whether the two scores tie in every tier {@code policy} ranks. */
  public boolean sameRank(LayoutScore other, Policy policy) {
    return order(policy).compare(this, other) == 0;
  }
}
