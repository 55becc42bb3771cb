package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The Z3 model's equivalent encodings give the same answers: the area limit per TDMR as one
 * cardinality constraint per TDMR or as one counter along the address line, the chunk sums of
 * atoms stated at once or only where a model overflows them, and the search started from the
 * shared bounds of {@code PamtLowerBound} or by Z3 alone (so the bounds meet a proof that does not
 * use them). The engine picks per model; each answer is verified, so a wrong encoding shows as a
 * different optimum or a rejected layout.
 */
class Z3EncodingProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final SolveOptions OPTIONS = new SolveOptions(20, 1, 0);

  private static final List<Z3Model.Encoding> ENCODINGS = List.of(
      new Z3Model.Encoding(Z3Model.AreaLimit.PER_TDMR, false, false),
      new Z3Model.Encoding(Z3Model.AreaLimit.COUNTER, true, false),
      new Z3Model.Encoding(Z3Model.AreaLimit.COUNTER, false, true),
      Z3Model.Encoding.FAST);

  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 25, seed = "20261203")
  void everyEncodingGivesTheSameAnswer(@ForAll("cases") Case c) {
    agree(c);
  }

  /**
   * Pieces of a few MiB between small gaps, next to GiB-sized blocks: the chunks of 1 and 2 GiB
   * TDMRs (4108 and 8212 KiB) fit such pieces one or two at a time, so a model that only counts
   * chunks overflows some (the lazy sums are then added) and stacks against the gaps save areas.
   */
  @Property(tries = 50, seed = "20261203")
  void everyEncodingGivesTheSameAnswerOnSmallPieces(@ForAll("smallPieces") Case c) {
    agree(c);
  }

  private static void agree(Case c) {
    List<String> answers = new ArrayList<>();
    for (Z3Model.Encoding e : ENCODINGS) {
      // Z3Model's encodings alone: the wide model's second look (WideKernelSearch) is the same for all.
      EngineResult r = new Z3Engine(false, e, false).solve(c.map(), c.limits(), c.policy(), OPTIONS);
      Statistics.label(e.areaLimit() + (e.lazyFits() ? " lazy" : " exact") + (e.sharedBounds() ? " bounds" : " alone"))
          .collect(r.status());
      answers.add(r.status() + r.layout().map(l -> " PAMT %d, %d TDMRs, %d areas".formatted(
          l.pamtBytes(), l.size(), l.reservedAreaCount())).orElse(""));
    }
    for (int i = 1; i < answers.size(); i++) {
      assertEquals(answers.get(0), answers.get(i), c + ": " + ENCODINGS.get(0) + " against " + ENCODINGS.get(i));
    }
  }

  @Provide
  Arbitrary<Case> smallPieces() {
    return cases(Arbitraries.of(8216 * K, 12 * M, 16 * M, G + 8 * M, 2 * G + 12 * M), Arbitraries.of(4 * K, 2 * M));
  }

  /**
   * Up to 7 blocks below 16 GiB; lengths near one and two PAMT chunks (4108, 8212, 8216 KiB) so
   * that stacks fill or overflow small pieces, and small gaps so that TDMRs meet the area limit.
   */
  @Provide
  Arbitrary<Case> cases() {
    return cases(Arbitraries.of(4 * K, 4108 * K, 8212 * K, 8216 * K, 12 * M, 300 * M, G + 8 * M, 3 * G),
        Arbitraries.of(4 * K, 2 * M, 64 * M, G));
  }

  private static Arbitrary<Case> cases(Arbitrary<Long> length, Arbitrary<Long> gap) {
    Arbitrary<List<Long>> lengths = length.list().ofMinSize(1).ofMaxSize(7);
    Arbitrary<List<Long>> gaps = gap.list().ofSize(7);
    Arbitrary<List<Integer>> nodeSteps = Arbitraries.integers().between(0, 1).list().ofSize(7);
    Arbitrary<TdxLimits> limits = Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 8))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Combinators.combine(
            Arbitraries.of(Policy.Holes.class), Arbitraries.of(Policy.PamtPlacementPolicy.class), Arbitraries.of(Policy.Coverage.class))
        .as((h, p, c) -> new Policy(h, p, c, Policy.Family.KERNEL));
    return Combinators.combine(lengths, gaps, nodeSteps, limits, policy, Arbitraries.of(true, false))
        .as((ls, gs, steps, l, p, oneCmr) -> new Case(map(ls, gs, steps, oneCmr), l, p));
  }

  /** Blocks from 1 MiB up, nodes ascending; CMRs the blocks themselves or one CMR over them all. */
  private static MemoryMap map(List<Long> lengths, List<Long> gaps, List<Integer> nodeSteps, boolean oneCmr) {
    List<MemoryBlock> blocks = new ArrayList<>();
    long cursor = M;
    int node = 0;
    for (int i = 0; i < lengths.size(); i++) {
      long end = cursor + lengths.get(i);
      if (end > 16 * G) {
        break;
      }
      node += nodeSteps.get(i);
      blocks.add(new MemoryBlock(cursor, end, node));
      cursor = end + gaps.get(i);
    }
    if (!oneCmr) {
      return MemoryMap.ofBlocks("generated", blocks);
    }
    AddressRange all = new AddressRange(blocks.get(0).start(), blocks.get(blocks.size() - 1).end());
    return MemoryMap.of("generated-one-cmr", blocks, List.of(all));
  }
}
