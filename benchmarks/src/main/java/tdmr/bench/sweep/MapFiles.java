package tdmr.bench.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/**
 * The real maps of a sweep: every regular file of a directory, in name order, read with {@link
 * MapReader}. Files that are not memory maps (an index, a log without a map) are skipped with
 * the reader's reason, so a sweep over {@code realmaps/} runs on what can run.
 */
public final class MapFiles {
  /** What was read and what was skipped. */
  public record Loaded(List<SweepMap> maps, List<String> skipped) {
    public Loaded {
      maps = List.copyOf(maps);
      skipped = List.copyOf(skipped);
    }
  }

  /** The reason a skipped file of documentation gives (an {@code INDEX.md} beside the maps). */
  public static final String DOCUMENTATION = ": documentation, not a map";

  private MapFiles() {}

  /** Reads all maps of {@code dir}; throws {@link InputException} when it is not a readable directory. */
  public static Loaded read(Path dir) throws InputException {
    if (!Files.isDirectory(dir)) {
      throw new InputException(dir.toString(), 0, "not a directory of memory maps");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new InputException(dir.toString(), 0, "cannot list: " + e.getMessage());
    }
    List<SweepMap> maps = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString().replaceFirst("\\.(txt|json|log)$", "");
      if (f.getFileName().toString().endsWith(".md")) {
        skipped.add(f.getFileName() + DOCUMENTATION);
        continue;
      }
      try {
        MemoryMap map = MapReader.read(f);
        maps.add(new SweepMap(name, "real", map));
      } catch (InputException e) {
        skipped.add(f.getFileName() + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.problem());
      } catch (RuntimeException e) {
        // A bug reading one file must not cost the other maps of a long sweep: say so and go on.
        skipped.add(f.getFileName() + ": internal error while reading it (a bug in tdmr, please report it): " + e);
      }
    }
    return new Loaded(maps, skipped);
  }
}
