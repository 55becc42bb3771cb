package tdmr.solver.z3;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Kind;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyRestrictions;

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
 * ModuleFamilyRestrictions#unbeatable}), in both engines.
 *
 * <ul>
 *   <li><b>One boundary inside a run.</b> At most one TDMR boundary lies strictly inside a run of
 *       whole GiB of one memory block: so no TDMR lies wholly inside it without reaching its ends
 *       (that needs a run of at least 3 GiB; named under CP-SAT's condition, {@link
 *       ModuleFamilyRestrictions#innerTdmrCouldBeat}, unless the second solve of {@link
 *       tdmr.solver.InnerTdmrRuns} over those runs cut into granules proves the answer, as in
 *       CP-SAT), and the run's middle between two TDMRs is
 *       never left out of both (that is the case of chains of 1 GiB or more, below).
 *   <li><b>Straddling levels are not restricted.</b> A PAMT level may lie over the edge between two
 *       touching memory blocks: under PAMT {@code any} runs of PAMT flow over such edges ({@link
 *       ModuleEncoding.Flow}); under {@code node-local} one level lies over the edges of a run of
 *       consecutive joints (a bridge, {@link ModuleEncoding.Bridge}, which with its javadoc argues
 *       that this loses nothing), on the nodes of every block it overlaps, describing remotely every
 *       granule of its TDMR whose memory lacks one of them ({@link tdmr.check.RemotePamt}). So no
 *       claim names {@link ModuleFamilyRestrictions#STRADDLING}. (Until 2026-12-04 Z3 named it
 *       wherever blocks touched; from then until the bridges, later on 2026-12-05, under node-local
 *       only, unless an optimum provably could not be beaten by a straddling level. CP-SAT's model
 *       holds straddling levels too, {@code Instance.Joint}.)
 *   <li><b>Chains of 1 GiB or more.</b> Chains are anchored at atom ends, a chain inside a run of
 *       whole GiB never crosses a TDMR boundary inside it, and the part of a run outside every TDMR
 *       is all PAMT (whole GiB at one end of the run, filled from that end, by a run of PAMT padded,
 *       since 2026-12-05, to end exactly at the part's far end where its levels fall short;
 *       {@code LeftOutRunEndTest}) or all left out together with the whole run. Only chains of 1 GiB
 *       or more reach that far, padded ones included: so
 *       it is named wherever the map has a run of whole GiB, unless an optimum has less than 1 GiB
 *       of PAMT, nothing uncovered that could be covered and no remote PAMT, or, within one TDMR,
 *       every layout beating it would have to match it with no PAMT inside its TDMR, and so with no
 *       chain left out ({@link ModuleFamilyRestrictions#chainOfOneGibCouldBeat}).
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
    if (found.isPresent() && ModuleFamilyRestrictions.unbeatable(instance, found.get())) {
      return List.of();
    }
    List<String> out = new ArrayList<>(ModuleFamilyRestrictions.shared(instance, found));
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
