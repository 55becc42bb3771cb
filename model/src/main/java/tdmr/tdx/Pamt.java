package tdmr.tdx;


/** The three Physical Address Metadata Tables of a TDMR, one per page size. */
public record Pamt(PamtRange fourK, PamtRange twoM, PamtRange oneG) {

  /**
   * The kernel's layout: one contiguous chunk at {@code base} holding the 4K, 2M and 1G levels in
   * that order, each of the kernel's size for a TDMR of {@code tdmrSize} bytes.
   */
  public static Pamt kernelChunk(long base, long tdmrSize, TdxLimits limits) {
    long s4 = PamtSizing.levelBytes(tdmrSize, PageSize.SIZE_4K, limits);
    long s2 = PamtSizing.levelBytes(tdmrSize, PageSize.SIZE_2M, limits);
    long s1 = PamtSizing.levelBytes(tdmrSize, PageSize.SIZE_1G, limits);
    return new Pamt(new PamtRange(base, s4), new PamtRange(base + s4, s2), new PamtRange(base + s4 + s2, s1));
  }

  public PamtRange level(PageSize pageSize) {
    return switch (pageSize) {
      case SIZE_4K -> fourK;
      case SIZE_2M -> twoM;
      case SIZE_1G -> oneG;
    };
  }

  public long totalBytes() {
    return fourK.size() + twoM.size() + oneG.size();
  }

  /**
   * Where it lies, for one line of text: {@code [base, end)} for the kernel's chunk, else each level's
   * range ({@code 4K [..), 2M [..), 1G [..)}).
   */
  public String ranges() {
    if (isContiguousChunk()) {
      return "[0x%x, 0x%x)".formatted(fourK.base(), oneG.end());
    }
    return "4K %s, 2M %s, 1G %s".formatted(fourK, twoM, oneG);
  }

  /** True when the three levels sit back to back as 4K, 2M, 1G (the kernel's chunk). */
  public boolean isContiguousChunk() {
    return fourK.end() == twoM.base() && twoM.end() == oneG.base();
  }
}
