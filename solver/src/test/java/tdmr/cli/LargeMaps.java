package tdmr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test fixture: kernel logs of machines far larger than real ones, written by rule so their
 * structure is known: a low block from 1 MiB to 2 GiB, then {@code blocks} usable ranges of
 * 512 MiB, one at the start of each GiB from 4 GiB on, each followed by a reserved hole. Every
 * block lies in its own GiB, so a TDMR layout needs a TDMR or a reserved area per block, and the
 * optimising engines' models grow quadratically with {@code blocks}.
 */
final class LargeMaps {
  private static final long GiB = 1L << 30;

  private LargeMaps() {}

  static String log(int blocks) {
    StringBuilder s = new StringBuilder();
    s.append("[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n");
    s.append("[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n");
    for (int i = 0; i < blocks; i++) {
      long start = 4 * GiB + i * GiB;
      s.append("[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] usable\n".formatted(start, start + GiB / 2 - 1));
      s.append("[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] reserved\n".formatted(start + GiB / 2, start + GiB - 1));
    }
    return s.toString();
  }

  static Path write(Path dir, int blocks) throws IOException {
    Path file = dir.resolve("large-" + blocks + ".txt");
    Files.writeString(file, log(blocks));
    return file;
  }

  /**
   * A log of {@code blocks} usable ranges of 16 MiB with a 16 MiB reserved hole after each, 32 to a
   * GiB from 4 GiB on (the memmap-fragmented shape), after the low block [1 MiB, 2 GiB).
   */
  static Path writeDense(Path dir, int blocks) throws IOException {
    StringBuilder s = new StringBuilder();
    s.append("[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n");
    s.append("[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n");
    long mib16 = 16L << 20;
    for (int i = 0; i < blocks; i++) {
      long start = 4 * GiB + 2 * i * mib16;
      s.append("[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] usable\n".formatted(start, start + mib16 - 1));
      s.append("[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] reserved\n".formatted(start + mib16, start + 2 * mib16 - 1));
    }
    Path file = dir.resolve("dense-" + blocks + ".txt");
    Files.writeString(file, s);
    return file;
  }
}
