package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.check.RemotePamt;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Cell;
import tdmr.solver.ReservedAreaBounds.Granule;
import tdmr.solver.ReservedAreaBounds.Island;
import tdmr.tdx.Layout;
import tdmr.tdx.PamtRange;
import tdmr.tdx.PageSize;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A module-family layout built the way {@link ReservedAreaBounds} prices a tight reserved-area
 * limit: one TDMR per cell holding memory and TDMRs without memory for the rest, a PAMT level (the
 * largest that fits) padded to fill each of the cheapest islands that must be filled, the other
 * levels at their least size inside a filled island with room (before the level that fills it) or
 * stacked against a hole inside a TDMR (where they join that hole's area). It is a construction, not a search: it
 * may fail or miss the bound, and it claims nothing itself. The frontier uses it as a witness: it
 * passed the validator, so when its PAMT meets the bound it is the price of the limit, proven.
 */
public final class IslandFill {
  /** How a frontier point names a layout it built ({@link FrontierPoint#provers}). */
  public static final String NAME = "island-fill";

  private final Instance instance;
  private final ReservedAreaBounds bounds;

  public IslandFill(Instance instance, ReservedAreaBounds bounds) {
    this.instance = instance;
    this.bounds = bounds;
  }


  /**
   * The cheapest layout the construction gives with at most {@code maxTdmrs} TDMRs and at most
   * {@code maxReserved} areas per TDMR, trying each TDMR count from the cells holding memory up
   * (more TDMRs lend more levels, and cost each level they cannot put into an island); it stops at
   * one that meets {@link ReservedAreaBounds#leastPamtPages}. Under PAMT {@code node-local} only
   * layouts without remote PAMT count. Empty when none is valid.
   */
  public Optional<Layout> cheapest(int maxTdmrs, int maxReserved) {
    if (!bounds.applies()) {
      return Optional.empty();
    }
    long price = bounds.leastPamtPages(maxTdmrs, maxReserved) * ByteSize.PAGE;
    TdxLimits limits = instance.limits().withMaxTdmrs(maxTdmrs).withMaxReservedPerTdmr(maxReserved);
    Optional<Layout> best = Optional.empty();
    for (int k = 1; k <= maxTdmrs; k++) {
      instance.deadline().check();
      Optional<Layout> l = layout(k, maxReserved);
      if (l.isEmpty() || instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && new RemotePamt(instance.map(), limits).bytes(l.get()) > 0) {
        continue;
      }
      if (best.isEmpty() || l.get().pamtBytes() < best.get().pamtBytes()) {
        best = l;
      }
      if (best.get().pamtBytes() == price) {
        break;
      }
    }
    return best;
  }

  /** The construction with exactly {@code tdmrCount} TDMRs, when it gives a valid layout. */
  private Optional<Layout> layout(int tdmrCount, int maxReserved) {
    int maxTdmrs = tdmrCount;
    List<AddressRange> tdmrs = new ArrayList<>();
    for (Cell c : instance.cells()) {
      if (c.holdsMemory()) {
        tdmrs.add(c.range());
      }
    }
    if (tdmrs.size() > maxTdmrs) {
      return Optional.empty();
    }
    for (AddressRange g : instance.memorylessGranules()) {
      if (tdmrs.size() < maxTdmrs) {
        tdmrs.add(g);
      }
    }
    if (tdmrs.size() < maxTdmrs) {
      return Optional.empty();
    }
    tdmrs.sort(Comparator.comparingLong(AddressRange::start));
    // Largest first: each island takes the largest level that fits it, which then costs nothing more.
    List<LevelToPlace> levels = LevelToPlace.largestFirst(instance, tdmrs);
    PamtRange[][] placed = new PamtRange[tdmrs.size()][PageSize.values().length];
    // Each filled island's levels, laid out one after another, the last padded to its end.
    java.util.Map<Atom, List<LevelToPlace>> filled = new java.util.LinkedHashMap<>();
    for (Granule g : bounds.granules()) {
      int needed = g.runs() - maxReserved;
      for (Island island : g.islands()) {
        if (needed <= 0) {
          break;
        }
        if (island.memory().size() != 1) {
          continue;
        }
        Atom a = island.memory().get(0);
        Optional<LevelToPlace> fits = levels.stream().filter(l -> l.pages() <= a.pages()).findFirst();
        if (fits.isPresent()) {
          levels.remove(fits.get());
          filled.put(a, new ArrayList<>(List.of(fits.get())));
          needed--;
        }
      }
    }
    // The levels left go where they cost nothing more: into a filled island with room beside its
    // levels (the roomiest first), else against a hole.
    for (java.util.Iterator<LevelToPlace> it = levels.iterator(); it.hasNext(); ) {
      LevelToPlace l = it.next();
      Optional<Atom> room = filled.keySet().stream()
          .filter(a -> slack(a, filled.get(a)) >= l.pages())
          .max(Comparator.comparingLong(a -> slack(a, filled.get(a))));
      if (room.isPresent()) {
        filled.get(room.get()).add(l);
        it.remove();
      }
    }
    filled.forEach((a, in) -> {
      long at = a.range().start();
      for (int i = 0; i < in.size(); i++) {
        LevelToPlace l = in.get(i);
        long bytes = i == in.size() - 1 ? a.range().end() - at : l.pages() * ByteSize.PAGE;
        placed[l.tdmr()][l.level().ordinal()] = new PamtRange(at, bytes);
        at += bytes;
      }
    });
    if (!stackAgainstHoles(levels, placed, List.copyOf(filled.keySet()))) {
      return Optional.empty();
    }
    Layout layout = LevelToPlace.layout(instance, tdmrs, placed);
    TdxLimits limits = instance.limits().withMaxTdmrs(maxTdmrs).withMaxReservedPerTdmr(maxReserved);
    if (layout.maxReservedPerTdmr() > maxReserved
        || !LayoutVerifier.failures(instance.map(), limits, instance.policy(), layout).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(layout);
  }

  /**
   * Places the levels left, at their least size, one after another in memory atoms that touch a
   * hole inside the same granule and are not filled (so they join that hole's area), the roomiest
   * atom first. False when they do not fit.
   */
  private boolean stackAgainstHoles(List<LevelToPlace> levels, PamtRange[][] placed, List<Atom> filled) {
    List<Atom> atoms = instance.atoms();
    List<long[]> spots = new ArrayList<>();
    for (int i = 0; i < atoms.size(); i++) {
      Atom a = atoms.get(i);
      if (!a.memory() || a.dead() || filled.contains(a)) {
        continue;
      }
      boolean holeBelow = i > 0 && atoms.get(i - 1).cell() == a.cell() && instance.needsReservedArea(atoms.get(i - 1));
      boolean holeAbove = i + 1 < atoms.size() && atoms.get(i + 1).cell() == a.cell() && instance.needsReservedArea(atoms.get(i + 1));
      if (holeBelow) {
        // Grows up from the atom's start: {next free address, end}.
        spots.add(new long[] {a.range().start(), a.range().end(), 1});
      } else if (holeAbove) {
        spots.add(new long[] {a.range().end(), a.range().start(), -1});
      }
    }
    spots.sort(Comparator.comparingLong((long[] s) -> -Math.abs(s[1] - s[0])));
    for (LevelToPlace l : levels) {
      long bytes = l.pages() * ByteSize.PAGE;
      boolean done = false;
      for (long[] s : spots) {
        if (Math.abs(s[1] - s[0]) >= bytes) {
          long base = s[2] > 0 ? s[0] : s[0] - bytes;
          placed[l.tdmr()][l.level().ordinal()] = new PamtRange(base, bytes);
          s[0] += s[2] > 0 ? bytes : -bytes;
          done = true;
          break;
        }
      }
      if (!done) {
        return false;
      }
    }
    return true;
  }

  /** Pages of {@code island} beyond its levels' least sizes. */
  private static long slack(Atom island, List<LevelToPlace> in) {
    return island.pages() - in.stream().mapToLong(LevelToPlace::pages).sum();
  }
}
