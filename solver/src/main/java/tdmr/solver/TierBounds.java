package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.time.Deadline;

/**
 * The lower bound on each ranked tier of the module family's objective (PAMT, TDMRs, reserved
 * areas), given what the tiers before it were proven to be: the one place where the bound classes
 * are combined. Each bound it takes holds for every layout of the family (each class argues its
 * own), so the maximum does too, whatever a model leaves out. Both engines ask it before each tier
 * (CP-SAT's {@code ModuleFamilySolver}, Z3's {@code ModuleFamilyProver}), and {@link
 * ModuleFamilyRestrictions#meetsFamilyBounds} asks it of an optimum: an optimum that meets it in
 * every tier names no restriction, and the engines agree on when that is because they ask the same
 * question.
 */
public final class TierBounds {
  /**
   * What the tiers proven so far say about every layout a search still considers.
   *
   * @param coversAll no coverable TDX memory is given up (coverage {@code all}, or the coverage tier
   *     proven at the memory no layout covers)
   * @param remoteFree no remote PAMT (PAMT {@code node-local} with the remote-PAMT tier proven 0):
   *     runs may then be cut between nodes
   * @param pamtPages the PAMT tier's proven value, if proven
   * @param tdmrs the TDMRs tier's proven value, if proven
   */
  public record Proven(boolean coversAll, boolean remoteFree, OptionalLong pamtPages, OptionalLong tdmrs) {
    /** With the PAMT tier proven at {@code pages}. */
    public Proven withPamt(long pages) {
      return new Proven(coversAll, remoteFree, OptionalLong.of(pages), tdmrs);
    }

    /** With the TDMRs tier proven at {@code count}. */
    public Proven withTdmrs(long count) {
      return new Proven(coversAll, remoteFree, pamtPages, OptionalLong.of(count));
    }
  }

  /**
   * A lower bound on one tier and the class whose argument gives it (for the solver's details).
   *
   * @param value the bound, in the tier's unit (pages, TDMRs, areas)
   * @param source the simple name of the bound class that gave the value
   */
  public record Bound(long value, String source) {}

  private final Instance instance;
  private ReservedAreaBounds reservedAreaBounds;
  private Optional<long[]> leftOut;

  public TierBounds(Instance instance) {
    this.instance = instance;
  }

  /**
   * The bounds that hold once no coverable memory is given up ({@link ModuleFamilyBounds}, with runs
   * cut between nodes when {@code proven.remoteFree()}); empty otherwise.
   */
  public Optional<ModuleFamilyBounds> covering(Proven proven) {
    return proven.coversAll() ? Optional.of(new ModuleFamilyBounds(instance, proven.remoteFree())) : Optional.empty();
  }

  /**
   * The PAMT tier, in pages: at least what the reserved-area limit costs ({@link
   * ReservedAreaBounds#leastPamtPages}, whatever the coverage) and, once no coverable memory is given
   * up, the covering bound ({@link ModuleFamilyBounds#leastPamtPages}) raised where no TDMR set fills
   * the islands its runs of holes need within the area limit ({@link FilledIslandsPamtBound#raise});
   * raised where the TDMRs the area limit forces cost more ({@link AreaLimitBound#raise});
   * once no remote PAMT either, the exact fills of memory left out ({@link ExactFillBound}, per node),
   * what the TDMR limit costs ({@link LeftOutPamtBound#strict} at the limit: granules left out
   * of every TDMR, or TDMRs spanning gaps) and, at 0 areas per TDMR, the memory each node leaves out
   * of every TDMR ({@link AreaFreeNodeBound}).
   */
  public Optional<Bound> pamtPages(Proven proven) {
    long price = reservedAreaBounds().leastPamtPages(instance.limits().maxTdmrs(),
        instance.limits().maxReservedPerTdmr());
    Bound best = new Bound(price, ReservedAreaBounds.class.getSimpleName());
    OptionalLong covering = covering(proven).map(ModuleFamilyBounds::leastPamtPages).orElse(OptionalLong.empty());
    if (covering.isPresent()) {
      best = larger(best, new Bound(covering.getAsLong(), ModuleFamilyBounds.class.getSimpleName()));
      long raised = new FilledIslandsPamtBound(instance, proven.remoteFree()).raise(best.value());
      best = larger(best, new Bound(raised, FilledIslandsPamtBound.class.getSimpleName()));
      long forced = new AreaLimitBound(instance, covering(proven).orElseThrow()).raise(best.value());
      best = larger(best, new Bound(forced, AreaLimitBound.class.getSimpleName()));
    }
    if (proven.coversAll() && proven.remoteFree()) {
      OptionalLong filled = exactFillInTime(covering(proven).orElseThrow());
      if (filled.isPresent()) {
        best = larger(best, new Bound(filled.getAsLong(), ExactFillBound.class.getSimpleName()));
      }
      // Where the TDMR limit binds: granules left out of every TDMR, or TDMRs spanning gaps.
      OptionalLong fewTdmrs = leftOut().map(b -> b[Math.min(instance.limits().maxTdmrs(), b.length - 1)])
          .filter(v -> v != Long.MAX_VALUE).map(OptionalLong::of).orElse(OptionalLong.empty());
      if (fewTdmrs.isPresent()) {
        best = larger(best, new Bound(fewTdmrs.getAsLong(), LeftOutPamtBound.class.getSimpleName()));
      }
      OptionalLong areaFree = new AreaFreeNodeBound(instance).leastPamtPages();
      if (areaFree.isPresent()) {
        best = larger(best, new Bound(areaFree.getAsLong(), AreaFreeNodeBound.class.getSimpleName()));
      }
    }
    return positive(best);
  }

