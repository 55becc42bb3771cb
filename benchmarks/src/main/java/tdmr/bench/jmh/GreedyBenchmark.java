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
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Time of one {@link LinuxGreedy#construct} (memory list, TDMRs, PAMT placement, reserved areas)
 * on maps of 10, 1 000 and 100 000 blocks.
 *
 * <p>The map: 8 NUMA nodes, each owning an equal run of blocks; block {@code k} is {@code [3k GiB +
 * 4 MiB, 3(k+1) GiB)} (the first starts at 1 MiB), so every block opens its own 3 GiB TDMR with one
 * hole, and each TDMR's 12 MiB PAMT chunk goes through the allocator model on its node. Real
 * module limits (64 TDMRs, 16 reserved areas) cannot hold more than a few dozen such blocks, so the
 * limits are raised to fit the map: {@code maxTdmrs} = blocks, {@code maxReservedPerTdmr} = 300 (a 3
 * GiB TDMR can host up to 256 chunks of other TDMRs). The greedy's work does not depend on the
 * limits beyond these checks. The layout is built and validated once in {@link #build()}, outside
 * the measured method, so a fast wrong answer cannot win.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GreedyBenchmark {
  private static final int NODES = 8;

  @Param({"10", "1000", "100000"})
  public int blocks;

  private MemoryMap map;
  private TdxLimits limits;
  private final LinuxGreedy greedy = LinuxGreedy.mainline();

  @Setup(Level.Trial)
  public void build() {
    List<MemoryBlock> list = new ArrayList<>(blocks);
    int perNode = Math.max(1, (blocks + NODES - 1) / NODES);
    for (int k = 0; k < blocks; k++) {
      long start = k == 0 ? ByteSize.MiB : 3L * k * ByteSize.GiB + 4 * ByteSize.MiB;
      long end = 3L * (k + 1) * ByteSize.GiB;
      list.add(new MemoryBlock(start, end, k / perNode));
    }
    map = MemoryMap.ofBlocks("jmh-" + blocks, list);
    limits = TdxLimits.DEFAULT.withMaxTdmrs(Math.max(64, blocks)).withMaxReservedPerTdmr(300);
    GreedyResult r = greedy.construct(map, limits);
    if (!(r instanceof GreedyResult.Built built)) {
      throw new IllegalStateException("benchmark map does not build: " + r.messages());
    }
    LayoutVerifier.requireValid(map, limits, Policy.DEFAULT, built.layout());
  }

  @Benchmark
  public GreedyResult construct() {
    return greedy.construct(map, limits);
  }
}
