package tdmr.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/** The map commands read when no INPUT is given: canonical/tdx#135, bundled in the jar. */
final class BundledExample {
  /** The name maps read from it carry as their source. */
  static final String NAME = PlanCommand.EXAMPLE.substring(PlanCommand.EXAMPLE.lastIndexOf('/') + 1);

  private BundledExample() {}

  static MemoryMap map() throws IOException, InputException {
    String resource = PlanCommand.EXAMPLE;
    try (InputStream in = BundledExample.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("bundled example " + resource + " is missing from the jar");
      }
      return MapReader.read(NAME, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
