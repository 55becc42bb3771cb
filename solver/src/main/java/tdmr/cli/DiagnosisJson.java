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
    o.put("moduleVersion", t.moduleVersion().orElse(null));
    o.put("privateKeyIds", t.keyIds().orElse(null));
    o.put("cmrs", t.cmrs().stream().map(DiagnosisJson::range).toList());
    o.put("seamcall", t.seamcall().map(DiagnosisJson::seamcall).orElse(null));
    o.put("failure", t.failure().map(f -> failure(f.line(), f.text().strip())).orElse(null));
    o.put("failedTdmr", t.failedTdmr().map(DiagnosisJson::range).orElse(null));
    o.put("errno", t.errno().isPresent() ? t.errno().getAsInt() : null);
    // The kernel's "N KB allocated for PAMT" (KB are KiB) as a byte count.
    o.put("pamtBytes", t.pamtKb().isPresent() ? t.pamtKb().getAsLong() * 1024 : null);
    o.put("mapInLog", d.mapInLog().map().isPresent());
    o.put("mapProblem", d.mapInLog().problem().orElse(null));
    o.put("whatHappened", t.whatHappened());
    o.put("whatToDo", d.whatToDo());
    o.put("analysis", d.analysis());
    o.put("exitCode", t.exitCode());
    return o;
  }

  private static Map<String, Object> seamcall(SeamcallFailure s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("leaf", "0x%x".formatted(s.leaf()));
    o.put("leafName", s.knownLeaf().map(l -> l.apiName()).orElse(null));
    o.put("status", "0x%016x".formatted(s.status()));
    o.put("statusName", s.knownStatus().map(Enum::name).orElse(null));
    o.put("field", s.field().map(Enum::name).orElse(null));
    Map<String, String> regs = new LinkedHashMap<>();
    for (String r : List.of("RCX", "RDX", "R8", "R9", "R10", "R11")) {
      s.register(r).ifPresent(v -> regs.put(r, "0x%x".formatted(v)));
    }
    o.put("registers", regs);
    o.put("line", s.line().line());
    return o;
  }

  private static Map<String, Object> range(AddressRange r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("start", JsonContract.hex(r.start()));
    o.put("end", JsonContract.hex(r.end()));
    o.put("sizeBytes", r.size());
    return o;
  }

  private static Map<String, Object> failure(int line, String text) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("line", line);
    o.put("text", text);
    return o;
  }
}
