package tdmr.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import tdmr.mem.AddressRange;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The one vocabulary of every {@code --json} document (docs/json.md): each document starts with
 * {@code "tdmrVersion"} and {@code "schema"}; an address range is {@code {"start": "0x...", "end":
 * "0x...", "sizeBytes": N}} (hex strings, half-open); a byte count is an integer under a key ending
 * in {@code Bytes}; the module's limits are {@code maxTdmrs} and {@code maxReservedPerTdmr}; a
 * status is upper-case; a policy value is written as on the command line; an absent value is
 * {@code null}, never a missing key. Commands build their documents with these methods so that the
 * vocabulary is written in one place.
 */
public final class JsonContract {
  /**
   * The version of the documents' shape, in every {@code "schema"} value ({@code "plan/1"}).
   * Adding a key keeps it; renaming or removing a key, or changing a value's type or meaning,
   * bumps it (docs/json.md lists the versions).
   */
  public static final int SCHEMA_VERSION = 2;

  private static final String VERSION = readVersion();

  private JsonContract() {}

  /** tdmr's own version, as the build recorded it ({@code 0.1.0-SNAPSHOT}). */
  public static String tdmrVersion() {
    return VERSION;
  }

  /**
   * A new document of the given kind ({@code "plan"}, {@code "map"}, ...), its envelope filled in:
   * {@code {"tdmrVersion": "0.1.0", "schema": "plan/1"}}. The kind names its schema file,
   * {@code docs/schema/KIND.schema.json}.
   */
  public static ObjectNode document(String kind) {
    ObjectNode o = object();
    o.put("tdmrVersion", VERSION);
    o.put("schema", schema(kind));
    return o;
  }

  /** The {@code "schema"} value of a document of this kind: {@code "plan/1"}. */
  public static String schema(String kind) {
    return kind + "/" + SCHEMA_VERSION;
  }

  /** An empty JSON object, for the parts of a document. */
  public static ObjectNode object() {
    return JsonDocument.MAPPER.createObjectNode();
  }

  /** An empty JSON array. */
  public static ArrayNode array() {
    return JsonDocument.MAPPER.createArrayNode();
  }

  /** An address or a raw 64-bit field as a hex string, unsigned: {@code "0x1f000"}. */
  public static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }

  /** An address range: {@code {"start": "0x100000", "end": "0x6f800000", "sizeBytes": 1862270976}}. */
  public static ObjectNode range(AddressRange range) {
    ObjectNode o = object();
    putRange(o, range);
    return o;
  }

  /** Writes the range's {@code start}, {@code end} and {@code sizeBytes} into an existing object. */
  public static void putRange(ObjectNode o, AddressRange range) {
    o.put("start", hex(range.start()));
    o.put("end", hex(range.end()));
    o.put("sizeBytes", range.size());
  }

  /** The ranges as an array of {@link #range} objects. */
  public static ArrayNode ranges(Collection<AddressRange> ranges) {
    ArrayNode a = array();
    ranges.forEach(r -> a.add(range(r)));
    return a;
  }

  /** A range, or {@code null} when absent. */
  public static void putRange(ObjectNode o, String key, Optional<AddressRange> range) {
    if (range.isPresent()) {
      o.set(key, range(range.get()));
    } else {
      o.putNull(key);
    }
  }

  /** A byte count under a key that says so ({@code pamtBytes}). */
  public static void putBytes(ObjectNode o, String key, long bytes) {
    o.put(bytesKey(key), bytes);
  }

  /** A byte count, or {@code null} when absent. */
  public static void putBytes(ObjectNode o, String key, OptionalLong bytes) {
    putOrNull(o, bytesKey(key), bytes);
  }

  /** A number, or {@code null} when absent. */
  public static void putOrNull(ObjectNode o, String key, OptionalLong value) {
    if (value.isPresent()) {
      o.put(key, value.getAsLong());
    } else {
      o.putNull(key);
    }
  }

  /** A number, or {@code null} when absent. */
  public static void putOrNull(ObjectNode o, String key, OptionalInt value) {
    if (value.isPresent()) {
      o.put(key, value.getAsInt());
    } else {
      o.putNull(key);
    }
  }

  /** A string, or {@code null} when absent. */
  public static void putOrNull(ObjectNode o, String key, Optional<String> value) {
    if (value.isPresent()) {
      o.put(key, value.get());
    } else {
      o.putNull(key);
    }
  }

  /** A list of strings. */
  public static ArrayNode strings(Collection<String> values) {
    ArrayNode a = array();
    values.forEach(a::add);
    return a;
  }

  /**
   * The module's limits under the module's names: {@code {"maxTdmrs": 64, "maxReservedPerTdmr": 16,
   * "dynamicPamt": false, "hkidStartBit": 52}}.
   */
  public static ObjectNode limits(TdxLimits limits) {
    ObjectNode o = object();
    o.put("maxTdmrs", limits.maxTdmrs());
    o.put("maxReservedPerTdmr", limits.maxReservedPerTdmr());
    o.put("dynamicPamt", limits.dynamicPamt());
    o.put("hkidStartBit", limits.hkidStartBit());
    return o;
  }

  /** The policy as on the command line: {@code {"holes": "memlist", "pamt": "node-local", "coverage": "all"}}. */
  public static ObjectNode policy(Policy policy) {
    ObjectNode o = object();
    o.put("holes", value(policy.holes()));
    o.put("pamt", value(policy.pamt()));
    o.put("coverage", value(policy.coverage()));
    return o;
  }

  /** An option's value as the command line spells it: {@code NODE_LOCAL} is {@code "node-local"}. */
  public static String value(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** A status or outcome code, upper-case: {@code "OPTIMAL"}, {@code "RESERVED_AREAS_EXHAUSTED"}. */
  public static String status(Enum<?> status) {
    return status.name().toUpperCase(Locale.ROOT);
  }

  /** A whole document as text for people and diffs (what fits in 100 columns on one line), ending with a newline. */
  public static String pretty(JsonNode document) {
    return JsonText.write(document);
  }

  /** A whole document on one line, ending with a newline: one record of an NDJSON stream. */
  public static String line(JsonNode document) {
    try {
      return JsonDocument.MAPPER.writeValueAsString(document) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static String bytesKey(String key) {
    if (!key.endsWith("Bytes")) {
      throw new IllegalArgumentException("a byte count's key ends in Bytes: " + key);
    }
    return key;
  }

  private static String readVersion() {
    Properties p = new Properties();
    try (InputStream in = JsonContract.class.getResourceAsStream("/tdmr/version.properties")) {
      if (in == null) {
        throw new IllegalStateException("tdmr/version.properties is missing: the build writes it (model/pom.xml)");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }
}
