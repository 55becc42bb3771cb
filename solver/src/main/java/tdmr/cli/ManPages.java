package tdmr.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the man pages of {@code tdmr} and each of its commands, in AsciiDoc, from the command
 * line model (picocli's {@link ManPageGenerator}): {@code docs/man/tdmr.adoc}, {@code
 * docs/man/tdmr-plan.adoc}, ... Run {@code java -cp solver/target/tdmr.jar tdmr.cli.ManPages
 * docs/man} after changing an option or a help text; {@code ManPagesTest} fails while the committed
 * pages differ from what this writes. {@code asciidoctor -b manpage docs/man/tdmr.adoc} turns a page
 * into roff for {@code man}.
 */
public final class ManPages {
  private ManPages() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java -cp tdmr.jar tdmr.cli.ManPages OUTPUT_DIRECTORY");
      System.exit(TdmrCommand.EXIT_INPUT);
    }
    write(Path.of(args[0]));
  }

  /** Writes one page per command into {@code directory}, replacing the pages there. */
  public static void write(Path directory) throws IOException {
    Files.createDirectories(directory);
    CommandLine cl = TdmrCommand.commandLine(System.in, new PrintStream(PrintStream.nullOutputStream()),
        new PrintStream(PrintStream.nullOutputStream()));
    CommandSpec spec = cl.getCommandSpec();
    // The pages name the release, not the build: the commit and the Java that runs it change daily.
    String release = "tdmr " + new TdmrVersion().release();
    spec.versionProvider(null).version(release);
    TdmrCommand.everyCommand(cl, sub -> sub.getCommandSpec().versionProvider(null).version(release));
    int status = ManPageGenerator.generateManPage(directory.toFile(), (File) null, new boolean[0], false, spec);
    if (status != 0) {
      throw new IOException("picocli's ManPageGenerator failed with status " + status);
    }
  }
}
