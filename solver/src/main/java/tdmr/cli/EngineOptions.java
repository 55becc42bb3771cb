package tdmr.cli;

import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tdmr.solver.Engine;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The options of every command that runs engines of the user's choice ({@code @Mixin}): which
 * engines ({@code --solver}), the policy, the module's limits and the solvers' budget.
 */
public final class EngineOptions {
  @Option(names = "--solver", paramLabel = "NAME", defaultValue = "greedy", completionCandidates = SolverNames.class,
      description = "${COMPLETION-CANDIDATES}, or a comma-separated list (default: ${DEFAULT-VALUE}).")
  String solver;

  @Mixin PolicyOptions policy;
  @Mixin LimitOptions limits;
  @Mixin BudgetOptions budget;

  /** The engines named by {@code --solver}; an unknown or unavailable one is a usage error. */
  public List<Engine> engines() {
    try {
      return Engines.select(solver);
    } catch (IllegalArgumentException e) {
      throw new OptionValueException(e.getMessage());
    }
  }

  public Policy policy() {
    return policy.policy();
  }

  public TdxLimits limits() {
    return limits.limits();
  }

  public SolveOptions solveOptions() {
    return budget.solveOptions();
  }
}
