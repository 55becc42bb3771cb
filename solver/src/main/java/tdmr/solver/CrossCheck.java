package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Runs the greedy, CP-SAT and Z3 on one map and checks that their answers are consistent: every
 * layout passes the validator, the two exact engines agree on the status and on the optimum, and
 * neither claims a worse optimum than the greedy's layout or infeasibility where the greedy built
 * a layout. Any disagreement is a bug in one of them, and the report says which claims clash.
 *
 * <p>A time limit ({@code UNKNOWN}, or {@code FEASIBLE} without a proof) is not a disagreement:
 * the report notes what could not be compared. Nor is a greedy layout outside the exact engines'
 * family (a PAMT the kernel's allocator put off the TDMR's node): it is noted, not compared.
 */
public final class CrossCheck {
  /** The engines a cross-check runs, by their {@link Engines} names. */
  public static final List<String> ENGINES = List.of("greedy", "cpsat", "z3");

  /**
   * The outcome of one cross-check.
   *
   * @param source the map's source
   * @param results every engine's result, in the order run
   * @param failures disagreements and invalid layouts; empty when the engines are consistent
   * @param notes comparisons that could not be made (time limits)
   */
  public record Report(String source, List<EngineResult> results, List<String> failures, List<String> notes) {
    public Report {
      results = List.copyOf(results);
      failures = List.copyOf(failures);
      notes = List.copyOf(notes);
    }

    public boolean passed() {
      return failures.isEmpty();
    }

    /** The report as lines for people: a verdict, then each failure and note. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      List<String> names = results.stream().map(EngineResult::solver).toList();
      out.add(
          passed()
              ? "cross-check passed: %s agree on %s".formatted(String.join(", ", names), source)
              : "cross-check FAILED on %s: %s".formatted(source, Count.of(failures.size(), "disagreement")));
      failures.forEach(f -> out.add("  FAIL " + f));
      notes.forEach(n -> out.add("  note " + n));
      return out;
    }
  }

  private CrossCheck() {}

  /** Runs greedy, CP-SAT and Z3 from the {@link Engines} registry and compares them. */
  public static Report run(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    return run(map, limits, policy, options, Engines.select(String.join(",", ENGINES)));
  }

  /** Runs the given engines (normally greedy, CP-SAT and Z3, {@link #ENGINES}) and compares them. */
  public static Report run(
      MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, List<Engine> engines) {
    List<EngineResult> results = new ArrayList<>();
    for (Engine e : engines) {
      results.add(e.solve(map, limits, policy, options));
    }
    return compare(map, limits, policy, results);
  }

  /** Compares results already computed for the same map, limits and policy. */
  public static Report compare(MemoryMap map, TdxLimits limits, Policy policy, List<EngineResult> results) {
    List<String> failures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (EngineResult r : results) {
      if (r.layout().isPresent()) {
        Layout layout = r.layout().get();
        for (String f : LayoutVerifier.failures(map, limits, policy, layout)) {
          failures.add("%s: its layout fails verification: %s".formatted(r.solver(), f));
        }
        if (r.pamtBytes().isPresent() && r.pamtBytes().getAsLong() != layout.pamtBytes()) {
          failures.add(
              "%s: reports %d PAMT bytes but its layout has %d"
                  .formatted(r.solver(), r.pamtBytes().getAsLong(), layout.pamtBytes()));
        }
      }
    }
    Optional<EngineResult> cpsat = named(results, "cpsat");
    Optional<EngineResult> z3 = named(results, "z3");
    if (cpsat.isPresent() && z3.isPresent()) {
      compareExact(cpsat.get(), z3.get(), failures, notes);
    } else {
      notes.add("cpsat and z3 did not both run, so their optima were not compared");
    }
    for (EngineResult greedy : results) {
      if (!greedy.solver().startsWith("greedy") || !greedy.status().hasLayout()) {
        continue;
      }
      Optional<String> outside = outsideFamily(map, policy, greedy.layout().get());
      if (outside.isPresent()) {
        notes.add("%s's layout is not compared with the exact engines: %s".formatted(greedy.solver(), outside.get()));
        continue;
      }
      for (EngineResult exact : List.of(cpsat, z3).stream().flatMap(Optional::stream).toList()) {
        compareWithGreedy(greedy, exact, policy, failures);
      }
    }
    return new Report(map.source(), results, failures, notes);
  }

