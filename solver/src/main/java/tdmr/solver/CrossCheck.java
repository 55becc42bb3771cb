package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import tdmr.check.LayoutVerifier;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Runs the engines on one map and checks that their answers are consistent, per layout family
 * ({@link Policy.Family}): every layout passes the validator; the exact engines that prove the
 * policy's family ({@link Engine#proves}) agree on the status and, scored by {@link LayoutScore},
 * on the optimum in every tier; and none of them claims a worse optimum than another engine's
 * layout, or infeasibility where another engine built a layout of the family. Any disagreement is a
 * bug in one of them, and the report says which claims clash.
 *
 * Under coverage {@code all}, a PAMT bound an exact engine's {@code FEASIBLE} answer states for
 * its whole family (no restrictions named) is no more than the PAMT of any other layout that has no
 * remote PAMT where the policy ranks it (every such layout ranks no worse than the optimum before
 * the PAMT tier, so needs no less PAMT than it): a layout below it is a disagreement.
 *
 * <p>Not disagreements, only notes: a time limit ({@code UNKNOWN}, or {@code FEASIBLE} without a
 * proof); a proof that names restrictions of its model ({@link EngineResult#restrictions}) beaten by
 * a layout outside them (on the kernel family, one engine's {@code OPTIMAL} among the layouts its
 * model holds and the other's {@code FEASIBLE} layout outside them, better); an exact engine that
 * does not implement the family (its answers are not proofs of it). The greedy's layouts are of the kernel family (one chunk per TDMR in one block,
 * TDMRs covering memory), so of the module family too, and every exact engine must do at least as
 * well.
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
    return compare(map, limits, policy, results, provers(engines, policy));
  }

  /** The names of the engines whose answers are proofs about the policy's family. */
  public static Set<String> provers(List<Engine> engines, Policy policy) {
    return engines.stream().filter(e -> e.proves(policy.family())).map(Engine::name).collect(Collectors.toSet());
  }

  /**
   * Compares results already computed for the same map, limits and policy; {@code provers} names
   * the engines whose answers are proofs about the policy's family ({@link #provers}).
   */
  public static Report compare(
      MemoryMap map, TdxLimits limits, Policy policy, List<EngineResult> results, Set<String> provers) {
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
    List<EngineResult> exact = results.stream().filter(r -> provers.contains(r.solver())).toList();
    for (EngineResult r : results) {
      if (!r.solver().startsWith("greedy") && !provers.contains(r.solver())) {
        notes.add("%s does not implement the %s family: its answer is not compared as a proof"
            .formatted(r.solver(), policy.family().text()));
      }
    }
    if (exact.size() < 2) {
      notes.add("fewer than two exact engines prove the %s family here, so no two optima were compared"
          .formatted(policy.family().text()));
    }
    for (int i = 0; i < exact.size(); i++) {
      for (int j = i + 1; j < exact.size(); j++) {
        compareExact(map, limits, policy, exact.get(i), exact.get(j), failures, notes);
      }
    }
    for (EngineResult proof : exact) {
      for (EngineResult other : results) {
        if (other != proof && !exact.contains(other) && other.status().hasLayout()) {
          notBeaten(map, limits, policy, proof, other, failures, notes);
        }
      }
    }
    for (EngineResult bounded : exact) {
      for (EngineResult other : results) {
        belowNoBound(map, limits, policy, bounded, other, failures);
      }
    }
    return new Report(map.source(), results, failures, notes);
  }

  /**
   * Two exact engines: when both proved the same question (family and restrictions), their statuses
   * and optima are equal; otherwise no proof is beaten by the other's layout.
   */
  private static void compareExact(MemoryMap map, TdxLimits limits, Policy policy, EngineResult a, EngineResult b,
      List<String> failures, List<String> notes) {
    boolean aProven = proven(a);
    boolean bProven = proven(b);
    if (aProven && bProven && a.question().equals(b.question())) {
      if (a.status() != b.status()) {
        failures.add("%s says %s but %s says %s".formatted(a.solver(), a.status(), b.solver(), b.status()));
      } else if (a.status() == Status.OPTIMAL
          && !score(map, limits, policy, a).sameRank(score(map, limits, policy, b), policy)) {
        failures.add("optima differ: %s proves %s, %s proves %s".formatted(a.solver(), objective(map, limits, policy, a),
            b.solver(), objective(map, limits, policy, b)));
      }
      return;
    }
    notBeaten(map, limits, policy, a, b, failures, notes);
    notBeaten(map, limits, policy, b, a, failures, notes);
    for (EngineResult r : List.of(a, b)) {
      if (!proven(r)) {
        notes.add("%s proved nothing (%s: the time limit, or a search left unfinished): its answer is not compared as a"
            .formatted(r.solver(), r.status()) + " proof");
      }
    }
  }

  /**
   * A proof of {@code proof} must survive {@code other}'s layout: no layout where it proves none
   * exists, none better than its optimum. A proof that names restrictions beaten this way is only
   * noted (the other layout lies outside them).
   */
  private static void notBeaten(MemoryMap map, TdxLimits limits, Policy policy, EngineResult proof, EngineResult other,
      List<String> failures, List<String> notes) {
    if (!proven(proof) || !other.status().hasLayout()) {
      return;
    }
    String clash = null;
    if (proof.status() == Status.INFEASIBLE) {
      if (policy.coverage() == Policy.Coverage.ALL || score(map, limits, policy, other).uncoveredBytes() == 0) {
        clash = "%s proves no layout exists, but %s built one (%s)".formatted(proof.solver(), other.solver(),
            objective(map, limits, policy, other));
      }
    } else if (score(map, limits, policy, other).betterThan(score(map, limits, policy, proof), policy)) {
      clash = "%s claims an optimum of %s, but %s found %s".formatted(proof.solver(), objective(map, limits, policy, proof),
          other.solver(), objective(map, limits, policy, other));
    }
    if (clash == null) {
      return;
    }
    if (proof.restrictions().isEmpty()) {
      failures.add(clash);
    } else {
      notes.add(clash + ", outside the restrictions it names (" + String.join("; ", proof.restrictions()) + ")");
    }
  }

  /**
   * Under coverage {@code all}: {@code other}'s layout, without remote PAMT where the policy ranks
   * it, has no less PAMT than the bound {@code bounded}'s {@code FEASIBLE} answer states for its
   * whole family (class comment).
   */
  private static void belowNoBound(MemoryMap map, TdxLimits limits, Policy policy, EngineResult bounded,
      EngineResult other, List<String> failures) {
    if (policy.coverage() != Policy.Coverage.ALL || bounded.status() != Status.FEASIBLE
        || bounded.pamtBoundBytes().isEmpty() || !bounded.restrictions().isEmpty() || other.layout().isEmpty()) {
      return;
    }
    LayoutScore s = score(map, limits, policy, other);
    long bound = bounded.pamtBoundBytes().getAsLong();
    if ((!LayoutScore.ranksRemotePamt(policy) || s.remotePamtBytes() == 0) && s.pamtBytes() < bound) {
      failures.add("%s proves that no layout of the %s family needs less than %d PAMT bytes, but %s found %s"
          .formatted(bounded.solver(), bounded.family().text(), bound, other.solver(),
              objective(map, limits, policy, other)));
    }
  }

  private static boolean proven(EngineResult r) {
    return r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE;
  }

  private static LayoutScore score(MemoryMap map, TdxLimits limits, Policy policy, EngineResult r) {
    return LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
  }

  /** The lexicographic objective of a result with a layout, every tier named. */
  static String objective(MemoryMap map, TdxLimits limits, Policy policy, EngineResult r) {
    if (r.layout().isEmpty()) {
      return r.status().toString();
    }
    LayoutScore s = score(map, limits, policy, r);
    String uncovered = s.uncoveredBytes() == 0 ? "" : ByteSize.human(s.uncoveredBytes()) + " uncovered, ";
    String remote = LayoutScore.ranksRemotePamt(policy) ? "remote PAMT %d bytes, ".formatted(s.remotePamtBytes()) : "";
    return "%s%sPAMT %d bytes (%s), %s, %s".formatted(uncovered, remote, s.pamtBytes(), ByteSize.human(s.pamtBytes()),
        Count.of(s.tdmrs(), "TDMR"), Count.of(s.reservedAreas(), "reserved area"));
  }
}
