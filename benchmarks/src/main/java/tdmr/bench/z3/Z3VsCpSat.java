package tdmr.bench.z3;

import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tdmr.bench.gen.MachineSpec;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.sweep.MapFiles;
import tdmr.bench.sweep.SweepMap;
import tdmr.bench.sweep.SweepSummary;
import tdmr.parse.InputException;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The two exact engines side by side on the same maps in one run: every real map of a directory
 * and generated multi-socket hosts of 2 to 16 NUMA nodes and up to 16 TiB (few blocks, many TiB:
 * the maps where big PAMT numbers meet few cells). Each map is solved by CP-SAT, then by Z3, one
 * at a time (no two solves compete for the cores), and the Markdown output has one row per map and
 * a table per family of maps: how many each engine proved, and the median, 95th percentile
 * (nearest rank) and maximum of its solve time. A measurement, not a test: nothing here asserts a
 * time. A row whose optima differ is marked, since that is a bug in one of the engines.
 *
 * <p>Usage: {@code Z3VsCpSat REALMAPS_DIR [LIMIT_S [THREADS [FAMILY [real|all [NAME_PART]]]]]}
 * (defaults: 10 s, 2 CP-SAT workers, the kernel family, real and multi-socket maps; Z3 always runs
 * one thread; {@code real} leaves the multi-socket hosts out; {@code NAME_PART} keeps only the maps
 * whose name contains it). An engine that stops well before the limit without a proof has its
 * first message in the note column. Each row gives both engines' status, time and score
 * (uncovered, remote PAMT, PAMT bytes, TDMRs, areas); where both answered the same question
 * ({@link EngineResult#question}) with OPTIMAL and their scores differ, the row says DIFFER.
 */
public final class Z3VsCpSat {
  private Z3VsCpSat() {}

  public static void main(String[] args) throws InputException {
    Path real = Path.of(args.length > 0 ? args[0] : "model/src/test/resources/realmaps");
    double limit = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    List<SweepMap> maps = new ArrayList<>(MapFiles.read(real).maps());
    Policy.Family family = args.length > 3 ? Policy.Family.valueOf(args[3].toUpperCase(Locale.ROOT)) : Policy.Family.KERNEL;
    if (args.length <= 4 || !args[4].equals("real")) {
      maps.addAll(multiSocket());
    }
    if (args.length > 5) {
      maps.removeIf(m -> !m.name().contains(args[5]));
    }
    SolveOptions options = new SolveOptions(limit, threads, 0);
    List<Engine> engines = List.of(new CpSatEngine(), new Z3Engine());
    Policy policy = Policy.DEFAULT.withFamily(family);
    TdxLimits limits = TdxLimits.DEFAULT;
    // Warm up both native libraries and the JIT on the first map, so the first row is not a load time.
    for (Engine e : engines) {
      e.solve(maps.get(0).map(), limits, policy, options);
    }
    System.out.println("| family | map | blocks | memory | cpsat | cpsat ms | cpsat score | z3 | z3 ms | z3 score | note |");
    System.out.println("|---|---|---:|---:|---|---:|---|---|---:|---|---|");
    Map<String, Map<String, List<EngineResult>>> byFamily = new LinkedHashMap<>();
    for (SweepMap m : maps) {
      List<EngineResult> rs = new ArrayList<>();
      for (Engine e : engines) {
        EngineResult r = e.solve(m.map(), limits, policy, options);
        rs.add(r);
        byFamily.computeIfAbsent(m.origin(), k -> new LinkedHashMap<>()).computeIfAbsent(e.name(), k -> new ArrayList<>()).add(r);
      }
      EngineResult c = rs.get(0);
      EngineResult z = rs.get(1);
      String cs = score(m, limits, policy, c);
      String zs = score(m, limits, policy, z);
      boolean bothOptimal = c.status() == Status.OPTIMAL && z.status() == Status.OPTIMAL;
      String note = "";
      if (bothOptimal && !cs.equals(zs)) {
        note = c.question().equals(z.question()) ? "DIFFER" : "differ (different restrictions)";
      } else if (c.status() != z.status() && proven(c) && proven(z) && c.question().equals(z.question())) {
        note = "DIFFER";
      }
      for (EngineResult r : rs) {
        // An engine that gave up well before the limit says why (a time-out needs no note).
        if (!proven(r) && r.solveMillis() < limit * 500 && !r.messages().isEmpty()) {
          note += (note.isEmpty() ? "" : "; ") + r.solver() + ": " + r.messages().get(0).replace('|', '/');
        }
      }
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %d GiB | %s | %d | %s | %s | %d | %s | %s |%n", m.origin(), m.name(),
          m.blocks(), m.map().totalBytes() / GiB, c.status(), c.solveMillis(), cs, z.status(), z.solveMillis(), zs, note);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "Limit %s s per solve; proven = OPTIMAL or INFEASIBLE; times are the engines' solveMillis.%n%n", limit);
    System.out.println("| family | maps | cpsat proven | cpsat median ms | cpsat p95 ms | cpsat max ms | z3 proven | z3 median ms | z3 p95 ms | z3 max ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    byFamily.forEach((origin, perEngine) -> {
      StringBuilder row = new StringBuilder("| " + origin + " | " + perEngine.get("cpsat").size() + " |");
      for (String e : List.of("cpsat", "z3")) {
        List<EngineResult> rs = perEngine.get(e);
        long proven = rs.stream().filter(r -> r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE).count();
        List<Long> ms = rs.stream().map(EngineResult::solveMillis).sorted().toList();
        row.append(" %d | %d | %d | %d |".formatted(proven, SweepSummary.percentile(ms, 50), SweepSummary.percentile(ms, 95),
            SweepSummary.percentile(ms, 100)));
      }
      System.out.println(row);
    });
    System.exit(0);
  }

  private static boolean proven(EngineResult r) {
    return r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE;
  }

  /** A result's score as uncovered/remote/PAMT bytes/TDMRs/areas, or empty without a layout. */
  private static String score(SweepMap m, TdxLimits limits, Policy policy, EngineResult r) {
    if (r.layout().isEmpty()) {
      return "";
    }
    LayoutScore s = LayoutScore.of(m.map(), limits, policy, r.layout().get());
    return "%d/%d/%d/%d/%d".formatted(s.uncoveredBytes(), s.remotePamtBytes(), s.pamtBytes(), s.tdmrs(), s.reservedAreas());
  }

  /**
   * Multi-socket hosts: 2, 4, 8 and 16 sockets of one NUMA node each (and 8 sockets with sub-NUMA
   * clustering 2), nodes of 128 GiB to 1 TiB, at most 16 TiB in all; SPR-like low memory (2 usable
   * islands), reserved non-convertible tails at the top of each node's CMR, one CMR per node.
   */
  static List<SweepMap> multiSocket() {
    List<SweepMap> out = new ArrayList<>();
    long seed = 1;
    for (int sockets : new int[] {2, 4, 8, 16}) {
      for (long nodeGiB : new long[] {128, 256, 512, 768, 1024}) {
        if (sockets * nodeGiB > 16384) {
          continue;
        }
        MachineSpec spec = new MachineSpec("multisocket-%ds-%dGiB".formatted(sockets, nodeGiB), sockets, 1, nodeGiB * GiB,
            0x77800000L, 2, 288 * MiB, 256 * MiB, 1, 0, 0, 0);
        var machine = MapGenerator.generate(spec, seed++);
        out.add(new SweepMap(machine.name(), "multisocket", machine.memoryMap()));
      }
    }
    MachineSpec snc = new MachineSpec("multisocket-8s2n-512GiB", 8, 2, 512 * GiB, 0x6f800000L, 6, 96 * MiB, 64 * MiB, 1, 0, 0, 0);
    var machine = MapGenerator.generate(snc, seed);
    out.add(new SweepMap(machine.name(), "multisocket", machine.memoryMap()));
    return out;
  }
}
