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
  @Mixin Family family;

  /** The policy the options give. */
  public Policy policy() {
    return new Policy(holes.value, pamt.value, coverage.value, family.value);
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
        description = "node-local: rank layouts first by the PAMT bytes describing memory on another NUMA node than"
            + " the PAMT (0 whenever the limits allow; the kernel puts each TDMR's PAMT on the node of its first"
            + " block); any: ignore where PAMT lies. Default: ${DEFAULT-VALUE}.")
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

  /** {@code --family module|kernel}: which layouts an optimising engine's claims are about. */
  public static final class Family {
    @Option(names = "--family", paramLabel = "module|kernel", defaultValue = "module",
        converter = PolicyConverters.FamilyConverter.class,
        completionCandidates = PolicyConverters.FamilyValues.class,
        description = "Layouts the proof is about: module (every layout the TDX module accepts, each PAMT level placed"
            + " on its own, TDMRs on any 1 GiB boundary) or kernel (each TDMR's PAMT one 4K/2M/1G chunk of the kernel's"
            + " sizes in one memory block, as Linux allocates it; much faster to prove on hosts of 256 GiB and more)."
            + " cpsat and z3 answer both. Each answer names the restrictions of the engine's model it holds under."
            + " Default: ${DEFAULT-VALUE}.")
    Policy.Family value;

    public Policy.Family value() {
      return value;
    }
  }

  /**
   * {@code --family} for {@code tdmr fix}, whose default is {@code kernel}: its {@code memmap=}
   * advice is for hosts that run a kernel, and every kernel allocates a TDMR's PAMT as one chunk, so
   * only a layout of the kernel family is one a kernel could build by changing where it puts TDMR
   * boundaries and chunks.
   */
  public static final class FamilyForFix {
    @Option(names = "--family", paramLabel = "module|kernel", defaultValue = "kernel",
        converter = PolicyConverters.FamilyConverter.class,
        completionCandidates = PolicyConverters.FamilyValues.class,
        description = "Layouts that must exist once memory is given up: kernel (each TDMR's PAMT one 4K/2M/1G chunk,"
            + " as every kernel allocates it) or module (every layout the TDX module accepts). Default:"
            + " ${DEFAULT-VALUE}.")
    Policy.Family value;

    public Policy.Family value() {
      return value;
    }
  }
}
