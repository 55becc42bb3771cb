package tdmr.cli;

import picocli.CommandLine.Option;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The limit, policy and solver options shared by {@code tdmr prove} and {@code tdmr frontier}. */
final class LimitOptions {
  @Option(names = "--holes", paramLabel = "memlist|cmr", defaultValue = "memlist",
      converter = PolicyConverters.HolesConverter.class,
      description = "Gaps to reserve: every gap between memory blocks (memlist, mainline Linux) or only non-convertible ones (cmr).")
  Policy.Holes holes;

  @Option(names = "--pamt", paramLabel = "node-local|any", defaultValue = "node-local",
      converter = PolicyConverters.PamtConverter.class,
      description = "Each TDMR's PAMT on the node the kernel picks (node-local) or anywhere in TDX memory (any).")
  Policy.PamtPlacementPolicy pamt;

  @Option(names = "--coverage", paramLabel = "all|max", defaultValue = "all",
      converter = PolicyConverters.CoverageConverter.class,
      description = "Cover all TDX memory, or as much as possible.")
  Policy.Coverage coverage;

  @Option(names = "--dpamt", description = "Dynamic PAMT: the 4K PAMT is a bitmap of one bit per page.")
  boolean dpamt;

  @Option(names = "--time-limit", paramLabel = "S", defaultValue = "60",
      description = "Seconds for the whole command, model building included (default ${DEFAULT-VALUE}).")
  double timeLimit;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Solver random seed (default ${DEFAULT-VALUE}).")
  int seed;

  Policy policy() {
    return new Policy(holes, pamt, coverage);
  }

  /** The module's limits with the given overrides; throws IllegalArgumentException for bad values. */
  TdxLimits limits(Integer maxTdmrs, Integer maxReserved) {
    return new LimitOverrides(maxTdmrs, maxReserved, dpamt, null).limits();
  }

  SolveOptions solveOptions() {
    return SolveOptions.forCommand(timeLimit, 1, seed);
  }

  /** "holes memlist, PAMT node-local, coverage all" for headings. */
  String describe() {
    return "holes %s, PAMT %s, coverage %s"
        .formatted(
            holes.name().toLowerCase(), pamt.name().toLowerCase().replace('_', '-'), coverage.name().toLowerCase());
  }
}
