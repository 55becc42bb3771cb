package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The native solvers' memory budget is a share of the machine, never all of it. */
class NativeMemoryTest {
  @Test
  void theBudgetIsAQuarterOfTheMachineAtMost() {
    if (System.getProperty("tdmr.solver.maxMemoryMb") != null) {
      return; // set by hand for this run
    }
    long physicalMb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize() >> 20;
    long budget = NativeMemory.budgetMb();
    assertTrue(budget >= NativeMemory.MIN_MB, "budget " + budget);
    assertTrue(budget <= Math.max(NativeMemory.MIN_MB, physicalMb / 4), "budget " + budget + " of " + physicalMb + " MiB");
  }

  @Test
  void theAddressSpaceLimitIsReadWhenThereIsOne() {
    // Surefire's JVM runs without ulimit -v here; where one is set it must be below 2^63.
    NativeMemory.addressSpaceLimit().ifPresent(limit -> assertTrue(limit > 0, "limit " + limit));
  }
}
