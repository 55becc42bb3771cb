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
  /** TDX is enabled in the BIOS and the log shows boot completed without an attempt to initialize the module. */
  NOT_ATTEMPTED(false, "the boot went on without an attempt to initialize TDX"),
  /** TDX is enabled in the BIOS and the log ends before any attempt (nothing shows the boot went on). */
  ATTEMPT_NOT_IN_LOG(false, "the log ends before TDX initialization"),
  /** The kernel refused the module: it lacks the NO_RBP_MOD feature (the RBP clobber bug). */
  MODULE_TOO_OLD(false, "the kernel refused the TDX module as too old"),
  /** A TDX guest's log: the host's log is the one that says. */
  TDX_GUEST(false, "this is a TDX guest's log, not a host's"),
  /** A virtual machine's log. */
  VIRTUAL_MACHINE(false, "this is a virtual machine's log"),
  /** A CPU that is not Intel's. */
  NOT_INTEL_CPU(false, "this is not an Intel CPU"),
  /** No TDX line and no evidence why: BIOS, kernel, CPU or a cut log. */
  NO_TDX_LINES(false, "the log has no TDX lines"),
  /**
   * The log has TDX lines but neither the KeyID line nor an ending this tool knows: a TDX guest,
   * an older or vendor kernel with other messages, or a cut log. Nothing about the BIOS follows.
   */
  UNRECOGNISED(false, "its TDX lines do not say how initialization ended");

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

  /**
   * False when the log stops short of how TDX initialization ended (it ends first, or its TDX lines
   * are not ones this tool reads): TDX is then not known to be up, nor known to be down.
   */
  public boolean endingInLog() {
    return this != ATTEMPT_NOT_IN_LOG && this != UNRECOGNISED;
  }

  /** True when the kernel's TDMR construction itself failed, so a layout analysis can help. */
  public boolean isLayoutFailure() {
    return this == TDMRS_EXHAUSTED || this == RESERVED_AREAS_EXHAUSTED;
  }
}
