package tdmr.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tdmr.solver.SolveOptions;

/**
 * How long and how hard the solvers may work, each option declared here once: {@code --time-limit},
 * {@code --threads} and {@code --seed} ({@link SolveOptions}). Each is a mixin of its own, so that a
 * command takes exactly the options its engines honour (Z3 has no threads or seed here); {@code @Mixin
 * BudgetOptions} takes them all.
 */
public final class BudgetOptions {
  @Mixin TimeLimit timeLimit;
  @Mixin Threads threads;
  @Mixin Seed seed;

  /**
   * The solve options the three give; a value no solver can use is a usage error. The command's
   * deadline starts now: call this when the command starts, before reading its input.
   */
  public SolveOptions solveOptions() {
    return SolveOptions.forCommand(timeLimit.seconds(), threads.count(), seed.value);
  }

  /** {@code --time-limit S}. */
  public static final class TimeLimit {
    @Option(names = "--time-limit", paramLabel = "S",
        defaultValue = "" + SolveOptions.DEFAULT_TIME_LIMIT_SECONDS,
        description = "Seconds the whole command may take (with several INPUTs: each input's answer), model building"
            + " included, before it answers UNKNOWN or with the best layout found so far; several solves share them"
            + " (default ${DEFAULT-VALUE}).")
    double seconds;

    /** The time limit in seconds; not a positive number is a usage error. */
    double seconds() {
      if (!(seconds > 0)) {
        throw new OptionValueException(
            "--time-limit must be a positive number of seconds, got " + String.valueOf(seconds).replaceFirst("\\.0$", ""));
      }
      return seconds;
    }

    /** Solve options with this time limit for the command that starts now, and the default threads and seed. */
    public SolveOptions solveOptions() {
      SolveOptions d = SolveOptions.DEFAULT;
      return SolveOptions.forCommand(seconds(), d.threads(), d.seed());
    }
  }

  /** {@code --threads N}. */
  public static final class Threads {
    @Option(names = "--threads", paramLabel = "N",
        description = "CP-SAT worker threads (default ${DEFAULT-VALUE}; 1 gives the same answer on every run).")
    int value = SolveOptions.DEFAULT.threads();

    /** More threads than this many per processor only share the processors and multiply CP-SAT's memory. */
    static final int PER_PROCESSOR = 4;

    int count() {
      if (value < 1) {
        throw new OptionValueException("--threads must be at least 1, got " + value);
      }
      int processors = Runtime.getRuntime().availableProcessors();
      if (value > PER_PROCESSOR * processors) {
        throw new OptionValueException("--threads %d is more than this machine can use: at most %d (%d per processor, %d processors)"
            .formatted(value, PER_PROCESSOR * processors, PER_PROCESSOR, processors));
      }
      return value;
    }
  }

  /** {@code --seed N}. */
  public static final class Seed {
    @Option(names = "--seed", paramLabel = "N", description = "CP-SAT random seed (default ${DEFAULT-VALUE}).")
    int value = SolveOptions.DEFAULT.seed();
  }
}
