package tdmr.parse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import tdmr.mem.MemoryMap;

/**
 * Reads a memory map in any of the formats {@code tdmr} understands, telling them apart by their
 * text: a JSON map ({@link MapJson}) starts with <code>{</code>; a {@code tdmr gather} bundle
 * ({@link Bundle}) with {@value Bundle#FIRST_LINE}; {@code /proc/iomem}
 * ({@link IomemReader}) starts with lines like {@code 00100000-3fffffff : System RAM}; anything
 * else is read as a kernel log ({@link DmesgReader}).
 */
public final class MapReader {
  private static final Pattern IOMEM_LINE = Pattern.compile("^[0-9a-fA-F]++-[0-9a-fA-F]++ : ");

  private MapReader() {}

  /** Reads a file; its path (as given) names it in messages. */
  public static MemoryMap read(Path file) throws InputException {
    return readBytes(file.toString(), fileBytes(file));
  }

  /**
   * The bytes of a file, within {@link InputBytes#MAX_BYTES}; a missing, directory, unreadable or
   * too large file is an input error.
   */
  public static byte[] fileBytes(Path file) throws InputException {
    return InputBytes.ofFile(file);
  }

  /** Reads raw bytes, rejecting binary data (NUL bytes, invalid UTF-8) with a clear message. */
  public static MemoryMap readBytes(String sourceName, byte[] bytes) throws InputException {
    return read(sourceName, text(sourceName, bytes));
  }

  /** Reads text, detecting its format. */
  public static MemoryMap read(String sourceName, String text) throws InputException {
    String first = TextLines.firstContentLine(text);
    if (first == null) {
      throw new InputException(sourceName, 0, "empty input: no memory map in this input");
    }
    if (first.startsWith("{")) {
      return MapJson.read(sourceName, text);
    }
    if (Bundle.isBundle(text)) {
      return Bundle.read(sourceName, text).map();
    }

    if (IOMEM_LINE.matcher(first).find()) {
      return IomemReader.read(sourceName, text);
    }
    return DmesgReader.read(sourceName, text);
  }

  /**
   * Decodes UTF-8 text. A memory map is text; a NUL byte or an invalid UTF-8 sequence means the
   * user passed a binary file (a TDMR_INFO dump, a compressed log), which we name instead of
   * reporting a confusing parse error further down. Layout readers use it too. A leading UTF-8
   * byte order mark (Windows editors write one) is dropped, so that a JSON map saved by Notepad is
   * still detected as JSON. A log saved as UTF-16 with its byte order mark (what Windows
   * PowerShell's {@code >} writes) is decoded as such; UTF-16 without one is refused with the
   * {@code iconv} command that converts it, since which byte order it has would be a guess.
   */
  public static String text(String sourceName, byte[] bytes) throws InputException {
    Optional<Charset> utf16 = utf16ByOrderMark(bytes);
    if (utf16.isPresent()) {
      return utf16Text(sourceName, bytes, utf16.get());
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw new InputException(sourceName, lineAt(bytes, i), nulByteProblem(sourceName, bytes, i));
      }
    }
    int invalid = firstInvalidUtf8(bytes);
    if (invalid >= 0) {
      throw new InputException(
          sourceName,
          lineAt(bytes, invalid),
          "binary input (not valid UTF-8 text at offset %d): expected a text log, /proc/iomem or JSON".formatted(invalid));
    }
    // Validated above, so nothing is replaced; decoding straight into a String keeps one copy of
    // a large log in memory instead of three (bytes, a UTF-16 buffer and the String).
    boolean bom = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
    return bom ? new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8) : new String(bytes, StandardCharsets.UTF_8);
  }

  /** UTF-16LE or UTF-16BE when {@code bytes} start with that byte order mark. */
  private static Optional<Charset> utf16ByOrderMark(byte[] bytes) {
    if (bytes.length < 2) {
      return Optional.empty();
    }
    if (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE) {
      return Optional.of(StandardCharsets.UTF_16LE);
    }
    if (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF) {
      return Optional.of(StandardCharsets.UTF_16BE);
    }
    return Optional.empty();
  }

  /** The text after a UTF-16 byte order mark; malformed UTF-16 or a NUL character is refused. */
  private static String utf16Text(String sourceName, byte[] bytes, Charset charset) throws InputException {
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    String text;
    try {
      text = decoder.decode(ByteBuffer.wrap(bytes, 2, bytes.length - 2)).toString();
    } catch (CharacterCodingException e) {
      throw new InputException(sourceName, 0,
          "binary input (starts with a %s byte order mark but is not valid %s text): expected a text log, /proc/iomem or JSON"
              .formatted(charset.name(), charset.name()));
    }
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      int line = (int) text.substring(0, nul).chars().filter(c -> c == '\n').count() + 1;
      throw new InputException(sourceName, line,
          "binary input (NUL character in %s text): expected a text log, /proc/iomem or JSON".formatted(charset.name()));
    }
    return text;
  }

  /**
   * What a NUL byte at {@code offset} means: binary data, or UTF-16 text without a byte order mark
   * (every other byte NUL around an ASCII character), which {@code iconv} converts: the command
   * names the file, so that it can be pasted, and a file beside it for the UTF-8 copy.
   */
  private static String nulByteProblem(String sourceName, byte[] bytes, int offset) {
    int even = 0;
    int odd = 0;
    int probe = Math.min(bytes.length & ~1, 512);
    for (int i = 0; i < probe; i += 2) {
      even += bytes[i] == 0 && bytes[i + 1] != 0 ? 1 : 0;
      odd += bytes[i + 1] == 0 && bytes[i] != 0 ? 1 : 0;
    }
    int pairs = probe / 2;
    if (pairs >= 4 && Math.max(even, odd) * 10 >= pairs * 9) {
      String order = odd > even ? "UTF-16LE" : "UTF-16BE";
      boolean file = !sourceName.startsWith("<");
      String from = file ? ShellWord.of(sourceName) : "FILE";
      String to = file ? ShellWord.of(sourceName + ".utf8") : "FILE.utf8";
      return ("UTF-16 text without a byte order mark (NUL byte at offset %d): convert it to UTF-8 first,"
          + " e.g. iconv -f %s -t UTF-8 %s > %s").formatted(offset, order, from, to);
    }
    return "binary input (NUL byte at offset %d): expected a text log, /proc/iomem or JSON".formatted(offset);
  }

  /** The offset of the first byte that is not valid UTF-8, or -1; decodes in small chunks. */
  private static int firstInvalidUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        return in.position();
      }
      if (result.isUnderflow()) {
        return -1;
      }
      out.clear();
    }
  }

  private static int lineAt(byte[] bytes, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }

}
