package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.OptionalLong;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.GreedyTdmr;
import tdmr.greedy.ReservedAreaFacts;
import tdmr.greedy.ReservedAreaUse;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.solver.AreaShortfall;
import tdmr.solver.EngineResult;
import tdmr.solver.Infeasibility;
import tdmr.tdx.Headroom;
import tdmr.tdx.TdxLimits;

/**
 * One engine's answer as an element of {@code plan --json}'s {@code "results"}
 * (docs/schema/plan.schema.json): status, PAMT, layout, and what is otherwise only prose, as fields:
 * the kernel's failure (cause, errno, the failing TDMR with every reserved area it asked for, each
 * with its kind, e820 types and CMR coverage), the proof that no layout exists, and the layout's
 * headroom under the limits. Every key is always written; an absent value is {@code null}.
 */
final class EngineResultJson {
  private final MemoryMap map;
  private final TdxLimits limits;

  EngineResultJson(MemoryMap map, TdxLimits limits) {
    this.map = map;
    this.limits = limits;
  }

  ObjectNode tree(EngineResult r) {
    ObjectNode o = JsonContract.object();
    o.put("solver", r.solver());
    o.put("status", JsonContract.status(r.status()));
    JsonContract.putBytes(o, "pamtBytes", r.pamtBytes());
    JsonContract.putBytes(o, "pamtBoundBytes", r.pamtBoundBytes());
    if (r.layout().isPresent()) {
      o.set("tdmrs", LayoutJson.tdmrsTree(r.layout().get()));
    } else {
      o.putNull("tdmrs");
    }
    // ObjectNode.set writes JSON null for a Java null.
    o.set("headroom", r.headroom(limits).map(EngineResultJson::headroom).orElse(null));
    // Without a layout nothing was covered or left out: null, as pamtBytes, not a 0 that reads as "all covered".
    if (r.layout().isPresent()) {
      o.put("uncoveredBytes", r.uncoveredBytes());
    } else {
      o.putNull("uncoveredBytes");
    }
    // The family an exact engine's claim is about (the greedy replays the kernel and claims none), and
    // what the engine's model adds to it: its OPTIMAL/INFEASIBLE holds only under these restrictions.
    if (r.solver().startsWith("greedy")) {
      o.putNull("family");
    } else {
      o.put("family", r.family().text());
    }
    o.set("restrictions", JsonContract.strings(r.restrictions()));
    JsonContract.putOrNull(o, "remotePamtBytes", r.layout().isPresent()
        ? java.util.OptionalLong.of(new tdmr.check.RemotePamt(map, limits).bytes(r.layout().get()))
        : java.util.OptionalLong.empty());
    // Bytes by which the levels exceed what the kernel would allocate (module family only; 0 for the kernel's shape).
    JsonContract.putOrNull(o, "pamtPaddingBytes", r.layout().isPresent()
        ? java.util.OptionalLong.of(tdmr.check.PamtPadding.bytes(r.layout().get(), limits))
        : java.util.OptionalLong.empty());
    o.set("kernelFailure", r.kernelFailure().map(this::kernelFailure).orElse(null));
    o.set("infeasibility", r.infeasibility().map(EngineResultJson::infeasibility).orElse(null));
    o.set("messages", JsonContract.strings(r.messages()));
    o.set("details", JsonContract.strings(r.details()));
    o.put("solveMillis", r.solveMillis());
    // The size of the optimising engines' models; the greedy has none.
    JsonContract.putOrNull(o, "modelVariables", r.modelVariables() > 0 ? OptionalLong.of(r.modelVariables()) : OptionalLong.empty());
    JsonContract.putOrNull(o, "modelConstraints", r.modelVariables() > 0 ? OptionalLong.of(r.modelConstraints()) : OptionalLong.empty());
    return o;
  }

  /** {@code {"tdmrs", "maxTdmrs", "tightestTdmr", "reservedInTightest", "maxReservedPerTdmr"}}. */
  static ObjectNode headroom(Headroom h) {
    ObjectNode o = JsonContract.object();
    o.put("tdmrs", h.tdmrs());
    o.put("maxTdmrs", h.maxTdmrs());
    o.put("tightestTdmr", h.tightestTdmr());
    o.put("reservedInTightest", h.reservedInTightest());
    o.put("maxReservedPerTdmr", h.maxReservedPerTdmr());
    return o;
  }

  /** The proof that no layout exists: its facts and whether the set is proven minimal. */
  static ObjectNode infeasibility(Infeasibility why) {
    ObjectNode o = JsonContract.object();
    o.set("facts", JsonContract.strings(why.facts()));
    o.put("shrinking", JsonContract.status(why.shrinking()));
    o.put("minimal", why.minimal());
    o.set("areaShortfall", why.areaShortfall().map(EngineResultJson::areaShortfall).orElse(null));
    return o;
  }

