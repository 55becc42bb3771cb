package tdmr.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.LogFacts;
import tdmr.mem.LogLine;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * The JSON map format: {@code {"source": ..., "blocks": [{"start": "0x100000", "end": "0x6f800000",
 * "node": 0}], "cmrs": [{"start": ..., "end": ...}], "notes": [...]}}. Addresses are hex strings
 * (plain integers are accepted on input). Without {@code cmrs} the CMRs equal the blocks. Blocks
 * are TDX memory already: 4 KiB aligned, sorted, non-overlapping and above 1 MiB.
 */
public final class MapJson {
  private static final long PAGE = 4 * ByteSize.KiB;

  private MapJson() {}

  /** Reads a JSON map; {@code sourceName} names the input in messages. */
  public static MemoryMap read(String sourceName, String text) throws InputException {
    JsonDocument doc = JsonDocument.parse(sourceName, text);
    JsonNode root = doc.root();
    if (!root.has("blocks")) {
      throw new InputException(sourceName, 1, "a JSON map needs \"blocks\" (a layout file cannot be read as a map)");
    }
    List<MemoryBlock> blocks = blocks(doc);
    List<String> notes = new ArrayList<>();
    for (JsonNode n : doc.array(root, "notes")) {
      if (!n.isTextual()) {
        // asText() of an object or array is "", which would drop the note without a word.
        throw new InputException(sourceName, doc.lineOf(root), "\"notes\" must be an array of strings");
      }
      notes.add(n.asText());
    }
    ConvertibleMemory cmrs;
    if (root.hasNonNull("cmrs")) {
      cmrs = new ConvertibleMemory(cmrs(doc));
    } else {
      cmrs = new ConvertibleMemory(blocks.stream().map(MemoryBlock::range).toList());
      notes.add("no \"cmrs\" in the JSON map: the CMRs are taken to equal the TDX memory blocks");
    }
    JsonNode source = root.get("source");
    if (source != null && !source.isNull() && !source.isTextual()) {
      throw new InputException(sourceName, doc.lineOf(root), "\"source\" must be a string naming where the map came from");
    }
    String name = source != null && source.isTextual() ? source.asText() : sourceName;
    return new MemoryMap(name, blocks, cmrs, List.of(), LogFacts.NONE, notes);
  }

  private static List<MemoryBlock> blocks(JsonDocument doc) throws InputException {
    String file = doc.source();
    RangeOrder order = new RangeOrder(file, "block");
    List<JsonNode> nodes = doc.array(doc.root(), "blocks");
    if (nodes.isEmpty()) {
      throw new InputException(file, doc.lineOf(doc.root()), "no memory map in this input (\"blocks\" is empty)");
    }
    List<MemoryBlock> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode b = nodes.get(i);
      String where = "blocks[%d]".formatted(i);
      AddressRange range = range(doc, b, where);
      int line = doc.lineOf(b);
      if (!ByteSize.isAligned(range.start(), PAGE) || !ByteSize.isAligned(range.end(), PAGE)) {
        throw new InputException(file, line, "%s %s is not 4 KiB aligned".formatted(where, range));
      }
      if (range.start() < ByteSize.MiB) {
        throw new InputException(
            file, line, "%s %s starts below 1 MiB, which is never TDX memory".formatted(where, range));
      }
      if (range.isEmpty()) {
        throw new InputException(file, line, "%s %s is empty".formatted(where, range));
      }
      JsonNode node = b.get("node");
      int nid = 0;
      if (node != null && !node.isNull()) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0
            || node.intValue() > MemoryBlock.MAX_NODE) {
          throw new InputException(file, line,
              "%s: \"node\" must be a NUMA node number within 0..%d".formatted(where, MemoryBlock.MAX_NODE));
        }
        nid = node.intValue();
      }
      order.next(range, line);
      out.add(new MemoryBlock(range, nid));
    }
    return out;
  }

  private static List<AddressRange> cmrs(JsonDocument doc) throws InputException {
    String file = doc.source();
    RangeOrder order = new RangeOrder(file, "CMR");
    List<JsonNode> nodes = doc.array(doc.root(), "cmrs");
    if (nodes.isEmpty()) {
      throw new InputException(
          file, doc.lineOf(doc.root()), "\"cmrs\" is empty; leave it out to take the CMRs equal to the blocks");
    }
    List<AddressRange> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode c = nodes.get(i);
      String where = "cmrs[%d]".formatted(i);
      AddressRange range = range(doc, c, where);
      int line = doc.lineOf(c);
      if (!ByteSize.isAligned(range.start(), PAGE) || !ByteSize.isAligned(range.end(), PAGE)) {
        throw new InputException(file, line, "CMR %s is not 4 KiB aligned".formatted(range));
      }
      if (range.isEmpty()) {
        throw new InputException(file, line, "CMR %s is empty".formatted(range));
      }
      order.next(range, line);
      out.add(range);
    }
    return out;
  }

  private static AddressRange range(JsonDocument doc, JsonNode object, String where) throws InputException {
    if (!object.isObject()) {
      throw new InputException(doc.source(), doc.lineOf(object), "%s must be an object with \"start\" and \"end\"".formatted(where));
    }
    long start = doc.address(object, "start", where);
    long end = doc.address(object, "end", where);
    if (end < start) {
      throw new InputException(
          doc.source(),
          doc.lineOf(object),
          "%s is reversed: it ends (0x%x) before it starts (0x%x)".formatted(where, end, start));
    }
    return new AddressRange(start, end);
  }

  /** The map as a JSON tree in the shared format. */
  public static ObjectNode toTree(MemoryMap map) {
    ObjectNode root = JsonContract.document("map");
    root.put("source", map.source());
    // The log's own Command line: (its memmap=/mem= are already applied to the blocks); output only.
    root.put("commandLine", map.facts().commandLine().map(LogLine::text).orElse(null));
    ArrayNode blocks = root.putArray("blocks");
    for (MemoryBlock b : map.blocks()) {
      ObjectNode o = blocks.addObject();
      JsonContract.putRange(o, b.range());
      o.put("node", b.node());
    }
    ArrayNode cmrs = root.putArray("cmrs");
    for (AddressRange c : map.cmrs().cmrs()) {
      cmrs.add(JsonContract.range(c));
    }
    ArrayNode notes = root.putArray("notes");
    map.notes().forEach(notes::add);
    return root;
  }

  /** The map as pretty-printed JSON text in the shared format, ending with a newline. */
  public static String write(MemoryMap map) {
    return LayoutJson.pretty(toTree(map));
  }

  /** An address or size as the shared formats write it: {@code "0x1f000"} (unsigned). */
  public static String hex(long value) {
    return JsonContract.hex(value);
  }
}
