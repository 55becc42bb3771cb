package tdmr.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tdmr.check.LayoutVerifier;
import tdmr.greedy.GreedyFit;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Time of one {@link LinuxGreedy#construct} (memory list, TDMRs, PAMT placement, reserved areas)
 * and of one {@link GreedyFit#construct} on maps of 10, 1 000 and 100 000 blocks.
 *
 * <p>The map: windows of 1 GiB, each holding up to 100 blocks of 8 MiB separated by 2 MiB holes
 * (the fragmentation of a firmware map's low memory, repeated), spread over 8 NUMA nodes. Every
 * window becomes one TDMR with one reserved area per hole (101), and each TDMR's PAMT chunk goes through
 * the allocator model on its node; chunks pile up in each node's lowest windows and cost those
 * TDMRs one reserved area each. Real module limits (64 TDMRs, 16 reserved areas) cannot hold such
 * maps, so the limits are raised to fit them ({@code maxTdmrs} at least the TDMR count,
 * {@code maxReservedPerTdmr} = 512); the greedy's work does not depend on the limits beyond these
 * checks. greedy-fit sees one run of memory (the windows' rounded ranges touch) and cuts it into
 * TDMRs of five windows (505 holes each), with its chunks stacked against holes. Both layouts are
 * built and validated (module rules and OS check) once in {@link #build()}, outside the measured
 * methods, so a fast wrong answer cannot win.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GreedyBenchmark {
  private static final int NODES = 8;
  private static final int BLOCKS_PER_WINDOW = 100;

  @Param({"10", "1000", "100000"})
  public int blocks;

  private MemoryMap map;
  private TdxLimits limits;
  private final LinuxGreedy greedy = LinuxGreedy.mainline();
  private final GreedyFit fit = new GreedyFit(Policy.Holes.MEMLIST);

  @Setup(Level.Trial)
  public void build() {
    map = MemoryMap.ofBlocks("jmh-" + blocks, blocks(blocks));
    int windows = (blocks + BLOCKS_PER_WINDOW - 1) / BLOCKS_PER_WINDOW;
    limits = TdxLimits.DEFAULT.withMaxTdmrs(Math.max(64, windows)).withMaxReservedPerTdmr(512);
    for (GreedyResult r : List.of(greedy.construct(map, limits), fit.construct(map, limits))) {
      if (!(r instanceof GreedyResult.Built built)) {
        throw new IllegalStateException("benchmark map does not build: " + r.messages());
      }
      LayoutVerifier.requireValid(map, limits, Policy.DEFAULT, built.layout());
    }
  }

  /** {@code count} blocks: block j of window w is [w GiB + 10j MiB + 2 MiB, w GiB + 10(j+1) MiB). */
  static List<MemoryBlock> blocks(int count) {
    int windows = (count + BLOCKS_PER_WINDOW - 1) / BLOCKS_PER_WINDOW;
    int windowsPerNode = Math.max(1, (windows + NODES - 1) / NODES);
    List<MemoryBlock> list = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int w = k / BLOCKS_PER_WINDOW;
      int j = k % BLOCKS_PER_WINDOW;
      long window = w * ByteSize.GiB;
      long start = Math.max(ByteSize.MiB, window + 10L * j * ByteSize.MiB + 2 * ByteSize.MiB);
      long end = window + 10L * (j + 1) * ByteSize.MiB;
      list.add(new MemoryBlock(start, end, w / windowsPerNode));
    }
    return list;
  }

  @Benchmark
  public GreedyResult construct() {
    return greedy.construct(map, limits);
  }

  @Benchmark
  public GreedyResult greedyFit() {
    return fit.construct(map, limits);
  }
}
