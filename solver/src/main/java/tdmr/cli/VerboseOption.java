package tdmr.cli;

import java.util.List;
import picocli.CommandLine.Option;
import tdmr.solver.EngineResult;

/**
 * {@code --verbose}: also print how each engine worked (model size, cells, atoms, second
 * attempts), which people debugging an engine need and nobody else ({@link EngineResult#details()}).
 */
public final class VerboseOption {
  @Option(names = {"-v", "--verbose"}, description = "Also print how each solver worked (model size, cells, atoms).")
  boolean verbose;

  /** The engine's details when {@code --verbose} was given, else nothing. */
  public List<String> details(EngineResult result) {
    return verbose ? result.details() : List.of();
  }
}
