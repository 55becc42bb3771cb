package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * greedy-fit's layouts on generated maps: always valid and of the kernel's shape, and never worse
 * than mainline's: wherever mainline builds a layout, greedy-fit builds one with no more PAMT.
 */
class GreedyFitPropertyTest {
  private static final long PAGE = 4096;
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  /**
   * Every built layout passes the module validator and the OS check; each TDMR's PAMT is one
   * contiguous chunk of the kernel's size inside one memory-list block of the TDMR's node ({@code
   * tdmr_get_nid}); the limits hold.
   */
  @Property(tries = 300, seed = "20261203")
  void builtLayoutsAreValidKernelShapedAndNodeLocal(
      @ForAll("maps") MemoryMap map, @ForAll("limits") TdxLimits limits, @ForAll Policy.Holes holes) {
    GreedyResult r = new GreedyFit(holes).construct(map, limits);
    Statistics.collect(r instanceof GreedyResult.Failed f ? f.stage().name() : "BUILT");
    if (!(r instanceof GreedyResult.Built b)) {
      return;
    }
    LayoutVerifier.requireValid(map, limits, Policy.KERNEL.withHoles(holes), b.layout());
    List<MemoryBlock> memlist = LinuxGreedy.memoryList(map.blocks());
    assertTrue(b.layout().size() <= limits.maxTdmrs());
    assertTrue(b.layout().maxReservedPerTdmr() <= limits.maxReservedPerTdmr());
    for (Tdmr t : b.layout().tdmrs()) {
      assertTrue(t.pamt().isContiguousChunk());
      assertEquals(PamtSizing.chunkBytes(t.size(), limits), t.pamt().totalBytes());
      AddressRange chunk = AddressRange.ofSize(t.pamt().fourK().base(), t.pamt().totalBytes());
      int node = LinuxGreedy.tdmrNode(memlist, t.base()).orElseThrow();
      assertTrue(memlist.stream().anyMatch(m -> m.node() == node && m.range().contains(chunk)),
          () -> t + ": chunk " + chunk + " is not inside one block of node " + node);
    }
  }

  /**
   * Wherever mainline builds a layout, greedy-fit builds one too, with no more PAMT: under PAMT
   * placement {@code any}, which falls back to other nodes as mainline's allocator does.
   */
  @Property(tries = 300, seed = "20261203")
  void greedyFitSucceedsWhereMainlineDoesWithNoMorePamt(
      @ForAll("maps") MemoryMap map, @ForAll("limits") TdxLimits limits) {
    GreedyResult mainline = LinuxGreedy.mainline().construct(map, limits);
    GreedyResult fit = new GreedyFit(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.ANY).construct(map, limits);
    Statistics.collect(mainline instanceof GreedyResult.Built, fit instanceof GreedyResult.Built);
    if (mainline instanceof GreedyResult.Built m) {
      var f = assertInstanceOf(GreedyResult.Built.class, fit, () -> String.join("\n", fit.messages()));
      assertTrue(f.pamtBytes() <= m.pamtBytes(), () -> f.pamtBytes() + " > " + m.pamtBytes());
    }
  }

  /**
   * Up to 30 blocks from 1 MiB on, gaps of a few pages to a few GiB, nodes 0-3 in any order, so
   * TDMRs get many holes, span nodes, and nodes' blocks are small or large.
   */
  @Provide
  Arbitrary<MemoryMap> maps() {
    Arbitrary<long[]> block = Combinators.combine(
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 64)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 600_000))),
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(1, 150_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 3_000_000))),
            Arbitraries.integers().between(0, 3))
        .as((gap, size, node) -> new long[] {gap, size, node});
    return block.list().ofMinSize(1).ofMaxSize(30).map(specs -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = MiB;
      for (long[] s : specs) {
        long start = cursor + s[0] * PAGE;
        long end = start + s[1] * PAGE;
        blocks.add(new MemoryBlock(start, end, (int) s[2]));
        cursor = end;
      }
      return MemoryMap.ofBlocks("generated", LinuxGreedy.memoryList(blocks));
    });
  }

  @Provide
  Arbitrary<TdxLimits> limits() {
    return Combinators.combine(Arbitraries.integers().between(1, 64), Arbitraries.integers().between(1, 16))
        .as((t, r) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
  }
}
