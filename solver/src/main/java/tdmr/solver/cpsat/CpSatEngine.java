package tdmr.solver.cpsat;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.Instance;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The optimal planner: the best layout of the policy's family ({@link Policy.Family}) under the
 * lexicographic objective of {@link LayoutScore}, or a proof that the family has none.
 *
 * <p>The stages: the instance and what no layout can cover ({@link Instance}); the model ({@link
 * TdmrModel}); then one CP-SAT solve per tier of the objective, in order (coverage under {@code
 * max}, remote PAMT under {@code node-local}, PAMT, TDMRs, reserved areas), each fixing the tier it
 * proved and starting from the previous solution. {@code OPTIMAL} needs every tier proven; a time
 * limit gives {@code FEASIBLE} with the best layout found and, once the tiers before PAMT are
 * proven, the PAMT bound, or {@code UNKNOWN}. Every layout is read by {@link SolutionLayout}, passes
 * the validator and the OS check, and is scored by {@link LayoutScore#of}, which must equal the
 * model's tiers (a mismatch is a bug).
 *
 * <p>The claims name the family and, where they could matter on the map, the model's restrictions
 * ({@link Restrictions}). Determinism: one thread runs one deterministic worker; more threads use
 * CP-SAT's interleaved search, deterministic too.
 */
public final class CpSatEngine implements Engine {
  /**
   * Loads OR-Tools' native library (once per JVM).
   *
   * @throws UnsatisfiedLinkError naming the platform and the cause when it cannot load; the engine
   *     registry then reports {@code cpsat} as unavailable on this machine
   */
  public CpSatEngine() {
    NativeLibrary.problem().ifPresent(problem -> {
      throw new UnsatisfiedLinkError(problem);
    });
  }

  @Override
  public String name() {
    return "cpsat";
  }

  /** CP-SAT implements both families. */
  @Override
  public boolean proves(Policy.Family family) {
    return true;
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    return new Run(Instance.of(map, limits, policy), options).solve();
  }

  /** One tier of the objective: what it is called in messages and what is minimised. */
  private record Tier(String name, LinearExpr expr) {}

  /** One solve of one instance. */
  private final class Run {
    private final Instance instance;
    private final SolveOptions options;
    private final long started = System.nanoTime();
    private final List<String> messages = new ArrayList<>();
    private final Restrictions restrictions;
    private TdmrModel model;
    /** The model's restrictions the proof holds under (named in the claim). */
    private List<String> proofRestrictions = List.of();

    Run(Instance instance, SolveOptions options) {
      this.instance = instance;
      this.options = options;
      this.restrictions = new Restrictions(instance);
    }

    EngineResult solve() {
      Policy policy = instance.policy();
      boolean all = policy.coverage() == Policy.Coverage.ALL;
      if (all && !instance.impossibilities().isEmpty()) {
        messages.addAll(instance.impossibilities());
        messages.add("no layout can cover all TDX memory; `tdmr fix` finds the least memory to give up");
        return result(Status.INFEASIBLE, null, OptionalLong.empty(), 0);
      }
      if (instance.cells().isEmpty()) {
        messages.add("no TDX memory is left that a TDMR could cover");
        return result(Status.INFEASIBLE, null, OptionalLong.empty(), 0);
      }
      try {
        model = new TdmrModel(instance, started + Math.round(options.timeLimitSeconds() * 1e9));
      } catch (TdmrModel.TimeLimitWhileBuilding e) {
        messages.add("time limit: it struck while the model was being built; CP-SAT was not run, nothing is proven");
        messages.add("model: not built; " + instance.describe());
        return result(Status.UNKNOWN, null, OptionalLong.empty(), 0);
      }
      return tiers();
    }

    private List<Tier> tierList() {
      List<Tier> tiers = new ArrayList<>();
      if (instance.policy().coverage() == Policy.Coverage.MAX) {
        tiers.add(new Tier("coverage", model.uncoveredPages));
      }
      if (instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL) {
        tiers.add(new Tier("remote PAMT", model.remoteBytes));
      }
      tiers.add(new Tier("PAMT", model.pamtPages));
      tiers.add(new Tier("TDMRs", model.tdmrCount));
      tiers.add(new Tier("reserved areas", model.areaCount));
      return tiers;
    }

    /** Solves tier by tier; the answer is the last solution found. */
    private EngineResult tiers() {
      List<Tier> tiers = tierList();
      CpSolver last = null;
      OptionalLong pamtBound = OptionalLong.empty();
      boolean provenSoFar = true;
      for (Tier tier : tiers) {
        model.model.clearObjective();
        model.model.minimize(tier.expr());
        CpSolver solver = newSolver();
        CpSolverStatus status = solver.solve(model.model);
        if (status == CpSolverStatus.MODEL_INVALID) {
          throw new IllegalStateException("CP-SAT rejected the model: " + model.model.validate());
        }
        if (status == CpSolverStatus.INFEASIBLE) {
          if (last != null) {
            throw new IllegalStateException("CP-SAT found no layout in tier " + tier.name() + " after one was found");
          }
          messages.add(infeasibleSentence());
          proofRestrictions = restrictions.forInfeasible();
          Restrictions.sentence(proofRestrictions).ifPresent(messages::add);
          if (instance.policy().coverage() == Policy.Coverage.ALL) {
            messages.add("`tdmr fix` finds the least TDX memory to give up so that such a layout exists");
          }
          return finish(Status.INFEASIBLE, null, OptionalLong.empty());
        }
        boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
        if (!found) {
          if (last == null) {
            messages.add("time limit: no layout found and none ruled out");
            return finish(Status.UNKNOWN, null, OptionalLong.empty());
          }
          messages.add("time limit: the " + tier.name() + " tier was not reached; the layout is the best of the earlier tiers");
          provenSoFar = false;
          break;
        }
        last = solver;
        long value = Math.round(solver.objectiveValue());
        long boundValue = Math.max(0, (long) Math.ceil(solver.bestObjectiveBound() - 1e-6));
        if (provenSoFar && tier.name().equals("PAMT")) {
          pamtBound = OptionalLong.of(boundValue * ByteSize.PAGE);
        }
        if (status != CpSolverStatus.OPTIMAL) {
          messages.add("time limit: the %s tier is the best found, not proven (bound %d)".formatted(tier.name(),
              (long) Math.ceil(solver.bestObjectiveBound() - 1e-6)));
          provenSoFar = false;
          break;
        }
        model.model.addEquality(tier.expr(), value);
        // SolutionLayout.hint(model, solver);
      }
      SolutionLayout reader = new SolutionLayout(model, last);
      Layout layout = reader.layout();
      requireValid(layout, reader.givenUp());
      LayoutScore score = LayoutScore.of(instance.map(), instance.limits(), instance.policy(), layout);
      if (provenSoFar) {
        requireScoreMatches(score, last);
      }
      describe(layout, score, provenSoFar);
      OptionalLong bound = pamtBound.isPresent()
          ? OptionalLong.of(Math.min(pamtBound.getAsLong(), layout.pamtBytes())) : OptionalLong.empty();
      return finish(provenSoFar ? Status.OPTIMAL : Status.FEASIBLE, layout, bound, score.uncoveredBytes());
    }

    /** The model's tiers must be the layout's score: the model counts what the layout has. */
    private void requireScoreMatches(LayoutScore score, CpSolver solver) {
      long uncovered = solver.value(model.uncoveredPages) * ByteSize.PAGE + instance.deadMemory() - deadCountedInModel();
      List<String> wrong = new ArrayList<>();
      if (uncovered != score.uncoveredBytes()) {
        wrong.add("uncovered " + uncovered + " != " + score.uncoveredBytes());
      }
      if (instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL
          && solver.value(model.remoteBytes) != score.remotePamtBytes()) {
        wrong.add("remote " + solver.value(model.remoteBytes) + " != " + score.remotePamtBytes());
      }
      if (solver.value(model.pamtPages) * ByteSize.PAGE != score.pamtBytes()) {
        wrong.add("PAMT " + solver.value(model.pamtPages) * ByteSize.PAGE + " != " + score.pamtBytes());
      }
      if (solver.value(model.tdmrCount) != score.tdmrs()) {
        wrong.add("TDMRs " + solver.value(model.tdmrCount) + " != " + score.tdmrs());
      }
      if (solver.value(model.areaCount) != score.reservedAreas()) {
        wrong.add("reserved areas " + solver.value(model.areaCount) + " != " + score.reservedAreas());
      }
      if (!wrong.isEmpty()) {
        throw new IllegalStateException("the CP-SAT model and its layout disagree: " + String.join(", ", wrong));
      }
    }

    /** Dead memory the model counts among its uncovered pages (atoms outside CMRs). */
    private long deadCountedInModel() {
      return instance.atoms().stream().filter(Instance.Atom::dead).mapToLong(a -> a.range().size()).sum();
    }

    private void requireValid(Layout layout, List<AddressRange> givenUp) {
      LayoutVerifier.requireValid(instance.map(), instance.limits(), instance.policy(), layout);
    }

    private void describe(Layout layout, LayoutScore score, boolean proven) {
      String what = "%s, %d KB PAMT (%s), %s".formatted(Count.of(layout.size(), "TDMR"), layout.pamtBytes() / 1024,
          ByteSize.human(layout.pamtBytes()), Count.of(layout.reservedAreaCount(), "reserved area"));
      if (instance.policy().pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL || score.remotePamtBytes() > 0) {
        what += ", remote PAMT " + ByteSize.human(score.remotePamtBytes());
      }
      if (proven) {
        messages.add("proven optimal among " + Restrictions.family(instance.policy()) + ": " + what);
        proofRestrictions = restrictions.forOptimum(score);
        Restrictions.sentence(proofRestrictions).ifPresent(messages::add);
      } else {
        messages.add("best layout found: " + what);
      }
      if (score.uncoveredBytes() > 0) {
        messages.add("left out %s of TDX memory".formatted(ByteSize.human(score.uncoveredBytes())));
      }
    }

    private String infeasibleSentence() {
      TdxLimits limits = instance.limits();
      Policy p = instance.policy();
      String cover = p.coverage() == Policy.Coverage.ALL ? "covers all TDX memory with" : "has";
      return "proven: no layout of %s %s at most %s and %s per TDMR (holes %s, PAMT %s)".formatted(
          Restrictions.family(p), cover, Count.of(limits.maxTdmrs(), "TDMR"),
          Count.of(limits.maxReservedPerTdmr(), "reserved area"), p.holes().text(), p.pamt().text());
    }

    private double remainingSeconds() {
      return options.timeLimitSeconds() - (System.nanoTime() - started) / 1e9;
    }

    private CpSolver newSolver() {
      CpSolver solver = new CpSolver();
      solver.getParameters()
          .setMaxTimeInSeconds(Math.max(0.01, remainingSeconds()))
          .setNumWorkers(options.threads())
          .setRandomSeed(options.seed())
          .setLogSearchProgress(Boolean.getBoolean("tdmr.cpsat.log"));
      if (Boolean.getBoolean("tdmr.cpsat.log")) {
        solver.setLogCallback(System.err::println);
      }
      if (options.threads() > 1) {
        solver.getParameters().setInterleaveSearch(true);
      }
      return solver;
    }

    private EngineResult finish(Status status, Layout layout, OptionalLong bound) {
      return finish(status, layout, bound, instance.deadMemory());
    }

    private EngineResult finish(Status status, Layout layout, OptionalLong bound, long uncovered) {
      if (model != null) {
        messages.add("model: %d variables, %d constraints; %s".formatted(model.variableCount(), model.constraintCount(),
            instance.describe()));
      }
      return result(status, layout, bound, uncovered);
    }

    private EngineResult result(Status status, Layout layout, OptionalLong bound, long uncovered) {
      long millis = (System.nanoTime() - started) / 1_000_000;
      long vars = model == null ? 0 : model.variableCount();
      long cons = model == null ? 0 : model.constraintCount();
      return new EngineResult(name(), status, Optional.ofNullable(layout),
          layout == null ? OptionalLong.empty() : OptionalLong.of(layout.pamtBytes()),
          bound, messages, millis, vars, cons, layout == null ? 0 : uncovered).withRestrictions(proofRestrictions);
    }
  }
}
