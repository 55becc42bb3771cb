package tdmr.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One change to an input, as a hostile or careless source would make it. Mutations work on bytes
 * (text is handled as ISO-8859-1, one char per byte, so that text and byte changes compose); their
 * indices are taken modulo what the input has, so every mutation applies to every input, and jqwik
 * shrinks them towards the first number, line or byte. {@code toString()} says what was done, which is
 * what a failing property reports.
 */
interface Mutation {
  byte[] apply(byte[] input);

  // ---- text ----

  /** A number token: hex with 0x, a run of hex digits as /proc/iomem and old e820 lines print, or decimal. */
  Pattern NUMBER = Pattern.compile("0x[0-9a-fA-F]++|(?<![0-9a-zA-Z])[0-9a-fA-F]{5,}+(?![0-9a-zA-Z])|\\d++");

  /** The {@code which}-th number (of all in the input) replaced by {@code value}. */
  record ReplaceNumber(int which, String value) implements Mutation {
    public byte[] apply(byte[] input) {
      String text = text(input);
      List<int[]> numbers = numbers(text);
      if (numbers.isEmpty()) {
        return input;
      }
      int[] n = numbers.get(Math.floorMod(which, numbers.size()));
      return bytes(text.substring(0, n[0]) + value + text.substring(n[1]));
    }
  }

  /** The {@code which}-th hex number moved by {@code delta}: unaligned, overlapping or reversed ranges. */
  record NudgeNumber(int which, long delta) implements Mutation {
    public byte[] apply(byte[] input) {
      String text = text(input);
      List<int[]> numbers = numbers(text);
      for (int k = 0; k < numbers.size(); k++) {
        int[] n = numbers.get(Math.floorMod(which + k, numbers.size()));
        String token = text.substring(n[0], n[1]);
        if (token.startsWith("0x") && token.length() > 2 && token.length() <= 18) {
          long v = Long.parseUnsignedLong(token.substring(2), 16) + delta;
          return bytes(text.substring(0, n[0]) + "0x" + Long.toHexString(v) + text.substring(n[1]));
        }
      }
      return input;
    }
  }

