package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.LayoutScore;
import tdmr.solver.ModuleFamilyBounds;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;

/**
 * What the CP-SAT model ({@link ModuleModel}) leaves out of its family, and when that could change an
 * answer, so that a claim names exactly the restrictions that might matter on this map. Each is
 * checked against the map and, for an optimum, against what was found; where it provably cannot
 * change the answer it is not named.
 *
 * <ul>
 *   <li><b>One boundary inside a run.</b> A TDMR lies wholly inside a run of whole GiB of one memory
 *       block without touching its ends only outside the model. Such a TDMR holds no hole; it could
 *       only lend its levels to fill memory elsewhere or hold PAMT in an area of its own. It needs
 *       a run of at least 3 GiB.
 *   <li><b>No straddling</b> (module family). No PAMT level straddles the edge between two touching
 *       memory blocks. A straddling level can save an area without filling either block (a 4-page 2M
 *       level over a 2-page block and the next block's first 2 pages, stacked against the hole
 *       below: {@code ModuleFamilyRefereeTest}), so it is named wherever blocks touch, with one
 *       exception. An optimum under PAMT {@code node-local} with nothing uncovered that could be
 *       covered and no remote PAMT can only be beaten by a layout without remote PAMT. A level over
 *       the edge between blocks of nodes {@code a != b} lies on both, so it describes remotely every
 *       granule of its TDMR that lacks memory of {@code a} or of {@code b} ({@link
 *       tdmr.check.RemotePamt}): its TDMR either holds memory only in granules holding both (there
 *       must be such a granule) or holds none, and a TDMR without memory costs at least a 1 GiB
 *       TDMR's levels on top of the least PAMT of the others ({@link
 *       ModuleFamilyBounds#leastPamtPages}). So it is not named when no edge joins blocks of one node,
 *       no granule holds memory of both nodes of an edge, and the optimum has less PAMT than that
 *       bound plus a 1 GiB TDMR's levels.
 *   <li><b>TDMRs without memory above the window</b> (module family). They only lend their levels;
 *       where they lie matters only for how many fit below the HKID limit, and under holes {@code
 *       cmr} for whether one needs an area.
 *   <li><b>Chains of 1 GiB or more.</b> A chain against a granule boundary inside a block stays in
 *       its run, and a run's middle left outside every TDMR is given up only while the chains stay in
 *       the TDMRs' parts. Only chains of 1 GiB or more reach that far, padded ones included: a level
 *       padded to 1 GiB filling the last GiB of a run outside every TDMR can save a TDMR ({@code
 *       ModuleFamilyRefereeTest}), so how much PAMT the levels need unpadded does not decide it. Named
 *       wherever the map has a run of whole GiB, except for an optimum with less than 1 GiB of PAMT,
 *       nothing uncovered that could be covered and no remote PAMT.
 * </ul>
 */
final class Restrictions {
  private final Instance instance;

  Restrictions(Instance instance) {
    this.instance = instance;
  }

  /** The family as a claim names it. */
  static String family(Policy policy) {
    return policy.family() == Policy.Family.MODULE
        ? "the module family (every layout TDH.SYS.CONFIG and the OS coverage check accept, each PAMT level placed on"
            + " its own)"
        : "the kernel family (each TDMR's PAMT one contiguous 4K/2M/1G chunk of the kernel's sizes in one memory block)";
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
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the proof holds among the layouts of that family in which " + String.join("; ", parts));
  }

