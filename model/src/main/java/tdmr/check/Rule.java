package tdmr.check;

import java.util.Optional;

/**
 * Every rule the code enforces, named once: the TDX module's TDH.SYS.CONFIG checks (A call
 * operands, B TDMR geometry, C reserved areas, D PAMTs, E convertible memory) and the operating
 * system's own rules (O). {@code docs/tdx-module-rules.md} explains each one, the module's error
 * code and where the code enforces it.
 */
public enum Rule {
  /** 1 ≤ number of TDMRs ≤ MAX_TDMRS (the RDX operand). */
  A4_TDMR_COUNT("A4", ModuleError.TDX_OPERAND_INVALID, "between 1 and MAX_TDMRS TDMRs"),
  /** Dynamic PAMT needs the HKID start bit at 48 or below (the R8 operand). */
  A7_DYNAMIC_PAMT_HKID("A7", ModuleError.TDX_OPERAND_INVALID, "Dynamic PAMT needs the HKID start bit at 48 or below"),
  /** A TDMR's base plus size does not overflow 64 bits. */
  B1_TDMR_NO_OVERFLOW("B1", ModuleError.TDX_INVALID_TDMR, "a TDMR's end fits in 64 bits"),
  /** TDMRs are sorted by base. */
  B2_TDMRS_SORTED("B2", ModuleError.TDX_NON_ORDERED_TDMR, "TDMRs are sorted by base"),
  /** A TDMR starts at or after the end of the previous one (touching is allowed). */
  B3_TDMRS_DISJOINT("B3", ModuleError.TDX_NON_ORDERED_TDMR, "TDMRs do not overlap"),
  /** Base and size are multiples of 1 GiB, and the size is not 0. */
  B4_TDMR_1G_ALIGNED("B4", ModuleError.TDX_INVALID_TDMR, "TDMR base and size are 1 GiB multiples, size not 0"),
  /** The TDMR lies below the first address with KeyID bits. */
  B5_TDMR_BELOW_HKID("B5", ModuleError.TDX_INVALID_TDMR, "a TDMR lies below the KeyID bits"),
  /**
   * At most MAX_RESERVED_PER_TDMR reserved areas (the TDMR_INFO slots), and a null slot is followed
   * only by null slots.
   */
  C1_RESERVED_SLOTS("C1", ModuleError.TDX_NON_ORDERED_RESERVED_IN_TDMR,
      "at most MAX_RESERVED_PER_TDMR reserved areas, null slots last"),
  /** A reserved area's offset plus size does not overflow. */
  C2_RESERVED_NO_OVERFLOW("C2", ModuleError.TDX_INVALID_RESERVED_IN_TDMR, "a reserved area's end fits in 64 bits"),
  /** Reserved areas are sorted by offset. */
  C3_RESERVED_SORTED("C3", ModuleError.TDX_NON_ORDERED_RESERVED_IN_TDMR, "reserved areas are sorted by offset"),
  /** Reserved areas do not overlap (touching is allowed). */
  C4_RESERVED_DISJOINT("C4", ModuleError.TDX_NON_ORDERED_RESERVED_IN_TDMR, "reserved areas do not overlap"),
  /** Offset and size of a reserved area are 4 KiB multiples. */
  C5_RESERVED_4K_ALIGNED("C5", ModuleError.TDX_INVALID_RESERVED_IN_TDMR, "reserved areas are 4 KiB aligned"),
  /** A reserved area lies inside its TDMR. */
  C6_RESERVED_INSIDE_TDMR("C6", ModuleError.TDX_INVALID_RESERVED_IN_TDMR, "a reserved area lies inside its TDMR"),
  /** Each PAMT range: no overflow, 4 KiB aligned and sized, below the KeyID bits. */
  D1_PAMT_SHAPE("D1", ModuleError.TDX_INVALID_PAMT, "PAMT ranges are 4 KiB aligned and below the KeyID bits"),
  /** Each PAMT level holds 16 bytes per page of its size in the TDMR. */
  D2_PAMT_SIZE("D2", ModuleError.TDX_INVALID_PAMT, "each PAMT level is large enough for its TDMR"),
  /** With Dynamic PAMT, the 4K level is a bitmap of one bit per 4 KiB page. */
  D3_DYNAMIC_PAMT_SIZE("D3", ModuleError.TDX_INVALID_PAMT, "the Dynamic PAMT bitmap is large enough for its TDMR"),
  /** All PAMT ranges of all TDMRs are pairwise disjoint. */
  D4_PAMTS_DISJOINT("D4", ModuleError.TDX_PAMT_OVERLAP, "PAMT ranges do not overlap"),
  /** No PAMT range overlaps the usable (non-reserved) memory of any TDMR. */
  D5_PAMT_NOT_IN_USABLE_MEMORY("D5", ModuleError.TDX_PAMT_OVERLAP, "PAMTs lie outside every TDMR's usable memory"),
  /** Each PAMT range lies inside one CMR (touching CMRs count as one). */
  D6_PAMT_IN_CMRS("D6", ModuleError.TDX_PAMT_OUTSIDE_CMRS, "PAMTs lie in convertible memory"),
  /** Every usable (non-reserved) part of a TDMR lies inside one CMR (touching CMRs count as one). */
  E1_USABLE_MEMORY_IN_CMRS("E1", ModuleError.TDX_TDMR_OUTSIDE_CMRS, "usable TDMR memory is convertible"),
  /** Every byte of TDX memory is usable TDMR memory or PAMT (unless coverage {@code max} is asked for). */
  O1_TDX_MEMORY_COVERED("O1", null, "all TDX memory is in a TDMR's usable memory or in a PAMT"),
  /** Every PAMT lies in TDX memory, where the kernel allocates it. */
  O2_PAMT_IN_TDX_MEMORY("O2", null, "PAMTs lie in TDX memory"),
  /** With holes {@code memlist}, every usable TDMR byte is TDX memory: every gap is reserved. */
  O3_GAPS_RESERVED("O3", null, "every gap between TDX memory blocks in a TDMR is reserved (holes memlist)"),
  /** With PAMT {@code node-local}, each TDMR's PAMT lies on the node {@code tdmr_get_nid} picks. */
  O4_PAMT_NODE_LOCAL("O4", null, "each TDMR's PAMT is on its node (PAMT node-local)");

  private final String id;
  private final ModuleError error;
  private final String summary;

  Rule(String id, ModuleError error, String summary) {
    this.id = id;
    this.error = error;
    this.summary = summary;
  }

  /** The rule's ID as the messages and docs/tdx-module-rules.md write it: {@code C4}. */
  public String id() {
    return id;
  }

  /** The error TDH.SYS.CONFIG returns when the rule fails; empty for the operating system's rules. */
  public Optional<ModuleError> error() {
    return Optional.ofNullable(error);
  }

  /** The rule in a few words. */
  public String summary() {
    return summary;
  }

  /** True for the TDX module's rules, false for the operating system's. */
  public boolean isModuleRule() {
    return error != null;
  }

  /** The ID, so that a rule reads in messages as the module's documentation names it. */
  @Override
  public String toString() {
    return id;
  }
}
