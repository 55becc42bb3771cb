package tdmr.solver.z3;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Kind;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.tdx.Policy;

/**
 * What Z3's module-family encoding ({@link ModuleEncoding}) leaves out of the family, and when that
 * could change an answer, so that a claim names exactly the restrictions that might matter on this
 * map. The encoding is written independently of CP-SAT's, but over the same {@link Instance}; its
 * restrictions are named in the words of {@link ModuleFamilyRestrictions}, under its conditions
 * where the two models share a restriction, so that two answers about the same map ask the same
 * {@link tdmr.solver.Question} and {@link tdmr.solver.CrossCheck} compares them strictly. They
 * differ in one: CP-SAT's model fills the part of a run of whole GiB outside every TDMR with padded
 * levels in roomy segments and names chains of 1 GiB only where a run lies in a tight segment;
 * Z3's fills it only from an end of the run and names them wherever the map has a run. An optimum
 * that meets a bound derived for the whole family in every tier names none ({@link
 * ModuleFamilyRestrictions#meetsFamilyBounds}), in both engines.
 *
 * <ul>
 *   <li><b>One boundary inside a run.</b> At most one TDMR boundary lies strictly inside a run of
 *       whole GiB of one memory block: so no TDMR lies wholly inside it without reaching its ends
 *       (that needs a run of at least 3 GiB; named under CP-SAT's condition, {@link
 *       ModuleFamilyRestrictions#innerTdmrCouldBeat}, unless the second solve of {@link
 *       tdmr.solver.InnerTdmrRuns} over those runs cut into granules proves the answer, as in
 *       CP-SAT), and the run's middle between two TDMRs is
 *       never left out of both (that is the case of chains of 1 GiB or more, below).
 *   <li><b>No straddling under PAMT node-local.</b> No PAMT level straddles the edge between two
 *       touching memory blocks (PAMT lies in the Instance's segments, each inside one block; which
 *       pieces of a run over the edge lie on which node would decide remote PAMT). Under PAMT
 *       {@code any}, since 2026-12-05, runs of PAMT flow over such edges ({@link
 *       ModuleEncoding.Flow}) and nothing is left out; CP-SAT's model holds them under both
 *       policies. Named under node-local where {@link
 *       ModuleFamilyRestrictions#straddlingCouldMatter} (argued there for the whole family) says:
 *       wherever blocks touch, unless a node-local optimum without remote PAMT provably cannot be
 *       beaten by a straddling level. (Until 2026-12-04 Z3 named it wherever blocks touch.)
 *   <li><b>Chains of 1 GiB or more.</b> Chains are anchored at atom ends, a chain inside a run of
 *       whole GiB never crosses a TDMR boundary inside it, and the part of a run outside every TDMR
 *       is all PAMT (whole GiB at one end of the run, filled from that end, by a run of PAMT padded,
 *       since 2026-12-05, to end exactly at the part's far end where its levels fall short;
 *       {@code LeftOutRunEndTest}) or all left out together with the whole run. Only chains of 1 GiB
 *       or more reach that far, padded ones included: so
 *       it is named wherever the map has a run of whole GiB, unless an optimum has less than 1 GiB
 *       of PAMT, nothing uncovered that could be covered and no remote PAMT ({@link
 *       ModuleFamilyRestrictions#chainOfOneGibCouldBeat}).
 * </ul>
 */
final class ModuleRestrictions {
  private final Instance instance;

  ModuleRestrictions(Instance instance) {
    this.instance = instance;
  }

  /** The restrictions that could hide a better layout than {@code found}. */
  List<String> forOptimum(LayoutScore found) {
    return restrictions(Optional.of(found));
  }

  /** The restrictions that could hide a layout, for an {@code INFEASIBLE} claim. */
  List<String> forInfeasible() {
    return restrictions(Optional.empty());
  }

  /** The restrictions as one sentence for people, if any. */
  static Optional<String> sentence(List<String> parts) {
    return ModuleFamilyRestrictions.sentence(parts);
  }

  private List<String> restrictions(Optional<LayoutScore> found) {
    if (found.isPresent() && ModuleFamilyRestrictions.meetsFamilyBounds(instance, found.get())) {
      return List.of();
    }
    List<String> out = new ArrayList<>(ModuleFamilyRestrictions.shared(instance, found));
    // Under PAMT any runs of PAMT flow over the edges where blocks touch (ModuleEncoding.Flow).
    if (instance.moduleFamily() && instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
        && ModuleFamilyRestrictions.straddlingCouldMatter(instance, found)) {
      out.add(ModuleFamilyRestrictions.STRADDLING);
    }
    // Padding makes a chain of any length, so whether the unpadded PAMT could reach 1 GiB does not
    // decide it: a padded level filling a whole GiB of a run outside every TDMR can save a TDMR or an
    // area (found by Z3ModuleFamilyProperties against ExhaustiveSearch). Only runs of whole GiB hold
    // such chains, and they cost at least 1 GiB of PAMT.
    boolean runs = instance.cells().stream().anyMatch(c -> c.kind() == Kind.PLAIN);
    if (runs && ModuleFamilyRestrictions.chainOfOneGibCouldBeat(instance, found)) {
      out.add(ModuleFamilyRestrictions.CHAINS);
    }
    return out;
  }
}
