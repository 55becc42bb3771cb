package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tdmr.solver.Instance.Atom;
import tdmr.tdx.PageSize;

/**
 * The exact-fill bound: per node, the least PAMT pages that layouts without remote PAMT and without
 * TDMRs without memory need when memory left out of every TDMR must be filled exactly by levels. It
 * is a lower bound on the PAMT pages <em>lying on</em> node X, so {@link TierBounds} adds the larger
 * of it and {@link ModuleFamilyBounds#leastPamtPagesPerNode}'s term over the nodes, and takes the
 * smaller of that sum and {@link ModuleFamilyBounds#leastPamtPagesWithMemoryless} (the layouts with a
 * TDMR without memory, whose levels have at least those of a 1 GiB TDMR).
 *
 * <h2>The setting</h2>
 *
 * No coverable memory is given up, no remote PAMT (PAMT {@code node-local}), no TDMR without memory,
 * every memory granule (1 GiB granule holding coverable memory) holds memory of one node, and the
 * levels are two whole ones ({@code W} and {@code V} pages per GiB, {@code W ≥ V}: the 4K and 2M
 * levels, 1 024 and 2 with 16-byte entries) and one rounded one ({@code ceil(N·p / 4096)} pages for
 * an N GiB TDMR: the 1G level, one page up to 256 GiB). A TDMR <em>of node X</em> covers memory of X
 * (outside its reserved areas); without remote PAMT it covers no other node's memory and its levels
 * lie on X. A <em>stretch</em> is a maximal run of contiguous coverable memory; a level lies inside
 * one (it lies in contiguous TDX memory).
 *
 * <h2>The bound for one set {@code U} of granules left out</h2>
 *
 * Let {@code U} be the memory granules of X that no TDMR of X overlaps and {@code C} the others, so
 * X's TDMRs have {@code G ≥ |C|} GiB. The memory of {@code U} lies outside every TDMR (a TDMR
 * covering it would be one of X's), so it is all PAMT on X: (d) at least its pages {@code M(U)}. A
 * stretch {@code σ} of X whose granules all lie in {@code U} is <em>rigid</em>: all of it is PAMT,
 * and every level meeting it lies inside it; those levels are X's TDMRs' (node-local), so σ is
 * filled exactly by some of their levels and padding. Let {@code A_σ} be the GiB of the TDMRs whose
 * W-level lies in σ ({@code W·A_σ ≤ |σ|}, and the {@code A_σ} add up to at most G).
 *
 * <p>(b) <b>The remainders.</b> The PAMT on X is {@code W·G} pages of unpadded W-levels plus the rest
 * (W-level padding, V- and rounded levels), and the rest has at least the V- and rounded levels,
 * {@code V·G + Z} ({@code Z} the rounded pages), and at least the pages of the rigid stretches that
 * unpadded W-levels do not fill, {@code Σ|σ| - W·Σ A_σ ≥ R(G) = Σ|σ| - W·min(G, Σ floor(|σ| / W))}.
 * So {@code PAMT_X ≥ b(G, Z) = W·G + max(R(G), V·G + Z)}, which does not fall as G grows. Z is at
 * least {@code ceil(|C|·p / 4096)}.
 *
 * <p>(c) <b>Exact fills.</b> When {@code G = |C|}, X's TDMRs overlap exactly the granules of C, each
 * lying in a <em>part</em> (a maximal run of adjacent granules of C) and the TDMRs of a part cover
 * it; a part of m GiB has at least {@code z(m) = max(ceil(m·p / 4096), ceil(m / largest))} rounded
 * pages. The PAMT on X is then {@code (W + V)·G + Z + Σ pad_σ} (padding outside rigid stretches only
 * adds). Let {@code B_σ} be the GiB of the TDMRs whose V-level lies in σ, {@code r_σ = |σ| - W·A_σ
 * - V·B_σ ≥ 0}; σ's rounded levels {@code C_σ ≤ r_σ} and its padding make up {@code r_σ}, so {@code
 * Z + Σ pad_σ = Z + Σ r_σ - Σ C_σ ≥ max(Σ r_σ, Z)}. Group X's TDMRs by part and by where their W- and
 * V-levels lie (a rigid stretch or elsewhere): a <em>table</em> of group sizes whose part sums are
 * the parts' GiB, whose sums per W-destination are the {@code A_σ} (and the rest) and per
 * V-destination the {@code B_σ} (and the rest); a group of s GiB has at least {@code z(s)} rounded
 * pages ({@code ceil} is subadditive), so {@code Z ≥ Σ z(s)} over the table. Hence {@code PAMT_X ≥
 * (W + V)·|C| + min max(Σ r_σ, Σ z(s))} over every choice of the {@code A_σ, B_σ} and every table
 * with those sums. The minimum is searched value by value from the parts' least rounded pages: a
 * value is ruled out when no choice has {@code Σ r_σ} within it and no table on at most that many
 * cells (each has {@code z ≥ 1}) has {@code Σ z} within it ({@link #MOST_SLACK} values above the
 * least at most, {@link #MOST_STEPS} steps; past either it stops at the value reached, every smaller
 * one ruled out). It is taken only below {@code b(|C| + 1, ·)}, which bounds every layout with
 * {@code G > |C|}.
 *
 * <p>(e) <b>Islands the area limit forces filled</b> (holes {@code memlist}). A TDMR's holes are the
 * maximal runs of its address space outside every stretch; with at most {@code A} areas a TDMR of
 * {@code h} holes reserves, whole, at least {@code h - A} <em>islands</em> (stretches between two of
 * its holes): an area holding {@code j} holes holds the {@code j - 1} islands between them, so the
 * areas are at least the holes less the islands held whole. An island held whole is PAMT on X, all of
 * it, and every level meeting it lies inside it: filled exactly, its unpadded W-levels give a
 * multiple of W, so its V- and rounded levels and padding are at least {@code |φ| mod W}. A granule g
 * of C has {@code h_g} runs of its space outside every stretch, each in a different hole of the TDMR
 * over g; a TDMR over the granules Γ of C with {@code h_g > A} has at least {@code Σ_Γ h_g - (|Γ| -
 * 1)} holes (listed in address order, a hole meets two of them only as the last of one and the first
 * of the next), so, with {@code A ≥ 1}, at least {@code Σ_Γ (h_g - A) + (|Γ| - 1)·(A - 1) ≥ Σ_Γ (h_g -
 * A)} islands held whole. Summed over X's TDMRs (each island is one TDMR's, of X's stretches inside
 * the granules of C, not rigid): at least {@code k = Σ_C max(0, h_g - A)} of X's stretches inside C
 * are filled, and their V- and rounded levels and padding are at least {@code F}, the sum of the
 * {@code k} least {@code |φ| mod W} over those stretches, besides those of the rigid stretches: (b)
 * becomes {@code W·G + max(R(G) + F, V·G + Z)}. A stretch held whole has all its pages as PAMT on X,
 * so for a threshold t, either a stretch of t pages or more is filled ({@code PAMT_X ≥ t}) or only
 * the smaller ones are ({@code F(t)} over those, or no layout when fewer than {@code k} are): {@code
 * LB(U)} is the largest of {@code min(t, LB_F(t)(U))} over the thresholds t. Example: node 0 of seed
 * 1's fragmented-20 host, granule 1 with 21 runs of holes and the other granules with at most 1 (16
 * areas): {@code k = 5}, the stretches' least remainders 1, 48, 57, 74 and 86 pages (the 62 GiB
 * stretch of remainder 0 is above the bound), so {@code PAMT_X ≥ 1 024·64 + 266 = 65 802} pages,
 * where (b) alone gave {@code 1 024·64 + 2·64 + 1 = 65 665}.
 *
 * <p>So {@code PAMT_X ≥ LB(U) = max(M(U), min(max(b(|C|, Z_0), c), b(|C| + 1, ceil((|C| + 1)·p /
 * 4096))))}, {@code Z_0} the parts' least rounded pages. A layout leaving out a granule of more than
 * {@code B_X} pages ({@code B_X} the bound of covering every granule of X, (b) with {@code U} empty)
 * has more PAMT on X than {@code B_X}; so the node's bound is the least {@code LB(U)} over the sets
 * {@code U} of the granules of at most {@code B_X} pages (at most {@link #MOST_SMALL_GRANULES} of them;
 * with more the node gets no bound here), or that larger granule's pages.
 *
 * <p>Example: node 0 of the sweep's realistic-2s2n-512GiB-1i, an island of 486 072 = 1 024·474 + 696
 * pages in granules 0 and 1 and the run [4G, 514G). Leaving both out, {@code |C| = 510}, {@code b =
 * 523 262}; the island needs {@code A = 474} (473 leaves 1 720 pages for at most 1 020 + Z), and
 * {@code B = 348 - j} with {@code r = 2j}. The table's W-sums are 474 and 36, its V-sums {@code 348
 * - j} and {@code 162 + j}: no group sum is shared, so it has at least three cells, and the cell of
 * W and V in the island has at least {@code 474 - 162 - j ≥ 312 - j} GiB, two rounded pages for
 * {@code j < 56}; so {@code Σ z ≥ 4} and the bound is {@code 523 260 + 4}, what {@link
 * LeftOutIslands} builds. On realistic-2s1n-512GiB-3i (islands of 412 552, 7 204 and 16 154 pages)
 * (b) alone gives {@code 1 024·510 + 904 + 36 + 794 = 523 974}.
 */
