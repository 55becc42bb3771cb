package tdmr.solver;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How much memory outside the Java heap a native solver (Z3, CP-SAT) may take: a quarter of the
 * machine's physical memory, and no more than the process's address-space limit ({@code ulimit -v})
 * leaves beside the Java heap. Z3's search on large generated maps grew past 5 GB within half a
 * minute whatever its time limit; with this cap it stops and the engine answers {@code UNKNOWN}
 * instead of exhausting a machine shared with other work. The system property {@code
 * tdmr.solver.maxMemoryMb} sets the budget by hand ({@code TDMR_JAVA_OPTS=-Dtdmr.solver.maxMemoryMb=N}).
 */
public final class NativeMemory {
  /** The smallest budget handed to a solver, whatever the machine: below it no model of note fits. */
  static final long MIN_MB = 256;
  private static final long MiB = 1L << 20;
  /** Address space the JVM itself takes beside its heap (code, metaspace, threads, libraries). */
  private static final long JVM_OVERHEAD = 1024 * MiB;

  private static final long BUDGET_MB = computeBudgetMb();

  private NativeMemory() {}

  /** The native memory budget of one solver, in MiB. */
  public static long budgetMb() {
    return BUDGET_MB;
  }

  private static long computeBudgetMb() {
    Long set = Long.getLong("tdmr.solver.maxMemoryMb");
    if (set != null && set > 0) {
      return set;
    }
    long budget = physicalBytes().orElse(16L << 30) / 4;
    OptionalLong addressSpace = addressSpaceLimit();
    if (addressSpace.isPresent()) {
      budget = Math.min(budget, addressSpace.getAsLong() - Runtime.getRuntime().maxMemory() - JVM_OVERHEAD);
    }
    return Math.max(MIN_MB, budget / MiB);
  }

  private static OptionalLong physicalBytes() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long total = os.getTotalMemorySize();
      return total > 0 ? OptionalLong.of(total) : OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** The soft "Max address space" of {@code /proc/self/limits} in bytes, when there is one. */
  public static OptionalLong addressSpaceLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max address space")) {
          String[] fields = line.substring("Max address space".length()).trim().split("\\s+");
          return fields[0].equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[0]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or an unreadable /proc: no limit known.
    }
    return OptionalLong.empty();
  }
}
