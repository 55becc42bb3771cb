package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance.Cell;
import tdmr.solver.Instance.Kind;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaFreeInnerTdmr} against {@link ExhaustiveSearch} limited to layouts with a TDMR inside
 * the run [2G, 5G) (which shares nothing with the bound), on tiny two-node maps at 0 areas per TDMR,
 * PAMT {@code node-local}: the best such layout, whose remote PAMT is the least any has, is never
 * below the bound at that remote PAMT (and the bound exists there).
 */
class AreaFreeInnerTdmrProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  record Case(MemoryMap map, TdxLimits limits) {}

  @Property(tries = 10, seed = "20261206")
  void noLayoutWithATdmrInsideTheRunBeatsTheBound(@ForAll("islandsRunAndNode1") Case c) {
    Instance instance = Instance.of(c.map(), c.limits(), MODULE);
    Cell run = instance.cells().stream().filter(x -> x.kind() == Kind.PLAIN && x.sizeGiB() >= 3).findFirst().orElseThrow();
    Optional<ExhaustiveSearch.Result> inner = new ExhaustiveSearch(c.map(), c.limits(), MODULE)
        .onlyTdmrs(tdmrs -> tdmrs.stream().anyMatch(t -> t.start() > 2 * G && t.end() < 5 * G)).best();
    Statistics.label("a layout with a TDMR inside the run").collect(inner.isPresent());
    if (inner.isEmpty() || inner.get().score().remotePamtBytes() >= 8192) {
      return;
    }
    LayoutScore s = inner.get().score();
    Optional<AreaFreeInnerTdmr.Least> least = new AreaFreeInnerTdmr(instance).least(run, s.remotePamtBytes());
    assertTrue(least.isPresent(), "no bound at " + s + ": " + c + "\n" + inner.get().layout());
    long pages = s.pamtBytes() / 4096;
    Statistics.label("bound met").collect(least.get().pamtPages() == pages);
    assertTrue(least.get().pamtPages() < pages || least.get().pamtPages() == pages && least.get().tdmrs() <= s.tdmrs(),
        least.get() + " above " + s + ": " + c + "\n" + inner.get().layout());
  }

  /**
   * Node 0: one or two islands of {@code f} MiB in [1G, 2G) and the run [2G, 5G); node 1: {@code n}
   * GiB from 5G (touching the run) or 6G. One or two TDMRs, no reserved area.
   */
  @Provide
  Arbitrary<Case> islandsRunAndNode1() {
    return Combinators.combine(Arbitraries.of(8L, 16L), Arbitraries.of(1, 2), Arbitraries.of(1L, 2L),
        Arbitraries.of(5L, 6L), Arbitraries.of(1, 2, 2)).as((f, islands, n, at, tdmrs) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          for (int i = 0; i < islands; i++) {
            long start = G + 4 * K + i * (f * M + 4 * K);
            blocks.add(new MemoryBlock(start, start + f * M, 0));
          }
          blocks.add(new MemoryBlock(2 * G, 5 * G, 0));
          blocks.add(new MemoryBlock(at * G, (at + n) * G, 1));
          return new Case(MemoryMap.ofBlocks("islands, run and node 1", blocks),
              TdxLimits.DEFAULT.withMaxTdmrs(tdmrs).withMaxReservedPerTdmr(0));
        });
  }
}
