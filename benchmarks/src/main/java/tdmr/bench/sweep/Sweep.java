package tdmr.bench.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Runs every engine on every map on a fixed-size thread pool and returns one row per map and
 * engine, in map order then engine order, whatever order the solves finish in.
 *
 * <p>An engine that throws (a bug, or a native solver library that cannot load) gives an
 * {@code ERROR} row with the exception's text instead of stopping the sweep.
 */
public final class Sweep {
  private final TdxLimits limits;
  private final Policy policy;
  private final SolveOptions options;
  private final int threads;
  private final int maxBlocks;
  private final Set<String> unlimited;

  /** A sweep that runs every engine on every map. */
  public Sweep(TdxLimits limits, Policy policy, SolveOptions options, int threads) {
    this(limits, policy, options, threads, 0, Set.of());
  }

  /**
   * A sweep in which engines not named in {@code unlimited} skip maps with more than {@code
   * maxBlocks} blocks (0: no limit), giving {@code SKIPPED} rows. A solver's native memory is
   * outside the JVM heap and a time limit does not bound it, so this is how a sweep on a shared
   * machine keeps the exact engines to the maps they can hold.
   */
  public Sweep(TdxLimits limits, Policy policy, SolveOptions options, int threads, int maxBlocks, Set<String> unlimited) {
    if (threads < 1 || maxBlocks < 0) {
      throw new IllegalArgumentException("threads must be at least 1 and max blocks at least 0, got %d and %d".formatted(threads, maxBlocks));
    }
    this.limits = limits;
    this.policy = policy;
    this.options = options;
    this.threads = threads;
    this.maxBlocks = maxBlocks;
    this.unlimited = Set.copyOf(unlimited);
  }

  public TdxLimits limits() {
    return limits;
  }

  public Policy policy() {
    return policy;
  }

  public SolveOptions options() {
    return options;
  }

  /** Solves all maps with all engines; {@code progress} hears of each finished solve. */
  public List<SweepRow> run(List<SweepMap> maps, List<Engine> engines, Progress progress) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<SweepRow>> futures = new ArrayList<>();
      for (SweepMap map : maps) {
        int holes = map.kernelTdmrHoles();
        for (Engine engine : engines) {
          futures.add(pool.submit(() -> {
            SweepRow row = solve(map, holes, engine);
            progress.finished(row);
            return row;
          }));
        }
      }
      List<SweepRow> rows = new ArrayList<>();
      for (Future<SweepRow> f : futures) {
        try {
          rows.add(f.get());
        } catch (ExecutionException e) {
          throw new IllegalStateException("sweep task failed outside the engine", e.getCause());
        }
      }
      return rows;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The line that says most in one row: the kernel's failure when there is one, else the first message. */
  private static String headline(EngineResult r) {
    if (r.kernelFailure().isPresent()) {
      return r.kernelFailure().get().headline();
    }
    return r.messages().isEmpty() ? "" : r.messages().get(0);
  }

  private SweepRow solve(SweepMap map, int holes, Engine engine) {
    if (maxBlocks > 0 && map.blocks() > maxBlocks && !unlimited.contains(engine.name())) {
      return new SweepRow(map.name(), map.origin(), map.blocks(), map.map().totalBytes(), holes, engine.name(),
          SweepRow.SKIPPED, OptionalLong.empty(), OptionalLong.empty(), 0, 0, 0, 0, 0,
          "not run: %d blocks, above --max-blocks %d".formatted(map.blocks(), maxBlocks));
    }
    try {
      EngineResult r = engine.solve(map.map(), limits, policy, options);
      Layout layout = r.layout().orElse(null);
      return new SweepRow(map.name(), map.origin(), map.blocks(), map.map().totalBytes(), holes, engine.name(),
          r.status().name(), r.pamtBytes(), r.pamtBoundBytes(),
          layout == null ? 0 : layout.size(), layout == null ? 0 : layout.maxReservedPerTdmr(),
          r.solveMillis(), r.modelVariables(), r.modelConstraints(),
          headline(r));
    } catch (RuntimeException | LinkageError e) {
      // A sweep reports a broken engine as a row and goes on: one bad map or a missing native
      // library must not cost the other results of a ten-minute run.
      return new SweepRow(map.name(), map.origin(), map.blocks(), map.map().totalBytes(), holes, engine.name(),
          SweepRow.ERROR, OptionalLong.empty(), OptionalLong.empty(), 0, 0, 0, 0, 0, e.toString());
    }
  }
}