final class ExactFillBound {
  /** The most granules small enough to be left out per node whose subsets are tried. */
  static final int MOST_SMALL_GRANULES = 4;
  /** The most values above the parts' least rounded pages the exact-fill search rules out. */
  static final int MOST_SLACK = 48;
  /** The most rigid stretches and parts the exact-fill search takes (its tables grow with both). */
  static final int MOST_STRETCHES = 3;
  static final int MOST_PARTS = 3;
  /** The most search steps per node and set left out. */
  static final long MOST_STEPS = 100_000;
  /** The most search steps of {@link #leastFill} (a construction asks it a few times per map). */
  static final long MOST_BUILD_STEPS = 500_000;

  private final Instance instance;
  /** Pages per GiB of the two whole levels, the larger first; 0 when the levels are of another shape. */
  private final long w;
  private final long v;
  /** Bytes per GiB of the rounded level. */
  private final long roundedPerGiB;

  ExactFillBound(Instance instance) {
    this.instance = instance;
    List<Long> whole = new ArrayList<>();
    long rounded = -1;
    int roundedLevels = 0;
    for (PageSize level : PageSize.values()) {
      long p = instance.perGiBBytes(level);
      if (p % 4096 == 0) {
        whole.add(p / 4096);
      } else {
        rounded = p;
        roundedLevels++;
      }
    }
    whole.sort(java.util.Comparator.reverseOrder());
    boolean shaped = whole.size() == 2 && roundedLevels == 1 && whole.get(1) > 0;
    this.w = shaped ? whole.get(0) : 0;
    this.v = shaped ? whole.get(1) : 0;
    this.roundedPerGiB = shaped ? rounded : 0;
  }

