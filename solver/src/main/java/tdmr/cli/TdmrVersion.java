package tdmr.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code tdmr --version} prints: tdmr's version and the commit it was built from, the
 * versions of OR-Tools and Z3 inside the jar, and the Java that runs it. The build writes them
 * ({@code tdmr/build.properties} and {@code tdmr/commit.txt}, solver/pom.xml); the commit ends in
 * {@code -modified} when the working tree had changes.
 */
public final class TdmrVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    Properties build = properties("/tdmr/build.properties");
    return new String[] {
      "tdmr %s (commit %s)".formatted(build.getProperty("version"), commit()),
      "OR-Tools %s, Z3 %s".formatted(build.getProperty("ortools"), build.getProperty("z3")),
      "Java %s (%s, %s) on %s %s"
          .formatted(System.getProperty("java.version"), System.getProperty("java.vendor"),
              System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"))
    };
  }

  /** tdmr's version alone, as the build recorded it ({@code 0.1.0-SNAPSHOT}). */
  String release() {
    return properties("/tdmr/build.properties").getProperty("version");
  }

  /** The commit the build recorded; "unknown" when it was built outside a git checkout. */
  static String commit() {
    String text = resource("/tdmr/commit.txt").strip();
    return text.matches("[0-9a-f]{7,40}(-modified)?") ? text : "unknown";
  }

  private static Properties properties(String name) {
    Properties p = new Properties();
    try (InputStream in = TdmrVersion.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing: the build writes it (solver/pom.xml)");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static String resource(String name) {
    try (InputStream in = TdmrVersion.class.getResourceAsStream(name)) {
      return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
