package tdmr.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * The INPUT maps of the commands that answer for many hosts and fall back to the bundled example
 * without one ({@code plan}, {@code fix}; {@code @Mixin}).
 */
final class MapInputs {
  @Parameters(paramLabel = "INPUT", arity = "0..*",
      description = "Kernel logs, /proc/iomem or JSON maps (files, directories of them); '-' reads standard input"
          + " (default: the bundled example).")
  List<Path> arguments = new ArrayList<>();
}
