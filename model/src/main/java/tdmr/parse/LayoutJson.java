package tdmr.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * The JSON layout format. One TDMR is {@code {"start": "0x0", "end": "0x80000000", "sizeBytes": N,
 * "pamt": {"4k": RANGE, "2m": RANGE, "1g": RANGE}, "reserved": [RANGE, ...]}}, every range in the
 * shared vocabulary ({@code {"start", "end", "sizeBytes"}}, absolute addresses, half-open); a layout
 * file is {@code {"tdmrs": [TDMR, ...]}}; a {@code plan --json} document is {@code {"results":
 * [{"solver": "greedy", "tdmrs": [...], ...}]}}. The reader also takes the TDMR_INFO-shaped form
 * that schema 1 wrote and hand-written files use: {@code {"base", "size"}} for TDMRs and PAMTs and
 * {@code {"offset", "size"}} (from the TDMR's base) for reserved areas. Values are raw 64-bit fields
 * as hex strings (plain integers accepted), so a broken layout can be read and reported by the
 * validator rather than rejected here.
 */
public final class LayoutJson {
  /**
   * The most TDMRs a layout may list (JSON or TDMR_INFO), and the most reserved areas one TDMR may
   * list in JSON. The module takes at most MAX_TDMRS (64 today) and 16 areas; these bounds leave room
   * for what-if layouts of raised limits, and refuse a file that is no layout before checking it
   * would take minutes.
   */
  public static final int MAX_TDMRS = 4096;

  /** See {@link #MAX_TDMRS}. */
  public static final int MAX_RESERVED = 4096;

  private static final String[] LEVELS = {"4k", "2m", "1g"};

  private LayoutJson() {}

  /** Reads a layout file, or the first result that has TDMRs of a {@code plan --json} document. */
  public static Layout read(String sourceName, String text) throws InputException {
    return read(sourceName, text, Optional.empty());
  }

  /**
   * Reads a layout file or a {@code plan --json} document; with {@code solver}, takes that solver's
   * result from the document.
   */
  public static Layout read(String sourceName, String text, Optional<String> solver) throws InputException {
    JsonDocument doc = JsonDocument.parse(sourceName, text);
    JsonNode root = doc.root();
    if (root.has("results")) {
      return tdmrs(doc, result(doc, solver));
    }
    if (!root.has("tdmrs") && root.path("layout").has("tdmrs")) {
      // A tdmr fix --json document: its layout, built on the map with its "memmap" parameters.
      if (solver.isPresent()) {
        throw new InputException(sourceName, 1, "--solver %s needs a plan --json document; this is a fix document".formatted(solver.get()));
      }
      return tdmrs(doc, root.get("layout"));
    }
    if (root.has("tdmrs")) {
      if (solver.isPresent()) {
        throw new InputException(
            sourceName, 1, "--solver %s needs a plan --json document with \"results\"; this is a layout file".formatted(solver.get()));
      }
      return tdmrs(doc, root);
    }
    throw new InputException(sourceName, 1, "not a layout: expected {\"tdmrs\": [...]}, a plan --json document"
        + " {\"results\": [...]} or a fix --json document with a \"layout\"");
  }

  /**
   * The boot parameters a layout document says its layout assumes: its top-level {@code "memmap"}
   * array of {@code memmap=...} strings ({@code tdmr fix --json} writes one); empty without it.
   */
  public static List<String> bootParameters(String sourceName, String text) throws InputException {
    JsonDocument doc = JsonDocument.parse(sourceName, text);
    if (!doc.root().has("memmap") || doc.root().get("memmap").isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonNode p : doc.array(doc.root(), "memmap")) {
      if (!p.isTextual()) {
        throw new InputException(sourceName, doc.lineOf(p), "\"memmap\" must list strings like \"memmap=4K$0x64158000\"");
      }
      out.add(p.asText());
    }
    return out;
  }

  /**
   * The memory map a {@code plan}/{@code fix --json} document says it was computed from (its
   * {@code "source"}), if it names one.
   */
  public static Optional<String> mapSource(String sourceName, String text) throws InputException {
    JsonNode source = JsonDocument.parse(sourceName, text).root().get("source");
    return source != null && source.isTextual() && !source.asText().isBlank() ? Optional.of(source.asText()) : Optional.empty();
  }

  private static JsonNode result(JsonDocument doc, Optional<String> solver) throws InputException {
    List<JsonNode> results = doc.array(doc.root(), "results");
    List<String> names = new ArrayList<>();
    for (JsonNode r : results) {
      String name = r.path("solver").asText("?");
      names.add(name);
      boolean wanted = solver.map(name::equals).orElse(true);
      if (wanted && r.hasNonNull("tdmrs")) {
        return r;
      }
      if (wanted && solver.isPresent()) {
        throw new InputException(
            doc.source(),
            doc.lineOf(r),
            "the %s result has no layout (status %s)".formatted(name, r.path("status").asText("not given")));
      }
    }
    if (solver.isPresent()) {
      throw new InputException(
          doc.source(), doc.lineOf(doc.root()), "no result of solver %s in this document (solvers: %s)".formatted(solver.get(), names));
    }
    throw new InputException(doc.source(), doc.lineOf(doc.root()), "no result in this document has a layout (\"tdmrs\")");
  }

  private static Layout tdmrs(JsonDocument doc, JsonNode holder) throws InputException {
    List<Tdmr> out = new ArrayList<>();
    List<JsonNode> tdmrs = doc.array(holder, "tdmrs");
    if (tdmrs.size() > MAX_TDMRS) {
      throw new InputException(doc.source(), doc.lineOf(holder),
          "the layout lists %d TDMRs; tdmr reads at most %d (the TDX module accepts at most 64)".formatted(tdmrs.size(), MAX_TDMRS));
    }
    for (int i = 0; i < tdmrs.size(); i++) {
      out.add(tdmr(doc, tdmrs.get(i), "tdmrs[%d]".formatted(i)));
    }
    return new Layout(out);
  }

  private static Tdmr tdmr(JsonDocument doc, JsonNode t, String where) throws InputException {
    requireObject(doc, t, where);
    long base = start(doc, t, where);
    long size = size(doc, t, where);
    JsonNode pamt = doc.required(t, "pamt", where);
    requireObject(doc, pamt, where + ".pamt");
    PamtRange[] levels = new PamtRange[LEVELS.length];
    for (int l = 0; l < LEVELS.length; l++) {
      String levelWhere = "%s.pamt.%s".formatted(where, LEVELS[l]);
      JsonNode level = doc.required(pamt, LEVELS[l], where + ".pamt");
      requireObject(doc, level, levelWhere);
      levels[l] = new PamtRange(start(doc, level, levelWhere), size(doc, level, levelWhere));
    }
    List<ReservedArea> reserved = new ArrayList<>();
    List<JsonNode> areas = doc.array(t, "reserved");
    if (areas.size() > MAX_RESERVED) {
      throw new InputException(doc.source(), doc.lineOf(t),
          "%s lists %d reserved areas; tdmr reads at most %d (the TDX module has 16 slots)".formatted(where, areas.size(), MAX_RESERVED));
    }
    for (int r = 0; r < areas.size(); r++) {
      String areaWhere = "%s.reserved[%d]".formatted(where, r);
      JsonNode area = areas.get(r);
      requireObject(doc, area, areaWhere);
      long offset = area.has("start") ? doc.unsigned(area, "start", areaWhere) - base : doc.unsigned(area, "offset", areaWhere);
      reserved.add(new ReservedArea(offset, size(doc, area, areaWhere)));
    }
    return new Tdmr(base, size, new Pamt(levels[0], levels[1], levels[2]), reserved);
  }

  /** A range's first byte: {@code "start"}, or schema 1's {@code "base"}. */
  private static long start(JsonDocument doc, JsonNode range, String where) throws InputException {
    return doc.unsigned(range, range.has("start") ? "start" : "base", where);
  }

  /**
   * A range's size: {@code "end"} less {@code "start"} (an end below the start is bad input), or
   * schema 1's {@code "size"}.
   */
  private static long size(JsonDocument doc, JsonNode range, String where) throws InputException {
    if (!range.has("start")) {
      return doc.unsigned(range, "size", where);
    }
    long start = doc.unsigned(range, "start", where);
    long end = doc.unsigned(range, "end", where);
    if (Long.compareUnsigned(end, start) < 0) {
      throw new InputException(doc.source(), doc.lineOf(range),
          "%s ends at 0x%x, before it starts at 0x%x".formatted(where, end, start));
    }
    return end - start;
  }

  private static void requireObject(JsonDocument doc, JsonNode node, String where) throws InputException {
    if (!node.isObject()) {
      throw new InputException(doc.source(), doc.lineOf(node), where + " must be an object");
    }
  }

  /** One TDMR as a JSON object in the shared format, for embedding (e.g. in {@code plan --json}). */
  public static ObjectNode tdmrTree(Tdmr tdmr) {
    ObjectNode o = JsonDocument.MAPPER.createObjectNode();
    putRange(o, tdmr.base(), tdmr.size());
    ObjectNode pamt = o.putObject("pamt");
    PamtRange[] levels = {tdmr.pamt().fourK(), tdmr.pamt().twoM(), tdmr.pamt().oneG()};
    for (int l = 0; l < LEVELS.length; l++) {
      putRange(pamt.putObject(LEVELS[l]), levels[l].base(), levels[l].size());
    }
    ArrayNode reserved = o.putArray("reserved");
    for (ReservedArea r : tdmr.reserved()) {
      putRange(reserved.addObject(), tdmr.base() + r.offset(), r.size());
    }
    return o;
  }

  /**
   * {@code "start"}, {@code "end"} and {@code "sizeBytes"} of raw fields: a layout read from a file
   * may be broken (a size past 2^63 is written as the unsigned integer it is).
   */
  private static void putRange(ObjectNode o, long start, long size) {
    o.put("start", JsonContract.hex(start));
    o.put("end", JsonContract.hex(start + size));
    if (size >= 0) {
      o.put("sizeBytes", size);
    } else {
      o.put("sizeBytes", new java.math.BigInteger(Long.toUnsignedString(size)));
    }
  }

  /** The TDMRs of a layout as a JSON array, for a {@code "tdmrs"} field. */
  public static ArrayNode tdmrsTree(Layout layout) {
    ArrayNode a = JsonDocument.MAPPER.createArrayNode();
    layout.tdmrs().forEach(t -> a.add(tdmrTree(t)));
    return a;
  }

  /** A layout file tree: {@code {"tdmrs": [...]}}. */
  public static ObjectNode toTree(Layout layout) {
    ObjectNode o = JsonDocument.MAPPER.createObjectNode();
    o.set("tdmrs", tdmrsTree(layout));
    return o;
  }

  /** A layout file as pretty-printed JSON, ending with a newline. */
  public static String write(Layout layout) {
    return pretty(toTree(layout));
  }

  /**
   * Any JSON tree (e.g. a {@code plan --json} document built around {@link #tdmrTree}) as text:
   * what fits in 100 columns on one line, larger objects and arrays one member per line.
   */
  public static String pretty(JsonNode tree) {
    return JsonText.write(tree);
  }

  /** A fresh object node, so callers can build documents around {@link #tdmrTree} without their own mapper. */
  public static ObjectNode newObject() {
    return JsonDocument.MAPPER.createObjectNode();
  }

  /** Puts {@code value} under {@code field}, or JSON {@code null} when it is absent. */
  public static void putOrNull(ObjectNode node, String field, java.util.OptionalLong value) {
    JsonContract.putOrNull(node, field, value);
  }
}
