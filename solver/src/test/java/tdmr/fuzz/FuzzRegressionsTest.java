package tdmr.fuzz;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.parse.LayoutJson;
import tdmr.parse.RealMaps;

/**
 * Every input the fuzz suite once broke a command with ({@code src/test/resources/fuzz/}, each
 * described in its README), through every command that reads it, with the fuzz suite's checks.
 */
class FuzzRegressionsTest {
  private static Path dir;
  private static Commands commands;

  @BeforeAll
  static void writePartners() throws Exception {
    dir = Files.createTempDirectory("tdmr-fuzz-regressions");
    Path layout = dir.resolve("partner-layout.json");
    Files.writeString(layout, LayoutJson.write(Seeds.layout(RealMaps.EMR_135)));
    commands = new Commands(dir, layout, RealMaps.path(RealMaps.EMR_135));
  }

  @AfterAll
  static void removeFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static List<Path> inputs() throws IOException, URISyntaxException {
    Path fuzz = Path.of(FuzzRegressionsTest.class.getResource("/fuzz/README.md").toURI()).getParent();
    try (Stream<Path> files = Files.list(fuzz)) {
      return files.filter(f -> !f.getFileName().toString().endsWith(".md")).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("inputs")
  void everyCommandHoldsItsContract(Path input) throws IOException {
    String name = input.getFileName().toString();
    Fuzzed regression = new Fuzzed(new Seeds.Seed(name, Files.readAllBytes(input)), List.of());
    boolean layout = name.endsWith(".tdmr-info.bin") || name.endsWith(".layout.json");
    commands.run(regression, name, file -> {
      if (layout) {
        return commands.layoutReaders(file);
      }
      List<List<String>> all = new ArrayList<>(commands.mapReaders(file));
      for (int solver = 0; solver < 5; solver++) {
        all.add(commands.solverCommand(file, solver));
      }
      return all;
    });
  }
}
