package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.Policy;

/**
 * The restrictions the module-family models of both exact engines may add to the family, in the
 * words their claims name them ({@link Question}), and the conditions, argued here for the whole
 * family and so shared by both engines, under which one of them cannot change an answer. Each
 * engine's own class ({@code tdmr.solver.cpsat.Restrictions}, {@code
 * tdmr.solver.z3.ModuleRestrictions}) says which of them its model has and names a restriction
 * unless such a condition holds; where the two models have the same restriction they name it under
 * the same condition, so that {@link CrossCheck} compares their answers strictly.
 */
public final class ModuleFamilyRestrictions {
  /**
   * A TDMR wholly inside a run of whole GiB of one block is left out; a claim naming it is solved
   * again over those runs cut into granules ({@link InnerTdmrRuns}), which names it only where that
   * second solve does not prove the answer.
   */
  public static final String INSIDE_A_RUN =
      "no TDMR lies wholly inside a run of whole GiB of one memory block without reaching the run's ends";
  /**
   * A PAMT level over the edge of two touching blocks is left out. No model names it since
   * 2026-12-05: CP-SAT's model holds such levels ({@link Instance.Joint}) except those reaching into
   * a padded fill ({@link #STRADDLING_INTO_FILL}), Z3's holds them all (runs of PAMT over the edges
   * under PAMT {@code any}, one level over them under {@code node-local}: {@code
   * tdmr.solver.z3.ModuleRestrictions}). Tests check that no claim names it.
   */
  public static final String STRADDLING = "no PAMT level straddles the edge between two touching memory blocks";
  /**
   * A PAMT level over the edge of two touching blocks reaching into memory wholly filled by padded
   * levels is left out (CP-SAT's model; where, {@code tdmr.solver.cpsat.Restrictions} says).
   */
  public static final String STRADDLING_INTO_FILL =
      "no PAMT level straddles the edge between two touching memory blocks into memory filled wholly by padded levels";
  /** Chains of 1 GiB or more inside a run of whole GiB are left out (where, each engine says). */
  public static final String CHAINS =
      "no chain of 1 GiB of PAMT or more lies against a 1 GiB boundary inside a memory block";

  /**
   * Kernel family over {@link Instance} (kernel mode): a TDMR holding no TDX memory is left out (both
   * models require every TDMR to cover some, as every TDMR Linux builds does). Such a TDMR is of the
   * kernel family (its chunk lies in TDX memory of one block elsewhere) and may matter: its chunk,
   * of a size no TDMR over memory has, could fill an island and merge the holes around it. Named in
   * every kernel-family claim over the instance ({@link #kernelFamily}).
   */
  public static final String KERNEL_TDMRS_HOLD_MEMORY = "every TDMR covers TDX memory";

  private ModuleFamilyRestrictions() {}

  /**
   * The restrictions of a kernel-family model over {@code kernel} (an {@link Instance} of the kernel
   * family under PAMT {@code any}) that could hide a better kernel-family layout than {@code found}
   * (or, when empty, any layout, for an {@code INFEASIBLE} claim); {@code module} is the same map's
   * instance of the module family under PAMT {@code any}. Shared by both engines' kernel-family
   * models over the instance, so that they name restrictions alike.
   *
   * <ul>
   *   <li>{@link #INSIDE_A_RUN}, unless {@link #innerTdmrCouldBeat} on {@code module} rules it out:
   *       a kernel-family layout with a TDMR inside a run is a module-family layout with that TDMR
   *       (its chunk is one way to place the three levels; PAMT {@code any} allows any node), and
   *       both families rank the same tiers there (remote PAMT is not ranked under PAMT {@code any}
   *       nor in the kernel family, {@link LayoutScore#ranksRemotePamt}); so a bound on every
   *       module-family layout with such a TDMR holds for the kernel-family ones.
   *   <li>{@link #CHAINS} where a run of whole GiB lies in a segment whose chains carry pages (a
   *       <em>tight</em> segment of the CP-SAT model, {@code tightRun}, which the caller says) and a
   *       chain of 1 GiB could beat {@code found}: such a chain is 1 GiB of PAMT ({@link
   *       #beatenOnlyBelow}). In a roomy segment every layout's PAMT is below 1 GiB, so no run's part
   *       outside every TDMR (at least 1 GiB) is filled by chunks, and a chain against a granule
   *       boundary inside a run slides to a place (the argument of {@link Instance} does not use
   *       padding). The module family's other arguments for chains (padded levels filling a run's part
   *       exactly, {@link #noPamtInsideOnlyTdmr}) do not transfer: a kernel chunk has one size.
   *   <li>{@link #KERNEL_TDMRS_HOLD_MEMORY}, always.
   * </ul>
   */
  public static List<String> kernelFamily(Instance kernel, Instance module, boolean tightRun,
      Optional<LayoutScore> found) {
    List<String> out = new ArrayList<>();
    if (innerTdmrCouldBeat(module, found)) {
      out.add(INSIDE_A_RUN);
    }
    if (tightRun && chainOfOneGibCouldBeat(kernel, found)) {
      out.add(CHAINS);
    }
    out.add(KERNEL_TDMRS_HOLD_MEMORY);
    return out;
  }

