package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import tdmr.parse.RealMaps;

/** {@code tdmr fix --for layout}: the least memory to give up so that a layout of the planner's family exists. */
class FixCommandTest {
  private static final String EMR_135 = RealMaps.path(RealMaps.EMR_135).toString();

  @Test
  void mapWithALayoutNeedsNothingGivenUp() {
    // tdx#135 under the module's 16 areas: two 1 GiB TDMRs fit (see CpSatEngineTest).
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Nothing to give up"), run.out());
    assertTrue(run.out().contains("TDMR [0x40000000, 0x80000000) 1 GiB"), run.out());
    // The layout's OPTIMAL names the question it answers: the kernel family (fix's default), and
    // why no restriction of its model can matter there (the kernel family's own bounds, met:
    // KernelFamilyBoundsTest).
    String flat = run.flatOut();
    String claim = flat.substring(flat.indexOf("Layout (OPTIMAL"));
    assertTrue(claim.contains("proven optimal among the kernel family"), claim);
    assertTrue(claim.contains("no restriction of the model can matter: the layout meets lower bounds derived for every"
        + " layout of the kernel family"), claim);
  }

  @Test
  void fourteenAreasCostTheTwoFourKibIslands() {
    // TDMR [1G,2G) holds 16 hole areas; reserving the two 4 KiB islands merges two pairs of holes.
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout", "--max-rsvd", "14");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.flatOut().contains("Give up 8 KiB of TDX memory in 2 ranges (OPTIMAL: proven the least"), run.out());
    assertTrue(run.flatOut().contains("which no stock kernel builds; for what the running kernel needs: tdmr fix "
        + EMR_135 + " --for greedy"), run.out());
    assertTrue(run.out().contains("memmap=4K$0x64158000 memmap=4K$0x6f7ff000"), run.out());
    assertTrue(run.out().contains("14 reserved areas"), run.out());
    // The layout's claim follows it; the memory it leaves out is the memory given up, listed once.
    String claim = run.flatOut().substring(run.flatOut().indexOf("Layout (OPTIMAL"));
    assertTrue(claim.contains("proven optimal among the kernel family"), claim);
    assertTrue(!claim.contains("left out"), claim);
    // The restrictions the proof holds under, which the engine says after the memory left out: those of
    // the model over Problem, or, when CP-SAT's kernel family over the module family's instance
    // (KernelFamilySolver) answers within fix's time, its only one that could matter here: every TDMR
    // covers TDX memory.
    assertTrue(claim.contains("the proof holds among the layouts of that family in which TDMR boundaries lie only"
        + " on the 1 GiB boundaries where the memory map changes;")
        || claim.contains("the proof holds among the layouts of that family in which every TDMR covers TDX memory"),
        claim);
  }

  @Test
  void noLayoutEvenGivingMemoryUpExitsOne() {
    // With no reserved area at all TDMR [0,1G) cannot reserve the hole [0,1M) below the first
    // block, and giving memory up only adds holes.
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout", "--max-rsvd", "0");
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("Giving up memory does not help"), run.out());
  }

  /**
   * At 15 areas TDMR [1G, 2G) has 16 gaps, one too many. The e820 map has two usable 4 KiB
   * islands between gaps there: [0x64158000, 0x64159000) and [0x6f7ff000, 0x6f800000) (between
   * ACPI data and the reserved [0x6f800000, 0x90000000)). Giving either up joins its two
   * neighbouring gaps, leaving 15; nothing smaller than a page can be given up, so 4096 bytes is
   * the least, and either island is a right answer. The layout is then the same two 1 GiB TDMRs:
   * 2 × 4108 KiB = 8413184 bytes of PAMT.
   */
  @Test
  void jsonFixGivesUpTheLastFourKibPage() throws Exception {
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout", "--max-rsvd", "15", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = ProveCommandTest.json(run);
    assertEquals("FIXED", doc.get("status").asText());
    assertEquals(15, doc.get("maxReservedPerTdmr").asInt());
    JsonNode giveUp = doc.get("giveUp");
    assertEquals(1, giveUp.size(), giveUp.toString());
    String start = giveUp.get(0).get("start").asText();
    assertTrue(start.equals("0x6f7ff000") || start.equals("0x64158000"), start);
    assertEquals(Long.toHexString(Long.decode(start) + 0x1000), giveUp.get(0).get("end").asText().substring(2));
    assertEquals(4096, giveUp.get(0).get("sizeBytes").asLong());
    assertEquals(4096, doc.get("giveUpBytes").asLong());
    assertTrue(doc.get("giveUpProvenLeast").asBoolean());
    assertEquals(1, doc.get("memmap").size());
    assertEquals("memmap=4K$" + start, doc.get("memmap").get(0).asText());
    JsonNode layout = doc.get("layout");
    assertEquals("OPTIMAL", layout.get("status").asText());
    assertEquals(8413184, layout.get("pamtBytes").asLong());
    assertEquals(2, layout.get("tdmrs").size());
    for (JsonNode t : layout.get("tdmrs")) {
      assertTrue(t.get("reserved").size() <= 15, t.toString());
    }
  }

  @Test
  void jsonWithALayoutGivesNothingUp() throws Exception {
    // Under the module's 16 areas two 1 GiB TDMRs fit (see mapWithALayoutNeedsNothingGivenUp).
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = ProveCommandTest.json(run);
    assertEquals("HAS_LAYOUT", doc.get("status").asText());
    assertEquals(0, doc.get("giveUp").size());
    assertEquals(0, doc.get("giveUpBytes").asLong());
    assertEquals(0, doc.get("memmap").size());
    assertEquals(8413184, doc.get("layout").get("pamtBytes").asLong());
  }

  @Test
  void jsonNoLayoutEvenGivingMemoryUpExitsOne() throws Exception {
    // As noLayoutEvenGivingMemoryUpExitsOne: the hole [0, 1M) needs an area and none is allowed.
    CliRun run = CliRun.of("fix", EMR_135, "--for", "layout", "--max-rsvd", "0", "--json");
    assertEquals(1, run.exit(), run.out() + run.err());
    JsonNode doc = ProveCommandTest.json(run);
    assertEquals("NOT_FIXABLE", doc.get("status").asText());
    assertTrue(doc.get("layout").isNull());
    assertEquals(0, doc.get("giveUp").size());
  }
}
