package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import tdmr.boot.MemoryWhatIf;
import tdmr.check.ModuleValidator;
import tdmr.check.OsCoverageCheck;
import tdmr.check.Violation;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.JsonContract;
import tdmr.parse.LayoutJson;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The two verdicts of {@code tdmr check}, printed for people or as JSON.
 *
 * @param layoutName the LAYOUT argument as given
 * @param violations every module violation in the module's order; the first is what the module returns
 * @param os the OS verdict
 */
record CheckReport(
    String layoutName,
    MemoryMap map,
    Layout layout,
    TdxLimits limits,
    Policy.Holes holes,
    Policy.Coverage coverage,
    List<Violation> violations,
    OsCoverageCheck.Verdict os) {

  boolean moduleAccepts() {
    return violations.isEmpty();
  }

  boolean osHolds() {
    return os.holds(coverage);
  }

  /** Both verdicts hold. */
  boolean holds() {
    return moduleAccepts() && osHolds();
  }

  private List<Violation> shown(boolean all) {
    return all ? violations : violations.stream().limit(1).toList();
  }

  String text(boolean all) {
    StringBuilder b = new StringBuilder();
    b.append("Layout %s: %s, %s, PAMT %s%n".formatted(layoutName, Count.of(layout.size(), "TDMR"),
        Count.of(layout.reservedAreaCount(), "reserved area"), ByteSize.human(layout.pamtBytes())));
    b.append("Map %s: %s (%s), %s%n".formatted(map.source(), Count.of(map.blocks().size(), "memory block"),
        ByteSize.human(map.totalBytes()), Count.of(map.cmrs().cmrs().size(), "CMR")));
    whatIfs().forEach(w -> b.append("  ").append(w).append(System.lineSeparator()));
    b.append("Limits: %s, %s per TDMR, Dynamic PAMT %s, HKID start bit %d%n%n".formatted(
        Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"),
        limits.dynamicPamt() ? "on" : "off", limits.hkidStartBit()));
    b.append("TDX module (TDH.SYS.CONFIG): %s%n".formatted(moduleAccepts() ? "OK" : "FAIL"));
    for (Violation v : shown(all)) {
      b.append("  ").append(v).append(System.lineSeparator());
    }
    boolean capped = violations.size() >= ModuleValidator.MAX_VIOLATIONS;
    if (!all && violations.size() > 1) {
      b.append("  (the module stops at the first error; %s%s, --all lists them)%n".formatted(
          capped ? "at least " : "", Count.of(violations.size() - 1, "more violation", "more violations")));
    }
    if (all && capped) {
      b.append("  (counting stopped at %d violations)%n".formatted(ModuleValidator.MAX_VIOLATIONS));
    }
    b.append("Operating system (holes=%s, coverage=%s): %s%n".formatted(
        name(holes), name(coverage), osHolds() ? "OK" : "FAIL"));
    for (OsCoverageCheck.Problem problem : os.problems()) {
      b.append("  ").append(problem.message()).append(System.lineSeparator());
    }
    if (os.problems().size() >= OsCoverageCheck.MAX_PROBLEMS) {
      b.append("  (counting stopped at %d problems)%n".formatted(OsCoverageCheck.MAX_PROBLEMS));
    }
    for (String uncovered : os.uncoveredMessages()) {
      b.append("  ").append(uncovered)
          .append(coverage == Policy.Coverage.MAX ? " (allowed: coverage=max)" : "")
          .append(System.lineSeparator());
    }
    return b.toString();
  }

  /**
   * The summary line: {@code ACCEPTED} when both verdicts hold, else {@code REJECTED} with the module's
   * error (and rule), or the OS check's first problem; the layout's PAMT.
   */
  HostResult summary() {
    String reason;
    if (!moduleAccepts()) {
      Violation first = violations.get(0);
      reason = "%s (rule %s%s)".formatted(first.error().name(), first.rule().id(),
          first.tdmrIndex() >= 0 ? ", TDMR " + first.tdmrIndex() : "");
    } else if (!osHolds()) {
      reason = os.problems().isEmpty() ? os.uncoveredMessages().stream().findFirst().orElse("OS check fails")
          : os.problems().get(0).message();
    } else {
      reason = "";
    }
    return new HostResult(holds() ? 0 : 1, holds() ? "ACCEPTED" : "REJECTED", reason,
        java.util.OptionalLong.of(layout.pamtBytes()), "");
  }

  ObjectNode tree(boolean all) {
    ObjectNode root = JsonContract.document("check");
    root.put("layout", layoutName);
    root.put("map", map.source());
    ArrayNode whatIf = root.putArray("whatIf");
    whatIfs().forEach(whatIf::add);
    root.put("ok", holds());
    root.set("limits", JsonContract.limits(limits));
    ObjectNode module = root.putObject("module");
    module.put("ok", moduleAccepts());
    module.put("violationCount", violations.size());
    ArrayNode vs = module.putArray("violations");
    for (Violation v : shown(all)) {
      ObjectNode n = vs.addObject();
      n.put("error", v.error().name());
      if (v.error().fromModule()) {
        n.put("code", v.hexCode().toLowerCase(java.util.Locale.ROOT)); // hex in JSON is lower case (docs/json.md)
      } else {
        n.putNull("code");
      }
      n.put("rule", v.rule().id());
      JsonContract.putOrNull(n, "tdmr", v.tdmrIndex() >= 0 ? java.util.OptionalInt.of(v.tdmrIndex()) : java.util.OptionalInt.empty());
      n.put("message", v.message());
    }
    ObjectNode osNode = root.putObject("os");
    osNode.put("ok", osHolds());
    osNode.put("holes", name(holes));
    osNode.put("coverage", name(coverage));
    ArrayNode uncovered = osNode.putArray("uncovered");
    os.uncoveredMemory().forEach(r -> uncovered.add(JsonContract.range(r)));
    osNode.put("uncoveredBytes", os.uncoveredBytes());
    ArrayNode problems = osNode.putArray("problems");
    os.problems().forEach(p -> problems.add(p.message()));
    return root;
  }

  /** The map's what-if notes: the boot parameters replayed on it before the check. */
  private List<String> whatIfs() {
    return map.notes().stream().filter(n -> n.startsWith(MemoryWhatIf.NOTE_PREFIX)).toList();
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
