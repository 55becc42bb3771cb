package tdmr.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tdmr.bench.gen.DmesgWriter;
import tdmr.bench.gen.SyntheticMachine;
import tdmr.bench.sweep.ConstructionTable;
import tdmr.bench.sweep.GeneratedMaps;
import tdmr.bench.sweep.MapFiles;
import tdmr.bench.sweep.Progress;
import tdmr.bench.sweep.ResultsCsv;
import tdmr.bench.sweep.Sweep;
import tdmr.bench.sweep.SweepCharts;
import tdmr.bench.sweep.SweepMap;
import tdmr.bench.sweep.SweepRow;
import tdmr.bench.sweep.SweepSummary;
import tdmr.cli.AtomicFile;
import tdmr.cli.PolicyOptions;
import tdmr.mem.Count;
import tdmr.parse.InputException;
import tdmr.solver.Engine;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr-bench sweep}: every engine on every map, written as CSV, Markdown and SVG. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    header = "Run every registered engine on real and generated maps; write results.csv, summary.md and charts.",
    description = "Solves each map with each engine on a fixed pool of threads (one solver thread per solve), "
        + "shows progress on stderr and writes, in a deterministic order: results.csv (one row per map and engine), "
        + "summary.md, feasibility.svg, pamt-ratio.svg, solve-time.svg, and maps/<name>.txt for every generated map "
        + "(readable by `tdmr plan`).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the sweep ran (whatever the engines answered)", "2:bad input or usage", "70:internal error"})