  /** The restrictions as one sentence for people, if any. */
  public static Optional<String> sentence(List<String> parts) {
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the proof holds among the layouts of that family in which " + String.join("; ", parts));
  }

  /**
   * The restrictions both engines' module-family models share that could hide a better layout than
   * {@code found} (or, when it is empty, any layout, for an {@code INFEASIBLE} claim): a TDMR wholly
   * inside a run. Each engine adds what only its own model leaves out (since 2026-12-05 both models
   * hold straddling levels under both PAMT policies; CP-SAT's names those reaching into a padded
   * fill where they could matter, {@link #STRADDLING_INTO_FILL}). (TDMRs
   * without TDX memory are no longer restricted: both models offer every granule that can matter,
   * {@link Instance#memorylessSites}; until 2026-12-05 only granules above the memory, named "TDMRs
   * without TDX memory lie above all of it".)
   */
  public static List<String> shared(Instance instance, Optional<LayoutScore> found) {
    List<String> out = new ArrayList<>();
    boolean module = instance.moduleFamily();
    if (module ? innerTdmrCouldBeat(instance, found) : runOfThreeGiB(instance)) {
      out.add(INSIDE_A_RUN);
    }
    return out;
  }

  /**
   * Whether a TDMR wholly inside a run could exist: it needs a run of at least 3 GiB (a granule on
   * each side of it inside the run).
   */
  public static boolean runOfThreeGiB(Instance instance) {
    return instance.cells().stream().anyMatch(c -> c.kind() == Kind.PLAIN && c.sizeGiB() >= 3);
  }

  /**
   * Whether {@code found} meets, in every ranked tier, a lower bound derived for the whole family
   * (coverage: the memory no layout covers; remote PAMT: 0; PAMT, TDMRs and reserved areas: {@link
   * TierBounds}, each given the tiers of {@code found} before it). Then no layout of the family
   * beats it, whatever a model leaves out, and a claim about it names no restriction. Both engines
   * ask it of every optimum, so that they name restrictions alike whichever proved the tiers how
   * (each also takes {@link TierBounds} tier by tier during its search).
   */
  public static boolean meetsFamilyBounds(Instance instance, LayoutScore found) {
    if (!meetsFamilyBoundsUpToPamt(instance, found)) {
      return false;
    }
    TierBounds bounds = new TierBounds(instance);
    long pages = found.pamtBytes() / ByteSize.PAGE;
    TierBounds.Proven proven = bounds.provenBy(found).withPamt(pages);
    if (found.tdmrs() != Math.max(1, bounds.tdmrs(proven).map(TierBounds.Bound::value).orElse(1L))) {
      return false;
    }
    proven = proven.withTdmrs(found.tdmrs());
    return found.reservedAreas()
        == bounds.reservedAreas(proven, found.reservedAreas()).map(TierBounds.Bound::value).orElse(0L);
  }

  /**
   * Whether {@code found} meets the family's lower bounds in the tiers up to PAMT (coverage: the
   * memory no layout covers; remote PAMT: 0; PAMT: {@link TierBounds#pamtPages}). Then no layout of
   * the family has less PAMT among those ranked no worse before it, so a claim about the price of
   * the limits alone ({@link SolveOptions#stopAfterPamt}) names no restriction.
   */
  public static boolean meetsFamilyBoundsUpToPamt(Instance instance, LayoutScore found) {
    if (!instance.moduleFamily() || found.uncoveredBytes() > instance.deadMemory()) {
      return false;
    }
    if (instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && found.remotePamtBytes() != 0) {
      return false;
    }
    TierBounds bounds = new TierBounds(instance);
    long pages = found.pamtBytes() / ByteSize.PAGE;
    return pages != 0 && pages == bounds.pamtPages(bounds.provenBy(found)).map(TierBounds.Bound::value).orElse(0L);
  }

