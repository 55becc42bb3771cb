package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;

class GreedyExplanationTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  /**
   * canonical/tdx#135: the published e820 has 16 usable ranges above 1 MiB below 2 GiB, so TDMR
   * [0, 2G) has 17 holes ([0,1M), 15 gaps, and [0x6f800000, 2G)); the 17th add fails as the log
   * says. Its PAMT chunk went to node 0's ZONE_NORMAL at 4 GiB, so no PAMT piece counts here.
   */
  @Test
  void canonicalTdx135FailsAsItsLogSaysUnderMainlineRules() {
    MemoryMap map = CanonicalTdx135InCode.map();
    var r = assertInstanceOf(GreedyResult.Failed.class, LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    assertEquals(-28, r.errno().value());
    assertEquals(
        List.of(
            "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.",
            "module initialization failed (-28)"),
        r.messages());
    assertEquals(17, r.tdmrs().get(0).reservedUses().size());
  }

  @Test
  void canonicalTdx135SucceedsWithCmrHoles() {
    var r = assertInstanceOf(GreedyResult.Built.class,
        LinuxGreedy.cmrHoles().construct(CanonicalTdx135InCode.map(), TdxLimits.DEFAULT));
    // CMR[0] = [1M, 0x6f800000): TDMR0's holes are [0,1M) and [0x6f800000, 2G) only.
    assertEquals(2, r.layout().tdmrs().get(0).reservedCount());
  }

  @Test
  void failureExplanationListsEveryHoleWithItsFirmwareTypeAndCmrCoverage() {
    MemoryMap map = CanonicalTdx135InCode.map();
    LinuxGreedy g = LinuxGreedy.mainline();
    List<String> lines = new GreedyExplanation(map, TdxLimits.DEFAULT, g).explain(g.construct(map, TdxLimits.DEFAULT));
    assertEquals(
        "TDMR [0x0, 0x80000000) (2 GiB, node 0) needs 17 reserved areas (17 holes, 0 PAMT pieces); the module allows 16:",
        lines.get(0));
    // Hole 1 is [0,1M): e820 usable [0,0x9f000) and reserved [0x9f000,1M); CMR[0] starts at 1M.
    assertTrue(lines.get(1).contains("[0x0, 0x100000)"), lines.get(1));
    assertTrue(lines.get(1).contains("e820: usable, reserved; outside the CMRs"), lines.get(1));
    // Hole 2 is the ACPI data range [0x5d169000, 0x5d22b000), inside CMR[0].
    assertTrue(lines.get(2).contains("[0x5d169000, 0x5d22b000)"), lines.get(2));
    assertTrue(lines.get(2).contains("e820: ACPI data; inside a CMR"), lines.get(2));
    // Hole 17 is [0x6f800000, 0x80000000): e820 reserved, beyond CMR[0]; it is the 17th, over the limit.
    assertTrue(lines.get(17).contains("[0x6f800000, 0x80000000)"), lines.get(17));
    assertTrue(lines.get(17).contains("e820: reserved; outside the CMRs"), lines.get(17));
    assertTrue(lines.get(17).endsWith("<- over the limit"), lines.get(17));
    // Holes 2..16 lie inside CMR[0] [1M, 0x6f800000); holes 1 and 17 do not.
    assertTrue(lines.get(18).startsWith("15 holes lie inside a CMR"), lines.get(18));
    assertTrue(lines.get(19).startsWith("With --holes cmr"), lines.get(19));
    assertTrue(lines.get(19).contains("succeeds"), lines.get(19));
  }

  @Test
  void successExplanationShowsTdmrAndReservedAreaHeadroom() {
    // §10 vector 2: two TDMRs; TDMR0 holds 2 holes and 2 PAMT pieces, TDMR1 none.
    MemoryMap map = MemoryMap.ofBlocks("v2",
        List.of(new MemoryBlock(MiB, 1536 * MiB, 0), new MemoryBlock(1792 * MiB, 3 * GiB, 1)));
    LinuxGreedy g = LinuxGreedy.mainline();
    List<String> lines = new GreedyExplanation(map, TdxLimits.DEFAULT, g).explain(g.construct(map, TdxLimits.DEFAULT));
    assertEquals(
        List.of(
            "Headroom: 2 of 64 TDMRs used.",
            "Headroom: 4 of 16 reserved areas used in the tightest TDMR, TDMR [0x0, 0x80000000) (2 holes, 2 PAMT pieces)."),
        lines);
  }
}
