package tdmr.cli;

import picocli.CommandLine.Option;

/** {@code --jobs N}: how many inputs a command that takes several works on at once ({@code @Mixin}). */
public final class JobsOption {
  @Option(names = {"-j", "--jobs"}, paramLabel = "N",
      description = "Inputs to work on at once when several are given (default: the number of processors); the output"
          + " keeps the inputs' order.")
  int value = Runtime.getRuntime().availableProcessors();

  /** The number of jobs; less than 1 is a usage error. */
  int count() {
    if (value < 1) {
      throw new OptionValueException("--jobs must be at least 1, got " + value);
    }
    return value;
  }
}
