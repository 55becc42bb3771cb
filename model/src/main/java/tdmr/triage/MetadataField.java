package tdmr.triage;

import java.util.Optional;

/**
 * Global metadata fields the host kernel reads with TDH.SYS.RD while it brings TDX up
 * (the TDH.SYS.RD field IDs of the module's global metadata).
 */
public enum MetadataField {
  MAX_TDMRS(0x9100000100000008L),
  MAX_RESERVED_PER_TDMR(0x9100000100000009L),
  PAMT_4K_ENTRY_SIZE(0x9100000100000010L),
  PAMT_2M_ENTRY_SIZE(0x9100000100000011L),
  PAMT_1G_ENTRY_SIZE(0x9100000100000012L),
  PAMT_PAGE_BITMAP_ENTRY_BITS(0x9100000100000013L),
  NUM_CMRS(0x9000000100000000L),
  TDX_FEATURES0(0x0A00000300000008L);

  private final long id;

  MetadataField(long id) {
    this.id = id;
  }

  public long id() {
    return id;
  }

  public static Optional<MetadataField> of(long id) {
    for (MetadataField f : values()) {
      if (f.id == id) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
