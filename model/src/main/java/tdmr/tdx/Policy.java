package tdmr.tdx;

/**
 * The choices that define which layouts are acceptable beyond the module's rules, and which layouts
 * an optimising engine's claims are about (DESIGN.md, "The optimisation problem").
 *
 * @param holes which gaps inside a TDMR must be reserved
 * @param pamt whether PAMT describing memory on another NUMA node counts against a layout
 * @param coverage whether every memory block must be covered
 * @param family which layouts an optimising engine searches ({@code OPTIMAL} and {@code INFEASIBLE}
 *     are statements about this family); the greedy and the validator ignore it
 */
public record Policy(Holes holes, PamtPlacementPolicy pamt, Coverage coverage, Family family) {

  /**
   * The default of every policy option, as the command line has it: holes {@code memlist}, PAMT
   * {@code node-local}, coverage {@code all}, and the {@link Family#MODULE module} family, so that
   * {@code OPTIMAL} and {@code INFEASIBLE} are statements about every layout the TDX module accepts.
   * The greedy and the validator ignore the family.
   */
  public static final Policy DEFAULT =
      new Policy(Holes.MEMLIST, PamtPlacementPolicy.NODE_LOCAL, Coverage.ALL, Family.MODULE);

  /**
   * {@link #DEFAULT} in the {@link Family#KERNEL kernel} family: the question {@code tdmr fix} and
   * {@code tdmr diagnose} ask (a layout a kernel could build), and the family of the kernel-shaped
   * benchmarks.
   */
  public static final Policy KERNEL = DEFAULT.withFamily(Family.KERNEL);

  public Policy {
    java.util.Objects.requireNonNull(holes, "holes");
    java.util.Objects.requireNonNull(pamt, "pamt");
    java.util.Objects.requireNonNull(coverage, "coverage");
    java.util.Objects.requireNonNull(family, "family");
  }

  /** Which gaps inside a TDMR must become reserved areas. */
  public enum Holes {
    /** Every gap between TDX memory blocks, as mainline Linux does. */
    MEMLIST,
    /** Only the parts that are not convertible, as the TDX module requires (the unmerged CMR patch). */
    CMR;

    /** The value as the command line and JSON write it: {@code memlist}, {@code cmr}. */
    public String text() {
      return Policy.text(this);
    }
  }

  /**
   * Where a TDMR's PAMT should live. The objective of both families is lexicographic: (coverage
   * {@code max}: most TDX memory covered), then, under {@code NODE_LOCAL}, the fewest remote PAMT
   * bytes ({@code tdmr.check.RemotePamt}: PAMT bytes describing 1 GiB granules whose memory lies on
   * other NUMA nodes than the PAMT), then the fewest PAMT bytes, TDMRs and reserved areas. Under
   * {@code ANY} the remote tier is left out. Neither is a hard rule: a layout with remote PAMT is
   * legal, it only ranks lower.
   */
  public enum PamtPlacementPolicy {
    /** Each PAMT level on the NUMA node of the memory its TDMR covers, wherever the limits allow. */
    NODE_LOCAL,
    /** Anywhere in TDX memory. */
    ANY;

    /** The value as the command line and JSON write it: {@code node-local}, {@code any}. */
    public String text() {
      return Policy.text(this);
    }
  }

  /** How much of the TDX memory a layout must cover. */
  public enum Coverage {
    /** Every byte of every memory block. */
    ALL,
    /** As much as possible; what is left out is reported. */
    MAX;

    /** The value as the command line and JSON write it: {@code all}, {@code max}. */
    public String text() {
      return Policy.text(this);
    }
  }

  /** "holes memlist, PAMT node-local, coverage all, family kernel": the policy in the command line's words. */
  public String describe() {
    return "holes %s, PAMT %s, coverage %s, family %s".formatted(holes.text(), pamt.text(), coverage.text(),
        family.text());
  }

  private static String text(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * The layouts an optimising engine (CP-SAT, Z3; {@code prove}, {@code frontier}, {@code fix})
   * searches, so the layouts its {@code OPTIMAL} and {@code INFEASIBLE} answers are about. Both
   * families contain only layouts that pass the module validator (TDH.SYS.CONFIG) and the OS
   * coverage check ({@code tdmr.check.OsCoverageCheck}) under the holes and coverage policy; the
   * family restricts nothing else than what is written here.
   */
  public enum Family {
    /**
     * Every layout TDH.SYS.CONFIG accepts together with the OS coverage check. TDMRs start and end
     * on any 1 GiB boundary below the HKID limit, also over address space without TDX memory
     * (which the holes policy then requires reserved), and a TDMR may hold no TDX memory at all.
     * Each of a TDMR's three PAMT levels is one range placed on its own (rule D7): 4 KiB aligned, at
     * least the module's minimum for the TDMR's size (rules D2/D3) rounded up to 4 KiB and possibly
     * larger, inside TDX memory within one merged CMR (D6 and the OS rule), disjoint from every
     * other PAMT level (D4) and from the usable part of every TDMR (D5), in the usable part of no
     * TDMR and so inside a reserved area of whichever TDMR it lies in, or outside every TDMR.
     */
    MODULE,
    /**
     * The layouts of the kernel's shape: as {@link #MODULE}, except that every TDMR covers some TDX
     * memory (as every TDMR Linux builds does) and its PAMT is one contiguous chunk holding the
     * three levels back to back in the order 4K, 2M, 1G, each of exactly the size the kernel
     * allocates ({@link PamtSizing#levelBytes}), lying within one memory block (TDX memory of one
     * NUMA node without a gap, where {@code alloc_contig_pages} takes it from). TDMR boundaries lie
     * on any 1 GiB boundary, and the chunk anywhere legal, also outside every TDMR.
     */
    KERNEL;

    /** The value as the command line and JSON write it: {@code module}, {@code kernel}. */
    public String text() {
      return Policy.text(this);
    }

    /** The family as every claim about it names it, in one sentence a reader needs no manual for. */
    public String claim() {
      return this == MODULE
          ? "the module family (every layout TDH.SYS.CONFIG and the OS coverage check accept, each PAMT level"
              + " placed on its own)"
          : "the kernel family (each TDMR's PAMT one contiguous 4K/2M/1G chunk of the kernel's sizes in one"
              + " memory block)";
    }
  }

  public Policy withHoles(Holes h) {
    return new Policy(h, pamt, coverage, family);
  }

  public Policy withPamt(PamtPlacementPolicy p) {
    return new Policy(holes, p, coverage, family);
  }

  public Policy withCoverage(Coverage c) {
    return new Policy(holes, pamt, c, family);
  }

  public Policy withFamily(Family f) {
    return new Policy(holes, pamt, coverage, f);
  }
}
