package tdmr.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tdmr.tdx.Policy;

/**
 * The policy options, each declared here once: which gaps must be reserved ({@code --holes}), where
 * PAMTs may go ({@code --pamt}) and how much memory a layout must cover ({@code --coverage}). Each is
 * a mixin of its own, so that a command takes exactly the options it honours; {@code @Mixin
 * PolicyOptions} takes them all. A new policy option (a layout family, memory given up with
 * {@code memmap=}) belongs here, as one more nested mixin and a field of this class.
 */
public final class PolicyOptions {
  @Mixin Holes holes;
  @Mixin Pamt pamt;
  @Mixin Coverage coverage;

  /** The policy the options give. */
  public Policy policy() {
    return new Policy(holes.value, pamt.value, coverage.value);
  }

  /** {@code --holes memlist|cmr}. */
  public static final class Holes {
    @Option(names = "--holes", paramLabel = "memlist|cmr", defaultValue = "memlist",
        converter = PolicyConverters.HolesConverter.class,
        completionCandidates = PolicyConverters.HolesValues.class,
        description = "Gaps to reserve: every gap between memory blocks (memlist, mainline Linux) or only"
            + " non-convertible ones (cmr, the CMR-holes patch). Default: ${DEFAULT-VALUE}.")
    Policy.Holes value;

    public Policy.Holes value() {
      return value;
    }
  }

  /** {@code --pamt node-local|any}. */
  public static final class Pamt {
    @Option(names = "--pamt", paramLabel = "node-local|any", defaultValue = "node-local",
        converter = PolicyConverters.PamtConverter.class,
        completionCandidates = PolicyConverters.PamtValues.class,
        description = "Each TDMR's PAMT on the NUMA node the kernel picks for it (node-local) or anywhere in"
            + " TDX memory (any). The kernel's own construction always uses node-local. Default: ${DEFAULT-VALUE}.")
    Policy.PamtPlacementPolicy value;

    public Policy.PamtPlacementPolicy value() {
      return value;
    }
  }

  /** {@code --coverage all|max}. */
  public static final class Coverage {
    @Option(names = "--coverage", paramLabel = "all|max", defaultValue = "all",
        converter = PolicyConverters.CoverageConverter.class,
        completionCandidates = PolicyConverters.CoverageValues.class,
        description = "Cover every byte of TDX memory (all), or as much as possible, reporting what is left"
            + " out (max). Default: ${DEFAULT-VALUE}.")
    Policy.Coverage value;

    public Policy.Coverage value() {
      return value;
    }
  }
}
