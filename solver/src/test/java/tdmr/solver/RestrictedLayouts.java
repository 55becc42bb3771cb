package tdmr.solver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * For every restriction an engine's claim can name, the layouts it allows, as a predicate over a
 * concrete {@link Layout} of a map, written from the restriction's sentence and sharing no code
 * with the models ({@link Problem}, {@link Instance}); keyed by the engines' own constants, so a
 * restriction added, removed or reworded shows up here as a compile error or as the loud "no
 * predicate" failure of {@link #of}. {@link RefereeClaims} asks {@link ExhaustiveSearch} for the
 * best layout meeting the restrictions a claim names ({@link #best}): a claim must be no worse,
 * which catches a restriction a model applies without naming it.
 *
 * <p>Where a sentence leaves room, the predicate is the stricter reading (it allows fewer layouts):
 * then the best layout meeting it is no better than the best meeting the sentence, and a claim that
 * meets the sentence is never called false.
 *
 * <p><b>Why the filtered search finds the restricted optimum.</b> {@link ExhaustiveSearch} does not
 * enumerate every layout: it enumerates every TDMR set (in its window), and per set one
 * representative (or a few) of each class of layouts that its lemmas (window, slide, padding,
 * coverage max, reserved areas) turn into one another without a worse score. The filter tests the
 * representatives only, so the best it keeps is a layout meeting the restrictions (the check is
 * sound whatever the filter misses), and it is the restricted optimum when every layout meeting the
 * restrictions has a representative, no worse, meeting them too. Per predicate ({@link Rule#exact}):
 *
 * <ul>
 *   <li>Predicates of the TDMRs alone (TDMR boundaries on the granule edges where the map changes;
 *       TDMRs starting and ending in granules holding memory; no TDMR wholly inside a run; every
 *       TDMR holding memory, {@code NodeSplit}'s and {@link
 *       ModuleFamilyRestrictions#KERNEL_TDMRS_HOLD_MEMORY}, "every TDMR covers TDX memory", read as
 *       every TDMR overlapping a memory block): the search's lemmas keep the TDMRs over memory and
 *       move only TDMRs without memory (the window lemma in the module family: those beyond every
 *       block and CMR; lemma 6 in the kernel family: those with a granule outside the blocks' and
 *       CMRs' granules, moved above everything, whose sizes it picks). Every predicate here treats a
 *       TDMR without memory alike wherever it lies outside those granules and whatever its size: the
 *       first rejects it there (no granule edge where the map changes lies outside them), the
 *       second and the last two reject it anywhere, the third accepts it anywhere (a run is memory);
 *       and inside them the search enumerates it at every place. Every other TDMR set is enumerated,
 *       in the kernel family the sets starting and ending in granules holding memory and then their
 *       extensions over empty granules, and the filter applies to each set before its layouts are
 *       searched (the TDMRs above everything as 1 GiB each at their places, which the predicates
 *       tell apart from no other size or place). Exact.
 *   <li>No PAMT in a granule outside every TDMR (kernel): the lemmas move PAMT only within the atoms
 *       it lies in (a slide stops where an end meets a 1 GiB boundary, padding moves between pieces
 *       of one chain, coverage {@code max} pads a level within its atom) or drop it (padding at a free
 *       end, a dominated tiling, which lies inside the other), so the granules holding PAMT of a
 *       representative are among those of the layouts it stands for. Exact.
 *   <li>Each chunk on the node of its TDMR's first block (kernel, {@code node-local}): a kernel
 *       chunk lies inside one block in the search, and no lemma moves PAMT to another block. Exact.
 *   <li>Each chunk inside one piece of memory, stacked against its ends (kernel). Not exact, for
 *       two reasons. (a) Order: in a run of PAMT within one block the search lays the chunks in one
 *       order (its assignment's), since every order scores alike there; but where the run spans a
 *       piece boundary (a run of whole GiB meeting a block's partial granule), which chunk ends
 *       where decides whether each lies inside one piece, so the one order it tries may put a chunk
 *       across the boundary where another order of the same run puts none. (b) Slide: a run of
 *       chunks stacked against the high end of one piece and the low end of the next, touching at
 *       their boundary, has both ends inside atoms; the search takes only its slid forms (lemma 2),
 *       which lie in one of the two pieces when the run is shorter than that piece's atom at the
 *       boundary, and otherwise carry a chunk across it. Exact would need every order of a run's
 *       chunks (at most the TDMR limit's factorial) and runs split at piece boundaries when this
 *       restriction is named. Sound, not exact.
 *   <li>Memory given up only in whole pieces holding no chunk, never a TDMR's first piece (kernel,
 *       coverage {@code max}): a layout meeting it gives up whole pieces (unions of the search's
 *       atoms, which are cut at every edge and 1 GiB boundary a piece is) holding no PAMT, so its
 *       pattern is enumerated as it stands: every atom wholly given up and empty, or kept (usable,
 *       PAMT, or both). The search's representative differs from it only by slides of runs free at
 *       both ends (lemma 2: a run stays in the atoms it lies in, so in kept memory, and the TDMRs and
 *       the memory given up do not change), the order of the chunks in a run (which this predicate
 *       does not see), and under lemma 6 the sizes of TDMRs above everything, picked at a free end
 *       in a kept atom (the fewest pages: the end stays in that atom) or filling a fixed run, and
 *       TDMRs above everything left out where a layout without them is better (their chunk becomes
 *       usable memory: kept); each move keeps which pieces are given up, that they hold no chunk,
 *       and each TDMR's first piece. Exact (since 2026-12-06).
 *   <li>No level over the edge of touching blocks, nor one reaching into a padded fill (module):
 *       representatives lay pieces to far ends on node edges and keep only the tilings no other
 *       beats in remote bytes and reach, so a dominated tiling without a level over an edge is
 *       dropped for one with; and in a run within one node's memory over touching blocks of the
 *       same node, the one order and padding it tries may put a level over the edge. Exact would
 *       need the dominated tilings kept and every order tried when it is named. Sound, not exact;
 *       and the second is read as the first (stricter).
 *   <li>No chain of 1 GiB or more against a 1 GiB boundary inside a block (module): a slide stops
 *       at the first event point, which may be such a boundary, so a representative may lie
 *       against it where the members of its class slid the other way, or padded differently (lemma
 *       3), do not; the search does not enumerate those. Sound, not exact.
 * </ul>
 *
 * So {@link RefereeClaims} asks a claim to be no worse than the filtered best always (an {@code
 * INFEASIBLE} claim: that the filtered search finds no layout), and to rank the same as it only
 * where every restriction named is exact.
 */
public final class RestrictedLayouts {
  private static final long G = ByteSize.GiB;

  /** The map, limits and policy a layout is of. */
  public record Where(MemoryMap map, TdxLimits limits, Policy policy) {}

  /** What one restriction allows. */
  interface Rule {
    /** Whether TDMRs {@code tdmrs} (address order) may be those of a layout meeting it. */
    default boolean allowsTdmrs(Where where, List<AddressRange> tdmrs) {
      return true;
    }

    /** Whether the PAMT of {@code layout} (whose TDMRs {@link #allowsTdmrs} accepts) meets it. */
    default boolean allowsPamt(Where where, Layout layout) {
      return true;
    }

    /** Whether the filtered {@link ExhaustiveSearch} finds the best layout meeting it (class javadoc). */
    boolean exact();
  }

  private static final Map<String, Rule> RULES = rules();

  private RestrictedLayouts() {}

  private static Map<String, Rule> rules() {
    Map<String, Rule> out = new LinkedHashMap<>();
    List<String> kernel = Problem.KERNEL_FAMILY_RESTRICTIONS;
    if (kernel.size() != 4) {
      throw new IllegalStateException("Problem.KERNEL_FAMILY_RESTRICTIONS changed: give each its predicate here");
    }
    put(out, kernel.get(0), new TdmrRule((w, t) -> t.stream().allMatch(r -> cellEdge(w, r.start()) && cellEdge(w, r.end()))));
    put(out, kernel.get(1), new ChunkInOnePiece());
    put(out, kernel.get(2), new PamtOnlyInTdmrs());
    put(out, kernel.get(3), new TdmrRule((w, t) -> t.stream().allMatch(
        r -> holdsMemory(w.map(), r.start()) && holdsMemory(w.map(), r.end() - G))));
    put(out, Problem.NODE_LOCAL_RESTRICTION, new ChunkOnTdmrNode());
    put(out, Problem.COVERAGE_MAX_RESTRICTION, new WholePiecesGivenUp());
    put(out, NodeSplit.MEMORY_IN_EVERY_TDMR, new TdmrRule((w, t) -> t.stream().allMatch(
        r -> w.map().blocks().stream().anyMatch(b -> b.range().overlaps(r)))));
    put(out, ModuleFamilyRestrictions.KERNEL_TDMRS_HOLD_MEMORY, new TdmrRule((w, t) -> t.stream().allMatch(
        r -> w.map().blocks().stream().anyMatch(b -> b.range().overlaps(r)))));
    put(out, ModuleFamilyRestrictions.INSIDE_A_RUN, new TdmrRule((w, t) -> t.stream().noneMatch(r -> insideRun(w, r))));
    put(out, ModuleFamilyRestrictions.STRADDLING, new NoStraddlingLevel());
    put(out, ModuleFamilyRestrictions.STRADDLING_INTO_FILL, new NoStraddlingLevel());
    put(out, ModuleFamilyRestrictions.CHAINS, new NoLongChainAtGranuleEdge());
    return out;
  }

  private static void put(Map<String, Rule> out, String sentence, Rule rule) {
    if (out.put(sentence, rule) != null) {
      throw new IllegalStateException("two restrictions read alike: " + sentence);
    }
  }

  /** The sentences that have a predicate. */
  public static Set<String> known() {
    return RULES.keySet();
  }

  /**
   * The predicates of {@code restrictions}; fails loudly on a sentence without one, so that a new
   * restriction cannot slip past the referee.
   */
  public static Restricted of(Collection<String> restrictions) {
    List<Rule> rules = new ArrayList<>();
    for (String s : restrictions) {
      Rule r = RULES.get(s);
      if (r == null) {
        throw new AssertionError("no predicate for the restriction \"" + s + "\": add one to RestrictedLayouts");
      }
      rules.add(r);
    }
    return new Restricted(List.copyOf(rules));
  }

  /** The layouts meeting a set of restrictions. */
  public record Restricted(List<Rule> rules) {
    /** Whether the filtered search finds the best layout meeting all of them. */
    public boolean exact() {
      return rules.stream().allMatch(Rule::exact);
    }

    public boolean allowsTdmrs(Where where, List<AddressRange> tdmrs) {
      return rules.stream().allMatch(r -> r.allowsTdmrs(where, tdmrs));
    }

    public boolean allows(Where where, Layout layout) {
      List<AddressRange> tdmrs = layout.tdmrs().stream().map(Tdmr::range).toList();
      return allowsTdmrs(where, tdmrs) && rules.stream().allMatch(r -> r.allowsPamt(where, layout));
    }

    /** The referee's best layout meeting them all (the class javadoc says how far it is the best). */
    public Optional<ExhaustiveSearch.Result> best(Where where) {
      return new ExhaustiveSearch(where.map(), where.limits(), where.policy())
          .meeting(t -> allowsTdmrs(where, t), l -> allows(where, l)).best();
    }
  }

  // ---- the predicates ------------------------------------------------------------------------

  /** A restriction of the TDMRs alone. */
  private record TdmrRule(BiPredicate<Where, List<AddressRange>> test) implements Rule {
    @Override
    public boolean allowsTdmrs(Where where, List<AddressRange> tdmrs) {
      return test.test(where, tdmrs);
    }

    @Override
    public boolean exact() {
      return true;
    }
  }

  /**
   * "every 1 GiB granule holding TDX memory lies in a TDMR, also where PAMT chunks fill all of its
   * memory": memory outside every TDMR is PAMT or given up (the OS check), and the sentence forbids
   * the first; so no granule holding PAMT lies outside every TDMR (under coverage {@code all} that
   * is every granule holding memory; under {@code max} a granule given up wholly may lie outside).
   */
  private static final class PamtOnlyInTdmrs implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      for (Tdmr t : layout.tdmrs()) {
        for (PamtRange p : levels(t)) {
          for (long g = ByteSize.alignDown(p.base(), G); g < p.end(); g += G) {
            long granule = g;
            if (layout.tdmrs().stream().noneMatch(o -> o.base() <= granule && granule + G <= o.end())) {
              return false;
            }
          }
        }
      }
      return true;
    }

    @Override
    public boolean exact() {
      return true;
    }
  }

  /**
   * "each TDMR's PAMT chunk lies on the NUMA node the kernel picks for the TDMR (that of its first
   * memory block)": every block the chunk overlaps is on the node of the first block overlapping
   * the TDMR.
   */
  private static final class ChunkOnTdmrNode implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      for (Tdmr t : layout.tdmrs()) {
        Optional<MemoryBlock> first = where.map().blocks().stream().filter(b -> b.range().overlaps(t.range())).findFirst();
        if (first.isEmpty()) {
          continue;
        }
        for (PamtRange p : levels(t)) {
          if (where.map().blocks().stream().anyMatch(b -> b.range().overlaps(p.range()) && b.node() != first.get().node())) {
            return false;
          }
        }
      }
      return true;
    }

    @Override
    public boolean exact() {
      return true;
    }
  }

  /**
   * "each TDMR's PAMT chunk lies inside one piece of memory (a memory block cut at 1 GiB
   * boundaries, or a run of whole GiB), stacked against its low or high end": the chunk lies inside
   * one {@linkplain #piece piece}, and in each piece the chunks form at most a stack from its low end
   * and one from its high end (every maximal run of chunks touches an end of the piece).
   */
  private static final class ChunkInOnePiece implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      Map<AddressRange, List<AddressRange>> byPiece = new LinkedHashMap<>();
      for (Tdmr t : layout.tdmrs()) {
        AddressRange chunk = span(t);
        if (chunk.isEmpty()) {
          continue;
        }
        AddressRange piece = piece(where, chunk.start());
        if (!piece.contains(chunk)) {
          return false;
        }
        byPiece.computeIfAbsent(piece, k -> new ArrayList<>()).add(chunk);
      }
      for (Map.Entry<AddressRange, List<AddressRange>> e : byPiece.entrySet()) {
        for (AddressRange run : AddressRange.union(e.getValue())) {
          if (run.start() != e.getKey().start() && run.end() != e.getKey().end()) {
            return false;
          }
        }
      }
      return true;
    }

    @Override
    public boolean exact() {
      return false;
    }
  }

  /**
   * "memory is given up only in whole pieces (...) holding no PAMT chunk, and never the first piece
   * of memory of a TDMR": every {@linkplain #piece piece} of memory inside the CMRs is given up (in
   * no TDMR's free part and no PAMT) wholly or not at all, and the first such piece of the first
   * block of each TDMR not at all.
   */
  private static final class WholePiecesGivenUp implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      List<AddressRange> parts = new ArrayList<>();
      for (Tdmr t : layout.tdmrs()) {
        parts.addAll(AddressRange.minus(List.of(t.range()), t.reservedRanges()));
        levels(t).forEach(p -> parts.add(p.range()));
      }
      List<AddressRange> kept = AddressRange.union(parts);
      for (MemoryBlock b : where.map().blocks()) {
        for (long x = b.start(); x < b.end(); ) {
          AddressRange p = piece(where, x).intersect(b.range());
          x = p.end();
          if (!where.map().cmrs().covers(p)) {
            continue;
          }
          long keptBytes = keptBytes(kept, p);
          if (keptBytes != 0 && keptBytes != p.size()) {
            return false;
          }
        }
      }
      for (Tdmr t : layout.tdmrs()) {
        Optional<AddressRange> first = firstPiece(where, t.range());
        if (first.isPresent() && keptBytes(kept, first.get()) != first.get().size()) {
          return false;
        }
      }
      return true;
    }

    private static long keptBytes(List<AddressRange> kept, AddressRange piece) {
      return kept.stream().mapToLong(k -> k.intersect(piece).size()).sum();
    }

    /** The first piece inside the CMRs of the first block overlapping {@code tdmr}, if any. */
    private static Optional<AddressRange> firstPiece(Where where, AddressRange tdmr) {
      Optional<MemoryBlock> block = where.map().blocks().stream().filter(b -> b.range().overlaps(tdmr)).findFirst();
      if (block.isEmpty()) {
        return Optional.empty();
      }
      AddressRange in = block.get().range().intersect(tdmr);
      for (long x = in.start(); x < in.end(); ) {
        AddressRange p = piece(where, x).intersect(in);
        x = p.end();
        if (where.map().cmrs().covers(p)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }

    @Override
    public boolean exact() {
      return true;
    }
  }

  /** "no PAMT level straddles the edge between two touching memory blocks" (also read for the fill variant). */
  private static final class NoStraddlingLevel implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      List<MemoryBlock> blocks = where.map().blocks();
      for (int i = 1; i < blocks.size(); i++) {
        long edge = blocks.get(i).start();
        if (blocks.get(i - 1).end() != edge) {
          continue;
        }
        for (Tdmr t : layout.tdmrs()) {
          for (PamtRange p : levels(t)) {
            if (p.base() < edge && edge < p.end()) {
              return false;
            }
          }
        }
      }
      return true;
    }

    @Override
    public boolean exact() {
      return false;
    }
  }

  /**
   * "no chain of 1 GiB of PAMT or more lies against a 1 GiB boundary inside a memory block": no
   * maximal run of touching PAMT levels (of any TDMRs) of 1 GiB or more starts or ends on a 1 GiB
   * boundary that lies strictly inside a block.
   */
  private static final class NoLongChainAtGranuleEdge implements Rule {
    @Override
    public boolean allowsPamt(Where where, Layout layout) {
      List<AddressRange> all = new ArrayList<>();
      layout.tdmrs().forEach(t -> levels(t).forEach(p -> all.add(p.range())));
      for (AddressRange chain : AddressRange.union(all)) {
        if (chain.size() >= G && (insideBlockOnGranuleEdge(where, chain.start()) || insideBlockOnGranuleEdge(where, chain.end()))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean exact() {
      return false;
    }
  }

  // ---- the map's geometry, from the map alone --------------------------------------------------

  private static List<PamtRange> levels(Tdmr t) {
    List<PamtRange> out = new ArrayList<>();
    for (PageSize level : PageSize.values()) {
      PamtRange p = t.pamt().level(level);
      if (p != null && p.size() > 0) {
        out.add(p);
      }
    }
    return out;
  }

  /** A TDMR's PAMT from its lowest to its highest byte (the kernel's chunk). */
  private static AddressRange span(Tdmr t) {
    List<PamtRange> ls = levels(t);
    if (ls.isEmpty()) {
      return new AddressRange(0, 0);
    }
    long s = ls.stream().mapToLong(PamtRange::base).min().orElseThrow();
    long e = ls.stream().mapToLong(PamtRange::end).max().orElseThrow();
    return new AddressRange(s, e);
  }

  private static boolean insideBlockOnGranuleEdge(Where where, long address) {
    return address % G == 0 && where.map().blocks().stream().anyMatch(b -> b.start() < address && address < b.end());
  }

  /** Whether the granule at {@code g} holds TDX memory. */
  private static boolean holdsMemory(MemoryMap map, long g) {
    AddressRange granule = new AddressRange(g, g + G);
    return map.blocks().stream().anyMatch(b -> b.range().overlaps(granule));
  }

  /** The block and merged-CMR edges: where the map changes. */
  private static TreeSet<Long> edges(Where where) {
    TreeSet<Long> edges = new TreeSet<>();
    for (MemoryBlock b : where.map().blocks()) {
      edges.add(b.start());
      edges.add(b.end());
    }
    for (AddressRange c : where.map().cmrs().merged()) {
      edges.add(c.start());
      edges.add(c.end());
    }
    return edges;
  }

  /**
   * Whether the 1 GiB boundary {@code p} is a boundary where the memory map changes: the ends of the
   * granules around the memory, or a boundary with a block or merged-CMR edge on it or strictly
   * inside a granule beside it. Between two granules with no edge on or inside them nothing changes
   * (the same block and CMR, or no memory, on both sides).
   */
  private static boolean cellEdge(Where where, long p) {
    List<MemoryBlock> blocks = where.map().blocks();
    if (blocks.isEmpty()) {
      return false;
    }
    long lo = ByteSize.alignDown(blocks.get(0).start(), G);
    long hi = ByteSize.alignUp(blocks.get(blocks.size() - 1).end(), G);
    if (p < lo || p > hi) {
      return false;
    }
    if (p == lo || p == hi) {
      return true;
    }
    Long e = edges(where).higher(p - G);
    return e != null && e < p + G;
  }

  /**
   * The run of whole GiB with no edge inside holding granule {@code g} when that granule lies
   * wholly inside one block (a run of whole GiB of one block), else empty.
   */
  private static Optional<AddressRange> run(Where where, long g) {
    TreeSet<Long> edges = edges(where);
    Long inside = edges.higher(g);
    if (inside != null && inside < g + G) {
      return Optional.empty();
    }
    boolean memory = where.map().blocks().stream().anyMatch(b -> b.start() <= g && g + G <= b.end());
    if (!memory) {
      return Optional.empty();
    }
    Long below = edges.floor(g);
    Long above = edges.ceiling(g + G);
    return Optional.of(new AddressRange(ByteSize.alignUp(below, G), ByteSize.alignDown(above, G)));
  }

  /**
   * "no TDMR lies wholly inside a run of whole GiB of one memory block without reaching the run's
   * ends": whether TDMR {@code t} does.
   */
  private static boolean insideRun(Where where, AddressRange t) {
    return run(where, t.start()).filter(r -> r.start() < t.start() && t.end() < r.end()).isPresent();
  }

  /**
   * The piece of memory holding {@code address} in the kernel restriction's sense: the run of whole
   * GiB of one block holding it, or else its block cut at 1 GiB boundaries and at the block and
   * merged-CMR edges (where the memory changes between inside and outside the CMRs).
   */
  static AddressRange piece(Where where, long address) {
    long g = ByteSize.alignDown(address, G);
    Optional<AddressRange> run = run(where, g);
    if (run.isPresent()) {
      return run.get();
    }
    TreeSet<Long> edges = edges(where);
    Long below = edges.floor(address);
    Long above = edges.higher(address);
    long s = Math.max(g, below == null ? g : below);
    long e = Math.min(g + G, above == null ? g + G : above);
    return new AddressRange(s, e);
  }
}
