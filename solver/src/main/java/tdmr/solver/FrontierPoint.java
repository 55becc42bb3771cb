package tdmr.solver;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One point of the limit frontier: with at most {@code maxTdmrs} TDMRs, the least
 * max-reserved-areas-per-TDMR that admits a layout, and the least PAMT at that limit (the price of
 * the limit), each proven or bounded.
 *
 * @param maxTdmrs the TDMR limit of this point
 * @param status {@link Status#OPTIMAL} when the least reserved-area limit and its least PAMT are
 *     both proven; {@link Status#FEASIBLE} when the limit is proven and the PAMT is the best found
 *     (with {@code pamtBoundBytes}); {@link Status#INFEASIBLE} when no reserved-area limit admits a
 *     layout with this many TDMRs; {@link Status#UNKNOWN} when a time limit left the least limit
 *     unproven (then {@code reservedAtMost} and the PAMT, when present, are of the best layout known)
 * @param minReserved the least reserved-area limit with a layout, when proven
 * @param reservedAtMost the least reserved-area limit a known layout within {@code maxTdmrs} TDMRs
 *     meets (equal to {@code minReserved} when that is proven); empty without a layout
 * @param reservedAtLeast a proven lower bound: no layout with at most {@code maxTdmrs} TDMRs has
 *     fewer areas per TDMR (equal to {@code minReserved} when that is proven)
 * @param pamtBytes the PAMT of the best layout at {@code reservedAtMost} (the least, when {@code
 *     pamtProvenLeast})
 * @param pamtBoundBytes a proven lower bound on the PAMT of every layout within {@code maxTdmrs}
 *     TDMRs and {@code reservedAtMost} areas per TDMR (equal to {@code pamtBytes} when proven
 *     least); empty when none is known
 * @param tdmrsUsed TDMRs in that layout
 * @param provedBy the engines whose answers prove this point, e.g. {@code cpsat}; {@code none} when
 *     none answered
 * @param solves how many engine calls this point took (0 when derived from another point)
 * @param remotePamtBytes remote PAMT of that layout
 * @param restrictions the model restrictions the proofs of this point hold under (empty: the whole
 *     family; see {@link EngineResult#restrictions})
 */
public record FrontierPoint(
    int maxTdmrs,
    Status status,
    OptionalInt minReserved,
    OptionalInt reservedAtMost,
    int reservedAtLeast,
    OptionalLong pamtBytes,
    OptionalLong pamtBoundBytes,
    OptionalInt tdmrsUsed,
    String provedBy,
    int solves,
    OptionalLong remotePamtBytes,
    List<String> restrictions) {

  public FrontierPoint {
    restrictions = List.copyOf(restrictions);
  }

  /** Whether the PAMT is proven the least at the point's limit (the price of the limit). */
  public boolean pamtProvenLeast() {
    return pamtBytes.isPresent() && pamtBoundBytes.equals(pamtBytes);
  }

  /** The same answer stated for another TDMR limit (which it also holds for). */
  public FrontierPoint at(int otherMaxTdmrs, int otherSolves) {
    return new FrontierPoint(otherMaxTdmrs, status, minReserved, reservedAtMost, reservedAtLeast, pamtBytes,
        pamtBoundBytes, tdmrsUsed, provedBy, otherSolves, remotePamtBytes, restrictions);
  }

  /** True when this point states the same answer as {@code other} (ignoring the TDMR limits). */
  public boolean sameAnswer(FrontierPoint other) {
    return status == other.status
        && minReserved.equals(other.minReserved)
        && reservedAtMost.equals(other.reservedAtMost)
        && reservedAtLeast == other.reservedAtLeast
        && pamtBytes.equals(other.pamtBytes)
        && pamtBoundBytes.equals(other.pamtBoundBytes)
        && remotePamtBytes.equals(other.remotePamtBytes)
        && restrictions.equals(other.restrictions)
        && provedBy.equals(other.provedBy);
  }
}
