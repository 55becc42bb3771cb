package tdmr.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tdmr.solver.Engine;
import tdmr.solver.Engines;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The options of every command that runs engines ({@code @Mixin}): which engines, the policy
 * (holes, PAMT placement, coverage), the module's limits but {@code --dpamt}, and the solver's budget.
 */
public final class EngineOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--solver", paramLabel = "NAME", defaultValue = "greedy",
      description = "greedy, greedy-cmr, cpsat, z3, all, or a comma-separated list (default: ${DEFAULT-VALUE}).")
  String solver;

  @Option(names = "--holes", paramLabel = "memlist|cmr", defaultValue = "memlist", converter = PolicyConverters.HolesConverter.class,
      description = "Gaps to reserve: every gap between memory blocks (memlist, mainline Linux) or only non-convertible ones (cmr).")
  Policy.Holes holes;

  @Option(names = "--pamt", paramLabel = "node-local|any", defaultValue = "node-local", converter = PolicyConverters.PamtConverter.class,
      description = "Where PAMTs may go (optimising engines).")
  Policy.PamtPlacementPolicy pamt;

  @Option(names = "--coverage", paramLabel = "all|max", defaultValue = "all", converter = PolicyConverters.CoverageConverter.class,
      description = "Cover all TDX memory, or as much as possible.")
  Policy.Coverage coverage;

  @Option(names = "--max-tdmrs", paramLabel = "N", description = "Module's MAX_TDMRS (default 64).")
  Integer maxTdmrs;

  @Option(names = "--max-rsvd", paramLabel = "N", description = "Module's MAX_RESERVED_PER_TDMR (default 16).")
  Integer maxRsvd;

  @Option(names = "--time-limit", paramLabel = "S", defaultValue = "60",
      description = "Seconds for the whole command, model building included; the engines share them (default ${DEFAULT-VALUE}).")
  double timeLimit;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "Solver threads (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Solver random seed (default ${DEFAULT-VALUE}).")
  int seed;

  /** The engines named by {@code --solver}; an unknown or unavailable one is a usage error. */
  public List<Engine> engines() {
    try {
      return Engines.select(solver);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  public Policy policy() {
    return new Policy(holes, pamt, coverage);
  }

  /**
   * The module's limits after {@code --max-tdmrs}, {@code --max-rsvd} and the command's own
   * {@code --dpamt} (declared by each command: plan and render describe it differently).
   */
  public TdxLimits limits(boolean dynamicPamt) {
    try {
      return new LimitOverrides(maxTdmrs, maxRsvd, dynamicPamt, null).limits();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The solver's budget; the command's deadline starts now, so call this when the command starts. */
  public SolveOptions solveOptions() {
    try {
      return SolveOptions.forCommand(timeLimit, threads, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
