package tdmr.tdx;

/**
 * The choices that define which layouts are acceptable beyond the module's rules (DESIGN.md, "The
 * optimisation problem").
 *
 * @param holes which gaps inside a TDMR must be reserved
 * @param pamt where each TDMR's PAMT may be placed
 * @param coverage whether every memory block must be covered
 */
public record Policy(Holes holes, PamtPlacementPolicy pamt, Coverage coverage) {

  public static final Policy DEFAULT = new Policy(Holes.MEMLIST, PamtPlacementPolicy.NODE_LOCAL, Coverage.ALL);

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

  /** Where a TDMR's PAMT may live. */
  public enum PamtPlacementPolicy {
    /** On the NUMA node the kernel's {@code tdmr_get_nid} picks for the TDMR. */
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

  /** "holes memlist, PAMT node-local, coverage all": the policy in the command line's words. */
  public String describe() {
    return "holes %s, PAMT %s, coverage %s".formatted(holes.text(), pamt.text(), coverage.text());
  }

  private static String text(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public Policy withHoles(Holes h) {
    return new Policy(h, pamt, coverage);
  }

  public Policy withPamt(PamtPlacementPolicy p) {
    return new Policy(holes, p, coverage);
  }

  public Policy withCoverage(Coverage c) {
    return new Policy(holes, pamt, c);
  }
}
