package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limit an input's first bytes choose: an input of exactly the limit is read whole, one byte
 * more is refused, a regular file by its size (the message gives it) and a stream once the byte
 * past the limit arrives (the message names the limit).
 */
class InputBytesTest {
  private static final InputBytes.Limit LIMIT = new InputBytes.Limit(100_000, "the limit is 100000 bytes");

  @TempDir Path dir;

  @Test
  void aFileOfExactlyTheLimitIsReadWhole() throws Exception {
    byte[] bytes = bytes(100_000);
    Path file = dir.resolve("at-limit");
    Files.write(file, bytes);
    assertArrayEquals(bytes, InputBytes.ofFile(file, start -> LIMIT));
  }

  @Test
  void aFileOneBytePastTheLimitIsRefusedByItsSize() throws Exception {
    Path file = dir.resolve("past-limit");
    Files.write(file, bytes(100_001));
    InputException e = assertThrows(InputException.class, () -> InputBytes.ofFile(file, start -> LIMIT));
    assertEquals("is 97.66 KiB (100001 bytes); the limit is 100000 bytes", e.problem());
  }

  @Test
  void aStreamOfExactlyTheLimitIsReadWholeAndOneBytePastIsRefused() throws Exception {
    byte[] bytes = bytes(100_000);
    assertArrayEquals(bytes, InputBytes.ofStream("s", new ByteArrayInputStream(bytes), start -> LIMIT));
    InputException e = assertThrows(InputException.class,
        () -> InputBytes.ofStream("s", new ByteArrayInputStream(bytes(100_001)), start -> LIMIT));
    assertEquals("more than 97.66 KiB of input; the limit is 100000 bytes", e.problem());
  }

  /** The limit depends on the first bytes only: here, an input starting with '{' may be larger. */
  @Test
  void theFirstBytesChooseTheLimit() throws Exception {
    byte[] json = bytes(200_000);
    json[0] = '{';
    byte[] read = InputBytes.ofStream("s", new ByteArrayInputStream(json),
        start -> start[0] == '{' ? InputBytes.ANY_INPUT : LIMIT);
    assertArrayEquals(json, read);
  }

  @Test
  void shortInputsAndTheEmptyInputAreReadWhole() throws Exception {
    assertArrayEquals(new byte[0], InputBytes.ofStream("s", new ByteArrayInputStream(new byte[0])));
    byte[] line = "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n".getBytes();
    assertArrayEquals(line, InputBytes.ofStream("s", new ByteArrayInputStream(line)));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }
}
