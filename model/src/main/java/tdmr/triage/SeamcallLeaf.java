package tdmr.triage;

import java.util.Optional;

/**
 * The SEAMCALL leaves the host kernel calls while it brings the TDX module up, with the leaf
 * numbers of the kernel's {@code tdx.h} and what each one is for.
 */
public enum SeamcallLeaf {
  TDH_SYS_KEY_CONFIG(31, "TDH.SYS.KEY.CONFIG", "programs the global private key on each package"),
  TDH_SYS_INFO(32, "TDH.SYS.INFO", "reads the module's limits and CMRs, the TDX 1.0 way"),
  TDH_SYS_INIT(33, "TDH.SYS.INIT", "initializes the module globally and checks the platform: CPUID, MSRs, SMRR"),
  TDH_SYS_RD(34, "TDH.SYS.RD", "reads one global metadata field: a limit, a CMR or a feature"),
  TDH_SYS_LP_INIT(35, "TDH.SYS.LP.INIT", "initializes the module on one logical CPU"),
  TDH_SYS_TDMR_INIT(36, "TDH.SYS.TDMR.INIT", "initializes the PAMT of one TDMR"),
  TDH_SYS_RDALL(37, "TDH.SYS.RDALL", "reads all global metadata"),
  TDH_SYS_CONFIG(45, "TDH.SYS.CONFIG", "hands the TDMRs, PAMTs and reserved areas to the module"),
  TDH_SYS_SHUTDOWN(52, "TDH.SYS.SHUTDOWN", "shuts the module down before an update"),
  TDH_SYS_UPDATE(53, "TDH.SYS.UPDATE", "finishes a module update");

  private final long number;
  private final String apiName;
  private final String purpose;

  SeamcallLeaf(long number, String apiName, String purpose) {
    this.number = number;
    this.apiName = apiName;
    this.purpose = purpose;
  }

  public long number() {
    return number;
  }

  /** The name the TDX ABI specification uses: {@code TDH.SYS.RD}. */
  public String apiName() {
    return apiName;
  }

  public String purpose() {
    return purpose;
  }

  public static Optional<SeamcallLeaf> of(long number) {
    for (SeamcallLeaf l : values()) {
      if (l.number == number) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }
}