public final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--real", paramLabel = "<dir>", description = "Directory of real memory maps (dmesg, /proc/iomem or JSON).")
  Path realDir;

  @Option(names = "--generated", paramLabel = "<n>", description = "Number of generated maps (default: ${DEFAULT-VALUE}).")
  int generated = 0;

  @Option(names = "--seed", paramLabel = "<s>", description = "Seed of the generated maps and of the solvers (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--time-limit", paramLabel = "<seconds>", description = "Time limit per solve (default: ${DEFAULT-VALUE}, not tdmr's 60: a sweep runs every engine on every map).")
  double timeLimitSeconds = 10;

  @Option(names = "--threads", paramLabel = "<n>", description = "Solves run in parallel, each with one solver thread (default: the number of processors).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--engines", paramLabel = "<name>", split = ",", description = "Engines to run (default: all registered).")
  List<String> engineNames = List.of();

  @Option(names = "--max-blocks", paramLabel = "<n>",
      description = "Engines other than the kernel constructions (greedy, greedy-cmr, greedy-merge, greedy-fit) and cpsat"
          + " skip maps with more blocks (default: 0, no limit).")
  int maxBlocks = 0;

  @Mixin PolicyOptions.Holes holes;

  @Option(names = "--family", paramLabel = "kernel|module", defaultValue = "kernel",
      description = "Layout family the optimising engines search; the kernel constructions are compared with"
          + " CP-SAT in it (default: ${DEFAULT-VALUE}).")
  String familyName;

  @Option(names = "--out", paramLabel = "<dir>", required = true, description = "Output directory (created if missing).")
  Path out;

  /** Registered engines that could not be created here (a native library missing), with the reason. */
  private final List<String> unavailable = new ArrayList<>();

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    if (generated < 0 || threads < 1 || maxBlocks < 0 || !(timeLimitSeconds > 0)) {
      err.println("tdmr-bench sweep: --generated and --max-blocks must be >= 0, --threads >= 1 and --time-limit > 0");
      return 2;
    }
    if (realDir == null && generated == 0) {
      err.println("tdmr-bench sweep: nothing to do: give --real <dir> and/or --generated <n>");
      return 2;
    }
    Policy.Family family;
    try {
      family = Policy.Family.valueOf(familyName.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      err.println("tdmr-bench sweep: --family must be kernel or module, got '" + familyName + "'");
      return 2;
    }
    List<Engine> engines = selectEngines(err);
    if (engines == null) {
      return 2;
    }
    Instant started = Instant.now();
    List<SweepMap> maps = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    if (realDir != null) {
      try {
        MapFiles.Loaded loaded = MapFiles.read(realDir);
        maps.addAll(loaded.maps());
        skipped.addAll(loaded.skipped());
      } catch (InputException e) {
        err.println("tdmr-bench sweep: " + e.getMessage());
        return 2;
      }
    }
    int realCount = maps.size();
    List<SyntheticMachine> machines = GeneratedMaps.generate(generated, seed);
    for (SyntheticMachine m : machines) {
      maps.add(new SweepMap(m.name(), GeneratedMaps.family(m), m.memoryMap()));
    }
    // A file that is not a map goes on (summary.md lists it), but not unseen: a sweep that silently
    // lost maps would count greedy's successes over fewer maps than its user gave it.
    skipped.stream().filter(why -> !why.endsWith(MapFiles.DOCUMENTATION))
        .forEach(why -> err.println("tdmr-bench sweep: skipped " + why));
    if (maps.isEmpty()) {
      err.println("tdmr-bench sweep: no memory map to run: %s holds none, and --generated is 0".formatted(realDir));
      return 2;
    }

    TdxLimits limits = TdxLimits.DEFAULT;
    Policy policy = Policy.DEFAULT.withHoles(holes.value()).withFamily(family);
    SolveOptions options = new SolveOptions(timeLimitSeconds, 1, (int) seed);
    Set<String> unlimited = new java.util.HashSet<>(ConstructionTable.CONSTRUCTIONS);
    unlimited.add(ConstructionTable.REFEREE);
    Sweep sweep = new Sweep(limits, policy, options, threads, maxBlocks, unlimited);
    Progress progress = new Progress(err, System.console() != null, maps.size() * engines.size());
    List<SweepRow> rows = sweep.run(maps, engines, progress);
    Duration took = Duration.between(started, Instant.now());

    SweepSummary summary = new SweepSummary(rows, limits, holes.value(), timeLimitSeconds, family);
    String markdown = summary.markdown(preamble(engines, realCount, machines.size(), skipped, policy, options, took, started));
    try {
      // The whole directory or nothing: a sweep that cannot finish writing leaves the old results.
      Map<String, String> charts = SweepCharts.all(rows, summary, timeLimitSeconds);
      AtomicFile.writeDirectory(out, dir -> {
        keepOthers(out, dir, charts.keySet());
        if (!machines.isEmpty()) {
          Files.createDirectories(dir.resolve("maps"));
        }
        for (SyntheticMachine m : machines) {
          DmesgWriter.write(m, dir.resolve("maps").resolve(m.name() + ".txt"));
        }
        write(dir.resolve("results.csv"), ResultsCsv.write(rows));
        write(dir.resolve("summary.md"), markdown);
        for (Map.Entry<String, String> chart : charts.entrySet()) {
          write(dir.resolve(chart.getKey()), chart.getValue());
        }
      });
    } catch (IOException e) {
      err.println("tdmr-bench sweep: cannot write %s: %s; nothing written (an old %s is unchanged)"
          .formatted(out, AtomicFile.reason(e), out));
      return 2;
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("%s x %s in %s; wrote %s (results.csv, summary.md, 3 charts)%n",
        Count.of(maps.size(), "map"), Count.of(engines.size(), "engine"), clock(took), out);
    if (summary.greedyRuns() > 0) {
      o.printf("greedy succeeds on %d of %d maps; where it fails, a layout exists under the same rules on %d, only with CMR holes on %d%n",
          summary.greedySuccesses(), summary.greedyRuns(), summary.greedyFailsButLayoutExists().size(),
          summary.greedyFailsOnlyCmrHolesHelp().size());
    }
    return 0;
  }

  /**
   * Copies into the new directory {@code dir} every entry of the old {@code out} that a sweep does
   * not write (a committed results directory also holds other benchmarks' files and other sweeps'
   * subdirectories): the directory is still replaced whole, and only the sweep's own files change.
   */
  private static void keepOthers(Path out, Path dir, java.util.Set<String> charts) throws IOException {
    if (!Files.isDirectory(out)) {
      return;
    }
    java.util.Set<String> own = new java.util.HashSet<>(charts);
    own.addAll(List.of("maps", "results.csv", "summary.md"));
    try (java.util.stream.Stream<Path> entries = Files.list(out)) {
      for (Path entry : entries.filter(e -> !own.contains(e.getFileName().toString())).toList()) {
        try (java.util.stream.Stream<Path> tree = Files.walk(entry)) {
          for (Path from : tree.toList()) {
            Path to = dir.resolve(out.relativize(from).toString());
            if (Files.isDirectory(from)) {
              Files.createDirectories(to);
            } else {
              Files.copy(from, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
          }
        }
      }
    }
  }

  /**
   * The engines asked for (default: every engine registered in {@link Engines}), in registry order.
   * An engine that cannot be created on this machine is left out and named in the summary, unless
   * it was asked for by name; returns null (after a message) for a usage error.
   */
  private List<Engine> selectEngines(PrintWriter err) {
    List<String> known = Engines.names();
    for (String n : engineNames) {
      if (!known.contains(n)) {
        err.println("tdmr-bench sweep: unknown engine '%s'; registered: %s".formatted(n, String.join(", ", known)));
        return null;
      }
    }
    List<Engine> engines = new ArrayList<>();
    for (String n : known) {
      if (!engineNames.isEmpty() && !engineNames.contains(n)) {
        continue;
      }
      try {
        Engines.byName(n).ifPresent(engines::add);
      } catch (IllegalArgumentException e) {
        if (!engineNames.isEmpty()) {
          err.println("tdmr-bench sweep: " + e.getMessage());
          return null;
        }
        unavailable.add(n + ": " + e.getMessage());
        err.println("tdmr-bench sweep: leaving out " + e.getMessage());
      }
    }
    return engines;
  }

  private String preamble(List<Engine> engines, int real, int generatedCount, List<String> skipped, Policy policy,
      SolveOptions options, Duration took, Instant started) {
    Runtime rt = Runtime.getRuntime();
    StringBuilder p = new StringBuilder();
    p.append("Command: `tdmr-bench ").append(String.join(" ", spec.commandLine().getParseResult().originalArgs())).append("`\n\n");
    p.append("- Maps: %d real%s, %d generated (seed %d; the text of each is in `maps/`).\n".formatted(
        real, realDir == null ? "" : " from `" + realDir + "`", generatedCount, seed));
    if (!skipped.isEmpty()) {
      p.append("- Skipped files (not memory maps): ").append(skipped.size()).append('\n');
      skipped.forEach(s -> p.append("  - ").append(s).append('\n'));
    }
    p.append("- Engines: ").append(String.join(", ", engines.stream().map(Engine::name).toList()))
        .append(" (registered in `tdmr.solver.Engines`: ").append(String.join(", ", Engines.names())).append(")\n");
    unavailable.forEach(u -> p.append("  - not available here: ").append(u).append('\n'));
    p.append("- Limits: TDX module 1.5 defaults (64 TDMRs, 16 reserved areas per TDMR, 16-byte PAMT entries, no Dynamic PAMT).\n");
    p.append("- Policy: holes %s, PAMT %s, coverage %s, layout family %s.\n".formatted(
        policy.holes().text(), policy.pamt().text(), policy.coverage().text(), policy.family().text()));
    p.append("- Time limit %s s per solve, 1 solver thread per solve, %s in parallel.\n".formatted(
        stripZeros(options.timeLimitSeconds()), Count.of(threads, "solve")));
    if (maxBlocks > 0) {
      p.append(("- Engines other than the kernel constructions and cpsat were not run on maps with more than %d blocks"
          + " (status SKIPPED).\n").formatted(maxBlocks));
    }
    p.append("- Machine: %d processors, max heap %d MiB, Java %s (%s), %s %s.\n".formatted(
        rt.availableProcessors(), rt.maxMemory() >> 20, System.getProperty("java.version"),
        System.getProperty("java.vendor"), System.getProperty("os.name"), System.getProperty("os.arch")));
    p.append("- Started %s, took %s.".formatted(started.truncatedTo(ChronoUnit.SECONDS), clock(took)));
    return p.toString();
  }

  private static String stripZeros(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String clock(Duration d) {
    return "%dm%02ds".formatted(d.toMinutes(), d.toSecondsPart());
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