  /**
   * Whether no layout of the family beats {@code found}, by bounds derived for the whole family in
   * every tier: {@link #meetsFamilyBounds}, or, within one TDMR, {@link OnlyTdmrOptimum#meetsBounds}
   * (since 2026-12-05). Then a claim about it names no restriction; both engines ask it.
   */
  public static boolean unbeatable(Instance instance, LayoutScore found) {
    return meetsFamilyBounds(instance, found) || new OnlyTdmrOptimum(instance).meetsBounds(found);
  }

  /**
   * Whether a TDMR lying wholly inside a run of whole GiB of one block without reaching the run's
   * ends could beat {@code found} (or, without an optimum, make a layout exist). In general it can:
   * such a TDMR's levels have the sizes of a small TDMR, which may fill memory islands exactly where
   * TDMRs reaching the run's ends cannot, so both engines name it. But it can only beat an optimum
   * with nothing uncovered that could be covered and no remote PAMT with at most that optimum's
   * PAMT ({@link #beatenOnlyBelow}), and a layout with such a TDMR has at least {@link
   * ModuleFamilyBounds#leastPamtPagesWithInnerTdmr} pages (argued there: it puts at least three
   * TDMRs, or TDMRs and granules left out, over the run's memory, and each TDMR pays its own
   * 1G-level page), and, within a limit of one or two TDMRs, at least {@link
   * #granulesLeftOutBesideInnerTdmr} GiB of PAMT when the run is usable memory (a granule beside
   * that TDMR is left out of every TDMR). So it is not named when, for every such run (a PLAIN cell
   * of 3 GiB or more), one of these exceeds the optimum's PAMT: the first on the real maps of the
   * tests under default limits, where an optimum covers each node's runs with fewer than three
   * TDMRs each; the second (since 2026-12-05) under tight TDMR limits, where an optimum leaves
   * granules out of every TDMR and fills them with padded levels, so that its PAMT exceeds the first
   * bound, as in a node's solve within the share of the limit {@link NodeSplit} gives it. Nor is
   * it named, whatever the PAMT, where the islands of usable memory leave such a TDMR no room
   * within a limit of one or two TDMRs ({@link IslandCount}: e.g. one TDMR and 4 islands or more
   * need 4 levels outside it, and it has 3), since 2026-12-05. A run cut into granules ({@link
   * Instance#cutRuns}) is a sequence of 1 GiB cells, every TDMR over it is in the models, and it is
   * not counted. {@code ModuleFamilyBoundsTest} derives the bound by hand and {@code
   * InnerTdmrClaimsTest} compares both engines with {@code ExhaustiveSearch}, which enumerates TDMRs
   * inside runs.
   */
  public static boolean innerTdmrCouldBeat(Instance instance, Optional<LayoutScore> found) {
    return !runsWhereInnerTdmrCouldBeat(instance, found).isEmpty();
  }

