package tdmr.solver.z3;

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
 * What Z3's module-family encoding ({@link ModuleEncoding}) leaves out of the family, and when that
 * could change an answer, so that a claim names exactly the restrictions that might matter on this
 * map. The encoding is written independently of CP-SAT's, but over the same {@link Instance}, and
 * its restrictions are the same ones in effect; they are named in the same words, so that two
 * answers about the same map ask the same {@link tdmr.solver.Question} and {@link
 * tdmr.solver.CrossCheck} compares them strictly.
 *
 * <ul>
 *   <li><b>One boundary inside a run.</b> At most one TDMR boundary lies strictly inside a run of
 *       whole GiB of one memory block: so no TDMR lies wholly inside it without reaching its ends
 *       (that needs a run of at least 3 GiB), and the run's middle between two TDMRs is never left
 *       out of both (that is the case of chains of 1 GiB or more, below).
 *   <li><b>No straddling.</b> No PAMT level straddles the edge between two touching memory blocks
 *       (PAMT lies in the Instance's segments, each inside one block). Named wherever blocks touch:
 *       a straddling level can save an area or a padding page without filling either block (unlike
 *       CP-SAT's {@code Restrictions}, which names it only for optima with at least the PAMT of the
 *       smallest region of touching blocks).
 *   <li><b>TDMRs without memory above the window</b> ({@link Instance#memorylessGranules}).
 *   <li><b>Chains of 1 GiB or more.</b> Chains are anchored at atom ends, a chain inside a run of
 *       whole GiB never crosses a TDMR boundary inside it, and the part of a run outside every TDMR
 *       is all PAMT (whole GiB at one end of the run, filled from that end) or all left out together
 *       with the whole run. Only chains of 1 GiB or more reach
 *       that far, padded ones included (unlike CP-SAT's {@code Restrictions}, which names this only
 *       when the unpadded PAMT could reach 1 GiB): so it is named wherever the map has a run of
 *       whole GiB, unless an optimum has less than 1 GiB of PAMT, nothing uncovered that could be
 *       covered and no remote PAMT.
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
    // A level straddling the edge can save an area without filling anything: e.g. a 4-page 2M level
    // over a 2-page block and the next block's first 2 pages, stacked against the hole below (found by
    // Z3ModuleFamilyProperties against ExhaustiveSearch). So it is named wherever blocks touch.
    if (module && touching < Long.MAX_VALUE) {
      out.add("no PAMT level straddles the edge between two touching memory blocks");
    }
    if (module && memorylessPlacementMatters()) {
      out.add("TDMRs without TDX memory lie above all of it");
    }
    // Padding makes a chain of any length, so whether the unpadded PAMT could reach 1 GiB does not
    // decide it: a padded level filling a whole GiB of a run outside every TDMR can save a TDMR or an
    // area (found by Z3ModuleFamilyProperties against ExhaustiveSearch). Only runs of whole GiB hold
    // such chains, and they cost at least 1 GiB of PAMT.
    boolean runs = instance.cells().stream().anyMatch(c -> c.kind() == Kind.PLAIN);
    if (runs && (found.isEmpty() || beatenBelow >= ByteSize.GiB)) {
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
