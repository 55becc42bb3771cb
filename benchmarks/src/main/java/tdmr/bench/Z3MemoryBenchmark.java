package tdmr.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Shows that thousands of Z3 solves in one process do not grow native memory: each solve opens and
 * closes its own Z3 context. Solves alternate between a proof of infeasibility with an explanation
 * (15 reserved areas: optimiser, then tracked solvers shrinking the unsat core) and an optimal
 * layout (16 areas), on canonical/tdx#135 or the map given, and the resident set size
 * ({@code VmRSS} of {@code /proc/self/status}) is printed before and after.
 *
 * <p>Usage: {@code Z3MemoryBenchmark [SOLVES] [MAP]} (default 10000 solves of the bundled example).
 */
public final class Z3MemoryBenchmark {
  private static final String EXAMPLE =
      "examples/tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt";

  private Z3MemoryBenchmark() {}

  public static void main(String[] args) throws IOException, InputException {
    int solves = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    MemoryMap map = args.length > 1 ? MapReader.read(Path.of(args[1])) : bundledExample();
    Z3Engine engine = Z3Engine.explaining();
    SolveOptions options = SolveOptions.DEFAULT;
    TdxLimits[] limits = {TdxLimits.DEFAULT.withMaxReservedPerTdmr(15), TdxLimits.DEFAULT};
    Status[] expected = {Status.INFEASIBLE, Status.OPTIMAL};

    // Warm up: native library loaded, JIT settled, heap at its working size.
    int warmUp = Math.min(2000, solves / 5);
    for (int i = 0; i < warmUp; i++) {
      solveChecked(engine, map, limits[i % 2], expected[i % 2], options);
    }
    long before = residentKiB();
    long started = System.nanoTime();
    for (int i = 0; i < solves; i++) {
      solveChecked(engine, map, limits[i % 2], expected[i % 2], options);
      if ((i + 1) % (solves / 10) == 0) {
        System.out.printf("after %6d solves: VmRSS %7d KiB%n", i + 1, residentKiB());
      }
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    long after = residentKiB();
    System.out.printf(
        "%s, map %s, %d solves in %d s (after %d warm-up solves)%n",
        Z3Engine.z3Version(), map.source(), solves, seconds, warmUp);
    System.out.printf("VmRSS before %d KiB, after %d KiB, change %+d KiB%n", before, after, after - before);
  }

  private static void solveChecked(Z3Engine engine, MemoryMap map, TdxLimits limits, Status expected, SolveOptions options) {
    EngineResult r = engine.solve(map, limits, Policy.KERNEL, options);
    if (r.status() != expected) {
      throw new IllegalStateException("expected %s, got %s: %s".formatted(expected, r.status(), r.messages()));
    }
  }

  /** The process's resident set size in KiB, from {@code /proc/self/status}. */
  static long residentKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS line in /proc/self/status (not Linux?)");
  }

  private static MemoryMap bundledExample() throws IOException, InputException {
    try (InputStream in = Z3MemoryBenchmark.class.getClassLoader().getResourceAsStream(EXAMPLE)) {
      if (in == null) {
        throw new IOException("bundled example " + EXAMPLE + " is missing from the class path");
      }
      String name = EXAMPLE.substring(EXAMPLE.lastIndexOf('/') + 1);
      return MapReader.read(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
