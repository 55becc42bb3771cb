package tdmr.greedy;

/** The Linux error numbers the TDX host code returns from TDMR construction, with their values. */
public enum Errno {
  /** SEAMCALL failure: the module rejected the configuration ({@code sc_retry_prerr}). */
  EIO(-5),
  /** An allocation failed: the memory list, the TDMR array, or a PAMT chunk. */
  ENOMEM(-12),
  /** A misaligned reserved area (a WARN, cannot happen with page-rounded input). */
  EINVAL(-22),
  /** TDMRs exhausted, or reserved areas exhausted. */
  ENOSPC(-28);

  private final int value;

  Errno(int value) {
    this.value = value;
  }

  /** The negative value the kernel prints: {@code module initialization failed (-28)}. */
  public int value() {
    return value;
  }
}
