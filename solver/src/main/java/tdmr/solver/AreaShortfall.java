package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;

/**
 * Why {@link ReservedAreaBounds} rules out every layout of the module family with at most {@code
 * maxTdmrs} TDMRs and {@code maxReserved} areas per TDMR (coverage {@code all}): the bound's
 * reasoning as data, so that {@code prove} and {@code frontier} can state it in text and JSON.
 */
public sealed interface AreaShortfall {
  /** The TDMR limit ruled out. */
  int maxTdmrs();

  /** The reserved-area limit ruled out (below {@link #leastMaxReserved}). */
  int maxReserved();

  /** The bound: every layout within {@link #maxTdmrs} TDMRs has a TDMR with at least this many areas. */
  int leastMaxReserved();

  /** The reasoning, one sentence each, ending with the conclusion. */
  List<String> sentences();

  /** The reasoning in one line, without a capital or a period (for a note under a table). */
  String summary();

  /**
   * One granule with holes inside that some TDMR must cover: it holds {@code runs} runs of space
   * every TDMR over it must reserve, with {@code islands} islands of TDX memory between them; the
   * TDMR's areas are its runs less the islands filled wholly with PAMT, and the levels of {@code
   * maxTdmrs} TDMRs fill at most {@code fillable} of them together.
   *
   * @param granule the granule (1 GiB)
   * @param runs its runs of must-reserve space (gaps the holes policy reserves, memory outside CMRs)
   * @param islandsFitting islands by how many levels fit them (index {@code j - 1}: exactly the
   *     {@code j} smallest levels of a 1 GiB TDMR fit, by least size)
   * @param levelLeastBytes the least size of each level of a 1 GiB TDMR, ascending
   * @param fillable the most islands the levels of {@code maxTdmrs} TDMRs fill together (one level
   *     each, only an island at least the level's least size)
   * @param memoryStretches the stretches of memory between must-reserve space: leaving the granule
   *     out of every TDMR needs a level in each, more than the TDMRs have
   */
  record Granule(AddressRange granule, int runs, List<Integer> islandsFitting, List<Long> levelLeastBytes,
      int fillable, int memoryStretches, int maxTdmrs, int maxReserved) implements AreaShortfall {
    public Granule {
      islandsFitting = List.copyOf(islandsFitting);
      levelLeastBytes = List.copyOf(levelLeastBytes);
    }

    public int islands() {
      return islandsFitting.stream().mapToInt(Integer::intValue).sum();
    }

    /** PAMT levels of {@code maxTdmrs} TDMRs: one of each size per TDMR. */
    public int levels() {
      return levelLeastBytes.size() * maxTdmrs;
    }

    @Override
    public int leastMaxReserved() {
      return runs - fillable;
    }

    @Override
    public List<String> sentences() {
      List<String> out = new ArrayList<>();
      out.add(("The granule %s holds %s of space that a TDMR over it must reserve (gaps the holes policy"
          + " reserves, memory outside every CMR), with %s of TDX memory between them.").formatted(granule,
          Count.of(runs, "run"), Count.of(islands(), "island")));
      out.add("A TDMR covers whole granules, and its reserved areas are the runs of its reserved space, which under"
          + " coverage all holds no usable memory: a TDMR over the granule has one area per run, less one per island"
          + " filled wholly with PAMT.");
      out.add(("A PAMT level is contiguous, so it fills at most one island, and only one at least its least size"
          + " (%s); %s have %d of each size, and of these islands %s: together they fill at most %d.").formatted(
          leastSizes(), Count.of(maxTdmrs, "TDMR"), maxTdmrs, fitting(), fillable));
      out.add(("It cannot be left out of every TDMR: its memory lies in %d stretches between such space, each"
          + " of which would have to be filled with a PAMT level, and %s have %s.").formatted(memoryStretches,
          Count.of(maxTdmrs, "TDMR"), Count.of(levels(), "level")));
      out.add(("So some TDMR has at least %d - %d = %d reserved areas, more than %d.").formatted(runs, fillable,
          leastMaxReserved(), maxReserved));
      return out;
    }

    private String leastSizes() {
      List<String> sizes = new ArrayList<>();
      for (int j = 0; j < levelLeastBytes.size(); j++) {
        sizes.add(ByteSize.human(levelLeastBytes.get(j)));
      }
      return String.join(", ", sizes) + " for a 1 GiB TDMR";
    }

    private String fitting() {
      List<String> parts = new ArrayList<>();
      int sizes = islandsFitting.size();
      for (int j = 0; j < sizes; j++) {
        int count = islandsFitting.get(j);
        if (count == 0) {
          continue;
        }
        String which = j == sizes - 1 ? "every size" : j == 0 ? "only the smallest size" : "only the %d smallest".formatted(j + 1);
        parts.add("%d fit%s %s".formatted(count, count == 1 ? "s" : "", which));
      }
      return String.join(", ", parts);
    }

    @Override
    public String summary() {
      return ("the granule %s holds %s of space to reserve and %s; the %d PAMT levels of %s fill at most %d"
          + " of them, and cannot fill all %d stretches of its memory to leave it out: %d areas at least").formatted(
          granule, Count.of(runs, "run"), Count.of(islands(), "island"), levels(), Count.of(maxTdmrs, "TDMR"),
          fillable, memoryStretches, leastMaxReserved());
    }
  }

