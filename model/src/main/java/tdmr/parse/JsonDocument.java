package tdmr.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON input document with the line of every object in its arrays, so that errors in a map or
 * layout file name the line of the offending entry, like errors in a log do.
 */
final class JsonDocument {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Deepest nesting of objects and arrays read; a plan --json document nests six levels. */
  static final int MAX_DEPTH = 64;
  /** Longest string read (a map's notes and source name are short sentences). */
  static final int MAX_STRING_CHARS = 1 << 20;

  private final String source;
  private final JsonNode root;
  private final Map<JsonNode, Integer> lines;

  private JsonDocument(String source, JsonNode root, Map<JsonNode, Integer> lines) {
    this.source = source;
    this.root = root;
    this.lines = lines;
  }

  static JsonDocument parse(String source, String text) throws InputException {
    // A repeated key would otherwise silently keep its last value: a guess, not a reading. Maps and
    // layouts nest a few levels deep and hold short strings: anything far deeper or longer is not
    // one, and is refused before it costs stack or memory.
    JsonFactory factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(MAX_STRING_CHARS)
            .maxNumberLength(100)
            .build())
        .build();
    try (JsonParser parser = factory.createParser(text)) {
      parser.setCodec(MAPPER);
      Map<JsonNode, Integer> lines = new IdentityHashMap<>();
      JsonNode root = readNode(parser, parser.nextToken(), lines);
      if (root == null || !root.isObject()) {
        throw new InputException(source, 1, "a JSON map or layout must be an object {...}");
      }
      if (parser.nextToken() != null) {
        throw new InputException(source, parser.currentLocation().getLineNr(), "text after the end of the JSON object");
      }
      return new JsonDocument(source, root, lines);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new InputException(source, line, "malformed JSON: " + readable(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InputException(source, 0, "cannot read JSON: " + e.getMessage());
    }
  }

  /**
   * Jackson's message without its internals: {@code [Source: REDACTED (`StreamReadFeature...`
   * disabled); line: 1, column: 1]} becomes {@code line 1, column 1}, and the name of the
   * constraint behind a limit is dropped.
   */
  static String readable(String message) {
    return message
        .replaceAll("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]", "line $1, column $2")
        .replaceAll(", from `[^`]*`", "");
  }

  /** Builds the tree by hand so that each object remembers its starting line. */
  private static JsonNode readNode(JsonParser parser, JsonToken token, Map<JsonNode, Integer> lines)
      throws IOException {
    if (token == null) {
      return null;
    }
    int line = parser.currentLocation().getLineNr();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = MAPPER.createObjectNode();
        lines.put(object, line);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          object.set(name, readNode(parser, parser.nextToken(), lines));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = MAPPER.createArrayNode();
        lines.put(array, line);
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          array.add(readNode(parser, next, lines));
        }
        return array;
      }
      default -> {
        return parser.readValueAsTree();
      }
    }
  }

  JsonNode root() {
    return root;
  }

  String source() {
    return source;
  }

  /** The line where {@code node} starts, 0 when it is a scalar. */
  int lineOf(JsonNode node) {
    return lines.getOrDefault(node, 0);
  }

  /** The named array of {@code object}, empty when absent; an error when not an array. */
  List<JsonNode> array(JsonNode object, String field) throws InputException {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw new InputException(source, lineOf(object), "\"%s\" must be an array".formatted(field));
    }
    List<JsonNode> out = new ArrayList<>();
    value.forEach(out::add);
    return out;
  }

  /** An object field that must be present. */
  JsonNode required(JsonNode object, String field, String where) throws InputException {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw new InputException(source, lineOf(object), "%s has no \"%s\"".formatted(where, field));
    }
    return value;
  }

  /**
   * A 64-bit unsigned number written as a hex string {@code "0x1f000"} or a plain JSON integer;
   * values of 2^63 and above come back as negative longs (raw register bits).
   */
  long unsigned(JsonNode object, String field, String where) throws InputException {
    JsonNode value = required(object, field, where);
    int line = lineOf(object);
    if (value.isTextual()) {
      String text = value.asText();
      if (!text.matches("0[xX][0-9a-fA-F]{1,16}")) {
        throw new InputException(
            source, line, "%s: \"%s\" must be a hex string like \"0x1f000\", not \"%s\"".formatted(where, field, text));
      }
      return Long.parseUnsignedLong(text.substring(2), 16);
    }
    if (value.isIntegralNumber()) {
      BigInteger n = value.bigIntegerValue();
      if (n.signum() < 0 || n.bitLength() > 64) {
        throw new InputException(source, line, "%s: \"%s\" is out of range: %s".formatted(where, field, n));
      }
      return n.longValue();
    }
    throw new InputException(source, line, "%s: \"%s\" must be a hex string or an integer".formatted(where, field));
  }

  /** Like {@link #unsigned} but bounded to 2^52, the physical address limit. */
  long address(JsonNode object, String field, String where) throws InputException {
    long value = unsigned(object, field, where);
    if (value < 0 || value > NumberText.ADDRESS_LIMIT) {
      throw new InputException(
          source,
          lineOf(object),
          "%s: \"%s\" 0x%s is beyond 52 bits (physical addresses stay below 0x%x)"
              .formatted(where, field, Long.toUnsignedString(value, 16), NumberText.ADDRESS_LIMIT));
    }
    return value;
  }

}