  /** A stretch of contiguous coverable memory, in pages {@code [start, end)}, and its node (-1: several). */
  private record Stretch(long start, long end, int node) {
    long pages() {
      return end - start;
    }

    long firstGranule() {
      return start / Instance.GIB_PAGES;
    }

    long lastGranule() {
      return (end - 1) / Instance.GIB_PAGES;
    }
  }

  /**
   * Per node, a lower bound on the PAMT pages lying on it for every layout of the setting (class
   * comment); a node without one is absent. Empty outside the setting's shape (module family, PAMT
   * {@code node-local}, granules of one node, two whole levels and one rounded).
   */
  Map<Integer, Long> leastPamtPagesPerNode() {
    if (w == 0 || !instance.moduleFamily()
        || instance.policy().pamt() != tdmr.tdx.Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return Map.of();
    }
    List<Stretch> stretches = new ArrayList<>();
    TreeMap<Integer, TreeMap<Long, Long>> granules = new TreeMap<>();
    TreeMap<Long, Integer> granuleNode = new TreeMap<>();
    for (Atom a : instance.atoms()) {
      if (!a.usable()) {
        continue;
      }
      long start = a.range().start() / 4096;
      long end = a.range().end() / 4096;
      Stretch last = stretches.isEmpty() ? null : stretches.get(stretches.size() - 1);
      if (last != null && last.end() == start) {
        stretches.set(stretches.size() - 1, new Stretch(last.start(), end, last.node() == a.node() ? a.node() : -1));
      } else {
        stretches.add(new Stretch(start, end, a.node()));
      }
      for (long g = start / Instance.GIB_PAGES; g <= (end - 1) / Instance.GIB_PAGES; g++) {
        long pages = Math.min(end, (g + 1) * Instance.GIB_PAGES) - Math.max(start, g * Instance.GIB_PAGES);
        if (granuleNode.getOrDefault(g, a.node()) != a.node()) {
          return Map.of();
        }
        granuleNode.put(g, a.node());
        granules.computeIfAbsent(a.node(), n -> new TreeMap<>()).merge(g, pages, Long::sum);
      }
    }
    TreeMap<Integer, Long> out = new TreeMap<>();
    for (Map.Entry<Integer, TreeMap<Long, Long>> e : granules.entrySet()) {
      int node = e.getKey();
      List<Stretch> own = stretches.stream().filter(s -> s.node() == node).toList();
      onNode(e.getValue(), own, stretches).ifPresent(pages -> out.put(node, pages));
    }
    return out;
  }

