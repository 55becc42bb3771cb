package tdmr.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tdmr.cli.CliRun;

/** Runs every command that reads an input on it, in-process, and checks each run ({@link Verdicts}). */
final class Commands {
  /** The time limit of the commands that run solvers: they must end, not prove. */
  static final String TIME_LIMIT = "0.3";

  private final Path dir;
  private final Path layout;
  private final Path map;

  /** Commands writing into {@code dir}; {@code layout} and {@code map} are the partners of check. */
  Commands(Path dir, Path layout, Path map) {
    this.dir = dir;
    this.layout = layout;
    this.map = map;
  }

  /** The cheap commands that read a memory map (every try runs these). */
  List<List<String>> mapReaders(Path input) {
    String f = input.toString();
    return List.of(
        List.of("map", f),
        List.of("map", "--json", f),
        List.of("plan", f),
        List.of("plan", f, "--holes", "cmr", "--json"),
        List.of("diagnose", f),
        List.of("check", layout.toString(), "--map", f),
        List.of("render", f, "-o", dir.resolve("picture.svg").toString()));
  }

  /** The commands that run solvers on a map: one of them per try, chosen by {@code which}. */
  List<String> solverCommand(Path input, int which) {
    String f = input.toString();
    List<List<String>> all = List.of(
        List.of("plan", f, "--solver", "cpsat,z3", "--time-limit", TIME_LIMIT),
        List.of("prove", f, "--time-limit", TIME_LIMIT),
        List.of("fix", f, "--time-limit", TIME_LIMIT),
        List.of("fix", f, "--for", "layout", "--time-limit", TIME_LIMIT),
        List.of("frontier", f, "--up-to", "2", "--time-limit", TIME_LIMIT));
    return all.get(Math.floorMod(which, all.size()));
  }

  /** The commands that read a layout (JSON or TDMR_INFO). */
  List<List<String>> layoutReaders(Path input) {
    String f = input.toString();
    return List.of(List.of("check", f, "--map", map.toString()), List.of("check", f, "--map", map.toString(), "--all", "--json"));
  }

  /** Writes the input to {@code name} in the directory and runs {@code commands} on it. */
  void run(Fuzzed input, String name, CommandsFor commands) throws IOException {
    byte[] bytes = input.bytes();
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    try {
      for (List<String> args : commands.of(file)) {
        long t0 = System.nanoTime();
        CliRun run = CliRun.of(args.toArray(String[]::new));
        long nanos = System.nanoTime() - t0;
        double limit = args.contains("--time-limit") ? Double.parseDouble(TIME_LIMIT) * 2 : 0;
        Verdicts.requireSane(args, run, List.of(file.toString(), layout.toString(), map.toString()), bytes.length,
            limit, nanos, input.toString());
      }
    } catch (AssertionError e) {
      keepFailure(name, bytes);
      throw e;
    }
  }

  /** The commands for an input file. */
  @FunctionalInterface
  interface CommandsFor {
    List<List<String>> of(Path file);
  }

  /** A failing input is kept in target/fuzz-failures, to become a regression input (src/test/resources/fuzz). */
  private static void keepFailure(String name, byte[] bytes) throws IOException {
    Path failures = Path.of("target", "fuzz-failures");
    Files.createDirectories(failures);
    Files.write(failures.resolve(Integer.toHexString(java.util.Arrays.hashCode(bytes)) + "-" + name), bytes);
  }

  static List<List<String>> plus(List<List<String>> some, List<String> one) {
    List<List<String>> out = new ArrayList<>(some);
    out.add(one);
    return out;
  }
}
