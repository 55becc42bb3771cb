package tdmr.solver;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import tdmr.tdx.Policy;

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
 * @param provers what proves this point: the engines whose answers do (e.g. {@code cpsat}), and
 *     {@code bounds} when {@link ReservedAreaBounds} proves its least limit or its price
 * @param solves how many engine calls this point took (0 when derived from another point)
 * @param remotePamtBytes remote PAMT of that layout
 * @param restrictions the model restrictions the proofs of this point hold under (empty: the whole
 *     family; see {@link EngineResult#restrictions})
 * @param fewerRuledOutBy the reasoning of {@link ReservedAreaBounds} that rules out one area less
 *     than {@code reservedAtLeast} with {@code maxTdmrs} TDMRs, when the bound reaches it; else empty
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
    List<String> provers,
    int solves,
    OptionalLong remotePamtBytes,
    List<String> restrictions,
    Optional<AreaShortfall> fewerRuledOutBy) {

  public FrontierPoint {
    provers = List.copyOf(provers);
    restrictions = List.copyOf(restrictions);
  }

  /** A point without the bound's reasoning ({@link #withFewerRuledOutBy} adds it). */
  public FrontierPoint(int maxTdmrs, Status status, OptionalInt minReserved, OptionalInt reservedAtMost,
      int reservedAtLeast, OptionalLong pamtBytes, OptionalLong pamtBoundBytes, OptionalInt tdmrsUsed,
      List<String> provers, int solves, OptionalLong remotePamtBytes, List<String> restrictions) {
    this(maxTdmrs, status, minReserved, reservedAtMost, reservedAtLeast, pamtBytes, pamtBoundBytes, tdmrsUsed, provers,
        solves, remotePamtBytes, restrictions, Optional.empty());
  }

  /** This point with the bound's reasoning for one area less than {@link #reservedAtLeast}. */
  public FrontierPoint withFewerRuledOutBy(Optional<AreaShortfall> why) {
    return new FrontierPoint(maxTdmrs, status, minReserved, reservedAtMost, reservedAtLeast, pamtBytes,
        pamtBoundBytes, tdmrsUsed, provers, solves, remotePamtBytes, restrictions, why);
  }

  /** The provers as printed: {@code cpsat+bounds}, or {@code none}. */
  public String provedBy() {
    return provers.isEmpty() ? "none" : String.join("+", provers);
  }

  /** Whether the PAMT is proven the least at the point's limit (the price of the limit). */
  public boolean pamtProvenLeast() {
    return pamtBytes.isPresent() && pamtBoundBytes.equals(pamtBytes);
  }

  /** The same answer stated for another TDMR limit (which it also holds for). */
  public FrontierPoint at(int otherMaxTdmrs, int otherSolves) {
    return new FrontierPoint(otherMaxTdmrs, status, minReserved, reservedAtMost, reservedAtLeast, pamtBytes,
        pamtBoundBytes, tdmrsUsed, provers, otherSolves, remotePamtBytes, restrictions);
  }

  /**
   * This point's layout seen from a larger TDMR limit, where it also fits: an upper bound there,
   * and nothing proven (its proofs were about this limit), so no restriction named (a validated
   * layout rests on none).
   */
  public FrontierPoint layoutOnlyAt(int largerMaxTdmrs) {
    if (largerMaxTdmrs < maxTdmrs) {
      throw new IllegalArgumentException("a layout within %d TDMRs need not fit %d".formatted(maxTdmrs, largerMaxTdmrs));
    }
    return new FrontierPoint(largerMaxTdmrs, Status.UNKNOWN, OptionalInt.empty(), reservedAtMost, 0, pamtBytes,
        OptionalLong.empty(), tdmrsUsed, provers.stream().filter(p -> !p.equals(Frontier.BOUNDS)).toList(), 0,
        remotePamtBytes, List.of());
  }

  /**
   * What this answer and {@code other}, about the same TDMR limit, prove together: the proven least
   * limit of either, the larger lower bound and the smaller upper bound on the limit, the layout with
   * the fewest areas (then the better in {@code policy}'s order: less remote PAMT where it ranks
   * remote PAMT, then less PAMT), and the larger PAMT bound of the two at its limit (a bound at a
   * larger limit need not hold: with fewer areas the tiers before PAMT, remote PAMT or coverage, may
   * get worse and allow less PAMT).
   */
  public FrontierPoint merge(FrontierPoint other, Policy policy) {
    if (other.maxTdmrs != maxTdmrs) {
      throw new IllegalArgumentException("points of max TDMRs %d and %d".formatted(maxTdmrs, other.maxTdmrs));
    }
    if (status == Status.OPTIMAL || status == Status.INFEASIBLE) {
      return this;
    }
    if (other.status == Status.OPTIMAL || other.status == Status.INFEASIBLE) {
      return other;
    }
    FrontierPoint layout = other.reservedAtMost.isEmpty() ? this
        : reservedAtMost.isEmpty() ? other
        : other.reservedAtMost.getAsInt() < reservedAtMost.getAsInt()
            || other.reservedAtMost.getAsInt() == reservedAtMost.getAsInt() && other.ranksBefore(this, policy)
            ? other : this;
    OptionalLong bound = OptionalLong.empty();
    FrontierPoint boundFrom = null;
    for (FrontierPoint p : List.of(this, other)) {
      if (p.pamtBoundBytes.isPresent() && p.reservedAtMost.isPresent() && layout.reservedAtMost.isPresent()
          && p.reservedAtMost.getAsInt() == layout.reservedAtMost.getAsInt()
          && (bound.isEmpty() || p.pamtBoundBytes.getAsLong() > bound.getAsLong()
              || p.pamtBoundBytes.getAsLong() == bound.getAsLong()
                  && p.restrictions.size() < boundFrom.restrictions.size())) {
        bound = p.pamtBoundBytes;
        boundFrom = p;
      }
    }
    // Neither point proved its price, so a bound the layout meets proves it only when the tiers before
    // PAMT cannot be better for another layout: nothing to cover under coverage max is not known here,
    // remote PAMT is known and 0. Otherwise no bound is stated rather than one that reads as proven.
    boolean tiersLeast = policy.coverage() == Policy.Coverage.ALL
        && (!LayoutScore.ranksRemotePamt(policy) || layout.remotePamtBytes.orElse(1) == 0);
    if (!tiersLeast && bound.equals(layout.pamtBytes)) {
      bound = OptionalLong.empty();
      boundFrom = null;
    }
    FrontierPoint leastFrom = minReserved.isPresent() ? this : other;
    OptionalInt least = leastFrom.minReserved;
    Status merged = least.isEmpty() ? Status.UNKNOWN
        : bound.isPresent() && bound.equals(layout.pamtBytes) ? Status.OPTIMAL : Status.FEASIBLE;
    Set<String> by = new LinkedHashSet<>(provers);
    by.addAll(other.provers);
    int atLeast = Math.max(reservedAtLeast, other.reservedAtLeast);
    // Name the restrictions of the proofs the merged point states, and only those: of the proven least
    // limit, of the lower limit (of two equal ones, the one resting on fewer) and of the PAMT bound. A
    // point's restrictions cover all its proofs, so each stated claim holds under the union named.
    Set<String> why = new LinkedHashSet<>();
    if (least.isPresent()) {
      why.addAll(leastFrom.restrictions);
    }
    if (atLeast > 0 && (least.isEmpty() || leastFrom.reservedAtLeast < atLeast)) {
      why.addAll(lowerLimitFrom(other, atLeast).restrictions);
    }
    if (boundFrom != null) {
      why.addAll(boundFrom.restrictions);
    }
    return new FrontierPoint(maxTdmrs, merged, least, layout.reservedAtMost, atLeast, layout.pamtBytes, bound,
        layout.tdmrsUsed, List.copyOf(by), solves + other.solves, layout.remotePamtBytes, List.copyOf(why));
  }

  /** Of this point and {@code other}, the one whose lower limit is {@code atLeast}; of two, the one resting on fewer restrictions. */
  private FrontierPoint lowerLimitFrom(FrontierPoint other, int atLeast) {
    if (reservedAtLeast != atLeast) {
      return other;
    }
    return other.reservedAtLeast == atLeast && other.restrictions.size() < restrictions.size() ? other : this;
  }

  /** Whether this point's layout is better than {@code other}'s in the tiers {@code policy} ranks from remote PAMT to PAMT. */
  private boolean ranksBefore(FrontierPoint other, Policy policy) {
    if (LayoutScore.ranksRemotePamt(policy) && remotePamtBytes.isPresent() && other.remotePamtBytes.isPresent()
        && remotePamtBytes.getAsLong() != other.remotePamtBytes.getAsLong()) {
      return remotePamtBytes.getAsLong() < other.remotePamtBytes.getAsLong();
    }
    return pamtBytes.getAsLong() < other.pamtBytes.getAsLong();
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
        && provers.equals(other.provers);
  }
}