  /** The node's bound (class comment, last paragraph), from its granules' memory and its stretches. */
  private java.util.OptionalLong onNode(TreeMap<Long, Long> memory, List<Stretch> stretches, List<Stretch> all) {
    List<Long> small = new ArrayList<>();
    List<Long> full = new ArrayList<>();
    for (Map.Entry<Long, Long> g : memory.entrySet()) {
      if (g.getValue() < Instance.GIB_PAGES) {
        small.add(g.getKey());
      } else {
        full.add(g.getValue());
      }
    }
    if (small.size() > MOST_SMALL_GRANULES) {
      return java.util.OptionalLong.empty();
    }
    java.util.Collections.sort(full);
    long best = Long.MAX_VALUE;
    for (int mask = 0; mask < 1 << small.size(); mask++) {
      instance.deadline().check();
      List<Long> leftOut = new ArrayList<>();
      long leftOutPages = 0;
      for (int i = 0; i < small.size(); i++) {
        if ((mask >> i & 1) == 1) {
          leftOut.add(small.get(i));
          leftOutPages += memory.get(small.get(i));
        }
      }
      best = Math.min(best, leastLeavingOut(memory, leftOut, stretches, all));
      best = Math.min(best, leavingOutFull(memory.size() - leftOut.size(), leftOutPages, full, best));
    }
    return java.util.OptionalLong.of(best);
  }

  /**
   * The least PAMT on the node of layouts that leave out, besides the small granules of {@code
   * leftOutPages} pages, {@code k ≥ 1} full ones: {@code max(M(U), (W + V)·G + ceil(G·p / 4096))} with
   * {@code G ≥ rest - k} (the other granules are covered) and {@code M(U)} at least the small ones'
   * pages and the {@code k} smallest full ones'; {@code enough} once every larger {@code k} is past it.
   */
  private long leavingOutFull(long rest, long leftOutPages, List<Long> full, long enough) {
    long least = Long.MAX_VALUE;
    long pages = leftOutPages;
    for (int k = 1; k <= full.size(); k++) {
      pages += full.get(k - 1);
      if (pages >= Math.min(least, enough)) {
        break;
      }
      long giB = rest - k;
      long levels = giB <= 0 ? 0 : (w + v) * giB + ceilPages(giB);
      least = Math.min(least, Math.max(pages, levels));
    }
    return Math.min(least, Math.max(pages, enough));
  }

