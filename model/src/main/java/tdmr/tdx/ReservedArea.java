package tdmr.tdx;

/**
 * One reserved-area slot of a TDMR: {@code offset} from the TDMR base and {@code size}, both raw
 * 64-bit fields. A slot of size 0 is null (rule C1).
 */
public record ReservedArea(long offset, long size) {
  public boolean isNull() {
    return size == 0;
  }

  @Override
  public String toString() {
    return "+0x%x..+0x%x".formatted(offset, offset + size);
  }
}
