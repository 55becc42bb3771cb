package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The shared JSON vocabulary (docs/json.md): each kind of value written one way. */
class JsonContractTest {
  @Test
  void everyDocumentStartsWithTheVersionAndItsSchema() {
    ObjectNode plan = JsonContract.document("plan");
    assertEquals("tdmrVersion", plan.fieldNames().next());
    // The build's version (the parent pom's), never a placeholder.
    assertTrue(plan.get("tdmrVersion").asText().matches("\\d+\\.\\d+\\.\\d+.*"), plan.toString());
    assertEquals("plan/" + JsonContract.SCHEMA_VERSION, plan.get("schema").asText());
  }

  @Test
  void rangeIsHalfOpenHexWithItsSizeInBytes() {
    // [1 MiB, 1.75 GiB - 8 MiB): 0x6f800000 - 0x100000 = 0x6f700000 = 1869611008 bytes.
    assertEquals(
        "{\"start\":\"0x100000\",\"end\":\"0x6f800000\",\"sizeBytes\":1869611008}",
        JsonContract.range(new AddressRange(0x100000, 0x6f800000)).toString());
  }

  @Test
  void absentValuesAreNullNotMissing() {
    ObjectNode o = JsonContract.object();
    JsonContract.putBytes(o, "pamtBytes", OptionalLong.empty());
    assertTrue(o.has("pamtBytes") && o.get("pamtBytes").isNull());
  }

  @Test
  void byteCountsHaveKeysThatSaySo() {
    ObjectNode o = JsonContract.object();
    assertThrows(IllegalArgumentException.class, () -> JsonContract.putBytes(o, "pamtKb", 8212));
    JsonContract.putBytes(o, "pamtBytes", 8212 * 1024L);
    assertEquals(8409088, o.get("pamtBytes").asLong());
  }

  @Test
  void limitsUseTheModulesNames() {
    assertEquals(
        "{\"maxTdmrs\":64,\"maxReservedPerTdmr\":16,\"dynamicPamt\":false,\"hkidStartBit\":52}",
        JsonContract.limits(TdxLimits.DEFAULT).toString());
  }

  @Test
  void policyValuesAreSpelledAsOnTheCommandLine() {
    assertEquals(
        "{\"holes\":\"memlist\",\"pamt\":\"node-local\",\"coverage\":\"all\"}",
        JsonContract.policy(Policy.KERNEL).toString());
    assertEquals("any", JsonContract.value(Policy.PamtPlacementPolicy.ANY));
  }

  @Test
  void aRecordOfAnNdjsonStreamIsOneLine() {
    ObjectNode doc = JsonContract.document("diagnose");
    doc.set("cmrs", JsonContract.ranges(java.util.List.of(new AddressRange(0x100000, 0x200000))));
    String line = JsonContract.line(doc);
    assertTrue(line.endsWith("}\n"));
    assertEquals(1, line.lines().count());
  }
}
