package tdmr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.parse.InputException;

/**
 * The INPUT arguments of a command that answers for many hosts in one run ({@code map}, {@code plan},
 * {@code diagnose}, {@code check}, {@code fix}), expanded into one input per host: a file as given,
 * every file under a directory (recursively, sorted by path, hidden files and directories left out),
 * or {@code -} for standard input (at most once).
 */
final class HostInputs {
  private HostInputs() {}

  /**
   * One input: its name as shown in messages and in the summary, and either where to read it or
   * why it cannot be read (a directory without files), reported for this input alone.
   */
  record Input(String name, Path path, Optional<InputException> problem) {}

  /**
   * The inputs the arguments name, in the order given; a directory adds its files in path order.
   * Standard input named twice is a usage error (it can be read once).
   */
  static List<Input> expand(List<Path> arguments) {
    List<Input> inputs = new ArrayList<>();
    int stdin = 0;
    for (Path argument : arguments) {
      if (InputSource.isStdin(argument)) {
        if (++stdin > 1) {
          throw new OptionValueException("'-' (standard input) can be given only once");
        }
        inputs.add(new Input(InputSource.STDIN, argument, Optional.empty()));
      } else if (Files.isDirectory(argument)) {
        inputs.addAll(filesUnder(argument));
      } else {
        inputs.add(new Input(argument.toString(), argument, Optional.empty()));
      }
    }
    return inputs;
  }

  /** True when the arguments name more than one host's input: several, or a directory. */
  static boolean many(List<Path> arguments) {
    return arguments.size() > 1 || arguments.stream().anyMatch(a -> !InputSource.isStdin(a) && Files.isDirectory(a));
  }

  private static List<Input> filesUnder(Path directory) {
    Walk walk = new Walk(directory);
    try {
      Files.walkFileTree(directory, walk);
    } catch (IOException e) {
      return List.of(problem(directory, "cannot read the directory: " + AtomicFile.reason(e)));
    }
    if (walk.found.isEmpty()) {
      return List.of(problem(directory, "a directory without files: nothing to read"));
    }
    walk.found.sort(java.util.Comparator.comparing(Input::path));
    return walk.found;
  }

  /**
   * The files under a directory, and each part of it that cannot be read, as its own input (its
   * problem named); what vanishes while it is walked (a collector rotating files, a temporary file)
   * is no input. The directory itself unreadable ends the walk.
   */
  static final class Walk extends java.nio.file.SimpleFileVisitor<Path> {
    private final Path directory;
    private final List<Input> found = new ArrayList<>();

    Walk(Path directory) {
      this.directory = directory;
    }

    @Override
    public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
      return !dir.equals(directory) && hidden(directory, dir) ? java.nio.file.FileVisitResult.SKIP_SUBTREE
          : java.nio.file.FileVisitResult.CONTINUE;
    }

    @Override
    public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
      // Attributes without following links; a link to a regular file is read as that file.
      if (!hidden(directory, file) && (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(file))) {
        found.add(new Input(file.toString(), file, Optional.empty()));
      }
      return java.nio.file.FileVisitResult.CONTINUE;
    }

    @Override
    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
      if (file.equals(directory)) {
        throw e;
      }
      if (!(e instanceof java.nio.file.NoSuchFileException) && !hidden(directory, file)) {
        found.add(problem(file, "cannot read: " + AtomicFile.reason(e)));
      }
      return java.nio.file.FileVisitResult.CONTINUE;
    }

    @Override
    public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
      if (e != null) {
        return visitFileFailed(dir, e);
      }
      return java.nio.file.FileVisitResult.CONTINUE;
    }

    List<Input> found() {
      return found;
    }
  }

  /** A path below the directory with a component starting with '.' (editor back-ups, .git). */
  private static boolean hidden(Path directory, Path p) {
    for (Path part : directory.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static Input problem(Path directory, String text) {
    return new Input(directory.toString(), directory,
        Optional.of(new InputException(directory.toString(), 0, text)));
  }

}