  /**
   * {@code LB(U)} (class comment) for {@code U} = {@code leftOut}, raised by the islands the area
   * limit forces to be filled ((e)): the largest of {@code min(LB_F(t), t)} over the thresholds t.
   */
  private long leastLeavingOut(TreeMap<Long, Long> memory, List<Long> leftOut, List<Stretch> stretches,
      List<Stretch> all) {
    long leftOutPages = 0;
    for (long g : leftOut) {
      leftOutPages += memory.get(g);
    }
    List<Long> parts = new ArrayList<>();
    long previous = Long.MIN_VALUE;
    for (long g : memory.keySet()) {
      if (leftOut.contains(g)) {
        continue;
      }
      if (g == previous + 1) {
        parts.set(parts.size() - 1, parts.get(parts.size() - 1) + 1);
      } else {
        parts.add(1L);
      }
      previous = g;
    }
    long covered = parts.stream().mapToLong(Long::longValue).sum();
    if (covered == 0) {
      // No TDMR of the node, so no level lies on it to fill its memory.
      return Math.max(leftOutPages, 1);
    }
    List<Long> rigid = new ArrayList<>();
    for (Stretch s : stretches) {
      boolean inside = true;
      for (long g = s.firstGranule(); g <= s.lastGranule() && inside; g++) {
        inside = leftOut.contains(g);
      }
      if (inside) {
        rigid.add(s.pages());
      }
    }
    long leastRounded = 0;
    for (long m : parts) {
      leastRounded += rounded(m);
    }
    long filled = Long.MIN_VALUE;
    if (!rigid.isEmpty() && rigid.size() <= MOST_STRETCHES && parts.size() <= MOST_PARTS) {
      filled = (w + v) * covered + new Fill(parts, rigid, leastRounded, MOST_STEPS).least();
    }
    ForcedIslands forced = new ForcedIslands(memory.keySet(), leftOut, stretches, all);
    long best = Long.MIN_VALUE;
    for (long threshold : forced.thresholds()) {
      java.util.OptionalLong residues = forced.leastResidues(threshold);
      long bound = threshold;
      if (residues.isPresent()) {
        long exact = Math.max(remainders(covered, leastRounded, rigid, residues.getAsLong()), filled);
        long wider = remainders(covered + 1, Math.max(1, ceilPages(covered + 1)), rigid, residues.getAsLong());
        bound = Math.min(threshold, Math.min(exact, wider));
      }
      best = Math.max(best, bound);
    }
    return Math.max(leftOutPages, best);
  }

  /**
   * (e): the islands the reserved-area limit forces to be filled, for the TDMRs of X overlapping the
   * granules of C (the node's memory granules less {@code leftOut}).
   */
  private final class ForcedIslands {
    /** How many islands at least are filled: {@code k}. */
    private final long count;
    /** The candidates' pages and residues, by pages. */
    private final List<long[]> candidates = new ArrayList<>();

    ForcedIslands(java.util.Set<Long> granules, List<Long> leftOut, List<Stretch> own, List<Stretch> all) {
      long k = 0;
      long areas = instance.limits().maxReservedPerTdmr();
      if (instance.policy().holes() == tdmr.tdx.Policy.Holes.MEMLIST && areas >= 1) {
        for (long g : granules) {
          if (!leftOut.contains(g)) {
            k += Math.max(0, gaps(g, all) - areas);
          }
        }
      }
      this.count = k;
      if (k == 0) {
        return;
      }
      for (Stretch s : own) {
        boolean covered = s.start() > 0;
        for (long g = s.firstGranule(); g <= s.lastGranule() && covered; g++) {
          covered = !leftOut.contains(g);
        }
        if (covered) {
          candidates.add(new long[] {s.pages(), s.pages() % w});
        }
      }
      candidates.sort(java.util.Comparator.comparingLong(c -> c[0]));
    }

    /** The thresholds t: every candidate's pages, and no threshold (every candidate below it). */
    List<Long> thresholds() {
      List<Long> out = new ArrayList<>();
      if (count > 0) {
        for (long[] c : candidates) {
          out.add(c[0]);
        }
      }
      out.add(Long.MAX_VALUE);
      return out;
    }

    /**
     * {@code F(t)}: the sum of the {@code k} least residues of the candidates of fewer than {@code t}
     * pages; empty when fewer than {@code k} candidates are that small.
     */
    java.util.OptionalLong leastResidues(long threshold) {
      if (count == 0) {
        return java.util.OptionalLong.of(0);
      }
      List<Long> residues = new ArrayList<>();
      for (long[] c : candidates) {
        if (c[0] < threshold) {
          residues.add(c[1]);
        }
      }
      if (residues.size() < count) {
        return java.util.OptionalLong.empty();
      }
      java.util.Collections.sort(residues);
      long sum = 0;
      for (int i = 0; i < count; i++) {
        sum += residues.get(i);
      }
      return java.util.OptionalLong.of(sum);
    }
  }