  /**
   * The granules with runs counted together ({@link ReservedAreaBounds}, "Summed over granules"):
   * they hold {@code runs} runs in {@code granules} granules, and the {@code levels} PAMT levels of
   * {@code maxTdmrs} TDMRs fill at most that many islands between them, so the TDMRs over them have
   * more areas than {@code maxReserved} each can hold.
   *
   * @param runs the runs of must-reserve space of all granules that hold any, summed
   * @param granules how many granules hold runs (and TDX memory)
   * @param levels PAMT levels of {@code maxTdmrs} TDMRs
   * @param joinable how many areas the granules may save without a level of their own: pairs of
   *     consecutive such granules with no TDX memory between their runs, which one area may join,
   *     and granules with runs at both ends that can be left out of every TDMR (their memory
   *     filled with one level fewer than they have runs); at most {@code granules}
   */
  record Granules(int runs, int granules, int levels, int maxTdmrs, int maxReserved, int joinable)
      implements AreaShortfall {
    /** TDMRs that can hold such a granule: at most one per granule, at most {@code maxTdmrs}. */
    public int tdmrsOverThem() {
      return Math.min(maxTdmrs, granules);
    }

    /**
     * The least areas of the TDMRs over these granules together: {@code runs - granules - levels +
     * max(t, granules - joinable)} with {@code t} {@link #tdmrsOverThem} ({@link ReservedAreaBounds}
     * argues it).
     */
    public int areasTogether() {
      return runs - granules - levels + Math.max(tdmrsOverThem(), granules - joinable);
    }

    @Override
    public int leastMaxReserved() {
      int t = tdmrsOverThem();
      return (areasTogether() + t - 1) / t;
    }

    @Override
    public List<String> sentences() {
      List<String> out = new ArrayList<>();
      out.add(("%s hold %s of space that a TDMR over them must reserve (gaps the holes policy reserves, memory"
          + " outside every CMR), %d more than one per granule.").formatted(Count.of(granules, "granule"),
          Count.of(runs, "run"), runs - granules));
      out.add("Two runs of a granule lie in one reserved area only when the island of TDX memory between them is"
          + " filled wholly with PAMT (under coverage all an area holds no usable memory), and a granule left out"
          + " of every TDMR has all its islands filled.");
      out.add(("A PAMT level is contiguous, so it fills at most one island; %s have %s.").formatted(
          Count.of(maxTdmrs, "TDMR"), Count.of(levels, "level")));
      out.add(("An area reaches from one of these granules into the next at most once, and without a level of its"
          + " own only where no TDX memory lies between their runs or by leaving out a granule with runs at both"
          + " ends (%d such, at most), so the t TDMRs over them (t at most %d) have at least %d - %d - %d +"
          + " max(t, %d - %d) areas together.").formatted(joinable, tdmrsOverThem(), runs, granules, levels,
          granules, joinable));
      out.add(("So some TDMR has at least ceil(%d / %d) = %d reserved areas, more than %d.").formatted(
          areasTogether(), tdmrsOverThem(), leastMaxReserved(), maxReserved));
      return out;
    }

    @Override
    public String summary() {
      return ("%s hold %s of space to reserve; the %d PAMT levels of %s fill at most %d of the islands between"
          + " them: %d areas at least").formatted(Count.of(granules, "granule"), Count.of(runs, "run"), levels,
          Count.of(maxTdmrs, "TDMR"), levels, leastMaxReserved());
    }
  }

  /**
   * Under holes {@code memlist} every granule of the window holds space that must be reserved, so
   * every TDMR has an area (one beyond the memory is all gap), and every layout has a TDMR: no
   * layout has 0 areas per TDMR.
   */
  record EveryTdmrReserves(int maxTdmrs) implements AreaShortfall {
    @Override
    public int maxReserved() {
      return 0;
    }

    @Override
    public int leastMaxReserved() {
      return 1;
    }

    @Override
    public List<String> sentences() {
      return List.of("Every granule that holds TDX memory or lies between such granules also holds space that"
          + " must be reserved (a gap under holes memlist, or memory outside every CMR), and a TDMR beyond the"
          + " memory is all gap: every TDMR has a reserved area, and every layout has a TDMR, so none has 0"
          + " reserved areas per TDMR.");
    }

    @Override
    public String summary() {
      return "every granule of the memory holds a gap or memory outside the CMRs to reserve: 1 area at least";
    }
  }
}