  /**
   * The TDMRs tier, once PAMT is proven and no coverable memory is given up: the TDMRs of runs whose
   * granules cannot be left out at the covering bound ({@link GranulesLeftOut#leastTdmrsAtPamtBound},
   * only at that bound), the TDMRs cut so that islands are filled at that PAMT ({@link
   * TdmrCountBound#leastTdmrs}), the least count of up to three TDMRs whose levels can fill the memory
   * they leave out ({@link FewTdmrsBound#leastTdmrs}, tried from the count so far), raised where no
   * set of that many TDMRs fills the islands the area
   * limit needs ({@link FilledIslandsPamtBound#raiseTdmrs}), or whose area limits hold the areas
   * every layout at that PAMT needs ({@link AreaLimitBound#leastTdmrs}); with no remote PAMT, the fewest TDMRs
   * whose {@link LeftOutPamtBound#strict} bound is at most that PAMT ({@link
   * LeftOutPamtBound#leastTdmrs}); empty before.
   */
  public Optional<Bound> tdmrs(Proven proven) {
    Optional<ModuleFamilyBounds> b = covering(proven);
    if (b.isEmpty() || proven.pamtPages().isEmpty()) {
      return Optional.empty();
    }
    long pamt = proven.pamtPages().getAsLong();
    Bound best = new Bound(0, "");
    if (b.get().leastPamtPages().isPresent() && b.get().leastPamtPages().getAsLong() == pamt) {
      best = larger(best, new Bound(new GranulesLeftOut(instance).leastTdmrsAtPamtBound(b.get()).orElse(0),
          GranulesLeftOut.class.getSimpleName()));
    }
    best = larger(best, new Bound(new TdmrCountBound(instance).leastTdmrs(pamt).orElse(0),
        TdmrCountBound.class.getSimpleName()));
    // Counts up to FewTdmrsBound.MOST_TDMRS not ruled out yet: every set of that many TDMRs tried.
    best = larger(best, new Bound(new FewTdmrsBound(instance).leastTdmrs(pamt, best.value()).orElse(0),
        FewTdmrsBound.class.getSimpleName()));
    if (proven.remoteFree()) {
      best = larger(best, new Bound(LeftOutPamtBound.leastTdmrs(leftOut(), instance.limits(), pamt).orElse(0),
          LeftOutPamtBound.class.getSimpleName()));
    }
    best = larger(best, new Bound(new FilledIslandsPamtBound(instance, proven.remoteFree()).raiseTdmrs(pamt,
        best.value()), FilledIslandsPamtBound.class.getSimpleName()));
    best = larger(best, new Bound(new AreaLimitBound(instance, b.get()).leastTdmrs(pamt),
        AreaLimitBound.class.getSimpleName()));
    return positive(best);
  }

  /**
   * The reserved-areas tier, once PAMT is proven: {@link AreaCountBound#leastAreas} for the proven
   * TDMR count (or the limit); when the TDMRs of every layout left are known ({@link
   * ModuleFamilyBounds#forcedTdmrs}), also the islands those TDMRs' levels can fill ({@link
   * FixedTdmrsAreaBound}); with no remote PAMT, the areas each node's levels need ({@link
   * NodeAreaBound}). {@code enough} is the areas of a layout found with that PAMT and TDMRs, which
   * no bound exceeds ({@link AreaCountBound#leastAreas(long, long, long)}); empty before PAMT is
   * proven.
   */
  public Optional<Bound> reservedAreas(Proven proven, long enough) {
    if (proven.pamtPages().isEmpty()) {
      return Optional.empty();
    }
    long pamt = proven.pamtPages().getAsLong();
    long tdmrs = proven.tdmrs().orElse(instance.limits().maxTdmrs());
    Bound best = new Bound(new AreaCountBound(instance).leastAreas(pamt, tdmrs, enough),
        AreaCountBound.class.getSimpleName());
    Optional<List<List<Integer>>> forced = proven.tdmrs().isEmpty() ? Optional.empty()
        : covering(proven).flatMap(b -> b.forcedTdmrs(pamt, tdmrs));
    if (forced.isPresent()) {
      best = larger(best, new Bound(new FixedTdmrsAreaBound(instance, instance.cellSpans(forced.get()), proven.remoteFree())
          .leastAreas(pamt), FixedTdmrsAreaBound.class.getSimpleName()));
    }
    if (proven.remoteFree()) {
      best = larger(best, new Bound(new NodeAreaBound(instance).leastAreas(pamt), NodeAreaBound.class.getSimpleName()));
    }
    return positive(best);
  }