  /** The restrictions under which a PAMT bound CP-SAT's search proved holds, as one sentence, if any. */
  static Optional<String> boundSentence(Policy policy, List<String> parts) {
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the PAMT bound holds among the layouts of %s in which %s".formatted(family(policy),
        String.join("; ", parts)));
  }

  private List<String> restrictions(Optional<LayoutScore> found) {
    List<String> out = new ArrayList<>();
    boolean module = instance.moduleFamily();
    // An optimum with nothing uncovered that could be covered and no remote PAMT can only be beaten
    // by a layout with at most its PAMT.
    long beatenBelow = found.filter(s -> s.uncoveredBytes() <= instance.deadMemory() && s.remotePamtBytes() == 0)
        .map(LayoutScore::pamtBytes).orElse(Long.MAX_VALUE);
    if (instance.cells().stream().anyMatch(c -> c.kind() == Kind.PLAIN && c.sizeGiB() >= 3)) {
      out.add("no TDMR lies wholly inside a run of whole GiB of one memory block without reaching the run's ends");
    }
    if (module && straddlingCouldMatter(found)) {
      out.add("no PAMT level straddles the edge between two touching memory blocks");
    }
    if (module && memorylessPlacementMatters()) {
      out.add("TDMRs without TDX memory lie above all of it");
    }
    boolean runs = instance.cells().stream().anyMatch(c -> c.kind() == Kind.PLAIN);
    if (runs && (found.isEmpty() || beatenBelow >= ByteSize.GiB)) {
      out.add("no chain of 1 GiB of PAMT or more lies against a 1 GiB boundary inside a memory block");
    }
    return out;
  }

  /**
   * Whether a level straddling the edge between two touching blocks could beat {@code found} (or,
   * for an {@code INFEASIBLE} claim, make a layout exist): see the class comment.
   */
  private boolean straddlingCouldMatter(Optional<LayoutScore> found) {
    List<MemoryBlock> blocks = instance.map().blocks();
    List<int[]> edges = new ArrayList<>();
    for (int i = 0; i + 1 < blocks.size(); i++) {
      if (blocks.get(i + 1).start() == blocks.get(i).end()) {
        edges.add(new int[] {blocks.get(i).node(), blocks.get(i + 1).node()});
      }
    }
    if (edges.isEmpty()) {
      return false;
    }
    boolean remoteFreeOptimum = found.isPresent() && instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
        && found.get().remotePamtBytes() == 0 && found.get().uncoveredBytes() <= instance.deadMemory();
    if (!remoteFreeOptimum) {
      return true;
    }
    for (int[] e : edges) {
      if (e[0] == e[1]) {
        return true;
      }
      for (Cell c : instance.cells()) {
        if (c.nodes().contains(e[0]) && c.nodes().contains(e[1])) {
          return true;
        }
      }
    }
    OptionalLong least = new ModuleFamilyBounds(instance, true).leastPamtPages();
    if (least.isEmpty()) {
      return true;
    }
    long memorylessTdmr = 0;
    for (PageSize level : PageSize.values()) {
      memorylessTdmr += instance.levelPages(1, level);
    }
    return found.get().pamtBytes() >= (least.getAsLong() + memorylessTdmr) * ByteSize.PAGE;
  }

  /**
   * Whether TDMRs without memory below or inside the window could do what those above cannot: more
   * of them fit (fewer granules above than the limit allows), or, under holes {@code cmr}, one
   * needs no area there while not enough above need none.
   */
  private boolean memorylessPlacementMatters() {
    int wanted = instance.limits().maxTdmrs() - 1;
    boolean emptyBelowOrInside = instance.cells().stream().anyMatch(c -> c.kind() == Kind.EMPTY)
        || !instance.cells().isEmpty() && instance.cells().get(0).range().start() > 0;
    if (instance.memorylessGranules().size() < wanted && emptyBelowOrInside) {
      return true;
    }
    if (instance.policy().holes() != Policy.Holes.CMR) {
      return false;
    }
    long cheapAbove = instance.memorylessGranules().stream().filter(g -> instance.memorylessAreas(g) == 0).count();
    if (cheapAbove >= wanted) {
      return false;
    }
    for (Cell c : instance.cells()) {
      if (c.kind() == Kind.EMPTY && instance.map().cmrs().covers(c.range())) {
        return true;
      }
    }
    return instance.map().cmrs().merged().stream().anyMatch(r -> r.start() < instance.cells().get(0).range().start());
  }
}
