package tdmr.bench.cpsat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import tdmr.check.RemotePamt;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.Instance;
import tdmr.solver.Problem;
import tdmr.solver.SolveOptions;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Solves every real map with the CP-SAT engine under both holes policies and prints, as a Markdown
 * table, the model size and the solve time (median and worst of several runs, after one warm-up
 * solve that loads the native library). A measurement, not a test: nothing here asserts a time.
 *
 * <p>Usage: {@code CpSatRealMaps DIR [RUNS [THREADS [FAMILY [SECONDS]]]]} (defaults: 5 runs, 2
 * threads, the kernel family, 60 s per solve). The size column is the preprocessed instance the
 * family's model is built on: {@link Problem} (cells, atoms, candidate TDMRs) for the kernel family,
 * {@link Instance} (cells, atoms, segments, places) for the module family.
 */
public final class CpSatRealMaps {
  private CpSatRealMaps() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: CpSatRealMaps REALMAPS_DIR [RUNS [THREADS [kernel|module [SECONDS]]]]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Policy.Family family = args.length > 3 ? Policy.Family.valueOf(args[3].toUpperCase(Locale.ROOT)) : Policy.Family.KERNEL;
    double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 60;
    measure(dir, runs, new SolveOptions(seconds, threads, 0), family, System.out);
  }

  static void measure(Path dir, int runs, SolveOptions options, PrintStream out) throws IOException {
    measure(dir, runs, options, Policy.Family.KERNEL, out);
  }

  static void measure(Path dir, int runs, SolveOptions options, Policy.Family family, PrintStream out)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    CpSatEngine engine = new CpSatEngine();
    boolean module = family == Policy.Family.MODULE;
    out.printf("| map | holes | status | PAMT KB | remote KB | TDMRs | areas | %s | variables | constraints | median ms | max ms |%n",
        module ? "cells/atoms/segments/places" : "cells/atoms/candidates");
    out.printf("|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|%n");
    boolean warm = false;
    for (Path file : files) {
      MemoryMap map;
      try {
        map = MapReader.read(file);
      } catch (InputException e) {
        out.printf("| %s | | not a memory map: %s | | | | | | | | | |%n", shortName(file), e.problem());
        continue;
      }
      for (Policy.Holes holes : Policy.Holes.values()) {
        Policy policy = Policy.DEFAULT.withFamily(family).withHoles(holes);
        if (!warm) {
          engine.solve(map, TdxLimits.DEFAULT, policy, options);
          warm = true;
        }
        long[] millis = new long[runs];
        EngineResult r = null;
        for (int i = 0; i < runs; i++) {
          r = engine.solve(map, TdxLimits.DEFAULT, policy, options);
          millis[i] = r.solveMillis();
        }
        Arrays.sort(millis);
        out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %d |%n",
            shortName(file), holes.name().toLowerCase(Locale.ROOT), r.status(),
            r.pamtBytes().isPresent() ? Long.toString(r.pamtBytes().getAsLong() / 1024) : "",
            r.layout().map(l -> Long.toString(new RemotePamt(map, TdxLimits.DEFAULT).bytes(l) / 1024)).orElse(""),
            r.layout().map(l -> Integer.toString(l.size())).orElse(""),
            r.layout().map(l -> Integer.toString(l.reservedAreaCount())).orElse(""),
            sizes(map, policy), r.modelVariables(), r.modelConstraints(), millis[runs / 2], millis[runs - 1]);
      }
    }
  }

  /** The size of the preprocessed instance the family's model is built on. */
  private static String sizes(MemoryMap map, Policy policy) {
    if (policy.family() == Policy.Family.MODULE) {
      Instance i = Instance.of(map, TdxLimits.DEFAULT, policy);
      return "%d/%d/%d/%d".formatted(i.cells().size(), i.atoms().size(), i.segments().size(), i.places().size());
    }
    Problem p = Problem.of(map, TdxLimits.DEFAULT, policy);
    return "%d/%d/%d".formatted(p.cells().size(), p.atoms().size(), p.candidateCount());
  }

  private static String shortName(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".txt") ? name.substring(0, name.length() - 4) : name;
  }
}
