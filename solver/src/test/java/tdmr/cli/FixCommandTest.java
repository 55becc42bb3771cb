package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/** {@code tdmr fix}: the least memory to give up, as ranges and memmap= parameters. */
class FixCommandTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  @Test
  void mapWithALayoutNeedsNothingGivenUp() {
    // tdx#135 under the module's 16 areas: two 1 GiB TDMRs fit (see CpSatEngineTest).
    CliRun run = CliRun.of("fix", EMR_135);
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Nothing to give up"), run.out());
    assertTrue(run.out().contains("TDMR [0x40000000, 0x80000000) 1 GiB"), run.out());
  }

  @Test
  void fourteenAreasCostTheTwoFourKibIslands() {
    // TDMR [1G,2G) holds 16 hole areas; reserving the two 4 KiB islands merges two pairs of holes.
    CliRun run = CliRun.of("fix", EMR_135, "--max-rsvd", "14");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Give up 8 KiB of TDX memory (proven the least) in 2 ranges"), run.out());
    assertTrue(run.out().contains("memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), run.out());
    assertTrue(run.out().contains("14 reserved areas"), run.out());
  }

  @Test
  void noLayoutEvenGivingMemoryUpExitsOne() {
    // With no reserved area at all TDMR [0,1G) cannot reserve the hole [0,1M) below the first
    // block, and giving memory up only adds holes.
    CliRun run = CliRun.of("fix", EMR_135, "--max-rsvd", "0");
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("Giving up memory does not help"), run.out());
  }
}
