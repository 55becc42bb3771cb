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
 * What the CP-SAT model leaves out of its family, and when that could change an answer, so that a
 * claim names exactly the restrictions that might matter on this map. Each restriction is checked
 * against the map (and, for an optimum, against what was found); when it provably cannot change the
 * answer it is not named.
 *
 * <ul>
 *   <li><b>One boundary per run.</b> At most one TDMR boundary lies strictly inside a run of whole
 *       GiB of one memory block or without memory ({@link TdmrModel.CellVars}). It can only matter
 *       where a run is at least 3 GiB long, and three TDMRs (or memory given up) could meet in it.
 *   <li><b>No straddling</b> (module family). No PAMT level straddles the edge between two touching
 *       blocks (of two NUMA nodes); it can only matter where two blocks touch.
 *   <li><b>Whole GiB covered.</b> Memory of a run of whole GiB is never left to PAMT alone: that
 *       needs a gigabyte of PAMT in one granule, so it cannot matter for an optimum with less than 1
 *       GiB of PAMT, no remote PAMT and nothing uncovered that could be covered.
 *   <li><b>TDMRs without memory above it all</b> (module family). They lie above every block; only
 *       under holes {@code cmr}, with a wholly convertible granule without memory between blocks
 *       (which would need no area), can that cost a reserved area.
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
    Policy policy = instance.policy();
    boolean longRun = false;
    boolean plainRun = false;
    for (Cell c : instance.cells()) {
      if (c.uniform() && c.sizeGiB() >= 3) {
        longRun = true;
      }
      if (c.kind() == Kind.PLAIN) {
        plainRun = true;
      }
    }
    if (longRun && (instance.limits().maxTdmrs() >= 3 || policy.coverage() == Policy.Coverage.MAX)) {
      out.add("at most one TDMR boundary lies inside any run of whole GiB of one memory block or without memory");
    }
    if (policy.family() == Policy.Family.MODULE && blocksTouch()) {
      out.add("no PAMT level straddles the edge between two touching memory blocks");
    }
    boolean cannotMatter = found.isPresent() && found.get().pamtBytes() < ByteSize.GiB
        && found.get().remotePamtBytes() == 0 && found.get().uncoveredBytes() <= instance.deadMemory();
    if (plainRun && !cannotMatter) {
      out.add("every run of whole GiB of memory is covered by TDMRs (not left to PAMT alone)");
    }
    if (policy.family() == Policy.Family.MODULE && policy.holes() == Policy.Holes.CMR && convertibleEmptyGranule()) {
      out.add("TDMRs without TDX memory lie above all of it");
    }
    return out;
  }

  private boolean blocksTouch() {
    List<MemoryBlock> blocks = instance.map().blocks();
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i).start() == blocks.get(i - 1).end()) {
        return true;
      }
    }
    return false;
  }

  private boolean convertibleEmptyGranule() {
    for (Cell c : instance.cells()) {
      if (c.kind() == Kind.EMPTY && !c.extension() && instance.map().cmrs().covers(c.range())) {
        return true;
      }
    }
    return false;
  }
}
