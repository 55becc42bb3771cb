package tdmr.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/** A command's INPUT argument: a file path, or {@code -} for standard input, read into a memory map. */
public final class InputSource {
  /** The argument value that means standard input. */
  public static final String STDIN = "-";

  private final String argument;
  private final InputStream stdin;

  /** The input named by {@code argument}, reading {@code stdin} when it is {@code -}. */
  public InputSource(String argument, InputStream stdin) {
    this.argument = argument;
    this.stdin = stdin;
  }

  /** True when a path argument is {@code -}, standard input. */
  public static boolean isStdin(Path argument) {
    return argument.toString().equals(STDIN);
  }

  /** An input read from this process's standard input when the argument is {@code -}. */
  public static InputSource of(String argument) {
    return new InputSource(argument, System.in);
  }

  /** The name used in messages: the path as given, or {@code <stdin>}. */
  public String name() {
    return argument.equals(STDIN) ? "<stdin>" : argument;
  }

  /** The raw bytes of the input; missing, directory and unreadable inputs are input errors. */
  public byte[] bytes() throws InputException {
    if (argument.equals(STDIN)) {
      try {
        return stdin.readAllBytes();
      } catch (IOException e) {
        throw new InputException(name(), 0, "cannot read standard input: " + e.getMessage());
      }
    }
    return MapReader.fileBytes(Path.of(argument));
  }

  /** The text of the input; binary input is rejected like {@link MapReader#readBytes} does. */
  public String text() throws InputException {
    return MapReader.text(name(), bytes());
  }

  /** The memory map in the input, in any format {@link MapReader} understands. */
  public MemoryMap readMap() throws InputException {
    return MapReader.readBytes(name(), bytes());
  }
}
