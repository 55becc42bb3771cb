package tdmr.triage;

/** How TDX initialization ended, as far as the log tells. */
public enum Outcome {
  /** The module is initialized ({@code module initialized}, PAMT allocated). */
  INITIALIZED(true, "TDX came up"),
  /** No TDX KeyIDs: TDX is off in the BIOS, or the kernel has no TDX host support. */
  NOT_ENABLED_IN_BIOS(false, "TDX is not enabled in the BIOS"),
  /** The BIOS enabled TDX but no module was loaded (SEAM loader, SEAMRR). */
  MODULE_NOT_LOADED(false, "no TDX module is loaded"),
  /** A SEAMCALL into the module failed: the module or the platform refused, not the layout. */
  SEAMCALL_FAILED(false, "the TDX module refused a SEAMCALL"),
  /** The kernel ran out of TDMRs while covering memory ({@code TDMRs exhausted}). */
  TDMRS_EXHAUSTED(false, "the kernel ran out of TDMRs"),
  /** One TDMR needed more reserved areas than the module allows ({@code reserved areas exhausted}). */
  RESERVED_AREAS_EXHAUSTED(false, "a TDMR ran out of reserved areas"),
  /** The kernel could not allocate the PAMTs (-12, ENOMEM). */
  PAMT_ALLOCATION_FAILED(false, "the kernel could not allocate the PAMTs"),
  /** Initialization failed for a reason the log does not spell out. */
  OTHER_FAILURE(false, "initialization failed"),
  /** TDX is enabled in the BIOS and the log shows no attempt to initialize the module. */
  NOT_ATTEMPTED(false, "the log shows no attempt to initialize TDX"),
  /**
   * The log has TDX lines but neither the KeyID line nor an ending this tool knows: a TDX guest,
   * an older or vendor kernel with other messages, or a cut log. Nothing about the BIOS follows.
   */
  UNRECOGNISED(false, "its TDX lines do not say whether TDX came up");

  private final boolean tdxUp;
  private final String summary;

  Outcome(boolean tdxUp, String summary) {
    this.tdxUp = tdxUp;
    this.summary = summary;
  }

  /** A few words for a headline: {@code a TDMR ran out of reserved areas}. */
  public String summary() {
    return summary;
  }

  /** True only when TDX came up. */
  public boolean tdxUp() {
    return tdxUp;
  }

  /** True when the kernel's TDMR construction itself failed, so a layout analysis can help. */
  public boolean isLayoutFailure() {
    return this == TDMRS_EXHAUSTED || this == RESERVED_AREAS_EXHAUSTED;
  }
}
