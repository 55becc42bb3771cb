package tdmr.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON for people and diffs: an object or array that fits in {@value #WIDTH} columns stays
 * on one line ({@code {"start": "0x100000", "end": "0x6f800000", "node": 0}}), larger ones put one
 * member per line.
 */
final class JsonText {
  private static final int WIDTH = 100;

  private JsonText() {}

  static String write(JsonNode node) {
    StringBuilder s = new StringBuilder();
    write(node, 0, s);
    return s.append('\n').toString();
  }

  private static void write(JsonNode node, int indent, StringBuilder s) {
    String compact = compact(node);
    if (!node.isContainerNode() || node.isEmpty() || indent + compact.length() <= WIDTH) {
      s.append(compact);
      return;
    }
    String inner = " ".repeat(indent + 2);
    boolean object = node.isObject();
    s.append(object ? "{\n" : "[\n");
    if (object) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        s.append(inner).append(string(f.getKey())).append(": ");
        write(f.getValue(), indent + 2, s);
        s.append(fields.hasNext() ? ",\n" : "\n");
      }
    } else {
      for (int i = 0; i < node.size(); i++) {
        s.append(inner);
        write(node.get(i), indent + 2, s);
        s.append(i + 1 < node.size() ? ",\n" : "\n");
      }
    }
    s.append(" ".repeat(indent)).append(object ? '}' : ']');
  }

  private static String compact(JsonNode node) {
    if (node.isObject()) {
      StringBuilder s = new StringBuilder("{");
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        s.append(string(f.getKey())).append(": ").append(compact(f.getValue()));
        if (fields.hasNext()) {
          s.append(", ");
        }
      }
      return s.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < node.size(); i++) {
        s.append(i > 0 ? ", " : "").append(compact(node.get(i)));
      }
      return s.append(']').toString();
    }
    return node.toString();
  }

  private static String string(String text) {
    try {
      return JsonDocument.MAPPER.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string always serializes", e);
    }
  }
}
