package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import tdmr.mem.ByteSize;
import tdmr.solver.Instance.Atom;
import tdmr.tdx.Policy;

/**
 * A lower bound on the reserved areas of all TDMRs together, for the module family ({@link
 * Policy.Family#MODULE}) under coverage {@code all}, given the PAMT pages {@code P} of the layout
 * (the tier fixed before the areas tier): {@link #leastAreas}. Solver-neutral; an engine adds it to
 * its reserved-areas tier, so that a layout meeting it is proven least without a search.
 *
 * <h2>Runs and islands</h2>
 *
 * Walk the atoms of the window in address order. An atom is <em>usable</em> (convertible TDX
 * memory), <em>must-reserve</em> (a gap that {@link Instance#mustReserve}, or memory outside every
 * CMR) or <em>optional</em> (a convertible gap under holes {@code cmr}). A <em>run</em> is a
 * maximal sequence of atoms none of them usable that holds a must-reserve atom; {@code [s, e)}
 * spans its first to its last must-reserve atom. An <em>island</em> is the stretch between two
 * consecutive runs, and its capacity is the pages of its usable memory (at least one usable atom
 * lies between two runs, else they would be one). A run's <em>escape set</em> {@code E(R)} is the
 * granule holding {@code s} when {@code s} is not on a 1 GiB boundary and the granule holding
 * {@code e - 1} when {@code e} is not: granules with an atom edge inside, each holding {@code M_g}
 * pages of usable memory. {@code N} counts the runs with a non-empty escape set.
 *
 * <h2>Why every layout with {@code P} pages of PAMT has at least {@code N - U} areas</h2>
 *
 * Under coverage {@code all} every page of usable memory lies in a TDMR outside its reserved areas
 * or is PAMT (a TDMR's reserved area holds no memory but PAMT; memory outside every TDMR must be
 * filled with PAMT). Take a counted run {@code R}. Either some TDMR contains one of its must-reserve
 * atoms, which then lies in a reserved area of that TDMR; or none does, and then no TDMR holds the
 * byte {@code s} nor {@code e - 1} (each lies in a must-reserve atom), so the granules of {@code
 * E(R)} are covered by no TDMR (a TDMR covers whole granules) and their usable memory is all PAMT:
 * {@code R} <em>escapes</em> through the set {@code L} of granules left out of every TDMR. Map each
 * run that does not escape to the area holding the first of its must-reserve atoms that a TDMR
 * contains. Two runs mapped to one area lie in one TDMR with all between them reserved, so every
 * island between them is all PAMT inside that TDMR (<em>filled</em>). So the areas number at least
 * {@code N - esc(L) - |F|}, with {@code F} the filled islands. Filled islands lie inside TDMRs and
 * left-out granules outside all of them, and PAMT ranges are disjoint, so {@code sum_{g in L} M_g +
 * sum_{I in F} cap(I) <= P}. A run escapes only when its escape set lies in {@code L}, so {@code
 * esc(L) <= sum_{g in L} v(g)} with {@code v(g)} the counted runs whose escape set holds {@code g}.
 * {@code U} is the floor of the best fractional knapsack with items the granules (weight {@code
 * M_g}, value {@code v(g)}) and the islands (weight their capacity, value 1) within {@code P}: at
 * least the best integral choice, hence at least {@code esc(L) + |F|} of every layout.
 *
 * <p>On canonical/tdx#381 (4 TDMRs at the least PAMT, 757 MiB) the runs around the low CMR and
 * the hole at the top of the CMR above 4 GiB cannot escape (each granule holds more than 757 MiB
 * of memory) nor merge (the island between the first two holds 1 911 MiB), so every layout has at
 * least 3 areas, which the layout found has.
 */
public final class AreaCountBound {
  private final boolean applies;
  /** Per counted run: the cells of its escape set (one or two). */
  private final List<List<Integer>> escapeSets = new ArrayList<>();
  /** Usable pages per cell index of an escape set. */
  private final TreeMap<Integer, Long> granulePages = new TreeMap<>();
  /** Capacities of the islands between consecutive runs. */
  private final List<Long> islands = new ArrayList<>();

