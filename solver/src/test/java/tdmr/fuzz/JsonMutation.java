package tdmr.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structural changes to a JSON map or layout: values of the wrong type or out of range, fields
 * missing or repeated, arrays repeated or reordered, nesting far deeper than any document. Input
 * that is no longer JSON (after a byte-level {@link Mutation}) is returned as it is.
 */
interface JsonMutation extends Mutation {
  ObjectMapper JSON = new ObjectMapper();

  /** What a hostile document puts where a value belongs. */
  List<String> VALUES = List.of(
      "\"0x0\"", "0", "\"0x10000000000000\"", "4503599627370496", "\"0xffffffffffffffff\"", "18446744073709551615",
      "\"0x10000000000000000\"", "18446744073709551616", "99999999999999999999", "-1", "\"-0x1000\"", "1.5",
      "1e400", "true", "null", "[]", "{}", "\"abc\"", "\"0x\"", "\"\"", "[1, 2, 3]", "{\"start\": \"0x0\"}",
      "\"" + "a".repeat(1_100_000) + "\"", "\"0x" + "f".repeat(100) + "\"", "65536", "2147483648");

  /** The {@code which}-th field of the document (depth first) given one of {@link #VALUES}. */
  record SetValue(int which, int value) implements JsonMutation {
    public byte[] apply(byte[] input) {
      return edit(input, root -> {
        List<Object[]> fields = fields(root);
        if (fields.isEmpty()) {
          return;
        }
        Object[] f = fields.get(Math.floorMod(which, fields.size()));
        JsonNode v = parse(VALUES.get(Math.floorMod(value, VALUES.size())));
        if (f[0] instanceof ObjectNode o) {
          o.set((String) f[1], v);
        } else {
          ((ArrayNode) f[0]).set((Integer) f[1], v);
        }
      });
    }
  }

  /** The {@code which}-th field of an object removed. */
  record RemoveField(int which) implements JsonMutation {
    public byte[] apply(byte[] input) {
      return edit(input, root -> {
        List<Object[]> fields = fields(root).stream().filter(f -> f[0] instanceof ObjectNode).toList();
        if (!fields.isEmpty()) {
          Object[] f = fields.get(Math.floorMod(which, fields.size()));
          ((ObjectNode) f[0]).remove((String) f[1]);
        }
      });
    }
  }

  /** An element of the {@code which}-th array repeated {@code times} times: duplicates and overlaps. */
  record RepeatElement(int which, int times) implements JsonMutation {
    public byte[] apply(byte[] input) {
      return edit(input, root -> {
        List<ArrayNode> arrays = arrays(root);
        if (arrays.isEmpty()) {
          return;
        }
        ArrayNode a = arrays.get(Math.floorMod(which, arrays.size()));
        if (a.isEmpty()) {
          return;
        }
        JsonNode e = a.get(a.size() - 1);
        long size = e.toString().length() + 2L;
        for (int k = 0; k < times && (k + 1) * size < Fuzzed.MAX_BYTES; k++) {
          a.add(e.deepCopy());
        }
      });
    }
  }

  /** The first and last elements of the {@code which}-th array exchanged: out of order. */
  record SwapElements(int which) implements JsonMutation {
    public byte[] apply(byte[] input) {
      return edit(input, root -> {
        List<ArrayNode> arrays = arrays(root);
        if (arrays.isEmpty()) {
          return;
        }
        ArrayNode a = arrays.get(Math.floorMod(which, arrays.size()));
        if (a.size() < 2) {
          return;
        }
        JsonNode first = a.get(0);
        a.set(0, a.get(a.size() - 1));
        a.set(a.size() - 1, first);
      });
    }
  }

  /** The {@code which}-th value wrapped in {@code depth} arrays. */
  record Nest(int which, int depth) implements JsonMutation {
    public byte[] apply(byte[] input) {
      String text = new String(input, StandardCharsets.ISO_8859_1);
      List<int[]> keys = keys(text);
      if (keys.isEmpty()) {
        return input;
      }
      int[] k = keys.get(Math.floorMod(which, keys.size()));
      // Only the opening brackets: the document ends unbalanced as well as deep.
      return (text.substring(0, k[1]) + " " + "[".repeat(depth) + text.substring(k[1]))
          .getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /** The {@code which}-th key written twice, first with another value. */
  record DuplicateKey(int which) implements JsonMutation {
    public byte[] apply(byte[] input) {
      String text = new String(input, StandardCharsets.ISO_8859_1);
      List<int[]> keys = keys(text);
      if (keys.isEmpty()) {
        return input;
      }
      int[] k = keys.get(Math.floorMod(which, keys.size()));
      String key = text.substring(k[0], k[1]);
      return (text.substring(0, k[0]) + key + " \"0x0\", " + text.substring(k[0])).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  // ---- helpers ----

  interface Edit {
    void on(JsonNode root);
  }

  private static byte[] edit(byte[] input, Edit edit) {
    JsonNode root;
    try {
      root = JSON.readTree(input);
    } catch (IOException e) {
      return input;
    }
    if (root == null || !root.isContainerNode()) {
      return input;
    }
    edit.on(root);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every (container, key or index) pair, depth first. */
  private static List<Object[]> fields(JsonNode node) {
    List<Object[]> out = new ArrayList<>();
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.add(new Object[] {o, e.getKey()});
        out.addAll(fields(e.getValue()));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        out.add(new Object[] {a, i});
        out.addAll(fields(a.get(i)));
      }
    }
    return out;
  }

  private static List<ArrayNode> arrays(JsonNode node) {
    List<ArrayNode> out = new ArrayList<>();
    if (node instanceof ArrayNode a) {
      out.add(a);
    }
    if (node instanceof ContainerNode<?>) {
      node.forEach(child -> out.addAll(arrays(child)));
    }
    return out;
  }

  Pattern KEY = Pattern.compile("\"[A-Za-z0-9_]++\"\\s*+:");

  private static List<int[]> keys(String text) {
    List<int[]> out = new ArrayList<>();
    Matcher m = KEY.matcher(text);
    while (m.find()) {
      out.add(new int[] {m.start(), m.end()});
    }
    return out;
  }
}
