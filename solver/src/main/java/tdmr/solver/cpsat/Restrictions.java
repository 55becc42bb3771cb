package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.tdx.Policy;

/**
 * What the CP-SAT model ({@link ModuleModel}) leaves out of its family, and when that could change an
 * answer, so that a claim names exactly the restrictions that might matter on this map, in the
 * words and under the family-wide conditions of {@link ModuleFamilyRestrictions}. Each is
 * checked against the map and, for an optimum, against what was found; where it provably cannot
 * change the answer it is not named.
 *
 * <ul>
 *   <li><b>One boundary inside a run.</b> A TDMR lies wholly inside a run of whole GiB of one memory
 *       block without touching its ends only outside the model. Such a TDMR holds no hole; it could
 *       only lend its levels to fill memory elsewhere or hold PAMT in an area of its own. It needs
 *       a run of at least 3 GiB. Named unless {@link ModuleFamilyRestrictions#innerTdmrCouldBeat}
 *       shows that no layout with such a TDMR beats the optimum (it has too much PAMT), or the
 *       second solve of {@link tdmr.solver.InnerTdmrRuns}, over those runs cut into granules (no
 *       such TDMR is left out there), proves the answer.
 *   <li><b>No straddling</b> (module family). No PAMT level straddles the edge between two touching
 *       memory blocks: PAMT lies in the {@link tdmr.solver.Instance}'s segments, each inside one
 *       block. Named unless {@link ModuleFamilyRestrictions#straddlingCouldMatter} shows it cannot
 *       matter.
 *   <li><b>Chains of 1 GiB or more</b> (only in tight segments). The part of a run of whole GiB
 *       outside every TDMR (an end of the run, or its middle between two TDMRs) is PAMT, or given
 *       up under coverage {@code max}. In a <em>roomy</em> segment of {@link ModuleModel} (every
 *       atom larger than any layout's unpadded PAMT, which is then below 1 GiB) the model holds
 *       every such layout: that part is at least 1 GiB, so the PAMT filling it is one chain of
 *       pieces padded to its size exactly (padding beyond it could be shed; a piece reaching out of
 *       it can move into it, as the pieces together are shorter than it), and the chains at the
 *       run's ends lie in the TDMRs' parts (one in the filled part would be part of the fill); a
 *       chain inside a TDMR's part against a TDMR boundary slides to the run's end ({@link
 *       tdmr.solver.Instance}). In a <em>tight</em> segment (a small atom beside the run, or PAMT
 *       that could reach 1 GiB) the model fills that part only with the whole atom or from an end
 *       of the run: with a chain anchored there, unpadded (it may reach past the part into the
 *       TDMR beside it) or, since 2026-12-05, padded to end exactly at the part's far end (a granule
 *       left out at a run's end and filled by one TDMR's levels, as on the 256 GiB nodes of the
 *       sweep; {@code LeftOutRunEndTest}). A padded chain reaching past the part could shed padding
 *       until it ends there or has none, so what it still leaves out is a part between two TDMRs
 *       filled otherwise than from an end of the run (a run of 3 GiB or more), and a chain that
 *       fills the part and runs on into a partly filled atom of the block beside the run. Named
 *       where a run of whole GiB lies in a tight segment, except for an
 *       optimum with less than 1 GiB of PAMT, nothing uncovered that could be covered and no
 *       remote PAMT (any such chain is at least 1 GiB of PAMT). {@code ModuleFamilyRefereeTest}
 *       (a padded level filling the last GiB of a run outside the TDMR saves a TDMR's area) and
 *       {@code CpSatModuleFamilyProperties} check the roomy case against the exhaustive search.
 * </ul>
 */
final class Restrictions {
  private final Instance instance;

  Restrictions(Instance instance) {
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

  /** The restrictions under which a PAMT bound CP-SAT's search proved holds, as one sentence, if any. */
  static Optional<String> boundSentence(Policy policy, List<String> parts) {
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the PAMT bound holds among the layouts of %s in which %s".formatted(policy.family().claim(),
        String.join("; ", parts)));
  }

  private List<String> restrictions(Optional<LayoutScore> found) {
    if (found.isPresent() && ModuleFamilyRestrictions.meetsFamilyBounds(instance, found.get())) {
      return List.of();
    }
    List<String> out = new ArrayList<>(ModuleFamilyRestrictions.shared(instance, found));
    if (tightRun() && ModuleFamilyRestrictions.chainOfOneGibCouldBeat(instance, found)) {
      out.add(ModuleFamilyRestrictions.CHAINS);
    }
    return out;
  }

  /**
   * Whether a run of whole GiB lies in a tight segment of {@link ModuleModel} (one whose unpadded
   * PAMT could reach 1 GiB, or beside a small atom): only there are chains against a granule
   * boundary inside a block left out.
   */
  private boolean tightRun() {
    boolean[] tight = ModuleModel.tightSegments(instance);
    for (Cell c : instance.cells()) {
      if (c.kind() != Kind.PLAIN) {
        continue;
      }
      int segment = instance.atoms().get(c.firstAtom()).segment();
      if (segment >= 0 && tight[segment]) {
        return true;
      }
    }
    return false;
  }
}
