package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.ByteSize;
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
 *       shows that no layout with such a TDMR beats the optimum (it has too much PAMT: three TDMRs
 *       over the run, or, within one or two TDMRs, a granule of the run left out), or the
 *       second solve of {@link tdmr.solver.InnerTdmrRuns}, over those runs cut into granules (no
 *       such TDMR is left out there), proves the answer.
 *   <li><b>Straddling into a fill</b> (module family). Since 2026-12-05 a PAMT level may lie over
 *       the edge where two blocks touch ({@link tdmr.solver.Instance.Joint}): at most one per edge
 *       (two pieces cannot both cover the edge), part in each segment, the first piece of the chains
 *       on both sides, on both nodes for remote PAMT; and, since later that day, a level over a run
 *       of such edges between <em>roomy</em> segments of {@link ModuleModel} reaching into memory
 *       filled wholly by padded levels (a fill bridge: {@code ModuleModel.fillBridges} argues that
 *       this holds every such layout). Left out: a level reaching into such a fill over a run of
 *       edges with tight segments; some edge of its run has a tight side and a roomy side whose atom
 *       there is wholly PAMT, so such a layout has at least that atom's pages (1 GiB for a run's part
 *       outside every TDMR) of PAMT; and, on maps of more than 12 joints, a fill bridge over more
 *       than 3, which covers 3 roomy segments whole. Named only where that PAMT is no more than a
 *       layout must stay within to beat the optimum ({@link ModuleFamilyRestrictions#beatenOnlyBelow}):
 *       never on a map without an edge between a tight and a roomy segment (every real map at its
 *       default limits and at one TDMR). {@code CpSatModuleFamilyProperties} and {@code
 *       ModuleFamilyRefereeTest} check claims on maps of touching blocks against {@code
 *       ExhaustiveSearch}.
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
 *       remote PAMT (any such chain is at least 1 GiB of PAMT), and, within one TDMR, an optimum
 *       that every layout beating it would have to match with no PAMT inside its TDMR ({@link
 *       ModuleFamilyRestrictions#noPamtInsideOnlyTdmr}: such a layout has no chain left out). {@code ModuleFamilyRefereeTest}
 *       (a padded level filling the last GiB of a run outside the TDMR saves a TDMR's area) and
 *       {@code CpSatModuleFamilyProperties} check the roomy case against the exhaustive search.
 * </ul>
 *
 * <p>Kernel family ({@link KernelFamilySolver}): {@link ModuleFamilyRestrictions#kernelFamily}
 * names them (a TDMR inside a run, chains of 1 GiB where a run lies in a tight segment, and TDMRs
 * without TDX memory); no joints, no padding.
 */
final class Restrictions {
  private final Instance instance;
  /** The same map's module-family instance under PAMT {@code any} (kernel family), else {@link #instance}. */
  private final Instance module;

  Restrictions(Instance instance) {
    this(instance, instance);
  }

  /** Kernel family: {@code module} is the same map's module-family instance under PAMT {@code any}. */
  Restrictions(Instance instance, Instance module) {
    this.instance = instance;
    this.module = module;
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
    if (!instance.moduleFamily()) {
      return ModuleFamilyRestrictions.kernelFamily(instance, module, tightRun(), found);
    }
    if (found.isPresent() && ModuleFamilyRestrictions.unbeatable(instance, found.get())) {
      return List.of();
    }
    List<String> out = new ArrayList<>(ModuleFamilyRestrictions.shared(instance, found));
    if (tightRun() && ModuleFamilyRestrictions.chainOfOneGibCouldBeat(instance, found)) {
      out.add(ModuleFamilyRestrictions.CHAINS);
    }
    if (straddlingIntoFillCouldBeat(found)) {
      out.add(ModuleFamilyRestrictions.STRADDLING_INTO_FILL);
    }
    return out;
  }

  /**
   * Whether a level over a joint reaching into a roomy fill, of a kind the model leaves out, could
   * beat {@code found}. The model holds such a level where every segment it lies on is roomy (a fill
   * bridge), up to {@link ModuleModel#fillBridgeJoints} joints. Left out: a level over a run of
   * joints with both tight and roomy segments reaching into a roomy fill; some joint of its run has a
   * tight side and a roomy side whose atom at that edge is wholly PAMT (a roomy segment between its
   * joints is filled whole; else the fill is in a side, beside a tight segment or the tight side), so
   * such a layout has at least that atom's pages of PAMT (1 GiB for a run's part). And a fill bridge
   * over more joints covers that many roomy segments whole, at least that many times the smallest.
   * Named only where that least PAMT is within what a layout beating {@code found} may have.
   */
  private boolean straddlingIntoFillCouldBeat(Optional<LayoutScore> found) {
    if (!instance.moduleFamily() || instance.joints().isEmpty()) {
      return false;
    }
    boolean[] tight = ModuleModel.tightSegments(instance);
    long below = ModuleFamilyRestrictions.beatenOnlyBelow(instance, found);
    for (Instance.Joint j : instance.joints()) {
      Instance.Segment low = instance.segments().get(j.below());
      Instance.Segment high = instance.segments().get(j.above());
      if (tight[low.index()] == tight[high.index()]) {
        continue;
      }
      Instance.Atom roomy = tight[low.index()] ? instance.atoms().get(high.firstAtom())
          : instance.atoms().get(low.endAtom() - 1);
      if (leastFill(roomy) * ByteSize.PAGE <= below) {
        return true;
      }
    }
    return longFillBridgeCouldBeat(tight, below);
  }

  /**
   * Whether a fill bridge over more than {@link ModuleModel#fillBridgeJoints} joints (left out) could
   * beat an answer that a layout must stay below {@code below} bytes of PAMT to beat: it covers that
   * many roomy segments whole.
   */
  private boolean longFillBridgeCouldBeat(boolean[] tight, long below) {
    int longest = ModuleModel.fillBridgeJoints(instance);
    List<Instance.Joint> js = instance.joints();
    long smallest = Long.MAX_VALUE;
    int run = 0;
    for (int i = 0; i < js.size(); i++) {
      Instance.Joint j = js.get(i);
      boolean roomy = !tight[j.below()] && !tight[j.above()];
      boolean continues = i > 0 && js.get(i - 1).above() == j.below() && run > 0;
      run = roomy ? (continues ? run + 1 : 1) : 0;
      if (run > longest) {
        for (Instance.Segment s : instance.segments()) {
          if (!tight[s.index()]) {
            smallest = Math.min(smallest, s.pages());
          }
        }
        return smallest * longest * ByteSize.PAGE <= below;
      }
    }
    return false;
  }

  /** The least pages of PAMT filling roomy atom {@code a} wholly or, in a run, its part outside every TDMR. */
  private long leastFill(Instance.Atom a) {
    Cell c = instance.cells().get(a.cell());
    return c.cuttable() ? Math.min(a.pages(), ModuleModel.G) : a.pages();
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
