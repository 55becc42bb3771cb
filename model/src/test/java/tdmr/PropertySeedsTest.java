package tdmr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every jqwik property of every module runs with a fixed seed, so CI tries the same cases on every
 * run and a red build is reproducible (jqwik has no project-wide seed setting, hence one per property).
 */
class PropertySeedsTest {
  private static final Pattern PROPERTY = Pattern.compile("^\\s*@Property\\b(\\([^)]*\\))?", Pattern.MULTILINE);

  @Test
  void everyPropertyHasAFixedSeed() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<String> unseeded = new ArrayList<>();
    int properties = 0;
    for (String module : List.of("model", "solver", "benchmarks")) {
      Path tests = root.resolve(module).resolve("src/test/java");
      if (!Files.isDirectory(tests)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(tests)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = PROPERTY.matcher(Files.readString(f));
          while (m.find()) {
            properties++;
            if (m.group(1) == null || !m.group(1).contains("seed")) {
              unseeded.add(root.relativize(f) + ": " + m.group());
            }
          }
        }
      }
    }
    assertTrue(properties > 0, "no properties found under " + root);
    assertEquals(List.of(), unseeded);
  }
}
