package tdmr.bench.cpsat;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import tdmr.bench.gen.MachineSpec;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.gen.SyntheticMachine;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Engines;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Solves generated maps of about {@code BLOCKS} TDX memory blocks with the CP-SAT engine and prints,
 * as Markdown, one row per map (model size, status, solve time) and the 50th/95th percentile of the
 * solve time per stress family and overall. A measurement, not a test: nothing here asserts a time.
 *
 * <p>A solve counts as done in time only when CP-SAT proved its answer ({@code OPTIMAL} or {@code
 * INFEASIBLE}); a {@code FEASIBLE} or {@code UNKNOWN} answer at the limit counts as slower than the
 * limit in the percentiles (printed {@code >limit}), since the requirement is a proven plan. The
 * summary counts {@code FEASIBLE} answers apart (a validated layout, with the PAMT bound in the
 * rows where one is proven).
 *
 * <p>Families: {@code fragmented(n)} (firmware holes below 2 GiB), {@code manyNodes(n)} (1.5 GiB
 * NUMA nodes), {@code memmapFragmented(n)} ({@code memmap=} holes above 4 GiB), and {@code
 * realistic} machines drawn as {@link MapGenerator#realistic} does and then given as many {@code
 * memmap=} holes as it takes to reach about {@code BLOCKS} blocks.
 *
 * <p>Usage: {@code CpSatScaling [SEEDS [BLOCKS [THREADS [LIMIT_S [FAMILIES [LAYOUTS [ENGINE]]]]]]]}
 * (defaults: 20 seeds, 1000 blocks, 2 threads, 10 s, all four families, the kernel family of
 * layouts, the raw engine; FAMILIES is a comma-separated subset or {@code all}, LAYOUTS {@code
 * kernel} or {@code module}, the layout family the engine is asked about, {@link Policy.Family};
 * ENGINE {@code raw} for {@link CpSatEngine} alone or {@code registered} for the engine {@code
 * --solver cpsat} runs, {@link Engines#byName}: with the kernel family's floor and the deadline
 * guard, which is what users get). {@code solveMillis} of a registered engine includes the kernel
 * family's share.
 */
public final class CpSatScaling {
  private CpSatScaling() {}

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    double limit = args.length > 3 ? Double.parseDouble(args[3]) : 10;
    List<String> only = args.length > 4 && !args[4].equals("all") ? List.of(args[4].split(",")) : List.of();
    Policy policy = args.length > 5 && args[5].equals("module") ? Policy.DEFAULT : Policy.KERNEL;
    boolean registered = args.length > 6 && args[6].equals("registered");
    Engine engine = registered ? Engines.byName("cpsat").orElseThrow() : new CpSatEngine();
    measure(seeds, blocks, new SolveOptions(limit, threads, 0), only, policy, engine, System.out);
  }

  static void measure(int seeds, int blocks, SolveOptions options, List<String> only, PrintStream out) {
    measure(seeds, blocks, options, only, Policy.KERNEL, new CpSatEngine(), out);
  }

  /** The table of {@code engine} for the layouts of {@code policy}'s family (the default policy otherwise). */
  static void measure(int seeds, int blocks, SolveOptions options, List<String> only, Policy policy, Engine engine,
      PrintStream out) {
    Map<String, LongFunction<SyntheticMachine>> families = new LinkedHashMap<>();
    families.put("fragmented", seed -> MapGenerator.fragmented(blocks, seed));
    families.put("manyNodes", seed -> MapGenerator.manyNodes(blocks, seed));
    families.put("memmap", seed -> MapGenerator.memmapFragmented(blocks, seed));
    families.put("realistic", seed -> realisticScaled(blocks, seed));
    if (!only.isEmpty()) {
      families.keySet().retainAll(only);
    }
    // Warm-up: loads the native library so that the first row does not pay for it.
    engine.solve(MapGenerator.realistic(0).memoryMap(), TdxLimits.DEFAULT, Policy.KERNEL, options);
    out.printf("| map | blocks | cells | candidates | variables | constraints | status | PAMT KB | bound KB | ms |%n");
    out.printf("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|%n");
    Map<String, List<Long>> times = new LinkedHashMap<>();
    List<Long> all = new ArrayList<>();
    // Per family: FEASIBLE answers (a validated layout, not proven optimal).
    Map<String, Integer> feasible = new LinkedHashMap<>();
    long limitMillis = Math.round(options.timeLimitSeconds() * 1000);
    for (Map.Entry<String, LongFunction<SyntheticMachine>> family : families.entrySet()) {
      List<Long> mine = new ArrayList<>();
      for (long seed = 1; seed <= seeds; seed++) {
        SyntheticMachine machine = family.getValue().apply(seed);
        MemoryMap map = machine.memoryMap();
        EngineResult r = engine.solve(map, TdxLimits.DEFAULT, policy, options);
        Problem p = Problem.of(map, TdxLimits.DEFAULT, policy);
        boolean proven = r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE;
        long counted = proven ? r.solveMillis() : Long.MAX_VALUE;
        mine.add(counted);
        all.add(counted);
        if (r.status() == Status.FEASIBLE) {
          feasible.merge(family.getKey(), 1, Integer::sum);
          feasible.merge("overall", 1, Integer::sum);
        }
        out.printf("| %s | %d | %d | %d | %d | %d | %s | %s | %s | %d |%n", machine.name(), map.blocks().size(),
            p.cells().size(), p.candidateCount(), r.modelVariables(), r.modelConstraints(), r.status(),
            r.pamtBytes().isPresent() ? Long.toString(r.pamtBytes().getAsLong() / 1024) : "",
            r.pamtBoundBytes().isPresent() ? Long.toString(r.pamtBoundBytes().getAsLong() / 1024) : "",
            r.solveMillis());
        out.flush();
      }
      times.put(family.getKey(), mine);
    }
    times.put("overall", all);
    out.printf("%n| family | maps | proven in time | FEASIBLE | p50 ms | p95 ms |%n|---|---:|---:|---:|---:|---:|%n");
    for (Map.Entry<String, List<Long>> e : times.entrySet()) {
      long[] t = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
      long inTime = Arrays.stream(t).filter(x -> x <= limitMillis).count();
      out.printf("| %s | %d | %d | %d | %s | %s |%n", e.getKey(), t.length, inTime,
          feasible.getOrDefault(e.getKey(), 0), show(percentile(t, 50)), show(percentile(t, 95)));
    }
  }

  /**
   * A machine of the realistic family with {@code memmap=} holes added until it has about {@code
   * blocks} blocks (each hole splits one block in two).
   */
  static SyntheticMachine realisticScaled(int blocks, long seed) {
    MachineSpec spec = MachineSpec.realistic(new SplittableRandom(~seed));
    int base = MapGenerator.generate(spec, seed).blocks().size() - spec.memmapHoles();
    int holes = Math.max(spec.memmapHoles(), blocks - base);
    MachineSpec scaled = new MachineSpec(spec.label() + "-m" + holes, spec.sockets(), spec.nodesPerSocket(),
        spec.nodeBytes(), spec.lowTop(), spec.lowIslands(), spec.firstTailBytes(), spec.tailBytes(),
        spec.nodesPerCmr(), holes, spec.cxlBytes(), spec.hotplugRanges());
    return MapGenerator.generate(scaled, seed);
  }

  /** Nearest-rank percentile of sorted values. */
  private static long percentile(long[] sorted, int pct) {
    int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static String show(long millis) {
    return millis == Long.MAX_VALUE ? ">limit" : Long.toString(millis);
  }
}
