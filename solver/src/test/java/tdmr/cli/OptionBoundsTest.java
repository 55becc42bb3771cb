package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.RealMaps;

/**
 * Option values that cannot fit are lowered with a note or refused with exit 2, never an overflow
 * or an out-of-memory (issue #17: each of these was exit 70).
 */
class OptionBoundsTest {
  private static final String MAP = RealMaps.path(RealMaps.EMR_135).toString();

  @TempDir Path dir;

  /**
   * canonical/tdx#135: TDX memory in 2 GiB granules and 16 blocks. A million TDMRs and areas are
   * lowered to the module's 64 (more than the 2 a layout can use) and to 16 + 3·2 + 1 = 23 areas; the
   * answer is the one of the module's limits: 2 TDMRs [0, 1G) and [1G, 2G) at 8216 KB.
   */
  @Test
  void limitsFarPastTheMapAreLoweredWithANote() {
    CliRun run = CliRun.of("plan", MAP, "--solver", "cpsat", "--max-tdmrs", "1000000", "--max-rsvd", "1000000");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.err().contains("tdmr plan: note: --max-tdmrs 1000000 is more than this map can use: its TDX memory"
        + " lies in 2 GiB granules, and no layout needs more TDMRs than that; using 64 (the module's own limit)"), run.err());
    assertTrue(run.err().contains("tdmr plan: note: --max-rsvd 1000000 is more than this map can use: no TDMR needs"
        + " more than 23 reserved areas"), run.err());
    assertTrue(run.flatOut().contains("Limits: 64 TDMRs, 23 reserved areas per TDMR"), run.out());
    assertTrue(run.flatOut().contains("== cpsat: OPTIMAL"), run.out());
  }

  @Test
  void theModulesOwnLimitsAreNeverLowered() {
    CliRun run = CliRun.of("plan", MAP, "--holes", "cmr");
    assertEquals(0, run.exit(), run.err());
    assertTrue(!run.err().contains("note:"), run.err());
  }

  @Test
  void moreThreadsThanTheMachineCanUseAreRefused() {
    CliRun run = CliRun.of("plan", MAP, "--solver", "cpsat", "--threads", "65536");
    assertEquals(2, run.exit());
    int most = 4 * Runtime.getRuntime().availableProcessors();
    assertTrue(run.err().startsWith("tdmr: --threads 65536 is more than this machine can use: at most " + most), run.err());
  }

  @Test
  void aFrontierBeyondTheModulesTdmrsIsRefused() {
    CliRun run = CliRun.of("frontier", MAP, "--up-to", "2147483647");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("tdmr: --up-to must be within 1..64 (the module's MAX_TDMRS), got 2147483647"), run.err());
  }

  /** 20 000 blocks of 16 MiB, 32 to a GiB: 626 granules, so 100 000 TDMRs become 626. */
  @Test
  void manyTdmrsOnTwentyThousandBlocksFitTheHeap() throws Exception {
    Path map = LargeMaps.writeDense(dir, 20_000);
    CliRun run = CliRun.of("plan", map.toString(), "--max-tdmrs", "100000", "--max-rsvd", "100000", "--time-limit", "60");
    assertTrue(run.exit() == 0 || run.exit() == 3, run.err());
    assertTrue(run.err().contains("--max-tdmrs 100000 is more than this map can use: its TDX memory lies in 627 GiB"
        + " granules, and no layout needs more TDMRs than that; using 627"), run.err());
  }
}
