package tdmr.triage;

import java.util.Optional;

/**
 * The TDX module's completion statuses that can end host initialization (from the module's
 * {@code tdx_error_codes_defs.h}; docs/tdx-module-rules.md, "Status codes", for the TDH.SYS.CONFIG ones). The
 * status class is bits 63:32 of RAX; bits 31:0 carry details (operand id, TDMR index, level).
 */
public enum TdxStatus {
  TDX_OPERAND_INVALID(0xC0000100L, "an operand of the call is invalid (the low byte names the register)"),
  TDX_OPERAND_ADDR_RANGE_ERROR(0xC0000101L, "an address operand is out of range"),
  TDX_SYS_BUSY(0x80000202L, "the module is busy with another global call"),
  TDX_RND_NO_ENTROPY(0x80000203L, "the CPU ran out of entropy; the call may be retried"),
  TDX_SYS_INIT_NOT_PENDING(0xC0000500L, "TDH.SYS.INIT was already done"),
  TDX_SYS_LP_INIT_NOT_DONE(0xC0000502L, "a logical CPU has not run TDH.SYS.LP.INIT"),
  TDX_SYS_LP_INIT_DONE(0xC0000503L, "this logical CPU was already initialized"),
  TDX_SYS_NOT_READY(0xC0000505L, "the module is not in a state that accepts this call"),
  TDX_SYS_SHUTDOWN(0xC0000506L, "the module was shut down"),
  TDX_SYS_KEY_CONFIG_NOT_PENDING(0xC0000507L, "the keys were already configured"),
  TDX_SYS_STATE_INCORRECT(0xC0000508L, "the module is in the wrong state for this call"),
  TDX_SYS_INVALID_HANDOFF(0xC0000509L, "the module update handoff data is invalid"),
  TDX_SYS_INCOMPATIBLE_SIGSTRUCT(0xC000050AL, "the module's signature structure does not fit this platform"),
  TDX_SYS_LP_INIT_NOT_PENDING(0xC000050BL, "logical CPU initialization is not expected now"),
  TDX_SYS_CONFIG_NOT_PENDING(0xC000050CL, "TDH.SYS.CONFIG is not expected now (rule A1/A2)"),
  TDX_INCOMPATIBLE_SEAM_CAPABILITIES(0xC000050DL, "the SEAM capabilities of this CPU do not fit the module"),
  TDX_INCORRECT_CPUID_VALUE(0xC0000900L, "a CPUID value the module checks is not what it requires (BIOS setting or microcode)"),
  TDX_INCONSISTENT_CPUID_FIELD(0xC0000902L, "CPUID differs between logical CPUs"),
  TDX_INVALID_WBINVD_SCOPE(0xC0000905L, "the WBINVD scope reported by the CPU is not supported"),
  TDX_INVALID_PKG_ID(0xC0000906L, "a package id is invalid"),
  TDX_SMRR_NOT_LOCKED(0xC0000910L, "SMRR is not locked by the BIOS"),
  TDX_INVALID_SMRR_CONFIGURATION(0xC0000911L, "the BIOS configured SMRR in a way TDX does not accept"),
  TDX_SMRR_OVERLAPS_CMR(0xC0000912L, "SMRR overlaps convertible memory"),
  TDX_INCONSISTENT_MSR(0xC0000920L, "an MSR differs between logical CPUs"),
  TDX_INCORRECT_MSR_VALUE(0xC0000921L, "an MSR the module checks has a value it does not accept (BIOS setting)"),
  TDX_INVALID_TDMR(0xC0000A00L, "a TDMR has a bad base or size (rules B1, B4, B5)"),
  TDX_NON_ORDERED_TDMR(0xC0000A01L, "TDMRs are unsorted or overlap (rules B2, B3)"),
  TDX_TDMR_OUTSIDE_CMRS(0xC0000A02L, "usable TDMR memory lies outside the CMRs (rule E1)"),
  TDX_INVALID_PAMT(0xC0000A10L, "a PAMT is misaligned or too small (rules D1, D2)"),
  TDX_PAMT_OUTSIDE_CMRS(0xC0000A11L, "a PAMT lies outside the CMRs (rule D6)"),
  TDX_PAMT_OVERLAP(0xC0000A12L, "a PAMT overlaps another PAMT or usable TDMR memory (rules D4, D5)"),
  TDX_INVALID_RESERVED_IN_TDMR(0xC0000A20L, "a reserved area is misaligned or outside its TDMR (rules C2, C5, C6)"),
  TDX_NON_ORDERED_RESERVED_IN_TDMR(0xC0000A21L, "reserved areas are unsorted, overlap or have a gap in the slots (rules C1, C3, C4)"),
  TDX_CMR_LIST_INVALID(0xC0000A22L, "the CMR list from the BIOS is invalid (rule E4)"),
  TDX_METADATA_FIELD_ID_INCORRECT(0xC0000C00L, "the module does not know the metadata field the kernel asked for"),
  TDX_METADATA_FIELD_NOT_READABLE(0xC0000C02L, "the metadata field cannot be read");

  private final long statusClass;
  private final String meaning;

  TdxStatus(long statusClass, String meaning) {
    this.statusClass = statusClass;
    this.meaning = meaning;
  }

  public String meaning() {
    return meaning;
  }

  /** The status named by bits 63:32 of a SEAMCALL's RAX, if it is one of these. */
  public static Optional<TdxStatus> of(long rax) {
    long cls = rax >>> 32;
    for (TdxStatus s : values()) {
      if (s.statusClass == cls) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** True for the statuses TDH.SYS.CONFIG returns for a bad layout (section H, 0xC0000A..). */
  public boolean isLayoutRule() {
    return (statusClass >>> 8) == 0xC0000AL;
  }
}
