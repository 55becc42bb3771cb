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
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaFreeNodeBound} against {@link ExhaustiveSearch} (which shares nothing with it and
 * enumerates every TDMR set) on tiny two-node maps at 0 areas per TDMR, PAMT {@code node-local}:
 * whenever the best layout has no remote PAMT, its PAMT is at least the bound.
 */
class AreaFreeNodeBoundProperties {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  record Case(MemoryMap map, TdxLimits limits) {}

  @Property(tries = 8, seed = "20261205")
  void noLayoutWithoutRemotePamtBeatsTheBound(@ForAll("twoNodeMaps") Case c) {
    long bound = new AreaFreeNodeBound(Instance.of(c.map(), c.limits(), MODULE)).leastPamtPages().orElseThrow();
    Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(c.map(), c.limits(), MODULE).best();
    boolean local = best.isPresent() && best.get().score().remotePamtBytes() == 0;
    Statistics.label("best without remote PAMT").collect(local);
    if (local) {
      long pamt = best.get().score().pamtBytes();
      Statistics.label("bound met").collect(pamt == bound * 4096);
      assertTrue(pamt >= bound * 4096, "PAMT " + pamt + " below the bound " + bound * 4096 + ": " + c + "\n"
          + best.get().layout());
    }
  }

  /**
   * Node 0: memory in [1G, 3G), with or without a hole of {@code h} MiB after its first {@code f}
   * MiB; node 1: a run of 2 or 3 GiB from 3G (touching node 0) or 4G, and perhaps a small block of
   * node 1 at the top of [2G, 3G). Two or three TDMRs, no reserved area.
   */
  @Provide
  Arbitrary<Case> twoNodeMaps() {
    return Combinators.combine(Arbitraries.of(0L, 16L, 64L), Arbitraries.of(4L, 32L, 512L), Arbitraries.of(2L, 3L),
        Arbitraries.of(3L, 4L), Arbitraries.of(false, true), Arbitraries.of(2, 3)).as((h, f, run, at, foreign, tdmrs) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long top = foreign ? 3 * G - 8 * M : 3 * G;
          if (h == 0) {
            blocks.add(new MemoryBlock(G, top, 0));
          } else {
            blocks.add(new MemoryBlock(G, G + f * M, 0));
            blocks.add(new MemoryBlock(G + (f + h) * M, top, 0));
          }
          if (foreign) {
            blocks.add(new MemoryBlock(3 * G - 4 * M, 3 * G, 1));
          }
          blocks.add(new MemoryBlock(at * G, (at + run) * G, 1));
          return new Case(MemoryMap.ofBlocks("two nodes", blocks),
              TdxLimits.DEFAULT.withMaxTdmrs(tdmrs).withMaxReservedPerTdmr(0));
        });
  }
}