  /** The first two numbers of a line swapped: a range that ends before it starts. */
  record SwapNumbersInLine(int line) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      int i = Math.floorMod(line, lines.size());
      String l = lines.get(i);
      List<int[]> numbers = numbers(l);
      if (numbers.size() < 2) {
        return input;
      }
      int[] a = numbers.get(0);
      int[] b = numbers.get(1);
      lines.set(i, l.substring(0, a[0]) + l.substring(b[0], b[1]) + l.substring(a[1], b[0]) + l.substring(a[0], a[1])
          + l.substring(b[1]));
      return join(lines);
    }
  }

  /** A line repeated {@code times} times (duplicates, overlaps, and inputs of many lines). */
  record RepeatLine(int line, int times) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      int i = Math.floorMod(line, lines.size());
      for (int k = 0; k < times && (k + 1L) * (lines.get(i).length() + 1) < Fuzzed.MAX_BYTES; k++) {
        lines.add(i, lines.get(i));
      }
      return join(lines);
    }
  }

  /** A line removed. */
  record DeleteLine(int line) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      lines.remove(Math.floorMod(line, lines.size()));
      return join(lines);
    }
  }

  /** Two lines exchanged: out of order. */
  record SwapLines(int a, int b) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      int i = Math.floorMod(a, lines.size());
      int j = Math.floorMod(b, lines.size());
      String t = lines.get(i);
      lines.set(i, lines.get(j));
      lines.set(j, t);
      return join(lines);
    }
  }

  /** A line cut short at {@code at} characters. */
  record TruncateLine(int line, int at) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      int i = Math.floorMod(line, lines.size());
      String l = lines.get(i);
      lines.set(i, l.substring(0, Math.floorMod(at, l.length() + 1)));
      return join(lines);
    }
  }

  /** The whole input cut short (an interrupted copy). */
  record Truncate(int at) implements Mutation {
    public byte[] apply(byte[] input) {
      return java.util.Arrays.copyOf(input, Math.floorMod(at, input.length + 1));
    }
  }

  /** Every line end made {@code end} ("\r\n", "\r", or none at all). */
  record LineEnds(String end) implements Mutation {
    public byte[] apply(byte[] input) {
      return bytes(text(input).replace("\n", end));
    }
  }

  /** One of {@link Hostile#LINES}, its numbers from {@link Hostile#NUMBERS}, inserted before a line. */
  record InsertLine(int at, int template, List<Integer> numbers) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      String t = Hostile.LINES.get(Math.floorMod(template, Hostile.LINES.size()));
      StringBuilder line = new StringBuilder();
      Matcher m = Pattern.compile("%s").matcher(t);
      int k = 0;
      int last = 0;
      while (m.find()) {
        line.append(t, last, m.start());
        int pick = numbers.isEmpty() ? 0 : numbers.get(k++ % numbers.size());
        line.append(Hostile.NUMBERS.get(Math.floorMod(pick, Hostile.NUMBERS.size())));
        last = m.end();
      }
      line.append(t.substring(last));
      lines.add(Math.floorMod(at, lines.size() + 1), line.toString());
      return join(lines);
    }
  }

  /** A comment mark put before a line (comments are skipped everywhere). */
  record CommentOut(int line) implements Mutation {
    public byte[] apply(byte[] input) {
      List<String> lines = lines(input);
      int i = Math.floorMod(line, lines.size());
      lines.set(i, "# " + lines.get(i));
      return join(lines);
    }
  }

  // ---- bytes ----

  /** One of {@link Hostile#BYTES} (NUL, invalid UTF-8, a BOM, CR, long runs) inserted at {@code at}. */
  record InsertBytes(int at, int which) implements Mutation {
    public byte[] apply(byte[] input) {
      byte[] what = Hostile.BYTES.get(Math.floorMod(which, Hostile.BYTES.size()));
      int i = Math.floorMod(at, input.length + 1);
      byte[] out = new byte[input.length + what.length];
      System.arraycopy(input, 0, out, 0, i);
      System.arraycopy(what, 0, out, i, what.length);
      System.arraycopy(input, i, out, i + what.length, input.length - i);
      return out;
    }
  }

  /** One byte changed by xor with {@code mask} (a TDMR_INFO field, or text, corrupted). */
  record FlipByte(int at, int mask) implements Mutation {
    public byte[] apply(byte[] input) {
      if (input.length == 0) {
        return input;
      }
      byte[] out = input.clone();
      int i = Math.floorMod(at, input.length);
      out[i] ^= (byte) (mask == 0 ? 1 : mask);
      return out;
    }
  }

  /** One little-endian u64 of a TDMR_INFO entry set to {@code value}: entry {@code entry}, field {@code field} (0..39). */
  record SetU64(int entry, int field, long value) implements Mutation {
    public byte[] apply(byte[] input) {
      if (input.length < 8) {
        return input;
      }
      byte[] out = input.clone();
      int entries = Math.max(1, input.length / 512);
      int at = Math.floorMod(entry, entries) * 512 + Math.floorMod(field, 40) * 8;
      if (at + 8 > out.length) {
        return input;
      }
      java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(at, value);
      return out;
    }
  }

  /** The input repeated {@code times} times after itself (many TDMR_INFO entries, a huge log). */
  record RepeatWhole(int times) implements Mutation {
    public byte[] apply(byte[] input) {
      int copies = (int) Math.max(1, Math.min(times + 1L, Fuzzed.MAX_BYTES / Math.max(1, input.length)));
      byte[] out = new byte[input.length * copies];
      for (int k = 0; k < copies; k++) {
        System.arraycopy(input, 0, out, k * input.length, input.length);
      }
      return out;
    }
  }

  // ---- helpers ----

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static List<int[]> numbers(String text) {
    List<int[]> out = new ArrayList<>();
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      out.add(new int[] {m.start(), m.end()});
    }
    return out;
  }

  private static List<String> lines(byte[] input) {
    return new ArrayList<>(List.of(text(input).split("\n", -1)));
  }

  private static byte[] join(List<String> lines) {
    return bytes(String.join("\n", lines));
  }
}
