package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The limits and policies the module-family referee properties draw their tiny maps' questions
 * from, written once: few enough TDMRs and areas that {@link ExhaustiveSearch} stays quick and the
 * limits bind, and every holes, PAMT and coverage policy; and tiny maps with their questions for
 * the kernel-family referee properties.
 */
public final class TinyCaseArbitraries {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  private TinyCaseArbitraries() {}

  /** A tiny case: the map, the limits and the policy. */
  public record TinyCase(MemoryMap map, TdxLimits limits, Policy policy) {}

  /**
   * Maps from 1 GiB (plus a hole) up to {@code 2 + span} GiB, {@code span} 1 to {@code mostSpan}:
   * islands of 4 KiB to 300 MiB (some exactly a 1 GiB TDMR's chunk or 4K level long) between holes
   * of 4 KiB to 64 MiB, then one block to the end; blocks on one or two nodes (touching blocks on
   * different nodes), CMRs equal to the blocks or one spanning them (the generator of the CP-SAT
   * and Z3 referee properties, with the span bounded: the kernel family's referee slows with it).
   */
  public static Arbitrary<MemoryMap> tinyMaps(int mostSpan) {
    Arbitrary<Long> island = Arbitraries.of(4 * K, 8 * K, 64 * K, 4108 * K, 4096 * K, 12 * M, 300 * M);
    Arbitrary<Long> hole = Arbitraries.of(0L, 4 * K, 2 * M, 64 * M);
    Arbitrary<List<Long>> islands = island.list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<List<Long>> holes = hole.list().ofSize(5);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(6);
    Arbitrary<Integer> span = Arbitraries.integers().between(1, mostSpan);
    Arbitrary<Boolean> cmrOverHoles = Arbitraries.of(false, true);
    return Combinators.combine(islands, holes, nodes, span, cmrOverHoles).as((is, hs, ns, sp, wide) -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = G + hs.get(4);
      for (int i = 0; i < is.size(); i++) {
        long end = cursor + is.get(i);
        blocks.add(new MemoryBlock(cursor, end, otherNodeIfTouching(blocks, cursor, ns[i])));
        cursor = end + hs.get(i);
      }
      long end = (1 + sp) * G + G;
      if (cursor < end) {
        blocks.add(new MemoryBlock(cursor, end, otherNodeIfTouching(blocks, cursor, ns[5])));
      }
      List<AddressRange> cmrs = wide
          ? List.of(new AddressRange(blocks.get(0).start(), blocks.get(blocks.size() - 1).end()))
          : blocks.stream().map(MemoryBlock::range).toList();
      return MemoryMap.of("tiny", blocks, cmrs);
    });
  }

  /** {@code node}, or the other node when the block before ends at {@code start} on {@code node} (blocks merge otherwise). */
  private static int otherNodeIfTouching(List<MemoryBlock> blocks, long start, int node) {
    if (!blocks.isEmpty() && blocks.get(blocks.size() - 1).end() == start && blocks.get(blocks.size() - 1).node() == node) {
      return 1 - node;
    }
    return node;
  }

  /**
   * Kernel-family questions on {@link #tinyMaps}: 1 to 3 TDMRs, 1 to 4 areas per TDMR, every holes,
   * PAMT and coverage policy.
   */
  public static Arbitrary<TinyCase> tinyKernelCases(int mostSpan) {
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 4))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
    Arbitrary<Policy> policy = Combinators.combine(Arbitraries.of(Policy.Holes.values()),
            Arbitraries.of(Policy.PamtPlacementPolicy.values()), Arbitraries.of(Policy.Coverage.values()))
        .as((h, p, c) -> new Policy(h, p, c, Policy.Family.KERNEL));
    return Combinators.combine(tinyMaps(mostSpan), limits, policy).as(TinyCase::new);
  }

  /** 1 to 3 TDMRs and 0 to 2 reserved areas per TDMR, the module's other limits as by default. */
  public static Arbitrary<TdxLimits> tinyLimits() {
    return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 2))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
  }

  /** Every holes, PAMT placement and coverage policy, in the module family. */
  public static Arbitrary<Policy> moduleFamilyPolicies() {
    return Combinators.combine(Arbitraries.of(Policy.Holes.values()),
            Arbitraries.of(Policy.PamtPlacementPolicy.values()), Arbitraries.of(Policy.Coverage.values()))
        .as((h, p, c) -> new Policy(h, p, c, Policy.Family.MODULE));
  }
}