  /**
   * A lower bound, in bytes, on the PAMT of the optimum, given {@code witness}, the score of a valid
   * layout: for a {@code FEASIBLE} answer whose layout was built or kept when the time limit struck
   * before the tiers were proven. The optimum ranks no worse than the witness, so it gives up no more
   * memory and has no more remote PAMT ({@link #provenBy}), and {@link #pamtPages} for that holds for
   * it. Past the deadline each bound's search is cut short ({@link #exactFillInTime}, and the
   * raising loops stop): a smaller bound, still one for every layout. At most the witness's PAMT;
   * empty when no bound is derived.
   */
  public OptionalLong pamtBytesBelow(LayoutScore witness) {
    Optional<Bound> pages;
    try {
      pages = pamtPages(provenBy(witness));
    } catch (Deadline.Exceeded e) {
      return OptionalLong.empty();
    }
    return pages.isPresent() ? OptionalLong.of(Math.min(pages.get().value() * ByteSize.PAGE, witness.pamtBytes()))
        : OptionalLong.empty();
  }

  /** What the tiers of {@code found} prove about every layout that ties with it up to a tier. */
  public Proven provenBy(LayoutScore found) {
    boolean coversAll = found.uncoveredBytes() <= instance.deadMemory();
    boolean remoteFree = instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
        && found.remotePamtBytes() == 0;
    return new Proven(coversAll, remoteFree, OptionalLong.empty(), OptionalLong.empty());
  }

  /**
   * Once no coverable memory is given up and no remote PAMT: the sum over the nodes of the larger of
   * {@link ModuleFamilyBounds#leastPamtPagesPerNode} and {@link ExactFillBound}'s term (both bound the
   * PAMT lying on the node; the latter for layouts without a TDMR without memory), or, when smaller,
   * {@link ModuleFamilyBounds#leastPamtPagesWithMemoryless} for layouts with such a TDMR (its levels
   * have at least those of a 1 GiB TDMR); empty when either per-node bound is not taken.
   */
  private OptionalLong exactFill(ModuleFamilyBounds b) {
    Map<Integer, Long> perNode = b.leastPamtPagesPerNode();
    if (perNode.isEmpty()) {
      return OptionalLong.empty();
    }
    Map<Integer, Long> filled = new ExactFillBound(instance).leastPamtPagesPerNode();
    if (filled.isEmpty()) {
      return OptionalLong.empty();
    }
    long sum = 0;
    java.util.Set<Integer> nodes = new java.util.TreeSet<>(perNode.keySet());
    nodes.addAll(filled.keySet());
    for (int node : nodes) {
      sum += Math.max(perNode.getOrDefault(node, 0L), filled.getOrDefault(node, 0L));
    }
    long memoryless = 0;
    for (PageSize level : PageSize.values()) {
      memoryless += instance.levelPages(1, level);
    }
    OptionalLong withMemoryless = b.leastPamtPagesWithMemoryless(memoryless);
    if (withMemoryless.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.min(sum, withMemoryless.getAsLong()));
  }

  /**
   * {@link #exactFill}, or empty when the deadline strikes during its search: past the deadline the
   * PAMT bound keeps the other bounds (each holds alone), so a witness answered after a time limit
   * still states one.
   */
  private OptionalLong exactFillInTime(ModuleFamilyBounds b) {
    try {
      return exactFill(b);
    } catch (Deadline.Exceeded e) {
      return OptionalLong.empty();
    }
  }

  /** {@link LeftOutPamtBound#strict} of the instance's map, computed once. */
  private Optional<long[]> leftOut() {
    if (leftOut == null) {
      leftOut = LeftOutPamtBound.strict(instance.map(), instance.limits());
    }
    return leftOut;
  }

  private ReservedAreaBounds reservedAreaBounds() {
    if (reservedAreaBounds == null) {
      reservedAreaBounds = new ReservedAreaBounds(instance);
    }
    return reservedAreaBounds;
  }

  private static Bound larger(Bound a, Bound b) {
    return b.value() > a.value() ? b : a;
  }

  private static Optional<Bound> positive(Bound b) {
    return b.value() > 0 ? Optional.of(b) : Optional.empty();
  }
}
