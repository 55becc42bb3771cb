package tdmr.cli;

import java.io.InputStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputBytes;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/** A command's INPUT argument: a file path, or {@code -} for standard input, read into a memory map. */
public final class InputSource {
  /** The argument value that means standard input. */
  public static final String STDIN = "-";

  private final String argument;
  private final InputStream stdin;
  private final boolean stdinClosed;

  /** The input named by {@code argument}, reading {@code stdin} when it is {@code -}. */
  public InputSource(String argument, InputStream stdin) {
    this(argument, stdin, false);
  }

  /** As above; {@code stdinClosed} when the process was started with standard input closed. */
  InputSource(String argument, InputStream stdin, boolean stdinClosed) {
    this.argument = argument;
    this.stdin = stdin;
    this.stdinClosed = stdinClosed;
  }

  /** True when a path argument is {@code -}, standard input. */
  public static boolean isStdin(Path argument) {
    return argument.toString().equals(STDIN);
  }

  /** An input read from this process's standard input when the argument is {@code -}. */
  public static InputSource of(String argument) {
    return new InputSource(argument, System.in, stdinClosedAtStart());
  }

  /**
   * True when this process was started with standard input closed ({@code <&-}): {@code bin/tdmr}
   * then gives Java an empty one and says so with {@code -Dtdmr.stdin=closed}, since the JVM would
   * otherwise reuse descriptor 0 for one of its own files.
   */
  static boolean stdinClosedAtStart() {
    return "closed".equals(System.getProperty("tdmr.stdin"));
  }

  /** The name used in messages: the path as given, or {@code <stdin>}. */
  public String name() {
    return argument.equals(STDIN) ? "<stdin>" : argument;
  }

  /**
   * The raw bytes of the input, at most {@link InputBytes#MAX_BYTES}; missing, directory,
   * unreadable and too large inputs are input errors, and so is a closed standard input.
   */
  public byte[] bytes() throws InputException {
    return bytes(start -> InputBytes.ANY_INPUT);
  }

  /**
   * The raw bytes of the input within the limit {@code limitByStart} gives for its first bytes (a
   * regular file over it is refused by its size, unread); otherwise as {@link #bytes()}.
   */
  public byte[] bytes(Function<byte[], InputBytes.Limit> limitByStart) throws InputException {
    if (argument.equals(STDIN)) {
      if (stdinClosed) {
        throw new InputException(name(), 0, "no input: standard input is closed (give a file, or pipe a log in)");
      }
      return InputBytes.ofStream(name(), stdin, limitByStart);
    }
    Path file;
    try {
      file = Path.of(argument);
    } catch (InvalidPathException e) {
      throw new InputException(name(), 0, "not a file name: " + e.getReason());
    }
    return InputBytes.ofFile(file, limitByStart);
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
