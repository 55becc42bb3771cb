package tdmr.solver;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;

/**
 * Whether an optimum within a limit of one TDMR meets, in every ranked tier, a lower bound derived
 * for every layout of the module family ({@link #meetsBounds}); then no layout beats it, whatever
 * a model leaves out, and a claim about it names no restriction. It completes {@link
 * ModuleFamilyRestrictions#meetsFamilyBounds} at one TDMR, where the bounds of {@link TierBounds}
 * know neither the places of the only TDMR ({@link OnlyTdmrPlaces}) nor the area its PAMT costs
 * when a level must reach into it.
 *
 * <h2>The tiers</h2>
 *
 * Let {@code L} beat the optimum {@code found}, under coverage {@code all} (so {@code L} covers all
 * coverable memory) with its one TDMR {@code T = [a, b)}. Remote PAMT (where ranked): at least
 * {@link OnlyTdmrPlaces#leastRemoteBytes()}; so when {@code found} has that much, {@code L} has the
 * same and at most {@code found}'s PAMT {@code P}. PAMT: at {@code T}, at least the memory {@code T}
 * leaves out and its levels ({@link OnlyTdmrPlaces}); when no place within that remote PAMT allows
 * less than {@code P} ({@link OnlyTdmrPlaces#places} lists none below it, and a TDMR without memory,
 * all memory PAMT, needs more), {@code L} has exactly {@code P} at one of the places listed at
 * {@code P}, and beats {@code found} only with fewer reserved areas. TDMRs: one (memory needs a
 * TDMR). Reserved areas: at each place, at least {@link FixedTdmrsAreaBound} (areas holding the runs
 * of gaps {@code T} must reserve, less the islands its levels can fill between them), plus one for
 * each end of {@code T} where a level must reach into {@code T} from outside and cannot reach a
 * gap ({@link #reachingIn}). When every place has at least {@code found}'s areas, nothing beats it.
 *
 * <h2>A level reaching into the TDMR</h2>
 *
 * Say {@code b} lies strictly inside a stretch of usable memory {@code [s, e)} (its memory continues
 * across the TDMR's end). The memory {@code O = [b, e)} is outside {@code T}, so all PAMT, and each
 * level is one range of usable memory (rules D6, O2), so a level covering part of {@code O} lies in
 * {@code [s, e)}. If none reaches below {@code b}, {@code O} is exactly a set of whole levels: their
 * least sizes sum to at most {@code |O|}, and their padding, at most {@code P} less the least sizes
 * of all three levels, makes up the rest. When no set of levels can ({@code slack} below), some
 * level reaches below {@code b}: PAMT inside {@code T} against {@code b}. All PAMT outside {@code T}
 * is exactly the memory left out (PAMT lies only in usable memory), so inside {@code T} lies {@code P}
 * less that memory. The reserved area holding the level's part below {@code b} is PAMT down to the
 * nearest gap or memory outside CMRs (within a stretch nothing else can be reserved), so when that
 * is more than the PAMT inside {@code T}, the area holds no run: it is not among those {@link
 * FixedTdmrsAreaBound} counts. The same at {@code a}, upwards; the two areas are distinct, as
 * together they would span {@code T}'s memory between them. On tdx#285 at one TDMR: {@code T = [0,
 * 257 GiB)}, {@code O} the 0.75 GiB of the last block above it, the levels 1 028 MiB, 2 MiB + 8 KiB
 * and 8 KiB with no padding (the PAMT is their least): the 4K level reaches 260 MiB into the block,
 * 127 GiB from its gap: 3 runs and 1 such area, the optimum's 4. {@code OnlyTdmrOptimumTest} derives
 * small cases by hand and checks both engines against {@code ExhaustiveSearch}.
 */
public final class OnlyTdmrOptimum {
  private final Instance instance;
  private final OnlyTdmrPlaces places;

  public OnlyTdmrOptimum(Instance instance) {
    this.instance = instance;
    this.places = new OnlyTdmrPlaces(instance);
  }

  /** Whether {@code found} meets a bound of the whole family in every tier, at one TDMR (class comment). */
  public boolean meetsBounds(LayoutScore found) {
    if (!instance.moduleFamily() || instance.limits().maxTdmrs() != 1 || found.tdmrs() != 1
        || instance.policy().coverage() != Policy.Coverage.ALL || found.uncoveredBytes() > instance.deadMemory()
        || !instance.impossibilities().isEmpty()) {
      return false;
    }
    OptionalLong remote = OptionalLong.empty();
    boolean local = false;
    if (LayoutScore.ranksRemotePamt(instance.policy())) {
      if (found.remotePamtBytes() > places.leastRemoteBytes()) {
        return false;
      }
      remote = OptionalLong.of(found.remotePamtBytes());
      local = found.remotePamtBytes() == 0;
    }
    long pamt = found.pamtBytes() / ByteSize.PAGE;
    Optional<List<OnlyTdmrPlaces.Place>> below = places.places(pamt - 1, remote);
    if (below.isEmpty() || !below.get().isEmpty() || places.memorylessFits(pamt)) {
      return false;
    }
    Optional<List<OnlyTdmrPlaces.Place>> at = places.placesInWindow(pamt, remote);
    if (at.isEmpty()) {
      return false;
    }
    for (OnlyTdmrPlaces.Place place : at.get()) {
      AddressRange t = place.tdmr();
      long areas = new FixedTdmrsAreaBound(instance, List.of(t), local).leastAreas(pamt) + reachingIn(t, pamt);
      if (areas < found.reservedAreas()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The ends of TDMR {@code t} where, in every layout with {@code pamtPages} of PAMT and {@code t}
   * its only TDMR, a level reaches into {@code t} from the memory left out beyond and its reserved
   * area holds no gap (class comment): 0, 1 or 2.
   */
  long reachingIn(AddressRange t, long pamtPages) {
    long inside = pamtPages - places.leftOutPages(t);
    long least = instance.levelsPages(t.size() / ByteSize.GiB);
    long slack = pamtPages - least;
    if (inside <= 0 || slack < 0) {
      return 0;
    }
    long[] levels = instance.pieceLevels().stream()
        .mapToLong(l -> instance.levelPages(t.size() / ByteSize.GiB, l)).toArray();
    long ends = 0;
    for (AddressRange s : instance.islands()) {
      // The end b inside the stretch: O = [b, e), the area reaches down towards max(s, a).
      if (s.start() < t.end() && t.end() < s.end()) {
        long outside = (s.end() - t.end()) / ByteSize.PAGE;
        long room = (t.end() - Math.max(s.start(), t.start())) / ByteSize.PAGE;
        if (!TdmrSetsAtPamt.fills(levels, levels.length, slack, outside) && inside < room) {
          ends++;
        }
      }
      // The base a inside the stretch: O = [s, a), the area reaches up towards min(e, b).
      if (s.start() < t.start() && t.start() < s.end()) {
        long outside = (t.start() - s.start()) / ByteSize.PAGE;
        long room = (Math.min(s.end(), t.end()) - t.start()) / ByteSize.PAGE;
        if (!TdmrSetsAtPamt.fills(levels, levels.length, slack, outside) && inside < room) {
          ends++;
        }
      }
    }
    return ends;
  }
}