  /**
   * The reserved-area bound's reasoning: {@code kind} ({@code GRANULE}: a granule's runs of reserved
   * space outnumber the islands the levels can fill; {@code EVERY_TDMR_RESERVES}: no layout has 0
   * areas), the limits it rules out and its bound; for a granule its range, {@code runs}, {@code
   * islands}, {@code islandsFittingLevels} (islands by how many of the smallest levels fit them),
   * {@code levelLeastBytes}, {@code islandsFillable}, {@code memoryStretches} and {@code pamtLevels}
   * (null otherwise).
   */
  static ObjectNode areaShortfall(AreaShortfall s) {
    ObjectNode o = JsonContract.object();
    o.put("kind", s instanceof AreaShortfall.Granule ? "GRANULE"
        : s instanceof AreaShortfall.Granules ? "GRANULES" : "EVERY_TDMR_RESERVES");
    o.put("maxTdmrs", s.maxTdmrs());
    o.put("maxReservedPerTdmr", s.maxReserved());
    o.put("leastMaxReservedPerTdmr", s.leastMaxReserved());
    if (s instanceof AreaShortfall.Granule g) {
      o.set("granule", JsonContract.range(g.granule()));
      o.put("runs", g.runs());
      o.put("islands", g.islands());
      ArrayNode fitting = o.putArray("islandsFittingLevels");
      g.islandsFitting().forEach(fitting::add);
      ArrayNode least = o.putArray("levelLeastBytes");
      g.levelLeastBytes().forEach(least::add);
      o.put("islandsFillable", g.fillable());
      o.put("memoryStretches", g.memoryStretches());
      o.put("pamtLevels", g.levels());
    } else if (s instanceof AreaShortfall.Granules g) {
      o.putNull("granule");
      o.put("runs", g.runs());
      for (String key : List.of("islands", "islandsFittingLevels", "levelLeastBytes", "islandsFillable",
          "memoryStretches")) {
        o.putNull(key);
      }
      o.put("pamtLevels", g.levels());
    } else {
      for (String key : List.of("granule", "runs", "islands", "islandsFittingLevels", "levelLeastBytes",
          "islandsFillable", "memoryStretches", "pamtLevels")) {
        o.putNull(key);
      }
    }
    return o;
  }

  /**
   * The kernel's failure from its typed fields: {@code cause}, {@code errno}, {@code stage}, the
   * {@code rule} it runs into, the kernel's {@code line}, the {@code failingTdmr} (with every
   * reserved area it asked for when they ran out) and the {@code offendingRange}.
   */
  ObjectNode kernelFailure(GreedyResult.Failed f) {
    ObjectNode o = JsonContract.object();
    o.put("cause", JsonContract.status(f.cause()));
    o.put("errno", f.errno().value());
    o.put("stage", JsonContract.status(f.stage()));
    o.put("rule", f.rule().id());
    o.put("line", f.failureLine());
    o.set("failingTdmr", f.failingTdmr().isPresent() ? failingTdmr(f.tdmrs().get(f.failingTdmr().getAsInt())) : null);
    JsonContract.putRange(o, "offendingRange", f.offendingRange());
    return o;
  }

  private ObjectNode failingTdmr(GreedyTdmr t) {
    ObjectNode o = JsonContract.object();
    o.put("index", t.index());
    JsonContract.putRange(o, t.range());
    o.put("node", t.node());
    o.put("reservedAreaCount", t.reservedUses().size());
    o.put("maxReservedPerTdmr", limits.maxReservedPerTdmr());
    ArrayNode areas = o.putArray("reservedAreas");
    List<ReservedAreaUse> uses = t.reservedUses();
    for (int k = 0; k < uses.size(); k++) {
      areas.add(reservedArea(uses.get(k), k + 1));
    }
    return o;
  }

  /** One reserved area the kernel asked for, numbered in the kernel's order from 1 ({@code plan} lists them so). */
  private ObjectNode reservedArea(ReservedAreaUse u, int number) {
    ObjectNode o = JsonContract.object();
    o.put("number", number);
    JsonContract.putRange(o, u.range());
    o.put("kind", JsonContract.status(u.kind()));
    JsonContract.putOrNull(o, "pamtOwner",
        u.kind() == ReservedAreaUse.Kind.PAMT ? OptionalLong.of(u.pamtOwner()) : OptionalLong.empty());
    o.set("e820Types", ReservedAreaFacts.e820Types(map, u.range()).map(JsonContract::strings).orElse(null));
    o.put("cmrCoverage", JsonContract.status(ReservedAreaFacts.cmrCoverage(map, u.range())));
    o.put("overLimit", number > limits.maxReservedPerTdmr());
    return o;
  }
}
