package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.solver.LayoutScore;
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
 *       memory blocks (of two NUMA nodes). A straddling level only matters in a chain filling the
 *       region of both blocks, which costs at least that region in PAMT; so not for an optimum with
 *       less PAMT than the smallest such region, nothing uncovered that could be covered and no
 *       remote PAMT.
 *   <li><b>TDMRs without memory above the window</b> (module family). They only lend their levels;
 *       where they lie matters only for how many fit below the HKID limit, and under holes {@code
 *       cmr} for whether one needs an area.
 *   <li><b>Chains of 1 GiB or more.</b> A chain against a granule boundary inside a block stays in
 *       its run, and a run's middle left outside every TDMR is given up only while the chains stay in
 *       the TDMRs' parts. Only chains of 1 GiB or more reach that far: not when no layout has that
 *       much PAMT without padding, nor for an optimum with less than 1 GiB of PAMT, nothing
 *       uncovered that could be covered and no remote PAMT.
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
    long touching = smallestTouchingRegion();
    if (module && touching < Long.MAX_VALUE && (found.isEmpty() || beatenBelow >= touching)) {
      out.add("no PAMT level straddles the edge between two touching memory blocks");
    }
    if (module && memorylessPlacementMatters()) {
      out.add("TDMRs without TDX memory lie above all of it");
    }
    boolean bigChains = instance.mostUnpaddedPamtPages() * ByteSize.PAGE >= ByteSize.GiB;
    if (bigChains && (found.isEmpty() || beatenBelow >= ByteSize.GiB)) {
      out.add("no chain of 1 GiB of PAMT or more lies against a 1 GiB boundary inside a memory block");
    }
    return out;
  }

  /** Bytes of the smallest run of touching memory blocks (two or more), or the largest long when none touch. */
  private long smallestTouchingRegion() {
    List<MemoryBlock> blocks = instance.map().blocks();
    long smallest = Long.MAX_VALUE;
    int i = 0;
    while (i < blocks.size()) {
      int j = i;
      while (j + 1 < blocks.size() && blocks.get(j + 1).start() == blocks.get(j).end()) {
        j++;
      }
      if (j > i) {
        smallest = Math.min(smallest, blocks.get(j).end() - blocks.get(i).start());
      }
      i = j + 1;
    }
    return smallest;
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
