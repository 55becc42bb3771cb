package tdmr.bench.gen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.tdx.TdxLimits;

/**
 * A fleet's kernel logs for the many-hosts benchmark of {@code tdmr diagnose} (benchmarks/README.md,
 * "Many hosts in one run"): {@code COUNT} hosts drawn by {@link MapGenerator#realistic} (seeds 1..COUNT),
 * each written as a kernel log ({@link DmesgWriter}) followed by the TDX lines its kernel would print:
 * the KeyID line, then the mainline construction's own messages ({@link LinuxGreedy}, replayed on the
 * host's map), so a host logs {@code module initialized} or the failure the construction meets.
 *
 * <p>Run: {@code java -cp benchmarks/target/tdmr-bench.jar tdmr.bench.gen.FleetLogs DIR [COUNT]}
 * (COUNT 1000 by default); prints how many hosts' construction fails.
 */
public final class FleetLogs {
  private FleetLogs() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "fleet-logs");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Files.createDirectories(dir);
    int failed = 0;
    for (int seed = 1; seed <= count; seed++) {
      SyntheticMachine m = MapGenerator.realistic(seed);
      GreedyResult r = LinuxGreedy.mainline().construct(m.memoryMap(), TdxLimits.DEFAULT);
      failed += r instanceof GreedyResult.Failed ? 1 : 0;
      StringBuilder log = new StringBuilder(DmesgWriter.write(m));
      log.append("[   10.400000] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n");
      for (String line : r.messages()) {
        log.append("[   10.500000] ")
            .append(line.startsWith(LinuxGreedy.LOG_PREFIX) ? "" : LinuxGreedy.LOG_PREFIX).append(line).append('\n');
      }
      Files.writeString(dir.resolve("host-%04d.txt".formatted(seed)), log, StandardCharsets.UTF_8);
    }
    System.out.printf("%d logs in %s; the kernel's construction fails on %d of them%n", count, dir, failed);
  }
}
