package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/**
 * Human output as a pipe sees it (tests run with standard output captured): one fact per line,
 * nothing wrapped, sizes in binary units except the kernel's quoted lines, solver internals only on
 * request, and the documented exit statuses.
 */
class TextOutputTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();
  private static final Pattern KB = Pattern.compile("\\bKB\\b");

  @Test
  void nothingIsWrappedIntoAPipeSoGrepCountsEveryHole() {
    CliRun run = CliRun.of("plan", EMR_135);
    // canonical/tdx#135: the CMR [1 MiB, 0x6f800000) holds the 16 blocks below 2 GiB, so the 15
    // gaps between them are inside a CMR (the kernel's holes 2 to 16); [0, 1 MiB) and the tail
    // [0x6f800000, 2 GiB) are not. 15 hole lines, and the line that sums them up.
    List<String> inCmr = run.out().lines().filter(l -> l.contains("inside a CMR")).toList();
    assertEquals(16, inCmr.size(), run.out());
    assertTrue(inCmr.get(15).startsWith("15 holes lie inside a CMR: "), inCmr.get(15));
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("With --holes cmr ") && l.endsWith("8212 KiB of PAMT.")),
        "the CMR-holes verdict is one line: " + run.out());
  }

  @Test
  void onlyTheKernelsOwnLinesSayKb() {
    for (String name : RealMaps.all()) {
      String map = RealMaps.path(name).toString();
      for (String[] command : List.of(
          new String[] {"plan", map, "--solver", "greedy,cpsat", "--time-limit", "10"},
          new String[] {"diagnose", map},
          new String[] {"fix", map, "--time-limit", "10"})) {
        CliRun run = CliRun.of(command);
        for (String line : run.out().lines().toList()) {
          if (KB.matcher(line).find()) {
            assertTrue(line.contains("tdx: "), String.join(" ", command) + ": KB outside a kernel line: " + line);
          }
        }
      }
    }
  }

  @Test
  void solverInternalsOnlyWithVerbose() {
    CliRun plain = CliRun.of("plan", EMR_135, "--solver", "cpsat");
    assertEquals(0, plain.exit(), plain.err());
    assertFalse(plain.out().contains("atoms") || plain.out().contains("cells"), plain.out());
    CliRun verbose = CliRun.of("plan", EMR_135, "--solver", "cpsat", "--verbose");
    assertTrue(verbose.out().lines().anyMatch(l -> l.startsWith("model: ") && l.contains(" atoms")), verbose.out());
    CliRun fix = CliRun.of("fix", EMR_135, "--for", "layout");
    assertFalse(fix.out().contains("atoms"), fix.out());
  }

  @Test
  void planWithSeveralEnginesExitsZeroWhenOneBuiltALayout() {
    // The kernel's construction fails on canonical/tdx#135; CP-SAT builds a layout: one is enough.
    assertEquals(1, CliRun.of("plan", EMR_135, "--solver", "greedy").exit());
    assertEquals(0, CliRun.of("plan", EMR_135, "--solver", "greedy,cpsat").exit());
  }
}
