package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.check.EagleStreamKernelLayout;
import tdmr.check.TdmrInfoCodec;
import tdmr.parse.LayoutJson;

/**
 * {@code tdmr check} in-process on the two-TDMR machine of solver/src/test/resources/check: 2 GiB
 * of TDX memory per node, each TDMR's PAMT at the top of its node inside a reserved area.
 */
class CheckCommandTest {
  private static final Path DIR = Path.of("src/test/resources/check");
  private static final String MAP = DIR.resolve("two-tdmr-map.json").toString();
  private static final String GOOD = DIR.resolve("two-tdmr-layout.json").toString();
  private static final String BROKEN = DIR.resolve("two-tdmr-layout-broken.json").toString();

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void validLayoutPassesBothVerdicts() {
    CliRun r = run("check", GOOD, "--map", MAP);
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.flatOut().contains("TDX module (TDH.SYS.CONFIG): OK"), r.out());
    assertTrue(r.flatOut().contains("Operating system (holes=memlist, coverage=all): OK"), r.out());
    // 2 TDMRs of 2 GiB: PAMT 2 * 0x805000 = 16,818,176 bytes = 16.04 MiB; 3 reserved areas.
    assertTrue(r.flatOut().contains("2 TDMRs, 3 reserved areas, PAMT 16.04 MiB"), r.out());
  }

  @Test
  void brokenLayoutReportsTheModulesFirstErrorAndExits1() {
    // TDMR 0 no longer reserves [0, 1 MiB), which is not convertible: E1, TDX_TDMR_OUTSIDE_CMRS,
    // b0 = 0. TDMR 1's PAMT_1G in TDMR 0's usable memory (D5, 0xC0000A1200000201) comes later.
    CliRun r = run("check", BROKEN, "--map", MAP);
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.flatOut().contains("TDX_TDMR_OUTSIDE_CMRS 0xC0000A0200000000: TDMR 0 [0x0, 0x80000000)"), r.out());
    assertTrue(r.flatOut().contains("1 more violation, --all lists them"), r.out());
    assertTrue(!r.flatOut().contains("0xC0000A1200000201"), r.out());
  }

  /**
   * The commands suggested after a failed check ask the question the check asked: a layout of 2
   * TDMRs fails under --max-tdmrs 1, and the plan that would replace it must be built and checked
   * under that limit and policy too, else it passes for the wrong question.
   */
  @Test
  void theNextCommandsKeepTheLimitsAndPolicyOfTheCheck() {
    CliRun r = run("check", GOOD, "--map", MAP, "--max-tdmrs", "1", "--holes", "cmr");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("  tdmr plan " + MAP + " --max-tdmrs 1 --holes cmr --solver cpsat --json > plan.json\n"),
        r.out());
    assertTrue(r.out().contains("  tdmr check plan.json --map " + MAP + " --max-tdmrs 1 --holes cmr\n"), r.out());
  }

  @Test
  void allListsEveryViolationInModuleOrder() {
    CliRun r = run("check", BROKEN, "--map", MAP, "--all");
    assertEquals(1, r.exit());
    int e1 = r.out().indexOf("0xC0000A0200000000");
    int d5 = r.out().indexOf("TDX_PAMT_OVERLAP 0xC0000A1200000201");
    assertTrue(e1 >= 0 && d5 > e1, r.out());
  }

  @Test
  void osVerdictNamesUnreservedNonMemoryAndUncoveredMemory() {
    CliRun r = run("check", BROKEN, "--map", MAP);
    // [0, 1 MiB) is usable TDMR memory but not TDX memory (memlist); TDMR 1's old PAMT_1G page
    // [0x17f804000, 0x17f805000) is reserved and now holds nothing.
    assertTrue(r.flatOut().contains("Operating system (holes=memlist, coverage=all): FAIL"), r.out());
    assertTrue(r.flatOut().contains("usable memory [0x0, 0x100000) (1 MiB) is not TDX memory"), r.out());
    assertTrue(r.flatOut().contains("TDX memory [0x17f804000, 0x17f805000) (4 KiB) is in no TDMR's usable memory"), r.out());
  }

  @Test
  void binaryTdmrInfoGivesTheSameVerdictAsJson(@TempDir Path dir) throws Exception {
    Path bin = dir.resolve("tdmr_info.bin");
    TdmrInfoCodec.write(LayoutJson.read(BROKEN, Files.readString(Path.of(BROKEN))), bin);
    CliRun r = run("check", bin.toString(), "--map", MAP, "--all");
    assertEquals(1, r.exit());
    assertTrue(r.flatOut().contains("0xC0000A0200000000") && r.flatOut().contains("0xC0000A1200000201"), r.out());
    TdmrInfoCodec.write(LayoutJson.read(GOOD, Files.readString(Path.of(GOOD))), bin);
    assertEquals(0, run("check", bin.toString(), "--map", MAP).exit());
  }

  @Test
  void planJsonResultIsAccepted(@TempDir Path dir) throws Exception {
    JsonNode layout = new ObjectMapper().readTree(Path.of(GOOD).toFile());
    String plan = "{\"results\": [{\"solver\": \"greedy\", \"status\": \"FEASIBLE\", \"pamtBytes\": 16818176, \"tdmrs\": "
        + layout.get("tdmrs") + ", \"messages\": []}]}";
    Path file = dir.resolve("plan.json");
    Files.writeString(file, plan);
    assertEquals(0, run("check", file.toString(), "--map", MAP).exit());
    assertEquals(0, run("check", file.toString(), "--map", MAP, "--solver", "greedy").exit());
  }

  /** Without --map, a plan/fix document is checked against the map its "source" names. */
  @Test
  void withoutMapTheDocumentsSourceIsTheMap(@TempDir Path dir) throws Exception {
    JsonNode layout = new ObjectMapper().readTree(Path.of(GOOD).toFile());
    String results = "\"results\": [{\"solver\": \"greedy\", \"status\": \"FEASIBLE\", \"tdmrs\": "
        + layout.get("tdmrs") + "}]}";
    Path named = Files.writeString(dir.resolve("plan.json"), "{\"source\": \"" + MAP + "\", " + results);
    CliRun r = run("check", named.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("No --map: checking against " + MAP + ", the memory map the document names."), r.out());

    Path gone = Files.writeString(dir.resolve("gone.json"), "{\"source\": \"nowhere.txt\", " + results);
    CliRun missing = run("check", gone.toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("(\"source\": \"nowhere.txt\") is not a file here"), missing.err());
    assertTrue(missing.err().contains("--map INPUT"), missing.err());

    CliRun bare = run("check", GOOD);
    assertEquals(2, bare.exit());
    assertTrue(bare.err().contains("does not name its memory map"), bare.err());
  }

  /** tdmr plan --json of the bundled example names it; check finds it in the jar. */
  @Test
  void theBundledExampleIsFoundByName(@TempDir Path dir) throws Exception {
    CliRun plan = run("plan", "--solver", "greedy-fit", "--json");
    Path file = Files.writeString(dir.resolve("plan.json"), plan.out());
    CliRun r = run("check", file.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
  }

  @Test
  void layoutFromStandardInput() throws Exception {
    CliRun r = CliRun.withStdin(Files.readString(Path.of(GOOD)), "check", "-", "--map", MAP);
    assertEquals(0, r.exit(), r.out() + r.err());
  }

  @Test
  void jsonOutputCarriesCodesAndRanges() throws Exception {
    CliRun r = run("check", BROKEN, "--map", MAP, "--all", "--json");
    assertEquals(1, r.exit());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals(false, root.get("ok").asBoolean());
    JsonNode v = root.get("module").get("violations");
    assertEquals(2, root.get("module").get("violationCount").asInt());
    assertEquals(2, v.size());
    assertEquals("0xc0000a0200000000", v.get(0).get("code").asText());
    assertEquals("E1", v.get(0).get("rule").asText());
    assertEquals("0xc0000a1200000201", v.get(1).get("code").asText());
    assertEquals(1, v.get(1).get("tdmr").asInt());
    assertEquals("0x17f804000", root.get("os").get("uncovered").get(0).get("start").asText());
    assertEquals(4096, root.get("os").get("uncoveredBytes").asLong());
    // Without --all the JSON holds the module's answer only, and still counts the rest.
    JsonNode first = new ObjectMapper().readTree(run("check", BROKEN, "--map", MAP, "--json").out());
    assertEquals(1, first.get("module").get("violations").size());
    assertEquals(2, first.get("module").get("violationCount").asInt());
    assertTrue(new ObjectMapper().readTree(run("check", GOOD, "--map", MAP, "--json").out()).get("ok").asBoolean());
  }

  @Test
  void tooFewReservedSlotsIsReported() {
    // TDMR 0 lists 2 areas; with --max-rsvd 1 the layout cannot be written into TDMR_INFO.
    CliRun r = run("check", GOOD, "--map", MAP, "--max-rsvd", "1");
    assertEquals(1, r.exit());
    assertTrue(r.flatOut().contains("RESERVED_AREAS_EXHAUSTED"), r.out());
  }

  @Test
  void maxTdmrsBelowLayoutSizeViolatesA4() {
    CliRun r = run("check", GOOD, "--map", MAP, "--max-tdmrs", "1");
    assertEquals(1, r.exit());
    assertTrue(r.flatOut().contains("TDX_OPERAND_INVALID 0xC000010000000002"), r.out());
  }

  @Test
  void dynamicPamtDefaultsToHkidStartBit48AndPasses() {
    // The 8 MiB PAMT_4K is larger than the 64 KiB bitmap 2 GiB needs (rule D3).
    CliRun r = run("check", GOOD, "--map", MAP, "--dpamt");
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.flatOut().contains("Dynamic PAMT on, HKID start bit 48"), r.out());
    CliRun a7 = run("check", GOOD, "--map", MAP, "--dpamt", "--hkid-start-bit", "52");
    assertTrue(a7.flatOut().contains("0xC000010000000008"), a7.out());
  }

  @Test
  void badInputsExit2WithoutStackTrace(@TempDir Path dir) throws Exception {
    Path odd = dir.resolve("odd.bin");
    Files.write(odd, new byte[100]);
    CliRun r = run("check", odd.toString(), "--map", MAP);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("positive multiple of 512 bytes, got 100 bytes"), r.err());
    assertTrue(!r.err().contains("at tdmr."), r.err());

    assertEquals(2, run("check", GOOD).exit()); // --map missing, and a bare layout names no map
    assertEquals(2, run("check", GOOD, "--map", MAP, "--holes", "all").exit());
    assertEquals(2, run("check", GOOD, "--map", MAP, "--max-rsvd", "-1").exit());
    CliRun noTdmrs = run("check", GOOD, "--map", MAP, "--max-tdmrs", "0");
    assertEquals(2, noTdmrs.exit());
    assertTrue(noTdmrs.err().contains("--max-tdmrs must be at least 1, got 0"), noTdmrs.err());
    CliRun bit = run("check", GOOD, "--map", MAP, "--hkid-start-bit", "53");
    assertEquals(2, bit.exit());
    assertTrue(bit.err().contains("--hkid-start-bit must be within 31..52, got 53"), bit.err());
    // Raised limits are a what-if, accepted as by tdmr plan, so a plan made under them can be checked.
    assertEquals(0, run("check", GOOD, "--map", MAP, "--max-rsvd", "17").exit());
    assertEquals(2, run("check", "-", "--map", "-").exit());
    assertEquals(2, run("check", dir.resolve("missing.json").toString(), "--map", MAP).exit());
  }

  @Test
  void holesPolicyCmrAcceptsConvertibleGapsLeftUsable(@TempDir Path dir) throws Exception {
    // Map with the blocks split at 1 GiB by a 2 MiB gap that is still convertible (one CMR).
    String map = """
        {"source": "holey", "blocks": [{"start": "0x100000", "end": "0x40000000", "node": 0},
          {"start": "0x40200000", "end": "0x80000000", "node": 0}],
         "cmrs": [{"start": "0x100000", "end": "0x80000000"}], "notes": []}
        """;
    String layout = """
        {"tdmrs": [{"base": "0x0", "size": "0x80000000",
          "pamt": {"4k": {"base": "0x7f000000", "size": "0x800000"}, "2m": {"base": "0x7f800000", "size": "0x4000"},
                   "1g": {"base": "0x7f804000", "size": "0x1000"}},
          "reserved": [{"offset": "0x0", "size": "0x100000"}, {"offset": "0x7f000000", "size": "0x805000"}]}]}
        """;
    Path m = dir.resolve("map.json");
    Path l = dir.resolve("layout.json");
    Files.writeString(m, map);
    Files.writeString(l, layout);
    CliRun memlist = run("check", l.toString(), "--map", m.toString());
    assertEquals(1, memlist.exit());
    assertTrue(memlist.flatOut().contains("usable memory [0x40000000, 0x40200000) (2 MiB) is not TDX memory"), memlist.out());
    assertEquals(0, run("check", l.toString(), "--map", m.toString(), "--holes", "cmr").exit());
  }

  @Test
  void coverageMaxAllowsUncoveredMemoryOnly(@TempDir Path dir) throws Exception {
    JsonNode layout = new ObjectMapper().readTree(Path.of(GOOD).toFile());
    Path onlyFirst = dir.resolve("first.json");
    Files.writeString(onlyFirst, "{\"tdmrs\": [" + layout.get("tdmrs").get(0) + "]}");
    assertEquals(1, run("check", onlyFirst.toString(), "--map", MAP).exit());
    CliRun max = run("check", onlyFirst.toString(), "--map", MAP, "--coverage", "max");
    assertEquals(0, max.exit(), max.out());
    assertTrue(max.out().contains("(allowed: coverage=max)"), max.out());
  }

  @Test
  void kernelLayoutAsTdmrInfoBinaryPassesAgainstItsDmesg(@TempDir Path dir) throws Exception {
    // The 33 TDMRs an early TDX kernel printed on Eagle Stream (reserved areas reconstructed, see
    // EagleStreamKernelLayout), written as TDMR_INFO and checked against the dmesg they came from.
    Path log = dir.resolve("eaglestream.txt");
    try (var in = EagleStreamKernelLayout.class.getResourceAsStream(EagleStreamKernelLayout.FILE)) {
      Files.write(log, in.readAllBytes());
    }
    Path bin = dir.resolve("tdmr_info.bin");
    TdmrInfoCodec.write(EagleStreamKernelLayout.layout(), bin);
    assertEquals(33 * 512, Files.size(bin));
    CliRun r = run("check", bin.toString(), "--map", log.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.flatOut().contains("33 TDMRs"), r.out());
    // With 8 reserved areas per TDMR TDMR 0 still fits (5 areas); with 4 it does not.
    assertEquals(0, run("check", bin.toString(), "--map", log.toString(), "--max-rsvd", "8").exit());
    CliRun four = run("check", bin.toString(), "--map", log.toString(), "--max-rsvd", "4");
    assertEquals(1, four.exit());
    assertTrue(four.flatOut().contains("RESERVED_AREAS_EXHAUSTED (host, no module status): TDMR 0"), four.out());
  }

  @Test
  void layoutJsonWithAUtf8ByteOrderMarkIsReadAsJson(@TempDir Path dir) throws Exception {
    // Before the fix the BOM made the file "binary": an error about 512-byte entries.
    Path bom = dir.resolve("bom.json");
    byte[] json = Files.readAllBytes(Path.of(GOOD));
    byte[] bytes = new byte[json.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(json, 0, bytes, 3, json.length);
    Files.write(bom, bytes);
    CliRun r = run("check", bom.toString(), "--map", MAP);
    assertEquals(0, r.exit(), r.out() + r.err());
  }

  @Test
  void textThatIsNotJsonIsNotReadAsTdmrInfo(@TempDir Path dir) throws Exception {
    // 512 bytes of text: a multiple of the entry size, but with no NUL byte it cannot be TDMR_INFO
    // (every u64 field below 2^52 has a zero top byte). It used to be checked as one garbage TDMR.
    Path text = dir.resolve("layout.txt");
    Files.writeString(text, "tdmrs: ".repeat(73) + "x");
    assertEquals(512, Files.size(text));
    CliRun r = run("check", text.toString(), "--map", MAP);
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith(text + ": not a layout: expected a JSON layout"), r.err());
  }

  @Test
  void anEmptyLayoutFileIsEmptyInputNotATdmrInfoOfNoBytes(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("layout.json");
    Files.writeString(empty, "");
    CliRun r = run("check", empty.toString(), "--map", MAP);
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith(empty + ": empty input: no layout (expected a JSON layout"), r.err());
  }

  @Test
  void oneTdmrWithSplitPamtLevelsFitsSixteenAreasOnTheEmr135Map() {
    // canonical/tdx#135: TDMR [0, 2G) has 17 holes. PAMT_1G (32 B -> 4 KiB) fills the 4 KiB block
    // [0x64158000, 0x64159000), so holes [0x63d58000, 0x64158000) and [0x64159000, 0x64195000)
    // become one area that also takes PAMT_2M (16 KiB at 0x64195000) and PAMT_4K (8 MiB at
    // 0x64199000): 16 areas. Every PAMT is TDX memory inside CMR [0x100000, 0x6f800000), reserved,
    // and pairwise disjoint (D4-D6); usable memory is the 16 blocks minus the PAMT (E1). This is
    // the layout outside the kernel's shape that prove's INFEASIBLE for 1 TDMR does not cover.
    String layout = DIR.resolve("emr-135-one-tdmr-split-pamt.json").toString();
    CliRun r = run("check", layout, "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.flatOut().contains(" 16 reserved areas, PAMT 8.02 MiB"), r.out());
  }

  @Test
  void splitPamtLevelsFitFifteenAreasOnTheEmr135MapWithoutGivingUpMemory() {
    // TDMR [1G, 2G) holds 16 holes of canonical/tdx#135. Its PAMT_1G (4 KiB) fills the 4 KiB block
    // [0x64158000, 0x64159000), merging [0x63d58000, 0x64158000) and [0x64159000, 0x64195000):
    // 15 areas. The other four PAMT levels sit from 1 MiB up, next to the hole [0, 1 MiB) of TDMR
    // [0, 1G): one area [0, 0x90a000). So at 15 areas per TDMR no memory has to be given up,
    // although `tdmr fix --max-rsvd 15` (proven only for one contiguous PAMT chunk per TDMR)
    // asks for 4 KiB.
    String layout = DIR.resolve("emr-135-two-tdmrs-15-areas-split-pamt.json").toString();
    CliRun r = run("check", layout, "--map", tdmr.parse.RealMaps.path(tdmr.parse.RealMaps.EMR_135).toString(), "--max-rsvd", "15");
    assertEquals(0, r.exit(), r.out() + r.err());
  }
}