  /** {@code h_g}: the maximal runs of granule {@code g}'s address space outside every stretch. */
  private static long gaps(long g, List<Stretch> all) {
    long from = g * Instance.GIB_PAGES;
    long to = from + Instance.GIB_PAGES;
    long at = from;
    long gaps = 0;
    for (Stretch s : all) {
      if (s.end() <= from || s.start() >= to) {
        continue;
      }
      if (s.start() > at) {
        gaps++;
      }
      at = Math.max(at, s.end());
    }
    return at < to ? gaps + 1 : gaps;
  }

  /** (b) with (e): {@code W·G + max(R(G) + F, V·G + Z)}. */
  private long remainders(long giB, long roundedPages, List<Long> rigid, long forced) {
    long sum = 0;
    long fit = 0;
    for (long pages : rigid) {
      sum += pages;
      fit += pages / w;
    }
    long rest = sum - w * Math.min(giB, fit) + forced;
    return w * giB + Math.max(rest, v * giB + roundedPages);
  }

  /** {@code ceil(giB·p / 4096)}: the rounded level's pages of {@code giB} GiB in one TDMR. */
  private long ceilPages(long giB) {
    return Math.floorDiv(giB * roundedPerGiB + 4095, 4096);
  }

  /** {@code z(s)}: the least rounded pages of TDMRs of {@code s} GiB in all within one part. */
  private long rounded(long giB) {
    if (giB == 0) {
      return 0;
    }
    return Math.max(ceilPages(giB), Math.floorDiv(giB + instance.largestTdmrGiB() - 1, instance.largestTdmrGiB()));
  }

  /**
   * A table of least {@code max(Σ r_σ, Σ z)} (class comment, (c)), for a construction to build.
   *
   * @param cost that value
   * @param a the W-sums per rigid stretch
   * @param b the V-sums per rigid stretch
   * @param groups each {@code {part, row, column, GiB}}: row and column index the stretches, the
   *     last one (the stretches' count) meaning elsewhere
   */
  record Witness(long cost, long[] a, long[] b, List<long[]> groups) {}

  /**
   * The table of least {@code max(Σ r_σ, Σ z)} for parts of {@code parts} GiB and rigid stretches of
   * {@code rigid} pages, when the search finds one within its steps and {@link #MOST_SLACK}.
   */
  java.util.Optional<Witness> leastFill(List<Long> parts, List<Long> rigid) {
    if (w == 0 || rigid.isEmpty() || rigid.size() > MOST_STRETCHES || parts.size() > MOST_PARTS) {
      return java.util.Optional.empty();
    }
    long leastRounded = 0;
    for (long m : parts) {
      leastRounded += rounded(m);
    }
    Fill fill = new Fill(parts, rigid, leastRounded, MOST_BUILD_STEPS);
    fill.least();
    return java.util.Optional.ofNullable(fill.witness);
  }

  /** (c): the least {@code max(Σ r_σ, Σ z)} over the W- and V-sums and tables (class comment). */
  private final class Fill {
    private Witness witness;
    private final List<Long> parts;
    private final List<Long> rigid;
    private final long giB;
    private final long leastRounded;
    private long steps;
    private final long mostSteps;

    Fill(List<Long> parts, List<Long> rigid, long leastRounded, long mostSteps) {
      this.mostSteps = mostSteps;
      this.parts = parts;
      this.rigid = rigid;
      this.giB = parts.stream().mapToLong(Long::longValue).sum();
      this.leastRounded = leastRounded;
    }

    /** The least value not ruled out (at most {@link #MOST_SLACK} above the parts' least rounded pages + 1). */
    long least() {
      for (long d = leastRounded; d <= leastRounded + MOST_SLACK; d++) {
        instance.deadline().check();
        if (steps > mostSteps) {
          return d;
        }
        if (possible(d, 0, new long[rigid.size()], new long[rigid.size()], 0)) {
          return d;
        }
      }
      return leastRounded + MOST_SLACK + 1;
    }

