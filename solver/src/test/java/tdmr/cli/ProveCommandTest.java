package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "15", "--family", "kernel");
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
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "16", "--family", "kernel");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("FEASIBLE: "), run.out());
    assertTrue(run.out().contains("  TDMR [0x0, 0x40000000) 1 GiB: PAMT "), run.out());
    assertTrue(run.flatOut().contains("(4108 KiB), 1 reserved area TDMR"), run.out());
    assertTrue(run.flatOut().contains("(4108 KiB), 16 reserved areas PAMT"), run.out());
    assertTrue(run.flatOut().contains("PAMT 8413184 bytes (8.02 MiB), the least any layout of the kernel family (each"
        + " TDMR's PAMT one contiguous 4K/2M/1G chunk of the kernel's sizes in one memory block) needs within these limits"), run.out());
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
    CliRun run = CliRun.of("prove", EMR_135, "--max-tdmrs", "1", "--max-rsvd", "16", "--family", "kernel");
    assertEquals(1, run.exit(), run.err());
    assertTrue(
        run.flatOut().startsWith(
            "INFEASIBLE: no layout of " + EMR_135 + " of the kernel family (each TDMR's PAMT one contiguous 4K/2M/1G"
                + " chunk of the kernel's sizes in one memory block) has at most 1 TDMR"),
        run.out());
    // One TDMR needs 17 areas in every layout of the kernel family (KernelFamilyBoundsTest), so the
    // proof holds for the whole family and names no restriction of the model.
    assertTrue(run.flatOut().contains("Proven by z3. No restriction of the model can matter: lower bounds derived for"
        + " every layout of the kernel family"), run.out());
    assertTrue(run.flatOut().contains("(17 in all)"), run.out());
    assertTrue(run.out().contains("  - at most 1 TDMR is allowed.\n"), run.out());
  }

  /**
   * Without {@code --family} the question is about every layout the TDX module accepts (issue #11).
   * At 15 areas #135 has one: TDMRs [0, 1G) and [1G, 2G) of exactly the required sizes, each 1G
   * level (4 KiB) filling a 4 KiB memory island and one 2M level (8 KiB) the 8 KiB island
   * [0x619e0000, 0x619e2000), merging the holes on their two sides, so [1G, 2G) needs 12 areas
   * instead of 16 (solver/src/test/resources/family/emr-135-two-tdmrs-12-areas.json). Its PAMT,
   * 2 * (4096 + 8 + 4) KiB = 8 413 184 bytes, is the least any layout covering [0, 2G) within 15
   * areas needs: the 4K and 2M levels of 2 GiB of TDMRs cost 8208 KiB whatever the split, and one
   * TDMR over [0, 2G) with 8212 KiB has no room for the 17 gaps of [0, 2G) in 15 areas unless its
   * levels are padded to fill bigger islands (the module-family frontier's 8 540 160 bytes).
   */
  @Test
  void theDefaultModuleFamilyAdmitsALayoutAtFifteenAreas() throws Exception {
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "15", "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = json(run);
    assertEquals("FEASIBLE", doc.get("status").asText());
    assertEquals("module", doc.get("family").asText());
    assertEquals(8413184, doc.get("pamtBytes").asLong());
    assertTrue(doc.get("pamtProvenLeast").asBoolean());
    CliRun check = CliRun.withStdin(run.out(), "check", "--map", EMR_135, "-");
    assertEquals(0, check.exit(), check.out() + check.err());
    CliRun text = CliRun.of("prove", EMR_135, "--max-rsvd", "15");
    assertEquals(0, text.exit(), text.err());
    assertTrue(text.flatOut().startsWith("FEASIBLE: " + EMR_135 + " admits a layout of the module family"), text.out());
  }

  @Test
  void aNegativeLimitIsAUsageError() {
    CliRun run = CliRun.of("prove", EMR_135, "--max-tdmrs", "0");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--max-tdmrs must be at least 1, got 0"), run.err());
  }

  /** Standard output as one JSON document: trailing text after it fails the parse. */
  static JsonNode json(CliRun run) throws Exception {
    return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build().readTree(run.out());
  }

  /** The same verdict as infeasibleLimitsExitOneWithTheGranuleThatBreaksThem, for programs. */
  @Test
  void jsonInfeasibleVerdictNamesTheGranuleAndExitsOne() throws Exception {
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "15", "--json", "--family", "kernel");
    assertEquals(1, run.exit(), run.err());
    JsonNode doc = json(run);
    assertEquals("INFEASIBLE", doc.get("status").asText());
    assertEquals(64, doc.get("maxTdmrs").asInt());
    assertEquals(15, doc.get("maxReservedPerTdmr").asInt());
    assertEquals("memlist", doc.get("policy").get("holes").asText());
    assertEquals("node-local", doc.get("policy").get("pamt").asText());
    assertEquals("all", doc.get("policy").get("coverage").asText());
    assertEquals("kernel", doc.get("family").asText());
    assertTrue(doc.get("pamtBytes").isNull());
    assertTrue(doc.get("tdmrs").isNull());
    // The two facts, each needed: 16 gaps in [1G, 2G) against 15 areas, and the first block
    // reaching into that granule so a TDMR must cover it.
    JsonNode explanation = doc.get("explanation");
    assertEquals(2, explanation.size(), explanation.toString());
    assertTrue(explanation.get(0).asText().startsWith("the 1 GiB granule [0x40000000, 0x80000000) holds 16 gaps"), explanation.toString());
    assertEquals("memory block [0x100000, 0x5d169000) (node 0, 1.45 GiB) must lie inside a TDMR.", explanation.get(1).asText());
    assertTrue(doc.get("explanationMinimal").asBoolean());
    assertTrue(doc.get("messages").isArray());
  }

  /**
   * At 16 areas: TDMRs [0, 1G) and [1G, 2G). Each 1 GiB TDMR's PAMT is 262144 4 KiB entries of
   * 16 bytes (4 MiB = 0x400000), 512 2 MiB entries (8 KiB = 0x2000) and one 1 GiB entry rounded
   * up to a page (0x1000): 4108 KiB, so 8216 KiB = 8413184 bytes in all. [0, 1G) reserves only
   * [0, 1M) below the first block; [1G, 2G) reserves its 16 gaps.
   */
  @Test
  void jsonFeasibleVerdictCarriesTheWitnessThatTdmrCheckAccepts() throws Exception {
    CliRun run = CliRun.of("prove", EMR_135, "--max-rsvd", "16", "--json", "--family", "kernel");
    assertEquals(0, run.exit(), run.err());
    JsonNode doc = json(run);
    assertEquals("FEASIBLE", doc.get("status").asText());
    assertEquals(8413184, doc.get("pamtBytes").asLong());
    assertTrue(doc.get("pamtProvenLeast").asBoolean());
    assertTrue(doc.get("explanation").isNull());
    JsonNode tdmrs = doc.get("tdmrs");
    assertEquals(2, tdmrs.size());
    assertEquals("0x0", tdmrs.get(0).get("start").asText());
    assertEquals("0x40000000", tdmrs.get(1).get("start").asText());
    for (JsonNode t : tdmrs) {
      assertEquals(1L << 30, t.get("sizeBytes").asLong());
      assertEquals(0x400000, t.get("pamt").get("4k").get("sizeBytes").asLong());
      assertEquals(0x2000, t.get("pamt").get("2m").get("sizeBytes").asLong());
      assertEquals(0x1000, t.get("pamt").get("1g").get("sizeBytes").asLong());
    }
    assertEquals(1, tdmrs.get(0).get("reserved").size());
    assertEquals(16, tdmrs.get(1).get("reserved").size());
    // The document holds "tdmrs" at its top, so it is a layout file the validator reads as is.
    CliRun check = CliRun.withStdin(run.out(), "check", "--map", EMR_135, "-");
    assertEquals(0, check.exit(), check.out() + check.err());
  }
}
