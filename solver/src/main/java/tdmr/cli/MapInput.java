package tdmr.cli;

import java.nio.file.Path;
import java.io.IOException;
import picocli.CommandLine.Parameters;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;

/** The optional INPUT map of the commands that fall back to the bundled example ({@code @Mixin}). */
final class MapInput {
  @Parameters(paramLabel = "INPUT", arity = "0..1",
      description = "Kernel log, /proc/iomem or JSON map; '-' reads standard input (default: the bundled example).")
  Path argument;

  /** The map INPUT names (read through {@code root}, which owns standard input), or the bundled example without INPUT. */
  MemoryMap read(TdmrCommand root) throws IOException, InputException {
    return argument == null ? BundledExample.map() : root.input(argument).readMap();
  }
}
