package tdmr.bench.gen;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The inputs of the fleet-size benchmark (benchmarks/README.md, "Fleet-sized inputs"): kernel logs
 * as large as real fleets produce, and the largest generated maps, written by rule:
 *
 * <ul>
 *   <li>{@code e820-200000.txt}: 200 000 BIOS-e820 lines, 16 MiB usable and 16 MiB reserved in turn
 *       from 4 GiB (100 000 blocks, 1 563 GiB);
 *   <li>{@code memblock-100000.txt}: 100 000 memblock {@code node N: [mem]} lines of 8 MiB with 8
 *       MiB gaps, over 8 nodes;
 *   <li>{@code numa-10000.txt}: {@link MapGenerator#manyNodes} with 10 000 nodes (e820, SRAT, CMRs);
 *   <li>{@code cmrs-10000.txt}: 10 000 {@code virt/tdx: CMR} lines of 64 MiB with 64 MiB gaps, and no
 *       RAM lines (the CMRs are the memory);
 *   <li>{@code memmap-10000.txt}, {@code fragmented-10000.txt}: {@link MapGenerator#memmapFragmented}
 *       and {@link MapGenerator#fragmented} with 10 000 holes, the largest maps of the generator
 *       families;
 *   <li>{@code gib-20000.txt}: 20 000 usable blocks of 512 MiB, one at the start of each GiB from 4
 *       GiB, each followed by a reserved hole: with limits raised past the module's, the kernel's
 *       construction builds a TDMR per block (issue #17's 20 000-block greedy run).
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/tdmr-bench.jar tdmr.bench.gen.FleetInputs DIR}.
 */
public final class FleetInputs {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private FleetInputs() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "fleet-inputs");
    Files.createDirectories(dir);
    write(dir.resolve("e820-200000.txt"), out -> {
      out.write("[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n");
      out.write("[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n");
      for (long i = 0; i < 99_999; i++) {
        long start = 4 * GiB + i * 32 * MiB;
        out.write(e820(start, start + 16 * MiB, "usable"));
        out.write(e820(start + 16 * MiB, start + 32 * MiB, "reserved"));
      }
    });
    write(dir.resolve("memblock-100000.txt"), out -> {
      for (long i = 0; i < 100_000; i++) {
        long start = 4 * GiB + i * 16 * MiB;
        out.write("[    0.000000]   node %3d: [mem 0x%016x-0x%016x]\n".formatted(i * 8 / 100_000, start, start + 8 * MiB - 1));
      }
    });
    DmesgWriter.write(MapGenerator.manyNodes(10_000, 1), dir.resolve("numa-10000.txt"));
    write(dir.resolve("cmrs-10000.txt"), out -> {
      for (long i = 0; i < 10_000; i++) {
        long start = 4 * GiB + i * 128 * MiB;
        out.write("[   10.444059] virt/tdx: CMR: [0x%x, 0x%x)\n".formatted(start, start + 64 * MiB));
      }
    });
    DmesgWriter.write(MapGenerator.memmapFragmented(10_000, 1), dir.resolve("memmap-10000.txt"));
    DmesgWriter.write(MapGenerator.fragmented(10_000, 1), dir.resolve("fragmented-10000.txt"));
    write(dir.resolve("gib-20000.txt"), out -> {
      out.write("[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable\n");
      out.write("[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n");
      for (long i = 0; i < 20_000; i++) {
        long start = 4 * GiB + i * GiB;
        out.write(e820(start, start + GiB / 2, "usable"));
        out.write(e820(start + GiB / 2, start + GiB, "reserved"));
      }
    });
  }

  private static String e820(long start, long end, String type) {
    return "[    0.000000] BIOS-e820: [mem 0x%016x-0x%016x] %s\n".formatted(start, end - 1, type);
  }

  private interface Body {
    void write(Writer out) throws IOException;
  }

  private static void write(Path file, Body body) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      body.write(out);
    }
  }
}
