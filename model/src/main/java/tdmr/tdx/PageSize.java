package tdmr.tdx;

/**
 * The three page sizes a PAMT level describes. {@link #level()} is the module's level code
 * (PT_4KB = 0, PT_2MB = 1, PT_1GB = 2) used in error detail bytes.
 */
public enum PageSize {
  SIZE_4K(12, 0, "4K"),
  SIZE_2M(21, 1, "2M"),
  SIZE_1G(30, 2, "1G");

  private final int shift;
  private final int level;
  private final String label;

  PageSize(int shift, int level, String label) {
    this.shift = shift;
    this.level = level;
    this.label = label;
  }

  public int shift() {
    return shift;
  }

  public long bytes() {
    return 1L << shift;
  }

  public int level() {
    return level;
  }

  public String label() {
    return label;
  }
}
