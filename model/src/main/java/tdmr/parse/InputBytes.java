package tdmr.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import tdmr.mem.ByteSize;

/**
 * Reads an input's bytes within the size every input must keep to: {@value #MAX_BYTES} bytes (64
 * MiB). A regular file larger than that is refused before it is read; anything else (standard
 * input, a pipe, a device such as {@code /dev/zero} that never ends) is read up to the limit and
 * refused when more follows. The kernel logs of a boot of the largest machines are a few MiB
 * (200 000 e820 lines are 16 MiB); a larger input is several boots, or not a log.
 */
public final class InputBytes {
  /** The largest input read, in bytes. */
  public static final int MAX_BYTES = 64 << 20;

  private static final String ADVICE =
      "tdmr reads inputs of at most 64 MiB; a kernel log of one boot is far smaller (journalctl -k -b)";

  private InputBytes() {}

  /** The bytes of {@code file}; a missing, directory, unreadable or too large file is bad input. */
  public static byte[] ofFile(Path file) throws InputException {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name, 0, "is a directory, not a memory map");
    }
    if (!Files.exists(file)) {
      throw new InputException(name, 0, "no such file");
    }
    try {
      if (Files.isRegularFile(file)) {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
          throw new InputException(name, 0, "is %s (%d bytes); %s".formatted(ByteSize.human(size), size, ADVICE));
        }
      }
      try (InputStream in = Files.newInputStream(file)) {
        return ofStream(name, in);
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
   * past the limit (so {@code /dev/zero} costs 64 MiB of reading, not the machine's memory).
   */
  public static byte[] ofStream(String name, InputStream in) throws InputException {
    byte[] buffer = new byte[64 * 1024];
    int length = 0;
    try {
      while (true) {
        if (length == buffer.length) {
          if (length > MAX_BYTES) {
            throw new InputException(name, 0, "more than %s of input; %s".formatted(ByteSize.human(MAX_BYTES), ADVICE));
          }
          buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_BYTES + 1));
        }
        int n = in.read(buffer, length, buffer.length - length);
        if (n < 0) {
          return Arrays.copyOf(buffer, length);
        }
        length += n;
      }
    } catch (IOException e) {
      throw new InputException(name, 0, "cannot read: " + e.getMessage());
    }
  }
}
