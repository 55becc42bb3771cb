package tdmr.solver;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One point of the limit frontier: with at most {@code maxTdmrs} TDMRs, the least
 * max-reserved-areas-per-TDMR that admits a layout, and the least PAMT at that limit.
 *
 * @param maxTdmrs the TDMR limit of this point
 * @param status {@link Status#OPTIMAL} when both numbers are proven; {@link Status#INFEASIBLE} when
 *     no reserved-area limit admits a layout with this many TDMRs; {@link Status#UNKNOWN} when a
 *     time limit stopped a proof (the numbers are then absent)
 * @param minReserved the least reserved-area limit with a layout (present when {@code OPTIMAL})
 * @param pamtBytes the least PAMT bytes at that limit (present when {@code OPTIMAL})
 * @param tdmrsUsed TDMRs in the optimal layout at that point (present with a layout)
 * @param provedBy the engine whose answers prove this point, e.g. {@code z3}
 * @param solves how many engine calls this point took (0 when derived from another point)
 * @param remotePamtBytes remote PAMT of the layout at that point (present with a layout)
 * @param restrictions the model restrictions the proofs of this point hold under (empty: the whole
 *     family; see {@link EngineResult#restrictions})
 */
public record FrontierPoint(
    int maxTdmrs,
    Status status,
    OptionalInt minReserved,
    OptionalLong pamtBytes,
    OptionalInt tdmrsUsed,
    String provedBy,
    int solves,
    OptionalLong remotePamtBytes,
    java.util.List<String> restrictions) {

  public FrontierPoint {
    restrictions = java.util.List.copyOf(restrictions);
  }

  /** The same answer stated for another TDMR limit (which it also holds for). */
  public FrontierPoint at(int otherMaxTdmrs, int otherSolves) {
    return new FrontierPoint(otherMaxTdmrs, status, minReserved, pamtBytes, tdmrsUsed, provedBy, otherSolves,
        remotePamtBytes, restrictions);
  }

  /** True when this point states the same answer as {@code other} (ignoring the TDMR limits). */
  public boolean sameAnswer(FrontierPoint other) {
    return status == other.status
        && minReserved.equals(other.minReserved)
        && pamtBytes.equals(other.pamtBytes)
        && remotePamtBytes.equals(other.remotePamtBytes)
        && restrictions.equals(other.restrictions)
        && provedBy.equals(other.provedBy);
  }
}