  public AreaCountBound(Instance instance) {
    boolean contiguous = true;
    List<Atom> atoms = instance.atoms();
    for (int i = 0; i + 1 < atoms.size(); i++) {
      contiguous &= atoms.get(i).range().end() == atoms.get(i + 1).range().start();
    }
    this.applies = instance.moduleFamily() && instance.policy().coverage() == Policy.Coverage.ALL
        && instance.impossibilities().isEmpty() && contiguous;
    if (!applies) {
      return;
    }
    long island = 0;
    boolean seenRun = false;
    int i = 0;
    while (i < atoms.size()) {
      Atom a = atoms.get(i);
      if (usable(a)) {
        island += a.pages();
        i++;
        continue;
      }
      // A maximal sequence of atoms that are not usable: a run when it holds a must-reserve atom.
      int first = -1;
      int last = -1;
      int j = i;
      while (j < atoms.size() && !usable(atoms.get(j))) {
        if (mustReserve(instance, atoms.get(j))) {
          if (first < 0) {
            first = j;
          }
          last = j;
        }
        j++;
      }
      if (first >= 0) {
        if (seenRun) {
          islands.add(island);
        }
        seenRun = true;
        island = 0;
        run(instance, atoms.get(first).range().start(), atoms.get(last).range().end(), atoms.get(first).cell(),
            atoms.get(last).cell());
      }
      i = j;
    }
  }

  private void run(Instance instance, long s, long e, int firstCell, int lastCell) {
    List<Integer> escape = new ArrayList<>();
    if (s % ByteSize.GiB != 0) {
      escape.add(firstCell);
    }
    if (e % ByteSize.GiB != 0 && !escape.contains(lastCell)) {
      escape.add(lastCell);
    }
    if (escape.isEmpty()) {
      return;
    }
    for (int c : escape) {
      granulePages.computeIfAbsent(c, k -> usablePages(instance, k));
    }
    escapeSets.add(List.copyOf(escape));
  }

  private static long usablePages(Instance instance, int cell) {
    Instance.Cell c = instance.cells().get(cell);
    long pages = 0;
    for (int i = c.firstAtom(); i < c.endAtom(); i++) {
      Atom a = instance.atoms().get(i);
      if (usable(a)) {
        pages += a.pages();
      }
    }
    return pages;
  }

  private static boolean usable(Atom a) {
    return a.memory() && !a.dead();
  }

  private static boolean mustReserve(Instance instance, Atom a) {
    return a.memory() ? a.dead() : instance.mustReserve(a);
  }

  /**
   * A lower bound on the reserved areas, summed over all TDMRs, of every layout of the module
   * family that has {@code pamtPages} pages of PAMT (0 when nothing is known).
   */
  public long leastAreas(long pamtPages) {
    if (!applies || escapeSets.isEmpty()) {
      return 0;
    }
    record Item(long weight, long value) {}
    List<Item> items = new ArrayList<>();
    for (var e : granulePages.entrySet()) {
      long value = escapeSets.stream().filter(set -> set.contains(e.getKey())).count();
      items.add(new Item(e.getValue(), value));
    }
    for (long cap : islands) {
      items.add(new Item(cap, 1));
    }
    // Best value per page first (weightless items first of all).
    items.sort(Comparator.comparing((Item it) -> it.weight() == 0 ? 0 : 1)
        .thenComparing((x, y) -> Long.compare(y.value() * x.weight(), x.value() * y.weight())));
    long room = pamtPages;
    long most = 0;
    for (Item it : items) {
      if (it.weight() <= room) {
        room -= it.weight();
        most += it.value();
      } else {
        // The fraction of the first item that does not fit, rounded down; nothing after it counts more.
        most += Math.multiplyHigh(room, it.value()) == 0 ? room * it.value() / it.weight() : it.value();
        break;
      }
    }
    return Math.max(0, escapeSets.size() - most);
  }

  @Override
  public String toString() {
    return "AreaCountBound(escape sets %s, granule pages %s, islands %s)".formatted(escapeSets, granulePages, islands);
  }
}