  /**
   * The runs (PLAIN cells of 3 GiB or more) where a TDMR lying wholly inside could beat {@code found}
   * (or, without an optimum, make a layout exist), by the argument of {@link #innerTdmrCouldBeat}:
   * those the islands leave room for ({@link IslandCount#innerTdmrCouldBeat}) and, without reserved
   * areas, that could beat it with as little remote PAMT ({@link AreaFreeInnerTdmr}, since
   * 2026-12-06: the 0-area optima whose 1G level fills another node's memory), then every such run
   * when there is no bound, else those whose {@link
   * ModuleFamilyBounds#leastPamtPagesWithInnerTdmr} does not exceed the optimum's PAMT and, for a
   * run of usable memory, neither does {@link #granulesLeftOutBesideInnerTdmr} GiB nor, under PAMT
   * {@code node-local}, what the TDMR limit leaves to the other nodes ({@link InnerTdmrNodeBudget},
   * since 2026-12-05), nor, within three TDMRs, what a span of three TDMRs around it costs ({@link
   * FlankedInnerTdmr}, since 2026-12-05). {@link
   * InnerTdmrRuns} cuts these into granules for a second solve.
   */
  public static List<Cell> runsWhereInnerTdmrCouldBeat(Instance instance, Optional<LayoutScore> found) {
    List<Cell> runs = instance.cells().stream().filter(c -> c.kind() == Kind.PLAIN && c.sizeGiB() >= 3).toList();
    IslandCount islands = new IslandCount(instance);
    AreaFreeInnerTdmr areaFree = new AreaFreeInnerTdmr(instance);
    runs = runs.stream().filter(c -> islands.innerTdmrCouldBeat(c, found) && areaFree.couldBeat(c, found)).toList();
    if (runs.isEmpty()) {
      return runs;
    }
    long below = beatenOnlyBelow(instance, found);
    if (below == Long.MAX_VALUE) {
      return runs;
    }
    long sides = granulesLeftOutBesideInnerTdmr(instance);
    // A layout beating the optimum has no remote PAMT under node-local, so the bound may be taken per node.
    ModuleFamilyBounds bounds = new ModuleFamilyBounds(instance,
        instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL);
    List<Cell> out = new ArrayList<>();
    InnerTdmrNodeBudget budget = new InnerTdmrNodeBudget(instance);
    FlankedInnerTdmr flanked = new FlankedInnerTdmr(instance);
    for (Cell c : runs) {
      if (usable(instance, c) && sides * ByteSize.GiB > below) {
        continue;
      }
      // Under node-local the optimum has no remote PAMT, nor has a layout beating it.
      if (usable(instance, c) && budget.leastPamtPages(c) > below / ByteSize.PAGE) {
        continue;
      }
      if (usable(instance, c) && !flanked.canHaveAtMost(c, below / ByteSize.PAGE)) {
        continue;
      }
      OptionalLong least = bounds.leastPamtPagesWithInnerTdmr(c);
      if (least.isEmpty() || least.getAsLong() * ByteSize.PAGE <= below) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * How many granules of a run a layout within the TDMR limit {@code K} leaves out of every TDMR
   * when a TDMR lies wholly inside that run without reaching its ends: at least {@code 3 - K}.
   *
   * <p>Why. Let {@code T = [a, b)} lie inside the run {@code [r, s)} with {@code r < a} and {@code b
   * < s}. The granules {@code [a - 1G, a)} and {@code [b, b + 1G)} beside it lie in the run, so each
   * is wholly TDX memory of one block inside a merged CMR (a usable {@link Kind#PLAIN} cell). A TDMR
   * holding one of them is not {@code T}, and no TDMR holds both (it would overlap {@code T}, which
   * lies between them; rule B3). So when {@code j} of the two are in TDMRs the layout has at least
   * {@code 1 + j} TDMRs, and {@code j ≤ K - 1}: at least {@code 2 - j ≥ 3 - K} of them are in no
   * TDMR. Such a granule's 1 GiB of memory is all PAMT, or given up (OS rule; coverage {@code max}
   * only). So under a limit of one or two TDMRs a layout with such a TDMR that gives up no coverable
   * memory has at least {@code 3 - K} GiB of PAMT: it cannot beat an optimum that gives up nothing
   * coverable, has no remote PAMT where that is ranked, and less PAMT ({@link #beatenOnlyBelow}).
   * This holds for every layout of the family, whatever either model leaves out, and asks nothing
   * of the rest of the map; it is what keeps the restriction unnamed under tight TDMR limits, where
   * an optimum fills granules left out of every TDMR with padded levels and has far more PAMT than
   * {@link ModuleFamilyBounds#leastPamtPagesWithInnerTdmr}. {@code InnerTdmrClaimsTest} checks both
   * engines' claims on such maps against {@code ExhaustiveSearch}.
   */
  static long granulesLeftOutBesideInnerTdmr(Instance instance) {
    return Math.max(0, 3 - (long) instance.limits().maxTdmrs());
  }

  /** Whether run {@code c} is usable TDX memory: inside a merged CMR, so its granules must be covered or PAMT. */
  private static boolean usable(Instance instance, Cell c) {
    return instance.atoms().get(c.firstAtom()).usable();
  }

  /**
   * The PAMT bytes a layout must have less of to beat {@code found}: an optimum with nothing
   * uncovered that could be covered and no remote PAMT (or any, under PAMT {@code any}, whose
   * objective does not rank it) can only be beaten by a layout with at most its PAMT; otherwise
   * (or without an optimum) no bound, the largest long.
   */
  public static long beatenOnlyBelow(Instance instance, Optional<LayoutScore> found) {
    return found.filter(s -> s.uncoveredBytes() <= instance.deadMemory()
            && (!LayoutScore.ranksRemotePamt(instance.policy()) || s.remotePamtBytes() == 0))
        .map(LayoutScore::pamtBytes).orElse(Long.MAX_VALUE);
  }

  /**
   * Whether a chain of 1 GiB of PAMT or more could beat {@code found} (or, without an optimum, make
   * a layout exist): such a chain is at least 1 GiB of PAMT; and, at one TDMR, a layout beating
   * {@code found} may have to put none of its PAMT inside its TDMR ({@link #noPamtInsideOnlyTdmr}),
   * and then it has no chain either model leaves out.
   */
  public static boolean chainOfOneGibCouldBeat(Instance instance, Optional<LayoutScore> found) {
    if (found.isEmpty()) {
      return true;
    }
    return beatenOnlyBelow(instance, found) >= ByteSize.GiB && !noPamtInsideOnlyTdmr(instance, found.get());
  }

  /**
   * Whether, within a limit of one TDMR, every layout of the module family that beats {@code found}
   * has no PAMT inside its TDMR; then none has a chain against a 1 GiB boundary inside a block that
   * either model leaves out, and {@link #CHAINS} is not named.
   *
   * <p>Why. Let {@code L} beat {@code found}, which gives up no coverable memory (else false). Then
   * {@code L} gives up none either (coverage is ranked first), so with its one TDMR {@code T = [a,
   * b)} all usable memory outside {@code T} is PAMT (OS rule), and {@link OnlyTdmrPlaces} bounds
   * {@code L} from below, for every layout of the family: its remote PAMT by {@link
   * OnlyTdmrPlaces#leastRemoteBytes()} (where ranked: when that is below {@code found}'s, false),
   * so {@code L} has {@code found}'s remote PAMT and at most its PAMT {@code P}; at {@code T}, its
   * remote PAMT by {@link OnlyTdmrPlaces#leastRemoteBytes(int, int)}, its PAMT by the levels of
   * {@code T} and by the memory left out, and at most three stretches are left out. When no place
   * meeting these leaves out less than {@code P} of memory ({@link
   * OnlyTdmrPlaces#roomForPamtInside}), {@code L}'s PAMT is exactly the usable memory outside {@code
   * T}: none lies inside {@code T}. So each run of {@code L}'s PAMT is a maximal range of usable
   * memory outside {@code T}: it ends at an end of a stretch (an atom's end) or at {@code a} or
   * {@code b}, with {@code T} beyond. Where such a boundary lies inside a run of whole GiB, the run
   * of PAMT fills the part of that run outside {@code T}, at the run's end away from {@code T}
   * (both ends outside {@code T} is a TDMR inside the run, {@link #INSIDE_A_RUN}, named apart),
   * wholly and exactly, continuing over the atoms outside {@code T} beyond the run's end: both
   * models hold that fill, padded or not (CP-SAT: in a roomy segment every layout of the kind; in
   * a tight one the fill from the run's end, padded to end exactly at the part's far end; Z3: the
   * run from the run's end up to the split, padded; {@code LeftOutRunEndTest}). What they leave out
   * of chains is a chain crossing a TDMR boundary inside a run with a TDMR on both sides (Z3), a
   * part between two TDMRs filled otherwise (both), a chain running on from the part into a partly
   * filled atom (CP-SAT; every atom outside {@code T} is wholly PAMT in {@code L}, and every atom
   * inside holds none) and a chain not anchored at an atom's end nor at such a fill (Z3): {@code L}
   * has none of them. So the model holds {@code L} as far as chains go, and its proof that nothing
   * it holds beats {@code found} covers {@code L}. {@code OneTdmrChainsTest} derives the places by
   * hand and checks both engines against {@code ExhaustiveSearch}.
   */
  public static boolean noPamtInsideOnlyTdmr(Instance instance, LayoutScore found) {
    if (!instance.moduleFamily() || instance.limits().maxTdmrs() != 1 || found.uncoveredBytes() > instance.deadMemory()) {
      return false;
    }
    OnlyTdmrPlaces places = new OnlyTdmrPlaces(instance);
    OptionalLong remote = OptionalLong.empty();
    if (LayoutScore.ranksRemotePamt(instance.policy())) {
      if (found.remotePamtBytes() > places.leastRemoteBytes()) {
        return false;
      }
      remote = OptionalLong.of(found.remotePamtBytes());
    }
    return !places.roomForPamtInside(found.pamtBytes() / ByteSize.PAGE, remote);
  }

}
