package tdmr.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import tdmr.mem.ByteSize;

/**
 * Reads an input's bytes within the size every input must keep to: {@value #MAX_BYTES} bytes (64
 * MiB), or less for a kind of input whose size is bounded (a TDMR_INFO binary, {@link Limit}). A
 * regular file larger than its limit is refused by its size before it is read; a character or
 * block device ({@code /dev/zero}, a disk) is refused at once, since it is no file and may never
 * end; anything else (standard input, a pipe such as {@code <(journalctl -k)}) is read up to the
 * limit and refused when more follows, the limit named in the message. The kernel logs of a boot of
 * the largest machines are a few MiB (200 000 e820 lines are 16 MiB); a larger input is several
 * boots, or not a log.
 */
public final class InputBytes {
  /** The largest input read, in bytes. */
  public static final int MAX_BYTES = 64 << 20;

  /** Bytes of an input's start that a {@link Limit} may depend on (fewer when the input is shorter). */
  public static final int START_BYTES = 64 * 1024;

  /**
   * The most bytes an input may have, and why, for the message that refuses a larger one.
   *
   * @param bytes at most {@link #MAX_BYTES}
   * @param reason a sentence saying what the limit is and why, naming it
   */
  public record Limit(long bytes, String reason) {
    public Limit {
      if (bytes < 0 || bytes > MAX_BYTES) {
        throw new IllegalArgumentException("an input limit must be within 0.." + MAX_BYTES + ", got " + bytes);
      }
    }
  }

  /** The limit of every input. */
  public static final Limit ANY_INPUT = new Limit(MAX_BYTES,
      "tdmr reads inputs of at most 64 MiB; a kernel log of one boot is far smaller (journalctl -k -b)");

  private InputBytes() {}

  /** The bytes of {@code file}; a missing, directory, device, unreadable or too large file is bad input. */
  public static byte[] ofFile(Path file) throws InputException {
    return ofFile(file, start -> ANY_INPUT);
  }

  /**
   * The bytes of {@code file} within the limit {@code limitByStart} gives for its first {@link
   * #START_BYTES} bytes (the only bytes read before a regular file is refused by its size).
   */
  public static byte[] ofFile(Path file, Function<byte[], Limit> limitByStart) throws InputException {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name, 0, "is a directory, not a memory map");
    }
    if (!Files.exists(file)) {
      throw new InputException(name, 0, "no such file");
    }
    try {
      Optional<String> device = deviceKind(file);
      if (device.isPresent()) {
        throw new InputException(name, 0, ("is a %s device, not a file: it is not read (it may never end); give a"
            + " file, or pipe the input in; %s").formatted(device.get(), ANY_INPUT.reason()));
      }
      long size = Files.isRegularFile(file) ? Files.size(file) : -1;
      if (size > MAX_BYTES) {
        throw new InputException(name, 0, "is %s; %s".formatted(sizeText(size), ANY_INPUT.reason()));
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] start = readStart(in);
        Limit limit = limitByStart.apply(start);
        if (size > limit.bytes()) {
          throw new InputException(name, 0, "is %s; %s".formatted(sizeText(size), limit.reason()));
        }
        return readRest(name, in, start, limit);
      }
    } catch (AccessDeniedException e) {
      throw new InputException(name, 0, "permission denied");
    } catch (NoSuchFileException e) {
      throw new InputException(name, 0, "no such file");
    } catch (IOException e) {
      throw new InputException(name, 0, "cannot read: " + e.getMessage());
    }
  }

  /**
   * Everything {@code in} holds, up to the limit; more is bad input, found after reading one byte
   * past the limit (so {@code yes |} costs 64 MiB of reading, not the machine's memory).
   */
  public static byte[] ofStream(String name, InputStream in) throws InputException {
    return ofStream(name, in, start -> ANY_INPUT);
  }

  /** Everything {@code in} holds, up to the limit {@code limitByStart} gives for its first bytes. */
  public static byte[] ofStream(String name, InputStream in, Function<byte[], Limit> limitByStart)
      throws InputException {
    try {
      byte[] start = readStart(in);
      return readRest(name, in, start, limitByStart.apply(start));
    } catch (IOException e) {
      throw new InputException(name, 0, "cannot read: " + e.getMessage());
    }
  }

  /** The first {@link #START_BYTES} bytes of {@code in}, or all of them when it ends sooner. */
  private static byte[] readStart(InputStream in) throws IOException {
    byte[] start = new byte[START_BYTES];
    int length = 0;
    while (length < start.length) {
      int n = in.read(start, length, start.length - length);
      if (n < 0) {
        break;
      }
      length += n;
    }
    return length == start.length ? start : Arrays.copyOf(start, length);
  }

  /** {@code start} and the rest of {@code in}, refused once more than the limit has come. */
  private static byte[] readRest(String name, InputStream in, byte[] start, Limit limit)
      throws IOException, InputException {
    int max = (int) limit.bytes();
    if (start.length > max) {
      throw new InputException(name, 0, "more than %s of input; %s".formatted(ByteSize.human(max), limit.reason()));
    }
    if (start.length < START_BYTES) {
      return start;
    }
    byte[] buffer = Arrays.copyOf(start, Math.min(2 * START_BYTES, max + 1));
    int length = start.length;
    while (true) {
      if (length == buffer.length) {
        if (length > max) {
          throw new InputException(name, 0, "more than %s of input; %s".formatted(ByteSize.human(max), limit.reason()));
        }
        buffer = Arrays.copyOf(buffer, (int) Math.min(buffer.length * 2L, max + 1L));
      }
      int n = in.read(buffer, length, buffer.length - length);
      if (n < 0) {
        return Arrays.copyOf(buffer, length);
      }
      length += n;
    }
  }

  /** "character" or "block" when {@code file} is such a device; empty otherwise or when unknown. */
  private static Optional<String> deviceKind(Path file) throws IOException {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(file, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty(); // no unix view: the bounded read still stops a device that never ends
    }
    return switch (mode & 0170000) {
      case 0020000 -> Optional.of("character");
      case 0060000 -> Optional.of("block");
      default -> Optional.empty();
    };
  }

  private static String sizeText(long size) {
    return "%s (%d bytes)".formatted(ByteSize.human(size), size);
  }
}
