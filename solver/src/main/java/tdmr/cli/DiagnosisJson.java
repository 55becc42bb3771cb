package tdmr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tdmr.mem.AddressRange;
import tdmr.parse.JsonContract;
import tdmr.triage.SeamcallFailure;
import tdmr.triage.Triage;

/** {@code tdmr diagnose --json}: the findings for scripts, addresses as hex strings (the shared format). */
final class DiagnosisJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DiagnosisJson() {}

  /** The document as a tree, for the runner to print whole or as one NDJSON line. */
  static ObjectNode tree(Diagnosis d) {
    return JSON.valueToTree(map(d));
  }

  private static Map<String, Object> map(Diagnosis d) {
    Triage t = d.triage();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("tdmrVersion", JsonContract.tdmrVersion());
    o.put("schema", JsonContract.schema("diagnose"));
    o.put("source", d.source());
    o.put("tdxUp", t.outcome().tdxUp());
    o.put("outcome", t.outcome().name());
    o.put("summary", t.outcome().summary());
    o.put("completeness", d.completeness().stream()
        .map(n -> Map.of("check", n.check().name(), "note", n.text())).toList());
    o.put("commandLine", t.boot().commandLine().map(c -> c.text()).orElse(null));
    o.put("cpu", t.boot().cpu().map(c -> c.text()).orElse(null));
    t.moduleVersion().ifPresent(v -> o.put("moduleVersion", v));
    t.keyIds().ifPresent(k -> o.put("privateKeyIds", k));
    o.put("cmrs", t.cmrs().stream().map(DiagnosisJson::range).toList());
    t.seamcall().ifPresent(s -> o.put("seamcall", seamcall(s)));
    t.failure().ifPresent(f -> o.put("failure", Map.of("line", f.line(), "text", f.text().strip())));
    t.failedTdmr().ifPresent(r -> o.put("failedTdmr", range(r)));
    t.errno().ifPresent(e -> o.put("errno", e));
    t.pamtKb().ifPresent(kb -> o.put("pamtKb", kb));
    o.put("mapInLog", d.mapInLog().map().isPresent());
    d.mapInLog().problem().ifPresent(p -> o.put("mapProblem", p));
    o.put("whatHappened", t.whatHappened());
    o.put("whatToDo", d.whatToDo());
    o.put("analysis", d.analysis());
    o.put("exitCode", t.exitCode());
    return o;
  }

  private static Map<String, Object> seamcall(SeamcallFailure s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("leaf", "0x%x".formatted(s.leaf()));
    s.knownLeaf().ifPresent(l -> o.put("leafName", l.apiName()));
    o.put("status", "0x%016x".formatted(s.status()));
    s.knownStatus().ifPresent(st -> o.put("statusName", st.name()));
    s.field().ifPresent(f -> o.put("field", f.name()));
    Map<String, String> regs = new LinkedHashMap<>();
    for (String r : List.of("RCX", "RDX", "R8", "R9", "R10", "R11")) {
      s.register(r).ifPresent(v -> regs.put(r, "0x%x".formatted(v)));
    }
    o.put("registers", regs);
    o.put("line", s.line().line());
    return o;
  }

  private static Map<String, String> range(AddressRange r) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("start", "0x%x".formatted(r.start()));
    o.put("end", "0x%x".formatted(r.end()));
    return o;
  }
}
