package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

class ProveCommandTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  /**
   * canonical/tdx#135 at 15 areas: [0x40000000, 0x80000000) holds 16 gaps (the 15 between its 15
   * blocks after the first, and [0x6f800000, 0x80000000) after the last), and the first block
   * [0x100000, 0x5d169000) reaches into it, so it must be covered.
   */
  @Test
  void infeasibleLimitsExitOneWithTheGranuleThatBreaksThem() {
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "15");
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.out().startsWith("INFEASIBLE: "), run.out());
    assertTrue(
        run.flatOut().contains(
            "- the 1 GiB granule [0x40000000, 0x80000000) holds 16 gaps between memory blocks; each needs a"
                + " reserved area of the TDMR that covers it, and at most 15 are allowed. -"),
        run.out());
    assertTrue(run.flatOut().contains("- memory block [0x100000, 0x5d169000) (node 0, 1.45 GiB) must lie inside a TDMR."), run.out());
  }

  /** At 16 areas: TDMRs [0, 1G) (1 hole) and [1G, 2G) (16 holes), 4108 KiB of PAMT each. */
  @Test
  void feasibleLimitsExitZeroWithAWitness() {
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "16");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("FEASIBLE: "), run.out());
    assertTrue(run.out().contains("  TDMR [0x0, 0x40000000) 1 GiB: PAMT "), run.out());
    assertTrue(run.flatOut().contains("(4108 KiB), 1 reserved area TDMR"), run.out());
    assertTrue(run.flatOut().contains("(4108 KiB), 16 reserved areas PAMT"), run.out());
    assertTrue(run.flatOut().contains("PAMT 8413184 bytes (8.02 MiB), the least any layout of the kernel's shape needs."), run.out());
  }

  /**
   * One TDMR [0, 2G) of the kernel's shape must reserve all 17 holes of [0, 2G): 16 areas are one
   * short. The claim is about that shape only: splitting the PAMT levels, a 4 KiB PAMT_1G can fill
   * the 4 KiB block [0x64158000, 0x64159000) between two holes and merge them, so one TDMR with 16
   * areas does exist (solver/src/test/resources/check/emr-135-one-tdmr-split-pamt.json passes
   * tdmr check). The verdict must therefore name the family it is proven for.
   */
  @Test
  void oneTdmrNeedsSeventeenAreas() {
    CliRun run = CliRun.of("prove", EMR_135, "--max-tdmrs", "1", "--max-rsvd", "16");
    assertEquals(1, run.exit(), run.err());
    assertTrue(
        run.flatOut().startsWith(
            "INFEASIBLE: no layout of " + EMR_135 + " of the kernel's shape (TDMRs on 1 GiB boundaries, each TDMR's PAMT one"
                + " contiguous chunk) has at most 1 TDMR"),
        run.out());
    assertTrue(run.flatOut().contains("(the module allows it, rule D7) are outside this proof."), run.out());
    assertTrue(run.flatOut().contains("(17 in all)"), run.out());
    assertTrue(run.out().contains("  - at most 1 TDMR is allowed.\n"), run.out());
  }

  @Test
  void aNegativeLimitIsAUsageError() {
    CliRun run = CliRun.of("prove", EMR_135, "--max-tdmrs", "0");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("max TDMRs must be at least 1"), run.err());
  }
}
