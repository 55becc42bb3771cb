package tdmr.bench.sweep;

import java.util.List;
import java.util.OptionalLong;

/** Writes sweep rows as {@code results.csv} (RFC 4180: comma separated, text fields quoted when needed). */
public final class ResultsCsv {
  /** The header line; sizes in bytes, times in milliseconds. */
  public static final String HEADER =
      "map,origin,blocks,memory_bytes,kernel_tdmr_holes,engine,status,pamt_bytes,pamt_bound_bytes,"
          + "tdmrs,max_reserved_areas,solve_ms,model_variables,model_constraints,message";

  private ResultsCsv() {}

  /** The whole file: header and one line per row, each ending with a newline. */
  public static String write(List<SweepRow> rows) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (SweepRow r : rows) {
      out.append(String.join(",",
              quote(r.map()), quote(r.origin()), Integer.toString(r.blocks()), Long.toString(r.memoryBytes()),
              Integer.toString(r.kernelTdmrHoles()), quote(r.engine()), r.status(), number(r.pamtBytes()),
              number(r.pamtBoundBytes()), Integer.toString(r.tdmrs()), Integer.toString(r.maxReserved()),
              Long.toString(r.solveMillis()), Long.toString(r.modelVariables()), Long.toString(r.modelConstraints()),
              quote(r.message())))
          .append('\n');
    }
    return out.toString();
  }

  private static String number(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "";
  }

  private static String quote(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