    /** Whether some W- and V-sums for stretches {@code i..} with {@code Σ r ≤ d} admit a table of {@code Σ z ≤ d}. */
    private boolean possible(long d, int i, long[] a, long[] b, long r) {
      if (++steps > mostSteps) {
        return true;
      }
      if (i == rigid.size()) {
        return new Table(a, b, d).exists();
      }
      long pages = rigid.get(i);
      long usedA = 0;
      long usedB = 0;
      for (int k = 0; k < i; k++) {
        usedA += a[k];
        usedB += b[k];
      }
      for (long x = Math.min(pages / w, giB - usedA); x >= 0; x--) {
        long left = pages - w * x;
        if (left > d - r + v * (giB - usedB)) {
          break;
        }
        long most = Math.min(left / v, giB - usedB);
        for (long y = most; y >= 0 && left - v * y <= d - r; y--) {
          a[i] = x;
          b[i] = y;
          if (possible(d, i + 1, a, b, r + left - v * y)) {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * The tables of group sizes with part sums {@code parts}, W-sums {@code a} (and the rest) and
     * V-sums {@code b} (and the rest): whether one has {@code Σ z ≤ d}, searched over its cells that
     * are not 0 (at most {@code d} of them).
     */
    private final class Table {
      private final long[] a;
      private final long[] b;
      private final long[] rows;
      private final long[] cols;
      private final long d;
      private final int[][] cells;

      Table(long[] a, long[] b, long d) {
        this.a = a.clone();
        this.b = b.clone();
        this.rows = sums(a);
        this.cols = sums(b);
        this.d = d;
        List<int[]> all = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
          for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
              if (rows[i] > 0 && cols[j] > 0) {
                all.add(new int[] {p, i, j});
              }
            }
          }
        }
        this.cells = all.toArray(new int[0][]);
      }

      /** The sums and, last, what is left of the GiB. */
      private long[] sums(long[] some) {
        long[] out = new long[some.length + 1];
        long left = giB;
        for (int k = 0; k < some.length; k++) {
          out[k] = some[k];
          left -= some[k];
        }
        out[some.length] = left;
        return out;
      }

      /** Per axis (part, row, column) and value, the last cell on it and how many cells on it are in. */
      private int[][] lastOn;
      private int[][] inOn;

      boolean exists() {
        lastOn = new int[][] {new int[parts.size()], new int[rows.length], new int[cols.length]};
        inOn = new int[][] {new int[parts.size()], new int[rows.length], new int[cols.length]};
        for (int[] on : lastOn) {
          java.util.Arrays.fill(on, -1);
        }
        for (int k = 0; k < cells.length; k++) {
          for (int axis = 0; axis < 3; axis++) {
            lastOn[axis][cells[k][axis]] = k;
          }
        }
        return support(0, new boolean[cells.length], 0);
      }

      /**
       * Each subset of cells of at most {@code d} as the cells not 0, every part, row and column of a
       * positive sum with one of them at least (a subset is dropped once a sum's last cell is left out
       * with none of its cells in).
       */
      private boolean support(int k, boolean[] in, int count) {
        if (++steps > mostSteps) {
          return true;
        }
        if (k == cells.length) {
          return count > 0 && sizes(in);
        }
        if (count + uncovered() > d) {
          return false;
        }
        if (count < d && fits(k)) {
          in[k] = true;
          for (int axis = 0; axis < 3; axis++) {
            inOn[axis][cells[k][axis]]++;
          }
          boolean found = support(k + 1, in, count + 1);
          for (int axis = 0; axis < 3; axis++) {
            inOn[axis][cells[k][axis]]--;
          }
          if (found) {
            return true;
          }
        }
        in[k] = false;
        for (int axis = 0; axis < 3; axis++) {
          int value = cells[k][axis];
          if (lastOn[axis][value] == k && inOn[axis][value] == 0) {
            return false;
          }
        }
        return support(k + 1, in, count);
      }

      /** The most sums of one axis that no cell in meets yet: each needs a cell more. */
      private int uncovered() {
        int most = 0;
        for (int axis = 0; axis < 3; axis++) {
          int none = 0;
          for (int value = 0; value < inOn[axis].length; value++) {
            none += lastOn[axis][value] >= 0 && inOn[axis][value] == 0 ? 1 : 0;
          }
          most = Math.max(most, none);
        }
        return most;
      }

      /** Whether cell {@code k} may be in: each of its sums has more GiB than cells in (each has 1 at least). */
      private boolean fits(int k) {
        int[] c = cells[k];
        return inOn[0][c[0]] < parts.get(c[0]) && inOn[1][c[1]] < rows[c[1]] && inOn[2][c[2]] < cols[c[2]];
      }

      /** Whether positive sizes of the cells {@code in} meet every sum with {@code Σ z ≤ d}. */
      private boolean sizes(boolean[] in) {
        long[] partLeft = parts.stream().mapToLong(Long::longValue).toArray();
        long[] rowLeft = rows.clone();
        long[] colLeft = cols.clone();
        long[] size = new long[cells.length];
        for (int k = 0; k < cells.length; k++) {
          size[k] = in[k] ? -1 : 0;
        }
        return assign(size, partLeft, rowLeft, colLeft);
      }

      /**
       * Sets a cell whose part, row or column has it as the only one unset (its size is then what is
       * left), else tries every size of the first unset cell; checks the sums and {@code Σ z ≤ d} at
       * the end.
       */
      private boolean assign(long[] size, long[] partLeft, long[] rowLeft, long[] colLeft) {
        if (++steps > mostSteps) {
          return true;
        }
        int unset = -1;
        int forced = -1;
        long forcedSize = 0;
        for (int k = 0; k < cells.length && forced < 0; k++) {
          if (size[k] != -1) {
            continue;
          }
          if (unset < 0) {
            unset = k;
          }
          int[] c = cells[k];
          if (only(size, k, 0, c[0])) {
            forced = k;
            forcedSize = partLeft[c[0]];
          } else if (only(size, k, 1, c[1])) {
            forced = k;
            forcedSize = rowLeft[c[1]];
          } else if (only(size, k, 2, c[2])) {
            forced = k;
            forcedSize = colLeft[c[2]];
          }
        }
        if (unset < 0) {
          return complete(size, partLeft, rowLeft, colLeft);
        }
        if (forced >= 0) {
          return forcedSize >= 1 && tryCell(size, partLeft, rowLeft, colLeft, forced, forcedSize);
        }
        int[] c = cells[unset];
        long most = Math.min(partLeft[c[0]], Math.min(rowLeft[c[1]], colLeft[c[2]]));
        for (long s = 1; s <= most; s++) {
          if (tryCell(size, partLeft, rowLeft, colLeft, unset, s)) {
            return true;
          }
        }
        return false;
      }

      /** Whether cell {@code k} is the only unset cell of its part (axis 0), row (1) or column (2) {@code value}. */
      private boolean only(long[] size, int k, int axis, int value) {
        for (int o = 0; o < cells.length; o++) {
          if (o != k && size[o] == -1 && cells[o][axis] == value) {
            return false;
          }
        }
        return true;
      }

      private boolean tryCell(long[] size, long[] partLeft, long[] rowLeft, long[] colLeft, int k, long s) {
        int[] c = cells[k];
        if (s > partLeft[c[0]] || s > rowLeft[c[1]] || s > colLeft[c[2]]) {
          return false;
        }
        size[k] = s;
        partLeft[c[0]] -= s;
        rowLeft[c[1]] -= s;
        colLeft[c[2]] -= s;
        boolean found = assign(size, partLeft, rowLeft, colLeft);
        size[k] = -1;
        partLeft[c[0]] += s;
        rowLeft[c[1]] += s;
        colLeft[c[2]] += s;
        return found;
      }

      private boolean complete(long[] size, long[] partLeft, long[] rowLeft, long[] colLeft) {
        for (long left : partLeft) {
          if (left != 0) {
            return false;
          }
        }
        for (long left : rowLeft) {
          if (left != 0) {
            return false;
          }
        }
        for (long left : colLeft) {
          if (left != 0) {
            return false;
          }
        }
        long z = 0;
        for (long s : size) {
          z += rounded(s);
        }
        if (z > d) {
          return false;
        }
        List<long[]> groups = new ArrayList<>();
        for (int k = 0; k < cells.length; k++) {
          if (size[k] > 0) {
            groups.add(new long[] {cells[k][0], cells[k][1], cells[k][2], size[k]});
          }
        }
        witness = new Witness(d, a, b, groups);
        return true;
      }
    }
  }
}
