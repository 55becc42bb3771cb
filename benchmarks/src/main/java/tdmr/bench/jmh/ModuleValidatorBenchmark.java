package tdmr.bench.jmh;

import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tdmr.bench.gen.MachineSpec;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.gen.SyntheticMachine;
import tdmr.check.ModuleValidator;
import tdmr.check.Violation;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * How fast {@link ModuleValidator} applies the TDH.SYS.CONFIG checks to a layout the kernel's
 * greedy builds, on maps from 3 to 61 TDMRs. The layout is built in {@link #setUp()} and accepted
 * there once, so the measured call walks every rule (a valid layout is the validator's worst case:
 * nothing stops it early).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ModuleValidatorBenchmark {
  @Param({"icelake-2s-snc2", "fragmented-12", "memmap-12", "manynodes-60"})
  public String map;

  private ModuleValidator validator;
  private Layout layout;

  @Setup
  public void setUp() {
    SyntheticMachine m = switch (map) {
      // 2 sockets x 2 SNC nodes of 128 GiB, 7 usable ranges below 2 GiB as on the Ice Lake maps
      case "icelake-2s-snc2" -> MapGenerator.generate(
          new MachineSpec(map, 2, 2, 128 * GiB, 0x6f800000L, 7, 96 * MiB, 64 * MiB, 2, 0, 0, 0), 1);
      case "fragmented-12" -> MapGenerator.fragmented(12, 1);
      case "memmap-12" -> MapGenerator.memmapFragmented(12, 1);
      case "manynodes-60" -> MapGenerator.manyNodes(60, 1);
      default -> throw new IllegalArgumentException("unknown map " + map);
    };
    MemoryMap memoryMap = m.memoryMap();
    EngineResult r = new GreedyEngine().solve(memoryMap, TdxLimits.DEFAULT, Policy.DEFAULT, SolveOptions.DEFAULT);
    layout = r.layout().orElseThrow(() -> new IllegalStateException("the greedy gives no layout for " + m.name() + ": " + r.messages()));
    validator = new ModuleValidator(memoryMap.cmrs(), TdxLimits.DEFAULT);
    if (!validator.accepts(layout)) {
      throw new IllegalStateException("validator rejects the greedy layout of " + m.name() + ": " + validator.firstViolation(layout));
    }
  }

  @Benchmark
  public Optional<Violation> firstViolation() {
    return validator.firstViolation(layout);
  }
}