  /** Both exact engines: proven statuses equal, optima equal, no layout beating a proven optimum. */
  private static void compareExact(EngineResult a, EngineResult b, List<String> failures, List<String> notes) {
    boolean aProven = a.status() == Status.OPTIMAL || a.status() == Status.INFEASIBLE;
    boolean bProven = b.status() == Status.OPTIMAL || b.status() == Status.INFEASIBLE;
    if (a.status() == Status.INFEASIBLE && b.status().hasLayout()
        || b.status() == Status.INFEASIBLE && a.status().hasLayout()) {
      EngineResult no = a.status() == Status.INFEASIBLE ? a : b;
      EngineResult yes = no == a ? b : a;
      failures.add(
          "%s proves no layout exists, but %s built one (%s)".formatted(no.solver(), yes.solver(), objective(yes)));
      return;
    }
    if (aProven && bProven) {
      if (a.status() != b.status()) {
        failures.add("%s says %s but %s says %s".formatted(a.solver(), a.status(), b.solver(), b.status()));
      } else if (a.status() == Status.OPTIMAL && !objective(a).equals(objective(b))) {
        failures.add(
            "optima differ: %s proves %s, %s proves %s".formatted(a.solver(), objective(a), b.solver(), objective(b)));
      }
      return;
    }
    // One side stopped by a time limit: an optimum may not be beaten by the other's layout.
    for (EngineResult[] pair : List.of(new EngineResult[] {a, b}, new EngineResult[] {b, a})) {
      EngineResult opt = pair[0];
      EngineResult other = pair[1];
      if (opt.status() == Status.OPTIMAL
          && other.status().hasLayout()
          && other.layout().get().pamtBytes() < opt.layout().get().pamtBytes()
          && other.uncoveredBytes() <= opt.uncoveredBytes()) {
        failures.add(
            "%s claims an optimum of %s but %s found %s".formatted(opt.solver(), objective(opt), other.solver(), objective(other)));
      }
    }
    for (EngineResult r : List.of(a, b)) {
      if (r.status() == Status.UNKNOWN || r.status() == Status.FEASIBLE) {
        notes.add("%s stopped at its time limit (%s): its answer is not compared as a proof".formatted(r.solver(), r.status()));
      }
    }
  }

  /** An exact engine never does worse than a layout the greedy built (both are in the family). */
  private static void compareWithGreedy(EngineResult greedy, EngineResult exact, Policy policy, List<String> failures) {
    if (exact.status() == Status.INFEASIBLE && policy.coverage() == Policy.Coverage.ALL) {
      failures.add(
          "%s proves no layout exists, but %s built one (%s)".formatted(exact.solver(), greedy.solver(), objective(greedy)));
      return;
    }
    if (exact.status() == Status.OPTIMAL
        && exact.uncoveredBytes() <= greedy.uncoveredBytes()
        && exact.layout().get().pamtBytes() > greedy.layout().get().pamtBytes()) {
      failures.add(
          "%s claims an optimum of %s, worse than %s's %s"
              .formatted(exact.solver(), objective(exact), greedy.solver(), objective(greedy)));
    }
  }

  /**
   * Why a greedy layout lies outside the family the exact engines search, if it does: under PAMT
   * node-local a PAMT must be on the node {@code tdmr_get_nid} picks (the node of the first block
   * ending after the TDMR base), while the kernel's allocator falls back to other nodes when that
   * node has no room.
   */
  static Optional<String> outsideFamily(MemoryMap map, Policy policy, Layout layout) {
    if (policy.pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL) {
      return Optional.empty();
    }
    for (Tdmr t : layout.tdmrs()) {
      int node =
          map.blocks().stream().filter(b -> b.end() > t.base()).findFirst().map(MemoryBlock::node).orElse(0);
      for (PageSize level : PageSize.values()) {
        PamtRange r = t.pamt().level(level);
        boolean onNode =
            map.blocks().stream().anyMatch(b -> b.node() == node && b.range().contains(r.range()));
        if (!onNode) {
          return Optional.of(
              "the PAMT of %s is not on node %d, the node tdmr_get_nid picks (the kernel's allocator fell back)"
                  .formatted(t, node));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<EngineResult> named(List<EngineResult> results, String name) {
    return results.stream().filter(r -> r.solver().equals(name)).findFirst();
  }

  /**
   * The lexicographic objective of a result with a layout: uncovered bytes, PAMT bytes, TDMRs,
   * reserved areas.
   */
  static String objective(EngineResult r) {
    if (r.layout().isEmpty()) {
      return r.status().toString();
    }
    Layout l = r.layout().get();
    String uncovered = r.uncoveredBytes() == 0 ? "" : ByteSize.human(r.uncoveredBytes()) + " uncovered, ";
    return "%sPAMT %d bytes (%s), %s, %s"
        .formatted(uncovered, l.pamtBytes(), ByteSize.human(l.pamtBytes()), Count.of(l.size(), "TDMR"),
            Count.of(l.reservedAreaCount(), "reserved area"));
  }
}
